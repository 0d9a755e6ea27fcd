package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cma/internal/attendance"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// Strike-offs and exclusions (ATT-3, ATT-4): the central service's queue of
// learners reported for three consecutive absences without a valid reason,
// each struck off (radiation) or kept with a motive; and, on a course's
// registers, the form that excludes a learner, for absences beyond three
// or for conduct.

const strikeOffPath = "/back-office/radiations"

func exclusionPath(courseID int64) string {
	return "/back-office/cours/" + itoa64(courseID) + "/exclusion"
}

// keyedError words a refusal of any capability (a message key), "" when err
// is not one.
func keyedError(p *i18n.Printer, err error) string {
	var k i18n.Keyed
	if errors.As(err, &k) {
		return p.WordKeyed(k)
	}
	return ""
}

// strikeOffPage is the central service's queue of reported learners (ATT-3).
func (s *Server) strikeOffPage(w http.ResponseWriter, r *http.Request) {
	s.renderStrikeOffs(w, r, http.StatusOK, "", "")
}

func flagKey(cand, course int64, start time.Time) string {
	return itoa64(cand) + "-" + itoa64(course) + "-" + start.Format(time.DateOnly)
}

func (s *Server) renderStrikeOffs(w http.ResponseWriter, r *http.Request, status int, errMsg, errFor string) {
	flags, err := s.Attendance.Flags(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.attendanceError(w, r, err)
		return
	}
	pg := s.page(r, "strike.title")
	p := pg.P
	v := &views.StrikeOffView{Error: errMsg}
	switch r.URL.Query().Get("fait") {
	case "radie":
		v.Saved = p.T("strike.done.struck_off")
	case "maintenu":
		v.Saved = p.T("strike.done.kept")
	case "deja":
		v.Saved = p.T("strike.done.already")
	}
	for _, f := range flags {
		e := f.Course
		var days []string
		for _, d := range f.Days {
			days = append(days, longDay(pg, d))
		}
		key := flagKey(f.CandidatureID, f.CourseID, f.StreakStart)
		item := views.FlagItem{Key: key, Name: personName(f.FirstName, f.LastName), Stands: f.Stands,
			Facts: []views.Fact{{Label: p.T("course.formation"), Value: e.Formation.Title + " — " + e.Code},
				{Label: p.T("course.establishment"), Value: placeName(pg, e)},
				{Label: p.T("strike.days"), Value: strings.Join(days, ", ")},
				{Label: p.T("att.col.rate"), Value: rate(p, f.Attendance)},
				{Label: p.T("strike.flagged_at"), Value: pg.DateTime(f.FlaggedAt, s.Paris)}},
			Candidature: itoa64(f.CandidatureID), Course: itoa64(f.CourseID), Start: f.StreakStart.Format(time.DateOnly)}
		switch {
		case !f.InCourse:
			item.Why = p.T("strike.not_in_course")
		case !f.Stands:
			item.Why = p.T("strike.broken")
		}
		if errFor == key {
			item.Error, item.Reason = errMsg, r.PostFormValue("motif")
		}
		v.Flags = append(v.Flags, item)
	}
	s.render(w, r, status, views.StrikeOffPage(pg, v))
}

// decideFlag strikes off or keeps a reported learner (ATT-3).
func (s *Server) decideFlag(strike bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cand, err1 := strconv.ParseInt(r.PostFormValue("candidature"), 10, 64)
		course, err2 := strconv.ParseInt(r.PostFormValue("cours"), 10, 64)
		start, err3 := time.Parse(time.DateOnly, r.PostFormValue("debut"))
		if err1 != nil || err2 != nil || err3 != nil {
			s.badRequest(w, r)
			return
		}
		ref := attendance.FlagRef{CandidatureID: cand, CourseID: course, Start: start}
		actor, reason := currentUser(r).Actor, r.PostFormValue("motif")
		var d attendance.Decided
		var err error
		done := "maintenu"
		if strike {
			d, err = s.Attendance.StrikeOff(r.Context(), actor, ref, reason)
			done = "radie"
		} else {
			d, err = s.Attendance.KeepFlag(r.Context(), actor, ref, reason)
		}
		if msg := keyedError(s.printer(r), err); msg != "" {
			s.renderStrikeOffs(w, r, http.StatusConflict, msg, flagKey(cand, course, start))
			return
		}
		if err != nil {
			s.attendanceError(w, r, err)
			return
		}
		if d.Already {
			done = "deja"
		}
		http.Redirect(w, r, strikeOffPath+"?fait="+done, http.StatusSeeOther)
	}
}

// excludeParts adds to a course's registers page the exclusion form of
// each learner in the course (ATT-4): for absences only beyond three in a
// row, for conduct always.
func excludeParts(pg *views.Page, reg attendance.Registers, r *http.Request, errMsg string) *views.ExcludeView {
	p := pg.P
	x := &views.ExcludeView{Action: exclusionPath(reg.Course.ID)}
	sent := r.PostFormValue("candidature")
	for _, l := range reg.Learners {
		if !l.InCourse {
			continue
		}
		id := itoa64(l.CandidatureID)
		f := views.ExcludeForm{ID: id, Name: personName(l.FirstName, l.LastName)}
		kind := attendance.ExcludeConduct
		if l.Attendance.MayExclude() {
			kind = attendance.ExcludeAbsences
			f.Kinds = append(f.Kinds, views.Option{Value: attendance.ExcludeAbsences,
				Label: p.T("exclude.kind.absences", map[string]any{"N": l.Attendance.LongestAnyRun})})
		}
		if sent == id {
			kind, f.Reason, f.Error, f.Open = r.PostFormValue("nature"), r.PostFormValue("motif"), errMsg, true
		}
		f.Kinds = append(f.Kinds, views.Option{Value: attendance.ExcludeConduct, Label: p.T("exclude.kind.conduct")})
		for i := range f.Kinds {
			f.Kinds[i].Selected = f.Kinds[i].Value == kind
		}
		x.Forms = append(x.Forms, f)
	}
	if len(x.Forms) == 0 {
		return nil
	}
	return x
}

// exclude excludes a learner from the course (ATT-4).
func (s *Server) exclude(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	cand, err := strconv.ParseInt(r.PostFormValue("candidature"), 10, 64)
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	d, err := s.Attendance.Exclude(r.Context(), currentUser(r).Actor, id, cand, r.PostFormValue("nature"), r.PostFormValue("motif"))
	if msg := keyedError(s.printer(r), err); msg != "" {
		s.renderRegisters(w, r, http.StatusConflict, msg)
		return
	}
	if err != nil {
		s.attendanceError(w, r, err)
		return
	}
	done := "exclu"
	if d.Already {
		done = "deja"
	}
	http.Redirect(w, r, registersPath(id)+"?exclusion="+done, http.StatusSeeOther)
}

// journeyEnd words how a learner's place ended by a decision (ATT-3,
// ATT-4), with its motive.
func journeyEnd(pg *views.Page, c attendance.OwnCourse) string {
	p := pg.P
	key := "journey.ended." + string(c.Status)
	if c.Ended == nil {
		return p.T(key, map[string]any{"Reason": "", "Day": ""})
	}
	day := ""
	if !c.Ended.At.IsZero() {
		day = pg.ShortDate(c.Ended.At.In(domain.Paris()))
	}
	if c.Status == domain.CandidatureExcluded {
		key += "." + c.Ended.Kind
	}
	return p.T(key, map[string]any{"Reason": c.Ended.Reason, "Day": day})
}
