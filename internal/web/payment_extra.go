package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/payment"
	"cma/internal/web/views"

	"github.com/a-h/templ"
)

// A third party pays in the learner's place (PAY-4): the learner makes a
// one-use payment link under "historique et paiement", the third party
// opens it without an account, names themself and pays by card through
// PayFiP. Attestations of cost and of payment on request (PAY-7, PAY-8),
// verified by their QR code on a public page; receipts of payments (PAY-2)
// for the learner and for the course's director.

const thirdPartyResultPath = payment.LinkPath + "resultat"

// newLinkKey carries the payment link just made to the page that shows it
// once.
type newLinkKey struct{}

// feeExtra fills what an enrolment's block adds on "historique et
// paiement": the third party's link, the attestations, the receipt.
func (s *Server) feeExtra(r *http.Request, pg *views.Page, b *views.FeeBlock, f payment.Fee) error {
	p := pg.P
	u := currentUser(r)
	en := f.Enrolment
	base := feesPath + "/" + itoa64(en.ID)
	x := &views.FeeExtra{}
	if f.Payable {
		x.LinkAction = base + "/lien-tiers"
		l, live, err := s.Payment.LiveLink(r.Context(), u.Actor, en.ID)
		if err != nil {
			return err
		}
		if live {
			x.LinkSince = pg.DateTime(l.CreatedAt, s.Paris)
		}
		if nl, ok := r.Context().Value(newLinkKey{}).(payment.NewLink); ok && nl.Link.EnrolmentID == en.ID {
			until := pg.Date(nl.Until)
			x.NewLink, x.NewLinkUntil = nl.URL, until
			body := p.T("thirdparty.mail.body", map[string]any{"Code": f.Course.Code, "Amount": views.Money(en.Fee.DueCents),
				"Until": until, "URL": nl.URL})
			x.NewLinkMailto = "mailto:?subject=" + mailtoEscape(p.T("thirdparty.mail.subject")) + "&body=" + mailtoEscape(body)
		}
	}
	if f.Payment != nil {
		x.Receipt, x.ReceiptPage = base+"/recu.pdf", base+"/recu"
	}
	asked, err := s.Payment.Attestations(r.Context(), u.Actor, en.ID)
	if err != nil {
		return err
	}
	for _, kind := range []string{payment.AttestCost, payment.AttestPayment} {
		if a, ok := asked[kind]; ok {
			x.Documents = append(x.Documents, views.DocumentLinks{Label: p.T("attestation.download."+kind, map[string]any{"Number": a.Number}),
				Page: base + "/" + attestationSlug(kind), PDF: base + "/" + attestationSlug(kind) + ".pdf"})
		}
	}
	_, cost := asked[payment.AttestCost]
	_, paid := asked[payment.AttestPayment]
	switch {
	case en.State == domain.EnrolmentDue && !en.Fee.Pending && !cost:
		x.CostAction = base + "/" + attestationSlug(payment.AttestCost)
	case en.State == domain.EnrolmentPaid && !paid:
		x.PaymentAction = base + "/" + attestationSlug(payment.AttestPayment)
	}
	b.Extra = x
	return nil
}

// attestationSlug is an attestation's name in its addresses.
func attestationSlug(kind string) string {
	if kind == payment.AttestPayment {
		return "attestation-paiement"
	}
	return "attestation-cout"
}

// mailtoEscape escapes a mailto: header value (spaces as %20, not +).
func mailtoEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// makePaymentLink makes a link for a third party and shows it once, on the
// learner's page itself (never in an address the browser keeps).
func (s *Server) makePaymentLink(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	nl, err := s.Payment.CreateLink(r.Context(), currentUser(r).Actor, id)
	var refusal *payment.Refusal
	switch {
	case err == nil:
		w.Header().Set("Cache-Control", "no-store")
		s.renderFees(w, r.WithContext(context.WithValue(r.Context(), newLinkKey{}, nl)), http.StatusOK, "")
	case errors.As(err, &refusal):
		s.renderFees(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal))
	default:
		s.paymentError(w, r, err)
	}
}

// thirdPartyPage is a payment link's public page (PAY-4).
func (s *Server) thirdPartyPage(w http.ResponseWriter, r *http.Request) {
	s.renderThirdParty(w, r, http.StatusOK, &views.ThirdPartyView{ErrFor: map[string]string{}})
}

