package outbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/riverqueue/river"

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
	marks *sentMarks
}

// NewWorker returns the email worker.
func NewWorker(st Store, send Sender, now func() time.Time) *Worker {
	return &Worker{store: st, send: send, now: now, marks: &sentMarks{store: st, now: now}}
}

// Marking messages sent: at most markBatch at once, gathered for markLinger.
const (
	markBatch  = 256
	markLinger = 10 * time.Millisecond
)

// sentMarks marks the messages sent within markLinger of each other in one
// statement and one commit. At an opening the workers send hundreds a
// second; a commit each cost them more than the SMTP exchange (bench/mail).
// A worker waits for its batch's commit, so a job is done only once its
// message is recorded as sent, as before.
type sentMarks struct {
	store Store
	now   func() time.Time

	mu      sync.Mutex
	pending *markGroup // gathering, nil when none
}

// markGroup is one statement's messages and its outcome.
type markGroup struct {
	ids  []int64
	once sync.Once
	done chan struct{} // closed once written
	err  error
}

// mark records that message id was sent, with the others sent meanwhile.
func (s *sentMarks) mark(id int64) error {
	s.mu.Lock()
	g := s.pending
	if g == nil {
		g = &markGroup{done: make(chan struct{})}
		s.pending = g
		time.AfterFunc(markLinger, func() { s.write(g) })
	}
	g.ids = append(g.ids, id)
	full := len(g.ids) >= markBatch
	s.mu.Unlock()
	if full {
		s.write(g)
	}
	<-g.done
	return g.err
}

// write closes g to newcomers and writes it, once.
func (s *sentMarks) write(g *markGroup) {
	s.mu.Lock()
	if s.pending == g {
		s.pending = nil
	}
	s.mu.Unlock()
	g.once.Do(func() {
		// Not a job's context: the group serves several jobs. River gives a
		// job 30 s.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		g.err = s.store.MarkMessagesSent(ctx, g.ids, s.now())
		close(g.done)
	})
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
	return w.marks.mark(m.ID)
}
