package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// The courses of the catalogue administration (CAT-3, CAT-4, ROLE-5,
// ROLE-3): the central service creates a course in a session, edits it and
// archives it; a course's admin page shows every field and its audit trail;
// a director changes the trainer and room of her own establishment's courses
// through the "Équipe et salle" form.

const courseAdminPath = "/back-office/catalogue/cours/"

// courseInputs maps the service's logical fields to the form's inputs.
var courseInputs = map[string]string{"code": "code", "formation": "formation", "level": "niveau",
	"establishment": "etablissement", "room": "salle", "weekday": "jour", "start": "debut", "end": "fin",
	"capacity": "capacite", "trainer": "formateur", "price": "tarif", "session": "code", "reason": "raison"}

// courseInputOrder is the form's order, for the error summary.
var courseInputOrder = []string{"code", "formation", "level", "establishment", "room", "weekday", "start", "end",
	"capacity", "trainer", "price", "reason"}

// courseForm is the course form as typed.
type courseForm struct {
	Code, Formation, Level, Establishment, Room, Weekday, Start, End string
	Capacity, Trainer, TariffMode, Price, Reason                     string
}

func courseAdminFormFromRequest(r *http.Request) courseForm {
	v := r.PostFormValue
	return courseForm{Code: strings.TrimSpace(v("code")), Formation: v("formation"), Level: v("niveau"),
		Establishment: v("etablissement"), Room: v("salle"), Weekday: v("jour"), Start: strings.TrimSpace(v("debut")),
		End: strings.TrimSpace(v("fin")), Capacity: strings.TrimSpace(v("capacite")), Trainer: v("formateur"),
		TariffMode: v("tarif_mode"), Price: strings.TrimSpace(v("tarif")), Reason: v("raison")}
}

func formID(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// input is the form as the administration takes it; what cannot be read
// (a time, a tariff, a capacity) is a field error of its own.
func (f courseForm) input() (catalogue.CourseInput, domain.FieldErrors) {
	var errs domain.FieldErrors
	in := catalogue.CourseInput{Code: strings.ToUpper(f.Code), FormationID: formID(f.Formation), Level: domain.Level(f.Level),
		EstablishmentID: formID(f.Establishment), RoomID: formID(f.Room), TrainerAccountID: formID(f.Trainer),
		Weekday: -1, StartMinute: -1, EndMinute: -1, Reason: f.Reason}
	if d, err := strconv.Atoi(f.Weekday); err == nil && d >= 0 && d <= 6 {
		in.Weekday = time.Weekday(d)
	}
	clock := func(raw, field string) int {
		if raw == "" {
			errs = append(errs, domain.FieldError{Field: field, Key: "course.error.time_missing"})
			return -1
		}
		m, ok := catalogue.ParseClock(raw)
		if !ok {
			errs = append(errs, domain.FieldError{Field: field, Key: "course.error.time_format"})
			return -1
		}
		return m
	}
	in.StartMinute, in.EndMinute = clock(f.Start, "start"), clock(f.End, "end")
	if f.Capacity != "" {
		n, err := strconv.Atoi(f.Capacity)
		if err != nil || n <= 0 {
			errs = append(errs, domain.FieldError{Field: "capacity", Key: "course.error.capacity_number"})
		} else {
			in.Capacity = n
		}
	}
	if f.TariffMode == "propre" {
		in.OwnPrice = true
		switch cents, ok := catalogue.ParseTariff(f.Price); {
		case f.Price == "":
			errs = append(errs, domain.FieldError{Field: "price", Key: "course.error.price_missing"})
		case !ok:
			errs = append(errs, domain.FieldError{Field: "price", Key: "course.error.price_format"})
		default:
			in.PriceCents = cents
		}
	}
	return in, errs
}

// courseFormOf is a course's values as the form shows them.
func courseFormOf(c catalogue.AdminCourse) courseForm {
	f := courseForm{Code: c.Code, Formation: itoa64(c.FormationID), Level: string(c.Level),
		Establishment: itoa64(c.EstablishmentID), Room: itoa64(c.RoomID), Weekday: strconv.Itoa(int(c.Weekday)),
		Start: clockValue(c.StartMinute), End: clockValue(c.EndMinute), Capacity: strconv.Itoa(c.Capacity),
		Trainer: itoa64(c.TrainerAccountID), TariffMode: "formation"}
	if ownTariff(c) {
		f.TariffMode, f.Price = "propre", euroValue(c.PriceCents)
	}
	return f
}

// ownTariff says whether the course's tariff is its own: set so, or no
// longer its formation's default (the form then keeps it rather than
// silently taking the formation's).
func ownTariff(c catalogue.AdminCourse) bool {
	return c.OwnPrice || c.PriceCents != c.Formation.DefaultPriceCents
}

// roomLabel names a room in a choice, with its workstations when it has
// some (CAT-4).
func roomLabel(pg *views.Page, r domain.Room) string {
	if r.Workstations == 0 {
		return r.Name
	}
	return pg.T("course.admin.room.option", map[string]any{"Room": r.Name, "Workstations": r.Workstations})
}

// clockValue writes minutes as a time input's value, "18:30".
func clockValue(m int) string {
	if m < 0 {
		return ""
	}
	return strconv.Itoa(m/60/10) + strconv.Itoa(m/60%10) + ":" + strconv.Itoa(m%60/10) + strconv.Itoa(m%60%10)
}

// euroValue writes cents as the tariff field types them, "180,50".
func euroValue(c int64) string {
	s := strconv.FormatInt(c/100, 10)
	if c%100 != 0 {
		s += "," + strconv.FormatInt(c%100/10, 10) + strconv.FormatInt(c%10, 10)
	}
	return s
}

// courseAdminError answers an error of the administration: 404, 403, or 500.
func (s *Server) courseAdminError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, catalogue.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, catalogue.ErrForbidden):
		s.forbidden(w, r, false)
	default:
		s.serverError(w, r, err)
	}
}

