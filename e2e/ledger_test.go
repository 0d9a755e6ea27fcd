package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cma/internal/domain"
)

// TestLedgerJourney_PAY2_ROLE3_director_closes_a_past_day is the régie's
// ledger in the browser. A month after the demo's first fees in Voltaire's
// annual courses, the director, Hélène Dubois, follows the back-office
// home's link to her establishment's régie: the days' totals per mode and
// the journal show the demo's payments. She closes the first past day's
// first mode, the page says so and the button is gone; she downloads the
// journal as CSV (UTF-8 BOM, ';'). The régisseur then reads the same
// establishment without any closing button. Every page passes axe-core at
// phone and desktop width.
func TestLedgerJourney_PAY2_ROLE3_director_closes_a_past_day(t *testing.T) {
	tools := needBrowser(t)
	now := func() time.Time { return time.Date(2026, time.October, 20, 10, 0, 0, 0, domain.Paris()) }
	base, _ := startServerWith(t, now, []string{"--demo-candidatures"}, nil) // the demo's fees come with its candidatures

	director := newBrowser(t, tools)
	if p := signIn(director, base, directorPersona); p != "/back-office" {
		t.Fatalf("the director lands on %s", p)
	}
	director.activate("main a[href^='/back-office/regie/']", "Régie des recettes")
	if p := director.location(); !strings.HasPrefix(p, "/back-office/regie/") {
		t.Fatalf("the régie link leads to %s", p)
	}
	estPath := eval[string](director, `location.pathname`)
	if h1 := eval[string](director, `document.querySelector('main h1').textContent.trim()`); !strings.Contains(h1, "Voltaire") {
		t.Fatalf("the régie page's title %q", h1)
	}
	entries := eval[int](director, `(() => { const t = document.querySelector('main [aria-labelledby=journal-titre] table');
		return t ? t.tBodies[0].rows.length : 0; })()`)
	if entries == 0 {
		t.Fatalf("the journal shows no demo payment:\n%s", eval[string](director, `document.querySelector('main').innerText`))
	}
	t.Logf("the journal shows %d entries of the demo", entries)
	director.checkA11y("the régie page", 30*time.Second)
	director.screenshot("ledger-director-desktop")
	director.emulatePhone()
	director.screenshotScreen("ledger-director-phone", "")
	director.screenshotScreen("ledger-director-phone-days", "journees-titre")
	director.emulateDesktop()

	// --- Close the first past day's first open mode.
	buttons := eval[int](director, `document.querySelectorAll('main form[action$="/cloture"] button').length`)
	if buttons == 0 {
		t.Fatal("no day to close")
	}
	label := eval[string](director, `document.querySelector('main form[action$="/cloture"] button').getAttribute('aria-label')`)
	director.activate("main form[action$='/cloture'] button", "Clôturer la journée")
	msg := doneMessage(director)
	if !strings.HasPrefix(msg, "Journée du ") || !strings.Contains(msg, "clôturée") {
		t.Fatalf("after closing (%s): %q at %s", label, msg, director.location())
	}
	t.Logf("%s → %s", label, msg)
	if left := eval[int](director, `document.querySelectorAll('main form[action$="/cloture"] button').length`); left != buttons-1 {
		t.Fatalf("%d closing buttons left, want %d", left, buttons-1)
	}
	if text := eval[string](director, `document.querySelector('main table').innerText`); !strings.Contains(text, "Clôturée par Hélène Dubois") {
		t.Errorf("the days' table does not show the closing:\n%s", text)
	}
	director.checkA11y("the régie page after a closing", 30*time.Second)
	director.screenshotScreen("ledger-closed-desktop", "journees-titre")

	// --- The CSV for the treasury, as the link downloads it.
	csv := evalAwait[string](director, `(async () => {
		const a = document.querySelector('main a[href*="/journal.csv"]');
		const r = await fetch(a.href, {credentials: 'same-origin'});
		const b = new Uint8Array(await r.arrayBuffer());
		return r.status + ' ' + r.headers.get('content-type') + ' ' + r.headers.get('content-disposition') + '\n' +
			[...b.slice(0, 3)].join(',') + '\n' + new TextDecoder().decode(b.slice(3));
	})()`)
	head, body, _ := strings.Cut(csv, "\n")
	bom, text, _ := strings.Cut(body, "\n")
	if !strings.HasPrefix(head, "200 text/csv") || !strings.Contains(head, ".csv") || bom != "239,187,191" {
		t.Fatalf("the CSV: %s, first bytes %s", head, bom)
	}
	lines := strings.Split(strings.TrimSpace(text), "\r\n")
	if !strings.HasPrefix(lines[0], "Journée;Établissement;Mode;") || len(lines) != entries+1 {
		t.Fatalf("the CSV has %d lines (want %d), header %q", len(lines), entries+1, lines[0])
	}

	// --- The régisseur reads it, and closes nothing.
	regisseur := newBrowser(t, tools)
	if p := signIn(regisseur, base, "Françoise Lefèvre — Régisseuse des recettes (lecture seule)"); p != "/back-office" {
		t.Fatalf("the régisseur lands on %s", p)
	}
	regisseur.activate("main a[href='/back-office/regie']", "Régie des recettes")
	regisseur.checkA11y("the régie's establishments", 30*time.Second)
	regisseur.navigate(base + estPath)
	if n := eval[int](regisseur, `document.querySelectorAll('main form[action$="/cloture"]').length`); n != 0 {
		t.Fatalf("the régisseur sees %d closing buttons", n)
	}
	if text := eval[string](regisseur, `document.querySelector('main .notice').textContent`); !strings.Contains(text, "seul le chef d'établissement") {
		t.Errorf("the régisseur's page does not say it is read only: %q", text)
	}
	regisseur.emulatePhone()
	regisseur.checkA11y("the régie page, read only", 30*time.Second)
	regisseur.screenshotScreen("ledger-regisseur-phone", "")
}

// evalAwait is eval of an expression whose value is a promise: its result.
func evalAwait[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %q: %v", expr, err)
	}
	return v
}
