package candidature_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
)

var paris = func() *time.Location { l, _ := time.LoadLocation("Europe/Paris"); return l }()

// today is inside the demo's open candidature period (it opens 21 days before).
var today = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type env struct {
	svc    *candidature.Service
	store  *store.Store
	ix     *catalogue.Index
	db     *db.DB
	jobs   *jobs.Client
	clock  *time.Time
	accts  *accounts.Service
	open   []*catalogue.Entry // courses of the open session, distinct formations and slots
	closed *catalogue.Entry   // a course whose session is not open
}

func newEnv(t *testing.T, d *db.DB) *env { return newEnvAt(t, d, today) }

// newEnvAt is newEnv with the demo loaded and the clock set on another day.
func newEnvAt(t *testing.T, d *db.DB, today time.Time) *env {
	t.Helper()
	ctx := context.Background()
	st := store.New(d)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: today.In(paris)}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	clock := today
	now := func() time.Time { return clock }
	client, err := jobs.New(d, st, nil, jobs.Config{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	words, _ := i18n.Load()
	cat := catalogue.NewService(st, words, "C", 0, now)
	ix, err := cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *sqlTx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: today.Add(-time.Hour), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	e := &env{store: st, ix: ix, db: d, jobs: client, clock: &clock,
		accts: accounts.New(st, now, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	e.svc = candidature.New(st, cat, outbox.New(st, client, "cours.exemple"), candidature.ConfirmationMailer{Words: words, Paris: paris, SpaceURL: "http://x/mes-candidatures"},
		now, paris)
	// Pick courses of the open session: distinct formations, slots that never overlap.
	var held []domain.Holding
	for _, c := range ix.All() {
		h := domain.Holding{CourseID: c.ID, FormationID: c.FormationID, CourseCode: c.Code, Weekday: c.Weekday, StartMinute: c.StartMinute, EndMinute: c.EndMinute}
		if !c.Session.CandidatureOpen(today) {
			if e.closed == nil {
				e.closed = c
			}
			continue
		}
		fits := len(e.open) < 6
		for _, x := range held {
			if x.FormationID == h.FormationID || domain.SlotsOverlap(x, h) {
				fits = false
			}
		}
		if fits {
			held = append(held, h)
			e.open = append(e.open, c)
		}
	}
	if len(e.open) < 5 || e.closed == nil {
		t.Fatalf("demo has %d usable open courses", len(e.open))
	}
	return e
}

func (e *env) person(t *testing.T, subject string, birth time.Time) (domain.Account, domain.Actor) {
	t.Helper()
	a, err := e.accts.SignIn(context.Background(), accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject,
		Email: subject + "@exemple.fr", EmailVerified: true, FirstName: "Prénom " + subject, LastName: "Nom", BirthDate: birth})
	if err != nil {
		t.Fatal(err)
	}
	return a, accounts.ActorOf(a)
}

func adult() time.Time { return time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC) }

func rulesOf(err error) []string {
	var r candidature.Refusals
	if !errors.As(err, &r) {
		return nil
	}
	var out []string
	for _, x := range r {
		out = append(out, x.Rule)
	}
	return out
}

func (e *env) form(t *testing.T, personID int64) candidature.Form {
	t.Helper()
	b, err := e.svc.ShowBasket(context.Background(), domain.Actor{AccountID: personID, Kind: domain.AccountCandidate}, personID)
	if err != nil {
		t.Fatal(err)
	}
	return candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal, AcceptRules: true, RulesVersion: b.Rules.Version}
}

