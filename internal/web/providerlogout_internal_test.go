package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestFramedByProvider_ACC5: the front-channel logout trusts a subject in
// place of a sid only from a page of the provider itself.
func TestFramedByProvider_ACC5(t *testing.T) {
	const iss = "http://127.0.0.1:8191"
	for referer, want := range map[string]bool{
		"http://127.0.0.1:8191/":                  true,
		"http://127.0.0.1:8191/?logout=1":         true,
		"":                                        false,
		"http://127.0.0.1:8190/catalogue":         false,
		"https://127.0.0.1:8191/":                 false,
		"http://attaquant.exemple/?127.0.0.1":     false,
		"http://127.0.0.1:8191.attaquant.exemple": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/connexion/deconnexion-fournisseur", nil)
		if referer != "" {
			r.Header.Set("Referer", referer)
		}
		if got := framedByProvider(r, iss); got != want {
			t.Errorf("Referer %q: %v, want %v", referer, got, want)
		}
	}
}
