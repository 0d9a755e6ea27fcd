package catalogue

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"cma/internal/domain"
)

// The establishments and their rooms (ROLE-5): code, name, address,
// arrondissement and director; a room's workstations bound the capacity of
// computer and technical courses (CAT-4). An establishment or a room that
// something refers to is archived, not deleted.

// EstablishmentInput is what the central service gives an establishment.
// DirectorID is the staff account holding its director grant (0: none).
type EstablishmentInput struct {
	Code, Name, Address, PostalCode, City string
	District                              int
	DirectorID                            int64
	Reason                                string
}

// RoomInput is a room of an establishment.
type RoomInput struct {
	Name         string
	Workstations int
}

// EstablishmentRow is an establishment with its director and course count.
type EstablishmentRow struct {
	domain.Establishment
	DirectorID int64
	Courses    int
}

var postalCode = func(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CheckEstablishment checks an establishment's input without writing
// anything; nil when it is right.
func CheckEstablishment(in EstablishmentInput) error { return nilIfEmpty(checkEstablishment(in)) }

func checkEstablishment(in EstablishmentInput) domain.FieldErrors {
	var errs domain.FieldErrors
	if !domain.ValidCode(in.Code) {
		errs = append(errs, domain.FieldError{Field: "code", Key: "catalogue.error.code"})
	}
	if strings.TrimSpace(in.Name) == "" {
		errs = append(errs, domain.FieldError{Field: "name", Key: "catalogue.error.name"})
	}
	if strings.TrimSpace(in.Address) == "" {
		errs = append(errs, domain.FieldError{Field: "address", Key: "establishment.error.address"})
	}
	if !postalCode(in.PostalCode) {
		errs = append(errs, domain.FieldError{Field: "postal_code", Key: "establishment.error.postal_code"})
	}
	if strings.TrimSpace(in.City) == "" {
		errs = append(errs, domain.FieldError{Field: "city", Key: "establishment.error.city"})
	}
	if in.District < 0 || in.District > 20 {
		errs = append(errs, domain.FieldError{Field: "district", Key: "establishment.error.district"})
	}
	return errs
}

func establishmentFields(e domain.Establishment) Fields {
	return Fields{{"code", e.Code}, {"nom", e.Name}, {"adresse", e.Address}, {"code postal", e.PostalCode},
		{"ville", e.City}, {"arrondissement", strconv.Itoa(e.District)}}
}

func (in EstablishmentInput) apply(e *domain.Establishment) {
	e.Code, e.Name, e.Address = in.Code, strings.TrimSpace(in.Name), strings.TrimSpace(in.Address)
	e.PostalCode, e.City, e.District = in.PostalCode, strings.TrimSpace(in.City), in.District
}

// ListEstablishments is every establishment, archived ones too, with its
// director and course count (ROLE-5).
func (a *Admin) ListEstablishments(ctx context.Context, actor domain.Actor) ([]EstablishmentRow, error) {
	c, err := a.Overview(ctx, actor)
	if err != nil {
		return nil, err
	}
	directors, err := a.store.Directors(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]EstablishmentRow, 0, len(c.Establishments))
	for _, e := range c.Establishments {
		out = append(out, EstablishmentRow{Establishment: e, DirectorID: directors[e.ID], Courses: c.CoursesByEstablishment[e.ID]})
	}
	return out, nil
}

// Establishment is one establishment with its rooms, director and course count.
func (a *Admin) Establishment(ctx context.Context, actor domain.Actor, id int64) (EstablishmentRow, error) {
	rows, err := a.ListEstablishments(ctx, actor)
	if err != nil {
		return EstablishmentRow{}, err
	}
	for _, r := range rows {
		if r.ID == id {
			return r, nil
		}
	}
	return EstablishmentRow{}, ErrNotFound
}

