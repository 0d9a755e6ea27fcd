package accounts_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"cma/internal/accounts"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

const cityIssuer = "https://sso.ville.exemple"

// directorActor is an establishment's director (ROLE-3): the permission is
// refused before anything is read.
var directorActor = domain.Actor{AccountID: 999, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: 1}}}

// lemon is a staff member's identity as LemonLDAP::NG's default claims give
// it: no email_verified.
func lemon(subject string) accounts.Identity {
	return accounts.Identity{Issuer: cityIssuer, Subject: subject, Email: "Julien.Moreau@Ville.Exemple", FirstName: "Julien", LastName: "Moreau"}
}

// namelessStaff is a staff account created on the command line without names.
func namelessStaff(t *testing.T, e env, email string, g domain.Grant) domain.Account {
	t.Helper()
	a, _, err := e.svc.AddStaff(context.Background(), accounts.NewStaff{Email: email, Grants: []domain.Grant{g}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// accountsWithEmail counts the accounts (merged ones aside) using an email.
func accountsWithEmail(t *testing.T, e env, email string) []domain.Account {
	t.Helper()
	found, err := e.store.SearchAccounts(context.Background(), email, 50)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func auditOf(t *testing.T, e env, subject int64, action string) []domain.AuditEvent {
	t.Helper()
	events, _, err := e.store.SearchAudit(context.Background(), store.AuditQuery{SubjectID: subject, Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func TestSignIn_ACC3_unverified_staff_email_is_held_once_no_candidate_account(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		staffAcc := namelessStaff(t, e, "julien.moreau@ville.exemple", domain.Grant{Role: domain.RoleGuidance})
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		for attempt := 1; attempt <= 2; attempt++ {
			a, err := e.svc.SignIn(ctx, lemon("jmoreau"))
			if !errors.Is(err, accounts.ErrStaffSignInHeld) || a.ID != 0 {
				t.Fatalf("attempt %d: %+v, %v; want held, no account", attempt, a, err)
			}
		}
		if found := accountsWithEmail(t, e, "julien.moreau@ville.exemple"); len(found) != 1 || found[0].ID != staffAcc.ID {
			t.Fatalf("accounts with the staff email = %+v, want the staff account only", found)
		}
		held, total, err := e.svc.PendingStaffSignIns(ctx, central, 50, 0)
		if err != nil || total != 1 || len(held) != 1 {
			t.Fatalf("held = %+v, %d, %v; want one request for two attempts", held, total, err)
		}
		h := held[0]
		if h.Issuer != cityIssuer || h.Subject != "jmoreau" || h.Email != "julien.moreau@ville.exemple" || h.FirstName != "Julien" ||
			h.LastName != "Moreau" || h.Staff.ID != staffAcc.ID || h.Attempts != 2 || h.Created.IsZero() {
			t.Fatalf("held request = %+v", h)
		}
		if ev := auditOf(t, e, staffAcc.ID, domain.AuditSignInHeld); len(ev) != 1 {
			t.Fatalf("held events = %+v, want one", ev)
		}
	})
}

func TestSignIn_ACC3_concurrent_held_staff_sign_ins_make_one_request(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		namelessStaff(t, e, "julien.moreau@ville.exemple", domain.Grant{Role: domain.RoleGuidance})
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.SignIn(ctx, lemon("jmoreau-race"))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if !errors.Is(err, accounts.ErrStaffSignInHeld) {
				t.Fatalf("sign-in %d: %v, want held", i, err)
			}
		}
		held, total, _ := e.svc.PendingStaffSignIns(ctx, central, 50, 0)
		if total != 1 || held[0].Attempts != 8 {
			t.Fatalf("held = %+v (%d), want one request counting 8 attempts", held, total)
		}
		if found := accountsWithEmail(t, e, "julien.moreau@ville.exemple"); len(found) != 1 {
			t.Fatalf("%d accounts with the staff email", len(found))
		}
	})
}

func TestSignIn_ACC3_staff_already_linked_new_subject_is_held(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := staff(t, e, "julien.moreau@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, "")
		first := lemon("jmoreau")
		first.EmailVerified = true
		if a, err := e.svc.SignIn(ctx, first); err != nil || a.ID != s.ID {
			t.Fatalf("verified first sign-in: %+v, %v", a, err)
		}
		// Another subject with the same verified email (a second provider, a
		// provider whose subjects changed): held, never a candidate account.
		second := first
		second.Subject = "julien.moreau@ville.exemple"
		if _, err := e.svc.SignIn(ctx, second); !errors.Is(err, accounts.ErrStaffSignInHeld) {
			t.Fatalf("new subject of a linked staff account: %v, want held", err)
		}
		if found := accountsWithEmail(t, e, "julien.moreau@ville.exemple"); len(found) != 1 {
			t.Fatalf("%d accounts with the staff email", len(found))
		}
		// The first subject still opens the staff account.
		if a, err := e.svc.SignIn(ctx, first); err != nil || a.ID != s.ID {
			t.Fatalf("linked subject: %+v, %v", a, err)
		}
	})
}

func TestDecideStaffSignIn_ACC3_ROLE5_link_opens_the_back_office_and_takes_names(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := namelessStaff(t, e, "julien.moreau@ville.exemple", domain.Grant{Role: domain.RoleGuidance})
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		director := directorActor
		e.svc.SignIn(ctx, lemon("jmoreau"))
		if _, _, err := e.svc.PendingStaffSignIns(ctx, director, 50, 0); !errors.Is(err, accounts.ErrForbidden) {
			t.Fatalf("ROLE-5: a director listed held sign-ins: %v", err)
		}
		held, _, _ := e.svc.PendingStaffSignIns(ctx, central, 50, 0)
		if err := e.svc.DecideStaffSignIn(ctx, director, held[0].ID, accounts.LinkToStaff, "c'est bien lui"); !errors.Is(err, accounts.ErrForbidden) {
			t.Fatalf("ROLE-5: a director decided: %v", err)
		}
		if err := e.svc.DecideStaffSignIn(ctx, central, held[0].ID, accounts.LinkToStaff, "  "); !errors.Is(err, accounts.ErrReasonRequired) {
			t.Fatalf("no reason: %v", err)
		}
		if err := e.svc.DecideStaffSignIn(ctx, central, held[0].ID, accounts.LinkToStaff, "appel de l'agent, badge vérifié"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DecideStaffSignIn(ctx, central, held[0].ID, accounts.Refuse, "second clic"); !errors.Is(err, accounts.ErrAlreadyDecided) {
			t.Fatalf("second decision: %v", err)
		}
		a, err := e.svc.SignIn(ctx, lemon("jmoreau"))
		if err != nil || a.ID != s.ID || a.Kind != domain.AccountStaff {
			t.Fatalf("after the link: %+v, %v; want the staff account", a, err)
		}
		// Staff created without names take them from the provider's claims.
		if stored, _ := e.store.Account(ctx, s.ID); stored.FirstName != "Julien" || stored.LastName != "Moreau" {
			t.Fatalf("names = %q %q, want the claims'", stored.FirstName, stored.LastName)
		}
		ev := auditOf(t, e, s.ID, domain.AuditIdentityLinked)
		if len(ev) != 1 || ev[0].ActorID != central.AccountID || ev[0].Reason != "appel de l'agent, badge vérifié" {
			t.Fatalf("link events = %+v", ev)
		}
		ids, err := e.svc.Identities(ctx, central, s.ID)
		if err != nil || len(ids) != 1 || ids[0].Subject != "jmoreau" || !ids[0].LinkedAt.Equal(now) {
			t.Fatalf("identities = %+v, %v", ids, err)
		}
		if _, err := e.svc.Identities(ctx, director, s.ID); !errors.Is(err, accounts.ErrForbidden) {
			t.Fatalf("ROLE-5: a director read the identities: %v", err)
		}
	})
}

