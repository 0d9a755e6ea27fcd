package accounts

import (
	"testing"

	"cma/internal/domain"
	"cma/internal/i18n"
)

// TestRolesInRecord_ROLE5: the audit trail's record names every role with the
// journal's French label, never its code.
func TestRolesInRecord_ROLE5(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	fr := words.Printer(i18n.French)
	for _, r := range domain.Roles {
		if got, want := roleInRecord[r], fr.T("role."+string(r)); got != want || got == "" {
			t.Errorf("role %s in the record: %q, want the journal's label %q", r, got, want)
		}
	}
	if got := grantsText([]domain.Grant{{Role: domain.RoleDirector, EstablishmentID: 48}}); got != "Chef d'établissement (établissement 48)" {
		t.Errorf("grantsText = %q", got)
	}
}
