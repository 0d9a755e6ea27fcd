// Package waitlist moves the waiting lists a published selection leaves
// (SEL-4, SEL-5, CAN-1..3): a seat freed in a course — a place given up, an
// offer declined or expired — is offered at once, with a deadline, to the
// first waiting candidature that can still take it; the candidate accepts or
// declines with two buttons; a timer expires the offers not answered in time,
// reminds on the deadline's day, and closes a course's lists three weeks
// after its first class ("en manque de place", silently).
//
// The invariant is the seat count: accepted in the course + offers pending ≤
// capacity, kept under the course's lock (store.LockCourse) in the
// transaction that changes it, with the emails it causes queued in the same
// transaction (CON-2).
//
// Reading order: waitlist.go (the service, the offering of a seat),
// answers.go (accept, decline, give up), timer.go (expiry, reminders, SEL-4),
// space.go (what a candidate sees).
package waitlist

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"cma/internal/batch"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
)

// Errors the web layer answers with a status.
var (
	ErrForbidden = errors.New("waitlist: forbidden")
	ErrNotFound  = domain.ErrNotFound
)

// Refusal is an answer refused for a reason the person can read: a message
// key of the locales and its arguments (i18n.Keyed).
type Refusal struct {
	Key  string
	Args map[string]any
}

func (r *Refusal) Error() string               { return "waitlist: " + r.Key }
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

// Service runs the waiting lists' use cases.
type Service struct {
	store     *store.Store
	catalogue *catalogue.Service
	outbox    *outbox.Outbox
	words     *i18n.Catalog
	now       func() time.Time
	publicURL string
	log       *slog.Logger
	accepts   *batch.Batcher[*acceptReq] // Accept's batches, see acceptTogether
	moved     func(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64) error
	left      func(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error
	notOpened func(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error
}

// Deps are the service's dependencies; app wires them.
type Deps struct {
	Store     *store.Store
	Catalogue *catalogue.Service
	Outbox    *outbox.Outbox
	Words     *i18n.Catalog
	Now       func() time.Time
	PublicURL string
	Log       *slog.Logger
	// Moved, when set, is told in the same transaction that an accepted
	// learner moved to another course (a day change, a course they
	// preferred): what they owe or paid follows them and they get a new
	// learner card (PAY-3, PAY-6). App wires the payment capability's.
	Moved func(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64) error
	// Left, when set, is told in the same transaction that an accepted
	// learner gave up their place or was withdrawn by staff: what they paid
	// is not refunded here, their card stops opening the doors, a fee still
	// due is no longer asked. App wires the payment capability's.
	Left func(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error
	// NotOpened, when set, is told in the closing's transaction that an
	// accepted learner's course did not open (SEL-6): what they paid becomes
	// a refund due (REF-2). App wires the payment capability's.
	NotOpened func(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error
}

// New returns the service.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Service{store: d.Store, catalogue: d.Catalogue, outbox: d.Outbox, words: d.Words, now: d.Now,
		publicURL: strings.TrimRight(d.PublicURL, "/"), log: d.Log, moved: d.Moved, left: d.Left, notOpened: d.NotOpened}
	s.accepts = newAccepts(s)
	return s
}

// tellMoved tells Deps.Moved, when set, that a learner moved.
func (s *Service) tellMoved(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64) error {
	if s.moved == nil {
		return nil
	}
	return s.moved(ctx, tx, candidatureID, courseID)
}

// Offered is an offer made by a fill, for the caller's log and tests.
type Offered = domain.Offer

// FreeSeats offers the free seats of a course from its list, in one
// transaction: for the capabilities that free a seat (a withdrawal, later a
// non-payment or an exclusion) and for a seat the selection left free.
func (s *Service) FreeSeats(ctx context.Context, courseID int64, freedBy string) ([]Offered, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	var out []Offered
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		out = nil
		if err := s.store.LockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		out, err = s.fillTx(ctx, tx, ix, courseID, freedBy)
		return err
	})
	return out, err
}

// fillTx offers the course's free seats, the course locked by the caller:
// each to the first candidature on the list, in order, that holds no other
// pending offer and can still take it — at most three formations, never the
// same formation twice, no clash of slots with what the person holds
// (CAN-1..3, checked now, not at the candidature) —, else the next. Nothing
// is offered once the course's lists are closed (SEL-4). Each offer is told
// by email and in the person's space.
func (s *Service) fillTx(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, courseID int64, freedBy string) ([]Offered, error) {
	e, ok := ix.Course(courseID)
	if !ok {
		return nil, nil
	}
	now := s.now()
	if domain.ListsClosed(e.FirstClass, now) {
		return nil, nil
	}
	if closed, err := s.store.CourseClosedTx(ctx, tx, courseID); err != nil || closed {
		return nil, err // a course that did not open offers nothing (SEL-6)
	}
	capacity, accepted, pending, err := s.store.CourseSeats(ctx, tx, courseID)
	if err != nil {
		return nil, err
	}
	free := capacity - accepted - pending
	if free <= 0 {
		return nil, nil
	}
	line, err := s.store.WaitingLine(ctx, tx, courseID)
	if err != nil {
		return nil, err
	}
	days, err := s.store.SessionOfferDays(ctx, tx, e.SessionID)
	if err != nil {
		return nil, err
	}
	// Those who may be offered a seat, in the list's order: one seat held
	// at a time per candidature.
	queue := make([]store.WaitingEntry, 0, len(line))
	for _, w := range line {
		if !w.Pending {
			queue = append(queue, w)
		}
	}
	var out []Offered
	for free > 0 && len(queue) > 0 {
		// The next free-many of the line are each offered a seat unless
		// CAN-1..3 pass them over: they are locked, checked and offered a
		// batch at a time, as one at a time would (see nextBatch).
		batch := nextBatch(queue, free)
		queue = queue[len(batch):]
		offers, err := s.offerBatch(ctx, tx, ix, e, batch, freedBy, now, days)
		if err != nil {
			return nil, err
		}
		out = append(out, offers...)
		free -= len(offers)
	}
	return out, nil
}