// countJobs counts the emails queued: the messages of the send_email jobs, a
// job carrying a group of them (outbox.SendEmailArgs).
func countJobs(t *testing.T, d *db.DB) int {
	t.Helper()
	length := "json_array_length(args, '$.message_ids')"
	if d.Dialect == db.Postgres {
		length = "jsonb_array_length(args->'message_ids')"
	}
	var n int
	if err := d.R.QueryRow(`SELECT COALESCE(sum(` + length + `), 0) FROM river_job WHERE kind = 'send_email'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBasketRules_CAN1_CAN2_CAN3_ACC1_PER1(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "alice", adult())
		for _, c := range e.open[:3] {
			if err := e.svc.Add(ctx, actor, me.ID, c.ID); err != nil {
				t.Fatalf("adding %s: %v", c.Code, err)
			}
		}
		if got := rulesOf(e.svc.Add(ctx, actor, me.ID, e.open[3].ID)); !slices.Contains(got, "CAN-1") {
			t.Errorf("CAN-1 fourth formation: %v", got)
		}
		// CAN-2: another course of a formation already held.
		for _, c := range e.ix.All() {
			if c.FormationID == e.open[0].FormationID && c.ID != e.open[0].ID {
				if got := rulesOf(e.svc.Add(ctx, actor, me.ID, c.ID)); !slices.Contains(got, "CAN-2") {
					t.Errorf("CAN-2 same formation: %v", got)
				}
				break
			}
		}
		// CAN-3: a course of another formation on an overlapping slot.
		for _, c := range e.ix.All() {
			if c.FormationID != e.open[0].FormationID && c.Weekday == e.open[0].Weekday && c.StartMinute < e.open[0].EndMinute &&
				e.open[0].StartMinute < c.EndMinute && c.Session.CandidatureOpen(today) {
				if got := rulesOf(e.svc.Add(ctx, actor, me.ID, c.ID)); !slices.Contains(got, "CAN-3") {
					t.Errorf("CAN-3 overlapping slot: %v", got)
				}
				break
			}
		}
		// PER-1: a course of a session whose candidature period is not open.
		other, otherActor := e.person(t, "bob", adult())
		if got := rulesOf(e.svc.Add(ctx, otherActor, other.ID, e.closed.ID)); !slices.Contains(got, "PER-1") {
			t.Errorf("PER-1 closed session: %v", got)
		}
		// ACC-1: 17 on the course's first class.
		minor, minorActor := e.person(t, "chloe", e.open[0].FirstClass.AddDate(-18, 0, 1))
		if got := rulesOf(e.svc.Add(ctx, minorActor, minor.ID, e.open[0].ID)); !slices.Contains(got, "ACC-1") {
			t.Errorf("ACC-1 minor: %v", got)
		}
		// ROLE-1: a candidate cannot fill someone else's basket.
		if err := e.svc.Add(ctx, actor, other.ID, e.open[4].ID); !errors.Is(err, candidature.ErrForbidden) {
			t.Errorf("adding to another person's basket: %v", err)
		}
	})
}

func TestValidate_CAN4_once_with_its_email(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "alice", adult())
		for _, c := range e.open[:2] {
			if err := e.svc.Add(ctx, actor, me.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		f := e.form(t, me.ID)
		// Double click, retry, second tab: the same form eight times at once.
		var wg sync.WaitGroup
		results := make([]candidature.Result, 8)
		errs := make([]error, 8)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.svc.Validate(ctx, actor, me.ID, f)
			}()
		}
		wg.Wait()
		created := 0
		for i := range results {
			if errs[i] != nil {
				t.Fatalf("validation %d: %v", i, errs[i])
			}
			if !results[i].AlreadyDone {
				created++
				if len(results[i].Candidatures) != 2 {
					t.Fatalf("validation created %d candidatures", len(results[i].Candidatures))
				}
			}
		}
		if created != 1 {
			t.Fatalf("%d validations created candidatures, want 1", created)
		}
		cands, _ := e.store.Candidatures(ctx, nil, me.ID)
		msgs, _ := e.store.Messages(ctx, me.ID)
		if len(cands) != 2 || len(msgs) != 1 || countJobs(t, d) != 1 {
			t.Fatalf("after validation: %d candidatures, %d messages, %d email jobs", len(cands), len(msgs), countJobs(t, d))
		}
		if !bytes.Contains([]byte(msgs[0].Text), []byte(e.open[0].Formation.Title)) {
			t.Errorf("CON-2 the kept email does not list the candidature:\n%s", msgs[0].Text)
		}
		if basket, _ := e.store.BasketCourses(ctx, nil, me.ID); len(basket) != 0 {
			t.Errorf("basket not emptied: %v", basket)
		}
		// A tab opened before the validation holds a stale token.
		if err := e.svc.Add(ctx, actor, me.ID, e.open[2].ID); err != nil {
			t.Fatal(err)
		}
		stale := f
		stale.Token = "stale-token"
		if _, err := e.svc.Validate(ctx, actor, me.ID, stale); !errors.Is(err, candidature.ErrBasketChanged) {
			t.Errorf("stale token: %v", err)
		}
	})
}

func TestValidationForm_CAN6_CAN7_CAN9(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "alice", adult())
		if err := e.svc.Add(ctx, actor, me.ID, e.open[0].ID); err != nil {
			t.Fatal(err)
		}
		// fieldsOf lists the form's errors as "field=key": the service says
		// which logical field is wrong and the message key, nothing worded.
		fieldsOf := func(err error) []string {
			var fe domain.FieldErrors
			errors.As(err, &fe)
			var out []string
			for _, f := range fe {
				out = append(out, f.Field+"="+f.Key)
			}
			return out
		}
		f := e.form(t, me.ID)
		noRules := f
		noRules.AcceptRules = false
		if got := fieldsOf(e.svcValidate(ctx, actor, me.ID, noRules)); !slices.Equal(got, []string{"rules=basket.error.rules"}) {
			t.Errorf("CAN-7 without accepting the rules: %v", got)
		}
		oldRules := f
		oldRules.RulesVersion = "2025-1"
		if got := fieldsOf(e.svcValidate(ctx, actor, me.ID, oldRules)); !slices.Equal(got, []string{"rules=basket.error.rules_changed"}) {
			t.Errorf("CAN-7 an older version accepted: %v", got)
		}
		noObjective := f
		noObjective.Objective = ""
		if got := fieldsOf(e.svcValidate(ctx, actor, me.ID, noObjective)); !slices.Equal(got, []string{"objective=basket.error.objective"}) {
			t.Errorf("CAN-6 without objective: %v", got)
		}
		long := f
		long.Motivation = strings.Repeat("é", 2001)
		if got := fieldsOf(e.svcValidate(ctx, actor, me.ID, long)); !slices.Equal(got, []string{"motivation=basket.error.motivation_too_long"}) {
			t.Errorf("CAN-6 a motivation of 2,001 characters: %v", got)
		}
		pdf := minimalPDF()
		for name, c := range map[string]struct {
			proof *candidature.Proof
			want  string
		}{
			"an executable renamed .pdf": {&candidature.Proof{Data: append([]byte("MZ\x90\x00\x03"), make([]byte, 200)...), IssueDate: today.AddDate(0, -1, 0)}, "proof=basket.error.proof_type"},
			"a 6 MB file":                {&candidature.Proof{Data: append(append([]byte{}, pdf...), make([]byte, 6<<20)...), IssueDate: today.AddDate(0, -1, 0)}, "proof=basket.proof.too_big"},
			"a proof of four months ago": {&candidature.Proof{Data: pdf, IssueDate: today.AddDate(0, -4, 0)}, "proof_date=basket.error.proof_too_old"},
			"a proof without its date":   {&candidature.Proof{Data: pdf}, "proof_date=basket.error.proof_date_missing"},
			"no proof":                   {&candidature.Proof{IssueDate: today.AddDate(0, -1, 0)}, "proof=basket.error.proof_missing"},
		} {
			claim := f
			claim.HalfTariff, claim.Proof = true, c.proof
			if got := fieldsOf(e.svcValidate(ctx, actor, me.ID, claim)); !slices.Equal(got, []string{c.want}) {
				t.Errorf("CAN-9 %s: %v, want %s", name, got, c.want)
			}
		}
		good := f
		good.HalfTariff, good.Proof = true, &candidature.Proof{Data: pdf, IssueDate: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
		good.Social = domain.SocialSituation{RSA: true}
		good.Motivation = "Parler avec ma famille."
		res, err := e.svc.Validate(ctx, actor, me.ID, good)
		if err != nil || len(res.Candidatures) != 1 || !res.Candidatures[0].HalfTariffClaim || res.Candidatures[0].ProofID == 0 ||
			res.Candidatures[0].RulesVersion != "2026-1" || !res.Candidatures[0].Social.RSA {
			t.Fatalf("CAN-6/7/9 validation: %+v, %v", res, err)
		}
	})
}

// svcValidate runs Validate and returns its error only.
func (e *env) svcValidate(ctx context.Context, actor domain.Actor, personID int64, f candidature.Form) error {
	_, err := e.svc.Validate(ctx, actor, personID, f)
	return err
}

func TestCancel_CAN5_until_the_deadline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "alice", adult())
		for _, c := range e.open[:3] {
			if err := e.svc.Add(ctx, actor, me.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		res, err := e.svc.Validate(ctx, actor, me.ID, e.form(t, me.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got := rulesOf(e.svc.Add(ctx, actor, me.ID, e.open[3].ID)); !slices.Contains(got, "CAN-1") {
			t.Fatalf("CAN-1 after validation: %v", got)
		}
		// Cancelling frees the room for another choice while the period is open.
		if err := e.svc.Cancel(ctx, actor, me.ID, res.Candidatures[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Cancel(ctx, actor, me.ID, res.Candidatures[0].ID); err != nil {
			t.Fatalf("a second cancel: %v", err)
		}
		if err := e.svc.Add(ctx, actor, me.ID, e.open[3].ID); err != nil {
			t.Fatalf("CAN-5 cancelling did not free CAN-1: %v", err)
		}
		other, otherActor := e.person(t, "bob", adult())
		// No ID oracle: someone else's candidature is as missing as one that never was.
		if err := e.svc.Cancel(ctx, otherActor, other.ID, res.Candidatures[1].ID); !errors.Is(err, candidature.ErrNotFound) {
			t.Fatalf("cancelling another person's candidature: %v, want ErrNotFound", err)
		}
		if err := e.svc.Cancel(ctx, otherActor, other.ID, 1<<40); !errors.Is(err, candidature.ErrNotFound) {
			t.Fatalf("cancelling a missing candidature: %v, want ErrNotFound", err)
		}
		// The day after the closing day: refused; the last second of it: allowed.
		closes := e.open[1].Session.CandidatureCloses
		*e.clock = closes.End()
		if err := e.svc.Cancel(ctx, actor, me.ID, res.Candidatures[1].ID); !errors.Is(err, candidature.ErrDeadline) {
			t.Fatalf("CAN-5 cancel the day after the closing day: %v", err)
		}
		*e.clock = closes.End().Add(-time.Second)
		if err := e.svc.Cancel(ctx, actor, me.ID, res.Candidatures[1].ID); err != nil {
			t.Fatalf("CAN-5 cancel in the last second of the closing day: %v", err)
		}
	})
}

// TestCancel_CAN5_until_the_end_of_the_closing_day: "until the closing date"
// is the whole closing day, Europe/Paris. A cancellation at 23:59:30 on the
// closing day is accepted, one at 00:00:00 the next day refused; the same for
// a validation (PER-1). Also when the closing day is the 25-hour day summer
// time ends, or the 23-hour day it starts.
func TestCancel_CAN5_until_the_end_of_the_closing_day(t *testing.T) {
	for _, closing := range []struct {
		name    string
		last    time.Time // the closing day wanted, a civil date
		demoDay time.Time // the demo's today: its second semester closes 21 days later
		email   string    // what the confirmation email says
	}{
		{"winter", time.Date(2026, time.December, 18, 0, 0, 0, 0, time.UTC), today, "jusqu'au 18 décembre 2026 inclus"},
		{"summer_time_ends", time.Date(2026, time.October, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, time.October, 4, 10, 0, 0, 0, time.UTC),
			"jusqu'au 25 octobre 2026 inclus"},
		{"summer_time_starts", time.Date(2027, time.March, 28, 0, 0, 0, 0, time.UTC), time.Date(2027, time.March, 7, 10, 0, 0, 0, time.UTC),
			"jusqu'au 28 mars 2027 inclus"},
	} {
		t.Run(closing.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := newEnvAt(t, d, closing.demoDay)
				ctx := context.Background()
				session := e.open[0].Session
				if got := session.CandidatureCloses.Day(); !got.Equal(closing.last) {
					t.Fatalf("the open session closes on %s, want %s", got.Format(time.DateOnly), closing.last.Format(time.DateOnly))
				}
				y, m, day := closing.last.Date()
				lastSeconds := time.Date(y, m, day, 23, 59, 30, 0, paris)
				nextDay := time.Date(y, m, day+1, 0, 0, 0, 0, paris)

				me, actor := e.person(t, "alice", adult())
				for _, c := range e.open[:2] {
					if err := e.svc.Add(ctx, actor, me.ID, c.ID); err != nil {
						t.Fatal(err)
					}
				}
				*e.clock = lastSeconds
				res, err := e.svc.Validate(ctx, actor, me.ID, e.form(t, me.ID))
				if err != nil || len(res.Candidatures) != 2 {
					t.Fatalf("PER-1 validation at 23:59:30 on the closing day: %v", err)
				}
				msgs, err := e.store.Messages(ctx, me.ID)
				if err != nil || len(msgs) != 1 {
					t.Fatalf("confirmation emails: %d, %v", len(msgs), err)
				}
				if !strings.Contains(msgs[0].Text, "Vous pouvez l'annuler "+closing.email) {
					t.Fatalf("CAN-5 the confirmation email does not say %q:\n%s", closing.email, msgs[0].Text)
				}
				if err := e.svc.Cancel(ctx, actor, me.ID, res.Candidatures[0].ID); err != nil {
					t.Fatalf("CAN-5 cancel at 23:59:30 on the closing day: %v", err)
				}
				*e.clock = nextDay
				if err := e.svc.Cancel(ctx, actor, me.ID, res.Candidatures[1].ID); !errors.Is(err, candidature.ErrDeadline) {
					t.Fatalf("CAN-5 cancel at 00:00:00 the day after: %v, want ErrDeadline", err)
				}
				if got := rulesOf(e.svc.Add(ctx, actor, me.ID, e.open[2].ID)); !slices.Contains(got, "PER-1") {
					t.Fatalf("PER-1 adding at 00:00:00 the day after: %v", got)
				}
			})
		})
	}
}

func TestAssistedRegistration_CAN8(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		guide, _, err := e.accts.AddStaff(ctx, accounts.NewStaff{Email: "orientation@ville.exemple", FirstName: "Marc", LastName: "Girard",
			Grants: []domain.Grant{{Role: domain.RoleGuidance}}})
		if err != nil {
			t.Fatal(err)
		}
		person, err := e.accts.CreateCandidate(ctx, accounts.ActorOf(guide), accounts.NewCandidate{FirstName: "Amina", LastName: "Diallo",
			Email: "amina@exemple.fr", BirthDate: adult()})
		if err != nil {
			t.Fatal(err)
		}
		g := accounts.ActorOf(guide)
		if err := e.svc.Add(ctx, g, person.ID, e.open[0].ID); err != nil {
			t.Fatal(err)
		}
		b, _ := e.svc.ShowBasket(ctx, g, person.ID)
		res, err := e.svc.Validate(ctx, g, person.ID, candidature.Form{Token: b.Token, Objective: domain.ObjectiveIntegration,
			AcceptRules: true, RulesVersion: b.Rules.Version})
		if err != nil || len(res.Candidatures) != 1 || res.Candidatures[0].AssistedBy != guide.ID {
			t.Fatalf("CAN-8 assisted validation: %+v, %v", res, err)
		}
		msgs, _ := e.store.Messages(ctx, person.ID)
		if len(msgs) != 1 || !bytes.Contains([]byte(msgs[0].Text), []byte("Marc")) {
			t.Fatalf("CAN-8 the person's email does not say who filed it: %+v", msgs)
		}
		// A help-desk agent may not file candidatures.
		hd, _, _ := e.accts.AddStaff(ctx, accounts.NewStaff{Email: "accueil@ville.exemple", Grants: []domain.Grant{{Role: domain.RoleHelpDesk}}})
		if err := e.svc.Add(ctx, accounts.ActorOf(hd), person.ID, e.open[1].ID); !errors.Is(err, candidature.ErrForbidden) {
			t.Fatalf("help desk filled a basket: %v", err)
		}
	})
}

// TestOrderOfArrival_PER2: two identical candidatures submitted at different
// times, in opposite orders, give the same selection input.
func TestOrderOfArrival_PER2(t *testing.T) {
	run := func(t *testing.T, aliceFirst bool) []domain.SelectionRecord {
		e := newEnv(t, dbtest.SQLite(t))
		ctx := context.Background()
		alice, aActor := e.person(t, "alice", adult())
		bob, bActor := e.person(t, "bob", adult())
		order := []struct {
			id    int64
			actor domain.Actor
		}{{alice.ID, aActor}, {bob.ID, bActor}}
		if !aliceFirst {
			order[0], order[1] = order[1], order[0]
		}
		for i, p := range order {
			*e.clock = today.Add(time.Duration(i) * 5 * time.Hour)
			if err := e.svc.Add(ctx, p.actor, p.id, e.open[0].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Validate(ctx, p.actor, p.id, e.form(t, p.id)); err != nil {
				t.Fatal(err)
			}
		}
		in, err := e.store.SelectionInput(ctx, e.open[0].SessionID)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	a, b := run(t, true), run(t, false)
	if len(a) != 2 || !slices.Equal(a, b) {
		t.Fatalf("selection input depends on the order of arrival:\n%+v\n%+v", a, b)
	}
}

// TestConfirmationEmail_CAN4_CON2 runs the job queue with real SMTP to the
// development sink: the email leaves from the one sender and is marked sent.
func TestConfirmationEmail_CAN4_CON2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		sink, err := mail.StartSink("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		host, port := splitHostPort(t, sink.Addr())
		sender, err := mail.NewSender(mail.SMTPConfig{Host: host, Port: port, TLS: "none",
			From: "Cours d'adultes <ne-pas-repondre@cours.exemple>", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		worker, err := jobs.New(d, e.store, sender, jobs.Config{Workers: 2, Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		if err := worker.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer worker.Stop(context.Background())
		me, actor := e.person(t, "alice", adult())
		if err := e.svc.Add(ctx, actor, me.ID, e.open[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Validate(ctx, actor, me.ID, e.form(t, me.ID)); err != nil {
			t.Fatal(err)
		}
		got, err := sink.Wait(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got[0].From, "<ne-pas-repondre@cours.exemple>") || len(got[0].To) != 1 || got[0].To[0] != "alice@exemple.fr" {
			t.Fatalf("CON-2 email from %q to %v", got[0].From, got[0].To)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			msgs, _ := e.store.Messages(ctx, me.ID)
			if len(msgs) == 1 && !msgs[0].SentAt.IsZero() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("message never marked sent")
			}
		}
	})
}

// changingMailer changes the person's first name the first time it words an email,
// as an edit in another tab would between two steps of a validation.
type changingMailer struct {
	candidature.Mailer
	d     *db.DB
	calls int
}

func (m *changingMailer) Confirmation(ctx context.Context, person domain.Account, lines []*catalogue.Entry, c candidature.Confirmation) (string, string, string, error) {
	m.calls++
	if m.calls == 1 {
		if _, err := m.d.W.ExecContext(ctx, `UPDATE accounts SET first_name = 'Renommée' WHERE id = $1`, person.ID); err != nil {
			return "", "", "", err
		}
	}
	return m.Mailer.Confirmation(ctx, person, lines, c)
}

// On SQLite the confirmation is worded before the transaction; whatever changes in
// between, the email kept and sent is the one of what the transaction validated
// (CAN-4, CON-2). (On PostgreSQL it is worded inside the transaction, where the
// person's row is locked: the change below would wait for it.)
func TestConfirmationEmail_CAN4_CON2_worded_from_what_is_validated(t *testing.T) {
	d := dbtest.SQLite(t)
	e := newEnv(t, d)
	ctx := context.Background()
	words, _ := i18n.Load()
	m := &changingMailer{Mailer: candidature.ConfirmationMailer{Words: words, Paris: paris, SpaceURL: "http://x/mes-candidatures"}, d: d}
	svc := candidature.New(e.store, catalogue.NewService(e.store, words, "C", 0, func() time.Time { return *e.clock }), outbox.New(e.store, e.jobs, "cours.exemple"), m,
		func() time.Time { return *e.clock }, paris)
	me, actor := e.person(t, "basile", adult())
	for _, c := range e.open[:2] {
		if err := svc.Add(ctx, actor, me.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Validate(ctx, actor, me.ID, e.form(t, me.ID)); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.store.Messages(ctx, me.ID)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages = %d, %v; want 1", len(msgs), err)
	}
	if !strings.Contains(msgs[0].Text, "Renommée") || strings.Contains(msgs[0].Text, "Prénom basile") {
		t.Fatalf("the email was worded for the person as read before the change:\n%s", msgs[0].Text)
	}
	for _, c := range e.open[:2] {
		if !strings.Contains(msgs[0].Text, c.Formation.Title) {
			t.Errorf("the email does not list %q:\n%s", c.Formation.Title, msgs[0].Text)
		}
	}
	if m.calls != 2 {
		t.Errorf("the email was worded %d times, want 2 (before the transaction, then again inside)", m.calls)
	}
}

// TestValidate_CAN4_a_refusal_by_the_database_stays_its_own: validations made at
// the same moment share a transaction (see runValidations). When the database
// refuses one of them (here a trigger refuses the victim's candidature), the
// others are still validated with their emails, and nothing of the victim's is
// written: its basket is intact.
func TestValidate_CAN4_a_refusal_by_the_database_stays_its_own(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		type person struct {
			id    int64
			actor domain.Actor
			form  candidature.Form
		}
		var people []person
		for i := range 31 {
			a, actor := e.person(t, "p"+strconv.Itoa(i), adult())
			if err := e.svc.Add(ctx, actor, a.ID, e.open[i%len(e.open)].ID); err != nil {
				t.Fatal(err)
			}
			people = append(people, person{a.ID, actor, e.form(t, a.ID)})
		}
		victim := people[17].id
		refuse := []string{`CREATE TRIGGER refuse_victim BEFORE INSERT ON candidatures WHEN NEW.account_id = ` + strconv.FormatInt(victim, 10) + `
			BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`}
		if d.Dialect == db.Postgres {
			refuse = []string{`CREATE FUNCTION refuse_victim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
				IF NEW.account_id = ` + strconv.FormatInt(victim, 10) + ` THEN RAISE EXCEPTION 'refused for the test'; END IF;
				RETURN NEW; END $$`,
				`CREATE TRIGGER refuse_victim BEFORE INSERT ON candidatures FOR EACH ROW EXECUTE FUNCTION refuse_victim()`}
		}
		for _, q := range refuse {
			if _, err := d.W.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}

		errs := make([]error, len(people))
		results := make([]candidature.Result, len(people))
		var wg sync.WaitGroup
		for i, p := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.svc.Validate(ctx, p.actor, p.id, p.form)
			}()
		}
		wg.Wait()
		for i, p := range people {
			if p.id == victim {
				if errs[i] == nil || !strings.Contains(errs[i].Error(), "refused for the test") {
					t.Errorf("victim's validation: %v, want the database's refusal", errs[i])
				}
				continue
			}
			if errs[i] != nil || len(results[i].Candidatures) != 1 || results[i].Candidatures[0].ID == 0 {
				t.Errorf("person %d: %v, %+v; want one candidature", p.id, errs[i], results[i])
			}
		}
		if n := countJobs(t, d); n != len(people)-1 {
			t.Errorf("%d emails queued, want %d", n, len(people)-1)
		}
		var validations, candidatures, messages int
		if err := d.R.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM validations WHERE account_id = $1),
			(SELECT count(*) FROM candidatures WHERE account_id = $1), (SELECT count(*) FROM messages WHERE account_id = $1)`,
			victim).Scan(&validations, &candidatures, &messages); err != nil {
			t.Fatal(err)
		}
		if validations+candidatures+messages != 0 {
			t.Errorf("victim has %d validations, %d candidatures, %d messages: half written", validations, candidatures, messages)
		}
		if basket, _ := e.store.BasketCourses(ctx, nil, victim); len(basket) != 1 {
			t.Errorf("victim's basket holds %d courses, want its 1 intact", len(basket))
		}
	})
}

