package app

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestSessionForm_PER1_ROLE5_errors_then_draft_then_published: through the
// real router, the central service's session form refuses a bad code, a
// closing before the opening and a malformed date at once, with the error
// summary linking to each field and the French message next to it, keeping
// what was typed; the right form creates a draft (not in the public
// catalogue) shown with its trail, which is published after confirmation.
func TestSessionForm_PER1_ROLE5_errors_then_draft_then_published(t *testing.T) {
	eachDatabase(t, func(t *testing.T, base string) {
		central := newBrowser(t, base)
		central.signIn(t, "demo-staff-central")
		res, page := central.do(t, "GET", "/back-office", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `href="/back-office/catalogue"`) {
			t.Fatalf("the central service's home does not link to the catalogue: %d", res.StatusCode)
		}
		res, page = central.do(t, "GET", "/back-office/catalogue", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Sessions") || !strings.Contains(page, `href="/back-office/catalogue/vacances"`) {
			t.Fatalf("hub: %d\n%.2000s", res.StatusCode, mainPart(page))
		}

		form := url.Values{"code": {"année 27"}, "nom": {"Année 2027-2028"}, "type": {"annual"}, "vacances": {"1"},
			"ouverture_candidatures": {"2027-06-10"}, "cloture_candidatures": {"2027-06-01"},
			"ouverture_reponses": {"2027-07-05"}, "cloture_reponses": {"2027-07-20"},
			"premier_cours": {"2027-09-13"}, "dernier_cours": {"2028-06-17"}}
		res, page = central.do(t, "POST", "/back-office/catalogue/sessions/nouvelle", form)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad session form: %d", res.StatusCode)
		}
		if got := summaryFields(page); got != "code cloture_candidatures" {
			t.Errorf("error summary links to %q\n%.3000s", got, mainPart(page))
		}
		for _, want := range []string{"Le code ne peut contenir que des majuscules",
			"La clôture des candidatures doit être postérieure à leur ouverture (2027-06-10).",
			`id="cloture_candidatures-error"`, `aria-invalid="true"`,
			`value="Année 2027-2028"`, `value="2027-06-01"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		if !regexp.MustCompile(`id="vacances"[^>]*checked`).MatchString(page) {
			t.Error("the holiday flag typed is not kept")
		}

		// A malformed date is its own error (a browser without a date picker).
		form.Set("premier_cours", "2027-13-45")
		form.Set("cloture_candidatures", "2027-06-30")
		res, page = central.do(t, "POST", "/back-office/catalogue/sessions/nouvelle", form)
		if got := summaryFields(page); res.StatusCode != http.StatusBadRequest || got != "code premier_cours" ||
			!strings.Contains(page, "Indiquez une date valide (jour, mois et année).") {
			t.Errorf("malformed date: %d, summary %q", res.StatusCode, got)
		}

		form.Set("code", "2027-2028-ANNUEL-TEST")
		form.Set("cloture_candidatures", "2027-06-30")
		form.Set("premier_cours", "2027-09-13")
		res, page = central.do(t, "POST", "/back-office/catalogue/sessions/nouvelle", form)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.Path, "/back-office/catalogue/sessions/") {
			t.Fatalf("good form: %d at %s\n%.2000s", res.StatusCode, res.Request.URL, mainPart(page))
		}
		session := res.Request.URL.Path
		for _, want := range []string{"Brouillon (non public)", "Session créée", "session de vacances : oui", "jusqu&#39;à 23 h 59",
			`href="` + session + `/cours/nouveau"`, `href="` + session + `/import"`, `href="` + session + `/preparer"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the new session's page lacks %q\n%.4000s", want, mainPart(page))
			}
		}
		_, api := newBrowser(t, base).do(t, "GET", "/api/v1/sessions", nil)
		if strings.Contains(api, "2027-2028-ANNUEL-TEST") {
			t.Error("a draft session is in the public API")
		}

		res, page = central.do(t, "POST", session+"/publier", url.Values{})
		if !strings.Contains(page, "Cochez la case pour confirmer la publication.") {
			t.Errorf("publish without confirmation: %d\n%.2000s", res.StatusCode, mainPart(page))
		}
		_, page = central.do(t, "POST", session+"/publier", url.Values{"confirmer": {"1"}})
		if !strings.Contains(page, "La session est publiée") || !strings.Contains(page, "Session publiée") {
			t.Errorf("after publishing:\n%.3000s", mainPart(page))
		}
		_, api = newBrowser(t, base).do(t, "GET", "/api/v1/sessions", nil)
		if !strings.Contains(api, "2027-2028-ANNUEL-TEST") {
			t.Error("the published session is not in the public API")
		}

		director := newBrowser(t, base)
		director.signIn(t, "demo-staff-director")
		if res, _ := director.do(t, "POST", "/back-office/catalogue/sessions/nouvelle", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("a director creating a session: %d, want 403", res.StatusCode)
		}
	})
}