func (s *Server) renderThirdParty(w http.ResponseWriter, r *http.Request, status int, v *views.ThirdPartyView) {
	token := r.PathValue("token")
	lv, err := s.Payment.OpenLink(r.Context(), token)
	pg := s.page(r, "thirdparty.title")
	p := pg.P
	// The token is a bearer secret: no cache keeps the page.
	w.Header().Set("Cache-Control", "no-store")
	var refusal *payment.Refusal
	switch {
	case errors.Is(err, payment.ErrNotFound):
		v.Refused = p.T("thirdparty.unknown")
		s.render(w, r, http.StatusNotFound, views.ThirdPartyPage(pg, v))
		return
	case errors.As(err, &refusal):
		v.Refused, v.Error = p.WordKeyed(refusal), ""
		status = http.StatusGone
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		v.Action = payment.LinkPath + token
	}
	if v.Action == "" {
		// A link that no longer works says why, and nothing more of whose
		// fee it was: it may be an old copy lying in a mailbox.
		s.render(w, r, status, views.ThirdPartyPage(pg, v))
		return
	}
	e := lv.Course
	v.Intro = p.T("thirdparty.intro", map[string]any{"Learner": lv.Learner})
	v.Facts = []views.Fact{{Label: p.T("thirdparty.learner"), Value: lv.Learner},
		{Label: p.T("course.formation"), Value: e.Formation.Title}, {Label: p.T("course.code"), Value: e.Code},
		{Label: p.T("course.schedule"), Value: schedule(p, e)}, {Label: p.T("course.establishment"), Value: placeName(pg, e)},
		{Label: p.T("thirdparty.amount"), Value: feeAmount(p, lv.Enrolment.Fee)},
		{Label: p.T("thirdparty.until"), Value: pg.Date(lv.Until)}}
	s.render(w, r, status, views.ThirdPartyPage(pg, v))
}

// payByLink starts the third party's card payment: the payer's name and
// email only; the amount is the enrolment's, whatever the form says.
func (s *Server) payByLink(w http.ResponseWriter, r *http.Request) {
	v := &views.ThirdPartyView{Payer: r.PostFormValue("payeur"), Email: r.PostFormValue("courriel"), ErrFor: map[string]string{}}
	started, err := s.Payment.PayByLink(r.Context(), r.PathValue("token"), v.Payer, v.Email)
	p := s.printer(r)
	var fields domain.FieldErrors
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, started.URL, http.StatusSeeOther)
		return
	case errors.As(err, &fields):
		var msgs []string
		for _, f := range fields {
			v.ErrFor[f.Field] = p.T(f.Key, f.Args)
			msgs = append(msgs, v.ErrFor[f.Field])
		}
		v.Error = strings.Join(msgs, " ")
		s.renderThirdParty(w, r, http.StatusUnprocessableEntity, v)
	case errors.As(err, &refusal):
		// A refusal of the link itself shows on the page; another (an
		// attempt under way, PayFiP unavailable) above the form.
		v.Error = p.WordKeyed(refusal)
		s.renderThirdParty(w, r, http.StatusConflict, v)
	case errors.Is(err, payment.ErrNotFound):
		s.renderThirdParty(w, r, http.StatusNotFound, v)
	default:
		s.serverError(w, r, err)
	}
}

// thirdPartyResult is where a third party lands back from PayFiP: the
// outcome only, nothing about whose fee it was (the page is public).
func (s *Server) thirdPartyResult(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "thirdparty.title")
	v := &views.ThirdPartyResultView{}
	switch r.URL.Query().Get("paiement") {
	case "paye":
		v.Message = pg.T("thirdparty.result.paid")
	case "refuse":
		v.Message, v.Warn = pg.T("thirdparty.result.refused"), true
	case "abandon":
		v.Message, v.Warn = pg.T("thirdparty.result.abandoned"), true
	case "anomalie":
		v.Message, v.Warn = pg.T("thirdparty.result.mismatch"), true
	default:
		v.Message = pg.T("thirdparty.result.pending")
	}
	s.render(w, r, http.StatusOK, views.ThirdPartyResultPage(pg, v))
}

// writePDF sends a document inline, never cached (personal data).
func writePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pdf)
}

// receiptPDF serves a receipt; the cheques' payee is the régie.
func (s *Server) receiptPDF(w http.ResponseWriter, r *http.Request, rc documents.Receipt, err error) {
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	if payment.IsCheque(rc) {
		rc.Payee = s.ChequePayee
	}
	pdf, err := documents.ReceiptPDF(rc, s.Now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writePDF(w, "recu-"+rc.Number, pdf)
}

// ownReceiptPage is the learner's receipt of their own payment as a page,
// with its PDF.
func (s *Server) ownReceiptPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	rc, err := s.Payment.OwnReceipt(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	if payment.IsCheque(rc) {
		rc.Payee = s.ChequePayee
	}
	h, err := documents.ReceiptHTML(rc)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.documentPage(w, r, "fees.receipt.title", h, feesPath+"/"+itoa64(id)+"/recu.pdf", "fees.receipt.pdf")
}

// documentPage shows a document's HTML version in the layout, with its PDF
// and the way back to "historique et paiement".
func (s *Server) documentPage(w http.ResponseWriter, r *http.Request, title string, h template.HTML, pdf, pdfText string) {
	pg := s.page(r, title)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, views.AttendanceAttestationPage(pg, &views.AttendanceAttestationView{Title: pg.T(title),
		Document: templ.Raw(string(h)), PDF: pdf, PDFText: pg.T(pdfText), Back: feesPath, BackText: pg.T("fees.back.fees")}))
}

// ownReceiptPDF is the learner's receipt of their own payment.
func (s *Server) ownReceiptPDF(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	rc, err := s.Payment.OwnReceipt(r.Context(), currentUser(r).Actor, id)
	s.receiptPDF(w, r, rc, err)
}

