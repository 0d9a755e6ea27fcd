package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"cma/internal/candidature"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/evaluation"
	"cma/internal/web/views"
)

// End-of-course evaluations and certificates (CER-1, CER-2): a course's
// evaluation, its date fixed by the central service and its results
// entered by the coordinator or the director; the central service's
// dashboard of certificates, issued in bulk.

const certificatesPath = "/back-office/certificats"

func evaluationPath(courseID int64) string {
	return "/back-office/cours/" + itoa64(courseID) + "/evaluation"
}

func (s *Server) evaluationError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, evaluation.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, evaluation.ErrForbidden):
		s.forbidden(w, r, false)
	default:
		s.serverError(w, r, err)
	}
}

// evaluationPage shows a course's evaluation and its results sheet.
func (s *Server) evaluationPage(w http.ResponseWriter, r *http.Request) {
	s.renderEvaluation(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderEvaluation(w http.ResponseWriter, r *http.Request, status int, problem string, typed map[int64]evaluation.Entry) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	sh, err := s.Evaluation.Sheet(r.Context(), u.Actor, id)
	if err != nil {
		s.evaluationError(w, r, err)
		return
	}
	pg := s.page(r, "eval.title")
	p := pg.P
	e := sh.Course
	v := &views.EvaluationView{Title: p.T("eval.heading", map[string]any{"Code": e.Code}), Back: "/back-office/cours/" + itoa64(id),
		Facts: []views.Fact{{Label: p.T("course.formation"), Value: e.Formation.Title},
			{Label: p.T("course.schedule"), Value: schedule(p, e)}, {Label: p.T("course.establishment"), Value: placeName(pg, e)}},
		Error: problem, DateURL: evaluationPath(id) + "/date", Action: evaluationPath(id) + "/resultats", Open: sh.Open,
		MaySet: domain.Can(u.Actor, domain.ActManageCatalogue, domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID})}
	switch r.URL.Query().Get("enregistre") {
	case "date":
		v.Saved = p.T("eval.set.done")
	case "resultats":
		v.Saved = p.T("eval.results.done")
	case "dispense":
		v.Saved = p.T("exemption.done")
	}
	v.Diploma, v.ExemptURL = sh.Diploma, evaluationPath(id)+"/dispense"
	if !sh.Date.IsZero() {
		v.Date = longDay(pg, sh.Date)
		v.Later = p.T("eval.results.later", map[string]any{"Day": v.Date})
	}
	for _, d := range sh.Days {
		v.Choices = append(v.Choices, views.Choice{Value: d.Format(time.DateOnly), Label: longDay(pg, d)})
	}
	for _, l := range sh.Learners {
		row := views.ResultLine{ID: itoa64(l.CandidatureID), Name: l.LastName + " " + l.FirstName}
		if l.Exemption != nil {
			row.Exempted = p.T("exemption.held", map[string]any{"Diploma": l.Exemption.DiplomaHeld})
		}
		if l.HasResult {
			row.Result, row.Grade = string(l.Result.Result), l.Result.Grade
		}
		if t, ok := typed[l.CandidatureID]; ok {
			row.Result, row.Grade = string(t.Result), t.Grade
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, status, views.EvaluationPage(pg, v))
}

// setEvaluationDate fixes the evaluation's date and convokes the learners.
func (s *Server) setEvaluationDate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	day, err := time.Parse(time.DateOnly, r.PostFormValue("jour"))
	if err != nil {
		day = time.Time{}
	}
	err = s.Evaluation.SetDate(r.Context(), currentUser(r).Actor, id, day)
	var refusal *evaluation.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, evaluationPath(id)+"?enregistre=date", http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderEvaluation(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal), nil)
	default:
		s.evaluationError(w, r, err)
	}
}

// saveResults records the results typed on the sheet; a learner left
// without a result is left as they were.
func (s *Server) saveResults(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r)
		return
	}
	var entries []evaluation.Entry
	typed := map[int64]evaluation.Entry{}
	for name, values := range r.PostForm {
		cand, ok := strings.CutPrefix(name, "resultat-")
		if !ok || len(values) == 0 {
			continue
		}
		cid, err := strconv.ParseInt(cand, 10, 64)
		if err != nil {
			s.badRequest(w, r)
			return
		}
		en := evaluation.Entry{CandidatureID: cid, Result: domain.EvaluationResult(values[0]), Grade: r.PostFormValue("note-" + cand)}
		entries = append(entries, en)
		typed[cid] = en
	}
	_, err := s.Evaluation.Enter(r.Context(), currentUser(r).Actor, id, entries)
	var refusal *evaluation.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, evaluationPath(id)+"?enregistre=resultats", http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderEvaluation(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal), typed)
	default:
		s.evaluationError(w, r, err)
	}
}

