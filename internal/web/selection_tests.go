package web

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/selection"
	"cma/internal/web/views"
)

// Tests and interviews (SEL-2, SEL-3): the session's overview of its tested
// formations with their sittings; scheduling, changing and deleting a
// sitting; sending the convocations; the results page of a sitting (or of a
// first-day test's course); the candidate's convocation, as a page and as a
// printable PDF. The service checks every scope (ROLE-3 own establishment,
// ROLE-4 own formation, ROLE-5); the routes let in the roles that evaluate.

const selectionPath = "/back-office/selection"

func testsPath(sessionID int64) string {
	return selectionPath + "/sessions/" + itoa64(sessionID) + "/tests"
}
func sittingPath(id int64) string { return selectionPath + "/seances/" + itoa64(id) }

// evaluatorScope is the actor's own scope as a resource: a director's
// establishment, a coordinator's formation, none for the central service.
// The routes of tests let those roles in (ActEvaluate); the service then
// checks the object itself.
func evaluatorScope(s *Server, r *http.Request) (domain.Resource, bool) {
	u := currentUser(r)
	for _, g := range u.Actor.Grants {
		switch g.Role {
		case domain.RoleCentral:
			return domain.Resource{}, true
		case domain.RoleDirector:
			return domain.Resource{EstablishmentID: g.EstablishmentID}, true
		case domain.RoleCoordinator:
			return domain.Resource{FormationID: g.FormationID}, true
		}
	}
	return domain.Resource{}, true
}

func sittingInputFrom(r *http.Request) selection.SittingInput {
	est, _ := strconv.ParseInt(r.PostFormValue("etablissement"), 10, 64)
	return selection.SittingInput{Date: r.PostFormValue("date"), Time: r.PostFormValue("heure"), Minutes: r.PostFormValue("duree"),
		Seats: r.PostFormValue("places"), EstablishmentID: est, Room: r.PostFormValue("salle")}
}

// testsPage is the session's overview of its tested formations.
func (s *Server) testsPage(w http.ResponseWriter, r *http.Request) {
	s.renderTests(w, r, http.StatusOK, 0, nil, selection.SittingInput{Time: "18:00", Minutes: "60"})
}

