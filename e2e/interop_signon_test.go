package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"cma/internal/app"
)

// The sign-on journeys against LemonLDAP::NG (interop/lemonldap): the
// platform on 127.0.0.1:8190, the address registered at the provider for the
// relying party "cma", signs people in through LemonLDAP's portal with its
// Demo users. LemonLDAP is configured as a city leaves it: HS512 ID tokens,
// claims at UserInfo only, no email_verified, a client secret with + / and =,
// consent asked once per user, logout confirmed.

// llngRP is the platform's address in the relying party's registration at
// LemonLDAP (interop/lemonldap/start.sh): its redirect and logout URIs.
const llngRP = "http://127.0.0.1:8190"

// llngButton is the sign-in button for --oidc-name "Mon Paris".
const llngButton = "Se connecter avec Mon Paris"

// The held staff sign-in page (internal/i18n/locales/fr.json, signin.held.*).
const (
	heldTitle       = "Votre connexion doit être confirmée"
	heldNoCandidate = "Aucun compte de candidat n'a été créé à votre nom."
)

// llngPeer is the LemonLDAP::NG that interop/run started.
type llngPeer struct{ issuer, clientID, secret, version string }

// needLemonLDAP skips the test unless interop/run started LemonLDAP::NG, and
// logs which one.
func needLemonLDAP(t *testing.T) llngPeer {
	t.Helper()
	v := needPeer(t, "LemonLDAP::NG", "CMA_INTEROP_OIDC_ISSUER", "CMA_INTEROP_OIDC_CLIENT_ID",
		"CMA_INTEROP_OIDC_CLIENT_SECRET", "CMA_INTEROP_LLNG_VERSION")
	p := llngPeer{issuer: v["CMA_INTEROP_OIDC_ISSUER"], clientID: v["CMA_INTEROP_OIDC_CLIENT_ID"],
		secret: v["CMA_INTEROP_OIDC_CLIENT_SECRET"], version: v["CMA_INTEROP_LLNG_VERSION"]}
	t.Logf("peer: LemonLDAP::NG %s at %s (OpenID Connect provider, relying party %q)", p.version, p.issuer, p.clientID)
	return p
}

// startPlatform runs `cma serve --demo` at the address LemonLDAP knows, signing
// in through it as "Mon Paris", with more arguments (a --db) when given.
func (p llngPeer) startPlatform(t *testing.T, more ...string) *syncBuffer {
	t.Helper()
	args := append([]string{"--addr", "127.0.0.1:8190", "--public-url", llngRP,
		"--oidc-issuer", p.issuer, "--oidc-client-id", p.clientID, "--oidc-name", "Mon Paris"}, more...)
	base, logs := startServerWith(t, time.Now, args, map[string]string{"CMA_OIDC_CLIENT_SECRET": p.secret})
	if base != llngRP {
		t.Fatalf("platform at %s, want %s (the address registered at LemonLDAP)", base, llngRP)
	}
	return logs
}

// onPeer reports whether the tab shows a page of the peer.
func (b *browser) onPeer(p llngPeer) bool {
	return strings.HasPrefix(eval[string](b, `location.href`), p.issuer+"/")
}

// exists reports whether an element matches the CSS selector.
func (b *browser) exists(selector string) bool {
	return eval[bool](b, `document.querySelector(`+jsString(selector)+`) !== null`)
}

// clickAndWaitLoad clicks the element matching the CSS selector and waits
// for the page it loads.
func (b *browser) clickAndWaitLoad(selector string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(selector)))); err != nil {
		b.t.Fatalf("on %s: click %s and wait for the next page: %v", b.location(), selector, err)
	}
}

// startSignIn goes from the platform's /connexion to the peer, with the
// platform's sign-in button.
func (b *browser) startSignIn() {
	b.t.Helper()
	b.navigate(llngRP + "/connexion")
	b.activate("form[action='/connexion/fournisseur'] button[type=submit]", llngButton)
}

