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

// The live waiting lists after a published selection (SEL-4, SEL-5): the
// seats of a course, who waits for it in order, the offers of freed seats
// and their answers. Every change is made under the course's lock (LockCourse):
// "accepted in the course + offers pending ≤ capacity" is checked and kept in
// the same transaction, never from a count read outside it.

// LockCourse serialises every change of a course's seats: on PostgreSQL the
// course's row is locked until the transaction ends; SQLite has one writer,
// so its write transaction is already exclusive.
func (s *Store) LockCourse(ctx context.Context, tx *sql.Tx, courseID int64) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM courses WHERE id = $1 FOR UPDATE`, courseID).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("lock course %d: %w", courseID, ErrNotFound)
		}
		return fmt.Errorf("lock course %d: %w", courseID, err)
	}
	return nil
}

// CourseSeats counts, in tx, a course's capacity, the candidatures accepted
// in it (chosen or redirected) and the offers pending for it.
func (s *Store) CourseSeats(ctx context.Context, tx *sql.Tx, courseID int64) (capacity, accepted, pending int, err error) {
	err = s.querier(tx).QueryRowContext(ctx, `SELECT c.capacity,
		(SELECT COUNT(*) FROM candidatures a WHERE a.accepted_course_id = c.id AND a.status = 'accepted'),
		(SELECT COUNT(*) FROM waiting_offers o WHERE o.course_id = c.id AND o.state = 'pending')
		FROM courses c WHERE c.id = $1`, courseID).Scan(&capacity, &accepted, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	return capacity, accepted, pending, err
}

// inLine is who is still in line on a waiting list's row w joined to its
// candidature c: a candidature waiting, or one accepted in another course
// that the candidate preferred less (a redirect, SEL-5: the engine keeps it
// on the lists of the courses it preferred).
const inLine = `(c.status = 'waiting' OR (c.status = 'accepted' AND c.accepted_course_id <> w.course_id))`

// WaitingEntry is one place on a course's live waiting list.
type WaitingEntry struct {
	CandidatureID, AccountID int64
	ChosenCourseID           int64 // the course the candidature chose: another one is a redirect (SEL-5)
	// AcceptedCourseID is the course the candidature is accepted in while it
	// waits for this one it preferred; 0 when it only waits.
	AcceptedCourseID int64
	Position         int
	// Pending: the candidature holds a pending offer, in this course or
	// another; it is offered nothing else until that one is answered.
	Pending bool
}

// WaitingLine reads, in tx, the candidatures still in line on a course's
// list, in the list's order.
func (s *Store) WaitingLine(ctx context.Context, tx *sql.Tx, courseID int64) ([]WaitingEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.account_id, c.course_id, CASE WHEN c.status = 'accepted'
		THEN c.accepted_course_id ELSE 0 END, w.position,
		EXISTS (SELECT 1 FROM waiting_offers o WHERE o.candidature_id = c.id AND o.state = 'pending')
		FROM waiting_list w JOIN candidatures c ON c.id = w.candidature_id
		WHERE w.course_id = $1 AND `+inLine+` ORDER BY w.position, c.id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("waiting line of course %d: %w", courseID, err)
	}
	defer rows.Close()
	var out []WaitingEntry
	for rows.Next() {
		var e WaitingEntry
		if err := rows.Scan(&e.CandidatureID, &e.AccountID, &e.ChosenCourseID, &e.AcceptedCourseID, &e.Position, &e.Pending); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// querier is tx, or the read pool when tx is nil (a page's read).
func (s *Store) querier(tx *sql.Tx) querier {
	if tx == nil {
		return s.db.R
	}
	return tx
}

// SessionOfferDays reads (in tx when given) how many days the session's offers stay open.
func (s *Store) SessionOfferDays(ctx context.Context, tx *sql.Tx, sessionID int64) (int, error) {
	var days int
	if err := s.querier(tx).QueryRowContext(ctx, `SELECT offer_days FROM sessions WHERE id = $1`, sessionID).Scan(&days); errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("session %d: %w", sessionID, ErrNotFound)
	} else if err != nil {
		return 0, fmt.Errorf("offer days of session %d: %w", sessionID, err)
	}
	return days, nil
}

// SetSessionOfferDays changes how many days the session's offers stay open
// (the offers already sent keep their deadline).
func (s *Store) SetSessionOfferDays(ctx context.Context, tx *sql.Tx, sessionID int64, days int) error {
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET offer_days = $1 WHERE id = $2`, days, sessionID); err != nil {
		return fmt.Errorf("offer days of session %d: %w", sessionID, err)
	}
	return nil
}

