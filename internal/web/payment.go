package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/payfip"
	"cma/internal/payment"
	"cma/internal/web/views"
)

// Enrolment and payment (PAY-1..6, CAN-9): the learner's "historique et
// paiement" and its online payment through PayFiP, PayFiP's notification and
// the browser's return, the director's enrolment list of a course (confirm,
// check half-tariff proofs, take cheques and cash at the desk, reprint a
// card), the learner card and the entrance's scan.

const feesPath = payment.FeesPath

func rosterPath(courseID int64) string {
	return "/back-office/cours/" + itoa64(courseID) + "/inscriptions"
}

func (s *Server) paymentError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, payment.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, payment.ErrForbidden):
		s.forbidden(w, r, false)
	default:
		s.serverError(w, r, err)
	}
}

// feesPage is "historique et paiement" (PAY-1): each enrolment, what is due
// and until when, the button that pays online, what was paid and the card.
func (s *Server) feesPage(w http.ResponseWriter, r *http.Request) {
	s.renderFees(w, r, http.StatusOK, "")
}

func (s *Server) renderFees(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	u := currentUser(r)
	fees, err := s.Payment.Fees(r.Context(), u.Actor, u.Account.ID)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	pg := s.page(r, "fees.title")
	p := pg.P
	v := &views.FeesView{Error: errMsg, Empty: p.T("fees.empty")}
	switch r.URL.Query().Get("paiement") {
	case "paye":
		v.Flash = p.T("fees.flash.paid")
	case "refuse":
		v.Flash, v.FlashWarn = p.T("fees.flash.refused"), true
	case "abandon":
		v.Flash, v.FlashWarn = p.T("fees.flash.abandoned"), true
	case "attente":
		v.Flash = p.T("fees.flash.pending")
	case "anomalie":
		v.Flash, v.FlashWarn = p.T("fees.flash.mismatch"), true
	}
	if n := r.URL.Query().Get("attestation"); n != "" && v.Flash == "" {
		v.Flash = p.T("attestation.flash", map[string]any{"Number": n})
	}
	for _, f := range fees {
		b := s.feeBlock(pg, f)
		if err := s.feeExtra(r, pg, &b, f); err != nil {
			s.paymentError(w, r, err)
			return
		}
		v.Fees = append(v.Fees, b)
	}
	// Accepted, not confirmed yet: what will be due, and the attestation of
	// cost a third party may need before it pays (PAY-7).
	expected, err := s.Payment.ExpectedFees(r.Context(), u.Actor, u.Account.ID)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	for _, x := range expected {
		v.Fees = append(v.Fees, s.expectedBlock(pg, x))
	}
	s.render(w, r, status, views.FeesPage(pg, v))
}

// expectedBlock is an accepted candidature whose enrolment is not confirmed
// yet: the fee it will be, when it is paid, the attestation of cost.
func (s *Server) expectedBlock(pg *views.Page, x payment.Expected) views.FeeBlock {
	p := pg.P
	e := x.Course
	b := views.FeeBlock{Title: e.Formation.Title, Facts: []views.Fact{
		{Label: p.T("course.code"), Value: e.Code}, {Label: p.T("course.schedule"), Value: schedule(p, e)},
		{Label: p.T("course.establishment"), Value: placeName(pg, e)},
		{Label: p.T("fees.amount"), Value: feeAmount(p, x.Fee)},
	}, State: p.T("fees.state.to_confirm")}
	base := expectedPath(x.Candidature.ID)
	extra := &views.FeeExtra{}
	switch {
	case x.Cost != nil:
		extra.Documents = []views.DocumentLinks{{Label: p.T("attestation.download."+payment.AttestCost,
			map[string]any{"Number": x.Cost.Number}), Page: base, PDF: base + ".pdf"}}
	case !x.Fee.Pending:
		extra.CostAction = base
	}
	b.Extra = extra
	return b
}

// expectedPath is the attestation of cost of an accepted candidature not
// confirmed yet: POST asks for it, GET shows it, .pdf downloads it.
func expectedPath(candidatureID int64) string {
	return feesPath + "/candidature/" + itoa64(candidatureID) + "/attestation-cout"
}