// llngLogin fills LemonLDAP's login form as the Demo user (password = login),
// accepts the consent page if LemonLDAP asks (once per user), and returns
// when the browser is back on the platform. Screenshots go to e2e/artifacts.
func (b *browser) llngLogin(p llngPeer, user, shot string) {
	b.t.Helper()
	if !b.onPeer(p) || !b.exists("form#lform input#userfield") {
		b.t.Fatalf("at %s: want LemonLDAP's login form (form#lform with #userfield)", eval[string](b, `location.href`))
	}
	b.screenshot(shot + "-1-llng-login")
	b.do("type "+user+"'s login and password", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS("#userfield"), user), chromedp.SendKeys(chromedp.CSS("#passwordfield"), user))
	b.pressAndWaitLoad(kb.Enter)
	if b.onPeer(p) && b.exists("form#form.confirm .oidc_consent_message") {
		b.screenshot(shot + "-2-llng-consent")
		b.clickAndWaitLoad("form#form.confirm button.positive")
	}
	if b.onPeer(p) {
		b.screenshot(shot + "-llng-stuck")
		b.t.Fatalf("after %s's login: still at LemonLDAP, %s: %q", user, eval[string](b, `location.href`),
			eval[string](b, `(document.querySelector('.message, .alert, main, body') || document.body).innerText.trim().slice(0, 300)`))
	}
}

