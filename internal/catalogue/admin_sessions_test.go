package catalogue_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
)

// adminFixture is a small catalogue — one establishment with a room, one
// formation, one published session with two courses — and the central
// service's actor.
type adminFixture struct {
	st      *store.Store
	admin   *catalogue.Admin
	central domain.Actor
	est     domain.Establishment
	form    domain.Formation
	session domain.Session
	courses []domain.Course
	words   *i18n.Catalog
	now     time.Time
}

var paris, _ = time.LoadLocation("Europe/Paris")

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dates(co, cc, ao, ac, first, last string) domain.SessionDates {
	return domain.SessionDates{CandidatureOpens: day(co), CandidatureCloses: day(cc), AnswerOpens: day(ao), AnswerCloses: day(ac),
		FirstDay: day(first), LastDay: day(last)}
}

func newAdminFixture(t *testing.T, d *db.DB) *adminFixture {
	t.Helper()
	ctx := context.Background()
	st := store.New(d)
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &adminFixture{st: st, words: words, now: time.Date(2026, 12, 2, 10, 0, 0, 0, paris)}
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		acc := domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive, Email: "central@example.org",
			FirstName: "Claire", LastName: "Centrale", CreatedAt: f.now}
		if err := st.InsertAccount(ctx, tx, &acc); err != nil {
			return err
		}
		if err := st.InsertGrant(ctx, tx, acc.ID, domain.Grant{Role: domain.RoleCentral}); err != nil {
			return err
		}
		f.central = domain.Actor{AccountID: acc.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
		f.est = domain.Establishment{Code: "E-11-TEST", Name: "École Test", Address: "1 rue du Test", PostalCode: "75011", City: "Paris",
			District: 11, Rooms: []domain.Room{{Name: "Salle 1", Workstations: 12}}}
		if err := st.InsertEstablishment(ctx, tx, &f.est); err != nil {
			return err
		}
		f.form = domain.Formation{Code: "F-ANGLAIS", Title: "Anglais", Subject: domain.SubjectLanguages, Level: domain.LevelBeginner,
			Evaluation: domain.EvaluationNone, Kind: domain.KindGeneral, DefaultPriceCents: 15000}
		if err := st.InsertFormation(ctx, tx, &f.form); err != nil {
			return err
		}
		f.session = domain.Session{Code: "2026-2027-ANNUEL", Name: "Année 2026-2027", Kind: domain.SessionAnnual, Status: domain.SessionPublished}
		dates("2026-06-01", "2026-06-30", "2026-07-05", "2026-07-20", "2026-09-14", "2027-06-19").Apply(&f.session)
		if err := st.InsertSession(ctx, tx, &f.session); err != nil {
			return err
		}
		for i, c := range []domain.Course{
			{Code: "C-2026-2027-ANNUEL-1", OwnPrice: false, PriceCents: 15000, ReducedCents: 7500, Enrolled: 5},
			{Code: "C-000002", OwnPrice: true, PriceCents: 9000, ReducedCents: 4500, Enrolled: 3},
		} {
			c.FormationID, c.EstablishmentID, c.RoomID, c.SessionID = f.form.ID, f.est.ID, f.est.Rooms[0].ID, f.session.ID
			c.Weekday, c.StartMinute, c.EndMinute, c.Level, c.Capacity, c.Trainer = time.Monday+time.Weekday(i), 18*60, 20*60, domain.LevelBeginner, 20, "M. Test"
			if err := st.InsertCourse(ctx, tx, &c); err != nil {
				return err
			}
			f.courses = append(f.courses, c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := catalogue.NewService(st, words, "C", 0, func() time.Time { return f.now })
	f.admin = catalogue.NewAdmin(catalogue.AdminDeps{Store: st, Catalogue: svc, Words: words, Now: func() time.Time { return f.now }, Paris: paris})
	return f
}

func goodSession(code string) catalogue.SessionInput {
	return catalogue.SessionInput{Code: code, Name: "Année 2027-2028", Kind: domain.SessionAnnual,
		Dates: dates("2027-06-01", "2027-06-30", "2027-07-05", "2027-07-20", "2027-09-13", "2028-06-17")}
}

func fieldsOf(err error) []string {
	var fe domain.FieldErrors
	if !errors.As(err, &fe) {
		return nil
	}
	var out []string
	for _, e := range fe {
		out = append(out, e.Field+"="+e.Key)
	}
	return out
}

func (f *adminFixture) loadSession(t *testing.T, id int64) domain.Session {
	t.Helper()
	c, err := f.st.LoadAdminCatalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, se := range c.Sessions {
		if se.ID == id {
			return se
		}
	}
	t.Fatalf("session %d not found", id)
	return domain.Session{}
}

// TestSessionAdmin_PER1_each_date_rule_refused_with_its_field: each date out
// of order is refused on its own field, nothing is written; a session saved
// takes candidatures from 00:00 on its opening day to 23:59:59 on its closing
// day, Paris time.
func TestSessionAdmin_PER1_each_date_rule_refused_with_its_field(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		for _, c := range []struct {
			name string
			edit func(*catalogue.SessionInput)
			want string
		}{
			{"closes before it opens", func(in *catalogue.SessionInput) { in.Dates.CandidatureCloses = day("2027-05-31") }, "candidature_closes=session.error.closes_before_opens"},
			{"closes the day it opens", func(in *catalogue.SessionInput) { in.Dates.CandidatureCloses = day("2027-06-01") }, "candidature_closes=session.error.closes_before_opens"},
			{"answers open before candidatures close", func(in *catalogue.SessionInput) { in.Dates.AnswerOpens = day("2027-06-30") }, "answer_opens=session.error.answers_before_closing"},
			{"answers close before they open", func(in *catalogue.SessionInput) { in.Dates.AnswerCloses = day("2027-07-04") }, "answer_closes=session.error.answers_close_before_open"},
			{"classes before the answers open", func(in *catalogue.SessionInput) { in.Dates.FirstDay = day("2027-07-05") }, "first_day=session.error.classes_before_answers"},
			{"last class before the first", func(in *catalogue.SessionInput) { in.Dates.LastDay = day("2027-09-12") }, "last_day=session.error.ends_before_start"},
			{"a date missing", func(in *catalogue.SessionInput) { in.Dates.AnswerCloses = time.Time{} }, "answer_closes=session.error.date_missing"},
			{"a bad code", func(in *catalogue.SessionInput) { in.Code = "année 27" }, "code=catalogue.error.code"},
			{"a taken code", func(in *catalogue.SessionInput) { in.Code = f.session.Code }, "code=catalogue.error.code_taken"},
			{"no kind", func(in *catalogue.SessionInput) { in.Kind = "" }, "kind=session.error.kind"},
		} {
			in := goodSession("2027-2028-ANNUEL")
			c.edit(&in)
			_, err := f.admin.CreateSession(ctx, f.central, in)
			if got := fieldsOf(err); len(got) != 1 || got[0] != c.want {
				t.Errorf("%s: errors %v (%v), want [%s]", c.name, got, err, c.want)
			}
			if err := f.admin.UpdateSession(ctx, f.central, f.session.ID, in); c.name != "a taken code" && len(fieldsOf(err)) != 1 {
				t.Errorf("%s: update accepted (%v)", c.name, err)
			}
		}
		rows, _ := f.admin.ListSessions(ctx, f.central)
		if len(rows) != 1 {
			t.Fatalf("%d sessions after refused input, want 1", len(rows))
		}

		id, err := f.admin.CreateSession(ctx, f.central, goodSession("2027-2028-ANNUEL"))
		if err != nil {
			t.Fatal(err)
		}
		se := f.loadSession(t, id)
		for _, c := range []struct {
			at   time.Time
			open bool
		}{
			{time.Date(2027, 5, 31, 23, 59, 59, 0, paris), false},
			{time.Date(2027, 6, 1, 0, 0, 0, 0, paris), true},
			{time.Date(2027, 6, 30, 23, 59, 59, 0, paris), true},
			{time.Date(2027, 7, 1, 0, 0, 0, 0, paris), false},
		} {
			if got := se.CandidatureOpen(c.at); got != c.open {
				t.Errorf("candidatures open at %s: %v, want %v", c.at, got, c.open)
			}
		}
		if !se.AnswerCloses.Open(time.Date(2027, 7, 20, 23, 59, 59, 0, paris)) || se.AnswerCloses.Open(time.Date(2027, 7, 21, 0, 0, 0, 0, paris)) {
			t.Error("the answer period does not close at the end of its last day, Paris time")
		}
		if se.Status != domain.SessionDraft || se.Public() {
			t.Errorf("new session status %q, public %v: want a draft", se.Status, se.Public())
		}
	})
}

