package web

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"cma/internal/web/views"
)

// A form posted after its session expired (a trainer's register filled during
// a long class, a basket validated after lunch) is kept, and submitted once the
// person has signed in again: nothing typed is lost. This works for every route
// that needs a signed-in person, from the guard:
//
//  1. The POST arrives with a session that loadUser just ended, or that ended
//     earlier in this browser (websession.EndedAccount says whose it was).
//  2. keepForm keeps its fields, not its files, in the new anonymous session,
//     for that account only, and sends the person to sign in.
//  3. Once signed in (completeSignIn), the same account lands on
//     /saisie-conservee, a page whose button posts the kept fields again to
//     the route, same-origin (http.CrossOriginProtection lets it through);
//     a file is asked for again there. Another account signing in drops it.
//  4. The signed-in POST to the kept form's address (the form sent again, or
//     typed again) drops it; so does the page's "abandon" button, or another
//     account signing in.
//
// A form without a known account (no session ever, or one older than its
// row) is not kept: it could be someone else's on a shared computer.

// Session keys of the kept form.
const (
	keyKeptAccount = "kept_account" // whose session had expired
	keyKeptPath    = "kept_path"    // where the form was posted: path and query
	keyKeptForm    = "kept_form"    // its fields, URL-encoded
	keyKeptFiles   = "kept_files"   // the file fields whose files were not kept, comma-separated
)

// Size limits: a form whose fields take more than maxKeptFields URL-encoded is
// not kept (the session row stays small); files are read through and dropped,
// up to maxKeptBody in all.
const (
	maxKeptFields = 64 << 10
	maxKeptBody   = 16 << 20
)

// keptPage is the page that offers the kept form again.
const keptPage = "/saisie-conservee"

var errKeptTooBig = errors.New("form fields too large to keep")

// keepForm keeps the fields of r, a POST that needs a signed-in person and
// came without a valid session, if the session that expired in this browser is
// known. It reports whether the form was kept.
func (s *Server) keepForm(w http.ResponseWriter, r *http.Request) bool {
	ctx := r.Context()
	account := s.sessions.EndedAccount(ctx)
	if account == 0 {
		return false
	}
	fields, files, err := readFormToKeep(w, r)
	if err != nil {
		s.Log.Warn("form posted after its session expired not kept", "path", r.URL.Path, "account", account, "error", err)
		return false
	}
	s.sessions.Put(ctx, keyKeptAccount, account)
	s.sessions.Put(ctx, keyKeptPath, r.URL.RequestURI())
	s.sessions.Put(ctx, keyKeptForm, fields.Encode())
	s.sessions.Put(ctx, keyKeptFiles, strings.Join(files, ","))
	s.Log.Info("form posted after its session expired kept", "event", "form_kept", "path", r.URL.Path, "account", account,
		"files_dropped", len(files))
	return true
}

// readFormToKeep reads a form's fields, and the names of its file fields that
// came with a file, without keeping any file: a multipart body is read part by
// part, never to a temporary file.
func readFormToKeep(w http.ResponseWriter, r *http.Request) (url.Values, []string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxKeptBody)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		if len(r.PostForm.Encode()) > maxKeptFields {
			return nil, nil, errKeptTooBig
		}
		return r.PostForm, nil, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, err
	}
	fields := url.Values{}
	var files []string
	room := int64(maxKeptFields)
	for {
		part, err := mr.NextPart() // also reads through the rest of the previous part
		if errors.Is(err, io.EOF) {
			if len(fields.Encode()) > maxKeptFields { // as the session keeps it
				return nil, nil, errKeptTooBig
			}
			return fields, files, nil
		}
		if err != nil {
			return nil, nil, err
		}
		name := part.FormName()
		switch {
		case name == "":
		case part.FileName() != "":
			if !slices.Contains(files, name) {
				files = append(files, name)
			}
		default:
			value, err := io.ReadAll(io.LimitReader(part, room+1))
			if err != nil {
				return nil, nil, err
			}
			if room -= int64(len(name) + len(value)); room < 0 {
				return nil, nil, errKeptTooBig
			}
			fields.Add(name, string(value))
		}
		part.Close()
	}
}