func (s *Server) feeBlock(pg *views.Page, f payment.Fee) views.FeeBlock {
	p := pg.P
	en, e := f.Enrolment, f.Course
	b := views.FeeBlock{Title: e.Formation.Title, Facts: []views.Fact{
		{Label: p.T("course.code"), Value: e.Code}, {Label: p.T("course.schedule"), Value: schedule(p, e)},
		{Label: p.T("course.establishment"), Value: placeName(pg, e)},
		{Label: p.T("fees.amount"), Value: feeAmount(p, en.Fee)},
	}}
	if f.HalfRefused != "" { // CAN-9: why the full tariff
		b.Facts = append(b.Facts, views.Fact{Label: p.T("fees.half_refused"), Value: f.HalfRefused})
	}
	now := s.Now()
	switch {
	case f.Refund != nil:
		b.State = p.T("fees.state.refund_due", map[string]any{"Amount": views.Money(f.Refund.AmountCents), "Payer": f.Refund.PayerName})
	case en.State == domain.EnrolmentPaid:
		b.State = p.T("fees.state.paid")
	case en.State == domain.EnrolmentFreed && f.NotOpened:
		b.State = p.T("fees.state.not_opened")
	case en.State == domain.EnrolmentFreed:
		b.State, b.Warning = p.T("fees.state.freed"), true
	case en.Fee.Pending:
		b.State = p.T("fees.state.half_pending")
	case en.Overdue(now):
		b.State, b.Warning = p.T("fees.state.overdue", map[string]any{"Until": pg.Date(en.LastDay())}), true
	default:
		b.State = p.T("fees.state.due", map[string]any{"Until": pg.Date(en.LastDay())})
		if f.Payable {
			b.PayURL = feesPath + "/" + itoa64(en.ID) + "/payer"
		}
		b.PayHint = p.T("fees.pay.hint")
		if !f.Online {
			b.PayHint = p.T("fees.pay.desk_only")
		}
	}
	if pay := f.Payment; pay != nil {
		b.Paid = []views.Fact{{Label: p.T("fees.paid.on"), Value: pg.DateTime(pay.PaidAt, s.Paris)},
			{Label: p.T("fees.paid.amount"), Value: views.Money(pay.AmountCents) + " — " + p.T("payment.mode."+string(pay.Mode))},
			{Label: p.T("fees.paid.receipt"), Value: pay.ReceiptNumber}}
		if pay.PayerName != "" {
			b.Paid = append(b.Paid, views.Fact{Label: p.T("fees.paid.by"), Value: pay.PayerName})
		}
	}
	if f.Card != nil {
		b.CardURL = feesPath + "/" + itoa64(en.ID) + "/carte"
	}
	for _, a := range f.Attempts {
		b.Attempts = append(b.Attempts, pg.DateTime(a.CreatedAt, s.Paris)+" — "+views.Money(a.AmountCents)+" — "+
			p.T("payfip.state."+string(a.State)))
	}
	return b
}

// feeAmount words what is due: "45,00 € (demi-tarif)".
func feeAmount(p *i18n.Printer, f domain.Fee) string {
	switch {
	case f.HalfTariff:
		return p.T("fees.amount.half", map[string]any{"Amount": views.Money(f.DueCents)})
	case f.Pending:
		return p.T("fees.amount.pending", map[string]any{"Amount": views.Money(f.DueCents),
			"Half": views.Money(domain.HalfTariff(f.FullCents))})
	}
	return views.Money(f.DueCents)
}

// payOnline starts an online payment and sends the browser to PayFiP.
func (s *Server) payOnline(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	started, err := s.Payment.PayOnline(r.Context(), currentUser(r).Actor, id)
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, started.URL, http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderFees(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal))
	default:
		s.paymentError(w, r, err)
	}
}