// TestSessionAdmin_ROLE5_only_central_may: a director, a coordinator, a
// trainer, guidance staff and the help desk change nothing.
func TestSessionAdmin_ROLE5_only_central_may(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		for _, g := range []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: f.est.ID}, {Role: domain.RoleCoordinator, FormationID: f.form.ID},
			{Role: domain.RoleTrainer, CourseID: f.courses[0].ID}, {Role: domain.RoleGuidance}, {Role: domain.RoleHelpDesk}} {
			actor := domain.Actor{AccountID: f.central.AccountID, Kind: domain.AccountStaff, Grants: []domain.Grant{g}}
			errs := map[string]error{}
			_, errs["create session"] = f.admin.CreateSession(ctx, actor, goodSession("2027-2028-ANNUEL"))
			errs["update session"] = f.admin.UpdateSession(ctx, actor, f.session.ID, goodSession("X"))
			errs["publish"] = f.admin.PublishSession(ctx, actor, f.session.ID)
			_, errs["copy"] = f.admin.CopySession(ctx, actor, f.session.ID, goodSession("2027-2028-ANNUEL"))
			errs["archive"] = f.admin.ArchiveSession(ctx, actor, f.session.ID, "")
			errs["delete"] = f.admin.DeleteSession(ctx, actor, f.session.ID, "")
			_, errs["list"] = f.admin.ListSessions(ctx, actor)
			_, errs["create establishment"] = f.admin.CreateEstablishment(ctx, actor, catalogue.EstablishmentInput{Code: "E-X"})
			errs["update establishment"] = f.admin.UpdateEstablishment(ctx, actor, f.est.ID, catalogue.EstablishmentInput{})
			_, errs["add room"] = f.admin.AddRoom(ctx, actor, f.est.ID, catalogue.RoomInput{Name: "B", Workstations: 1})
			_, errs["create formation"] = f.admin.CreateFormation(ctx, actor, catalogue.FormationInput{})
			errs["update formation"] = f.admin.UpdateFormation(ctx, actor, f.form.ID, catalogue.FormationInput{})
			_, errs["remove formation"] = f.admin.RemoveFormation(ctx, actor, f.form.ID, "")
			for what, err := range errs {
				if !errors.Is(err, catalogue.ErrForbidden) {
					t.Errorf("%s: %s answered %v, want ErrForbidden", g.Role, what, err)
				}
			}
		}
		if se := f.loadSession(t, f.session.ID); se.Archived || se.Code != f.session.Code {
			t.Errorf("the session changed: %+v", se)
		}
	})
}

