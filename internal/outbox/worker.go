package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"cma/internal/domain"
	"cma/internal/mail"
)

// Store is what the worker needs of the database, and nothing more (as
// listmonk's manager declares its Store); the platform's store satisfies it.
type Store interface {
	// MessagesToSend reads those of the messages that are neither sent nor
	// refused, with their recipients' current addresses; the others are left out.
	MessagesToSend(ctx context.Context, ids []int64) ([]domain.Outgoing, error)
	MarkMessagesSent(ctx context.Context, ids []int64, at time.Time) error
	MarkMessageRefused(ctx context.Context, id int64, at time.Time, reason string) error
	// MarkMessageFailed records a failed attempt that is retried.
	MarkMessageFailed(ctx context.Context, id int64, at time.Time, reason string) error
}

// Sender sends one email: package mail's Sender, through the city's relay or
// the development mail sink. It is safe for concurrent use and bounds itself
// the emails in flight (mail.Sender: one per connection).
type Sender interface {
	Send(ctx context.Context, m mail.Message) error
}

// Worker sends a job's group of kept messages from the platform's one sender.
// A message already sent is not sent again; a permanent refusal (unknown
// mailbox) is recorded on the message, which is then never retried, and does not
// hold back the others; a transient failure retries the job, which then sends
// only what is still unsent.
type Worker struct {
	river.WorkerDefaults[SendEmailArgs]
	store   Store
	send    Sender
	now     func() time.Time
	log     *slog.Logger
	metrics *Metrics
}

// NewWorker returns the email worker. It logs nothing and counts nothing
// until Observe is called.
func NewWorker(st Store, send Sender, now func() time.Time) *Worker {
	return &Worker{store: st, send: send, now: now, log: slog.New(slog.DiscardHandler), metrics: NewMetrics()}
}

// Observe makes the worker log every failure to log (a refusal at error
// level, a retryable failure at warn level) and count sendings in m.
func (w *Worker) Observe(log *slog.Logger, m *Metrics) *Worker {
	if log != nil {
		w.log = log
	}
	if m != nil {
		w.metrics = m
	}
	return w
}

// retrySchedule is how long the job queue waits before each retry of an email
// job: fast at first, so that a relay down for a minute or two is caught up
// within about a minute of its return, then growing to retryCap, for about a
// day and a half in all over SendEmailArgs' 25 attempts.
var retrySchedule = []time.Duration{5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute,
	5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, 2 * time.Hour}

// retryCap is the longest wait between two attempts.
const retryCap = 150 * time.Minute

// RetryDelay is the wait after the attempt-th failed attempt (1 for the first).
func RetryDelay(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= len(retrySchedule) {
		return retrySchedule[attempt-1]
	}
	return retryCap
}

// NextRetry replaces River's default backoff (attempt⁴ seconds: 16 s, 81 s,
// 256 s… a relay back after a minute would wait minutes more) for email jobs.
// It counts from the machine's clock, as River schedules jobs, not from the
// platform's (a demo's may stand still).
//
// The failed attempt is counted as River's default policy counts it, by the
// errors recorded before it plus this one: a snoozed job's attempt number is
// not a count of failures.
func (w *Worker) NextRetry(job *river.Job[SendEmailArgs]) time.Time {
	return time.Now().Add(RetryDelay(len(job.Errors) + 1))
}

// markTimeout bounds recording the outcome of a group once sent: that is done
// even when the job's own context has ended meanwhile, so that an email that
// went out is not sent again by the retry.
const markTimeout = 10 * time.Second

// Work sends the job's messages that are still to send, all at once (the
// sender keeps as many in flight as it has connections), then records in one
// statement those that went out.
func (w *Worker) Work(ctx context.Context, job *river.Job[SendEmailArgs]) error {
	msgs, err := w.store.MessagesToSend(ctx, job.Args.ids())
	if err != nil {
		return err
	}
	errs := w.sendAll(ctx, msgs)

	markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	at := w.now()
	var sent []int64
	var failed []error
	unsent := 0 // retried, not refused
	for i, m := range msgs {
		err := errs[i]
		if err == nil {
			sent = append(sent, m.ID)
			continue
		}
		answer := mail.RelayAnswer(err)
		reason := answer
		if reason == "" {
			reason = err.Error()
		}
		attrs := []any{"outbox_id", m.ID, "message_id", m.MessageID, "kind", m.Kind, "relay_answer", answer,
			"job_id", job.ID, "attempt", job.Attempt}
		if answer == "" {
			// No answer from the relay: what went wrong before one (a
			// connection refused, a timeout). go-mail's errors with an answer
			// name the recipient, which the log does not need.
			attrs = append(attrs, "error", err)
		}
		switch {
		case mail.IsPermanent(err):
			// CON-2: nothing is lost silently. The message waits on the
			// central service's outbox page for a resend.
			w.log.Error("email refused by the relay for good: not retried, listed on /back-office/courriels", attrs...)
			w.metrics.Failures.WithLabelValues(FailureRefused).Inc()
			if err := w.store.MarkMessageRefused(markCtx, m.ID, at, reason); err != nil {
				failed = append(failed, err)
			}
			continue
		case mail.RefusesPlatform(err):
			w.log.Error("the relay refuses the platform, not the message (HELO name, address, sender or credentials): "+
				"the email is retried; fix the relay's settings or the platform's (--smtp-helo, --smtp-user)", attrs...)
		default:
			w.log.Warn("email not sent, retried", attrs...)
		}
		w.metrics.Failures.WithLabelValues(FailureRetryable).Inc()
		unsent++
		if err := w.store.MarkMessageFailed(markCtx, m.ID, at, reason); err != nil {
			failed = append(failed, err)
		}
		failed = append(failed, fmt.Errorf("message %d: %w", m.ID, err))
	}
	if err := w.store.MarkMessagesSent(markCtx, sent, at); err != nil {
		return err
	}
	w.metrics.Sent.Add(float64(len(sent)))
	if unsent > 0 && job.MaxAttempts > 0 && job.Attempt >= job.MaxAttempts {
		// The job queue gives up: the emails stay unsent, on the outbox page.
		w.log.Error("emails still not sent after the last attempt: the job queue gives up; resend them from /back-office/courriels",
			"job_id", job.ID, "attempt", job.Attempt, "unsent", unsent)
	}
	if len(failed) > 0 {
		// The first cause only: River keeps every attempt's error.
		if unsent == 0 {
			return fmt.Errorf("record the refusals of a group of %d emails: %w", len(msgs), failed[0])
		}
		return fmt.Errorf("%d of %d emails not sent, retried; first: %w", unsent, len(msgs), failed[0])
	}
	return nil
}

// sendAll sends msgs concurrently and returns each one's outcome.
func (w *Worker) sendAll(ctx context.Context, msgs []domain.Outgoing) []error {
	errs := make([]error, len(msgs))
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Go(func() {
			errs[i] = w.send.Send(ctx, mail.Message{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, MessageID: m.MessageID})
		})
	}
	wg.Wait()
	return errs
}
