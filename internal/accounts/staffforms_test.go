package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cma/internal/accounts"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
)

// TestCorrectIdentity_ROLE5_ACC4_names_checked_all_errors_at_once: the central
// service's correction takes names of letters (accents, apostrophes, hyphens),
// refuses digits, emoji and 101 characters, and says every wrong field at once.
func TestCorrectIdentity_ROLE5_ACC4_names_checked_all_errors_at_once(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		person, _ := e.svc.SignIn(ctx, camille("sub-1"))
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		bad := accounts.Correction{FirstName: "Camille 😀", LastName: strings.Repeat("a", 101), BirthDate: now.AddDate(1, 0, 0)}
		want := "first_name=person.error.first_name_chars last_name=person.error.last_name_long " +
			"birth_date=person.error.birth_implausible reason=person.error.reason"
		if got := fieldKeys(e.svc.CorrectIdentity(ctx, central, person.ID, bad)); got != want {
			t.Fatalf("a correction wrong everywhere: %s, want %s", got, want)
		}
		if got := fieldKeys(e.svc.CorrectIdentity(ctx, central, person.ID, accounts.Correction{FirstName: "Camille2", LastName: "Martin",
			Reason: "r"})); got != "first_name=person.error.first_name_chars" {
			t.Fatalf("a digit in the first name: %s", got)
		}
		fix := accounts.Correction{FirstName: " Anne-Élise ", LastName: "d’Aubigné-O'Neil", BirthDate: day(1990, 4, 12), Reason: "acte de naissance"}
		if err := e.svc.CorrectIdentity(ctx, central, person.ID, fix); err != nil {
			t.Fatal(err)
		}
		got, _ := e.store.Account(ctx, person.ID)
		if got.FirstName != "Anne-Élise" || got.LastName != "d’Aubigné-O'Neil" {
			t.Fatalf("names stored: %q %q", got.FirstName, got.LastName)
		}
		events, _, _ := e.store.SearchAudit(ctx, store.AuditQuery{SubjectID: person.ID, Action: domain.AuditIdentityCorrected})
		if len(events) != 1 || !strings.Contains(events[0].Details, "prénom : Camille → Anne-Élise") {
			t.Fatalf("the correction's audit: %+v", events)
		}
	})
}

// TestCreateCandidate_CAN8_ACC4_names_checked_email_taken_names_the_account:
// assisted registration's identity passes the same name check, and an email
// another account uses is refused with that account's id, together with the
// other errors.
func TestCreateCandidate_CAN8_ACC4_names_checked_email_taken_names_the_account(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		camilleAcc, _ := e.svc.SignIn(ctx, camille("sub-1"))
		guidance := accounts.ActorOf(staff(t, e, "orientation@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, ""))
		n := accounts.NewCandidate{FirstName: "Léa 3", LastName: "Petit", Email: " Camille@Exemple.fr ", BirthDate: day(1985, 1, 2), Phone: "1"}
		_, err := e.svc.CreateCandidate(ctx, guidance, n)
		if got := fieldKeys(err); got != "first_name=person.error.first_name_chars email=person.error.email_taken phone=person.error.phone" {
			t.Fatalf("bad name, taken email, bad phone: %s", got)
		}
		var fe domain.FieldErrors
		errors.As(err, &fe)
		if id, kind := accounts.EmailTakenBy(fe[1]); id != camilleAcc.ID || kind != domain.AccountCandidate {
			t.Fatalf("the taken email names account %d (%s), want %d", id, kind, camilleAcc.ID)
		}
		// A staff member's address is taken too.
		n = accounts.NewCandidate{FirstName: "Léa", LastName: "Petit", Email: "orientation@ville.exemple", BirthDate: day(1985, 1, 2)}
		_, err = e.svc.CreateCandidate(ctx, guidance, n)
		if got := fieldKeys(err); got != "email=person.error.email_taken" {
			t.Fatalf("a staff member's email: %s", got)
		}
		n.Email = "lea.petit@exemple.fr"
		n.FirstName, n.LastName = "Léa-Marie", "N’Diaye"
		acc, err := e.svc.CreateCandidate(ctx, guidance, n)
		if err != nil || acc.FirstName != "Léa-Marie" || acc.LastName != "N’Diaye" {
			t.Fatalf("a right form: %+v, %v", acc, err)
		}
		events, _, _ := e.store.SearchAudit(ctx, store.AuditQuery{SubjectID: acc.ID, Action: domain.AuditCandidateCreated})
		if len(events) != 1 {
			t.Fatalf("the creation is not in the audit trail: %+v", events)
		}
	})
}

// TestAddStaff_ROLE5_names_checked_email_taken_roles_in_French: staff
// accounts pass the same name check, an email already used is a field error
// naming the account, and the audit trail's record names the role in French.
func TestAddStaff_ROLE5_names_checked_email_taken_roles_in_French(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		person, _ := e.svc.SignIn(ctx, camille("sub-1"))
		_, _, err := e.svc.AddStaff(ctx, accounts.NewStaff{Email: "camille@exemple.fr", FirstName: "Agent 007", LastName: "Bond",
			Grants: []domain.Grant{{Role: domain.RoleHelpDesk}}})
		if got := fieldKeys(err); got != "first_name=person.error.first_name_chars email=person.error.email_taken" {
			t.Fatalf("bad name and a candidate's email: %s", got)
		}
		var fe domain.FieldErrors
		errors.As(err, &fe)
		if id, _ := accounts.EmailTakenBy(fe[1]); id != person.ID {
			t.Fatalf("the taken email names %d, want %d", id, person.ID)
		}
		words, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		fr := words.Printer(i18n.French)
		// The scoped roles need an establishment, a formation or a course: the
		// record's words of every role are checked in roles_test.go.
		for _, role := range []domain.Role{domain.RoleCentral, domain.RoleGuidance, domain.RoleHelpDesk} {
			g := domain.Grant{Role: role}
			acc, _, err := e.svc.AddStaff(ctx, accounts.NewStaff{Email: string(role) + "@ville.exemple", FirstName: "Anne", LastName: "Lévêque",
				Grants: []domain.Grant{g}})
			if err != nil {
				t.Fatalf("%s: %v", role, err)
			}
			events, _, _ := e.store.SearchAudit(ctx, store.AuditQuery{SubjectID: acc.ID, Action: domain.AuditStaffCreated})
			if len(events) != 1 || !strings.Contains(events[0].Details, fr.T("role."+string(role))) ||
				strings.Contains(events[0].Details, ": "+string(role)) {
				t.Errorf("%s: the record %+v does not name the role as the journal does (%q)", role, events, fr.T("role."+string(role)))
			}
		}
		if _, _, err := e.svc.AddStaff(ctx, accounts.NewStaff{Email: "central@ville.exemple", Grants: []domain.Grant{{Role: domain.RoleCentral}}}); !errors.Is(err, accounts.ErrEmailTaken) {
			t.Fatalf("a second staff account with the same email: %v", err)
		}
	})
}
