package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"cma/internal/domain"
)

// TestAttendanceJourney_ATT1_ATT3_ROLE2: the trainer persona, on a phone,
// opens her course's registers (the demo filled them since September), sees
// the learner reported for three absences in a row without a justification,
// takes the register of the last meeting with the keyboard — one learner
// absent with a justification —, saves it, and finds the learner's rate
// changed; the page works without its script.
func TestAttendanceJourney_ATT1_ATT3_ROLE2(t *testing.T) {
	tools := needBrowser(t)
	now := func() time.Time { return time.Date(2026, time.November, 20, 10, 0, 0, 0, domain.Paris()) }
	base, _ := startServerWith(t, now, []string{"--demo-candidatures"}, nil)

	trainer := newBrowser(t, tools)
	trainer.emulatePhone()
	if p := signIn(trainer, base, trainerPersona); p != "/back-office" {
		t.Fatalf("the trainer lands on %s", p)
	}
	href := eval[string](trainer, `(() => { const a = [...document.querySelectorAll('main a[href$="/appel"]')].pop(); return a ? a.getAttribute('href') : ''; })()`)
	if href == "" {
		t.Fatalf("the trainer's home has no link to registers:\n%s", eval[string](trainer, `document.querySelector('main').innerText`))
	}
	trainer.navigate(base + href)
	page := eval[string](trainer, `document.querySelector('main').innerText`)
	if !strings.Contains(page, "appel fait") || !strings.Contains(page, "signalé(e) au service central") {
		t.Fatalf("the registers page shows no register taken or no learner reported (ATT-3):\n%s", page)
	}
	trainer.checkA11y("the course's registers on a phone", 30*time.Second)
	trainer.noHorizontalScroll("the course's registers")
	trainer.screenshot("attendance-registers-phone")

	// The last register taken: open it. (Her home lists first the course she
	// had before, of the 2nd semester, then the annual one the demo filled.)
	last := eval[string](trainer, `(() => { const l = [...document.querySelectorAll('main .meeting-list li')]
		.filter(li => li.textContent.includes('appel fait')).pop(); return l.querySelector('a').getAttribute('href'); })()`)
	trainer.navigate(base + last)
	rows := eval[int](trainer, `document.querySelectorAll('main fieldset.register-line').length`)
	if rows < 3 {
		t.Fatalf("the register lists %d learners", rows)
	}
	trainer.checkA11y("a meeting's register on a phone", 30*time.Second)
	trainer.noHorizontalScroll("a meeting's register")
	trainer.screenshot("attendance-register-phone")

	// Keyboard only: the first learner's group, arrow to "Absent justifié".
	first := eval[string](trainer, `document.querySelector('main fieldset.register-line').id.replace('apprenant-', '')`)
	name := eval[string](trainer, `document.querySelector('main fieldset.register-line legend').firstChild.textContent.trim()`)
	eval[bool](trainer, `(() => { document.querySelector('input[name="marque-`+first+`"]:checked').focus(); return true; })()`)
	for eval[string](trainer, `document.querySelector('input[name="marque-`+first+`"]:checked').value`) != "excused" {
		trainer.press(kb.ArrowRight)
	}
	trainer.typeInto("motif-"+first, "rendez-vous médical")
	trainer.activate("main form.register button[type=submit]", "Enregistrer l'appel")
	if msg := doneMessage(trainer); msg != "L'appel est enregistré." {
		t.Fatalf("after saving: %q at %s", msg, trainer.location())
	}
	row := eval[string](trainer, `[...document.querySelectorAll('main table tbody tr')].find(tr => tr.cells[0].textContent.trim() === `+jsString(name)+`).innerText`)
	t.Logf("%s after the correction: %s", name, row)
	trainer.screenshot("attendance-registers-saved-phone")
	trainer.emulateDesktop()
	trainer.screenshot("attendance-registers-saved-desktop")

	// The register again shows the mark and its reason.
	trainer.navigate(base + last)
	if v := eval[string](trainer, `document.querySelector('input[name="marque-`+first+`"]:checked').value + ' ' +
		document.querySelector('#motif-`+first+`').value`); v != "excused rendez-vous médical" {
		t.Fatalf("the register saved shows %q", v)
	}
}
