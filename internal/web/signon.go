package web

import (
	"errors"
	"net/http"
	"strconv"

	"cma/internal/accounts"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// Held staff sign-ins and sign-on identities (ACC-3, ROLE-5): the page of a
// person whose sign-in as staff waits for the central service, the central
// service's list of those sign-ins with its decisions, and the identities on
// a person's file, linked and unlinked with a reason.

// staffSignInsPath is the central service's list of held staff sign-ins.
const staffSignInsPath = "/back-office/connexions-a-confirmer"

// staffSignInHeld tells the person their sign-in as staff waits for the
// central service (no account was made), or that it was refused.
func (s *Server) staffSignInHeld(w http.ResponseWriter, r *http.Request, err error, provider, email string) {
	v := &views.StaffSignInHeldView{Email: email, Provider: provider, Refused: errors.Is(err, accounts.ErrStaffSignInRefused)}
	if v.Refused {
		s.Log.Warn("security: sign-in refused", "event", "staff_signin_refused")
		s.render(w, r, http.StatusForbidden, views.StaffSignInHeld(s.page(r, "signin.refused.title"), v))
		return
	}
	s.render(w, r, http.StatusOK, views.StaffSignInHeld(s.page(r, "signin.held.title"), v))
}

// staffSignInDecisions are the buttons of a held sign-in.
var staffSignInDecisions = map[string]accounts.StaffSignInDecision{
	"lier": accounts.LinkToStaff, "candidat": accounts.RefuseAsCandidate, "refuser": accounts.Refuse}

// staffSignInDone is the message after each decision.
var staffSignInDone = map[string]string{"lier": "bo.signins.linked", "candidat": "bo.signins.refused.candidate", "refuser": "bo.signins.refused"}

func staffSignInReasonField(id int64) string { return "raison-" + itoa64(id) }

// staffSignInsView is a page of the held staff sign-ins; ok is false for a
// page number no link sends.
func (s *Server) staffSignInsView(r *http.Request, pg *views.Page) (*views.StaffSignInsView, bool, error) {
	t, ok := readTable(r.URL.Query(), "liste", "page", "tri", "ordre")
	if !ok {
		return nil, false, nil
	}
	actor := currentUser(r).Actor
	held, total, err := s.Accounts.PendingStaffSignIns(r.Context(), actor, staffPageSize, t.offset())
	if err != nil {
		return nil, true, err
	}
	if t.Page > pageCount(total) { // decided meanwhile: the last page
		t.clamp(total)
		if held, total, err = s.Accounts.PendingStaffSignIns(r.Context(), actor, staffPageSize, t.offset()); err != nil {
			return nil, true, err
		}
	}
	v := &views.StaffSignInsView{Total: total, Pager: t.pager(pg, staffSignInsPath, total, pg.T("bo.signins.pages"))}
	for _, h := range held {
		name := domain.Account{FirstName: h.FirstName, LastName: h.LastName}.FullName()
		if name == "" {
			name = pg.T("bo.signins.noname")
		}
		v.Items = append(v.Items, views.HeldSignInRow{ID: h.ID, Name: name, Email: h.Email, Staff: s.personRow(pg, h.Staff),
			Provider: h.Issuer, Subject: h.Subject, ReasonField: staffSignInReasonField(h.ID),
			Tries: pg.T("bo.signins.tries", map[string]any{"Count": strconv.Itoa(h.Attempts), "First": pg.DateTime(h.Created, s.Paris),
				"Last": pg.DateTime(h.LastTry, s.Paris)})})
	}
	return v, true, nil
}

// staffSignInsPage lists the held staff sign-ins (ACC-3, ROLE-5).
func (s *Server) staffSignInsPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "bo.signins.title")
	v, ok, err := s.staffSignInsView(r, pg)
	switch {
	case err != nil:
		s.serviceError(w, r, err)
		return
	case !ok:
		s.badRequest(w, r)
		return
	}
	if key, ok := staffSignInDone[r.URL.Query().Get("fait")]; ok {
		v.Done = pg.T(key)
	}
	s.render(w, r, http.StatusOK, views.StaffSignIns(pg, v))
}

// decideStaffSignIn links or refuses one held staff sign-in, with a reason.
func (s *Server) decideStaffSignIn(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	choice := r.PostFormValue("decision")
	d, ok := staffSignInDecisions[choice]
	if !ok {
		s.badRequest(w, r)
		return
	}
	reason := r.PostFormValue(staffSignInReasonField(id))
	err := s.Accounts.DecideStaffSignIn(r.Context(), currentUser(r).Actor, id, d, reason)
	pg := s.page(r, "bo.signins.title")
	var ferrs domain.FieldErrors
	switch {
	case errors.Is(err, accounts.ErrAlreadyDecided):
		s.showStaffSignIns(w, r, pg, http.StatusConflict, id, "", views.FieldMessage{Field: "contenu", Message: pg.T("bo.signins.already")})
	case errors.Is(err, accounts.ErrIdentityTaken):
		s.showStaffSignIns(w, r, pg, http.StatusConflict, id, reason, views.FieldMessage{Field: "contenu", Message: pg.T("bo.signins.taken")})
	case errors.As(err, &ferrs):
		s.showStaffSignIns(w, r, pg, http.StatusBadRequest, id, reason,
			views.FieldMessage{Field: staffSignInReasonField(id), Message: pg.P.Word(ferrs[0].Key, ferrs[0].Args)})
	case err != nil:
		s.serviceError(w, r, err)
	default:
		http.Redirect(w, r, staffSignInsPath+"?fait="+choice, http.StatusSeeOther)
	}
}

