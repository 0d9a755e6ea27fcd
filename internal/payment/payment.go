// Package payment owns what a learner pays (PAY-1..8, CAN-9): the director
// confirms an accepted learner's enrolment and the fee becomes due — the
// course's tariff, or half of it once the RSA/ASS/AAH proof given at
// registration was checked and accepted —, payable once between the
// learner's own first and second class meetings; online by card through
// PayFiP, the DGFiP's payment service, or at the director's desk by cheque
// or cash. Every payment is one transaction that marks the enrolment paid,
// writes the payment, its entry in the régie's append-only journal, the
// learner card and the email that tells it (CON-2).
//
// Money is where a public service is audited: a PayFiP notification replayed,
// raced by the browser's return, or lost (reconciliation asks PayFiP about
// every pending operation) books exactly one payment, and a result whose
// amount or reference differs from the debt books nothing and is flagged.
//
// Reading order: payment.go (the service), enrolment.go (confirmations, proof
// checks, windows), online.go (PayFiP), desk.go (cheque and cash), card.go
// (learner cards and their signed tokens), space.go (what a learner sees).
package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/payfip"
	"cma/internal/store"
	"cma/internal/waitlist"
)

// Errors the web layer answers with a status.
var (
	ErrForbidden = errors.New("payment: forbidden")
	ErrNotFound  = domain.ErrNotFound
)

// Refusal is a step refused for a reason the person can read: a message key
// of the locales and its arguments (i18n.Keyed).
type Refusal struct {
	Key  string
	Args map[string]any
}

func (r *Refusal) Error() string               { return "payment: " + r.Key }
func (r *Refusal) MessageKey() string          { return r.Key }
func (r *Refusal) MessageArgs() map[string]any { return r.Args }

func refuse(key string, kv ...any) *Refusal {
	r := &Refusal{Key: key}
	if len(kv) > 0 {
		r.Args = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Args[kv[i].(string)] = kv[i+1]
		}
	}
	return r
}

// Service runs enrolment and payment.
type Service struct {
	store     *store.Store
	catalogue *catalogue.Service
	outbox    *outbox.Outbox
	words     *i18n.Catalog
	payfip    *payfip.Client
	waitlist  *waitlist.Service
	now       func() time.Time
	publicURL string
	log       *slog.Logger
}

// Deps are the service's dependencies; app wires them.
type Deps struct {
	Store     *store.Store
	Catalogue *catalogue.Service
	Outbox    *outbox.Outbox
	Words     *i18n.Catalog
	// PayFiP is the client of the payment service (or of its simulator in
	// demo mode and tests); nil when online payment is not set up, and then
	// only the desk takes payments.
	PayFiP *payfip.Client
	// Waitlist offers the seat of a learner freed for not paying (PAY-1).
	Waitlist  *waitlist.Service
	Now       func() time.Time
	PublicURL string
	Log       *slog.Logger
}

// New returns the service.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, catalogue: d.Catalogue, outbox: d.Outbox, words: d.Words, payfip: d.PayFiP, waitlist: d.Waitlist, now: d.Now,
		publicURL: strings.TrimRight(d.PublicURL, "/"), log: d.Log}
}

// refusedTo records in the audit trail a payment request refused as
// tampering: an enrolment that is not the actor's (an ID changed in a
// page's address or form), a desk payment outside the director's
// establishment, an amount that is not the one due. It returns err, so that
// the caller refuses with it; the line is written in its own transaction
// (the refused one writes nothing).
func (s *Service) refusedTo(ctx context.Context, actor domain.Actor, subject, courseID int64, what string, err error) error {
	if werr := s.store.InTx(ctx, func(tx *sql.Tx) error {
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditPaymentRefused,
			SubjectID: subject, ObjectKind: domain.AuditObjectCourse, ObjectID: courseID, Details: what})
	}); werr != nil {
		s.log.Error("payment: the refused request is not in the audit trail", "actor", actor.AccountID, "what", what, "err", werr)
	}
	return err
}

// staffCourse finds a course and checks that actor may act on it.
func (s *Service) staffCourse(ctx context.Context, actor domain.Actor, act domain.Action, courseID int64) (*catalogue.Index, *catalogue.Entry, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, nil, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return nil, nil, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	if !domain.Can(actor, act, courseResource(e)) {
		return nil, nil, ErrForbidden
	}
	return ix, e, nil
}

func courseResource(e *catalogue.Entry) domain.Resource {
	return domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}
}

func (s *Service) printer() *i18n.Printer {
	if s.words == nil {
		return nil
	}
	return s.words.Printer(i18n.French)
}

func (s *Service) weekday(d time.Weekday) string {
	if p := s.printer(); p != nil {
		return p.T("weekday." + strconv.Itoa(int(d)))
	}
	return d.String()
}

// seat describes course e to person accountID for an email.
func (s *Service) seat(ctx context.Context, tx *sql.Tx, accountID int64, e *catalogue.Entry) (mail.Seat, error) {
	person, err := s.store.AccountTx(ctx, tx, accountID)
	if err != nil {
		return mail.Seat{}, err
	}
	return e.Seat(person.FirstName, s.publicURL+"/mes-candidatures", s.weekday), nil
}

// longDate is a civil date as the emails and pages write it: "mardi 22/09/2026".
func (s *Service) longDate(d time.Time) string {
	return s.weekday(d.Weekday()) + " " + d.Format("02/01/2006")
}

var errNoOutbox = errors.New("payment: no outbox to tell the learner")

// keep writes an email in the person's space and queues it, in tx (CON-2).
func (s *Service) keep(ctx context.Context, tx *sql.Tx, accountID int64, kind, subject, text, html string) error {
	if s.outbox == nil {
		return errNoOutbox
	}
	return s.outbox.Keep(ctx, tx, &domain.Message{AccountID: accountID, Kind: kind, Subject: subject, Text: text, HTML: html,
		CreatedAt: s.now()})
}

// audit writes a staff step, ev with its Action, subject, details and
// reason, in the audit trail, about a course.
func (s *Service) audit(ctx context.Context, tx *sql.Tx, actor domain.Actor, courseID int64, ev domain.AuditEvent) error {
	ev.At, ev.ActorID, ev.ObjectKind, ev.ObjectID = s.now(), actor.AccountID, domain.AuditObjectCourse, courseID
	return s.store.RecordAudit(ctx, tx, ev)
}
