package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// The site's forms, one type each: what the form posts, read from the request
// by its xxxFormFromRequest function, and turned into what a service takes.
// Handlers stay short: read the form, call the service, show the answer.
// Field names are the forms' French names (the HTML ids and names).

// profileForm is "Mon profil" (ACC-4): contact details, and the birth date
// once when the sign-on gave none.
type profileForm struct {
	Phone                                          string
	Line1, Line2, PostalCode, City, Country, Birth string
}

func profileFormFromRequest(r *http.Request) profileForm {
	return profileForm{Phone: r.PostFormValue("telephone"), Line1: r.PostFormValue("adresse"),
		Line2: r.PostFormValue("complement"), PostalCode: r.PostFormValue("code_postal"), City: r.PostFormValue("ville"),
		Country: r.PostFormValue("pays"), Birth: r.PostFormValue("naissance")}
}

// contact is the form as the accounts service takes it; a malformed date is
// a field error.
func (f profileForm) contact(r *http.Request) (accounts.Contact, domain.FieldErrors) {
	var errs domain.FieldErrors
	c := accounts.Contact{Phone: f.Phone, Address: domain.Address{Line1: f.Line1, Line2: f.Line2, PostalCode: f.PostalCode,
		City: f.City, Country: f.Country}}
	c.BirthDate = formBirthDate(r, "naissance", &errs)
	return c, errs
}

// identityForm is a staff correction of a person's identity, with its reason.
type identityForm struct {
	FirstName, LastName, Birth, Reason string
}

func identityFormFromRequest(r *http.Request) identityForm {
	return identityForm{FirstName: r.PostFormValue("prenom"), LastName: r.PostFormValue("nom"),
		Birth: r.PostFormValue("naissance"), Reason: r.PostFormValue("raison")}
}

func (f identityForm) correction(r *http.Request) (accounts.Correction, domain.FieldErrors) {
	var errs domain.FieldErrors
	c := accounts.Correction{FirstName: f.FirstName, LastName: f.LastName, Reason: f.Reason}
	c.BirthDate = formBirthDate(r, "naissance", &errs)
	return c, errs
}

// mergeFieldErrors puts together the errors of a form's reading (a malformed
// date) and of the service's check of the rest, so that every wrong field is
// shown at once: one error per field, the first list's winning (the service
// says "missing" where the form read "malformed"), in the order of the
// form's fields (order lists the logical fields; others come last).
func mergeFieldErrors(order []string, lists ...domain.FieldErrors) domain.FieldErrors {
	var out domain.FieldErrors
	seen := map[string]bool{}
	for _, l := range lists {
		for _, e := range l {
			if !seen[e.Field] {
				seen[e.Field] = true
				out = append(out, e)
			}
		}
	}
	rank := func(f string) int {
		if i := slices.Index(order, f); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(out, func(a, b domain.FieldError) int { return rank(a.Field) - rank(b.Field) })
	return out
}

// duplicateForm is the decision on one probable duplicate: merge or keep
// apart, with a reason (ACC-3). Each review's reason field is named after it.
type duplicateForm struct {
	ReviewID int64
	Merge    bool
	Reason   string
}

// errDecision is a decision no button of the page sends.
var errDecision = errors.New("unknown duplicate decision")

func duplicateFormFromRequest(r *http.Request, reviewID int64) (duplicateForm, error) {
	f := duplicateForm{ReviewID: reviewID, Reason: r.PostFormValue(duplicateReasonField(reviewID))}
	switch r.PostFormValue("decision") {
	case "fusionner":
		f.Merge = true
	case "distinct":
	default:
		return f, errDecision
	}
	return f, nil
}

// duplicateReasonField is the name of a review's reason field.
func duplicateReasonField(reviewID int64) string { return "raison-" + itoa64(reviewID) }

// assistedForm creates the account of a person registered at a desk (CAN-8).
type assistedForm struct {
	First, Last, Email, Birth, Phone string
}

func assistedFormFromRequest(r *http.Request) assistedForm {
	return assistedForm{First: r.PostFormValue("prenom"), Last: r.PostFormValue("nom"), Email: r.PostFormValue("email"),
		Birth: r.PostFormValue("naissance"), Phone: r.PostFormValue("telephone")}
}

func (f assistedForm) candidate(r *http.Request) (accounts.NewCandidate, domain.FieldErrors) {
	var errs domain.FieldErrors
	n := accounts.NewCandidate{FirstName: f.First, LastName: f.Last, Email: f.Email, Phone: f.Phone}
	n.BirthDate = formBirthDate(r, "naissance", &errs)
	return n, errs
}

// basketForm is the definitive validation of a basket (CAN-4, CAN-6, CAN-7,
// CAN-9): the form's fields as the candidature service takes them, and the
// proof's date as typed, to show again.
type basketForm struct {
	candidature.Form
	ProofDate string
	FileSent  bool // a file was chosen: it must be chosen again if the form comes back
	Cut       bool // the body was too large to be read whole (the answer is then 413)
}

// basketFormFromRequest reads the validation form. Its route has read the
// body, multipart with its proof or urlencoded without, within proofForm's
// limit (routes.go): what is over it never reaches here.
func basketFormFromRequest(r *http.Request) basketForm {
	f := basketForm{ProofDate: r.FormValue("date_justificatif"), Form: candidature.Form{Token: r.FormValue("jeton"),
		Objective: domain.Objective(r.FormValue("objectif")), Motivation: r.FormValue("motivation"),
		AcceptRules: r.FormValue("reglement") == "1", RulesVersion: r.FormValue("version_reglement"),
		HalfTariff: r.FormValue("demi_tarif") == "1",
		Social: domain.SocialSituation{RSA: r.FormValue("rsa") == "1", JobSeeker: r.FormValue("demandeur") == "1",
			Subsidised: r.FormValue("contrat_aide") == "1"}}}
	// SEL-5: one box per course of the basket, its value the course's ID; a
	// value that is no ID is sent on as 0, which the service refuses.
	for _, raw := range r.Form["reorientation"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			id = 0
		}
		f.RedirectCourses = append(f.RedirectCourses, id)
	}
	up := requestUpload(r)
	if up == nil { // a form read whole (a kept form, a test's request)
		up = &upload{}
		if file, h, err := r.FormFile("justificatif"); err == nil {
			up.Name = h.Filename
			up.Data, _ = io.ReadAll(io.LimitReader(file, candidature.MaxProofBytes+1))
			file.Close()
		}
	}
	f.FileSent, f.Cut = up.Name != "" || len(up.Data) > 0 || up.TooLarge, up.Cut
	if f.HalfTariff {
		// The service reads the date as typed: jj/mm/aaaa or aaaa-mm-jj.
		f.Proof = &candidature.Proof{Data: up.Data, TooLarge: up.TooLarge, IssueDateText: f.ProofDate}
	}
	return f
}

