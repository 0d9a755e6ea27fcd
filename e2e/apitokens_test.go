package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAPITokenPageJourney_ROLE5: the central service's member opens "Jetons
// d'API" from the back-office home, is told what is missing when creating a
// token with nothing filled in, creates a read token (typed with the keyboard)
// and sees its secret once, in a field that can be selected and copied; the
// list afterwards shows its prefix, never the secret; then revokes it with a
// reason. At 390 px and 1280 px, every page axe-clean, nothing scrolling
// sideways on the phone.
func TestAPITokenPageJourney_ROLE5(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	secretRE := regexp.MustCompile(`^cma_pat_[a-z2-7]{52}$`)
	for _, w := range []staffWidth{{"desktop", 1280, 900, false}, {"phone-390", 390, 844, true}} {
		t.Run(w.name, func(t *testing.T) {
			b := newBrowser(t, tools)
			if p := signIn(b, base, centralPersona); p != "/back-office" {
				t.Fatalf("sign-in landed on %s", p)
			}
			b.emulate(w)
			b.activate("main a", "Jetons d'API")
			if h := b.h1(); h != "Jetons d'API" {
				t.Fatalf("h1 %q on %s", h, b.location())
			}
			b.checkPage(w, "the token page")

			// Nothing filled in: the summary names the name.
			b.do("empty the name", 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.getElementById('nom').value = ''`))
			b.activate("main form button[type=submit]", "Créer le jeton")
			if got := eval[string](b, `[...document.querySelectorAll('.error-summary a')].map(a => a.getAttribute('href')).join(' ')`); got != "#nom" {
				t.Errorf("error summary links %q, want #nom", got)
			}
			b.checkPage(w, "the token form with an error")

			name := "Annuaire " + w.name
			b.typeInto("nom", name)
			b.activate("main form button[type=submit]", "Créer le jeton")
			secret := eval[string](b, `(document.getElementById('jeton-secret') || {value: ''}).value`)
			if !secretRE.MatchString(secret) {
				t.Fatalf("no secret shown after creation: %q", secret)
			}
			if !strings.Contains(eval[string](b, `document.querySelector('main').textContent`), "il ne sera plus jamais affiché") {
				t.Error("the page does not say the secret is shown once")
			}
			b.checkPage(w, "the created token")
			b.emulate(w) // checkA11y leaves the tab at desktop width
			b.screenshotScreen("apitokens-created-"+w.name, "")

			// Once: the list shown again has the prefix, not the secret.
			b.navigate(base + "/back-office/jetons-api")
			page := eval[string](b, `document.documentElement.outerHTML`)
			if strings.Contains(page, secret) || !strings.Contains(page, secret[:14]+"…") {
				t.Errorf("after reloading, the secret is shown or its prefix is not")
			}
			b.emulate(w)
			b.do("scroll to the list", 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.getElementById('jetons-liste').scrollIntoView()`))
			b.screenshotScreen("apitokens-list-"+w.name, "jetons-liste")

			// Revoke with a reason.
			id := eval[string](b, `[...document.querySelectorAll('tbody tr')].find(r => r.textContent.includes(`+jsString(name)+`)).id.replace('jeton-', '')`)
			b.typeInto("raison-"+id, "essai terminé")
			b.activate("#jeton-"+id+" button[type=submit]", "Révoquer")
			if !strings.Contains(eval[string](b, `document.getElementById('jeton-'+`+jsString(id)+`).textContent`), "Révoqué le") {
				t.Errorf("the token is not shown revoked")
			}
			b.checkPage(w, "the list after a revocation")
		})
	}
}
