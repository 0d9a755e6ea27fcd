package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
	"cma/internal/web/views"
)

// Remote delivery (CAT-6): the central service's page switches a formation's,
// an establishment's or a session's courses, or every course (the health
// protocol), to remote delivery and back with a reason (ROLE-5); the staff
// course page switches one course (ROLE-3 her own establishment's, ROLE-5).
// The people holding a candidature on the courses are told by the service.

const remotePath = "/back-office/catalogue/distanciel"

// remoteScopes are the page's scope choices: the form's value, the
// service's scope kind, the select naming the object.
var remoteScopes = []struct{ value, kind, input, key string }{
	{"formation", store.RemoteScopeFormation, "formation", "remote.scope.formation"},
	{"etablissement", store.RemoteScopeEstablishment, "etablissement", "remote.scope.establishment"},
	{"session", store.RemoteScopeSession, "session", "remote.scope.session"},
	{"tous", store.RemoteScopeAll, "", "remote.scope.all"},
}

// remoteForm is what the switch forms post.
type remoteForm struct {
	Scope, Mode, Reason                 string
	Formation, Establishment, SessionID string
}

func remoteFormFrom(r *http.Request) remoteForm {
	return remoteForm{Scope: r.PostFormValue("portee"), Mode: r.PostFormValue("mode"), Reason: r.PostFormValue("motif"),
		Formation: r.PostFormValue("formation"), Establishment: r.PostFormValue("etablissement"), SessionID: r.PostFormValue("session")}
}

// mode reads "distanciel" or "presentiel".
func (f remoteForm) mode() (remote bool, errs domain.FieldErrors) {
	switch f.Mode {
	case "distanciel":
		return true, nil
	case "presentiel":
		return false, nil
	}
	return false, domain.FieldErrors{{Field: "mode", Key: "remote.error.mode"}}
}

func (s *Server) remotePage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "remote.title")
	v := &views.RemoteView{}
	if q := r.URL.Query(); q.Has("fait") {
		changed, _ := strconv.Atoi(q.Get("fait"))
		told, _ := strconv.Atoi(q.Get("prevenus"))
		v.Done = remoteDone(pg, changed, told)
	}
	s.renderRemote(w, r, pg, http.StatusOK, v, remoteForm{Scope: "formation", Mode: "distanciel"})
}

// remoteDone says what a switch did.
func remoteDone(pg *views.Page, changed, told int) string {
	if changed == 0 {
		return pg.T("remote.done.nothing")
	}
	return pg.N("remote.done.changed", changed) + " " + pg.N("remote.done.told", told)
}

func (s *Server) renderRemote(w http.ResponseWriter, r *http.Request, pg *views.Page, status int, v *views.RemoteView, f remoteForm) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	if v.ErrFor == nil {
		v.ErrFor = map[string]string{}
	}
	v.AllRemote, v.Reason = ix.AllRemote, f.Reason
	for _, sc := range remoteScopes {
		v.Scopes = append(v.Scopes, views.Option{Value: sc.value, Label: pg.T(sc.key), Selected: sc.value == f.Scope})
	}
	v.Modes = []views.Option{{Value: "distanciel", Label: pg.T("remote.mode.remote"), Selected: f.Mode == "distanciel"},
		{Value: "presentiel", Label: pg.T("remote.mode.onsite"), Selected: f.Mode == "presentiel"}}
	choose := pg.T("remote.choose")
	v.Formations = []views.Option{{Label: choose}}
	for _, fo := range ix.Formations {
		if !fo.Archived {
			v.Formations = append(v.Formations, views.Option{Value: itoa64(fo.ID), Label: fo.Title + " (" + fo.Code + ")", Selected: itoa64(fo.ID) == f.Formation})
		}
	}
	slices.SortFunc(v.Formations[1:], func(a, b views.Option) int {
		return strings.Compare(domain.SearchKey(a.Label), domain.SearchKey(b.Label))
	})
	v.Establishments = []views.Option{{Label: choose}}
	for _, e := range ix.Establishments {
		if !e.Archived {
			v.Establishments = append(v.Establishments, views.Option{Value: itoa64(e.ID), Label: e.Name, Selected: itoa64(e.ID) == f.Establishment})
		}
	}
	v.Sessions = []views.Option{{Label: choose}}
	for _, se := range ix.Sessions {
		v.Sessions = append(v.Sessions, views.Option{Value: itoa64(se.ID), Label: se.Name, Selected: itoa64(se.ID) == f.SessionID})
	}
	for _, e := range ix.All() {
		if e.Remote {
			v.Courses = append(v.Courses, views.RemoteCourseRow{URL: "/back-office/cours/" + itoa64(e.ID), Code: e.Code,
				Formation: e.Formation.Title, Establishment: e.Establishment.Name, Session: e.Session.Name, Reason: cmp.Or(e.RemoteReason, "—")})
		}
		if ix.AllRemote && v.AllReason == "" {
			v.AllReason = e.RemoteWhy
		}
	}
	s.render(w, r, status, views.RemotePage(pg, v))
}

