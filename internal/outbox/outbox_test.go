package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/jobs"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
)

var now = time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)

func person(t *testing.T, st *store.Store, email string) domain.Account {
	t.Helper()
	a := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: email, FirstName: "Alice",
		LastName: "Martin", BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), CreatedAt: now}
	if err := st.InTx(context.Background(), func(tx *sql.Tx) error { return st.InsertAccount(context.Background(), tx, &a) }); err != nil {
		t.Fatal(err)
	}
	return a
}

// A message kept in a transaction is queued with it; a transaction rolled back
// leaves neither the message nor its email (CON-2: the email exists exactly when
// what it tells about does). The worker then sends it once, from the sink's view.
func TestOutbox_CON2_kept_and_queued_in_the_callers_transaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st := store.New(d)
		if err := jobs.Migrate(ctx, d); err != nil {
			t.Fatal(err)
		}
		sink, err := mail.StartSink("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		host, port, _ := net.SplitHostPort(sink.Addr())
		p, _ := strconv.Atoi(port)
		sender, err := mail.NewSender(mail.SMTPConfig{Host: host, Port: p, TLS: "none",
			From: "Cours d'adultes <ne-pas-repondre@cours.exemple>", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		client, err := jobs.New(d, st, sender, jobs.Config{Workers: 2, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		ob := outbox.New(st, client, "cours.exemple")
		alice := person(t, st, "alice@exemple.fr")

		rolledBack := errors.New("the business change failed")
		err = st.InTx(ctx, func(tx *sql.Tx) error {
			if err := ob.Keep(ctx, tx, &domain.Message{AccountID: alice.ID, Kind: "test", Subject: "Jamais envoyé", Text: "x", CreatedAt: now}); err != nil {
				return err
			}
			return rolledBack
		})
		if !errors.Is(err, rolledBack) {
			t.Fatalf("transaction: %v", err)
		}
		kept := &domain.Message{AccountID: alice.ID, Kind: "test", Subject: "Votre candidature", Text: "Bonjour", CreatedAt: now}
		if err := st.InTx(ctx, func(tx *sql.Tx) error { return ob.Keep(ctx, tx, kept) }); err != nil {
			t.Fatal(err)
		}
		if kept.ID == 0 || kept.MessageID == "" {
			t.Fatalf("kept message without ID or Message-ID: %+v", kept)
		}
		msgs, err := st.Messages(ctx, alice.ID)
		if err != nil || len(msgs) != 1 || msgs[0].Subject != "Votre candidature" {
			t.Fatalf("person's space holds %+v (%v), want only the committed message", msgs, err)
		}

		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer client.Stop(context.Background())
		got, err := sink.Wait(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Subject != "Votre candidature" || got[0].MessageID != kept.MessageID || got[0].To[0] != "alice@exemple.fr" {
			t.Fatalf("sent %+v, want the kept message to alice", got[0])
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			m, err := st.MessageByID(ctx, kept.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !m.SentAt.IsZero() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("message never marked sent")
			}
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(sink.Messages()); n != 1 {
			t.Fatalf("sink received %d emails, want 1 (the rolled-back one must never go out)", n)
		}
	})
}
