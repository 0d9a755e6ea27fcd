package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// The catalogue as staff see it: a director's establishment, a
// coordinator's formation, a course with its candidatures (ROLE-2..4); the
// pages of the catalogue administration come with their own issue.

func (s *Server) courseRows(pg *views.Page, entries []*catalogue.Entry) []views.CourseRow {
	rows := make([]views.CourseRow, 0, len(entries))
	for _, e := range entries {
		url := "/back-office/cours/" + itoa64(e.ID)
		rows = append(rows, views.CourseRow{URL: url, PlacesURL: url + "#candidatures", Code: e.Code,
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
			{Label: pg.T("bo.cand.title"), Hint: pg.T("bo.cand.establishment"), URL: candidaturesPath + "?etablissement=" + itoa64(id)},
		}}, func(e *catalogue.Entry) bool { return e.EstablishmentID == id }
	})
}

// formationPage is a coordinator's formation with its courses (ROLE-4).
func (s *Server) formationPage(w http.ResponseWriter, r *http.Request) {
	s.courseListPage(w, r, func(pg *views.Page, ix *catalogue.Index, id int64) (*views.CourseListView, func(*catalogue.Entry) bool) {
		f, _ := ix.Formation(id)
		v := &views.CourseListView{Title: f.Title, Facts: []views.Link{
			{Label: pg.T("search.subject"), Hint: pg.T("subject." + string(f.Subject))},
			{Label: pg.T("course.level"), Hint: pg.T("level." + string(f.Level))},
			{Label: pg.T("course.evaluation"), Hint: pg.T("evaluation." + string(f.Evaluation))},
		}}
		if s.Selection != nil { // SEL-1: the minimum social rate the central service set
			if rate, err := s.Selection.FormationSocialRate(r.Context(), currentUser(r).Actor, id); err == nil {
				v.Facts = append(v.Facts, views.Link{Label: pg.T("formation.min_social"), Hint: strconv.Itoa(rate)})
			}
		}
		return v, func(e *catalogue.Entry) bool { return e.FormationID == id }
	})
}

// courseListSorts are the sort keys of a back-office table of courses.
var courseListSorts = []string{"code", "formation", "horaire", "etablissement", "places"}

// courseListPage shows a page of facts and the courses that keep selects,
// 50 at a time, sortable by code, formation, schedule, place and places taken.
func (s *Server) courseListPage(w http.ResponseWriter, r *http.Request,
	build func(pg *views.Page, ix *catalogue.Index, id int64) (*views.CourseListView, func(*catalogue.Entry) bool)) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	t, ok := readTable(r.URL.Query(), "cours", "page", "tri", "ordre", courseListSorts...)
	if !ok {
		s.requestError(w, r, http.StatusBadRequest, "filter.error.page")
		return
	}
	id, _ := pathID(r, "id")
	pg := s.page(r, "bo.title")
	v, keep := build(pg, ix, id)
	pg.Title = v.Title
	entries := filterEntries(ix, keep)
	by := func(a, b *catalogue.Entry) int {
		switch t.Sort {
		case "formation":
			return strings.Compare(domain.SearchKey(a.Formation.Title), domain.SearchKey(b.Formation.Title))
		case "horaire":
			return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.StartMinute, b.StartMinute))
		case "etablissement":
			return strings.Compare(domain.SearchKey(a.Establishment.Name), domain.SearchKey(b.Establishment.Name))
		case "places":
			return cmp.Compare(a.Enrolled, b.Enrolled)
		}
		return 0
	}
	slices.SortStableFunc(entries, func(a, b *catalogue.Entry) int {
		return cmp.Or(strings.Compare(a.Code, b.Code), cmp.Compare(a.ID, b.ID))
	})
	slices.SortStableFunc(entries, func(a, b *catalogue.Entry) int {
		if t.Desc {
			return by(b, a)
		}
		return by(a, b)
	})
	if t.Desc && (t.Sort == "" || t.Sort == "code") {
		slices.Reverse(entries)
	}
	path := r.URL.Path
	v.Total = len(entries)
	t.clamp(len(entries))
	v.Pager = t.pager(pg, path, len(entries), pg.T("bo.course.pages"))
	for _, h := range []struct{ label, key string }{{"course.code", "code"}, {"bo.course.title", "formation"},
		{"course.schedule", "horaire"}, {"course.establishment", "etablissement"}, {"course.places", "places"}} {
		v.Heads = append(v.Heads, t.head(path, pg.T(h.label), h.key, "code"))
	}
	v.Courses = s.courseRows(pg, entries[t.offset():min(len(entries), t.offset()+staffPageSize)])
	s.render(w, r, http.StatusOK, views.CourseList(pg, v))
}

// staffCoursePage is one course as its trainer, director or coordinator sees
// it (ROLE-2..4), with its candidatures and their state for whoever may list
// its establishment's (ROLE-3, ROLE-5), 50 at a time, sortable; the
// attendance register comes with its own issue.
func (s *Server) staffCoursePage(w http.ResponseWriter, r *http.Request) {
	s.renderStaffCourse(w, r, http.StatusOK, nil)
}

