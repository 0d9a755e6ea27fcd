package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/selection"
	"cma/internal/waitlist"
	"cma/internal/web/views"
)

// The candidate's side of the waiting lists (SEL-4, SEL-5): a pending offer
// on "Mes candidatures" and on its own page, where two POST buttons accept
// or decline it (the email's link only opens the page: GET never changes
// anything); the places on each list; giving up a place or a wait, after a
// confirmation page.

// waitlistRow fills a candidature's row with its pending offer, its places
// on the lists and its give-up link.
func (s *Server) waitlistRow(pg *views.Page, ix *catalogue.Index, sp waitlist.Space, c domain.Candidature, row *views.CandidatureRow) {
	p := pg.P
	if o, ok := sp.Pending(c.ID); ok {
		row.Offer = s.offerBox(pg, ix, o)
	}
	for _, pl := range sp.Places[c.ID] {
		name := "n° " + itoa64(pl.CourseID)
		if e, ok := ix.Course(pl.CourseID); ok {
			name = e.Code + " (" + schedule(p, e) + ")"
		}
		row.Places = append(row.Places, p.T("cands.place", map[string]any{"Course": name, "Rank": pl.Rank})+" "+
			pg.N("cands.place.offered", pl.Offered, map[string]any{"N": pl.Offered}))
	}
	if c.Status == domain.CandidatureAccepted || c.Status == domain.CandidatureWaiting {
		row.GiveUpURL = "/mes-candidatures/" + itoa64(c.ID) + "/renoncer"
	}
}

// offerBox words a pending offer.
func (s *Server) offerBox(pg *views.Page, ix *catalogue.Index, o domain.Offer) *views.OfferBox {
	p := pg.P
	course := "n° " + itoa64(o.CourseID)
	if e, ok := ix.Course(o.CourseID); ok {
		course = e.Code + ", " + schedule(p, e) + ", " + placeName(pg, e)
	}
	id := strconv.FormatInt(o.ID, 10)
	b := &views.OfferBox{Heading: p.T("offer.heading", map[string]any{"Course": course}),
		Until:   p.T("offer.until", map[string]any{"Day": pg.Date(o.Deadline.Day())}),
		PageURL: "/mes-offres/" + id, Accept: "/mes-offres/" + id + "/accepter",
		Decline: "/mes-offres/" + id + "/refuser"}
	if o.Redirect {
		b.Redirect = p.T("offer.redirect")
	}
	return b
}

// offerPage shows one offer: what is offered and, while it is pending, the
// two buttons; otherwise what became of it.
func (s *Server) offerPage(w http.ResponseWriter, r *http.Request) {
	s.renderOffer(w, r, http.StatusOK, "")
}

func (s *Server) renderOffer(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	o, err := s.Waitlist.Offer(r.Context(), u.Actor, u.Account.ID, id)
	if err != nil {
		s.waitlistError(w, r, err)
		return
	}
	pg := s.page(r, "offer.page")
	p := pg.P
	v := &views.OfferView{Back: "/mes-candidatures", Error: errMsg}
	if e, ok := ix.Course(o.CourseID); ok {
		v.Title = e.Formation.Title
		v.Facts = []views.Fact{{Label: p.T("course.code"), Value: e.Code}, {Label: p.T("course.level"), Value: p.T("level." + string(e.Level))},
			{Label: p.T("course.schedule"), Value: schedule(p, e)}, {Label: p.T("course.establishment"), Value: placeName(pg, e)},
			{Label: p.T("course.session"), Value: e.Session.Name}}
		if !e.FirstClass.IsZero() {
			v.Facts = append(v.Facts, views.Fact{Label: p.T("offer.first"), Value: pg.Date(e.FirstClass)})
		}
	}
	v.Facts = append(v.Facts, views.Fact{Label: p.T("offer.sent"), Value: pg.DateTime(o.SentAt, s.Paris)},
		views.Fact{Label: p.T("offer.deadline"), Value: pg.Deadline(o.Deadline)})
	if o.Open(s.Now()) {
		v.Box = s.offerBox(pg, ix, o)
	} else {
		state := o.State
		if state == domain.OfferPending { // past its deadline, the timer has not run yet
			state = domain.OfferExpired
		}
		v.State = p.T("offer.state."+string(state), map[string]any{"Deadline": pg.Date(o.Deadline.Day())})
	}
	s.render(w, r, status, views.OfferPage(pg, v))
}