// TestSessionAdmin_CAT5_holiday_flag_saved: the holiday flag is saved, read
// back by the catalogue, changed and audited.
func TestSessionAdmin_CAT5_holiday_flag_saved(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		in := goodSession("ETE-2027")
		in.Kind, in.HolidaySession = domain.SessionSpecial, true
		id, err := f.admin.CreateSession(ctx, f.central, in)
		if err != nil {
			t.Fatal(err)
		}
		if se := f.loadSession(t, id); !se.HolidaySession {
			t.Fatal("holiday flag not saved")
		}
		in.HolidaySession, in.Reason = false, "stage déplacé"
		if err := f.admin.UpdateSession(ctx, f.central, id, in); err != nil {
			t.Fatal(err)
		}
		if se := f.loadSession(t, id); se.HolidaySession {
			t.Fatal("holiday flag not cleared")
		}
		trail, err := f.admin.Audit(ctx, domain.AuditObjectSession, id, 10)
		if err != nil || len(trail) != 2 {
			t.Fatalf("trail %v, %v", trail, err)
		}
		if trail[0].Action != domain.AuditSessionChanged || trail[0].Details != "session de vacances : oui → non" || trail[0].Reason != "stage déplacé" {
			t.Errorf("change audited as %+v", trail[0])
		}
		if trail[1].Action != domain.AuditSessionCreated || !strings.Contains(trail[1].Details, "session de vacances : oui") {
			t.Errorf("creation audited as %+v", trail[1])
		}
	})
}

