package selection

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// SittingInput is a sitting as staff typed it in the form (SEL-2).
type SittingInput struct {
	Date            string // YYYY-MM-DD, Paris
	Time            string // HH:MM, Paris
	Minutes         string
	Seats           string
	EstablishmentID int64
	Room            string
}

// Tested reports whether candidates of a formation in that mode are convoked
// to a sitting (an anticipated test or an interview).
func Tested(m domain.EvaluationMode) bool {
	return m == domain.EvaluationAnticipatedTest || m == domain.EvaluationInterview
}

// Evaluated reports whether a formation's candidates are tested at all (a
// sitting, or the first class).
func Evaluated(m domain.EvaluationMode) bool { return Tested(m) || m == domain.EvaluationFirstDayTest }

// may checks ActEvaluate on a formation and an establishment (0: any of the
// actor's establishments is checked by the caller).
func may(actor domain.Actor, formationID, establishmentID int64) error {
	if !domain.Can(actor, domain.ActEvaluate, domain.Resource{FormationID: formationID, EstablishmentID: establishmentID}) {
		return ErrForbidden
	}
	return nil
}

// formationOf reads the session and formation and checks that the formation
// is evaluated in the session.
func (s *Service) formationOf(ctx context.Context, sessionID, formationID int64) (*catalogue.Index, *domain.Session, *domain.Formation, error) {
	ix, err := s.catalogue.Index(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	se, ok := ix.Session(sessionID)
	if !ok {
		return nil, nil, nil, ErrNotFound
	}
	f, ok := ix.Formation(formationID)
	if !ok || !Evaluated(f.Evaluation) {
		return nil, nil, nil, ErrNotFound
	}
	return ix, se, f, nil
}

// parseSitting checks the input against the session: after the candidature
// period has closed, on or before the session's first day.
func (s *Service) parseSitting(ix *catalogue.Index, se *domain.Session, in SittingInput) (domain.Sitting, domain.FieldErrors) {
	var st domain.Sitting
	var errs domain.FieldErrors
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.Date), s.paris)
	if err != nil {
		errs = append(errs, domain.FieldError{Field: "date", Key: "sitting.error.date"})
	}
	clock, err := time.Parse("15:04", strings.TrimSpace(in.Time))
	if err != nil {
		errs = append(errs, domain.FieldError{Field: "heure", Key: "sitting.error.time"})
	}
	if len(errs) == 0 {
		st.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, s.paris)
		closes := se.CandidatureCloses.End()
		first := se.FirstDay
		switch {
		case st.StartsAt.Before(closes):
			errs = append(errs, domain.FieldError{Field: "date", Key: "sitting.error.before_closing",
				Args: map[string]any{"Date": se.CandidatureCloses.Day().Format("02/01/2006")}})
		case !first.IsZero() && day.After(time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, s.paris)):
			errs = append(errs, domain.FieldError{Field: "date", Key: "sitting.error.after_first_day",
				Args: map[string]any{"Date": first.Format("02/01/2006")}})
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(in.Minutes)); err != nil || n < 5 || n > 600 {
		errs = append(errs, domain.FieldError{Field: "duree", Key: "sitting.error.minutes"})
	} else {
		st.Minutes = n
	}
	if n, err := strconv.Atoi(strings.TrimSpace(in.Seats)); err != nil || n < 1 || n > 10000 {
		errs = append(errs, domain.FieldError{Field: "places", Key: "sitting.error.seats"})
	} else {
		st.Seats = n
	}
	if e, ok := ix.Establishment(in.EstablishmentID); !ok || e.Archived {
		errs = append(errs, domain.FieldError{Field: "etablissement", Key: "sitting.error.establishment"})
	} else {
		st.EstablishmentID = e.ID
	}
	st.Room = strings.TrimSpace(in.Room)
	if utf8.RuneCountInString(st.Room) > 100 {
		errs = append(errs, domain.FieldError{Field: "salle", Key: "sitting.error.room"})
	}
	return st, errs
}

// ScheduleSitting schedules a sitting of a formation's test or interview in a
// session, after its candidature period has closed (SEL-2). ROLE-4 for her
// formation, ROLE-3 in her establishment, ROLE-5.
func (s *Service) ScheduleSitting(ctx context.Context, actor domain.Actor, sessionID, formationID int64, in SittingInput) (domain.Sitting, error) {
	if err := may(actor, formationID, in.EstablishmentID); err != nil {
		if in.EstablishmentID == 0 && domain.Can(actor, domain.ActEvaluate, domain.Resource{FormationID: formationID}) {
			err = nil // the missing establishment is a field error below
		} else {
			return domain.Sitting{}, err
		}
	}
	ix, se, f, err := s.formationOf(ctx, sessionID, formationID)
	if err != nil {
		return domain.Sitting{}, err
	}
	if !Tested(f.Evaluation) {
		return domain.Sitting{}, domain.FieldErrors{{Field: "date", Key: "sitting.error.not_tested"}}
	}
	if !se.CandidatureCloses.Passed(s.now()) {
		return domain.Sitting{}, domain.FieldErrors{{Field: "date", Key: "sitting.error.still_open",
			Args: map[string]any{"Date": se.CandidatureCloses.Day().Format("02/01/2006")}}}
	}
	st, errs := s.parseSitting(ix, se, in)
	if len(errs) > 0 {
		return domain.Sitting{}, errs
	}
	st.SessionID, st.FormationID, st.CreatedBy, st.CreatedAt = sessionID, formationID, actor.AccountID, s.now()
	err = s.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		if err := s.store.InsertSittingTx(ctx, tx, &st); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{{ActorID: actor.AccountID, Action: domain.AuditSittingScheduled,
			ObjectKind: domain.AuditObjectSitting, ObjectID: st.ID,
			Details: changes(nil, s.sittingFields(ix, f, st))}}, nil
	})
	return st, err
}

