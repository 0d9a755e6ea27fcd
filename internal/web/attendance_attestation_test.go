package web

import (
	"context"
	stdhtml "html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cma/internal/accounts"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

var verifyAddress = regexp.MustCompile(`<code class="scan-url">http://cma\.test(/attestation-assiduite/[^<]+)</code>`)

// ATT-2 over HTTP: one meeting held, learner 0 absent, learner 1 late (late
// counts: 100 %). Learner 1's "mon parcours" offers the attestation; asked,
// it shows as a page and downloads as a PDF, and "mon parcours" then links
// it instead of the button; its QR address says it is genuine, a forged one
// that it is unknown. Learner 0 sees no button but why, is refused when
// asking anyway, and cannot read learner 1's. The establishment's director
// downloads it; the trainer cannot.
func TestJourneyAttestation_ATT2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, e, day, learners, trainer := registerSite(t, d)
		path := registersPath(e.ID) + "/" + day
		_, body := s.get(t, path, trainer)
		form := url.Values{"cle": {registerKey.FindStringSubmatch(body)[1]}}
		for i, c := range learners {
			form.Set("marque-"+itoa64(c), map[bool]string{true: "absent", false: "late"}[i == 0])
		}
		if res, _ := s.postForm(t, path, form, trainer); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		learner := func(cand int64) *http.Cookie {
			var account int64
			if err := d.R.QueryRow(`SELECT account_id FROM candidatures WHERE id = $1`, cand).Scan(&account); err != nil {
				t.Fatal(err)
			}
			acc, err := s.st.Account(context.Background(), account)
			if err != nil {
				t.Fatal(err)
			}
			return s.session(t, acc)
		}
		absent, late := learner(learners[0]), learner(learners[1])
		ask := journeyPath + "/cours/" + itoa64(learners[1]) + "/attestation"

		_, body = s.get(t, journeyPath, late)
		if text := stdhtml.UnescapeString(body); !strings.Contains(text, "Obtenir mon attestation d'assiduité") ||
			!strings.Contains(body, `action="`+ask+`"`) {
			t.Fatalf("mon parcours at 100 %% offers no attestation:\n%s", text)
		}
		res, _ := s.postForm(t, ask, url.Values{}, late)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, journeyAttestationPath) {
			t.Fatalf("ask: %d → %s", res.StatusCode, loc)
		}
		res, body = s.get(t, loc, late)
		text := stdhtml.UnescapeString(body)
		if res.StatusCode != http.StatusOK || !strings.Contains(text, "Attestation d'assiduité") || !strings.Contains(text, "100,0\u00a0%") ||
			!strings.Contains(text, e.Code) || !strings.Contains(body, `role="img"`) || !strings.Contains(body, `href="`+loc+`.pdf"`) {
			t.Fatalf("the attestation's page: %d\n%s", res.StatusCode, text)
		}
		m := verifyAddress.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the attestation's page has no verification address:\n%s", body)
		}
		res, pdf := s.get(t, loc+".pdf", late)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("the PDF: %d %s %.20q", res.StatusCode, res.Header.Get("Content-Type"), pdf)
		}
		// Asked again: the same one.
		if res, _ := s.postForm(t, ask, url.Values{}, late); res.Header.Get("Location") != loc {
			t.Fatalf("asked again: → %s, want %s", res.Header.Get("Location"), loc)
		}
		_, body = s.get(t, journeyPath, late)
		if text := stdhtml.UnescapeString(body); strings.Contains(text, "Obtenir mon attestation") || !strings.Contains(body, `href="`+loc+`.pdf"`) {
			t.Fatalf("mon parcours after the attestation:\n%s", text)
		}

		// The verification page, public.
		res, body = s.get(t, stdhtml.UnescapeString(m[1]))
		if text := stdhtml.UnescapeString(body); res.StatusCode != http.StatusOK || !strings.Contains(text, "Attestation d'assiduité authentique") ||
			!strings.Contains(text, "100,0\u00a0%") || !strings.Contains(text, e.Code) {
			t.Fatalf("verify: %d\n%s", res.StatusCode, text)
		}
		token := strings.TrimPrefix(stdhtml.UnescapeString(m[1]), "/attestation-assiduite/")
		forged := []byte(token)
		forged[len(forged)-1] ^= 1
		res, body = s.get(t, "/attestation-assiduite/"+string(forged))
		if res.StatusCode != http.StatusNotFound || !strings.Contains(stdhtml.UnescapeString(body), "Attestation d'assiduité inconnue") {
			t.Fatalf("a forged token: %d\n%s", res.StatusCode, body)
		}

		// Learner 0, at 0 %: no button, the reason; asking anyway is refused
		// in French; another's attestation is not found.
		_, body = s.get(t, journeyPath, absent)
		if text := stdhtml.UnescapeString(body); strings.Contains(text, "Obtenir mon attestation") ||
			!strings.Contains(text, "inférieur aux 75 % des heures du cours requis") {
			t.Fatalf("mon parcours at 0 %%:\n%s", text)
		}
		res, body = s.postForm(t, journeyPath+"/cours/"+itoa64(learners[0])+"/attestation", url.Values{}, absent)
		if res.StatusCode != http.StatusConflict || !strings.Contains(stdhtml.UnescapeString(body), "Votre taux d'assiduité (0,0") {
			t.Fatalf("asking at 0 %%: %d\n%s", res.StatusCode, body)
		}
		if res, _ := s.postForm(t, ask, url.Values{}, absent); res.StatusCode != http.StatusNotFound {
			t.Fatalf("learner 0 asked for learner 1's: %d", res.StatusCode)
		}
		for _, p := range []string{loc, loc + ".pdf"} {
			if res, _ := s.get(t, p, absent); res.StatusCode != http.StatusNotFound {
				t.Fatalf("learner 0 read %s: %d", p, res.StatusCode)
			}
		}
		if res, _ := s.get(t, journeyAttestationPath+"01", late); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a malformed address: %d", res.StatusCode)
		}

		// Staff: the director downloads it, the trainer cannot.
		acc, _, err := s.accts.AddStaff(context.Background(), accounts.NewStaff{Email: "direction-assiduite@ville.exemple", FirstName: "Dominique",
			LastName: "Directrice", Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: e.EstablishmentID}}})
		if err != nil {
			t.Fatal(err)
		}
		staff := staffAttestationPath(e.ID, learners[1])
		director := s.session(t, acc)
		if _, body := s.get(t, registersPath(e.ID), director); !strings.Contains(body, `href="`+staff+`"`) {
			t.Fatalf("the director's registers page does not link the attestation:\n%s", body)
		}
		if _, body := s.get(t, registersPath(e.ID), trainer); strings.Contains(body, staff) {
			t.Fatal("the trainer's registers page links the attestation")
		}
		if res, pdf := s.get(t, staff, director); res.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("the director's download: %d", res.StatusCode)
		}
		if res, _ := s.get(t, staff, trainer); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the trainer's download: %d", res.StatusCode)
		}
	})
}
