package payfip

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newTestServer(t *testing.T, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func formRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/notif", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func httptestRequest(method, target string) *http.Request {
	return httptest.NewRequest(method, target, nil)
}

func TestFrenchEuros(t *testing.T) {
	for cents, want := range map[int64]string{4500: "45,00\u00a0€", 5: "0,05\u00a0€", 123456789: "1\u202f234\u202f567,89\u00a0€", 100000: "1\u202f000,00\u00a0€"} {
		if got := frenchEuros(cents); got != want {
			t.Errorf("frenchEuros(%d) = %q, want %q", cents, got, want)
		}
	}
}