func (s *Server) renderTests(w http.ResponseWriter, r *http.Request, status int, formID int64, errs domain.FieldErrors, typed selection.SittingInput) {
	id, _ := pathID(r, "id")
	pg := s.page(r, "tests.title")
	u := currentUser(r)
	se, forms, err := s.Selection.Overview(r.Context(), u.Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	v := &views.TestsView{Session: se.Name, Closes: pg.Deadline(se.CandidatureCloses), Closed: se.CandidatureCloses.Passed(s.Now())}
	switch q := r.URL.Query(); {
	case q.Has("convoques"):
		n, _ := strconv.Atoi(q.Get("convoques"))
		v.Done = pg.N("tests.done.convoked", n)
	case q.Get("fait") != "":
		v.Done = pg.T("tests.done." + q.Get("fait"))
	}
	if len(errs) > 0 {
		prefix := "f" + itoa64(formID) + "-"
		inputs := map[string]string{"convocations": "formation-" + itoa64(formID)}
		for _, n := range []string{"date", "heure", "duree", "etablissement", "salle", "places"} {
			inputs[n] = prefix + n
		}
		v.Errors, v.ErrFor = fieldMessages(pg.P, errs, inputs)
	}
	for _, f := range forms {
		fv := views.TestedFormationView{ID: f.Formation.ID, Title: f.Formation.Title,
			Mode: pg.T("evaluation." + string(f.Formation.Evaluation)), FirstDay: f.Formation.Evaluation == domain.EvaluationFirstDayTest,
			Counts: pg.T("tests.counts", map[string]any{"Candidates": f.Candidates, "Convoked": f.Convoked, "Results": f.Results,
				"Missing": f.Missing}),
			ScheduleURL: testsPath(id) + "/formations/" + itoa64(f.Formation.ID) + "/seances",
			SendURL:     testsPath(id) + "/formations/" + itoa64(f.Formation.ID) + "/convocations",
			ImportURL:   testsPath(id) + "/formations/" + itoa64(f.Formation.ID) + "/import"}
		if !fv.FirstDay {
			fv.Seats = pg.T("tests.seats", map[string]any{"Left": f.SeatsLeft, "Total": f.SeatsTotal})
		}
		for _, st := range f.Sittings {
			row := views.SittingRow{URL: sittingPath(st.ID), ResultsURL: sittingPath(st.ID) + "/resultats",
				When: pg.DateTime(st.StartsAt, s.Paris), Minutes: st.Minutes, Seats: st.Seats, Room: st.Room, Convoked: st.Convoked()}
			if e, ok := ix.Establishment(st.EstablishmentID); ok {
				row.Place = e.Name
			}
			fv.Sittings = append(fv.Sittings, row)
		}
		for _, c := range f.Courses {
			fv.Courses = append(fv.Courses, views.Link{URL: selectionPath + "/cours/" + itoa64(c.ID) + "/resultats", Label: c.Code})
		}
		if formID == f.Formation.ID || (formID == 0 && len(v.Formations) == 0) {
			fv.Typed = sittingTyped(typed)
		} else {
			fv.Typed = sittingTyped(selection.SittingInput{Time: "18:00", Minutes: "60"})
		}
		fv.HasErrors = formID == f.Formation.ID
		fv.Establishments = s.establishmentOptions(r, pg, ix, f.Formation.ID, typed.EstablishmentID, formID == f.Formation.ID)
		v.Formations = append(v.Formations, fv)
	}
	s.render(w, r, status, views.TestsPage(pg, v))
}

func sittingTyped(in selection.SittingInput) views.SittingTyped {
	return views.SittingTyped{Date: in.Date, Time: in.Time, Minutes: in.Minutes, Seats: in.Seats, Room: in.Room}
}

// establishmentOptions lists the establishments the actor may hold a
// sitting of the formation in.
func (s *Server) establishmentOptions(r *http.Request, pg *views.Page, ix *catalogue.Index, formationID, selected int64, keep bool) []views.Option {
	out := []views.Option{{Label: pg.T("remote.choose")}}
	u := currentUser(r)
	for _, e := range ix.Establishments {
		if !e.Archived && domain.Can(u.Actor, domain.ActEvaluate, domain.Resource{FormationID: formationID, EstablishmentID: e.ID}) {
			out = append(out, views.Option{Value: itoa64(e.ID), Label: e.Name, Selected: keep && e.ID == selected})
		}
	}
	return out
}

// scheduleSitting schedules a sitting (SEL-2).
func (s *Server) scheduleSitting(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	formID, ok := pathID(r, "formation")
	if !ok {
		s.notFound(w, r)
		return
	}
	in := sittingInputFrom(r)
	_, err := s.Selection.ScheduleSitting(r.Context(), currentUser(r).Actor, id, formID, in)
	var errs domain.FieldErrors
	switch {
	case err == nil:
		http.Redirect(w, r, testsPath(id)+"?fait=scheduled#formation-"+itoa64(formID), http.StatusSeeOther)
	case errors.As(err, &errs):
		s.renderTests(w, r, http.StatusBadRequest, formID, errs, in)
	default:
		s.selectionError(w, r, err)
	}
}

// sendConvocations sends the formation's convocations (SEL-2, CON-2).
func (s *Server) sendConvocations(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	formID, ok := pathID(r, "formation")
	if !ok {
		s.notFound(w, r)
		return
	}
	res, err := s.Selection.SendConvocations(r.Context(), currentUser(r).Actor, id, formID)
	var errs domain.FieldErrors
	switch {
	case err == nil:
		http.Redirect(w, r, testsPath(id)+"?convoques="+strconv.Itoa(res.Convoked)+"#formation-"+itoa64(formID), http.StatusSeeOther)
	case errors.As(err, &errs):
		s.renderTests(w, r, http.StatusBadRequest, formID, errs, selection.SittingInput{Time: "18:00", Minutes: "60"})
	default:
		s.selectionError(w, r, err)
	}
}

// sittingPage shows a sitting with its change form until convoked.
func (s *Server) sittingPage(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	st, err := s.Selection.Sitting(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	in := selection.SittingInput{Date: st.StartsAt.In(s.Paris).Format("2006-01-02"), Time: st.StartsAt.In(s.Paris).Format("15:04"),
		Minutes: strconv.Itoa(st.Minutes), Seats: strconv.Itoa(st.Seats), EstablishmentID: st.EstablishmentID, Room: st.Room}
	s.renderSitting(w, r, http.StatusOK, st, in, nil)
}

func (s *Server) renderSitting(w http.ResponseWriter, r *http.Request, status int, st domain.Sitting, in selection.SittingInput, errs domain.FieldErrors) {
	pg := s.page(r, "tests.sitting.title")
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	v := &views.SittingView{Back: testsPath(st.SessionID) + "#formation-" + itoa64(st.FormationID), Action: sittingPath(st.ID) + "/modifier",
		DeleteURL: sittingPath(st.ID) + "/supprimer", ResultsURL: sittingPath(st.ID) + "/resultats", Convoked: st.Convoked(),
		When: pg.DateTime(st.StartsAt, s.Paris), Typed: sittingTyped(in),
		Establishments: s.establishmentOptions(r, pg, ix, st.FormationID, in.EstablishmentID, true)}
	if len(errs) > 0 {
		v.Errors, v.ErrFor = fieldMessages(pg.P, errs, nil)
	}
	s.render(w, r, status, views.SittingPage(pg, v))
}

// changeSitting changes a sitting until its convocations are sent.
func (s *Server) changeSitting(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	in := sittingInputFrom(r)
	st, err := s.Selection.ChangeSitting(r.Context(), currentUser(r).Actor, id, in)
	var errs domain.FieldErrors
	switch {
	case err == nil:
		http.Redirect(w, r, testsPath(st.SessionID)+"?fait=changed#formation-"+itoa64(st.FormationID), http.StatusSeeOther)
	case errors.As(err, &errs):
		s.renderSitting(w, r, http.StatusBadRequest, st, in, errs)
	default:
		s.selectionError(w, r, err)
	}
}

// deleteSitting deletes a sitting until its convocations are sent.
func (s *Server) deleteSitting(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	u := currentUser(r)
	st, err := s.Selection.Sitting(r.Context(), u.Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	err = s.Selection.DeleteSitting(r.Context(), u.Actor, id)
	var errs domain.FieldErrors
	switch {
	case err == nil:
		http.Redirect(w, r, testsPath(st.SessionID)+"?fait=deleted#formation-"+itoa64(st.FormationID), http.StatusSeeOther)
	case errors.As(err, &errs):
		in := selection.SittingInput{Date: st.StartsAt.In(s.Paris).Format("2006-01-02"), Time: st.StartsAt.In(s.Paris).Format("15:04"),
			Minutes: strconv.Itoa(st.Minutes), Seats: strconv.Itoa(st.Seats), EstablishmentID: st.EstablishmentID, Room: st.Room}
		s.renderSitting(w, r, http.StatusBadRequest, st, in, errs)
	default:
		s.selectionError(w, r, err)
	}
}

// resultTarget reads the results page's target from its path.
func resultTarget(r *http.Request) selection.ResultTarget {
	id, _ := pathID(r, "id")
	if strings.HasPrefix(r.URL.Path, selectionPath+"/cours/") {
		return selection.ResultTarget{CourseID: id}
	}
	return selection.ResultTarget{SittingID: id}
}

func resultsURL(t selection.ResultTarget) string {
	if t.CourseID > 0 {
		return selectionPath + "/cours/" + itoa64(t.CourseID) + "/resultats"
	}
	return sittingPath(t.SittingID) + "/resultats"
}

// resultsPage is the results form of a sitting or a first-day course.
func (s *Server) resultsPage(w http.ResponseWriter, r *http.Request) {
	s.renderResults(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderResults(w http.ResponseWriter, r *http.Request, status int, typed map[int64]selection.ResultEntry, errs domain.FieldErrors) {
	target := resultTarget(r)
	sh, err := s.Selection.Sheet(r.Context(), currentUser(r).Actor, target)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	pg := s.page(r, "tests.results.title")
	v := &views.ResultsView{Heading: sh.Formation.Title, Title: sh.Title, Action: resultsURL(target),
		Back: testsPath(sh.SessionID) + "#formation-" + itoa64(sh.Formation.ID)}
	if r.URL.Query().Has("saisis") {
		v.Done = pg.T("tests.results.done")
	}
	if len(errs) > 0 {
		v.Errors, v.ErrFor = fieldMessages(pg.P, errs, nil)
	}
	for _, k := range sh.Convokees {
		row := views.ResultRow{ID: itoa64(k.CandidatureID), Name: strings.TrimSpace(strings.ToUpper(k.LastName) + " " + k.FirstName),
			ResultField: selection.ResultField(k.CandidatureID), ScoreField: selection.ScoreField(k.CandidatureID),
			LevelField: selection.LevelField(k.CandidatureID), Withdrawn: k.Status == domain.CandidatureWithdrawn,
			NeedsDecision: k.Result.NeedsDecision}
		cur := selection.ResultEntry{Result: string(k.Result.Kind)}
		if k.Result.Kind == domain.ResultScore {
			cur.Score = strconv.Itoa(k.Result.Score)
		}
		if k.Result.PlacedLevel > 0 {
			cur.Level = strconv.Itoa(k.Result.PlacedLevel)
		}
		if t, ok := typed[k.CandidatureID]; ok {
			cur = t
		}
		row.Score, row.Level = cur.Score, cur.Level
		// The level placed (SEL-3): one of the levels, or none.
		row.LevelOptions = []views.Option{{Value: "", Label: pg.T("tests.level.none"), Selected: cur.Level == ""}}
		for i, l := range domain.Levels[1:] {
			n := strconv.Itoa(i + 1)
			row.LevelOptions = append(row.LevelOptions, views.Option{Value: n, Label: pg.T("level." + string(l)), Selected: cur.Level == n})
		}
		row.Options = []views.Option{{Value: "", Label: pg.T("tests.result.none")}}
		for _, kind := range domain.ResultKinds {
			row.Options = append(row.Options, views.Option{Value: string(kind), Label: pg.T("tests.result." + string(kind)),
				Selected: cur.Result == string(kind)})
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, status, views.ResultsPage(pg, v))
}

// enterResults records the results form (SEL-2, SEL-3).
func (s *Server) enterResults(w http.ResponseWriter, r *http.Request) {
	target := resultTarget(r)
	if err := r.ParseForm(); err != nil {
		s.notFound(w, r)
		return
	}
	typed := map[int64]selection.ResultEntry{}
	var entries []selection.ResultEntry
	for _, raw := range r.PostForm["candidature"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		e := selection.ResultEntry{CandidatureID: id, Result: r.PostFormValue(selection.ResultField(id)),
			Score: r.PostFormValue(selection.ScoreField(id)), Level: r.PostFormValue(selection.LevelField(id))}
		if e.Score != "" && e.Result == "" {
			e.Result = string(domain.ResultScore)
		}
		typed[id] = e
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].CandidatureID < entries[j].CandidatureID })
	_, err := s.Selection.EnterResults(r.Context(), currentUser(r).Actor, target, entries)
	var errs domain.FieldErrors
	switch {
	case err == nil:
		http.Redirect(w, r, resultsURL(target)+"?saisis=1", http.StatusSeeOther)
	case errors.As(err, &errs):
		s.renderResults(w, r, http.StatusBadRequest, typed, errs)
	default:
		s.selectionError(w, r, err)
	}
}

// convocationPage is the candidate's convocation (ROLE-1 own only).
func (s *Server) convocationPage(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	c, err := s.Selection.MyConvocation(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	pg := s.page(r, "tests.convocation.title")
	v := &views.ConvocationView{Name: strings.TrimSpace(c.FirstName + " " + c.LastName), Number: itoa64(c.CandidatureID),
		Formation: c.Formation, What: c.What, When: c.When, Place: c.Place, Course: c.CourseCode, PDFURL: c.Path + ".pdf"}
	if c.Minutes > 0 {
		v.Minutes = pg.T("tests.convocation.minutes", map[string]any{"N": c.Minutes})
	}
	s.render(w, r, http.StatusOK, views.ConvocationPage(pg, v))
}

// convocationPDF is the printable convocation (ROLE-1 own only).
func (s *Server) convocationPDF(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	pdf, err := s.Selection.ConvocationPDF(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="convocation-`+itoa64(id)+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(pdf)
}

// convocationLines are the convocation lines of the candidate's space, by
// candidature (SEL-2); nil when none or on error (the page shows the rest).
func (s *Server) convocationLines(r *http.Request, pg *views.Page) map[int64]*views.ConvocationLine {
	if s.Selection == nil {
		return nil
	}
	convs, err := s.Selection.MyConvocations(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.Log.Warn("convocations of the candidate's space", "err", err)
		return nil
	}
	out := make(map[int64]*views.ConvocationLine, len(convs))
	for id, c := range convs {
		out[id] = &views.ConvocationLine{Text: pg.T("tests.convocation.line", map[string]any{"What": c.What, "When": c.When,
			"Place": c.Place}), URL: c.Path, PDFURL: c.Path + ".pdf"}
	}
	return out
}

// testsLinks are the back-office home's links to each session's tests and
// interviews, for the roles that evaluate (ROLE-3, ROLE-4, ROLE-5).
func testsLinks(pg *views.Page, ix *catalogue.Index) []views.Link {
	return sessionLinks(pg, ix, "bo.tests.link", testsPath)
}

// sessionLinks is one back-office link per session not archived: its label
// (key) names the session, path gives its page.
func sessionLinks(pg *views.Page, ix *catalogue.Index, key string, path func(int64) string) []views.Link {
	var out []views.Link
	for _, se := range ix.Sessions {
		if !se.Archived {
			out = append(out, views.Link{URL: path(se.ID), Label: pg.T(key, map[string]any{"Session": se.Name})})
		}
	}
	return out
}

// resultsImportForm is a results file: small, uploaded.
var resultsImportForm = input{maxBody: selection.MaxResultsImportBytes + 64<<10, upload: true, tooLarge: "results.import.too_large",
	declared: true}

// resultsImportPage is the results import's form (SEL-2, SEL-3).
func (s *Server) resultsImportPage(w http.ResponseWriter, r *http.Request) {
	s.renderResultsImport(w, r, http.StatusOK, nil)
}

func (s *Server) renderResultsImport(w http.ResponseWriter, r *http.Request, status int, v *views.ResultsImportView) {
	id, _ := pathID(r, "id")
	formID, _ := pathID(r, "formation")
	pg := s.page(r, "tests.import.title")
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	f, ok := ix.Formation(formID)
	if !ok {
		s.notFound(w, r)
		return
	}
	if v == nil {
		v = &views.ResultsImportView{}
	}
	v.Formation, v.Back = f.Title, testsPath(id)+"#formation-"+itoa64(formID)
	v.Action = testsPath(id) + "/formations/" + itoa64(formID) + "/import"
	s.render(w, r, status, views.ResultsImportPage(pg, v))
}

// importResults checks a results file (etape=verifier) or imports it
// (etape=importer).
func (s *Server) importResults(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	formID, _ := pathID(r, "formation")
	pg := s.page(r, "tests.import.title")
	var name string
	var data []byte
	if r.MultipartForm != nil {
		if files := r.MultipartForm.File["fichier"]; len(files) > 0 && files[0].Size > 0 {
			if f, err := files[0].Open(); err == nil {
				data, _ = io.ReadAll(io.LimitReader(f, selection.MaxResultsImportBytes+1))
				f.Close()
				name = files[0].Filename
			}
		}
	}
	v := &views.ResultsImportView{}
	if name == "" {
		v.FileError = pg.T("tests.import.no_file")
		v.Errors = []views.FieldMessage{{Field: "fichier", Message: v.FileError}}
		s.renderResultsImport(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	apply := r.FormValue("etape") == "importer"
	rep, err := s.Selection.ImportResults(r.Context(), currentUser(r).Actor, id, formID, name, data, apply)
	if err != nil {
		s.selectionError(w, r, err)
		return
	}
	v.Checked, v.FileName = true, name
	for _, l := range rep.Lines {
		v.Lines = append(v.Lines, pg.T("tests.import.line", map[string]any{"Line": l.Line})+" — "+l.Name+
			" (n° "+itoa64(l.CandidatureID)+") : "+l.Before+" → "+l.After)
	}
	for _, p := range rep.Problems {
		v.Problems = append(v.Problems, pg.T("tests.import.line", map[string]any{"Line": p.Line})+" — "+pg.P.Word(p.Key, p.Args))
	}
	if rep.Applied {
		v.Done = pg.T("tests.import.done", map[string]any{"Entered": rep.Summary.Entered, "Changed": rep.Summary.Changed,
			"Withdrawn": rep.Summary.Withdrawn})
	}
	status := http.StatusOK
	if len(rep.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.renderResultsImport(w, r, status, v)
}
