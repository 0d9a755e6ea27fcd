package i18n

import (
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestSimplePlaceholdersMatchGoI18n: the fast path words every message exactly as
// go-i18n's template would.
func TestSimplePlaceholdersMatchGoI18n(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range Langs {
		p := c.Printer(l)
		for id, parts := range p.simple {
			data := map[string]any{}
			for i := 1; i < len(parts); i += 2 {
				data[parts[i]] = "«" + parts[i] + "»"
			}
			want, err := p.localizer.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.T(id, data); got != want {
				t.Errorf("%s %s: fast %q, go-i18n %q", l, id, got, want)
			}
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d messages take the fast path", n)
	}
	if _, ok := splitPlaceholders("{{if .X}}a{{end}}"); ok {
		t.Error("a template with logic took the fast path")
	}
}
