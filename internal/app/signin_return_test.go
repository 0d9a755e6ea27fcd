package app

import (
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