// setDirector replaces the establishment's director grant when it changes,
// and says so for the audit trail ("" when unchanged).
func (a *Admin) setDirector(ctx context.Context, tx *sql.Tx, estID, directorID int64) (string, error) {
	current, err := a.store.DirectorOf(ctx, tx, estID)
	if err != nil || current == directorID {
		return "", err
	}
	name := func(id int64) (string, error) {
		if id == 0 {
			return "", nil
		}
		acc, err := a.store.AccountTx(ctx, tx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && acc.Kind != domain.AccountStaff) {
			return "", domain.FieldErrors{{Field: "director", Key: "establishment.error.director"}}
		}
		return acc.FullName(), err
	}
	newName, err := name(directorID)
	if err != nil {
		return "", err
	}
	oldName, err := name(current)
	if err != nil {
		oldName = "#" + strconv.FormatInt(current, 10)
	}
	if err := a.store.SetDirector(ctx, tx, estID, directorID); err != nil {
		return "", err
	}
	return "directeur : " + orDash(oldName) + " → " + orDash(newName), nil
}

// CreateEstablishment adds an establishment (and its director's grant) and
// returns its ID; bad input is domain.FieldErrors.
func (a *Admin) CreateEstablishment(ctx context.Context, actor domain.Actor, in EstablishmentInput) (int64, error) {
	if err := may(actor); err != nil {
		return 0, err
	}
	if errs := checkEstablishment(in); len(errs) > 0 {
		return 0, errs
	}
	var e domain.Establishment
	in.apply(&e)
	err := a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		if errs, err := a.codeFree(ctx, tx, "establishments", e.Code, 0); err != nil || errs != nil {
			return nil, errors.Join(err, nilIfEmpty(errs))
		}
		if err := a.store.InsertEstablishment(ctx, tx, &e); err != nil {
			return nil, err
		}
		events := []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditEstablishmentCreated, ObjectKind: domain.AuditObjectEstablishment, ObjectID: e.ID, Details: Changes(nil, establishmentFields(e)), Reason: in.Reason})}
		d, err := a.setDirector(ctx, tx, e.ID, in.DirectorID)
		if err != nil {
			return nil, err
		}
		if d != "" {
			events = append(events, a.stamp(actor, domain.AuditEvent{Action: domain.AuditEstablishmentDirector, ObjectKind: domain.AuditObjectEstablishment, ObjectID: e.ID, Details: d, Reason: in.Reason}))
		}
		return events, nil
	})
	return e.ID, unwrapFieldErrors(err)
}

// UpdateEstablishment changes an establishment and, when it changes, its
// director: the director grant of the establishment is replaced (audited).
func (a *Admin) UpdateEstablishment(ctx context.Context, actor domain.Actor, id int64, in EstablishmentInput) error {
	if err := may(actor); err != nil {
		return err
	}
	if errs := checkEstablishment(in); len(errs) > 0 {
		return errs
	}
	return unwrapFieldErrors(a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		before, err := a.store.EstablishmentTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if errs, err := a.codeFree(ctx, tx, "establishments", in.Code, id); err != nil || errs != nil {
			return nil, errors.Join(err, nilIfEmpty(errs))
		}
		after := before
		in.apply(&after)
		var events []domain.AuditEvent
		if details := Changes(establishmentFields(before), establishmentFields(after)); details != "" {
			if err := a.store.UpdateEstablishment(ctx, tx, after); err != nil {
				return nil, err
			}
			events = append(events, a.stamp(actor, domain.AuditEvent{Action: domain.AuditEstablishmentChanged, ObjectKind: domain.AuditObjectEstablishment, ObjectID: id, Details: details, Reason: in.Reason}))
		}
		d, err := a.setDirector(ctx, tx, id, in.DirectorID)
		if err != nil {
			return nil, err
		}
		if d != "" {
			events = append(events, a.stamp(actor, domain.AuditEvent{Action: domain.AuditEstablishmentDirector, ObjectKind: domain.AuditObjectEstablishment, ObjectID: id, Details: d, Reason: in.Reason}))
		}
		return events, nil
	}))
}