// me is what /api/v1/me says of the tab's session: its HTTP status and, when
// signed in, the account's kind, email and names. The tab must show a page of
// the platform.
type me struct {
	Status    int    `json:"status"`
	Kind      string `json:"kind"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

func (b *browser) me() me {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[me](`fetch('/api/v1/me', {redirect: 'manual', headers: {Accept: 'application/json'}})
		.then(async r => { const m = r.status === 200 ? await r.json() : {}; return {status: r.status, kind: m.kind || '', email: m.email || '',
			first_name: m.first_name || '', last_name: m.last_name || ''}; })`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("fetch /api/v1/me: %v", err)
	}
	return v
}

// TestInterop_LemonLDAP_ACC3_sign_in: a candidate signs in through
// LemonLDAP::NG as dwho: HS512 ID token, email and name from UserInfo, the
// client secret with + / = at the token endpoint. They land signed in, with
// an account whose email is dwho's, shown in their profile.
func TestInterop_LemonLDAP_ACC3_sign_in(t *testing.T) {
	peer := needLemonLDAP(t)
	tools := needBrowser(t)
	logs := peer.startPlatform(t)
	b := newBrowser(t, tools)
	start := time.Now()

	b.startSignIn()
	// The authorization request as LemonLDAP received it: code flow, PKCE, state and nonce.
	authz, err := url.Parse(eval[string](b, `location.href`))
	if err != nil {
		t.Fatal(err)
	}
	q := authz.Query()
	t.Logf("authorization request: %s?%s", authz.Path, q.Encode())
	for k, want := range map[string]string{"response_type": "code", "client_id": peer.clientID,
		"redirect_uri": llngRP + "/connexion/retour", "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("authorization request: %s=%q, want %q", k, q.Get(k), want)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Get(k) == "" {
			t.Errorf("authorization request without %s", k)
		}
	}
	if !strings.Contains(" "+q.Get("scope")+" ", " email ") {
		t.Errorf("authorization request: scope %q, want email in it (LemonLDAP releases the email claim for that scope)", q.Get("scope"))
	}
	b.llngLogin(peer, "dwho", "llng-acc3-signin")
	b.screenshot("llng-acc3-signin-3-back")
	got := b.me()
	if got.Status != 200 || got.Email != "dwho@badwolf.org" || got.Kind != "candidate" {
		t.Fatalf("after signing in as dwho (at %s): /api/v1/me %+v, want 200, a candidate with dwho@badwolf.org\n%s",
			b.location(), got, lastLines(logs.String(), 15))
	}
	// LemonLDAP's UserInfo has name ("Doctor Who") but neither given_name
	// nor family_name (its default family_name is sn, which Demo users lack).
	t.Logf("account from LemonLDAP's claims: first name %q, last name %q", got.FirstName, got.LastName)
	b.navigate(llngRP + "/mon-profil")
	b.screenshot("llng-acc3-signin-4-profile")
	text := eval[string](b, `document.querySelector('main').innerText`)
	if b.location() != "/mon-profil" || !strings.Contains(text, "dwho@badwolf.org") {
		t.Fatalf("profile at %s does not show dwho@badwolf.org:\n%s", b.location(), text)
	}
	t.Logf("signed in through LemonLDAP::NG %s as dwho in %v", peer.version, time.Since(start).Round(time.Millisecond))
}

// TestInterop_LemonLDAP_ACC3_staff_without_email_verified: rtyler's address is
// a director's staff account; LemonLDAP gives it without email_verified (its
// default claims have none). Signing in through LemonLDAP creates no
// candidate account: the sign-in is held for the central service, and the
// person is told so.
func TestInterop_LemonLDAP_ACC3_staff_without_email_verified(t *testing.T) {
	peer := needLemonLDAP(t)
	tools := needBrowser(t)
	dbPath := filepath.Join(t.TempDir(), "staff.db")
	dbURL := "sqlite:" + dbPath
	var out bytes.Buffer
	env := app.Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &out, Now: time.Now}
	ctx := context.Background()
	if err := app.Run(ctx, []string{"demo", "--db", dbURL}, env); err != nil {
		t.Fatalf("cma demo: %v\n%s", err, out.String())
	}
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var est string
	if err := db.QueryRowContext(ctx, `SELECT code FROM establishments ORDER BY id LIMIT 1`).Scan(&est); err != nil {
		t.Fatalf("a demo establishment: %v", err)
	}
	if err := app.Run(ctx, []string{"user", "add", "--db", dbURL, "--email", "rtyler@badwolf.org", "--role", "director",
		"--establishment", est}, env); err != nil {
		t.Fatalf("cma user add: %v\n%s", err, out.String())
	}
	logs := peer.startPlatform(t, "--db", dbURL)
	b := newBrowser(t, tools)

	b.startSignIn()
	b.llngLogin(peer, "rtyler", "llng-acc3-staff")
	b.screenshot("llng-acc3-staff-3-held")
	text := eval[string](b, `document.body.innerText`)
	if !strings.Contains(text, heldTitle) || !strings.Contains(text, heldNoCandidate) {
		t.Errorf("after rtyler's sign-in (at %s): the page does not say the staff sign-in is held (%q, %q):\n%s\nlog:\n%s",
			b.location(), heldTitle, heldNoCandidate, text, lastLines(logs.String(), 15))
	}
	if got := b.me(); got.Status == 200 {
		t.Errorf("after rtyler's held sign-in: signed in as %+v, want not signed in", got)
	}
	rows, err := db.QueryContext(ctx, `SELECT kind FROM accounts WHERE lower(email) = 'rtyler@badwolf.org' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var kinds []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	if strings.Join(kinds, ",") != "staff" {
		t.Errorf("accounts with rtyler@badwolf.org: %v, want only the staff account (no candidate account created)", kinds)
	}
	// Nor is LemonLDAP's identity (sub "rtyler") bound to any account.
	var bound int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM account_identities WHERE issuer = ? AND subject = 'rtyler'`,
		peer.issuer).Scan(&bound); err != nil {
		t.Fatal(err)
	}
	if bound != 0 {
		t.Errorf("rtyler's LemonLDAP identity is bound to %d account(s), want none until the central service links it", bound)
	}
}

// TestInterop_LemonLDAP_ACC5_sign_out_ends_provider_session: "Se déconnecter"
// in the platform goes through LemonLDAP's logout (confirmed) and back to the
// catalogue; signing in again shows LemonLDAP's login form, not an automatic
// sign-in into the previous account. And the other way: signing out at
// LemonLDAP's portal ends the platform's session. LemonLDAP 2.16 has no
// back-channel logout (its discovery says backchannel_logout_supported false):
// its logout page loads the platform's logout URI in an iframe, with ?iss=…
// and sid=… where sid is the person's sub, the ID token having no sid claim.
func TestInterop_LemonLDAP_ACC5_sign_out_ends_provider_session(t *testing.T) {
	peer := needLemonLDAP(t)
	tools := needBrowser(t)
	logs := peer.startPlatform(t)
	b := newBrowser(t, tools)

	t.Run("in_the_platform", func(t *testing.T) {
		b.t = t
		b.startSignIn()
		b.llngLogin(peer, "dwho", "llng-acc5-out")
		if got := b.me(); got.Status != 200 {
			t.Fatalf("signed in as dwho: /api/v1/me %+v\n%s", got, lastLines(logs.String(), 15))
		}
		b.navigate(llngRP + "/catalogue")
		b.activate("form[action='/deconnexion'] button[type=submit]", "Se déconnecter")
		if !b.onPeer(peer) || !strings.HasPrefix(eval[string](b, `location.pathname`), "/oauth2/logout") {
			t.Fatalf("after \"Se déconnecter\": at %s, want LemonLDAP's end_session endpoint %s/oauth2/logout\n%s",
				eval[string](b, `location.href`), peer.issuer, lastLines(logs.String(), 15))
		}
		b.screenshot("llng-acc5-out-3-llng-confirm")
		if b.exists("form#form.confirm button.positive") { // "Do you want to logout?" (LogoutBypassConfirm off)
			b.clickAndWaitLoad("form#form.confirm button.positive")
		}
		b.screenshot("llng-acc5-out-4-llng-done")
		if b.onPeer(peer) && b.exists("form#form.info button.positive") {
			// LemonLDAP's "signed out" page, with the relying parties' logout
			// iframes, goes on to post_logout_redirect_uri after a timer.
			b.clickAndWaitLoad("form#form.info button.positive")
		}
		if loc := eval[string](b, `location.href`); !strings.HasPrefix(loc, llngRP+"/catalogue") {
			t.Fatalf("after LemonLDAP's logout: at %s, want back at %s/catalogue", loc, llngRP)
		}
		b.screenshot("llng-acc5-out-5-catalogue")
		if got := b.me(); got.Status == 200 {
			t.Errorf("after signing out: still signed in as %+v", got)
		}
		// Signing in again asks for a login: the provider's session ended.
		b.startSignIn()
		if !b.onPeer(peer) || !b.exists("form#lform input#userfield") {
			b.screenshot("llng-acc5-out-6-not-asked")
			t.Fatalf("signing in again after \"Se déconnecter\": at %s, want LemonLDAP's login form (the provider's session ended); /api/v1/me %+v",
				eval[string](b, `location.href`), b.me())
		}
	})

	t.Run("at_the_provider", func(t *testing.T) {
		b.t = t
		// Signing in from LemonLDAP's login form where the first part left the
		// browser. (Not from a second "Se connecter": LemonLDAP 2.16 answers a
		// second authorization request made before the login with the first
		// one's state, which the platform refuses.)
		if !b.onPeer(peer) {
			b.startSignIn()
		}
		b.llngLogin(peer, "dwho", "llng-acc5-in")
		if got := b.me(); got.Status != 200 {
			t.Fatalf("signed in as dwho: /api/v1/me %+v\n%s", got, lastLines(logs.String(), 15))
		}
		logStart := len(logs.String())
		b.navigate(peer.issuer + "/?logout=1")
		waitFrames(b, 10*time.Second) // the platform's logout URI, in an iframe
		b.screenshot("llng-acc5-in-2-llng-logout")
		frames := eval[[]string](b, `[...document.querySelectorAll('iframe')].map(f => f.src)`)
		t.Logf("LemonLDAP's logout page frames: %v", frames)
		b.navigate(llngRP + "/catalogue")
		b.screenshot("llng-acc5-in-3-catalogue")
		if got := b.me(); got.Status == 200 {
			t.Errorf("after signing out at LemonLDAP's portal: the platform's session goes on (%+v); LemonLDAP loaded %v\nlog:\n%s",
				got, frames, lastLines(logs.String()[logStart:], 10))
		}
		// LemonLDAP 2.16 names its session by the person's subject (no sid in
		// its ID tokens): the platform matched it so, from the provider's page.
		if !strings.Contains(logs.String()[logStart:], "matched_by=subject") {
			t.Errorf("front-channel logout not matched by subject; log:\n%s", lastLines(logs.String()[logStart:], 10))
		}
	})
}

// waitFrames waits until every iframe of the page has loaded (the parent
// page's resource timing lists each one then, cross-origin ones too), or
// timeout.
func waitFrames(b *browser, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if eval[bool](b, `(() => { const done = new Set(performance.getEntriesByType('resource')
			.filter(e => e.initiatorType === 'iframe').map(e => e.name));
			return [...document.querySelectorAll('iframe')].every(f => done.has(f.src)); })()`) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Logf("iframes of %s not all loaded after %v", eval[string](b, `location.href`), timeout)
}

// lastLines is the end of a log, for failure messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
