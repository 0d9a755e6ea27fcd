package selection_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/outbox"
	"cma/internal/selection"
	"cma/internal/store"
)

type failingQueue struct{}

func (failingQueue) InsertManyTx(context.Context, *sql.Tx, []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return nil, errors.New("the queue is down")
}

func (e *runEnv) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.R.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestPublish_PER1_one_transaction: a publication whose emails cannot be
// queued leaves nothing written — the run is still dry, no candidature
// changed, no history line, no waiting list, no message — and the same run
// publishes afterwards.
func TestPublish_PER1_one_transaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newRunEnv(t, d)
		_, _, other := e.pick(t, domain.EvaluationInterview)
		var people []domain.Account
		for range 3 {
			people = append(people, e.apply(t, domain.ObjectivePersonal, other))
		}
		e.exec(t, `UPDATE courses SET capacity = 1 WHERE id = $1`, other.ID)
		e.now = t0.Add(22 * 24 * time.Hour)
		run, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}
		e.now = t0.Add(29 * 24 * time.Hour)
		events := e.count(t, `SELECT COUNT(*) FROM candidature_events`)
		broken := selection.New(selection.Deps{Store: e.st, Outbox: outbox.New(e.st, failingQueue{}, "cours.exemple"),
			Now: func() time.Time { return e.now }, PublicURL: "https://cours.exemple"})
		if _, err := broken.Publish(ctx, e.central, run.ID); err == nil {
			t.Fatal("published without its emails")
		}
		if got, _ := e.st.Run(ctx, run.ID); got.Status != domain.RunDry {
			t.Fatalf("run is %s after a failed publication", got.Status)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM candidatures WHERE status <> 'submitted' OR decided_run_id IS NOT NULL`); n != 0 {
			t.Fatalf("%d candidatures changed by a failed publication", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM candidature_events`); n != events {
			t.Fatalf("history lines went from %d to %d", events, n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_list`) + e.count(t, `SELECT COUNT(*) FROM messages WHERE kind = 'selection_outcomes'`); n != 0 {
			t.Fatalf("%d waiting-list rows and messages left by a failed publication", n)
		}
		res, err := e.sel.Publish(ctx, e.central, run.ID)
		if err != nil || res.Changed != 3 || res.Told != 3 {
			t.Fatalf("publish after the failure: %+v, %v", res, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM candidature_events WHERE note LIKE 'sélection publiée%' AND status IN ('accepted', 'waiting')`); n != 3 {
			t.Fatalf("%d history lines of the publication, want 3", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM waiting_list WHERE course_id = $1`, other.ID); n != 2 {
			t.Fatalf("%d on the live waiting list, want 2", n)
		}
		checkOutcomeEmails(t, e, run.ID, people, other)
	})
}

// checkOutcomeEmails: each person has one outcomes email of the run in
// their space, kept without its body by the publication and rendered when
// first read — the outcome of their candidature in course c, with its
// position when waiting —, then stored on the row, the same when read again.
func checkOutcomeEmails(t *testing.T, e *runEnv, runID int64, people []domain.Account, c *catalogue.Entry) {
	t.Helper()
	ctx := context.Background()
	if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE kind = 'selection_outcomes' AND render_ref = $1 AND body_text = ''`, runID); n != len(people) {
		t.Fatalf("%d outcome emails kept without their bodies, want %d", n, len(people))
	}
	waiting := 0
	for _, p := range people {
		msgs, err := e.st.Messages(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var m *domain.Message
		for i := range msgs {
			if msgs[i].Kind == selection.MessageKindOutcomes {
				m = &msgs[i]
			}
		}
		if m == nil || m.RenderRef != 0 || !strings.Contains(m.Subject, "Résultat de vos candidatures") ||
			!strings.Contains(m.Text, "Bonjour "+p.FirstName+",") || !strings.Contains(m.Text, c.Code) || !strings.Contains(m.HTML, c.Code) {
			t.Fatalf("outcomes email of %d: %+v", p.ID, m)
		}
		if strings.Contains(m.Text, c.Code+", ") && strings.Contains(m.Text, " : position ") {
			waiting++
		}
		again, err := e.st.MessageByID(ctx, m.ID)
		if err != nil || again.Text != m.Text || again.HTML != m.HTML || again.Subject != m.Subject {
			t.Fatalf("read again: %+v, %v", again, err)
		}
	}
	if waiting != 2 {
		t.Fatalf("%d emails give a waiting position, want 2", waiting)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM messages WHERE kind = 'selection_outcomes' AND (render_ref IS NOT NULL OR body_text = '')`); n != 0 {
		t.Fatalf("%d outcome emails still without their bodies once read", n)
	}
}

// TestPlacement_SEL3_first_day_test_then_placement: in the main pass the
// candidatures of a formation tested on the first day come out
// first_day_test; after that day the placement pass, refused while a result
// is missing, puts each candidate in the course of the level placed.
func TestPlacement_SEL3_first_day_test_then_placement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newRunEnv(t, d)
		a, b, _ := e.pick(t, domain.EvaluationInterview)
		// The formation is made one tested on the first day, its two
		// courses two levels on the same weekday and hours.
		e.exec(t, `UPDATE formations SET evaluation = 'first_day_test' WHERE id = $1`, a.FormationID)
		e.exec(t, `UPDATE courses SET level = 'beginner' WHERE id = $1`, a.ID)
		e.exec(t, `UPDATE courses SET level = 'elementary', weekday = $1, start_minute = $2, end_minute = $3 WHERE id = $4`,
			int(a.Weekday), a.StartMinute, a.EndMinute, b.ID)
		p1 := e.apply(t, domain.ObjectivePersonal, a)
		p2 := e.apply(t, domain.ObjectiveProfessional, a)
		e.now = t0.Add(22 * 24 * time.Hour)
		main, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}
		sum, _ := selection.Decode(main.Summary)
		if sum.Outcomes[domain.OutcomeFirstDayTest] != 2 {
			t.Fatalf("main pass outcomes %v, want 2 first_day_test", sum.Outcomes)
		}
		e.now = t0.Add(29 * 24 * time.Hour)
		if _, err := e.sel.Publish(ctx, e.central, main.ID); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM candidatures WHERE status = 'first_day_test'`); n != 2 {
			t.Fatalf("%d candidatures convoked to the first-day test, want 2", n)
		}
		_, err = e.sel.StartRun(ctx, e.central, e.session, domain.PassPlacement)
		refusedWith(t, err, "selection.run.missing_results")
		for _, p := range []struct {
			id    int64
			level int
		}{{p1.ID, 2}, {p2.ID, 0}} {
			e.exec(t, `INSERT INTO test_results (candidature_id, result, score, placed_level, entered_by, entered_at)
				SELECT id, 'pass', NULL, $1, $2, $3 FROM candidatures WHERE account_id = $4`, p.level, e.central.AccountID,
				e.now.UTC().Format("2006-01-02T15:04:05.000000Z"), p.id)
		}
		place, err := e.sel.StartRun(ctx, e.central, e.session, domain.PassPlacement)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.sel.Publish(ctx, e.central, place.ID)
		refusedWith(t, err, "selection.publish.before_first_day")
		e.now = time.Date(2027, 2, 2, 10, 0, 0, 0, time.UTC)
		if _, err := e.sel.Publish(ctx, e.central, place.ID); err != nil {
			t.Fatal(err)
		}
		var c1, c2 int64
		if err := d.R.QueryRow(`SELECT accepted_course_id FROM candidatures WHERE account_id = $1 AND status = 'accepted'`, p1.ID).Scan(&c1); err != nil {
			t.Fatal(err)
		}
		if err := d.R.QueryRow(`SELECT accepted_course_id FROM candidatures WHERE account_id = $1 AND status = 'accepted'`, p2.ID).Scan(&c2); err != nil {
			t.Fatal(err)
		}
		if c1 != b.ID || c2 != a.ID {
			t.Fatalf("placed in %d and %d, want %d (level 2) and %d (the chosen level)", c1, c2, b.ID, a.ID)
		}
		// The main pass's email, first read after the placement decided its
		// candidature again, still tells the first-day test.
		for _, p := range []domain.Account{p1, p2} {
			msgs, err := e.st.Messages(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) < 2 || msgs[0].Kind != selection.MessageKindOutcomes || msgs[1].Kind != selection.MessageKindOutcomes ||
				!strings.Contains(msgs[1].Text, a.Code) || !strings.Contains(msgs[0].Text, a.Code) || msgs[0].Text == msgs[1].Text {
				t.Fatalf("outcome emails of %d after the placement: %+v", p.ID, msgs)
			}
		}
		v, err := e.sel.VerifyRun(ctx, place.ID)
		if err != nil || !v.Same() {
			t.Fatalf("verify the placement: %+v, %v", v, err)
		}
	})
}

// TestStartRun_PER2_two_at_once_one_refused: two instances record a run of
// the same session at the same moment: exactly one gets it, the other is
// refused, whatever the timing (the unique index on the running run).
func TestStartRun_PER2_two_at_once_one_refused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newRunEnv(t, d)
		errs := make(chan error, 2)
		for i := range 2 {
			go func() {
				_, err := e.st.StartRun(ctx, e.session, domain.PassMain, uint64(i+1), e.central.AccountID, e.now, e.now.Add(-time.Minute))
				errs <- err
			}()
		}
		var ok, refused int
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrRunInProgress):
				refused++
			default:
				t.Fatal(err)
			}
		}
		if ok != 1 || refused != 1 {
			t.Fatalf("%d started and %d refused, want 1 and 1", ok, refused)
		}
	})
}
