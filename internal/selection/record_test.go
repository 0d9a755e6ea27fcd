package selection_test

import (
	"context"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// TestRun_SEL1_SEL7_CER2_the_previous_levels: the run reads what earlier
// courses left. A third attempt after two failed evaluations of the
// formation is ineligible (SEL-7); once the formation asks for the previous
// level's certificate (CER-2), who has it is accepted and who has not is
// ineligible, whatever else they weigh.
func TestRun_SEL1_SEL7_CER2_the_previous_levels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newRunEnv(t, d)
		course, previous := twoFormations(t, e)
		e.exec(t, `UPDATE candidatures SET status = 'cancelled' WHERE session_id = $1`, e.session)
		e.exec(t, `UPDATE courses SET capacity = 10 WHERE id = $1`, course.ID)
		clean := e.apply(t, domain.ObjectivePersonal, course)
		twice := e.apply(t, domain.ObjectiveIntegration, course) // the most pressing objective: still a gate
		certified := e.apply(t, domain.ObjectivePersonal, course)
		// Earlier years, as their candidatures and results would have left them.
		past := func(a domain.Account, formation int64) {
			e.exec(t, `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective, motivation, rsa,
				job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at)
				SELECT account_id, course_id, $1, session_id, 'given_up', objective, motivation, rsa, job_seeker, subsidised,
				rules_version, half_tariff_claim, validation_key, created_at FROM candidatures WHERE account_id = $2 AND status = 'submitted'`,
				formation, a.ID)
		}
		past(twice, course.FormationID)
		past(twice, course.FormationID)
		e.exec(t, `INSERT INTO evaluation_results (candidature_id, course_id, result, entered_at, entered_by)
			SELECT id, course_id, 'failed', $1, $2 FROM candidatures WHERE account_id = $3 AND status = 'given_up'`,
			"2026-06-20T10:00:00.000000Z", e.central.AccountID, twice.ID)
		for _, a := range []domain.Account{certified, twice} { // twice is certified too: only SEL-7 stops them
			past(a, previous.FormationID)
			e.exec(t, `INSERT INTO certificates (candidature_id, account_id, formation_id, number, issued_at, issued_by)
				SELECT id, account_id, formation_id, 'C2025-' || id, $1, $2 FROM candidatures
				WHERE account_id = $3 AND status = 'given_up' AND formation_id = $4`,
				"2026-08-01T10:00:00.000000Z", e.central.AccountID, a.ID, previous.FormationID)
		}
		e.exec(t, `UPDATE formations SET prerequisite_formation_id = $1 WHERE id = $2`, previous.FormationID, course.FormationID)

		e.now = t0.Add(22 * 24 * time.Hour)
		run, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}
		outcome := func(a domain.Account) string {
			var o string
			if err := d.R.QueryRow(`SELECT o.outcome FROM selection_outcomes o JOIN candidatures c ON c.id = o.candidature_id
				WHERE o.run_id = $1 AND c.account_id = $2 AND c.status = 'submitted'`, run.ID, a.ID).Scan(&o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		for name, c := range map[string]struct {
			a    domain.Account
			want domain.Outcome
		}{"without the certificate": {clean, domain.OutcomeIneligible}, "after two failures": {twice, domain.OutcomeIneligible},
			"with the certificate": {certified, domain.OutcomeAccepted}} {
			if got := outcome(c.a); got != string(c.want) {
				t.Errorf("%s: %s, want %s", name, got, c.want)
			}
		}
	})
}

