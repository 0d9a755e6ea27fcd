package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/domain"
	"cma/internal/store"
)

// Desk is the central service's view of the outbox (ROLE-5, CON-2): the
// emails not sent yet and why, those the relay refused, those sent; and the
// resend of a refused or stuck email once the relay is fixed.
type Desk struct {
	store  *store.Store
	outbox *Outbox
	now    func() time.Time
}

// NewDesk returns the desk; o queues the resends.
func NewDesk(st *store.Store, o *Outbox, now func() time.Time) *Desk {
	return &Desk{store: st, outbox: o, now: now}
}

// Query filters the list (the store's); Listed is one email with its
// recipient; Unsent the state filter of those pending or refused.
type (
	Query  = store.OutboxQuery
	Listed = store.OutboxMessage
)

// Unsent selects the emails not sent yet, pending or refused.
const Unsent = store.OutboxUnsent

// Errors of the desk.
var (
	ErrForbidden = errors.New("outbox: not allowed")
	// ErrAlreadyResent: the email was resent or sent since the page was drawn
	// (a second click): nothing more is queued.
	ErrAlreadyResent = errors.New("outbox: already resent or sent")
	// ErrReasonRequired: a resend says why.
	ErrReasonRequired = domain.FieldError{Field: "raison", Key: "bo.mail.error.reason"}
)

// Search lists emails as q says, and how many match.
func (d *Desk) Search(ctx context.Context, actor domain.Actor, q Query) ([]Listed, int, error) {
	if !domain.Can(actor, domain.ActManageEmails, domain.Resource{}) {
		return nil, 0, ErrForbidden
	}
	return d.store.SearchOutbox(ctx, q)
}

// Counts is how many emails wait and how many were refused.
func (d *Desk) Counts(ctx context.Context, actor domain.Actor) (pending, refused int, err error) {
	if !domain.Can(actor, domain.ActManageEmails, domain.Resource{}) {
		return 0, 0, ErrForbidden
	}
	return d.store.OutboxCounts(ctx)
}

// Resend clears the refusal of message id, if any, and queues it again, in
// one transaction with its audit event (who, when, why). resends is how many
// times it had been resent when the page was drawn: a second click finds it
// changed and queues nothing (ErrAlreadyResent), so two clicks send one email.
// A message already sent is not resent.
func (d *Desk) Resend(ctx context.Context, actor domain.Actor, id int64, resends int, reason string) error {
	if !domain.Can(actor, domain.ActManageEmails, domain.Resource{}) {
		return ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return domain.FieldErrors{ErrReasonRequired}
	}
	m, err := d.store.MessageByID(ctx, id)
	if err != nil {
		return err
	}
	return d.store.InTx(ctx, func(tx *sql.Tx) error {
		ok, err := d.store.ReopenMessage(ctx, tx, id, resends)
		if err != nil {
			return err
		}
		if !ok {
			return ErrAlreadyResent
		}
		if err := d.outbox.Queue(ctx, tx, id); err != nil {
			return err
		}
		details := fmt.Sprintf("courriel « %s » %s renvoyé", m.Subject, m.MessageID)
		if m.State() == domain.MessageRefused {
			details += " après le refus du relais : " + m.RefusedReason
		} else if m.LastError != "" {
			details += fmt.Sprintf(" après %d essais, le dernier : %s", m.Attempts, m.LastError)
		}
		return d.store.RecordAudit(ctx, tx, domain.AuditEvent{At: d.now(), ActorID: actor.AccountID, Action: domain.AuditEmailResent,
			SubjectID: m.AccountID, Details: details, Reason: reason})
	})
}
