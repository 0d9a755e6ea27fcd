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

// The batched reads and writes of a fill (waitlist's fillTx): the persons
// next in line are locked, their holdings read and their offers written a
// batch at a time rather than one round trip each (issue 15's speed target:
// 10,000 seats freed at once).

// LockPersons is LockPerson for several people, in one statement and in the
// order of their IDs (so that two fills never wait for each other).
func (s *Store) LockPersons(ctx context.Context, tx *sql.Tx, accountIDs []int64) error {
	if s.db.Dialect != db.Postgres || len(accountIDs) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, accountIDs)
	if err != nil {
		return fmt.Errorf("lock %d persons: %w", len(accountIDs), err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock %d persons: %w", len(accountIDs), err)
	}
	if want := len(uniqueIDs(accountIDs)); n != want {
		return fmt.Errorf("lock persons: %d of %d found: %w", n, want, ErrNotFound)
	}
	return nil
}

func uniqueIDs(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// Holding is one course a person holds (CAN-1..3 at offer time) and the candidature
// that holds it, the candidature of the offer for a pending offer.
type Holding struct {
	AccountID, CourseID, CandidatureID int64
	Offer                              bool // a pending offer, not a candidature's course
}

// HoldingsOf reads, in tx, the courses the people hold, in one statement:
// what one of their candidatures may be compared with is theirs minus that
// candidature's own (the caller filters).
func (s *Store) HoldingsOf(ctx context.Context, tx *sql.Tx, accountIDs []int64) ([]Holding, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	arg := s.listArg(accountIDs)
	rows, err := tx.QueryContext(ctx, `SELECT account_id, COALESCE(accepted_course_id, course_id), id, `+s.falseLit()+` FROM candidatures
		WHERE account_id `+s.inList(1, "bigint")+` AND status IN `+activeStatusesSQL+ofOpenYears+`
		UNION ALL SELECT account_id, course_id, candidature_id, `+s.trueLit()+` FROM waiting_offers
		WHERE account_id `+s.inList(1, "bigint")+` AND state = 'pending'`,
		arg)
	if err != nil {
		return nil, fmt.Errorf("holdings of %d persons: %w", len(accountIDs), err)
	}
	defer rows.Close()
	var out []Holding
	for rows.Next() {
		var h Holding
		if err := rows.Scan(&h.AccountID, &h.CourseID, &h.CandidatureID, &h.Offer); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// FirstNames reads, in tx, the people's first names (the emails' greeting).
func (s *Store) FirstNames(ctx context.Context, tx *sql.Tx, accountIDs []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(accountIDs))
	if len(accountIDs) == 0 {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, first_name FROM accounts WHERE id `+s.inList(1, "bigint"), s.listArg(accountIDs))
	if err != nil {
		return nil, fmt.Errorf("first names of %d persons: %w", len(accountIDs), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range accountIDs {
		if _, ok := out[id]; !ok {
			return nil, fmt.Errorf("account %d: %w", id, ErrNotFound)
		}
	}
	return out, nil
}

// InsertOffers is InsertOffer for several offers in one statement, in their
// order (their IDs ascend with it); IDs and states are set.
func (s *Store) InsertOffers(ctx context.Context, tx *sql.Tx, offers []*domain.Offer) error {
	for len(offers) > 0 {
		chunk := offers[:min(len(offers), 500)]
		offers = offers[len(chunk):]
		var b strings.Builder
		b.WriteString(`INSERT INTO waiting_offers (course_id, candidature_id, account_id, redirect, position, freed_by, sent_at, deadline, state) VALUES `)
		args := make([]any, 0, 8*len(chunk))
		for i, o := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			n := 8 * i
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, 'pending')", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8)
			args = append(args, o.CourseID, o.CandidatureID, o.AccountID, o.Redirect, o.Position, o.FreedBy, s.instantArg(o.SentAt),
				dayArg(o.Deadline.Day()))
		}
		b.WriteString(` RETURNING id, candidature_id`)
		rows, err := tx.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("offer %d seats: %w", len(chunk), err)
		}
		byCand := make(map[int64]*domain.Offer, len(chunk))
		for _, o := range chunk {
			byCand[o.CandidatureID] = o
		}
		got := 0
		for rows.Next() {
			var id, cand int64
			if err := rows.Scan(&id, &cand); err != nil {
				rows.Close()
				return err
			}
			if o, ok := byCand[cand]; ok {
				o.ID, o.State = id, domain.OfferPending
				got++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("offer %d seats: %w", len(chunk), err)
		}
		if got != len(chunk) {
			return fmt.Errorf("offer %d seats: %d rows returned", len(chunk), got)
		}
	}
	return nil
}

// The batched reads of the accepts (waitlist's acceptTogether): the offers
// accepted together, their candidatures and their courses' locks, one
// statement each for the whole batch.

// LockOfferCourses locks, in one statement and in the order of their IDs
// (ORDER BY is applied before FOR UPDATE, so two callers never wait for each
// other), the courses of the offers of those IDs that belong to the person
// given at the same index, and the course each one's candidature is accepted
// in, if any; it returns the courses locked. SQLite's write transaction is
// already exclusive: nothing to lock, nil.
func (s *Store) LockOfferCourses(ctx context.Context, tx *sql.Tx, offerIDs, accountIDs []int64) ([]int64, error) {
	if s.db.Dialect != db.Postgres || len(offerIDs) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `WITH o AS (SELECT o.course_id, o.candidature_id FROM waiting_offers o
			JOIN unnest($1::bigint[], $2::bigint[]) AS r(id, account_id) ON r.id = o.id AND r.account_id = o.account_id)
		SELECT id FROM courses WHERE id IN (SELECT course_id FROM o
			UNION SELECT c.accepted_course_id FROM o JOIN candidatures c ON c.id = o.candidature_id)
		ORDER BY id FOR UPDATE`, offerIDs, accountIDs)
	if err != nil {
		return nil, fmt.Errorf("lock the courses of %d offers: %w", len(offerIDs), err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, fmt.Errorf("lock the courses of %d offers: %w", len(offerIDs), err)
	}
	return ids, nil
}

// OffersByID reads, in tx, the offers of those IDs that exist, by ID.
func (s *Store) OffersByID(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]domain.Offer, error) {
	out := make(map[int64]domain.Offer, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := s.offers(ctx, tx, `id `+s.inList(1, "bigint"), s.listArg(ids))
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

// CandidaturesByID reads, in tx, the candidatures of those IDs that exist, by ID.
func (s *Store) CandidaturesByID(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]domain.Candidature, error) {
	out := make(map[int64]domain.Candidature, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+candidatureColumns+` FROM candidatures WHERE id `+s.inList(1, "bigint"), s.listArg(ids))
	if err != nil {
		return nil, fmt.Errorf("read %d candidatures: %w", len(ids), err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCandidature(rows)
		if err != nil {
			return nil, err
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}

// OfferAccept is one accept of a batch (AcceptOffers): the offer, its
// candidature, the course it is accepted in, who acted and the history note.
type OfferAccept struct {
	OfferID, CandidatureID, CourseID, Actor int64
	Note                                    string
}

// AcceptOffers writes a batch of accepts, the caller holding their courses'
// and persons' locks: each pending offer answered accepted, its candidature
// moved from one of the statuses from to accepted in the offer's course with
// its history line, and taken off every list. It returns how many
// candidatures it moved: fewer than the accepts means one was not in a status
// of from, and the caller must roll the batch back (its offer was answered).
// PostgreSQL does it in one statement; SQLite, in the process, row by row.
func (s *Store) AcceptOffers(ctx context.Context, tx *sql.Tx, accepts []OfferAccept, from []domain.CandidatureStatus, at time.Time) (int, error) {
	if len(accepts) == 0 {
		return 0, nil
	}
	st := make([]string, len(from))
	for i, x := range from {
		st[i] = string(x)
	}
	if s.db.Dialect != db.Postgres {
		moved := 0
		for _, a := range accepts {
			if _, err := s.AnswerOffer(ctx, tx, a.OfferID, domain.OfferAccepted, at); err != nil {
				return moved, err
			}
			changed, err := s.SetCandidatureStatus(ctx, tx, a.CandidatureID, from, domain.CandidatureAccepted, a.CourseID, at, a.Actor, a.Note)
			if err != nil {
				return moved, err
			}
			if !changed {
				continue
			}
			moved++
			if err := s.LeaveWaitingLists(ctx, tx, a.CandidatureID); err != nil {
				return moved, err
			}
		}
		return moved, nil
	}
	// Arrays rather than JSON: unnest's row estimate follows the batch, and
	// the offers are found by their primary key; with json_to_recordset's
	// 100 rows the planner hashed every pending offer of the morning's sweep
	// (stale statistics: 8 ms for one accept).
	offers, cands, courses, actors := make([]int64, len(accepts)), make([]int64, len(accepts)), make([]int64, len(accepts)),
		make([]int64, len(accepts))
	notes := make([]string, len(accepts))
	for i, a := range accepts {
		offers[i], cands[i], courses[i], actors[i], notes[i] = a.OfferID, a.CandidatureID, a.CourseID, a.Actor, a.Note
	}
	var moved int
	// The offers are pending: the caller read them so under their courses'
	// locks, which every answer takes.
	err := tx.QueryRowContext(ctx, `WITH
		o AS (UPDATE waiting_offers SET state = 'accepted', answered_at = $6 WHERE id = ANY($1::bigint[])),
		r AS (SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS r(candidature_id, course_id, actor, note)),
		c AS (UPDATE candidatures c SET status = 'accepted', accepted_course_id = r.course_id FROM r
			WHERE c.id = r.candidature_id AND c.status = ANY($7::text[]) RETURNING c.id),
		e AS (INSERT INTO candidature_events (candidature_id, at, status, actor_account_id, note)
			SELECT c.id, $6, 'accepted', NULLIF(r.actor, 0), r.note FROM c JOIN r ON r.candidature_id = c.id),
		l AS (DELETE FROM waiting_list w WHERE w.candidature_id IN (SELECT id FROM c))
		SELECT COUNT(*) FROM c`, offers, cands, courses, actors, notes, s.instantArg(at), st).Scan(&moved)
	if err != nil {
		return 0, fmt.Errorf("accept %d offers: %w", len(accepts), err)
	}
	return moved, nil
}
