package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
)

// browser is an HTTP client with cookies that follows redirects, like a person's
// browser without JavaScript.
type browser struct {
	*http.Client
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{Client: &http.Client{Jar: jar}, base: base}
}

func (b *browser) do(t *testing.T, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = b.base + path
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}

var hidden = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signIn walks the real OpenID Connect flow through the development provider:
// the platform's button, the provider's login page, the persona's form, the
// callback. It returns the page the person lands on.
func (b *browser) signIn(t *testing.T, persona string) (*http.Response, string) {
	t.Helper()
	res, page := b.do(t, "POST", "/connexion/fournisseur", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(res.Request.URL.Path, "/dev-idp/connexion") {
		t.Fatalf("sign-in did not reach the provider's login page: %d %s", res.StatusCode, res.Request.URL)
	}
	m := hidden.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no auth request on the login page:\n%.500s", page)
	}
	return b.do(t, "POST", res.Request.URL.Path, url.Values{"id": {m[1]}, "persona": {persona}})
}

func TestSignInThroughTheDevelopmentProvider_ACC3_ACC4_ACC5(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		signInJourney(t, startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo"))
	})
	t.Run("postgres", func(t *testing.T) {
		d, dbURL := dbtest.PostgresURL(t)
		d.Close()
		signInJourney(t, startServe(t, "--db", dbURL, "--demo"))
	})
}

// signInJourney: a candidate signs in, is refused a bad phone number, saves a
// good one, signs out; the same person's second account is held and shown to
// the central service.
func signInJourney(t *testing.T, base string) {
	b := newBrowser(t, base)

	// ACC-5: the sign-in page links to the provider's lost-password page.
	_, page := b.do(t, "GET", "/connexion", nil)
	if !strings.Contains(page, "/dev-idp/mot-de-passe-oublie") || !strings.Contains(page, "Se connecter avec Mon Paris") {
		t.Fatalf("sign-in page:\n%.1500s", page)
	}
	// A protected page sends to the sign-in page and back.
	res, _ := b.do(t, "GET", "/mon-profil", nil)
	if res.Request.URL.Path != "/connexion" || res.Request.URL.Query().Get("retour") != "/mon-profil" {
		t.Fatalf("anonymous /mon-profil went to %s", res.Request.URL)
	}

	res, page = b.signIn(t, "demo-candidate-1")
	if res.Request.URL.Path != "/mon-profil" || !strings.Contains(page, "Camille MARTIN") || !strings.Contains(page, "camille.martin@exemple.fr") {
		i := strings.Index(page, "<main")
		t.Fatalf("after sign-in: %s\n%.800s", res.Request.URL, page[max(i, 0):])
	}
	// ACC-4: phone with letters refused in French, nothing saved; then saved.
	res, page = b.do(t, "POST", "/mon-profil", url.Values{"telephone": {"06 12 AB 56 78"}, "adresse": {"5 rue Parmentier"},
		"code_postal": {"75011"}, "ville": {"Paris"}, "pays": {"FR"}})
	if res.StatusCode != 400 || !strings.Contains(page, "Le numéro de téléphone doit comporter uniquement des chiffres") {
		t.Fatalf("bad phone: %d", res.StatusCode)
	}
	res, page = b.do(t, "POST", "/mon-profil", url.Values{"telephone": {"06 12 34 56 78"}, "adresse": {"5 rue Parmentier"},
		"code_postal": {"75011"}, "ville": {"Paris"}, "pays": {"FR"}})
	if res.StatusCode != 200 || !strings.Contains(page, "Vos coordonnées sont enregistrées") || !strings.Contains(page, `value="06 12 34 56 78"`) {
		t.Fatalf("save profile: %d\n%.500s", res.StatusCode, page)
	}
	// The API answers for the signed-in person only.
	_, me := b.do(t, "GET", "/api/v1/me", nil)
	if !strings.Contains(me, `"email":"camille.martin@exemple.fr"`) {
		t.Fatalf("api/me: %s", me)
	}
	// Sign out: the profile is closed again.
	b.do(t, "POST", "/deconnexion", url.Values{})
	if res, _ := b.do(t, "GET", "/mon-profil", nil); res.Request.URL.Path != "/connexion" {
		t.Fatalf("after sign-out /mon-profil answered at %s", res.Request.URL)
	}
	anon := &http.Client{}
	if res, err := anon.Get(base + "/api/v1/me"); err != nil || res.StatusCode != 401 {
		t.Fatalf("anonymous api/me: %v %v", res.StatusCode, err)
	}

	// ACC-3: the same person's second account is held and shown to staff.
	dup := newBrowser(t, base)
	_, page = dup.signIn(t, "demo-candidate-duplicate")
	if !strings.Contains(page, "Votre compte est en cours de vérification") {
		t.Fatalf("duplicate not held:\n%.800s", page)
	}
	central := newBrowser(t, base)
	res, page = central.signIn(t, "demo-staff-central")
	if res.Request.URL.Path != "/back-office" || !strings.Contains(page, "1 en attente") {
		t.Fatalf("central home: %s\n%.1000s", res.Request.URL, page)
	}
	_, page = central.do(t, "GET", "/back-office/doublons", nil)
	if !strings.Contains(page, "camille.martin.bis@exemple.fr") {
		t.Fatalf("duplicates page lacks the held account")
	}
}

