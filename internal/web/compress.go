package web

import (
	"compress/gzip"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// compressMinSize is the smallest body worth compressing: below it gzip's
// header and trailer (18 bytes) and the CPU cost outweigh what is saved.
const compressMinSize = 1024

// compression gzips text responses (pages, CSS, JSON, CSV, SVG, calendars) for
// clients whose Accept-Encoding takes gzip. Formats already compressed (PDF,
// XLSX, images) pass as they are, as do HEAD requests, bodiless statuses, partial
// content and bodies under compressMinSize. Its gzip writers are pooled.
type compression struct {
	writers sync.Pool // *gzip.Writer, each Reset onto the next response
}

func newCompression() *compression {
	c := &compression{}
	c.writers.New = func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression) // a valid level: no error
		return zw
	}
	return c
}

// handler wraps next. It sits inside the security headers and outside the
// session middleware, so that every header a handler or the session adds is in
// place when it decides, and a response's length is only ever the one sent.
func (c *compression) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &compressWriter{ResponseWriter: w, c: c,
			accept: r.Method != http.MethodHead && acceptsGzip(r.Header.Values("Accept-Encoding"))}
		next.ServeHTTP(cw, r)
		// Not deferred: after a panic (an aborted response) no gzip trailer may
		// make a truncated body look whole.
		cw.finish()
	})
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip (or x-gzip) with
// a non-zero weight, or "*" when gzip is not named.
func acceptsGzip(values []string) bool {
	named, star := false, false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			ok := true
			for _, p := range strings.Split(params, ";") {
				k, val, found := strings.Cut(strings.TrimSpace(p), "=")
				if found && strings.EqualFold(strings.TrimSpace(k), "q") {
					q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					ok = err == nil && q > 0
				}
			}
			if coding == "*" {
				star = ok
				continue
			}
			if !ok {
				return false
			}
			named = true
		}
	}
	return named || star
}

// compressible reports whether a media type is text worth gzipping.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "image/svg+xml",
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/yaml", mt == "application/x-yaml",
		mt == "application/javascript", mt == "application/ecmascript":
		return true
	}
	return false
}

// compressWriter holds a response's status and first bytes until it knows
// whether to compress: as soon as the headers say no, once compressMinSize bytes
// are written, at a Flush (a stream is compressed as it goes) or at the end.
type compressWriter struct {
	http.ResponseWriter
	c       *compression
	accept  bool // the client takes gzip and the method has a body
	decided bool
	code    int    // the status held until decided (0: none yet)
	held    []byte // the body held until decided
	zw      *gzip.Writer
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (cw *compressWriter) Unwrap() http.ResponseWriter { return cw.ResponseWriter }

func (cw *compressWriter) WriteHeader(code int) {
	if cw.decided {
		cw.ResponseWriter.WriteHeader(code) // net/http reports a superfluous call
		return
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		cw.ResponseWriter.WriteHeader(code) // informational: the real one follows
		return
	}
	if cw.code != 0 {
		return
	}
	cw.code = code
	cw.decideFromHeaders()
}

func (cw *compressWriter) Write(b []byte) (int, error) {
	if !cw.decided {
		if cw.code == 0 {
			cw.code = http.StatusOK
			cw.decideFromHeaders()
		}
		if !cw.decided {
			if len(cw.held)+len(b) < compressMinSize {
				cw.held = append(cw.held, b...)
				return len(b), nil
			}
			if err := cw.decide(true); err != nil {
				return 0, err
			}
		}
	}
	if cw.zw != nil {
		return cw.zw.Write(b)
	}
	return cw.ResponseWriter.Write(b)
}

// FlushError sends what was written so far, compressed if it is: a stream keeps
// streaming. http.ResponseController and Flush both come here.
func (cw *compressWriter) FlushError() error {
	if !cw.decided {
		if cw.code == 0 {
			cw.code = http.StatusOK
			cw.decideFromHeaders()
		}
		if !cw.decided {
			if err := cw.decide(true); err != nil {
				return err
			}
		}
	}
	if cw.zw != nil {
		if err := cw.zw.Flush(); err != nil {
			return fmt.Errorf("flush gzip: %w", err)
		}
	}
	return http.NewResponseController(cw.ResponseWriter).Flush()
}

// Flush implements http.Flusher.
func (cw *compressWriter) Flush() { _ = cw.FlushError() }

// decideFromHeaders settles what the status and headers alone settle: no
// compression for a client or method that does not take it, a status without a
// body or with part of one, content already encoded or not text, or a declared
// length under compressMinSize. Otherwise the decision waits for the body.
func (cw *compressWriter) decideFromHeaders() {
	h := cw.Header()
	if !cw.accept || !bodyMayCompress(cw.code) || h.Get("Content-Encoding") != "" {
		cw.decide(false)
		return
	}
	if ct := h.Get("Content-Type"); ct != "" && !compressible(ct) {
		cw.decide(false)
		return
	}
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n < compressMinSize {
			cw.decide(false)
		}
	}
}

// bodyMayCompress: statuses whose body can be compressed (not 204, 206, 304).
func bodyMayCompress(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusPartialContent &&
		code != http.StatusNotModified && code != http.StatusSwitchingProtocols
}

// decide writes the held status and body, compressing when want is true and
// the content's type allows it. Every response whose type could be compressed
// says Vary: Accept-Encoding, compressed or not, so that caches keep both.
func (cw *compressWriter) decide(want bool) error {
	cw.decided = true
	h := cw.Header()
	ct := h.Get("Content-Type")
	if _, typed := h["Content-Type"]; !typed && want {
		// net/http would sniff the compressed bytes: sniff the plain ones.
		ct = http.DetectContentType(cw.held)
		h.Set("Content-Type", ct)
	}
	if ct != "" && compressible(ct) && h.Get("Content-Encoding") == "" {
		addVary(h, "Accept-Encoding")
	} else {
		want = false
	}
	if want {
		h.Del("Content-Length")
		h.Del("Accept-Ranges") // ranges would count the compressed bytes
		h.Set("Content-Encoding", "gzip")
		if et := h.Get("Etag"); et != "" && !strings.HasPrefix(et, "W/") {
			h.Set("Etag", "W/"+et) // the same content, not the same bytes
		}
		cw.zw = cw.c.writers.Get().(*gzip.Writer)
		cw.zw.Reset(cw.ResponseWriter)
	}
	if cw.code != 0 {
		cw.ResponseWriter.WriteHeader(cw.code)
	}
	held := cw.held
	cw.held = nil
	if len(held) == 0 {
		return nil
	}
	var err error
	if cw.zw != nil {
		_, err = cw.zw.Write(held)
	} else {
		_, err = cw.ResponseWriter.Write(held)
	}
	return err
}

// finish ends the response once the handler returned: a body still held is
// small and goes as it is; a compressed one gets its trailer, and its writer
// goes back to the pool.
func (cw *compressWriter) finish() {
	if !cw.decided && (cw.code != 0 || len(cw.held) > 0) {
		cw.decide(false)
	}
	if cw.zw != nil {
		cw.zw.Close() // a write error here is the client's connection: nothing to answer
		cw.zw.Reset(nil)
		cw.c.writers.Put(cw.zw)
		cw.zw = nil
	}
}

// addVary adds a field name to Vary unless it is there already.
func addVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, name) {
				return
			}
		}
	}
	h.Add("Vary", name)
}