// answerOffer accepts or declines an offer (POST only), then goes back to
// the space with what was done; a refused answer shows the offer's page
// with the reason.
func (s *Server) answerOffer(accept bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "id")
		if !ok {
			s.notFound(w, r)
			return
		}
		u := currentUser(r)
		answer, done := s.Waitlist.Decline, "refusee"
		if accept {
			answer, done = s.Waitlist.Accept, "acceptee"
		}
		if _, err := answer(r.Context(), u.Actor, u.Account.ID, id); err != nil {
			var refusal *waitlist.Refusal
			if errors.As(err, &refusal) {
				s.renderOffer(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal))
				return
			}
			s.waitlistError(w, r, err)
			return
		}
		http.Redirect(w, r, "/mes-candidatures?offre="+done, http.StatusSeeOther)
	}
}

// giveUpPage asks before a place, or a wait, is given up.
func (s *Server) giveUpPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	space, err := s.Candidatures.Space(r.Context(), u.Actor, u.Account.ID)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	for _, c := range space.Candidatures {
		if c.ID != id {
			continue
		}
		if c.Status != domain.CandidatureAccepted && c.Status != domain.CandidatureWaiting {
			http.Redirect(w, r, "/mes-candidatures", http.StatusSeeOther)
			return
		}
		course := c.CourseID
		if c.Status == domain.CandidatureAccepted && c.AcceptedCourseID != 0 {
			course = c.AcceptedCourseID
		}
		e, ok := ix.Course(course)
		if !ok {
			break
		}
		pg := s.page(r, "giveup.page")
		p := pg.P
		v := &views.GiveUpView{Title: e.Formation.Title, Action: "/mes-candidatures/" + itoa64(c.ID) + "/renoncer",
			Back: "/mes-candidatures", Facts: []views.Fact{{Label: p.T("course.code"), Value: e.Code},
				{Label: p.T("course.schedule"), Value: schedule(p, e)}, {Label: p.T("course.establishment"), Value: placeName(pg, e)},
				{Label: p.T("course.session"), Value: e.Session.Name}, {Label: p.T("cands.status"), Value: p.T("cstatus." + string(c.Status))}},
			Notice: p.T("giveup.notice." + string(c.Status))}
		s.render(w, r, http.StatusOK, views.GiveUpConfirm(pg, v))
		return
	}
	s.notFound(w, r)
}

// giveUp records the désistement, once confirmed.
func (s *Server) giveUp(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	if _, err := s.Waitlist.GiveUp(r.Context(), u.Actor, u.Account.ID, id); err != nil {
		var refusal *waitlist.Refusal
		if errors.As(err, &refusal) {
			s.renderCandidatures(w, r, http.StatusConflict, s.printer(r).WordKeyed(refusal))
			return
		}
		s.waitlistError(w, r, err)
		return
	}
	http.Redirect(w, r, "/mes-candidatures?desistement="+itoa64(id), http.StatusSeeOther)
}

// waitlistError answers a failure of the waiting lists' service.
func (s *Server) waitlistError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, waitlist.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, waitlist.ErrForbidden):
		s.forbidden(w, r, false)
	default:
		s.serverError(w, r, err)
	}
}

// waitingListParts adds to a course's lists page every offer made from its
// waiting list and, for staff who may, the form that changes its order.
func (s *Server) waitingListParts(r *http.Request, pg *views.Page, actor domain.Actor, e *catalogue.Entry,
	waiting []selection.Learner, v *views.CourseListsView, reorder *views.ReorderForm) error {
	p := pg.P
	offers, err := s.Waitlist.CourseOffers(r.Context(), actor, e.ID)
	if err != nil {
		return err
	}
	for _, o := range offers {
		why := p.T("lists.offers.freed." + o.FreedBy)
		if o.Redirect {
			why += " — " + p.T("lists.offers.redirect")
		}
		state := p.T("lists.offers.state." + string(o.State))
		if !o.AnsweredAt.IsZero() {
			state += " (" + pg.DateTime(o.AnsweredAt, s.Paris) + ")"
		}
		v.Offers = append(v.Offers, views.OfferRow{Sent: pg.DateTime(o.SentAt, s.Paris),
			Name: personName(o.FirstName, o.LastName), Position: itoa64(int64(o.Position)),
			Why: why, Deadline: pg.Deadline(o.Deadline), State: state})
	}
	if r.URL.Query().Get("rang") == "1" {
		v.Done = p.T("lists.reorder.done")
	}
	if r.URL.Query().Get("desistement") == "1" {
		v.Done = p.T("lists.withdraw.done")
	}
	if err := s.closeParts(r, pg, actor, e, len(v.Accepted), v); err != nil {
		return err
	}
	if !s.Waitlist.MayReorder(r.Context(), actor, e.ID) {
		return nil
	}
	f := reorder
	if f == nil {
		f = &views.ReorderForm{}
	}
	f.Action = "/back-office/cours/" + itoa64(e.ID) + "/listes/rang"
	selected := r.PostFormValue("candidature")
	for _, l := range waiting {
		id := itoa64(l.CandidatureID)
		f.Candidates = append(f.Candidates, views.Option{Value: id, Selected: id == selected,
			Label: itoa64(int64(l.Position)) + " — " + personName(l.FirstName, l.LastName)})
	}
	v.Reorder = f
	return nil
}

