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
)

// TestFormErrors_CAN6_CAN7_ACC4_in_French_then_English: the services answer
// with message keys; the pages word them in the reader's language, French
// first, then English once the person switches.
func TestFormErrors_CAN6_CAN7_ACC4_in_French_then_English(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	b := newBrowser(t, base)
	b.signIn(t, "demo-candidate-3")
	addOpenCourse(t, b)
	badProfile := url.Values{"telephone": {"06 12 AB 56 78"}, "adresse": {"5 rue Parmentier"}, "code_postal": {"7501"},
		"ville": {"Paris"}, "pays": {"FR"}}
	badBasket := url.Values{"jeton": {"x"}, "reglement": {"1"}, "version_reglement": {"une version ancienne"}}
	for _, tc := range []struct {
		lang           string
		profile, form  []string
		notProfile     string
		summary, field string
	}{
		{"fr", []string{
			"Le numéro de téléphone doit comporter uniquement des chiffres, par exemple 06 12 34 56 78 ou +44 20 7946 0958.",
			"Le code postal doit comporter 5 chiffres, par exemple 75011."},
			[]string{"Choisissez votre objectif principal.", "Le règlement intérieur a changé : relisez la nouvelle version et acceptez-la."},
			"The phone number", `<a href="#telephone">`, `id="objectif-error"`},
		{"en", []string{
			"The phone number must contain digits only, for example 06 12 34 56 78 or +44 20 7946 0958.",
			"The postcode must have 5 digits, for example 75011."},
			[]string{"Choose your main objective.", "The internal rules have changed: read the new version and accept it."},
			"Le numéro de téléphone", `<a href="#code_postal">`, `id="reglement-error"`},
	} {
		if tc.lang == "en" {
			b.do(t, "POST", "/langue", url.Values{"lang": {"en"}, "retour": {"/mon-profil"}})
		}
		res, page := b.do(t, "POST", "/mon-profil", badProfile)
		if res.StatusCode != 400 || strings.Contains(page, tc.notProfile) || !strings.Contains(page, tc.summary) {
			t.Fatalf("%s: profile answered %d:\n%.1500s", tc.lang, res.StatusCode, mainPart(page))
		}
		for _, want := range tc.profile {
			if !strings.Contains(page, htmlText(want)) {
				t.Errorf("%s: ACC-4 profile lacks %q", tc.lang, want)
			}
		}
		res, page = b.do(t, "POST", "/panier/valider", badBasket)
		if res.StatusCode != 400 || !strings.Contains(page, tc.field) {
			t.Fatalf("%s: basket answered %d:\n%.1500s", tc.lang, res.StatusCode, mainPart(page))
		}
		for _, want := range tc.form {
			if !strings.Contains(page, htmlText(want)) {
				t.Errorf("%s: CAN-6/CAN-7 basket lacks %q", tc.lang, want)
			}
		}
	}
}

// addOpenCourse puts in the basket the first course of the demo that takes it.
func addOpenCourse(t *testing.T, b *browser) {
	t.Helper()
	_, list := b.do(t, "GET", "/api/v1/courses?places=1&par_page=100", nil)
	for _, m := range regexp.MustCompile(`"id":(\d+),"code"`).FindAllStringSubmatch(list, -1) {
		if res, _ := b.do(t, "POST", "/panier/ajouter", url.Values{"cours": {m[1]}}); res.StatusCode == 200 {
			return
		}
	}
	t.Fatalf("no course of the demo could be added:\n%.500s", list)
}

// htmlText is s as templ escapes it in a page.
func htmlText(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

// TestSelectSimulate_explains_in_French_or_English: the engine's explanations
// and summary are worded by the command, in French unless --lang en.
func TestSelectSimulate_explains_in_French_or_English(t *testing.T) {
	simulate := func(lang string) string {
		var out bytes.Buffer
		err := Run(context.Background(), []string{"select", "simulate", "--candidates", "300", "--courses", "30", "--explain", "40",
			"--lang", lang}, testEnv(&out, io.Discard, nil))
		if err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	fr, en := simulate("fr"), simulate("en")
	for _, want := range []string{"Simulation de sélection : 300 candidats", "dont critères sociaux", "Taux minimums de candidats à critères sociaux",
		"Candidature du candidat 1 à la formation", "Votre évaluation : ", "Puis : parcours antérieur"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French output lacks %q:\n%s", want, fr)
		}
	}
	for _, want := range []string{"Selection simulation: 300 candidates", "of which social criteria", "Minimum rates of social-criteria candidates",
		"Candidature of candidate 1 for formation", "Your evaluation: ", "Then: previous record"} {
		if !strings.Contains(en, want) {
			t.Errorf("English output lacks %q:\n%s", want, en)
		}
	}
	for _, french := range []string{"Candidature du candidat", "Votre évaluation", "critères sociaux", "allocation."} {
		if strings.Contains(en, french) {
			t.Errorf("English output holds %q", french)
		}
	}
	if err := Run(context.Background(), []string{"select", "simulate", "--lang", "de"}, testEnv(io.Discard, io.Discard, nil)); err == nil {
		t.Error("--lang de accepted")
	}
}
