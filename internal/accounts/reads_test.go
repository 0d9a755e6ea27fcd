package accounts_test

import (
	"context"
	"errors"
	"testing"

	"cma/internal/accounts"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

// scopedStaff are actors refused every people read: their scopes are
// courses, formations and establishments, never people (ROLE-2, ROLE-3, ROLE-4).
var scopedStaff = map[string]domain.Actor{
	"ROLE-2 trainer":     {AccountID: 9001, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleTrainer, CourseID: 1}}},
	"ROLE-3 director":    {AccountID: 9002, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: 1}}},
	"ROLE-4 coordinator": {AccountID: 9003, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCoordinator, FormationID: 1}}},
	"ROLE-1 candidate":   {AccountID: 9004, Kind: domain.AccountCandidate},
}

func TestSearchPeople_ROLE5_ROLE7_audited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		person, _ := e.svc.SignIn(ctx, camille("sub-1"))
		helpdesk := accounts.ActorOf(staff(t, e, "accueil@ville.exemple", domain.Grant{Role: domain.RoleHelpDesk}, ""))
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))

		for _, actor := range []domain.Actor{helpdesk, central} {
			found, err := e.svc.SearchPeople(ctx, actor, " martin camille ", 50)
			if err != nil || len(found) != 1 || found[0].ID != person.ID {
				t.Fatalf("search by %d = %+v, %v", actor.AccountID, found, err)
			}
		}
		// The search is a staff read of people: who, when, the query and the count.
		events, total, err := e.store.SearchAudit(ctx, store.AuditQuery{ActorID: helpdesk.AccountID, Action: "people.searched"})
		if err != nil || total != 1 {
			t.Fatalf("help desk search audit = %+v (%d), %v", events, total, err)
		}
		if ev := events[0]; !ev.At.Equal(now) || ev.Details != "recherche de personnes « martin camille » : 1 résultat(s)" {
			t.Errorf("audit event = %+v", ev)
		}
		// A search that finds nobody is recorded too.
		if found, err := e.svc.SearchPeople(ctx, helpdesk, "personne inconnue", 50); err != nil || len(found) != 0 {
			t.Fatalf("search for nobody = %+v, %v", found, err)
		}
		if _, total, _ := e.store.SearchAudit(ctx, store.AuditQuery{ActorID: helpdesk.AccountID, Action: "people.searched"}); total != 2 {
			t.Errorf("searches recorded = %d, want 2", total)
		}

		guidance := accounts.ActorOf(staff(t, e, "orientation@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, ""))
		refused := map[string]domain.Actor{"ROLE-6 guidance": guidance}
		for name, a := range scopedStaff {
			refused[name] = a
		}
		for name, actor := range refused {
			if _, err := e.svc.SearchPeople(ctx, actor, "martin", 50); !errors.Is(err, accounts.ErrForbidden) {
				t.Errorf("%s searched people: %v", name, err)
			}
		}
		if _, total, _ := e.store.SearchAudit(ctx, store.AuditQuery{Action: "people.searched"}); total != 3 {
			t.Errorf("searches recorded = %d, want 3 (refused searches are not searches)", total)
		}
	})
}

func TestSearchCandidatesToAssist_ROLE6_candidates_only_audited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		person, _ := e.svc.SignIn(ctx, camille("sub-1"))
		// A staff member with the same name is not someone to register.
		if _, _, err := e.svc.AddStaff(ctx, accounts.NewStaff{Email: "camille.martin@ville.exemple", FirstName: "Camille",
			LastName: "Martin", Grants: []domain.Grant{{Role: domain.RoleHelpDesk}}}); err != nil {
			t.Fatal(err)
		}
		guidance := accounts.ActorOf(staff(t, e, "orientation@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, ""))

		found, err := e.svc.SearchCandidatesToAssist(ctx, guidance, "martin", 30)
		if err != nil || len(found) != 1 || found[0].ID != person.ID {
			t.Fatalf("ROLE-6 search = %+v, %v", found, err)
		}
		events, total, err := e.store.SearchAudit(ctx, store.AuditQuery{ActorID: guidance.AccountID, Action: "people.searched"})
		if err != nil || total != 1 || events[0].Details != "recherche pour une inscription assistée « martin » : 1 résultat(s)" {
			t.Fatalf("audit = %+v (%d), %v", events, total, err)
		}
		helpdesk := accounts.ActorOf(staff(t, e, "accueil@ville.exemple", domain.Grant{Role: domain.RoleHelpDesk}, ""))
		refused := map[string]domain.Actor{"ROLE-7 help desk": helpdesk}
		for name, a := range scopedStaff {
			refused[name] = a
		}
		for name, actor := range refused {
			if _, err := e.svc.SearchCandidatesToAssist(ctx, actor, "martin", 30); !errors.Is(err, accounts.ErrForbidden) {
				t.Errorf("%s searched for assisted registration: %v", name, err)
			}
		}
	})
}