// keep shows what was typed again on the basket page: every field, and the
// rules accepted if they are still the version shown; a file chosen must be
// chosen again, and the page says so next to its input.
func (f basketForm) keep(p *i18n.Printer, v *views.BasketView) {
	v.Motivation, v.RSA, v.JobSeeker, v.Subsidised = f.Motivation, f.Social.RSA, f.Social.JobSeeker, f.Social.Subsidised
	v.HalfTariff, v.ProofDate = f.HalfTariff, f.ProofDate
	v.RulesAccepted = f.AcceptRules && f.RulesVersion == v.RulesVersion
	if f.FileSent {
		v.ProofAgain = p.T("basket.half.proof.again")
	}
	for i := range v.Objectives {
		v.Objectives[i].Selected = v.Objectives[i].Value == string(f.Objective)
	}
	for i := range v.Items {
		v.Items[i].Redirect = slices.Contains(f.RedirectCourses, v.Items[i].ID)
	}
}

// courseForm is the one field of the basket's add and remove buttons.
func courseFormFromRequest(r *http.Request) (courseID int64, ok bool) {
	id, err := strconv.ParseInt(r.PostFormValue("cours"), 10, 64)
	return id, err == nil && id > 0
}

// candidatureFilterForm is the back-office candidature list's filter form
// (ROLE-3, ROLE-5): the list's filter once checked against the catalogue, and
// the chosen course, when one is.
type candidatureFilterForm struct {
	filter candidature.ListFilter
	course *catalogue.Entry
}

// candidatureFilterFormFromRequest reads the filters; each bad value gets a
// French (or English) message bound to its field.
func candidatureFilterFormFromRequest(r *http.Request, p *i18n.Printer, ix *catalogue.Index) (candidatureFilterForm, []views.FieldMessage) {
	q := r.URL.Query()
	var cq candidatureFilterForm
	var errs []views.FieldMessage
	bad := func(field, msgID string) { errs = append(errs, views.FieldMessage{Field: field, Message: p.T(msgID)}) }
	id := func(name string, known func(int64) bool, msgID string) int64 {
		raw := strings.TrimSpace(q.Get(name))
		if raw == "" {
			return 0
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 || !known(n) {
			bad(name, msgID)
			return 0
		}
		return n
	}
	cq.filter.SessionID = id("session", func(n int64) bool {
		_, ok := ix.Session(n)
		return ok
	}, "filter.error.session")
	cq.filter.FormationID = id("formation", func(n int64) bool {
		_, ok := ix.Formation(n)
		return ok
	}, "bo.cand.error.formation")
	cq.filter.EstablishmentID = id("etablissement", func(n int64) bool {
		_, ok := ix.Establishment(n)
		return ok
	}, "filter.error.establishment")
	// The course has no field of its own: its error links to the filters.
	if raw := strings.TrimSpace(q.Get("cours")); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if e, found := ix.Course(n); err == nil && found {
			cq.filter.CourseID, cq.course = n, e
		} else {
			bad("filtres", "bo.cand.error.course")
		}
	}
	if st := domain.CandidatureStatus(q.Get("statut")); st == "" || slices.Contains(domain.CandidatureStatuses, st) {
		cq.filter.Status = st
	} else {
		bad("statut", "bo.cand.error.status")
	}
	return cq, errs
}

