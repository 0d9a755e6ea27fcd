package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cma/internal/attendance"
	"cma/internal/domain"
	"cma/internal/evaluation"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// Attendance registers (ATT-1, ATT-2, ROLE-2): a course's registers for its
// trainer, director and the central service, one meeting's register as a
// form made for a phone, and the learner's "mon parcours".

const journeyPath = "/mon-parcours"

func registersPath(courseID int64) string { return "/back-office/cours/" + itoa64(courseID) + "/appel" }

func registerPath(courseID int64, day time.Time) string {
	return registersPath(courseID) + "/" + day.Format(time.DateOnly)
}

func (s *Server) attendanceError(w http.ResponseWriter, r *http.Request, err error) {
	var refusal *attendance.Refusal
	switch {
	case errors.Is(err, attendance.ErrNotFound), errors.As(err, &refusal):
		s.notFound(w, r)
	case errors.Is(err, attendance.ErrForbidden):
		s.forbidden(w, r, false)
	default:
		s.serverError(w, r, err)
	}
}

// rate writes a rate in the page's language: "74,9 %" in French.
func rate(p *i18n.Printer, a domain.Attendance) string {
	if a.HeldMeetings == 0 {
		return p.T("att.rate.none")
	}
	return rateBP(p, a.RateBP())
}

// rateBP writes a rate in basis points in the page's language.
func rateBP(p *i18n.Printer, bp int) string {
	sep := ","
	if p.Lang == i18n.English {
		sep = "."
	}
	return domain.FormatRate(bp, sep)
}

// longDay writes a meeting's day: "lundi 12 octobre 2026".
func longDay(pg *views.Page, d time.Time) string {
	return pg.T("weekday."+strconv.Itoa(int(d.Weekday()))) + " " + pg.ShortDate(d)
}

// registersPage lists a course's meetings and its learners' attendance.
func (s *Server) registersPage(w http.ResponseWriter, r *http.Request) {
	s.renderRegisters(w, r, http.StatusOK, "")
}

// renderRegisters writes a course's registers page, with the exclusion
// forms (ATT-4, strike.go) and errMsg, a refused exclusion's message.
func (s *Server) renderRegisters(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	reg, err := s.Attendance.Registers(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.attendanceError(w, r, err)
		return
	}
	pg := s.page(r, "att.title")
	p := pg.P
	e := reg.Course
	v := &views.RegistersView{Title: p.T("att.heading", map[string]any{"Code": e.Code}), Back: "/back-office/cours/" + itoa64(id),
		Facts: []views.Fact{{Label: p.T("course.formation"), Value: e.Formation.Title},
			{Label: p.T("course.schedule"), Value: schedule(p, e)}, {Label: p.T("course.establishment"), Value: placeName(pg, e)}}}
	if r.URL.Query().Get("enregistre") != "" {
		v.Saved = p.T("att.saved")
	}
	if x := r.URL.Query().Get("exclusion"); x == "exclu" || x == "deja" {
		v.Saved = p.T("exclude.done." + x)
	}
	if domain.Can(currentUser(r).Actor, domain.ActExclude, domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID,
		FormationID: e.FormationID}) {
		v.Exclude = excludeParts(pg, reg, r, errMsg)
	}
	v.Error = errMsg
	for _, m := range reg.Meetings {
		item := views.MeetingItem{Label: longDay(pg, m.Day) + ", " + m.Start.Format("15:04") + "–" + m.End.Format("15:04"),
			URL: registerPath(id, m.Day), Due: m.Due}
		switch {
		case m.Holiday != "":
			item.State, item.URL = p.T("att.state.holiday", map[string]any{"Reason": m.Holiday}), ""
		case m.Cancelled:
			item.State = p.T("att.state.cancelled", map[string]any{"Reason": m.CancelReason})
		case m.Taken:
			item.State = p.T("att.state.taken", map[string]any{"Present": m.Present, "Absent": m.Absent})
		case m.Due:
			item.State = p.T("att.state.due")
		default:
			item.State = p.T("att.state.to_come")
		}
		switch today := s.Now().In(s.Paris); {
		case !m.Day.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)):
			v.Meetings = append(v.Meetings, item)
		case len(v.Next) < 3:
			v.Next = append(v.Next, item)
		default:
			v.Later = append(v.Later, item)
		}
	}
	for _, l := range reg.Learners {
		row := views.AttendanceRow{Name: personName(l.FirstName, l.LastName), Rate: rate(p, l.Attendance), AtRisk: l.AtRisk}
		if reg.Running && l.InCourse {
			row.Reachable = p.T("att.reachable." + strconv.FormatBool(l.Attendance.Reachable()))
		}
		var notes []string
		switch {
		case l.Status == domain.CandidatureStruckOff || l.Status == domain.CandidatureExcluded:
			notes = append(notes, p.T("cstatus."+string(l.Status))+".")
		case !l.InCourse:
			notes = append(notes, p.T("att.note.left"))
		}
		if l.Attendance.Flagged() {
			notes = append(notes, p.T("att.note.flagged"))
		}
		if l.Attendance.MayExclude() {
			notes = append(notes, p.T("att.note.may_exclude"))
		}
		if l.Attendance.Reaches() {
			notes = append(notes, p.T("att.note.reaches"))
		}
		row.Note = strings.Join(notes, " ")
		if at := l.Attestation; at.ID != 0 {
			row.Attestation = &views.Link{URL: staffAttestationPath(id, l.CandidatureID),
				Label: p.T("att.attestation.pdf", map[string]any{"Number": attendance.AttestationNumber(at)})}
		}
		v.Learners = append(v.Learners, row)
	}
	s.render(w, r, status, views.RegistersPage(pg, v))
}