const offerColumns = `id, course_id, candidature_id, account_id, redirect, position, freed_by, sent_at, deadline, state,
	answered_at, reminded_at`

func scanOffer(row rowScanner) (domain.Offer, error) {
	var o domain.Offer
	var deadline time.Time
	err := row.Scan(&o.ID, &o.CourseID, &o.CandidatureID, &o.AccountID, &o.Redirect, &o.Position, &o.FreedBy,
		timeCol{&o.SentAt}, timeCol{&deadline}, &o.State, nullTime{&o.AnsweredAt}, nullTime{&o.RemindedAt})
	o.Deadline = domain.DeadlineOf(deadline)
	return o, err
}

func (s *Store) offers(ctx context.Context, q querier, where string, args ...any) ([]domain.Offer, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+offerColumns+` FROM waiting_offers WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("offers: %w", err)
	}
	defer rows.Close()
	var out []domain.Offer
	for rows.Next() {
		o, err := scanOffer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// InsertOffer records an offer sent (pending) and sets its ID. The unique
// index refuses a second pending offer for the same candidature.
func (s *Store) InsertOffer(ctx context.Context, tx *sql.Tx, o *domain.Offer) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO waiting_offers (course_id, candidature_id, account_id, redirect, position,
		freed_by, sent_at, deadline, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') RETURNING id`,
		o.CourseID, o.CandidatureID, o.AccountID, o.Redirect, o.Position, o.FreedBy, s.instantArg(o.SentAt),
		dayArg(o.Deadline.Day())).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("offer course %d to candidature %d: %w", o.CourseID, o.CandidatureID, err)
	}
	o.State = domain.OfferPending
	return nil
}

