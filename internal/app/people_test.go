package app

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPeopleSearch_ROLE7_ROLE6_searches_are_audited: a help-desk agent's
// people search and a guidance agent's search for a person to register are
// staff reads of people: the central service finds both in the audit trail,
// with who searched and for what.
func TestPeopleSearch_ROLE7_ROLE6_searches_are_audited(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	helpdesk := newBrowser(t, base)
	helpdesk.signIn(t, "demo-staff-helpdesk")
	if res, page := helpdesk.do(t, "GET", "/back-office/personnes?q=zorglub", nil); res.StatusCode != 200 {
		t.Fatalf("ROLE-7 people search: %d\n%.500s", res.StatusCode, page)
	}
	guidance := newBrowser(t, base)
	guidance.signIn(t, "demo-staff-guidance")
	if res, page := guidance.do(t, "GET", "/back-office/inscription-assistee?q=bidule", nil); res.StatusCode != 200 {
		t.Fatalf("ROLE-6 search: %d\n%.500s", res.StatusCode, page)
	}

	central := newBrowser(t, base)
	central.signIn(t, "demo-staff-central")
	res, page := central.do(t, "GET", "/back-office/journal?action=people.searched", nil)
	if res.StatusCode != 200 {
		t.Fatalf("audit trail: %d", res.StatusCode)
	}
	for _, want := range []string{"recherche de personnes « zorglub » : 0 résultat(s)",
		"recherche pour une inscription assistée « bidule » : 0 résultat(s)", "Recherche de personnes"} {
		if !strings.Contains(page, want) {
			t.Errorf("the audit trail does not show %q:\n%.3000s", want, mainPart(page))
		}
	}
}
