package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// The courses of the catalogue administration (ROLE-5, ROLE-3, CAT-3, CAT-4):
// one course read whatever its state, what it would refer to, the courses
// booking the same trainer or room, its update, its trainer's grant (ROLE-2
// follows the trainer), what refers to it, and its archiving or deletion.
// Every write bumps the catalogue revision in the caller's transaction.

const adminCourseColumns = `id, code, formation_id, establishment_id, room_id, session_id, weekday,
	start_minute, end_minute, level, capacity, enrolled, trainer, price_cents, reduced_cents, remote,
	own_price, COALESCE(trainer_account_id, 0), remote_reason, archived_at IS NOT NULL`

func scanAdminCourse(row rowScanner) (domain.Course, error) {
	var co domain.Course
	var weekday int
	err := row.Scan(&co.ID, &co.Code, &co.FormationID, &co.EstablishmentID, &co.RoomID, &co.SessionID, &weekday,
		&co.StartMinute, &co.EndMinute, &co.Level, &co.Capacity, &co.Enrolled, &co.Trainer, &co.PriceCents,
		&co.ReducedCents, &co.Remote, &co.OwnPrice, &co.TrainerAccountID, &co.RemoteReason, &co.Archived)
	co.Weekday = time.Weekday(weekday)
	return co, err
}

func (s *Store) adminCourse(ctx context.Context, q querier, id int64, lock bool) (domain.Course, error) {
	query := `SELECT ` + adminCourseColumns + ` FROM courses WHERE id = $1`
	if lock && s.db.Dialect == db.Postgres {
		query += ` FOR UPDATE`
	}
	co, err := scanAdminCourse(q.QueryRowContext(ctx, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return co, fmt.Errorf("course %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return co, fmt.Errorf("read course %d: %w", id, err)
	}
	return co, nil
}

// AdminCourse reads one course, archived or in a draft session as well.
func (s *Store) AdminCourse(ctx context.Context, id int64) (domain.Course, error) {
	return s.adminCourse(ctx, s.db.R, id, false)
}

// AdminCourseTx reads one course inside the caller's transaction, locking
// its row on PostgreSQL (SQLite's transactions already write one at a time).
func (s *Store) AdminCourseTx(ctx context.Context, tx *sql.Tx, id int64) (domain.Course, error) {
	return s.adminCourse(ctx, tx, id, true)
}

// CourseSetting is what a course refers to: its formation, establishment,
// room and session. A member not found has ID 0.
type CourseSetting struct {
	Formation     domain.Formation
	Establishment domain.Establishment
	Room          domain.Room
	Session       domain.Session
}

// CourseSettingTx reads the formation, establishment, room and session a
// course names; any of them missing is left zero for the caller to say so
// next to its field.
func (s *Store) CourseSettingTx(ctx context.Context, tx *sql.Tx, formationID, establishmentID, roomID, sessionID int64) (CourseSetting, error) {
	var cs CourseSetting
	f := &cs.Formation
	err := tx.QueryRowContext(ctx, `SELECT id, code, title, level, kind, default_price_cents, archived_at IS NOT NULL
		FROM formations WHERE id = $1`, formationID).Scan(&f.ID, &f.Code, &f.Title, &f.Level, &f.Kind, &f.DefaultPriceCents, &f.Archived)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return cs, fmt.Errorf("read formation %d: %w", formationID, err)
	}
	e := &cs.Establishment
	err = tx.QueryRowContext(ctx, `SELECT id, code, name, archived_at IS NOT NULL FROM establishments WHERE id = $1`,
		establishmentID).Scan(&e.ID, &e.Code, &e.Name, &e.Archived)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return cs, fmt.Errorf("read establishment %d: %w", establishmentID, err)
	}
	r := &cs.Room
	err = tx.QueryRowContext(ctx, `SELECT id, establishment_id, name, workstations, archived_at IS NOT NULL FROM rooms WHERE id = $1`,
		roomID).Scan(&r.ID, &r.EstablishmentID, &r.Name, &r.Workstations, &r.Archived)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return cs, fmt.Errorf("read room %d: %w", roomID, err)
	}
	se, err := scanAdminSession(tx.QueryRowContext(ctx, `SELECT `+adminSessionColumns+` FROM sessions WHERE id = $1`, sessionID))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return cs, fmt.Errorf("read session %d: %w", sessionID, err)
	}
	if err == nil {
		cs.Session = se
	}
	return cs, nil
}