// TestValidate_CAN4_a_request_gone_writes_nothing: a validation whose request is
// cancelled before its batch runs (the browser closed, the server shutting down)
// is answered with the cancellation and writes nothing; the same form sent again
// validates.
func TestValidate_CAN4_a_request_gone_writes_nothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		me, actor := e.person(t, "gone", adult())
		if err := e.svc.Add(context.Background(), actor, me.ID, e.open[0].ID); err != nil {
			t.Fatal(err)
		}
		f := e.form(t, me.ID)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := e.svc.Validate(ctx, actor, me.ID, f); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled validation: %v, want context.Canceled", err)
		}
		if cands, _ := e.store.Candidatures(context.Background(), nil, me.ID); len(cands) != 0 || countJobs(t, d) != 0 {
			t.Fatalf("cancelled validation wrote %d candidatures, %d email jobs", len(cands), countJobs(t, d))
		}
		res, err := e.svc.Validate(context.Background(), actor, me.ID, f)
		if err != nil || len(res.Candidatures) != 1 {
			t.Fatalf("validation sent again: %v, %+v", err, res)
		}
	})
}

// TestBasket_ACC1_eighteen_on_the_first_class_day: the age is taken on the
// course's first class, not on the session's first day. The second semester
// starts on Monday 1 February 2027; its Wednesday courses start on 3 February.
// Someone turning 18 on 3 February is accepted, at the basket and at the
// validation; someone turning 18 on 4 February is refused.
func TestBasket_ACC1_eighteen_on_the_first_class_day(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		var wednesday *catalogue.Entry
		for _, c := range e.ix.All() {
			if c.Session.Code == demo.SessionSemester2Code && c.Weekday == time.Wednesday && c.Session.CandidatureOpen(today) {
				wednesday = c
				break
			}
		}
		if wednesday == nil {
			t.Fatal("the demo has no open Wednesday course in the second semester")
		}
		if first := time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC); !wednesday.Session.FirstDay.Equal(first) {
			t.Fatalf("second semester starts %s, want 2027-02-01", wednesday.Session.FirstDay)
		}
		if want := time.Date(2027, time.February, 3, 0, 0, 0, 0, time.UTC); !wednesday.FirstClass.Equal(want) {
			t.Fatalf("%s first class %s, want 2027-02-03", wednesday.Code, wednesday.FirstClass)
		}

		turns18, actor := e.person(t, "dana", time.Date(2009, time.February, 3, 0, 0, 0, 0, time.UTC))
		if err := e.svc.Add(ctx, actor, turns18.ID, wednesday.ID); err != nil {
			t.Fatalf("ACC-1 18 on the first class day refused at the basket: %v", err)
		}
		if _, err := e.svc.Validate(ctx, actor, turns18.ID, e.form(t, turns18.ID)); err != nil {
			t.Fatalf("ACC-1 18 on the first class day refused at the validation: %v", err)
		}

		dayAfter, actor := e.person(t, "eliott", time.Date(2009, time.February, 4, 0, 0, 0, 0, time.UTC))
		if got := rulesOf(e.svc.Add(ctx, actor, dayAfter.ID, wednesday.ID)); !slices.Equal(got, []string{"ACC-1"}) {
			t.Fatalf("ACC-1 18 the day after the first class: refusals %v, want [ACC-1]", got)
		}
	})
}