// reorderWaiting changes a course's waiting-list order, with its reason.
func (s *Server) reorderWaiting(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	p := s.printer(r)
	f := &views.ReorderForm{Rank: strings.TrimSpace(r.PostFormValue("rang")), Reason: r.PostFormValue("motif"), ErrFor: map[string]string{}}
	cand, err1 := strconv.ParseInt(r.PostFormValue("candidature"), 10, 64)
	rank, err2 := strconv.Atoi(f.Rank)
	if err1 != nil {
		f.ErrFor["candidature"] = p.T("lists.reorder.error.who")
	}
	if err2 != nil {
		f.ErrFor["rang"] = p.T("lists.reorder.error.rank")
	}
	if len(f.ErrFor) > 0 {
		f.Error = p.T("lists.reorder.error")
		s.renderCourseLists(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err := s.Waitlist.Move(r.Context(), u.Actor, id, cand, rank, f.Reason); err != nil {
		var refusal *waitlist.Refusal
		if errors.As(err, &refusal) {
			f.Error = p.WordKeyed(refusal)
			switch refusal.Key {
			case "waitlist.move.reason", "waitlist.move.reason_long":
				f.ErrFor["motif"] = f.Error
			case "waitlist.move.rank":
				f.ErrFor["rang"] = f.Error
			}
			s.renderCourseLists(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.waitlistError(w, r, err)
		return
	}
	http.Redirect(w, r, "/back-office/cours/"+itoa64(id)+"/listes?rang=1#attente", http.StatusSeeOther)
}

// setOfferDays changes how long the session's offers stay open.
func (s *Server) setOfferDays(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	page := adminSessionsPath + "/" + itoa64(id)
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("jours")))
	if err == nil {
		err = s.Waitlist.SetOfferDays(r.Context(), currentUser(r).Actor, id, days)
	}
	var refusal *waitlist.Refusal
	switch {
	case err == nil:
		http.Redirect(w, r, page+"?fait=offer_days", http.StatusSeeOther)
	case errors.As(err, &refusal), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		http.Redirect(w, r, page+"?erreur=jours#delai-offres", http.StatusSeeOther)
	default:
		s.waitlistError(w, r, err)
	}
}

// closeParts says a course does not open, or offers the central service the
// form that closes it when the session's rule allows (SEL-6).
func (s *Server) closeParts(r *http.Request, pg *views.Page, actor domain.Actor, e *catalogue.Entry, accepted int, v *views.CourseListsView) error {
	if q := r.URL.Query(); q.Get("ferme") != "" {
		v.Done = pg.T("lists.close.done", map[string]any{"Told": q.Get("ferme"), "Offered": q.Get("proposees")})
	}
	err := s.Waitlist.MayClose(r.Context(), actor, e.ID)
	var refusal *waitlist.Refusal
	switch {
	case err == nil:
		opening, err := s.Waitlist.SessionOpening(r.Context(), actor, e.SessionID)
		if err != nil {
			return err
		}
		f := v.Close
		if f == nil {
			f = &views.CloseForm{ErrFor: map[string]string{}}
		}
		f.Action = "/back-office/cours/" + itoa64(e.ID) + "/listes/fermer"
		f.Intro = pg.T("lists.close.intro", map[string]any{"Count": accepted, "Min": opening.MinLearners})
		v.Close = f
	case errors.As(err, &refusal):
		if refusal.Key == "waitlist.close.closed" {
			v.Closed = pg.T("lists.closed")
		}
	case errors.Is(err, waitlist.ErrForbidden):
		if closed, cerr := s.Waitlist.CourseClosed(r.Context(), actor, e.ID); cerr == nil && closed {
			v.Closed = pg.T("lists.closed")
		}
	default:
		return err
	}
	return nil
}

// closeCourse closes a course that will not open, once confirmed.
func (s *Server) closeCourse(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	p := s.printer(r)
	f := &views.CloseForm{Reason: r.PostFormValue("motif-fermeture"), ErrFor: map[string]string{}}
	if r.PostFormValue("confirmer") != "1" {
		f.ErrFor["confirmer"] = p.T("lists.close.unconfirmed")
		f.Error = f.ErrFor["confirmer"]
		s.renderCourseListsClose(w, r, f)
		return
	}
	res, err := s.Waitlist.CloseCourse(r.Context(), currentUser(r).Actor, id, f.Reason)
	if err != nil {
		var refusal *waitlist.Refusal
		if errors.As(err, &refusal) {
			f.Error = p.WordKeyed(refusal)
			if refusal.Key == "waitlist.close.reason" || refusal.Key == "waitlist.move.reason_long" {
				f.ErrFor["motif-fermeture"] = f.Error
			}
			s.renderCourseListsClose(w, r, f)
			return
		}
		s.waitlistError(w, r, err)
		return
	}
	http.Redirect(w, r, "/back-office/cours/"+itoa64(id)+"/listes?ferme="+strconv.Itoa(res.Told)+"&proposees="+strconv.Itoa(res.Offered),
		http.StatusSeeOther)
}

// setOpening changes the session's rule for courses that may not open.
func (s *Server) setOpening(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	page := adminSessionsPath + "/" + itoa64(id)
	var o waitlist.Opening
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("minimum")))
	o.MinLearners = n
	if raw := strings.TrimSpace(r.PostFormValue("decision")); err == nil && raw != "" {
		if o.DecisionOn, err = time.Parse(time.DateOnly, raw); err != nil {
			o.DecisionOn, err = time.Parse("02/01/2006", raw)
		}
	}
	if err == nil {
		err = s.Waitlist.SetSessionOpening(r.Context(), currentUser(r).Actor, id, o)
	}
	var refusal *waitlist.Refusal
	var perr *time.ParseError
	switch {
	case err == nil:
		http.Redirect(w, r, page+"?fait=opening", http.StatusSeeOther)
	case errors.As(err, &refusal), errors.As(err, &perr), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		http.Redirect(w, r, page+"?erreur=ouverture#ouverture", http.StatusSeeOther)
	default:
		s.waitlistError(w, r, err)
	}
}

