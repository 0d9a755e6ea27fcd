package web

import (
	_ "embed"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
)

//go:embed openapi.yaml
var openAPIDocument []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(openAPIDocument)
}

// problem is an RFC 9457 problem details document.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Errors []problemField `json:"errors,omitempty"`
}

// problemField is one wrong input: a query parameter (Parameter) or a field
// of the request's body (Field), with a stable code and a sentence in the
// reader's language.
type problemField struct {
	Parameter string `json:"parameter,omitempty"`
	Field     string `json:"field,omitempty"`
	Sheet     string `json:"sheet,omitempty"` // an import's problem: the sheet and row of the file
	Row       int    `json:"row,omitempty"`
	Code      string `json:"code"`
	Detail    string `json:"detail"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeJSONBody(w, v)
}

func writeJSONBody(w http.ResponseWriter, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// apiPrinter words API messages: French unless the client asks for English,
// by Accept-Language or, on the staff API, the lang parameter.
func (s *Server) apiPrinter(r *http.Request) *i18n.Printer {
	if lang := r.URL.Query().Get("lang"); lang != "" {
		if lang == "en" {
			return s.Words.Printer(i18n.English)
		}
		return s.Words.Printer(i18n.French)
	}
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "en") {
		return s.Words.Printer(i18n.English)
	}
	return s.Words.Printer(i18n.French)
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeProblem(w, problem{Type: "about:blank", Title: "Not Found", Status: http.StatusNotFound,
		Detail: s.apiPrinter(r).T("notfound.text")})
}

func (s *Server) apiIndex(w http.ResponseWriter, r *http.Request) *catalogue.Index {
	ix, err := s.Catalogue.Index(r.Context())
	if ix == nil {
		s.Log.Error("api: catalogue unavailable", "error", err)
		s.writeProblem(w, problem{Type: "about:blank", Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
			Detail: s.apiPrinter(r).T("error.text")})
	}
	return ix
}

func (s *Server) badFilter(w http.ResponseWriter, r *http.Request, errs domain.FieldErrors) {
	p := s.apiPrinter(r)
	pr := problem{Type: "/api/v1/problems/invalid-filter", Title: "Invalid search parameters", Status: http.StatusBadRequest,
		Detail: p.T("error.summary")}
	for _, e := range errs {
		pr.Errors = append(pr.Errors, problemField{Parameter: e.Field, Code: strings.TrimPrefix(e.Key, "filter.error."),
			Detail: p.Word(e.Key, e.Args)})
	}
	s.writeProblem(w, pr)
}

type apiList[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
	Page  int `json:"page"`
	Pages int `json:"pages"`
}

type apiSession struct {
	ID                int64     `json:"id"`
	Code              string    `json:"code"`
	Name              string    `json:"name"`
	Kind              string    `json:"kind"`
	FirstDay          string    `json:"first_day"`
	LastDay           string    `json:"last_day"`
	CandidatureOpens  time.Time `json:"candidature_opens"`
	CandidatureCloses time.Time `json:"candidature_closes"`   // the first instant closed: midnight after the last day
	CandidatureLast   string    `json:"candidature_last_day"` // the last day open, whole (CAN-5)
	AnswerOpens       time.Time `json:"answer_opens"`
	AnswerCloses      time.Time `json:"answer_closes"`   // the first instant closed: midnight after the last day
	AnswerLast        string    `json:"answer_last_day"` // the last day open, whole
	CandidatureOpen   bool      `json:"candidature_open"`
	HolidaySession    bool      `json:"holiday_session"`
}

func (s *Server) toAPISession(se *domain.Session) apiSession {
	return apiSession{ID: se.ID, Code: se.Code, Name: se.Name, Kind: string(se.Kind),
		FirstDay: se.FirstDay.Format(time.DateOnly), LastDay: se.LastDay.Format(time.DateOnly),
		CandidatureOpens: se.CandidatureOpens.In(s.Paris), CandidatureCloses: se.CandidatureCloses.End().In(s.Paris),
		CandidatureLast: se.CandidatureCloses.String(),
		AnswerOpens:     se.AnswerOpens.In(s.Paris), AnswerCloses: se.AnswerCloses.End().In(s.Paris),
		AnswerLast:      se.AnswerCloses.String(),
		CandidatureOpen: se.CandidatureOpen(s.Now()), HolidaySession: se.HolidaySession}
}

// apiSessions lists the sessions with their candidature and answer periods (PER-1).
func (s *Server) apiSessions(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Query()) > 0 {
		s.badFilter(w, r, domain.FieldErrors{catalogue.UnknownParameter(firstKey(r))})
		return
	}
	ix := s.apiIndex(w, r)
	if ix == nil {
		return
	}
	out := apiList[apiSession]{Items: []apiSession{}, Total: len(ix.Sessions), Page: 1, Pages: 1}
	for i := range ix.Sessions {
		out.Items = append(out.Items, s.toAPISession(&ix.Sessions[i]))
	}
	writeJSON(w, out)
}

func firstKey(r *http.Request) string {
	keys := make([]string, 0, len(r.URL.Query()))
	for k := range r.URL.Query() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[0]
}

type apiFormation struct {
	ID            int64  `json:"id"`
	Code          string `json:"code"`
	Title         string `json:"title"`
	Subject       string `json:"subject"`
	Level         string `json:"level"`
	Description   string `json:"description"`
	Prerequisites string `json:"prerequisites"`
	Evaluation    string `json:"evaluation"`
	Diploma       bool   `json:"diploma"`
	DiplomaName   string `json:"diploma_name,omitempty"`
	Kind          string `json:"kind"`
}

func toAPIFormation(f *domain.Formation) apiFormation {
	return apiFormation{ID: f.ID, Code: f.Code, Title: f.Title, Subject: string(f.Subject), Level: string(f.Level),
		Description: f.Description, Prerequisites: f.Prerequisites, Evaluation: string(f.Evaluation),
		Diploma: f.Diploma, DiplomaName: f.DiplomaName, Kind: string(f.Kind)}
}

// apiFormations lists formations, filtered by keyword, subject, level and diploma.
func (s *Server) apiFormations(w http.ResponseWriter, r *http.Request) {
	f, errs := catalogue.ParseFilter(r.URL.Query())
	for _, name := range []string{"etablissement", "arrondissement", "jour", "moment", "prix_max", "distanciel", "places", "ouverts", "session"} {
		if r.URL.Query().Has(name) {
			errs = append(errs, catalogue.UnknownParameter(name))
		}
	}
	if len(errs) > 0 {
		s.badFilter(w, r, errs)
		return
	}
	ix := s.apiIndex(w, r)
	if ix == nil {
		return
	}
	words := strings.Fields(domain.SearchKey(f.Query))
	var matched []apiFormation
	for i := range ix.Formations {
		fo := &ix.Formations[i]
		if (f.Subject != "" && fo.Subject != f.Subject) || (f.Level != "" && fo.Level != f.Level) ||
			(f.Diploma != nil && fo.Diploma != *f.Diploma) || !ix.FormationMatches(fo.ID, words) {
			continue
		}
		matched = append(matched, toAPIFormation(fo))
	}
	out, ok := paginate(matched, f.Page, f.PerPage)
	if !ok {
		s.pageOutOfRange(w, r, out.Pages)
		return
	}
	writeJSON(w, out)
}

func paginate[T any](all []T, page, perPage int) (apiList[T], bool) {
	out := apiList[T]{Items: []T{}, Total: len(all), Page: page, Pages: max(1, (len(all)+perPage-1)/perPage)}
	if page > out.Pages {
		return out, false
	}
	from := (page - 1) * perPage
	out.Items = append(out.Items, all[from:min(from+perPage, len(all))]...)
	return out, true
}

func (s *Server) pageOutOfRange(w http.ResponseWriter, r *http.Request, pages int) {
	s.writeProblem(w, problem{Type: "/api/v1/problems/page-out-of-range", Title: "Page out of range", Status: http.StatusNotFound,
		Detail: s.apiPrinter(r).T("filter.error.page_range", map[string]any{"Pages": pages})})
}

type apiCourse struct {
	ID                int64         `json:"id"`
	Code              string        `json:"code"`
	URL               string        `json:"url"`
	Formation         apiFormation  `json:"formation"`
	Establishment     apiPlace      `json:"establishment"`
	Room              string        `json:"room"`
	Session           apiSessionRef `json:"session"`
	Weekday           int           `json:"weekday"`
	Start             string        `json:"start"`
	End               string        `json:"end"`
	Level             string        `json:"level"`
	Capacity          int           `json:"capacity"`
	PlacesLeft        int           `json:"places_left"`
	Trainer           string        `json:"trainer"`
	PriceCents        int64         `json:"price_cents"`
	ReducedPriceCents int64         `json:"reduced_price_cents"`
	Remote            bool          `json:"remote"`
	CandidatureOpen   bool          `json:"candidature_open"` // the session takes candidatures now (CAT-1, PER-1)
	Meetings          []apiMeeting  `json:"meetings,omitempty"`
}

type apiPlace struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Address    string `json:"address"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
	District   int    `json:"district"`
}

