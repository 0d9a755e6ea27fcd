package catalogue

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/store"
)

// The courses of the catalogue administration (CAT-3, CAT-4, ROLE-5,
// ROLE-3): the central service creates, edits and archives a session's
// courses; a director changes the trainer and the room of her own
// establishment's. Each check answers as a field error (a message key),
// worded next to the field by the pages and the staff API alike.

// CourseInput is a course as the central service sets it.
type CourseInput struct {
	Code            string
	FormationID     int64
	Level           domain.Level // empty: the formation's level
	EstablishmentID int64
	RoomID          int64
	// Weekday, StartMinute and EndMinute are -1 when not given.
	Weekday                time.Weekday
	StartMinute, EndMinute int
	Capacity               int   // 0: the CAT-4 default (domain.DefaultCapacity)
	TrainerAccountID       int64 // a staff account, 0 while none is named
	// OwnPrice gives the course its own tariff, PriceCents; otherwise it
	// follows its formation's default tariff (CAT-3).
	OwnPrice   bool
	PriceCents int64
	Reason     string // why, for the audit trail; optional
}

// AdminCourse is one course as staff see it in the administration, whatever
// its state (archived, in a draft session), with what it refers to.
type AdminCourse struct {
	domain.Course
	Formation     domain.Formation
	Establishment domain.Establishment
	Room          domain.Room
	Session       domain.Session
	// Candidatures counts those not cancelled; Referred is whether anything
	// refers to the course (it is then archived rather than deleted).
	Candidatures int
	Referred     bool
}

// ParseClock reads an "HH:MM" (or "18h30") time as minutes after midnight;
// "24:00" ends a day. ok is false for anything else.
func ParseClock(s string) (minute int, ok bool) {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ToLower(s), "h", ":"))
	h, m, found := strings.Cut(s, ":")
	if !found || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || hh == 24 && mm != 0 || h[0] == '+' || h[0] == '-' {
		return 0, false
	}
	return hh*60 + mm, true
}

// ParseTariff reads a tariff in euros the way the French write it, strictly:
// "180", "180,50", "180,5" (a dot is taken as the comma); no sign, no
// thousands separator, at most two decimals. ok is false otherwise.
func ParseTariff(s string) (cents int64, ok bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	units, dec, hasDec := strings.Cut(strings.Replace(s, ".", ",", 1), ",")
	if units == "" || len(units) > 7 || hasDec && (len(dec) < 1 || len(dec) > 2) {
		return 0, false
	}
	for _, r := range units + dec {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	u, _ := strconv.ParseInt(units, 10, 64)
	cents = u * 100
	if hasDec {
		d, _ := strconv.ParseInt(dec, 10, 64)
		if len(dec) == 1 {
			d *= 10
		}
		cents += d
	}
	return cents, true
}

// CapacityRule names the CAT-4 rule that applies to a formation's kind in
// a room, as a message key with its arguments (Default, Max, Room), for the
// hint next to the capacity field.
func CapacityRule(kind domain.FormationKind, room domain.Room) (key string, args map[string]any) {
	args = map[string]any{"Default": domain.DefaultCapacity(kind, room), "Room": room.Name, "Workstations": room.Workstations,
		"Min": domain.GeneralMinCapacity, "Max": domain.GeneralMaxCapacity, "Computer": domain.ComputerMaxCapacity}
	switch kind {
	case domain.KindComputer:
		return "course.capacity.rule.computer", args
	case domain.KindTechnical:
		return "course.capacity.rule.technical", args
	}
	return "course.capacity.rule.general", args
}

// CourseForStaff reads a course for the administration's pages and the staff
// API: any course the actor may view (ROLE-2..5), archived ones and those of
// draft sessions included.
func (a *Admin) CourseForStaff(ctx context.Context, actor domain.Actor, id int64) (AdminCourse, error) {
	c, set, refs, err := a.store.AdminCourseRead(ctx, id)
	if err != nil {
		return AdminCourse{}, err
	}
	if !domain.Can(actor, domain.ActViewCourse, courseResource(c)) {
		return AdminCourse{}, ErrForbidden
	}
	return AdminCourse{Course: c, Formation: set.Formation, Establishment: set.Establishment, Room: set.Room,
		Session: set.Session, Candidatures: refs.Active, Referred: refs.Any()}, nil
}

func courseResource(c domain.Course) domain.Resource {
	return domain.Resource{CourseID: c.ID, EstablishmentID: c.EstablishmentID, FormationID: c.FormationID}
}

// StaffAccounts lists the staff accounts a course's trainer is picked among.
func (a *Admin) StaffAccounts(ctx context.Context, actor domain.Actor) ([]domain.Account, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) && !hasDirectorGrant(actor) {
		return nil, ErrForbidden
	}
	return a.store.ActiveStaff(ctx)
}

