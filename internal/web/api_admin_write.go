package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
)

// The staff API's writes (ROLE-5): the same use cases as the back-office
// pages, catalogue.Admin's methods, with the token's owner as the actor, so
// that each change is checked by the same rules (domain.SessionDates,
// CheckCourse...) and audited by the service the same way. A POST creates,
// a PATCH changes the fields it sends and keeps the others. Field errors are
// 422 problems naming the body's fields.

// apiFieldNames are the body's names of the services' logical fields, where
// they differ.
var apiFieldNames = map[string]string{
	"candidature_closes": "candidature_last_day", "answer_closes": "answer_last_day",
	"formation": "formation_id", "establishment": "establishment_id", "room": "room_id",
	"trainer": "trainer_account_id", "director": "director_id",
	"prerequisite_formation": "prerequisite_formation_id", "motif": "reason",
}

func apiField(f string) string {
	if n, ok := apiFieldNames[f]; ok {
		return n
	}
	return f
}

// apiDate reads a YYYY-MM-DD date of the body; a wrong one is a field error.
func apiDate(field string, v *string, into *time.Time, errs *domain.FieldErrors) {
	if v == nil {
		return
	}
	if strings.TrimSpace(*v) == "" {
		*into = time.Time{}
		return
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(*v))
	if err != nil {
		*errs = append(*errs, domain.FieldError{Field: field, Key: "admin.error.date"})
		return
	}
	*into = d
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// created answers 201 with the new object's address.
func created(w http.ResponseWriter, location string, v any) {
	w.Header().Set("Location", location)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	writeJSONBody(w, v)
}

// --- Sessions.

type apiSessionBody struct {
	Code             *string `json:"code"`
	Name             *string `json:"name"`
	Kind             *string `json:"kind"`
	HolidaySession   *bool   `json:"holiday_session"`
	FirstDay         *string `json:"first_day"`
	LastDay          *string `json:"last_day"`
	CandidatureOpens *string `json:"candidature_opens"`
	CandidatureLast  *string `json:"candidature_last_day"`
	AnswerOpens      *string `json:"answer_opens"`
	AnswerLast       *string `json:"answer_last_day"`
	Reason           *string `json:"reason"`
}

// input overlays the body on in (a session's current values, or none).
func (b apiSessionBody) input(in catalogue.SessionInput) (catalogue.SessionInput, domain.FieldErrors) {
	var errs domain.FieldErrors
	set(&in.Code, b.Code)
	set(&in.Name, b.Name)
	if b.Kind != nil {
		in.Kind = domain.SessionKind(*b.Kind)
	}
	set(&in.HolidaySession, b.HolidaySession)
	apiDate("first_day", b.FirstDay, &in.Dates.FirstDay, &errs)
	apiDate("last_day", b.LastDay, &in.Dates.LastDay, &errs)
	apiDate("candidature_opens", b.CandidatureOpens, &in.Dates.CandidatureOpens, &errs)
	apiDate("candidature_closes", b.CandidatureLast, &in.Dates.CandidatureCloses, &errs)
	apiDate("answer_opens", b.AnswerOpens, &in.Dates.AnswerOpens, &errs)
	apiDate("answer_closes", b.AnswerLast, &in.Dates.AnswerCloses, &errs)
	set(&in.Reason, b.Reason)
	return in, errs
}

func sessionInputOf(se domain.Session) catalogue.SessionInput {
	return catalogue.SessionInput{Code: se.Code, Name: se.Name, Kind: se.Kind, HolidaySession: se.HolidaySession, Dates: domain.DatesOf(se)}
}

func (s *Server) apiCreateSession(w http.ResponseWriter, r *http.Request) {
	var b apiSessionBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	in, errs := b.input(catalogue.SessionInput{})
	if len(errs) > 0 {
		// Every wrong date at once: the PER-1 order of the others too.
		s.apiInvalid(w, r, mergeFieldErrors(nil, errs, in.Dates.Check()))
		return
	}
	actor := currentUser(r).Actor
	id, err := s.CatalogueAdmin.CreateSession(r.Context(), actor, in)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteSession(w, r, id, true)
}

func (s *Server) apiWroteSession(w http.ResponseWriter, r *http.Request, id int64, isNew bool) {
	row, err := s.CatalogueAdmin.Session(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	out := s.toAPIAdminSession(&row.Session)
	if isNew {
		created(w, "/api/v1/admin/sessions/"+itoa64(id), out)
		return
	}
	writeJSON(w, out)
}

func (s *Server) apiUpdateSession(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	var b apiSessionBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	actor := currentUser(r).Actor
	row, err := s.CatalogueAdmin.Session(r.Context(), actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	in, errs := b.input(sessionInputOf(row.Session))
	if len(errs) > 0 {
		s.apiInvalid(w, r, mergeFieldErrors(nil, errs, in.Dates.Check()))
		return
	}
	if err := s.CatalogueAdmin.UpdateSession(r.Context(), actor, id, in); err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteSession(w, r, id, false)
}

func (s *Server) apiPublishSession(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	if err := s.CatalogueAdmin.PublishSession(r.Context(), currentUser(r).Actor, id); err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteSession(w, r, id, false)
}

// --- Establishments.

type apiEstablishmentBody struct {
	Code       *string `json:"code"`
	Name       *string `json:"name"`
	Address    *string `json:"address"`
	PostalCode *string `json:"postal_code"`
	City       *string `json:"city"`
	District   *int    `json:"district"`
	DirectorID *int64  `json:"director_id"`
	Reason     *string `json:"reason"`
}

func (b apiEstablishmentBody) input(in catalogue.EstablishmentInput) catalogue.EstablishmentInput {
	set(&in.Code, b.Code)
	set(&in.Name, b.Name)
	set(&in.Address, b.Address)
	set(&in.PostalCode, b.PostalCode)
	set(&in.City, b.City)
	set(&in.District, b.District)
	set(&in.DirectorID, b.DirectorID)
	set(&in.Reason, b.Reason)
	return in
}

type apiAdminEstablishmentOut struct {
	apiAdminEstablishment
	DirectorID int64 `json:"director_id,omitempty"`
}

func (s *Server) apiWroteEstablishment(w http.ResponseWriter, r *http.Request, id int64, isNew bool) {
	row, err := s.CatalogueAdmin.Establishment(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	out := apiAdminEstablishmentOut{apiAdminEstablishment: toAPIAdminEstablishment(&row.Establishment), DirectorID: row.DirectorID}
	if isNew {
		created(w, "/api/v1/admin/establishments/"+itoa64(id), out)
		return
	}
	writeJSON(w, out)
}

func (s *Server) apiCreateEstablishment(w http.ResponseWriter, r *http.Request) {
	var b apiEstablishmentBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	id, err := s.CatalogueAdmin.CreateEstablishment(r.Context(), currentUser(r).Actor, b.input(catalogue.EstablishmentInput{}))
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteEstablishment(w, r, id, true)
}

func (s *Server) apiUpdateEstablishment(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	var b apiEstablishmentBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	actor := currentUser(r).Actor
	row, err := s.CatalogueAdmin.Establishment(r.Context(), actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	e := row.Establishment
	in := b.input(catalogue.EstablishmentInput{Code: e.Code, Name: e.Name, Address: e.Address, PostalCode: e.PostalCode,
		City: e.City, District: e.District, DirectorID: row.DirectorID})
	if err := s.CatalogueAdmin.UpdateEstablishment(r.Context(), actor, id, in); err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteEstablishment(w, r, id, false)
}

// --- Formations.

type apiFormationBody struct {
	Code                    *string `json:"code"`
	Title                   *string `json:"title"`
	Subject                 *string `json:"subject"`
	Level                   *string `json:"level"`
	Description             *string `json:"description"`
	Prerequisites           *string `json:"prerequisites"`
	PrerequisiteFormationID *int64  `json:"prerequisite_formation_id"`
	Evaluation              *string `json:"evaluation"`
	Kind                    *string `json:"kind"`
	Diploma                 *bool   `json:"diploma"`
	DiplomaName             *string `json:"diploma_name"`
	ExamNote                *string `json:"exam_note"`
	DefaultPriceCents       *int64  `json:"default_price_cents"`
	Reason                  *string `json:"reason"`
}

func (b apiFormationBody) input(in catalogue.FormationInput) catalogue.FormationInput {
	set(&in.Code, b.Code)
	set(&in.Title, b.Title)
	if b.Subject != nil {
		in.Subject = domain.Subject(*b.Subject)
	}
	if b.Level != nil {
		in.Level = domain.Level(*b.Level)
	}
	set(&in.Description, b.Description)
	set(&in.Prerequisites, b.Prerequisites)
	set(&in.PrerequisiteFormationID, b.PrerequisiteFormationID)
	if b.Evaluation != nil {
		in.Evaluation = domain.EvaluationMode(*b.Evaluation)
	}
	if b.Kind != nil {
		in.Kind = domain.FormationKind(*b.Kind)
	}
	set(&in.Diploma, b.Diploma)
	set(&in.DiplomaName, b.DiplomaName)
	set(&in.ExamNote, b.ExamNote)
	set(&in.DefaultPriceCents, b.DefaultPriceCents)
	set(&in.Reason, b.Reason)
	return in
}

func (s *Server) apiWroteFormation(w http.ResponseWriter, r *http.Request, id int64, isNew bool) {
	row, err := s.CatalogueAdmin.Formation(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	out := toAPIAdminFormation(&row.Formation)
	if isNew {
		created(w, "/api/v1/admin/formations/"+itoa64(id), out)
		return
	}
	writeJSON(w, out)
}

func (s *Server) apiCreateFormation(w http.ResponseWriter, r *http.Request) {
	var b apiFormationBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	id, err := s.CatalogueAdmin.CreateFormation(r.Context(), currentUser(r).Actor, b.input(catalogue.FormationInput{}))
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteFormation(w, r, id, true)
}

func (s *Server) apiUpdateFormation(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	var b apiFormationBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	actor := currentUser(r).Actor
	row, err := s.CatalogueAdmin.Formation(r.Context(), actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	f := row.Formation
	in := b.input(catalogue.FormationInput{Code: f.Code, Title: f.Title, Subject: f.Subject, Level: f.Level, Description: f.Description,
		Prerequisites: f.Prerequisites, PrerequisiteFormationID: f.PrerequisiteFormationID, Evaluation: f.Evaluation, Kind: f.Kind,
		Diploma: f.Diploma, DiplomaName: f.DiplomaName, ExamNote: f.ExamNote, DefaultPriceCents: f.DefaultPriceCents})
	if err := s.CatalogueAdmin.UpdateFormation(r.Context(), actor, id, in); err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteFormation(w, r, id, false)
}

// --- Courses.

type apiCourseBody struct {
	Code             *string `json:"code"`
	FormationID      *int64  `json:"formation_id"`
	Level            *string `json:"level"`
	EstablishmentID  *int64  `json:"establishment_id"`
	RoomID           *int64  `json:"room_id"`
	Weekday          *int    `json:"weekday"`
	Start            *string `json:"start"`
	End              *string `json:"end"`
	Capacity         *int    `json:"capacity"`
	TrainerAccountID *int64  `json:"trainer_account_id"`
	OwnPrice         *bool   `json:"own_price"`
	PriceCents       *int64  `json:"price_cents"`
	Reason           *string `json:"reason"`
}

func (b apiCourseBody) input(in catalogue.CourseInput) (catalogue.CourseInput, domain.FieldErrors) {
	var errs domain.FieldErrors
	if b.Code != nil {
		in.Code = strings.ToUpper(strings.TrimSpace(*b.Code))
	}
	set(&in.FormationID, b.FormationID)
	if b.Level != nil {
		in.Level = domain.Level(*b.Level)
	}
	set(&in.EstablishmentID, b.EstablishmentID)
	set(&in.RoomID, b.RoomID)
	if b.Weekday != nil {
		if *b.Weekday < 0 || *b.Weekday > 6 {
			errs = append(errs, domain.FieldError{Field: "weekday", Key: "course.error.weekday"})
		} else {
			in.Weekday = time.Weekday(*b.Weekday)
		}
	}
	clock := func(field string, v *string, into *int) {
		if v == nil {
			return
		}
		m, ok := catalogue.ParseClock(strings.TrimSpace(*v))
		if !ok {
			errs = append(errs, domain.FieldError{Field: field, Key: "course.error.time_format"})
			return
		}
		*into = m
	}
	clock("start", b.Start, &in.StartMinute)
	clock("end", b.End, &in.EndMinute)
	set(&in.Capacity, b.Capacity)
	set(&in.TrainerAccountID, b.TrainerAccountID)
	set(&in.OwnPrice, b.OwnPrice)
	if b.PriceCents != nil {
		in.PriceCents = *b.PriceCents
		if b.OwnPrice == nil {
			in.OwnPrice = true // a tariff sent is the course's own
		}
	}
	set(&in.Reason, b.Reason)
	return in, errs
}

func (s *Server) apiWroteCourse(w http.ResponseWriter, r *http.Request, id int64, isNew bool) {
	c, err := s.CatalogueAdmin.CourseForStaff(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	out := toAPIAdminCourse(&c.Course)
	if isNew {
		created(w, "/api/v1/admin/courses/"+itoa64(id), out)
		return
	}
	writeJSON(w, out)
}

func (s *Server) apiCreateCourse(w http.ResponseWriter, r *http.Request) {
	sessionID, _ := pathID(r, "id")
	var b apiCourseBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	in, errs := b.input(catalogue.CourseInput{Weekday: -1, StartMinute: -1, EndMinute: -1})
	actor := currentUser(r).Actor
	if len(errs) > 0 {
		// Every wrong field at once: the service checks the rest without writing.
		var more domain.FieldErrors
		if err := s.CatalogueAdmin.CheckCourseInput(r.Context(), actor, sessionID, 0, in); err != nil && !errors.As(err, &more) {
			s.apiServiceError(w, r, err)
			return
		}
		s.apiInvalid(w, r, mergeFieldErrors(nil, errs, more))
		return
	}
	id, err := s.CatalogueAdmin.CreateCourse(r.Context(), actor, sessionID, in)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteCourse(w, r, id, true)
}

func (s *Server) apiUpdateCourse(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	var b apiCourseBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	actor := currentUser(r).Actor
	c, err := s.CatalogueAdmin.CourseForStaff(r.Context(), actor, id)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	cur := catalogue.CourseInput{Code: c.Code, FormationID: c.FormationID, Level: c.Level, EstablishmentID: c.EstablishmentID,
		RoomID: c.RoomID, Weekday: c.Weekday, StartMinute: c.StartMinute, EndMinute: c.EndMinute, Capacity: c.Capacity,
		TrainerAccountID: c.TrainerAccountID, OwnPrice: c.OwnPrice, PriceCents: c.PriceCents}
	in, errs := b.input(cur)
	if len(errs) > 0 {
		s.apiInvalid(w, r, errs)
		return
	}
	if err := s.CatalogueAdmin.UpdateCourse(r.Context(), actor, id, in); err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	s.apiWroteCourse(w, r, id, false)
}

type apiReasonBody struct {
	Reason string `json:"reason"`
}

// apiArchiveCourse takes a course out of the catalogue: archived when
// something refers to it, deleted otherwise (the answer says which).
func (s *Server) apiArchiveCourse(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	var b apiReasonBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	outcome, err := s.CatalogueAdmin.ArchiveOrDeleteCourse(r.Context(), currentUser(r).Actor, id, b.Reason)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	writeJSON(w, struct {
		ID      int64  `json:"id"`
		Outcome string `json:"outcome"`
	}{id, string(outcome)})
}

// --- Remote delivery (CAT-6).

type apiRemoteBody struct {
	Scope  string `json:"scope"`
	ID     int64  `json:"id"`
	Remote *bool  `json:"remote"`
	Reason string `json:"reason"`
}

func (s *Server) apiSwitchRemote(w http.ResponseWriter, r *http.Request) {
	var b apiRemoteBody
	if !s.decodeAPIBody(w, r, &b) {
		return
	}
	if b.Remote == nil {
		s.apiInvalid(w, r, domain.FieldErrors{{Field: "remote", Key: "apitoken.api.remote_missing"}})
		return
	}
	res, err := s.CatalogueAdmin.SwitchRemote(r.Context(), currentUser(r).Actor, catalogue.RemoteScope{Kind: b.Scope, ID: b.ID}, *b.Remote, b.Reason)
	if err != nil {
		s.apiServiceError(w, r, err)
		return
	}
	if res.Changed == nil {
		res.Changed = []string{}
	}
	writeJSON(w, struct {
		Changed []string `json:"changed"`
		Told    int      `json:"told"`
	}{res.Changed, res.Told})
}

// --- Import of a session's catalogue (CAT-3).

type apiImportProblem struct {
	Sheet  string `json:"sheet"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// apiImport reads a session's catalogue file, the body itself (XLSX or CSV),
// as a dry run unless ?apply=1; a file with problems imports nothing and
// answers 422 with every problem by sheet, row and column.
func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	q := r.URL.Query()
	for k := range q {
		if k != "apply" && k != "name" && k != "lang" {
			s.badFilter(w, r, domain.FieldErrors{catalogue.UnknownParameter(k)})
			return
		}
	}
	apply := q.Get("apply") == "1"
	name := strings.TrimSpace(q.Get("name"))
	if name == "" {
		name = "api-import"
	}
	rep, err := s.CatalogueAdmin.Import(r.Context(), currentUser(r).Actor, id, name, r.Body, !apply, nil)
	p := s.apiPrinter(r)
	out := struct {
		ImportID              int64              `json:"import_id"`
		DryRun                bool               `json:"dry_run"`
		Digest                string             `json:"digest"`
		Rows                  int                `json:"rows"`
		Created               int                `json:"created"`
		Updated               int                `json:"updated"`
		Unchanged             int                `json:"unchanged"`
		EstablishmentsCreated int                `json:"establishments_created"`
		EstablishmentsUpdated int                `json:"establishments_updated"`
		RoomsCreated          int                `json:"rooms_created"`
		RoomsUpdated          int                `json:"rooms_updated"`
		FormationsCreated     int                `json:"formations_created"`
		FormationsUpdated     int                `json:"formations_updated"`
		Problems              []apiImportProblem `json:"problems"`
	}{rep.ImportID, rep.DryRun, rep.Digest, rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.EstablishmentsCreated,
		rep.EstablishmentsUpdated, rep.RoomsCreated, rep.RoomsUpdated, rep.FormationsCreated, rep.FormationsUpdated, []apiImportProblem{}}
	for _, pr := range rep.Problems {
		out.Problems = append(out.Problems, apiImportProblem{Sheet: pr.Sheet, Row: pr.Row, Column: pr.Column, Code: pr.Key,
			Detail: p.Word(pr.Key, pr.Args)})
	}
	switch {
	case errors.Is(err, catalogue.ErrTooLarge):
		s.apiProblem(w, r, http.StatusRequestEntityTooLarge, "", "import.error.too_large", nil)
	case errors.Is(err, catalogue.ErrImportRefused), errors.Is(err, catalogue.ErrUnreadable):
		pr := problem{Type: "/api/v1/problems/import-refused", Title: "Unprocessable Content", Status: http.StatusUnprocessableEntity,
			Detail: p.T("apitoken.api.import_refused", map[string]any{"N": len(out.Problems)})}
		for _, x := range out.Problems {
			pr.Errors = append(pr.Errors, problemField{Field: x.Column, Sheet: x.Sheet, Row: x.Row, Code: x.Code, Detail: x.Detail})
		}
		s.writeProblem(w, pr)
	case err != nil:
		s.apiServiceError(w, r, err)
	default:
		writeJSON(w, out)
	}
}
