package web

import (
	"net/http"
	"slices"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
)

// The staff API's reads (ROLE-5): every session with the drafts, every
// establishment and formation, a session's courses with the archived ones;
// paginated like the public lists.

type apiAdminSession struct {
	apiSession
	Status   string `json:"status"`
	Archived bool   `json:"archived"`
}

func (s *Server) toAPIAdminSession(se *domain.Session) apiAdminSession {
	return apiAdminSession{apiSession: s.toAPISession(se), Status: string(se.Status), Archived: se.Archived}
}

type apiAdminRoom struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Workstations int    `json:"workstations"`
	Archived     bool   `json:"archived"`
}

type apiAdminEstablishment struct {
	ID         int64          `json:"id"`
	Code       string         `json:"code"`
	Name       string         `json:"name"`
	Address    string         `json:"address"`
	PostalCode string         `json:"postal_code"`
	City       string         `json:"city"`
	District   int            `json:"district"`
	Archived   bool           `json:"archived"`
	Rooms      []apiAdminRoom `json:"rooms"`
}

func toAPIAdminEstablishment(e *domain.Establishment) apiAdminEstablishment {
	out := apiAdminEstablishment{ID: e.ID, Code: e.Code, Name: e.Name, Address: e.Address, PostalCode: e.PostalCode, City: e.City,
		District: e.District, Archived: e.Archived, Rooms: []apiAdminRoom{}}
	for _, r := range e.Rooms {
		out.Rooms = append(out.Rooms, apiAdminRoom{ID: r.ID, Name: r.Name, Workstations: r.Workstations, Archived: r.Archived})
	}
	return out
}

type apiAdminFormation struct {
	apiFormation
	ExamNote                string `json:"exam_note,omitempty"`
	PrerequisiteFormationID int64  `json:"prerequisite_formation_id,omitempty"`
	DefaultPriceCents       int64  `json:"default_price_cents"`
	Archived                bool   `json:"archived"`
}

func toAPIAdminFormation(f *domain.Formation) apiAdminFormation {
	return apiAdminFormation{apiFormation: toAPIFormation(f), ExamNote: f.ExamNote, PrerequisiteFormationID: f.PrerequisiteFormationID,
		DefaultPriceCents: f.DefaultPriceCents, Archived: f.Archived}
}

type apiAdminCourse struct {
	ID                int64  `json:"id"`
	Code              string `json:"code"`
	SessionID         int64  `json:"session_id"`
	FormationID       int64  `json:"formation_id"`
	EstablishmentID   int64  `json:"establishment_id"`
	RoomID            int64  `json:"room_id,omitempty"`
	Weekday           int    `json:"weekday"`
	Start             string `json:"start"`
	End               string `json:"end"`
	Level             string `json:"level"`
	Capacity          int    `json:"capacity"`
	Enrolled          int    `json:"enrolled"`
	Trainer           string `json:"trainer"`
	TrainerAccountID  int64  `json:"trainer_account_id,omitempty"`
	PriceCents        int64  `json:"price_cents"`
	OwnPrice          bool   `json:"own_price"`
	ReducedPriceCents int64  `json:"reduced_price_cents"`
	Remote            bool   `json:"remote"`
	RemoteReason      string `json:"remote_reason,omitempty"`
	Archived          bool   `json:"archived"`
}

func toAPIAdminCourse(c *domain.Course) apiAdminCourse {
	return apiAdminCourse{ID: c.ID, Code: c.Code, SessionID: c.SessionID, FormationID: c.FormationID, EstablishmentID: c.EstablishmentID,
		RoomID: c.RoomID, Weekday: int(c.Weekday), Start: clock24(c.StartMinute), End: clock24(c.EndMinute), Level: string(c.Level),
		Capacity: c.Capacity, Enrolled: c.Enrolled, Trainer: c.Trainer, TrainerAccountID: c.TrainerAccountID, PriceCents: c.PriceCents,
		OwnPrice: c.OwnPrice, ReducedPriceCents: c.ReducedCents, Remote: c.Remote, RemoteReason: c.RemoteReason, Archived: c.Archived}
}

