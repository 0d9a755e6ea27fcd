package e2e

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
	"cma/internal/store"
)

// TestMailOutbox_CON2_central_resends_a_refused_email walks the central
// service's "Courriels" page at desktop and phone width, axe-clean and
// without sideways scroll: from the home's tile to the emails the relay
// refused (its answer shown) and those stuck (the attempts, the last answer),
// then "Renvoyer" with a reason, after which the email goes to the demo's
// mail sink and is listed among the sent.
func TestMailOutbox_CON2_central_resends_a_refused_email(t *testing.T) {
	tools := needBrowser(t)
	base, dbURL := startServerDB(t, fixedNow)
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := store.New(d)
	// A candidate signs in once: the emails are hers.
	if p := signIn(newBrowser(t, tools), base, camillePersona); p == "/connexion" {
		t.Fatal("candidate sign-in failed")
	}
	var accountID int64
	if err := d.R.QueryRowContext(ctx, `SELECT id FROM accounts WHERE kind = 'candidate' ORDER BY id LIMIT 1`).Scan(&accountID); err != nil {
		t.Fatal(err)
	}
	keep := func(subject string, i int) int64 {
		m := &domain.Message{AccountID: accountID, Kind: "confirmation", Subject: subject, Text: "Bonjour,\n\nVos candidatures sont enregistrées.",
			MessageID: "<e2e-" + strconv.Itoa(i) + "@cours-adultes.exemple>", CreatedAt: time.Now().Add(-time.Duration(i) * 7 * time.Minute)}
		if err := st.InTx(ctx, func(tx *sql.Tx) error { return st.InsertMessage(ctx, tx, m) }); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	refused := keep("Vos 2 candidatures aux Cours d'adultes sont enregistrées", 3)
	if err := st.MarkMessageRefused(ctx, refused, time.Now(), "550 5.1.1 <camille.martin@exemple.fr>: Recipient address rejected: User unknown in local recipient table"); err != nil {
		t.Fatal(err)
	}
	stuck := keep("Votre candidature aux Cours d'adultes est annulée", 1)
	if _, err := d.W.ExecContext(ctx, `UPDATE messages SET kind = 'cancellation' WHERE id = $1`, stuck); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := st.MarkMessageFailed(ctx, stuck, time.Now(), "504 5.5.2 <vm>: Helo command rejected: need fully-qualified hostname"); err != nil {
			t.Fatal(err)
		}
	}

	for _, w := range []staffWidth{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		b := newBrowser(t, tools)
		if p := signIn(b, base, centralPersona); p != "/back-office" {
			t.Fatalf("central sign-in landed on %s", b.location())
		}
		b.emulate(w)
		b.navigate(base + "/back-office")
		label := eval[string](b, `(document.querySelector("main a[href='/back-office/courriels?etat=refuse']") || {textContent: ''}).textContent.trim()`)
		if !strings.HasPrefix(label, "1") || !strings.Contains(label, "refusé par le relais") {
			t.Errorf("central home's tile of the refused emails: %q", label)
		}
		b.activate("main a[href='/back-office/courriels?etat=refuse']", label)
		if b.h1() != "Courriels" {
			t.Fatalf("outbox page: h1 %q at %s", b.h1(), b.location())
		}
		row := "#courriel-" + strconv.FormatInt(refused, 10)
		if got := eval[string](b, `(document.querySelector('`+row+`') || {textContent: ''}).textContent`); !strings.Contains(got, "550 5.1.1") {
			t.Errorf("refused email's row without the relay's answer: %q", got)
		}
		b.checkPage(w, "the refused emails")
		shoot(b, w, "mail-refused-"+w.name)
		b.navigate(base + "/back-office/courriels")
		if got := eval[string](b, `document.querySelector('#courriel-`+strconv.FormatInt(stuck, 10)+`').textContent`); !strings.Contains(got, "Helo command rejected") || !strings.Contains(got, "Essais : 3") {
			t.Errorf("stuck email's row: %q", got)
		}
		b.checkPage(w, "the unsent emails")
		shoot(b, w, "mail-unsent-"+w.name)
	}

	b := newBrowser(t, tools)
	if p := signIn(b, base, centralPersona); p != "/back-office" {
		t.Fatalf("central sign-in landed on %s", b.location())
	}
	b.navigate(base + "/back-office/courriels?etat=refuse")
	field := "raison-" + strconv.FormatInt(refused, 10)
	b.typeInto(field, "Adresse corrigée par la personne")
	b.activate("#courriel-"+strconv.FormatInt(refused, 10)+" button[type=submit]", "Renvoyer")
	if got := eval[string](b, `(document.querySelector('main .success[role=status]') || {textContent: ''}).textContent.trim()`); !strings.Contains(got, "de nouveau dans la file") {
		t.Errorf("after Renvoyer: status %q", got)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := st.MessageByID(ctx, refused)
		if err != nil {
			t.Fatal(err)
		}
		if m.State() == domain.MessageSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("resent email still %s after 20 s (last error %q)", m.State(), m.LastError)
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.navigate(base + "/back-office/courriels?etat=envoye")
	if n := eval[int](b, `document.querySelectorAll('#courriel-`+strconv.FormatInt(refused, 10)+`').length`); n != 1 {
		t.Error("the resent email is not among the sent")
	}
	b.screenshot("mail-sent-desktop")
}

// shoot saves the page: whole at desktop width; at phone width, checked for
// sideways scroll, the screens of its top and of its list (a full-page
// capture would lay it out again at the page's width).
func shoot(b *browser, w staffWidth, name string) {
	if !w.phone {
		b.screenshot(name)
		return
	}
	// checkA11y ends at desktop width: back to the phone, nothing sideways.
	b.emulate(w)
	b.noHorizontalScroll(name)
	b.screenshotScreen(name+"-top", "")
	b.screenshotScreen(name+"-list", "courriels-liste")
}
