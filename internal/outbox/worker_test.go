package outbox_test

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/jobs"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
)

// relay is a real SMTP server (go-smtp) that refuses the recipients of
// refuse with their reply, accepts the others, and counts both.
type relay struct {
	mu        sync.Mutex
	refuse    map[string]*gosmtp.SMTPError // by address; "*" for everyone
	tried     map[string]int               // RCPT TO commands per address
	delivered map[string]int               // messages accepted per address
}

func (r *relay) setRefusal(to string, reply *gosmtp.SMTPError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if reply == nil {
		delete(r.refuse, to)
		return
	}
	r.refuse[to] = reply
}

// counts returns how many times to was tried and delivered.
func (r *relay) counts(to string) (tried, delivered int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tried[to], r.delivered[to]
}

func (r *relay) newSession(*gosmtp.Conn) (gosmtp.Session, error) { return &relaySession{relay: r}, nil }

type relaySession struct {
	relay *relay
	to    []string
}

func (s *relaySession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	r := s.relay
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tried[to]++
	if reply := cmp.Or(r.refuse[to], r.refuse["*"]); reply != nil {
		return reply
	}
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(in io.Reader) error {
	if _, err := io.Copy(io.Discard, in); err != nil {
		return err
	}
	r := s.relay
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, to := range s.to {
		r.delivered[to]++
	}
	s.to = nil
	return nil
}
func (s *relaySession) Reset()        { s.to = nil }
func (s *relaySession) Logout() error { return nil }

// startRelay starts a relay refusing no one yet and returns it with the
// pooled sender towards it.
func startRelay(t *testing.T) (*relay, *mail.Sender) {
	t.Helper()
	r := &relay{refuse: map[string]*gosmtp.SMTPError{}, tried: map[string]int{}, delivered: map[string]int{}}
	server := gosmtp.NewServer(gosmtp.BackendFunc(r.newSession))
	server.Domain = "localhost"
	server.ErrorLog = log.New(io.Discard, "", 0)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.Serve(listener)
	}()
	t.Cleanup(func() {
		_ = server.Close()
		_ = listener.Close()
		<-done
	})
	host, portText, _ := net.SplitHostPort(listener.Addr().String())
	port, _ := strconv.Atoi(portText)
	sender, err := mail.NewSender(mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone,
		From: "Cours d'adultes <ne-pas-repondre@cours.exemple>", Timeout: 2 * time.Second, Connections: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sender.Close() })
	return r, sender
}

// queueMessage keeps a message for a new candidate and queues its job in one
// transaction, through the outbox, and returns the message's and the job's IDs.
func queueMessage(t *testing.T, ctx context.Context, st *store.Store, client *jobs.Client) (messageID, jobID int64) {
	t.Helper()
	a := person(t, st, "inconnu@exemple.fr")
	m := &domain.Message{AccountID: a.ID, Kind: "confirmation", Subject: "Vos candidatures", Text: "Texte", CreatedAt: now}
	if err := st.InTx(ctx, func(tx *sql.Tx) error { return outbox.New(st, client, "cours.exemple").Keep(ctx, tx, m) }); err != nil {
		t.Fatal(err)
	}
	jobs, err := client.JobList(ctx, river.NewJobListParams().Kinds(outbox.SendEmailArgs{}.Kind()))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs.Jobs) != 1 {
		t.Fatalf("%d email jobs queued, want 1", len(jobs.Jobs))
	}
	return m.ID, jobs.Jobs[0].ID
}