// TestSessionAdmin_draft_never_public: a draft session and its courses are
// not in the public catalogue until the session is published, and an
// archived one leaves it.
func TestSessionAdmin_draft_never_public(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		id, err := f.admin.CopySession(ctx, f.central, f.session.ID, goodSession("2027-2028-ANNUEL"))
		if err != nil {
			t.Fatal(err)
		}
		public := func() (sessions, courses int) {
			c, err := f.st.LoadCatalogue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ix := catalogue.Build(c, f.words, "C")
			for _, se := range ix.Sessions {
				if se.ID == id {
					sessions++
				}
			}
			for _, e := range ix.All() {
				if e.SessionID == id {
					courses++
				}
			}
			return
		}
		if s, c := public(); s != 0 || c != 0 {
			t.Fatalf("draft public: %d sessions, %d courses", s, c)
		}
		if err := f.admin.PublishSession(ctx, f.central, id); err != nil {
			t.Fatal(err)
		}
		if s, c := public(); s != 1 || c != 2 {
			t.Fatalf("published: %d sessions, %d courses public, want 1 and 2", s, c)
		}
		if err := f.admin.ArchiveSession(ctx, f.central, id, "annulée"); err != nil {
			t.Fatal(err)
		}
		if s, c := public(); s != 0 || c != 0 {
			t.Fatalf("archived public: %d sessions, %d courses", s, c)
		}
	})
}

