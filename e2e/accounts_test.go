package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The wording the journeys look for (internal/i18n/locales/fr.json, the demo
// provider's pages and internal/domain).
const (
	providerButton  = "Se connecter avec Mon Paris (démo)"
	camillePersona  = "Camille Martin — Candidate adulte"
	directorPersona = "Hélène Dubois — Directrice d'établissement (Voltaire)"
	centralPersona  = "Pierre Bernard — Service central des CMA"
	phoneError      = "Le numéro de téléphone doit comporter uniquement des chiffres, par exemple 06 12 34 56 78 ou +44 20 7946 0958."
	profileSaved    = "Vos coordonnées sont enregistrées."
	accessRefused   = "Accès refusé"
)

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// focusIs is a predicate on document.activeElement: the focused element matches
// the CSS selector and its trimmed text is text.
func focusIs(selector, text string) string {
	return `(document.activeElement.matches(` + jsString(selector) + `) && document.activeElement.textContent.trim() === ` + jsString(text) + `)`
}

// location returns the page's path and query.
func (b *browser) location() string {
	b.t.Helper()
	return eval[string](b, `location.pathname + location.search`)
}

// activate focuses the first element matching selector whose trimmed text is
// text, presses Enter on it and waits for the page it loads. It is how the
// journeys press a button or follow a link without caring how many Tab presses
// away it is; the candidate journey reaches its controls with Tab instead.
func (b *browser) activate(selector, text string) {
	b.t.Helper()
	found := eval[bool](b, `(() => { const e = [...document.querySelectorAll(`+jsString(selector)+`)]
		.find(e => e.textContent.trim() === `+jsString(text)+`); if (!e) return false; e.focus(); return document.activeElement === e; })()`)
	if !found {
		b.t.Fatalf("on %s: no focusable %s with the text %q", b.location(), selector, text)
	}
	b.pressAndWaitLoad(kb.Enter)
}

// typeInto focuses the field with the Tab key, selects what it holds and types
// value over it with the keyboard.
func (b *browser) typeInto(id, value string) {
	b.t.Helper()
	b.do("scroll to the top", 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	b.tabUntil("the field #"+id, `document.activeElement.id === `+jsString(id), 40)
	b.do("select #"+id, 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`))
	b.press(value)
	if got := eval[string](b, `document.getElementById(`+jsString(id)+`).value`); got != value {
		b.t.Fatalf("typed %q into #%s, it holds %q", value, id, got)
	}
}

// signIn goes from /connexion through the demo provider's login page, choosing
// the persona whose button reads persona, and returns the path it lands on.
func signIn(b *browser, base, persona string) string {
	b.t.Helper()
	b.navigate(base + "/connexion")
	b.activate("form[action='/connexion/fournisseur'] button[type=submit]", providerButton)
	if p := eval[string](b, `location.pathname`); p != "/dev-idp/connexion" {
		b.t.Fatalf("after %q: location %s, want the demo provider's login page /dev-idp/connexion", providerButton, b.location())
	}
	b.activate("main form button[type=submit]", persona)
	return eval[string](b, `location.pathname`)
}

// TestCandidateSignInJourney_ACC3_ACC4 is a candidate signing in through the demo
// "Mon Paris" provider (ACC-3), then changing the phone number in "Mon profil"
// (ACC-4) with the keyboard: a wrong number is refused with the error next to
// the field and in the summary, a right one is saved in international form.
// Signing out ends the session. Every page passes axe-core's WCAG 2.1 AA rules,
// the provider's login page included.
func TestCandidateSignInJourney_ACC3_ACC4(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)
	start := time.Now()

	// --- From the catalogue, "Se connecter" in the header.
	b.navigate(base + "/catalogue")
	n := b.tabUntil("the header link Se connecter", focusIs("header a[href='/connexion?retour=%2Fcatalogue']", "Se connecter"), 10)
	t.Logf("header link \"Se connecter\" reached with %d Tab presses", n)
	b.pressAndWaitLoad(kb.Enter)
	if p := eval[string](b, `location.pathname`); p != "/connexion" {
		t.Fatalf("after \"Se connecter\": location %s, want /connexion", b.location())
	}
	b.checkA11y("/connexion", 20*time.Second)

	// --- The sign-in button, then the demo provider's login page.
	b.tabUntil("the button "+providerButton, focusIs("main button[type=submit]", providerButton), 20)
	b.pressAndWaitLoad(kb.Enter)
	loc, err := url.Parse(b.location())
	if err != nil || loc.Path != "/dev-idp/connexion" || loc.Query().Get("id") == "" {
		t.Fatalf("after %q: location %s, want the demo provider's login page /dev-idp/connexion?id=…", providerButton, b.location())
	}
	if h1 := eval[string](b, `document.querySelector('h1').textContent.trim()`); !strings.HasPrefix(h1, "Connexion") {
		t.Errorf("provider login page: h1 %q, want it to start with \"Connexion\"", h1)
	}
	b.checkA11y("the demo provider's login page", 20*time.Second)
	n = b.tabUntil("the persona "+camillePersona, focusIs("main form button[type=submit]", camillePersona), 40)
	t.Logf("persona %q reached with %d Tab presses", camillePersona, n)
	b.pressAndWaitLoad(kb.Enter)

	// --- Back on the catalogue, where "Se connecter" was chosen; then
	// "Mon profil" (ACC-3: the account now exists).
	if p := eval[string](b, `location.pathname`); p != "/catalogue" {
		t.Fatalf("after choosing %q: location %s, want back at /catalogue", camillePersona, b.location())
	}
	b.navigate(base + "/mon-profil")
	if p := eval[string](b, `location.pathname`); p != "/mon-profil" {
		t.Fatalf("signed in, /mon-profil answered at %s", b.location())
	}
	if main := eval[string](b, `document.querySelector('main').textContent`); !strings.Contains(main, "Camille MARTIN") {
		t.Errorf("/mon-profil does not show the name \"Camille MARTIN\"")
	}
	if h := eval[string](b, `[...document.querySelectorAll('header button')].map(e => e.textContent.trim()).join('|')`); !strings.Contains(h, "Se déconnecter") {
		t.Errorf("signed in, the header has no \"Se déconnecter\" button (header buttons: %s)", h)
	}
	b.checkA11y("/mon-profil", 20*time.Second)

	// --- A phone number with letters is refused (ACC-4).
	b.typeInto("telephone", "06 12 AB 56 78")
	b.tabUntil("the button Enregistrer", focusIs("main form[action='/mon-profil'] button[type=submit]", "Enregistrer"), 10)
	b.pressAndWaitLoad(kb.Enter)
	type fieldState struct {
		Value, Error, DescribedBy, Invalid string
		Summary                            []string
		SummaryRole                        string
	}
	const readPhone = `(() => { const f = document.getElementById('telephone'), e = document.getElementById('telephone-error'),
		s = document.querySelector('.error-summary');
		return {Value: f.value, Error: e ? e.textContent.trim() : '', DescribedBy: f.getAttribute('aria-describedby') || '',
			Invalid: f.getAttribute('aria-invalid') || '', SummaryRole: s ? s.getAttribute('role') : '',
			Summary: s ? [...s.querySelectorAll('a[href="#telephone"]')].map(a => a.textContent.trim()) : []}; })()`
	st := eval[fieldState](b, readPhone)
	if st.Error != phoneError {
		t.Errorf("phone error next to the field = %q, want %q", st.Error, phoneError)
	}
	if st.Invalid != "true" || !strings.Contains(st.DescribedBy, "telephone-error") {
		t.Errorf("phone field: aria-invalid %q, aria-describedby %q; want true and a reference to #telephone-error", st.Invalid, st.DescribedBy)
	}
	if st.SummaryRole != "alert" || len(st.Summary) != 1 || st.Summary[0] != phoneError {
		t.Errorf("error summary: role %q, links to #telephone %q; want role=alert and one link %q", st.SummaryRole, st.Summary, phoneError)
	}
	if st.Value != "06 12 AB 56 78" {
		t.Errorf("after the error the phone field holds %q, want what was typed", st.Value)
	}
	if n := eval[int](b, `document.querySelectorAll('.success').length`); n != 0 {
		t.Errorf("the error state also shows %d success message(s)", n)
	}
	b.checkA11y("/mon-profil with an error", 20*time.Second)

	// --- The right number is saved, in international form.
	b.typeInto("telephone", "06 12 34 56 78")
	b.tabUntil("the button Enregistrer", focusIs("main form[action='/mon-profil'] button[type=submit]", "Enregistrer"), 10)
	b.pressAndWaitLoad(kb.Enter)
	if p := eval[string](b, `location.pathname`); p != "/mon-profil" {
		t.Fatalf("after saving: location %s, want /mon-profil", b.location())
	}
	if msg := eval[string](b, `(document.querySelector('main [role=status]') || {textContent: ''}).textContent.trim()`); msg != profileSaved {
		t.Errorf("after saving: status message %q, want %q", msg, profileSaved)
	}
	st = eval[fieldState](b, readPhone)
	if st.Value != "06 12 34 56 78" {
		t.Errorf("after saving, the phone field holds %q, want the normalised 06 12 34 56 78", st.Value)
	}
	if st.Error != "" || st.Invalid != "" || st.SummaryRole != "" {
		t.Errorf("after saving, an error is still shown: %+v", st)
	}
	b.screenshot("profile-desktop")

	// --- Signing out with the header button ends the session.
	b.do("scroll to the top", 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	b.tabUntil("the header button Se déconnecter", focusIs("header form[action='/deconnexion'] button", "Se déconnecter"), 10)
	b.pressAndWaitLoad(kb.Enter)
	if n := eval[int](b, `document.querySelectorAll('header form[action="/deconnexion"]').length`); n != 0 {
		t.Errorf("after signing out (%s), the header still has a sign-out button", b.location())
	}
	// The sign-out went through the provider's end_session_endpoint (ACC-5
	// area: the next person at the computer is not signed straight back in)
	// and came back to the catalogue with the state it was given.
	if p, q := eval[string](b, `location.pathname`), eval[string](b, `location.search`); p != "/catalogue" || !strings.HasPrefix(q, "?state=") {
		t.Errorf("after signing out: location %s, want /catalogue?state=… back from the provider", b.location())
	}
	b.navigate(base + "/mon-profil")
	if p := eval[string](b, `location.pathname`); p != "/connexion" {
		t.Errorf("signed out, /mon-profil leads to %s, want a redirect to /connexion", b.location())
	}
	t.Logf("journey took %v", time.Since(start).Round(time.Millisecond))
}

// TestDirectorScope_ROLE3 signs in as the director of Voltaire: the back office
// lists that establishment, its page shows its courses, and another
// establishment's page is refused with 403 "Accès refusé" (ROLE-3).
func TestDirectorScope_ROLE3(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)
	start := time.Now()

	if p := signIn(b, base, directorPersona); p != "/back-office" {
		t.Fatalf("after choosing %q: location %s, want /back-office", directorPersona, b.location())
	}
	type link struct{ Href, Text string }
	links := eval[[]link](b, `[...document.querySelectorAll('main a[href^="/back-office/etablissements/"]:not(.tile)')].map(a => ({Href: a.getAttribute('href'), Text: a.textContent.trim()}))`)
	if len(links) != 1 {
		t.Fatalf("director's back-office home: links to establishments %v, want exactly one (her own)", links)
	}
	own := links[0]
	if !strings.Contains(own.Text, "Voltaire") {
		t.Errorf("director's establishment link %q does not name Voltaire", own.Text)
	}
	ownID, err := strconv.ParseInt(strings.TrimPrefix(own.Href, "/back-office/etablissements/"), 10, 64)
	if err != nil {
		t.Fatalf("establishment link %q: no id: %v", own.Href, err)
	}
	b.checkA11y("/back-office (director)", 20*time.Second)
	b.screenshot("backoffice-home-director")

	// --- Her establishment: 200 and its courses.
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	res, err := chromedp.RunResponse(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const a = document.querySelector('main a[href=`+jsString(own.Href)+`]'); a.focus(); })()`),
		chromedp.KeyEvent(kb.Enter))
	cancel()
	if err != nil {
		t.Fatalf("open %s with Enter: %v", own.Href, err)
	}
	if res.Status != http.StatusOK {
		t.Errorf("%s: status %d, want 200", own.Href, res.Status)
	}
	if p := eval[string](b, `location.pathname`); p != own.Href {
		t.Fatalf("Enter on the establishment link: location %s, want %s", p, own.Href)
	}
	if h1 := eval[string](b, `document.querySelector('h1').textContent.trim()`); h1 != own.Text {
		t.Errorf("establishment page h1 %q, want %q", h1, own.Text)
	}
	rows := eval[int](b, `document.querySelectorAll('main table.data-table tbody tr').length`)
	if rows == 0 {
		t.Errorf("establishment page %s: no course table, or an empty one", own.Href)
	}
	t.Logf("establishment %d (%s): %d courses", ownID, own.Text, rows)

	// --- Another establishment: refused.
	otherID, otherName := otherEstablishment(t, base, ownID)
	otherURL := base + "/back-office/etablissements/" + strconv.FormatInt(otherID, 10)
	ctx, cancel = context.WithTimeout(b.ctx, 15*time.Second)
	res, err = chromedp.Run(ctx, chromedp.NavigateResponse(otherURL))
	cancel()
	if err != nil {
		t.Fatalf("navigate to %s: %v", otherURL, err)
	}
	if res.Status != http.StatusForbidden {
		t.Errorf("director on another establishment's page (%d, %s): status %d, want 403", otherID, otherName, res.Status)
	}
	if h1 := eval[string](b, `document.querySelector('h1').textContent.trim()`); h1 != accessRefused {
		t.Errorf("another establishment's page: h1 %q, want %q", h1, accessRefused)
	}
	if title := eval[string](b, `document.title`); !strings.HasPrefix(title, accessRefused) {
		t.Errorf("another establishment's page: title %q, want it to start with %q", title, accessRefused)
	}
	if main := eval[string](b, `document.querySelector('main').textContent`); strings.Contains(main, otherName) ||
		eval[int](b, `document.querySelectorAll('table').length`) != 0 {
		t.Errorf("the refusal page shows something of establishment %q", otherName)
	}
	b.checkA11y("the refusal page", 20*time.Second)
	t.Logf("establishment %d (%s) refused; journey took %v", otherID, otherName, time.Since(start).Round(time.Millisecond))
}

// otherEstablishment finds, in the public catalogue API, an establishment that
// has courses and is not the one with the id own.
func otherEstablishment(t *testing.T, base string, own int64) (int64, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/courses?par_page=100", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("catalogue API: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("catalogue API: status %s", res.Status)
	}
	var list struct {
		Items []struct {
			Establishment struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"establishment"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		t.Fatalf("catalogue API: %v", err)
	}
	for _, c := range list.Items {
		if e := c.Establishment; e.ID != 0 && e.ID != own {
			return e.ID, e.Name
		}
	}
	t.Fatalf("catalogue API: %d courses, none outside establishment %d", len(list.Items), own)
	return 0, ""
}

// TestStaffFormsJourney_ROLE5_ACC4 is the central service correcting a
// person's identity (ACC-4, ROLE-5): found by name in the people search, a
// correction wrong in every field (an emoji, 101 characters, a malformed date,
// no reason) is refused with every error at once, in a summary linking to each
// field and next to each field, the form keeping what was typed; the assisted
// registration refuses an email another account uses with a link to that
// account's file; the journal finds the person by name. Every page passes
// axe-core at desktop and phone width.
func TestStaffFormsJourney_ROLE5_ACC4(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)
	start := time.Now()

	// Camille's account exists once she has signed in; then she signs out.
	if p := signIn(b, base, camillePersona); p != "/mon-profil" {
		t.Fatalf("after choosing %q: location %s, want /mon-profil", camillePersona, b.location())
	}
	b.activate("header form[action='/deconnexion'] button", "Se déconnecter")
	if p := signIn(b, base, centralPersona); p != "/back-office" {
		t.Fatalf("after choosing %q: location %s, want /back-office", centralPersona, b.location())
	}

	// --- Found by name.
	b.navigate(base + "/back-office/personnes")
	b.typeInto("q", "martin")
	b.activate("main form[role=search] button[type=submit]", "Rechercher")
	b.activate("main table a", "Camille MARTIN")
	if p := eval[string](b, `location.pathname`); !strings.HasPrefix(p, "/back-office/personnes/") {
		t.Fatalf("Camille's link leads to %s", b.location())
	}
	file := eval[string](b, `location.pathname`)

	// --- A correction wrong in every field.
	long := strings.Repeat("a", 101)
	b.do("fill the correction", 5*time.Second, chromedp.Evaluate[chromedp.Void](`(() => {
		const set = (id, v) => { const e = document.getElementById(id); e.type === 'date' ? e.type = 'text' : null; e.value = v; };
		set('prenom', 'Camille 😀'); set('nom', `+jsString(long)+`); set('naissance', '14/03/1988'); set('raison', ''); })()`))
	b.activate("main form button[type=submit]", "Enregistrer la correction")
	type refused struct {
		Summary, Errors []string
		First, Last     string
		Role            string
	}
	const readRefused = `(() => { const s = document.querySelector('.error-summary');
		return {Summary: s ? [...s.querySelectorAll('a')].map(a => a.getAttribute('href')) : [],
			Errors: [...document.querySelectorAll('main .error-message')].map(e => e.id),
			First: document.getElementById('prenom').value, Last: document.getElementById('nom').value,
			Role: s ? s.getAttribute('role') : ''}; })()`
	r := eval[refused](b, readRefused)
	if got := strings.Join(r.Summary, " "); got != "#prenom #nom #naissance #raison" {
		t.Errorf("the error summary links to %q, want every field: #prenom #nom #naissance #raison", got)
	}
	if got := strings.Join(r.Errors, " "); got != "prenom-error nom-error naissance-error raison-error" {
		t.Errorf("errors next to the fields: %q, want one next to each", got)
	}
	if r.First != "Camille 😀" || r.Last != long || r.Role != "alert" {
		t.Errorf("the refused form holds %q and %q (summary role %q), want what was typed and role=alert", r.First, r.Last, r.Role)
	}
	b.checkA11y("a refused correction (desktop)", 20*time.Second)
	b.screenshot("staff-correction-refused-desktop")
	b.do("emulate a 375×812 phone", 5*time.Second, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
	b.checkA11y("a refused correction (phone)", 20*time.Second)
	b.noHorizontalScroll("a refused correction")
	b.screenshot("staff-correction-refused-phone")

	// --- Right names are saved.
	b.typeInto("prenom", "Camille-Éléonore")
	b.typeInto("nom", "d'Artagnan")
	b.do("fill the date and reason", 5*time.Second, chromedp.Evaluate[chromedp.Void](`(() => {
		const d = document.getElementById('naissance'); d.type = 'date'; d.value = '1988-03-14';
		document.getElementById('raison').value = 'acte de naissance'; })()`))
	b.activate("main form button[type=submit]", "Enregistrer la correction")
	if h1 := eval[string](b, `document.querySelector('h1').textContent.trim()`); h1 != "Camille-Éléonore D'ARTAGNAN" {
		t.Errorf("after the correction the file's title is %q", h1)
	}

	// --- Assisted registration with Camille's email.
	b.navigate(base + "/back-office/inscription-assistee")
	b.typeInto("prenom", "Léa")
	b.typeInto("nom", "Petit3")
	b.typeInto("email", "camille.martin@exemple.fr")
	b.activate("main form button[type=submit]", "Créer le compte et ouvrir son panier")
	r = eval[refused](b, readRefused)
	if got := strings.Join(r.Summary, " "); got != "#nom #email #naissance" {
		t.Errorf("assisted registration: the error summary links to %q, want #nom #email #naissance", got)
	}
	if href := eval[string](b, `(document.querySelector('main .field-link a') || {}).getAttribute?.('href') || ''`); href != file {
		t.Errorf("the taken email links to %q, want Camille's file %s", href, file)
	}
	b.checkA11y("a refused assisted registration (phone)", 20*time.Second)
	b.noHorizontalScroll("a refused assisted registration")
	b.screenshot("staff-assisted-refused-phone")

	// --- The journal, filtered on a person found by name.
	b.navigate(base + "/back-office/journal")
	b.typeInto("personne", "artagnan")
	b.activate("main form[role=search] button[type=submit]", "Rechercher")
	if shown := eval[string](b, `(document.querySelector('main a[href="`+file+`"]') || {textContent: ''}).textContent.trim()`); shown == "" {
		t.Errorf("the journal filtered on \"artagnan\" does not name Camille's file %s", file)
	}
	if main := eval[string](b, `document.querySelector('main').textContent`); !strings.Contains(main, "Identité corrigée") || strings.Contains(main, "identity.corrected") {
		t.Errorf("the journal does not word the correction in French")
	}
	b.checkA11y("the journal on a person (phone)", 20*time.Second)
	b.noHorizontalScroll("the journal on a person")
	b.do("back to desktop width", 5*time.Second, chromedp.EmulateViewport(1280, 900))
	b.checkA11y("the journal on a person (desktop)", 20*time.Second)
	b.screenshot("staff-journal-desktop")
	t.Logf("journey took %v", time.Since(start).Round(time.Millisecond))
}