func TestDecideStaffSignIn_ACC3_refusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := namelessStaff(t, e, "julien.moreau@ville.exemple", domain.Grant{Role: domain.RoleGuidance})
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		e.svc.SignIn(ctx, lemon("homonyme"))
		e.svc.SignIn(ctx, lemon("intrus"))
		held, _, _ := e.svc.PendingStaffSignIns(ctx, central, 50, 0)
		if len(held) != 2 {
			t.Fatalf("held = %+v", held)
		}
		if err := e.svc.DecideStaffSignIn(ctx, central, held[0].ID, accounts.RefuseAsCandidate, "une candidate au même nom"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DecideStaffSignIn(ctx, central, held[1].ID, accounts.Refuse, "inconnu du service"); err != nil {
			t.Fatal(err)
		}
		cand, err := e.svc.SignIn(ctx, lemon("homonyme"))
		if err != nil || cand.Kind != domain.AccountCandidate || cand.ID == s.ID {
			t.Fatalf("refused as a candidate: %+v, %v; want a candidate account", cand, err)
		}
		if a, err := e.svc.SignIn(ctx, lemon("intrus")); !errors.Is(err, accounts.ErrStaffSignInRefused) || a.ID != 0 {
			t.Fatalf("refused: %+v, %v", a, err)
		}
		if ev := auditOf(t, e, s.ID, domain.AuditSignInRefused); len(ev) != 2 {
			t.Fatalf("refusal events = %+v", ev)
		}
		if stored, _ := e.store.Account(ctx, s.ID); stored.FirstName != "" {
			t.Fatalf("a refusal gave the staff account names: %+v", stored)
		}
	})
}