// values writes the filter back as query parameters, for links and exports.
func (q candidatureFilterForm) values() url.Values {
	v := url.Values{}
	set := func(k string, id int64) {
		if id != 0 {
			v.Set(k, strconv.FormatInt(id, 10))
		}
	}
	set("session", q.filter.SessionID)
	set("formation", q.filter.FormationID)
	set("etablissement", q.filter.EstablishmentID)
	set("cours", q.filter.CourseID)
	if q.filter.Status != "" {
		v.Set("statut", string(q.filter.Status))
	}
	return v
}

// auditFilterForm is the audit trail's search form (ROLE-5): by person (a
// name, an email or a file number), action and dates, with its page.
type auditFilterForm struct {
	Person, Action, Role, From, To string
	Page                           int
	// PersonID is the person the filter settled on: the number typed, or the
	// one person the name found. Links to other pages carry it.
	PersonID int64
}

// auditPageSize is how many events a page of the audit trail shows.
const auditPageSize = 50

// auditFilterFormFromRequest reads the form; ok is false when its page is not
// a page number (extreme, negative, not a number), a request no link sends.
func auditFilterFormFromRequest(r *http.Request) (f auditFilterForm, ok bool) {
	q := r.URL.Query()
	f = auditFilterForm{Person: strings.TrimSpace(q.Get("personne")), Action: strings.TrimSpace(q.Get("action")),
		Role: strings.TrimSpace(q.Get("role")), From: q.Get("du"), To: q.Get("au")}
	f.Page, ok = pageParam(q)
	return f, ok
}

// personNumber is the person filter read as a file number: ok is false when it
// is a name or an email to look for.
func (f auditFilterForm) personNumber() (id int64, ok bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(f.Person, "n° "), 10, 64)
	return id, err == nil && id > 0
}

// query is the form as the audit search takes it, the person aside (the page
// finds them by name first); each bad value is a field error, worded with p.
// Days are Europe/Paris days, the last one included.
func (f auditFilterForm) query(p *i18n.Printer, paris *time.Location) (accounts.AuditQuery, []views.FieldMessage) {
	q := accounts.AuditQuery{Limit: auditPageSize, Offset: (f.Page - 1) * auditPageSize}
	var errs []views.FieldMessage
	bad := func(field, msgID string) { errs = append(errs, views.FieldMessage{Field: field, Message: p.T(msgID)}) }
	if utf8.RuneCountInString(f.Person) > maxSearchText {
		bad("personne", "filter.error.too_long")
	}
	switch {
	case f.Action == "":
	case slices.Contains(domain.AuditActions, f.Action):
		q.Action = f.Action
	default:
		bad("action", "bo.audit.action.invalid")
	}
	if role := domain.Role(f.Role); role.Valid() {
		q.ActorRole = role
	} else if f.Role != "" {
		bad("role", "bo.audit.role.invalid")
	}
	day := func(raw, field string) time.Time {
		if raw == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, raw, paris)
		if err != nil {
			bad(field, "bo.audit.date.invalid")
		}
		return d
	}
	q.From = day(f.From, "du")
	if to := day(f.To, "au"); !to.IsZero() {
		q.To = to.AddDate(0, 0, 1) // the whole last day
	}
	return q, errs
}

// link is the address of another page of the same search; the person is the
// one the filter settled on, by number.
func (f auditFilterForm) link(page int) string {
	return f.withPerson(f.PersonID, page)
}

// withPerson is the address of the same search on the person with the id
// (0: the person as typed), at page.
func (f auditFilterForm) withPerson(id int64, page int) string {
	person := f.Person
	if id != 0 {
		person = strconv.FormatInt(id, 10)
	}
	vals := url.Values{}
	for k, v := range map[string]string{"personne": person, "action": f.Action, "role": f.Role, "du": f.From, "au": f.To} {
		if v != "" {
			vals.Set(k, v)
		}
	}
	if page > 1 {
		vals.Set("page", strconv.Itoa(page))
	}
	return "/back-office/journal?" + vals.Encode()
}
