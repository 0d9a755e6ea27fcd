package outbox

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"cma/internal/domain"
	"cma/internal/mail"
)

// Store is what the worker needs of the database, and nothing more (as
// listmonk's manager declares its Store); the platform's store satisfies it.
// A message or account that does not exist is reported with domain.ErrNotFound.
type Store interface {
	MessageByID(ctx context.Context, id int64) (domain.Message, error)
	Account(ctx context.Context, id int64) (domain.Account, error)
	MarkMessageSent(ctx context.Context, id int64, at time.Time) error
}

// Sender sends one email: package mail's Sender, through the city's relay or
// the development mail sink.
type Sender interface {
	Send(ctx context.Context, m mail.Message) error
}

// Worker sends a kept message from the platform's one sender. A message already
// sent is not sent again; a permanent refusal (unknown mailbox) stops the retries.
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

// Work sends the message.
func (w *Worker) Work(ctx context.Context, job *river.Job[SendEmailArgs]) error {
	m, err := w.store.MessageByID(ctx, job.Args.MessageID)
	if errors.Is(err, domain.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if !m.SentAt.IsZero() {
		return nil
	}
	person, err := w.store.Account(ctx, m.AccountID)
	if err != nil {
		return err
	}
	err = w.send.Send(ctx, mail.Message{To: person.Email, Subject: m.Subject, Text: m.Text, HTML: m.HTML, MessageID: m.MessageID})
	if mail.IsPermanent(err) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	return w.store.MarkMessageSent(ctx, m.ID, w.now())
}
