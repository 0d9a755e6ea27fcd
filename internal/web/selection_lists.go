package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/selection"
	"cma/internal/web/views"
)

// The directors' lists (SEL-2, ROLE-3): a course's accepted learners with
// their convocation and test, its waiting list in order, and the first-day
// test results posted on the establishment's notice board, by candidature
// number (the validation reference the candidate sees in "Mes
// candidatures"), never by name.

func courseListsPath(id int64) string { return "/back-office/cours/" + itoa64(id) + "/listes" }
func resultsPostingPath(id int64) string {
	return "/back-office/cours/" + itoa64(id) + "/resultats-affiches"
}

// courseListsLinks are the staff course page's links to its lists.
func (s *Server) courseListsLinks(pg *views.Page, actor domain.Actor, e *catalogue.Entry) []views.Link {
	if s.Selection == nil || !domain.Can(actor, domain.ActViewCourse,
		domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}) {
		return nil
	}
	return []views.Link{{Label: pg.T("lists.title"), Hint: pg.T("lists.link"), URL: courseListsPath(e.ID)}}
}

// resultWord says a test or interview result in a few words.
func resultWord(pg *views.Page, res *domain.TestResult) string {
	if res == nil {
		return pg.T("lists.result.none")
	}
	switch res.Kind {
	case domain.ResultScore:
		return pg.T("lists.result.score", map[string]any{"Score": res.Score, "Max": domain.MaxScore})
	case domain.ResultPass:
		return pg.T("lists.result.pass")
	case domain.ResultFail:
		return pg.T("lists.result.fail")
	case domain.ResultAbsent:
		return pg.T("lists.result.absent")
	}
	return string(res.Kind)
}

func (s *Server) listedRow(pg *views.Page, actor domain.Actor, ix *catalogue.Index, e *catalogue.Entry, l selection.Learner) views.ListedRow {
	row := views.ListedRow{Position: l.Position, Name: personName(l.FirstName, l.LastName),
		Email: l.Email, Result: resultWord(pg, l.Result), Convocation: pg.T("lists.convocation.none")}
	if domain.Can(actor, domain.ActReadPersonFile, domain.Resource{AccountID: l.AccountID}) {
		row.URL = "/back-office/personnes/" + itoa64(l.AccountID)
	}
	if c := l.Convocation; c != nil {
		row.Convocation = pg.DateTime(c.At, s.Paris) + " — " + c.Place
	}
	if l.CourseID != e.ID {
		// Placed at another level (SEL-3) or redirected (SEL-5).
		code := ""
		if chosen, ok := ix.Course(l.CourseID); ok {
			code = chosen.Code
		}
		row.Note = pg.T("lists.accepted.from", map[string]any{"Code": code})
	}
	return row
}

// courseListsPage shows a course's accepted learners and its waiting list.
func (s *Server) courseListsPage(w http.ResponseWriter, r *http.Request) {
	s.renderCourseLists(w, r, http.StatusOK, nil)
}

// renderCourseListsClose shows the page again with the closing form's errors.
func (s *Server) renderCourseListsClose(w http.ResponseWriter, r *http.Request, f *views.CloseForm) {
	s.renderCourseListsForms(w, r, http.StatusUnprocessableEntity, courseListForms{closing: f})
}

func (s *Server) renderCourseListsDesk(w http.ResponseWriter, r *http.Request, f *views.DeskDayChangeForm) {
	s.renderCourseListsForms(w, r, http.StatusUnprocessableEntity, courseListForms{desk: f})
}

func (s *Server) renderCourseListsWithdraw(w http.ResponseWriter, r *http.Request, f *views.WithdrawForm) {
	s.renderCourseListsForms(w, r, http.StatusUnprocessableEntity, courseListForms{withdraw: f})
}

func (s *Server) renderCourseLists(w http.ResponseWriter, r *http.Request, status int, reorder *views.ReorderForm) {
	s.renderCourseListsForms(w, r, status, courseListForms{reorder: reorder})
}

// courseListForms are the staff's forms of a course's lists page; the one
// refused, if any, is filled in again.
type courseListForms struct {
	reorder  *views.ReorderForm
	closing  *views.CloseForm
	desk     *views.DeskDayChangeForm
	withdraw *views.WithdrawForm
}