// certificatesPage is the central service's dashboard of certificates.
func (s *Server) certificatesPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.Evaluation.Dashboard(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.evaluationError(w, r, err)
		return
	}
	pg := s.page(r, "cert.title")
	p := pg.P
	v := &views.CertificatesView{Action: certificatesPath + "/delivrer", Count: len(d.ToIssue),
		Summary: p.T("cert.summary", map[string]any{"Issued": d.Issued, "ToIssue": len(d.ToIssue), "IssuedLate": d.IssuedLate})}
	if d.Late > 0 {
		v.Late = p.T("cert.late", map[string]any{"N": d.Late})
	}
	if d.Running != nil {
		v.Running = p.T("cert.running", map[string]any{"Done": d.Running.Done, "Total": d.Running.Total})
		v.Refresh = true
	}
	if r.URL.Query().Get("lance") != "" && d.Running == nil {
		v.Done = p.T("cert.issue.done")
	}
	const shown = 200
	for i, l := range d.ToIssue {
		if i == shown {
			v.More = p.T("cert.more", map[string]any{"N": len(d.ToIssue) - shown})
			break
		}
		v.Rows = append(v.Rows, views.CertificateRow{Name: l.LastName + " " + l.FirstName,
			Course: l.Course.Formation.Title + " — " + l.Course.Code, Passed: pg.ShortDate(l.PassedAt.In(s.Paris)),
			Due: pg.ShortDate(l.Due), Late: l.Late})
	}
	s.render(w, r, http.StatusOK, views.CertificatesPage(pg, v))
}

// issueCertificates starts the bulk issuance and goes back to the
// dashboard, which shows its progress. It runs past the request, bounded by
// the server's own lifetime; each batch is its own transaction, and a run
// interrupted is finished by the next one (issuing is idempotent).
func (s *Server) issueCertificates(w http.ResponseWriter, r *http.Request) {
	actor := currentUser(r).Actor
	if !domain.Can(actor, domain.ActIssueCertificates, domain.Resource{}) {
		s.forbidden(w, r, false)
		return
	}
	ctx := context.WithoutCancel(r.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := s.Evaluation.IssueAll(ctx, actor, nil); err != nil {
			s.Log.Error("certificates: bulk issuance", "err", err)
		}
	}()
	select { // a small batch is done before the dashboard shows
	case <-done:
	case <-time.After(2 * time.Second):
	}
	http.Redirect(w, r, certificatesPath+"?lance=1", http.StatusSeeOther)
}

// journeyEnd words a course's end for "mon parcours": the evaluation's
// date and result, the certificate, what the next level asks (CER-1,
// CER-2, SEL-7).
func (s *Server) journeyEnd(pg *views.Page, ev evaluation.OwnEvaluation) []views.Fact {
	p := pg.P
	var out []views.Fact
	if !ev.Date.IsZero() {
		out = append(out, views.Fact{Label: p.T("journey.evaluation"), Value: p.T("journey.evaluation.date", map[string]any{"Day": longDay(pg, ev.Date)})})
	}
	if ev.HasResult {
		value := p.T("eval.result." + string(ev.Result))
		switch {
		case ev.Certificate != nil:
			value = p.T("journey.result.certified", map[string]any{"Number": ev.Certificate.Number})
		case ev.Result == domain.ResultPassed:
			value = p.T("journey.result.passed", map[string]any{"Day": pg.ShortDate(ev.Due)})
		case ev.RepeatLeft:
			value += " — " + p.T("journey.result.repeat")
		default:
			value += " — " + p.T("journey.result.no_repeat")
		}
		out = append(out, views.Fact{Label: p.T("journey.result"), Value: value})
	}
	for _, f := range ev.Next {
		out = append(out, views.Fact{Label: p.T("journey.next"), Value: p.T("journey.next.needs", map[string]any{"Formation": f.Title})})
	}
	return out
}

// exemptionForm is an exemption's proof (a copy of the diploma held) and
// its fields (CER-4), bounded like the candidature's proof.
var exemptionForm = input{maxBody: proofBody, upload: true, tooLarge: "input.proof_too_large", declared: true}

