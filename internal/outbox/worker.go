package outbox

import (
	"context"
	"fmt"
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
	store Store
	send  Sender
	now   func() time.Time
}

// NewWorker returns the email worker.
func NewWorker(st Store, send Sender, now func() time.Time) *Worker {
	return &Worker{store: st, send: send, now: now}
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
	for i, m := range msgs {
		switch err := errs[i]; {
		case err == nil:
			sent = append(sent, m.ID)
		case mail.IsPermanent(err):
			if err := w.store.MarkMessageRefused(markCtx, m.ID, at, err.Error()); err != nil {
				failed = append(failed, err)
			}
		default:
			failed = append(failed, fmt.Errorf("message %d: %w", m.ID, err))
		}
	}
	if err := w.store.MarkMessagesSent(markCtx, sent, at); err != nil {
		return err
	}
	if len(failed) > 0 {
		// The first cause only: River keeps every attempt's error.
		return fmt.Errorf("%d of %d emails not sent, retried; first: %w", len(failed), len(msgs), failed[0])
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