// renderCourseListsForms shows a course's lists with its forms.
func (s *Server) renderCourseListsForms(w http.ResponseWriter, r *http.Request, status int, forms courseListForms) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	u := currentUser(r)
	id, _ := pathID(r, "id")
	l, err := s.Selection.CourseLists(r.Context(), u.Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	e := l.Course
	pg := s.page(r, "lists.title")
	title := e.Formation.Title + " — " + e.Code
	pg.Title = pg.T("lists.title") + " — " + title
	v := &views.CourseListsView{Title: title, CourseURL: "/back-office/cours/" + itoa64(e.ID),
		PostingURL: resultsPostingPath(e.ID), PDFURL: resultsPostingPath(e.ID) + ".pdf",
		Facts: []views.Link{
			{Label: pg.T("course.schedule"), Hint: schedule(pg.P, e)},
			{Label: pg.T("course.establishment"), Hint: placeName(pg, e)},
			{Label: pg.T("course.session"), Hint: e.Session.Name},
			{Label: pg.T("course.evaluation"), Hint: pg.T("evaluation." + string(e.Formation.Evaluation))},
			{Label: pg.T("course.places"), Hint: pg.T("lists.places", map[string]any{"Accepted": len(l.Accepted), "Capacity": e.Capacity})},
		}}
	if domain.Can(u.Actor, domain.ActConfirmEnrolment, domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID,
		FormationID: e.FormationID}) {
		v.RosterURL = rosterPath(e.ID)
	}
	for _, a := range l.Accepted {
		v.Accepted = append(v.Accepted, s.listedRow(pg, u.Actor, ix, e, a))
	}
	for _, a := range l.Waiting {
		v.Waiting = append(v.Waiting, s.listedRow(pg, u.Actor, ix, e, a))
	}
	v.Close = forms.closing
	if s.Waitlist != nil { // the offers made from the list, its order (waitlist.go)
		if err := s.waitingListParts(r, pg, u.Actor, e, l.Waiting, v, forms.reorder); err != nil {
			s.waitlistError(w, r, err)
			return
		}
		s.deskDayChangeParts(r, pg, u.Actor, ix, e, l.Accepted, v, forms.desk) // SEL-8 (daychange.go)
		s.withdrawParts(r, pg, u.Actor, e, l.Accepted, l.Waiting, v, forms.withdraw)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, views.CourseLists(pg, v))
}

// postingData builds the posting of a course's first-day test results, the
// same for its PDF and its HTML version.
func (s *Server) postingData(w http.ResponseWriter, r *http.Request) (*views.Page, *documents.ResultsPostingData, *catalogue.Entry, bool) {
	u := currentUser(r)
	id, _ := pathID(r, "id")
	p, err := s.Selection.ResultsPosting(r.Context(), u.Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return nil, nil, nil, false
	}
	e := p.Course
	pg := s.page(r, "lists.posting.title")
	est := e.Establishment
	d := &documents.ResultsPostingData{Title: pg.T("lists.posting.title"),
		Establishment: est.Name + " — " + est.Address + ", " + est.PostalCode + " " + est.City,
		Note:          pg.T("lists.posting.note"), GeneratedAt: s.Now().In(s.Paris)}
	c := documents.PostingCourse{Heading: e.Formation.Title + " — " + e.Code,
		Schedule: schedule(pg.P, e) + " — " + e.Session.Name, Empty: pg.T("lists.posting.empty")}
	for _, res := range p.Results {
		row := documents.PostingRow{Number: candidature.Reference(res.ValidationKey)}
		switch res.Status {
		case domain.CandidatureAccepted:
			code := ""
			if res.AcceptedIn != nil {
				code = res.AcceptedIn.Code
			}
			row.Result = pg.T("lists.posting.accepted", map[string]any{"Code": code})
		case domain.CandidatureWaiting:
			if res.WaitingFor != nil {
				row.Result = pg.T("lists.posting.waiting.other", map[string]any{"Code": res.WaitingFor.Code, "Position": res.Waiting})
			} else {
				row.Result = pg.T("lists.posting.waiting", map[string]any{"Position": res.Waiting})
			}
		case domain.CandidatureNotRetained, domain.CandidatureIneligible:
			row.Result = pg.T("lists.posting.not_retained")
		case domain.CandidatureWithdrawn, domain.CandidatureCancelled:
			row.Result = pg.T("lists.posting.withdrawn")
		default:
			row.Result = pg.T("lists.posting.pending")
		}
		c.Rows = append(c.Rows, row)
	}
	// By number: the order a candidate looks for theirs in (never an order of arrival, PER-2).
	slices.SortFunc(c.Rows, func(a, b documents.PostingRow) int { return strings.Compare(a.Number, b.Number) })
	d.Courses = []documents.PostingCourse{c}
	return pg, d, e, true
}

// resultsPostingPage is the HTML version of the posting.
func (s *Server) resultsPostingPage(w http.ResponseWriter, r *http.Request) {
	pg, d, e, ok := s.postingData(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, views.ResultsPosting(pg, d, courseListsPath(e.ID), resultsPostingPath(e.ID)+".pdf"))
}

// resultsPostingPDF serves the posting to print.
func (s *Server) resultsPostingPDF(w http.ResponseWriter, r *http.Request) {
	_, d, e, ok := s.postingData(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := documents.WriteResultsPostingPDF(&buf, *d); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="resultats-`+strconv.FormatInt(e.ID, 10)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