// TestSessionAdmin_copy_to_next_year: "Préparer l'année suivante" copies the
// non-archived courses under derived codes, no one enrolled, as a draft, in
// one transaction: a code that would clash leaves nothing behind.
func TestSessionAdmin_copy_to_next_year(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		// A third course, archived: it is not copied.
		if _, err := d.W.ExecContext(ctx, `INSERT INTO courses (code, formation_id, establishment_id, room_id, session_id, weekday,
			start_minute, end_minute, level, capacity, enrolled, trainer, price_cents, reduced_cents, remote, own_price, archived_at)
			SELECT 'C-OLD', formation_id, establishment_id, room_id, session_id, weekday, start_minute, end_minute, level, capacity,
			0, trainer, price_cents, reduced_cents, remote, own_price, candidature_opens FROM courses, sessions
			WHERE courses.id = $1 AND sessions.id = courses.session_id`, f.courses[0].ID); err != nil {
			t.Fatal(err)
		}
		// A course already has the code the second course's copy would take.
		clash := f.courses[1]
		clash.Code = "C-000002-2027-2028-ANNUEL"
		if err := f.st.InTx(ctx, func(tx *sql.Tx) error { return f.st.InsertCourse(ctx, tx, &clash) }); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `UPDATE courses SET archived_at = (SELECT candidature_opens FROM sessions WHERE id = $1)
			WHERE id = $2`, f.session.ID, clash.ID); err != nil { // archived: not copied itself
			t.Fatal(err)
		}
		before, _ := f.st.LoadCatalogue(ctx)
		_, err := f.admin.CopySession(ctx, f.central, f.session.ID, goodSession("2027-2028-ANNUEL"))
		if got := fieldsOf(err); len(got) != 1 || got[0] != "code=session.error.copy_code_taken" {
			t.Fatalf("copy over a taken code: %v (%v)", got, err)
		}
		after, _ := f.st.LoadCatalogue(ctx)
		if len(after.Sessions) != len(before.Sessions) || len(after.Courses) != len(before.Courses) {
			t.Fatalf("a refused copy left %d sessions and %d courses (before %d, %d)", len(after.Sessions), len(after.Courses),
				len(before.Sessions), len(before.Courses))
		}
		if _, err := d.W.ExecContext(ctx, `DELETE FROM courses WHERE id = $1`, clash.ID); err != nil {
			t.Fatal(err)
		}

		id, err := f.admin.CopySession(ctx, f.central, f.session.ID, goodSession("2027-2028-ANNUEL"))
		if err != nil {
			t.Fatal(err)
		}
		se := f.loadSession(t, id)
		if se.Status != domain.SessionDraft || se.Code != "2027-2028-ANNUEL" || !se.FirstDay.Equal(day("2027-09-13")) {
			t.Errorf("copy: %+v", se)
		}
		c, _ := f.st.LoadCatalogue(ctx)
		codes := map[string]domain.Course{}
		for _, co := range c.Courses {
			if co.SessionID == id {
				codes[co.Code] = co
			}
		}
		if len(codes) != 2 {
			t.Fatalf("copied courses %v, want 2", codes)
		}
		for old, code := range map[string]string{"C-2026-2027-ANNUEL-1": "C-2027-2028-ANNUEL-1", "C-000002": "C-000002-2027-2028-ANNUEL"} {
			co, ok := codes[code]
			if !ok {
				t.Errorf("%s not copied as %s: %v", old, code, codes)
				continue
			}
			if co.Enrolled != 0 || co.Capacity != 20 || co.RoomID != f.est.Rooms[0].ID {
				t.Errorf("copy %s: enrolled %d capacity %d room %d", code, co.Enrolled, co.Capacity, co.RoomID)
			}
		}
		if !codes["C-000002-2027-2028-ANNUEL"].OwnPrice || codes["C-000002-2027-2028-ANNUEL"].PriceCents != 9000 {
			t.Error("the copy lost the course's own tariff")
		}
		trail, _ := f.admin.Audit(ctx, domain.AuditObjectSession, id, 5)
		if len(trail) != 1 || trail[0].Action != domain.AuditSessionCopied || !strings.Contains(trail[0].Details, "copie de 2026-2027-ANNUEL (2 cours)") {
			t.Errorf("copy audited as %+v", trail)
		}
	})
}

// TestSessionAdmin_archive_or_delete: a draft nothing refers to is deleted; a
// session with courses, or a published one, can only be archived.
func TestSessionAdmin_archive_or_delete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		id, err := f.admin.CreateSession(ctx, f.central, goodSession("2027-2028-ANNUEL"))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := f.admin.SessionDeletable(ctx, f.central, id); !ok || err != nil {
			t.Fatalf("empty draft deletable: %v, %v", ok, err)
		}
		if err := f.admin.DeleteSession(ctx, f.central, id, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.admin.Session(ctx, f.central, id); !errors.Is(err, catalogue.ErrNotFound) {
			t.Fatalf("deleted session still read: %v", err)
		}
		if trail, _ := f.admin.Audit(ctx, domain.AuditObjectSession, id, 5); len(trail) != 2 || trail[0].Action != domain.AuditSessionDeleted {
			t.Errorf("deletion trail %+v", trail)
		}
		// The published session with courses: archive only.
		if err := f.admin.DeleteSession(ctx, f.central, f.session.ID, ""); !errors.Is(err, catalogue.ErrInUse) {
			t.Fatalf("delete of a session with courses: %v, want ErrInUse", err)
		}
		if err := f.admin.ArchiveSession(ctx, f.central, f.session.ID, "fin d'année"); err != nil {
			t.Fatal(err)
		}
		if se := f.loadSession(t, f.session.ID); !se.Archived {
			t.Error("not archived")
		}
		// A draft with a course (copied) is not deletable either.
		copyID, err := f.admin.CopySession(ctx, f.central, f.session.ID, goodSession("2027-2028-ANNUEL"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.admin.DeleteSession(ctx, f.central, copyID, ""); !errors.Is(err, catalogue.ErrInUse) {
			t.Fatalf("delete of a draft with courses: %v, want ErrInUse", err)
		}
	})
}
