package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/waitlist"
	"cma/internal/web/views"
)

// selfResource is the signed-in person's own account (ROLE-1).
func selfResource(s *Server, r *http.Request) (domain.Resource, bool) {
	if u := currentUser(r); u != nil {
		return domain.Resource{AccountID: u.Account.ID}, true
	}
	return domain.Resource{}, false
}

// basketTarget is whose basket a request is about, and where its forms post:
// the candidate's own, or a person registered by a guidance agent (CAN-8).
type basketTarget struct {
	personID   int64
	action     string
	personName string
}

func (s *Server) ownBasket(r *http.Request) (basketTarget, bool) {
	return basketTarget{personID: currentUser(r).Account.ID, action: "/panier"}, true
}

func (s *Server) assistedBasket(r *http.Request) (basketTarget, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		return basketTarget{}, false
	}
	a, err := s.Accounts.OpenForAssistance(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		if !errors.Is(err, accounts.ErrNotFound) {
			s.Log.Error("assisted registration: open the person", "account", id, "error", err)
		}
		return basketTarget{}, false
	}
	return basketTarget{personID: id, action: "/back-office/inscription-assistee/" + itoa64(id), personName: a.FullName()}, true
}

// refusalText words a rule's refusal in plain French (or English), naming
// courses by title, code and slot.
func refusalText(p *i18n.Printer, ix *catalogue.Index, r domain.Refusal) string {
	name := func(code string) string {
		for _, e := range ix.All() {
			if e.Code == code {
				return "« " + e.Formation.Title + " » (" + e.Code + ", " + weekdayName(p, e) + " " + hours(e) + ")"
			}
		}
		return code
	}
	other := r.Other
	if r.Rule == "CAN-3" {
		other = name(r.Other)
	}
	args := map[string]any{"Course": name(r.Course), "Other": other}
	key := "refusal." + r.Rule
	switch {
	case r.Rule == "CAN-2" && r.Detail != "": // the very course, already in the basket or validated
		key += "." + r.Detail
	case r.Rule == "CAN-1" && r.Basket+r.Validated > 0: // say what holds the places: the basket, the candidatures
		args["Basket"] = p.N("refusal.count.basket", r.Basket)
		args["Validated"] = p.N("refusal.count.validated", r.Validated)
		switch {
		case r.Basket == 0:
			key += ".validated"
		case r.Validated == 0:
			key += ".basket"
		default:
			key += ".both"
		}
	}
	return p.T(key, args)
}

// courseLabel names a course for a person: its formation's title and its
// day and hours, « Anglais » (mardi 18h30–20h30), not its code.
func courseLabel(p *i18n.Printer, e *catalogue.Entry) string {
	return "« " + e.Formation.Title + " » (" + weekdayName(p, e) + " " + hours(e) + ")"
}

func (s *Server) basketView(r *http.Request, pg *views.Page, t basketTarget) (*views.BasketView, *catalogue.Index, error) {
	b, err := s.Candidatures.ShowBasket(r.Context(), currentUser(r).Actor, t.personID)
	if err != nil {
		return nil, nil, err
	}
	ix, err := s.Catalogue.Index(r.Context())
	if ix == nil {
		return nil, nil, err
	}
	p := pg.P
	v := &views.BasketView{Action: t.action, PersonName: t.personName, Token: b.Token, RulesVersion: b.Rules.Version,
		RulesBody: b.Rules.Body, NoRules: b.Rules.Version == "", ErrFor: map[string]string{}}
	if b.Held { // ACC-3: a probable duplicate prepares, staff decide before it validates
		v.Held = p.T(heldKey(t))
	}
	for _, e := range b.Items {
		it := views.BasketItem{ID: e.ID, URL: courseURL(e), Title: e.Formation.Title, Level: p.T("level." + string(e.Level)),
			Schedule: schedule(p, e), Place: placeName(pg, e), Session: e.Session.Name, Price: priceText(p, e),
			Prerequisites: e.Formation.Prerequisites, Evaluation: p.T("evaluation." + string(e.Formation.Evaluation))}
		if it.Prerequisites == "" {
			it.Prerequisites = p.T("course.prerequisites.none")
		}
		if e.Formation.Diploma {
			it.Diploma = p.T("course.diploma.note", map[string]any{"Name": e.Formation.DiplomaName})
		}
		v.Items = append(v.Items, it)
	}
	for _, o := range domain.Objectives {
		v.Objectives = append(v.Objectives, views.Option{Value: string(o), Label: p.T("objective." + string(o))})
	}
	if d := b.Draft; d != nil { // back from the recap: the answers given, the file to choose again
		f := basketForm{Form: candidature.Form{Objective: d.Objective, Motivation: d.Motivation, Social: d.Social,
			AcceptRules: true, RulesVersion: d.RulesVersion, HalfTariff: d.HalfTariff}, FileSent: d.HalfTariff}
		for id := range d.Redirects {
			f.RedirectCourses = append(f.RedirectCourses, id)
		}
		if d.HalfTariff {
			f.ProofDate = d.ProofIssued.Format("02/01/2006")
		}
		f.keep(p, v)
	}
	return v, ix, nil
}

