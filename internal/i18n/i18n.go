// Package i18n holds the product's words in French (the default) and English.
// Messages live in locales/*.json (the go-i18n format); every key must exist in
// both languages, which Load checks.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Lang is a supported language.
type Lang string

const (
	French  Lang = "fr"
	English Lang = "en"
)

// Langs lists the supported languages, default first.
var Langs = []Lang{French, English}

// ParseLang returns the supported language named by s, or French.
func ParseLang(s string) Lang {
	if Lang(s) == English {
		return English
	}
	return French
}

// Catalog holds the messages of every language. Messages without arguments are
// rendered once at load time, so the hot path of a page is a map lookup.
type Catalog struct {
	printers map[Lang]*Printer
}

// Printer translates into one language.
type Printer struct {
	Lang      Lang
	localizer *goi18n.Localizer
	plain     map[string]string
	simple    map[string][]string // messages whose only template actions are {{.Name}}: text, name, text, name, …
}

// Load reads the embedded message files and checks that both languages define
// the same keys.
func Load() (*Catalog, error) {
	bundle := goi18n.NewBundle(language.French)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	keys := map[Lang]map[string]string{}
	for _, l := range Langs {
		name := "locales/" + string(l) + ".json"
		data, err := locales.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		if _, err := bundle.ParseMessageFileBytes(data, path.Base(name)); err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
		}
		var raw map[string]string
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("i18n: %s must map keys to strings: %w", name, err)
		}
		keys[l] = raw
	}
	for k := range keys[French] {
		if _, ok := keys[English][k]; !ok {
			return nil, fmt.Errorf("i18n: key %q has no English text", k)
		}
	}
	for k := range keys[English] {
		if _, ok := keys[French][k]; !ok {
			return nil, fmt.Errorf("i18n: key %q has no French text", k)
		}
	}
	c := &Catalog{printers: map[Lang]*Printer{}}
	for _, l := range Langs {
		p := &Printer{Lang: l, localizer: goi18n.NewLocalizer(bundle, string(l)), plain: map[string]string{}, simple: map[string][]string{}}
		for k, text := range keys[l] {
			if !strings.Contains(text, "{{") {
				p.plain[k] = text
			} else if parts, ok := splitPlaceholders(text); ok {
				p.simple[k] = parts
			}
		}
		c.printers[l] = p
	}
	return c, nil
}

// Printer returns the printer of language l (French when unknown).
func (c *Catalog) Printer(l Lang) *Printer {
	if p, ok := c.printers[l]; ok {
		return p
	}
	return c.printers[French]
}

