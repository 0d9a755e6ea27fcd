package web

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// smallPNG is a valid proof of a few hundred bytes.
func smallPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// basketPost posts the validation form as the page lays it out (the file
// last), multipart, to path.
func (s *inputSite) basketPost(t *testing.T, session *http.Cookie, path string, fields [][2]string, file []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if file != nil {
		part, _ := w.CreateFormFile("justificatif", "attestation.pdf")
		part.Write(file)
	}
	w.Close()
	req, _ := http.NewRequest("POST", s.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return s.send(t, req, session)
}

func formFields(hidden url.Values, date string) [][2]string {
	return [][2]string{{"jeton", hidden.Get("jeton")}, {"version_reglement", hidden.Get("version_reglement")},
		{"objectif", string(domain.ObjectiveProfessional)}, {"motivation", "Parler avec ma famille à Lisbonne"},
		{"rsa", "1"}, {"demandeur", "1"}, {"reglement", "1"}, {"demi_tarif", "1"}, {"date_justificatif", date}}
}

// TestValidationForm_CAN9_refused_form_keeps_every_field: a form refused for
// its proof (too large, over even what is read of it, damaged) or its date
// (not a date, in the future) comes back with every field as typed, the error
// summary at the top linking to each field, the file to choose again said next
// to its input, and the limits shown before one types.
func TestValidationForm_CAN9_refused_form_keeps_every_field(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	session := site.session(t, site.candidate(t, "garde-1"))
	hidden := site.readyBasket(t, session)

	_, page := site.get(t, "/panier", session)
	for _, want := range []string{`maxlength="2000"`, "2 000 caractères au plus", "Au format jj/mm/aaaa", `action="/panier/recapitulatif"`} {
		if !strings.Contains(page, want) {
			t.Errorf("CAN-9 the empty form lacks %q", want)
		}
	}
	if strings.Index(page, `name="reglement"`) > strings.Index(page, `name="justificatif"`) {
		t.Error("the file is not the form's last field: a body cut in it would lose the fields after it")
	}

	kept := []string{"Parler avec ma famille à Lisbonne", `name="rsa" value="1" checked`, `name="demandeur" value="1" checked`,
		`name="reglement" value="1" checked`, `name="demi_tarif" value="1" checked`, `value="professional" checked`, "choisissez-le de nouveau"}
	for _, c := range []struct {
		name   string
		date   string
		file   []byte
		status int
		want   []string
	}{
		{"a 7 MB proof and a wrong date", "15/13/2026", make([]byte, 7<<20), http.StatusBadRequest,
			[]string{"Le justificatif ne doit pas dépasser 5 Mo.", "Saisissez la date de délivrance au format jj/mm/aaaa", `value="15/13/2026"`,
				`href="#justificatif"`, `href="#date_justificatif"`}},
		{"a 30 MB proof", "17/11/2026", make([]byte, 30<<20), http.StatusRequestEntityTooLarge,
			[]string{"Le justificatif ne doit pas dépasser 5 Mo.", `value="17/11/2026"`, `href="#justificatif"`}},
		{"a damaged PDF", "17/11/2026", []byte("%PDF-1.7\n1 0 obj <<"), http.StatusBadRequest,
			[]string{"Le justificatif est endommagé"}},
		{"a date in the future", "28/11/2026", smallPNG(t), http.StatusBadRequest,
			[]string{"La date de délivrance est dans le futur", `href="#date_justificatif"`}},
	} {
		res, page := site.basketPost(t, session, "/panier/recapitulatif", formFields(hidden, c.date), c.file)
		if res.StatusCode != c.status {
			t.Errorf("CAN-9 %s: %d, want %d", c.name, res.StatusCode, c.status)
		}
		page = html(page)
		for _, want := range append(append([]string{`class="error-summary"`}, kept...), c.want...) {
			if !strings.Contains(page, want) {
				t.Errorf("CAN-9 %s: the page lacks %q", c.name, want)
			}
		}
		if strings.Contains(page, "Indiquez la date de délivrance") {
			t.Errorf("CAN-9 %s: a typed date said missing", c.name)
		}
	}
	if _, page := site.get(t, "/mes-candidatures", session); !strings.Contains(html(page), "Vous n'avez pas encore de candidature.") {
		t.Fatal("a refused form validated")
	}
}

var (
	recapToken  = regexp.MustCompile(`name="jeton" value="([^"]*)"`)
	cancelLink  = regexp.MustCompile(`href="/mes-candidatures/([0-9]+)/annuler"`)
	referenceRe = regexp.MustCompile(`CMA-[0-9A-Z]{5}-[0-9A-Z]{5}`)
)

// TestRecap_CAN4_CAN9_CON2_over_HTTP: a form accepted leads to the recap (the
// course, its place, day, first class and price, the half tariff requested
// subject to the proof's check, the rules version), which validates nothing
// until its one button; then the space shows the price, the reference and the
// email's copy with the half tariff; the button again validates nothing more.
func TestRecap_CAN4_CAN9_CON2_over_HTTP(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	session := site.session(t, site.candidate(t, "recap-1"))
	hidden := site.readyBasket(t, session)
	res, page := site.basketPost(t, session, "/panier/recapitulatif", formFields(hidden, "17/11/2026"), smallPNG(t))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/panier/recapitulatif" {
		t.Fatalf("CAN-4 the form: %d %s\n%.600s", res.StatusCode, res.Header.Get("Location"), page)
	}
	_, page = site.get(t, "/panier/recapitulatif", session)
	page = html(page)
	var course string
	for _, e := range site.ix.All() {
		if strings.Contains(page, `href="/catalogue/cours/`+itoa64(e.ID)+`"`) {
			course = e.Formation.Title
			for _, want := range []string{e.Establishment.Name, domain.FormatClock(e.StartMinute), "Premier cours"} {
				if !strings.Contains(page, want) {
					t.Errorf("CAN-4 the recap lacks %q", want)
				}
			}
		}
	}
	for _, want := range []string{"demi-tarif demandé, sous réserve de vérification du justificatif", "Accepté, version 2026-1",
		"Demandé, avec un justificatif délivré le 17 novembre 2026", `name="recapitulatif" value="1"`, ">Valider définitivement<",
		"Parler avec ma famille à Lisbonne", "Je perçois le RSA"} {
		if !strings.Contains(page, want) {
			t.Errorf("CAN-4 the recap lacks %q", want)
		}
	}
	if course == "" {
		t.Fatalf("the recap names no course:\n%s", page)
	}
	if main := page[strings.Index(page, "<main"):]; strings.Count(main, `type="submit"`) != 1 {
		t.Errorf("CAN-4 the recap has %d buttons", strings.Count(main, `type="submit"`))
	}
	if _, space := site.get(t, "/mes-candidatures", session); !strings.Contains(html(space), "Vous n'avez pas encore de candidature.") {
		t.Fatal("CAN-4 the form validated before the recap's button")
	}
	token := recapToken.FindStringSubmatch(page)[1]
	for range 2 { // a double click validates once
		res, page = site.postForm(t, "/panier/valider", url.Values{"jeton": {token}, "recapitulatif": {"1"}}, session)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-candidatures?valide=1" {
			t.Fatalf("CAN-4 the recap's button: %d %s\n%.600s", res.StatusCode, res.Header.Get("Location"), page)
		}
	}
	_, space := site.get(t, "/mes-candidatures?valide=1", session)
	space = html(space)
	ref := referenceRe.FindString(space)
	if ref == "" || strings.Count(space, ref) != 2 { // the candidature's facts, the email's copy
		t.Errorf("CAN-4 the space's reference %q:\n%s", ref, space)
	}
	for _, want := range []string{"demi-tarif demandé, sous réserve de vérification du justificatif", // the candidature's price
		"demi-tarif demandé sous réserve de vérification du justificatif", // the email's copy (CON-2)
		"Référence de votre validation : " + ref, "3975"} {
		if !strings.Contains(space, want) {
			t.Errorf("CAN-4 CAN-9 the space lacks %q", want)
		}
	}
	if n := len(cancelLink.FindAllString(space, -1)); n != 1 {
		t.Errorf("CAN-4 the double click made %d candidatures", n)
	}
}

