package app

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
)

// testClock is the platform's clock in a test: it moves only when told.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func sqliteArgs(t *testing.T, more ...string) []string {
	return append([]string{"--db", "sqlite:" + filepath.Join(t.TempDir(), "cma.db"), "--demo"}, more...)
}

var (
	keptAction = regexp.MustCompile(`<form method="post" action="([^"]+)"[^>]*>`)
	keptHidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// keptFields reads the kept-form page: where it posts and its hidden fields.
func keptFields(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	m := keptAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form on the kept-form page:\n%.1500s", page)
	}
	fields := url.Values{}
	for _, f := range keptHidden.FindAllStringSubmatch(page, -1) {
		fields.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return html.UnescapeString(m[1]), fields
}

func profileForm(phone string) url.Values {
	return url.Values{"telephone": {phone}, "adresse": {"12 rue de la Roquette"}, "complement": {"Bâtiment B, 3e étage"},
		"code_postal": {"75011"}, "ville": {"Paris"}, "pays": {"FR"}}
}

// TestSession_form_posted_after_expiry_is_kept_and_sent_after_sign_in: a
// candidate signs in, leaves the profile form open past the idle timeout,
// posts it, signs in again and sends what was kept with one button: the change
// is saved. Nothing typed is lost, and the kept form is sent once.
func TestSession_form_posted_after_expiry_is_kept_and_sent_after_sign_in(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { keptFormJourney(t, sqliteArgs(t)) })
	t.Run("postgres", func(t *testing.T) {
		d, dbURL := dbtest.PostgresURL(t)
		d.Close()
		keptFormJourney(t, []string{"--db", dbURL, "--demo"})
	})
}

func keptFormJourney(t *testing.T, args []string) {
	clock := newTestClock()
	base := startServeAt(t, clock.Now, args...)
	b := newBrowser(t, base)
	b.signIn(t, "demo-candidate-1")

	clock.advance(2*time.Hour + time.Minute)
	res, page := b.do(t, "POST", "/mon-profil", profileForm("06 98 76 54 32"))
	if res.Request.URL.Path != "/connexion" || res.Request.URL.Query().Get("retour") != "/saisie-conservee" ||
		!strings.Contains(page, "Votre session a expiré. Connectez-vous de nouveau : ce que vous aviez saisi a été conservé") {
		t.Fatalf("form posted after the idle timeout went to %s\n%.1500s", res.Request.URL, page)
	}

	res, page = b.signIn(t, "demo-candidate-1")
	if res.Request.URL.Path != "/saisie-conservee" || !strings.Contains(page, "Votre saisie a été conservée") {
		t.Fatalf("after signing in again: %s\n%.1500s", res.Request.URL, page)
	}
	// Something else done first, in another tab: the kept form waits.
	b.do(t, "POST", "/panier/ajouter", url.Values{"cours": {"0"}})
	if res, page = b.do(t, "GET", "/saisie-conservee", nil); res.Request.URL.Path != "/saisie-conservee" {
		t.Fatalf("the kept form went away after another form was sent: %s", res.Request.URL)
	}
	action, fields := keptFields(t, page)
	if action != "/mon-profil" || fields.Get("telephone") != "06 98 76 54 32" || fields.Get("complement") != "Bâtiment B, 3e étage" {
		t.Fatalf("kept form posts to %q with %v", action, fields)
	}
	res, page = b.do(t, "POST", action, fields)
	if res.Request.URL.String() != base+"/mon-profil?enregistre=1" || !strings.Contains(page, "Vos coordonnées sont enregistrées") ||
		!strings.Contains(page, `value="06 98 76 54 32"`) || !strings.Contains(page, `value="12 rue de la Roquette"`) {
		t.Fatalf("kept form sent: %s\n%.1500s", res.Request.URL, page)
	}
	// Sent once: the page has nothing to offer any more.
	if res, _ := b.do(t, "GET", "/saisie-conservee", nil); res.Request.URL.Path != "/mon-profil" {
		t.Fatalf("kept form still offered after it was sent: %s", res.Request.URL)
	}
}

// TestSession_kept_form_only_for_its_account: on a shared computer, the next
// person to sign in never sees or sends the form the previous one left.
func TestSession_kept_form_only_for_its_account(t *testing.T) {
	clock := newTestClock()
	base := startServeAt(t, clock.Now, sqliteArgs(t)...)
	b := newBrowser(t, base)
	b.signIn(t, "demo-candidate-1")
	clock.advance(2*time.Hour + time.Minute)
	if res, _ := b.do(t, "POST", "/mon-profil", profileForm("06 11 11 11 11")); res.Request.URL.Query().Get("retour") != "/saisie-conservee" {
		t.Fatalf("form not kept: %s", res.Request.URL)
	}
	res, page := b.signIn(t, "demo-candidate-2")
	if res.Request.URL.Path != "/mon-profil" || strings.Contains(page, "06 11 11 11 11") {
		t.Fatalf("another account signing in: %s\n%.1000s", res.Request.URL, page)
	}
	if res, page := b.do(t, "GET", "/saisie-conservee", nil); res.Request.URL.Path != "/mon-profil" || strings.Contains(page, "06 11 11 11 11") {
		t.Fatalf("another account reached the kept form: %s", res.Request.URL)
	}
	// The first person signing in afterwards finds nothing kept either.
	b.do(t, "POST", "/deconnexion", url.Values{})
	if res, _ := b.signIn(t, "demo-candidate-1"); res.Request.URL.Path != "/mon-profil" {
		t.Fatalf("the dropped form came back: %s", res.Request.URL)
	}
}

