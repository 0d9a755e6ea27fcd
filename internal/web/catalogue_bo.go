package web

import (
	"cma/internal/catalogue"
	"cma/internal/web/views"
	"net/http"
	"strconv"
)

// The catalogue as staff see it: a director's establishment, a
// coordinator's formation, a course (ROLE-2..4); the pages of the catalogue
// administration come with their own issue.

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