// courseFormView fills the form's choices around what f holds.
func (s *Server) courseFormView(r *http.Request, pg *views.Page, ix *catalogue.Index, se *domain.Session, f courseForm, current *catalogue.AdminCourse) (*views.CourseFormView, error) {
	u := currentUser(r)
	v := &views.CourseFormView{Session: se.Name, SessionURL: "/back-office/catalogue/sessions/" + itoa64(se.ID),
		Code: f.Code, Start: f.Start, End: f.End, Capacity: f.Capacity, Price: f.Price, Reason: f.Reason,
		OwnPrice: f.TariffMode == "propre", ErrFor: map[string]string{}}
	formationID, roomID := formID(f.Formation), formID(f.Room)
	v.Formations = []views.Option{{Value: "", Label: pg.T("course.admin.choose")}}
	var formation *domain.Formation
	for i := range ix.Formations {
		fo := &ix.Formations[i]
		if fo.Archived && fo.ID != formationID {
			continue
		}
		if fo.ID == formationID {
			formation = fo
		}
		v.Formations = append(v.Formations, views.Option{Value: itoa64(fo.ID), Label: fo.Title + " (" + fo.Code + ")",
			Selected: fo.ID == formationID})
	}
	v.Levels = []views.Option{{Value: "", Label: pg.T("course.admin.level.default"), Selected: f.Level == ""}}
	for _, l := range domain.Levels {
		v.Levels = append(v.Levels, views.Option{Value: string(l), Label: pg.T("level." + string(l)), Selected: string(l) == f.Level})
	}
	v.Weekdays = []views.Option{{Value: "", Label: pg.T("course.admin.choose")}}
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		v.Weekdays = append(v.Weekdays, views.Option{Value: strconv.Itoa(d), Label: pg.T("weekday." + strconv.Itoa(d)),
			Selected: f.Weekday == strconv.Itoa(d)})
	}
	estID := formID(f.Establishment)
	v.Establishments = []views.Option{{Value: "", Label: pg.T("course.admin.choose")}}
	var room *domain.Room
	for _, e := range ix.Establishments {
		if e.Archived && e.ID != estID {
			continue
		}
		v.Establishments = append(v.Establishments, views.Option{Value: itoa64(e.ID), Label: e.Name, Selected: e.ID == estID})
		g := views.OptionGroup{Label: e.Name}
		for i := range e.Rooms {
			ro := &e.Rooms[i]
			if ro.Archived && ro.ID != roomID {
				continue
			}
			if ro.ID == roomID {
				room = ro
			}
			g.Options = append(g.Options, views.Option{Value: itoa64(ro.ID),
				Label:    roomLabel(pg, *ro),
				Selected: ro.ID == roomID})
		}
		if len(g.Options) > 0 {
			v.Rooms = append(v.Rooms, g)
		}
	}
	staff, err := s.CatalogueAdmin.StaffAccounts(r.Context(), u.Actor)
	if err != nil {
		return nil, err
	}
	trainerID := formID(f.Trainer)
	v.Trainers = []views.Option{{Value: "", Label: pg.T("course.admin.trainer.none"), Selected: trainerID == 0}}
	for _, a := range staff {
		v.Trainers = append(v.Trainers, views.Option{Value: itoa64(a.ID), Label: a.FullName() + " — " + a.Email, Selected: a.ID == trainerID})
	}
	if current != nil && current.TrainerAccountID == 0 && current.Trainer != "" {
		v.TrainerHint = pg.T("course.admin.trainer.named", map[string]any{"Name": current.Trainer})
	}
	// The CAT-4 rule: the one that applies once formation and room are
	// known, all three before.
	if formation != nil && room != nil {
		key, args := catalogue.CapacityRule(formation.Kind, *room)
		v.CapacityHint = pg.T(key, args) + " " + pg.T("course.capacity.default", args)
	} else {
		v.CapacityHint = pg.T("course.capacity.rules", map[string]any{"Min": domain.GeneralMinCapacity,
			"Max": domain.GeneralMaxCapacity, "Computer": domain.ComputerMaxCapacity})
	}
	if formation != nil {
		v.FormationTariff = pg.T("course.admin.tariff.formation.amount", map[string]any{"Amount": views.Money(formation.DefaultPriceCents),
			"Half": views.Money(domain.HalfTariff(formation.DefaultPriceCents))})
	}
	v.TariffModes = []views.Option{
		{Value: "formation", Label: pg.T("course.admin.tariff.formation"), Selected: !v.OwnPrice},
		{Value: "propre", Label: pg.T("course.admin.tariff.own"), Selected: v.OwnPrice}}
	if v.OwnPrice {
		if cents, ok := catalogue.ParseTariff(f.Price); ok {
			v.HalfNote = pg.T("course.admin.half.amount", map[string]any{"Amount": views.Money(domain.HalfTariff(cents))})
		}
	}
	return v, nil
}

