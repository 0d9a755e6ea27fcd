package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"cma/internal/domain"
	"cma/internal/selection"
	"cma/internal/web/views"
)

// The selection runs of a session (SEL-1, SEL-3, SEL-5, PER-1, ROLE-5): the
// central service starts dry runs, follows their progress, reviews one per
// formation and course, and publishes it after a confirmation.

const selectionSessionsPath = "/back-office/selection/sessions/"

func runsPath(sessionID int64) string {
	return selectionSessionsPath + itoa64(sessionID) + "/traitement"
}

func runPath(sessionID, runID int64) string { return runsPath(sessionID) + "/" + itoa64(runID) }

func (s *Server) selectionRunsPage(w http.ResponseWriter, r *http.Request) {
	s.showRuns(w, r, http.StatusOK, nil, string(domain.PassMain))
}

func (s *Server) showRuns(w http.ResponseWriter, r *http.Request, status int, refusal *selection.Refusal, pass string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	sr, err := s.Selection.Runs(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	pg := s.page(r, "selrun.page.title")
	v := &views.SelectionRunsView{SessionName: sr.Session.Name + " (" + sr.Session.Code + ")", Action: runsPath(id)}
	if refusal != nil {
		v.Errors = []views.FieldMessage{{Field: "passage", Message: pg.P.WordKeyed(refusal)}}
	}
	if r.URL.Query().Get("fait") == "publie" {
		v.Notice = pg.T("selrun.done.published")
	} else if r.URL.Query().Get("fait") == "lance" {
		v.Notice = pg.T("selrun.done.started")
	}
	for _, p := range []domain.RunPass{domain.PassMain, domain.PassPlacement} {
		v.Passes = append(v.Passes, views.Option{Value: string(p), Label: pg.T("selrun.pass." + string(p)), Selected: string(p) == pass})
	}
	v.NeedsDecision = needsDecision(pg, sr)
	for _, run := range sr.Runs {
		row := s.runRow(pg, run)
		if run.Status == domain.RunRunning {
			pg.Refresh = 3
		}
		v.Runs = append(v.Runs, row)
	}
	s.render(w, r, status, views.SelectionRuns(pg, v))
}

func needsDecision(pg *views.Page, sr selection.SessionRuns) []string {
	ids := make([]int64, 0, len(sr.NeedsDecision))
	for f := range sr.NeedsDecision {
		ids = append(ids, f)
	}
	slices.Sort(ids)
	var out []string
	for _, f := range ids {
		out = append(out, pg.T("selrun.needs_decision.line", map[string]any{"Formation": sr.Formations[f].Title, "Count": sr.NeedsDecision[f]}))
	}
	return out
}

func (s *Server) runRow(pg *views.Page, run domain.Run) views.SelectionRunRow {
	row := views.SelectionRunRow{ID: "n° " + itoa64(run.ID), Pass: pg.T("selrun.pass." + string(run.Pass)),
		Status: pg.T("selrun.status." + string(run.Status)), Started: run.StartedAt.In(s.Paris).Format("02/01/2006 15:04:05"),
		Seed: strconv.FormatUint(run.Seed, 10), Digest: run.Digest, URL: runPath(run.SessionID, run.ID),
		Running: run.Status == domain.RunRunning, Done: run.Done, Total: max(run.Total, 1), Error: run.Error}
	if run.Progress != "" && pg.P.Has(run.Progress) {
		row.Progress = pg.T(run.Progress)
	}
	if sum, err := selection.Decode(run.Summary); err == nil && sum.Version > 0 {
		row.Counts = pg.T("selrun.counts", map[string]any{"Total": sum.Candidatures, "Accepted": sum.Outcomes[domain.OutcomeAccepted],
			"Waiting": sum.Outcomes[domain.OutcomeWaiting], "Others": sum.Candidatures - sum.Outcomes[domain.OutcomeAccepted] - sum.Outcomes[domain.OutcomeWaiting],
			"Clashes": sum.Clashes})
	}
	return row
}

func (s *Server) startSelectionRun(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	pass := r.PostFormValue("passage")
	_, err := s.Selection.StartRunBackground(r.Context(), currentUser(r).Actor, id, domain.RunPass(pass))
	var refusal *selection.Refusal
	if errors.As(err, &refusal) {
		s.showRuns(w, r, http.StatusUnprocessableEntity, refusal, pass)
		return
	}
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	http.Redirect(w, r, runsPath(id)+"?fait=lance", http.StatusSeeOther)
}

func (s *Server) selectionReviewPage(w http.ResponseWriter, r *http.Request) {
	rv, ok := s.review(w, r)
	if !ok {
		return
	}
	pg := s.page(r, "selrun.review.title")
	pg.Title = pg.T("selrun.review.title_run", map[string]any{"Run": rv.Run.ID})
	if rv.Run.Status == domain.RunRunning {
		pg.Refresh = 3
	}
	v := &views.SelectionReviewView{SessionName: rv.Session.Name + " (" + rv.Session.Code + ")", Back: runsPath(rv.Session.ID),
		Run: s.runRow(pg, rv.Run)}
	if rv.Run.Status == domain.RunDry {
		v.PublishURL = runPath(rv.Session.ID, rv.Run.ID) + "/publier"
	}
	ix, err := s.Catalogue.Index(r.Context())
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	empty := 0
	for _, f := range rv.Summary.Formations {
		if f.Candidatures == 0 {
			empty++ // nothing to review: counted, not shown
			continue
		}
		fr := views.SelectionFormationReview{Name: f.Name,
			Figures: pg.T("selrun.review.figures", map[string]any{"Candidatures": f.Candidatures, "Accepted": f.Accepted,
				"Waiting": f.Waiting, "Ineligible": f.Ineligible, "Redirects": f.Redirects, "Placements": f.Placements,
				"Clashes": f.ClashRemovals})}
		if n := rv.NeedsDecision[f.Formation]; n > 0 {
			fr.NeedsDecision = pg.T("selrun.needs_decision.line", map[string]any{"Formation": f.Name, "Count": n})
		}
		for _, c := range rv.Summary.Courses {
			if c.Formation != f.Formation {
				continue
			}
			code := "n° " + itoa64(c.Course)
			if e, ok := ix.Course(c.Course); ok {
				code = e.Code
			}
			cr := views.SelectionCourseReview{Code: code, Capacity: strconv.Itoa(c.Capacity), Accepted: strconv.Itoa(c.Accepted),
				Waiting: strconv.Itoa(c.Waiting), Redirected: strconv.Itoa(c.Redirected), Clashes: strconv.Itoa(c.ClashesRemoved),
				CutOff: pg.T("selrun.cutoff.none")}
			if c.CutOff != nil {
				cr.CutOff = pg.T("selrun.cutoff", map[string]any{"Evaluation": c.CutOff.Evaluation, "Record": c.CutOff.Record,
					"Motivation": c.CutOff.Motivation})
			}
			switch {
			case c.MinSocialPercent == 0:
				cr.Rate = pg.T("selrun.rate.none")
			case c.RateMet:
				cr.Rate = pg.T("selrun.rate.met", map[string]any{"Percent": c.MinSocialPercent})
			default:
				cr.Rate = pg.T("selrun.rate.not_met", map[string]any{"Percent": c.MinSocialPercent})
			}
			fr.Courses = append(fr.Courses, cr)
		}
		v.Formations = append(v.Formations, fr)
	}
	if empty > 0 {
		v.Empty = pg.T("selrun.review.empty", map[string]any{"Count": empty})
	}
	s.render(w, r, http.StatusOK, views.SelectionReview(pg, v))
}

func (s *Server) review(w http.ResponseWriter, r *http.Request) (selection.RunReview, bool) {
	id, ok1 := pathID(r, "id")
	runID, ok2 := pathID(r, "run")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return selection.RunReview{}, false
	}
	rv, err := s.Selection.Review(r.Context(), currentUser(r).Actor, id, runID)
	if err != nil {
		s.selectionError(w, r, err)
		return rv, false
	}
	return rv, true
}