// heldKey words ACC-3's hold for the candidate, or for the staff member
// filing an assisted registration.
func heldKey(t basketTarget) string {
	if t.personName != "" {
		return "basket.held.assisted"
	}
	return "basket.held"
}

func (s *Server) showBasket(w http.ResponseWriter, r *http.Request, t basketTarget, status int, edit func(*views.BasketView, *catalogue.Index)) {
	pg := s.page(r, "basket.title")
	v, ix, err := s.basketView(r, pg, t)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	if edit != nil {
		edit(v, ix)
	}
	s.render(w, r, status, views.Basket(pg, v))
}

func (s *Server) basketPage(w http.ResponseWriter, r *http.Request) {
	t, _ := s.ownBasket(r)
	s.basketGet(w, r, t)
}

func (s *Server) basketGet(w http.ResponseWriter, r *http.Request, t basketTarget) {
	s.showBasket(w, r, t, http.StatusOK, func(v *views.BasketView, ix *catalogue.Index) {
		if code := r.URL.Query().Get("ajoute"); code != "" {
			for _, e := range ix.All() {
				if e.Code == code { // an unknown code says nothing rather than echo the address
					v.Added = s.printer(r).T("basket.added", map[string]any{"Course": courseLabel(s.printer(r), e)})
					break
				}
			}
		}
	})
}

// basketAdd puts a course in the basket, or says which rule refuses it.
func (s *Server) basketAdd(w http.ResponseWriter, r *http.Request, t basketTarget) {
	courseID, ok := courseFormFromRequest(r)
	if !ok {
		s.badRequest(w, r)
		return
	}
	err := s.Candidatures.Add(r.Context(), currentUser(r).Actor, t.personID, courseID)
	var refusals candidature.Refusals
	switch {
	case errors.As(err, &refusals):
		s.showBasket(w, r, t, http.StatusConflict, func(v *views.BasketView, ix *catalogue.Index) {
			for _, x := range refusals {
				v.Refusals = append(v.Refusals, refusalText(s.printer(r), ix, x))
			}
		})
		return
	case err != nil:
		s.serviceError(w, r, err) // an unknown course, another's basket
		return
	}
	code := ""
	if ix, _ := s.Catalogue.Index(r.Context()); ix != nil {
		if e, ok := ix.Course(courseID); ok {
			code = e.Code
		}
	}
	http.Redirect(w, r, t.action+"?ajoute="+urlQueryEscape(code), http.StatusSeeOther)
}

func (s *Server) basketRemove(w http.ResponseWriter, r *http.Request, t basketTarget) {
	courseID, ok := courseFormFromRequest(r)
	if !ok {
		s.badRequest(w, r)
		return
	}
	if err := s.Candidatures.Remove(r.Context(), currentUser(r).Actor, t.personID, courseID); err != nil {
		s.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, t.action, http.StatusSeeOther)
}

// basketPrepare checks the validation form (CAN-4, CAN-6, CAN-7, CAN-9) and,
// when every rule allows it, sends the person to its recap. A refused form
// comes back with every field kept (only a file must be chosen again). The
// route has read the form, multipart with its proof or urlencoded without
// (proofForm, proofupload.go).
func (s *Server) basketPrepare(w http.ResponseWriter, r *http.Request, t basketTarget) {
	form := basketFormFromRequest(r)
	err := s.Candidatures.Prepare(r.Context(), currentUser(r).Actor, t.personID, form.Form)
	if s.formRefused(w, r, t, form, err) {
		return
	}
	http.Redirect(w, r, t.action+"/recapitulatif", http.StatusSeeOther)
}