const adminSessionColumns = `id, code, name, kind, first_day, last_day, candidature_opens, candidature_closes,
	answer_opens, answer_closes, holiday_session, status, archived_at IS NOT NULL`

func scanAdminSession(row rowScanner) (domain.Session, error) {
	var se domain.Session
	var closes, answerCloses time.Time
	err := row.Scan(&se.ID, &se.Code, &se.Name, &se.Kind, timeCol{&se.FirstDay}, timeCol{&se.LastDay},
		timeCol{&se.CandidatureOpens}, timeCol{&closes}, timeCol{&se.AnswerOpens}, timeCol{&answerCloses},
		&se.HolidaySession, &se.Status, &se.Archived)
	se.CandidatureCloses, se.AnswerCloses = domain.DeadlineOf(closes), domain.DeadlineOf(answerCloses)
	return se, err
}

// BookedCourse is another course holding a trainer or a room at its slot.
type BookedCourse struct {
	ID, TrainerAccountID, RoomID int64
	Code                         string
	Slot                         domain.Slot
}

// CoursesBookingTx lists the courses other than except, neither archived nor
// in an archived session, that name the trainer (when not 0) or the room: the
// clash checks compare their slots (CAT-3).
func (s *Store) CoursesBookingTx(ctx context.Context, tx *sql.Tx, except, trainerAccountID, roomID int64) ([]BookedCourse, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.code, COALESCE(c.trainer_account_id, 0), c.room_id, c.weekday,
		c.start_minute, c.end_minute, s.first_day, s.last_day
		FROM courses c JOIN sessions s ON s.id = c.session_id
		WHERE c.id <> $1 AND c.archived_at IS NULL AND s.archived_at IS NULL
		AND ((c.trainer_account_id = $2 AND $2 <> 0) OR c.room_id = $3)
		ORDER BY c.code`, except, trainerAccountID, roomID)
	if err != nil {
		return nil, fmt.Errorf("courses booking trainer %d or room %d: %w", trainerAccountID, roomID, err)
	}
	defer rows.Close()
	var out []BookedCourse
	for rows.Next() {
		var b BookedCourse
		var weekday int
		if err := rows.Scan(&b.ID, &b.Code, &b.TrainerAccountID, &b.RoomID, &weekday, &b.Slot.StartMinute, &b.Slot.EndMinute,
			timeCol{&b.Slot.FirstDay}, timeCol{&b.Slot.LastDay}); err != nil {
			return nil, err
		}
		b.Slot.Weekday = time.Weekday(weekday)
		out = append(out, b)
	}
	return out, rows.Err()
}

// CourseCodeTakenTx reports whether another course than except has the code.
func (s *Store) CourseCodeTakenTx(ctx context.Context, tx *sql.Tx, code string, except int64) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM courses WHERE code = $1 AND id <> $2`, code, except).Scan(&n); err != nil {
		return false, fmt.Errorf("course code %s: %w", code, err)
	}
	return n > 0, nil
}

