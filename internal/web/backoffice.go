package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
	"cma/internal/web/views"
)

// backOfficeHome lists, for each of the staff member's roles, what it reaches
// (ROLE-2..7). The pages of later capabilities add their links here.
func (s *Server) backOfficeHome(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	pg := s.page(r, "bo.title")
	p := pg.P
	v := &views.BackOfficeHomeView{Name: u.Account.FullName()}
	for _, g := range u.Account.Grants {
		v.Roles = append(v.Roles, p.T("role."+string(g.Role)))
		switch g.Role {
		case domain.RoleCentral:
			n := 0
			if pending, err := s.Store.PendingDuplicates(r.Context()); err == nil {
				n = len(pending)
			}
			v.Links = append(v.Links,
				views.Link{URL: "/back-office/personnes", Label: p.T("bo.people.title"), Hint: p.T("bo.people.hint")},
				views.Link{URL: "/back-office/doublons", Label: p.T("bo.dup.title"), Hint: p.T("bo.dup.count", map[string]any{"Count": n})},
				views.Link{URL: "/back-office/journal", Label: p.T("bo.audit.title"), Hint: p.T("bo.audit.hint")},
				views.Link{URL: "/back-office/inscription-assistee", Label: p.T("assisted.title"), Hint: p.T("bo.assisted.hint")},
				views.Link{URL: "/back-office/candidatures", Label: p.T("bo.cand.title"), Hint: p.T("bo.cand.hint")})
		case domain.RoleDirector:
			if e, ok := ix.Establishment(g.EstablishmentID); ok {
				v.Links = append(v.Links, views.Link{URL: "/back-office/etablissements/" + itoa64(e.ID), Label: e.Name,
					Hint: pg.District(e.District)},
					views.Link{URL: "/back-office/candidatures?etablissement=" + itoa64(e.ID), Label: p.T("bo.cand.establishment"), Hint: e.Name})
			}
		case domain.RoleCoordinator:
			if f, ok := ix.Formation(g.FormationID); ok {
				v.Links = append(v.Links, views.Link{URL: "/back-office/formations/" + itoa64(f.ID), Label: f.Title})
			}
		case domain.RoleTrainer:
			if e, ok := ix.Course(g.CourseID); ok {
				v.Links = append(v.Links, views.Link{URL: "/back-office/cours/" + itoa64(e.ID),
					Label: e.Formation.Title + " — " + e.Code, Hint: schedule(p, e) + ", " + e.Establishment.Name})
			}
		case domain.RoleHelpDesk:
			v.Links = append(v.Links, views.Link{URL: "/back-office/personnes", Label: p.T("bo.people.title"), Hint: p.T("bo.people.hint.helpdesk")})
		case domain.RoleGuidance:
			v.Links = append(v.Links, views.Link{URL: "/back-office/inscription-assistee", Label: p.T("assisted.title"), Hint: p.T("bo.assisted.hint")})
		}
	}
	s.render(w, r, http.StatusOK, views.BackOfficeHome(pg, v))
}

func (s *Server) personRow(pg *views.Page, a domain.Account) views.PersonRow {
	return views.PersonRow{URL: "/back-office/personnes/" + itoa64(a.ID), Name: a.FullName(), Email: a.Email,
		Kind: pg.T("kind." + string(a.Kind)), Status: pg.T("status." + string(a.Status))}
}

// peopleSearch finds a person by name or email (help desk, central service).
func (s *Server) peopleSearch(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "bo.people.title")
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := &views.PeopleSearchView{Query: q}
	if q != "" {
		found, err := s.Store.SearchAccounts(r.Context(), q, 50)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.Searched = true
		actor := currentUser(r).Actor
		for _, a := range found {
			if !domain.Can(actor, domain.ActReadPersonFile, domain.Resource{AccountID: a.ID, AccountKind: a.Kind}) {
				continue // a staff member, for the help desk (ROLE-7)
			}
			v.Results = append(v.Results, s.personRow(pg, a))
		}
	}
	s.render(w, r, http.StatusOK, views.PeopleSearch(pg, v))
}