// formRefused shows the basket again for a validation the service refused,
// with what was typed, and reports whether it did; other errors are answered
// as errors.
func (s *Server) formRefused(w http.ResponseWriter, r *http.Request, t basketTarget, form basketForm, err error) bool {
	pg := s.page(r, "basket.title")
	var ferrs domain.FieldErrors
	var refusals candidature.Refusals
	switch {
	case err == nil:
		return false
	case errors.As(err, &ferrs):
		status := http.StatusBadRequest
		if form.Cut {
			status = http.StatusRequestEntityTooLarge // the form is whole, but for its file
		}
		s.showBasket(w, r, t, status, func(v *views.BasketView, _ *catalogue.Index) {
			form.keep(pg.P, v)
			v.Errors, v.ErrFor = fieldMessages(pg.P, ferrs, basketInputs)
		})
	case errors.As(err, &refusals):
		s.showBasket(w, r, t, http.StatusConflict, func(v *views.BasketView, ix *catalogue.Index) {
			form.keep(pg.P, v)
			for _, x := range refusals {
				v.Refusals = append(v.Refusals, refusalText(pg.P, ix, x))
			}
		})
	case errors.Is(err, candidature.ErrBasketChanged), errors.Is(err, candidature.ErrBasketEmpty):
		s.showBasket(w, r, t, http.StatusConflict, func(v *views.BasketView, _ *catalogue.Index) {
			form.keep(pg.P, v)
			v.Refusals = []string{pg.T("basket.changed")}
		})
	case errors.Is(err, candidature.ErrHeld):
		s.showBasket(w, r, t, http.StatusConflict, func(v *views.BasketView, _ *catalogue.Index) {
			form.keep(pg.P, v)
			v.Refusals = []string{pg.T(heldKey(t))}
		})
	default:
		s.serviceError(w, r, err)
	}
	return true
}

// recapPage is the recap before the definitive validation (CAN-4): the
// courses with their days, places and prices, the half tariff requested or
// not, the rules accepted, then one button. Without a form sent for the basket
// as it is now, the basket's form.
func (s *Server) recapPage(w http.ResponseWriter, r *http.Request, t basketTarget) {
	rc, err := s.Candidatures.Recap(r.Context(), currentUser(r).Actor, t.personID)
	if errors.Is(err, candidature.ErrNoDraft) {
		http.Redirect(w, r, t.action, http.StatusSeeOther)
		return
	}
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	pg := s.page(r, "recap.title")
	s.render(w, r, http.StatusOK, views.Recap(pg, s.recapView(pg, t, rc)))
}

func (s *Server) recapView(pg *views.Page, t basketTarget, rc candidature.Recap) *views.RecapView {
	p := pg.P
	v := &views.RecapView{Action: t.action + "/valider", Back: t.action, PersonName: t.personName, Token: rc.Token,
		RulesVersion: rc.RulesVersion, Objective: p.T("objective." + string(rc.Objective)), Motivation: rc.Motivation}
	if v.Motivation == "" {
		v.Motivation = p.T("recap.none")
	}
	var social []string
	for _, x := range []struct {
		on  bool
		key string
	}{{rc.Social.RSA, "basket.social.rsa"}, {rc.Social.JobSeeker, "basket.social.jobseeker"}, {rc.Social.Subsidised, "basket.social.subsidised"}} {
		if x.on {
			social = append(social, p.T(x.key))
		}
	}
	v.Social = strings.Join(social, " ; ")
	if v.Social == "" {
		v.Social = p.T("recap.none")
	}
	if rc.HalfTariff {
		v.HalfTariff = p.T("recap.half.yes", map[string]any{"Date": pg.ShortDate(rc.ProofIssued)})
	} else {
		v.HalfTariff = p.T("recap.half.no")
	}
	var total int64
	for _, e := range rc.Items {
		it := views.RecapItem{URL: courseURL(e), Title: e.Formation.Title, Level: p.T("level." + string(e.Level)), Place: placeName(pg, e),
			Schedule: schedule(p, e), Session: e.Session.Name, Price: tariffText(p, e, rc.HalfTariff), Redirect: p.T("recap.redirect.no")}
		if rc.Redirects[e.ID] { // SEL-5
			it.Redirect = p.T("recap.redirect.yes")
		}
		if !e.FirstClass.IsZero() {
			it.FirstClass = pg.Date(e.FirstClass)
		}
		total += tariffCents(e, rc.HalfTariff)
		v.Items = append(v.Items, it)
	}
	v.Total = p.T("recap.total.value", map[string]any{"Total": views.Money(total)})
	if rc.HalfTariff {
		v.Total = p.T("recap.total.half", map[string]any{"Total": views.Money(total)})
	}
	return v
}