func TestSignInRefusals(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	b := newBrowser(t, base)
	// A callback without the state this browser was given is refused.
	res, page := b.do(t, "GET", "/connexion/retour?state=forged&code=whatever", nil)
	if res.StatusCode != 400 || !strings.Contains(page, "Cette tentative de connexion a expiré ou n&#39;est pas valide") {
		t.Fatalf("forged state: %d", res.StatusCode)
	}
	// Tampered state on a real attempt.
	res, _ = b.do(t, "POST", "/connexion/fournisseur", url.Values{})
	m := hidden.FindStringSubmatch(mustBody(t, b, res.Request.URL.String()))
	client := &http.Client{Jar: b.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"id": {m[1]}, "persona": {"demo-candidate-2"}}
	req, _ := http.NewRequest("POST", res.Request.URL.Scheme+"://"+res.Request.URL.Host+res.Request.URL.Path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r1, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r1.Body.Close()
	// Follow the provider's own redirects until it sends us back to the platform.
	loc := r1.Header.Get("Location")
	for i := 0; i < 5 && !strings.Contains(loc, "/connexion/retour"); i++ {
		r, err := client.Get(absolute(res.Request.URL, loc))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		loc = r.Header.Get("Location")
	}
	u, _ := url.Parse(absolute(res.Request.URL, loc))
	q := u.Query()
	q.Set("state", q.Get("state")+"x")
	u.RawQuery = q.Encode()
	res, page = b.do(t, "GET", u.String(), nil)
	if res.StatusCode != 400 || !strings.Contains(page, "Cette tentative de connexion a expiré") {
		t.Fatalf("tampered state: %d", res.StatusCode)
	}
	if _, me := b.do(t, "GET", "/api/v1/me", nil); !strings.Contains(me, "Unauthorized") {
		t.Fatalf("signed in after a tampered state: %s", me)
	}
}

func mustBody(t *testing.T, b *browser, u string) string {
	_, body := b.do(t, "GET", u, nil)
	return body
}

func absolute(base *url.URL, ref string) string {
	u, err := base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// TestIdleSessionEnds: a session unused for more than two hours ends; an active
// one goes on.
func TestIdleSessionEnds(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	base := startServeAt(t, now, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	b := newBrowser(t, base)
	b.signIn(t, "demo-candidate-2")
	for i := 0; i < 3; i++ { // active every 90 minutes: still signed in after 4 h 30
		advance(90 * time.Minute)
		if res, _ := b.do(t, "GET", "/mon-profil", nil); res.Request.URL.Path != "/mon-profil" {
			t.Fatalf("active session ended after %d steps", i+1)
		}
	}
	advance(2*time.Hour + time.Minute)
	if res, _ := b.do(t, "GET", "/mon-profil", nil); res.Request.URL.Path != "/connexion" {
		t.Fatalf("idle session still open: %s", res.Request.URL)
	}
}

// TestSignedInSessionEndsWithItsAccount: a request reads its session and its
// account in one query (the session row records the account); that account
// row is still checked on every request, so disabling the account or signing
// it out everywhere ends the session at the next request.
func TestSignedInSessionEndsWithItsAccount(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var dbURL string
			if engine == "postgres" {
				d, u := dbtest.PostgresURL(t)
				d.Close()
				dbURL = u
			} else {
				dbURL = "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
			}
			base := startServe(t, "--db", dbURL, "--demo")
			d, err := db.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			for _, end := range []struct{ name, statement string }{
				{"disabled", `UPDATE accounts SET status = 'disabled' WHERE id = $1`},
				{"signed out everywhere", `UPDATE accounts SET session_epoch = session_epoch + 1 WHERE id = $1`},
			} {
				b := newBrowser(t, base)
				b.signIn(t, "demo-candidate-3")
				var account int64
				if err := d.R.QueryRow(`SELECT account_id FROM web_sessions WHERE account_id IS NOT NULL
					ORDER BY expiry DESC LIMIT 1`).Scan(&account); err != nil {
					t.Fatalf("%s: the signed-in session does not record its account: %v", end.name, err)
				}
				if res, _ := b.do(t, "GET", "/mon-profil", nil); res.Request.URL.Path != "/mon-profil" {
					t.Fatalf("%s: signed in, /mon-profil went to %s", end.name, res.Request.URL)
				}
				if _, err := d.W.Exec(end.statement, account); err != nil {
					t.Fatal(err)
				}
				if res, _ := b.do(t, "GET", "/mon-profil", nil); res.Request.URL.Path != "/connexion" {
					t.Errorf("%s: the session goes on (%s)", end.name, res.Request.URL)
				}
				if _, err := d.W.Exec(`UPDATE accounts SET status = 'active' WHERE id = $1`, account); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
