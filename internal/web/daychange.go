package web

import (
	"errors"
	"net/http"
	"strconv"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/selection"
	"cma/internal/waitlist"
	"cma/internal/web/views"
)

// Day changes (SEL-8): the learner asks from "Mes candidatures" on the
// first day of classes; the director records a request made at the desk on
// the course's lists page; the staff's queue shows each request with the
// step the viewer may take — forward (director) or decide (coordinator).

// dayChangeRow adds a candidature's requests and, on the first day of
// classes, the link that asks for one.
func (s *Server) dayChangeRow(pg *views.Page, ix *catalogue.Index, sp waitlist.Space, c domain.Candidature, row *views.CandidatureRow) {
	open := false
	for _, d := range sp.DayChanges[c.ID] {
		row.DayChanges = append(row.DayChanges, s.dayChangeState(pg, ix, d))
		open = open || d.State.Open()
	}
	if !open && s.Waitlist.MayAskDayChange(ix, c) {
		row.DayChangeURL = "/mes-candidatures/" + itoa64(c.ID) + "/changer-de-jour"
	}
}

// courseCode names a course briefly: its code and its slot.
func courseCode(pg *views.Page, ix *catalogue.Index, id int64) string {
	if e, ok := ix.Course(id); ok {
		return e.Code + " (" + schedule(pg.P, e) + ", " + placeName(pg, e) + ")"
	}
	return "n° " + itoa64(id)
}

// dayChangeState words where a request stands, for the learner.
func (s *Server) dayChangeState(pg *views.Page, ix *catalogue.Index, d domain.DayChange) string {
	when := d.AskedAt
	note := ""
	switch d.State {
	case domain.DayChangeForwarded, domain.DayChangeNotForwarded:
		when, note = d.ForwardedAt, d.ForwardNote
	case domain.DayChangeAccepted, domain.DayChangeRefused, domain.DayChangeCancelled:
		when, note = d.DecidedAt, d.DecisionNote
	}
	line := pg.T("daychange.state."+string(d.State), map[string]any{"Course": courseCode(pg, ix, d.ToCourseID),
		"When": pg.DateTime(when, s.Paris)})
	if note != "" {
		line += " — « " + note + " »"
	}
	return line
}

// dayChangePage is the learner's form.
func (s *Server) dayChangePage(w http.ResponseWriter, r *http.Request) {
	s.renderDayChange(w, r, http.StatusOK, &views.DayChangeView{ErrFor: map[string]string{}})
}

func (s *Server) renderDayChange(w http.ResponseWriter, r *http.Request, status int, v *views.DayChangeView) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	ch, err := s.Waitlist.DayChangeChoices(r.Context(), u.Actor, u.Account.ID, id)
	var refusal *waitlist.Refusal
	if err != nil && !errors.As(err, &refusal) {
		s.waitlistError(w, r, err)
		return
	}
	pg := s.page(r, "daychange.page")
	p := pg.P
	v.Title, v.Action, v.Back = ch.From.Formation.Title, "/mes-candidatures/"+itoa64(id)+"/changer-de-jour", "/mes-candidatures"
	v.Facts = []views.Fact{{Label: p.T("course.code"), Value: ch.From.Code}, {Label: p.T("course.schedule"), Value: schedule(p, ch.From)},
		{Label: p.T("course.establishment"), Value: placeName(pg, ch.From)}}
	if !ch.From.FirstClass.IsZero() {
		v.Facts = append(v.Facts, views.Fact{Label: p.T("offer.first"), Value: pg.Date(ch.From.FirstClass)})
	}
	if refusal != nil {
		if v.Error == "" {
			v.Error = p.WordKeyed(refusal)
		}
		status = http.StatusConflict
	} else {
		v.Targets = s.dayChangeTargets(pg, ch.Targets, r.PostFormValue("cours"))
	}
	s.render(w, r, status, views.DayChangePage(pg, v))
}

// dayChangeTargets are the courses one may ask for, as options.
func (s *Server) dayChangeTargets(pg *views.Page, targets []*catalogue.Entry, selected string) []views.Option {
	opts := []views.Option{{Value: "", Label: pg.T("daychange.to.choose")}}
	for _, k := range targets {
		id := itoa64(k.ID)
		opts = append(opts, views.Option{Value: id, Selected: id == selected,
			Label: k.Code + " — " + schedule(pg.P, k) + " — " + placeName(pg, k)})
	}
	return opts
}

