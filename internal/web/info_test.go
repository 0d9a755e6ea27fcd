package web_test

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// infoPages are the pages every French public site has, with a sentence each
// must say in French and in English.
var infoPages = []struct {
	path   string
	fr, en []string
}{
	{"/aide", []string{"<h1>Aide</h1>", `href="#candidater"`, `id="demi-tarif"`, "3975, du lundi au vendredi de 8 h 30 à 18 h", "Jusqu&#39;à 3 formations à la fois"},
		[]string{"<h1>Help</h1>", `href="#candidater"`, "3975, Monday to Friday, 8:30 am to 6 pm", "Up to 3 formations at a time"}},
	{"/mentions-legales", []string{"<h1>Mentions légales</h1>", "Directeur ou directrice de la publication", "Hébergement", "[À compléter par la Ville"},
		[]string{"<h1>Legal notice</h1>", "Director of publication", "Hosting", "[To be completed by the city"}},
	{"/donnees-personnelles", []string{"<h1>Données personnelles</h1>", "mission de service public", "effacé automatiquement 3 mois après", "CNIL", "Le journal des actions"},
		[]string{"<h1>Personal data</h1>", "public service mission", "erased automatically 3 months after", "CNIL", "audit trail"}},
	{"/accessibilite", []string{"<h1>Déclaration d&#39;accessibilité</h1>", "est non conforme avec le référentiel général d&#39;amélioration de l&#39;accessibilité (RGAA)", "axe-core", "Défenseur des droits", "3975"},
		[]string{"<h1>Accessibility statement</h1>", "is not compliant with the French accessibility standard (RGAA)", "axe-core", "Défenseur des droits", "3975"}},
}

// TestInfoPages_answer_in_both_languages_and_are_in_every_footer: each page
// answers 200 in French and in English with its own words, and every page of
// the site (here the catalogue, a course, the sign-in page, a 404 and each
// information page) links to all of them from its footer.
func TestInfoPages_answer_in_both_languages_and_are_in_every_footer(t *testing.T) {
	s := newSite(t)
	for _, p := range infoPages {
		for lang, want := range map[string][]string{"fr": p.fr, "en": p.en} {
			res, body := s.get(t, p.path, "Cookie", "cma_lang="+lang)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s (%s): %d", p.path, lang, res.StatusCode)
				continue
			}
			if got := res.Header.Get("Content-Language"); got != lang {
				t.Errorf("%s: Content-Language %q, want %q", p.path, got, lang)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s (%s) does not say %q", p.path, lang, w)
				}
			}
			if ruleID := regexp.MustCompile(`\((CAN|ACC|CAT|PER|SEL|PAY|REF|ATT|CER|CON|ROLE)-[0-9]+\)`); ruleID.MatchString(body) {
				t.Errorf("%s (%s) shows a rule ID: %s", p.path, lang, ruleID.FindString(body))
			}
		}
	}
	course := s.courses(t, "").Items[0]
	for _, path := range []string{"/catalogue", "/catalogue/cours/" + itoa(int(course.ID)), "/connexion", "/nulle-part", "/aide", "/accessibilite"} {
		_, body := s.get(t, path)
		i := strings.Index(body, `<footer`)
		if i < 0 {
			t.Errorf("%s has no footer", path)
			continue
		}
		footer := body[i:]
		for _, p := range infoPages {
			if !strings.Contains(footer, `href="`+p.path+`"`) {
				t.Errorf("the footer of %s does not link to %s", path, p.path)
			}
		}
		if !strings.Contains(footer, "Accessibilité : non conforme") {
			t.Errorf("the footer of %s does not give the accessibility status", path)
		}
		if !strings.Contains(body, `<link rel="icon" href="/favicon.svg" type="image/svg+xml">`) {
			t.Errorf("%s names no icon", path)
		}
	}
}

// TestFavicon: /favicon.svg is an SVG, /favicon.ico a valid ICO holding a
// 32×32 PNG, so that browsers asking for either get an answer, not a 404.
func TestFavicon(t *testing.T) {
	s := newSite(t)
	res, body := s.get(t, "/favicon.svg")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(body, "<svg") {
		t.Errorf("/favicon.svg: %d %q %.40q", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, body = s.get(t, "/favicon.ico")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("/favicon.ico: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	data := []byte(body)
	if len(data) < 22 || binary.LittleEndian.Uint16(data[2:]) != 1 || binary.LittleEndian.Uint16(data[4:]) != 1 {
		t.Fatalf("/favicon.ico has no ICO header: % x", data[:min(len(data), 22)])
	}
	size, offset := binary.LittleEndian.Uint32(data[14:]), binary.LittleEndian.Uint32(data[18:])
	if int(offset+size) != len(data) {
		t.Fatalf("ICO entry: %d bytes at %d, file %d bytes", size, offset, len(data))
	}
	img, err := png.Decode(bytes.NewReader(data[offset:]))
	if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 || data[6] != 32 || data[7] != 32 {
		t.Errorf("the ICO's image: %v %v", err, img)
	}
}
