package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// The store side of a session's catalogue import (CAT-3, CAT-4, ROLE-5): the
// rows it reads once into maps, the batched writes that keep a 20,000-course
// import within a few times a plain INSERT, and the catalogue_imports row
// that every instance's back office reads to show the progress.

// StaffMember is a staff account as the import names a trainer: by email.
type StaffMember struct {
	ID        int64
	Email     string
	FirstName string
	LastName  string
}

// StaffByEmails reads every active or held staff account, by lowercased email.
func (s *Store) StaffByEmails(ctx context.Context, tx *sql.Tx) (map[string]StaffMember, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	rows, err := q.QueryContext(ctx, `SELECT id, email, first_name, last_name FROM accounts
		WHERE kind = 'staff' AND status IN ('active', 'held') ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read staff accounts: %w", err)
	}
	defer rows.Close()
	out := map[string]StaffMember{}
	for rows.Next() {
		var m StaffMember
		if err := rows.Scan(&m.ID, &m.Email, &m.FirstName, &m.LastName); err != nil {
			return nil, err
		}
		key := strings.ToLower(m.Email)
		if _, ok := out[key]; !ok {
			out[key] = m
		}
	}
	return out, rows.Err()
}

// BumpCatalogueRevision marks the catalogue as changed once, in the caller's
// transaction (an import bumps it once for all its rows).
func (s *Store) BumpCatalogueRevision(ctx context.Context, tx *sql.Tx) error {
	return bumpRevision(ctx, tx)
}

// ImportInsertEstablishment inserts an establishment without its rooms nor a
// revision bump (the import bumps once).
func (s *Store) ImportInsertEstablishment(ctx context.Context, tx *sql.Tx, e *domain.Establishment) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO establishments (code, name, address, postal_code, city, district, search_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.Code, e.Name, e.Address, e.PostalCode, e.City, e.District, establishmentKey(*e)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("insert establishment %s: %w", e.Code, err)
	}
	return nil
}

// ImportUpdateEstablishment writes an establishment's fields by ID.
func (s *Store) ImportUpdateEstablishment(ctx context.Context, tx *sql.Tx, e domain.Establishment) error {
	_, err := tx.ExecContext(ctx, `UPDATE establishments SET name = $2, address = $3, postal_code = $4, city = $5,
		district = $6, search_key = $7 WHERE id = $1`, e.ID, e.Name, e.Address, e.PostalCode, e.City, e.District, establishmentKey(e))
	if err != nil {
		return fmt.Errorf("update establishment %s: %w", e.Code, err)
	}
	return nil
}

func establishmentKey(e domain.Establishment) string {
	return domain.SearchKey(e.Name + " " + e.Address + " " + e.PostalCode + " " + e.City)
}

// ImportInsertRoom inserts a room of an establishment, setting its ID.
func (s *Store) ImportInsertRoom(ctx context.Context, tx *sql.Tx, r *domain.Room) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO rooms (establishment_id, name, workstations) VALUES ($1, $2, $3) RETURNING id`,
		r.EstablishmentID, r.Name, r.Workstations).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("insert room %s: %w", r.Name, err)
	}
	return nil
}

// ImportUpdateRoom writes a room's workstations by ID.
func (s *Store) ImportUpdateRoom(ctx context.Context, tx *sql.Tx, r domain.Room) error {
	if _, err := tx.ExecContext(ctx, `UPDATE rooms SET workstations = $2 WHERE id = $1`, r.ID, r.Workstations); err != nil {
		return fmt.Errorf("update room %s: %w", r.Name, err)
	}
	return nil
}

// ImportInsertFormation inserts a formation without a revision bump.
func (s *Store) ImportInsertFormation(ctx context.Context, tx *sql.Tx, f *domain.Formation) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO formations (code, title, subject, level, description, prerequisites,
		evaluation, diploma, diploma_name, kind, search_key, default_price_cents, exam_note, prerequisite_formation_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		f.Code, f.Title, string(f.Subject), string(f.Level), f.Description, f.Prerequisites,
		string(f.Evaluation), f.Diploma, f.DiplomaName, string(f.Kind), formationKey(*f), f.DefaultPriceCents, f.ExamNote,
		nullID(f.PrerequisiteFormationID)).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("insert formation %s: %w", f.Code, err)
	}
	return nil
}

// ImportUpdateFormation writes a formation's fields by ID.
func (s *Store) ImportUpdateFormation(ctx context.Context, tx *sql.Tx, f domain.Formation) error {
	_, err := tx.ExecContext(ctx, `UPDATE formations SET title = $2, subject = $3, level = $4, description = $5,
		prerequisites = $6, evaluation = $7, diploma = $8, diploma_name = $9, kind = $10, search_key = $11,
		default_price_cents = $12, exam_note = $13, prerequisite_formation_id = $14 WHERE id = $1`,
		f.ID, f.Title, string(f.Subject), string(f.Level), f.Description, f.Prerequisites, string(f.Evaluation),
		f.Diploma, f.DiplomaName, string(f.Kind), formationKey(f), f.DefaultPriceCents, f.ExamNote, nullID(f.PrerequisiteFormationID))
	if err != nil {
		return fmt.Errorf("update formation %s: %w", f.Code, err)
	}
	return nil
}

