package outbox_test

import (
	"context"
	"database/sql"
	"io"
	"log"
	"log/slog"
	"net"
	"strconv"
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

// refusingRelay is a real SMTP server (go-smtp) that answers every RCPT TO
// with reply.
type refusingRelay struct{ reply *gosmtp.SMTPError }

func (r refusingRelay) Mail(string, *gosmtp.MailOptions) error          { return nil }
func (r refusingRelay) Rcpt(string, *gosmtp.RcptOptions) error          { return r.reply }
func (r refusingRelay) Data(in io.Reader) error                         { _, err := io.Copy(io.Discard, in); return err }
func (r refusingRelay) Reset()                                          {}
func (r refusingRelay) Logout() error                                   { return nil }
func (r refusingRelay) newSession(*gosmtp.Conn) (gosmtp.Session, error) { return r, nil }

// startRefusingRelay returns the sender towards a relay refusing with reply.
func startRefusingRelay(t *testing.T, reply *gosmtp.SMTPError) *mail.Sender {
	t.Helper()
	server := gosmtp.NewServer(gosmtp.BackendFunc(refusingRelay{reply}.newSession))
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
	return sender
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

// TestWorker_CAN4_a_permanent_refusal_cancels_the_job works a kept message
// with the pooled sender against relays that refuse it: a 5xx refusal (unknown
// mailbox) ends the retries, a 4xx one leaves the job to be retried; neither
// marks the message sent.
func TestWorker_CAN4_a_permanent_refusal_cancels_the_job(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply *gosmtp.SMTPError
		want  rivertype.JobState
	}{
		{"550 cancels", &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}, rivertype.JobStateCancelled},
		{"451 retries", &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}, rivertype.JobStateRetryable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if err := jobs.Migrate(ctx, d); err != nil {
					t.Fatal(err)
				}
				st := store.New(d)
				client, err := jobs.New(d, st, startRefusingRelay(t, tc.reply), jobs.Config{Workers: 4, Now: time.Now,
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
			})
		})
	}
}
