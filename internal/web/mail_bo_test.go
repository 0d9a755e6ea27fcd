package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/outbox"
)

// TestMailPage_CON2_lists_why_and_resends_once: the central service's
// "Courriels" page lists the emails not sent with why (the relay's answers),
// the sent ones under their filter, offers "Renvoyer" on the refused and the
// stuck ones, takes a resend with its reason once (a second click changes
// nothing), and is the central service's only; its home has the tiles.
func TestMailPage_CON2_lists_why_and_resends_once(t *testing.T) {
	ctx := context.Background()
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	acc := site.candidate(t, "courriels")
	central := site.session(t, site.central(t))
	keep := func(subject string) int64 {
		m := &domain.Message{AccountID: acc.ID, Kind: "confirmation", Subject: subject, Text: "Corps du courriel",
			MessageID: "<" + subject + "@cours.exemple>", CreatedAt: inputToday.Add(-time.Hour)}
		if err := site.st.InTx(ctx, func(tx *sql.Tx) error { return site.st.InsertMessage(ctx, tx, m) }); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	refused, stuck, sent := keep("refuse"), keep("bloque"), keep("envoye")
	if err := site.st.MarkMessageRefused(ctx, refused, inputToday, "550 5.1.1 Recipient address rejected: User unknown"); err != nil {
		t.Fatal(err)
	}
	if err := site.st.MarkMessageFailed(ctx, stuck, inputToday, "504 5.5.2 <vm>: Helo command rejected: need fully-qualified hostname"); err != nil {
		t.Fatal(err)
	}
	if err := site.st.MarkMessagesSent(ctx, []int64{sent}, inputToday); err != nil {
		t.Fatal(err)
	}

	res, page := site.get(t, "/back-office/courriels", central)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /back-office/courriels: %d\n%s", res.StatusCode, page)
	}
	for _, want := range []string{"550 5.1.1 Recipient address rejected: User unknown", "Helo command rejected", "2 courriels",
		`action="/back-office/courriels/` + itoa64(refused) + `/renvoyer"`, `action="/back-office/courriels/` + itoa64(stuck) + `/renvoyer"`} {
		if !strings.Contains(page, want) {
			t.Errorf("unsent emails: page without %q", want)
		}
	}
	if strings.Contains(page, "courriel-"+itoa64(sent)+`"`) {
		t.Error("the sent email is among the unsent")
	}
	if _, page := site.get(t, "/back-office/courriels?etat=envoye", central); !strings.Contains(page, "courriel-"+itoa64(sent)+`"`) ||
		strings.Contains(page, "courriel-"+itoa64(refused)+`"`) || strings.Contains(page, "/renvoyer") {
		t.Error("sent filter: want the sent email only, without a resend")
	}
	if res, _ := site.get(t, "/back-office/courriels", site.session(t, acc)); res.StatusCode != http.StatusForbidden {
		t.Errorf("a candidate on the outbox page: %d, want 403", res.StatusCode)
	}
	if _, home := site.get(t, "/back-office", central); !strings.Contains(home, `href="/back-office/courriels?etat=refuse"`) {
		t.Error("the central service's home has no tile for the refused emails")
	}

	path := "/back-office/courriels/" + itoa64(refused) + "/renvoyer"
	form := url.Values{"renvois": {"0"}, "retour": {"/back-office/courriels?etat=refuse"}}
	if res, page := site.postForm(t, path, form, central); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(page, "Indiquez pourquoi vous renvoyez ce courriel") {
		t.Errorf("resend without a reason: %d, want 400 with the field's error", res.StatusCode)
	}
	form.Set("raison-"+itoa64(refused), "relais réparé")
	res, _ = site.postForm(t, path, form, central)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "fait=renvoye") || !strings.Contains(loc, "etat=refuse") {
		t.Fatalf("resend: %d to %q, want 303 back to the list with its filter", res.StatusCode, loc)
	}
	res, _ = site.postForm(t, path, form, central)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "fait=deja") {
		t.Errorf("second click: %d to %q, want 303 saying it was already resent", res.StatusCode, loc)
	}
	m, err := site.st.MessageByID(ctx, refused)
	if err != nil {
		t.Fatal(err)
	}
	if m.State() != domain.MessagePending || m.Resends != 1 {
		t.Errorf("after two clicks: %s, resent %d times; want pending, once", m.State(), m.Resends)
	}
	form.Set("retour", "https://ailleurs.exemple/")
	res, _ = site.postForm(t, "/back-office/courriels/"+itoa64(stuck)+"/renvoyer", url.Values{"renvois": {"0"},
		"raison-" + itoa64(stuck): {"HELO corrigé"}, "retour": {"https://ailleurs.exemple/"}}, central)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/back-office/courriels?") {
		t.Errorf("resend with a foreign return address went to %q", loc)
	}
}

// TestMetrics_CON2_the_email_counters_are_served: the email worker's counters
// given to the server are at /metrics, each failure kind from zero.
func TestMetrics_CON2_the_email_counters_are_served(t *testing.T) {
	m := outbox.NewMetrics()
	srv, err := New(Deps{Metrics: m.Collectors()})
	if err != nil {
		t.Fatal(err)
	}
	m.Sent.Inc()
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{"cma_emails_sent_total 1", `cma_email_failures_total{kind="refused"} 0`, `cma_email_failures_total{kind="retryable"} 0`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics without %q", want)
		}
	}
}