// payfipNotification is PayFiP's call to our notification URL: the idOp
// alone, no result, no signature. It is settled by asking PayFiP; an
// unknown idOp is logged and answered 200 all the same, so that PayFiP does
// not retry a call nothing can come of.
func (s *Server) payfipNotification(w http.ResponseWriter, r *http.Request) {
	idop := payfip.NotificationIDOp(r)
	if idop == "" {
		http.Error(w, "idop manquant", http.StatusBadRequest)
		return
	}
	if _, err := s.Payment.Settle(r.Context(), idop); err != nil {
		if !errors.Is(err, payment.ErrNotFound) {
			s.Log.Error("payment: PayFiP notification", "idop", idop, "err", err)
			http.Error(w, "erreur", http.StatusInternalServerError)
			return
		}
		s.Log.Warn("payment: PayFiP notification of an unknown operation", "idop", idop)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("OK\n"))
}

// payfipReturn is the browser coming back from PayFiP's page: PayFiP posts
// the idOp from its own site, so that the session cookie (SameSite=Lax) is
// not sent; the operation is settled, then the browser is sent, with a GET
// that carries the session, to "historique et paiement" with the outcome.
func (s *Server) payfipReturn(w http.ResponseWriter, r *http.Request) {
	idop := payfip.NotificationIDOp(r)
	outcome := "attente"
	back := feesPath
	if idop != "" {
		st, err := s.Payment.Settle(r.Context(), idop)
		switch {
		case errors.Is(err, payment.ErrNotFound):
		case err != nil:
			s.Log.Error("payment: PayFiP return", "idop", idop, "err", err)
		default:
			outcome = map[domain.PayFiPState]string{domain.PayFiPPaid: "paye", domain.PayFiPRefused: "refuse",
				domain.PayFiPAbandoned: "abandon", domain.PayFiPExpired: "abandon", domain.PayFiPMismatch: "anomalie"}[st.State]
			if outcome == "" {
				outcome = "attente"
			}
			if st.Operation.LinkID != 0 {
				// A third party paid through a link (PAY-4): no account
				// to go back to, a public page with the outcome only.
				back = thirdPartyResultPath
			}
		}
	}
	http.Redirect(w, r, back+"?paiement="+outcome, http.StatusSeeOther)
}

// rosterPage is a course's enrolment list for its director (PAY-1, PAY-2,
// CAN-9).
func (s *Server) rosterPage(w http.ResponseWriter, r *http.Request) {
	s.renderRoster(w, r, http.StatusOK, rosterFeedback{})
}

// rosterFeedback is what the last step on the list says, on the page or on
// one learner's row.
type rosterFeedback struct {
	saved, err string
	row        int64 // the candidature the step was about
	rowNotice  string
	halfErr    string
	halfReason string
	desk       *views.DeskPaymentForm
	deskForRow int64
	extendErr  string
	// courseWindow is the course-wide extension sent back with its error.
	courseWindow *views.CourseWindowForm
}