// askDayChange records the learner's request.
func (s *Server) askDayChange(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	p := s.printer(r)
	v := &views.DayChangeView{Reason: r.PostFormValue("motif"), ErrFor: map[string]string{}}
	to, err := strconv.ParseInt(r.PostFormValue("cours"), 10, 64)
	if err != nil {
		v.ErrFor["cours"] = p.T("daychange.target")
		v.Error = v.ErrFor["cours"]
		s.renderDayChange(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if _, err := s.Waitlist.AskDayChange(r.Context(), u.Actor, u.Account.ID, id, to, v.Reason); err != nil {
		var refusal *waitlist.Refusal
		if errors.As(err, &refusal) {
			v.Error = p.WordKeyed(refusal)
			switch refusal.Key {
			case "daychange.target":
				v.ErrFor["cours"] = v.Error
			case "daychange.reason_long":
				v.ErrFor["motif"] = v.Error
			}
			s.renderDayChange(w, r, http.StatusUnprocessableEntity, v)
			return
		}
		s.waitlistError(w, r, err)
		return
	}
	http.Redirect(w, r, "/mes-candidatures?jour=1#cand-"+itoa64(id), http.StatusSeeOther)
}

// deskDayChangeParts adds, for the director, the form that records a
// request made at the desk by a learner of the course.
func (s *Server) deskDayChangeParts(r *http.Request, pg *views.Page, actor domain.Actor, ix *catalogue.Index, e *catalogue.Entry,
	accepted []selection.Learner, v *views.CourseListsView, f *views.DeskDayChangeForm) {
	if !waitlist.MayForward(actor, e) || len(accepted) == 0 || !domain.DeskDayChangeOpen(e.FirstClass, s.Now()) {
		return
	}
	if f == nil {
		f = &views.DeskDayChangeForm{ErrFor: map[string]string{}}
	}
	f.Action = "/back-office/cours/" + itoa64(e.ID) + "/changement-de-jour"
	selected := r.PostFormValue("candidature-jour")
	f.Learners = []views.Option{{Value: "", Label: pg.T("daychange.desk.who.choose")}}
	for _, l := range accepted {
		id := itoa64(l.CandidatureID)
		f.Learners = append(f.Learners, views.Option{Value: id, Selected: id == selected,
			Label: personName(l.FirstName, l.LastName)})
	}
	targets := waitlist.Equivalents(ix, e)
	if len(targets) == 0 {
		return
	}
	f.Targets = s.dayChangeTargets(pg, targets, r.PostFormValue("cours"))
	v.DayChange = f
}

// recordDayChange records a request made at the desk.
// The route checked the director's right on the course of the path; the
// service checks it again on the course the learner is in.
func (s *Server) recordDayChange(w http.ResponseWriter, r *http.Request) {
	if _, ok := pathID(r, "id"); !ok {
		s.notFound(w, r)
		return
	}
	p := s.printer(r)
	f := &views.DeskDayChangeForm{Reason: r.PostFormValue("motif-jour"), ErrFor: map[string]string{}}
	cand, err1 := strconv.ParseInt(r.PostFormValue("candidature-jour"), 10, 64)
	to, err2 := strconv.ParseInt(r.PostFormValue("cours"), 10, 64)
	if err1 != nil {
		f.ErrFor["candidature-jour"] = p.T("daychange.desk.who.error")
	}
	if err2 != nil {
		f.ErrFor["cours"] = p.T("daychange.target")
	}
	if len(f.ErrFor) == 0 {
		_, err := s.Waitlist.RecordDayChange(r.Context(), currentUser(r).Actor, cand, to, f.Reason)
		var refusal *waitlist.Refusal
		switch {
		case err == nil:
			http.Redirect(w, r, "/back-office/changements-de-jour?enregistre=1", http.StatusSeeOther)
			return
		case errors.As(err, &refusal):
			f.Error = p.WordKeyed(refusal)
		default:
			s.waitlistError(w, r, err)
			return
		}
	} else {
		f.Error = p.T("lists.reorder.error")
	}
	s.renderCourseListsDesk(w, r, f)
}

// dayChangeQueuePage is the staff's queue.
func (s *Server) dayChangeQueuePage(w http.ResponseWriter, r *http.Request) {
	s.renderDayChangeQueue(w, r, http.StatusOK, 0, "", "")
}

func (s *Server) renderDayChangeQueue(w http.ResponseWriter, r *http.Request, status int, failed int64, errMsg, note string) {
	u := currentUser(r)
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	lines, err := s.Waitlist.DayChangeQueue(r.Context(), u.Actor)
	if err != nil {
		s.waitlistError(w, r, err)
		return
	}
	pg := s.page(r, "daychange.queue.title")
	p := pg.P
	v := &views.DayChangeQueueView{Intro: p.T("daychange.queue.intro")}
	switch q := r.URL.Query(); {
	case q.Get("enregistre") == "1":
		v.Saved = p.T("daychange.queue.recorded")
	case q.Get("fait") != "":
		v.Saved = p.T("daychange.queue.saved")
	}
	for _, l := range lines {
		from, okFrom := ix.Course(l.FromCourseID)
		row := views.DayChangeLine{ID: l.ID, Name: personName(l.FirstName, l.LastName),
			From: courseCode(pg, ix, l.FromCourseID), To: courseCode(pg, ix, l.ToCourseID), Reason: l.Reason,
			State: p.T("daychange.queue.state." + string(l.State)),
			Asked: p.T("daychange.queue.asked."+l.Channel, map[string]any{"When": pg.DateTime(l.AskedAt, s.Paris),
				"By": l.RecordedByName})}
		if !l.ForwardedAt.IsZero() {
			row.Steps = append(row.Steps, stepLine(p.T("daychange.queue.step."+string(forwardState(l.State)),
				map[string]any{"When": pg.DateTime(l.ForwardedAt, s.Paris), "By": l.ForwardedByName}), l.ForwardNote))
		}
		if !l.DecidedAt.IsZero() { // accepted, refused, or cancelled (By is then empty)
			row.Steps = append(row.Steps, stepLine(p.T("daychange.queue.step."+string(l.State),
				map[string]any{"When": pg.DateTime(l.DecidedAt, s.Paris), "By": l.DecidedByName}), l.DecisionNote))
		}
		base := "/back-office/changements-de-jour/" + itoa64(l.ID)
		if okFrom && l.State == domain.DayChangeRequested && waitlist.MayForward(u.Actor, from) {
			row.Forward = base + "/transmettre"
		}
		if okFrom && l.State == domain.DayChangeForwarded && waitlist.MayDecide(u.Actor, from) {
			row.Decide = base + "/decider"
		}
		if l.ID == failed {
			row.Error, row.Note = errMsg, note
			failed = 0
		}
		if l.State.Open() {
			v.Open = append(v.Open, row)
		} else {
			v.Done = append(v.Done, row)
		}
	}
	if failed != 0 { // the request refused is not among those shown
		v.Error = errMsg
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, views.DayChangeQueue(pg, v))
}

// forwardState is the director's step of a request now in state.
func forwardState(state domain.DayChangeState) domain.DayChangeState {
	if state == domain.DayChangeNotForwarded {
		return state
	}
	return domain.DayChangeForwarded
}

func stepLine(line, note string) string {
	if note != "" {
		return line + " — « " + note + " »"
	}
	return line
}

// dayChangeStep takes the director's step (forward) or the coordinator's
// (decide) on a request, then goes back to the queue; a refused step shows
// the queue with the reason on that request.
func (s *Server) dayChangeStep(decide bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "id")
		if !ok {
			s.notFound(w, r)
			return
		}
		u := currentUser(r)
		note := r.PostFormValue("note-" + itoa64(id))
		var err error
		if decide {
			_, err = s.Waitlist.DecideDayChange(r.Context(), u.Actor, id, r.PostFormValue("accepter") == "1", note)
		} else {
			_, err = s.Waitlist.ForwardDayChange(r.Context(), u.Actor, id, r.PostFormValue("transmettre") == "1", note)
		}
		var refusal *waitlist.Refusal
		switch {
		case err == nil:
			http.Redirect(w, r, "/back-office/changements-de-jour?fait="+itoa64(id)+"#demande-"+itoa64(id), http.StatusSeeOther)
		case errors.As(err, &refusal):
			s.renderDayChangeQueue(w, r, http.StatusConflict, id, s.printer(r).WordKeyed(refusal), note)
		default:
			s.waitlistError(w, r, err)
		}
	}
}

// dayChangeResource is a request's permission resource: its course.
func dayChangeResource(s *Server, r *http.Request) (domain.Resource, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		return domain.Resource{}, false
	}
	if s.Waitlist == nil {
		return domain.Resource{}, true
	}
	return s.Waitlist.DayChangeResource(r.Context(), id), true
}
