package accounts_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/auth"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

type env struct {
	svc   *accounts.Service
	store *store.Store
	clock *time.Time
}

func newEnv(t *testing.T, d *db.DB) env {
	st := store.New(d)
	clock := now
	return env{svc: accounts.New(st, func() time.Time { return clock }, slog.New(slog.NewTextHandler(io.Discard, nil))), store: st, clock: &clock}
}

func camille(subject string) accounts.Identity {
	return accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject, Email: "camille@exemple.fr", EmailVerified: true,
		FirstName: "Camille", LastName: "Martin", BirthDate: day(1990, 4, 12)}
}

func TestSignIn_ACC3_one_account_per_subject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		first, err := e.svc.SignIn(ctx, camille("sub-1"))
		if err != nil || first.ID == 0 || first.Kind != domain.AccountCandidate || first.Status != domain.StatusActive {
			t.Fatalf("first sign-in: %+v, %v", first, err)
		}
		// ACC-4: the email is taken over from the provider at each sign-in.
		id := camille("sub-1")
		id.Email = "Camille.Nouvelle@Exemple.fr"
		again, err := e.svc.SignIn(ctx, id)
		if err != nil || again.ID != first.ID {
			t.Fatalf("second sign-in gave account %d, want %d (%v)", again.ID, first.ID, err)
		}
		stored, _ := e.store.Account(ctx, first.ID)
		if stored.Email != "camille.nouvelle@exemple.fr" {
			t.Errorf("ACC-4 email not taken over: %q", stored.Email)
		}
	})
}

func TestSignIn_ACC3_same_person_new_subject_is_held(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		first, _ := e.svc.SignIn(ctx, camille("sub-1"))
		dup := camille("sub-2")
		dup.FirstName, dup.LastName, dup.Email = "CAMILLE", "martin", "autre@exemple.fr"
		held, err := e.svc.SignIn(ctx, dup)
		if err != nil || held.Status != domain.StatusHeld || held.ID == first.ID {
			t.Fatalf("second account: %+v, %v", held, err)
		}
		reviews, err := e.store.PendingDuplicates(ctx)
		if err != nil || len(reviews) != 1 || reviews[0].Held.ID != held.ID || reviews[0].Existing.ID != first.ID {
			t.Fatalf("reviews = %+v, %v", reviews, err)
		}
		// Another birth date is another person.
		other := camille("sub-3")
		other.BirthDate = day(1991, 4, 12)
		if a, _ := e.svc.SignIn(ctx, other); a.Status != domain.StatusActive {
			t.Errorf("different birth date held: %+v", a)
		}
	})
}

func TestSignIn_ACC3_concurrent_first_sign_ins_make_one_account(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		var wg sync.WaitGroup
		ids := make([]int64, 8)
		errs := make([]error, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := e.svc.SignIn(ctx, camille("sub-race"))
				ids[i], errs[i] = a.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("sign-in %d: account %d (first %d), %v", i, ids[i], ids[0], errs[i])
			}
		}
		found, _ := e.store.SearchAccounts(ctx, "camille", 10)
		if len(found) != 1 {
			t.Fatalf("%d accounts for one subject", len(found))
		}
	})
}