func (s *Server) renderRoster(w http.ResponseWriter, r *http.Request, status int, fb rosterFeedback) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	ro, err := s.Payment.Roster(r.Context(), u.Actor, id)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	pg := s.page(r, "roster.title")
	p := pg.P
	e := ro.Course
	q := r.URL.Query()
	if fb.saved == "" {
		switch {
		case q.Get("confirme") != "":
			fb.saved = p.N("roster.saved.confirmed", atoiOr(q.Get("confirme"), 0))
		case q.Get("demi") != "":
			fb.saved = p.T("roster.saved.half")
		case q.Get("recu") != "":
			fb.saved = p.T("roster.saved.desk", map[string]any{"Receipt": q.Get("recu")})
		case q.Get("delai") == "cours":
			fb.saved = p.T("roster.saved.extended_course")
		case q.Get("delai") != "":
			fb.saved = p.T("roster.saved.extended_told")
		case q.Get("libere") != "":
			fb.saved = p.T("roster.saved.freed")
		case q.Get("carte") != "":
			fb.saved = p.T("roster.saved.reprint", map[string]any{"Number": q.Get("carte")})
		}
	}
	v := &views.RosterView{Title: p.T("roster.heading", map[string]any{"Code": e.Code}), Saved: fb.saved, Error: fb.err,
		Intro: p.T("roster.intro"), Confirm: rosterPath(id) + "/confirmer", ListsURL: courseListsPath(id), Payee: s.ChequePayee,
		Facts: []views.Fact{{Label: p.T("course.formation"), Value: e.Formation.Title},
			{Label: p.T("course.schedule"), Value: schedule(p, e)}, {Label: p.T("course.establishment"), Value: placeName(pg, e)},
			{Label: p.T("roster.tariff"), Value: views.Money(e.PriceCents)}}}
	now := s.Now()
	anyDue := false
	for _, l := range ro.Learners {
		row := views.RosterRow{CandidatureID: l.CandidatureID, Name: personName(l.FirstName, l.LastName),
			Half: p.T("roster.half.none"), Confirmable: l.Enrolment == nil, Enrolment: p.T("roster.to_confirm"), Due: "—"}
		paid := l.Enrolment != nil && l.Enrolment.State != domain.EnrolmentDue
		if l.HalfTariffClaim {
			row.Half = p.T("roster.half." + halfState(l.Check.Decision))
			if l.Check.Reason != "" {
				row.Half += " — « " + l.Check.Reason + " »"
			}
			if l.ProofID != 0 && !l.ProofErased {
				row.ProofURL = rosterPath(id) + "/" + itoa64(l.CandidatureID) + "/justificatif"
			}
			if !paid {
				row.HalfAction = rosterPath(id) + "/" + itoa64(l.CandidatureID) + "/demi-tarif"
			}
		}
		if en := l.Enrolment; en != nil {
			anyDue = anyDue || en.State == domain.EnrolmentDue
			row.Enrolment = p.T("roster.confirmed", map[string]any{"On": pg.ShortDate(parisDate(en.ConfirmedAt, s))})
			row.Due = feeAmount(p, en.Fee)
			switch {
			case l.Payment != nil:
				row.Payment = p.T("roster.paid", map[string]any{"On": pg.ShortDate(parisDate(l.Payment.PaidAt, s)),
					"Mode": p.T("payment.mode." + string(l.Payment.Mode)), "Receipt": l.Payment.ReceiptNumber})
				if l.Payment.PayerName != "" {
					row.Payment += " — " + p.T("fees.paid.by") + " " + l.Payment.PayerName
				}
				row.Reprint = rosterPath(id) + "/paiements/" + itoa64(en.ID) + "/carte"
				row.Receipt = rosterPath(id) + "/paiements/" + itoa64(en.ID) + "/recu.pdf"
			case en.State == domain.EnrolmentFreed:
				row.Payment = p.T("roster.freed")
			case en.Fee.Pending:
				row.Payment = p.T("roster.half_pending")
			case en.Overdue(now):
				row.Payment, row.Overdue = p.T("roster.overdue", map[string]any{"Until": pg.ShortDate(en.LastDay())}), true
			default:
				row.Payment = p.T("roster.due", map[string]any{"Until": pg.ShortDate(en.LastDay())})
			}
			if en.State == domain.EnrolmentDue && ro.MayManage {
				row.Extend = rosterPath(id) + "/paiements/" + itoa64(en.ID) + "/delai"
				row.ExtendDay = now.In(s.Paris).AddDate(0, 0, 7).Format(time.DateOnly)
				if en.Overdue(now) {
					row.Free = rosterPath(id) + "/paiements/" + itoa64(en.ID) + "/liberer"
				}
			}
			if ro.MayRecordDesk && en.State == domain.EnrolmentDue && !en.Fee.Pending {
				row.Desk = s.deskForm(p, id, en.ID, en.Fee.DueCents)
				if fb.deskForRow == l.CandidatureID && fb.desk != nil {
					fb.desk.Action, fb.desk.Due, fb.desk.CashHint = row.Desk.Action, row.Desk.Due, row.Desk.CashHint
					row.Desk = fb.desk
				}
			}
		}
		if fb.row == l.CandidatureID {
			row.Notice, row.HalfError, row.HalfReason, row.ExtendError = fb.rowNotice, fb.halfErr, fb.halfReason, fb.extendErr
		}
		v.Rows = append(v.Rows, row)
		v.AnyToConfirm = v.AnyToConfirm || row.Confirmable
	}
	if ro.MayManage && anyDue {
		v.CourseWindow = &views.CourseWindowForm{Action: rosterPath(id) + "/delai",
			Day: now.In(s.Paris).AddDate(0, 0, 7).Format(time.DateOnly)}
		if !ro.CourseExtendedUntil.IsZero() {
			v.CourseWindow.Current = p.T("roster.course_extend.current", map[string]any{"Until": pg.ShortDate(ro.CourseExtendedUntil)})
		}
		if f := fb.courseWindow; f != nil {
			v.CourseWindow.Day, v.CourseWindow.Reason, v.CourseWindow.Error = f.Day, f.Reason, f.Error
		}
	}
	s.render(w, r, status, views.RosterPage(pg, v))
}