// recordExemption records a learner's exemption from a diploma's general
// exams, with its proof (CER-4).
func (s *Server) recordExemption(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	cand, err := strconv.ParseInt(r.FormValue("auditeur"), 10, 64)
	if err != nil {
		s.renderEvaluation(w, r, http.StatusUnprocessableEntity, s.printer(r).T("exemption.learner_missing"), nil)
		return
	}
	req := evaluation.ExemptionRequest{CandidatureID: cand, DiplomaHeld: r.FormValue("diplome"), Note: r.FormValue("remarque")}
	if file, _, err := r.FormFile("justificatif"); err == nil {
		req.Proof, _ = io.ReadAll(io.LimitReader(file, candidature.MaxProofBytes+1))
		file.Close()
	}
	err = s.Evaluation.Exempt(r.Context(), currentUser(r).Actor, id, req)
	var refusal *evaluation.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, evaluationPath(id)+"?enregistre=dispense", http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderEvaluation(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal), nil)
	default:
		s.evaluationError(w, r, err)
	}
}

// journeyCertificate is one of the learner's certificates, as a page
// (…/123) or its PDF (…/123.pdf) (CER-2).
func (s *Server) journeyCertificate(w http.ResponseWriter, r *http.Request) {
	name, isPDF := strings.CutSuffix(r.PathValue("file"), ".pdf")
	id, err := strconv.ParseInt(name, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != name {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	d, err := s.Evaluation.OwnCertificateDocument(r.Context(), u.Actor, u.Account.ID, id)
	if err != nil {
		s.evaluationError(w, r, err)
		return
	}
	if isPDF {
		s.certificatePDF(w, r, d)
		return
	}
	h, err := documents.CertificateHTML(d)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pg := s.page(r, "cert.document.title")
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, views.AttendanceAttestationPage(pg, &views.AttendanceAttestationView{
		Title: pg.T("cert.document.title"), PDFText: pg.T("cert.document.pdf"),
		Document: templ.Raw(string(h)), PDF: evaluation.CertificatePath + itoa64(id) + ".pdf", Back: journeyPath, BackText: pg.T("journey.back")}))
}

// staffCertificatePDF is a certificate for the central service.
func (s *Server) staffCertificatePDF(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	d, err := s.Evaluation.StaffCertificateDocument(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.evaluationError(w, r, err)
		return
	}
	s.certificatePDF(w, r, d)
}

func (s *Server) certificatePDF(w http.ResponseWriter, r *http.Request, d documents.Certificate) {
	pdf, err := documents.CertificatePDF(d, s.Now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writePDF(w, evaluation.CertificateFileName(d), pdf)
}

// certificateCheckPage is where a certificate's QR code leads: genuine,
// with what it certifies, or unknown (CER-2).
func (s *Server) certificateCheckPage(w http.ResponseWriter, r *http.Request) {
	check, err := s.Evaluation.VerifyCertificate(r.Context(), r.PathValue("token"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pg := s.page(r, "cert.check.title")
	p := pg.P
	v := &views.AttendanceAttestationCheckView{Title: p.T("cert.check.title"), Heading: p.T("cert.check.unknown"), Note: p.T("cert.check.unknown.note")}
	status := http.StatusNotFound
	if check.Valid {
		d := check.Document
		status, v.Valid = http.StatusOK, true
		v.Heading, v.Note = p.T("cert.check.valid"), p.T("cert.check.valid.note")
		v.Facts = []views.Fact{{Label: p.T("attestation.number"), Value: d.Number},
			{Label: p.T("attestation.name"), Value: d.FirstName + " " + d.LastName},
			{Label: p.T("course.formation"), Value: d.Formation}, {Label: p.T("course.code"), Value: d.CourseCode},
			{Label: p.T("course.establishment"), Value: d.Establishment}, {Label: p.T("journey.session"), Value: d.Session},
			{Label: p.T("attestation.issued"), Value: pg.ShortDate(d.IssuedAt)}}
		if !d.EvaluationDate.IsZero() {
			v.Facts = append(v.Facts, views.Fact{Label: p.T("journey.evaluation"), Value: pg.ShortDate(d.EvaluationDate)})
		}
	}
	s.render(w, r, status, views.AttendanceAttestationCheckPage(pg, v))
}