func staff(t *testing.T, e env, email string, g domain.Grant, password string) domain.Account {
	t.Helper()
	a, _, err := e.svc.AddStaff(context.Background(), accounts.NewStaff{Email: email, FirstName: "Agent", LastName: string(g.Role),
		Grants: []domain.Grant{g}, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestProfile_ACC4_and_ROLE1(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, _ := e.svc.SignIn(ctx, camille("sub-1"))
		someone, _ := e.svc.SignIn(ctx, accounts.Identity{Issuer: "i", Subject: "s", Email: "x@exemple.fr", FirstName: "X", LastName: "Y"})
		actor := accounts.ActorOf(me)
		err := e.svc.UpdateContact(ctx, actor, me.ID, accounts.Contact{Phone: "06 12 3A 56 78",
			Address: domain.Address{Line1: "5 rue Parmentier", PostalCode: "750", City: "Paris"}})
		var fe domain.FieldErrors
		if !errors.As(err, &fe) || len(fe) != 2 || !errors.Is(fe[0], domain.ErrInvalidPhone) || !errors.Is(fe[1], domain.ErrInvalidPostalCode) {
			t.Fatalf("bad phone and postal code: %v", err)
		}
		if err := e.svc.UpdateContact(ctx, actor, me.ID, accounts.Contact{Phone: "06 12 34 56 78",
			Address: domain.Address{Line1: "5 rue Parmentier", PostalCode: "75011", City: "Paris"}}); err != nil {
			t.Fatal(err)
		}
		got, _ := e.store.Account(ctx, me.ID)
		if got.Phone != "+33612345678" || got.Address.PostalCode != "75011" || got.FirstName != "Camille" {
			t.Fatalf("profile = %+v", got)
		}
		if err := e.svc.UpdateContact(ctx, actor, someone.ID, accounts.Contact{Phone: "0612345678"}); !errors.Is(err, accounts.ErrForbidden) {
			t.Fatalf("ROLE-1: changing another person's profile: %v", err)
		}
	})
}

// TestProfile_ACC4_errors_name_field_and_key: each wrong contact detail comes
// back on its logical field with its message key, nothing worded.
func TestProfile_ACC4_errors_name_field_and_key(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, _ := e.svc.SignIn(ctx, camille("sub-1"))
		actor := accounts.ActorOf(me)
		for _, c := range []struct {
			contact accounts.Contact
			want    string
		}{
			{accounts.Contact{Phone: "06 12 34 AB 78"}, "phone=person.error.phone"},
			{accounts.Contact{Address: domain.Address{Line1: "5 rue Parmentier", PostalCode: "75011"}}, "address=person.error.address_incomplete"},
			{accounts.Contact{Address: domain.Address{Line1: "x", PostalCode: "$", City: "Berlin", Country: "DE"}}, "postal_code=person.error.postal_code_foreign"},
			{accounts.Contact{Address: domain.Address{Country: "France"}}, "country=person.error.country"},
			{accounts.Contact{BirthDate: now.AddDate(1, 0, 0)}, "birth_date=person.error.birth_implausible"},
			{accounts.Contact{Phone: "1", Address: domain.Address{Line1: "x", PostalCode: "7501", City: "Paris"}},
				"phone=person.error.phone postal_code=person.error.postal_code"},
		} {
			if got := fieldKeys(e.svc.UpdateContact(ctx, actor, me.ID, c.contact)); got != c.want {
				t.Errorf("%+v: %s, want %s", c.contact, got, c.want)
			}
		}
	})
}

// TestCreateCandidate_CAN8_errors_name_field_and_key: the desk's form errors
// are keys on the logical fields of NewCandidate.
func TestCreateCandidate_CAN8_errors_name_field_and_key(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		guidance := accounts.ActorOf(staff(t, e, "orientation@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, ""))
		_, err := e.svc.CreateCandidate(ctx, guidance, accounts.NewCandidate{Email: "pas-une-adresse", Phone: "12"})
		want := "first_name=person.error.first_name last_name=person.error.last_name email=person.error.email " +
			"birth_date=person.error.birth_missing phone=person.error.phone"
		if got := fieldKeys(err); got != want {
			t.Fatalf("empty form: %s, want %s", got, want)
		}
		_, err = e.svc.CreateCandidate(ctx, guidance, accounts.NewCandidate{FirstName: "A", LastName: "B", Email: "a@b.fr", BirthDate: day(1890, 1, 1)})
		if got := fieldKeys(err); got != "birth_date=person.error.birth_implausible" {
			t.Fatalf("born in 1890: %s", got)
		}
	})
}

// fieldKeys lists err's field errors as "field=key …", or says what else err is.
func fieldKeys(err error) string {
	var fe domain.FieldErrors
	if !errors.As(err, &fe) {
		return fmt.Sprintf("not field errors: %v", err)
	}
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Field + "=" + f.Key
	}
	return strings.Join(parts, " ")
}

