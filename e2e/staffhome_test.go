package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The staff personas of the demo provider's login page.
const (
	helpdeskPersona = "Nadia Rousseau — Assistance aux usagers"
	guidancePersona = "Marc Girard — Conseiller en orientation"
	trainerPersona  = "Sophie Laurent — Formatrice"
)

// staffWidth is a width the staff journeys walk at.
type staffWidth struct {
	name          string
	width, height int64
	phone         bool
}

var staffWidths = []staffWidth{{"desktop", 1280, 900, false}, {"phone", 375, 812, true}}

// emulate sets the tab's viewport.
func (b *browser) emulate(w staffWidth) {
	b.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if w.phone {
		opts = []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)}
	}
	b.do("emulate "+w.name, 5*time.Second, chromedp.EmulateViewport(w.width, w.height, opts...))
}

// checkPage runs axe-core and, at phone width, checks nothing scrolls sideways.
func (b *browser) checkPage(w staffWidth, name string) {
	b.t.Helper()
	b.checkA11y(name+" ("+w.name+")", 20*time.Second)
	if w.phone {
		b.noHorizontalScroll(name)
	}
}

// h1 is the page's main heading.
func (b *browser) h1() string {
	b.t.Helper()
	return eval[string](b, `(document.querySelector('h1') || {textContent: ''}).textContent.trim()`)
}

// noChangingForm fails when the main part of the page holds a form that posts.
func (b *browser) noChangingForm(name string) {
	b.t.Helper()
	if n := eval[int](b, `document.querySelectorAll('main form[method="post"]').length`); n != 0 {
		b.t.Errorf("ROLE-7 %s: %d form(s) that post, want none", name, n)
	}
}

// TestStaffHomeJourneys_ROLE3_ROLE5_ROLE7 walks, for each staff persona, at
// desktop and phone width, from the back-office home to its work with the
// keyboard (Enter on links), every page axe-clean: the director's figures to
// her establishment's candidatures and a course's list (ROLE-3); the
// central service's session to the candidature list and its next page
// (ROLE-5); the help desk's search to a candidate's file, with no form that
// changes anything (ROLE-7); the guidance staff's assisted registration
// (ROLE-6); the trainer's course (ROLE-2).
func TestStaffHomeJourneys_ROLE3_ROLE5_ROLE7(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	// A candidate signs in once, so that the help desk has someone to find.
	cand := newBrowser(t, tools)
	if p := signIn(cand, base, camillePersona); p == "/connexion" {
		t.Fatalf("candidate sign-in failed")
	}

	journeys := []struct {
		persona string
		walk    func(b *browser, w staffWidth)
	}{
		{directorPersona, func(b *browser, w staffWidth) {
			if n := eval[int](b, `document.querySelectorAll('main a.tile').length`); n != 3 {
				t.Errorf("director's home: %d figures, want 3", n)
			}
			b.activate("main a.tile", eval[string](b, `document.querySelectorAll('main a.tile')[1].textContent.trim()`))
			if p := eval[string](b, `location.pathname`); p != "/back-office/candidatures" || b.h1() != "Candidatures" {
				t.Fatalf("director's candidatures figure: %s, h1 %q", b.location(), b.h1())
			}
			b.checkPage(w, "the director's candidatures")
			b.navigate(base + "/back-office/candidatures")
			if b.h1() != "Candidatures" {
				t.Errorf("ROLE-3 the director's unfiltered list: h1 %q, want Candidatures", b.h1())
			}
			code := eval[string](b, `document.querySelector('#cours-titre ~ div table tbody a[href^="/back-office/cours/"]').textContent.trim()`)
			b.activate("main a[href^='/back-office/cours/']", code)
			if !strings.HasSuffix(b.h1(), code) || eval[int](b, `document.querySelectorAll('#candidatures').length`) != 1 {
				t.Errorf("the course page of %s: h1 %q, no candidatures section", code, b.h1())
			}
			b.checkPage(w, "a course of the director")
		}},
		{centralPersona, func(b *browser, w staffWidth) {
			open := eval[string](b, `(() => { const t = document.querySelector('main .tag'); return t ? t.parentElement.querySelector('a').textContent.trim() : ''; })()`)
			if open == "" {
				t.Fatalf("central home: no session marked open")
			}
			b.activate("main a[href^='/back-office/candidatures?session=']", open)
			if eval[int](b, `document.querySelectorAll('#cours-titre ~ div table tbody tr').length`) != 50 {
				t.Errorf("the session's courses: not 50 rows on a page")
			}
			b.checkPage(w, "the session's candidature list")
			b.activate("nav[aria-label='Pages du tableau des cours'] a[rel=next]", "Page suivante")
			if !strings.Contains(b.location(), "page_cours=2") ||
				eval[string](b, `document.querySelector('nav[aria-label="Pages du tableau des cours"] [aria-current=page]').textContent.trim()`) != "2" {
				t.Errorf("next page: %s", b.location())
			}
			b.checkPage(w, "page 2 of the courses")
		}},
		{helpdeskPersona, func(b *browser, w staffWidth) {
			b.noChangingForm("the help desk's home")
			b.typeInto("q", "martin")
			b.pressAndWaitLoad("\r")
			if p := eval[string](b, `location.pathname`); p != "/back-office/personnes" {
				t.Fatalf("help desk search: %s", b.location())
			}
			b.checkPage(w, "the help desk's search")
			b.activate("main table a[href^='/back-office/personnes/']", "Camille MARTIN")
			if b.h1() != "Camille MARTIN" || eval[int](b, `document.querySelectorAll('main #candidatures').length`) != 1 {
				t.Errorf("Camille's file: h1 %q, no candidatures section", b.h1())
			}
			b.noChangingForm("a candidate's file")
			b.checkPage(w, "a candidate's file, read by the help desk")
		}},
		{guidancePersona, func(b *browser, w staffWidth) {
			b.activate("main a.button", "Commencer une inscription assistée")
			if p := eval[string](b, `location.pathname`); p != "/back-office/inscription-assistee" {
				t.Fatalf("guidance: %s", b.location())
			}
			b.checkPage(w, "the assisted registration")
		}},
		{trainerPersona, func(b *browser, w staffWidth) {
			link := eval[string](b, `(document.querySelector('main a[href^="/back-office/cours/"]') || {textContent: ''}).textContent.trim()`)
			if link == "" {
				t.Fatalf("trainer's home: no course")
			}
			b.activate("main a[href^='/back-office/cours/']", link)
			if b.h1() != link {
				t.Errorf("trainer's course: h1 %q, want %q", b.h1(), link)
			}
			b.checkPage(w, "the trainer's course")
		}},
	}
	for _, j := range journeys {
		b := newBrowser(t, tools)
		if p := signIn(b, base, j.persona); p != "/back-office" {
			t.Fatalf("%s: landed on %s, want /back-office", j.persona, b.location())
		}
		for _, w := range staffWidths {
			b.emulate(w)
			b.navigate(base + "/back-office")
			b.checkPage(w, "the home of "+j.persona)
			b.screenshot("staff-home-" + strings.Fields(j.persona)[0] + "-" + w.name)
			j.walk(b, w)
		}
	}
}
