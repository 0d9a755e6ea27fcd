package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// Basket validations in batches (candidature.Service.Validate): the statements
// below read and write the baskets of many people at once, a fixed number of
// statements per batch however many people it holds, on both engines.

// ValidationRead is what validating a basket reads of one person, under their lock.
type ValidationRead struct {
	Person domain.Account
	Token  string  // the basket's current token ("" when there is no basket yet)
	Basket []int64 // courses in the basket, in the order added
	Active []int64 // courses of the person's active candidatures
	// Record is what their past evaluations say (CER-2, SEL-7).
	Record domain.Record
}

// ReadForValidation locks the people and reads, in one more round trip, their
// baskets and active candidatures, and who already used each validation key.
// People not found are missing from the map. On PostgreSQL the rows are locked in
// ascending id order, so that two batches (or two instances) never wait for each
// other in a cycle; SQLite's one writer is already exclusive. The second statement
// starts after the locks are held, so it sees everything their previous holders
// committed (READ COMMITTED takes a snapshot per statement).
func (s *Store) ReadForValidation(ctx context.Context, tx *sql.Tx, people []int64, keys []string) (map[int64]*ValidationRead, map[string]int64, error) {
	lock := ""
	if s.db.Dialect == db.Postgres {
		lock = " FOR UPDATE"
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id `+s.inList(1, "bigint")+` ORDER BY id`+lock,
		s.listArg(people))
	if err != nil {
		return nil, nil, fmt.Errorf("lock %d people: %w", len(people), err)
	}
	accounts, err := scanAccounts(rows)
	if err != nil {
		return nil, nil, fmt.Errorf("lock %d people: %w", len(people), err)
	}
	reads := make(map[int64]*ValidationRead, len(accounts))
	for _, a := range accounts {
		if a.Kind == domain.AccountStaff { // as accountWhere reads them
			if a.Grants, err = grantsOf(ctx, tx, a.ID); err != nil {
				return nil, nil, err
			}
		}
		reads[a.ID] = &ValidationRead{Person: a}
	}

	rows, err = tx.QueryContext(ctx, `SELECT 0, account_id, CAST(NULL AS BIGINT), key, CAST(NULL AS TIMESTAMPTZ)
			FROM validations WHERE key `+s.inList(2, "text")+`
		UNION ALL SELECT 1, account_id, NULL, token, NULL FROM baskets WHERE account_id `+s.inList(1, "bigint")+`
		UNION ALL SELECT 2, account_id, course_id, NULL, added_at FROM basket_items WHERE account_id `+s.inList(1, "bigint")+`
		UNION ALL SELECT 3, account_id, COALESCE(accepted_course_id, course_id), NULL, NULL FROM candidatures
			WHERE account_id `+s.inList(1, "bigint")+` AND status IN `+activeStatusesSQL+ofOpenYears+`
		UNION ALL SELECT 4, account_id, formation_id, NULL, NULL FROM certificates WHERE account_id `+s.inList(1, "bigint")+`
		UNION ALL SELECT 5, c.account_id, c.formation_id, NULL, NULL FROM evaluation_results r JOIN candidatures c ON c.id = r.candidature_id
			WHERE c.account_id `+s.inList(1, "bigint")+` AND r.result IN ('failed', 'absent')
		ORDER BY 1, 2, 5, 3`, s.listArg(people), s.listArg(keys))
	if err != nil {
		return nil, nil, fmt.Errorf("read %d baskets: %w", len(people), err)
	}
	defer rows.Close()
	usedBy := map[string]int64{}
	for rows.Next() {
		var kind int
		var account int64
		var course sql.NullInt64
		var text sql.NullString
		var added any
		if err := rows.Scan(&kind, &account, &course, &text, &added); err != nil {
			return nil, nil, fmt.Errorf("read %d baskets: %w", len(people), err)
		}
		if kind == 0 {
			usedBy[text.String] = account
			continue
		}
		r := reads[account]
		if r == nil {
			continue // an account that is gone: the caller reports it
		}
		switch kind {
		case 1:
			r.Token = text.String
		case 2:
			r.Basket = append(r.Basket, course.Int64)
		case 3:
			r.Active = append(r.Active, course.Int64)
		case 4: // a certificate, in the formation given as the course column
			if r.Record.Certified == nil {
				r.Record.Certified = map[int64]bool{}
			}
			r.Record.Certified[course.Int64] = true
		case 5: // a failed evaluation, likewise
			if r.Record.Failures == nil {
				r.Record.Failures = map[int64]int{}
			}
			r.Record.Failures[course.Int64]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read %d baskets: %w", len(people), err)
	}
	return reads, usedBy, nil
}

// NewValidation is one validated basket for WriteValidations.
type NewValidation struct {
	Key          string // the basket token validated: the idempotency key
	AccountID    int64
	Actor        int64 // who validated: the person, or staff on their behalf (CAN-8)
	At           time.Time
	Candidatures []*domain.Candidature // inserted with their first event; IDs set
	Message      *domain.Message       // the confirmation kept for the person (CON-2); ID set
}

// WriteValidations records the validations: their keys, candidatures and first
// events, the emptied baskets with new tokens, and the messages, setting the new
// rows' IDs. On PostgreSQL in one statement whatever the number of validations:
// its round trips are what a batch waits for. A failure leaves the transaction to
// be rolled back.
func (s *Store) WriteValidations(ctx context.Context, tx *sql.Tx, vs []*NewValidation) error {
	var err error
	if s.db.Dialect == db.Postgres {
		err = s.writeValidationsPostgres(ctx, tx, vs)
	} else {
		err = s.writeValidationsSQLite(ctx, tx, vs)
	}
	if err != nil {
		return err
	}
	for _, v := range vs {
		for _, c := range v.Candidatures {
			if c.ID == 0 {
				return fmt.Errorf("insert candidatures: no id returned for course %d of %d", c.CourseID, c.AccountID)
			}
		}
		if v.Message.ID == 0 {
			return fmt.Errorf("keep messages: no id returned for %s", v.Message.MessageID)
		}
	}
	return nil
}

// newValidationBatch lays the validations out as rows for fromJSON.
func newValidationBatch(vs []*NewValidation) (*validationBatch, error) {
	b := &validationBatch{byCourse: map[[2]int64]*domain.Candidature{}, byMessageID: map[string]*domain.Message{}}
	for _, v := range vs {
		token, err := newToken()
		if err != nil {
			return nil, err
		}
		b.validations = append(b.validations, validationRow{Key: v.Key, AccountID: v.AccountID, At: jsonInstant(v.At), Token: token})
		b.people = append(b.people, v.AccountID)
		for _, c := range v.Candidatures {
			b.candidatures = append(b.candidatures, candidatureRow{AccountID: c.AccountID, CourseID: c.CourseID,
				FormationID: c.FormationID, SessionID: c.SessionID, Status: string(c.Status), Objective: string(c.Objective),
				Motivation: c.Motivation, RSA: c.Social.RSA, JobSeeker: c.Social.JobSeeker, Subsidised: c.Social.Subsidised,
				RulesVersion: c.RulesVersion, HalfTariffClaim: c.HalfTariffClaim, ProofID: nullID(c.ProofID),
				AssistedBy: nullID(c.AssistedBy), ValidationKey: v.Key, CreatedAt: jsonInstant(c.CreatedAt),
				AcceptsRedirect: c.AcceptsRedirect, Actor: nullID(v.Actor), Note: validatedNote(c)})
			b.byCourse[[2]int64{c.AccountID, c.CourseID}] = c
		}
		m := v.Message
		b.messages.accountIDs = append(b.messages.accountIDs, m.AccountID)
		b.messages.kinds = append(b.messages.kinds, m.Kind)
		b.messages.subjects = append(b.messages.subjects, m.Subject)
		b.messages.texts = append(b.messages.texts, m.Text)
		b.messages.htmls = append(b.messages.htmls, m.HTML)
		b.messages.messageIDs = append(b.messages.messageIDs, m.MessageID)
		b.messages.createdAt = append(b.messages.createdAt, m.CreatedAt.UTC())
		b.byMessageID[m.MessageID] = m
	}
	return b, nil
}

// validationBatch is WriteValidations' rows, as JSON for fromJSON, and where the
// new IDs go. The messages, a few kilobytes each, are the bulk of a batch: they
// go as one array per column instead, which PostgreSQL reads without parsing
// (JSON parsing was a tenth of its time).
type validationBatch struct {
	validations  []validationRow
	candidatures []candidatureRow
	messages     messageArrays
	people       []int64
	byCourse     map[[2]int64]*domain.Candidature // by account and course
	byMessageID  map[string]*domain.Message
}

type validationRow struct {
	Key       string `json:"key"`
	AccountID int64  `json:"account_id"`
	At        string `json:"at"`
	Token     string `json:"token"` // the emptied basket's new token
}

type candidatureRow struct {
	AccountID       int64  `json:"account_id"`
	CourseID        int64  `json:"course_id"`
	FormationID     int64  `json:"formation_id"`
	SessionID       int64  `json:"session_id"`
	Status          string `json:"status"`
	Objective       string `json:"objective"`
	Motivation      string `json:"motivation"`
	RSA             bool   `json:"rsa"`
	JobSeeker       bool   `json:"job_seeker"`
	Subsidised      bool   `json:"subsidised"`
	RulesVersion    string `json:"rules_version"`
	HalfTariffClaim bool   `json:"half_tariff_claim"`
	ProofID         any    `json:"proof_id"`
	AssistedBy      any    `json:"assisted_by"`
	ValidationKey   string `json:"validation_key"`
	CreatedAt       string `json:"created_at"`
	AcceptsRedirect bool   `json:"accepts_redirect"`
	Actor           any    `json:"actor"` // of the first event
	Note            string `json:"note"`  // of the first event
}

type messageArrays struct {
	accountIDs                                []int64
	kinds, subjects, texts, htmls, messageIDs []string
	createdAt                                 []time.Time
}

const (
	validationJSON  = "key text, account_id bigint, at timestamptz, token text"
	candidatureJSON = `account_id bigint, course_id bigint, formation_id bigint, session_id bigint, status text,
		objective text, motivation text, rsa boolean, job_seeker boolean, subsidised boolean, rules_version text,
		half_tariff_claim boolean, proof_id bigint, assisted_by bigint, validation_key text, created_at timestamptz,
		accepts_redirect boolean`

	insertValidations  = `INSERT INTO validations (key, account_id, created_at) SELECT key, account_id, at FROM `
	insertCandidatures = `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status,
		objective, motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, proof_id, assisted_by,
		validation_key, created_at, accepts_redirect)
		SELECT account_id, course_id, formation_id, session_id, status, objective, motivation, rsa, job_seeker, subsidised,
			rules_version, half_tariff_claim, proof_id, assisted_by, validation_key, created_at, accepts_redirect FROM `
	// "WHERE true": SQLite needs it to tell the upsert's ON CONFLICT from a join's ON.
	renewBasketTokens = ` WHERE true ON CONFLICT (account_id) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`
	insertMessages    = `INSERT INTO messages (account_id, kind, subject, body_text, body_html, message_id, created_at)
		SELECT account_id, kind, subject, body_text, body_html, message_id, created_at FROM `
)

// writeValidationsPostgres writes the batch in one statement: INSERTs and a DELETE
// in WITH clauses, the new IDs returned by the last SELECT. The foreign keys
// between them (a candidature's validation key, an event's candidature) are
// checked at the end of the statement, when all its rows are there.
func (s *Store) writeValidationsPostgres(ctx context.Context, tx *sql.Tx, vs []*NewValidation) error {
	b, err := newValidationBatch(vs)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `WITH
		v AS (`+insertValidations+fromJSON(1, validationJSON)+`),
		emptied AS (DELETE FROM basket_items WHERE account_id `+s.inList(3, "bigint")+`),
		renewed AS (INSERT INTO baskets (account_id, token, updated_at) SELECT account_id, token, at
			FROM `+fromJSON(1, validationJSON)+renewBasketTokens+`),
		c AS (`+insertCandidatures+fromJSON(2, candidatureJSON)+` RETURNING id, account_id, course_id, status, created_at),
		e AS (INSERT INTO candidature_events (candidature_id, at, status, actor_account_id, note)
			SELECT c.id, c.created_at, c.status, r.actor, r.note
			FROM c JOIN json_to_recordset($2::json) AS r(account_id bigint, course_id bigint, actor bigint, note text)
			USING (account_id, course_id)),
		m AS (`+insertMessages+`unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
			AS r(account_id, kind, subject, body_text, body_html, message_id, created_at) RETURNING id, message_id)
		SELECT id, account_id, course_id, NULL FROM c UNION ALL SELECT id, NULL, NULL, message_id FROM m`,
		jsonArg(b.validations), jsonArg(b.candidatures), s.listArg(b.people), b.messages.accountIDs, b.messages.kinds,
		b.messages.subjects, b.messages.texts, b.messages.htmls, b.messages.messageIDs, b.messages.createdAt)
	if err != nil {
		return fmt.Errorf("write %d validations: %w", len(b.validations), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var account, course sql.NullInt64
		var messageID sql.NullString
		if err := rows.Scan(&id, &account, &course, &messageID); err != nil {
			return fmt.Errorf("write %d validations: %w", len(b.validations), err)
		}
		if c := b.byCourse[[2]int64{account.Int64, course.Int64}]; c != nil && account.Valid {
			c.ID = id
		}
		if m := b.byMessageID[messageID.String]; m != nil && messageID.Valid {
			m.ID = id
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("write %d validations: %w", len(b.validations), err)
	}
	return nil
}

// writeValidationsSQLite writes the batch row by row: SQLite runs in the
// process, so there is no round trip to save, and its compiled statements are
// kept (db.stmtcache), which makes a row's insert cheaper than reading it back
// out of JSON.
func (s *Store) writeValidationsSQLite(ctx context.Context, tx *sql.Tx, vs []*NewValidation) error {
	for _, v := range vs {
		if err := s.InsertValidation(ctx, tx, v.Key, v.AccountID, v.At); err != nil {
			return err
		}
		for _, c := range v.Candidatures {
			if err := s.InsertCandidature(ctx, tx, c, v.Key, v.Actor); err != nil {
				return err
			}
		}
		if err := s.ClearBasket(ctx, tx, v.AccountID); err != nil {
			return err
		}
		if _, err := s.RotateBasketToken(ctx, tx, v.AccountID, v.At); err != nil {
			return err
		}
		if err := s.InsertMessage(ctx, tx, v.Message); err != nil {
			return err
		}
	}
	return nil
}

// validatedNote is the first event's note of a new candidature.
func validatedNote(c *domain.Candidature) string {
	if c.AssistedBy != 0 {
		return "candidature validée par un agent (inscription assistée)"
	}
	return "candidature validée"
}

// fromJSON is a FROM item reading parameter $n, a JSON array of objects, as rows of
// the given columns ("name type, …"): one statement of fixed text then writes a
// whole batch on PostgreSQL.
func fromJSON(n int, columns string) string {
	return fmt.Sprintf("json_to_recordset($%d::json) AS r(%s)", n, columns)
}

// inList is "= ANY($n)" on PostgreSQL (an array of pgType), "IN (…)" of a JSON
// array on SQLite; the argument is listArg's.
func (s *Store) inList(n int, pgType string) string {
	if s.db.Dialect == db.Postgres {
		return fmt.Sprintf("= ANY($%d::%s[])", n, pgType)
	}
	return fmt.Sprintf("IN (SELECT value FROM json_each($%d))", n)
}

// listArg passes a slice for inList: as is to PostgreSQL, as JSON to SQLite.
func (s *Store) listArg(list any) any {
	if s.db.Dialect == db.Postgres {
		return list
	}
	return jsonArg(list)
}

// jsonArg encodes rows for fromJSON. The rows are plain values, so encoding
// cannot fail.
func jsonArg(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode batch rows: %v", err))
	}
	return string(b)
}

// jsonInstant is instantArg as JSON text for PostgreSQL: RFC 3339 to the
// microsecond it keeps.
func jsonInstant(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}
