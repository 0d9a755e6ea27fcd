package web_test

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/auth"
	"cma/internal/catalogue"
	"cma/internal/db/dbtest"
	"cma/internal/i18n"
	"cma/internal/store"
	"cma/internal/web"
)

// TestProviderDown_ACC3: when the city's sign-on does not answer, the sign-in
// page says so in French, and the platform keeps serving.
func TestProviderDown_ACC3(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	d := dbtest.SQLite(t)
	st := store.New(d)
	words, _ := i18n.Load()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	paris, _ := time.LoadLocation("Europe/Paris")
	down := auth.NewProvider(auth.ProviderConfig{Name: "Mon Paris", Issuer: closed, ClientID: "cma", ClientSecret: "x",
		RedirectURL: "http://127.0.0.1/connexion/retour", ForgotPasswordURL: closed + "/oubli"})
	srv, err := web.New(web.Deps{Catalogue: catalogue.NewService(st, words, "C", 0, time.Now), Accounts: accounts.New(st, time.Now, log),
		Sessions: st.Sessions(), Providers: []*auth.Provider{down}, Words: words, DB: d, Log: log, Paris: paris, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	res, err := http.PostForm(ts.URL+"/connexion/fournisseur", url.Values{"fournisseur": {"0"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "Le service de connexion Mon Paris ne répond pas") {
		t.Fatalf("provider down: %d\n%.300s", res.StatusCode, body)
	}
	// An unknown sign-on key is refused without a redirect anywhere.
	res, _ = http.PostForm(ts.URL+"/connexion/fournisseur", url.Values{"fournisseur": {"7"}})
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("unknown provider key: %d", res.StatusCode)
	}
	if res, _ := http.Get(ts.URL + "/healthz"); res.StatusCode != 200 {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
}

// TestFormActionAllowsTheSignOn: the sign-in form's answer redirects to the
// provider, so the provider's origin must be in the CSP's form-action.
func TestFormActionAllowsTheSignOn(t *testing.T) {
	d := dbtest.SQLite(t)
	st := store.New(d)
	words, _ := i18n.Load()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := auth.NewProvider(auth.ProviderConfig{Name: "Mon Paris", Issuer: "https://moncompte.paris.exemple/auth", ClientID: "c", ClientSecret: "s"})
	srv, err := web.New(web.Deps{Catalogue: catalogue.NewService(st, words, "C", 0, time.Now), Accounts: accounts.New(st, time.Now, log),
		Sessions: st.Sessions(), Providers: []*auth.Provider{p}, Words: words, DB: d, Log: log, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://moncompte.paris.exemple;") {
		t.Fatalf("CSP = %q", csp)
	}
}