func TestOpenForAssistance_ROLE6_candidate_only_audited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		person, _ := e.svc.SignIn(ctx, camille("sub-1"))
		guidance := accounts.ActorOf(staff(t, e, "orientation@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, ""))
		helpdesk := accounts.ActorOf(staff(t, e, "accueil@ville.exemple", domain.Grant{Role: domain.RoleHelpDesk}, ""))

		acc, err := e.svc.OpenForAssistance(ctx, guidance, person.ID)
		if err != nil || acc.ID != person.ID || acc.LastName != "Martin" {
			t.Fatalf("ROLE-6 open = %+v, %v", acc, err)
		}
		events, total, err := e.store.SearchAudit(ctx, store.AuditQuery{SubjectID: person.ID, Action: "assisted.opened"})
		if err != nil || total != 1 || events[0].ActorID != guidance.AccountID {
			t.Fatalf("audit = %+v (%d), %v", events, total, err)
		}
		// A staff account or nobody: not found, and nothing recorded.
		for _, id := range []int64{helpdesk.AccountID, 424242} {
			if _, err := e.svc.OpenForAssistance(ctx, guidance, id); !errors.Is(err, accounts.ErrNotFound) {
				t.Errorf("open %d = %v, want not found", id, err)
			}
		}
		if _, err := e.svc.OpenForAssistance(ctx, helpdesk, person.ID); !errors.Is(err, accounts.ErrForbidden) {
			t.Errorf("ROLE-7 help desk opened a basket: %v", err)
		}
		if _, total, _ := e.store.SearchAudit(ctx, store.AuditQuery{Action: "assisted.opened"}); total != 1 {
			t.Errorf("opens recorded = %d, want 1", total)
		}
	})
}

func TestPendingDuplicatesAndAudit_ROLE5_only_ROLE7_read_only(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		first, _ := e.svc.SignIn(ctx, camille("sub-1"))
		held, _ := e.svc.SignIn(ctx, camille("sub-2")) // same person, second sign-on: held (ACC-3)
		central := accounts.ActorOf(staff(t, e, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral}, ""))
		helpdesk := accounts.ActorOf(staff(t, e, "accueil@ville.exemple", domain.Grant{Role: domain.RoleHelpDesk}, ""))
		guidance := accounts.ActorOf(staff(t, e, "orientation@ville.exemple", domain.Grant{Role: domain.RoleGuidance}, ""))

		pending, err := e.svc.PendingDuplicates(ctx, central)
		if err != nil || len(pending) != 1 || pending[0].Held.ID != held.ID || pending[0].Existing.ID != first.ID || !pending[0].Created.Equal(now) {
			t.Fatalf("ROLE-5 pending duplicates = %+v, %v", pending, err)
		}
		if _, err := e.svc.ReadFile(ctx, helpdesk, first.ID); err != nil {
			t.Fatal(err)
		}
		events, total, err := e.svc.SearchAudit(ctx, central, accounts.AuditQuery{SubjectID: first.ID, Limit: 20})
		if err != nil || total != 1 || events[0].Action != "file.read" || events[0].ActorID != helpdesk.AccountID ||
			events[0].ActorName != "Agent helpdesk" || events[0].SubjectName != "Camille Martin" {
			t.Fatalf("ROLE-5 audit search = %+v (%d), %v", events, total, err)
		}

		// ROLE-7: the help desk reads files but neither the duplicates nor the
		// audit trail, and decides nothing; nor do the other roles.
		refused := map[string]domain.Actor{"ROLE-7 help desk": helpdesk, "ROLE-6 guidance": guidance}
		for name, a := range scopedStaff {
			refused[name] = a
		}
		for name, actor := range refused {
			if _, err := e.svc.PendingDuplicates(ctx, actor); !errors.Is(err, accounts.ErrForbidden) {
				t.Errorf("%s listed duplicates: %v", name, err)
			}
			if _, _, err := e.svc.SearchAudit(ctx, actor, accounts.AuditQuery{}); !errors.Is(err, accounts.ErrForbidden) {
				t.Errorf("%s read the audit trail: %v", name, err)
			}
			if err := e.svc.DecideDuplicate(ctx, actor, pending[0].ID, false, "même personne ?"); !errors.Is(err, accounts.ErrForbidden) {
				t.Errorf("%s decided a duplicate: %v", name, err)
			}
		}
		// A review decided meanwhile is reported as such, through the service's error.
		if err := e.svc.DecideDuplicate(ctx, central, pending[0].ID, false, "deux personnes"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DecideDuplicate(ctx, central, pending[0].ID, true, "deux personnes"); !errors.Is(err, accounts.ErrAlreadyDecided) {
			t.Errorf("second decision = %v, want already decided", err)
		}
		if _, err := e.svc.ReadFile(ctx, central, 424242); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("read of nobody = %v, want not found", err)
		}
	})
}
