package app

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cma/internal/db/dbtest"
)

// TestStaffSignInWithoutEmailVerified_ACC3_ROLE5: a staff member whose
// provider does not say the email is verified (LemonLDAP::NG's default
// claims), with a staff account created without names, signs in through the
// development provider: no candidate account, a page that says the central
// service must confirm, twice without a second request; a director cannot
// decide; the central service links; the next sign-in opens the back office
// with the provider's names; the file shows the identity, which the central
// service unlinks, ending the session.
func TestStaffSignInWithoutEmailVerified_ACC3_ROLE5(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		staffSignInJourney(t, startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo"))
	})
	t.Run("postgres", func(t *testing.T) {
		d, dbURL := dbtest.PostgresURL(t)
		d.Close()
		staffSignInJourney(t, startServe(t, "--db", dbURL, "--demo"))
	})
}

var heldSignInForm = regexp.MustCompile(`action="/back-office/connexions-a-confirmer/(\d+)"`)

func staffSignInJourney(t *testing.T, base string) {
	const persona, email = "demo-staff-director-unverified", "directeur.adjoint.voltaire@paris.exemple"
	agent := newBrowser(t, base)
	for attempt := 1; attempt <= 2; attempt++ {
		res, page := agent.signIn(t, persona)
		if res.StatusCode != 200 || !strings.Contains(page, "Votre connexion doit être confirmée") || !strings.Contains(page, email) ||
			!strings.Contains(page, "Aucun compte de candidat n&#39;a été créé") {
			t.Fatalf("attempt %d: %d %s\n%.2000s", attempt, res.StatusCode, res.Request.URL, mainPart(page))
		}
		if res, _ := agent.do(t, "GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Fatalf("attempt %d: a held sign-in opened a session (%d)", attempt, res.StatusCode)
		}
	}

	director := newBrowser(t, base)
	director.signIn(t, "demo-staff-director")
	if res, _ := director.do(t, "GET", "/back-office/connexions-a-confirmer", nil); res.StatusCode != 403 {
		t.Fatalf("ROLE-5: a director reached the held sign-ins: %d", res.StatusCode)
	}

	central := newBrowser(t, base)
	_, home := central.signIn(t, "demo-staff-central")
	if !strings.Contains(home, "connexion du personnel à confirmer") {
		t.Fatalf("central home lacks the held sign-in tile:\n%.3000s", mainPart(home))
	}
	_, page := central.do(t, "GET", "/back-office/connexions-a-confirmer", nil)
	ids := heldSignInForm.FindAllStringSubmatch(page, -1)
	if len(ids) != 1 || !strings.Contains(page, email) || !strings.Contains(page, persona) || !strings.Contains(page, "Tentatives de connexion : 2") {
		t.Fatalf("held sign-ins (want one, two attempts):\n%.3000s", mainPart(page))
	}
	id := ids[0][1]
	if res, _ := director.do(t, "POST", "/back-office/connexions-a-confirmer/"+id,
		url.Values{"decision": {"lier"}, "raison-" + id: {"essai"}}); res.StatusCode != 403 {
		t.Fatalf("ROLE-5: a director decided: %d", res.StatusCode)
	}
	res, page := central.do(t, "POST", "/back-office/connexions-a-confirmer/"+id, url.Values{"decision": {"lier"}})
	if res.StatusCode != 400 || !strings.Contains(page, `href="#raison-`+id+`"`) {
		t.Fatalf("decision without a reason: %d\n%.2000s", res.StatusCode, mainPart(page))
	}
	res, page = central.do(t, "POST", "/back-office/connexions-a-confirmer/"+id,
		url.Values{"decision": {"lier"}, "raison-" + id: {"appel de l'agent, badge vérifié"}})
	if res.StatusCode != 200 || !strings.Contains(page, "L&#39;identité est liée au compte du personnel") ||
		!strings.Contains(page, "Aucune connexion du personnel à confirmer") {
		t.Fatalf("link: %d\n%.2000s", res.StatusCode, mainPart(page))
	}

	res, page = agent.signIn(t, persona)
	if res.Request.URL.Path != "/back-office" || !strings.Contains(page, "Julien MOREAU") {
		t.Fatalf("after the link: %s\n%.2000s", res.Request.URL, mainPart(page))
	}
	_, body := agent.do(t, "GET", "/api/v1/me", nil)
	var me struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &me); err != nil || me.ID == 0 {
		t.Fatalf("/api/v1/me = %s", body)
	}
	file := "/back-office/personnes/" + strconv.FormatInt(me.ID, 10)
	_, page = central.do(t, "GET", file, nil)
	if !strings.Contains(page, "Identités de connexion") || !strings.Contains(page, persona) || !strings.Contains(page, "Identité de connexion liée") {
		t.Fatalf("staff file:\n%.4000s", mainPart(page))
	}
	res, page = central.do(t, "POST", file+"/identites/dissocier", url.Values{"fournisseur": {base + "/dev-idp"}, "sujet": {persona}, "n": {"0"}})
	if res.StatusCode != 400 || !strings.Contains(page, `href="#raison-dissocier-0"`) || !strings.Contains(page, `id="raison-dissocier-0-error"`) {
		t.Fatalf("unlink without a reason: %d\n%.3000s", res.StatusCode, mainPart(page))
	}
	res, page = central.do(t, "POST", file+"/identites/dissocier", url.Values{"fournisseur": {base + "/dev-idp"}, "sujet": {persona},
		"n": {"0"}, "raison-dissocier-0": {"départ de l'agent"}})
	if res.StatusCode != 200 || !strings.Contains(page, "L&#39;identité est dissociée du compte") || !strings.Contains(page, "Aucune identité de connexion") {
		t.Fatalf("unlink: %d\n%.3000s", res.StatusCode, mainPart(page))
	}
	if res, _ := agent.do(t, "GET", "/back-office", nil); res.Request.URL.Path != "/connexion" {
		t.Fatalf("the unlinked account's session goes on: %s", res.Request.URL)
	}
	// Its next sign-in is a first sign-in again: held, in English too.
	agent.do(t, "POST", "/langue", url.Values{"lang": {"en"}})
	if _, page := agent.signIn(t, persona); !strings.Contains(page, "Your sign-in must be confirmed") ||
		!strings.Contains(page, "No candidate account was created") {
		t.Fatalf("after unlinking, in English:\n%.1500s", mainPart(page))
	}
	// Refused: the identity signs in nowhere, and is told so.
	_, page = central.do(t, "GET", "/back-office/connexions-a-confirmer", nil)
	ids = heldSignInForm.FindAllStringSubmatch(page, -1)
	if len(ids) != 1 {
		t.Fatalf("held again:\n%.2000s", mainPart(page))
	}
	res, page = central.do(t, "POST", "/back-office/connexions-a-confirmer/"+ids[0][1],
		url.Values{"decision": {"refuser"}, "raison-" + ids[0][1]: {"inconnu du service"}})
	if res.StatusCode != 200 || !strings.Contains(page, "Connexion refusée : cette identité ne pourra pas se connecter") {
		t.Fatalf("refuse: %d\n%.2000s", res.StatusCode, mainPart(page))
	}
	agent.do(t, "POST", "/langue", url.Values{"lang": {"fr"}})
	if res, page := agent.signIn(t, persona); res.StatusCode != 403 || !strings.Contains(page, "Cette connexion n&#39;a pas été acceptée") {
		t.Fatalf("refused sign-in: %d\n%.1500s", res.StatusCode, mainPart(page))
	}
	if res, _ := agent.do(t, "GET", "/api/v1/me", nil); res.StatusCode != 401 {
		t.Fatalf("a refused sign-in opened a session (%d)", res.StatusCode)
	}
}
