package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cma/internal/attendance"
	"cma/internal/documents"
	"cma/internal/web/views"

	"github.com/a-h/templ"
)

// The attestation d'assiduité (ATT-2): asked for on "mon parcours" by a
// learner at 75 % or more, read as a page or downloaded as a PDF, verified
// by its QR code on a public page; the director of the establishment and
// the central service download a learner's from the course's registers.

const journeyAttestationPath = journeyPath + "/attestation/"

func journeyAttestationURL(id int64) string { return journeyAttestationPath + itoa64(id) }

func staffAttestationPath(courseID, candidatureID int64) string {
	return "/back-office/cours/" + itoa64(courseID) + "/assiduite/" + itoa64(candidatureID) + "/attestation.pdf"
}

// askAttendanceAttestation records the learner's request and shows the
// attestation; refused (under 75 %, nothing held), "mon parcours" again
// with the reason.
func (s *Server) askAttendanceAttestation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	a, err := s.Attendance.RequestAttestation(r.Context(), u.Actor, u.Account.ID, id)
	var refusal *attendance.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, journeyAttestationURL(a.Attestation.ID), http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderJourney(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal))
	default:
		s.attendanceError(w, r, err)
	}
}

// journeyAttestation serves one of the learner's attestations: the page at
// …/attestation/{id}, the PDF at …/attestation/{id}.pdf.
func (s *Server) journeyAttestation(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	name, isPDF := strings.CutSuffix(file, ".pdf")
	id, err := strconv.ParseInt(name, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != name {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	a, err := s.Attendance.OwnAttestation(r.Context(), u.Actor, u.Account.ID, id)
	if err != nil {
		s.attendanceError(w, r, err)
		return
	}
	if isPDF {
		s.attendanceAttestationPDF(w, r, a)
		return
	}
	h, err := documents.AttendanceAttestationHTML(a.Document)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pg := s.page(r, "attendance_attestation.title")
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, views.AttendanceAttestationPage(pg, &views.AttendanceAttestationView{
		Document: templ.Raw(string(h)), PDF: journeyAttestationURL(id) + ".pdf", Back: journeyPath, BackText: pg.T("journey.back")}))
}

// staffAttendanceAttestationPDF is a learner's last attestation d'assiduité
// for the course's director or the central service.
func (s *Server) staffAttendanceAttestationPDF(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r, "id")
	cand, ok2 := pathID(r, "cand")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	a, err := s.Attendance.StaffAttestation(r.Context(), currentUser(r).Actor, id, cand)
	if err != nil {
		s.attendanceError(w, r, err)
		return
	}
	s.attendanceAttestationPDF(w, r, a)
}

func (s *Server) attendanceAttestationPDF(w http.ResponseWriter, r *http.Request, a attendance.IssuedAttestation) {
	pdf, err := documents.AttendanceAttestationPDF(a.Document, s.Now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writePDF(w, "attestation-assiduite-"+a.Document.Number, pdf)
}

// attendanceAttestationCheckPage is where an attestation d'assiduité's QR
// code leads: genuine, with what it attests, or unknown (ATT-2).
func (s *Server) attendanceAttestationCheckPage(w http.ResponseWriter, r *http.Request) {
	check, err := s.Attendance.VerifyAttestation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pg := s.page(r, "attendance_attestation.check.title")
	p := pg.P
	v := &views.AttendanceAttestationCheckView{Heading: p.T("attendance_attestation.check.unknown"),
		Note: p.T("attendance_attestation.check.unknown.note")}
	status := http.StatusNotFound
	if check.Valid {
		d := check.Document
		status, v.Valid = http.StatusOK, true
		v.Heading, v.Note = p.T("attendance_attestation.check.valid"), p.T("attendance_attestation.check.valid.note")
		v.Facts = []views.Fact{{Label: p.T("attestation.number"), Value: d.Number},
			{Label: p.T("attestation.name"), Value: d.FirstName + " " + d.LastName},
			{Label: p.T("course.formation"), Value: d.Formation}, {Label: p.T("course.code"), Value: d.CourseCode},
			{Label: p.T("course.establishment"), Value: d.Establishment}, {Label: p.T("journey.session"), Value: d.Session},
			{Label: p.T("attendance_attestation.period"), Value: p.T("attendance_attestation.period.value",
				map[string]any{"First": pg.ShortDate(d.FirstDay), "Last": pg.ShortDate(d.LastDay)})},
			{Label: p.T("attendance_attestation.hours"), Value: p.T("attendance_attestation.hours.value",
				map[string]any{"Present": documents.FrenchHours(d.MinutesPresent), "Held": documents.FrenchHours(d.MinutesHeld)})},
			{Label: p.T("journey.rate"), Value: rateBP(p, d.RateBP)},
			{Label: p.T("attestation.issued"), Value: pg.ShortDate(d.IssuedAt)}}
	}
	s.render(w, r, status, views.AttendanceAttestationCheckPage(pg, v))
}
