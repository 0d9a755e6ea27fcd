package web

import (
	"net/http"

	"cma/internal/web/views"
)

// unpaidPath is the director's queue of fees still due (PAY-1): once a
// window has passed, the director sees who has not paid and decides, on the
// course's enrolment list, more time or the seat freed.
const unpaidPath = "/back-office/paiements-en-retard"

// unpaidPage lists the fees still due of the courses the actor may manage
// the payments of, overdue first, then by last day.
func (s *Server) unpaidPage(w http.ResponseWriter, r *http.Request) {
	fees, err := s.Payment.Unpaid(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	pg := s.page(r, "unpaid.title")
	p := pg.P
	v := &views.UnpaidView{}
	overdue := 0
	places := map[int64]bool{}
	for _, f := range fees {
		en, e := f.Enrolment, f.Course
		name := personName(f.FirstName, f.LastName)
		row := views.UnpaidRow{Code: e.Code, Formation: e.Formation.Title, Place: placeName(pg, e), Name: name,
			Amount: feeAmount(p, en.Fee), Overdue: f.Overdue,
			URL:       rosterPath(e.ID) + "#inscrit-" + itoa64(en.CandidatureID),
			LinkLabel: p.T("unpaid.open.label", map[string]any{"Name": name, "Code": e.Code})}
		switch {
		case f.Overdue:
			row.LastDay = p.T("roster.overdue", map[string]any{"Until": pg.ShortDate(en.LastDay())})
			overdue++
		default:
			row.LastDay = p.T("roster.due", map[string]any{"Until": pg.ShortDate(en.LastDay())})
		}
		if en.Fee.Pending {
			row.LastDay += " — " + p.T("roster.half_pending")
		}
		places[e.EstablishmentID] = true
		v.Rows = append(v.Rows, row)
	}
	v.ShowPlace = len(places) > 1
	v.Summary = p.N("unpaid.summary", len(fees)) + " " + p.N("unpaid.overdue", overdue)
	if overdue == len(fees) {
		v.Summary = p.N("unpaid.summary", len(fees)) + " " + p.N("unpaid.overdue_all", overdue)
	}
	s.render(w, r, http.StatusOK, views.UnpaidPage(pg, v))
}