func formationKey(f domain.Formation) string {
	return domain.SearchKey(f.Title + " " + f.DiplomaName + " " + f.Description)
}

// courseColumns are the columns the import writes, in the order of courseArgs.
const courseColumns = `code, formation_id, establishment_id, room_id, session_id, weekday, start_minute, end_minute,
	level, capacity, enrolled, trainer, price_cents, reduced_cents, remote, own_price, trainer_account_id, remote_reason`

const courseColumnCount = 18

func courseArgs(c domain.Course) []any {
	return []any{c.Code, c.FormationID, c.EstablishmentID, c.RoomID, c.SessionID, int(c.Weekday), c.StartMinute, c.EndMinute,
		string(c.Level), c.Capacity, c.Enrolled, c.Trainer, c.PriceCents, c.ReducedCents, c.Remote, c.OwnPrice,
		nullID(c.TrainerAccountID), c.RemoteReason}
}

// insertBatch is how many rows one multi-row INSERT carries: 18 columns ×
// 400 rows stays under SQLite's 32,766 parameters and PostgreSQL's 65,535.
const insertBatch = 400

// placeholders writes "($1, $2, ...), (...)" for n rows of cols columns on
// PostgreSQL, "(?, ?, ...), (...)" on SQLite, which looks each numbered
// parameter up by name: thousands of them would cost their square.
func (s *Store) placeholders(n, cols int) string {
	if s.db.Dialect == db.SQLite {
		row := "(" + strings.Repeat("?, ", cols-1) + "?)"
		return strings.Repeat(row+", ", n-1) + row
	}
	var b strings.Builder
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", p)
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// ImportInsertCourses inserts courses with multi-row INSERTs and sets their
// IDs (read back by code: codes are unique). The caller checked them.
func (s *Store) ImportInsertCourses(ctx context.Context, tx *sql.Tx, courses []*domain.Course, progress func(n int)) error {
	for start := 0; start < len(courses); start += insertBatch {
		batch := courses[start:min(start+insertBatch, len(courses))]
		args := make([]any, 0, len(batch)*courseColumnCount)
		for _, c := range batch {
			args = append(args, courseArgs(*c)...)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO courses (`+courseColumns+`) VALUES `+s.placeholders(len(batch), courseColumnCount), args...); err != nil {
			return fmt.Errorf("insert courses %s…: %w", batch[0].Code, err)
		}
		if progress != nil {
			progress(len(batch))
		}
	}
	if len(courses) == 0 {
		return nil
	}
	byCode := make(map[string]*domain.Course, len(courses))
	for _, c := range courses {
		byCode[c.Code] = c
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, code FROM courses WHERE session_id = $1`, courses[0].SessionID)
	if err != nil {
		return fmt.Errorf("read new course ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return err
		}
		if c, ok := byCode[code]; ok {
			c.ID = id
		}
	}
	return rows.Err()
}

// ImportUpdateCourses writes changed courses by ID with one prepared statement.
func (s *Store) ImportUpdateCourses(ctx context.Context, tx *sql.Tx, courses []domain.Course, progress func(n int)) error {
	if len(courses) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE courses SET formation_id = $2, establishment_id = $3, room_id = $4,
		weekday = $5, start_minute = $6, end_minute = $7, level = $8, capacity = $9, trainer = $10, price_cents = $11,
		reduced_cents = $12, remote = $13, own_price = $14, trainer_account_id = $15, remote_reason = $16 WHERE id = $1`)
	if err != nil {
		return fmt.Errorf("prepare course update: %w", err)
	}
	defer stmt.Close()
	for i, c := range courses {
		if _, err := stmt.ExecContext(ctx, c.ID, c.FormationID, c.EstablishmentID, c.RoomID, int(c.Weekday), c.StartMinute,
			c.EndMinute, string(c.Level), c.Capacity, c.Trainer, c.PriceCents, c.ReducedCents, c.Remote, c.OwnPrice,
			nullID(c.TrainerAccountID), c.RemoteReason); err != nil {
			return fmt.Errorf("update course %s: %w", c.Code, err)
		}
		if progress != nil && (i+1)%insertBatch == 0 {
			progress(insertBatch)
		}
	}
	if progress != nil {
		progress(len(courses) % insertBatch)
	}
	return nil
}

// RecordAudits records many audit events with multi-row INSERTs.
func (s *Store) RecordAudits(ctx context.Context, tx *sql.Tx, events []domain.AuditEvent) error {
	const cols = 8
	for start := 0; start < len(events); start += insertBatch {
		batch := events[start:min(start+insertBatch, len(events))]
		args := make([]any, 0, len(batch)*cols)
		for _, e := range batch {
			args = append(args, s.instantArg(e.At), nullID(e.ActorID), e.Action, nullID(e.SubjectID), e.Details, e.Reason,
				e.ObjectKind, nullID(e.ObjectID))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor_account_id, action, subject_account_id, details,
			reason, object_kind, object_id) VALUES `+s.placeholders(len(batch), cols), args...); err != nil {
			return fmt.Errorf("record audit events: %w", err)
		}
	}
	return nil
}