// mayTake applies CAN-1..3 to course e for the person's candidature cand,
// against everything else they hold now.
func (s *Service) mayTake(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, accountID, cand int64, e *catalogue.Entry) ([]domain.Refusal, error) {
	held, err := s.store.HoldingsOf(ctx, tx, []int64{accountID})
	if err != nil {
		return nil, err
	}
	others, _ := heldApart(ix, held, cand)
	return domain.CheckAddition(others, holding(e)), nil
}

// heldApart turns what people hold (store.HoldingsOf) into the holdings
// apart from candidature cand that CAN-1..3 compare a new course with, and
// reports whether cand itself holds a pending offer.
func heldApart(ix *catalogue.Index, held []store.Holding, cand int64) (others []domain.Holding, offered bool) {
	for _, h := range held {
		if h.CandidatureID == cand {
			offered = offered || h.Offer
			continue
		}
		if c, ok := ix.Course(h.CourseID); ok {
			others = append(others, holding(c))
		}
	}
	return others, offered
}

func holding(e *catalogue.Entry) domain.Holding {
	return domain.Holding{CourseID: e.ID, FormationID: e.FormationID, CourseCode: e.Code, FormationTitle: e.Formation.Title,
		Weekday: e.Weekday, StartMinute: e.StartMinute, EndMinute: e.EndMinute}
}

// printer is the French of the emails.
func (s *Service) printer() *i18n.Printer {
	if s.words == nil {
		return nil
	}
	return s.words.Printer(i18n.French)
}

// seat describes course e to person accountID for an email.
func (s *Service) seat(ctx context.Context, tx *sql.Tx, accountID int64, e *catalogue.Entry) (mail.Seat, error) {
	person, err := s.store.AccountTx(ctx, tx, accountID)
	if err != nil {
		return mail.Seat{}, err
	}
	return s.seatFor(person.FirstName, e), nil
}

// seatFor describes course e to a person of that first name.
func (s *Service) seatFor(firstName string, e *catalogue.Entry) mail.Seat {
	p := s.printer()
	return e.Seat(firstName, s.publicURL+"/mes-candidatures", func(d time.Weekday) string {
		if p == nil {
			return d.String()
		}
		return p.T("weekday." + strconv.Itoa(int(d)))
	})
}

// longDate is a civil date as the emails write it: "mercredi 16/09/2026".
func (s *Service) longDate(d time.Time) string {
	p := s.printer()
	day := d.Weekday().String()
	if p != nil {
		day = p.T("weekday." + strconv.Itoa(int(d.Weekday())))
	}
	return day + " " + d.Format("02/01/2006")
}

// offerURL is the page of an offer, with its two buttons.
func (s *Service) offerURL(id int64) string {
	return s.publicURL + "/mes-offres/" + strconv.FormatInt(id, 10)
}

var errNoOutbox = errors.New("waitlist: no outbox to tell the candidate")

// keep writes an email in the person's space and queues it, in tx (CON-2).
func (s *Service) keep(ctx context.Context, tx *sql.Tx, accountID int64, kind, subject, text, html string) error {
	if s.outbox == nil {
		return errNoOutbox
	}
	return s.outbox.Keep(ctx, tx, &domain.Message{AccountID: accountID, Kind: kind, Subject: subject, Text: text, HTML: html,
		CreatedAt: s.now()})
}

// tellOffer sends an offer, or its reminder.
func (s *Service) tellOffer(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, o domain.Offer, reminder bool) error {
	e, ok := ix.Course(o.CourseID)
	if !ok {
		return fmt.Errorf("offer %d: course %d: %w", o.ID, o.CourseID, ErrNotFound)
	}
	st, err := s.seat(ctx, tx, o.AccountID, e)
	if err != nil {
		return err
	}
	m, err := s.offerMessage(o, st, reminder)
	if err != nil {
		return err
	}
	return s.keep(ctx, tx, m.AccountID, m.Kind, m.Subject, m.Text, m.HTML)
}

// offerMessage renders an offer's email, or its reminder, to st.
func (s *Service) offerMessage(o domain.Offer, st mail.Seat, reminder bool) (*domain.Message, error) {
	m := mail.OfferMail{Seat: st, Deadline: s.longDate(o.Deadline.Day()), Redirect: o.Redirect, OfferURL: s.offerURL(o.ID),
		CourseClosed: o.FreedBy == domain.FreedClosed}
	render, kind := mail.RenderOffer, "waitlist_offer"
	if reminder {
		render, kind = mail.RenderOfferReminder, "waitlist_reminder"
	}
	subject, text, html, err := render(m)
	if err != nil {
		return nil, err
	}
	return &domain.Message{AccountID: o.AccountID, Kind: kind, Subject: subject, Text: text, HTML: html, CreatedAt: s.now()}, nil
}