// TestCancel_CAN5_CON2_asks_then_cancels_and_emails: the cancel link opens a
// page that says what will be cancelled and that it cannot be undone, and
// cancels nothing; its button cancels, the space names the course, and the
// cancellation email's copy is there. The page of a cancelled candidature
// sends back to the space; someone else's is not found.
func TestCancel_CAN5_CON2_asks_then_cancels_and_emails(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	session := site.session(t, site.candidate(t, "annule-1"))
	hidden := site.readyBasket(t, session)
	f := url.Values{"jeton": {hidden.Get("jeton")}, "version_reglement": {hidden.Get("version_reglement")},
		"objectif": {string(domain.ObjectivePersonal)}, "reglement": {"1"}}
	if res, page := site.postForm(t, "/panier/recapitulatif", f, session); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the form: %d\n%.600s", res.StatusCode, page)
	}
	if res, _ := site.postForm(t, "/panier/valider", url.Values{"jeton": f["jeton"], "recapitulatif": {"1"}}, session); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the recap's button: %d", res.StatusCode)
	}
	_, space := site.get(t, "/mes-candidatures", session)
	m := cancelLink.FindStringSubmatch(space)
	if m == nil {
		t.Fatalf("CAN-5 no cancel link:\n%s", space)
	}
	res, page := site.get(t, "/mes-candidatures/"+m[1]+"/annuler", session)
	page = html(page)
	title := regexp.MustCompile(`<h1>Annuler votre candidature en « ([^»]+) » \?</h1>`).FindStringSubmatch(page)
	if res.StatusCode != http.StatusOK || title == nil || !strings.Contains(page, "elle ne peut pas être défaite") ||
		!strings.Contains(page, `<form method="post" action="/mes-candidatures/`+m[1]+`/annuler"`) {
		t.Fatalf("CAN-5 the confirmation page: %d\n%s", res.StatusCode, page)
	}
	if _, space := site.get(t, "/mes-candidatures", session); !cancelLink.MatchString(space) {
		t.Fatal("CAN-5 showing the confirmation page cancelled")
	}
	res, _ = site.postForm(t, "/mes-candidatures/"+m[1]+"/annuler", url.Values{}, session)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-candidatures?annule="+m[1] {
		t.Fatalf("CAN-5 the cancellation: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, space = site.get(t, res.Header.Get("Location"), session)
	space = html(space)
	for _, want := range []string{"Votre candidature en « " + title[1] + " »", "est annulée. Un courriel vous le confirme",
		"Votre candidature en « " + title[1] + " » est annulée —"} {
		if !strings.Contains(space, want) && !strings.Contains(space, strings.TrimSuffix(want, " —")) {
			t.Errorf("CAN-5 CON-2 the space lacks %q", want)
		}
	}
	if !strings.Contains(space, "— Votre candidature en « "+title[1]+" » est annulée") {
		t.Errorf("CON-2 no copy of the cancellation email in the space:\n%s", space)
	}
	if res, _ := site.get(t, "/mes-candidatures/"+m[1]+"/annuler", session); res.StatusCode != http.StatusSeeOther {
		t.Errorf("CAN-5 the page of a cancelled candidature: %d", res.StatusCode)
	}
	other := site.session(t, site.candidate(t, "annule-2"))
	if res, _ := site.get(t, "/mes-candidatures/"+m[1]+"/annuler", other); res.StatusCode != http.StatusNotFound {
		t.Errorf("CAN-5 someone else's cancellation page: %d, want 404", res.StatusCode)
	}
}

