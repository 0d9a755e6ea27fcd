package i18n_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cma/internal/i18n"
)

func catalogue(t *testing.T, l i18n.Lang) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("locales", string(l)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

var placeholder = regexp.MustCompile(`{{\s*\.([A-Za-z0-9_]+)`)

func placeholders(text string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestEveryFrenchMessageHasItsEnglish: every key of the French catalogue has an
// English text with the same placeholders (a placeholder missing in one
// language would silently drop a value, one too many would print "<no value>").
func TestEveryFrenchMessageHasItsEnglish(t *testing.T) {
	fr, en := catalogue(t, i18n.French), catalogue(t, i18n.English)
	for key, text := range fr {
		english, ok := en[key]
		switch {
		case !ok:
			t.Errorf("%s has no English text", key)
		case strings.TrimSpace(english) == "":
			t.Errorf("%s: empty English text", key)
		case !slices.Equal(placeholders(text), placeholders(english)):
			t.Errorf("%s: placeholders fr %v, en %v", key, placeholders(text), placeholders(english))
		}
	}
	for key := range en {
		if _, ok := fr[key]; !ok {
			t.Errorf("%s has no French text", key)
		}
	}
}

// producedKey matches a message key written as a literal in Go code: the
// services, the engine and the command words by key (domain.FieldError,
// allocation.Text), never by French sentence.
var producedKey = regexp.MustCompile(`"((?:person|profile|basket|filter|allocation|select)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)"`)

// TestEveryKeyTheCodeProducesExists reads the packages that hand message keys
// to the web layer and the command line, and checks that each key they can
// produce is in both catalogues.
func TestEveryKeyTheCodeProducesExists(t *testing.T) {
	fr, en := catalogue(t, i18n.French), catalogue(t, i18n.English)
	found := 0
	for _, dir := range []string{"domain", "accounts", "candidature", "catalogue", "allocation", "app", "web"} {
		files, err := filepath.Glob(filepath.Join("..", dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") || strings.HasSuffix(file, "_templ.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range producedKey.FindAllStringSubmatch(string(src), -1) {
				found++
				if _, ok := fr[m[1]]; !ok {
					t.Errorf("%s: key %q has no French text", file, m[1])
				}
				if _, ok := en[m[1]]; !ok {
					t.Errorf("%s: key %q has no English text", file, m[1])
				}
			}
		}
	}
	t.Logf("%d keys found in the code", found)
	if found < 80 {
		t.Fatalf("found only %d keys in the code: is the scan broken?", found)
	}
}

// msg is a message left to be worded, as the engine's allocation.Text.
type msg struct {
	key  string
	args map[string]any
}

func (m msg) MessageKey() string          { return m.key }
func (m msg) MessageArgs() map[string]any { return m.args }

// TestWordNestedMessages: a message's arguments that are messages, or lists of
// them, are worded in the same language first.
func TestWordNestedMessages(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	social := []msg{{key: "allocation.social.rsa"}, {key: "allocation.social.job_seeker"}}
	line := msg{key: "allocation.explain.social", args: map[string]any{"Criteria": social}}
	for lang, want := range map[i18n.Lang]string{
		i18n.French:  "Critères sociaux : RSA, demandeur d'emploi. Ils vous donnent priorité sur les candidats de même évaluation qui n'en ont pas.",
		i18n.English: "Social criteria: RSA, job seeker. They give you priority over candidates of the same evaluation who have none.",
	} {
		if got := words.Printer(lang).WordKeyed(line); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	slot := msg{key: "allocation.slot", args: map[string]any{"Weekday": msg{key: "weekday.3"},
		"Start": msg{key: "allocation.clock", args: map[string]any{"H": "18", "M": "30"}},
		"End":   msg{key: "allocation.clock", args: map[string]any{"H": "20", "M": "00"}}}}
	if got := words.Printer(i18n.English).WordKeyed(slot); got != "Wednesday 18:30–20:00" {
		t.Errorf("en slot = %q", got)
	}
	if got := words.Printer(i18n.French).Word("person.error.phone", nil); !strings.HasPrefix(got, "Le numéro de téléphone") {
		t.Errorf("nil arguments: %q", got)
	}
}
