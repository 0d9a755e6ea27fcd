package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

// listFixture is the newFixture city with a second establishment, a second
// session, four courses and candidatures filed in the reverse order of the
// names, so that an order of arrival would show.
type listFixture struct {
	fixture
	other          domain.Establishment
	later          domain.Session
	c1, c2, c3, c4 domain.Course
	people         map[string]domain.Account
	agent          domain.Account
}

func newListFixture(t *testing.T, s *store.Store) listFixture {
	t.Helper()
	ctx := context.Background()
	f := listFixture{fixture: newFixture(t, s), people: map[string]domain.Account{}}
	f.other = domain.Establishment{Code: "E12", Name: "Lycée Voltaire", Address: "101 avenue de la République",
		PostalCode: "75011", City: "Paris", District: 11, Rooms: []domain.Room{{Name: "Salle 2"}}}
	f.later = f.session
	f.later.Code, f.later.Name = "2027-S2", "Second semestre 2027"
	now := time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.InsertEstablishment(ctx, tx, &f.other); err != nil {
			return err
		}
		if err := s.InsertSession(ctx, tx, &f.later); err != nil {
			return err
		}
		f.c1 = f.course("C1", f.english, 0, 20)
		f.c2 = f.course("C2", f.excel, 1, 12)
		f.c3 = f.course("C3", f.english, 0, 25)
		f.c3.EstablishmentID, f.c3.RoomID = f.other.ID, f.other.Rooms[0].ID
		f.c4 = f.course("C4", f.excel, 1, 12)
		f.c4.SessionID = f.later.ID
		for _, c := range []*domain.Course{&f.c1, &f.c2, &f.c3, &f.c4} {
			if err := s.InsertCourse(ctx, tx, c); err != nil {
				return err
			}
		}
		if err := s.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: now.Add(-time.Hour), Body: "Règlement"}); err != nil {
			return err
		}
		f.agent = domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive, Email: "agent@ville.fr",
			FirstName: "Aline", LastName: "Agent", CreatedAt: now}
		if err := s.InsertAccount(ctx, tx, &f.agent); err != nil {
			return err
		}
		// Filed Ezan first, Éluard last: an order of arrival would show.
		for i, p := range [][2]string{{"Paul", "Ezan"}, {"Anne", "Eyraud"}, {"Zoé", "Éluard"}, {"Léa", "Dubois"}} {
			a := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: fmt.Sprintf("p%d@exemple.fr", i),
				FirstName: p[0], LastName: p[1], CreatedAt: now}
			if err := s.InsertAccount(ctx, tx, &a); err != nil {
				return err
			}
			f.people[p[1]] = a
		}
		n := 0
		apply := func(who string, c domain.Course, halfTariff bool, agent int64) error {
			n++
			key := fmt.Sprintf("key-%d", n)
			a := f.people[who]
			at := now.Add(time.Duration(n) * time.Minute)
			if err := s.InsertValidation(ctx, tx, key, a.ID, at); err != nil {
				return err
			}
			cand := domain.Candidature{AccountID: a.ID, CourseID: c.ID, FormationID: c.FormationID, SessionID: c.SessionID,
				Status: domain.CandidatureSubmitted, Objective: domain.ObjectivePersonal, RulesVersion: "2026-1",
				HalfTariffClaim: halfTariff, AssistedBy: agent, CreatedAt: at}
			return s.InsertCandidature(ctx, tx, &cand, key, a.ID)
		}
		for _, step := range []error{
			apply("Ezan", f.c1, false, 0),
			apply("Eyraud", f.c1, true, f.agent.ID),
			apply("Éluard", f.c1, false, 0),
			apply("Ezan", f.c2, false, 0),
			apply("Dubois", f.c3, false, 0),
			apply("Éluard", f.c4, false, 0),
		} {
			if step != nil {
				return step
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCandidatureCounts_ROLE3_ROLE5(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newListFixture(t, s)
		// Cancel Ezan's Excel candidature (C2).
		rows, err := s.ListCandidatures(ctx, store.CandidatureFilter{CourseID: f.c2.ID})
		if err != nil || len(rows) != 1 {
			t.Fatalf("C2 rows = %+v, %v", rows, err)
		}
		cancelOne(t, s, f.c2.ID)

		counts, err := s.CandidatureCounts(ctx, f.session.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]store.CourseCount{f.c1.ID: {Submitted: 3}, f.c2.ID: {Cancelled: 1}, f.c3.ID: {Submitted: 1}}
		if len(counts) != len(want) {
			t.Fatalf("counts = %+v, want %+v", counts, want)
		}
		for id, w := range want {
			if counts[id] != w {
				t.Errorf("course %d: %+v, want %+v", id, counts[id], w)
			}
		}
		all, err := s.CandidatureCounts(ctx, 0)
		if err != nil || all[f.c4.ID] != (store.CourseCount{Submitted: 1}) || len(all) != 4 {
			t.Fatalf("all sessions: %+v, %v", all, err)
		}
		none, err := s.CandidatureCounts(ctx, 999999)
		if err != nil || len(none) != 0 {
			t.Fatalf("unknown session: %+v, %v", none, err)
		}
	})
}

