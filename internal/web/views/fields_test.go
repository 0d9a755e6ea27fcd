package views_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"cma/internal/i18n"
	"cma/internal/web/views"
)

var (
	describedByAttr = regexp.MustCompile(`aria-describedby="([^"]*)"`)
	idAttr          = regexp.MustCompile(`\sid="([^"]*)"`)
	errorMessage    = regexp.MustCompile(`class="error-message" id="([^"]*)"`)
)

// TestBasketForm_fields_wire_their_errors: on the validation form shown
// again with an error on every field, each error is named by the
// aria-describedby of its field (the motivation's text area, the objective's
// radio group, the proof, the rules' checkbox), and every name points to
// something on the page.
func TestBasketForm_fields_wire_their_errors(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	pg := &views.Page{P: words.Printer(i18n.French), Title: "Panier"}
	fields := []string{"objectif", "motivation", "justificatif", "date_justificatif", "reglement"}
	v := &views.BasketView{Action: "/panier", Token: "t", RulesVersion: "2026-1", RulesBody: "Règlement.",
		Items: []views.BasketItem{{ID: 1, URL: "/catalogue/cours/1", Title: "Anglais"}}, ErrFor: map[string]string{},
		Objectives: []views.Option{{Value: "personal", Label: "Personnel"}, {Value: "work", Label: "Travail"}}, HalfTariff: true}
	for _, f := range fields {
		v.ErrFor[f] = "Erreur " + f
		v.Errors = append(v.Errors, views.FieldMessage{Field: f, Message: "Erreur " + f})
	}
	var b strings.Builder
	if err := views.Basket(pg, v).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	page := b.String()

	ids := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(page, -1) {
		ids[m[1]] = true
	}
	described := map[string]bool{}
	for _, m := range describedByAttr.FindAllStringSubmatch(page, -1) {
		for _, id := range strings.Fields(m[1]) {
			described[id] = true
			if !ids[id] {
				t.Errorf("aria-describedby names %q, which is not on the page", id)
			}
		}
	}
	for _, f := range fields {
		if !described[f+"-error"] {
			t.Errorf("the error of %q is not tied to its field by aria-describedby", f)
		}
	}
	for _, m := range errorMessage.FindAllStringSubmatch(page, -1) {
		if !described[m[1]] {
			t.Errorf("error message %q is tied to no field", m[1])
		}
	}
	for _, want := range []string{`aria-describedby="motivation-hint motivation-error"`,
		`aria-describedby="justificatif-hint justificatif-error"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	// The error summary's link to the objective lands on its first button.
	if !strings.Contains(page, `href="#objectif"`) || !strings.Contains(page, `type="radio" id="objectif"`) {
		t.Error("the summary's link to the objective has no target")
	}
}
