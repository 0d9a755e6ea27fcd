package app

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cma/internal/auth"
)

var (
	headerSignIn = regexp.MustCompile(`<li><a href="(/connexion[^"]*)">Se connecter</a></li>`)
	returnField  = regexp.MustCompile(`name="retour" value="([^"]*)"> <input type="hidden" name="fournisseur"`)
)

// signInReturning walks the development sign-on from the platform's button,
// as signIn does, with the sign-in page's return.
func (b *browser) signInReturning(t *testing.T, retour, persona string) *http.Response {
	t.Helper()
	res, page := b.do(t, "POST", "/connexion/fournisseur", url.Values{"retour": {retour}})
	if res.StatusCode != 200 || !strings.Contains(res.Request.URL.Path, "/dev-idp/connexion") {
		t.Fatalf("sign-in did not reach the provider's login page: %d %s", res.StatusCode, res.Request.URL)
	}
	m := hidden.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no auth request on the login page:\n%.500s", page)
	}
	res, _ = b.do(t, "POST", res.Request.URL.Path, url.Values{"id": {m[1]}, "persona": {persona}})
	return res
}

// TestSignInReturnsToThePage: the header's "Se connecter" on a search page
// leads, through the development OpenID Connect provider, back to that
// search; a return to another site is refused and the person lands home.
func TestSignInReturnsToThePage(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")

	for _, persona := range []string{"demo-candidate-1", "demo-staff-central"} {
		b := newBrowser(t, base)
		const search = "/catalogue?q=anglais&jour=2"
		_, page := b.do(t, "GET", search, nil)
		link := headerSignIn.FindStringSubmatch(page)
		if link == nil {
			t.Fatalf("no sign-in link in the header of %s", search)
		}
		_, page = b.do(t, "GET", html.UnescapeString(link[1]), nil)
		ret := returnField.FindStringSubmatch(page)
		if ret == nil || html.UnescapeString(ret[1]) != search {
			t.Fatalf("%s: the sign-in page's return is %v, want %s", persona, ret, search)
		}
		res := b.signInReturning(t, html.UnescapeString(ret[1]), persona)
		if got := res.Request.URL.RequestURI(); got != search {
			t.Errorf("%s: after sign-in at %s, want back at %s", persona, got, search)
		}
	}

	for _, evil := range []string{"https://evil.example/", "//evil.example/catalogue", `/\evil.example`, "http:/evil.example"} {
		b := newBrowser(t, base)
		_, page := b.do(t, "GET", "/connexion?retour="+url.QueryEscape(evil), nil)
		if ret := returnField.FindStringSubmatch(page); ret == nil || ret[1] != "" {
			t.Errorf("retour=%s: the sign-in page keeps %v", evil, ret)
		}
		// Even posted by hand, the return is refused: the person lands home.
		res := b.signInReturning(t, evil, "demo-candidate-2")
		if res.Request.URL.Host != strings.TrimPrefix(base, "http://") || res.Request.URL.Path != "/mon-profil" {
			t.Errorf("retour=%s: after sign-in at %s, want %s/mon-profil", evil, res.Request.URL, base)
		}
	}
}

// TestStaffPasswordSignInReturnsToThePage_ROLE5: from the sign-in page, the
// staff link keeps the return through the password and the second factor; a
// return to another site is dropped for the back office.
func TestStaffPasswordSignInReturnsToThePage_ROLE5(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	var out bytes.Buffer
	env := testEnv(&out, io.Discard, nil)
	env.Stdin = strings.NewReader("un mot de passe solide\n")
	if err := Run(context.Background(), []string{"user", "add", "--db", dbURL, "--email", "chef.service@ville.exemple",
		"--role", "central", "--first-name", "Nadia", "--last-name", "Roux", "--password-stdin"}, env); err != nil {
		t.Fatal(err)
	}
	secret := regexp.MustCompile(`secret=([A-Z2-7]+)`).FindStringSubmatch(out.String())[1]
	base := startServe(t, "--db", dbURL)
	staffLink := regexp.MustCompile(`<a href="(/connexion/personnel[^"]*)">`)
	staffReturn := regexp.MustCompile(`action="/connexion/personnel" class="stack" novalidate><input type="hidden" name="retour" value="([^"]*)">`)
	for i, tc := range []struct{ from, want string }{
		{"/catalogue?q=anglais&jour=2", "/catalogue?q=anglais&jour=2"},
		{"https://evil.example/", "/back-office"},
	} {
		b := newBrowser(t, base)
		_, page := b.do(t, "GET", "/connexion?retour="+url.QueryEscape(tc.from), nil)
		link := staffLink.FindStringSubmatch(page)
		if link == nil {
			t.Fatal("no staff sign-in link")
		}
		_, page = b.do(t, "GET", html.UnescapeString(link[1]), nil)
		form := url.Values{"email": {"chef.service@ville.exemple"}, "motdepasse": {"un mot de passe solide"}}
		if m := staffReturn.FindStringSubmatch(page); m != nil {
			form.Set("retour", html.UnescapeString(m[1]))
		} else if tc.want != "/back-office" {
			t.Fatalf("%s: the staff form does not carry the return", tc.from)
		}
		if tc.want == "/back-office" {
			form.Set("retour", tc.from) // posted by hand: still refused
		}
		res, _ := b.do(t, "POST", "/connexion/personnel", form)
		if res.Request.URL.Path != "/connexion/personnel/code" {
			t.Fatalf("password accepted but landed on %s", res.Request.URL)
		}
		// Each code opens one session only: wait for the next one.
		code, err := auth.TOTPCode(secret, testEnv(nil, nil, nil).Now().Add(time.Duration(i)*30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		res, _ = b.do(t, "POST", "/connexion/personnel/code", url.Values{"code": {code}})
		if got := res.Request.URL.RequestURI(); res.Request.URL.Host != strings.TrimPrefix(base, "http://") || got != tc.want {
			t.Errorf("from %s: after the second factor at %s, want %s", tc.from, res.Request.URL, tc.want)
		}
	}
}
