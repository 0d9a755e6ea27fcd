package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"

	"cma/internal/calendar"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// School holidays (CAT-5): the central service uploads the Education
// ministry's school calendar for the city's zone, sees the periods it holds
// (a dry run, nothing changed), then imports them; the courses' class
// calendars are recomputed in the import's transaction (ROLE-5).

const holidaysPath = "/back-office/catalogue/vacances"

// holidaysForm takes the calendar file: the service refuses one over
// catalogue.MaxHolidayFileBytes with its own French message, so the body
// may be a little larger (the checked file comes back in base64).
var holidaysForm = input{maxBody: 3 << 20, upload: true, tooLarge: "holidays.error.too_big_body"}

func (s *Server) holidaysPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "holidays.title")
	v := &views.HolidaysView{}
	if n := r.URL.Query().Get("importe"); n != "" {
		count, _ := strconv.Atoi(n)
		v.Done = pg.N("holidays.done", count, map[string]any{"Zone": s.CatalogueAdmin.HolidayZone()})
	}
	s.renderHolidays(w, r, pg, http.StatusOK, v)
}

func (s *Server) renderHolidays(w http.ResponseWriter, r *http.Request, pg *views.Page, status int, v *views.HolidaysView) {
	v.Zone, v.MaxSize = s.CatalogueAdmin.HolidayZone(), "1 Mo"
	current, err := s.CatalogueAdmin.SchoolHolidays(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Current = holidayRows(pg, current)
	if v.ErrFor == nil {
		v.ErrFor = map[string]string{}
	}
	s.render(w, r, status, views.HolidaysPage(pg, v))
}

func holidayRows(pg *views.Page, periods []calendar.Period) []views.HolidayRow {
	rows := make([]views.HolidayRow, len(periods))
	for i, p := range periods {
		rows[i] = views.HolidayRow{Name: p.Name, First: pg.Date(p.First), Last: pg.Date(p.Last)}
	}
	return rows
}

// postHolidays checks an uploaded file ("verifier": the periods shown,
// nothing changed) or imports the checked one ("importer").
func (s *Server) postHolidays(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "holidays.title")
	actor := currentUser(r).Actor
	data, ferr := holidayFile(r)
	var err error = ferr
	var periods []calendar.Period
	if ferr == nil {
		if r.PostFormValue("etape") == "importer" {
			periods, err = s.CatalogueAdmin.ImportSchoolHolidays(r.Context(), actor, bytes.NewReader(data))
			if err == nil {
				http.Redirect(w, r, holidaysPath+"?importe="+strconv.Itoa(len(periods)), http.StatusSeeOther)
				return
			}
		} else {
			periods, err = s.CatalogueAdmin.ReadSchoolHolidays(r.Context(), actor, bytes.NewReader(data))
		}
	}
	v := &views.HolidaysView{}
	var errs domain.FieldErrors
	switch {
	case err == nil:
		v.Found, v.Content = holidayRows(pg, periods), base64.StdEncoding.EncodeToString(data)
		s.renderHolidays(w, r, pg, http.StatusOK, v)
	case errors.As(err, &errs):
		v.Errors, v.ErrFor = fieldMessages(pg.P, errs, nil)
		s.renderHolidays(w, r, pg, http.StatusBadRequest, v)
	default:
		s.adminError(w, r, err)
	}
}

// holidayFile is the uploaded file, or the checked one sent back.
func holidayFile(r *http.Request) ([]byte, domain.FieldErrors) {
	none := domain.FieldErrors{{Field: "fichier", Key: "holidays.error.no_file"}}
	if content := r.PostFormValue("contenu"); content != "" {
		data, err := base64.StdEncoding.DecodeString(content)
		if err != nil {
			return nil, none
		}
		return data, nil
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["fichier"]) == 0 {
		return nil, none
	}
	f, err := r.MultipartForm.File["fichier"][0].Open()
	if err != nil {
		return nil, none
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalogue.MaxHolidayFileBytes+1))
	if err != nil {
		return nil, none
	}
	return data, nil
}
