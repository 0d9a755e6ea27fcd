package catalogue

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"cma/internal/domain"
	"cma/internal/store"
)

// The sessions of the catalogue administration (ROLE-5, PER-1, CAT-5): the
// central service drafts a session with its periods, publishes it when it is
// ready, edits it (audited), deletes a draft nothing refers to or archives it,
// and prepares next year by copying a session with its courses to new dates.

// SessionInput is what the central service gives a session. The dates are
// calendar dates (domain.SessionDates): each period opens at the start of its
// first day and closes at the end of its last, Europe/Paris (PER-1).
type SessionInput struct {
	Code, Name     string
	Kind           domain.SessionKind
	HolidaySession bool // CAT-5: classes go on during school holidays
	Dates          domain.SessionDates
	Reason         string // why, for the audit trail (optional)
}

// SessionRow is a session with how many non-archived courses it has.
type SessionRow struct {
	domain.Session
	Courses int
}

// ErrInUse is returned when a row cannot be deleted because something refers
// to it (or a session is published): it is archived instead.
var ErrInUse = errors.New("catalogue: in use, archive it instead")

// may refuses an actor who is not the central service (ROLE-5).
func may(actor domain.Actor) error {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return ErrForbidden
	}
	return nil
}

// ListSessions is every session, drafts and archived ones included, with
// their course counts, by first day (ROLE-5).
func (a *Admin) ListSessions(ctx context.Context, actor domain.Actor) ([]SessionRow, error) {
	c, err := a.Overview(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]SessionRow, 0, len(c.Sessions))
	for _, se := range c.Sessions {
		out = append(out, SessionRow{Session: se, Courses: c.CoursesBySession[se.ID]})
	}
	return out, nil
}

// Overview is the whole administered catalogue but its courses: sessions,
// establishments, formations, drafts and archived rows included, with course
// counts (ROLE-5).
func (a *Admin) Overview(ctx context.Context, actor domain.Actor) (*store.AdminCatalogue, error) {
	if err := may(actor); err != nil {
		return nil, err
	}
	return a.store.LoadAdminCatalogue(ctx)
}

// Session is one session, a draft or archived one too, with its course count.
func (a *Admin) Session(ctx context.Context, actor domain.Actor, id int64) (SessionRow, error) {
	rows, err := a.ListSessions(ctx, actor)
	if err != nil {
		return SessionRow{}, err
	}
	for _, r := range rows {
		if r.ID == id {
			return r, nil
		}
	}
	return SessionRow{}, ErrNotFound
}

// CheckSession checks a session's input without writing anything, for a
// form that must show every error at once; nil when it is right.
func CheckSession(in SessionInput) error { return nilIfEmpty(checkSession(in)) }

// checkSession checks a session's input: its code, name and kind, and its
// dates (PER-1, domain.SessionDates.Check). Fields: code, name, kind, and
// those of Check.
func checkSession(in SessionInput) domain.FieldErrors {
	var errs domain.FieldErrors
	if !domain.ValidCode(in.Code) {
		errs = append(errs, domain.FieldError{Field: "code", Key: "catalogue.error.code"})
	}
	if strings.TrimSpace(in.Name) == "" {
		errs = append(errs, domain.FieldError{Field: "name", Key: "catalogue.error.name"})
	}
	if !in.Kind.Valid() {
		errs = append(errs, domain.FieldError{Field: "kind", Key: "session.error.kind"})
	}
	return append(errs, in.Dates.Check()...)
}

func (in SessionInput) apply(se *domain.Session) {
	se.Code, se.Name, se.Kind, se.HolidaySession = in.Code, strings.TrimSpace(in.Name), in.Kind, in.HolidaySession
	in.Dates.Apply(se)
}

// sessionFields are a session's audited values.
func sessionFields(se domain.Session) Fields {
	d := domain.DatesOf(se)
	day := func(t time.Time) string { return t.Format("02/01/2006") }
	return Fields{{"code", se.Code}, {"nom", se.Name}, {"type", string(se.Kind)}, {"session de vacances", ouiNon(se.HolidaySession)},
		{"premier cours", day(d.FirstDay)}, {"dernier cours", day(d.LastDay)},
		{"ouverture des candidatures", day(d.CandidatureOpens)}, {"clôture des candidatures", day(d.CandidatureCloses)},
		{"ouverture des réponses", day(d.AnswerOpens)}, {"clôture des réponses", day(d.AnswerCloses)},
		{"statut", string(se.Status)}}
}