// newCoursePage is the form of a new course in a session (ROLE-5).
func (s *Server) newCoursePage(w http.ResponseWriter, r *http.Request) {
	s.courseFormPage(w, r, nil, courseForm{TariffMode: "formation"}, nil, http.StatusOK)
}

// editCoursePage is the form of an existing course (ROLE-5).
func (s *Server) editCoursePage(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	c, err := s.CatalogueAdmin.CourseForStaff(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	s.courseFormPage(w, r, &c, courseFormOf(c), nil, http.StatusOK)
}

// courseFormPage shows the course form, new (c nil) or to edit, with what
// was typed and its errors.
func (s *Server) courseFormPage(w http.ResponseWriter, r *http.Request, c *catalogue.AdminCourse, f courseForm, errs domain.FieldErrors, status int) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	var se *domain.Session
	if c != nil {
		se = &c.Session
	} else {
		id, _ := pathID(r, "id")
		var ok bool
		if se, ok = ix.Session(id); !ok {
			s.notFound(w, r)
			return
		}
	}
	pg := s.page(r, "course.admin.new.title")
	v, err := s.courseFormView(r, pg, ix, se, f, c)
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	if c != nil {
		pg.Title = pg.T("course.admin.edit.title", map[string]any{"Code": c.Code})
		v.Action = courseAdminPath + itoa64(c.ID) + "/modifier"
		v.BackURL, v.Back = courseAdminPath+itoa64(c.ID), pg.T("course.admin.back", map[string]any{"Code": c.Code})
		v.Enrolled = c.Enrolled
	} else {
		v.Action = "/back-office/catalogue/sessions/" + itoa64(se.ID) + "/cours/nouveau"
		v.BackURL, v.Back = v.SessionURL, pg.T("course.admin.back.session", map[string]any{"Session": se.Name})
	}
	v.Title = pg.Title
	v.Errors, v.ErrFor = fieldMessages(pg.P, mergeFieldErrors(courseInputOrder, errs), courseInputs)
	s.render(w, r, status, views.CourseForm(pg, v))
}