// waitForState waits until the job leaves the available and running states.
func waitForState(t *testing.T, ctx context.Context, client *jobs.Client, id int64) *rivertype.JobRow {
	t.Helper()
	for {
		job, err := client.JobGet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State != rivertype.JobStateAvailable && job.State != rivertype.JobStateRunning {
			return job
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %d still %s: %v", id, job.State, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

var (
	refusedForGood = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
	refusedForNow  = &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
)

// TestWorker_CAN4_a_permanent_refusal_ends_the_retries works a kept message
// through River with the pooled sender against relays that refuse it: a 5xx
// refusal (unknown mailbox) is recorded on the message and ends the job, a 4xx
// one leaves the job to be retried; neither marks the message sent.
func TestWorker_CAN4_a_permanent_refusal_ends_the_retries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reply   *gosmtp.SMTPError
		want    rivertype.JobState
		refused bool
	}{
		{"550 ends", refusedForGood, rivertype.JobStateCompleted, true},
		{"451 retries", refusedForNow, rivertype.JobStateRetryable, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if err := jobs.Migrate(ctx, d); err != nil {
					t.Fatal(err)
				}
				st := store.New(d)
				r, sender := startRelay(t)
				r.setRefusal("*", tc.reply)
				client, err := jobs.New(d, st, sender, jobs.Config{Workers: 4, Now: time.Now,
					Log: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				if err := client.Start(ctx); err != nil {
					t.Fatal(err)
				}
				defer client.Stop(context.Background())
				messageID, jobID := queueMessage(t, ctx, st, client)
				job := waitForState(t, ctx, client, jobID)
				if job.State != tc.want {
					t.Errorf("job %s after a %d refusal, want %s (errors: %v)", job.State, tc.reply.Code, tc.want, job.Errors)
				}
				m, err := st.MessageByID(ctx, messageID)
				if err != nil {
					t.Fatal(err)
				}
				if !m.SentAt.IsZero() {
					t.Errorf("message marked sent at %s after a refusal", m.SentAt)
				}
				if refused := !m.RefusedAt.IsZero(); refused != tc.refused || (refused && !strings.Contains(m.RefusedReason, "550")) {
					t.Errorf("message refused at %v (%q) after a %d, want refused %v", m.RefusedAt, m.RefusedReason, tc.reply.Code, tc.refused)
				}
			})
		})
	}
}

// keepGroup keeps one message for each address in one transaction, queued
// together, and returns their IDs.
func keepGroup(t *testing.T, ctx context.Context, st *store.Store, client *jobs.Client, to ...string) []int64 {
	t.Helper()
	var msgs []*domain.Message
	for _, addr := range to {
		a := person(t, st, addr)
		msgs = append(msgs, &domain.Message{AccountID: a.ID, Kind: "confirmation", Subject: "Vos candidatures", Text: "Texte", CreatedAt: now})
	}
	if err := st.InTx(ctx, func(tx *sql.Tx) error { return outbox.New(st, client, "cours.exemple").Keep(ctx, tx, msgs...) }); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	return ids
}

// workerEnv is a database, a relay and the worker, worked without River's
// schedule: each Work call is one attempt of the job, as River would make it.
type workerEnv struct {
	st     *store.Store
	relay  *relay
	worker *outbox.Worker
	client *jobs.Client // to queue jobs; started only by the tests through River
}

