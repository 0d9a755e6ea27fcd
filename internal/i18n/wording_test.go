package i18n_test

import (
	"regexp"
	"testing"

	"cma/internal/i18n"
)

// ruleID matches a rule of SPEC.md written into a text: "(CAN-9)", "CAN-9",
// "ROLE-3", "SEL-5" (the IDs belong in tests and logs, not in what people read).
var ruleID = regexp.MustCompile(`\b(ACC|CAT|PER|CAN|SEL|PAY|REF|ATT|CER|CON|ROLE)-?[0-9]+\b`)

// TestNoRuleIDInMessages: no French or English text shows a rule ID. The
// keys may carry one (refusal.CAN-1), the words may not.
func TestNoRuleIDInMessages(t *testing.T) {
	for _, l := range i18n.Langs {
		for key, text := range catalogue(t, l) {
			if id := ruleID.FindString(text); id != "" {
				t.Errorf("%s %s shows the rule ID %q: %q", l, key, id, text)
			}
		}
	}
	// The pattern itself must catch what it is meant to.
	for _, s := range []string{"moins de 3 mois (CAN-9) :", "réorientation (SEL-5)", "ROLE-3", "CAN9"} {
		if !ruleID.MatchString(s) {
			t.Errorf("pattern misses %q", s)
		}
	}
	for _, s := range []string{"CAP Petite enfance", "75011 Paris", "RGAA 4.1", "le 3975"} {
		if ruleID.MatchString(s) {
			t.Errorf("pattern catches %q, which is no rule ID", s)
		}
	}
}

// TestPluralForms: N picks the singular or the plural as each language does:
// French puts 0 and 1 in the singular, English only 1.
func TestPluralForms(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	fr, en := words.Printer(i18n.French), words.Printer(i18n.English)
	for _, tc := range []struct {
		p    *i18n.Printer
		n    int
		want string
	}{
		{fr, 0, "0 inscrit sur 24"},
		{fr, 1, "1 inscrit sur 24"},
		{fr, 2, "2 inscrits sur 24"},
		{fr, 24, "24 inscrits sur 24"},
		{en, 1, "1 enrolled of 24"},
		{en, 2, "2 enrolled of 24"},
	} {
		if got := tc.p.N("bo.course.places", tc.n, map[string]any{"Capacity": 24}); got != tc.want {
			t.Errorf("%s N(%d) = %q, want %q", tc.p.Lang, tc.n, got, tc.want)
		}
	}
	if got := fr.N("course.meetings.count", 1); got != "1 séance" {
		t.Errorf("fr 1 meeting = %q", got)
	}
	if got := en.N("course.meetings.count", 0); got != "0 classes" {
		t.Errorf("en 0 meetings = %q", got)
	}
	if got := en.N("course.meetings.count", 1); got != "1 class" {
		t.Errorf("en 1 meeting = %q", got)
	}
	for _, tc := range []struct {
		lang i18n.Lang
		n    int
		want string
	}{{i18n.French, 0, "one"}, {i18n.French, 1, "one"}, {i18n.French, 2, "other"}, {i18n.English, 0, "other"}, {i18n.English, 1, "one"}, {i18n.English, 5, "other"}} {
		if got := words.Printer(tc.lang).PluralForm(tc.n); got != tc.want {
			t.Errorf("%s PluralForm(%d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

// TestElision: "de" elides before a vowel, a mute h or a y before a
// consonant, and not before a consonant, an aspirated h or a y before a vowel.
func TestElision(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	fr := words.Printer(i18n.French)
	for name, want := range map[string]string{
		"Aïssata":      "d'Aïssata",
		"Émilie":       "d'Émilie",
		"Olivier":      "d'Olivier",
		"Ursule":       "d'Ursule",
		"Hélène":       "d'Hélène",
		"Hugo":         "d'Hugo",
		"Yves":         "d'Yves",
		"Œdipe":        "d'Œdipe",
		"Martin Léa":   "de Martin Léa",
		"Yasmine":      "de Yasmine",
		"Hugues":       "de Hugues",
		"Hamid Benali": "de Hamid Benali",
		"":             "de ",
	} {
		if got := fr.De(name); got != want {
			t.Errorf("De(%q) = %q, want %q", name, got, want)
		}
	}
	if got := words.Printer(i18n.English).De("Aïssata"); got != "of Aïssata" {
		t.Errorf("en De = %q", got)
	}
	if got := fr.T("basket.assisted.for", map[string]any{"OfName": fr.De("Aïssata Diallo")}); got != "Panier d'Aïssata Diallo (inscription assistée)." {
		t.Errorf("assisted basket = %q", got)
	}
}
