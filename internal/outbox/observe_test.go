package outbox_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/outbox"
	"cma/internal/store"
)

// logLines captures JSON log lines.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) lines(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// observedWorker is the env's worker logging into lines and counting in m.
func observedWorker(e workerEnv) (*outbox.Worker, *logLines, *outbox.Metrics) {
	lines := &logLines{}
	m := outbox.NewMetrics()
	log := slog.New(slog.NewJSONHandler(lines, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return e.worker.Observe(log, m), lines, m
}

const secretBody = "Corps confidentiel du courriel"

func keepOne(t *testing.T, ctx context.Context, e workerEnv, to string) domain.Message {
	t.Helper()
	a := person(t, e.st, to)
	m := &domain.Message{AccountID: a.ID, Kind: "confirmation", Subject: "Vos candidatures", Text: secretBody, CreatedAt: now}
	if err := e.st.InTx(ctx, func(tx *sql.Tx) error { return outbox.New(e.st, e.client, "cours.exemple").Keep(ctx, tx, m) }); err != nil {
		t.Fatal(err)
	}
	return *m
}

func attempt(ctx context.Context, w *outbox.Worker, ids ...int64) error {
	return w.Work(ctx, &river.Job[outbox.SendEmailArgs]{JobRow: &rivertype.JobRow{ID: 77, Attempt: 1}, Args: outbox.SendEmailArgs{MessageIDs: ids}})
}

// TestWorker_CON2_refusal_logged_counted_listed: a permanent refusal is an
// error line with the relay's answer, the message's and the outbox's ids and
// not the body; it is counted as refused, recorded on the message (one
// attempt, the answer, when) and listed among the refused emails.
func TestWorker_CON2_refusal_logged_counted_listed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		w, lines, metrics := observedWorker(e)
		m := keepOne(t, ctx, e, "inconnu@exemple.fr")
		e.relay.setRefusal("inconnu@exemple.fr", refusedForGood)
		if err := attempt(ctx, w, m.ID); err != nil {
			t.Fatalf("a refusal for good: %v, want the job done", err)
		}
		var found bool
		for _, l := range lines.lines(t) {
			if l["level"] != "ERROR" {
				continue
			}
			found = true
			if l["relay_answer"] != "550 5.1.1 Mailbox unavailable" || l["message_id"] != m.MessageID || l["outbox_id"] != float64(m.ID) {
				t.Errorf("error line %v: want the relay's answer, the Message-ID and the outbox id", l)
			}
		}
		if !found {
			t.Errorf("no error line for a refusal: %v", lines.lines(t))
		}
		if strings.Contains(lines.buf.String(), secretBody) {
			t.Error("the log holds the email's body")
		}
		if got := testutil.ToFloat64(metrics.Failures.WithLabelValues(outbox.FailureRefused)); got != 1 {
			t.Errorf("refused counted %v, want 1", got)
		}
		got, err := e.st.MessageByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State() != domain.MessageRefused || got.Attempts != 1 || got.LastError != "550 5.1.1 Mailbox unavailable" ||
			got.RefusedReason != got.LastError || got.LastAttemptAt.IsZero() {
			t.Errorf("message after a refusal: state %s, %d attempts, last error %q, refused %q at %v",
				got.State(), got.Attempts, got.LastError, got.RefusedReason, got.LastAttemptAt)
		}
		listed, total, err := e.st.SearchOutbox(ctx, store.OutboxQuery{State: domain.MessageRefused})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(listed) != 1 || listed[0].ID != m.ID || listed[0].Email != "inconnu@exemple.fr" {
			t.Errorf("refused emails listed: %d %+v, want the one refused", total, listed)
		}
	})
}

// TestWorker_CON2_retryable_failures_warn_and_record: a 451 is a warning, a
// relay refusing the platform (Postfix's HELO refusal, given at RCPT TO) is
// an error; both are counted retryable, recorded on the message (attempts,
// last error) which stays pending, and fail the attempt so that it is retried.
func TestWorker_CON2_retryable_failures_warn_and_record(t *testing.T) {
	heloRefused := &gosmtp.SMTPError{Code: 504, EnhancedCode: gosmtp.EnhancedCode{5, 5, 2}, Message: "<vm>: Helo command rejected: need fully-qualified hostname"}
	for _, tc := range []struct {
		name  string
		reply *gosmtp.SMTPError
		level string
	}{
		{"451", refusedForNow, "WARN"},
		{"504 HELO", heloRefused, "ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				e := newWorkerEnv(t, d)
				w, lines, metrics := observedWorker(e)
				m := keepOne(t, ctx, e, "alice@exemple.fr")
				e.relay.setRefusal("*", tc.reply)
				for range 2 {
					if err := attempt(ctx, w, m.ID); err == nil {
						t.Fatal("attempt succeeded, want an error that River retries")
					}
				}
				levels := map[string]int{}
				for _, l := range lines.lines(t) {
					levels[l["level"].(string)]++
					if !strings.HasPrefix(l["relay_answer"].(string), strconv.Itoa(tc.reply.Code)) {
						t.Errorf("log line without the relay's answer: %v", l)
					}
				}
				if levels[tc.level] != 2 || len(levels) != 1 {
					t.Errorf("log levels %v, want two %s", levels, tc.level)
				}
				if got := testutil.ToFloat64(metrics.Failures.WithLabelValues(outbox.FailureRetryable)); got != 2 {
					t.Errorf("retryable counted %v, want 2", got)
				}
				if got := testutil.ToFloat64(metrics.Failures.WithLabelValues(outbox.FailureRefused)); got != 0 {
					t.Errorf("refused counted %v, want 0: the message is not refused", got)
				}
				got, err := e.st.MessageByID(ctx, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.State() != domain.MessagePending || got.Attempts != 2 || !strings.HasPrefix(got.LastError, strconv.Itoa(tc.reply.Code)) {
					t.Errorf("message: state %s, %d attempts, last error %q; want pending, 2, the relay's answer", got.State(), got.Attempts, got.LastError)
				}
				e.relay.setRefusal("*", nil)
				if err := attempt(ctx, w, m.ID); err != nil {
					t.Fatal(err)
				}
				if got := testutil.ToFloat64(metrics.Sent); got != 1 {
					t.Errorf("sent counted %v, want 1", got)
				}
				if got, _ := e.st.MessageByID(ctx, m.ID); got.State() != domain.MessageSent || got.Attempts != 3 {
					t.Errorf("after the relay's return: %s, %d attempts; want sent, 3", got.State(), got.Attempts)
				}
			})
		})
	}
}

