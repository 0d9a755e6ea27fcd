package outbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/outbox"
	"cma/internal/store"
)

// TestDesk_CON2_resend_is_audited_and_sends_once: once the relay is fixed,
// the central service's resend of a refused email clears the refusal, queues
// one job in the transaction of its audit event (who, why), and a second
// click on the same page queues nothing; the email then goes once. Nobody
// else may resend.
func TestDesk_CON2_resend_is_audited_and_sends_once(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e := newWorkerEnv(t, d)
		m := keepOne(t, ctx, e, "inconnu@exemple.fr")
		e.relay.setRefusal("inconnu@exemple.fr", refusedForGood)
		if err := attempt(ctx, e.worker, m.ID); err != nil {
			t.Fatal(err)
		}
		e.relay.setRefusal("inconnu@exemple.fr", nil)

		central := person(t, e.st, "central@ville.exemple")
		actor := domain.Actor{AccountID: central.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
		desk := outbox.NewDesk(e.st, outbox.New(e.st, e.client, "cours.exemple"), func() time.Time { return now })
		helpdesk := domain.Actor{AccountID: central.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleHelpDesk}}}
		if err := desk.Resend(ctx, helpdesk, m.ID, 0, "relais réparé"); !errors.Is(err, outbox.ErrForbidden) {
			t.Errorf("help desk resend: %v, want forbidden", err)
		}
		var ferrs domain.FieldErrors
		if err := desk.Resend(ctx, actor, m.ID, 0, "  "); !errors.As(err, &ferrs) {
			t.Errorf("resend without a reason: %v, want a field error", err)
		}
		if err := desk.Resend(ctx, actor, m.ID, 0, "relais réparé"); err != nil {
			t.Fatal(err)
		}
		if err := desk.Resend(ctx, actor, m.ID, 0, "relais réparé"); !errors.Is(err, outbox.ErrAlreadyResent) {
			t.Errorf("second click: %v, want ErrAlreadyResent", err)
		}
		queued, err := e.client.JobList(ctx, river.NewJobListParams().Kinds(outbox.SendEmailArgs{}.Kind()))
		if err != nil {
			t.Fatal(err)
		}
		if len(queued.Jobs) != 2 {
			t.Fatalf("%d email jobs after a refusal and two clicks, want 2 (the first, one resend)", len(queued.Jobs))
		}
		got, err := e.st.MessageByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State() != domain.MessagePending || got.Resends != 1 {
			t.Errorf("resent message: %s, resent %d times; want pending, 1", got.State(), got.Resends)
		}
		events, _, err := e.st.SearchAudit(ctx, store.AuditQuery{Action: domain.AuditEmailResent})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].ActorID != central.ID || events[0].Reason != "relais réparé" ||
			events[0].SubjectID != m.AccountID || !strings.Contains(events[0].Details, "550 5.1.1") {
			t.Errorf("audit events %+v, want one resend by the central service with its reason and the refusal", events)
		}
		for range 2 { // the resend's job, and any other attempt: one email
			if err := attempt(ctx, e.worker, m.ID); err != nil {
				t.Fatal(err)
			}
		}
		if tried, delivered := e.relay.counts("inconnu@exemple.fr"); tried != 2 || delivered != 1 {
			t.Errorf("tried %d, delivered %d; want 2 (the refusal, the resend) and 1", tried, delivered)
		}
		pending, refused, err := desk.Counts(ctx, actor)
		if err != nil || pending != 0 || refused != 0 {
			t.Errorf("counts after the resend: %d pending, %d refused, %v", pending, refused, err)
		}
	})
}
