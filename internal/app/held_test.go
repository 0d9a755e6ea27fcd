package app

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestBasket_ACC3_held_duplicate_cannot_validate: signed in as the demo's
// duplicate persona (the same person as demo-candidate-1, through another
// sign-on subject), one may fill a basket, even with the formations the first
// account already holds, but not validate it: the basket and "Mes
// candidatures" say why, in French and in English, and a validation posted
// anyway is refused with the same words and writes nothing.
func TestBasket_ACC3_held_duplicate_cannot_validate(t *testing.T) {
	c := newBOCity(t)
	apply(t, c.base, "demo-candidate-1", c.own.ID, c.foreign.ID)

	dup := newBrowser(t, c.base)
	dup.signIn(t, "demo-candidate-duplicate")
	for _, id := range []int64{c.own.ID, c.foreign.ID} {
		if res, page := dup.do(t, "POST", "/panier/ajouter", url.Values{"cours": {strconv.FormatInt(id, 10)}}); res.StatusCode != 200 {
			t.Fatalf("ACC-3 a held account may prepare its basket: %d\n%.1500s", res.StatusCode, mainPart(page))
		}
	}
	const heldFR = "Votre compte est en cours de vérification : il ressemble à un autre compte"
	_, page := dup.do(t, "GET", "/panier", nil)
	page = html.UnescapeString(page)
	if !strings.Contains(page, heldFR) {
		t.Fatalf("the basket does not say it is held:\n%.2000s", mainPart(page))
	}
	if tokenField.MatchString(page) {
		t.Fatal("the basket of a held account offers the validation form")
	}

	// A validation posted anyway (an old tab, a crafted request).
	if res, page := dup.do(t, "POST", "/panier/valider", url.Values{"jeton": {"x"}, "version_reglement": {"2026-1"}, "objectif": {"personal"}, "reglement": {"1"}}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(html.UnescapeString(page), heldFR) {
		t.Fatalf("ACC-3 validation of a held account: %d\n%.2000s", res.StatusCode, mainPart(page))
	}
	_, page = dup.do(t, "GET", "/mes-candidatures", nil)
	page = html.UnescapeString(page)
	if !strings.Contains(page, "Votre compte est en cours de vérification (il ressemble à un autre compte") ||
		!strings.Contains(page, "Vous n'avez pas encore de candidature.") {
		t.Fatalf("Mes candidatures of a held account:\n%.2000s", mainPart(page))
	}

	dup.do(t, "POST", "/langue", url.Values{"lang": {"en"}})
	if _, page := dup.do(t, "GET", "/panier", nil); !strings.Contains(html.UnescapeString(page), "Your account is being checked: it looks like another account") {
		t.Fatalf("the English basket does not say it is held:\n%.2000s", mainPart(page))
	}
	if _, page := dup.do(t, "GET", "/mes-candidatures", nil); !strings.Contains(html.UnescapeString(page), "Your account is being checked (it looks like another account") {
		t.Fatalf("the English Mes candidatures does not say it is held:\n%.2000s", mainPart(page))
	}
}