func newWorkerEnv(t *testing.T, d *db.DB) workerEnv {
	t.Helper()
	if err := jobs.Migrate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	st := store.New(d)
	r, sender := startRelay(t)
	client, err := jobs.New(d, st, sender, jobs.Config{Workers: 4, Now: time.Now, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return workerEnv{st: st, relay: r, worker: outbox.NewWorker(st, sender, time.Now), client: client}
}

func (e workerEnv) work(ctx context.Context, args outbox.SendEmailArgs) error {
	return e.worker.Work(ctx, &river.Job[outbox.SendEmailArgs]{JobRow: &rivertype.JobRow{}, Args: args})
}

// want checks how often each address was delivered and whether its message is
// marked sent.
func (e workerEnv) want(t *testing.T, ctx context.Context, ids []int64, to []string, delivered ...int) {
	t.Helper()
	for i, addr := range to {
		_, got := e.relay.counts(addr)
		m, err := e.st.MessageByID(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if got != delivered[i] || m.SentAt.IsZero() != (delivered[i] == 0) {
			t.Errorf("%s: delivered %d times, sent at %v; want %d", addr, got, m.SentAt, delivered[i])
		}
	}
}

// TestOutbox_CON2_a_group_is_one_job_that_sends_each_message_once keeps three
// messages in one transaction: one job carries them, and River's worker sends
// each once and marks them sent; working the job again sends nothing more.
func TestOutbox_CON2_a_group_is_one_job_that_sends_each_message_once(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		to := []string{"alice@exemple.fr", "bob@exemple.fr", "carol@exemple.fr"}
		ids := keepGroup(t, ctx, e.st, e.client, to...)
		queued, err := e.client.JobList(ctx, river.NewJobListParams().Kinds(outbox.SendEmailArgs{}.Kind()))
		if err != nil {
			t.Fatal(err)
		}
		if len(queued.Jobs) != 1 {
			t.Fatalf("%d email jobs queued for a group of 3, want 1", len(queued.Jobs))
		}
		var args outbox.SendEmailArgs
		if err := json.Unmarshal(queued.Jobs[0].EncodedArgs, &args); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(args.MessageIDs, ids) {
			t.Fatalf("job carries %v, want %v", args.MessageIDs, ids)
		}
		if err := e.client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer e.client.Stop(context.Background())
		if job := waitForState(t, ctx, e.client, queued.Jobs[0].ID); job.State != rivertype.JobStateCompleted {
			t.Fatalf("group job %s (errors: %v), want completed", job.State, job.Errors)
		}
		e.want(t, ctx, ids, to, 1, 1, 1)
		if err := e.work(ctx, args); err != nil {
			t.Fatal(err)
		}
		e.want(t, ctx, ids, to, 1, 1, 1)
	})
}

// TestWorker_CON2_a_retry_sends_only_the_unsent_messages: a transient refusal
// (451) of one message of a group fails the attempt, so that River retries
// it, and the others are sent and marked; the retry sends only that one.
func TestWorker_CON2_a_retry_sends_only_the_unsent_messages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		to := []string{"alice@exemple.fr", "bob@exemple.fr", "carol@exemple.fr"}
		ids := keepGroup(t, ctx, e.st, e.client, to...)
		e.relay.setRefusal("bob@exemple.fr", refusedForNow)
		err := e.work(ctx, outbox.SendEmailArgs{MessageIDs: ids})
		var cancelled *river.JobCancelError
		if err == nil || errors.As(err, &cancelled) {
			t.Fatalf("attempt with a 451: %v, want an error that River retries", err)
		}
		e.want(t, ctx, ids, to, 1, 0, 1)

		e.relay.setRefusal("bob@exemple.fr", nil)
		if err := e.work(ctx, outbox.SendEmailArgs{MessageIDs: ids}); err != nil {
			t.Fatalf("retry: %v", err)
		}
		e.want(t, ctx, ids, to, 1, 1, 1)
		if tried, _ := e.relay.counts("alice@exemple.fr"); tried != 1 {
			t.Errorf("alice tried %d times, want 1: the retry resent a sent message", tried)
		}
	})
}

// TestWorker_CAN4_a_permanent_refusal_of_one_message_blocks_not_the_others: a
// 550 for one recipient of a group is recorded on that message, the others are
// sent, the job succeeds, and working it again does not try the refused one.
func TestWorker_CAN4_a_permanent_refusal_of_one_message_blocks_not_the_others(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		to := []string{"alice@exemple.fr", "inconnu@exemple.fr", "carol@exemple.fr"}
		ids := keepGroup(t, ctx, e.st, e.client, to...)
		e.relay.setRefusal("inconnu@exemple.fr", refusedForGood)
		if err := e.work(ctx, outbox.SendEmailArgs{MessageIDs: ids}); err != nil {
			t.Fatalf("attempt with one 550: %v, want success (nothing left to retry)", err)
		}
		e.want(t, ctx, ids, to, 1, 0, 1)
		m, err := e.st.MessageByID(ctx, ids[1])
		if err != nil {
			t.Fatal(err)
		}
		if m.RefusedAt.IsZero() || !strings.Contains(m.RefusedReason, "550") {
			t.Errorf("refused message: refused at %v, reason %q; want the 550 recorded", m.RefusedAt, m.RefusedReason)
		}
		e.relay.setRefusal("inconnu@exemple.fr", nil)
		if err := e.work(ctx, outbox.SendEmailArgs{MessageIDs: ids}); err != nil {
			t.Fatal(err)
		}
		if tried, delivered := e.relay.counts("inconnu@exemple.fr"); tried != 1 || delivered != 0 {
			t.Errorf("refused message tried %d times, delivered %d after another attempt; want 1, 0", tried, delivered)
		}
	})
}

