package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cma/internal/domain"
)

// The catalogue administration's rows (ROLE-5): sessions, establishments with
// their rooms and director, formations, read with their drafts and archived
// rows for the central service, written inside the Admin's transaction. Every
// write bumps the catalogue revision so that every instance reloads.

// AdminCatalogue is every session, establishment (with its rooms) and
// formation, drafts and archived ones included, and how many courses refer to
// each; the courses themselves are not read.
type AdminCatalogue struct {
	Establishments []domain.Establishment
	Formations     []domain.Formation
	Sessions       []domain.Session
	// Courses counts the non-archived courses of each session, formation
	// and establishment, by ID.
	CoursesBySession, CoursesByFormation, CoursesByEstablishment map[int64]int
}

// LoadAdminCatalogue reads the AdminCatalogue in one read transaction.
func (s *Store) LoadAdminCatalogue(ctx context.Context) (*AdminCatalogue, error) {
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load admin catalogue: %w", err)
	}
	defer rollback(tx)
	var c Catalogue
	for _, step := range []func(context.Context, *sql.Tx, *Catalogue) error{loadEstablishments, loadFormations, loadSessions} {
		if err := step(ctx, tx, &c); err != nil {
			return nil, fmt.Errorf("load admin catalogue: %w", err)
		}
	}
	out := &AdminCatalogue{Establishments: c.Establishments, Formations: c.Formations, Sessions: c.Sessions,
		CoursesBySession: map[int64]int{}, CoursesByFormation: map[int64]int{}, CoursesByEstablishment: map[int64]int{}}
	rows, err := tx.QueryContext(ctx, `SELECT session_id, formation_id, establishment_id, count(*) FROM courses
		WHERE archived_at IS NULL GROUP BY session_id, formation_id, establishment_id`)
	if err != nil {
		return nil, fmt.Errorf("count courses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var se, f, e int64
		var n int
		if err := rows.Scan(&se, &f, &e, &n); err != nil {
			return nil, err
		}
		out.CoursesBySession[se] += n
		out.CoursesByFormation[f] += n
		out.CoursesByEstablishment[e] += n
	}
	return out, rows.Err()
}