// registerPage is one meeting's register form.
func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) {
	s.renderRegister(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderRegister(w http.ResponseWriter, r *http.Request, status int, sent *attendance.Submission, errMsg string) {
	id, ok := pathID(r, "id")
	day, err := time.Parse(time.DateOnly, r.PathValue("day"))
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	reg, err := s.Attendance.Register(r.Context(), currentUser(r).Actor, id, day)
	if err != nil {
		s.attendanceError(w, r, err)
		return
	}
	pg := s.page(r, "att.register.title")
	p := pg.P
	m := reg.Meeting
	v := &views.RegisterView{Title: p.T("att.register.heading", map[string]any{"Code": reg.Course.Code, "Day": longDay(pg, m.Day)}),
		Action: registerPath(id, m.Day), Key: reg.Key, MayMark: reg.MayMark, Minutes: strconv.Itoa(m.Minutes),
		Cancelled: m.Cancelled, Reason: m.CancelReason, Back: registersPath(id), Error: errMsg}
	if r.URL.Query().Get("enregistre") != "" {
		v.Saved = p.T("att.saved")
	}
	if r.URL.Query().Get("deja") != "" {
		v.Saved = p.T("att.saved.already")
	}
	marks := map[int64]attendance.Entry{}
	if sent != nil {
		v.Cancelled, v.Reason = sent.Cancelled, sent.CancelReason
		if sent.Minutes > 0 {
			v.Minutes = strconv.Itoa(sent.Minutes)
		}
		for _, en := range sent.Marks {
			marks[en.CandidatureID] = en
		}
	}
	for _, row := range reg.Rows {
		line := views.RegisterLine{ID: itoa64(row.CandidatureID), Name: personName(row.FirstName, row.LastName), Mark: string(row.Mark), Reason: row.Reason,
			Rate: rate(p, row.Attendance)}
		if en, ok := marks[row.CandidatureID]; ok {
			line.Mark, line.Reason = string(en.Mark), en.Reason
		}
		if row.Attendance.Run >= domain.StrikeOffRun-1 {
			line.Warn = p.N("att.warn.run", row.Attendance.Run)
		}
		v.Rows = append(v.Rows, line)
	}
	s.render(w, r, status, views.RegisterPage(pg, v))
}

// saveRegister records a meeting's register (ATT-1).
func (s *Server) saveRegister(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	day, err := time.Parse(time.DateOnly, r.PathValue("day"))
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r)
		return
	}
	sub := attendance.Submission{Key: r.PostFormValue("cle"), Cancelled: r.PostFormValue("annulee") == "1",
		CancelReason: r.PostFormValue("motif-annulation")}
	if d := strings.TrimSpace(r.PostFormValue("duree")); d != "" {
		if sub.Minutes, err = strconv.Atoi(d); err != nil || sub.Minutes <= 0 {
			s.renderRegister(w, r, http.StatusUnprocessableEntity, &sub, s.printer(r).T("att.minutes.bad"))
			return
		}
	}
	for name, values := range r.PostForm {
		cand, ok := strings.CutPrefix(name, "marque-")
		if !ok || len(values) == 0 {
			continue
		}
		cid, err := strconv.ParseInt(cand, 10, 64)
		if err != nil {
			s.badRequest(w, r)
			return
		}
		sub.Marks = append(sub.Marks, attendance.Entry{CandidatureID: cid, Mark: domain.Mark(values[0]),
			Reason: r.PostFormValue("motif-" + cand)})
	}
	saved, err := s.Attendance.Save(r.Context(), currentUser(r).Actor, id, day, sub)
	var refusal *attendance.Refusal
	switch {
	case err == nil && saved.Already:
		http.Redirect(w, r, registerPath(id, day)+"?deja=1", http.StatusSeeOther)
	case err == nil:
		http.Redirect(w, r, registersPath(id)+"?enregistre=1", http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderRegister(w, r, http.StatusConflict, &sub, s.printer(r).WordKeyed(refusal))
	default:
		s.attendanceError(w, r, err)
	}
}

// journeyPage is "mon parcours": the learner's courses, their attendance
// rate and whether 75 % can still be reached (ATT-2).
func (s *Server) journeyPage(w http.ResponseWriter, r *http.Request) {
	s.renderJourney(w, r, http.StatusOK, "")
}

// renderJourney draws "mon parcours", with errMsg at its top when a request
// was refused.
func (s *Server) renderJourney(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	u := currentUser(r)
	courses, err := s.Attendance.Own(r.Context(), u.Actor, u.Account.ID)
	if err != nil {
		s.attendanceError(w, r, err)
		return
	}
	var end evaluation.Journey
	if s.Evaluation != nil {
		held := map[int64]int64{}
		for _, c := range courses {
			held[c.CandidatureID] = c.Course.ID
		}
		if end, err = s.Evaluation.Own(r.Context(), u.Actor, u.Account.ID, held); err != nil {
			s.evaluationError(w, r, err)
			return
		}
	}
	pg := s.page(r, "journey.title")
	p := pg.P
	v := &views.JourneyView{Empty: p.T("journey.empty"), Error: errMsg}
	for _, c := range courses {
		e := c.Course
		jc := views.JourneyCourse{Title: e.Formation.Title + " — " + e.Code, Rate: rate(p, c.Attendance),
			Facts: []views.Fact{{Label: p.T("course.schedule"), Value: schedule(p, e)}, {Label: p.T("course.establishment"), Value: placeName(pg, e)},
				{Label: p.T("journey.session"), Value: e.Session.Name}}}
		a := c.Attendance
		switch {
		case c.Status == domain.CandidatureStruckOff || c.Status == domain.CandidatureExcluded: // ATT-3, ATT-4
			jc.Status, jc.Warn = journeyEnd(pg, c), true
		case a.Flagged() && c.InCourse:
			jc.Status, jc.Warn = p.T("journey.status.flagged"), true
		case c.Running && c.InCourse && !a.Reachable():
			jc.Status, jc.Warn = p.T("journey.status.unreachable"), true
		case c.Running && c.InCourse:
			jc.Status = p.T("journey.status.reachable")
		case a.Reaches():
			jc.Status = p.T("journey.status.reached")
		default:
			jc.Status = p.T("journey.status.not_reached")
		}
		s.journeyAttestationState(pg, &jc, c)
		for _, m := range c.Meetings {
			if !m.Marked && !m.Cancelled {
				continue
			}
			value := p.T("att.mark." + string(m.Mark))
			if m.Cancelled {
				value = p.T("att.state.cancelled", map[string]any{"Reason": m.CancelReason})
			} else if m.Reason != "" {
				value += " — " + m.Reason
			}
			jc.Meetings = append(jc.Meetings, views.Fact{Label: longDay(pg, m.Day), Value: value})
		}
		jc.End = s.journeyEnd(pg, end.ByCourse[e.ID])
		v.Courses = append(v.Courses, jc)
	}
	for _, c := range end.Certificates {
		v.Certificates = append(v.Certificates, views.Link{URL: evaluation.CertificatePath + itoa64(c.ID),
			Label: p.T("journey.certificate", map[string]any{"Formation": c.Formation, "Number": c.Number}),
			Hint:  p.T("journey.certificate.issued", map[string]any{"Day": pg.ShortDate(c.IssuedAt.In(s.Paris))})})
	}
	for _, x := range end.Exemptions {
		v.Exemptions = append(v.Exemptions, p.T("journey.exemption", map[string]any{"Diploma": x.DiplomaHeld}))
	}
	s.render(w, r, status, views.JourneyPage(pg, v))
}

// journeyAttestationState fills what "mon parcours" says of a course's
// attestation d'assiduité (ATT-2): the one delivered, the button when the
// rate reaches 75 % and no attestation counts every meeting held yet, or
// why it cannot be delivered.
func (s *Server) journeyAttestationState(pg *views.Page, jc *views.JourneyCourse, c attendance.OwnCourse) {
	p := pg.P
	a := c.Attendance
	if at := c.Attestation; at.ID != 0 {
		number := attendance.AttestationNumber(at)
		jc.Attested = append(jc.Attested,
			views.Link{URL: journeyAttestationURL(at.ID), Label: p.T("journey.attest.view", map[string]any{"Number": number, "Last": pg.ShortDate(at.LastDay)})},
			views.Link{URL: journeyAttestationURL(at.ID) + ".pdf", Label: p.T("journey.attest.pdf", map[string]any{"Number": number})})
	}
	switch {
	case a.HeldMeetings == 0:
		jc.AttestWhyNot = p.T("journey.attest.none_held")
	case !a.Reaches():
		jc.AttestWhyNot = p.T("journey.attest.under", map[string]any{"Rate": rate(p, a)})
	case !c.Current:
		jc.AttestAction = journeyPath + "/cours/" + itoa64(c.CandidatureID) + "/attestation"
	}
}

// serveRegisterScript serves the register's own small script, which keeps
// an unsent register in the browser (ATT-1).
func (s *Server) serveRegisterScript(w http.ResponseWriter, r *http.Request) {
	b, err := static.ReadFile("static/register.js")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}