// T translates the message id; data fills its {{.Name}} placeholders. An unknown
// id comes back as itself so a missing message shows rather than breaks a page.
func (p *Printer) T(id string, data ...map[string]any) string {
	if len(data) == 0 {
		if s, ok := p.plain[id]; ok {
			return s
		}
	}
	// Most messages only insert values: do it without running a template, which
	// matters on pages that word hundreds of values.
	if parts, ok := p.simple[id]; ok && len(data) > 0 {
		var b strings.Builder
		for i, part := range parts {
			if i%2 == 0 {
				b.WriteString(part)
			} else {
				b.WriteString(fmt.Sprint(data[0][part]))
			}
		}
		return b.String()
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := p.localizer.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// Keyed is a message left to be worded: a message key and its arguments. The
// engine (package allocation) returns its explanations as such values, since it
// may import nothing of the platform; domain.FieldError carries the same two
// things as fields.
type Keyed interface {
	MessageKey() string
	MessageArgs() map[string]any
}

// Word translates key with args like T, and first words every argument that is
// itself a message (a Keyed) or a list of messages (a slice of Keyed, joined
// with ", "), so that a sentence can name a course worded in the same language.
// nil args are no arguments.
func (p *Printer) Word(key string, args map[string]any) string {
	if len(args) == 0 {
		return p.T(key)
	}
	worded := make(map[string]any, len(args))
	for name, v := range args {
		worded[name] = p.wordArg(v)
	}
	return p.T(key, worded)
}

// WordKeyed words a message left to be worded.
func (p *Printer) WordKeyed(m Keyed) string { return p.Word(m.MessageKey(), m.MessageArgs()) }

func (p *Printer) wordArg(v any) any {
	if m, ok := v.(Keyed); ok {
		return p.WordKeyed(m)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || !rv.Type().Elem().Implements(reflect.TypeFor[Keyed]()) {
		return v
	}
	parts := make([]string, rv.Len())
	for i := range parts {
		parts[i] = p.WordKeyed(rv.Index(i).Interface().(Keyed))
	}
	return strings.Join(parts, ", ")
}

// splitPlaceholders cuts "de {{.Start}} à {{.End}}" into text and names:
// ["de ", "Start", " à ", "End", ""]. ok is false when the message uses any
// other template action, which then goes through go-i18n.
func splitPlaceholders(text string) (parts []string, ok bool) {
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			return append(parts, text), true
		}
		j := strings.Index(text[i:], "}}")
		if j < 0 {
			return nil, false
		}
		action := strings.TrimSpace(text[i+2 : i+j])
		name, isField := strings.CutPrefix(action, ".")
		if !isField || name == "" || strings.ContainsAny(name, " .|()\"") {
			return nil, false
		}
		parts = append(parts, text[:i], name)
		text = text[i+j+2:]
	}
}

// Has reports whether id is a known message.
func (p *Printer) Has(id string) bool {
	if _, ok := p.plain[id]; ok {
		return true
	}
	_, err := p.localizer.Localize(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil
}

// Keys lists the message ids of the embedded French file, for tests.
func Keys() ([]string, error) {
	data, err := fs.ReadFile(locales, "locales/fr.json")
	if err != nil {
		return nil, err
	}
	var raw map[string]string
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(raw))
	for k := range raw {
		out = append(out, k)
	}
	return out, nil
}

// N words a message that depends on a count n: key+".one" when n takes the
// singular in the printer's language, key+".other" otherwise, and key+".zero"
// for n == 0 when the catalogue has one ("aucun courriel"). French puts 0 and 1
// in the singular ("0 inscrit", "1 inscrit", "2 inscrits"), English only 1
// ("0 learners", "1 learner"). The count is given to the message as {{.N}}
// unless data already names it; data's other values fill the rest.
func (p *Printer) N(key string, n int, data ...map[string]any) string {
	args := map[string]any{"N": n}
	if len(data) > 0 {
		for k, v := range data[0] {
			args[k] = v
		}
	}
	if n == 0 && p.Has(key+".zero") {
		return p.T(key+".zero", args)
	}
	return p.T(key+"."+p.PluralForm(n), args)
}

// PluralForm is the plural category of n in the printer's language: "one" or
// "other" (the only two French and English have for whole numbers).
func (p *Printer) PluralForm(n int) string {
	if n == 1 || (p.Lang == French && n == 0) {
		return "one"
	}
	return "other"
}

// De writes the French preposition "de" before word with its elision: "de
// Martin", "d'Aïssata", "d'Hélène", "d'Yves" ("de Yasmine", "de Hugues" keep
// it: a y before a vowel and an aspirated h do not elide). In English it
// returns "of " + word; messages that read better otherwise do not use it.
func (p *Printer) De(word string) string {
	if p.Lang != French {
		return "of " + word
	}
	if Elides(word) {
		return "d'" + word
	}
	return "de " + word
}

// Elides reports whether a French word or name takes the elided form of
// "de", "le", "que"... before it: it starts with a vowel (accented or not), a
// mute h, or a y followed by a consonant (Yves, Yvonne).
func Elides(word string) bool {
	w := []rune(strings.ToLower(strings.TrimSpace(word)))
	if len(w) == 0 {
		return false
	}
	switch {
	case strings.ContainsRune("aàâäeéèêëiîïoôöuùûüœæ", w[0]):
		return true
	case w[0] == 'y':
		return len(w) > 1 && !strings.ContainsRune("aàâeéèêiîoôuùû", w[1])
	case w[0] == 'h':
		for _, prefix := range aspiratedH {
			if strings.HasPrefix(string(w), prefix) {
				return false
			}
		}
		return true
	}
	return false
}

// aspiratedH lists beginnings of common names and words whose h is aspirated
// (no elision: "de Hugues", "de Hongrie"); every other h is taken as mute
// ("d'Hélène", "d'Hugo"), as most first names are.
var aspiratedH = []string{"hugues", "hakim", "hamid", "hassan", "hongr", "holland", "haut", "hall", "hasard",
	"héros", "hibou", "honte", "hors", "huit"}