// withdrawParts adds, for staff who may, the form that records a
// désistement of one of the course's learners or waiting candidates.
func (s *Server) withdrawParts(r *http.Request, pg *views.Page, actor domain.Actor, e *catalogue.Entry,
	accepted, waiting []selection.Learner, v *views.CourseListsView, f *views.WithdrawForm) {
	if !s.Waitlist.MayReorder(r.Context(), actor, e.ID) || len(accepted)+len(waiting) == 0 {
		return
	}
	if f == nil {
		f = &views.WithdrawForm{ErrFor: map[string]string{}}
	}
	f.Action = "/back-office/cours/" + itoa64(e.ID) + "/listes/desistement"
	selected := r.PostFormValue("candidature-desistement")
	f.Candidates = []views.Option{{Value: "", Label: pg.T("lists.withdraw.who.choose")}}
	add := func(l selection.Learner, what string) {
		id := itoa64(l.CandidatureID)
		f.Candidates = append(f.Candidates, views.Option{Value: id, Selected: id == selected,
			Label: personName(l.FirstName, l.LastName) + " — " + what})
	}
	for _, l := range accepted {
		add(l, pg.T("cstatus.accepted"))
	}
	for _, l := range waiting {
		add(l, pg.T("lists.withdraw.waiting", map[string]any{"Rank": l.Position}))
	}
	v.Withdraw = f
}

// withdraw records a désistement for staff, with its reason.
func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	p := s.printer(r)
	f := &views.WithdrawForm{Reason: r.PostFormValue("motif-desistement"), ErrFor: map[string]string{}}
	cand, err := strconv.ParseInt(r.PostFormValue("candidature-desistement"), 10, 64)
	if err != nil {
		f.ErrFor["candidature-desistement"] = p.T("lists.withdraw.who.error")
		f.Error = f.ErrFor["candidature-desistement"]
		s.renderCourseListsWithdraw(w, r, f)
		return
	}
	if _, err := s.Waitlist.Withdraw(r.Context(), currentUser(r).Actor, cand, f.Reason); err != nil {
		var refusal *waitlist.Refusal
		if errors.As(err, &refusal) {
			f.Error = p.WordKeyed(refusal)
			if refusal.Key == "waitlist.withdraw.reason" || refusal.Key == "waitlist.move.reason_long" {
				f.ErrFor["motif-desistement"] = f.Error
			}
			s.renderCourseListsWithdraw(w, r, f)
			return
		}
		s.waitlistError(w, r, err)
		return
	}
	http.Redirect(w, r, "/back-office/cours/"+itoa64(id)+"/listes?desistement=1", http.StatusSeeOther)
}
