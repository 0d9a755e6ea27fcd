package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// fixedNow makes the demo data and the class calendars the same on every run:
// mid-September 2026, when candidates browse the catalogue of the 2026-2027 year.
func fixedNow() time.Time { return time.Date(2026, time.September, 15, 10, 0, 0, 0, time.UTC) }

// TestCatalogueJourney_CAT1_CAT2 is a candidate's visit with the keyboard only:
// skip link, keyword search with a weekday (CAT-1), only the courses open to
// candidatures by default, each saying until when, then the closed ones too
// once the box is unchecked; a course page with its class calendar and the
// holidays it skips (CAT-5) and its way back to the search; then the printable
// brochure in HTML and PDF (CAT-2). At phone width the filters sit behind a
// disclosure so that results start on the first screen. Every page passes
// axe-core's WCAG 2.1 AA rules at desktop and phone width, and fits a phone.
func TestCatalogueJourney_CAT1_CAT2(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)

	// --- The catalogue search page, keyboard only (CAT-1).
	b.navigate(base + "/catalogue")
	b.checkA11y("/catalogue", 20*time.Second)
	// At desktop width the filters are in sight, the disclosure's summary hidden.
	type disclosure struct {
		Open, SummaryShown, FieldShown bool
		Summary                        string
	}
	readDisclosure := func() disclosure {
		return eval[disclosure](b, `(() => { const d = document.querySelector('details.filters'), s = d.querySelector('summary');
			return {Open: d.open, SummaryShown: getComputedStyle(s).display !== 'none', Summary: s.textContent.trim(),
				FieldShown: document.getElementById('domaine').checkVisibility()}; })()`)
	}
	if d := readDisclosure(); d.SummaryShown || !d.FieldShown {
		t.Errorf("desktop: filters disclosure %+v, want its summary hidden and the fields shown", d)
	}
	// A session is open on the demo day: the open filter is on at first visit.
	if !eval[bool](b, `document.getElementById('ouverts').checked`) {
		t.Errorf("first visit: the \"ouverts aux candidatures\" box is not checked while a session is open")
	}

	b.press(kb.Tab)
	type skip struct {
		IsSkipLink, IsFirst bool
		Href, Text          string
		Left, Width         float64
	}
	s := eval[skip](b, `(() => {
		const focusable = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
		const e = document.activeElement, r = e.getBoundingClientRect();
		return {IsSkipLink: e.classList.contains('skip-link'), IsFirst: e === document.querySelector(focusable),
			Href: e.getAttribute('href') || '', Text: e.textContent.trim(), Left: r.left, Width: r.width};
	})()`)
	if !s.IsSkipLink || !s.IsFirst {
		t.Fatalf("first Tab: want the skip link as the first focusable element, focus is on %s", b.focused())
	}
	if s.Href != "#contenu" || s.Text != "Aller au contenu" {
		t.Errorf("skip link: href %q text %q, want #contenu \"Aller au contenu\"", s.Href, s.Text)
	}
	if s.Left < 0 || s.Width == 0 {
		t.Errorf("skip link is focused but not on screen (left %.0f, width %.0f)", s.Left, s.Width)
	}
	// Follow the skip link: the next Tab lands on the first field of the main content.
	b.press(kb.Enter)
	b.press(kb.Tab)
	if id := eval[string](b, `document.activeElement.id`); id != "q" {
		t.Fatalf("after the skip link, Tab should reach the keywords field #q; focus is on %s", b.focused())
	}
	if lbl := eval[string](b, `document.activeElement.labels[0].textContent.trim()`); lbl != "Mots-clés" {
		t.Errorf("keywords field label = %q, want %q", lbl, "Mots-clés")
	}
	b.press("anglais")

	// The weekday select, by type-ahead: "mar" chooses Mardi.
	b.tabUntil("the weekday select #jour", `document.activeElement.id === 'jour'`, 12)
	b.press("mar")
	if v := eval[string](b, `document.getElementById('jour').value`); v != "2" {
		t.Fatalf("weekday select after typing \"mar\": value %q, want \"2\" (Mardi)", v)
	}
	b.tabUntil("the search button", `document.activeElement.matches('form[role=search] button[type=submit]')`, 12)
	b.pressAndWaitLoad(kb.Enter)

	// --- The results.
	loc := eval[string](b, `location.pathname + location.search`)
	if !strings.Contains(loc, "q=anglais") || !strings.Contains(loc, "jour=2") {
		t.Fatalf("after submitting the search, location is %s; want q=anglais and jour=2", loc)
	}
	count := eval[string](b, `document.querySelector('.result-count').textContent.trim()`)
	if !regexp.MustCompile(`^(\d+ cours trouvés|1 cours trouvé)$`).MatchString(count) {
		t.Fatalf("result count = %q, want \"N cours trouvés\"", count)
	}
	type result struct{ Title, Schedule string }
	results := eval[[]result](b, `[...document.querySelectorAll('.result-list .result')].map(r => ({
		Title: r.querySelector('h3').textContent.trim(), Schedule: r.querySelector('.facts dd').textContent.trim()}))`)
	if len(results) == 0 {
		t.Fatalf("result count says %q but the list is empty", count)
	}
	t.Logf("search anglais + mardi: %s, first %q (%s)", count, results[0].Title, results[0].Schedule)
	for _, r := range results {
		if !strings.Contains(r.Title, "Anglais") {
			t.Errorf("result %q does not mention Anglais", r.Title)
		}
		if !strings.HasPrefix(r.Schedule, "mardi") {
			t.Errorf("result %q is on %q, not a Tuesday", r.Title, r.Schedule)
		}
	}
	if v := eval[string](b, `document.getElementById('q').value`); v != "anglais" {
		t.Errorf("the results page should keep the keywords in the form: q = %q", v)
	}
	// Every result says its candidatures are open, and until when.
	type badges struct{ Open, Closed, Results int }
	countBadges := func() badges {
		return eval[badges](b, `({Open: [...document.querySelectorAll('.result .badge-open')].filter(e => /^Candidatures ouvertes jusqu'au \d+ \S+ \d{4} inclus$/.test(e.textContent.trim())).length,
			Closed: document.querySelectorAll('.result .badge-closed').length, Results: document.querySelectorAll('.result').length})`)
	}
	if n := countBadges(); n.Open != n.Results || n.Closed != 0 {
		t.Errorf("open filter on: %d results, %d say open until a date, %d say closed", n.Results, n.Open, n.Closed)
	}
	b.checkA11y("the results page", 20*time.Second)
	b.screenshot("catalogue-results-desktop")
	resultsURL := base + loc

	// Uncheck the box with the keyboard: the closed sessions' courses appear, saying so.
	b.do("focus the page top", 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.getElementById('q').focus()`))
	b.tabUntil("the open filter #ouverts", `document.activeElement.id === 'ouverts'`, 15)
	b.press(" ")
	b.tabUntil("the search button", `document.activeElement.matches('form[role=search] button[type=submit]')`, 5)
	b.pressAndWaitLoad(kb.Enter)
	if q := eval[string](b, `location.search`); !strings.Contains(q, "ouverts=non") || strings.Contains(q, "ouverts=1") {
		t.Errorf("box unchecked: the search sent %s, want ouverts=non alone", q)
	}
	if eval[bool](b, `document.getElementById('ouverts').checked`) {
		t.Errorf("box unchecked and submitted: it is checked again")
	}
	if n := countBadges(); n.Closed == 0 || n.Open+n.Closed != n.Results {
		t.Errorf("open filter off: %d results, %d open, %d closed; want closed ones and a badge on each", n.Results, n.Open, n.Closed)
	} else {
		t.Logf("open filter off: %d results on the page, %d open, %d closed", n.Results, n.Open, n.Closed)
	}
	b.navigate(resultsURL)

	// Reach the first result from the top of the page with Tab, open it with Enter.
	b.do("focus the page top", 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	tabs := b.tabUntil("the first result link", `document.activeElement === document.querySelector('.result-list a')`, 40)
	t.Logf("first result reached with %d Tab presses", tabs)
	title := eval[string](b, `document.activeElement.textContent.trim()`)
	href := eval[string](b, `document.activeElement.getAttribute('href')`)
	b.pressAndWaitLoad(kb.Enter)

	// --- The course page: its class calendar skips the holidays (CAT-3, CAT-5).
	if p := eval[string](b, `location.pathname + location.search`); p != href {
		t.Fatalf("Enter on the result link %q: location %s, want %s", title, p, href)
	}
	// Its way back keeps the search's criteria, and it says candidatures are open.
	back := eval[string](b, `(() => { const a = [...document.querySelectorAll('main a')].find(a => a.textContent.trim() === 'Retour à la recherche');
		return a ? a.href : ''; })()`)
	if want := base + "/catalogue?jour=2&ouverts=oui&q=anglais"; back != want {
		t.Errorf("course page: \"Retour à la recherche\" leads to %q, want the search %q", back, want)
	}
	if !eval[bool](b, `!!document.querySelector('.badges .badge-open')`) {
		t.Errorf("course page of an open session: no \"Candidatures ouvertes\" badge")
	}
	if h1 := eval[string](b, `document.querySelector('h1').textContent`); !strings.Contains(h1, strings.Split(title, " – ")[0]) {
		t.Errorf("course page h1 %q does not match the result %q", h1, title)
	}
	if h := eval[string](b, `(document.getElementById('meetings-title') || {textContent: ''}).textContent.trim()`); h != "Calendrier des séances" {
		t.Fatalf("course page: section heading %q, want \"Calendrier des séances\"", h)
	}
	type meeting struct{ Date, Status string }
	skipped := eval[[]meeting](b, `[...document.querySelectorAll('table.meetings tbody tr.skipped')].map(tr => ({
		Date: tr.cells[0].textContent.trim(), Status: tr.cells[2].textContent.trim()}))`)
	held := eval[int](b, `document.querySelectorAll('table.meetings tbody tr:not(.skipped)').length`)
	if held == 0 {
		t.Errorf("course page: the calendar has no class held")
	}
	holiday := false
	for _, m := range skipped {
		if !strings.HasPrefix(m.Status, "Pas de cours : ") {
			t.Errorf("skipped row %s: status %q, want \"Pas de cours : <reason>\"", m.Date, m.Status)
		}
		if strings.Contains(m.Status, "Vacances") {
			holiday = true
		}
	}
	if !holiday {
		t.Errorf("course page %s: no row skipped for school holidays among %d skipped rows %v", href, len(skipped), skipped)
	} else {
		t.Logf("course %s: %d classes held, %d skipped, e.g. %s — %s", href, held, len(skipped), skipped[0].Date, skipped[0].Status)
	}
	b.checkA11y("the course page "+href, 20*time.Second)
	b.screenshot("course-desktop")
	b.navigate(back)
	if again := eval[string](b, `document.querySelector('.result-count').textContent.trim()`); again != count ||
		eval[string](b, `document.getElementById('q').value + ' ' + document.getElementById('jour').value`) != "anglais 2" {
		t.Errorf("back at the search: %q, want the same %q with its criteria in the form", again, count)
	}
	b.navigate(base + href)

	// --- Phone width: nothing scrolls sideways.
	b.do("emulate a 375×812 phone", 5*time.Second, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
	b.noHorizontalScroll("the course page")
	b.screenshotScreen("course-phone", "")
	b.screenshotScreen("course-phone-calendar", "meetings-title")
	b.checkA11y("the course page at phone width", 20*time.Second)
	b.navigate(resultsURL)
	b.noHorizontalScroll("the results page")
	// Results first: the filters are behind a closed disclosure that counts
	// the active ones, and the results start within the first screen.
	d := readDisclosure()
	if d.Open || !d.SummaryShown || d.FieldShown || d.Summary != "Filtres (2 actifs)" {
		t.Errorf("phone: filters disclosure %+v, want closed, its summary \"Filtres (2 actifs)\" shown", d)
	}
	if top := eval[float64](b, `document.getElementById('results-title').getBoundingClientRect().top + window.scrollY`); top > 812 {
		t.Errorf("phone: the results start %.0f px down, below the first screen (812 px)", top)
	}
	b.checkA11y("the results page at phone width", 20*time.Second)
	b.screenshotScreen("catalogue-results-phone-top", "")
	b.screenshotScreen("catalogue-results-phone", "results-title")
	// The summary opens the filters, without JavaScript.
	b.do("open the filters", 5*time.Second, chromedp.Click(chromedp.CSS("details.filters > summary")))
	if d := readDisclosure(); !d.Open || !d.FieldShown {
		t.Errorf("phone: after a click on the summary the filters are %+v", d)
	}
	b.noHorizontalScroll("the results page with its filters open")
	b.checkA11y("the results page at phone width, filters open", 20*time.Second)
	b.screenshotScreen("catalogue-filters-phone", "")
	b.navigate(base + "/catalogue")
	b.noHorizontalScroll("/catalogue")
	b.checkA11y("/catalogue at phone width", 20*time.Second)
	b.navigate(base + "/catalogue/brochure")
	b.noHorizontalScroll("/catalogue/brochure")
	b.emulateDesktop()

	// --- The brochure (CAT-2): the HTML version links to the PDF.
	b.navigate(base + "/catalogue/brochure")
	type link struct{ Text, Href string }
	pdf := eval[link](b, `(() => { const a = document.querySelector('main a[href$=".pdf"]');
		return a ? {Text: a.textContent.trim(), Href: a.getAttribute('href')} : {Text: '', Href: ''}; })()`)
	if pdf.Href != "/catalogue/brochure.pdf" || !strings.Contains(pdf.Text, "PDF") {
		t.Errorf("brochure page: PDF link %+v, want href /catalogue/brochure.pdf and a text that says PDF", pdf)
	}
	if n := eval[int](b, `document.querySelectorAll('.brochure-formation').length`); n < 10 {
		t.Errorf("brochure page lists %d formations, want the whole catalogue", n)
	}
	b.checkA11y("/catalogue/brochure", 45*time.Second)
	checkPDF(t, base+pdf.Href)
}

// checkPDF downloads the brochure from the same server and checks it is a PDF.
func checkPDF(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("download %s: %v", url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("download %s: %v", url, err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download %s: status %s", url, res.Status)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("brochure PDF Content-Type = %q, want application/pdf", ct)
	}
	if !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Errorf("brochure PDF does not start with %%PDF-: %q", body[:min(len(body), 16)])
	}
	if !bytes.Contains(body[max(0, len(body)-1024):], []byte("%%EOF")) {
		t.Errorf("brochure PDF has no %%%%EOF trailer: truncated?")
	}
	if len(body) < 20_000 || len(body) > 50_000_000 {
		t.Errorf("brochure PDF is %d bytes; want between 20 kB and 50 MB for the whole catalogue", len(body))
	}
	t.Logf("brochure PDF: %d bytes, %s", len(body), res.Header.Get("Content-Disposition"))
}
