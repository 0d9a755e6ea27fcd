package web

import (
	"strconv"
	"testing"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
	"cma/internal/web/views"
)

// TestSearchEstablishments_CAT1_bounded_list: a city of up to 80
// establishments lists them all on the search form; a larger one lists those
// of the chosen arrondissement (or of the chosen establishment's), with a hint
// saying so, and none without one but the chosen, so that the page does not
// grow with the catalogue.
func TestSearchEstablishments_CAT1_bounded_list(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	pg := &views.Page{P: words.Printer(i18n.French)}
	any := views.Option{Label: "Tous"}
	city := func(n int) *catalogue.Index {
		c := &store.Catalogue{Revision: 1}
		for i := 1; i <= n; i++ {
			c.Establishments = append(c.Establishments, domain.Establishment{ID: int64(i), Code: "E" + strconv.Itoa(i),
				Name: "École " + strconv.Itoa(i), District: 1 + i%20})
		}
		return catalogue.Build(c, words, "C")
	}
	listed := func(opts []views.Option) (n int, selected string) {
		for _, o := range opts[1:] {
			n++
			if o.Selected {
				selected = o.Value
			}
		}
		return n, selected
	}
	small := city(80)
	if opts, hint := establishmentOptions(pg, any, small, catalogue.Filter{District: 3}); len(opts) != 81 || hint != "" {
		t.Fatalf("80 establishments: %d options, hint %q", len(opts), hint)
	}
	large := city(400)
	opts, hint := establishmentOptions(pg, any, large, catalogue.Filter{})
	if n, _ := listed(opts); n != 0 || hint != "Choisissez d'abord un arrondissement et lancez la recherche : la liste montre alors ses établissements." {
		t.Fatalf("400 establishments, no arrondissement: %d listed, hint %q", n, hint)
	}
	opts, hint = establishmentOptions(pg, any, large, catalogue.Filter{District: 12})
	if n, _ := listed(opts); n != 20 || hint != "La liste montre les établissements du 12e arrondissement ; choisissez un autre arrondissement pour voir les siens." {
		t.Fatalf("400 establishments, 12e: %d listed, hint %q", n, hint)
	}
	for _, o := range opts[1:] {
		if e, _ := large.Establishment(mustID(t, o.Value)); e.District != 12 {
			t.Fatalf("%s of the %de listed for the 12e", e.Name, e.District)
		}
	}
	// The chosen establishment gives its arrondissement, and stays chosen
	// when another arrondissement is asked for.
	if opts, _ := establishmentOptions(pg, any, large, catalogue.Filter{EstablishmentID: 52}); len(opts) != 21 {
		t.Fatalf("establishment 52 (13e) chosen: %d options", len(opts))
	} else if _, sel := listed(opts); sel != "52" {
		t.Fatalf("establishment 52 not selected: %q", sel)
	}
	if opts, _ := establishmentOptions(pg, any, large, catalogue.Filter{EstablishmentID: 52, District: 12}); len(opts) != 22 {
		t.Fatalf("establishment 52 with the 12e: %d options", len(opts))
	} else if _, sel := listed(opts); sel != "52" {
		t.Fatalf("establishment 52 not kept: %q", sel)
	}
}

func mustID(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