// keptForm is a form kept in the session.
type keptForm struct {
	account int64
	path    string
	fields  url.Values
	files   []string
}

// keptFormOf reads the kept form of the request's session, if any.
func (s *Server) keptFormOf(r *http.Request) (keptForm, bool) {
	ctx := r.Context()
	path := s.sessions.GetString(ctx, keyKeptPath)
	if path == "" {
		return keptForm{}, false
	}
	fields, err := url.ParseQuery(s.sessions.GetString(ctx, keyKeptForm))
	if err != nil || safeReturn(path, "") == "" {
		s.dropKeptForm(r)
		return keptForm{}, false
	}
	k := keptForm{account: s.sessions.GetInt64(ctx, keyKeptAccount), path: path, fields: fields}
	if f := s.sessions.GetString(ctx, keyKeptFiles); f != "" {
		k.files = strings.Split(f, ",")
	}
	return k, true
}

// dropKeptForm forgets the kept form, if there is one.
func (s *Server) dropKeptForm(r *http.Request) {
	ctx := r.Context()
	if !s.sessions.Exists(ctx, keyKeptPath) {
		return
	}
	for _, k := range []string{keyKeptAccount, keyKeptPath, keyKeptForm, keyKeptFiles} {
		s.sessions.Remove(ctx, k)
	}
}

// keptFormSent drops the kept form when r, a signed-in POST, goes where the
// kept form was posted: it is the kept form sent again, or a newer one.
func (s *Server) keptFormSent(r *http.Request) {
	if path := s.sessions.GetString(r.Context(), keyKeptPath); path != "" && path == r.URL.RequestURI() {
		s.dropKeptForm(r)
	}
}

// afterSignIn is where a person goes once signed in: the kept form's page if
// they left one, otherwise target. A form kept for another account is dropped:
// only the person who typed it may send it.
func (s *Server) afterSignIn(r *http.Request, accountID int64, target string) string {
	k, ok := s.keptFormOf(r)
	switch {
	case !ok:
		return target
	case k.account != accountID:
		s.Log.Warn("security: kept form of another account dropped", "event", "kept_form_other_account",
			"account", accountID, "kept_for", k.account)
		s.dropKeptForm(r)
		return target
	}
	return keptPage
}

// keptFormPage offers the kept form again: its fields in hidden inputs, a file
// input for each file that must be attached again, one button.
func (s *Server) keptFormPage(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	k, ok := s.keptFormOf(r)
	if ok && k.account != u.Account.ID {
		s.Log.Warn("security: kept form of another account dropped", "event", "kept_form_other_account",
			"account", u.Account.ID, "kept_for", k.account)
		s.dropKeptForm(r)
		ok = false
	}
	if !ok {
		http.Redirect(w, r, homeOf(u.Account), http.StatusSeeOther)
		return
	}
	v := &views.KeptFormView{Action: k.path}
	for _, name := range slices.Sorted(maps.Keys(k.fields)) {
		for _, value := range k.fields[name] {
			v.Fields = append(v.Fields, views.KeptField{Name: name, Value: value})
		}
	}
	for i, name := range k.files {
		v.FileInputs = append(v.FileInputs, views.KeptFile{Name: name, ID: fmt.Sprintf("fichier-%d", i+1)})
	}
	pg := s.page(r, "kept.title")
	s.render(w, r, http.StatusOK, views.KeptFormPage(pg, v))
}

// abandonKeptForm drops the kept form at the person's request.
func (s *Server) abandonKeptForm(w http.ResponseWriter, r *http.Request) {
	s.dropKeptForm(r)
	http.Redirect(w, r, homeOf(currentUser(r).Account), http.StatusSeeOther)
}
