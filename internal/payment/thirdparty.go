package payment

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// A third party pays in the learner's place (PAY-4): a social worker, a
// works council or an association. The learner makes a payment link from
// "historique et paiement" and hands it over; whoever opens it sees whose
// fee it is and how much, gives their name and email, and pays by card
// through PayFiP. The link is a bearer secret: 256 random bits, of which the
// platform keeps only the SHA-256, so that a copy of the database pays
// nothing. It is found by that hash (one indexed lookup), never by comparing
// against a list.
//
// A link works once (used when its payment is booked), until the
// enrolment's last day to pay, and only while the fee is due: paid at the
// desk or online meanwhile, it is dead. Only an enrolment's newest link is
// live: making a new one replaces the previous, so that a link sent to the
// wrong address can be withdrawn by making another.

// LinkPath is where a payment link leads: the third party's public page.
const LinkPath = "/paiement-tiers/"

// linkTokenBytes is the token's randomness: 256 bits, beyond guessing.
const linkTokenBytes = 32

// MaxPayerName bounds the third party's name, printed on every document.
const MaxPayerName = 120

// NewLink is a payment link just made: Token and URL are shown once and
// never again (the platform keeps only the token's hash).
type NewLink struct {
	Token string
	URL   string
	Link  store.PaymentLink
	// Until is the last day the link works (the enrolment's window).
	Until time.Time
}

// CreateLink makes a payment link for one of the learner's own fees
// payable now (ROLE-1, PAY-4); the enrolment's previous link, if unused,
// stops working. The learner's own act: not audited.
func (s *Service) CreateLink(ctx context.Context, actor domain.Actor, enrolmentID int64) (NewLink, error) {
	en, err := s.ownEnrolment(ctx, actor, enrolmentID)
	if err != nil {
		return NewLink{}, err
	}
	if s.payfip == nil {
		return NewLink{}, refuse("payment.online.unavailable")
	}
	if err := s.payableNow(ctx, en); err != nil {
		return NewLink{}, err
	}
	raw := make([]byte, linkTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return NewLink{}, fmt.Errorf("payment link: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	l := store.PaymentLink{EnrolmentID: en.ID, TokenHash: linkHash(token), CreatedAt: s.now()}
	if err := s.store.InTx(ctx, func(tx *sql.Tx) error { return s.store.InsertLink(ctx, tx, &l) }); err != nil {
		return NewLink{}, err
	}
	return NewLink{Token: token, URL: s.LinkURL(token), Link: l, Until: en.LastDay()}, nil
}

// LinkURL is the address a payment link carries.
func (s *Service) LinkURL(token string) string { return s.publicURL + LinkPath + token }

// linkHash is what is kept of a token: its SHA-256, in hex.
func linkHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ownEnrolment reads an enrolment of the actor's own (ROLE-1): not found
// for an ID that does not exist, forbidden for someone else's.
func (s *Service) ownEnrolment(ctx context.Context, actor domain.Actor, enrolmentID int64) (domain.Enrolment, error) {
	en, err := s.store.Enrolment(ctx, nil, enrolmentID)
	if errors.Is(err, store.ErrNotFound) {
		return en, fmt.Errorf("enrolment %d: %w", enrolmentID, ErrNotFound)
	}
	if err != nil {
		return en, err
	}
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: en.AccountID}) {
		return en, s.refusedTo(ctx, actor, en.AccountID, en.CourseID, "inscription "+strconv.FormatInt(en.ID, 10)+" d'une autre personne", ErrForbidden)
	}
	return en, nil
}

// LinkView is what a payment link's page shows the third party. The
// learner is named by first name and the initial of the last name: enough
// for the payer to know they pay for the right person, while a link
// forwarded or left in a mailbox does not give away a full identity.
type LinkView struct {
	Link        store.PaymentLink
	Enrolment   domain.Enrolment
	Course      *catalogue.Entry
	Learner     string // "Amina D."
	AmountCents int64
	Until       time.Time // the last day the link works
}

