package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"cma/internal/allocation"
	"cma/internal/db"
)

// seeded is what seed wrote: the session to run and a staff account of the
// central service to run it as.
type seeded struct {
	SessionID, StaffID int64
	Candidatures       int
}

// seed writes a synthetic session into an empty, migrated database as the
// platform's own tables hold one after its candidature period: the catalogue
// (one session whose candidature period has closed and whose answer period is
// open at now, establishments with a room each, the formations and courses of
// in), one candidate account per candidate with a validation, the
// candidatures, and for tested formations a sitting, the convocations and the
// results the engine's input carries (SEL-2, SEL-3). Rows go in multi-row
// INSERTs of a few hundred rows, the same statements on both engines.
func seed(ctx context.Context, d *db.DB, in allocation.Input, now time.Time, progress func(string)) (seeded, error) {
	var out seeded
	pg := d.Dialect == db.Postgres
	instant := func(t time.Time) any {
		if pg {
			return t.UTC()
		}
		return t.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	boolean := func(b bool) any {
		if pg {
			return b
		}
		if b {
			return 1
		}
		return 0
	}
	// SQLite: one transaction. PostgreSQL: one connection, each COPY its
	// own statement (a bench database is dropped after the run anyway).
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return out, err
	}
	defer conn.Close()
	var tx interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	} = conn
	commit := func() error { return nil }
	if !pg {
		t, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return out, err
		}
		defer t.Rollback()
		tx, commit = t, t.Commit
	}
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%.60s…: %w", q, err)
		}
		return nil
	}
	rows := func(table, columns string, n int, row func(i int) []any) error {
		if pg {
			return copyRows(ctx, conn, table, columns, n, row)
		}
		cols := len(strings.Split(columns, ","))
		const chunk = 400
		for start := 0; start < n; start += chunk {
			end := min(start+chunk, n)
			var b strings.Builder
			args := make([]any, 0, (end-start)*cols)
			b.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
			for i := start; i < end; i++ {
				if i > start {
					b.WriteByte(',')
				}
				b.WriteByte('(')
				for k := range cols {
					if k > 0 {
						b.WriteByte(',')
					}
					b.WriteString("$" + strconv.Itoa(len(args)+k+1))
				}
				b.WriteByte(')')
				args = append(args, row(i)...)
			}
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
		}
		return nil
	}

	progress("catalogue")
	if err := exec(`INSERT INTO internal_rules (version, published_at, body) VALUES ('bench', $1, 'Règlement intérieur')`, instant(now)); err != nil {
		return out, err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO sessions (code, name, kind, first_day, last_day, candidature_opens,
		candidature_closes, answer_opens, answer_closes, holiday_session) VALUES ('BENCH', 'Session du banc d''essai', 'annual',
		$1, $2, $3, $4, $5, $6, $7) RETURNING id`, day(now.AddDate(0, 0, 20)), day(now.AddDate(0, 0, 200)),
		instant(now.AddDate(0, 0, -60)), instant(now.AddDate(0, 0, -10)), instant(now.AddDate(0, 0, -1)),
		instant(now.AddDate(0, 0, 10)), boolean(false)).Scan(&out.SessionID); err != nil {
		return out, fmt.Errorf("insert session: %w", err)
	}
	establishments := max(1, len(in.Courses)/50)
	if err := rows("establishments", "id, code, name, address, postal_code, city, district, search_key", establishments, func(i int) []any {
		return []any{i + 1, fmt.Sprintf("E%05d", i+1), fmt.Sprintf("Établissement %d", i+1), "1 rue de l'École", "75011", "Paris", 11, "etablissement"}
	}); err != nil {
		return out, err
	}
	if err := rows("rooms", "id, establishment_id, name, workstations", establishments, func(i int) []any {
		return []any{i + 1, i + 1, "Salle 1", 0}
	}); err != nil {
		return out, err
	}
	tested := map[allocation.FormationID]bool{}
	for _, c := range in.Courses {
		if c.Level > 0 {
			tested[c.Formation] = true
		}
	}
	if err := rows("formations", "id, code, title, subject, level, description, prerequisites, evaluation, diploma, diploma_name, kind, search_key, min_social_percent",
		len(in.Formations), func(i int) []any {
			f := in.Formations[i]
			eval := "none"
			if tested[f.ID] {
				eval = "anticipated_test"
			}
			return []any{f.ID, fmt.Sprintf("F%05d", f.ID), f.Name, f.Name, "", "", "", eval, boolean(false), "", "general", "formation", f.MinSocialPercent}
		}); err != nil {
		return out, err
	}
	if err := rows("courses", "id, code, formation_id, establishment_id, room_id, session_id, weekday, start_minute, end_minute, level, capacity, trainer, price_cents, reduced_cents, remote",
		len(in.Courses), func(i int) []any {
			c := in.Courses[i]
			est := i%establishments + 1
			level := ""
			if c.Level > 0 {
				level = strconv.Itoa(int(c.Level))
			}
			return []any{c.ID, fmt.Sprintf("C%06d", c.ID), c.Formation, est, est, out.SessionID, int(c.Weekday), c.StartMinute, c.EndMinute,
				level, max(c.Capacity, 1), "", 20000, 10000, boolean(false)}
		}); err != nil {
		return out, err
	}

	progress("comptes")
	var maxCandidate allocation.CandidateID
	for _, c := range in.Candidatures {
		maxCandidate = max(maxCandidate, c.Candidate)
	}
	n := int(maxCandidate)
	if err := rows("accounts", "id, kind, status, email, first_name, last_name, identity_key, phone, address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret, totp_last_step, search_key",
		n+1, func(i int) []any {
			kind, first := "candidate", "Candidat"
			if i == n {
				kind, first = "staff", "Service central"
			}
			id := i + 1
			return []any{id, kind, "active", fmt.Sprintf("c%d@banc.example", id), first, strconv.Itoa(id), "bench-" + strconv.Itoa(id),
				"", "", "", "", "", "", instant(now), 0, "", "", 0, "candidat"}
		}); err != nil {
		return out, err
	}
	out.StaffID = int64(n + 1)
	if err := exec(`INSERT INTO staff_grants (account_id, role) VALUES ($1, 'central')`, out.StaffID); err != nil {
		return out, err
	}
	if err := rows("validations", "key, account_id, created_at", n, func(i int) []any {
		return []any{"v" + strconv.Itoa(i+1), i + 1, instant(now.AddDate(0, 0, -20))}
	}); err != nil {
		return out, err
	}

	progress("candidatures")
	objectives := []string{"personal", "integration", "professional"}
	if err := rows("candidatures", "id, account_id, course_id, formation_id, session_id, status, objective, motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at",
		len(in.Candidatures), func(i int) []any {
			c := in.Candidatures[i]
			return []any{i + 1, c.Candidate, c.Course, c.Formation, out.SessionID, "submitted", objectives[int(c.Motivation)%len(objectives)], "",
				boolean(c.Social&allocation.RSA != 0), boolean(c.Social&allocation.JobSeeker != 0), boolean(c.Social&allocation.Subsidised != 0),
				"bench", boolean(false), "v" + strconv.Itoa(int(c.Candidate)), instant(now.AddDate(0, 0, -20))}
		}); err != nil {
		return out, err
	}
	out.Candidatures = len(in.Candidatures)

	progress("tests")
	// One sitting per tested formation, in its first course's establishment,
	// with a seat for each of its candidatures.
	seats := map[allocation.FormationID]int{}
	for _, c := range in.Candidatures {
		if tested[c.Formation] {
			seats[c.Formation]++
		}
	}
	var formations []allocation.FormationID
	for _, f := range in.Formations {
		if seats[f.ID] > 0 {
			formations = append(formations, f.ID)
		}
	}
	sitting := map[allocation.FormationID]int{}
	for i, f := range formations {
		sitting[f] = i + 1
	}
	at := now.AddDate(0, 0, -5)
	if err := rows("test_sittings", "id, session_id, formation_id, establishment_id, room, starts_at, minutes, seats, created_by, created_at, convoked_at",
		len(formations), func(i int) []any {
			return []any{i + 1, out.SessionID, formations[i], 1, "Salle 1", instant(at), 90, seats[formations[i]], out.StaffID, instant(at.AddDate(0, 0, -3)), instant(at.AddDate(0, 0, -3))}
		}); err != nil {
		return out, err
	}
	var testedIdx []int
	for i, c := range in.Candidatures {
		if tested[c.Formation] {
			testedIdx = append(testedIdx, i)
		}
	}
	if err := rows("convocations", "candidature_id, sitting_id, course_id, at, place, sent_at", len(testedIdx), func(k int) []any {
		i := testedIdx[k]
		c := in.Candidatures[i]
		return []any{i + 1, sitting[c.Formation], c.Course, instant(at), "Établissement 1, salle 1", instant(at.AddDate(0, 0, -3))}
	}); err != nil {
		return out, err
	}
	if err := rows("test_results", "candidature_id, result, score, placed_level, entered_by, entered_at", len(testedIdx), func(k int) []any {
		i := testedIdx[k]
		c := in.Candidatures[i]
		if c.Withdrawn {
			return []any{i + 1, "absent", nil, nil, out.StaffID, instant(at)}
		}
		return []any{i + 1, "score", min(int(c.Evaluation)*4, 20), int(c.PlacedLevel), out.StaffID, instant(at)}
	}); err != nil {
		return out, err
	}
	if pg { // explicit IDs leave the identity sequences behind
		for _, t := range []string{"establishments", "rooms", "formations", "courses", "accounts", "candidatures", "test_sittings"} {
			if err := exec(`SELECT setval(pg_get_serial_sequence('` + t + `', 'id'), (SELECT MAX(id) FROM ` + t + `))`); err != nil {
				return out, err
			}
		}
	}
	return out, commit()
}

// copyRows writes rows with PostgreSQL's COPY on the seed's connection: a
// million rows take seconds instead of minutes of INSERTs.
func copyRows(ctx context.Context, conn *sql.Conn, table, columns string, n int, row func(i int) []any) error {
	var names []string
	for _, c := range strings.Split(columns, ",") {
		names = append(names, strings.TrimSpace(c))
	}
	return conn.Raw(func(driverConn any) error {
		pc := driverConn.(*stdlib.Conn).Conn()
		_, err := pc.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromSlice(n, func(i int) ([]any, error) { return row(i), nil }))
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		return nil
	})
}