func (s *Server) selectionPublishPage(w http.ResponseWriter, r *http.Request) {
	rv, ok := s.review(w, r)
	if !ok {
		return
	}
	s.showPublish(w, r, http.StatusOK, rv, nil)
}

func (s *Server) showPublish(w http.ResponseWriter, r *http.Request, status int, rv selection.RunReview, refusal *selection.Refusal) {
	pg := s.page(r, "selrun.publish.title")
	pg.Title = pg.T("selrun.publish.title_run", map[string]any{"Run": rv.Run.ID})
	base := runPath(rv.Session.ID, rv.Run.ID)
	v := &views.SelectionPublishView{SessionName: rv.Session.Name + " (" + rv.Session.Code + ")", Action: base + "/publier", Back: base,
		Summary: s.runRow(pg, rv.Run).Counts}
	if refusal != nil {
		v.Errors = []views.FieldMessage{{Field: "confirmer", Message: pg.P.WordKeyed(refusal)}}
	}
	s.render(w, r, status, views.SelectionPublish(pg, v))
}

func (s *Server) publishSelectionRun(w http.ResponseWriter, r *http.Request) {
	rv, ok := s.review(w, r)
	if !ok {
		return
	}
	base := runPath(rv.Session.ID, rv.Run.ID)
	if r.PostFormValue("confirmer") != "1" {
		http.Redirect(w, r, base+"/publier", http.StatusSeeOther)
		return
	}
	_, err := s.Selection.Publish(r.Context(), currentUser(r).Actor, rv.Run.ID)
	var refusal *selection.Refusal
	if errors.As(err, &refusal) {
		s.showPublish(w, r, http.StatusUnprocessableEntity, rv, refusal)
		return
	}
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	http.Redirect(w, r, runsPath(rv.Session.ID)+"?fait=publie", http.StatusSeeOther)
}