type apiSessionRef struct {
	ID               int64     `json:"id"`
	Code             string    `json:"code"`
	Name             string    `json:"name"`
	CandidatureOpens time.Time `json:"candidature_opens"`
	CandidatureLast  string    `json:"candidature_last_day"` // the last day open, whole (CAN-5)
}

type apiMeeting struct {
	Date    string    `json:"date"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Skipped bool      `json:"skipped"`
	Reason  string    `json:"reason,omitempty"`
}

// toAPICourse is the course as the API gives it; the candidature state is
// read at now, by the basket's rule.
func (s *Server) toAPICourse(e *catalogue.Entry, now time.Time) apiCourse {
	room := ""
	if e.Room != nil {
		room = e.Room.Name
	}
	est := e.Establishment
	return apiCourse{ID: e.ID, Code: e.Code, URL: courseURL(e), Formation: toAPIFormation(e.Formation),
		Establishment: apiPlace{ID: est.ID, Name: est.Name, Address: est.Address, PostalCode: est.PostalCode, City: est.City, District: est.District},
		Room:          room, Session: apiSessionRef{ID: e.Session.ID, Code: e.Session.Code, Name: e.Session.Name,
			CandidatureOpens: e.Session.CandidatureOpens.In(s.Paris), CandidatureLast: e.Session.CandidatureCloses.String()},
		Weekday: int(e.Weekday), Start: clock24(e.StartMinute), End: clock24(e.EndMinute), Level: string(e.Level),
		Capacity: e.Capacity, PlacesLeft: e.PlacesLeft(), Trainer: e.Trainer, PriceCents: e.PriceCents,
		ReducedPriceCents: e.ReducedCents, Remote: e.RemoteNow, CandidatureOpen: e.Session.CandidatureOpen(now)}
}

func clock24(minute int) string {
	h, m := minute/60, minute%60
	return strconv.Itoa(h/10) + strconv.Itoa(h%10) + ":" + strconv.Itoa(m/10) + strconv.Itoa(m%10)
}

// apiCourses searches courses with the catalogue page's filters (CAT-1).
func (s *Server) apiCourses(w http.ResponseWriter, r *http.Request) {
	ix := s.apiIndex(w, r)
	if ix == nil {
		return
	}
	f, errs := catalogue.ParseFilter(r.URL.Query())
	errs = append(errs, checkReferences(ix, f)...)
	if len(errs) > 0 {
		s.badFilter(w, r, errs)
		return
	}
	now := s.Now()
	res, err := ix.Search(f, now)
	var outOfRange catalogue.ErrPageOutOfRange
	if errors.As(err, &outOfRange) {
		s.pageOutOfRange(w, r, outOfRange.Pages)
		return
	}
	out := apiList[apiCourse]{Items: make([]apiCourse, 0, len(res.Items)), Total: res.Total, Page: res.Page, Pages: res.Pages}
	for _, e := range res.Items {
		out.Items = append(out.Items, s.toAPICourse(e, now))
	}
	writeJSON(w, out)
}

// apiCourse returns one course with its dated class meetings (CAT-5).
func (s *Server) apiCourse(w http.ResponseWriter, r *http.Request) {
	ix := s.apiIndex(w, r)
	if ix == nil {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	e, ok := ix.Course(id)
	if err != nil || !ok {
		s.writeProblem(w, problem{Type: "about:blank", Title: "Not Found", Status: http.StatusNotFound,
			Detail: s.apiPrinter(r).T("course.notfound")})
		return
	}
	out := s.toAPICourse(e, s.Now())
	for _, m := range ix.Meetings(e, s.Paris) {
		out.Meetings = append(out.Meetings, apiMeeting{Date: m.Date.Format(time.DateOnly), Start: m.Start, End: m.End,
			Skipped: m.Skipped, Reason: m.Reason})
	}
	writeJSON(w, out)
}