func TestSignIn_ACC3_verified_link_takes_names_never_over_set_ones(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		nameless := namelessStaff(t, e, "julien.moreau@ville.exemple", domain.Grant{Role: domain.RoleGuidance})
		named := staff(t, e, "agent@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, "")
		id := lemon("jmoreau")
		id.EmailVerified = true
		if a, err := e.svc.SignIn(ctx, id); err != nil || a.ID != nameless.ID || a.FirstName != "Julien" || a.LastName != "Moreau" {
			t.Fatalf("verified link: %+v, %v; want the names taken", a, err)
		}
		other := accounts.Identity{Issuer: cityIssuer, Subject: "agent", Email: "agent@ville.exemple", EmailVerified: true, FirstName: "Autre", LastName: "Nom"}
		if a, err := e.svc.SignIn(ctx, other); err != nil || a.ID != named.ID {
			t.Fatalf("named staff: %+v, %v", a, err)
		}
		if stored, _ := e.store.Account(ctx, named.ID); stored.FirstName != "Agent" || stored.LastName != "guidance" {
			t.Fatalf("names set were overwritten: %q %q", stored.FirstName, stored.LastName)
		}
	})
}

func TestUnlinkAndMoveIdentity_ACC3_ROLE5_repairs_a_candidate_account_made_with_a_staff_email(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		director := directorActor
		// Before the fix: the staff member's first sign-in, without
		// email_verified, made a candidate account with the staff email and
		// bound the identity to it.
		s := namelessStaff(t, e, "julien.moreau@ville.exemple", domain.Grant{Role: domain.RoleGuidance})
		wrong := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: "julien.moreau@ville.exemple",
			FirstName: "Julien", LastName: "Moreau", CreatedAt: now}
		err := e.store.InTx(ctx, func(tx *sql.Tx) error {
			if err := e.store.InsertAccount(ctx, tx, &wrong); err != nil {
				return err
			}
			return e.store.LinkIdentity(ctx, tx, cityIssuer, "jmoreau", wrong.ID, now)
		})
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := e.svc.SignIn(ctx, lemon("jmoreau")); a.ID != wrong.ID {
			t.Fatalf("the bound identity opens %d, want the candidate account %d", a.ID, wrong.ID)
		}
		staffAcc, _ := e.store.Account(ctx, s.ID)
		linkable, err := e.svc.LinkableIdentities(ctx, central, staffAcc)
		if err != nil || len(linkable) != 1 || linkable[0].Subject != "jmoreau" || linkable[0].From.ID != wrong.ID {
			t.Fatalf("linkable = %+v, %v", linkable, err)
		}
		if err := e.svc.LinkIdentity(ctx, director, s.ID, cityIssuer, "jmoreau", "réparation"); !errors.Is(err, accounts.ErrForbidden) {
			t.Fatalf("ROLE-5: a director linked: %v", err)
		}
		if err := e.svc.LinkIdentity(ctx, central, s.ID, cityIssuer, "jmoreau", ""); !errors.Is(err, accounts.ErrReasonRequired) {
			t.Fatalf("no reason: %v", err)
		}
		if err := e.svc.LinkIdentity(ctx, central, wrong.ID, cityIssuer, "jmoreau", "réparation"); !errors.Is(err, accounts.ErrNotStaff) {
			t.Fatalf("linked to a candidate account: %v", err)
		}
		if err := e.svc.LinkIdentity(ctx, central, s.ID, cityIssuer, "jmoreau", "compte de candidat créé par erreur"); err != nil {
			t.Fatal(err)
		}
		a, err := e.svc.SignIn(ctx, lemon("jmoreau"))
		if err != nil || a.ID != s.ID || a.FirstName != "Julien" {
			t.Fatalf("after the repair: %+v, %v; want the staff account with names", a, err)
		}
		if old, _ := e.store.Account(ctx, wrong.ID); old.Status != domain.StatusMerged || old.SessionEpoch == wrong.SessionEpoch {
			t.Fatalf("empty candidate account left %s (epoch %d)", old.Status, old.SessionEpoch)
		}

		// Unlink: ROLE-5 only, reason required, audited; the next sign-in is a
		// first sign-in again (held: the email is a staff account's).
		if err := e.svc.UnlinkIdentity(ctx, director, s.ID, cityIssuer, "jmoreau", "erreur"); !errors.Is(err, accounts.ErrForbidden) {
			t.Fatalf("ROLE-5: a director unlinked: %v", err)
		}
		if err := e.svc.UnlinkIdentity(ctx, central, s.ID, cityIssuer, "jmoreau", ""); !errors.Is(err, accounts.ErrReasonRequired) {
			t.Fatalf("no reason: %v", err)
		}
		if err := e.svc.UnlinkIdentity(ctx, central, s.ID, cityIssuer, "jmoreau", "l'agent a quitté le service"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.UnlinkIdentity(ctx, central, s.ID, cityIssuer, "jmoreau", "second clic"); !errors.Is(err, accounts.ErrNotFound) {
			t.Fatalf("second unlink: %v", err)
		}
		if _, err := e.svc.SignIn(ctx, lemon("jmoreau")); !errors.Is(err, accounts.ErrStaffSignInHeld) {
			t.Fatalf("after unlinking: %v, want held", err)
		}
		if ev := auditOf(t, e, s.ID, domain.AuditIdentityUnlinked); len(ev) != 1 || ev[0].Reason != "l'agent a quitté le service" {
			t.Fatalf("unlink events = %+v", ev)
		}
		if ev := auditOf(t, e, s.ID, domain.AuditIdentityLinked); len(ev) != 1 || ev[0].ActorID != central.AccountID {
			t.Fatalf("link events = %+v", ev)
		}
		// A held sign-in is linked from the file too.
		if err := e.svc.LinkIdentity(ctx, central, s.ID, cityIssuer, "jmoreau", "revenu dans le service"); err != nil {
			t.Fatal(err)
		}
		if a, err := e.svc.SignIn(ctx, lemon("jmoreau")); err != nil || a.ID != s.ID {
			t.Fatalf("after linking the held sign-in: %+v, %v", a, err)
		}
		if held, total, _ := e.svc.PendingStaffSignIns(ctx, central, 50, 0); total != 0 {
			t.Fatalf("still held: %+v", held)
		}
		// An identity linked to nothing and held for nobody is not linked.
		if err := e.svc.LinkIdentity(ctx, central, s.ID, cityIssuer, "inconnu", "essai"); !errors.Is(err, accounts.ErrNotFound) {
			t.Fatalf("unknown identity: %v", err)
		}
	})
}

func TestSignIn_ACC3_held_sign_in_links_on_its_own_once_the_email_is_verified(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := namelessStaff(t, e, "julien.moreau@ville.exemple", domain.Grant{Role: domain.RoleGuidance})
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		if _, err := e.svc.SignIn(ctx, lemon("jmoreau")); !errors.Is(err, accounts.ErrStaffSignInHeld) {
			t.Fatalf("unverified: %v", err)
		}
		// The city's provider now says email_verified.
		id := lemon("jmoreau")
		id.EmailVerified = true
		if a, err := e.svc.SignIn(ctx, id); err != nil || a.ID != s.ID || a.LastName != "Moreau" {
			t.Fatalf("verified after a hold: %+v, %v", a, err)
		}
		if held, total, _ := e.svc.PendingStaffSignIns(ctx, central, 50, 0); total != 0 {
			t.Fatalf("still held: %+v", held)
		}
	})
}