func hasDirectorGrant(actor domain.Actor) bool {
	for _, g := range actor.Grants {
		if g.Role == domain.RoleDirector && g.EstablishmentID != 0 {
			return domain.Can(actor, domain.ActStaffCourse, domain.Resource{EstablishmentID: g.EstablishmentID})
		}
	}
	return false
}

// errDryRun rolls a check back.
var errDryRun = errors.New("catalogue: dry run")

// CheckCourseInput checks an input as CreateCourse (courseID 0, in the
// session) or UpdateCourse (courseID) would, and changes nothing: the pages
// and the API use it to say every wrong field at once when some of their
// own input could not be read.
func (a *Admin) CheckCourseInput(ctx context.Context, actor domain.Actor, sessionID, courseID int64, in CourseInput) error {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return ErrForbidden
	}
	var checked error
	err := a.store.InTx(ctx, func(tx *sql.Tx) error {
		c := domain.Course{SessionID: sessionID}
		if courseID != 0 {
			var err error
			if c, err = a.store.AdminCourseTx(ctx, tx, courseID); err != nil {
				return err
			}
		}
		_, checked = a.applyInput(ctx, tx, &c, in)
		return errDryRun
	})
	if !errors.Is(err, errDryRun) {
		return err
	}
	return checked
}

// CreateCourse adds a course to a session (CAT-3, ROLE-5); a session gains
// courses at any time, its candidature period open or not.
func (a *Admin) CreateCourse(ctx context.Context, actor domain.Actor, sessionID int64, in CourseInput) (int64, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return 0, ErrForbidden
	}
	var id int64
	err := a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		c := domain.Course{SessionID: sessionID}
		set, err := a.applyInput(ctx, tx, &c, in)
		if err != nil {
			return nil, err
		}
		if err := a.store.InsertCourse(ctx, tx, &c); err != nil {
			return nil, err
		}
		if err := a.store.SetCourseTrainerGrantTx(ctx, tx, c.ID, c.TrainerAccountID); err != nil {
			return nil, err
		}
		id = c.ID
		return []domain.AuditEvent{a.courseEvent(actor, c.ID, in.Reason, domain.AuditEvent{Action: domain.AuditCourseCreated, Details: Changes(nil, courseFields(c, set))})}, nil
	})
	return id, err
}

// UpdateCourse changes a course (CAT-3, CAT-4, ROLE-5): the capacity never
// below its enrolled learners, its trainer and room never booked elsewhere
// at the same time.
func (a *Admin) UpdateCourse(ctx context.Context, actor domain.Actor, id int64, in CourseInput) error {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return ErrForbidden
	}
	return a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		c, err := a.store.AdminCourseTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if c.Archived {
			return nil, domain.FieldErrors{{Field: "code", Key: "course.error.archived"}}
		}
		before, err := a.fieldsOf(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		trainerBefore := c.TrainerAccountID
		set, err := a.applyInput(ctx, tx, &c, in)
		if err != nil {
			return nil, err
		}
		if err := a.store.UpdateCourseTx(ctx, tx, c); err != nil {
			return nil, err
		}
		if c.TrainerAccountID != trainerBefore {
			if err := a.store.SetCourseTrainerGrantTx(ctx, tx, c.ID, c.TrainerAccountID); err != nil {
				return nil, err
			}
		}
		details := Changes(before, courseFields(c, set))
		if details == "" {
			return nil, nil // nothing changed: nothing to audit
		}
		return []domain.AuditEvent{a.courseEvent(actor, c.ID, in.Reason, domain.AuditEvent{Action: domain.AuditCourseChanged, Details: details})}, nil
	})
}