func ouiNon(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// codeFree adds a field error when another row of table has the code.
func (a *Admin) codeFree(ctx context.Context, tx *sql.Tx, table, code string, except int64) (domain.FieldErrors, error) {
	taken, err := a.store.CodeTaken(ctx, tx, table, code, except)
	if err != nil || !taken {
		return nil, err
	}
	return domain.FieldErrors{{Field: "code", Key: "catalogue.error.code_taken", Args: map[string]any{"Code": code}}}, nil
}

// stamp dates an audit event of the actor and trims its reason.
func (a *Admin) stamp(actor domain.Actor, e domain.AuditEvent) domain.AuditEvent {
	e.At, e.ActorID, e.Reason = a.now(), actor.AccountID, strings.TrimSpace(e.Reason)
	return e
}

// CreateSession drafts a new session (not public until published) and
// returns its ID; bad input is domain.FieldErrors (PER-1, ROLE-5).
func (a *Admin) CreateSession(ctx context.Context, actor domain.Actor, in SessionInput) (int64, error) {
	if err := may(actor); err != nil {
		return 0, err
	}
	if errs := checkSession(in); len(errs) > 0 {
		return 0, errs
	}
	se := domain.Session{Status: domain.SessionDraft}
	in.apply(&se)
	err := a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		if errs, err := a.codeFree(ctx, tx, "sessions", se.Code, 0); err != nil || errs != nil {
			return nil, errors.Join(err, nilIfEmpty(errs))
		}
		if err := a.store.InsertSession(ctx, tx, &se); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditSessionCreated, ObjectKind: domain.AuditObjectSession, ObjectID: se.ID, Details: Changes(nil, sessionFields(se)), Reason: in.Reason})}, nil
	})
	return se.ID, unwrapFieldErrors(err)
}

// UpdateSession changes a session, a published one too; the audit trail says
// what it was before and after (PER-1, ROLE-5).
func (a *Admin) UpdateSession(ctx context.Context, actor domain.Actor, id int64, in SessionInput) error {
	if err := may(actor); err != nil {
		return err
	}
	if errs := checkSession(in); len(errs) > 0 {
		return errs
	}
	return unwrapFieldErrors(a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		before, err := a.store.SessionTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if errs, err := a.codeFree(ctx, tx, "sessions", in.Code, id); err != nil || errs != nil {
			return nil, errors.Join(err, nilIfEmpty(errs))
		}
		after := before
		in.apply(&after)
		details := Changes(sessionFields(before), sessionFields(after))
		if details == "" {
			return nil, nil
		}
		if err := a.store.UpdateSession(ctx, tx, after); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditSessionChanged, ObjectKind: domain.AuditObjectSession, ObjectID: id, Details: details, Reason: in.Reason})}, nil
	}))
}

// PublishSession makes a draft session public with its courses.
func (a *Admin) PublishSession(ctx context.Context, actor domain.Actor, id int64) error {
	if err := may(actor); err != nil {
		return err
	}
	return a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		se, err := a.store.SessionTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if se.Status == domain.SessionPublished {
			return nil, nil
		}
		se.Status = domain.SessionPublished
		if err := a.store.UpdateSession(ctx, tx, se); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditSessionPublished, ObjectKind: domain.AuditObjectSession, ObjectID: id, Details: "statut : draft → published", Reason: ""})}, nil
	})
}

// SessionDeletable reports whether a session can be deleted: a draft that
// nothing refers to (no course, candidature or import).
func (a *Admin) SessionDeletable(ctx context.Context, actor domain.Actor, id int64) (bool, error) {
	if err := may(actor); err != nil {
		return false, err
	}
	ok := false
	err := a.store.InTx(ctx, func(tx *sql.Tx) error {
		se, err := a.store.SessionTx(ctx, tx, id)
		if err != nil {
			return err
		}
		used, err := a.store.SessionReferenced(ctx, tx, id)
		ok = se.Status == domain.SessionDraft && !used
		return err
	})
	return ok, err
}

// DeleteSession deletes a draft session nothing refers to; otherwise it
// answers ErrInUse and the session is to be archived.
func (a *Admin) DeleteSession(ctx context.Context, actor domain.Actor, id int64, reason string) error {
	if err := may(actor); err != nil {
		return err
	}
	return a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		se, err := a.store.SessionTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		used, err := a.store.SessionReferenced(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if used || se.Status != domain.SessionDraft {
			return nil, ErrInUse
		}
		if err := a.store.DeleteRow(ctx, tx, "sessions", id); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditSessionDeleted, ObjectKind: domain.AuditObjectSession, ObjectID: id, Details: Changes(nil, sessionFields(se)), Reason: reason})}, nil
	})
}