// ChangeSitting changes a sitting until its convocations are sent; its date is
// fixed afterwards (SEL-2).
func (s *Service) ChangeSitting(ctx context.Context, actor domain.Actor, sittingID int64, in SittingInput) (domain.Sitting, error) {
	old, err := s.store.Sitting(ctx, nil, sittingID)
	if err != nil {
		return old, notFound(err)
	}
	if err := may(actor, old.FormationID, old.EstablishmentID); err != nil {
		return old, err
	}
	if in.EstablishmentID != old.EstablishmentID {
		if err := may(actor, old.FormationID, in.EstablishmentID); err != nil && in.EstablishmentID != 0 {
			return old, err
		}
	}
	if old.Convoked() {
		return old, domain.FieldErrors{{Field: "date", Key: "sitting.error.convoked"}}
	}
	ix, se, f, err := s.formationOf(ctx, old.SessionID, old.FormationID)
	if err != nil {
		return old, err
	}
	st, errs := s.parseSitting(ix, se, in)
	if len(errs) > 0 {
		return old, errs
	}
	st.ID, st.SessionID, st.FormationID, st.CreatedBy, st.CreatedAt = old.ID, old.SessionID, old.FormationID, old.CreatedBy, old.CreatedAt
	err = s.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		if err := s.store.UpdateSittingTx(ctx, tx, st); err != nil {
			if errors.Is(err, store.ErrSittingConvoked) {
				return nil, domain.FieldErrors{{Field: "date", Key: "sitting.error.convoked"}}
			}
			return nil, err
		}
		return []domain.AuditEvent{{ActorID: actor.AccountID, Action: domain.AuditSittingChanged,
			ObjectKind: domain.AuditObjectSitting, ObjectID: st.ID,
			Details: changes(s.sittingFields(ix, f, old), s.sittingFields(ix, f, st))}}, nil
	})
	return st, err
}

// DeleteSitting deletes a sitting until its convocations are sent.
func (s *Service) DeleteSitting(ctx context.Context, actor domain.Actor, sittingID int64) error {
	old, err := s.store.Sitting(ctx, nil, sittingID)
	if err != nil {
		return notFound(err)
	}
	if err := may(actor, old.FormationID, old.EstablishmentID); err != nil {
		return err
	}
	if old.Convoked() {
		return domain.FieldErrors{{Field: "date", Key: "sitting.error.convoked"}}
	}
	ix, _, f, err := s.formationOf(ctx, old.SessionID, old.FormationID)
	if err != nil {
		return err
	}
	return s.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		if err := s.store.DeleteSittingTx(ctx, tx, sittingID); err != nil {
			if errors.Is(err, store.ErrSittingConvoked) {
				return nil, domain.FieldErrors{{Field: "date", Key: "sitting.error.convoked"}}
			}
			return nil, err
		}
		return []domain.AuditEvent{{ActorID: actor.AccountID, Action: domain.AuditSittingDeleted,
			ObjectKind: domain.AuditObjectSitting, ObjectID: sittingID, Details: changes(nil, s.sittingFields(ix, f, old))}}, nil
	})
}

// Sitting reads a sitting the actor may evaluate.
func (s *Service) Sitting(ctx context.Context, actor domain.Actor, sittingID int64) (domain.Sitting, error) {
	st, err := s.store.Sitting(ctx, nil, sittingID)
	if err != nil {
		return st, notFound(err)
	}
	return st, may(actor, st.FormationID, st.EstablishmentID)
}

// sittingFields are a sitting's audited values, in French.
func (s *Service) sittingFields(ix *catalogue.Index, f *domain.Formation, st domain.Sitting) fields {
	place := strconv.FormatInt(st.EstablishmentID, 10)
	if e, ok := ix.Establishment(st.EstablishmentID); ok {
		place = e.Name
	}
	return fields{{"formation", f.Title}, {"date", st.StartsAt.In(s.paris).Format("02/01/2006 15:04")},
		{"durée", strconv.Itoa(st.Minutes) + " min"}, {"établissement", place}, {"salle", st.Room},
		{"places", strconv.Itoa(st.Seats)}}
}

// change runs fn in one transaction and records the audit events it returns.
func (s *Service) change(ctx context.Context, fn func(tx *sql.Tx) ([]domain.AuditEvent, error)) error {
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		events, err := fn(tx)
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.At.IsZero() {
				e.At = s.now()
			}
			if err := s.store.RecordAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// fields are an object's audited values by name, in French.
type fields [][2]string

// changes says what changed, one "field : old → new" per changed field; a
// new object (before nil) lists every field.
func changes(before, after fields) string {
	old := map[string]string{}
	for _, f := range before {
		old[f[0]] = f[1]
	}
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	}
	var parts []string
	for _, f := range after {
		was, ok := old[f[0]]
		switch {
		case before == nil:
			parts = append(parts, f[0]+" : "+f[1])
		case !ok || was != f[1]:
			parts = append(parts, f[0]+" : "+dash(was)+" → "+dash(f[1]))
		}
	}
	return strings.Join(parts, " ; ")
}