// StaffCourse changes a course's trainer and room, and nothing else: what a
// director may do for her own establishment's courses (ROLE-3), and the
// central service for any (ROLE-5). The room stays in the course's
// establishment; trainerAccountID 0 leaves the course without a named
// trainer.
func (a *Admin) StaffCourse(ctx context.Context, actor domain.Actor, id, trainerAccountID, roomID int64, reason string) error {
	return a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		c, err := a.store.AdminCourseTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if !domain.Can(actor, domain.ActStaffCourse, courseResource(c)) {
			return nil, ErrForbidden
		}
		if c.Archived {
			return nil, domain.FieldErrors{{Field: "trainer", Key: "course.error.archived"}}
		}
		before, err := a.fieldsOf(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		in := inputOf(c)
		in.TrainerAccountID, in.RoomID = trainerAccountID, roomID
		trainerBefore := c.TrainerAccountID
		price, reduced := c.PriceCents, c.ReducedCents
		set, err := a.applyInput(ctx, tx, &c, in)
		if err != nil {
			return nil, err
		}
		// Staffing never touches the tariff, even one that no longer is
		// its formation's default.
		c.PriceCents, c.ReducedCents = price, reduced
		if err := a.store.UpdateCourseTx(ctx, tx, c); err != nil {
			return nil, err
		}
		if c.TrainerAccountID != trainerBefore {
			if err := a.store.SetCourseTrainerGrantTx(ctx, tx, c.ID, c.TrainerAccountID); err != nil {
				return nil, err
			}
		}
		details := Changes(before, courseFields(c, set))
		if details == "" {
			return nil, nil
		}
		return []domain.AuditEvent{a.courseEvent(actor, c.ID, reason, domain.AuditEvent{Action: domain.AuditCourseStaffed, Details: details})}, nil
	})
}

// ArchiveOutcome says what ArchiveCourse did.
type ArchiveOutcome string

const (
	CourseArchived ArchiveOutcome = "archived" // something refers to it: kept, offered for nothing new
	CourseDeleted  ArchiveOutcome = "deleted"  // nothing referred to it
)

// ArchiveCourse takes a course out of the catalogue (ROLE-5): deleted when
// nothing refers to it, archived otherwise. Once its session's candidature
// period has opened, a course holding candidatures that are not cancelled
// is neither (the field error says how many).
func (a *Admin) ArchiveCourse(ctx context.Context, actor domain.Actor, id int64, reason string) error {
	_, err := a.ArchiveOrDeleteCourse(ctx, actor, id, reason)
	return err
}

// ArchiveOrDeleteCourse is ArchiveCourse telling which it did.
func (a *Admin) ArchiveOrDeleteCourse(ctx context.Context, actor domain.Actor, id int64, reason string) (ArchiveOutcome, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return "", ErrForbidden
	}
	var out ArchiveOutcome
	err := a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		c, err := a.store.AdminCourseTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(reason) == "" {
			return nil, domain.FieldErrors{{Field: "reason", Key: "course.error.reason"}}
		}
		if c.Archived {
			return nil, domain.FieldErrors{{Field: "reason", Key: "course.error.archived"}}
		}
		set, err := a.store.CourseSettingTx(ctx, tx, c.FormationID, c.EstablishmentID, c.RoomID, c.SessionID)
		if err != nil {
			return nil, err
		}
		refs, err := a.store.CourseReferencesTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if set.Session.ID != 0 && !a.now().Before(set.Session.CandidatureOpens) && refs.Active > 0 {
			return nil, domain.FieldErrors{{Field: "reason", Key: "course.error.holds_candidatures",
				Args: map[string]any{"Count": refs.Active}}}
		}
		what := c.Code + " — " + set.Formation.Title + " (" + set.Session.Code + ")"
		e := domain.AuditEvent{Action: domain.AuditCourseArchived, Details: what}
		if refs.Any() {
			out = CourseArchived
			err = a.store.ArchiveCourseTx(ctx, tx, id, a.now())
		} else {
			out, e = CourseDeleted, domain.AuditEvent{Action: domain.AuditCourseDeleted, Details: what}
			err = a.store.DeleteCourseTx(ctx, tx, id)
		}
		if err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.courseEvent(actor, id, reason, e)}, nil
	})
	return out, err
}

