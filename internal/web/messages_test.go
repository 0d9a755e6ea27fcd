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
	const refusedText = "Ce courriel n&#39;a pas pu vous être remis"
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
