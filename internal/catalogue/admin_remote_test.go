package catalogue_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"strings"
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
	"cma/internal/outbox"
	"cma/internal/store"
)

// adminToday is inside the demo's open candidature period.
var adminToday = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type adminEnv struct {
	st      *store.Store
	d       *db.DB
	cat     *catalogue.Service
	admin   *catalogue.Admin
	cands   *candidature.Service
	accts   *accounts.Service
	ix      *catalogue.Index
	central domain.Actor
	n       int
}

func newAdminEnv(t *testing.T, d *db.DB) *adminEnv {
	t.Helper()
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	st := store.New(d)
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: adminToday.In(paris)}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return adminToday }
	client, err := jobs.New(d, st, nil, jobs.Config{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: adminToday.Add(-time.Hour), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	cat := catalogue.NewService(st, words, "C", 0, now)
	box := outbox.New(st, client, "cours.exemple")
	e := &adminEnv{st: st, d: d, cat: cat,
		admin: catalogue.NewAdmin(catalogue.AdminDeps{Store: st, Catalogue: cat, Outbox: box, Words: words, Now: now,
			Paris: paris, PublicURL: "https://cours.exemple/"}),
		cands: candidature.New(st, cat, box, candidature.ConfirmationMailer{Words: words, Paris: paris,
			SpaceURL: "https://cours.exemple/mes-candidatures"}, now, paris),
		accts: accounts.New(st, now, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	if e.ix, err = cat.Index(ctx); err != nil {
		t.Fatal(err)
	}
	staff, _ := e.person(t)
	e.central = domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	return e
}

// person signs a new adult candidate in.
func (e *adminEnv) person(t *testing.T) (domain.Account, domain.Actor) {
	t.Helper()
	e.n++
	subject := "p" + string(rune('a'+e.n))
	a, err := e.accts.SignIn(context.Background(), accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject,
		Email: subject + "@exemple.fr", EmailVerified: true, FirstName: "Prénom" + subject, LastName: "Nom",
		BirthDate: time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a, accounts.ActorOf(a)
}

// apply gives a new person validated candidatures on the courses.
func (e *adminEnv) apply(t *testing.T, courses ...*catalogue.Entry) domain.Account {
	t.Helper()
	ctx := context.Background()
	a, actor := e.person(t)
	for _, c := range courses {
		if err := e.cands.Add(ctx, actor, a.ID, c.ID); err != nil {
			t.Fatalf("adding %s: %v", c.Code, err)
		}
	}
	b, err := e.cands.ShowBasket(ctx, actor, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cands.Validate(ctx, actor, a.ID, candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal,
		AcceptRules: true, RulesVersion: b.Rules.Version}); err != nil {
		t.Fatal(err)
	}
	return a
}

// cancelAll cancels the person's candidatures.
func (e *adminEnv) cancelAll(t *testing.T, a domain.Account) {
	t.Helper()
	ctx := context.Background()
	actor := accounts.ActorOf(a)
	space, err := e.cands.Space(ctx, actor, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range space.Candidatures {
		if err := e.cands.Cancel(ctx, actor, a.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// remoteMessages are the person's remote-delivery messages in her space.
func (e *adminEnv) remoteMessages(t *testing.T, id int64) []domain.Message {
	t.Helper()
	msgs, err := e.st.Messages(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.Message
	for _, m := range msgs {
		if m.Kind == "remote" {
			out = append(out, m)
		}
	}
	return out
}

// queued counts the emails queued for sending.
func (e *adminEnv) queued(t *testing.T) int {
	t.Helper()
	length := "json_array_length(args, '$.message_ids')"
	if e.d.Dialect == db.Postgres {
		length = "jsonb_array_length(args->'message_ids')"
	}
	var n int
	if err := e.d.R.QueryRow(`SELECT COALESCE(sum(` + length + `), 0) FROM river_job WHERE kind = 'send_email'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *adminEnv) entry(t *testing.T, id int64) *catalogue.Entry {
	t.Helper()
	ix, err := e.cat.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, ok := ix.Course(id)
	if !ok {
		t.Fatalf("course %d not found", id)
	}
	return c
}

// openCourses are courses of the open session matching keep, of distinct
// formations and slots that never overlap, so that one person may hold them.
func (e *adminEnv) openCourses(t *testing.T, n int, keep func(*catalogue.Entry) bool) []*catalogue.Entry {
	t.Helper()
	var out []*catalogue.Entry
	for _, c := range e.ix.All() {
		if !c.Session.CandidatureOpen(adminToday) || c.Remote || !keep(c) {
			continue
		}
		fits := true
		for _, x := range out {
			if x.FormationID == c.FormationID || x.Weekday == c.Weekday && x.StartMinute < c.EndMinute && c.StartMinute < x.EndMinute {
				fits = false
			}
		}
		if fits {
			out = append(out, c)
		}
		if len(out) == n {
			return out
		}
	}
	t.Fatalf("the demo has only %d open courses to hold together", len(out))
	return nil
}

func anyCourse(*catalogue.Entry) bool { return true }

func TestRemote_CAT6_one_course(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newAdminEnv(t, d)
		ctx := context.Background()
		c := e.openCourses(t, 1, anyCourse)[0]
		alice, bob, carl := e.apply(t, c), e.apply(t, c), e.apply(t, c)
		e.cancelAll(t, carl) // CAN-5: cancelled, so not told
		before := e.queued(t)
		res, err := e.admin.SwitchRemote(ctx, e.central, catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: c.ID}, true, "  Travaux dans le bâtiment ")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Changed) != 1 || res.Changed[0] != c.Code || res.Told != 2 {
			t.Fatalf("result %+v, want %s changed and 2 told", res, c.Code)
		}
		if got := e.queued(t) - before; got != 2 {
			t.Errorf("%d emails queued, want 2", got)
		}
		for _, p := range []domain.Account{alice, bob} {
			msgs := e.remoteMessages(t, p.ID)
			if len(msgs) != 1 || !strings.Contains(msgs[0].Text, c.Formation.Title) || !strings.Contains(msgs[0].Text, "Motif : Travaux dans le bâtiment") ||
				!strings.Contains(msgs[0].Subject, "à distance") || !strings.Contains(msgs[0].HTML, c.Code) {
				t.Errorf("messages of %d: %+v", p.ID, msgs)
			}
		}
		if msgs := e.remoteMessages(t, carl.ID); len(msgs) != 0 {
			t.Errorf("a cancelled candidature was told: %+v", msgs)
		}
		got := e.entry(t, c.ID)
		if !got.RemoteNow || got.RemoteWhy != "Travaux dans le bâtiment" {
			t.Errorf("after the switch: remote %v, why %q", got.RemoteNow, got.RemoteWhy)
		}
		events, err := e.admin.Audit(ctx, domain.AuditObjectCourse, c.ID, 10)
		events = notImported(events) // the demo city is loaded through the import, which audits each row
		if err != nil || len(events) != 1 || events[0].Action != domain.AuditRemoteSwitched ||
			!strings.Contains(events[0].Details, "distanciel : non → oui") || events[0].Reason != "Travaux dans le bâtiment" {
			t.Fatalf("audit %+v, %v", events, err)
		}

		// Idempotent: the same switch again changes nothing and tells nobody.
		before = e.queued(t)
		res, err = e.admin.SwitchRemote(ctx, e.central, catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: c.ID}, true, "encore")
		if err != nil || len(res.Changed) != 0 || res.Told != 0 || e.queued(t) != before || len(e.remoteMessages(t, alice.ID)) != 1 {
			t.Fatalf("second switch: %+v, %v", res, err)
		}
		if events, _ := e.admin.Audit(ctx, domain.AuditObjectCourse, c.ID, 10); len(notImported(events)) != 1 {
			t.Errorf("second switch audited: %+v", events)
		}

		// Back in person: told again, the reason kept.
		res, err = e.admin.SwitchRemote(ctx, e.central, catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: c.ID}, false, "Travaux finis")
		if err != nil || len(res.Changed) != 1 || res.Told != 2 {
			t.Fatalf("back: %+v, %v", res, err)
		}
		if msgs := e.remoteMessages(t, alice.ID); len(msgs) != 2 || !strings.Contains(msgs[0].Subject, "présentiel") {
			t.Errorf("back in person: %+v", msgs)
		}
		if got := e.entry(t, c.ID); got.RemoteNow {
			t.Error("still remote")
		}

		// Bad input: a reason is required; an unknown course is not found.
		_, err = e.admin.SwitchRemote(ctx, e.central, catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: c.ID}, true, " ")
		var fe domain.FieldErrors
		if !errors.As(err, &fe) || fe[0].Field != "motif" {
			t.Errorf("no reason: %v", err)
		}
		if _, err := e.admin.SwitchRemote(ctx, e.central, catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: 999999}, true, "x"); !errors.Is(err, catalogue.ErrNotFound) {
			t.Errorf("unknown course: %v", err)
		}
	})
}

// checkGroup switches a group to remote and checks the courses changed and
// that a person holding two of them gets one message naming both.
func checkGroup(t *testing.T, e *adminEnv, scope catalogue.RemoteScope, in func(*catalogue.Entry) bool) {
	t.Helper()
	ctx := context.Background()
	two := e.openCourses(t, 2, in)
	both := e.apply(t, two...)
	_, err := e.admin.SwitchRemote(ctx, e.central, scope, true, "Protocole")
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.remoteMessages(t, both.ID)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, two[0].Code) || !strings.Contains(msgs[0].Text, two[1].Code) ||
		!strings.Contains(msgs[0].Subject, "Vos cours") {
		t.Fatalf("one message naming both courses, got %+v", msgs)
	}
	ix, _ := e.cat.Index(ctx)
	for _, c := range ix.All() {
		if in(c) && !c.RemoteNow {
			t.Errorf("course %s of the scope is not remote", c.Code)
		}
		if !in(c) && c.RemoteNow && !c.Remote {
			t.Errorf("course %s outside the scope is remote", c.Code)
		}
	}
	// Idempotent.
	res, err := e.admin.SwitchRemote(ctx, e.central, scope, true, "Protocole")
	if err != nil || len(res.Changed) != 0 || res.Told != 0 || len(e.remoteMessages(t, both.ID)) != 1 {
		t.Fatalf("second switch: %+v, %v", res, err)
	}
	// The switch of the group is audited once, besides each course.
	events, _, err := e.st.SearchAudit(ctx, store.AuditQuery{Action: domain.AuditRemoteGroup})
	if err != nil || len(events) != 1 || !strings.Contains(events[0].Details, "distanciel : oui") {
		t.Fatalf("group audit %+v, %v", events, err)
	}
	// Back: told again.
	if res, err := e.admin.SwitchRemote(ctx, e.central, scope, false, "Fin du protocole"); err != nil || res.Told < 1 {
		t.Fatalf("back: %+v, %v", res, err)
	}
	if got := e.entry(t, two[0].ID); got.RemoteNow {
		t.Error("still remote after the way back")
	}
}

func TestRemote_CAT6_formation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newAdminEnv(t, d)
		ctx := context.Background()
		// A formation's courses: two people on two of its courses.
		var f int64
		counts := map[int64]int{}
		for _, c := range e.ix.All() {
			if c.Session.CandidatureOpen(adminToday) && !c.Remote {
				if counts[c.FormationID]++; counts[c.FormationID] == 2 {
					f = c.FormationID
					break
				}
			}
		}
		var mine []*catalogue.Entry
		for _, c := range e.ix.All() {
			if c.FormationID == f && c.Session.CandidatureOpen(adminToday) && !c.Remote && len(mine) < 2 {
				mine = append(mine, c)
			}
		}
		a, b := e.apply(t, mine[0]), e.apply(t, mine[1])
		res, err := e.admin.SwitchRemote(ctx, e.central, catalogue.RemoteScope{Kind: store.RemoteScopeFormation, ID: f}, true, "Formateur à distance")
		if err != nil || res.Told != 2 {
			t.Fatalf("%+v, %v", res, err)
		}
		for _, p := range []domain.Account{a, b} {
			if len(e.remoteMessages(t, p.ID)) != 1 {
				t.Errorf("person %d not told once", p.ID)
			}
		}
		ix, _ := e.cat.Index(ctx)
		for _, c := range ix.All() {
			if (c.FormationID == f || c.Remote) != c.RemoteNow {
				t.Errorf("course %s (formation %d) remote %v", c.Code, c.FormationID, c.RemoteNow)
			}
		}
		events, _, _ := e.st.SearchAudit(ctx, store.AuditQuery{ObjectKind: domain.AuditObjectFormation, ObjectID: f})
		events = notImported(events)
		if len(events) != 1 || events[0].Action != domain.AuditRemoteGroup {
			t.Errorf("formation audit %+v", events)
		}
	})
}

func TestRemote_CAT6_establishment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newAdminEnv(t, d)
		est := e.openCourses(t, 1, anyCourse)[0].EstablishmentID
		checkGroup(t, e, catalogue.RemoteScope{Kind: store.RemoteScopeEstablishment, ID: est},
			func(c *catalogue.Entry) bool { return c.EstablishmentID == est })
	})
}

func TestRemote_CAT6_session(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newAdminEnv(t, d)
		se := e.openCourses(t, 1, anyCourse)[0].SessionID
		checkGroup(t, e, catalogue.RemoteScope{Kind: store.RemoteScopeSession, ID: se},
			func(c *catalogue.Entry) bool { return c.SessionID == se })
	})
}

func TestRemote_CAT6_all(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newAdminEnv(t, d)
		checkGroup(t, e, catalogue.RemoteScope{Kind: store.RemoteScopeAll}, anyCourse)
		// The health protocol's reason is the notice's.
		ctx := context.Background()
		c := e.openCourses(t, 1, anyCourse)[0]
		if _, err := e.admin.SwitchRemote(ctx, e.central, catalogue.RemoteScope{Kind: store.RemoteScopeAll}, true, "Protocole sanitaire"); err != nil {
			t.Fatal(err)
		}
		if got := e.entry(t, c.ID); !got.RemoteNow || got.RemoteWhy != "Protocole sanitaire" {
			t.Errorf("remote %v, why %q", got.RemoteNow, got.RemoteWhy)
		}
	})
}

func TestRemote_CAT6_ROLE3_director_own_establishment_only(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newAdminEnv(t, d)
		ctx := context.Background()
		own := e.openCourses(t, 1, anyCourse)[0]
		var foreign *catalogue.Entry
		for _, c := range e.ix.All() {
			if c.EstablishmentID != own.EstablishmentID && !c.Remote {
				foreign = c
				break
			}
		}
		director := domain.Actor{AccountID: e.central.AccountID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: own.EstablishmentID}}}
		if _, err := e.admin.SwitchRemote(ctx, director, catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: own.ID}, true, "Travaux"); err != nil {
			t.Errorf("own course: %v", err)
		}
		if _, err := e.admin.SwitchRemote(ctx, director, catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: foreign.ID}, true, "Travaux"); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("foreign course: %v", err)
		}
		if _, err := e.admin.SwitchRemote(ctx, director, catalogue.RemoteScope{Kind: store.RemoteScopeEstablishment, ID: own.EstablishmentID}, true, "Travaux"); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("her establishment as a group (ROLE-5's): %v", err)
		}
		if got := e.entry(t, foreign.ID); got.RemoteNow {
			t.Error("the foreign course changed")
		}
	})
}

func TestRemote_CAT6_ROLE5_groups_central_only(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newAdminEnv(t, d)
		ctx := context.Background()
		c := e.openCourses(t, 1, anyCourse)[0]
		id := e.central.AccountID
		for _, g := range []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: c.EstablishmentID},
			{Role: domain.RoleCoordinator, FormationID: c.FormationID}, {Role: domain.RoleTrainer, CourseID: c.ID},
			{Role: domain.RoleGuidance}, {Role: domain.RoleHelpDesk}} {
			actor := domain.Actor{AccountID: id, Kind: domain.AccountStaff, Grants: []domain.Grant{g}}
			for _, scope := range []catalogue.RemoteScope{{Kind: store.RemoteScopeFormation, ID: c.FormationID},
				{Kind: store.RemoteScopeSession, ID: c.SessionID}, {Kind: store.RemoteScopeAll}} {
				if _, err := e.admin.SwitchRemote(ctx, actor, scope, true, "x"); !errors.Is(err, catalogue.ErrForbidden) {
					t.Errorf("%s on %s: %v", g.Role, scope.Kind, err)
				}
			}
		}
		candidate := domain.Actor{AccountID: id, Kind: domain.AccountCandidate}
		if _, err := e.admin.SwitchRemote(ctx, candidate, catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: c.ID}, true, "x"); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("candidate: %v", err)
		}
		if got := e.entry(t, c.ID); got.RemoteNow {
			t.Error("changed by someone not allowed")
		}
		if _, err := e.admin.SwitchRemote(ctx, e.central, catalogue.RemoteScope{Kind: store.RemoteScopeSession, ID: c.SessionID}, true, "x"); err != nil {
			t.Errorf("central: %v", err)
		}
	})
}

// notImported leaves out the events of the demo city's import.
func notImported(events []domain.AuditEvent) []domain.AuditEvent {
	var out []domain.AuditEvent
	for _, ev := range events {
		if !strings.HasSuffix(ev.Action, ".imported") {
			out = append(out, ev)
		}
	}
	return out
}
