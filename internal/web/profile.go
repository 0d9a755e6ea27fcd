package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"cma/internal/domain"
	"cma/internal/web/views"
)

// formBirthDate reads the optional birth date of the input named input
// (YYYY-MM-DD, as date inputs send it); a malformed one adds an error on the
// logical field "birth_date", as the services name it.
func formBirthDate(r *http.Request, input string, errs *domain.FieldErrors) time.Time {
	raw := r.PostFormValue(input)
	if raw == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		*errs = append(*errs, domain.FieldError{Field: "birth_date", Key: "profile.birth.invalid"})
	}
	return d
}

func withoutUser(ctx context.Context) context.Context {
	return context.WithValue(ctx, userKey{}, (*user)(nil))
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func itoaSeconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds() + 0.999)) }

func (s *Server) profileView(pg *views.Page, a domain.Account) *views.ProfileView {
	v := &views.ProfileView{Name: a.FullName(), Email: a.Email, BirthKnown: !a.BirthDate.IsZero(), Held: a.Status == domain.StatusHeld,
		Phone: domain.FormatPhone(a.Phone), Line1: a.Address.Line1, Line2: a.Address.Line2, PostalCode: a.Address.PostalCode, City: a.Address.City,
		Country: a.Address.Country, ErrFor: map[string]string{}, ProviderName: "Mon Paris"}
	if v.BirthKnown {
		v.BirthDate = pg.ShortDate(a.BirthDate)
	}
	if len(s.Providers) > 0 {
		v.ProviderName = s.Providers[0].Name()
	}
	return v
}

// profilePage is "Mon profil" (ACC-4): identity from the sign-on, read only, and
// the contact details the person keeps up to date.
func (s *Server) profilePage(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	pg := s.page(r, "profile.title")
	v := s.profileView(pg, u.Account)
	v.Saved = r.URL.Query().Get("enregistre") == "1"
	s.render(w, r, http.StatusOK, views.Profile(pg, v))
}

// saveProfile changes phone and address; errors come back next to their field
// with what was typed kept.
func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	pg := s.page(r, "profile.title")
	form := profileFormFromRequest(r)
	c, ferrs := form.contact(r)
	var err error = ferrs
	if len(ferrs) == 0 {
		err = s.Accounts.UpdateContact(r.Context(), u.Actor, u.Account.ID, c)
	}
	if errors.As(err, &ferrs) {
		v := s.profileView(pg, u.Account)
		v.Phone, v.Line1, v.Line2, v.PostalCode, v.City, v.Country = form.Phone, form.Line1, form.Line2,
			form.PostalCode, form.City, form.Country
		v.Errors, v.ErrFor = fieldMessages(pg.P, ferrs, profileInputs)
		s.render(w, r, http.StatusBadRequest, views.Profile(pg, v))
		return
	}
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	http.Redirect(w, r, "/mon-profil?enregistre=1", http.StatusSeeOther)
}

// apiMe returns the signed-in person's own account (ROLE-1).
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	a := currentUser(r).Account
	type grant struct {
		Role            string `json:"role"`
		EstablishmentID int64  `json:"establishment_id,omitempty"`
		FormationID     int64  `json:"formation_id,omitempty"`
		CourseID        int64  `json:"course_id,omitempty"`
	}
	out := struct {
		ID        int64   `json:"id"`
		Kind      string  `json:"kind"`
		Status    string  `json:"status"`
		Email     string  `json:"email"`
		FirstName string  `json:"first_name"`
		LastName  string  `json:"last_name"`
		BirthDate string  `json:"birth_date,omitempty"`
		Phone     string  `json:"phone,omitempty"`
		Grants    []grant `json:"grants,omitempty"`
	}{ID: a.ID, Kind: string(a.Kind), Status: string(a.Status), Email: a.Email, FirstName: a.FirstName, LastName: a.LastName, Phone: a.Phone}
	if !a.BirthDate.IsZero() {
		out.BirthDate = a.BirthDate.Format(time.DateOnly)
	}
	for _, g := range a.Grants {
		out.Grants = append(out.Grants, grant{Role: string(g.Role), EstablishmentID: g.EstablishmentID, FormationID: g.FormationID, CourseID: g.CourseID})
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, out)
}