func halfState(d domain.HalfTariffDecision) string {
	if d == "" {
		return "unchecked"
	}
	return string(d)
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// parisDate is an instant in Paris, for its civil date.
func parisDate(t time.Time, s *Server) time.Time { return t.In(s.Paris) }

// deskForm is the desk's form for a fee of dueCents: cash offered only up
// to 300.00 EUR (PAY-2).
func (s *Server) deskForm(p *i18n.Printer, courseID, enrolmentID, dueCents int64) *views.DeskPaymentForm {
	f := &views.DeskPaymentForm{Action: rosterPath(courseID) + "/paiements/" + itoa64(enrolmentID) + "/guichet",
		Due: views.Money(dueCents), ErrFor: map[string]string{}}
	f.Modes = []views.Option{{Value: "cheque", Label: p.T("payment.mode.cheque")}}
	if dueCents <= domain.CashLimitCents {
		f.Modes = append(f.Modes, views.Option{Value: "cash", Label: p.T("payment.mode.cash")})
	} else {
		f.CashHint = p.T("desk.cash.over", map[string]any{"Limit": views.Money(domain.CashLimitCents)})
	}
	return f
}

// confirmEnrolments confirms the ticked learners, or all those not confirmed.
func (s *Server) confirmEnrolments(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	var ids []int64
	if r.PostFormValue("tous") != "" {
		ro, err := s.Payment.Roster(r.Context(), u.Actor, id)
		if err != nil {
			s.paymentError(w, r, err)
			return
		}
		for _, l := range ro.Learners {
			if l.Enrolment == nil {
				ids = append(ids, l.CandidatureID)
			}
		}
	} else {
		for _, v := range r.PostForm["candidature"] {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				s.renderRoster(w, r, http.StatusUnprocessableEntity, rosterFeedback{err: s.printer(r).T("roster.confirm.bad")})
				return
			}
			ids = append(ids, n)
		}
	}
	done, err := s.Payment.Confirm(r.Context(), u.Actor, id, ids)
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, rosterPath(id)+"?confirme="+strconv.Itoa(done.Confirmed), http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderRoster(w, r, http.StatusConflict, rosterFeedback{err: s.printer(r).WordKeyed(refusal)})
	default:
		s.paymentError(w, r, err)
	}
}

// checkHalfTariff records the check of a half-tariff proof (CAN-9).
func (s *Server) checkHalfTariff(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r, "id")
	cand, ok2 := pathID(r, "cand")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	decision := r.PostFormValue("decision")
	reason := r.PostFormValue("motif-demi-" + itoa64(cand))
	p := s.printer(r)
	if decision != "accepte" && decision != "refuse" {
		s.renderRoster(w, r, http.StatusUnprocessableEntity, rosterFeedback{row: cand, halfErr: p.T("roster.half.choose"), halfReason: reason})
		return
	}
	err := s.Payment.CheckHalfTariff(r.Context(), currentUser(r).Actor, id, cand, decision == "accepte", reason)
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, rosterPath(id)+"?demi=1#inscrit-"+itoa64(cand), http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderRoster(w, r, http.StatusConflict, rosterFeedback{row: cand, halfErr: p.WordKeyed(refusal), halfReason: reason})
	default:
		s.paymentError(w, r, err)
	}
}