// renderStaffCourse draws the staff course page; remoteErrs are those of its
// remote-delivery form (remote_bo.go).
func (s *Server) renderStaffCourse(w http.ResponseWriter, r *http.Request, status int, remoteErrs *remoteErrors) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	u := currentUser(r)
	id, _ := pathID(r, "id")
	e, _ := ix.Course(id)
	t, ok := readTable(r.URL.Query(), "candidatures", "page", "tri", "ordre", "nom", "courriel", "statut")
	if !ok {
		s.requestError(w, r, http.StatusBadRequest, "filter.error.page")
		return
	}
	pg := s.page(r, "bo.title")
	pg.Title = e.Formation.Title + " — " + e.Code
	held := 0
	for _, m := range ix.Meetings(e, s.Paris) {
		if !m.Skipped {
			held++
		}
	}
	v := &views.StaffCourseView{Title: pg.Title, Facts: []views.Link{
		{Label: pg.T("course.schedule"), Hint: schedule(pg.P, e)},
		{Label: pg.T("course.establishment"), Hint: placeName(pg, e)},
		{Label: pg.T("course.session"), Hint: e.Session.Name},
		{Label: pg.T("course.trainer"), Hint: e.Trainer},
		{Label: pg.T("course.places"), Hint: pg.T("bo.course.places", map[string]any{"Enrolled": e.Enrolled, "Capacity": e.Capacity})},
		{Label: pg.T("course.meetings"), Hint: pg.T("course.meetings.count", map[string]any{"N": held})},
	}}
	v.Facts = append(v.Facts, s.courseAdminLinks(pg, u.Actor, e)...)
	v.Facts = append(v.Facts, s.courseListsLinks(pg, u.Actor, e)...)
	if s.Attendance != nil && domain.Can(u.Actor, domain.ActKeepRegister, domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}) {
		v.Facts = append(v.Facts, views.Link{Label: pg.T("att.title"), Hint: pg.T("att.link"), URL: registersPath(e.ID)})
	}
	if s.Evaluation != nil && domain.Can(u.Actor, domain.ActEvaluate, domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}) {
		v.Facts = append(v.Facts, views.Link{Label: pg.T("eval.title"), Hint: pg.T("eval.link"), URL: evaluationPath(e.ID)})
	}
	v.Remote = s.remoteBox(r, pg, ix, e, remoteErrs)
	if !domain.Can(u.Actor, domain.ActViewEstablishment, domain.Resource{EstablishmentID: e.EstablishmentID}) {
		// A trainer or a coordinator: the course's facts; its learners come
		// with the registers.
		v.Note = pg.T("bo.course.learners.later")
		s.render(w, r, status, views.StaffCourse(pg, v))
		return
	}
	counts, err := s.Candidatures.Counts(r.Context(), u.Actor, e.SessionID, e.EstablishmentID)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	c := counts[e.ID]
	v.Listed = true
	v.Facts[4].URL = "#candidatures"
	v.Facts = append(v.Facts, views.Link{Label: pg.T("bo.cand.title"), URL: "#candidatures",
		Hint: pg.T("bo.course.cand.counts", map[string]any{"Submitted": c.Submitted, "Cancelled": c.Cancelled})})
	f := candidature.ListFilter{CourseID: e.ID, EstablishmentID: e.EstablishmentID,
		Sort: map[string]candidature.Sort{"nom": candidature.SortByName, "courriel": candidature.SortByEmail,
			"statut": candidature.SortByStatus}[t.Sort], Desc: t.Desc}
	total := c.Submitted + c.Cancelled
	t.clamp(total)
	f.Limit, f.Offset = staffPageSize, t.offset()
	rows, total, err := s.Candidatures.ListPage(r.Context(), u.Actor, f)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	path := r.URL.Path
	v.Total = total
	v.Pager = t.pager(pg, path, total, pg.T("bo.cand.pages.list"))
	v.Heads = []views.SortHead{t.head(path, pg.T("bo.people.name"), "nom", "nom"),
		t.head(path, pg.T("profile.email"), "courriel", "nom"), t.head(path, pg.T("bo.cand.status"), "statut", "nom")}
	for _, c := range rows {
		row := views.BOCandidatureRow{Name: personName(c.FirstName, c.LastName), Email: c.Email,
			Status: statusWord(pg.P, c.Status), Tariff: yesNo(pg.P, c.HalfTariffClaim), Assisted: yesNo(pg.P, c.Assisted)}
		if domain.Can(u.Actor, domain.ActReadPersonFile, domain.Resource{AccountID: c.AccountID}) {
			row.URL = "/back-office/personnes/" + itoa64(c.AccountID)
		}
		v.Rows = append(v.Rows, row)
	}
	v.ListURL = candidaturesPath + "?etablissement=" + itoa64(e.EstablishmentID) + "&cours=" + itoa64(e.ID)
	s.render(w, r, status, views.StaffCourse(pg, v))
}
