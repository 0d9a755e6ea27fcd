package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// Attendance registers (ATT-1..4): the class meetings whose register was
// taken or which were cancelled, one mark per learner and meeting, and the
// keys of the register forms saved.

// Meeting is a class meeting with a register taken, or cancelled one-off.
type Meeting struct {
	ID, CourseID int64
	Day          time.Time // civil date
	Minutes      int
	Cancelled    bool
	CancelReason string
	TakenAt      time.Time
	TakenBy      int64
}

// MarkRow is one learner's mark at a meeting.
type MarkRow struct {
	MeetingID, CandidatureID int64
	Mark                     domain.Mark
	Reason                   string
	MarkedAt                 time.Time
	MarkedBy                 int64
}

// RegisterLearner is a learner of a course as its registers list them.
type RegisterLearner struct {
	CandidatureID, AccountID int64
	FirstName, LastName      string
	Status                   domain.CandidatureStatus
	InCourse                 bool      // accepted in the course now
	Joined                   time.Time // the instant they were first accepted (zero when unknown)
}

const meetingColumns = `id, course_id, day, minutes, cancelled, cancel_reason, taken_at, taken_by`

func scanMeeting(row rowScanner) (Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.CourseID, timeCol{&m.Day}, &m.Minutes, &m.Cancelled, &m.CancelReason, timeCol{&m.TakenAt}, &m.TakenBy)
	return m, err
}