// createCourse adds the course, or shows the form again with its errors.
func (s *Server) createCourse(w http.ResponseWriter, r *http.Request) {
	sessionID, _ := pathID(r, "id")
	f := courseAdminFormFromRequest(r)
	in, ferrs := f.input()
	var id int64
	var err error
	if len(ferrs) > 0 {
		// What could not be read is said, and the rest checked, with
		// nothing created.
		err = s.CatalogueAdmin.CheckCourseInput(r.Context(), currentUser(r).Actor, sessionID, 0, in)
	} else {
		id, err = s.CatalogueAdmin.CreateCourse(r.Context(), currentUser(r).Actor, sessionID, in)
	}
	var serrs domain.FieldErrors
	if errors.As(err, &serrs) || len(ferrs) > 0 && err == nil {
		s.courseFormPage(w, r, nil, f, mergeFieldErrors(courseInputOrder, ferrs, serrs), http.StatusBadRequest)
		return
	}
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	http.Redirect(w, r, courseAdminPath+itoa64(id)+"?fait=cree", http.StatusSeeOther)
}

// updateCourse changes the course, or shows the form again with its errors.
func (s *Server) updateCourse(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	u := currentUser(r)
	f := courseAdminFormFromRequest(r)
	in, ferrs := f.input()
	var err error
	if len(ferrs) > 0 {
		err = s.CatalogueAdmin.CheckCourseInput(r.Context(), u.Actor, 0, id, in)
	} else {
		err = s.CatalogueAdmin.UpdateCourse(r.Context(), u.Actor, id, in)
	}
	var serrs domain.FieldErrors
	if errors.As(err, &serrs) || len(ferrs) > 0 && err == nil {
		c, cerr := s.CatalogueAdmin.CourseForStaff(r.Context(), u.Actor, id)
		if cerr != nil {
			s.courseAdminError(w, r, cerr)
			return
		}
		// The form's own errors first, the service's on the other fields.
		s.courseFormPage(w, r, &c, f, mergeFieldErrors(courseInputOrder, ferrs, serrs), http.StatusBadRequest)
		return
	}
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	http.Redirect(w, r, courseAdminPath+itoa64(id)+"?fait=modifie", http.StatusSeeOther)
}

