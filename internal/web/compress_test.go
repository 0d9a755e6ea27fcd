package web

import (
	"bufio"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serveCompressed runs h behind the compression middleware for one request.
func serveCompressed(t *testing.T, h http.HandlerFunc, method, acceptEncoding string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "/", nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	newCompression().handler(h).ServeHTTP(rec, req)
	return rec
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return string(out)
}

func textOf(ct string, n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		io.WriteString(w, strings.Repeat("a", n))
	}
}

func TestCompression_accept_encoding(t *testing.T) {
	for header, want := range map[string]bool{
		"gzip": true, "gzip, deflate, br, zstd": true, "br;q=1.0, gzip;q=0.8": true, "x-gzip": true,
		"GZIP": true, "*": true, "gzip;q=0": false, "*;q=0": false, "gzip;q=0, *": false,
		"identity": false, "": false, "br": false, "deflate, *;q=0.1": true, "gzip;q=0.000": false,
	} {
		if got := acceptsGzip([]string{header}); got != want {
			t.Errorf("Accept-Encoding %q: gzip accepted %v, want %v", header, got, want)
		}
	}
}

func TestCompression_which_responses(t *testing.T) {
	for _, tc := range []struct {
		name, ct, ae, method string
		n                    int
		gz                   bool
	}{
		{"html", "text/html; charset=utf-8", "gzip", "GET", 5000, true},
		{"css", "text/css; charset=utf-8", "gzip", "GET", 5000, true},
		{"json", "application/json", "gzip", "GET", 5000, true},
		{"problem json", "application/problem+json", "gzip", "GET", 5000, true},
		{"csv", "text/csv; charset=utf-8", "gzip", "GET", 5000, true},
		{"svg", "image/svg+xml", "gzip", "GET", 5000, true},
		{"ics", "text/calendar; charset=utf-8", "gzip", "GET", 5000, true},
		{"yaml", "application/yaml", "gzip", "GET", 5000, true},
		{"untyped text is sniffed", "", "gzip", "GET", 5000, true},
		{"exactly 1 KB", "text/html", "gzip", "GET", 1024, true},
		{"not accepted", "text/html", "identity", "GET", 5000, false},
		{"no Accept-Encoding", "text/html", "", "GET", 5000, false},
		{"refused", "text/html", "gzip;q=0", "GET", 5000, false},
		{"HEAD", "text/html", "gzip", "HEAD", 5000, false},
		{"tiny", "text/html", "gzip", "GET", 1023, false},
		{"pdf", "application/pdf", "gzip", "GET", 5000, false},
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "gzip", "GET", 5000, false},
		{"png", "image/png", "gzip", "GET", 5000, false},
		{"jpeg", "image/jpeg", "gzip", "GET", 5000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serveCompressed(t, textOf(tc.ct, tc.n), tc.method, tc.ae)
			got := rec.Header().Get("Content-Encoding") == "gzip"
			if got != tc.gz {
				t.Fatalf("compressed %v, want %v (headers %v)", got, tc.gz, rec.Header())
			}
			body := rec.Body.String()
			if got {
				body = gunzip(t, rec.Body.Bytes())
				if rec.Header().Get("Content-Type") == "" {
					t.Error("a compressed response lost its type")
				}
			}
			if body != strings.Repeat("a", tc.n) {
				t.Errorf("body of %d bytes, want %d", len(body), tc.n)
			}
			vary := strings.Join(rec.Header().Values("Vary"), ",")
			if textual := tc.ct == "" || compressible(tc.ct); textual && !strings.Contains(vary, "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", vary)
			} else if !textual && vary != "" {
				t.Errorf("Vary %q on a response that is never compressed", vary)
			}
		})
	}
}

// A declared length is dropped when compressing (it counted the plain bytes),
// kept otherwise; a length under the threshold settles it at once.
func TestCompression_content_length(t *testing.T) {
	withLength := func(n int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/csv")
			w.Header().Set("Content-Length", strconv.Itoa(n))
			io.WriteString(w, strings.Repeat("x;y\n", n/4))
		}
	}
	rec := serveCompressed(t, withLength(8000), "GET", "gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Length") != "" {
		t.Fatalf("compressed CSV headers: %v", rec.Header())
	}
	if got := gunzip(t, rec.Body.Bytes()); len(got) != 8000 {
		t.Fatalf("CSV of %d bytes, want 8000", len(got))
	}
	rec = serveCompressed(t, withLength(8000), "GET", "identity")
	if rec.Header().Get("Content-Length") != "8000" || rec.Body.Len() != 8000 {
		t.Fatalf("plain CSV: length %q, %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
	}
	rec = serveCompressed(t, withLength(400), "GET", "gzip")
	if rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Content-Length") != "400" || rec.Body.Len() != 400 {
		t.Fatalf("small CSV: %v, %d bytes", rec.Header(), rec.Body.Len())
	}
}

// Statuses without a body (or with part of one) pass untouched; an error page
// of some size is compressed like any page; a strong ETag becomes weak.
func TestCompression_statuses_and_validators(t *testing.T) {
	for _, code := range []int{http.StatusNoContent, http.StatusNotModified, http.StatusPartialContent} {
		rec := serveCompressed(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/css")
			w.WriteHeader(code)
			if code == http.StatusPartialContent {
				io.WriteString(w, strings.Repeat("b", 4000))
			}
		}, "GET", "gzip")
		if rec.Code != code || rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("status %d: got %d, encoding %q", code, rec.Code, rec.Header().Get("Content-Encoding"))
		}
	}
	rec := serveCompressed(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Accept-Ranges", "bytes")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, strings.Repeat("c", 3000))
	}, "GET", "gzip")
	if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("404 page: %d %v", rec.Code, rec.Header())
	}
	if rec.Header().Get("ETag") != `W/"v1"` || rec.Header().Get("Accept-Ranges") != "" {
		t.Errorf("validators: ETag %q, Accept-Ranges %q", rec.Header().Get("ETag"), rec.Header().Get("Accept-Ranges"))
	}
	rec = serveCompressed(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "br")
		io.WriteString(w, strings.Repeat("d", 3000))
	}, "GET", "gzip")
	if rec.Header().Get("Content-Encoding") != "br" || rec.Body.Len() != 3000 {
		t.Errorf("already encoded: %v, %d bytes", rec.Header(), rec.Body.Len())
	}
}

// Many small writes add up: the body is compressed once past the threshold,
// and pooled writers serve one response after another.
func TestCompression_small_writes_and_reuse(t *testing.T) {
	c := newCompression()
	h := c.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i < 300; i++ {
			io.WriteString(w, r.URL.Query().Get("w"))
		}
	}))
	for _, word := range []string{"alpha", "beta", "gamma", "delta"} {
		req := httptest.NewRequest("GET", "/?w="+word, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := gunzip(t, rec.Body.Bytes()); got != strings.Repeat(word, 300) {
			t.Fatalf("%s: got %d bytes %.20q…", word, len(got), got)
		}
	}
}

// A streamed response still streams: what is flushed reaches the client,
// decompressible, while the handler is still writing.
func TestCompression_flush_streams(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(newCompression().handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "first line\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		<-release
		io.WriteString(w, "second line\n")
	})))
	defer srv.Close()
	defer close(release)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("a stream of text is compressed too: %v", res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(zr).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		if line != "first line\n" {
			t.Fatalf("first flushed line %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the flushed line did not arrive before the handler finished")
	}
}
