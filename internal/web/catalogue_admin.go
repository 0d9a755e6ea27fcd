package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// The catalogue administration's pages (ROLE-5): the hub, sessions with their
// periods (PER-1, CAT-5), establishments with rooms and director, formations
// with their default tariff (CAT-3) and exam note (CAT-7). Every change is
// made by catalogue.Admin, audited, and shown on the object's page.

const (
	hubPath           = "/back-office/catalogue"
	adminSessionsPath = hubPath + "/sessions"
	adminPlacesPath   = hubPath + "/etablissements"
	adminFormsPath    = hubPath + "/formations"
	trailLimit        = 50
)

// adminError answers a catalogue administration error no form shows.
func (s *Server) adminError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, catalogue.ErrForbidden):
		s.forbidden(w, r, false)
	case errors.Is(err, catalogue.ErrNotFound):
		s.notFound(w, r)
	default:
		s.serviceError(w, r, err)
	}
}

func (s *Server) trail(pg *views.Page, r *http.Request, kind string, id int64) ([]views.AuditRow, error) {
	events, err := s.CatalogueAdmin.Audit(r.Context(), kind, id, trailLimit)
	if err != nil {
		return nil, err
	}
	return s.auditRows(pg, events), nil
}

// doneNotice words the ?fait= of a redirect after a change.
func doneNotice(pg *views.Page, r *http.Request) string {
	if done := r.URL.Query().Get("fait"); done != "" && pg.P.Has("admin.done."+done) {
		return pg.T("admin.done." + done)
	}
	return ""
}

func hubLink(pg *views.Page) *views.Link {
	return &views.Link{URL: hubPath, Label: pg.T("admin.back.hub")}
}

// sessionStatus words a session's status.
func sessionStatus(pg *views.Page, se domain.Session) string {
	switch {
	case se.Archived:
		return pg.T("admin.session.status.archived")
	case se.Status == domain.SessionDraft:
		return pg.T("admin.session.status.draft")
	}
	return pg.T("admin.session.status.published")
}

// periods words a session's three periods.
func periods(pg *views.Page, se domain.Session) (classes, candidatures, answers string) {
	d := domain.DatesOf(se)
	span := func(a, b time.Time) string {
		return pg.T("admin.period", map[string]any{"From": pg.ShortDate(a), "To": pg.ShortDate(b)})
	}
	return span(d.FirstDay, d.LastDay), span(d.CandidatureOpens, d.CandidatureCloses), span(d.AnswerOpens, d.AnswerCloses)
}

// catalogueHub is the central service's entry to the catalogue: the sessions
// with their periods and status, and the other pages (ROLE-5).
func (s *Server) catalogueHub(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "admin.hub.title")
	c, err := s.CatalogueAdmin.Overview(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	v := &views.AdminPageView{Intro: []string{pg.T("admin.hub.intro")}, Notice: doneNotice(pg, r)}
	l := views.AdminList{ID: "sessions", Title: pg.T("admin.sessions.title"), Empty: pg.T("admin.sessions.none"),
		Action: &views.Link{URL: adminSessionsPath + "/nouvelle", Label: pg.T("admin.session.new")}}
	for _, se := range c.Sessions {
		classes, cand, answers := periods(pg, se)
		n := c.CoursesBySession[se.ID]
		l.Items = append(l.Items, views.AdminItem{Link: views.Link{URL: adminSessionsPath + "/" + itoa64(se.ID), Label: se.Name},
			Tag: sessionStatus(pg, se), Lines: []string{se.Code + " — " + pg.N("admin.session.courses.count", n, map[string]any{"Count": n}),
				pg.T("admin.session.candidatures") + " : " + cand, pg.T("admin.session.answers") + " : " + answers,
				pg.T("admin.session.classes") + " : " + classes}})
	}
	more := views.AdminList{ID: "pages", Title: pg.T("admin.hub.more"), Items: []views.AdminItem{
		{Link: views.Link{URL: adminPlacesPath, Label: pg.T("admin.places.title")}, Lines: []string{pg.T("admin.hub.places", map[string]any{"Count": len(c.Establishments)})}},
		{Link: views.Link{URL: adminFormsPath, Label: pg.T("admin.formations.title")}, Lines: []string{pg.T("admin.hub.formations", map[string]any{"Count": len(c.Formations)})}},
		{Link: views.Link{URL: hubPath + "/vacances", Label: pg.T("admin.hub.holidays")}, Lines: []string{pg.T("admin.hub.holidays.hint")}},
		{Link: views.Link{URL: hubPath + "/distanciel", Label: pg.T("admin.hub.remote")}, Lines: []string{pg.T("admin.hub.remote.hint")}},
		{Link: views.Link{URL: "/back-office/jetons-api", Label: pg.T("admin.hub.tokens")}, Lines: []string{pg.T("admin.hub.tokens.hint")}},
	}}
	v.Lists = []views.AdminList{l, more}
	s.render(w, r, http.StatusOK, views.AdminPage(pg, v))
}

// The session form's inputs, by the service's field names (PER-1).
var (
	sessionInputs = map[string]string{"code": "code", "name": "nom", "kind": "type", "first_day": "premier_cours",
		"last_day": "dernier_cours", "candidature_opens": "ouverture_candidatures", "candidature_closes": "cloture_candidatures",
		"answer_opens": "ouverture_reponses", "answer_closes": "cloture_reponses"}
	sessionOrder = []string{"code", "name", "kind", "candidature_opens", "candidature_closes", "answer_opens", "answer_closes",
		"first_day", "last_day"}
)

// sessionForm is the session form as posted: the dates as typed, to show again.
type sessionForm struct {
	Code, Name, Kind, Reason string
	Holiday                  bool
	Dates                    map[string]string // by input name
}

var sessionDateInputs = []string{"ouverture_candidatures", "cloture_candidatures", "ouverture_reponses", "cloture_reponses",
	"premier_cours", "dernier_cours"}

func sessionFormFromRequest(r *http.Request) sessionForm {
	f := sessionForm{Code: strings.ToUpper(strings.TrimSpace(r.PostFormValue("code"))), Name: r.PostFormValue("nom"),
		Kind: r.PostFormValue("type"), Holiday: r.PostFormValue("vacances") == "1", Reason: r.PostFormValue("raison"),
		Dates: map[string]string{}}
	for _, id := range sessionDateInputs {
		f.Dates[id] = strings.TrimSpace(r.PostFormValue(id))
	}
	return f
}

func sessionFormOf(se domain.Session) sessionForm {
	d := domain.DatesOf(se)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	return sessionForm{Code: se.Code, Name: se.Name, Kind: string(se.Kind), Holiday: se.HolidaySession,
		Dates: map[string]string{"ouverture_candidatures": day(d.CandidatureOpens), "cloture_candidatures": day(d.CandidatureCloses),
			"ouverture_reponses": day(d.AnswerOpens), "cloture_reponses": day(d.AnswerCloses),
			"premier_cours": day(d.FirstDay), "dernier_cours": day(d.LastDay)}}
}