// TestRun_SEL1_ATT2_attendance_in_the_previous_level: six candidates for
// three seats, alike in everything the run weighs but their attendance in
// the formation's previous level: the three who attended 75 % or more of it
// (late counts as present, a cancelled meeting counts for nobody) are
// accepted, the three below wait — 72.5 %, one meeting short, among them.
func TestRun_SEL1_ATT2_attendance_in_the_previous_level(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newRunEnv(t, d)
		course, previous := twoFormations(t, e)
		e.exec(t, `UPDATE candidatures SET status = 'cancelled' WHERE session_id = $1`, e.session)
		e.exec(t, `UPDATE courses SET capacity = 3 WHERE id = $1`, course.ID)
		e.exec(t, `UPDATE formations SET prerequisite_formation_id = $1 WHERE id = $2`, previous.FormationID, course.FormationID)
		// The previous level's register: 40 meetings of 60 minutes and one
		// of 60 minutes cancelled; the first 30 of 40 make 75.0 %.
		for i := range 41 {
			e.exec(t, `INSERT INTO class_meetings (course_id, day, minutes, cancelled, taken_at, taken_by) VALUES ($1, $2, 60, $3, $4, $5)`,
				previous.ID, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly), i == 40,
				"2025-09-01T18:00:00.000000Z", e.central.AccountID)
		}
		type learner struct {
			present, late int // of the 40 held meetings, the rest absent
			want          domain.Outcome
		}
		learners := []learner{{40, 0, domain.OutcomeAccepted}, {20, 10, domain.OutcomeAccepted}, {30, 0, domain.OutcomeAccepted},
			{29, 0, domain.OutcomeWaiting}, {10, 0, domain.OutcomeWaiting}, {0, 0, domain.OutcomeWaiting}}
		accounts := make([]domain.Account, len(learners))
		for n, l := range learners {
			a := e.apply(t, domain.ObjectivePersonal, course)
			accounts[n] = a
			// An earlier candidature in the previous level, with its marks.
			e.exec(t, `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective, motivation, rsa,
				job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at)
				SELECT account_id, $1, $2, session_id, 'given_up', objective, motivation, rsa, job_seeker, subsidised,
				rules_version, half_tariff_claim, validation_key, created_at FROM candidatures WHERE account_id = $3 AND status = 'submitted'`,
				previous.ID, previous.FormationID, a.ID)
			e.exec(t, `INSERT INTO certificates (candidature_id, account_id, formation_id, number, issued_at, issued_by)
				SELECT id, account_id, formation_id, 'C2025-' || id, $1, $2 FROM candidatures WHERE account_id = $3 AND status = 'given_up'`,
				"2026-08-01T10:00:00.000000Z", e.central.AccountID, a.ID)
			e.exec(t, `INSERT INTO attendance_marks (meeting_id, candidature_id, mark, reason, marked_at, marked_by)
				SELECT m.id, c.id, CASE WHEN m.cancelled THEN 'absent'
					WHEN rank() OVER (ORDER BY m.day) <= $1 THEN 'present'
					WHEN rank() OVER (ORDER BY m.day) <= $2 THEN 'late' ELSE 'absent' END, '', $3, $4
				FROM class_meetings m, candidatures c WHERE m.course_id = $5 AND c.account_id = $6 AND c.status = 'given_up'`,
				l.present, l.present+l.late, "2025-09-01T18:00:00.000000Z", e.central.AccountID, previous.ID, a.ID)
		}

		e.now = t0.Add(22 * 24 * time.Hour)
		// Alike in their social situation too.
		e.exec(t, `UPDATE candidatures SET rsa = $1, job_seeker = $1, subsidised = $1 WHERE session_id = $2`, false, e.session)
		run, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}
		for n, l := range learners {
			var got string
			if err := d.R.QueryRow(`SELECT o.outcome FROM selection_outcomes o JOIN candidatures c ON c.id = o.candidature_id
				WHERE o.run_id = $1 AND c.account_id = $2 AND c.status = 'submitted'`, run.ID, accounts[n].ID).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != string(l.want) {
				t.Errorf("SEL-1: %d present and %d late of 40: %s, want %s", l.present, l.late, got, l.want)
			}
		}
	})
}

// twoFormations picks two on-site courses of two formations without
// evaluation, open to candidatures: the course applied to, and one to play
// its previous level.
func twoFormations(t *testing.T, e *runEnv) (course, previous *catalogue.Entry) {
	t.Helper()
	for _, c := range e.ix.All() {
		if c.SessionID != e.session || !c.Session.CandidatureOpen(t0) || c.Remote || c.Formation.Evaluation != domain.EvaluationNone {
			continue
		}
		if course == nil {
			course = c
		} else if c.FormationID != course.FormationID {
			return course, c
		}
	}
	t.Skip("the demo's 2nd semester has no two formations without evaluation")
	return nil, nil
}
