package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
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

// TestNotModified_CAT5: a calendar app's revalidation gets 304 only while its
// copy is the current one (weak ETag comparison, then the date).
func TestNotModified_CAT5(t *testing.T) {
	modified := time.Date(2026, 12, 2, 6, 41, 38, 500, time.UTC)
	const etag = `W/"906b2ad28b67124b-1"`
	for _, tc := range []struct {
		header, value string
		want          bool
	}{
		{"If-None-Match", `W/"906b2ad28b67124b-1"`, true},
		{"If-None-Match", `"906b2ad28b67124b-1"`, true},
		{"If-None-Match", `W/"c3258d99b99fcf3c-0", W/"906b2ad28b67124b-1"`, true},
		{"If-None-Match", `*`, true},
		{"If-None-Match", `W/"c3258d99b99fcf3c-0"`, false},
		{"If-Modified-Since", modified.Format(http.TimeFormat), true},
		{"If-Modified-Since", modified.Add(-time.Second).Format(http.TimeFormat), false},
		{"If-Modified-Since", "hier", false},
		{"", "", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/catalogue/cours/1/seances.ics", nil)
		if tc.header != "" {
			r.Header.Set(tc.header, tc.value)
		}
		if got := notModified(r, etag, modified); got != tc.want {
			t.Errorf("%s: %s → %v, want %v", tc.header, tc.value, got, tc.want)
		}
	}
}
