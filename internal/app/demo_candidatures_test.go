package app

import (
	"html"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeDemo_candidatures_owned_by_personas: `serve --demo` loads the
// demo candidatures; the personas who own some see them in their space at
// their first sign-in (their subject linked to the demo's account, not a new
// account held as a duplicate, ACC-3), and a director lists a course's
// candidatures; the annual session's over-subscribed courses show.
func TestServeDemo_candidatures_owned_by_personas(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	base := startServe(t, "--db", dbURL, "--demo", "--demo-candidatures")
	if n := countRows(t, dbURL, `SELECT COUNT(*) FROM candidatures`); n < 1000 {
		t.Errorf("%d demo candidatures, want a thousand or more", n)
	}
	if n := countRows(t, dbURL, `SELECT COUNT(*) FROM (SELECT 1 FROM candidatures c JOIN courses o ON o.id = c.course_id
		JOIN sessions s ON s.id = c.session_id WHERE s.kind = 'annual'
		GROUP BY c.course_id, o.capacity, o.enrolled HAVING COUNT(*) > o.capacity - o.enrolled) x`); n < 10 {
		t.Errorf("%d annual courses over their places, want 10 or more", n)
	}
	for persona, want := range map[string][]string{
		"demo-candidate-5": {"Année 2026-2027"},
		"demo-candidate-6": {"2e semestre 2026-2027"},
	} {
		b := newBrowser(t, base)
		b.signIn(t, persona)
		_, page := b.do(t, "GET", "/mes-candidatures", nil)
		page = html.UnescapeString(mainPart(page))
		if strings.Count(page, "Référence de la validation") < 1 {
			t.Errorf("%s sees no candidature:\n%.2000s", persona, page)
		}
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s's space lacks %q:\n%.2000s", persona, w, page)
			}
		}
	}
	if n := countRows(t, dbURL, `SELECT COUNT(*) FROM accounts WHERE status = 'held'`); n != 0 {
		t.Errorf("%d accounts held as duplicates after the personas signed in", n)
	}
	// The days after the publication (SEL-4): places given up, their seats
	// offered, one declined, one accepted, one expired; on the real clock,
	// three weeks after the first classes, the lists are closed.
	for _, state := range []string{"accepted", "declined", "expired"} {
		if n := countRows(t, dbURL, `SELECT COUNT(*) FROM waiting_offers WHERE state = '`+state+`'`); n < 1 {
			t.Errorf("the demo has no %s offer", state)
		}
	}
	if n := countRows(t, dbURL, `SELECT COUNT(*) FROM candidatures WHERE status = 'given_up'`); n < 2 {
		t.Errorf("%d places given up in the demo, want 2 or more", n)
	}
	// The persona Inès Moreau waits, whatever the lottery, and was offered
	// a seat on 19 September (pending until the 21st: walked with
	// --demo-now 2026-09-20, she accepts or declines it).
	if n := countRows(t, dbURL, `SELECT COUNT(*) FROM waiting_offers o JOIN accounts a ON a.id = o.account_id
		WHERE a.email = 'ines.moreau@exemple.fr'`); n != 1 {
		t.Errorf("Inès Moreau was offered %d seats in the demo, want 1", n)
	}
	// The first evening of the annual classes (SEL-8): a day change waits
	// for the director persona, another for the coordinator's decision.
	for _, state := range []string{"requested", "forwarded"} {
		if n := countRows(t, dbURL, `SELECT COUNT(*) FROM day_changes WHERE state = '`+state+`'`); n != 1 {
			t.Errorf("the demo has %d %s day changes, want 1", n, state)
		}
	}
}