// input reads the form as the service takes it: a date not read as
// aaaa-mm-jj is a field error of its own.
func (f sessionForm) input() (catalogue.SessionInput, domain.FieldErrors) {
	var errs domain.FieldErrors
	in := catalogue.SessionInput{Code: f.Code, Name: f.Name, Kind: domain.SessionKind(f.Kind), HolidaySession: f.Holiday, Reason: f.Reason}
	date := func(id, field string) time.Time {
		s := f.Dates[id]
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			errs = append(errs, domain.FieldError{Field: field, Key: "admin.error.date"})
			return time.Time{}
		}
		return t
	}
	in.Dates = domain.SessionDates{CandidatureOpens: date("ouverture_candidatures", "candidature_opens"),
		CandidatureCloses: date("cloture_candidatures", "candidature_closes"), AnswerOpens: date("ouverture_reponses", "answer_opens"),
		AnswerCloses: date("cloture_reponses", "answer_closes"), FirstDay: date("premier_cours", "first_day"),
		LastDay: date("dernier_cours", "last_day")}
	return in, errs
}

// fields are the session form's fields, filled with what was typed.
func (f sessionForm) fields(pg *views.Page, errFor map[string]string) []views.FormField {
	kinds := []views.Option{{Value: "", Label: pg.T("admin.choose")}}
	for _, k := range []domain.SessionKind{domain.SessionAnnual, domain.SessionSemester1, domain.SessionSemester2, domain.SessionSpecial} {
		kinds = append(kinds, views.Option{Value: string(k), Label: pg.T("admin.session.kind." + string(k)), Selected: f.Kind == string(k)})
	}
	date := func(id, label, hint string) views.FormField {
		return views.FormField{Kind: "date", ID: id, Label: pg.T(label), Hint: hint, Err: errFor[id], Value: f.Dates[id]}
	}
	closes := pg.T("admin.session.closes.hint")
	return []views.FormField{
		{Kind: "text", ID: "code", Label: pg.T("admin.code"), Hint: pg.T("admin.session.code.hint"), Err: errFor["code"], Value: f.Code},
		{Kind: "text", ID: "nom", Label: pg.T("admin.session.name"), Err: errFor["nom"], Value: f.Name},
		{Kind: "select", ID: "type", Label: pg.T("admin.session.kind"), Err: errFor["type"], Options: kinds},
		{Kind: "checkbox", ID: "vacances", Label: pg.T("admin.session.holiday"), Hint: pg.T("admin.session.holiday.hint"), Checked: f.Holiday},
		date("ouverture_candidatures", "admin.session.candidature_opens", pg.T("admin.session.opens.hint")),
		date("cloture_candidatures", "admin.session.candidature_closes", closes),
		date("ouverture_reponses", "admin.session.answer_opens", pg.T("admin.session.answer_opens.hint")),
		date("cloture_reponses", "admin.session.answer_closes", closes),
		date("premier_cours", "admin.session.first_day", pg.T("admin.session.first_day.hint")),
		date("dernier_cours", "admin.session.last_day", ""),
	}
}

// sessionFormPage renders the session form: new, edit or copy.
func (s *Server) sessionFormPage(w http.ResponseWriter, r *http.Request, status int, title, action, submit string,
	intro []string, f sessionForm, errs domain.FieldErrors, back *views.Link, reason bool) {
	pg := s.page(r, title)
	v := &views.AdminPageView{Back: back}
	var errFor map[string]string
	v.Errors, errFor = fieldMessages(pg.P, errs, sessionInputs)
	form := views.AdminForm{ID: "session", Title: pg.T("admin.session.form"), Action: action, Submit: submit, Intro: intro,
		Fields: f.fields(pg, errFor)}
	if reason {
		form.Fields = append(form.Fields, views.FormField{Kind: "text", ID: "raison", Label: pg.T("admin.reason"),
			Hint: pg.T("admin.reason.hint"), Value: f.Reason})
	}
	v.Forms = []views.AdminForm{form}
	s.render(w, r, status, views.AdminPage(pg, v))
}

func (s *Server) newSessionPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.CatalogueAdmin.Overview(r.Context(), currentUser(r).Actor); err != nil {
		s.adminError(w, r, err)
		return
	}
	pg := s.page(r, "admin.session.new")
	s.sessionFormPage(w, r, http.StatusOK, "admin.session.new", adminSessionsPath+"/nouvelle", pg.T("admin.session.create"),
		[]string{pg.T("admin.session.new.intro")}, sessionForm{Kind: string(domain.SessionAnnual), Dates: map[string]string{}}, nil, hubLink(pg), false)
}

// formErrors merges a form's reading errors with the service's answer;
// ok is false when err is not about fields.
func formErrors(order []string, read domain.FieldErrors, err error) (domain.FieldErrors, bool) {
	var fe domain.FieldErrors
	if err != nil && !errors.As(err, &fe) {
		return nil, false
	}
	return mergeFieldErrors(order, read, fe), true
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	f := sessionFormFromRequest(r)
	in, read := f.input()
	var err error
	var id int64
	if len(read) == 0 {
		id, err = s.CatalogueAdmin.CreateSession(r.Context(), currentUser(r).Actor, in)
		if err == nil {
			http.Redirect(w, r, adminSessionsPath+"/"+itoa64(id)+"?fait=session_creee", http.StatusSeeOther)
			return
		}
	} else {
		err = catalogue.CheckSession(in)
	}
	errs, ok := formErrors(sessionOrder, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	pg := s.page(r, "admin.session.new")
	s.sessionFormPage(w, r, http.StatusBadRequest, "admin.session.new", adminSessionsPath+"/nouvelle", pg.T("admin.session.create"),
		[]string{pg.T("admin.session.new.intro")}, f, errs, hubLink(pg), false)
}

// adminObject reads the {id} object of the catalogue administration with
// read, and answers 404 or 403 itself when it cannot.
func adminObject[T any](s *Server, w http.ResponseWriter, r *http.Request,
	read func(ctx context.Context, actor domain.Actor, id int64) (T, error)) (T, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		var zero T
		return zero, false
	}
	v, err := read(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.adminError(w, r, err)
		return v, false
	}
	return v, true
}

// sessionOf reads the {id} session for the central service.
func (s *Server) sessionOf(w http.ResponseWriter, r *http.Request) (catalogue.SessionRow, bool) {
	return adminObject(s, w, r, s.CatalogueAdmin.Session)
}