// CodeTaken reports whether another row of table (sessions, establishments,
// formations, courses) than except already has code.
func (s *Store) CodeTaken(ctx context.Context, tx *sql.Tx, table, code string, except int64) (bool, error) {
	switch table {
	case "sessions", "establishments", "formations", "courses":
	default:
		return false, fmt.Errorf("code taken: unknown table %q", table)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE code = $1 AND id <> $2`, code, except).Scan(&n); err != nil {
		return false, fmt.Errorf("code taken in %s: %w", table, err)
	}
	return n > 0, nil
}

// SessionTx reads one session, drafts and archived ones included.
func (s *Store) SessionTx(ctx context.Context, tx *sql.Tx, id int64) (domain.Session, error) {
	var se domain.Session
	var closes, answerCloses time.Time
	err := tx.QueryRowContext(ctx, `SELECT id, code, name, kind, first_day, last_day, candidature_opens,
		candidature_closes, answer_opens, answer_closes, holiday_session, status, archived_at IS NOT NULL
		FROM sessions WHERE id = $1`, id).Scan(&se.ID, &se.Code, &se.Name, &se.Kind, timeCol{&se.FirstDay}, timeCol{&se.LastDay},
		timeCol{&se.CandidatureOpens}, timeCol{&closes}, timeCol{&se.AnswerOpens},
		timeCol{&answerCloses}, &se.HolidaySession, &se.Status, &se.Archived)
	if errors.Is(err, sql.ErrNoRows) {
		return se, fmt.Errorf("session %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return se, fmt.Errorf("read session %d: %w", id, err)
	}
	se.CandidatureCloses, se.AnswerCloses = domain.DeadlineOf(closes), domain.DeadlineOf(answerCloses)
	return se, nil
}

// UpdateSession writes every field of a session but its archive mark.
func (s *Store) UpdateSession(ctx context.Context, tx *sql.Tx, se domain.Session) error {
	if err := se.Validate(); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET code = $1, name = $2, kind = $3, first_day = $4, last_day = $5,
		candidature_opens = $6, candidature_closes = $7, answer_opens = $8, answer_closes = $9, holiday_session = $10,
		status = $11 WHERE id = $12`,
		se.Code, se.Name, string(se.Kind), dayArg(se.FirstDay), dayArg(se.LastDay),
		s.instantArg(se.CandidatureOpens), dayArg(se.CandidatureCloses.Day()),
		s.instantArg(se.AnswerOpens), dayArg(se.AnswerCloses.Day()), se.HolidaySession, string(se.Status), se.ID)
	if err != nil {
		return fmt.Errorf("update session %d: %w", se.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("session %d: %w", se.ID, ErrNotFound)
	}
	return bumpRevision(ctx, tx)
}

// SessionReferenced reports whether anything refers to a session: a course
// (archived ones too), a candidature, a catalogue import.
func (s *Store) SessionReferenced(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	return referenced(ctx, tx, id, `SELECT count(*) FROM courses WHERE session_id = $1`,
		`SELECT count(*) FROM candidatures WHERE session_id = $1`, `SELECT count(*) FROM catalogue_imports WHERE session_id = $1`)
}

// EstablishmentReferenced reports whether a course or a staff grant refers
// to an establishment.
func (s *Store) EstablishmentReferenced(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	return referenced(ctx, tx, id, `SELECT count(*) FROM courses WHERE establishment_id = $1`,
		`SELECT count(*) FROM staff_grants WHERE establishment_id = $1`)
}

// FormationReferenced reports whether a course, a candidature, a staff grant
// or another formation's prerequisite refers to a formation.
func (s *Store) FormationReferenced(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	return referenced(ctx, tx, id, `SELECT count(*) FROM courses WHERE formation_id = $1`,
		`SELECT count(*) FROM candidatures WHERE formation_id = $1`, `SELECT count(*) FROM staff_grants WHERE formation_id = $1`,
		`SELECT count(*) FROM formations WHERE prerequisite_formation_id = $1`)
}

// RoomReferenced reports whether a course refers to a room.
func (s *Store) RoomReferenced(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	return referenced(ctx, tx, id, `SELECT count(*) FROM courses WHERE room_id = $1`)
}

func referenced(ctx context.Context, tx *sql.Tx, id int64, queries ...string) (bool, error) {
	for _, q := range queries {
		var n int
		if err := tx.QueryRowContext(ctx, q, id).Scan(&n); err != nil {
			return false, fmt.Errorf("references to %d: %w", id, err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// catalogueTables are the tables whose rows are archived or deleted here.
var catalogueTables = map[string]bool{"sessions": true, "establishments": true, "formations": true, "rooms": true}

// SetArchived archives a row of sessions, establishments, formations or
// rooms at instant at, or brings it back (at zero).
func (s *Store) SetArchived(ctx context.Context, tx *sql.Tx, table string, id int64, at time.Time) error {
	if !catalogueTables[table] {
		return fmt.Errorf("archive: unknown table %q", table)
	}
	var arg any
	if !at.IsZero() {
		arg = s.instantArg(at)
	}
	res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET archived_at = $1 WHERE id = $2`, arg, id)
	if err != nil {
		return fmt.Errorf("archive %s %d: %w", table, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s %d: %w", table, id, ErrNotFound)
	}
	return bumpRevision(ctx, tx)
}

// DeleteRow deletes a row nothing refers to (the caller has checked).
func (s *Store) DeleteRow(ctx context.Context, tx *sql.Tx, table string, id int64) error {
	if !catalogueTables[table] {
		return fmt.Errorf("delete: unknown table %q", table)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete %s %d: %w", table, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s %d: %w", table, id, ErrNotFound)
	}
	return bumpRevision(ctx, tx)
}

// SessionCourses reads a session's non-archived courses, by code.
func (s *Store) SessionCourses(ctx context.Context, tx *sql.Tx, sessionID int64) ([]domain.Course, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, code, formation_id, establishment_id, room_id, session_id, weekday,
		start_minute, end_minute, level, capacity, enrolled, trainer, price_cents, reduced_cents, remote,
		own_price, COALESCE(trainer_account_id, 0), remote_reason FROM courses
		WHERE session_id = $1 AND archived_at IS NULL ORDER BY code`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("read courses of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	var out []domain.Course
	for rows.Next() {
		var co domain.Course
		var weekday int
		if err := rows.Scan(&co.ID, &co.Code, &co.FormationID, &co.EstablishmentID, &co.RoomID, &co.SessionID, &weekday,
			&co.StartMinute, &co.EndMinute, &co.Level, &co.Capacity, &co.Enrolled, &co.Trainer, &co.PriceCents,
			&co.ReducedCents, &co.Remote, &co.OwnPrice, &co.TrainerAccountID, &co.RemoteReason); err != nil {
			return nil, err
		}
		co.Weekday = time.Weekday(weekday)
		out = append(out, co)
	}
	return out, rows.Err()
}

// CopyCourses inserts copies of courses into session sessionID under the
// given codes (codes[i] for courses[i]), with no one enrolled, in the
// caller's transaction. The capacity is not checked again: it was checked
// when the course was made, against the same room and formation.
func (s *Store) CopyCourses(ctx context.Context, tx *sql.Tx, sessionID int64, courses []domain.Course, codes []string) error {
	for i, c := range courses {
		_, err := tx.ExecContext(ctx, `INSERT INTO courses (code, formation_id, establishment_id, room_id, session_id, weekday,
			start_minute, end_minute, level, capacity, enrolled, trainer, price_cents, reduced_cents, remote,
			own_price, trainer_account_id, remote_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $16, $17)`,
			codes[i], c.FormationID, c.EstablishmentID, c.RoomID, sessionID, int(c.Weekday), c.StartMinute, c.EndMinute,
			string(c.Level), c.Capacity, c.Trainer, c.PriceCents, c.ReducedCents, c.Remote,
			c.OwnPrice, nullID(c.TrainerAccountID), c.RemoteReason)
		if err != nil {
			return fmt.Errorf("copy course %s as %s: %w", c.Code, codes[i], err)
		}
	}
	return bumpRevision(ctx, tx)
}

// CodesTaken returns which of codes some course already has.
func (s *Store) CodesTaken(ctx context.Context, tx *sql.Tx, codes []string) (map[string]bool, error) {
	taken := map[string]bool{}
	for _, code := range codes {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM courses WHERE code = $1`, code).Scan(&n); err != nil {
			return nil, fmt.Errorf("course code %s: %w", code, err)
		}
		if n > 0 {
			taken[code] = true
		}
	}
	return taken, nil
}

// EstablishmentTx reads one establishment with its rooms, archived ones too.
func (s *Store) EstablishmentTx(ctx context.Context, tx *sql.Tx, id int64) (domain.Establishment, error) {
	var e domain.Establishment
	err := tx.QueryRowContext(ctx, `SELECT id, code, name, address, postal_code, city, district, archived_at IS NOT NULL
		FROM establishments WHERE id = $1`, id).Scan(&e.ID, &e.Code, &e.Name, &e.Address, &e.PostalCode, &e.City, &e.District, &e.Archived)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("establishment %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("read establishment %d: %w", id, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, establishment_id, name, workstations, archived_at IS NOT NULL FROM rooms
		WHERE establishment_id = $1 ORDER BY id`, id)
	if err != nil {
		return e, fmt.Errorf("read rooms of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r domain.Room
		if err := rows.Scan(&r.ID, &r.EstablishmentID, &r.Name, &r.Workstations, &r.Archived); err != nil {
			return e, err
		}
		e.Rooms = append(e.Rooms, r)
	}
	return e, rows.Err()
}

// UpdateEstablishment writes an establishment's own fields (not its rooms).
func (s *Store) UpdateEstablishment(ctx context.Context, tx *sql.Tx, e domain.Establishment) error {
	res, err := tx.ExecContext(ctx, `UPDATE establishments SET code = $1, name = $2, address = $3, postal_code = $4, city = $5,
		district = $6, search_key = $7 WHERE id = $8`, e.Code, e.Name, e.Address, e.PostalCode, e.City, e.District,
		domain.SearchKey(e.Name+" "+e.Address+" "+e.PostalCode+" "+e.City), e.ID)
	if err != nil {
		return fmt.Errorf("update establishment %d: %w", e.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("establishment %d: %w", e.ID, ErrNotFound)
	}
	return bumpRevision(ctx, tx)
}

// InsertRoom adds a room to its establishment, setting its ID.
func (s *Store) InsertRoom(ctx context.Context, tx *sql.Tx, r *domain.Room) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO rooms (establishment_id, name, workstations) VALUES ($1, $2, $3) RETURNING id`,
		r.EstablishmentID, r.Name, r.Workstations).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("insert room %s: %w", r.Name, err)
	}
	return bumpRevision(ctx, tx)
}

// UpdateRoom renames a room or changes its workstations.
func (s *Store) UpdateRoom(ctx context.Context, tx *sql.Tx, r domain.Room) error {
	res, err := tx.ExecContext(ctx, `UPDATE rooms SET name = $1, workstations = $2 WHERE id = $3 AND establishment_id = $4`,
		r.Name, r.Workstations, r.ID, r.EstablishmentID)
	if err != nil {
		return fmt.Errorf("update room %d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("room %d: %w", r.ID, ErrNotFound)
	}
	return bumpRevision(ctx, tx)
}

// MaxCourseCapacityInRoom is the largest capacity of a non-archived computer
// or technical course in a room (whose workstations bound it, CAT-4), 0 when none.
func (s *Store) MaxCourseCapacityInRoom(ctx context.Context, tx *sql.Tx, roomID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(c.capacity), 0) FROM courses c JOIN formations f ON f.id = c.formation_id
		WHERE c.room_id = $1 AND c.archived_at IS NULL AND f.kind IN ('computer', 'technical')`, roomID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("capacities in room %d: %w", roomID, err)
	}
	return n, nil
}

// DirectorOf is the account holding the director grant of an
// establishment, 0 when none.
func (s *Store) DirectorOf(ctx context.Context, q querier, establishmentID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT account_id FROM staff_grants WHERE role = 'director' AND establishment_id = $1
		ORDER BY id LIMIT 1`, establishmentID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("director of %d: %w", establishmentID, err)
	}
	return id, nil
}

// Directors maps each establishment to its director's account.
func (s *Store) Directors(ctx context.Context) (map[int64]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT establishment_id, account_id FROM staff_grants
		WHERE role = 'director' AND establishment_id IS NOT NULL ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("directors: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var e, a int64
		if err := rows.Scan(&e, &a); err != nil {
			return nil, err
		}
		out[e] = a
	}
	return out, rows.Err()
}

// SetDirector replaces the director grant of an establishment: accountID
// gets it (0: nobody has it any more).
func (s *Store) SetDirector(ctx context.Context, tx *sql.Tx, establishmentID, accountID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_grants WHERE role = 'director' AND establishment_id = $1`, establishmentID); err != nil {
		return fmt.Errorf("remove director of %d: %w", establishmentID, err)
	}
	if accountID != 0 {
		if err := s.InsertGrant(ctx, tx, accountID, domain.Grant{Role: domain.RoleDirector, EstablishmentID: establishmentID}); err != nil {
			return err
		}
	}
	return nil
}

// StaffAccounts lists the active staff accounts, by name (to pick a
// director or a trainer from).
func (s *Store) StaffAccounts(ctx context.Context) ([]domain.Account, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE kind = $1 AND status = $2
		ORDER BY last_name, first_name, id`, string(domain.AccountStaff), string(domain.StatusActive))
	if err != nil {
		return nil, fmt.Errorf("staff accounts: %w", err)
	}
	return scanAccounts(rows)
}

// FormationTx reads one formation, archived ones too.
func (s *Store) FormationTx(ctx context.Context, tx *sql.Tx, id int64) (domain.Formation, error) {
	var f domain.Formation
	err := tx.QueryRowContext(ctx, `SELECT id, code, title, subject, level, description, prerequisites, evaluation,
		diploma, diploma_name, kind, default_price_cents, exam_note, COALESCE(prerequisite_formation_id, 0),
		archived_at IS NOT NULL FROM formations WHERE id = $1`, id).Scan(&f.ID, &f.Code, &f.Title, &f.Subject, &f.Level,
		&f.Description, &f.Prerequisites, &f.Evaluation, &f.Diploma, &f.DiplomaName, &f.Kind, &f.DefaultPriceCents, &f.ExamNote,
		&f.PrerequisiteFormationID, &f.Archived)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("formation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("read formation %d: %w", id, err)
	}
	return f, nil
}

// UpdateFormation writes a formation's fields.
func (s *Store) UpdateFormation(ctx context.Context, tx *sql.Tx, f domain.Formation) error {
	res, err := tx.ExecContext(ctx, `UPDATE formations SET code = $1, title = $2, subject = $3, level = $4, description = $5,
		prerequisites = $6, evaluation = $7, diploma = $8, diploma_name = $9, kind = $10, search_key = $11,
		default_price_cents = $12, exam_note = $13, prerequisite_formation_id = $14 WHERE id = $15`,
		f.Code, f.Title, string(f.Subject), string(f.Level), f.Description, f.Prerequisites,
		string(f.Evaluation), f.Diploma, f.DiplomaName, string(f.Kind),
		domain.SearchKey(f.Title+" "+f.DiplomaName+" "+f.Description), f.DefaultPriceCents, f.ExamNote,
		nullID(f.PrerequisiteFormationID), f.ID)
	if err != nil {
		return fmt.Errorf("update formation %d: %w", f.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("formation %d: %w", f.ID, ErrNotFound)
	}
	return bumpRevision(ctx, tx)
}

// FollowDefaultTariff gives the formation's courses that have no tariff of
// their own (own_price false) its default tariff and the half tariff of it
// (CAT-3), and returns how many changed.
func (s *Store) FollowDefaultTariff(ctx context.Context, tx *sql.Tx, formationID, priceCents int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE courses SET price_cents = $1, reduced_cents = $2
		WHERE formation_id = $3 AND own_price = $4 AND (price_cents <> $1 OR reduced_cents <> $2)`,
		priceCents, domain.HalfTariff(priceCents), formationID, false)
	if err != nil {
		return 0, fmt.Errorf("follow default tariff of %d: %w", formationID, err)
	}
	n, _ := res.RowsAffected()
	return n, bumpRevision(ctx, tx)
}
