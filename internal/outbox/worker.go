package outbox

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"cma/internal/batch"
	"cma/internal/domain"
	"cma/internal/mail"
)

// Store is what the worker needs of the database, and nothing more (as
// listmonk's manager declares its Store); the platform's store satisfies it.
// A message that does not exist is reported with domain.ErrNotFound.
type Store interface {
	// MessageToSend reads a message and its recipient's current address.
	MessageToSend(ctx context.Context, id int64) (m domain.Message, to string, err error)
	MarkMessagesSent(ctx context.Context, ids []int64, at time.Time) error
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
	marks *batch.Batcher[*sentMark]
}

// sentMark is one message to mark sent, and how the marking went.
type sentMark struct {
	id  int64
	err error
}

// markBatch is the most messages marked sent by one statement.
const markBatch = 256

// NewWorker returns the email worker.
func NewWorker(st Store, send Sender, now func() time.Time) *Worker {
	w := &Worker{store: st, send: send, now: now}
	// Messages sent while another batch is being marked are marked together
	// (one statement, one commit), one batch at a time: at an opening, a
	// commit per message cost the workers more than the SMTP exchange.
	w.marks = batch.NewBatcher(markBatch, 1, func(m *sentMark) int64 { return m.id }, w.markSent)
	return w
}

// markSent marks a batch of sent messages in one statement.
func (w *Worker) markSent(marks []*sentMark) {
	ids := make([]int64, len(marks))
	for i, m := range marks {
		ids[i] = m.id
	}
	// Not the job's context: a batch serves other jobs, which would fail with
	// the first one's cancellation. River gives a job 30 s.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := w.store.MarkMessagesSent(ctx, ids, w.now())
	for _, m := range marks {
		m.err = err
	}
}

// Work sends the message.
func (w *Worker) Work(ctx context.Context, job *river.Job[SendEmailArgs]) error {
	m, to, err := w.store.MessageToSend(ctx, job.Args.MessageID)
	if errors.Is(err, domain.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if !m.SentAt.IsZero() {
		return nil
	}
	err = w.send.Send(ctx, mail.Message{To: to, Subject: m.Subject, Text: m.Text, HTML: m.HTML, MessageID: m.MessageID})
	if mail.IsPermanent(err) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	mark := &sentMark{id: m.ID}
	w.marks.Do(mark)
	return mark.err
}
