package web

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// TestMessages_CON2_a_refused_email_says_so_in_the_space: an email the relay
// refused for good is still kept in the person's space, which says that it was
// not delivered; a sent one does not.
func TestMessages_CON2_a_refused_email_says_so_in_the_space(t *testing.T) {
	ctx := context.Background()
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	acc := site.candidate(t, "refusee")
	session := site.session(t, acc)
	keep := func(subject string) int64 {
		m := &domain.Message{AccountID: acc.ID, Kind: "confirmation", Subject: subject, Text: "Bonjour",
			MessageID: "<" + subject + "@cours.exemple>", CreatedAt: time.Now()}
		if err := site.st.InTx(ctx, func(tx *sql.Tx) error { return site.st.InsertMessage(ctx, tx, m) }); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	const refusedText = "Ce courriel n&#39;a pas pu vous être envoyé"
	if err := site.st.MarkMessagesSent(ctx, []int64{keep("envoye")}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, page := site.get(t, "/mes-candidatures", session); !strings.Contains(page, "envoye") || strings.Contains(page, refusedText) {
		t.Fatalf("space with a sent email: want it without the refusal notice\n%s", page)
	}
	if err := site.st.MarkMessageRefused(ctx, keep("refuse"), time.Now(), "550 5.1.1 Mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	_, page := site.get(t, "/mes-candidatures", session)
	if n := strings.Count(page, refusedText); n != 1 {
		t.Fatalf("space shows the refusal notice %d times, want once (the refused email)\n%s", n, page)
	}
}

// TestConfirmationPage_CAN4_says_email_will_be_sent: after a validation the
// page says the confirmation email "va vous être envoyé" while it waits in the
// outbox, "vous a été envoyé le …" once sent, and that it could not be (the
// service told) when refused; the copy is on the page each time, and each
// copy in "Mes courriels" says the same of itself.
func TestConfirmationPage_CAN4_says_email_will_be_sent(t *testing.T) {
	ctx := context.Background()
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	acc := site.candidate(t, "confirmee")
	session := site.session(t, acc)
	m := &domain.Message{AccountID: acc.ID, Kind: "confirmation", Subject: "Vos candidatures", Text: "Copie du courriel de confirmation",
		MessageID: "<confirmation@cours.exemple>", CreatedAt: time.Now()}
	if err := site.st.InTx(ctx, func(tx *sql.Tx) error { return site.st.InsertMessage(ctx, tx, m) }); err != nil {
		t.Fatal(err)
	}
	check := func(state string, want ...string) {
		t.Helper()
		_, page := site.get(t, "/mes-candidatures?valide=1", session)
		for _, w := range append(want, "Copie du courriel de confirmation") {
			if !strings.Contains(page, w) {
				t.Errorf("%s: page without %q\n%s", state, w, page)
			}
		}
		if state != "pending" && strings.Contains(page, "va vous être envoyé") {
			t.Errorf("%s: the page still says the email will be sent", state)
		}
	}
	check("pending", "Un courriel de confirmation va vous être envoyé ; sa copie est ci-dessous.", "Ce courriel va vous être envoyé.")

	at := time.Date(2026, 9, 1, 8, 5, 0, 0, time.UTC) // 10h05 in Paris
	if err := site.st.MarkMessageRefused(ctx, m.ID, at, "550 5.1.1 Mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	check("refused", "Le courriel de confirmation n&#39;a pas pu vous être envoyé", "le service des cours d&#39;adultes a été prévenu")

	if err := site.st.InTx(ctx, func(tx *sql.Tx) error { _, err := site.st.ReopenMessage(ctx, tx, m.ID, 0); return err }); err != nil {
		t.Fatal(err)
	}
	if err := site.st.MarkMessagesSent(ctx, []int64{m.ID}, at); err != nil {
		t.Fatal(err)
	}
	check("sent", "Un courriel de confirmation vous a été envoyé le 1er septembre 2026 à 10h05 ; sa copie est ci-dessous.",
		"Envoyé le 1er septembre 2026 à 10h05.")
}