// courseAdminPage is a course's page in the administration: every field,
// its links and its audit trail (ROLE-5; a director reads her own
// establishment's, ROLE-3).
func (s *Server) courseAdminPage(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	u := currentUser(r)
	c, err := s.CatalogueAdmin.CourseForStaff(r.Context(), u.Actor, id)
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	pg := s.page(r, "course.admin.title")
	pg.Title = c.Formation.Title + " — " + c.Code
	p := pg.P
	tariff := p.T("course.admin.tariff.is.formation")
	if ownTariff(c) {
		tariff = p.T("course.admin.tariff.is.own")
	}
	capKey, capArgs := catalogue.CapacityRule(c.Formation.Kind, c.Room)
	trainer := c.Trainer
	if trainer == "" {
		trainer = p.T("course.admin.trainer.none")
	}
	v := &views.CourseAdminView{Title: pg.Title, Archived: c.Archived, Facts: []views.Link{
		{Label: p.T("course.code"), Hint: c.Code},
		{Label: p.T("course.session"), Hint: c.Session.Name, URL: "/back-office/catalogue/sessions/" + itoa64(c.SessionID)},
		{Label: p.T("course.admin.formation"), Hint: c.Formation.Title + " (" + c.Formation.Code + ")"},
		{Label: p.T("course.level"), Hint: p.T("level." + string(c.Level))},
		{Label: p.T("course.establishment"), Hint: c.Establishment.Name},
		{Label: p.T("course.admin.room"), Hint: c.Room.Name},
		{Label: p.T("course.schedule"), Hint: p.T("weekday."+strconv.Itoa(int(c.Weekday))) + " " +
			domain.FormatClock(c.StartMinute) + "–" + domain.FormatClock(c.EndMinute)},
		{Label: p.T("course.admin.capacity"), Hint: p.T("course.admin.capacity.value", map[string]any{"Capacity": c.Capacity,
			"Enrolled": c.Enrolled}) + " " + p.T(capKey, capArgs)},
		{Label: p.T("course.trainer"), Hint: trainer},
		{Label: p.T("course.admin.tariff"), Hint: views.Money(c.PriceCents) + " — " + tariff},
		{Label: p.T("course.admin.half"), Hint: views.Money(c.ReducedCents) + " — " + p.T("course.admin.half.rule")},
		{Label: p.T("course.admin.remote"), Hint: yesNo(p, c.Remote)},
		{Label: p.T("bo.cand.title"), Hint: p.T("course.admin.candidatures", map[string]any{"Count": c.Candidatures})},
	}}
	if c.Session.Public() && !c.Archived {
		v.Links = append(v.Links, views.Link{URL: "/catalogue/cours/" + itoa64(c.ID), Label: p.T("course.admin.public")})
	}
	v.Links = append(v.Links, views.Link{URL: "/back-office/cours/" + itoa64(c.ID), Label: p.T("course.admin.staff")})
	res := domain.Resource{CourseID: c.ID, EstablishmentID: c.EstablishmentID, FormationID: c.FormationID}
	if !c.Archived {
		if domain.Can(u.Actor, domain.ActManageCatalogue, res) {
			v.Links = append(v.Links, views.Link{URL: courseAdminPath + itoa64(c.ID) + "/modifier", Label: p.T("course.admin.edit")})
		}
		if domain.Can(u.Actor, domain.ActStaffCourse, res) {
			v.Links = append(v.Links, views.Link{URL: courseAdminPath + itoa64(c.ID) + "/equipe", Label: p.T("course.staff.title")},
				views.Link{URL: "/back-office/catalogue/distanciel", Label: p.T("course.admin.remote.link")})
		}
		if domain.Can(u.Actor, domain.ActManageCatalogue, res) {
			v.Links = append(v.Links, views.Link{URL: courseAdminPath + itoa64(c.ID) + "/archiver", Label: p.T("course.admin.archive")})
		}
	}
	switch r.URL.Query().Get("fait") {
	case "cree":
		v.Done = p.T("course.admin.done.created")
	case "modifie":
		v.Done = p.T("course.admin.done.changed")
	case "equipe":
		v.Done = p.T("course.admin.done.staffed")
	case "archive":
		v.Done = p.T("course.admin.done.archived")
	}
	events, err := s.CatalogueAdmin.Audit(r.Context(), domain.AuditObjectCourse, c.ID, 100)
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	v.History = s.auditRows(pg, events)
	s.render(w, r, http.StatusOK, views.CourseAdmin(pg, v))
}