// TestSession_kept_form_asks_for_files_again: files are not kept; the page
// says so and offers the file field again, in a multipart form.
func TestSession_kept_form_asks_for_files_again(t *testing.T) {
	clock := newTestClock()
	base := startServeAt(t, clock.Now, sqliteArgs(t)...)
	b := newBrowser(t, base)
	b.signIn(t, "demo-candidate-1")
	clock.advance(3 * time.Hour)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("telephone", "06 22 22 22 22")
	fw, _ := mw.CreateFormFile("justificatif", "attestation.pdf")
	fw.Write(bytes.Repeat([]byte("%PDF-1.7 "), 100_000)) // 900 kB, more than the fields may keep
	mw.WriteField("ville", "Paris")
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/mon-profil", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.Request.URL.Query().Get("retour") != "/saisie-conservee" {
		t.Fatalf("multipart form not kept: %s", res.Request.URL)
	}
	_, page := b.signIn(t, "demo-candidate-1")
	if !strings.Contains(page, "Les fichiers joints ne peuvent pas être conservés") || !strings.Contains(page, `enctype="multipart/form-data"`) ||
		!strings.Contains(page, `type="file" id="fichier-1" name="justificatif"`) {
		t.Fatalf("kept page does not ask for the file again:\n%.2500s", page)
	}
	if _, fields := keptFields(t, page); fields.Get("telephone") != "06 22 22 22 22" || fields.Get("ville") != "Paris" || fields.Has("justificatif") {
		t.Fatalf("kept fields: %v", fields)
	}
}

// TestSession_staff_idle_30_minutes_candidates_configurable: staff sessions
// end after 30 minutes idle (ASVS 3.3.2 level 2); candidates' after
// --session-idle; any after --session-lifetime, however active.
func TestSession_staff_idle_30_minutes_candidates_configurable(t *testing.T) {
	clock := newTestClock()
	base := startServeAt(t, clock.Now, sqliteArgs(t, "--session-idle", "45m", "--session-lifetime", "3h")...)
	staff, candidate := newBrowser(t, base), newBrowser(t, base)
	staff.signIn(t, "demo-staff-trainer")
	candidate.signIn(t, "demo-candidate-1")
	at := func(b *browser, path string) string {
		res, _ := b.do(t, "GET", path, nil)
		return res.Request.URL.Path
	}
	clock.advance(29 * time.Minute)
	if at(staff, "/back-office") != "/back-office" || at(candidate, "/mon-profil") != "/mon-profil" {
		t.Fatal("a session ended after 29 minutes")
	}
	clock.advance(31 * time.Minute)
	if got := at(staff, "/back-office"); got != "/connexion" {
		t.Fatalf("staff session idle 31 minutes still open: %s", got)
	}
	if got := at(candidate, "/mon-profil"); got != "/mon-profil" {
		t.Fatalf("candidate session idle 31 minutes ended (--session-idle 45m): %s", got)
	}
	clock.advance(46 * time.Minute)
	if got := at(candidate, "/mon-profil"); got != "/connexion" {
		t.Fatalf("candidate session idle 46 minutes still open (--session-idle 45m): %s", got)
	}

	// The absolute lifetime: active every 40 minutes, still ended 3 h after sign-in.
	candidate.signIn(t, "demo-candidate-1")
	for i := 1; i <= 4; i++ {
		clock.advance(40 * time.Minute)
		if got := at(candidate, "/mon-profil"); got != "/mon-profil" {
			t.Fatalf("active session ended after %d min: %s", 40*i, got)
		}
	}
	clock.advance(21 * time.Minute)
	if got := at(candidate, "/mon-profil"); got != "/connexion" {
		t.Fatalf("session still open 3 h 01 after sign-in (--session-lifetime 3h): %s", got)
	}
}

