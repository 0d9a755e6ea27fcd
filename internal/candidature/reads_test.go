package candidature_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// twoEstablishments picks two open courses of different establishments.
func (e *env) twoEstablishments(t *testing.T) (here, there *catalogue.Entry) {
	t.Helper()
	for _, c := range e.open[1:] {
		if c.EstablishmentID != e.open[0].EstablishmentID {
			return e.open[0], c
		}
	}
	t.Fatal("the demo's open courses are all in one establishment")
	return nil, nil
}

// validated gives a person candidatures on the courses.
func (e *env) validated(t *testing.T, subject string, courses ...*catalogue.Entry) (domain.Account, domain.Actor) {
	t.Helper()
	ctx := context.Background()
	me, actor := e.person(t, subject, adult())
	for _, c := range courses {
		if err := e.svc.Add(ctx, actor, me.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Validate(ctx, actor, me.ID, e.form(t, me.ID)); err != nil {
		t.Fatal(err)
	}
	return me, actor
}

func TestSpace_ROLE1_own_candidatures_history_and_messages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.validated(t, "alice", e.open[0], e.open[1])
		sp, err := e.svc.Space(ctx, actor, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sp.Candidatures) != 2 || len(sp.Messages) != 1 || sp.Messages[0].Subject == "" || sp.Messages[0].Text == "" {
			t.Fatalf("space = %d candidatures, messages %+v", len(sp.Candidatures), sp.Messages)
		}
		for _, c := range sp.Candidatures {
			h := sp.History[c.ID]
			if len(h) != 1 || h[0].Status != domain.CandidatureSubmitted || !h[0].At.Equal(today) {
				t.Errorf("history of %d = %+v", c.ID, h)
			}
		}
		// ROLE-1: nobody else reads it, neither another candidate nor staff.
		other, otherActor := e.person(t, "bob", adult())
		if _, err := e.svc.Space(ctx, otherActor, me.ID); !errors.Is(err, candidature.ErrForbidden) {
			t.Errorf("another candidate read the space: %v", err)
		}
		central := domain.Actor{AccountID: 9001, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
		if _, err := e.svc.Space(ctx, central, me.ID); !errors.Is(err, candidature.ErrForbidden) {
			t.Errorf("staff read the candidate's own space: %v", err)
		}
		if sp, err := e.svc.Space(ctx, otherActor, other.ID); err != nil || len(sp.Candidatures) != 0 || len(sp.Messages) != 0 {
			t.Errorf("an empty space = %+v, %v", sp, err)
		}
	})
}

func TestBackOfficeList_ROLE3_director_scoped_ROLE5_all(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		here, there := e.twoEstablishments(t)
		e.validated(t, "alice", here, there)
		e.validated(t, "bob", there)

		director := domain.Actor{AccountID: 9001, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: here.EstablishmentID}}}
		rows, err := e.svc.List(ctx, director, candidature.ListFilter{EstablishmentID: here.EstablishmentID})
		if err != nil || len(rows) != 1 || rows[0].CourseID != here.ID || rows[0].LastName != "Nom" {
			t.Fatalf("ROLE-3 director's list = %+v, %v", rows, err)
		}
		counts, err := e.svc.Counts(ctx, director, here.SessionID, here.EstablishmentID)
		if err != nil || len(counts) != 1 || counts[here.ID].Submitted != 1 {
			t.Fatalf("ROLE-3 director's counts = %+v, %v", counts, err)
		}
		// Another establishment, or all of them: refused, whatever else the filter says.
		for _, f := range []candidature.ListFilter{{EstablishmentID: there.EstablishmentID}, {}, {CourseID: there.ID}} {
			if _, err := e.svc.List(ctx, director, f); !errors.Is(err, candidature.ErrForbidden) {
				t.Errorf("ROLE-3 director listed %+v: %v", f, err)
			}
			if _, err := e.svc.Counts(ctx, director, 0, f.EstablishmentID); !errors.Is(err, candidature.ErrForbidden) {
				t.Errorf("ROLE-3 director counted %+v: %v", f, err)
			}
		}

		central := domain.Actor{AccountID: 9002, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
		rows, err = e.svc.List(ctx, central, candidature.ListFilter{})
		if err != nil || len(rows) != 3 {
			t.Fatalf("ROLE-5 central list = %d rows, %v", len(rows), err)
		}
		counts, err = e.svc.Counts(ctx, central, 0, 0)
		if err != nil || counts[here.ID].Submitted != 1 || counts[there.ID].Submitted != 2 {
			t.Fatalf("ROLE-5 central counts = %+v, %v", counts, err)
		}

		refused := map[string]domain.Actor{
			"ROLE-2 trainer": {AccountID: 9003, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleTrainer, CourseID: here.ID}}},
			"ROLE-4 coordinator": {AccountID: 9004, Kind: domain.AccountStaff,
				Grants: []domain.Grant{{Role: domain.RoleCoordinator, FormationID: here.FormationID}}},
			"ROLE-6 guidance":  {AccountID: 9005, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleGuidance}}},
			"ROLE-7 help desk": {AccountID: 9006, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleHelpDesk}}},
		}
		for name, actor := range refused {
			for _, est := range []int64{0, here.EstablishmentID} {
				if _, err := e.svc.List(ctx, actor, candidature.ListFilter{EstablishmentID: est}); !errors.Is(err, candidature.ErrForbidden) {
					t.Errorf("%s listed establishment %d: %v", name, est, err)
				}
				if _, err := e.svc.Counts(ctx, actor, 0, est); !errors.Is(err, candidature.ErrForbidden) {
					t.Errorf("%s counted establishment %d: %v", name, est, err)
				}
			}
		}
	})
}

