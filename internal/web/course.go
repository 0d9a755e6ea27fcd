package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cma/internal/calendar"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// courseEntry finds the course named in the URL, answering 404 itself when it
// does not exist. ok is false when the response is already written.
func (s *Server) courseEntry(w http.ResponseWriter, r *http.Request) (*catalogue.Index, *catalogue.Entry, bool) {
	ix := s.index(w, r)
	if ix == nil {
		return nil, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	e, found := ix.Course(id)
	if err != nil || !found {
		s.courseNotFound(w, r)
		return nil, nil, false
	}
	return ix, e, true
}

// coursePage shows one course with its dated class calendar (CAT-3, CAT-5,
// CAT-6, CAT-7, PER-1).
func (s *Server) coursePage(w http.ResponseWriter, r *http.Request) {
	ix, e, ok := s.courseEntry(w, r)
	if !ok {
		return
	}
	pg := s.page(r, "search.title")
	p := pg.P
	f := e.Formation
	pg.Title = f.Title + " — " + p.T("level."+string(e.Level))
	se := e.Session
	room := ""
	if e.Room != nil {
		room = e.Room.Name
	}
	v := &views.CourseView{
		Title: f.Title, Code: e.Code, Level: p.T("level." + string(e.Level)), Subject: p.T("subject." + string(f.Subject)),
		Schedule: p.T("course.every", map[string]any{"Day": weekdayName(p, e),
			"Start": domain.FormatClock(e.StartMinute), "End": domain.FormatClock(e.EndMinute)}),
		Establishment: e.Establishment.Name, Address: e.Establishment.Address + ", " + e.Establishment.PostalCode + " " + e.Establishment.City,
		District: pg.District(e.Establishment.District), Room: room,
		Session: se.Name,
		Dates:   p.T("course.dates.range", map[string]any{"First": pg.ShortDate(se.FirstDay), "Last": pg.ShortDate(se.LastDay)}),
		Candidature: p.T("course.period", map[string]any{"From": pg.DateTime(se.CandidatureOpens, s.Paris),
			"To": pg.Deadline(se.CandidatureCloses)}),
		Answer: p.T("course.period", map[string]any{"From": pg.DateTime(se.AnswerOpens, s.Paris),
			"To": pg.Deadline(se.AnswerCloses)}),
		CandidatureOpen: se.CandidatureOpen(s.Now()), BackURL: searchBack(r.URL.Query().Get("retour")),
		SignInURL: "/connexion?retour=" + url.QueryEscape(r.URL.RequestURI()),
		Price:     priceText(p, e), Evaluation: p.T("evaluation." + string(f.Evaluation)),
		Prerequisites: f.Prerequisites, Trainer: e.Trainer, Places: placesText(p, e), Full: e.PlacesLeft() == 0,
		Description: f.Description, Diploma: diplomaBadge(p, f), Remote: e.RemoteNow, RemoteReason: e.RemoteWhy,
		HolidaySession: se.HolidaySession, ICSURL: courseURL(e) + "/seances.ics", CourseID: e.ID,
	}
	v.CandidatureState, _ = candidatureState(pg, se, s.Now(), s.Paris)
	if u := currentUser(r); u != nil && u.Account.Kind == domain.AccountCandidate {
		v.SignedIn = true
	}
	v.TitleHasLevel = strings.Contains(domain.SearchKey(v.Title), domain.SearchKey(v.Level))
	if v.Prerequisites == "" {
		v.Prerequisites = p.T("course.prerequisites.none")
	}
	if f.Diploma {
		v.DiplomaNote = p.T("course.diploma.note", map[string]any{"Name": f.DiplomaName})
		if f.ExamNote != "" { // CAT-7: the formation's own words on the exam, set by the central service
			v.DiplomaNote = p.T("course.diploma.name", map[string]any{"Name": f.DiplomaName}) + " " + f.ExamNote
		}
	}
	for _, m := range ix.Meetings(e, s.Paris) {
		row := views.MeetingRow{Date: pg.Date(m.Date), Hours: hours(e), Status: p.T("course.meetings.held"), Skipped: m.Skipped}
		if m.Skipped {
			row.Status = p.T("course.meetings.skipped", map[string]any{"Reason": m.Reason})
		} else {
			v.MeetingCount++
		}
		v.Meetings = append(v.Meetings, row)
	}
	s.render(w, r, http.StatusOK, views.Course(pg, v))
}

// courseICS gives the course's class meetings as an iCalendar file, so that a
// learner adds them to their phone's calendar: the held ones, and the ones
// skipped for holidays as cancelled (CAT-5). DTSTAMP is the time of the
// download; SEQUENCE and LAST-MODIFIED change when the meetings do, and so
// does the ETag, which a calendar app revalidates with (no-cache).
func (s *Server) courseICS(w http.ResponseWriter, r *http.Request) {
	ix, e, ok := s.courseEntry(w, r)
	if !ok {
		return
	}
	cal, err := s.Catalogue.CourseCalendar(r.Context(), ix, e, s.Paris)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := calendar.WriteICS(&buf, cal.Name, s.Now(), cal.Events); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="cours-`+e.Code+`.ics"`)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", cal.ETag)
	if !cal.Modified.IsZero() {
		w.Header().Set("Last-Modified", cal.Modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, cal.ETag, cal.Modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(buf.Bytes())
}

// notModified answers a conditional GET (RFC 9110 §13.1.2, §13.1.3): the
// client's copy is current when If-None-Match names etag (weak comparison),
// or, without If-None-Match, when If-Modified-Since is not before modified.
// It is written here rather than through http.ServeContent, whose Range
// handling a calendar file does not need.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		want := strings.TrimPrefix(etag, "W/")
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || (want != "" && strings.TrimPrefix(tag, "W/") == want) {
				return true
			}
		}
		return false
	}
	since, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.IsZero() && !modified.Truncate(time.Second).After(since)
}