// sessionPage is a session as the central service manages it: its periods,
// status, courses, the actions it allows and its trail.
func (s *Server) sessionPage(w http.ResponseWriter, r *http.Request) {
	se, ok := s.sessionOf(w, r)
	if !ok {
		return
	}
	actor := currentUser(r).Actor
	pg := s.page(r, "admin.session.title")
	pg.Title = se.Name
	base := adminSessionsPath + "/" + itoa64(se.ID)
	classes, cand, answers := periods(pg, se.Session)
	v := &views.AdminPageView{Back: hubLink(pg), Notice: doneNotice(pg, r), ShowTrail: true,
		Facts: []views.Link{{Label: pg.T("admin.code"), Hint: se.Code},
			{Label: pg.T("admin.session.kind"), Hint: pg.T("admin.session.kind." + string(se.Kind))},
			{Label: pg.T("admin.session.status"), Hint: sessionStatus(pg, se.Session)},
			{Label: pg.T("admin.session.holiday"), Hint: pg.T(map[bool]string{true: "admin.yes", false: "admin.no"}[se.HolidaySession])},
			{Label: pg.T("admin.session.candidatures"), Hint: cand + " " + pg.T("admin.session.until_midnight")},
			{Label: pg.T("admin.session.answers"), Hint: answers + " " + pg.T("admin.session.until_midnight")},
			{Label: pg.T("admin.session.classes"), Hint: classes},
			{Label: pg.T("admin.session.courses"), Hint: pg.N("admin.session.courses.count", se.Courses, map[string]any{"Count": se.Courses})},
		},
		Actions: []views.Link{{URL: base + "/modifier", Label: pg.T("admin.session.edit")},
			{URL: base + "/cours/nouveau", Label: pg.T("admin.session.add_course")},
			{URL: base + "/import", Label: pg.T("admin.session.import")},
			{URL: base + "/preparer", Label: pg.T("admin.session.copy")}},
	}
	table, err := s.sessionCourses(pg, r, se)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	v.Tables = append(v.Tables, table)
	if se.Status == domain.SessionDraft && !se.Archived {
		v.Forms = append(v.Forms, views.AdminForm{ID: "publier", Title: pg.T("admin.session.publish"), Action: base + "/publier",
			Intro: []string{pg.T("admin.session.publish.intro")}, Submit: pg.T("admin.session.publish.submit"),
			Fields: []views.FormField{{Kind: "checkbox", ID: "confirmer", Label: pg.T("admin.session.publish.confirm")}}})
	}
	if !se.Archived {
		deletable, err := s.CatalogueAdmin.SessionDeletable(r.Context(), actor, se.ID)
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		if deletable {
			v.Forms = append(v.Forms, views.AdminForm{ID: "supprimer", Title: pg.T("admin.session.delete"), Action: base + "/supprimer",
				Intro: []string{pg.T("admin.session.delete.intro")}, Submit: pg.T("admin.session.delete.submit"), Secondary: true})
		} else {
			v.Forms = append(v.Forms, views.AdminForm{ID: "archiver", Title: pg.T("admin.session.archive"), Action: base + "/archiver",
				Intro: []string{pg.T("admin.session.archive.intro")}, Submit: pg.T("admin.session.archive.submit"), Secondary: true,
				Fields: []views.FormField{{Kind: "text", ID: "raison", Label: pg.T("admin.reason"), Hint: pg.T("admin.reason.hint")}}})
		}
	}
	if s.Waitlist != nil && !se.Archived { // how long an offered seat waits for its answer (waitlist.go)
		days, err := s.Waitlist.OfferDays(r.Context(), actor, se.ID)
		if err != nil {
			s.waitlistError(w, r, err)
			return
		}
		f := views.AdminForm{ID: "delai-offres", Title: pg.T("admin.session.offer_days"), Action: base + "/delai-offres",
			Intro: []string{pg.T("admin.session.offer_days.intro")}, Submit: pg.T("admin.session.offer_days.submit"),
			Fields: []views.FormField{{Kind: "number", ID: "jours", Label: pg.T("admin.session.offer_days.days"),
				Hint: pg.T("admin.session.offer_days.hint", map[string]any{"Max": domain.MaxOfferDays}), Value: strconv.Itoa(days)}}}
		if r.URL.Query().Get("erreur") == "jours" {
			f.Fields[0].Err = pg.T("waitlist.offer_days.range", map[string]any{"Max": domain.MaxOfferDays})
			v.Errors = append(v.Errors, views.FieldMessage{Field: "jours", Message: f.Fields[0].Err})
		}
		v.Forms = append(v.Forms, f)
		opening, err := s.Waitlist.SessionOpening(r.Context(), actor, se.ID)
		if err != nil {
			s.waitlistError(w, r, err)
			return
		}
		day := ""
		if !opening.DecisionOn.IsZero() {
			day = opening.DecisionOn.Format(time.DateOnly)
		}
		o := views.AdminForm{ID: "ouverture", Title: pg.T("admin.session.opening"), Action: base + "/ouverture",
			Intro: []string{pg.T("admin.session.opening.intro")}, Submit: pg.T("admin.session.opening.submit"),
			Fields: []views.FormField{{Kind: "number", ID: "minimum", Label: pg.T("admin.session.opening.min"),
				Hint: pg.T("admin.session.opening.min.hint"), Value: strconv.Itoa(opening.MinLearners)},
				{Kind: "date", ID: "decision", Label: pg.T("admin.session.opening.date"), Value: day}}}
		if r.URL.Query().Get("erreur") == "ouverture" {
			o.Fields[0].Err = pg.T("admin.session.opening.error")
			v.Errors = append(v.Errors, views.FieldMessage{Field: "minimum", Message: o.Fields[0].Err})
		}
		v.Forms = append(v.Forms, o)
	}
	if v.Trail, err = s.trail(pg, r, domain.AuditObjectSession, se.ID); err != nil {
		s.adminError(w, r, err)
		return
	}
	if r.URL.Query().Get("erreur") == "confirmer" {
		v.Errors = []views.FieldMessage{{Field: "confirmer", Message: pg.T("admin.session.publish.unconfirmed")}}
		for i := range v.Forms {
			if v.Forms[i].ID == "publier" {
				v.Forms[i].Fields[0].Err = v.Errors[0].Message
			}
		}
	}
	s.render(w, r, http.StatusOK, views.AdminPage(pg, v))
}

// sessionCoursesShown caps the courses listed on a session's page.
const sessionCoursesShown = 25

// sessionCourses is the table of a session's first courses, each linking to
// its administration page.
func (s *Server) sessionCourses(pg *views.Page, r *http.Request, se catalogue.SessionRow) (views.AdminTable, error) {
	actor := currentUser(r).Actor
	courses, err := s.CatalogueAdmin.SessionCourses(r.Context(), actor, se.ID)
	if err != nil {
		return views.AdminTable{}, err
	}
	c, err := s.CatalogueAdmin.Overview(r.Context(), actor)
	if err != nil {
		return views.AdminTable{}, err
	}
	formations, places := map[int64]string{}, map[int64]string{}
	for _, f := range c.Formations {
		formations[f.ID] = f.Title
	}
	for _, e := range c.Establishments {
		places[e.ID] = e.Name
	}
	t := views.AdminTable{ID: "cours", Title: pg.T("admin.session.courses.title"), Empty: pg.T("admin.session.courses.none"),
		Heads: []string{pg.T("admin.code"), pg.T("admin.formation.title_field"), pg.T("admin.place.title"), pg.T("admin.session.course.slot"),
			pg.T("admin.session.course.places")},
		Action: &views.Link{URL: adminSessionsPath + "/" + itoa64(se.ID) + "/cours/nouveau", Label: pg.T("admin.session.add_course")}}
	if len(courses) > sessionCoursesShown {
		t.Intro = pg.T("admin.session.courses.first", map[string]any{"Shown": sessionCoursesShown, "Count": len(courses)})
		courses = courses[:sessionCoursesShown]
	}
	for _, co := range courses {
		t.Rows = append(t.Rows, []views.Link{{URL: hubPath + "/cours/" + itoa64(co.ID), Label: co.Code}, {Label: formations[co.FormationID]},
			{Label: places[co.EstablishmentID]},
			{Label: pg.T("weekday."+strconv.Itoa(int(co.Weekday))) + " " + domain.FormatClock(co.StartMinute) + "–" + domain.FormatClock(co.EndMinute)},
			{Label: strconv.Itoa(co.Enrolled) + " / " + strconv.Itoa(co.Capacity)}})
	}
	return t, nil
}