// OpenLink reads the fee a payment link pays. ErrNotFound for a token
// nobody made; a Refusal (with the view filled in as far as it is known)
// for a link that no longer works: used, replaced by a newer one, the fee
// paid another way, or the window passed.
func (s *Service) OpenLink(ctx context.Context, token string) (LinkView, error) {
	if token == "" || len(token) > 100 {
		return LinkView{}, ErrNotFound
	}
	l, err := s.store.LinkByHash(ctx, linkHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return LinkView{}, ErrNotFound
	}
	if err != nil {
		return LinkView{}, err
	}
	en, err := s.store.Enrolment(ctx, nil, l.EnrolmentID)
	if err != nil {
		return LinkView{}, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return LinkView{}, err
	}
	e, err := courseOf(ix, en)
	if err != nil {
		return LinkView{}, err
	}
	person, err := s.store.Account(ctx, en.AccountID)
	if err != nil {
		return LinkView{}, err
	}
	v := LinkView{Link: l, Enrolment: en, Course: e, Learner: shortName(person.FirstName, person.LastName),
		AmountCents: en.Fee.DueCents, Until: en.LastDay()}
	latest, _, err := s.store.LatestLink(ctx, nil, en.ID)
	if err != nil {
		return v, err
	}
	switch {
	case !l.UsedAt.IsZero():
		return v, refuse("payment.link.used")
	case en.State == domain.EnrolmentPaid:
		return v, refuse("payment.link.paid")
	case latest.ID != l.ID:
		return v, refuse("payment.link.replaced")
	case en.State == domain.EnrolmentFreed || !en.Deadline().Open(s.now()):
		return v, refuse("payment.link.expired", "Until", en.LastDay().Format("02/01/2006"))
	case en.Fee.Pending:
		return v, refuse("payment.half_pending")
	}
	return v, nil
}

// shortName is a first name and the initial of the last: "Amina D.".
func shortName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if r, _ := utf8.DecodeRuneInString(last); r != utf8.RuneError {
		return first + " " + strings.ToUpper(string(r)) + "."
	}
	return first
}

// PayByLink starts the third party's card payment through PayFiP: the
// payer's name (required: it is printed on the receipt and the
// attestations) and email (PayFiP sends its ticket there). The amount is
// the enrolment's, never anything the payer sends. Field errors name the
// fields "payer" and "email".
func (s *Service) PayByLink(ctx context.Context, token, payerName, email string) (Started, error) {
	v, err := s.OpenLink(ctx, token)
	if err != nil {
		return Started{}, err
	}
	payerName = strings.Join(strings.Fields(payerName), " ")
	email = strings.TrimSpace(email)
	var errs domain.FieldErrors
	switch n := utf8.RuneCountInString(payerName); {
	case n == 0:
		errs = append(errs, domain.FieldError{Field: "payer", Key: "payment.link.payer.required"})
	case n > MaxPayerName:
		errs = append(errs, domain.FieldError{Field: "payer", Key: "payment.link.payer.too_long", Args: map[string]any{"Max": MaxPayerName}})
	}
	if !validPayerEmail(email) {
		errs = append(errs, domain.FieldError{Field: "email", Key: "payment.link.email.invalid"})
	}
	if len(errs) > 0 {
		return Started{}, errs
	}
	return s.startOnline(ctx, v.Enrolment, email, payerName, v.Link.ID)
}

// validPayerEmail is what PayFiP takes as mel: 6 to 80 characters, one
// address, no name around it.
func validPayerEmail(s string) bool {
	if len(s) < 6 || len(s) > 80 || strings.ContainsAny(s, " \t<>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Count(s, "@") == 1
}

// LiveLink reads an enrolment's link that still works, for its learner's
// page; ok is false when there is none (never made, used, or the fee no
// longer payable).
func (s *Service) LiveLink(ctx context.Context, actor domain.Actor, enrolmentID int64) (store.PaymentLink, bool, error) {
	en, err := s.ownEnrolment(ctx, actor, enrolmentID)
	if err != nil {
		return store.PaymentLink{}, false, err
	}
	l, ok, err := s.store.LatestLink(ctx, nil, en.ID)
	if err != nil || !ok {
		return l, false, err
	}
	return l, l.UsedAt.IsZero() && en.Payable(s.now()), nil
}