// adminPage reads a staff list's page and page size; any other parameter
// but lang is refused, so that a misspelt filter does not pass unseen.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) (page, perPage int, ok bool) {
	q := r.URL.Query()
	f, errs := catalogue.ParseFilter(q, "lang")
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k != "page" && k != "par_page" && k != "lang" && !slices.ContainsFunc(errs, func(e domain.FieldError) bool { return e.Field == k }) {
			errs = append(errs, catalogue.UnknownParameter(k))
		}
	}
	if len(errs) > 0 {
		s.badFilter(w, r, errs)
		return 0, 0, false
	}
	return f.Page, f.PerPage, true
}

// writePage answers one page of a staff list.
func writePage[T any](s *Server, w http.ResponseWriter, r *http.Request, all []T, page, perPage int) {
	out, ok := paginate(all, page, perPage)
	if !ok {
		s.pageOutOfRange(w, r, out.Pages)
		return
	}
	writeJSON(w, out)
}

// apiAdminSessions lists every session, drafts and archived ones included.
func (s *Server) apiAdminSessions(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := s.adminPage(w, r)
	if !ok {
		return
	}
	list, err := s.CatalogueAdmin.StaffSessions(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	items := make([]apiAdminSession, 0, len(list))
	for i := range list {
		items = append(items, s.toAPIAdminSession(&list[i]))
	}
	writePage(s, w, r, items, page, perPage)
}

// apiAdminSession is one session, draft or not.
func (s *Server) apiAdminSession(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	list, err := s.CatalogueAdmin.StaffSessions(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	for i := range list {
		if list[i].ID == id {
			writeJSON(w, s.toAPIAdminSession(&list[i]))
			return
		}
	}
	s.apiNotFound(w, r)
}

// apiAdminEstablishments lists every establishment with its rooms.
func (s *Server) apiAdminEstablishments(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := s.adminPage(w, r)
	if !ok {
		return
	}
	list, err := s.CatalogueAdmin.StaffEstablishments(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	items := make([]apiAdminEstablishment, 0, len(list))
	for i := range list {
		items = append(items, toAPIAdminEstablishment(&list[i]))
	}
	writePage(s, w, r, items, page, perPage)
}

// apiAdminFormations lists every formation.
func (s *Server) apiAdminFormations(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := s.adminPage(w, r)
	if !ok {
		return
	}
	list, err := s.CatalogueAdmin.StaffFormations(r.Context(), currentUser(r).Actor)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	items := make([]apiAdminFormation, 0, len(list))
	for i := range list {
		items = append(items, toAPIAdminFormation(&list[i]))
	}
	writePage(s, w, r, items, page, perPage)
}

// apiAdminCourses lists a session's courses, archived ones included.
func (s *Server) apiAdminCourses(w http.ResponseWriter, r *http.Request) {
	page, perPage, ok := s.adminPage(w, r)
	if !ok {
		return
	}
	id, _ := pathID(r, "id")
	list, err := s.CatalogueAdmin.StaffCourses(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	items := make([]apiAdminCourse, 0, len(list))
	for _, e := range list {
		items = append(items, toAPIAdminCourse(&e.Course))
	}
	writePage(s, w, r, items, page, perPage)
}

// apiTokenInfo is the token a request came with: who it acts as, its scope.
func (s *Server) apiTokenInfo(w http.ResponseWriter, r *http.Request) {
	t, u := apiToken(r), currentUser(r)
	out := struct {
		ID        int64      `json:"id"`
		Name      string     `json:"name"`
		Scope     string     `json:"scope"`
		Prefix    string     `json:"prefix"`
		AccountID int64      `json:"account_id"`
		Owner     string     `json:"owner"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
	}{ID: t.ID, Name: t.Name, Scope: string(t.Scope), Prefix: t.Prefix, AccountID: u.Account.ID, Owner: t.OwnerName}
	if !t.ExpiresAt.IsZero() {
		e := t.ExpiresAt.In(s.Paris)
		out.ExpiresAt = &e
	}
	writeJSON(w, out)
}
