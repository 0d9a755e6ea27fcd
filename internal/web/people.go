package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"cma/internal/accounts"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// People: the staff search and a person's file, with the identity correction
// (ACC-4, ROLE-5, ROLE-7). Every read goes through the accounts service, which
// records it in the audit trail.

// peopleSearchLimit caps the people search's results.
const peopleSearchLimit = 50

func (s *Server) personRow(pg *views.Page, a domain.Account) views.PersonRow {
	return views.PersonRow{URL: "/back-office/personnes/" + itoa64(a.ID), Name: nameOrEmail(a), Email: a.Email,
		Kind: pg.T("kind." + string(a.Kind)), Status: pg.T("status." + string(a.Status))}
}

// peopleSearch finds a person by name or email (help desk, central service).
func (s *Server) peopleSearch(w http.ResponseWriter, r *http.Request) {
	q, ok := searchParam(r.URL.Query(), "q")
	if !ok {
		s.requestError(w, r, http.StatusBadRequest, "filter.error.too_long")
		return
	}
	pg := s.page(r, "bo.people.title")
	v := &views.PeopleSearchView{Query: q}
	if v.Query != "" {
		found, err := s.Accounts.SearchPeople(r.Context(), currentUser(r).Actor, v.Query, peopleSearchLimit)
		if err != nil {
			s.serviceError(w, r, err)
			return
		}
		v.Searched = true
		for _, a := range found {
			v.Results = append(v.Results, s.personRow(pg, a))
		}
	}
	s.render(w, r, http.StatusOK, views.PeopleSearch(pg, v))
}

func (s *Server) personFileView(r *http.Request, pg *views.Page, a domain.Account) (*views.PersonFileView, error) {
	u := currentUser(r)
	v := &views.PersonFileView{ID: a.ID, Name: nameOrEmail(a), Email: a.Email, Kind: pg.T("kind." + string(a.Kind)),
		Status: pg.T("status." + string(a.Status)), FirstName: a.FirstName, LastName: a.LastName,
		BirthDate: pg.T("bo.unknown"), Phone: domain.FormatPhone(a.Phone), Created: pg.DateTime(a.CreatedAt, s.Paris), ErrFor: map[string]string{},
		CanCorrect: domain.Can(u.Actor, domain.ActCorrectIdentity, domain.Resource{AccountID: a.ID})}
	if !a.BirthDate.IsZero() {
		v.BirthDate, v.BirthDateValue = pg.ShortDate(a.BirthDate), a.BirthDate.Format(time.DateOnly)
	}
	v.Address = strings.TrimSpace(strings.Join([]string{a.Address.Line1, a.Address.Line2, a.Address.PostalCode, a.Address.City}, " "))
	if domain.Can(u.Actor, domain.ActReadAudit, domain.Resource{}) {
		events, _, err := s.Accounts.SearchAudit(r.Context(), u.Actor, accounts.AuditQuery{SubjectID: a.ID, Limit: 20})
		if err != nil {
			return nil, err
		}
		v.History = s.auditRows(pg, events)
	}
	if err := s.personIdentities(r, pg, a, v); err != nil {
		return nil, err
	}
	if err := s.personCandidatures(r, pg, a, v); err != nil {
		return nil, err
	}
	return v, nil
}

// personCandidatures adds the person's candidatures to their file, newest
// first, each with its events (ROLE-5, ROLE-7).
func (s *Server) personCandidatures(r *http.Request, pg *views.Page, a domain.Account, v *views.PersonFileView) error {
	u := currentUser(r)
	rec, err := s.Candidatures.PersonRecord(r.Context(), u.Actor, a)
	if err != nil {
		return err
	}
	ix, err := s.Catalogue.Index(r.Context())
	if ix == nil {
		return err
	}
	for _, c := range rec.Candidatures {
		row := views.PersonCandidatureRow{Status: statusWord(pg.P, c.Status), Filed: pg.DateTime(c.CreatedAt, s.Paris),
			HalfTariff: yesNo(pg.P, c.HalfTariffClaim), Assisted: yesNo(pg.P, c.AssistedBy != 0)}
		if e, ok := ix.Course(c.CourseID); ok {
			row.Course, row.Formation, row.Session = e.Code, e.Formation.Title, e.Session.Name
			if domain.Can(u.Actor, domain.ActViewCourse, domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}) {
				row.CourseURL = "/back-office/cours/" + itoa64(e.ID)
			}
		}
		for _, ev := range rec.History[c.ID] {
			row.Events = append(row.Events, views.Link{Label: pg.DateTime(ev.At, s.Paris), Hint: strings.TrimSuffix(statusWord(pg.P, ev.Status)+" — "+ev.Note, " — ")})
		}
		v.Candidatures = append(v.Candidatures, row)
	}
	return nil
}

// nameOrEmail is how a person is named in staff lists and files: a staff
// account created without names (they come from the sign-on later) by its
// email.
func nameOrEmail(a domain.Account) string {
	if n := a.FullName(); n != "" {
		return n
	}
	return a.Email
}

// personFile shows a person's file; the read itself is in the audit trail.
func (s *Server) personFile(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	pg := s.page(r, "bo.people.title")
	v, err := s.readPersonFile(r, pg, id)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	v.Saved = r.URL.Query().Get("enregistre") == "1"
	switch r.URL.Query().Get("identite") {
	case "liee":
		v.IdentityDone = pg.T("bo.person.ids.linked")
	case "dissociee":
		v.IdentityDone = pg.T("bo.person.ids.unlinked")
	}
	s.render(w, r, http.StatusOK, views.PersonFile(pg, v))
}

// readPersonFile reads a file through the audited read and makes its page.
func (s *Server) readPersonFile(r *http.Request, pg *views.Page, id int64) (*views.PersonFileView, error) {
	a, err := s.Accounts.ReadFile(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		return nil, err
	}
	pg.Title = nameOrEmail(a)
	return s.personFileView(r, pg, a)
}

// correctIdentity changes names or birth date with a reason (central service, ACC-4).
func (s *Server) correctIdentity(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	pg := s.page(r, "bo.people.title")
	form := identityFormFromRequest(r)
	c, ferrs := form.correction(r)
	var err error = ferrs
	if len(ferrs) == 0 {
		err = s.Accounts.CorrectIdentity(r.Context(), currentUser(r).Actor, id, c)
	} else { // a malformed date: the rest is checked too, to show every error at once
		_, more := accounts.CheckCorrection(c, s.Now())
		ferrs = mergeFieldErrors(correctionOrder, ferrs, more)
		err = ferrs
	}
	if errors.As(err, &ferrs) {
		v, rerr := s.readPersonFile(r, pg, id) // the file shown again is read again
		if rerr != nil {
			s.serviceError(w, r, rerr)
			return
		}
		v.FirstName, v.LastName, v.BirthDateValue, v.Reason = form.FirstName, form.LastName, form.Birth, form.Reason
		v.Errors, v.ErrFor = fieldMessages(pg.P, ferrs, correctionInputs)
		s.render(w, r, http.StatusBadRequest, views.PersonFile(pg, v))
		return
	}
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/back-office/personnes/"+itoa64(id)+"?enregistre=1", http.StatusSeeOther)
}