func (s *Server) personFileView(r *http.Request, pg *views.Page, a domain.Account) (*views.PersonFileView, error) {
	u := currentUser(r)
	v := &views.PersonFileView{ID: a.ID, Name: a.FullName(), Email: a.Email, Kind: pg.T("kind." + string(a.Kind)),
		Status: pg.T("status." + string(a.Status)), FirstName: a.FirstName, LastName: a.LastName,
		BirthDate: pg.T("bo.unknown"), Phone: domain.FormatPhone(a.Phone), Created: pg.DateTime(a.CreatedAt, s.Paris), ErrFor: map[string]string{},
		CanCorrect: domain.Can(u.Actor, domain.ActCorrectIdentity, domain.Resource{AccountID: a.ID})}
	if !a.BirthDate.IsZero() {
		v.BirthDate, v.BirthDateValue = pg.ShortDate(a.BirthDate), a.BirthDate.Format(time.DateOnly)
	}
	v.Address = strings.TrimSpace(strings.Join([]string{a.Address.Line1, a.Address.Line2, a.Address.PostalCode, a.Address.City}, " "))
	if domain.Can(u.Actor, domain.ActReadAudit, domain.Resource{}) {
		events, _, err := s.Store.SearchAudit(r.Context(), store.AuditQuery{SubjectID: a.ID, Limit: 20})
		if err != nil {
			return nil, err
		}
		v.History = s.auditRows(pg, events)
	}
	return v, nil
}

// personFile shows a person's file; the read itself is in the audit trail.
func (s *Server) personFile(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	a, err := s.Accounts.ReadFile(r.Context(), currentUser(r).Actor, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if errors.Is(err, accounts.ErrForbidden) { // a staff file asked by the help desk (ROLE-7)
		s.forbidden(w, r, false)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pg := s.page(r, "bo.people.title")
	pg.Title = a.FullName()
	v, err := s.personFileView(r, pg, a)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Saved = r.URL.Query().Get("enregistre") == "1"
	s.render(w, r, http.StatusOK, views.PersonFile(pg, v))
}

// correctIdentity changes names or birth date with a reason (central service, ACC-4).
func (s *Server) correctIdentity(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	u := currentUser(r)
	pg := s.page(r, "bo.people.title")
	c := accounts.Correction{FirstName: r.PostFormValue("prenom"), LastName: r.PostFormValue("nom"), Reason: r.PostFormValue("raison")}
	var ferrs accounts.FieldErrors
	c.BirthDate = formDate(r, pg, "naissance", &ferrs)
	var err error = ferrs
	if len(ferrs) == 0 {
		err = s.Accounts.CorrectIdentity(r.Context(), u.Actor, id, c)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.As(err, &ferrs):
		a, rerr := s.Store.Account(r.Context(), id)
		if rerr != nil {
			s.serverError(w, r, rerr)
			return
		}
		v, verr := s.personFileView(r, pg, a)
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		pg.Title = a.FullName()
		v.FirstName, v.LastName, v.Reason = c.FirstName, c.LastName, c.Reason
		for _, fe := range ferrs {
			v.Errors = append(v.Errors, views.FieldMessage{Field: fe.Field, Message: fe.Message})
			v.ErrFor[fe.Field] = fe.Message
		}
		s.render(w, r, http.StatusBadRequest, views.PersonFile(pg, v))
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/back-office/personnes/"+itoa64(id)+"?enregistre=1", http.StatusSeeOther)
}

func (s *Server) duplicatesView(r *http.Request, pg *views.Page) (*views.DuplicatesView, error) {
	pending, err := s.Store.PendingDuplicates(r.Context())
	if err != nil {
		return nil, err
	}
	v := &views.DuplicatesView{}
	for _, d := range pending {
		v.Items = append(v.Items, views.DuplicateRow{ID: d.ID, Held: s.personRow(pg, d.Held), Existing: s.personRow(pg, d.Existing),
			BirthDate: pg.ShortDate(d.Existing.BirthDate), Created: pg.DateTime(d.Created, s.Paris)})
	}
	return v, nil
}

// duplicatesPage lists the accounts held as probable duplicates (ACC-3).
func (s *Server) duplicatesPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "bo.dup.title")
	v, err := s.duplicatesView(r, pg)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch r.URL.Query().Get("fait") {
	case "fusion":
		v.Done = pg.T("bo.dup.merged")
	case "distinct":
		v.Done = pg.T("bo.dup.dismissed")
	}
	s.render(w, r, http.StatusOK, views.Duplicates(pg, v))
}

// decideDuplicate merges or dismisses one probable duplicate, with a reason.
func (s *Server) decideDuplicate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	decision := r.PostFormValue("decision")
	if decision != "fusionner" && decision != "distinct" {
		s.badRequest(w, r)
		return
	}
	err := s.Accounts.DecideDuplicate(r.Context(), currentUser(r).Actor, id, decision == "fusionner", r.PostFormValue("raison-"+itoa64(id)))
	pg := s.page(r, "bo.dup.title")
	var ferrs accounts.FieldErrors
	switch {
	case errors.Is(err, store.ErrAlreadyDecided):
		v, verr := s.duplicatesView(r, pg)
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		v.Errors = []views.FieldMessage{{Field: "contenu", Message: pg.T("bo.dup.already")}}
		s.render(w, r, http.StatusConflict, views.Duplicates(pg, v))
		return
	case errors.As(err, &ferrs):
		v, verr := s.duplicatesView(r, pg)
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		v.Errors = []views.FieldMessage{{Field: "raison-" + itoa64(id), Message: ferrs[0].Message}}
		s.render(w, r, http.StatusBadRequest, views.Duplicates(pg, v))
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	done := "distinct"
	if decision == "fusionner" {
		done = "fusion"
	}
	http.Redirect(w, r, "/back-office/doublons?fait="+done, http.StatusSeeOther)
}

func (s *Server) badRequest(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "badrequest.title")
	s.render(w, r, http.StatusBadRequest, views.Message(pg, pg.T("badrequest.text")))
}