// cancelOne cancels the only submitted candidature of a course.
func cancelOne(t *testing.T, s *store.Store, courseID int64) {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := s.InTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT id FROM candidatures WHERE course_id = $1 AND status = 'submitted'`, courseID).Scan(&id); err != nil {
			return err
		}
		_, err := s.CancelCandidature(ctx, tx, id, time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC), 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestListCandidatures_PER2_order_and_filters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newListFixture(t, s)
		cancelOne(t, s, f.c2.ID)

		names := func(rows []domain.CandidatureListRow) []string {
			var out []string
			for _, r := range rows {
				out = append(out, r.CourseCode+" "+r.LastName)
			}
			return out
		}
		list := func(fl store.CandidatureFilter) []domain.CandidatureListRow {
			t.Helper()
			rows, err := s.ListCandidatures(ctx, fl)
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		// PER-2: by course, then name in French order (É with E), never by arrival.
		got := names(list(store.CandidatureFilter{}))
		want := []string{"C1 Éluard", "C1 Eyraud", "C1 Ezan", "C2 Ezan", "C3 Dubois", "C4 Éluard"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("order = %v, want %v", got, want)
		}
		rows := list(store.CandidatureFilter{CourseID: f.c1.ID})
		if r := rows[1]; r.LastName != "Eyraud" || r.FirstName != "Anne" || r.Email != "p1@exemple.fr" || !r.HalfTariffClaim || !r.Assisted ||
			r.Status != domain.CandidatureSubmitted || r.EstablishmentID != f.est.ID || r.FormationID != f.english.ID || r.SessionID != f.session.ID {
			t.Fatalf("CAN-8/CAN-9 row = %+v", r)
		}
		if r := rows[0]; r.Assisted || r.HalfTariffClaim {
			t.Fatalf("plain row = %+v", r)
		}

		for _, tc := range []struct {
			name string
			f    store.CandidatureFilter
			want []string
		}{
			{"session", store.CandidatureFilter{SessionID: f.later.ID}, []string{"C4 Éluard"}},
			{"formation", store.CandidatureFilter{FormationID: f.excel.ID}, []string{"C2 Ezan", "C4 Éluard"}},
			{"establishment", store.CandidatureFilter{EstablishmentID: f.other.ID}, []string{"C3 Dubois"}},
			{"status cancelled", store.CandidatureFilter{Status: domain.CandidatureCancelled}, []string{"C2 Ezan"}},
			{"status submitted, session", store.CandidatureFilter{Status: domain.CandidatureSubmitted, SessionID: f.session.ID},
				[]string{"C1 Éluard", "C1 Eyraud", "C1 Ezan", "C3 Dubois"}},
			// ROLE-3: filters combine, a course of another establishment gives nothing.
			{"establishment and foreign course", store.CandidatureFilter{EstablishmentID: f.est.ID, CourseID: f.c3.ID}, nil},
			{"limit", store.CandidatureFilter{Limit: 2}, []string{"C1 Éluard", "C1 Eyraud"}},
		} {
			if got := names(list(tc.f)); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

// TestListCandidatures_ROLE5_pages_and_sorts: a page is cut in the database
// with the total beside it, in the order of a whitelisted sort key, the same
// on both engines; an unknown key is refused before any SQL.
func TestListCandidatures_ROLE5_pages_and_sorts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newListFixture(t, s)
		cancelOne(t, s, f.c2.ID)
		names := func(fl store.CandidatureFilter) string {
			t.Helper()
			rows, err := s.ListCandidatures(ctx, fl)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rows {
				out = append(out, r.CourseCode+" "+r.LastName)
			}
			return fmt.Sprint(out)
		}
		for _, tc := range []struct {
			name string
			f    store.CandidatureFilter
			want string
		}{
			{"page 1", store.CandidatureFilter{Limit: 4}, "[C1 Éluard C1 Eyraud C1 Ezan C2 Ezan]"},
			{"page 2", store.CandidatureFilter{Limit: 4, Offset: 4}, "[C3 Dubois C4 Éluard]"},
			{"past the end", store.CandidatureFilter{Limit: 4, Offset: 8}, "[]"},
			{"by name", store.CandidatureFilter{Sort: store.SortByName}, "[C3 Dubois C1 Éluard C4 Éluard C1 Eyraud C1 Ezan C2 Ezan]"},
			{"by name, reversed", store.CandidatureFilter{Sort: store.SortByName, Desc: true},
				"[C1 Ezan C2 Ezan C1 Eyraud C1 Éluard C4 Éluard C3 Dubois]"},
			{"by name, page 2 of 2", store.CandidatureFilter{Sort: store.SortByName, Limit: 3, Offset: 3}, "[C1 Eyraud C1 Ezan C2 Ezan]"},
			{"by course, reversed", store.CandidatureFilter{Desc: true}, "[C4 Éluard C3 Dubois C2 Ezan C1 Éluard C1 Eyraud C1 Ezan]"},
			{"by status", store.CandidatureFilter{Sort: store.SortByStatus, Desc: true}, "[C1 Éluard C1 Eyraud C1 Ezan C3 Dubois C4 Éluard C2 Ezan]"},
			{"by formation", store.CandidatureFilter{Sort: store.SortByFormation}, "[C1 Éluard C1 Eyraud C1 Ezan C3 Dubois C2 Ezan C4 Éluard]"},
			{"by email", store.CandidatureFilter{Sort: store.SortByEmail, Limit: 2}, "[C1 Ezan C2 Ezan]"},
			{"filtered page", store.CandidatureFilter{CourseID: f.c1.ID, Sort: store.SortByName, Limit: 2, Offset: 1}, "[C1 Eyraud C1 Ezan]"},
		} {
			if got := names(tc.f); got != tc.want {
				t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
			}
		}
		for _, tc := range []struct {
			f    store.CandidatureFilter
			want int
		}{
			{store.CandidatureFilter{Limit: 2, Offset: 4}, 6},
			{store.CandidatureFilter{CourseID: f.c1.ID}, 3},
			{store.CandidatureFilter{EstablishmentID: f.other.ID}, 1},
			{store.CandidatureFilter{Status: domain.CandidatureCancelled}, 1},
			{store.CandidatureFilter{EstablishmentID: f.est.ID, CourseID: f.c3.ID}, 0},
		} {
			if n, err := s.CountCandidatures(ctx, tc.f); err != nil || n != tc.want {
				t.Errorf("count %+v = %d, %v; want %d", tc.f, n, err, tc.want)
			}
		}
		if _, err := s.ListCandidatures(ctx, store.CandidatureFilter{Sort: "a.email; DROP TABLE accounts"}); err == nil {
			t.Error("an unknown sort key reached the database")
		}
	})
}