// inputOf is a course's current values as an input.
func inputOf(c domain.Course) CourseInput {
	in := CourseInput{Code: c.Code, FormationID: c.FormationID, Level: c.Level, EstablishmentID: c.EstablishmentID,
		RoomID: c.RoomID, Weekday: c.Weekday, StartMinute: c.StartMinute, EndMinute: c.EndMinute, Capacity: c.Capacity,
		TrainerAccountID: c.TrainerAccountID, OwnPrice: c.OwnPrice}
	if c.OwnPrice {
		in.PriceCents = c.PriceCents
	}
	return in
}

// applyInput checks the input against the catalogue and sets c from it,
// returning every wrong field at once as domain.FieldErrors.
func (a *Admin) applyInput(ctx context.Context, tx *sql.Tx, c *domain.Course, in CourseInput) (store.CourseSetting, error) {
	set, err := a.store.CourseSettingTx(ctx, tx, in.FormationID, in.EstablishmentID, in.RoomID, c.SessionID)
	if err != nil {
		return set, err
	}
	if set.Session.ID == 0 {
		return set, ErrNotFound
	}
	var errs domain.FieldErrors
	add := func(field, key string, args map[string]any) {
		errs = append(errs, domain.FieldError{Field: field, Key: key, Args: args})
	}
	if set.Session.Archived {
		add("session", "course.error.session_archived", nil)
	}
	// What already was may stay (an archived formation's course keeps it);
	// nothing archived is given anew.
	switch {
	case set.Formation.ID == 0:
		add("formation", "course.error.formation", nil)
	case set.Formation.Archived && set.Formation.ID != c.FormationID:
		add("formation", "course.error.formation_archived", nil)
	}
	switch {
	case set.Establishment.ID == 0:
		add("establishment", "course.error.establishment", nil)
	case set.Establishment.Archived && set.Establishment.ID != c.EstablishmentID:
		add("establishment", "course.error.establishment_archived", nil)
	}
	roomKnown := set.Room.ID != 0
	switch {
	case !roomKnown:
		add("room", "course.error.room", nil)
	case set.Room.Archived && set.Room.ID != c.RoomID:
		add("room", "course.error.room_archived", nil)
	}
	wasTrainer := c.TrainerAccountID
	c.Code = strings.TrimSpace(in.Code)
	c.FormationID, c.EstablishmentID, c.RoomID = in.FormationID, in.EstablishmentID, in.RoomID
	c.Weekday, c.StartMinute, c.EndMinute = in.Weekday, in.StartMinute, in.EndMinute
	c.Level = in.Level
	if c.Level == "" {
		c.Level = set.Formation.Level
	}
	c.Capacity = in.Capacity
	if c.Capacity == 0 && set.Formation.ID != 0 && roomKnown {
		c.Capacity = domain.DefaultCapacity(set.Formation.Kind, set.Room)
	}
	c.OwnPrice = in.OwnPrice
	c.PriceCents = in.PriceCents
	if !in.OwnPrice {
		c.PriceCents = set.Formation.DefaultPriceCents
	}
	c.ReducedCents = domain.HalfTariff(c.PriceCents)
	c.TrainerAccountID = in.TrainerAccountID
	if c.TrainerAccountID == 0 {
		if wasTrainer != 0 {
			c.Trainer = "" // the named trainer leaves; a trainer known by name only stays
		}
	} else {
		t, err := a.store.AccountTx(ctx, tx, c.TrainerAccountID)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && (t.Kind != domain.AccountStaff || t.Status != domain.StatusActive):
			add("trainer", "course.error.trainer", nil)
		case err != nil:
			return set, err
		default:
			c.Trainer = t.FullName()
		}
	}
	if domain.ValidCode(c.Code) {
		taken, err := a.store.CourseCodeTakenTx(ctx, tx, c.Code, c.ID)
		if err != nil {
			return set, err
		}
		if taken {
			add("code", "course.error.code_taken", map[string]any{"Code": c.Code})
		}
	}
	if set.Formation.ID != 0 && roomKnown {
		errs = append(errs, domain.CheckCourse(*c, set.Formation, set.Room)...)
	} else {
		// Without formation or room the capacity cannot be checked; the rest can.
		errs = append(errs, withoutField(domain.CheckCourse(*c, set.Formation, domain.Room{}), "capacity")...)
	}
	// The clashes, once the slot, the room and the trainer are known.
	if !hasField(errs, "weekday") && !hasField(errs, "start") && !hasField(errs, "end") && !hasField(errs, "room") &&
		!hasField(errs, "trainer") && !hasField(errs, "session") {
		booked, err := a.store.CoursesBookingTx(ctx, tx, c.ID, c.TrainerAccountID, c.RoomID)
		if err != nil {
			return set, err
		}
		slot := domain.SlotOfCourse(*c, set.Session)
		for _, b := range booked {
			if !slot.Clashes(b.Slot) {
				continue
			}
			args := map[string]any{"Code": b.Code, "Slot": weekdayFR[b.Slot.Weekday] + " " +
				domain.FormatClock(b.Slot.StartMinute) + "–" + domain.FormatClock(b.Slot.EndMinute)}
			if c.TrainerAccountID != 0 && b.TrainerAccountID == c.TrainerAccountID && !hasField(errs, "trainer") {
				add("trainer", "course.error.trainer_clash", args)
			}
			if b.RoomID == c.RoomID && !hasField(errs, "room") {
				add("room", "course.error.room_clash", args)
			}
		}
	}
	if len(errs) > 0 {
		return set, errs
	}
	return set, nil
}