// TestValidate_ACC3_held_duplicate_prepares_but_does_not_validate: the same
// person signing in through a second sign-on subject gets an account held as a
// probable duplicate. It may fill its basket, even with what the first account
// holds, but its validation is refused with ErrHeld and writes nothing, so
// that one person never holds four formations, or one twice, across two
// accounts (CAN-1, CAN-2). Once staff dismiss the suspicion, it validates.
func TestValidate_ACC3_held_duplicate_prepares_but_does_not_validate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		id := accounts.Identity{Issuer: "https://monparis.exemple", Subject: "gaelle-1", Email: "gaelle@exemple.fr", EmailVerified: true,
			FirstName: "Gaëlle", LastName: "Durand", BirthDate: adult()}
		first, err := e.accts.SignIn(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		firstActor := accounts.ActorOf(first)
		for _, c := range e.open[:3] {
			if err := e.svc.Add(ctx, firstActor, first.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Validate(ctx, firstActor, first.ID, e.form(t, first.ID)); err != nil {
			t.Fatal(err)
		}
		id.Subject, id.Email = "gaelle-2", "gaelle.durand@exemple.fr"
		held, err := e.accts.SignIn(ctx, id)
		if err != nil || held.Status != domain.StatusHeld {
			t.Fatalf("second account: %+v, %v", held, err)
		}
		heldActor := accounts.ActorOf(held)
		for _, c := range []*catalogue.Entry{e.open[3], e.open[0]} { // a fourth formation, and one the first account holds
			if err := e.svc.Add(ctx, heldActor, held.ID, c.ID); err != nil {
				t.Fatalf("ACC-3 a held account may prepare its basket: %v", err)
			}
		}
		b, err := e.svc.ShowBasket(ctx, heldActor, held.ID)
		if err != nil || !b.Held || len(b.Items) != 2 {
			t.Fatalf("held basket: held %v, %d items, %v", b.Held, len(b.Items), err)
		}
		jobsBefore := countJobs(t, d)
		if _, err := e.svc.Validate(ctx, heldActor, held.ID, e.form(t, held.ID)); !errors.Is(err, candidature.ErrHeld) {
			t.Fatalf("ACC-3 a held account validated: %v, want ErrHeld", err)
		}
		if cands, _ := e.store.Candidatures(ctx, nil, held.ID); len(cands) != 0 || countJobs(t, d) != jobsBefore {
			t.Fatalf("ACC-3 a refused validation wrote %d candidatures and %d emails", len(cands), countJobs(t, d)-jobsBefore)
		}

		// Staff dismiss the suspicion: the account is active and validates.
		central, _, err := e.accts.AddStaff(ctx, accounts.NewStaff{Email: "central@ville.exemple", FirstName: "Agent", LastName: "Central",
			Grants: []domain.Grant{{Role: domain.RoleCentral}}})
		if err != nil {
			t.Fatal(err)
		}
		reviews, err := e.store.PendingDuplicates(ctx)
		if err != nil || len(reviews) != 1 || reviews[0].Held.ID != held.ID {
			t.Fatalf("pending duplicates: %+v, %v", reviews, err)
		}
		if err := e.accts.DecideDuplicate(ctx, accounts.ActorOf(central), reviews[0].ID, false, "homonymes, pièces d'identité vues"); err != nil {
			t.Fatal(err)
		}
		if b, _ := e.svc.ShowBasket(ctx, heldActor, held.ID); b.Held {
			t.Fatal("the basket still says held after the dismissal")
		}
		if res, err := e.svc.Validate(ctx, heldActor, held.ID, e.form(t, held.ID)); err != nil || len(res.Candidatures) != 2 {
			t.Fatalf("after the dismissal: %d candidatures, %v", len(res.Candidatures), err)
		}
	})
}