// ArchiveSession takes a session out of the public catalogue and of what is
// offered for new courses; what refers to it keeps it.
func (a *Admin) ArchiveSession(ctx context.Context, actor domain.Actor, id int64, reason string) error {
	if err := may(actor); err != nil {
		return err
	}
	return a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		se, err := a.store.SessionTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if se.Archived {
			return nil, nil
		}
		if err := a.store.SetArchived(ctx, tx, "sessions", id, a.now()); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditSessionArchived, ObjectKind: domain.AuditObjectSession, ObjectID: id, Details: "", Reason: reason})}, nil
	})
}

// CopyCourseCode is the code of a course's copy in the next session: the old
// session's code replaced by the new one where the course code holds it,
// otherwise the new session's code added after a dash
// ("C-000012" → "C-000012-2027-2028-ANNUEL").
func CopyCourseCode(courseCode, oldSession, newSession string) string {
	if oldSession != "" && strings.Contains(courseCode, oldSession) {
		return strings.ReplaceAll(courseCode, oldSession, newSession)
	}
	return courseCode + "-" + newSession
}

// CopySession prepares next year: a new draft session with in's code, name
// and dates, and a copy of every non-archived course of session from (codes
// by CopyCourseCode, no one enrolled), in one transaction; it returns the new
// session's ID. A course code of the copy that is taken or invalid is a
// field error on "code" naming it.
func (a *Admin) CopySession(ctx context.Context, actor domain.Actor, from int64, in SessionInput) (int64, error) {
	if err := may(actor); err != nil {
		return 0, err
	}
	if errs := checkSession(in); len(errs) > 0 {
		return 0, errs
	}
	se := domain.Session{Status: domain.SessionDraft}
	in.apply(&se)
	err := a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		old, err := a.store.SessionTx(ctx, tx, from)
		if err != nil {
			return nil, err
		}
		if errs, err := a.codeFree(ctx, tx, "sessions", se.Code, 0); err != nil || errs != nil {
			return nil, errors.Join(err, nilIfEmpty(errs))
		}
		courses, err := a.store.SessionCourses(ctx, tx, from)
		if err != nil {
			return nil, err
		}
		codes := make([]string, len(courses))
		for i, c := range courses {
			codes[i] = CopyCourseCode(c.Code, old.Code, se.Code)
			if !domain.ValidCode(codes[i]) {
				return nil, domain.FieldErrors{{Field: "code", Key: "session.error.copy_code_invalid",
					Args: map[string]any{"Code": codes[i], "From": c.Code}}}
			}
		}
		taken, err := a.store.CodesTaken(ctx, tx, codes)
		if err != nil {
			return nil, err
		}
		for _, code := range codes {
			if taken[code] {
				return nil, domain.FieldErrors{{Field: "code", Key: "session.error.copy_code_taken", Args: map[string]any{"Code": code}}}
			}
		}
		if err := a.store.InsertSession(ctx, tx, &se); err != nil {
			return nil, err
		}
		if err := a.store.CopyCourses(ctx, tx, se.ID, courses, codes); err != nil {
			return nil, err
		}
		return []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditSessionCopied, ObjectKind: domain.AuditObjectSession, ObjectID: se.ID, Details: "copie de " + old.Code + " (" + strconv.Itoa(len(courses)) + " cours) ; " + Changes(nil, sessionFields(se)), Reason: in.Reason})}, nil
	})
	return se.ID, unwrapFieldErrors(err)
}

// nilIfEmpty makes an empty FieldErrors a nil error (errors.Join drops it).
func nilIfEmpty(errs domain.FieldErrors) error {
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// unwrapFieldErrors gives back the FieldErrors a transaction refused with,
// as they were, so that callers can errors.As them.
func unwrapFieldErrors(err error) error {
	var fe domain.FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return err
}

// SessionCourses are a session's non-archived courses, by code, for its page
// (ROLE-5), drafts' too.
func (a *Admin) SessionCourses(ctx context.Context, actor domain.Actor, id int64) ([]domain.Course, error) {
	if err := may(actor); err != nil {
		return nil, err
	}
	var out []domain.Course
	err := a.store.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = a.store.SessionCourses(ctx, tx, id)
		return err
	})
	return out, err
}