// signInAttempt starts a sign-in as a browser behind a proxy would, with
// forwarded as X-Forwarded-For, and returns the status (303 to the provider,
// or 429 when limited).
func signInAttempt(t *testing.T, base, forwarded string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/connexion/fournisseur", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestTrustedProxies_rate_limits_per_client: behind the city's load balancer
// (--trusted-proxies), each client has its own sign-in bucket; what a client
// writes into X-Forwarded-For itself does not give it a new one.
func TestTrustedProxies_rate_limits_per_client(t *testing.T) {
	base := startServe(t, sqliteArgs(t, "--trusted-proxies", "127.0.0.0/8, ::1")...)
	for i := range 20 {
		if code := signInAttempt(t, base, "203.0.113.1"); code != http.StatusSeeOther {
			t.Fatalf("attempt %d of one client: %d, want 303 to the provider", i+1, code)
		}
	}
	if code := signInAttempt(t, base, "203.0.113.1"); code != http.StatusTooManyRequests {
		t.Fatalf("21st attempt of one client: %d, want 429", code)
	}
	if code := signInAttempt(t, base, "198.51.100.9, 203.0.113.1"); code != http.StatusTooManyRequests {
		t.Fatalf("the same client forging an address on the left: %d, want 429", code)
	}
	if code := signInAttempt(t, base, "203.0.113.2"); code != http.StatusSeeOther {
		t.Fatalf("another client behind the same proxy: %d, want 303 (its own bucket)", code)
	}
}

// TestUntrustedPeer_forged_forwarded_for_keeps_the_peer: without
// --trusted-proxies, X-Forwarded-For is ignored: a client cannot escape its
// bucket by writing a new address into it on every attempt.
func TestUntrustedPeer_forged_forwarded_for_keeps_the_peer(t *testing.T) {
	base := startServe(t, sqliteArgs(t)...)
	for i := range 20 {
		if code := signInAttempt(t, base, "198.51.100."+strconv.Itoa(i+1)); code != http.StatusSeeOther {
			t.Fatalf("attempt %d: %d, want 303", i+1, code)
		}
	}
	if code := signInAttempt(t, base, "198.51.100.200"); code != http.StatusTooManyRequests {
		t.Fatalf("21st attempt with a forged X-Forwarded-For: %d, want 429", code)
	}
}

// TestMetrics_on_their_own_address: /metrics is served on --metrics-addr, not
// on the public site.
func TestMetrics_on_their_own_address(t *testing.T) {
	metrics := make(chan string, 1)
	base := startServeWith(t, func(env *Env) { env.MetricsReady = func(addr string) { metrics <- addr } },
		sqliteArgs(t, "--metrics-addr", "127.0.0.1:0")...)
	if code, _ := get(t, base+"/catalogue"); code != http.StatusOK {
		t.Fatalf("catalogue: %d", code)
	}
	if code, _ := get(t, base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("public /metrics: %d, want 404", code)
	}
	code, body := get(t, "http://"+<-metrics+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, `cma_http_requests_total{code="200",route="GET /catalogue"} 1`) {
		t.Fatalf("metrics address: %d\n%.500s", code, body)
	}
}

// TestSession_cookie_takes_the_Host_prefix_when_secure: with --secure the
// session cookie is __Host-cma_session: Secure, Path=/, no Domain, so no other
// site of the city's domain can set or shadow it.
func TestSession_cookie_takes_the_Host_prefix_when_secure(t *testing.T) {
	for _, tc := range []struct {
		args []string
		name string
	}{{nil, "cma_session"}, {[]string{"--secure"}, "__Host-cma_session"}} {
		base := startServe(t, sqliteArgs(t, tc.args...)...)
		req, _ := http.NewRequest("POST", base+"/connexion/fournisseur", strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var got *http.Cookie
		for _, c := range res.Cookies() {
			if strings.HasSuffix(c.Name, "cma_session") {
				got = c
			}
		}
		switch {
		case got == nil:
			t.Fatalf("%v: no session cookie in %v", tc.args, res.Header["Set-Cookie"])
		case got.Name != tc.name || got.Path != "/" || got.Domain != "" || !got.HttpOnly || got.Secure != (tc.args != nil):
			t.Errorf("%v: cookie %s", tc.args, res.Header.Get("Set-Cookie"))
		}
	}
}

// lockedBuffer is a log a test reads while the server writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestSession_errors_go_through_the_log_and_the_French_page: a session the
// platform cannot read (scs's ErrorFunc) is logged with slog and answered with
// the French error page, not scs's plain-text 500.
func TestSession_errors_go_through_the_log_and_the_French_page(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	var logs lockedBuffer
	base := startServeWith(t, func(env *Env) { env.Stderr = &logs }, "--db", dbURL, "--demo", "--log-format", "json")
	b := newBrowser(t, base)
	b.signIn(t, "demo-candidate-1")
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// The codec's prefix, then bytes that are no session.
	if _, err := d.W.Exec(`UPDATE web_sessions SET data = $1 WHERE account_id IS NOT NULL`, []byte("\x00cma1\xff\xff")); err != nil {
		t.Fatal(err)
	}
	res, page := b.do(t, "GET", "/catalogue", nil)
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(page, "Nous n&#39;avons pas pu afficher cette page") ||
		res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("unreadable session: %d %s\n%.300s", res.StatusCode, res.Header.Get("Content-Type"), page)
	}
	if !strings.Contains(logs.String(), `"msg":"request failed"`) || !strings.Contains(logs.String(), "decode session") {
		t.Fatalf("the session error is not in the log:\n%s", logs.String())
	}
}

func TestHelpNamesTheSessionProxyAndMetricsSettings(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"help"}, testEnv(&out, io.Discard, nil)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--metrics-addr", "--trusted-proxies", "--session-idle", "--session-lifetime", "CMA_METRICS_ADDR",
		"CMA_TRUSTED_PROXIES", "CMA_SESSION_IDLE", "CMA_SESSION_LIFETIME", "__Host-cma_session"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help does not name %s", want)
		}
	}
}