// TestRetryDelay_CON2_a_short_outage_is_caught_up_fast: a relay down for 60 s
// is back before the fourth retry, which comes less than two minutes after the
// first attempt; the schedule grows to a cap and spans about a day and a half
// of the job's 25 attempts.
func TestRetryDelay_CON2_a_short_outage_is_caught_up_fast(t *testing.T) {
	var elapsed time.Duration
	var backAt time.Duration = -1
	for attempt := 1; attempt < 25; attempt++ {
		d := outbox.RetryDelay(attempt)
		if attempt > 1 && d < outbox.RetryDelay(attempt-1) {
			t.Errorf("retry %d waits %s, less than the one before", attempt, d)
		}
		elapsed += d
		if backAt < 0 && elapsed >= 60*time.Second {
			backAt = elapsed
		}
	}
	if backAt-60*time.Second > 2*time.Minute {
		t.Errorf("the first retry after a 60 s outage comes %s after the relay's return, want within 2 minutes", backAt-60*time.Second)
	}
	if elapsed < 30*time.Hour || elapsed > 42*time.Hour {
		t.Errorf("25 attempts span %s, want about a day and a half", elapsed)
	}
	if outbox.RetryDelay(1) > 5*time.Second || outbox.RetryDelay(24) != outbox.RetryDelay(100) {
		t.Errorf("first retry after %s, a cap of %s vs %s", outbox.RetryDelay(1), outbox.RetryDelay(24), outbox.RetryDelay(100))
	}
	w := outbox.NewWorker(nil, nil, func() time.Time { return now })
	before := time.Now()
	got := w.NextRetry(&river.Job[outbox.SendEmailArgs]{JobRow: &rivertype.JobRow{Attempt: 2, Errors: []rivertype.AttemptError{{Attempt: 1}}}})
	if wait := got.Sub(before); wait < 15*time.Second || wait > 16*time.Second {
		t.Errorf("NextRetry after the second attempt: in %s, want 15 s from the machine's clock", wait)
	}
}

// TestWorker_CON2_the_last_attempt_says_the_queue_gives_up: when the job's
// attempts are spent, an error line says the emails stay unsent and where to
// resend them.
func TestWorker_CON2_the_last_attempt_says_the_queue_gives_up(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		w, lines, _ := observedWorker(e)
		m := keepOne(t, ctx, e, "alice@exemple.fr")
		e.relay.setRefusal("*", refusedForNow)
		last := &river.Job[outbox.SendEmailArgs]{JobRow: &rivertype.JobRow{ID: 9, Attempt: 25, MaxAttempts: 25},
			Args: outbox.SendEmailArgs{MessageIDs: []int64{m.ID}}}
		if err := w.Work(ctx, last); err == nil {
			t.Fatal("last attempt succeeded against a refusing relay")
		}
		var gaveUp bool
		for _, l := range lines.lines(t) {
			if l["level"] == "ERROR" && strings.Contains(l["msg"].(string), "gives up") {
				gaveUp = true
			}
		}
		if !gaveUp {
			t.Errorf("no error line when the queue gives up: %v", lines.lines(t))
		}
	})
}

// TestWorker_CON2_River_retries_on_the_email_schedule: through River, the
// first retry of an email job that met a closed relay comes 5 s later (not on
// River's default backoff), and the email goes as soon as the relay is back.
func TestWorker_CON2_River_retries_on_the_email_schedule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		e.relay.setRefusal("*", refusedForNow)
		m := keepOne(t, ctx, e, "alice@exemple.fr")
		if err := e.client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer e.client.Stop(context.Background())
		queued, err := e.client.JobList(ctx, river.NewJobListParams().Kinds(outbox.SendEmailArgs{}.Kind()))
		if err != nil || len(queued.Jobs) != 1 {
			t.Fatalf("jobs: %v %v", queued, err)
		}
		// A retry due within seconds is left "available" with a later
		// scheduled time by River: the first error tells the attempt.
		var job *rivertype.JobRow
		for job == nil || len(job.Errors) == 0 {
			if job, err = e.client.JobGet(ctx, queued.Jobs[0].ID); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
				t.Fatalf("no failed attempt recorded: job %s", job.State)
			case <-time.After(20 * time.Millisecond):
			}
		}
		if wait := job.ScheduledAt.Sub(job.Errors[0].At); len(job.Errors) != 1 || wait < 4*time.Second || wait > 7*time.Second {
			t.Errorf("first retry scheduled %s after the failed attempt (%d errors), want about 5 s", wait, len(job.Errors))
		}
		start := time.Now()
		e.relay.setRefusal("*", nil)
		for {
			got, err := e.st.MessageByID(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State() == domain.MessageSent {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("email not sent 30 s after the relay's return")
			case <-time.After(100 * time.Millisecond):
			}
		}
		if took := time.Since(start); took > 7*time.Second {
			t.Errorf("email sent %s after the relay's return, want within the 5 s of the first retry", took)
		}
	})
}