// Offer reads one offer (in tx when given).
func (s *Store) Offer(ctx context.Context, tx *sql.Tx, id int64) (domain.Offer, error) {
	var q querier = s.db.R
	if tx != nil {
		q = tx
	}
	o, err := scanOffer(q.QueryRowContext(ctx, `SELECT `+offerColumns+` FROM waiting_offers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("offer %d: %w", id, ErrNotFound)
	}
	return o, err
}

// AnswerOffer moves a pending offer to its answer; it reports whether this
// call did (an offer already answered is left as it is).
func (s *Store) AnswerOffer(ctx context.Context, tx *sql.Tx, id int64, to domain.OfferState, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE waiting_offers SET state = $1, answered_at = $2 WHERE id = $3 AND state = 'pending'`,
		string(to), s.instantArg(at), id)
	if err != nil {
		return false, fmt.Errorf("answer offer %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkOfferReminded records the reminder of a pending offer; it reports
// whether this call did (a reminder goes out once).
func (s *Store) MarkOfferReminded(ctx context.Context, tx *sql.Tx, id int64, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE waiting_offers SET reminded_at = $1 WHERE id = $2 AND state = 'pending'
		AND reminded_at IS NULL`, s.instantArg(at), id)
	if err != nil {
		return false, fmt.Errorf("remind offer %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AccountOffers lists a person's offers, newest first.
func (s *Store) AccountOffers(ctx context.Context, accountID int64) ([]domain.Offer, error) {
	return s.offers(ctx, s.db.R, `account_id = $1 ORDER BY id DESC`, accountID)
}

// CourseOffers lists every offer of a course's seats, in the order sent.
func (s *Store) CourseOffers(ctx context.Context, courseID int64) ([]domain.Offer, error) {
	return s.offers(ctx, s.db.R, `course_id = $1 ORDER BY id`, courseID)
}

// PendingOffersUntil lists the pending offers whose deadline is on or
// before day (a civil date): the expired ones when day is yesterday, those
// to remind when it is today.
func (s *Store) PendingOffersUntil(ctx context.Context, day time.Time) ([]domain.Offer, error) {
	return s.offers(ctx, s.db.R, `state = 'pending' AND deadline <= $1 ORDER BY id`, dayArg(day))
}

// CoursesWaitedFor lists the courses that have candidatures waiting for them
// (as their chosen course, or on their list) or offers pending: the ones
// whose lists may have to close (SEL-4).
func (s *Store) CoursesWaitedFor(ctx context.Context) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT course_id FROM candidatures WHERE status = 'waiting'
		UNION SELECT w.course_id FROM waiting_list w JOIN candidatures c ON c.id = w.candidature_id WHERE `+inLine+`
		UNION SELECT course_id FROM waiting_offers WHERE state = 'pending' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("courses waited for: %w", err)
	}
	return scanIDs(rows)
}

// SetCandidatureStatus moves a candidature from one of the statuses from to
// to, with the course it is accepted in when to is accepted (else kept),
// and writes its history line; it reports whether this call changed it.
func (s *Store) SetCandidatureStatus(ctx context.Context, tx *sql.Tx, id int64, from []domain.CandidatureStatus,
	to domain.CandidatureStatus, acceptedCourseID int64, at time.Time, actor int64, note string) (bool, error) {
	st := make([]string, len(from))
	for i, x := range from {
		st[i] = string(x)
	}
	q := `UPDATE candidatures SET status = $1 WHERE id = $2 AND status ` + s.inList(3, "text")
	args := []any{string(to), id, s.listArg(st)}
	if acceptedCourseID != 0 {
		q = `UPDATE candidatures SET status = $1, accepted_course_id = $4 WHERE id = $2 AND status ` + s.inList(3, "text")
		args = append(args, acceptedCourseID)
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("candidature %d to %s: %w", id, to, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	return true, s.InsertCandidatureEvent(ctx, tx, id, at, to, actor, note)
}

// LeaveWaitingList takes a candidature off one course's list.
func (s *Store) LeaveWaitingList(ctx context.Context, tx *sql.Tx, courseID, candidatureID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM waiting_list WHERE course_id = $1 AND candidature_id = $2`,
		courseID, candidatureID); err != nil {
		return fmt.Errorf("take candidature %d off the list of course %d: %w", candidatureID, courseID, err)
	}
	return nil
}

// LeaveWaitingLists takes a candidature off every list: its wait is over.
func (s *Store) LeaveWaitingLists(ctx context.Context, tx *sql.Tx, candidatureID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM waiting_list WHERE candidature_id = $1`, candidatureID); err != nil {
		return fmt.Errorf("take candidature %d off the lists: %w", candidatureID, err)
	}
	return nil
}

// WaitingCourses reads, in tx, the courses whose lists a candidature is on.
func (s *Store) WaitingCourses(ctx context.Context, tx *sql.Tx, candidatureID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT course_id FROM waiting_list WHERE candidature_id = $1 ORDER BY position, course_id`,
		candidatureID)
	if err != nil {
		return nil, fmt.Errorf("lists of candidature %d: %w", candidatureID, err)
	}
	return scanIDs(rows)
}

// PendingOfferOf reads, in tx, the candidature's pending offer; false when
// it has none.
func (s *Store) PendingOfferOf(ctx context.Context, tx *sql.Tx, candidatureID int64) (domain.Offer, bool, error) {
	list, err := s.offers(ctx, tx, `candidature_id = $1 AND state = 'pending'`, candidatureID)
	if err != nil || len(list) == 0 {
		return domain.Offer{}, false, err
	}
	return list[0], true, nil
}

// LapseCourse closes a course's lists (SEL-4), in tx: its pending offers
// lapse, and every candidature still waiting that chose it becomes "en
// manque de place", with its history line and no email. It returns the
// candidatures changed and the offers lapsed.
func (s *Store) LapseCourse(ctx context.Context, tx *sql.Tx, courseID int64, at time.Time, note string) (changed []int64, lapsed int, err error) {
	res, err := tx.ExecContext(ctx, `UPDATE waiting_offers SET state = 'lapsed', answered_at = $1
		WHERE course_id = $2 AND state = 'pending'`, s.instantArg(at), courseID)
	if err != nil {
		return nil, 0, fmt.Errorf("lapse the offers of course %d: %w", courseID, err)
	}
	n, _ := res.RowsAffected()
	rows, err := tx.QueryContext(ctx, `UPDATE candidatures SET status = 'no_place' WHERE course_id = $1 AND status = 'waiting'
		RETURNING id`, courseID)
	if err != nil {
		return nil, 0, fmt.Errorf("close the lists of course %d: %w", courseID, err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, err
		}
		changed = append(changed, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for _, id := range changed {
		// Its offer pending elsewhere, if any, ends with it: the seat goes back.
		if _, err := tx.ExecContext(ctx, `UPDATE waiting_offers SET state = 'lapsed', answered_at = $1
			WHERE candidature_id = $2 AND state = 'pending'`, s.instantArg(at), id); err != nil {
			return nil, 0, fmt.Errorf("lapse the offer of candidature %d: %w", id, err)
		}
		if err := s.InsertCandidatureEvent(ctx, tx, id, at, domain.CandidatureNoPlace, 0, note); err != nil {
			return nil, 0, err
		}
	}
	return changed, int(n), nil
}

// WaitingRank is a candidature's place on one course's live list.
type WaitingRank struct {
	CandidatureID, CourseID int64
	// Rank is 1 + the candidatures still waiting ahead of it: it only
	// moves up, or stays, as those ahead leave the list.
	Rank int
	// Offered counts the seats of the course offered from its list so far.
	Offered int
}

// WaitingRanks reads the live places of a person's candidatures still in line.
func (s *Store) WaitingRanks(ctx context.Context, accountID int64) ([]WaitingRank, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT w.candidature_id, w.course_id,
		1 + (SELECT COUNT(*) FROM waiting_list a JOIN candidatures ac ON ac.id = a.candidature_id
			WHERE a.course_id = w.course_id
			AND (ac.status = 'waiting' OR (ac.status = 'accepted' AND ac.accepted_course_id <> a.course_id))
			AND (a.position < w.position OR (a.position = w.position AND a.candidature_id < w.candidature_id))),
		(SELECT COUNT(*) FROM waiting_offers o WHERE o.course_id = w.course_id)
		FROM waiting_list w JOIN candidatures c ON c.id = w.candidature_id
		WHERE c.account_id = $1 AND `+inLine+` ORDER BY w.candidature_id, w.position, w.course_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("waiting ranks of %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []WaitingRank
	for rows.Next() {
		var r WaitingRank
		if err := rows.Scan(&r.CandidatureID, &r.CourseID, &r.Rank, &r.Offered); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CoursesWithFreeSeats lists the courses that have a seat free (accepted +
// offers pending < capacity) while someone is in line on their list: a
// capacity raised, or a seat left free by a pass of the selection.
func (s *Store) CoursesWithFreeSeats(ctx context.Context) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT co.id FROM courses co
		WHERE co.id IN (SELECT w.course_id FROM waiting_list w JOIN candidatures c ON c.id = w.candidature_id WHERE `+inLine+`)
		AND co.capacity > (SELECT COUNT(*) FROM candidatures a WHERE a.accepted_course_id = co.id AND a.status = 'accepted')
			+ (SELECT COUNT(*) FROM waiting_offers o WHERE o.course_id = co.id AND o.state = 'pending')
		ORDER BY co.id`)
	if err != nil {
		return nil, fmt.Errorf("courses with free seats: %w", err)
	}
	return scanIDs(rows)
}

// OfferLine is an offer of a course's seat with whom it went to, for staff.
type OfferLine struct {
	domain.Offer
	FirstName, LastName, Email string
}

// CourseOfferLines lists every offer of a course's seats, in the order sent,
// with the person each went to.
func (s *Store) CourseOfferLines(ctx context.Context, courseID int64) ([]OfferLine, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT o.id, o.course_id, o.candidature_id, o.account_id, o.redirect, o.position,
		o.freed_by, o.sent_at, o.deadline, o.state, o.answered_at, o.reminded_at, a.first_name, a.last_name, a.email
		FROM waiting_offers o JOIN accounts a ON a.id = o.account_id WHERE o.course_id = $1 ORDER BY o.id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("offers of course %d: %w", courseID, err)
	}
	defer rows.Close()
	var out []OfferLine
	for rows.Next() {
		var l OfferLine
		var deadline time.Time
		if err := rows.Scan(&l.ID, &l.CourseID, &l.CandidatureID, &l.AccountID, &l.Redirect, &l.Position, &l.FreedBy,
			timeCol{&l.SentAt}, timeCol{&deadline}, &l.State, nullTime{&l.AnsweredAt}, nullTime{&l.RemindedAt},
			&l.FirstName, &l.LastName, &l.Email); err != nil {
			return nil, err
		}
		l.Deadline = domain.DeadlineOf(deadline)
		out = append(out, l)
	}
	return out, rows.Err()
}

// RenumberLine gives the candidatures of a course's list, in tx, the
// positions 1, 2, … in the order given (a manual change of order).
func (s *Store) RenumberLine(ctx context.Context, tx *sql.Tx, courseID int64, order []int64) error {
	for i, id := range order {
		if _, err := tx.ExecContext(ctx, `UPDATE waiting_list SET position = $1 WHERE course_id = $2 AND candidature_id = $3`,
			i+1, courseID, id); err != nil {
			return fmt.Errorf("renumber the list of course %d: %w", courseID, err)
		}
	}
	return nil
}

// SessionOpening reads a session's rule for courses that may not open
// (SEL-6): the minimum of learners (0: none) and the day from which the
// central service decides (zero: not set).
func (s *Store) SessionOpening(ctx context.Context, tx *sql.Tx, sessionID int64) (minLearners int, decision time.Time, err error) {
	err = s.querier(tx).QueryRowContext(ctx, `SELECT min_learners, opening_decision_on FROM sessions WHERE id = $1`, sessionID).
		Scan(&minLearners, nullTime{&decision})
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("session %d: %w", sessionID, ErrNotFound)
	}
	return minLearners, decision, err
}

// SetSessionOpening changes that rule.
func (s *Store) SetSessionOpening(ctx context.Context, tx *sql.Tx, sessionID int64, minLearners int, decision time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET min_learners = $1, opening_decision_on = $2 WHERE id = $3`,
		minLearners, s.nullDayArg(decision), sessionID); err != nil {
		return fmt.Errorf("opening rule of session %d: %w", sessionID, err)
	}
	return nil
}

// CourseClosedTx reports whether a course was closed (it did not open, SEL-6).
func (s *Store) CourseClosedTx(ctx context.Context, tx *sql.Tx, courseID int64) (bool, error) {
	var closed bool
	if err := s.querier(tx).QueryRowContext(ctx, `SELECT closed_at IS NOT NULL FROM courses WHERE id = $1`, courseID).Scan(&closed); err != nil {
		return false, fmt.Errorf("course %d: %w", courseID, err)
	}
	return closed, nil
}

// ClosedCourses reads which of the courses were closed.
func (s *Store) ClosedCourses(ctx context.Context) (map[int64]bool, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM courses WHERE closed_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("closed courses: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// CloseCourse marks a course closed; it reports whether this call did.
func (s *Store) CloseCourse(ctx context.Context, tx *sql.Tx, courseID int64, at time.Time, by int64, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE courses SET closed_at = $1, closed_by = $2, closed_reason = $3
		WHERE id = $4 AND closed_at IS NULL`, s.instantArg(at), nullID(by), reason, courseID)
	if err != nil {
		return false, fmt.Errorf("close course %d: %w", courseID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// EndCourseOffers ends, in tx, the offers pending for a course's seats
// (lapsed: the course will not hold them).
func (s *Store) EndCourseOffers(ctx context.Context, tx *sql.Tx, courseID int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE waiting_offers SET state = 'lapsed', answered_at = $1
		WHERE course_id = $2 AND state = 'pending'`, s.instantArg(at), courseID); err != nil {
		return fmt.Errorf("end the offers of course %d: %w", courseID, err)
	}
	return nil
}

// CourseMember is a candidature a course's closing concerns.
type CourseMember struct {
	CandidatureID, AccountID int64
	Status                   domain.CandidatureStatus
}

// CourseMembers reads, in tx, the candidatures accepted in a course and
// those waiting that chose it.
func (s *Store) CourseMembers(ctx context.Context, tx *sql.Tx, courseID int64) ([]CourseMember, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, account_id, status FROM candidatures
		WHERE (status = 'accepted' AND accepted_course_id = $1) OR (status = 'waiting' AND course_id = $1) ORDER BY id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("members of course %d: %w", courseID, err)
	}
	defer rows.Close()
	var out []CourseMember
	for rows.Next() {
		var m CourseMember
		if err := rows.Scan(&m.CandidatureID, &m.AccountID, &m.Status); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// scanIDs reads a column of IDs and closes the rows.
func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