// TestShowBasket_reads_without_writing: the basket page, shown or shown
// again after an error, takes no write transaction, and the validation's
// token still makes it validate once (CAN-4).
func TestShowBasket_CAN4_reads_without_writing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "alice", adult())
		baskets := func() int {
			var n int
			if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM baskets WHERE account_id = $1`, me.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		b, err := e.svc.ShowBasket(ctx, actor, me.ID)
		if err != nil || b.Token != "" || len(b.Items) != 0 || b.Rules.Version != "2026-1" {
			t.Fatalf("a never-changed basket = %+v, %v", b, err)
		}
		if n := baskets(); n != 0 {
			t.Fatalf("showing a basket wrote %d basket row(s)", n)
		}
		if err := e.svc.Add(ctx, actor, me.ID, e.open[0].ID); err != nil {
			t.Fatal(err)
		}

		// While another transaction holds SQLite's single writer, the page
		// still shows (PostgreSQL has no single writer: the check is SQLite's).
		if d.R != d.W {
			hold, err := d.W.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := hold.ExecContext(ctx, `UPDATE accounts SET phone = phone WHERE id = $1`, me.ID); err != nil {
				t.Fatal(err)
			}
			shown := make(chan error, 1)
			go func() {
				_, err := e.svc.ShowBasket(ctx, actor, me.ID)
				shown <- err
			}()
			select {
			case err := <-shown:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(3 * time.Second):
				t.Error("ShowBasket waited for the writer")
			}
			hold.Rollback()
		}

		first, err := e.svc.ShowBasket(ctx, actor, me.ID)
		if err != nil || first.Token == "" || len(first.Items) != 1 || first.Items[0].ID != e.open[0].ID {
			t.Fatalf("basket = %+v, %v", first, err)
		}
		again, _ := e.svc.ShowBasket(ctx, actor, me.ID)
		if again.Token != first.Token {
			t.Errorf("showing the basket again changed its token: %q then %q", first.Token, again.Token)
		}
		f := candidature.Form{Token: first.Token, Objective: domain.ObjectivePersonal, AcceptRules: true, RulesVersion: first.Rules.Version}
		for i := 0; i < 2; i++ {
			res, err := e.svc.Validate(ctx, actor, me.ID, f)
			if err != nil || res.AlreadyDone != (i == 1) {
				t.Fatalf("validation %d = %+v, %v", i, res, err)
			}
		}
		cands, _ := e.store.Candidatures(ctx, nil, me.ID)
		if len(cands) != 1 {
			t.Fatalf("%d candidatures, want 1", len(cands))
		}
	})
}
