package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"cma/internal/domain"
	"cma/internal/outbox"
	"cma/internal/web/views"
)

// The central service's "Courriels" page (ROLE-5, CON-2): every email of the
// platform, those not sent yet with why (attempts, the relay's last answer),
// those the relay refused, those sent; "Renvoyer" queues a refused or stuck
// one again once the relay is fixed.

const mailPath = "/back-office/courriels"

// mailStates are the state filter's values in the query, by store state.
var mailStates = []struct{ param, state, key string }{
	{"", outbox.Unsent, "bo.mail.state.unsent"},
	{"attente", domain.MessagePending, "bo.mail.state.pending"},
	{"refuse", domain.MessageRefused, "bo.mail.state.refused"},
	{"envoye", domain.MessageSent, "bo.mail.state.sent"},
	{"tous", "", "bo.mail.state.all"},
}

// mailKinds are the kinds of email the platform sends.
var mailKinds = []string{"confirmation", "cancellation", "remote"}

func (s *Server) mailPage(w http.ResponseWriter, r *http.Request) {
	s.renderMail(w, r, http.StatusOK, r.URL.Query(), nil)
}

// renderMail draws the page for query q; rowErr is a resend's error on its row.
func (s *Server) renderMail(w http.ResponseWriter, r *http.Request, status int, q url.Values, rowErr map[int64]string) {
	pg := s.page(r, "bo.mail.title")
	p := pg.P
	t, ok := readTable(q, "courriels-liste", "page", "tri", "ordre")
	if !ok {
		s.requestError(w, r, http.StatusBadRequest, "filter.error.page")
		return
	}
	query := outbox.Query{Recipient: strings.TrimSpace(q.Get("destinataire")), Limit: staffPageSize, Offset: t.offset()}
	v := &views.MailView{Recipient: query.Recipient}
	for id, msg := range rowErr {
		v.Errors = append(v.Errors, views.FieldMessage{Field: "raison-" + itoa64(id), Message: msg})
	}
	stateParam := q.Get("etat")
	for _, st := range mailStates {
		if st.param == stateParam {
			query.State = st.state
		}
		v.States = append(v.States, views.Option{Value: st.param, Label: p.T(st.key), Selected: st.param == stateParam})
	}
	if !slices.Contains(mailKinds, q.Get("type")) {
		q.Del("type")
	}
	query.Kind = q.Get("type")
	v.Kinds = []views.Option{{Value: "", Label: p.T("bo.mail.kind.any"), Selected: query.Kind == ""}}
	for _, k := range mailKinds {
		v.Kinds = append(v.Kinds, views.Option{Value: k, Label: p.T("bo.mail.kind." + k), Selected: k == query.Kind})
	}
	switch q.Get("fait") {
	case "renvoye":
		v.Done = p.T("bo.mail.resent")
	case "deja":
		v.Done = p.T("bo.mail.already")
	}
	msgs, total, err := s.Mail.Search(r.Context(), currentUser(r).Actor, query)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	t.clamp(total)
	v.Count = p.N("bo.mail.count", total)
	back := url.Values{}
	for k, vs := range q {
		if k != "fait" {
			back[k] = vs
		}
	}
	now := s.Now()
	for _, m := range msgs {
		row := views.MailRow{ID: m.ID, Created: pg.DateTime(m.CreatedAt, s.Paris), Age: mailAge(pg, now.Sub(m.CreatedAt)),
			Recipient: strings.TrimSpace(m.FirstName + " " + m.LastName), Email: m.Email,
			RecipientURL: "/back-office/personnes/" + itoa64(m.AccountID), Subject: m.Subject, Kind: m.Kind,
			Resends: m.Resends, Back: withQuery(mailPath, back), ReasonErr: rowErr[m.ID]}
		if id := "bo.mail.kind." + m.Kind; p.Has(id) {
			row.Kind = p.T(id)
		}
		switch m.State() {
		case domain.MessageSent:
			row.Sent, row.State = true, p.T("bo.mail.state.one.sent")
			row.Detail = append(row.Detail, p.T("bo.mail.sent_at", map[string]any{"When": pg.DateTime(m.SentAt, s.Paris), "Attempts": m.Attempts}))
		case domain.MessageRefused:
			row.Refused, row.State = true, p.T("bo.mail.state.one.refused")
			row.Detail = append(row.Detail, p.T("bo.mail.refused_at", map[string]any{"When": pg.DateTime(m.RefusedAt, s.Paris)}), m.RefusedReason)
			row.ResendURL = mailPath + "/" + itoa64(m.ID) + "/renvoyer"
		default:
			row.State = p.T("bo.mail.state.one.pending")
			if m.Attempts == 0 {
				row.Detail = append(row.Detail, p.T("bo.mail.not_tried"))
			} else {
				row.Detail = append(row.Detail, p.T("bo.mail.attempts", map[string]any{"Count": m.Attempts,
					"When": pg.DateTime(m.LastAttemptAt, s.Paris)}), m.LastError)
				row.ResendURL = mailPath + "/" + itoa64(m.ID) + "/renvoyer"
			}
		}
		if m.Resends > 0 {
			row.Detail = append(row.Detail, p.T("bo.mail.resends", map[string]any{"Count": m.Resends}))
		}
		v.Rows = append(v.Rows, row)
	}
	v.Pager = t.pager(pg, mailPath, total, pg.T("bo.mail.pages"))
	s.render(w, r, status, views.MailOutbox(pg, v))
}

// mailAge says how long ago an email was kept: "il y a 3 min".
func mailAge(pg *views.Page, d time.Duration) string {
	switch {
	case d < time.Minute:
		return pg.T("bo.mail.age.now")
	case d < time.Hour:
		return pg.T("bo.mail.age.minutes", map[string]any{"Count": int(d / time.Minute)})
	case d < 48*time.Hour:
		return pg.T("bo.mail.age.hours", map[string]any{"Count": int(d / time.Hour)})
	}
	return pg.T("bo.mail.age.days", map[string]any{"Count": int(d / (24 * time.Hour))})
}

// resendMail queues a refused or stuck email again (CON-2), with a reason
// kept in the journal; a second click on the same page queues nothing more.
func (s *Server) resendMail(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	resends, err := strconv.Atoi(r.PostFormValue("renvois"))
	if err != nil || resends < 0 {
		s.badRequest(w, r)
		return
	}
	back, err := url.Parse(r.PostFormValue("retour"))
	if err != nil || back.Path != mailPath || back.Host != "" || back.Scheme != "" {
		back = &url.URL{Path: mailPath}
	}
	q := back.Query()
	err = s.Mail.Resend(r.Context(), currentUser(r).Actor, id, resends, r.PostFormValue("raison-"+itoa64(id)))
	var ferrs domain.FieldErrors
	switch {
	case err == nil:
		q.Set("fait", "renvoye")
	case errors.Is(err, outbox.ErrAlreadyResent):
		q.Set("fait", "deja")
	case errors.As(err, &ferrs):
		msg := s.page(r, "bo.mail.title").P.Word(ferrs[0].Key, ferrs[0].Args)
		s.renderMail(w, r, http.StatusBadRequest, q, map[int64]string{id: msg})
		return
	default:
		s.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, withQuery(mailPath, q)+"#courriels-liste", http.StatusSeeOther)
}