func withoutField(errs domain.FieldErrors, field string) domain.FieldErrors {
	var out domain.FieldErrors
	for _, e := range errs {
		if e.Field != field {
			out = append(out, e)
		}
	}
	return out
}

func hasField(errs domain.FieldErrors, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

var weekdayFR = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// fieldsOf is a stored course's audited values.
func (a *Admin) fieldsOf(ctx context.Context, tx *sql.Tx, c domain.Course) (Fields, error) {
	set, err := a.store.CourseSettingTx(ctx, tx, c.FormationID, c.EstablishmentID, c.RoomID, c.SessionID)
	if err != nil {
		return nil, err
	}
	return courseFields(c, set), nil
}

// courseFields are a course's values as the audit trail writes them, in
// French (the central service reads it).
func courseFields(c domain.Course, set store.CourseSetting) Fields {
	day := ""
	if c.Weekday >= time.Sunday && c.Weekday <= time.Saturday {
		day = weekdayFR[c.Weekday]
	}
	tariff := documents.FrenchMoney(c.PriceCents) + " (tarif de la formation)"
	if c.OwnPrice {
		tariff = documents.FrenchMoney(c.PriceCents) + " (tarif propre au cours)"
	}
	return Fields{
		{"code", c.Code},
		{"formation", set.Formation.Code + " " + set.Formation.Title},
		{"niveau", levelFR[c.Level]},
		{"établissement", set.Establishment.Name},
		{"salle", set.Room.Name},
		{"jour", day},
		{"horaire", domain.FormatClock(c.StartMinute) + "–" + domain.FormatClock(c.EndMinute)},
		{"capacité", strconv.Itoa(c.Capacity)},
		{"formateur", c.Trainer},
		{"tarif", tariff},
		{"demi-tarif", documents.FrenchMoney(c.ReducedCents)},
	}
}

var levelFR = map[domain.Level]string{domain.LevelAll: "tous niveaux", domain.LevelBeginner: "débutant",
	domain.LevelElementary: "élémentaire", domain.LevelIntermediate: "intermédiaire", domain.LevelAdvanced: "avancé"}

// courseEvent completes an audit event about course id: when, by whom, why.
func (a *Admin) courseEvent(actor domain.Actor, id int64, reason string, e domain.AuditEvent) domain.AuditEvent {
	e.At, e.ActorID, e.Reason = a.now(), actor.AccountID, strings.TrimSpace(reason)
	e.ObjectKind, e.ObjectID = domain.AuditObjectCourse, id
	return e
}
