package web

import (
	"net/http"
	"net/url"
	"strconv"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// The back-office home: each of the staff member's roles shows its work
// there (ROLE-2..7): the director's figures for her establishment, the
// trainer's courses, the central service's sessions and queues, the help
// desk's search, the guidance staff's assisted registration.

// backOfficeHome has one section per role of the staff member. Each figure
// links to the list behind it.
func (s *Server) backOfficeHome(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	pg := s.page(r, "bo.title")
	p := pg.P
	v := &views.BackOfficeHomeView{Name: u.Account.FullName()}
	for _, g := range u.Account.Grants {
		v.Roles = append(v.Roles, p.T("role."+string(g.Role)))
		sec := views.HomeSection{Title: p.T("role." + string(g.Role))}
		switch g.Role {
		case domain.RoleCentral:
			if err := s.centralHome(r, pg, ix, &sec); err != nil {
				s.serviceError(w, r, err)
				return
			}
		case domain.RoleDirector:
			e, ok := ix.Establishment(g.EstablishmentID)
			if !ok {
				continue
			}
			if err := s.directorHome(r, pg, ix, e, &sec); err != nil {
				s.serviceError(w, r, err)
				return
			}
		case domain.RoleCoordinator:
			if f, ok := ix.Formation(g.FormationID); ok {
				sec.Title += " — " + f.Title
				sec.Links = append(sec.Links, views.Link{URL: "/back-office/formations/" + itoa64(f.ID), Label: f.Title,
					Hint: p.T("bo.home.formation.hint")})
			}
		case domain.RoleTrainer:
			if e, ok := ix.Course(g.CourseID); ok {
				sec.Title = p.T("bo.home.trainer")
				sec.Links = append(sec.Links, views.Link{URL: "/back-office/cours/" + itoa64(e.ID),
					Label: e.Formation.Title + " — " + e.Code, Hint: schedule(p, e) + ", " + e.Establishment.Name},
					views.Link{URL: registersPath(e.ID), Label: p.T("att.title") + " — " + e.Code, Hint: p.T("att.link")}) // ATT-1
			}
		case domain.RoleHelpDesk:
			sec.PeopleSearch = true
			sec.Intro = p.T("bo.home.helpdesk.intro")
		case domain.RoleRegisseur: // the régie's accountant: every ledger, read only (ledger.go)
			sec.Links = append(sec.Links, views.Link{URL: ledgerPath, Label: p.T("ledger.title"), Hint: p.T("ledger.home.hint.regisseur")},
				views.Link{URL: refundsDuePath, Label: p.T("refunds.title"), Hint: p.T("refunds.home.hint")}) // REF-2 (refunds.go)
		case domain.RoleGuidance:
			sec.Intro = p.T("bo.home.guidance.intro")
			sec.Start = &views.Link{URL: "/back-office/inscription-assistee", Label: p.T("bo.home.guidance.start")}
		}
		if g.Role == domain.RoleCentral || g.Role == domain.RoleDirector || g.Role == domain.RoleCoordinator {
			sec.Links = append(sec.Links, testsLinks(pg, ix)...)                              // SEL-2 (selection_tests.go)
			sec.Links = append(sec.Links, views.Link{URL: "/back-office/changements-de-jour", // SEL-8 (daychange.go)
				Label: p.T("daychange.queue.title"), Hint: p.T("bo.home.daychanges.hint." + string(g.Role))})
		}
		if g.Role == domain.RoleCentral {
			sec.Links = append(sec.Links, sessionLinks(pg, ix, "bo.selrun.link", runsPath)...)                                       // SEL-1, PER-1 (selection_runs.go)
			sec.Links = append(sec.Links, views.Link{URL: strikeOffPath, Label: p.T("strike.title"), Hint: p.T("strike.home.hint")}) // ATT-3 (strike.go)
		}
		if g.Role == domain.RoleDirector || g.Role == domain.RoleCentral { // fees still due (PAY-1, unpaid.go)
			sec.Links = append(sec.Links, views.Link{URL: unpaidPath, Label: p.T("unpaid.title"),
				Hint: p.T("bo.home.unpaid.hint." + string(g.Role))})
		}
		switch g.Role { // the régie's ledger (ledger.go): the director's own, every one for the central service
		case domain.RoleDirector:
			sec.Links = append(sec.Links, views.Link{URL: ledgerEstPath(g.EstablishmentID), Label: p.T("ledger.title"),
				Hint: p.T("ledger.home.hint")})
		case domain.RoleCentral:
			sec.Links = append(sec.Links, views.Link{URL: ledgerPath, Label: p.T("ledger.title"), Hint: p.T("ledger.home.hint.regisseur")},
				views.Link{URL: refundsDuePath, Label: p.T("refunds.title"), Hint: p.T("refunds.home.hint")}) // REF-2 (refunds.go)
		}
		v.Sections = mergeSection(v.Sections, sec)
	}
	s.render(w, r, http.StatusOK, views.BackOfficeHome(pg, v))
}

// mergeSection adds sec, or its links to the section of the same title (a
// trainer's several courses make one list).
func mergeSection(secs []views.HomeSection, sec views.HomeSection) []views.HomeSection {
	for i := range secs {
		if secs[i].Title == sec.Title && len(sec.Tiles) == 0 && !sec.PeopleSearch && sec.Start == nil {
			secs[i].Links = append(secs[i].Links, sec.Links...)
			return secs
		}
	}
	return append(secs, sec)
}

// openSession is the session whose candidature period is open now, if one is.
func (s *Server) openSession(ix *catalogue.Index) (domain.Session, bool) {
	now := s.Now()
	for _, se := range ix.Sessions {
		if se.CandidatureOpen(now) {
			return se, true
		}
	}
	return domain.Session{}, false
}

// directorHome is the director's establishment in three figures (ROLE-3):
// its courses, their candidatures and the places left, of the session open
// to candidatures when there is one, of every session otherwise.
func (s *Server) directorHome(r *http.Request, pg *views.Page, ix *catalogue.Index, est *domain.Establishment, sec *views.HomeSection) error {
	p := pg.P
	u := currentUser(r)
	sec.Title += " — " + est.Name
	session, open := s.openSession(ix)
	counts, err := s.Candidatures.Counts(r.Context(), u.Actor, session.ID, est.ID)
	if err != nil {
		return err
	}
	courses, candidatures, places := 0, 0, 0
	for _, e := range ix.All() {
		if e.EstablishmentID != est.ID || (open && e.SessionID != session.ID) {
			continue
		}
		courses++
		candidatures += counts[e.ID].Submitted
		places += e.PlacesLeft()
	}
	q := url.Values{"etablissement": {itoa64(est.ID)}}
	if open {
		q.Set("session", itoa64(session.ID))
		sec.Intro = p.T("bo.home.director.session", map[string]any{"Session": session.Name})
	}
	sub := url.Values{"statut": {string(domain.CandidatureSubmitted)}}
	for k, vs := range q {
		sub[k] = vs
	}
	byPlaces := url.Values{"tri_cours": {"places"}, "ordre_cours": {"desc"}}
	for k, vs := range q {
		byPlaces[k] = vs
	}
	sec.Tiles = []views.Tile{
		{Value: strconv.Itoa(courses), Label: tileLabel(courses, p.T("bo.home.tile.courses.one", map[string]any{"Count": courses}), p.T("bo.home.tile.courses.other", map[string]any{"Count": courses})),
			URL: "/back-office/etablissements/" + itoa64(est.ID)},
		{Value: strconv.Itoa(candidatures), Label: tileLabel(candidatures, p.T("bo.home.tile.candidatures.one", map[string]any{"Count": candidatures}), p.T("bo.home.tile.candidatures.other", map[string]any{"Count": candidatures})),
			URL: withQuery(candidaturesPath, sub) + "#liste-titre"},
		{Value: strconv.Itoa(places), Label: tileLabel(places, p.T("bo.home.tile.places.one", map[string]any{"Count": places}), p.T("bo.home.tile.places.other", map[string]any{"Count": places})),
			URL: withQuery(candidaturesPath, byPlaces) + "#cours-titre"},
	}
	sec.Links = []views.Link{
		{URL: "/back-office/etablissements/" + itoa64(est.ID), Label: est.Name, Hint: pg.District(est.District)},
		{URL: withQuery(candidaturesPath, q), Label: p.T("bo.cand.establishment"), Hint: p.T("bo.cand.hint")},
	}
	return nil
}

// centralHome is the central service's work (ROLE-5): the sessions with the
// state of their candidature period, the queues waiting for it, and its pages.
func (s *Server) centralHome(r *http.Request, pg *views.Page, ix *catalogue.Index, sec *views.HomeSection) error {
	p := pg.P
	u := currentUser(r)
	now := s.Now()
	pending, err := s.Accounts.PendingDuplicates(r.Context(), u.Actor)
	if err != nil {
		return err
	}
	sec.Tiles = append(sec.Tiles, views.Tile{Value: strconv.Itoa(len(pending)), URL: "/back-office/doublons",
		Label: tileLabel(len(pending), p.T("bo.home.tile.duplicates.one", map[string]any{"Count": len(pending)}), p.T("bo.home.tile.duplicates.other", map[string]any{"Count": len(pending)}))})
	_, heldSignIns, err := s.Accounts.PendingStaffSignIns(r.Context(), u.Actor, 1, 0)
	if err != nil {
		return err
	}
	sec.Tiles = append(sec.Tiles, views.Tile{Value: strconv.Itoa(heldSignIns), URL: staffSignInsPath,
		Label: tileLabel(heldSignIns, p.T("bo.home.tile.signins.one"), p.T("bo.home.tile.signins.other"))})
	// CON-2: the emails the relay refused wait for a resend; those waiting
	// show a relay that does not take them.
	mailPending, mailRefused, err := s.Mail.Counts(r.Context(), u.Actor)
	if err != nil {
		return err
	}
	sec.Tiles = append(sec.Tiles,
		views.Tile{Value: strconv.Itoa(mailRefused), URL: mailPath + "?etat=refuse",
			Label: tileLabel(mailRefused, p.T("bo.home.tile.mail_refused.one"), p.T("bo.home.tile.mail_refused.other"))},
		views.Tile{Value: strconv.Itoa(mailPending), URL: mailPath + "?etat=attente",
			Label: tileLabel(mailPending, p.T("bo.home.tile.mail_pending.one"), p.T("bo.home.tile.mail_pending.other"))})
	if se, open := s.openSession(ix); open {
		counts, err := s.Candidatures.Counts(r.Context(), u.Actor, se.ID, 0)
		if err != nil {
			return err
		}
		n, held := 0, 0
		for _, c := range counts {
			n += c.Submitted
		}
		for _, e := range ix.All() {
			if e.SessionID == se.ID && counts[e.ID].Submitted > e.PlacesLeft() {
				held++
			}
		}
		q := url.Values{"session": {itoa64(se.ID)}, "statut": {string(domain.CandidatureSubmitted)}}
		sec.Tiles = append(sec.Tiles,
			views.Tile{Value: strconv.Itoa(n), URL: withQuery(candidaturesPath, q) + "#liste-titre",
				Label: tileLabel(n, p.T("bo.home.tile.submitted.one", map[string]any{"Count": n, "Session": se.Name}), p.T("bo.home.tile.submitted.other", map[string]any{"Count": n, "Session": se.Name}))},
			views.Tile{Value: strconv.Itoa(held), URL: withQuery(candidaturesPath, url.Values{"session": {itoa64(se.ID)},
				"tri_cours": {"deposees"}, "ordre_cours": {"desc"}}) + "#cours-titre",
				Label: tileLabel(held, p.T("bo.home.tile.oversubscribed.one", map[string]any{"Count": held}), p.T("bo.home.tile.oversubscribed.other", map[string]any{"Count": held}))})
	}
	for _, se := range ix.Sessions {
		row := views.HomeSession{Name: se.Name, URL: withQuery(candidaturesPath, url.Values{"session": {itoa64(se.ID)}})}
		switch {
		case se.CandidatureOpen(now):
			row.State = p.T("bo.home.session.open", map[string]any{"Until": pg.Deadline(se.CandidatureCloses)})
			row.Open = true
		case now.Before(se.CandidatureOpens):
			row.State = p.T("bo.home.session.coming", map[string]any{"From": pg.DateTime(se.CandidatureOpens, s.Paris),
				"Until": pg.Deadline(se.CandidatureCloses)})
		default:
			row.State = p.T("bo.home.session.closed", map[string]any{"Since": pg.ShortDate(se.CandidatureCloses.Day())})
		}
		row.Dates = p.T("bo.home.session.dates", map[string]any{"From": pg.ShortDate(se.FirstDay), "To": pg.ShortDate(se.LastDay)})
		sec.Sessions = append(sec.Sessions, row)
	}
	sec.Links = []views.Link{
		{URL: hubPath, Label: p.T("admin.hub.title"), Hint: p.T("admin.hub.home.hint")}, // ROLE-5: the catalogue administration
		{URL: candidaturesPath, Label: p.T("bo.cand.title"), Hint: p.T("bo.cand.hint")},
		{URL: "/back-office/personnes", Label: p.T("bo.people.title"), Hint: p.T("bo.people.hint")},
		{URL: "/back-office/doublons", Label: p.T("bo.dup.title"), Hint: p.T("bo.dup.count", map[string]any{"Count": len(pending)})},
		{URL: staffSignInsPath, Label: p.T("bo.signins.title"), Hint: p.T("bo.signins.count", map[string]any{"Count": heldSignIns})},
		{URL: "/back-office/journal", Label: p.T("bo.audit.title"), Hint: p.T("bo.audit.hint")},
		{URL: mailPath, Label: p.T("bo.mail.title"), Hint: p.T("bo.mail.home.hint", map[string]any{"Pending": mailPending, "Refused": mailRefused})},
		{URL: "/back-office/inscription-assistee", Label: p.T("assisted.title"), Hint: p.T("bo.assisted.hint")},
		{URL: apiTokensPath, Label: p.T("bo.apitokens.title"), Hint: p.T("bo.apitokens.home.hint")},
	}
	return nil
}

// tileLabel is a figure's words, one or other by its count.
func tileLabel(n int, one, other string) string {
	if n == 1 {
		return one
	}
	return other
}