// RemoveEstablishment deletes an establishment nothing refers to (its rooms
// go with it, ON DELETE CASCADE), or archives it when a course or a grant
// does; archived reports which.
func (a *Admin) RemoveEstablishment(ctx context.Context, actor domain.Actor, id int64, reason string) (archived bool, err error) {
	return a.removeOrArchive(ctx, actor, removal{table: "establishments",
		archived: domain.AuditEvent{Action: domain.AuditEstablishmentArchived, ObjectKind: domain.AuditObjectEstablishment, ObjectID: id, Reason: reason},
		deleted:  domain.AuditEvent{Action: domain.AuditEstablishmentDeleted, ObjectKind: domain.AuditObjectEstablishment, ObjectID: id, Reason: reason},
		read: func(tx *sql.Tx) (bool, Fields, error) {
			e, err := a.store.EstablishmentTx(ctx, tx, id)
			return e.Archived, establishmentFields(e), err
		},
		referenced: func(tx *sql.Tx) (bool, error) { return a.store.EstablishmentReferenced(ctx, tx, id) }})
}

// removal says how to remove one catalogue row (removeOrArchive): its
// table, the audit event of each outcome (the deleted one gets the row's
// fields as its details), how to read it and whether anything refers to it.
type removal struct {
	table             string
	archived, deleted domain.AuditEvent
	read              func(tx *sql.Tx) (archived bool, fields Fields, err error)
	referenced        func(tx *sql.Tx) (bool, error)
}

// removeOrArchive deletes a row nothing refers to, or archives it when
// something does (once: archiving an archived row changes nothing), with its
// audit event, in one transaction (ROLE-5).
func (a *Admin) removeOrArchive(ctx context.Context, actor domain.Actor, rm removal) (archived bool, err error) {
	if err := may(actor); err != nil {
		return false, err
	}
	err = a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		wasArchived, fields, err := rm.read(tx)
		if err != nil {
			return nil, err
		}
		used, err := rm.referenced(tx)
		if err != nil {
			return nil, err
		}
		if used {
			archived = true
			if wasArchived {
				return nil, nil
			}
			if err := a.store.SetArchived(ctx, tx, rm.table, rm.archived.ObjectID, a.now()); err != nil {
				return nil, err
			}
			return []domain.AuditEvent{a.stamp(actor, rm.archived)}, nil
		}
		if err := a.store.DeleteRow(ctx, tx, rm.table, rm.deleted.ObjectID); err != nil {
			return nil, err
		}
		rm.deleted.Details = Changes(nil, fields)
		return []domain.AuditEvent{a.stamp(actor, rm.deleted)}, nil
	})
	return archived, err
}

func checkRoom(in RoomInput) domain.FieldErrors {
	var errs domain.FieldErrors
	if strings.TrimSpace(in.Name) == "" {
		errs = append(errs, domain.FieldError{Field: "room_name", Key: "room.error.name"})
	}
	if in.Workstations < 0 || in.Workstations > 200 {
		errs = append(errs, domain.FieldError{Field: "workstations", Key: "room.error.workstations"})
	}
	return errs
}

func roomTaken(e domain.Establishment, name string, except int64) bool {
	for _, r := range e.Rooms {
		if r.ID != except && strings.EqualFold(r.Name, name) {
			return true
		}
	}
	return false
}