// TestWorker_CON2_a_job_queued_before_groups_still_sends_its_message: a job
// with the one message_id of before groups, still in a queue after an upgrade,
// sends its message through River.
func TestWorker_CON2_a_job_queued_before_groups_still_sends_its_message(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		a := person(t, e.st, "alice@exemple.fr")
		m := &domain.Message{AccountID: a.ID, Kind: "confirmation", Subject: "Vos candidatures", Text: "Texte", MessageID: "<old@cours.exemple>", CreatedAt: now}
		var jobID int64
		if err := e.st.InTx(ctx, func(tx *sql.Tx) error {
			if err := e.st.InsertMessage(ctx, tx, m); err != nil {
				return err
			}
			// The job as queued before groups: {"message_id": …}.
			res, err := e.client.InsertManyTx(ctx, tx, []river.InsertManyParams{{Args: oldSendEmailArgs{MessageID: m.ID}}})
			if err == nil {
				jobID = res[0].Job.ID
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := e.client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer e.client.Stop(context.Background())
		if job := waitForState(t, ctx, e.client, jobID); job.State != rivertype.JobStateCompleted {
			t.Fatalf("old job %s (errors: %v), want completed", job.State, job.Errors)
		}
		e.want(t, ctx, []int64{m.ID}, []string{"alice@exemple.fr"}, 1)
	})
}

// oldSendEmailArgs is SendEmailArgs as it was before groups.
type oldSendEmailArgs struct {
	MessageID int64 `json:"message_id"`
}

func (oldSendEmailArgs) Kind() string { return "send_email" }

// TestWorker_CON2_a_message_held_by_another_send_goes_once: while one job
// sends an email (its retry), a second job holding it (the central service's
// "Renvoyer") leaves it and asks to be retried; once the first has sent it,
// the second finds nothing to send. The claim of a send that crashed lapses,
// and the email then goes, once.
func TestWorker_CON2_a_message_held_by_another_send_goes_once(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		to := []string{"alice@exemple.fr", "bob@exemple.fr"}
		ids := keepGroup(t, ctx, e.st, e.client, to...)
		args := outbox.SendEmailArgs{MessageIDs: ids}

		// The first send under way holds alice's email.
		start := time.Now()
		held, busy, err := e.st.MessagesToSend(ctx, ids[:1], start, start.Add(time.Minute))
		if err != nil || len(held) != 1 || busy != 0 {
			t.Fatalf("first claim: %d messages, %d busy, %v; want 1, 0", len(held), busy, err)
		}
		if err := e.work(ctx, args); err == nil || !strings.Contains(err.Error(), "held by another send") {
			t.Errorf("second job while the first sends: %v, want an error asking for a retry", err)
		}
		e.want(t, ctx, ids, to, 0, 1) // bob's went; alice's was left to the first send
		if err := e.st.MarkMessagesSent(ctx, ids[:1], time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := e.work(ctx, args); err != nil {
			t.Errorf("second job after the first sent: %v", err)
		}
		for i, addr := range to { // the first send (played by the test) carried alice's: the relay saw it from no job
			if _, got := e.relay.counts(addr); got != i {
				t.Errorf("%s: delivered %d times by the jobs, want %d", addr, got, i)
			}
		}

		// A send that crashed: its claim lapsed, the next job sends the email.
		crashed := keepGroup(t, ctx, e.st, e.client, "carol@exemple.fr")
		if _, _, err := e.st.MessagesToSend(ctx, crashed, start.Add(-time.Hour), start.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := e.work(ctx, outbox.SendEmailArgs{MessageIDs: crashed}); err != nil {
			t.Errorf("after a lapsed claim: %v", err)
		}
		e.want(t, ctx, crashed, []string{"carol@exemple.fr"}, 1)
	})
}