// showStaffSignIns shows the list again with a decision's error, the reason
// typed kept in its field.
func (s *Server) showStaffSignIns(w http.ResponseWriter, r *http.Request, pg *views.Page, status int, id int64, reason string, msg views.FieldMessage) {
	v, _, err := s.staffSignInsView(r, pg)
	if err != nil || v == nil {
		s.serviceError(w, r, err)
		return
	}
	for i := range v.Items {
		if v.Items[i].ID == id {
			v.Items[i].Reason = reason
			if msg.Field == v.Items[i].ReasonField {
				v.Items[i].ReasonError = msg.Message
			}
		}
	}
	v.Errors = []views.FieldMessage{msg}
	s.render(w, r, status, views.StaffSignIns(pg, v))
}

// personIdentities adds the sign-on identities to a person's file for the
// central service: those linked, and for a staff account those it may link.
func (s *Server) personIdentities(r *http.Request, pg *views.Page, a domain.Account, v *views.PersonFileView) error {
	actor := currentUser(r).Actor
	if !domain.Can(actor, domain.ActManageIdentities, domain.Resource{AccountID: a.ID}) {
		return nil
	}
	v.ShowIdentities = true
	ids, err := s.Accounts.Identities(r.Context(), actor, a.ID)
	if err != nil {
		return err
	}
	for i, id := range ids {
		since := pg.T("bo.person.ids.since.unknown")
		if !id.LinkedAt.IsZero() {
			since = pg.DateTime(id.LinkedAt, s.Paris)
		}
		v.Identities = append(v.Identities, views.IdentityRow{Provider: id.Issuer, Subject: id.Subject, Since: since,
			Index: strconv.Itoa(i), ReasonField: identityReasonField("dissocier", i)})
	}
	linkable, err := s.Accounts.LinkableIdentities(r.Context(), actor, a)
	if err != nil {
		return err
	}
	for i, l := range linkable {
		row := views.IdentityRow{Provider: l.Issuer, Subject: l.Subject, Index: strconv.Itoa(i), ReasonField: identityReasonField("lier", i)}
		if l.From.ID != 0 {
			from := s.personRow(pg, l.From)
			row.From = &from
		} else {
			row.Since = pg.T("bo.person.ids.held", map[string]any{"When": pg.DateTime(l.HeldSince, s.Paris)})
		}
		v.Linkable = append(v.Linkable, row)
	}
	return nil
}

// identityReasonField names the reason field of an identity's form on a
// person's file: its action and its place in the list (sent back in "n").
func identityReasonField(action string, i int) string {
	return "raison-" + action + "-" + strconv.Itoa(i)
}

// unlinkIdentity removes a sign-on identity from a person's account.
func (s *Server) unlinkIdentity(w http.ResponseWriter, r *http.Request) {
	s.changeIdentity(w, r, "dissocier", func(id int64, issuer, subject, reason string) error {
		return s.Accounts.UnlinkIdentity(r.Context(), currentUser(r).Actor, id, issuer, subject, reason)
	})
}

// linkIdentity links a sign-on identity to a staff account (a held sign-in,
// or one moved from a candidate account made with its email).
func (s *Server) linkIdentity(w http.ResponseWriter, r *http.Request) {
	s.changeIdentity(w, r, "lier", func(id int64, issuer, subject, reason string) error {
		return s.Accounts.LinkIdentity(r.Context(), currentUser(r).Actor, id, issuer, subject, reason)
	})
}

// changeIdentity runs an identity change from a person's file and shows the
// file again: with the change's message, or its error next to its form.
func (s *Server) changeIdentity(w http.ResponseWriter, r *http.Request, action string, change func(id int64, issuer, subject, reason string) error) {
	id, _ := pathID(r, "id")
	issuer, subject := r.PostFormValue("fournisseur"), r.PostFormValue("sujet")
	n, convErr := strconv.Atoi(r.PostFormValue("n"))
	if issuer == "" || subject == "" || convErr != nil || n < 0 {
		s.badRequest(w, r)
		return
	}
	reason := r.PostFormValue(identityReasonField(action, n))
	err := change(id, issuer, subject, reason)
	pg := s.page(r, "bo.people.title")
	var ferrs domain.FieldErrors
	var msg string
	status := http.StatusConflict
	switch {
	case errors.As(err, &ferrs):
		msg, status = pg.P.Word(ferrs[0].Key, ferrs[0].Args), http.StatusBadRequest
	case errors.Is(err, accounts.ErrIdentityTaken):
		msg = pg.T("bo.signins.taken")
	case errors.Is(err, accounts.ErrNotFound), errors.Is(err, accounts.ErrNotStaff):
		msg = pg.T("bo.person.ids.gone")
	case err != nil:
		s.serviceError(w, r, err)
		return
	default:
		done := "liee"
		if action == "dissocier" {
			done = "dissociee"
		}
		http.Redirect(w, r, "/back-office/personnes/"+itoa64(id)+"?identite="+done+"#identites", http.StatusSeeOther)
		return
	}
	v, rerr := s.readPersonFile(r, pg, id) // the file shown again is read again
	if rerr != nil {
		s.serviceError(w, r, rerr)
		return
	}
	rows := v.Identities
	if action == "lier" {
		rows = v.Linkable
	}
	field := "identites"
	for i := range rows {
		if rows[i].Provider == issuer && rows[i].Subject == subject {
			rows[i].Reason = reason
			if status == http.StatusBadRequest {
				rows[i].ReasonError, field = msg, rows[i].ReasonField
			}
		}
	}
	v.Errors = []views.FieldMessage{{Field: field, Message: msg}}
	s.render(w, r, status, views.PersonFile(pg, v))
}
