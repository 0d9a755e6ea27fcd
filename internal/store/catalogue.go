package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"cma/internal/domain"
)

// Catalogue is every catalogue row, loaded at once: a city's catalogue is a few
// thousand courses, small enough for web instances to keep in memory and search
// there (see package catalogue).
type Catalogue struct {
	Revision  int64
	AllRemote bool // CAT-6: health protocol, every course remote
	// AllRemoteReason is why every course was last switched to remote or back.
	AllRemoteReason string
	Establishments  []domain.Establishment
	Formations      []domain.Formation
	Sessions        []domain.Session
	Courses         []domain.Course
	SchoolHolidays  []SchoolHoliday
}

// SchoolHoliday is an imported school-holiday period of a zone (CAT-5).
type SchoolHoliday struct {
	Zone, Name  string
	First, Last time.Time // civil days without classes, inclusive
}

// bumpRevision marks the catalogue as changed inside the caller's transaction.
func bumpRevision(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE catalogue_state SET revision = revision + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump catalogue revision: %w", err)
	}
	return nil
}

// CatalogueRevision is the current revision; it changes whenever the catalogue does.
func (s *Store) CatalogueRevision(ctx context.Context) (int64, error) {
	var rev int64
	if err := s.db.R.QueryRowContext(ctx, `SELECT revision FROM catalogue_state WHERE id = 1`).Scan(&rev); err != nil {
		return 0, fmt.Errorf("read catalogue revision: %w", err)
	}
	return rev, nil
}

// SetAllRemote switches every course to remote delivery or back (CAT-6).
func (s *Store) SetAllRemote(ctx context.Context, remote bool) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE catalogue_state SET all_remote = $1 WHERE id = 1`, remote); err != nil {
			return fmt.Errorf("switch all courses remote: %w", err)
		}
		return bumpRevision(ctx, tx)
	})
}

// SetCourseRemote switches one course to remote delivery or back (CAT-6).
func (s *Store) SetCourseRemote(ctx context.Context, courseID int64, remote bool) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE courses SET remote = $1 WHERE id = $2`, remote, courseID)
		if err != nil {
			return fmt.Errorf("switch course %d remote: %w", courseID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("course %d: %w", courseID, ErrNotFound)
		}
		return bumpRevision(ctx, tx)
	})
}

// ErrNotFound is returned when a row named by ID does not exist: domain.ErrNotFound.
var ErrNotFound = domain.ErrNotFound

// InsertEstablishment inserts e and its rooms, setting their IDs.
func (s *Store) InsertEstablishment(ctx context.Context, tx *sql.Tx, e *domain.Establishment) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO establishments (code, name, address, postal_code, city, district, search_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.Code, e.Name, e.Address, e.PostalCode, e.City, e.District,
		domain.SearchKey(e.Name+" "+e.Address+" "+e.PostalCode+" "+e.City)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("insert establishment %s: %w", e.Code, err)
	}
	for i := range e.Rooms {
		r := &e.Rooms[i]
		r.EstablishmentID = e.ID
		err := tx.QueryRowContext(ctx, `INSERT INTO rooms (establishment_id, name, workstations) VALUES ($1, $2, $3) RETURNING id`,
			e.ID, r.Name, r.Workstations).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("insert room %s of %s: %w", r.Name, e.Code, err)
		}
	}
	return bumpRevision(ctx, tx)
}

// InsertFormation inserts f, setting its ID.
func (s *Store) InsertFormation(ctx context.Context, tx *sql.Tx, f *domain.Formation) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO formations (code, title, subject, level, description, prerequisites,
		evaluation, diploma, diploma_name, kind, search_key, default_price_cents, exam_note, prerequisite_formation_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		f.Code, f.Title, string(f.Subject), string(f.Level), f.Description, f.Prerequisites,
		string(f.Evaluation), f.Diploma, f.DiplomaName, string(f.Kind),
		domain.SearchKey(f.Title+" "+f.DiplomaName+" "+f.Description), f.DefaultPriceCents, f.ExamNote,
		nullID(f.PrerequisiteFormationID)).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("insert formation %s: %w", f.Code, err)
	}
	return bumpRevision(ctx, tx)
}