// TestRecap_CAN4_change_keeps_the_answers: "Modifier" on the recap leads to
// the form with the answers given (the file to choose again); a basket
// changed since shows an empty form.
func TestRecap_CAN4_change_keeps_the_answers(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	session := site.session(t, site.candidate(t, "modifie-1"))
	hidden := site.readyBasket(t, session)
	if res, page := site.basketPost(t, session, "/panier/recapitulatif", formFields(hidden, "17/11/2026"), smallPNG(t)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the form: %d\n%.600s", res.StatusCode, page)
	}
	_, page := site.get(t, "/panier", session)
	page = html(page)
	for _, want := range []string{"Parler avec ma famille à Lisbonne", `name="rsa" value="1" checked`, `name="reglement" value="1" checked`,
		`name="demi_tarif" value="1" checked`, `value="17/11/2026"`, "choisissez-le de nouveau"} {
		if !strings.Contains(page, want) {
			t.Errorf("CAN-4 back from the recap, the form lacks %q", want)
		}
	}
}

// TestBasket_SEL5_redirect_box_per_course: the basket's form asks per course,
// unticked, whether the candidate accepts a redirect; a course not in the
// basket comes back with a French message; the answer reaches the recap, the
// form again, and "Mes candidatures".
func TestBasket_SEL5_redirect_box_per_course(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	session := site.session(t, site.candidate(t, "reoriente-1"))
	hidden := site.readyBasket(t, session)
	_, page := site.get(t, "/panier", session)
	m := regexp.MustCompile(`<input type="checkbox" id="reorientation" name="reorientation" value="(\d+)"/?>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(html(page), "j'accepte d'être orienté(e) vers un cours équivalent") {
		t.Fatalf("SEL-5 no unticked redirect box on the basket:\n%s", page)
	}
	fields := [][2]string{{"jeton", hidden.Get("jeton")}, {"version_reglement", hidden.Get("version_reglement")},
		{"objectif", string(domain.ObjectiveProfessional)}, {"reglement", "1"}}

	res, page := site.basketPost(t, session, "/panier/recapitulatif", append(fields, [2]string{"reorientation", "999999999"}), nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html(page), "n'est plus dans votre panier") ||
		!strings.Contains(page, `href="#reorientation"`) {
		t.Fatalf("SEL-5 a course not in the basket: %d\n%.3000s", res.StatusCode, page)
	}
	res, page = site.basketPost(t, session, "/panier/recapitulatif", append(fields, [2]string{"reorientation", m[1]}), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("SEL-5 the form: %d\n%.600s", res.StatusCode, page)
	}
	if _, page = site.get(t, "/panier/recapitulatif", session); !strings.Contains(html(page), "réorientation acceptée") {
		t.Errorf("SEL-5 the recap does not say the redirect is accepted")
	}
	if _, page = site.get(t, "/panier", session); !strings.Contains(page, `name="reorientation" value="`+m[1]+`" checked`) {
		t.Errorf("SEL-5 back from the recap, the redirect box is not ticked")
	}
	if res, page = site.postForm(t, "/panier/valider", url.Values{"jeton": {hidden.Get("jeton")}, "recapitulatif": {"1"}}, session); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("validate: %d\n%.600s", res.StatusCode, page)
	}
	if _, page = site.get(t, "/mes-candidatures", session); !strings.Contains(html(page), "vous acceptez d'être orienté(e) vers un cours équivalent") {
		t.Errorf("SEL-5 Mes candidatures does not show the answer")
	}
}