func (s *Server) auditRows(pg *views.Page, events []store.AuditEvent) []views.AuditRow {
	rows := make([]views.AuditRow, 0, len(events))
	for _, e := range events {
		row := views.AuditRow{At: pg.DateTime(e.At, s.Paris), Actor: e.ActorName, Action: auditAction(pg.P, e.Action),
			Subject: e.SubjectName, Details: e.Details, Reason: e.Reason}
		if row.Actor == "" {
			row.Actor = pg.T("bo.audit.system")
		}
		if e.SubjectID != 0 {
			row.SubjectURL = "/back-office/personnes/" + itoa64(e.SubjectID)
		}
		rows = append(rows, row)
	}
	return rows
}

func auditAction(p *i18n.Printer, action string) string {
	if id := "audit." + action; p.Has(id) {
		return p.T(id)
	}
	return action
}

// auditPage searches the audit trail (ROLE-5): by person, action and dates.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "bo.audit.title")
	q := r.URL.Query()
	v := &views.AuditView{Person: q.Get("personne"), Action: q.Get("action"), From: q.Get("du"), To: q.Get("au"), ErrFor: map[string]string{}}
	query := store.AuditQuery{Action: strings.TrimSpace(v.Action), Limit: 50}
	bad := func(field, msgID string) {
		msg := pg.T(msgID)
		v.Errors = append(v.Errors, views.FieldMessage{Field: field, Message: msg})
		v.ErrFor[field] = msg
	}
	if v.Person != "" {
		id, err := strconv.ParseInt(strings.TrimSpace(v.Person), 10, 64)
		if err != nil || id <= 0 {
			bad("personne", "bo.audit.person.invalid")
		}
		query.SubjectID = id
	}
	parseDay := func(raw, field string) time.Time {
		if raw == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, raw, s.Paris)
		if err != nil {
			bad(field, "bo.audit.date.invalid")
		}
		return d
	}
	query.From = parseDay(v.From, "du")
	if to := parseDay(v.To, "au"); !to.IsZero() {
		query.To = to.AddDate(0, 0, 1) // the whole last day
	}
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	query.Offset = (page - 1) * query.Limit
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, views.Audit(pg, v))
		return
	}
	events, total, err := s.Store.SearchAudit(r.Context(), query)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Rows, v.Total = s.auditRows(pg, events), total
	link := func(p int) string {
		vals := url.Values{}
		for _, k := range []string{"personne", "action", "du", "au"} {
			if q.Get(k) != "" {
				vals.Set(k, q.Get(k))
			}
		}
		vals.Set("page", strconv.Itoa(p))
		return "/back-office/journal?" + vals.Encode()
	}
	if page > 1 {
		v.PrevURL = link(page - 1)
	}
	if query.Offset+len(events) < total {
		v.NextURL = link(page + 1)
	}
	s.render(w, r, http.StatusOK, views.Audit(pg, v))
}

