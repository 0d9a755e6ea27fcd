package web

import (
	"net/http"

	"cma/internal/domain"
	"cma/internal/web/views"
)

// refundsDuePath lists the payments to give back (REF-2): a course that
// did not open (SEL-6) turns each payment made for it into one.
const refundsDuePath = "/back-office/remboursements-dus"

// refundsDuePage lists the refunds due the actor may read with the régie's
// journal, those still due first.
func (s *Server) refundsDuePage(w http.ResponseWriter, r *http.Request) {
	refunds, err := s.Payment.RefundsDue(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	pg := s.page(r, "refunds.title")
	p := pg.P
	v := &views.RefundsDueView{}
	var dueCents int64
	due := 0
	for _, rd := range refunds {
		row := views.RefundDueRow{Code: rd.CourseCode, Learner: personName(rd.FirstName, rd.LastName), Payer: rd.PayerName,
			Amount: views.Money(rd.AmountCents), Paid: pg.ShortDate(rd.PaidAt.In(s.Paris)) + " — " + p.T("payment.mode."+string(rd.Mode)),
			Reason: p.T("refunds.reason." + string(rd.Reason)), Since: pg.ShortDate(rd.CreatedAt.In(s.Paris))}
		if rd.State == domain.RefundDueState {
			row.State = p.T("refunds.state.due")
			dueCents += rd.AmountCents
			due++
		} else {
			row.State, row.Cancelled = p.T("refunds.state.cancelled", map[string]any{"Why": rd.CancelledReason}), true
		}
		v.Rows = append(v.Rows, row)
	}
	v.Summary = p.N("refunds.summary", due, map[string]any{"Amount": views.Money(dueCents)})
	s.render(w, r, http.StatusOK, views.RefundsDuePage(pg, v))
}