// UpdateCourseTx writes every field the administration sets (not the places
// taken, remote delivery nor the archiving).
func (s *Store) UpdateCourseTx(ctx context.Context, tx *sql.Tx, c domain.Course) error {
	res, err := tx.ExecContext(ctx, `UPDATE courses SET code = $1, formation_id = $2, establishment_id = $3, room_id = $4,
		weekday = $5, start_minute = $6, end_minute = $7, level = $8, capacity = $9, trainer = $10, price_cents = $11,
		reduced_cents = $12, own_price = $13, trainer_account_id = $14 WHERE id = $15`,
		c.Code, c.FormationID, c.EstablishmentID, c.RoomID, int(c.Weekday), c.StartMinute, c.EndMinute, string(c.Level),
		c.Capacity, c.Trainer, c.PriceCents, c.ReducedCents, c.OwnPrice, nullID(c.TrainerAccountID), c.ID)
	if err != nil {
		return fmt.Errorf("update course %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("course %d: %w", c.ID, ErrNotFound)
	}
	return bumpRevision(ctx, tx)
}

// SetCourseTrainerGrantTx replaces the course's trainer grants by one for
// the account (none when 0), so that the registers follow the trainer
// named (ROLE-2).
func (s *Store) SetCourseTrainerGrantTx(ctx context.Context, tx *sql.Tx, courseID, accountID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_grants WHERE role = 'trainer' AND course_id = $1`, courseID); err != nil {
		return fmt.Errorf("remove trainer grants of course %d: %w", courseID, err)
	}
	if accountID == 0 {
		return nil
	}
	return s.InsertGrant(ctx, tx, accountID, domain.Grant{Role: domain.RoleTrainer, CourseID: courseID})
}

// CourseReferences counts what refers to a course: its candidatures (and
// those not cancelled), the baskets holding it, its places taken.
type CourseReferences struct {
	Candidatures, Active, Baskets, Enrolled int
}

// Any reports whether anything refers to the course.
func (r CourseReferences) Any() bool {
	return r.Candidatures > 0 || r.Baskets > 0 || r.Enrolled > 0
}

// CourseReferencesTx counts what refers to the course.
func (s *Store) CourseReferencesTx(ctx context.Context, tx *sql.Tx, id int64) (CourseReferences, error) {
	var r CourseReferences
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM candidatures WHERE course_id = $1),
		(SELECT count(*) FROM candidatures WHERE course_id = $1 AND status <> 'cancelled'),
		(SELECT count(*) FROM basket_items WHERE course_id = $1),
		(SELECT enrolled FROM courses WHERE id = $1)`, id).Scan(&r.Candidatures, &r.Active, &r.Baskets, &r.Enrolled)
	if err != nil {
		return r, fmt.Errorf("references of course %d: %w", id, err)
	}
	return r, nil
}

// ArchiveCourseTx archives a course: kept for what refers to it, offered for
// nothing new.
func (s *Store) ArchiveCourseTx(ctx context.Context, tx *sql.Tx, id int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE courses SET archived_at = $1 WHERE id = $2 AND archived_at IS NULL`,
		s.instantArg(at), id); err != nil {
		return fmt.Errorf("archive course %d: %w", id, err)
	}
	return bumpRevision(ctx, tx)
}

// DeleteCourseTx deletes a course nothing refers to, with its trainer
// grants and its calendar's record.
func (s *Store) DeleteCourseTx(ctx context.Context, tx *sql.Tx, id int64) error {
	for _, q := range []string{`DELETE FROM staff_grants WHERE course_id = $1`, `DELETE FROM course_calendars WHERE course_id = $1`,
		`DELETE FROM courses WHERE id = $1`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete course %d: %w", id, err)
		}
	}
	return bumpRevision(ctx, tx)
}

// ActiveStaff lists the active staff accounts, by name: the trainers a
// course may be given.
func (s *Store) ActiveStaff(ctx context.Context) ([]domain.Account, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE kind = 'staff' AND status = 'active'
		ORDER BY last_name, first_name, id`)
	if err != nil {
		return nil, fmt.Errorf("list staff accounts: %w", err)
	}
	return scanAccounts(rows)
}

// AdminCourseRead reads a course with what it refers to and what refers to
// it, in one read transaction (the administration's pages, the staff API).
func (s *Store) AdminCourseRead(ctx context.Context, id int64) (domain.Course, CourseSetting, CourseReferences, error) {
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return domain.Course{}, CourseSetting{}, CourseReferences{}, fmt.Errorf("read course %d: %w", id, err)
	}
	defer rollback(tx)
	c, err := s.adminCourse(ctx, tx, id, false)
	if err != nil {
		return c, CourseSetting{}, CourseReferences{}, err
	}
	set, err := s.CourseSettingTx(ctx, tx, c.FormationID, c.EstablishmentID, c.RoomID, c.SessionID)
	if err != nil {
		return c, set, CourseReferences{}, err
	}
	refs, err := s.CourseReferencesTx(ctx, tx, id)
	return c, set, refs, err
}
