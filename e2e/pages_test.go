package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestInfoPages_axe_at_phone_and_desktop: the footer of the catalogue links
// to the help page, the accessibility statement, the legal notice and the
// personal data page; each passes axe-core's WCAG 2.1 AA rules at desktop and
// at phone width, and fits the phone's width. The help page's table of
// contents leads to its answers without JavaScript, the English version
// exists, and both favicons answer.
func TestInfoPages_axe_at_phone_and_desktop(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)

	b.navigate(base + "/catalogue")
	type link struct{ Text, Href string }
	links := eval[[]link](b, `[...document.querySelectorAll('footer nav a')].map(a => ({Text: a.textContent.trim(), Href: a.getAttribute('href')}))`)
	want := map[string]string{"/aide": "Aide", "/accessibilite": "Accessibilité : non conforme",
		"/mentions-legales": "Mentions légales", "/donnees-personnelles": "Données personnelles"}
	for _, l := range links {
		if want[l.Href] == l.Text {
			delete(want, l.Href)
		}
	}
	if len(want) > 0 {
		t.Fatalf("the footer's links %v miss %v", links, want)
	}

	pages := []string{"/aide", "/accessibilite", "/mentions-legales", "/donnees-personnelles"}
	for _, p := range pages {
		b.navigate(base + p)
		b.checkA11y(p, 30*time.Second)
		b.screenshot("info" + strings.ReplaceAll(p, "/", "-") + "-desktop")
	}

	// The table of contents: plain anchors to each theme and question.
	b.navigate(base + "/aide")
	anchors := eval[[]string](b, `[...document.querySelectorAll('nav.info-contents a')].map(a => a.getAttribute('href'))`)
	if len(anchors) < 30 {
		t.Errorf("the help page's contents has %d links, want every theme and question", len(anchors))
	}
	for _, a := range anchors {
		if !strings.HasPrefix(a, "#") || !eval[bool](b, `!!document.getElementById(`+jsString(a[1:])+`)`) {
			t.Errorf("contents link %q leads nowhere", a)
		}
	}
	b.do("follow the half-tariff question", 10*time.Second, chromedp.Evaluate[chromedp.Void](`document.querySelector('nav.info-contents a[href="#demi-tarif"]').click()`))
	if h := eval[string](b, `location.hash`); h != "#demi-tarif" {
		t.Errorf("after the contents link the address ends in %q", h)
	}

	// Phone width.
	b.do("emulate a 375×812 phone", 5*time.Second, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
	for _, p := range pages {
		b.navigate(base + p)
		b.noHorizontalScroll(p)
		b.checkA11y(p+" at phone width", 30*time.Second)
		b.screenshotScreen("info"+strings.ReplaceAll(p, "/", "-")+"-phone", "")
	}
	b.do("back to the desktop viewport", 5*time.Second, chromedp.ResetViewport())

	// English: the language switch on the help page.
	b.navigate(base + "/aide")
	b.do("switch to English", 15*time.Second, chromedp.Evaluate[chromedp.Void](`document.querySelector('form.lang-form button').click()`), chromedp.WaitReady(chromedp.CSS(`html[lang="en"] footer`)))
	if h1 := eval[string](b, `document.querySelector('h1').textContent`); h1 != "Help" {
		t.Errorf("English help page: h1 %q", h1)
	}
	b.checkA11y("/aide in English", 30*time.Second)
	b.navigate(base + "/accessibilite")
	if !strings.Contains(eval[string](b, `document.querySelector('main').textContent`), "not compliant") {
		t.Error("the English accessibility statement does not give the conformity status")
	}

	for _, icon := range []string{"/favicon.svg", "/favicon.ico"} {
		res, err := http.Get(base + icon)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
			t.Errorf("%s: %d %s", icon, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}
