package app

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPeopleSearch_ROLE7_help_desk_finds_candidates_only: the help desk's
// people search lists candidates, never staff members, whose files it may not
// read; the central service finds both.
func TestPeopleSearch_ROLE7_help_desk_finds_candidates_only(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	director := newBrowser(t, base)
	director.signIn(t, "demo-staff-director") // accounts exist once signed in
	newBrowser(t, base).signIn(t, "demo-candidate-1")
	helpdesk, central := newBrowser(t, base), newBrowser(t, base)
	helpdesk.signIn(t, "demo-staff-helpdesk")
	central.signIn(t, "demo-staff-central")
	const staffEmail = "directrice.voltaire@paris.exemple"
	if _, page := central.do(t, "GET", "/back-office/personnes?q=dubois", nil); !strings.Contains(page, staffEmail) {
		t.Fatalf("the central service does not find the director:\n%.2000s", mainPart(page))
	}
	if _, page := helpdesk.do(t, "GET", "/back-office/personnes?q=dubois", nil); strings.Contains(page, staffEmail) {
		t.Fatalf("ROLE-7 the help desk finds a staff member:\n%.2000s", mainPart(page))
	}
	if _, page := helpdesk.do(t, "GET", "/back-office/personnes?q=martin", nil); !strings.Contains(page, "camille.martin@exemple.fr") {
		t.Fatalf("ROLE-7 the help desk finds no candidate:\n%.2000s", mainPart(page))
	}
}
