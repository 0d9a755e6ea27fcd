package domain

import (
	"testing"
	"time"
)

// TestCan_ROLE3_ROLE5_regisseur_reads_every_ledger_director_closes_own: the
// régisseur reads every establishment's ledger and nothing else; the
// director reads and closes her own establishment's only; the central
// service reads every one and closes none (the director holds the cash).
func TestCan_ROLE3_ROLE5_regisseur_reads_every_ledger_director_closes_own(t *testing.T) {
	regisseur := Actor{AccountID: 1, Kind: AccountStaff, Grants: []Grant{{Role: RoleRegisseur}}}
	director := Actor{AccountID: 2, Kind: AccountStaff, Grants: []Grant{{Role: RoleDirector, EstablishmentID: 7}}}
	central := Actor{AccountID: 3, Kind: AccountStaff, Grants: []Grant{{Role: RoleCentral}}}
	helpdesk := Actor{AccountID: 4, Kind: AccountStaff, Grants: []Grant{{Role: RoleHelpDesk}}}
	candidate := Actor{AccountID: 5, Kind: AccountCandidate}
	own, other, all := Resource{EstablishmentID: 7}, Resource{EstablishmentID: 8}, Resource{}
	for _, tc := range []struct {
		name  string
		actor Actor
		act   Action
		r     Resource
		want  bool
	}{
		{"régisseur reads an establishment", regisseur, ActReadLedger, own, true},
		{"régisseur reads another", regisseur, ActReadLedger, other, true},
		{"régisseur reads all", regisseur, ActReadLedger, all, true},
		{"régisseur closes nothing", regisseur, ActCloseLedgerDay, own, false},
		{"régisseur reaches the back office", regisseur, ActBackOffice, all, true},
		{"régisseur takes no desk payment", regisseur, ActRecordDeskPayment, own, false},
		{"régisseur reads no person file", regisseur, ActReadPersonFile, Resource{AccountID: 5, AccountKind: AccountCandidate}, false},
		{"régisseur views no course", regisseur, ActViewCourse, own, false},
		{"régisseur reads no audit trail", regisseur, ActReadAudit, all, false},
		{"director reads own", director, ActReadLedger, own, true},
		{"director reads not another", director, ActReadLedger, other, false},
		{"director reads not all", director, ActReadLedger, all, false},
		{"director closes own", director, ActCloseLedgerDay, own, true},
		{"director closes not another", director, ActCloseLedgerDay, other, false},
		{"central reads any", central, ActReadLedger, other, true},
		{"central reads all", central, ActReadLedger, all, true},
		{"central closes none", central, ActCloseLedgerDay, own, false},
		{"help desk reads no ledger", helpdesk, ActReadLedger, own, false},
		{"candidate reads no ledger", candidate, ActReadLedger, own, false},
		{"nobody reads no ledger", Actor{}, ActReadLedger, own, false},
	} {
		if got := Can(tc.actor, tc.act, tc.r); got != tc.want {
			t.Errorf("%s: Can = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !RoleRegisseur.Valid() || RoleRegisseur.ScopeNeeded() != "" {
		t.Errorf("régisseur: valid %v, scope %q", RoleRegisseur.Valid(), RoleRegisseur.ScopeNeeded())
	}
}

// TestLedgerDayClosable_PAY2_only_a_day_before_today_in_Paris: at 00:30 in
// Paris (23:30 UTC the day before), yesterday in Paris is closable and
// today is not, whatever the UTC date says.
func TestLedgerDayClosable_PAY2_only_a_day_before_today_in_Paris(t *testing.T) {
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC) // 3 December, 00:30 in Paris
	for _, tc := range []struct {
		day  time.Time
		want bool
	}{
		{day(2026, 12, 1), true},
		{day(2026, 12, 2), true},
		{day(2026, 12, 3), false},
		{day(2026, 12, 4), false},
	} {
		if got := LedgerDayClosable(tc.day, now); got != tc.want {
			t.Errorf("%s closable at %s: %v, want %v", tc.day.Format(time.DateOnly), now, got, tc.want)
		}
	}
}