func TestCorrectIdentity_ACC4_audit_and_roles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		person, _ := e.svc.SignIn(ctx, camille("sub-1"))
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		helpdesk := accounts.ActorOf(staff(t, e, "accueil@ville.exemple", domain.Grant{Role: domain.RoleHelpDesk}, ""))
		fix := accounts.Correction{FirstName: "Camille", LastName: "Martins", BirthDate: day(1990, 4, 12), Reason: "acte de naissance"}
		if err := e.svc.CorrectIdentity(ctx, helpdesk, person.ID, fix); !errors.Is(err, accounts.ErrForbidden) {
			t.Fatalf("ROLE-7 help desk corrected a name: %v", err)
		}
		noReason := fix
		noReason.Reason = " "
		if err := e.svc.CorrectIdentity(ctx, central, person.ID, noReason); !errors.Is(err, accounts.ErrReasonRequired) {
			t.Fatalf("a correction without reason: %v", err)
		}
		noNames := accounts.Correction{FirstName: " ", Reason: "acte de naissance"}
		err := e.svc.CorrectIdentity(ctx, central, person.ID, noNames)
		if got := fieldKeys(err); got != "first_name=person.error.first_name last_name=person.error.last_name" {
			t.Fatalf("a correction without names: %s", got)
		}
		if err := e.svc.CorrectIdentity(ctx, central, person.ID, fix); err != nil {
			t.Fatal(err)
		}
		events, total, err := e.store.SearchAudit(ctx, store.AuditQuery{SubjectID: person.ID})
		if err != nil || total != 1 || events[0].Action != "identity.corrected" || events[0].ActorID != central.AccountID ||
			events[0].Reason != "acte de naissance" || events[0].Details != "nom : Martin → Martins" {
			t.Fatalf("audit = %+v (%d), %v", events, total, err)
		}
		// ROLE-7: the help desk reads the file, and the read is in the audit trail.
		if _, err := e.svc.ReadFile(ctx, helpdesk, person.ID); err != nil {
			t.Fatal(err)
		}
		events, _, _ = e.store.SearchAudit(ctx, store.AuditQuery{SubjectID: person.ID, Action: "file.read"})
		if len(events) != 1 || events[0].ActorID != helpdesk.AccountID {
			t.Fatalf("file read not audited: %+v", events)
		}
	})
}

func TestDuplicates_ACC3_merge_and_dismiss(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		first, _ := e.svc.SignIn(ctx, camille("sub-1"))
		held, _ := e.svc.SignIn(ctx, camille("sub-2"))
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		helpdesk := accounts.ActorOf(staff(t, e, "accueil@ville.exemple", domain.Grant{Role: domain.RoleHelpDesk}, ""))
		reviews, _ := e.store.PendingDuplicates(ctx)
		if err := e.svc.DecideDuplicate(ctx, helpdesk, reviews[0].ID, true, "même personne"); !errors.Is(err, accounts.ErrForbidden) {
			t.Fatalf("help desk merged: %v", err)
		}
		if err := e.svc.DecideDuplicate(ctx, central, reviews[0].ID, true, "même personne, appel téléphonique"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DecideDuplicate(ctx, central, reviews[0].ID, false, "second clic"); !errors.Is(err, store.ErrAlreadyDecided) {
			t.Fatalf("second decision: %v", err)
		}
		again, err := e.svc.SignIn(ctx, camille("sub-2"))
		if err != nil || again.ID != first.ID {
			t.Fatalf("after the merge sub-2 opens account %d, want %d (%v)", again.ID, first.ID, err)
		}
		if a, _ := e.store.Account(ctx, held.ID); a.Status != domain.StatusMerged {
			t.Fatalf("merged account status %s", a.Status)
		}
		// Dismissed: the held account becomes active.
		third, _ := e.svc.SignIn(ctx, camille("sub-3"))
		reviews, _ = e.store.PendingDuplicates(ctx)
		if len(reviews) != 1 || reviews[0].Held.ID != third.ID {
			t.Fatalf("pending = %+v", reviews)
		}
		if err := e.svc.DecideDuplicate(ctx, central, reviews[0].ID, false, "homonyme, pièce d'identité vue"); err != nil {
			t.Fatal(err)
		}
		if a, _ := e.store.Account(ctx, third.ID); a.Status != domain.StatusActive {
			t.Fatalf("dismissed account status %s", a.Status)
		}
		events, total, _ := e.store.SearchAudit(ctx, store.AuditQuery{ActorID: central.AccountID})
		if total != 2 || events[0].Action != "duplicate.dismissed" || events[1].Action != "duplicate.merged" {
			t.Fatalf("audit = %+v", events)
		}
	})
}