func (s *Server) courseRows(pg *views.Page, entries []*catalogue.Entry) []views.CourseRow {
	rows := make([]views.CourseRow, 0, len(entries))
	for _, e := range entries {
		rows = append(rows, views.CourseRow{URL: "/back-office/cours/" + itoa64(e.ID), Code: e.Code,
			Title: e.Formation.Title, Schedule: schedule(pg.P, e), Place: e.Establishment.Name,
			Places: pg.T("bo.course.places", map[string]any{"Enrolled": e.Enrolled, "Capacity": e.Capacity})})
	}
	return rows
}

func filterEntries(ix *catalogue.Index, keep func(*catalogue.Entry) bool) []*catalogue.Entry {
	var out []*catalogue.Entry
	for _, e := range ix.All() {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// establishmentPage is a director's establishment with its courses (ROLE-3).
// The access check has already found the establishment.
func (s *Server) establishmentPage(w http.ResponseWriter, r *http.Request) {
	s.courseListPage(w, r, func(pg *views.Page, ix *catalogue.Index, id int64) (*views.CourseListView, func(*catalogue.Entry) bool) {
		est, _ := ix.Establishment(id)
		return &views.CourseListView{Title: est.Name, Facts: []views.Link{
			{Label: pg.T("bo.person.address"), Hint: est.Address + ", " + est.PostalCode + " " + est.City},
			{Label: pg.T("search.district"), Hint: pg.District(est.District)},
			{Label: pg.T("bo.rooms"), Hint: strconv.Itoa(len(est.Rooms))},
		}}, func(e *catalogue.Entry) bool { return e.EstablishmentID == id }
	})
}

// formationPage is a coordinator's formation with its courses (ROLE-4).
func (s *Server) formationPage(w http.ResponseWriter, r *http.Request) {
	s.courseListPage(w, r, func(pg *views.Page, ix *catalogue.Index, id int64) (*views.CourseListView, func(*catalogue.Entry) bool) {
		f, _ := ix.Formation(id)
		return &views.CourseListView{Title: f.Title, Facts: []views.Link{
			{Label: pg.T("search.subject"), Hint: pg.T("subject." + string(f.Subject))},
			{Label: pg.T("course.level"), Hint: pg.T("level." + string(f.Level))},
			{Label: pg.T("course.evaluation"), Hint: pg.T("evaluation." + string(f.Evaluation))},
		}}, func(e *catalogue.Entry) bool { return e.FormationID == id }
	})
}

// courseListPage shows a page of facts and the courses that keep selects.
func (s *Server) courseListPage(w http.ResponseWriter, r *http.Request,
	build func(pg *views.Page, ix *catalogue.Index, id int64) (*views.CourseListView, func(*catalogue.Entry) bool)) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	id, _ := pathID(r, "id")
	pg := s.page(r, "bo.title")
	v, keep := build(pg, ix, id)
	pg.Title = v.Title
	v.Courses = s.courseRows(pg, filterEntries(ix, keep))
	s.render(w, r, http.StatusOK, views.CourseList(pg, v))
}

// staffCoursePage is one course as its trainer, director or coordinator sees
// it (ROLE-2..4); the attendance register comes with its own issue.
func (s *Server) staffCoursePage(w http.ResponseWriter, r *http.Request) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	id, _ := pathID(r, "id")
	e, _ := ix.Course(id)
	pg := s.page(r, "bo.title")
	pg.Title = e.Formation.Title + " — " + e.Code
	held := 0
	for _, m := range ix.Meetings(e, s.Paris) {
		if !m.Skipped {
			held++
		}
	}
	v := &views.CourseListView{Title: pg.Title, Facts: []views.Link{
		{Label: pg.T("course.schedule"), Hint: schedule(pg.P, e)},
		{Label: pg.T("course.establishment"), Hint: placeName(pg, e)},
		{Label: pg.T("course.session"), Hint: e.Session.Name},
		{Label: pg.T("course.trainer"), Hint: e.Trainer},
		{Label: pg.T("course.places"), Hint: pg.T("bo.course.places", map[string]any{"Enrolled": e.Enrolled, "Capacity": e.Capacity})},
		{Label: pg.T("course.meetings"), Hint: pg.T("course.meetings.count", map[string]any{"N": held})},
	}}
	v.Courses = s.courseRows(pg, []*catalogue.Entry{e})
	s.render(w, r, http.StatusOK, views.CourseList(pg, v))
}