// switchRemoteGroup switches a group of courses or every course (ROLE-5).
func (s *Server) switchRemoteGroup(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "remote.title")
	f := remoteFormFrom(r)
	remote, errs := f.mode()
	scope := catalogue.RemoteScope{}
	i := slices.IndexFunc(remoteScopes, func(sc struct{ value, kind, input, key string }) bool { return sc.value == f.Scope })
	switch {
	case i < 0:
		errs = append(errs, domain.FieldError{Field: "portee", Key: "remote.error.scope"})
	case remoteScopes[i].input != "":
		scope.Kind = remoteScopes[i].kind
		id, err := strconv.ParseInt(map[string]string{"formation": f.Formation, "etablissement": f.Establishment, "session": f.SessionID}[remoteScopes[i].input], 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, domain.FieldError{Field: remoteScopes[i].input, Key: "remote.error.object"})
		}
		scope.ID = id
	default:
		scope.Kind = remoteScopes[i].kind
	}
	if strings.TrimSpace(f.Reason) == "" {
		errs = append(errs, domain.FieldError{Field: "motif", Key: "remote.error.reason"})
	}
	var err error = errs
	if len(errs) == 0 {
		var res catalogue.RemoteResult
		res, err = s.CatalogueAdmin.SwitchRemote(r.Context(), currentUser(r).Actor, scope, remote, f.Reason)
		if err == nil {
			http.Redirect(w, r, remotePath+"?fait="+strconv.Itoa(len(res.Changed))+"&prevenus="+strconv.Itoa(res.Told), http.StatusSeeOther)
			return
		}
	}
	if errors.As(err, &errs) {
		v := &views.RemoteView{}
		v.Errors, v.ErrFor = fieldMessages(pg.P, errs, nil)
		s.renderRemote(w, r, pg, http.StatusBadRequest, v, f)
		return
	}
	s.adminError(w, r, err)
}

// switchRemoteCourse switches one course from its staff page (ROLE-3, ROLE-5).
func (s *Server) switchRemoteCourse(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	f := remoteFormFrom(r)
	remote, errs := f.mode()
	var err error = errs
	if len(errs) == 0 {
		var res catalogue.RemoteResult
		res, err = s.CatalogueAdmin.SwitchRemote(r.Context(), currentUser(r).Actor,
			catalogue.RemoteScope{Kind: store.RemoteScopeCourse, ID: id}, remote, f.Reason)
		if err == nil {
			http.Redirect(w, r, "/back-office/cours/"+itoa64(id)+"?fait="+strconv.Itoa(len(res.Changed))+
				"&prevenus="+strconv.Itoa(res.Told)+"#distanciel", http.StatusSeeOther)
			return
		}
	}
	if errors.As(err, &errs) {
		// The staff page again, with the error next to the reason.
		box := remoteErrors{typed: f.Reason}
		box.list, box.byID = fieldMessages(s.page(r, "bo.title").P, errs, nil)
		s.renderStaffCourse(w, r, http.StatusBadRequest, &box)
		return
	}
	s.adminError(w, r, err)
}

// remoteErrors are a course switch's errors shown on the staff course page.
type remoteErrors struct {
	list  []views.FieldMessage
	byID  map[string]string
	typed string
}

// remoteBox is the staff course page's remote-delivery form, for those who
// may switch the course (ROLE-3 her own establishment's, ROLE-5); nil for
// the others.
func (s *Server) remoteBox(r *http.Request, pg *views.Page, ix *catalogue.Index, e *catalogue.Entry, errs *remoteErrors) *views.RemoteCourseBox {
	u := currentUser(r)
	if s.CatalogueAdmin == nil || !domain.Can(u.Actor, domain.ActStaffCourse, domain.Resource{EstablishmentID: e.EstablishmentID, FormationID: e.FormationID, CourseID: e.ID}) {
		return nil
	}
	b := &views.RemoteCourseBox{Action: "/back-office/cours/" + itoa64(e.ID) + "/distanciel", Remote: e.Remote,
		AllOn: ix.AllRemote, Reason: e.RemoteReason}
	if q := r.URL.Query(); q.Has("fait") {
		changed, _ := strconv.Atoi(q.Get("fait"))
		told, _ := strconv.Atoi(q.Get("prevenus"))
		b.Done = remoteDone(pg, changed, told)
	}
	if errs != nil {
		b.Errors, b.ErrFor, b.Typed = errs.list, errs.byID, errs.typed
	}
	return b
}

// remoteNotice is the remote notice of a course with its reason (CAT-6).
func remoteNotice(p *i18n.Printer, e *catalogue.Entry) string {
	notice := p.T("course.remote")
	if e.RemoteWhy != "" {
		notice += " " + p.T("remote.notice.reason", map[string]any{"Reason": e.RemoteWhy})
	}
	return notice
}