func TestStaffSignIn_ROLE5_password_and_second_factor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		const pw = "correct horse battery staple"
		central := staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, pw)
		if central.TOTPSecret == "" {
			t.Fatal("ROLE-5: a central-service account got no second factor")
		}
		if _, _, err := e.svc.PasswordSignIn(ctx, "central@ville.exemple", "wrong password!!"); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, _, err := e.svc.PasswordSignIn(ctx, "nobody@ville.exemple", pw); !errors.Is(err, accounts.ErrBadCredentials) {
			t.Fatalf("unknown email: %v", err)
		}
		acc, needs, err := e.svc.PasswordSignIn(ctx, "CENTRAL@ville.exemple", pw)
		if err != nil || !needs || acc.ID != central.ID {
			t.Fatalf("password sign-in: %v %v %v", acc.ID, needs, err)
		}
		code, _ := auth.TOTPCode(central.TOTPSecret, now)
		if _, err := e.svc.VerifySecondFactor(ctx, central.ID, "000000"); !errors.Is(err, accounts.ErrSecondFactor) && code != "000000" {
			t.Fatalf("wrong code: %v", err)
		}
		if _, err := e.svc.VerifySecondFactor(ctx, central.ID, code); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.VerifySecondFactor(ctx, central.ID, code); !errors.Is(err, accounts.ErrSecondFactor) {
			t.Fatalf("replayed code accepted: %v", err)
		}
		trainer := staff(t, e, "formateur@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, pw)
		if _, needs, err := e.svc.PasswordSignIn(ctx, trainer.Email, pw); err != nil || needs {
			t.Fatalf("guidance sign-in: needs second factor %v, %v", needs, err)
		}
		// A disabled account is refused, and its sessions end.
		err = e.store.InTx(ctx, func(tx *sql.Tx) error { return e.store.SetStatus(ctx, tx, trainer.ID, domain.StatusDisabled) })
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.PasswordSignIn(ctx, trainer.Email, pw); !errors.Is(err, accounts.ErrDisabled) {
			t.Fatalf("disabled account: %v", err)
		}
		if _, _, err := e.svc.Session(ctx, trainer.ID, 0); !errors.Is(err, accounts.ErrSessionEnded) {
			t.Fatalf("disabled account's session: %v", err)
		}
	})
}

func TestSignOutEverywhere(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, _ := e.svc.SignIn(ctx, camille("sub-1"))
		if _, _, err := e.svc.Session(ctx, me.ID, me.SessionEpoch); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SignOutEverywhere(ctx, me.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Session(ctx, me.ID, me.SessionEpoch); !errors.Is(err, accounts.ErrSessionEnded) {
			t.Fatalf("old session still valid: %v", err)
		}
	})
}

func TestStaffFirstSignOnLinksByVerifiedEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		s := staff(t, e, "directrice@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, "")
		unverified := accounts.Identity{Issuer: "i", Subject: "staff-x", Email: "directrice@ville.exemple", FirstName: "A", LastName: "B"}
		if a, _ := e.svc.SignIn(ctx, unverified); a.ID == s.ID {
			t.Fatal("an unverified email opened a staff account")
		}
		verified := unverified
		verified.Subject, verified.EmailVerified = "staff-y", true
		a, err := e.svc.SignIn(ctx, verified)
		if err != nil || a.ID != s.ID || a.Kind != domain.AccountStaff {
			t.Fatalf("staff sign-on: %+v, %v", a, err)
		}
	})
}