// archiveCoursePage asks to confirm the archiving, saying whether the course
// will be deleted (nothing refers to it) or archived, and why it cannot be.
func (s *Server) archiveCoursePage(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	c, err := s.CatalogueAdmin.CourseForStaff(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	s.archiveForm(w, r, c, "", nil, http.StatusOK)
}

func (s *Server) archiveForm(w http.ResponseWriter, r *http.Request, c catalogue.AdminCourse, reason string, errs domain.FieldErrors, status int) {
	pg := s.page(r, "course.archive.title")
	pg.Title = pg.T("course.archive.title.code", map[string]any{"Code": c.Code})
	v := &views.CourseArchiveView{Title: pg.Title, Action: courseAdminPath + itoa64(c.ID) + "/archiver",
		BackURL: courseAdminPath + itoa64(c.ID), Reason: reason, Archived: c.Archived,
		Summary: c.Formation.Title + " — " + c.Session.Name + " — " + c.Establishment.Name}
	switch {
	case c.Candidatures > 0 && !s.Now().Before(c.Session.CandidatureOpens):
		v.Blocked = pg.T("course.error.holds_candidatures", map[string]any{"Count": c.Candidatures})
	case c.Referred:
		v.Outcome = pg.T("course.archive.will_archive")
	default:
		v.Outcome = pg.T("course.archive.will_delete")
	}
	v.Errors, v.ErrFor = fieldMessages(pg.P, errs, courseInputs)
	s.render(w, r, status, views.CourseArchive(pg, v))
}

// archiveCourse archives or deletes the course.
func (s *Server) archiveCourse(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	u := currentUser(r)
	reason := r.PostFormValue("raison")
	out, err := s.CatalogueAdmin.ArchiveOrDeleteCourse(r.Context(), u.Actor, id, reason)
	var ferrs domain.FieldErrors
	if errors.As(err, &ferrs) {
		c, cerr := s.CatalogueAdmin.CourseForStaff(r.Context(), u.Actor, id)
		if cerr != nil {
			s.courseAdminError(w, r, cerr)
			return
		}
		s.archiveForm(w, r, c, reason, ferrs, http.StatusBadRequest)
		return
	}
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	if out == catalogue.CourseDeleted {
		pg := s.page(r, "course.archive.deleted.title")
		s.render(w, r, http.StatusOK, views.CourseDeleted(pg, pg.T("course.archive.deleted"), "/back-office/catalogue"))
		return
	}
	http.Redirect(w, r, courseAdminPath+itoa64(id)+"?fait=archive", http.StatusSeeOther)
}

// staffCourseForm is the "Équipe et salle" form: a director's trainer and
// room of her own establishment's course (ROLE-3), the central service's for
// any (ROLE-5).
func (s *Server) staffCourseForm(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	c, err := s.CatalogueAdmin.CourseForStaff(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	s.staffForm(w, r, c, itoa64(c.TrainerAccountID), itoa64(c.RoomID), "", nil, http.StatusOK)
}

func (s *Server) staffForm(w http.ResponseWriter, r *http.Request, c catalogue.AdminCourse, trainer, room, reason string, errs domain.FieldErrors, status int) {
	u := currentUser(r)
	pg := s.page(r, "course.staff.title")
	pg.Title = pg.T("course.staff.title.code", map[string]any{"Code": c.Code})
	v := &views.CourseStaffView{Title: pg.Title, Action: courseAdminPath + itoa64(c.ID) + "/equipe",
		BackURL: "/back-office/cours/" + itoa64(c.ID), Reason: reason, Archived: c.Archived,
		Summary: c.Formation.Title + " — " + c.Establishment.Name + " — " + pg.T("weekday."+strconv.Itoa(int(c.Weekday))) + " " +
			domain.FormatClock(c.StartMinute) + "–" + domain.FormatClock(c.EndMinute),
		RemoteURL: "/back-office/catalogue/distanciel"}
	staff, err := s.CatalogueAdmin.StaffAccounts(r.Context(), u.Actor)
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	v.Trainers = []views.Option{{Value: "", Label: pg.T("course.admin.trainer.none"), Selected: trainer == "" || trainer == "0"}}
	for _, a := range staff {
		v.Trainers = append(v.Trainers, views.Option{Value: itoa64(a.ID), Label: a.FullName() + " — " + a.Email, Selected: itoa64(a.ID) == trainer})
	}
	if c.TrainerAccountID == 0 && c.Trainer != "" {
		v.TrainerHint = pg.T("course.admin.trainer.named", map[string]any{"Name": c.Trainer})
	}
	if ix := s.index(w, r); ix != nil {
		if e, ok := ix.Establishment(c.EstablishmentID); ok {
			for _, ro := range e.Rooms {
				if ro.Archived && itoa64(ro.ID) != room {
					continue
				}
				v.Rooms = append(v.Rooms, views.Option{Value: itoa64(ro.ID),
					Label:    roomLabel(pg, ro),
					Selected: itoa64(ro.ID) == room})
			}
		}
	} else {
		return
	}
	if !slices.ContainsFunc(v.Rooms, func(o views.Option) bool { return o.Selected }) {
		// A room not offered (another establishment's) leaves the course's own shown.
		for i := range v.Rooms {
			v.Rooms[i].Selected = v.Rooms[i].Value == itoa64(c.RoomID)
		}
	}
	// The director's form has no capacity: a capacity the new room cannot
	// hold is said on the room.
	for i := range errs {
		if errs[i].Field == "capacity" {
			errs[i].Field = "room"
		}
	}
	v.Errors, v.ErrFor = fieldMessages(pg.P, mergeFieldErrors(courseInputOrder, errs), courseInputs)
	s.render(w, r, status, views.CourseStaff(pg, v))
}

// staffCourse changes the trainer and the room.
func (s *Server) staffCourse(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "id")
	u := currentUser(r)
	trainer, room, reason := r.PostFormValue("formateur"), r.PostFormValue("salle"), r.PostFormValue("raison")
	err := s.CatalogueAdmin.StaffCourse(r.Context(), u.Actor, id, formID(trainer), formID(room), reason)
	var ferrs domain.FieldErrors
	if errors.As(err, &ferrs) {
		c, cerr := s.CatalogueAdmin.CourseForStaff(r.Context(), u.Actor, id)
		if cerr != nil {
			s.courseAdminError(w, r, cerr)
			return
		}
		s.staffForm(w, r, c, trainer, room, reason, ferrs, http.StatusBadRequest)
		return
	}
	if err != nil {
		s.courseAdminError(w, r, err)
		return
	}
	http.Redirect(w, r, courseAdminPath+itoa64(id)+"?fait=equipe", http.StatusSeeOther)
}

// courseAdminLinks are the staff course page's links to the course's
// administration: its "Équipe et salle" form and admin page for a director
// of its establishment and the central service (ROLE-3, ROLE-5).
func (s *Server) courseAdminLinks(pg *views.Page, actor domain.Actor, e *catalogue.Entry) []views.Link {
	res := domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}
	if !domain.Can(actor, domain.ActStaffCourse, res) {
		return nil
	}
	return []views.Link{
		{Label: pg.T("course.staff.title"), Hint: pg.T("course.staff.change"), URL: courseAdminPath + itoa64(e.ID) + "/equipe"},
		{Label: pg.T("course.admin.hub"), Hint: pg.T("course.admin.page"), URL: courseAdminPath + itoa64(e.ID)},
	}
}