// InsertSession inserts a session after checking its periods (PER-1).
func (s *Store) InsertSession(ctx context.Context, tx *sql.Tx, se *domain.Session) error {
	if err := se.Validate(); err != nil {
		return err
	}
	if se.Status == "" {
		se.Status = domain.SessionPublished
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO sessions (code, name, kind, first_day, last_day, candidature_opens,
		candidature_closes, answer_opens, answer_closes, holiday_session, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		se.Code, se.Name, string(se.Kind), dayArg(se.FirstDay), dayArg(se.LastDay),
		s.instantArg(se.CandidatureOpens), dayArg(se.CandidatureCloses.Day()),
		s.instantArg(se.AnswerOpens), dayArg(se.AnswerCloses.Day()), se.HolidaySession, string(se.Status)).Scan(&se.ID)
	if err != nil {
		return fmt.Errorf("insert session %s: %w", se.Code, err)
	}
	return bumpRevision(ctx, tx)
}

// InsertCourse inserts c after checking it and its capacity against the room and
// the formation's kind (CAT-3, CAT-4).
func (s *Store) InsertCourse(ctx context.Context, tx *sql.Tx, c *domain.Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var kind string
	var room domain.Room
	err := tx.QueryRowContext(ctx, `SELECT f.kind, r.name, r.workstations FROM formations f, rooms r
		WHERE f.id = $1 AND r.id = $2 AND r.establishment_id = $3`, c.FormationID, c.RoomID, c.EstablishmentID).
		Scan(&kind, &room.Name, &room.Workstations)
	if err == sql.ErrNoRows {
		return fmt.Errorf("course %s: formation %d, or room %d of establishment %d: %w", c.Code, c.FormationID, c.RoomID, c.EstablishmentID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("course %s: read formation and room: %w", c.Code, err)
	}
	if err := domain.CheckCapacity(domain.FormationKind(kind), room, c.Capacity); err != nil {
		return fmt.Errorf("cours %s : %w", c.Code, err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO courses (code, formation_id, establishment_id, room_id, session_id, weekday,
		start_minute, end_minute, level, capacity, enrolled, trainer, price_cents, reduced_cents, remote,
		own_price, trainer_account_id, remote_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
		c.Code, c.FormationID, c.EstablishmentID, c.RoomID, c.SessionID, int(c.Weekday), c.StartMinute, c.EndMinute,
		string(c.Level), c.Capacity, c.Enrolled, c.Trainer, c.PriceCents, c.ReducedCents, c.Remote,
		c.OwnPrice, nullID(c.TrainerAccountID), c.RemoteReason).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert course %s: %w", c.Code, err)
	}
	return bumpRevision(ctx, tx)
}

// ReplaceSchoolHolidays replaces the holiday periods of a zone in one transaction
// (the central service imports the ministry's calendar file; CAT-5).
func (s *Store) ReplaceSchoolHolidays(ctx context.Context, zone string, periods []SchoolHoliday) error {
	return s.InTx(ctx, func(tx *sql.Tx) error { return s.ReplaceSchoolHolidaysTx(ctx, tx, zone, periods) })
}

// ReplaceSchoolHolidaysTx is ReplaceSchoolHolidays inside the caller's
// transaction (which also revises the courses' calendars).
func (s *Store) ReplaceSchoolHolidaysTx(ctx context.Context, tx *sql.Tx, zone string, periods []SchoolHoliday) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM school_holidays WHERE zone = $1`, zone); err != nil {
		return fmt.Errorf("delete school holidays of %s: %w", zone, err)
	}
	for _, p := range periods {
		if p.Last.Before(p.First) {
			return fmt.Errorf("période %q : la fin (%s) précède le début (%s)", p.Name, dayArg(p.Last), dayArg(p.First))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO school_holidays (zone, name, first_day, last_day) VALUES ($1, $2, $3, $4)`,
			zone, p.Name, dayArg(p.First), dayArg(p.Last)); err != nil {
			return fmt.Errorf("insert school holiday %q: %w", p.Name, err)
		}
	}
	return bumpRevision(ctx, tx)
}

