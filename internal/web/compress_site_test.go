package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// fetchRaw sends one request saying which encodings it takes and returns the
// response with its body as sent (Go's client decodes gzip only when it asked
// for it itself).
func fetchRaw(t testing.TB, method, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	client := rawClient()
	defer client.CloseIdleConnections()
	return fetchWith(t, client, method, url, acceptEncoding)
}

// rawClient does not follow redirects nor decode what it receives.
func rawClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetchWith(t testing.TB, client *http.Client, method, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", acceptEncoding)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func decoded(t testing.TB, res *http.Response, body []byte) string {
	t.Helper()
	if res.Header.Get("Content-Encoding") != "gzip" {
		return string(body)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return string(plain)
}

func hasVary(res *http.Response, name string) bool {
	for _, v := range res.Header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// The whole site compresses text for clients that take gzip, behind the
// security headers, and leaves the PDF brochure, HEAD and tiny bodies alone.
func TestSite_text_responses_compressed_when_accepted(t *testing.T) {
	s := newSite(t)

	res, body := fetchRaw(t, "GET", s.URL+"/catalogue", "gzip, deflate, br")
	page := decoded(t, res, body)
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("catalogue: %d, encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(page, "<html") || res.Header.Get("Content-Length") != "" {
		t.Fatalf("catalogue: %d plain bytes, Content-Length %q", len(page), res.Header.Get("Content-Length"))
	}
	if !hasVary(res, "Accept-Encoding") || !hasVary(res, "Cookie") {
		t.Errorf("catalogue Vary: %q", res.Header.Values("Vary"))
	}
	if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers lost: %v", res.Header)
	}
	if len(body)*3 > len(page) {
		t.Errorf("catalogue: %d bytes compressed from %d: less than 3 to 1", len(body), len(page))
	}

	plainRes, plainBody := fetchRaw(t, "GET", s.URL+"/catalogue", "identity")
	if plainRes.Header.Get("Content-Encoding") != "" || !hasVary(plainRes, "Accept-Encoding") {
		t.Errorf("not accepted: encoding %q, Vary %q", plainRes.Header.Get("Content-Encoding"), plainRes.Header.Values("Vary"))
	}
	if !strings.Contains(string(plainBody), "<html") {
		t.Error("not accepted: the page is not plain HTML")
	}

	css := regexp.MustCompile(`href="(/static/[^"]+\.css)"`).FindStringSubmatch(page)
	if css == nil {
		t.Fatal("no stylesheet link in the catalogue page")
	}
	for _, path := range []string{css[1], "/api/v1/courses?q=anglais", "/api/v1/openapi.yaml", "/catalogue/brochure"} {
		res, body := fetchRaw(t, "GET", s.URL+path, "gzip")
		if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" || !hasVary(res, "Accept-Encoding") {
			t.Errorf("%s: %d, %s, encoding %q, Vary %q", path, res.StatusCode, res.Header.Get("Content-Type"),
				res.Header.Get("Content-Encoding"), res.Header.Values("Vary"))
			continue
		}
		decoded(t, res, body)
	}

	res, body = fetchRaw(t, "GET", s.URL+"/catalogue/brochure.pdf", "gzip")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(string(body), "%PDF") {
		t.Errorf("brochure.pdf: %d, encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if hasVary(res, "Accept-Encoding") {
		t.Error("brochure.pdf varies on Accept-Encoding though it is never compressed")
	}

	res, body = fetchRaw(t, "HEAD", s.URL+"/catalogue", "gzip")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" || len(body) != 0 {
		t.Errorf("HEAD: %d, encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	res, body = fetchRaw(t, "GET", s.URL+"/healthz", "gzip")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" || len(body) >= 1024 {
		t.Errorf("healthz (tiny): %d, encoding %q, %d bytes", res.StatusCode, res.Header.Get("Content-Encoding"), len(body))
	}
}

// BenchmarkCataloguePage serves a catalogue search plain and gzipped; the
// gzipped run reports the size ratio (plain bytes per compressed byte):
//
//	go test ./internal/web -run '^$' -bench CataloguePage
func BenchmarkCataloguePage(b *testing.B) {
	s := newSite(b)
	url := s.URL + "/catalogue?q=anglais"
	res, plain := fetchRaw(b, "GET", url, "identity")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" {
		b.Fatalf("plain page: %d %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	res, zipped := fetchRaw(b, "GET", url, "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" {
		b.Fatalf("gzip page not compressed: %v", res.Header)
	}
	for _, enc := range []string{"identity", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			client := rawClient()
			defer client.CloseIdleConnections()
			var n int
			for b.Loop() {
				_, body := fetchWith(b, client, "GET", url, enc)
				n = len(body)
			}
			b.ReportMetric(float64(n), "bytes/page")
			if enc == "gzip" {
				b.ReportMetric(float64(len(plain))/float64(len(zipped)), "plain/gzip")
			}
		})
	}
}