func (s *Server) editSessionPage(w http.ResponseWriter, r *http.Request) {
	se, ok := s.sessionOf(w, r)
	if !ok {
		return
	}
	s.renderEditSession(w, r, http.StatusOK, se, sessionFormOf(se.Session), nil)
}

func (s *Server) renderEditSession(w http.ResponseWriter, r *http.Request, status int, se catalogue.SessionRow, f sessionForm, errs domain.FieldErrors) {
	pg := s.page(r, "admin.session.edit")
	intro := []string{pg.T("admin.session.edit.intro")}
	if se.Status == domain.SessionPublished {
		intro = append(intro, pg.T("admin.session.edit.published"))
	}
	s.sessionFormPage(w, r, status, "admin.session.edit", adminSessionsPath+"/"+itoa64(se.ID)+"/modifier", pg.T("admin.save"),
		intro, f, errs, &views.Link{URL: adminSessionsPath + "/" + itoa64(se.ID), Label: se.Name}, true)
}

func (s *Server) updateSession(w http.ResponseWriter, r *http.Request) {
	se, ok := s.sessionOf(w, r)
	if !ok {
		return
	}
	f := sessionFormFromRequest(r)
	in, read := f.input()
	var err error
	if len(read) == 0 {
		if err = s.CatalogueAdmin.UpdateSession(r.Context(), currentUser(r).Actor, se.ID, in); err == nil {
			http.Redirect(w, r, adminSessionsPath+"/"+itoa64(se.ID)+"?fait=session_modifiee", http.StatusSeeOther)
			return
		}
	} else {
		err = catalogue.CheckSession(in)
	}
	errs, ok := formErrors(sessionOrder, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	s.renderEditSession(w, r, http.StatusBadRequest, se, f, errs)
}

func (s *Server) publishSession(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	base := adminSessionsPath + "/" + itoa64(id)
	if r.PostFormValue("confirmer") != "1" {
		if _, err := s.CatalogueAdmin.Session(r.Context(), currentUser(r).Actor, id); err != nil {
			s.adminError(w, r, err)
			return
		}
		http.Redirect(w, r, base+"?erreur=confirmer#confirmer", http.StatusSeeOther)
		return
	}
	if err := s.CatalogueAdmin.PublishSession(r.Context(), currentUser(r).Actor, id); err != nil {
		s.adminError(w, r, err)
		return
	}
	http.Redirect(w, r, base+"?fait=session_publiee", http.StatusSeeOther)
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.CatalogueAdmin.DeleteSession(r.Context(), currentUser(r).Actor, id, r.PostFormValue("raison"))
	if errors.Is(err, catalogue.ErrInUse) {
		http.Redirect(w, r, adminSessionsPath+"/"+itoa64(id)+"?fait=session_utilisee", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	http.Redirect(w, r, hubPath+"?fait=session_supprimee", http.StatusSeeOther)
}

func (s *Server) archiveSession(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.CatalogueAdmin.ArchiveSession(r.Context(), currentUser(r).Actor, id, r.PostFormValue("raison")); err != nil {
		s.adminError(w, r, err)
		return
	}
	http.Redirect(w, r, adminSessionsPath+"/"+itoa64(id)+"?fait=session_archivee", http.StatusSeeOther)
}

// copySessionPage is "Préparer l'année suivante": the new session's code,
// name and dates, the old dates moved one year on as a start.
func (s *Server) copySessionPage(w http.ResponseWriter, r *http.Request) {
	se, ok := s.sessionOf(w, r)
	if !ok {
		return
	}
	f := sessionFormOf(se.Session)
	f.Code, f.Name = nextYear(se.Code), nextYear(se.Name)
	for id, d := range f.Dates {
		if t, err := time.Parse(time.DateOnly, d); err == nil {
			f.Dates[id] = t.AddDate(1, 0, 0).Format(time.DateOnly)
		}
	}
	s.renderCopySession(w, r, http.StatusOK, se, f, nil)
}

// nextYear moves every year written in s one year on, the later first
// ("2026-2027" → "2027-2028").
func nextYear(s string) string {
	b := []byte(s)
	for i := len(b) - 4; i >= 0; i-- {
		if y, err := strconv.Atoi(string(b[i : i+4])); err == nil && y >= 2000 && y < 2100 &&
			(i == 0 || b[i-1] < '0' || b[i-1] > '9') && (i+4 == len(b) || b[i+4] < '0' || b[i+4] > '9') {
			copy(b[i:i+4], strconv.Itoa(y+1))
		}
	}
	return string(b)
}

func (s *Server) renderCopySession(w http.ResponseWriter, r *http.Request, status int, se catalogue.SessionRow, f sessionForm, errs domain.FieldErrors) {
	pg := s.page(r, "admin.session.copy")
	example := catalogue.CopyCourseCode("C-000012", se.Code, f.Code)
	intro := []string{pg.T("admin.session.copy.intro", map[string]any{"Name": se.Name, "Count": se.Courses}),
		pg.T("admin.session.copy.codes", map[string]any{"Old": se.Code, "Example": example})}
	s.sessionFormPage(w, r, status, "admin.session.copy", adminSessionsPath+"/"+itoa64(se.ID)+"/preparer", pg.T("admin.session.copy.submit"),
		intro, f, errs, &views.Link{URL: adminSessionsPath + "/" + itoa64(se.ID), Label: se.Name}, false)
}

func (s *Server) copySession(w http.ResponseWriter, r *http.Request) {
	se, ok := s.sessionOf(w, r)
	if !ok {
		return
	}
	f := sessionFormFromRequest(r)
	in, read := f.input()
	var err error
	if len(read) == 0 {
		var id int64
		if id, err = s.CatalogueAdmin.CopySession(r.Context(), currentUser(r).Actor, se.ID, in); err == nil {
			http.Redirect(w, r, adminSessionsPath+"/"+itoa64(id)+"?fait=session_copiee", http.StatusSeeOther)
			return
		}
	} else {
		err = catalogue.CheckSession(in)
	}
	errs, ok := formErrors(sessionOrder, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	s.renderCopySession(w, r, http.StatusBadRequest, se, f, errs)
}

// The establishment form's inputs, by the service's field names.
var placeInputs = map[string]string{"code": "code", "name": "nom", "address": "adresse", "postal_code": "code_postal",
	"city": "ville", "district": "arrondissement", "director": "directeur", "room_name": "salle", "workstations": "postes"}

type placeForm struct {
	Code, Name, Address, PostalCode, City, District, Director, Reason string
}

func placeFormFromRequest(r *http.Request) placeForm {
	return placeForm{Code: strings.ToUpper(strings.TrimSpace(r.PostFormValue("code"))), Name: r.PostFormValue("nom"),
		Address: r.PostFormValue("adresse"), PostalCode: strings.TrimSpace(r.PostFormValue("code_postal")), City: r.PostFormValue("ville"),
		District: strings.TrimSpace(r.PostFormValue("arrondissement")), Director: r.PostFormValue("directeur"), Reason: r.PostFormValue("raison")}
}

func placeFormOf(e catalogue.EstablishmentRow) placeForm {
	return placeForm{Code: e.Code, Name: e.Name, Address: e.Address, PostalCode: e.PostalCode, City: e.City,
		District: strconv.Itoa(e.District), Director: itoa64(e.DirectorID)}
}

func (f placeForm) input() (catalogue.EstablishmentInput, domain.FieldErrors) {
	var errs domain.FieldErrors
	in := catalogue.EstablishmentInput{Code: f.Code, Name: f.Name, Address: f.Address, PostalCode: f.PostalCode, City: f.City, Reason: f.Reason}
	if f.District != "" {
		n, err := strconv.Atoi(f.District)
		if err != nil {
			errs = append(errs, domain.FieldError{Field: "district", Key: "establishment.error.district"})
		}
		in.District = n
	}
	in.DirectorID, _ = strconv.ParseInt(f.Director, 10, 64)
	return in, errs
}

func (s *Server) placeFields(pg *views.Page, r *http.Request, f placeForm, errFor map[string]string) ([]views.FormField, error) {
	staff, err := s.CatalogueAdmin.StaffAccounts(r.Context(), currentUser(r).Actor)
	if err != nil {
		return nil, err
	}
	directors := []views.Option{{Value: "0", Label: pg.T("admin.place.director.none")}}
	for _, a := range staff {
		directors = append(directors, views.Option{Value: itoa64(a.ID), Label: a.FullName() + " (" + a.Email + ")", Selected: itoa64(a.ID) == f.Director})
	}
	return []views.FormField{
		{Kind: "text", ID: "code", Label: pg.T("admin.code"), Hint: pg.T("admin.place.code.hint"), Err: errFor["code"], Value: f.Code},
		{Kind: "text", ID: "nom", Label: pg.T("admin.place.name"), Err: errFor["nom"], Value: f.Name},
		{Kind: "text", ID: "adresse", Label: pg.T("admin.place.address"), Err: errFor["adresse"], Value: f.Address},
		{Kind: "text", ID: "code_postal", Label: pg.T("admin.place.postal_code"), Err: errFor["code_postal"], Value: f.PostalCode},
		{Kind: "text", ID: "ville", Label: pg.T("admin.place.city"), Err: errFor["ville"], Value: f.City},
		{Kind: "text", ID: "arrondissement", Label: pg.T("admin.place.district"), Hint: pg.T("admin.place.district.hint"),
			Err: errFor["arrondissement"], Value: f.District},
		{Kind: "select", ID: "directeur", Label: pg.T("admin.place.director"), Hint: pg.T("admin.place.director.hint"),
			Err: errFor["directeur"], Options: directors},
	}, nil
}

func (s *Server) placesPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "admin.places.title")
	rows, err := s.CatalogueAdmin.ListEstablishments(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	t := views.AdminTable{ID: "etablissements", Title: pg.T("admin.places.title"), Empty: pg.T("admin.places.none"),
		Heads:  []string{pg.T("admin.place.name"), pg.T("admin.place.address"), pg.T("admin.place.rooms"), pg.T("admin.session.courses")},
		Action: &views.Link{URL: adminPlacesPath + "/nouveau", Label: pg.T("admin.place.new")}}
	for _, e := range rows {
		name := e.Name
		if e.Archived {
			name += " (" + pg.T("admin.archived") + ")"
		}
		t.Rows = append(t.Rows, []views.Link{{URL: adminPlacesPath + "/" + itoa64(e.ID), Label: name, Hint: e.Code},
			{Label: e.Address + ", " + e.PostalCode + " " + e.City}, {Label: strconv.Itoa(len(e.Rooms))}, {Label: strconv.Itoa(e.Courses)}})
	}
	s.render(w, r, http.StatusOK, views.AdminPage(pg, &views.AdminPageView{Back: hubLink(pg), Notice: doneNotice(pg, r), Tables: []views.AdminTable{t}}))
}

func (s *Server) newPlacePage(w http.ResponseWriter, r *http.Request) {
	s.renderNewPlace(w, r, http.StatusOK, placeForm{City: "Paris"}, nil)
}

func (s *Server) renderNewPlace(w http.ResponseWriter, r *http.Request, status int, f placeForm, errs domain.FieldErrors) {
	pg := s.page(r, "admin.place.new")
	v := &views.AdminPageView{Back: &views.Link{URL: adminPlacesPath, Label: pg.T("admin.places.title")}}
	var errFor map[string]string
	v.Errors, errFor = fieldMessages(pg.P, errs, placeInputs)
	fields, err := s.placeFields(pg, r, f, errFor)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	v.Forms = []views.AdminForm{{ID: "etablissement", Title: pg.T("admin.place.form"), Action: adminPlacesPath + "/nouveau",
		Submit: pg.T("admin.place.create"), Fields: fields}}
	s.render(w, r, status, views.AdminPage(pg, v))
}

var placeOrder = []string{"code", "name", "address", "postal_code", "city", "district", "director"}

func (s *Server) createPlace(w http.ResponseWriter, r *http.Request) {
	f := placeFormFromRequest(r)
	in, read := f.input()
	var err error = nilIfNone(read)
	if len(read) == 0 {
		var id int64
		if id, err = s.CatalogueAdmin.CreateEstablishment(r.Context(), currentUser(r).Actor, in); err == nil {
			http.Redirect(w, r, adminPlacesPath+"/"+itoa64(id)+"?fait=enregistre", http.StatusSeeOther)
			return
		}
	} else {
		err = catalogue.CheckEstablishment(in)
	}
	errs, ok := formErrors(placeOrder, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	s.renderNewPlace(w, r, http.StatusBadRequest, f, errs)
}

func nilIfNone(errs domain.FieldErrors) error {
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// placeOf reads the {id} establishment for the central service.
func (s *Server) placeOf(w http.ResponseWriter, r *http.Request) (catalogue.EstablishmentRow, bool) {
	return adminObject(s, w, r, s.CatalogueAdmin.Establishment)
}

func (s *Server) placePage(w http.ResponseWriter, r *http.Request) {
	e, ok := s.placeOf(w, r)
	if !ok {
		return
	}
	s.renderPlace(w, r, http.StatusOK, e, placeFormOf(e), nil, 0)
}

// renderPlace is an establishment's page: its form, its rooms (each its
// own small form), a room to add, archive, and its trail. errRoom is the
// room whose form the errors are about (-1: the new room, 0: the
// establishment's form).
func (s *Server) renderPlace(w http.ResponseWriter, r *http.Request, status int, e catalogue.EstablishmentRow, f placeForm, errs domain.FieldErrors, errRoom int64) {
	pg := s.page(r, "admin.place.title")
	pg.Title = e.Name
	base := adminPlacesPath + "/" + itoa64(e.ID)
	v := &views.AdminPageView{Back: &views.Link{URL: adminPlacesPath, Label: pg.T("admin.places.title")}, Notice: doneNotice(pg, r), ShowTrail: true,
		Facts: []views.Link{{Label: pg.T("admin.session.courses"), Hint: strconv.Itoa(e.Courses)},
			{Label: pg.T("admin.place.public"), URL: "/back-office/etablissements/" + itoa64(e.ID), Hint: pg.T("admin.place.public.link")}}}
	if e.Archived {
		v.Intro = append(v.Intro, pg.T("admin.place.archived"))
	}
	inputs := placeInputs
	if errRoom > 0 { // an existing room's form: its inputs' ids name the room
		inputs = map[string]string{"room_name": "salle-" + itoa64(errRoom), "workstations": "postes-" + itoa64(errRoom)}
	}
	var errFor map[string]string
	v.Errors, errFor = fieldMessages(pg.P, errs, inputs)
	placeErr := map[string]string{}
	if errRoom == 0 {
		placeErr = errFor
	}
	fields, err := s.placeFields(pg, r, f, placeErr)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	fields = append(fields, views.FormField{Kind: "text", ID: "raison", Label: pg.T("admin.reason"), Hint: pg.T("admin.reason.hint")})
	v.Forms = append(v.Forms, views.AdminForm{ID: "etablissement", Title: pg.T("admin.place.form"), Action: base, Submit: pg.T("admin.save"), Fields: fields})
	for _, room := range e.Rooms {
		if room.Archived {
			continue
		}
		re := map[string]string{}
		if errRoom == room.ID {
			re = errFor
		}
		id := "salle-" + itoa64(room.ID)
		v.Forms = append(v.Forms, views.AdminForm{ID: id, Title: pg.T("admin.room.title", map[string]any{"Name": room.Name}),
			Action: base + "/salles/" + itoa64(room.ID), Submit: pg.T("admin.room.save"),
			Fields: []views.FormField{
				{Kind: "text", ID: "salle-" + itoa64(room.ID), Name: "salle", Label: pg.T("admin.room.name"), Err: re["salle-"+itoa64(room.ID)], Value: room.Name},
				{Kind: "number", ID: "postes-" + itoa64(room.ID), Name: "postes", Label: pg.T("admin.room.workstations"), Hint: pg.T("admin.room.workstations.hint"),
					Err: re["postes-"+itoa64(room.ID)], Value: strconv.Itoa(room.Workstations)},
			}})
		v.Forms = append(v.Forms, views.AdminForm{ID: id + "-archiver", Title: pg.T("admin.room.archive", map[string]any{"Name": room.Name}),
			Action: base + "/salles/" + itoa64(room.ID) + "/archiver", Submit: pg.T("admin.room.archive.submit"), Secondary: true,
			Intro: []string{pg.T("admin.room.archive.intro")}})
	}
	ne := map[string]string{}
	if errRoom == -1 {
		ne = errFor
	}
	v.Forms = append(v.Forms, views.AdminForm{ID: "nouvelle-salle", Title: pg.T("admin.room.new"), Action: base + "/salles", Submit: pg.T("admin.room.add"),
		Fields: []views.FormField{
			{Kind: "text", ID: "salle", Label: pg.T("admin.room.name"), Err: ne["salle"]},
			{Kind: "number", ID: "postes", Label: pg.T("admin.room.workstations"), Hint: pg.T("admin.room.workstations.hint"), Err: ne["postes"], Value: "0"},
		}})
	if !e.Archived {
		v.Forms = append(v.Forms, views.AdminForm{ID: "archiver", Title: pg.T("admin.place.archive"), Action: base + "/archiver",
			Intro: []string{pg.T("admin.place.archive.intro")}, Submit: pg.T("admin.place.archive.submit"), Secondary: true})
	}
	if v.Trail, err = s.trail(pg, r, domain.AuditObjectEstablishment, e.ID); err != nil {
		s.adminError(w, r, err)
		return
	}
	s.render(w, r, status, views.AdminPage(pg, v))
}

func (s *Server) updatePlace(w http.ResponseWriter, r *http.Request) {
	e, ok := s.placeOf(w, r)
	if !ok {
		return
	}
	f := placeFormFromRequest(r)
	in, read := f.input()
	var err error = nilIfNone(read)
	if len(read) == 0 {
		if err = s.CatalogueAdmin.UpdateEstablishment(r.Context(), currentUser(r).Actor, e.ID, in); err == nil {
			http.Redirect(w, r, adminPlacesPath+"/"+itoa64(e.ID)+"?fait=enregistre", http.StatusSeeOther)
			return
		}
	} else {
		err = catalogue.CheckEstablishment(in)
	}
	errs, ok := formErrors(placeOrder, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	s.renderPlace(w, r, http.StatusBadRequest, e, f, errs, 0)
}

func (s *Server) removePlace(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	archived, err := s.CatalogueAdmin.RemoveEstablishment(r.Context(), currentUser(r).Actor, id, r.PostFormValue("raison"))
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	if archived {
		http.Redirect(w, r, adminPlacesPath+"/"+itoa64(id)+"?fait=archive", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, adminPlacesPath+"?fait=supprime", http.StatusSeeOther)
}

func roomFormFromRequest(r *http.Request) (catalogue.RoomInput, domain.FieldErrors) {
	in := catalogue.RoomInput{Name: r.PostFormValue("salle")}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("postes")))
	if err != nil {
		return in, domain.FieldErrors{{Field: "workstations", Key: "room.error.workstations"}}
	}
	in.Workstations = n
	return in, nil
}

func (s *Server) addRoom(w http.ResponseWriter, r *http.Request) {
	e, ok := s.placeOf(w, r)
	if !ok {
		return
	}
	in, read := roomFormFromRequest(r)
	var err error = nilIfNone(read)
	if len(read) == 0 {
		if _, err = s.CatalogueAdmin.AddRoom(r.Context(), currentUser(r).Actor, e.ID, in); err == nil {
			http.Redirect(w, r, adminPlacesPath+"/"+itoa64(e.ID)+"?fait=salle", http.StatusSeeOther)
			return
		}
	}
	errs, ok := formErrors([]string{"room_name", "workstations"}, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	s.renderPlace(w, r, http.StatusBadRequest, e, placeFormOf(e), errs, -1)
}

func (s *Server) updateRoom(w http.ResponseWriter, r *http.Request) {
	e, ok := s.placeOf(w, r)
	if !ok {
		return
	}
	roomID, ok := pathID(r, "salle")
	if !ok {
		s.notFound(w, r)
		return
	}
	in, read := roomFormFromRequest(r)
	var err error = nilIfNone(read)
	if len(read) == 0 {
		if err = s.CatalogueAdmin.UpdateRoom(r.Context(), currentUser(r).Actor, e.ID, roomID, in); err == nil {
			http.Redirect(w, r, adminPlacesPath+"/"+itoa64(e.ID)+"?fait=salle", http.StatusSeeOther)
			return
		}
	}
	errs, ok := formErrors([]string{"room_name", "workstations"}, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	s.renderPlace(w, r, http.StatusBadRequest, e, placeFormOf(e), errs, roomID)
}

func (s *Server) archiveRoom(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r, "id")
	roomID, ok2 := pathID(r, "salle")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	if err := s.CatalogueAdmin.ArchiveRoom(r.Context(), currentUser(r).Actor, id, roomID); err != nil {
		s.adminError(w, r, err)
		return
	}
	http.Redirect(w, r, adminPlacesPath+"/"+itoa64(id)+"?fait=salle", http.StatusSeeOther)
}

// The formation form's inputs, by the service's field names (CAT-3, CAT-7).
var (
	formationInputs = map[string]string{"code": "code", "title": "intitule", "subject": "domaine", "level": "niveau",
		"description": "description", "prerequisites": "prerequis", "prerequisite_formation": "formation_prerequise",
		"evaluation": "evaluation", "kind": "type", "diploma_name": "nom_diplome", "exam_note": "note_examen", "price": "tarif",
		"min_social": "taux_social"}
	formationOrder = []string{"code", "title", "subject", "level", "description", "prerequisites", "prerequisite_formation",
		"evaluation", "kind", "diploma_name", "exam_note", "price", "min_social"}
)

type formationForm struct {
	Code, Title, Subject, Level, Description, Prerequisites, Prerequisite string
	Evaluation, Kind, DiplomaName, ExamNote, Price, Reason                string
	MinSocial                                                             string // SEL-1: percent
	Diploma                                                               bool
}

func formationFormFromRequest(r *http.Request) formationForm {
	v := r.PostFormValue
	return formationForm{Code: strings.ToUpper(strings.TrimSpace(v("code"))), Title: v("intitule"), Subject: v("domaine"),
		Level: v("niveau"), Description: v("description"), Prerequisites: v("prerequis"), Prerequisite: v("formation_prerequise"),
		Evaluation: v("evaluation"), Kind: v("type"), Diploma: v("diplome") == "1", DiplomaName: v("nom_diplome"),
		ExamNote: v("note_examen"), Price: v("tarif"), MinSocial: v("taux_social"), Reason: v("raison")}
}

func formationFormOf(f domain.Formation) formationForm {
	note := f.ExamNote
	if note == "" {
		note = catalogue.DefaultExamNote
	}
	return formationForm{Code: f.Code, Title: f.Title, Subject: string(f.Subject), Level: string(f.Level), Description: f.Description,
		Prerequisites: f.Prerequisites, Prerequisite: itoa64(f.PrerequisiteFormationID), Evaluation: string(f.Evaluation),
		Kind: string(f.Kind), Diploma: f.Diploma, DiplomaName: f.DiplomaName, ExamNote: note, Price: catalogue.FormatEuros(f.DefaultPriceCents)}
}

func (f formationForm) input() (catalogue.FormationInput, domain.FieldErrors) {
	var errs domain.FieldErrors
	in := catalogue.FormationInput{Code: f.Code, Title: f.Title, Subject: domain.Subject(f.Subject), Level: domain.Level(f.Level),
		Description: f.Description, Prerequisites: f.Prerequisites, Evaluation: domain.EvaluationMode(f.Evaluation),
		Kind: domain.FormationKind(f.Kind), Diploma: f.Diploma, DiplomaName: f.DiplomaName, ExamNote: f.ExamNote, Reason: f.Reason}
	in.PrerequisiteFormationID, _ = strconv.ParseInt(f.Prerequisite, 10, 64)
	cents, fe := catalogue.ParseTariff("price", f.Price)
	if fe != nil {
		errs = append(errs, *fe)
	}
	in.DefaultPriceCents = cents
	// SEL-1: the minimum social rate, a whole percent (empty: 0).
	rate := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.MinSocial), "%"))
	if rate == "" {
		rate = "0"
	}
	if n, err := strconv.Atoi(rate); err != nil || n < 0 || n > 100 {
		errs = append(errs, domain.FieldError{Field: "min_social", Key: "formation.error.min_social"})
	} else {
		in.MinSocialPercent = &n
	}
	return in, errs
}

func (s *Server) formationFields(pg *views.Page, r *http.Request, f formationForm, self int64, errFor map[string]string) ([]views.FormField, error) {
	all, err := s.CatalogueAdmin.ListFormations(r.Context(), currentUser(r).Actor)
	if err != nil {
		return nil, err
	}
	opts := func(prefix string, values []string, selected string) []views.Option {
		out := []views.Option{{Value: "", Label: pg.T("admin.choose")}}
		for _, v := range values {
			out = append(out, views.Option{Value: v, Label: pg.T(prefix + v), Selected: v == selected})
		}
		return out
	}
	var subjects, levels, evals []string
	for _, x := range domain.Subjects {
		subjects = append(subjects, string(x))
	}
	for _, x := range domain.Levels {
		levels = append(levels, string(x))
	}
	for _, x := range domain.EvaluationModes {
		evals = append(evals, string(x))
	}
	prereq := []views.Option{{Value: "0", Label: pg.T("admin.formation.prerequisite.none")}}
	for _, o := range all {
		if o.ID != self && !o.Archived {
			prereq = append(prereq, views.Option{Value: itoa64(o.ID), Label: o.Title + " (" + o.Code + ")", Selected: itoa64(o.ID) == f.Prerequisite})
		}
	}
	return []views.FormField{
		{Kind: "text", ID: "code", Label: pg.T("admin.code"), Hint: pg.T("admin.formation.code.hint"), Err: errFor["code"], Value: f.Code},
		{Kind: "text", ID: "intitule", Label: pg.T("admin.formation.title_field"), Err: errFor["intitule"], Value: f.Title},
		{Kind: "select", ID: "domaine", Label: pg.T("admin.formation.subject"), Err: errFor["domaine"], Options: opts("subject.", subjects, f.Subject)},
		{Kind: "select", ID: "niveau", Label: pg.T("admin.formation.level"), Err: errFor["niveau"], Options: opts("level.", levels, f.Level)},
		{Kind: "textarea", ID: "description", Label: pg.T("admin.formation.description"), Err: errFor["description"], Value: f.Description, Rows: 4},
		{Kind: "textarea", ID: "prerequis", Label: pg.T("admin.formation.prerequisites"), Hint: pg.T("admin.formation.prerequisites.hint"),
			Err: errFor["prerequis"], Value: f.Prerequisites},
		{Kind: "select", ID: "formation_prerequise", Label: pg.T("admin.formation.prerequisite"), Hint: pg.T("admin.formation.prerequisite.hint"),
			Err: errFor["formation_prerequise"], Options: prereq},
		{Kind: "select", ID: "evaluation", Label: pg.T("admin.formation.evaluation"), Err: errFor["evaluation"], Options: opts("evaluation.", evals, f.Evaluation)},
		{Kind: "select", ID: "type", Label: pg.T("admin.formation.kind"), Hint: pg.T("admin.formation.kind.hint"), Err: errFor["type"],
			Options: opts("admin.formation.kind.", []string{"general", "computer", "technical"}, f.Kind)},
		{Kind: "text", ID: "tarif", Label: pg.T("admin.formation.price"), Hint: pg.T("admin.formation.price.hint"), Err: errFor["tarif"], Value: f.Price},
		{Kind: "text", ID: "taux_social", Label: pg.T("formation.min_social"), Hint: pg.T("formation.min_social.hint"),
			Err: errFor["taux_social"], Value: f.MinSocial},
		{Kind: "checkbox", ID: "diplome", Label: pg.T("admin.formation.diploma"), Hint: pg.T("admin.formation.diploma.hint"), Checked: f.Diploma},
		{Kind: "text", ID: "nom_diplome", Label: pg.T("admin.formation.diploma_name"), Hint: pg.T("admin.formation.diploma_name.hint"),
			Err: errFor["nom_diplome"], Value: f.DiplomaName},
		{Kind: "textarea", ID: "note_examen", Label: pg.T("admin.formation.exam_note"), Hint: pg.T("admin.formation.exam_note.hint"),
			Err: errFor["note_examen"], Value: f.ExamNote, Rows: 4},
	}, nil
}

func (s *Server) formationsPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "admin.formations.title")
	rows, err := s.CatalogueAdmin.ListFormations(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	t := views.AdminTable{ID: "formations", Title: pg.T("admin.formations.title"), Empty: pg.T("admin.formations.none"),
		Heads: []string{pg.T("admin.formation.title_field"), pg.T("admin.formation.subject"), pg.T("admin.formation.price"),
			pg.T("admin.session.courses")},
		Action: &views.Link{URL: adminFormsPath + "/nouvelle", Label: pg.T("admin.formation.new")}}
	for _, f := range rows {
		name := f.Title
		if f.Archived {
			name += " (" + pg.T("admin.archived") + ")"
		}
		t.Rows = append(t.Rows, []views.Link{{URL: adminFormsPath + "/" + itoa64(f.ID), Label: name, Hint: f.Code},
			{Label: pg.T("subject." + string(f.Subject))}, {Label: catalogue.FormatEuros(f.DefaultPriceCents) + " €"}, {Label: strconv.Itoa(f.Courses)}})
	}
	s.render(w, r, http.StatusOK, views.AdminPage(pg, &views.AdminPageView{Back: hubLink(pg), Notice: doneNotice(pg, r), Tables: []views.AdminTable{t}}))
}

func (s *Server) newFormationPage(w http.ResponseWriter, r *http.Request) {
	s.renderFormation(w, r, http.StatusOK, catalogue.FormationRow{}, formationForm{Level: string(domain.LevelAll),
		Evaluation: string(domain.EvaluationNone), Kind: string(domain.KindGeneral), ExamNote: catalogue.DefaultExamNote, MinSocial: "0"}, nil)
}

// renderFormation is the formation form, new (f.ID 0) or existing with its
// archive form and trail.
func (s *Server) renderFormation(w http.ResponseWriter, r *http.Request, status int, fr catalogue.FormationRow, f formationForm, errs domain.FieldErrors) {
	pg := s.page(r, "admin.formation.new")
	action, submit := adminFormsPath+"/nouvelle", pg.T("admin.formation.create")
	v := &views.AdminPageView{Back: &views.Link{URL: adminFormsPath, Label: pg.T("admin.formations.title")}, Notice: doneNotice(pg, r)}
	if fr.ID != 0 {
		pg.Title, action, submit = fr.Title, adminFormsPath+"/"+itoa64(fr.ID), pg.T("admin.save")
		v.ShowTrail = true
		v.Facts = []views.Link{{Label: pg.T("admin.session.courses"), Hint: strconv.Itoa(fr.Courses)},
			{Label: pg.T("admin.place.public"), URL: "/back-office/formations/" + itoa64(fr.ID), Hint: pg.T("admin.place.public.link")}}
		if fr.Archived {
			v.Intro = append(v.Intro, pg.T("admin.formation.archived"))
		}
	}
	var errFor map[string]string
	v.Errors, errFor = fieldMessages(pg.P, errs, formationInputs)
	fields, err := s.formationFields(pg, r, f, fr.ID, errFor)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	if fr.ID != 0 {
		fields = append(fields, views.FormField{Kind: "text", ID: "raison", Label: pg.T("admin.reason"), Hint: pg.T("admin.reason.hint"), Value: f.Reason})
	}
	v.Forms = []views.AdminForm{{ID: "formation", Title: pg.T("admin.formation.form"), Action: action, Submit: submit, Fields: fields,
		Intro: []string{pg.T("admin.formation.price.follow")}}}
	if fr.ID != 0 {
		if !fr.Archived {
			v.Forms = append(v.Forms, views.AdminForm{ID: "archiver", Title: pg.T("admin.formation.archive"), Action: action + "/archiver",
				Intro: []string{pg.T("admin.formation.archive.intro")}, Submit: pg.T("admin.place.archive.submit"), Secondary: true})
		}
		if v.Trail, err = s.trail(pg, r, domain.AuditObjectFormation, fr.ID); err != nil {
			s.adminError(w, r, err)
			return
		}
	}
	s.render(w, r, status, views.AdminPage(pg, v))
}

func (s *Server) createFormation(w http.ResponseWriter, r *http.Request) {
	f := formationFormFromRequest(r)
	in, read := f.input()
	var err error
	if len(read) == 0 {
		var id int64
		if id, err = s.CatalogueAdmin.CreateFormation(r.Context(), currentUser(r).Actor, in); err == nil {
			http.Redirect(w, r, adminFormsPath+"/"+itoa64(id)+"?fait=enregistre", http.StatusSeeOther)
			return
		}
	} else {
		err = catalogue.CheckFormation(in, 0)
	}
	errs, ok := formErrors(formationOrder, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	s.renderFormation(w, r, http.StatusBadRequest, catalogue.FormationRow{}, f, errs)
}

// formationOf reads the {id} formation for the central service.
func (s *Server) formationOf(w http.ResponseWriter, r *http.Request) (catalogue.FormationRow, bool) {
	return adminObject(s, w, r, s.CatalogueAdmin.Formation)
}

func (s *Server) adminFormationPage(w http.ResponseWriter, r *http.Request) {
	fr, ok := s.formationOf(w, r)
	if !ok {
		return
	}
	f := formationFormOf(fr.Formation)
	f.MinSocial = strconv.Itoa(fr.MinSocialPercent)
	s.renderFormation(w, r, http.StatusOK, fr, f, nil)
}

func (s *Server) updateFormation(w http.ResponseWriter, r *http.Request) {
	fr, ok := s.formationOf(w, r)
	if !ok {
		return
	}
	f := formationFormFromRequest(r)
	in, read := f.input()
	var err error = nilIfNone(read)
	if len(read) == 0 {
		if err = s.CatalogueAdmin.UpdateFormation(r.Context(), currentUser(r).Actor, fr.ID, in); err == nil {
			http.Redirect(w, r, adminFormsPath+"/"+itoa64(fr.ID)+"?fait=enregistre", http.StatusSeeOther)
			return
		}
	} else {
		err = catalogue.CheckFormation(in, fr.ID)
	}
	errs, ok := formErrors(formationOrder, read, err)
	if !ok {
		s.adminError(w, r, err)
		return
	}
	s.renderFormation(w, r, http.StatusBadRequest, fr, f, errs)
}

func (s *Server) removeFormation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	archived, err := s.CatalogueAdmin.RemoveFormation(r.Context(), currentUser(r).Actor, id, r.PostFormValue("raison"))
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	if archived {
		http.Redirect(w, r, adminFormsPath+"/"+itoa64(id)+"?fait=archive", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, adminFormsPath+"?fait=supprime", http.StatusSeeOther)
}