// halfTariffProof shows a candidature's proof to the staff checking it.
func (s *Server) halfTariffProof(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r, "id")
	cand, ok2 := pathID(r, "cand")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	proof, err := s.Payment.Proof(r.Context(), currentUser(r).Actor, id, cand)
	var refusal *payment.Refusal
	switch {
	case errors.As(err, &refusal):
		s.renderRoster(w, r, http.StatusGone, rosterFeedback{err: s.printer(r).WordKeyed(refusal)})
		return
	case err != nil:
		s.paymentError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", proof.ContentType)
	w.Header().Set("Content-Disposition", "inline")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(proof.Data)
}

// deskPayment records a cheque or cash at the desk (PAY-2).
func (s *Server) deskPayment(w http.ResponseWriter, r *http.Request) {
	id, enrolmentID, row, ok := s.enrolmentRow(w, r)
	if !ok {
		return
	}
	p := s.printer(r)
	u := currentUser(r)
	rk := itoa64(row)
	form := &views.DeskPaymentForm{Amount: r.PostFormValue("montant-" + rk), Cheque: r.PostFormValue("cheque-" + rk),
		Bank: r.PostFormValue("banque-" + rk), Drawer: r.PostFormValue("tireur-" + rk), Payer: r.PostFormValue("payeur-" + rk),
		ErrFor: map[string]string{}}
	mode := domain.PaymentMode(r.PostFormValue("mode-" + rk))
	cents, okAmount := parseEuros(form.Amount)
	fb := rosterFeedback{row: row, deskForRow: row, desk: form}
	if !okAmount {
		form.ErrFor["amount"] = p.T("desk.amount.invalid")
		form.Error = form.ErrFor["amount"]
		s.renderDeskForm(w, r, fb, mode)
		return
	}
	pay, err := s.Payment.RecordDesk(r.Context(), u.Actor, id, enrolmentID, domain.DeskPayment{Mode: mode, AmountCents: cents,
		ChequeNumber: form.Cheque, ChequeBank: form.Bank, ChequeDrawer: form.Drawer, PayerName: form.Payer})
	var refusal *payment.Refusal
	var fields domain.FieldErrors
	switch {
	case err == nil:
		http.Redirect(w, r, rosterPath(id)+"?recu="+url.QueryEscape(pay.ReceiptNumber)+"#inscrit-"+rk, http.StatusSeeOther)
		return
	case errors.As(err, &fields):
		var msgs []string
		for _, f := range fields {
			form.ErrFor[f.Field] = p.T(f.Key, map[string]any{"Limit": views.Money(domain.CashLimitCents)})
			msgs = append(msgs, form.ErrFor[f.Field])
		}
		form.Error = strings.Join(msgs, " ")
	case errors.As(err, &refusal):
		form.Error = p.WordKeyed(refusal)
	default:
		s.paymentError(w, r, err)
		return
	}
	s.renderDeskForm(w, r, fb, mode)
}

func (s *Server) renderDeskForm(w http.ResponseWriter, r *http.Request, fb rosterFeedback, mode domain.PaymentMode) {
	p := s.printer(r)
	fb.desk.Modes = []views.Option{{Value: "cheque", Label: p.T("payment.mode.cheque"), Selected: mode == domain.PayByCheque},
		{Value: "cash", Label: p.T("payment.mode.cash"), Selected: mode == domain.PayInCash}}
	s.renderRoster(w, r, http.StatusUnprocessableEntity, fb)
}

// parseEuros reads an amount typed in euros: "300", "300,00", "300.5".
func parseEuros(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\u00a0", "")
	s = strings.Replace(s, ",", ".", 1)
	if s == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	euros, err1 := strconv.ParseInt(whole, 10, 64)
	cents, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || euros < 0 || euros > 100000 {
		return 0, false
	}
	return euros*100 + cents, true
}

// reprintCard replaces a lost learner card (PAY-6).
func (s *Server) reprintCard(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r, "id")
	enrolmentID, ok2 := pathID(r, "enrolment")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	reason := ""
	for k, v := range r.PostForm {
		if strings.HasPrefix(k, "motif-carte-") && len(v) > 0 {
			reason = v[0]
		}
	}
	card, err := s.Payment.Reprint(r.Context(), currentUser(r).Actor, id, enrolmentID, reason)
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, rosterPath(id)+"?carte="+url.QueryEscape(card.Number), http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderRoster(w, r, http.StatusConflict, rosterFeedback{err: s.printer(r).WordKeyed(refusal)})
	default:
		s.paymentError(w, r, err)
	}
}