// tariffCents is what a course costs: its half tariff when one is requested
// with a proof (CAN-9), subject to the proof's check, or its full tariff.
func tariffCents(e *catalogue.Entry, half bool) int64 {
	if half {
		return e.ReducedCents
	}
	return e.PriceCents
}

// tariffText words a course's tariff for the person: the full tariff, or the
// half tariff requested, subject to the proof's check (CAN-9).
func tariffText(p *i18n.Printer, e *catalogue.Entry, half bool) string {
	if half {
		return p.T("tariff.half", map[string]any{"Reduced": views.Money(e.ReducedCents), "Full": views.Money(e.PriceCents)})
	}
	return p.T("tariff.full", map[string]any{"Full": views.Money(e.PriceCents)})
}

// basketValidate is the definitive validation (CAN-4): the recap's one
// button, which posts the basket's token (recapitulatif=1) and validates the
// form kept for the recap; a double click, a retried request or a second tab
// validates once. The whole form posted here straight is validated too, the
// way scripts and the benchmarks send it; the pages always go through the
// recap.
func (s *Server) basketValidate(w http.ResponseWriter, r *http.Request, t basketTarget) {
	pg := s.page(r, "basket.title")
	if r.FormValue("recapitulatif") == "1" {
		_, err := s.Candidatures.ValidateDraft(r.Context(), currentUser(r).Actor, t.personID, r.FormValue("jeton"))
		var refusals candidature.Refusals
		switch {
		case errors.Is(err, candidature.ErrNoDraft), errors.Is(err, candidature.ErrBasketChanged), errors.Is(err, candidature.ErrBasketEmpty):
			s.showBasket(w, r, t, http.StatusConflict, func(v *views.BasketView, _ *catalogue.Index) {
				v.Refusals = []string{pg.T("basket.changed")}
			})
			return
		case errors.As(err, &refusals):
			s.showBasket(w, r, t, http.StatusConflict, func(v *views.BasketView, ix *catalogue.Index) {
				for _, x := range refusals {
					v.Refusals = append(v.Refusals, refusalText(pg.P, ix, x))
				}
			})
			return
		case errors.Is(err, candidature.ErrHeld):
			s.showBasket(w, r, t, http.StatusConflict, func(v *views.BasketView, _ *catalogue.Index) {
				v.Refusals = []string{pg.T(heldKey(t))}
			})
			return
		case err != nil:
			var ferrs domain.FieldErrors
			if errors.As(err, &ferrs) { // the rules changed, the proof's quota, its date now too old
				s.showBasket(w, r, t, http.StatusBadRequest, func(v *views.BasketView, _ *catalogue.Index) {
					v.Errors, v.ErrFor = fieldMessages(pg.P, ferrs, basketInputs)
				})
				return
			}
			s.serviceError(w, r, err)
			return
		}
	} else {
		form := basketFormFromRequest(r)
		_, err := s.Candidatures.Validate(r.Context(), currentUser(r).Actor, t.personID, form.Form)
		if s.formRefused(w, r, t, form, err) {
			return
		}
	}
	if t.personName != "" {
		http.Redirect(w, r, t.action+"?valide=1", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/mes-candidatures?valide=1", http.StatusSeeOther)
}

// validatedNotice is what the page says after a validation (CAN-4, CON-2):
// the confirmation email "va vous être envoyé" until it has been, "vous a été
// envoyé le …" after, and that it could not be when the relay refused it; its
// copy is on the page either way. messages are newest first.
func (s *Server) validatedNotice(pg *views.Page, messages []domain.Message) string {
	for _, m := range messages {
		if m.Kind != "confirmation" {
			continue
		}
		switch m.State() {
		case domain.MessageSent:
			return pg.T("cands.validated.sent", map[string]any{"When": pg.DateTime(m.SentAt, s.Paris)})
		case domain.MessageRefused:
			return pg.T("cands.validated.refused")
		}
		break
	}
	return pg.T("cands.validated.pending")
}

// candidaturesPage is "Mes candidatures et paiements": each candidature with
// its status, price, reference, history and next steps, and a copy of every
// email (CON-2).
func (s *Server) candidaturesPage(w http.ResponseWriter, r *http.Request) {
	s.renderCandidatures(w, r, http.StatusOK, "")
}

func (s *Server) renderCandidatures(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	u := currentUser(r)
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	pg := s.page(r, "cands.title")
	p := pg.P
	space, err := s.Candidatures.Space(r.Context(), u.Actor, u.Account.ID)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	v := &views.CandidaturesView{Error: errMsg}
	if !u.Account.MayValidate() { // ACC-3: held as a probable duplicate until staff decide
		v.Held = p.T("cands.held")
	}
	switch q := r.URL.Query(); {
	case q.Get("valide") == "1":
		v.Done = s.validatedNotice(pg, space.Messages)
	case q.Get("offre") == "acceptee":
		v.Done = p.T("cands.offer.accepted")
	case q.Get("offre") == "refusee":
		v.Done = p.T("cands.offer.declined")
	case q.Get("desistement") != "":
		v.Done = p.T("cands.given_up")
	case q.Get("jour") == "1":
		v.Done = p.T("cands.daychange.asked")
	case q.Get("annule") != "":
		v.Done = p.T("cands.cancelled")
		if id, err := strconv.ParseInt(q.Get("annule"), 10, 64); err == nil {
			for _, c := range space.Candidatures {
				if e, ok := ix.Course(c.CourseID); ok && c.ID == id {
					v.Done = p.T("cands.cancelled.named", map[string]any{"Title": e.Formation.Title, "Schedule": schedule(p, e)})
				}
			}
		}
	}
	now := s.Now()
	convocations := s.convocationLines(r, pg) // SEL-2 (selection_tests.go)
	var lists waitlist.Space                  // SEL-4, SEL-5 (waitlist.go)
	if s.Waitlist != nil {
		if lists, err = s.Waitlist.Space(r.Context(), u.Actor, u.Account.ID); err != nil {
			s.waitlistError(w, r, err)
			return
		}
	}
	for _, c := range space.Candidatures {
		e, ok := ix.Course(c.CourseID)
		if !ok {
			continue
		}
		// Accepted in another course than the one chosen (a redirect, a day
		// change), the row shows the course the learner is in.
		in := e
		if c.Status == domain.CandidatureAccepted && c.AcceptedCourseID != 0 && c.AcceptedCourseID != c.CourseID {
			if a, ok := ix.Course(c.AcceptedCourseID); ok {
				in = a
			}
		}
		row := views.CandidatureRow{ID: c.ID, URL: courseURL(in), Title: e.Formation.Title, Level: p.T("level." + string(in.Level)),
			Schedule: schedule(p, in), Place: placeName(pg, in), Session: e.Session.Name, Status: p.T("cstatus." + string(c.Status)),
			Price: tariffText(p, e, c.HalfTariffClaim), Reference: candidature.Reference(c.ValidationKey),
			CancelURL: "/mes-candidatures/" + itoa64(c.ID) + "/annuler"}
		if e.RemoteNow {
			row.Remote = remoteNotice(p, e) // CAT-6
		}
		row.Convocation = convocations[c.ID]
		if c.AcceptsRedirect { // SEL-5
			row.Redirect = p.T("cands.redirect.yes")
		} else {
			row.Redirect = p.T("cands.redirect.no")
		}
		if c.AssistedBy != 0 {
			row.Assisted = p.T("cands.assisted")
		}
		row.Why = s.candidateWhy(r, p, u.Actor, c) // SEL-1: why, once the run is published
		s.waitlistRow(pg, ix, lists, c, &row)
		if s.Waitlist != nil {
			s.dayChangeRow(pg, ix, lists, c, &row) // SEL-8 (daychange.go)
		}
		for _, h := range space.History[c.ID] {
			row.History = append(row.History, pg.DateTime(h.At, s.Paris)+" — "+p.T("cstatus."+string(h.Status))+" ("+h.Note+")")
			if h.Status == c.Status && (c.Status == domain.CandidatureStruckOff || c.Status == domain.CandidatureExcluded) {
				row.NextSteps = p.T("cands.ended."+string(c.Status), map[string]any{"Note": h.Note}) // ATT-3, ATT-4: the motive
			}
		}
		if c.Active() {
			switch c.Status {
			case domain.CandidatureAccepted, domain.CandidatureWaiting:
				row.NextSteps = p.T("cands.next." + string(c.Status)) // after the run (PER-1)
			default:
				row.NextSteps = p.T("cands.next", map[string]any{"From": pg.ShortDate(e.Session.AnswerOpens.In(s.Paris)),
					"To": pg.ShortDate(e.Session.AnswerCloses.Day()), "Evaluation": p.T("evaluation." + string(e.Formation.Evaluation))})
			}
			if e.Session.MayCancel(now) {
				row.CanCancel = true
				row.CancelUntil = p.T("cands.cancel.until", map[string]any{"When": pg.Deadline(e.Session.CandidatureCloses)})
			}
		}
		v.Rows = append(v.Rows, row)
	}
	for _, m := range space.Messages {
		row := views.MessageRow{ID: m.ID, Subject: m.Subject, Date: pg.DateTime(m.CreatedAt, s.Paris),
			Text: m.Text, Sent: !m.SentAt.IsZero(), Refused: m.State() == domain.MessageRefused}
		switch m.State() {
		case domain.MessageSent:
			row.State = p.T("cands.message.sent", map[string]any{"When": pg.DateTime(m.SentAt, s.Paris)})
		case domain.MessageRefused:
			row.State = p.T("cands.message.refused")
		default:
			row.State = p.T("cands.message.pending")
		}
		v.Messages = append(v.Messages, row)
	}
	s.render(w, r, status, views.Candidatures(pg, v))
}

// cancelPage asks before a candidature is cancelled (CAN-5): what will be
// cancelled, that it cannot be undone, and one button. A candidature that is
// no longer active, or past its deadline, sends back to the space.
func (s *Server) cancelPage(w http.ResponseWriter, r *http.Request) {
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
		e, ok := ix.Course(c.CourseID)
		if !ok {
			break
		}
		pg := s.page(r, "cancel.page")
		p := pg.P
		if !c.Active() {
			http.Redirect(w, r, "/mes-candidatures", http.StatusSeeOther)
			return
		}
		if !e.Session.MayCancel(s.Now()) {
			s.renderCandidatures(w, r, http.StatusConflict, deadlinePassed(pg, e.Session))
			return
		}
		v := &views.CancelView{Action: "/mes-candidatures/" + itoa64(c.ID) + "/annuler", Back: "/mes-candidatures",
			Title: e.Formation.Title, Level: p.T("level." + string(e.Level)), Schedule: schedule(p, e), Place: placeName(pg, e),
			Session: e.Session.Name, Reference: candidature.Reference(c.ValidationKey),
			Until: p.T("cancel.until", map[string]any{"When": pg.Deadline(e.Session.CandidatureCloses)})}
		s.render(w, r, http.StatusOK, views.CancelConfirm(pg, v))
		return
	}
	s.notFound(w, r) // a missing candidature, someone else's
}

// deadlinePassed says that a cancellation comes too late and until when it
// was possible (CAN-5, PER-1: the period's last day, open to its end).
func deadlinePassed(pg *views.Page, session *domain.Session) string {
	return pg.T("cands.deadline.until", map[string]any{"When": pg.Deadline(session.CandidatureCloses)})
}

// deadlinePassedOf is deadlinePassed for the candidature id of u, or the
// plain refusal when its session cannot be read.
func (s *Server) deadlinePassedOf(r *http.Request, u *user, id int64) string {
	pg := s.page(r, "cands.title")
	if space, err := s.Candidatures.Space(r.Context(), u.Actor, u.Account.ID); err == nil {
		if ix, _ := s.Catalogue.Index(r.Context()); ix != nil { // a stale index still knows the session
			for _, c := range space.Candidatures {
				if e, ok := ix.Course(c.CourseID); ok && c.ID == id {
					return deadlinePassed(pg, e.Session)
				}
			}
		}
	}
	return pg.T("cands.deadline")
}

// cancelCandidature cancels until the deadline (CAN-5), once confirmed on
// cancelPage; the service sends the email that says so.
func (s *Server) cancelCandidature(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	err := s.Candidatures.Cancel(r.Context(), u.Actor, u.Account.ID, id)
	switch {
	case errors.Is(err, candidature.ErrDeadline):
		s.renderCandidatures(w, r, http.StatusConflict, s.deadlinePassedOf(r, u, id))
		return
	case err != nil:
		s.serviceError(w, r, err) // a missing candidature, someone else's
		return
	}
	http.Redirect(w, r, "/mes-candidatures?annule="+itoa64(id), http.StatusSeeOther)
}

// withTarget adapts a basket handler to a target resolver.
func (s *Server) withTarget(resolve func(*http.Request) (basketTarget, bool), h func(http.ResponseWriter, *http.Request, basketTarget)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := resolve(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		h(w, r, t)
	}
}