// CourseMeetings reads (in tx when given) a course's meetings taken or
// cancelled, in day order.
func (s *Store) CourseMeetings(ctx context.Context, tx *sql.Tx, courseID int64) ([]Meeting, error) {
	rows, err := s.querier(tx).QueryContext(ctx, `SELECT `+meetingColumns+` FROM class_meetings WHERE course_id = $1 ORDER BY day`, courseID)
	if err != nil {
		return nil, fmt.Errorf("meetings of course %d: %w", courseID, err)
	}
	defer rows.Close()
	var out []Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, fmt.Errorf("meetings of course %d: %w", courseID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// TakeMeeting reads, in tx, the course's meeting of that day, creating it
// with m's minutes, time and author when its register was never taken, and
// locks it on PostgreSQL until tx ends: two devices saving the same
// register take turns. created reports a new meeting.
func (s *Store) TakeMeeting(ctx context.Context, tx *sql.Tx, m Meeting) (Meeting, bool, error) {
	// One round trip for a register taken for the first time, the common
	// case: the new row comes back from the insert.
	got, err := scanMeeting(tx.QueryRowContext(ctx, `INSERT INTO class_meetings (course_id, day, minutes, taken_at, taken_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (course_id, day) DO NOTHING RETURNING `+meetingColumns,
		m.CourseID, dayArg(m.Day), m.Minutes, s.instantArg(m.TakenAt), m.TakenBy))
	if err == nil {
		return got, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, false, fmt.Errorf("take the meeting of course %d on %s: %w", m.CourseID, dayArg(m.Day), err)
	}
	lock := ""
	if s.db.Dialect == db.Postgres {
		lock = " FOR UPDATE"
	}
	got, err = scanMeeting(tx.QueryRowContext(ctx, `SELECT `+meetingColumns+` FROM class_meetings WHERE course_id = $1 AND day = $2`+lock,
		m.CourseID, dayArg(m.Day)))
	if err != nil {
		return Meeting{}, false, fmt.Errorf("read the meeting of course %d on %s: %w", m.CourseID, dayArg(m.Day), err)
	}
	return got, false, nil
}

// UpdateMeeting changes, in tx, a meeting's length and its cancellation.
func (s *Store) UpdateMeeting(ctx context.Context, tx *sql.Tx, m Meeting) error {
	if _, err := tx.ExecContext(ctx, `UPDATE class_meetings SET minutes = $1, cancelled = $2, cancel_reason = $3 WHERE id = $4`,
		m.Minutes, m.Cancelled, m.CancelReason, m.ID); err != nil {
		return fmt.Errorf("update meeting %d: %w", m.ID, err)
	}
	return nil
}

// RecordSubmission records, in tx, the key of a register form saved; fresh
// is false when a form with that key was saved before (a resubmission),
// which then changes nothing.
func (s *Store) RecordSubmission(ctx context.Context, tx *sql.Tx, key string, meetingID int64, at time.Time, by int64) (fresh bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO register_submissions (key, meeting_id, submitted_at, submitted_by)
		VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`, key, meetingID, s.instantArg(at), by)
	if err != nil {
		return false, fmt.Errorf("record register form %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CourseAttendance reads, in tx, a course's meetings taken or cancelled in
// day order and the marks of the given candidatures by candidature and
// meeting, in one query: what ATT-3's streaks are computed from while a
// register is saved. Naming the candidatures keeps the join on the marks'
// primary key whatever the planner's statistics say: a join on the meeting
// alone was planned as a scan of every mark of the city when they were stale.
func (s *Store) CourseAttendance(ctx context.Context, tx *sql.Tx, courseID int64, candidatureIDs []int64) ([]Meeting, map[int64]map[int64]domain.Mark, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.course_id, m.day, m.minutes, m.cancelled, m.cancel_reason, m.taken_at, m.taken_by,
		k.candidature_id, k.mark FROM class_meetings m LEFT JOIN attendance_marks k ON k.meeting_id = m.id AND k.candidature_id `+
		s.inList(2, "bigint")+`
		WHERE m.course_id = $1 ORDER BY m.day, m.id`, courseID, s.listArg(candidatureIDs))
	if err != nil {
		return nil, nil, fmt.Errorf("attendance of course %d: %w", courseID, err)
	}
	defer rows.Close()
	var meetings []Meeting
	marks := map[int64]map[int64]domain.Mark{}
	for rows.Next() {
		var m Meeting
		var cand sql.NullInt64
		var mark sql.NullString
		if err := rows.Scan(&m.ID, &m.CourseID, timeCol{&m.Day}, &m.Minutes, &m.Cancelled, &m.CancelReason, timeCol{&m.TakenAt}, &m.TakenBy,
			&cand, &mark); err != nil {
			return nil, nil, fmt.Errorf("attendance of course %d: %w", courseID, err)
		}
		if n := len(meetings); n == 0 || meetings[n-1].ID != m.ID {
			meetings = append(meetings, m)
		}
		if cand.Valid {
			if marks[cand.Int64] == nil {
				marks[cand.Int64] = map[int64]domain.Mark{}
			}
			marks[cand.Int64][m.ID] = domain.Mark(mark.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("attendance of course %d: %w", courseID, err)
	}
	return meetings, marks, nil
}

// MeetingMarks reads, in tx, a meeting's marks by candidature.
func (s *Store) MeetingMarks(ctx context.Context, tx *sql.Tx, meetingID int64) (map[int64]MarkRow, error) {
	rows, err := s.querier(tx).QueryContext(ctx, `SELECT meeting_id, candidature_id, mark, reason, marked_at, marked_by
		FROM attendance_marks WHERE meeting_id = $1`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("marks of meeting %d: %w", meetingID, err)
	}
	list, err := scanMarks(rows)
	if err != nil {
		return nil, fmt.Errorf("marks of meeting %d: %w", meetingID, err)
	}
	out := make(map[int64]MarkRow, len(list))
	for _, m := range list {
		out[m.CandidatureID] = m
	}
	return out, nil
}

// CourseMarks reads (in tx when given) every mark of a course's meetings.
func (s *Store) CourseMarks(ctx context.Context, tx *sql.Tx, courseID int64) ([]MarkRow, error) {
	rows, err := s.querier(tx).QueryContext(ctx, `SELECT k.meeting_id, k.candidature_id, k.mark, k.reason, k.marked_at, k.marked_by
		FROM attendance_marks k JOIN class_meetings m ON m.id = k.meeting_id WHERE m.course_id = $1`, courseID)
	if err != nil {
		return nil, fmt.Errorf("marks of course %d: %w", courseID, err)
	}
	list, err := scanMarks(rows)
	if err != nil {
		return nil, fmt.Errorf("marks of course %d: %w", courseID, err)
	}
	return list, nil
}

func scanMarks(rows *sql.Rows) ([]MarkRow, error) {
	defer rows.Close()
	var out []MarkRow
	for rows.Next() {
		var m MarkRow
		if err := rows.Scan(&m.MeetingID, &m.CandidatureID, &m.Mark, &m.Reason, timeCol{&m.MarkedAt}, &m.MarkedBy); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetMarks writes, in tx, learners' marks at meetings, each replacing the
// one it had, in one statement per 500 marks: a register of a course is one
// round trip to the database whatever its size (issue 17's evening of the
// city is 26,000 marks in a few minutes).
func (s *Store) SetMarks(ctx context.Context, tx *sql.Tx, marks []MarkRow) error {
	const perStatement = 500 // 3,000 parameters, far under both engines' limits
	for len(marks) > 0 {
		chunk := marks[:min(perStatement, len(marks))]
		marks = marks[len(chunk):]
		var q strings.Builder
		q.WriteString(`INSERT INTO attendance_marks (meeting_id, candidature_id, mark, reason, marked_at, marked_by) VALUES `)
		args := make([]any, 0, 6*len(chunk))
		for i, m := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			n := 6 * i
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6)
			args = append(args, m.MeetingID, m.CandidatureID, m.Mark, m.Reason, s.instantArg(m.MarkedAt), m.MarkedBy)
		}
		q.WriteString(` ON CONFLICT (meeting_id, candidature_id)
			DO UPDATE SET mark = excluded.mark, reason = excluded.reason, marked_at = excluded.marked_at, marked_by = excluded.marked_by`)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("%d marks at meeting %d: %w", len(chunk), chunk[0].MeetingID, err)
		}
	}
	return nil
}

// RegisterLearners lists a course's learners for its registers: those
// accepted in it now, and those who have a mark at one of its meetings
// (who left since, or moved), by name.
func (s *Store) RegisterLearners(ctx context.Context, courseID int64) ([]RegisterLearner, error) {
	// Two indexed halves: the candidatures accepted in the course, and those
	// marked at its meetings (an OR of both would scan every candidature).
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.account_id, a.first_name, a.last_name, c.status,
		c.status = 'accepted' AND c.accepted_course_id = $1,
		(SELECT MIN(e.at) FROM candidature_events e WHERE e.candidature_id = c.id AND e.status = 'accepted')
		FROM candidatures c JOIN accounts a ON a.id = c.account_id
		WHERE c.id IN (SELECT id FROM candidatures WHERE status = 'accepted' AND accepted_course_id = $1
			UNION SELECT k.candidature_id FROM attendance_marks k JOIN class_meetings m ON m.id = k.meeting_id WHERE m.course_id = $1)
		ORDER BY a.last_name, a.first_name, c.id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("learners of the registers of course %d: %w", courseID, err)
	}
	defer rows.Close()
	var out []RegisterLearner
	for rows.Next() {
		var l RegisterLearner
		if err := rows.Scan(&l.CandidatureID, &l.AccountID, &l.FirstName, &l.LastName, &l.Status, &l.InCourse,
			nullTime{&l.Joined}); err != nil {
			return nil, fmt.Errorf("learners of the registers of course %d: %w", courseID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LearnerCourses lists the courses a person's candidatures sit in or have
// marks in, with the candidature: what "mon parcours" shows.
func (s *Store) LearnerCourses(ctx context.Context, accountID int64) (map[int64]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.accepted_course_id FROM candidatures c
		WHERE c.account_id = $1 AND c.status = 'accepted' AND c.accepted_course_id IS NOT NULL
		UNION SELECT k.candidature_id, m.course_id FROM attendance_marks k JOIN class_meetings m ON m.id = k.meeting_id
		JOIN candidatures c ON c.id = k.candidature_id WHERE c.account_id = $1`, accountID)
	if err != nil {
		return nil, fmt.Errorf("courses of person %d: %w", accountID, err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var cand, course int64
		if err := rows.Scan(&cand, &course); err != nil {
			return nil, err
		}
		out[cand] = course
	}
	return out, rows.Err()
}

// FlagStreak records, in tx, ATT-3's report of a streak of absences
// without a valid reason to the central service; fresh is false when that
// streak (by its first day) was reported before, its end then updated.
func (s *Store) FlagStreak(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64, st domain.Streak, at time.Time) (fresh bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO attendance_flags (candidature_id, course_id, streak_start, streak_end, flagged_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (candidature_id, course_id, streak_start) DO NOTHING`,
		candidatureID, courseID, dayArg(st.Start), dayArg(st.End), s.instantArg(at))
	if err != nil {
		return false, fmt.Errorf("flag candidature %d in course %d: %w", candidatureID, courseID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return n == 1, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE attendance_flags SET streak_end = $1 WHERE candidature_id = $2 AND course_id = $3 AND streak_start = $4`,
		dayArg(st.End), candidatureID, courseID, dayArg(st.Start))
	if err != nil {
		return false, fmt.Errorf("flag candidature %d in course %d: %w", candidatureID, courseID, err)
	}
	return false, nil
}

// CandidatureMarks reads, in tx, a candidature's marks by meeting.
func (s *Store) CandidatureMarks(ctx context.Context, tx *sql.Tx, candidatureID int64) (map[int64]domain.Mark, error) {
	rows, err := tx.QueryContext(ctx, `SELECT meeting_id, candidature_id, mark, reason, marked_at, marked_by
		FROM attendance_marks WHERE candidature_id = $1`, candidatureID)
	if err != nil {
		return nil, fmt.Errorf("marks of candidature %d: %w", candidatureID, err)
	}
	list, err := scanMarks(rows)
	if err != nil {
		return nil, fmt.Errorf("marks of candidature %d: %w", candidatureID, err)
	}
	out := make(map[int64]domain.Mark, len(list))
	for _, m := range list {
		out[m.MeetingID] = m.Mark
	}
	return out, nil
}