// staffReceiptPDF is a payment's receipt for the course's director or the
// central service.
func (s *Server) staffReceiptPDF(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r, "id")
	enrolmentID, ok2 := pathID(r, "enrolment")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	rc, err := s.Payment.StaffReceipt(r.Context(), currentUser(r).Actor, id, enrolmentID)
	s.receiptPDF(w, r, rc, err)
}

// askAttestation records the learner's request for an attestation (PAY-7)
// and shows it on the page; asked twice, the same one.
func (s *Server) askAttestation(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "id")
		if !ok {
			s.notFound(w, r)
			return
		}
		a, err := s.Payment.RequestAttestation(r.Context(), currentUser(r).Actor, id, kind)
		s.attestationAsked(w, r, a.Number, err)
	}
}

// attestationAsked answers a request for an attestation: "historique et
// paiement" with its number, or with the reason it was refused.
func (s *Server) attestationAsked(w http.ResponseWriter, r *http.Request, number string, err error) {
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, feesPath+"?attestation="+url.QueryEscape(number), http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderFees(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal))
	default:
		s.paymentError(w, r, err)
	}
}

// ownAttestation shows (or, isPDF, serves) an attestation the learner
// asked for on one of their enrolments.
func (s *Server) ownAttestation(kind string, isPDF bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "id")
		if !ok {
			s.notFound(w, r)
			return
		}
		d, err := s.Payment.OwnAttestation(r.Context(), currentUser(r).Actor, id, kind)
		s.serveAttestation(w, r, kind, d, err, isPDF, feesPath+"/"+itoa64(id)+"/"+attestationSlug(kind)+".pdf")
	}
}

// serveAttestation answers with an attestation as a PDF, or as a page
// linking its PDF at pdfURL.
func (s *Server) serveAttestation(w http.ResponseWriter, r *http.Request, kind string, d documents.Attestation, err error, isPDF bool,
	pdfURL string) {
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	if isPDF {
		pdf, err := documents.AttestationPDF(d, s.Now())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		writePDF(w, "attestation-"+d.Number, pdf)
		return
	}
	h, err := documents.AttestationHTML(d)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.documentPage(w, r, "attestation.kind."+kind, h, pdfURL, "attestation.pdf")
}

// askCostAttestation records an accepted candidate's request for an
// attestation of training cost before the enrolment is confirmed (PAY-7).
func (s *Server) askCostAttestation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "cand")
	if !ok {
		s.notFound(w, r)
		return
	}
	a, err := s.Payment.RequestCostAttestation(r.Context(), currentUser(r).Actor, id)
	s.attestationAsked(w, r, a.Number, err)
}

// costAttestation shows or serves the attestation of cost of an accepted
// candidature: the page at …/attestation-cout, the PDF at
// …/attestation-cout.pdf.
func (s *Server) costAttestation(isPDF bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "cand")
		if !ok {
			s.notFound(w, r)
			return
		}
		d, err := s.Payment.OwnCostAttestation(r.Context(), currentUser(r).Actor, id)
		s.serveAttestation(w, r, payment.AttestCost, d, err, isPDF, expectedPath(id)+".pdf")
	}
}

// attestationCheckPage is where an attestation's QR code leads: valid, with
// what it attests, or unknown (PAY-7).
func (s *Server) attestationCheckPage(w http.ResponseWriter, r *http.Request) {
	check, err := s.Payment.VerifyAttestation(r.Context(), r.PathValue("token"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pg := s.page(r, "attestation.check.title")
	p := pg.P
	v := &views.AttestationCheckView{Valid: check.Valid, Heading: p.T("attestation.check.unknown"),
		Note: p.T("attestation.check.unknown.note")}
	status := http.StatusNotFound
	if check.Valid {
		d := check.Document
		kind := payment.AttestCost
		if d.Kind == documents.AttestationPayment {
			kind = payment.AttestPayment
		}
		status, v.Heading, v.Note = http.StatusOK, p.T("attestation.check.valid"), p.T("attestation.check.valid.note")
		v.Facts = []views.Fact{{Label: p.T("attestation.kind"), Value: p.T("attestation.kind." + kind)},
			{Label: p.T("attestation.number"), Value: d.Number},
			{Label: p.T("attestation.name"), Value: d.FirstName + " " + d.LastName},
			{Label: p.T("course.formation"), Value: d.Formation}, {Label: p.T("course.code"), Value: d.CourseCode},
			{Label: p.T("course.establishment"), Value: d.Establishment},
			{Label: p.T("attestation.amount"), Value: views.Money(d.AmountCents)}}
		if d.PaidOn != "" {
			v.Facts = append(v.Facts, views.Fact{Label: p.T("attestation.paid_on"), Value: d.PaidOn})
		}
		if d.PaidBy != "" {
			v.Facts = append(v.Facts, views.Fact{Label: p.T("fees.paid.by"), Value: d.PaidBy})
		}
		v.Facts = append(v.Facts, views.Fact{Label: p.T("attestation.issued"), Value: d.IssuedOn})
	}
	s.render(w, r, status, views.AttestationCheckPage(pg, v))
}
