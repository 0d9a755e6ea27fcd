package app

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cma/internal/auth"
)

// TestStaffPasswordAndSecondFactor_ROLE5: `cma user add` creates a central
// account with a password and a second factor; it signs in with both, a code is
// accepted once, and too many wrong passwords are slowed down.
func TestStaffPasswordAndSecondFactor_ROLE5(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	var out bytes.Buffer
	env := testEnv(&out, io.Discard, nil)
	env.Stdin = strings.NewReader("un mot de passe solide\n")
	if err := Run(context.Background(), []string{"user", "add", "--db", dbURL, "--email", "Chef.Service@ville.exemple",
		"--role", "central", "--first-name", "Nadia", "--last-name", "Roux", "--password-stdin"}, env); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`secret=([A-Z2-7]+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no second-factor key printed:\n%s", out.String())
	}
	secret := m[1]
	// A director needs an establishment; a bad role or code is refused clearly.
	for _, args := range [][]string{
		{"--email", "d@ville.exemple", "--role", "director"},
		{"--email", "d@ville.exemple", "--role", "director", "--establishment", "NOPE"},
		{"--email", "d@ville.exemple", "--role", "mayor"},
	} {
		if err := Run(context.Background(), append([]string{"user", "add", "--db", dbURL}, args...), testEnv(io.Discard, io.Discard, nil)); err == nil {
			t.Errorf("user add %v accepted", args)
		}
	}
	short := testEnv(io.Discard, io.Discard, nil)
	short.Stdin = strings.NewReader("court\n")
	if err := Run(context.Background(), []string{"user", "add", "--db", dbURL, "--email", "x@ville.exemple", "--role", "helpdesk", "--password-stdin"}, short); err == nil || !strings.Contains(err.Error(), "12 caractères") {
		t.Errorf("short password: %v", err)
	}

	base := startServe(t, "--db", dbURL)
	b := newBrowser(t, base)
	res, page := b.do(t, "POST", "/connexion/personnel", url.Values{"email": {"chef.service@ville.exemple"}, "motdepasse": {"pas le bon mot de passe"}})
	if res.StatusCode != 401 || !strings.Contains(page, "Adresse électronique ou mot de passe incorrect.") {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	res, _ = b.do(t, "POST", "/connexion/personnel", url.Values{"email": {"chef.service@ville.exemple"}, "motdepasse": {"un mot de passe solide"}})
	if res.Request.URL.Path != "/connexion/personnel/code" {
		t.Fatalf("password accepted but landed on %s", res.Request.URL)
	}
	// Not signed in before the second factor.
	if res, _ := b.do(t, "GET", "/back-office", nil); res.Request.URL.Path != "/connexion" {
		t.Fatalf("back office reachable before the second factor: %s", res.Request.URL)
	}
	res, page = b.do(t, "POST", "/connexion/personnel/code", url.Values{"code": {"000000"}})
	if res.StatusCode != 401 || !strings.Contains(page, "Ce code est incorrect ou a déjà servi") {
		t.Fatalf("wrong code: %d", res.StatusCode)
	}
	code, err := auth.TOTPCode(secret, testEnv(nil, nil, nil).Now())
	if err != nil {
		t.Fatal(err)
	}
	res, page = b.do(t, "POST", "/connexion/personnel/code", url.Values{"code": {code}})
	if res.Request.URL.Path != "/back-office" || !strings.Contains(page, "Service des cours d&#39;adultes") {
		t.Fatalf("after the code: %s", res.Request.URL)
	}
	// The same code cannot open a second session.
	other := newBrowser(t, base)
	other.do(t, "POST", "/connexion/personnel", url.Values{"email": {"chef.service@ville.exemple"}, "motdepasse": {"un mot de passe solide"}})
	if res, _ := other.do(t, "POST", "/connexion/personnel/code", url.Values{"code": {code}}); res.StatusCode != 401 {
		t.Fatalf("replayed code: %d", res.StatusCode)
	}
	// Rate limit on one email: the burst, then 429 with a French message.
	limited := newBrowser(t, base)
	var last int
	var lastPage string
	for i := 0; i < 8; i++ {
		res, lastPage = limited.do(t, "POST", "/connexion/personnel", url.Values{"email": {"victime@ville.exemple"}, "motdepasse": {"essai numéro " + string(rune('a'+i))}})
		last = res.StatusCode
	}
	if last != 429 || !strings.Contains(lastPage, "Trop de tentatives de connexion") {
		t.Fatalf("no rate limit after 8 attempts: %d", last)
	}
}