// AddRoom adds a room to an establishment and returns its ID.
func (a *Admin) AddRoom(ctx context.Context, actor domain.Actor, estID int64, in RoomInput) (int64, error) {
	if err := may(actor); err != nil {
		return 0, err
	}
	if errs := checkRoom(in); len(errs) > 0 {
		return 0, errs
	}
	r := domain.Room{EstablishmentID: estID, Name: strings.TrimSpace(in.Name), Workstations: in.Workstations}
	err := a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		e, err := a.store.EstablishmentTx(ctx, tx, estID)
		if err != nil {
			return nil, err
		}
		if roomTaken(e, r.Name, 0) {
			return nil, domain.FieldErrors{{Field: "room_name", Key: "room.error.taken"}}
		}
		if err := a.store.InsertRoom(ctx, tx, &r); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditRoomChanged, ObjectKind: domain.AuditObjectEstablishment, ObjectID: estID, Details: "salle ajoutée : " + r.Name + " (" + strconv.Itoa(r.Workstations) + " postes)", Reason: ""})}, nil
	})
	return r.ID, unwrapFieldErrors(err)
}

// UpdateRoom renames a room or changes its workstations; they cannot fall
// below the capacity of a computer or technical course held there (CAT-4).
func (a *Admin) UpdateRoom(ctx context.Context, actor domain.Actor, estID, roomID int64, in RoomInput) error {
	if err := may(actor); err != nil {
		return err
	}
	if errs := checkRoom(in); len(errs) > 0 {
		return errs
	}
	return unwrapFieldErrors(a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		e, err := a.store.EstablishmentTx(ctx, tx, estID)
		if err != nil {
			return nil, err
		}
		var before *domain.Room
		for i := range e.Rooms {
			if e.Rooms[i].ID == roomID {
				before = &e.Rooms[i]
			}
		}
		if before == nil {
			return nil, ErrNotFound
		}
		name := strings.TrimSpace(in.Name)
		if roomTaken(e, name, roomID) {
			return nil, domain.FieldErrors{{Field: "room_name", Key: "room.error.taken"}}
		}
		most, err := a.store.MaxCourseCapacityInRoom(ctx, tx, roomID)
		if err != nil {
			return nil, err
		}
		if in.Workstations < most {
			return nil, domain.FieldErrors{{Field: "workstations", Key: "room.error.below_courses", Args: map[string]any{"Capacity": most}}}
		}
		after := *before
		after.Name, after.Workstations = name, in.Workstations
		details := Changes(Fields{{"salle", before.Name}, {"postes", strconv.Itoa(before.Workstations)}},
			Fields{{"salle", after.Name}, {"postes", strconv.Itoa(after.Workstations)}})
		if details == "" {
			return nil, nil
		}
		if err := a.store.UpdateRoom(ctx, tx, after); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditRoomChanged, ObjectKind: domain.AuditObjectEstablishment, ObjectID: estID, Details: "salle " + before.Name + " : " + details, Reason: ""})}, nil
	}))
}

// ArchiveRoom archives a room (or deletes it when no course ever used it).
func (a *Admin) ArchiveRoom(ctx context.Context, actor domain.Actor, estID, roomID int64) error {
	if err := may(actor); err != nil {
		return err
	}
	return a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		e, err := a.store.EstablishmentTx(ctx, tx, estID)
		if err != nil {
			return nil, err
		}
		var room *domain.Room
		for i := range e.Rooms {
			if e.Rooms[i].ID == roomID {
				room = &e.Rooms[i]
			}
		}
		if room == nil {
			return nil, ErrNotFound
		}
		used, err := a.store.RoomReferenced(ctx, tx, roomID)
		if err != nil {
			return nil, err
		}
		if !used {
			if err := a.store.DeleteRow(ctx, tx, "rooms", roomID); err != nil {
				return nil, err
			}
			return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditRoomChanged, ObjectKind: domain.AuditObjectEstablishment, ObjectID: estID, Details: "salle supprimée : " + room.Name, Reason: ""})}, nil
		}
		if room.Archived {
			return nil, nil
		}
		if err := a.store.SetArchived(ctx, tx, "rooms", roomID, a.now()); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditRoomChanged, ObjectKind: domain.AuditObjectEstablishment, ObjectID: estID, Details: "salle archivée : " + room.Name, Reason: ""})}, nil
	})
}
