package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"cma/internal/candidature"
)

// Request input is read in one place, before any handler: every route declares
// how much body it takes (its input), and readInput bounds the body, parses the
// form once, refuses text that is not clean UTF-8, and removes the form's
// temporary files after the handler. Handlers then read the parsed form with
// r.FormValue and friends, which never read the body again.

// Body sizes, fitted to the forms the routes receive.
const (
	smallBody = 8 << 10  // a few short fields: signing in, the language, a button
	textBody  = 64 << 10 // forms with free text: an address, a reason
	// proofBody is the validation form: the proof (5 MB) and its fields.
	proofBody = candidature.MaxProofBytes + 256<<10
	// formMemory is how much of a multipart form is kept in memory; the rest of
	// its files goes to temporary files, removed once the handler returns.
	formMemory = 1 << 20
	// maxQueryValue caps each query parameter: the longest honest one is a
	// return address or a sign-on's code, far shorter.
	maxQueryValue = 4 << 10
)

// input is what a route reads of a request.
type input struct {
	maxBody  int64  // the body's size, in bytes
	upload   bool   // the body carries a file: it may take Timeouts.Upload to arrive
	tooLarge string // the message id shown when the body is over maxBody
	signIn   bool   // a sign-in attempt: counted per client address before the body is read
	proof    bool   // the validation form: read part by part (proofupload.go)
	declared bool   // refused on its Content-Length, before any of it is read (the catalogue import)
}

var (
	smallForm  = input{maxBody: smallBody, tooLarge: "input.too_large"}
	textForm   = input{maxBody: textBody, tooLarge: "input.too_large"}
	signInForm = input{maxBody: smallBody, tooLarge: "input.too_large", signIn: true}
	proofForm  = input{maxBody: proofReadBody, upload: true, tooLarge: "input.proof_too_large", proof: true}
)

// readInput bounds and reads the request's input for the route, then calls next.
func (s *Server) readInput(in input, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.signIn && s.limited(w, r, s.signInByIP, "ip:"+clientIP(r)) {
			return
		}
		if in.declared && r.ContentLength > in.maxBody {
			s.bodyError(w, r, in, &http.MaxBytesError{Limit: in.maxBody})
			return
		}
		if in.upload {
			s.allowSlowBody(w, r)
		}
		r.Body = http.MaxBytesReader(w, r.Body, in.maxBody)
		// The form is parsed here, on the request the handler gets: net/http
		// cleans only the form of the request it made, not of a copy such as
		// the session middleware's (golang/go#58809).
		defer removeFormFiles(r)
		if in.proof {
			var err error
			if r, err = parseProofForm(r); err != nil {
				s.bodyError(w, r, in, err)
				return
			}
		} else if err := parseForm(r); err != nil {
			s.bodyError(w, r, in, err)
			return
		}
		if up := requestUpload(r); up != nil && !cleanText(up.Name) {
			s.Log.Warn("security: request text refused", "event", "bad_text", "path", r.URL.Path)
			s.requestError(w, r, http.StatusBadRequest, "input.text")
			return
		}
		if msgID := checkText(r); msgID != "" {
			s.Log.Warn("security: request text refused", "event", "bad_text", "path", r.URL.Path)
			s.requestError(w, r, http.StatusBadRequest, msgID)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allowSlowBody lets an upload take Timeouts.Upload to arrive instead of the
// server's short read timeout, and gives the answer its usual time after it.
// These are network deadlines, on the machine's clock, not the platform's.
func (s *Server) allowSlowBody(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	end := time.Now().Add(s.Timeouts.Upload)
	if err := rc.SetReadDeadline(end); err != nil {
		s.Log.Warn("upload read deadline not set", "path", r.URL.Path, "error", err)
	}
	if err := rc.SetWriteDeadline(end.Add(s.Timeouts.Write)); err != nil {
		s.Log.Warn("upload write deadline not set", "path", r.URL.Path, "error", err)
	}
}

// parseForm reads the query and, for a form post, the body: multipart forms
// with their files, urlencoded forms whole. Other bodies are left to the
// handler, bounded.
func parseForm(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
		return r.ParseMultipartForm(formMemory)
	}
	return r.ParseForm()
}

func removeFormFiles(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// bodyError answers a request whose input could not be read whole: too large,
// too slow, cut off, or malformed. Nothing of it reaches a handler.
func (s *Server) bodyError(w http.ResponseWriter, r *http.Request, in input, err error) {
	// A failed read cancels the request's context, which would fail the
	// page's rendering too: the candidate still waiting must get the page.
	r = r.WithContext(context.WithoutCancel(r.Context()))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.Log.Warn("request body too large", "event", "body_too_large", "path", r.URL.Path, "limit", tooLarge.Limit)
		s.requestError(w, r, http.StatusRequestEntityTooLarge, in.tooLarge)
	case errors.Is(err, os.ErrDeadlineExceeded):
		s.Log.Warn("request body too slow", "event", "body_timeout", "path", r.URL.Path)
		s.requestError(w, r, http.StatusBadRequest, "input.too_slow")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		s.Log.Info("request body cut off", "path", r.URL.Path, "error", err)
		s.requestError(w, r, http.StatusBadRequest, "input.incomplete")
	default:
		s.Log.Info("request input malformed", "path", r.URL.Path, "error", err)
		s.requestError(w, r, http.StatusBadRequest, "badrequest.text")
	}
}

// checkText returns the message id for the first field or query parameter
// that is not clean text: invalid UTF-8, a NUL byte (which PostgreSQL refuses
// and SQLite would store), or an overlong query value. It returns "" when all
// are clean.
func checkText(r *http.Request) string {
	for name, values := range r.Form {
		if !cleanText(name) {
			return "input.text"
		}
		for _, v := range values {
			if !cleanText(v) {
				return "input.text"
			}
		}
	}
	if r.MultipartForm != nil {
		for name, files := range r.MultipartForm.File {
			if !cleanText(name) {
				return "input.text"
			}
			for _, f := range files {
				if !cleanText(f.Filename) {
					return "input.text"
				}
			}
		}
	}
	for _, values := range r.URL.Query() {
		for _, v := range values {
			if len(v) > maxQueryValue {
				return "input.too_long"
			}
		}
	}
	return ""
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