// SetEnrolledByCode sets the places taken of courses named by code (the demo
// city's enrolments, which no spreadsheet carries).
func (s *Store) SetEnrolledByCode(ctx context.Context, tx *sql.Tx, enrolled map[string]int) error {
	if len(enrolled) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE courses SET enrolled = $2 WHERE code = $1 AND capacity >= $2`)
	if err != nil {
		return fmt.Errorf("prepare enrolled update: %w", err)
	}
	defer stmt.Close()
	for code, n := range enrolled {
		if _, err := stmt.ExecContext(ctx, code, n); err != nil {
			return fmt.Errorf("set enrolled of %s: %w", code, err)
		}
	}
	return bumpRevision(ctx, tx)
}

// CatalogueImport is one import of a session's catalogue (or its dry run)
// with its progress, as every instance's back office shows it.
type CatalogueImport struct {
	ID                          int64
	SessionID                   int64
	FileName, FileDigest        string
	DryRun                      bool
	Status                      string // running, done, refused, failed
	RowsTotal, RowsDone         int
	Created, Updated, Unchanged int
	Problems                    string // JSON list of the problems
	StartedBy                   int64
	StartedAt, FinishedAt       time.Time
}

// The statuses of a catalogue import.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportRefused = "refused"
	ImportFailed  = "failed"
)

// StartCatalogueImport records an import as running and returns its ID.
func (s *Store) StartCatalogueImport(ctx context.Context, im CatalogueImport) (int64, error) {
	var id int64
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO catalogue_imports (session_id, file_name, file_digest, dry_run, status,
		rows_total, started_by, started_at) VALUES ($1, $2, $3, $4, 'running', $5, $6, $7) RETURNING id`,
		nullID(im.SessionID), im.FileName, im.FileDigest, im.DryRun, im.RowsTotal, nullID(im.StartedBy), s.instantArg(im.StartedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record catalogue import: %w", err)
	}
	return id, nil
}

// CatalogueImportProgress records how many rows an import has gone through.
func (s *Store) CatalogueImportProgress(ctx context.Context, id int64, done int) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE catalogue_imports SET rows_done = $2 WHERE id = $1`, id, done); err != nil {
		return fmt.Errorf("record import progress: %w", err)
	}
	return nil
}

// FinishCatalogueImport records an import's outcome.
func (s *Store) FinishCatalogueImport(ctx context.Context, im CatalogueImport) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE catalogue_imports SET status = $2, rows_total = $3, rows_done = $4, created = $5,
		updated = $6, unchanged = $7, problems = $8, finished_at = $9 WHERE id = $1`,
		im.ID, im.Status, im.RowsTotal, im.RowsDone, im.Created, im.Updated, im.Unchanged, im.Problems, s.instantArg(im.FinishedAt))
	if err != nil {
		return fmt.Errorf("record import outcome: %w", err)
	}
	return nil
}

const catalogueImportColumns = `id, COALESCE(session_id, 0), file_name, file_digest, dry_run, status, rows_total, rows_done,
	created, updated, unchanged, problems, COALESCE(started_by, 0), started_at, finished_at`

func scanCatalogueImport(row interface{ Scan(...any) error }) (CatalogueImport, error) {
	var im CatalogueImport
	err := row.Scan(&im.ID, &im.SessionID, &im.FileName, &im.FileDigest, &im.DryRun, &im.Status, &im.RowsTotal, &im.RowsDone,
		&im.Created, &im.Updated, &im.Unchanged, &im.Problems, &im.StartedBy, timeCol{&im.StartedAt}, nullTime{&im.FinishedAt})
	return im, err
}

// CatalogueImportByID reads one import.
func (s *Store) CatalogueImportByID(ctx context.Context, id int64) (CatalogueImport, error) {
	im, err := scanCatalogueImport(s.db.R.QueryRowContext(ctx, `SELECT `+catalogueImportColumns+` FROM catalogue_imports WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return im, fmt.Errorf("catalogue import %d: %w", id, ErrNotFound)
	}
	return im, err
}

// CatalogueImports lists a session's latest imports, newest first.
func (s *Store) CatalogueImports(ctx context.Context, sessionID int64, limit int) ([]CatalogueImport, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+catalogueImportColumns+` FROM catalogue_imports WHERE session_id = $1
		ORDER BY id DESC LIMIT $2`, sessionID, limit)
	if err != nil {
		return nil, fmt.Errorf("list catalogue imports: %w", err)
	}
	defer rows.Close()
	var out []CatalogueImport
	for rows.Next() {
		im, err := scanCatalogueImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// Postgres reports whether the store runs on PostgreSQL (the benchmark's
// plain INSERT is written once for both).
func (s *Store) Postgres() bool { return s.db.Dialect == db.Postgres }