// CatalogueEmpty reports whether no course exists yet (serve --demo loads the demo
// data only into an empty database).
func (s *Store) CatalogueEmpty(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM establishments LIMIT 1) e`).Scan(&n); err != nil {
		return false, fmt.Errorf("count establishments: %w", err)
	}
	return n == 0, nil
}

// LoadCatalogue reads the whole catalogue in one read transaction so that all
// parts belong to the same revision.
func (s *Store) LoadCatalogue(ctx context.Context) (*Catalogue, error) {
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	defer rollback(tx)
	return s.LoadCatalogueTx(ctx, tx)
}

// catalogueSteps read the parts of the catalogue.
var catalogueSteps = []func(context.Context, *sql.Tx, *Catalogue) error{loadState, loadEstablishments, loadFormations, loadSessions, loadCourses, loadSchoolHolidays}

func loadState(ctx context.Context, tx *sql.Tx, c *Catalogue) error {
	return tx.QueryRowContext(ctx, `SELECT revision, all_remote, all_remote_reason FROM catalogue_state WHERE id = 1`).Scan(&c.Revision, &c.AllRemote, &c.AllRemoteReason)
}

func loadEstablishments(ctx context.Context, tx *sql.Tx, c *Catalogue) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, code, name, address, postal_code, city, district,
		archived_at IS NOT NULL FROM establishments ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	index := map[int64]int{}
	for rows.Next() {
		var e domain.Establishment
		if err := rows.Scan(&e.ID, &e.Code, &e.Name, &e.Address, &e.PostalCode, &e.City, &e.District, &e.Archived); err != nil {
			return err
		}
		index[e.ID] = len(c.Establishments)
		c.Establishments = append(c.Establishments, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rooms, err := tx.QueryContext(ctx, `SELECT id, establishment_id, name, workstations, archived_at IS NOT NULL FROM rooms ORDER BY id`)
	if err != nil {
		return err
	}
	defer rooms.Close()
	for rooms.Next() {
		var r domain.Room
		if err := rooms.Scan(&r.ID, &r.EstablishmentID, &r.Name, &r.Workstations, &r.Archived); err != nil {
			return err
		}
		e := &c.Establishments[index[r.EstablishmentID]]
		e.Rooms = append(e.Rooms, r)
	}
	return rooms.Err()
}

func loadFormations(ctx context.Context, tx *sql.Tx, c *Catalogue) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, code, title, subject, level, description, prerequisites, evaluation,
		diploma, diploma_name, kind, default_price_cents, exam_note, COALESCE(prerequisite_formation_id, 0),
		archived_at IS NOT NULL FROM formations ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f domain.Formation
		if err := rows.Scan(&f.ID, &f.Code, &f.Title, &f.Subject, &f.Level, &f.Description, &f.Prerequisites,
			&f.Evaluation, &f.Diploma, &f.DiplomaName, &f.Kind, &f.DefaultPriceCents, &f.ExamNote,
			&f.PrerequisiteFormationID, &f.Archived); err != nil {
			return err
		}
		c.Formations = append(c.Formations, f)
	}
	return rows.Err()
}

func loadSessions(ctx context.Context, tx *sql.Tx, c *Catalogue) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, code, name, kind, first_day, last_day, candidature_opens,
		candidature_closes, answer_opens, answer_closes, holiday_session, status, archived_at IS NOT NULL
		FROM sessions ORDER BY first_day, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var se domain.Session
		var closes, answerCloses time.Time // dates: the last days of the periods (domain.Deadline)
		if err := rows.Scan(&se.ID, &se.Code, &se.Name, &se.Kind, timeCol{&se.FirstDay}, timeCol{&se.LastDay},
			timeCol{&se.CandidatureOpens}, timeCol{&closes}, timeCol{&se.AnswerOpens},
			timeCol{&answerCloses}, &se.HolidaySession, &se.Status, &se.Archived); err != nil {
			return err
		}
		se.CandidatureCloses, se.AnswerCloses = domain.DeadlineOf(closes), domain.DeadlineOf(answerCloses)
		c.Sessions = append(c.Sessions, se)
	}
	return rows.Err()
}

func loadCourses(ctx context.Context, tx *sql.Tx, c *Catalogue) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, code, formation_id, establishment_id, room_id, session_id, weekday,
		start_minute, end_minute, level, capacity, enrolled, trainer, price_cents, reduced_cents, remote,
		own_price, COALESCE(trainer_account_id, 0), remote_reason, archived_at IS NOT NULL FROM courses ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var co domain.Course
		var weekday int
		if err := rows.Scan(&co.ID, &co.Code, &co.FormationID, &co.EstablishmentID, &co.RoomID, &co.SessionID, &weekday,
			&co.StartMinute, &co.EndMinute, &co.Level, &co.Capacity, &co.Enrolled, &co.Trainer, &co.PriceCents,
			&co.ReducedCents, &co.Remote, &co.OwnPrice, &co.TrainerAccountID, &co.RemoteReason, &co.Archived); err != nil {
			return err
		}
		co.Weekday = time.Weekday(weekday)
		c.Courses = append(c.Courses, co)
	}
	return rows.Err()
}

func loadSchoolHolidays(ctx context.Context, tx *sql.Tx, c *Catalogue) error {
	rows, err := tx.QueryContext(ctx, `SELECT zone, name, first_day, last_day FROM school_holidays ORDER BY first_day, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h SchoolHoliday
		if err := rows.Scan(&h.Zone, &h.Name, timeCol{&h.First}, timeCol{&h.Last}); err != nil {
			return err
		}
		c.SchoolHolidays = append(c.SchoolHolidays, h)
	}
	return rows.Err()
}