// learnerCard builds the card's document from what the service returns.
func (s *Server) learnerCard(pg *views.Page, c payment.IssuedCard) documents.LearnerCard {
	e := c.Course
	d := documents.LearnerCard{FirstName: c.FirstName, LastName: c.LastName, CourseCode: e.Code, Formation: e.Formation.Title,
		Session: e.Session.Name, Slot: schedule(pg.P, e), Number: c.Card.Number,
		IssuedOn: documents.FrenchDate(c.Card.IssuedAt.In(s.Paris)), Reprint: c.Card.Reprint, QRPayload: s.Payment.ScanURL(c.Token)}
	if e.Establishment != nil {
		d.Establishment = e.Establishment.Name
		d.EstablishmentAddress = strings.TrimSpace(e.Establishment.Address + ", " + e.Establishment.PostalCode + " " + e.Establishment.City)
	}
	return d
}

// cardPage is the learner card as a page (PAY-6), its QR code inline.
func (s *Server) cardPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	c, err := s.Payment.OwnCard(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	pg := s.page(r, "card.title")
	p := pg.P
	d := s.learnerCard(pg, c)
	qr, err := documents.QRSVG(d.QRPayload, 200, p.T("card.qr"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := &views.CardView{QR: qr, ScanURL: d.QRPayload, PDF: feesPath + "/" + itoa64(id) + "/carte.pdf", Back: feesPath, Facts: []views.Fact{
		{Label: p.T("card.name"), Value: d.FirstName + " " + d.LastName}, {Label: p.T("course.formation"), Value: d.Formation},
		{Label: p.T("course.code"), Value: d.CourseCode}, {Label: p.T("course.schedule"), Value: d.Slot},
		{Label: p.T("course.establishment"), Value: placeName(pg, c.Course)}, {Label: p.T("course.session"), Value: d.Session},
		{Label: p.T("card.number"), Value: d.Number}, {Label: p.T("card.issued"), Value: d.IssuedOn}}}
	if d.Reprint > 0 {
		v.Facts = append(v.Facts, views.Fact{Label: p.T("card.duplicate"), Value: strconv.Itoa(d.Reprint)})
	}
	s.render(w, r, http.StatusOK, views.CardPage(pg, v))
}

// cardPDF is the learner card to print.
func (s *Server) cardPDF(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	c, err := s.Payment.OwnCard(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	pdf, err := documents.CardPDF(s.learnerCard(s.page(r, "card.title"), c), s.Now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="carte-auditeur-`+c.Card.Number+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pdf)
}

// scanPage is where a card's QR code leads, for the entrance's staff on a
// phone (PAY-6): valid, revoked or unknown, in large.
func (s *Server) scanPage(w http.ResponseWriter, r *http.Request) {
	check, err := s.Payment.ScanCard(r.Context(), currentUser(r).Actor, r.PathValue("token"))
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	pg := s.page(r, "scan.title")
	p := pg.P
	v := &views.ScanView{Verdict: check.Verdict, Heading: p.T("scan." + check.Verdict)}
	if check.Verdict != payment.CardUnknown {
		v.Facts = []views.Fact{{Label: p.T("card.name"), Value: check.Learner}, {Label: p.T("card.number"), Value: check.Card.Number}}
		if e := check.Course; e != nil {
			v.Facts = append(v.Facts, views.Fact{Label: p.T("course.code"), Value: e.Code + " — " + e.Formation.Title},
				views.Fact{Label: p.T("course.schedule"), Value: schedule(p, e)},
				views.Fact{Label: p.T("course.establishment"), Value: placeName(pg, e)})
		}
		if check.Verdict == payment.CardRevoked {
			v.Note = p.T("scan.revoked.note")
		} else if check.Elsewhere {
			v.Note = p.T("scan.elsewhere")
		}
	} else {
		v.Note = p.T("scan.unknown.note")
	}
	status := http.StatusOK
	if check.Verdict == payment.CardUnknown {
		status = http.StatusNotFound
	}
	s.render(w, r, status, views.ScanPage(pg, v))
}

// enrolmentRow reads a course's and an enrolment's IDs from the path and
// finds the enrolment's row on the course's list: the forms' fields are
// named after the row's candidature. It answers the request itself (not
// found, forbidden) when ok is false.
func (s *Server) enrolmentRow(w http.ResponseWriter, r *http.Request) (courseID, enrolmentID, row int64, ok bool) {
	courseID, ok1 := pathID(r, "id")
	enrolmentID, ok2 := pathID(r, "enrolment")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return 0, 0, 0, false
	}
	ro, err := s.Payment.Roster(r.Context(), currentUser(r).Actor, courseID)
	if err != nil {
		s.paymentError(w, r, err)
		return 0, 0, 0, false
	}
	for _, l := range ro.Learners {
		if l.Enrolment != nil && l.Enrolment.ID == enrolmentID {
			return courseID, enrolmentID, l.CandidatureID, true
		}
	}
	s.notFound(w, r)
	return 0, 0, 0, false
}

// extendWindow gives a learner more time to pay (PAY-1).
func (s *Server) extendWindow(w http.ResponseWriter, r *http.Request) {
	id, enrolmentID, row, ok := s.enrolmentRow(w, r)
	if !ok {
		return
	}
	p := s.printer(r)
	rk := itoa64(row)
	until, err := time.Parse(time.DateOnly, r.PostFormValue("jusquau-"+rk))
	if err != nil {
		s.renderRoster(w, r, http.StatusUnprocessableEntity, rosterFeedback{row: row, extendErr: p.T("roster.extend.bad_day")})
		return
	}
	err = s.Payment.ExtendWindow(r.Context(), currentUser(r).Actor, id, enrolmentID, until, r.PostFormValue("motif-delai-"+rk))
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, rosterPath(id)+"?delai=1#inscrit-"+rk, http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderRoster(w, r, http.StatusConflict, rosterFeedback{row: row, extendErr: p.WordKeyed(refusal)})
	default:
		s.paymentError(w, r, err)
	}
}

// extendCourseWindow gives every learner of a course still due more time to
// pay (PAY-1); each one whose last day moves is told.
func (s *Server) extendCourseWindow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	p := s.printer(r)
	day, reason := strings.TrimSpace(r.PostFormValue("jusquau-cours")), r.PostFormValue("motif-delai-cours")
	back := &views.CourseWindowForm{Day: day, Reason: reason}
	until, err := time.Parse(time.DateOnly, day)
	if err != nil {
		back.Error = p.T("roster.extend.bad_day")
		s.renderRoster(w, r, http.StatusUnprocessableEntity, rosterFeedback{courseWindow: back})
		return
	}
	err = s.Payment.ExtendWindow(r.Context(), currentUser(r).Actor, id, 0, until, reason)
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, rosterPath(id)+"?delai=cours#delai-cours", http.StatusSeeOther)
	case errors.As(err, &refusal):
		back.Error = p.WordKeyed(refusal)
		s.renderRoster(w, r, http.StatusConflict, rosterFeedback{courseWindow: back})
	default:
		s.paymentError(w, r, err)
	}
}

// freeUnpaid frees the seat of a learner who did not pay in time (PAY-1).
func (s *Server) freeUnpaid(w http.ResponseWriter, r *http.Request) {
	id, enrolmentID, row, ok := s.enrolmentRow(w, r)
	if !ok {
		return
	}
	err := s.Payment.FreeUnpaid(r.Context(), currentUser(r).Actor, id, enrolmentID, r.PostFormValue("motif-liberer-"+itoa64(row)))
	var refusal *payment.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, rosterPath(id)+"?libere=1", http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderRoster(w, r, http.StatusConflict, rosterFeedback{row: row, rowNotice: "", err: s.printer(r).WordKeyed(refusal)})
	default:
		s.paymentError(w, r, err)
	}
}
