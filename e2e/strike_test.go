package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cma/internal/domain"
)

// TestStrikeOffJourney_ATT3: the central service's persona, on a phone,
// opens the strike-off queue, finds the learner the demo reported for three
// absences in a row without a justification, with the days, and strikes
// them off with a motive; the candidature is struck off and the learner
// told (ATT-3, ROLE-5, CON-2).
func TestStrikeOffJourney_ATT3(t *testing.T) {
	tools := needBrowser(t)
	now := func() time.Time { return time.Date(2026, time.November, 20, 10, 0, 0, 0, domain.Paris()) }
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "e2e.db")
	base, _ := startServerWith(t, now, []string{"--db", dbURL, "--demo-candidatures=true"}, nil)
	f := newFiler(t, dbURL, now)
	var cand, course int64
	var start string
	if err := f.st.DB().R.QueryRow(`SELECT candidature_id, course_id, streak_start FROM attendance_flags WHERE decision = ''
		ORDER BY flagged_at LIMIT 1`).Scan(&cand, &course, &start); err != nil {
		t.Fatalf("the demo reported nobody: %v", err)
	}
	key := idText(cand) + "-" + idText(course) + "-" + start[:10]

	central := newBrowser(t, tools)
	central.emulatePhone()
	signIn(central, base, centralPersona)
	central.navigate(base + "/back-office/radiations")
	section := "#signalement-" + key
	if !central.exists(section) {
		t.Fatalf("the queue does not list the demo's report %s:\n%s", key, eval[string](central, `document.querySelector('main').innerText`))
	}
	text := eval[string](central, `document.getElementById('signalement-`+key+`').closest('section').innerText`)
	if !strings.Contains(text, "Absences non justifiées") || !strings.Contains(text, "Radier") {
		t.Fatalf("the report's panel: %q", text)
	}
	central.checkA11y("the strike-off queue on a phone", 30*time.Second)
	central.noHorizontalScroll("the strike-off queue")
	central.screenshot("strike-off-queue-phone")

	central.typeInto("radier-"+key, "aucune nouvelle malgré deux appels")
	central.activate("main form[action$='/radier'] button", "Radier")
	if msg := doneMessage(central); !strings.HasPrefix(msg, "La radiation est prononcée") {
		t.Fatalf("after striking off: %q at %s", msg, central.location())
	}
	central.checkA11y("the strike-off queue after a decision", 30*time.Second)
	central.screenshot("strike-off-done-phone")
	if central.exists(section) {
		t.Error("the report decided is still in the queue")
	}
	var status string
	if err := f.st.DB().R.QueryRow(`SELECT status FROM candidatures WHERE id = $1`, cand).Scan(&status); err != nil ||
		status != string(domain.CandidatureStruckOff) {
		t.Fatalf("the learner's candidature is %q (%v), want struck off", status, err)
	}
	var told int
	if err := f.st.DB().R.QueryRow(`SELECT COUNT(*) FROM messages m JOIN candidatures c ON c.account_id = m.account_id
		WHERE c.id = $1 AND m.kind = 'attendance_struck_off'`, cand).Scan(&told); err != nil || told != 1 {
		t.Fatalf("the learner was told %d times (%v), want 1", told, err)
	}
}
