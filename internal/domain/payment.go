package domain

import (
	"fmt"
	"strings"
	"time"
)

// Enrolment and payment (PAY-1..8, CAN-9). An accepted learner's enrolment is
// confirmed by the establishment's director; the fee then becomes due, fixed
// once: the course's tariff, or half of it when the RSA/ASS/AAH proof given
// at registration was checked and accepted (CAN-9, PAY-5), whatever the day
// the learner joined (PAY-3). It is paid once (PAY-1), between the learner's
// own first and second class meetings, online by card, or at the director's
// desk by cheque or cash (PAY-2), by the learner or a third party (PAY-4).

// EnrolmentState is where an enrolment's fee stands.
type EnrolmentState string

const (
	EnrolmentDue   EnrolmentState = "due"   // confirmed, the fee not paid yet
	EnrolmentPaid  EnrolmentState = "paid"  // paid once (PAY-1): the card is issued (PAY-6)
	EnrolmentFreed EnrolmentState = "freed" // not paid in time: the director freed the seat
)

// PaymentMode is how a fee was paid.
type PaymentMode string

const (
	PayByCard   PaymentMode = "card"   // online, through PayFiP (PAY-1)
	PayByCheque PaymentMode = "cheque" // at the desk, payable to the régie (PAY-2)
	PayInCash   PaymentMode = "cash"   // at the desk, exact change, at most CashLimitCents (PAY-2)
)

// PaymentModes lists the modes in the ledger's order.
var PaymentModes = []PaymentMode{PayByCard, PayByCheque, PayInCash}

// Valid reports whether m is a known mode.
func (m PaymentMode) Valid() bool { return m == PayByCard || m == PayByCheque || m == PayInCash }

// CashLimitCents is the most a fee paid in cash may be: 300.00 EUR (PAY-2).
// A fee above it is paid by cheque or card.
const CashLimitCents = 30000

// HalfTariffDecision is the check of a half-tariff proof (CAN-9).
type HalfTariffDecision string

const (
	HalfTariffUnchecked HalfTariffDecision = ""         // claimed, not checked yet: "sous réserve de vérification"
	HalfTariffAccepted  HalfTariffDecision = "accepted" // the proof is valid: half tariff
	HalfTariffRefused   HalfTariffDecision = "refused"  // the proof is not valid (with the reason): full tariff
)

// HalfTariffCheck is a decision on a candidature's half-tariff proof.
type HalfTariffCheck struct {
	CandidatureID int64
	Decision      HalfTariffDecision
	Reason        string
	CheckedBy     int64
	CheckedAt     time.Time
}

// Fee is what a learner owes for a course (PAY-3, PAY-5, CAN-9).
type Fee struct {
	FullCents int64
	DueCents  int64
	// HalfTariff: the half tariff applies (a claim whose proof was accepted).
	HalfTariff bool
	// Pending: a half tariff was claimed and its proof not checked yet. The
	// fee cannot be paid until it is: whoever pays must pay the right amount
	// once, and nothing is refunded afterwards (PAY-5).
	Pending bool
}

// FeeFor is the fee of a course whose full tariff is fullCents for a
// candidature that claimed the half tariff (claim) and whose proof's check
// decided decision. Without a claim, or with a refused proof, the full tariff
// applies; a job seeker without those allowances pays full (PAY-5).
func FeeFor(fullCents int64, claim bool, decision HalfTariffDecision) Fee {
	f := Fee{FullCents: fullCents, DueCents: fullCents}
	if !claim {
		return f
	}
	switch decision {
	case HalfTariffAccepted:
		f.DueCents, f.HalfTariff = HalfTariff(fullCents), true
	case HalfTariffUnchecked:
		f.Pending = true
	}
	return f
}

// PaymentWindowDays is how long the fee stays payable when the course's
// calendar has no second meeting after the learner joined (the last weeks
// of a course): a week from the first.
const PaymentWindowDays = 7

// PayUntil is the last day a learner who joined on joined (a civil date) can
// pay (PAY-1): the day of their own second class meeting, the second meeting
// held on or after the day they joined, so that a learner who accepted an
// offer in week 2 has the same window as one there from the start. meetings
// are the course's held meeting dates in order (civil dates).
func PayUntil(meetings []time.Time, joined time.Time) time.Time {
	y, m, d := joined.Date()
	joined = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	var held []time.Time
	for _, day := range meetings {
		if !day.Before(joined) {
			held = append(held, day)
			if len(held) == 2 {
				return day
			}
		}
	}
	if len(held) == 1 {
		return held[0].AddDate(0, 0, PaymentWindowDays)
	}
	return joined.AddDate(0, 0, PaymentWindowDays)
}

// Enrolment is a confirmed enrolment and its fee.
type Enrolment struct {
	ID, CandidatureID, AccountID, CourseID int64
	Fee                                    Fee
	JoinedOn                               time.Time // civil date
	PayUntil                               time.Time // civil date: the learner's second meeting (PAY-1)
	ExtendedUntil                          time.Time // civil date set by the director for the learner, zero when none
	CourseExtendedUntil                    time.Time // civil date set by the director for the whole course, zero when none
	State                                  EnrolmentState
	ConfirmedAt                            time.Time
	ConfirmedBy                            int64
	FreedAt                                time.Time
	FreedReason                            string
}

// LastDay is the last day the fee can be paid: the learner's window, or
// the later of the director's extensions.
func (e Enrolment) LastDay() time.Time {
	last := e.PayUntil
	for _, ext := range []time.Time{e.ExtendedUntil, e.CourseExtendedUntil} {
		if ext.After(last) {
			last = ext
		}
	}
	return last
}

// Deadline is LastDay as the platform's deadline: open until the end of that
// day, Paris time.
func (e Enrolment) Deadline() Deadline { return DeadlineOf(e.LastDay()) }

// Payable reports whether the fee can be paid at now: due, checked, and
// the window open.
func (e Enrolment) Payable(now time.Time) bool {
	return e.State == EnrolmentDue && !e.Fee.Pending && e.Fee.DueCents > 0 && e.Deadline().Open(now)
}

// Overdue reports whether the window has passed and the fee is still due:
// the director decides (PAY-1).
func (e Enrolment) Overdue(now time.Time) bool {
	return e.State == EnrolmentDue && !e.Deadline().Open(now)
}

// Payment is the one payment of an enrolment (PAY-1).
type Payment struct {
	ID, EnrolmentID, AccountID, CourseID, EstablishmentID int64
	AmountCents                                           int64
	Mode                                                  PaymentMode
	HalfTariff                                            bool
	PayerName                                             string // a third party (PAY-4); empty when the learner paid
	IDOp, Numauto                                         string // card: PayFiP's operation and authorisation
	ChequeNumber, ChequeBank, ChequeDrawer                string
	ReceiptNumber                                         string
	RecordedBy                                            int64 // the director at the desk; 0 online
	PaidAt                                                time.Time
}

// DeskPayment is what a director records at the desk (PAY-2).
type DeskPayment struct {
	Mode         PaymentMode
	AmountCents  int64 // what was handed over
	ChequeNumber string
	ChequeBank   string
	ChequeDrawer string
	PayerName    string // a third party paying by cheque (PAY-4); empty when the learner pays
}

// CheckDeskPayment checks a desk payment of a fee of dueCents (PAY-2): a
// cheque with its number, bank and drawer, of the amount due; or cash of
// exactly the amount due, only when that amount is at most CashLimitCents.
// It returns the fields in error with their message keys.
func CheckDeskPayment(p DeskPayment, dueCents int64) []FieldError {
	var errs []FieldError
	switch p.Mode {
	case PayByCheque:
		if strings.TrimSpace(p.ChequeNumber) == "" {
			errs = append(errs, FieldError{Field: "cheque_number", Key: "payment.desk.cheque_number_required"})
		} else if len(p.ChequeNumber) > 20 || !digitsOnly(p.ChequeNumber) {
			errs = append(errs, FieldError{Field: "cheque_number", Key: "payment.desk.cheque_number_invalid"})
		}
		if strings.TrimSpace(p.ChequeBank) == "" {
			errs = append(errs, FieldError{Field: "cheque_bank", Key: "payment.desk.cheque_bank_required"})
		}
		if strings.TrimSpace(p.ChequeDrawer) == "" {
			errs = append(errs, FieldError{Field: "cheque_drawer", Key: "payment.desk.cheque_drawer_required"})
		}
		if p.AmountCents != dueCents {
			errs = append(errs, FieldError{Field: "amount", Key: "payment.desk.amount_not_due"})
		}
	case PayInCash:
		if dueCents > CashLimitCents {
			errs = append(errs, FieldError{Field: "mode", Key: "payment.desk.cash_over_limit"})
		} else if p.AmountCents != dueCents {
			errs = append(errs, FieldError{Field: "amount", Key: "payment.desk.cash_exact"})
		}
	default:
		errs = append(errs, FieldError{Field: "mode", Key: "payment.desk.mode_required"})
	}
	return errs
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// DebtReference is the reference of an enrolment's debt as PayFiP carries it
// (refdet: 6 to 30 letters and digits, unique): the same for every attempt
// to pay the same fee, so that PayFiP and the régie's accounts name one debt.
func DebtReference(sessionYear int, enrolmentID int64) string {
	return fmt.Sprintf("CMA%04dE%08d", sessionYear, enrolmentID)
}

// ReceiptNumber is the number printed on a payment's receipt: the
// establishment, the session's year and the payment, readable at the desk.
func ReceiptNumber(sessionYear int, establishmentID, paymentKey int64) string {
	return fmt.Sprintf("R%04d-%03d-%07d", sessionYear, establishmentID, paymentKey)
}

// PayFiPState is where a PayFiP operation (one attempt) stands.
type PayFiPState string

const (
	PayFiPPending   PayFiPState = "pending"   // created; PayFiP has not given a final result yet
	PayFiPPaid      PayFiPState = "paid"      // P or V: the payment is booked
	PayFiPRefused   PayFiPState = "refused"   // R or Z: the card or debit was refused
	PayFiPAbandoned PayFiPState = "abandoned" // A: the payer left the payment page
	PayFiPExpired   PayFiPState = "expired"   // no result within PayFiPOperationLife
	PayFiPMismatch  PayFiPState = "mismatch"  // paid, but the amount or the reference differs from the debt: flagged, not booked
)

// PayFiPIDOpLife is how long PayFiP's payment page accepts an idOp: a new
// attempt needs a new one.
const PayFiPIDOpLife = 15 * time.Minute

// PayFiPOperationLife is how long an operation may stay without a final
// result before it is held expired: PayFiP's idOp lives 15 minutes, and a
// result "not known yet" (P5) or "abandoned" (A) may still change for a while
// after it; past this, reconciliation stops asking.
const PayFiPOperationLife = 30 * time.Minute

// PayFiPOperation is one attempt to pay a fee online.
type PayFiPOperation struct {
	IDOp        string
	EnrolmentID int64
	Refdet      string
	AmountCents int64
	Mel         string
	PayerName   string // a third party through a payment link (PAY-4)
	LinkID      int64
	State       PayFiPState
	Resultrans  string
	CreatedAt   time.Time
	SettledAt   time.Time
	Note        string
}

// LedgerEntry is one line of the régie's append-only journal.
type LedgerEntry struct {
	ID              int64
	EstablishmentID int64
	Day             time.Time // the Paris civil day it was written
	Mode            PaymentMode
	Kind            string // "payment", later "refund", "correction"
	AmountCents     int64  // signed: a refund is negative
	PaymentID       int64
	Reference       string
	Label           string
	RecordedAt      time.Time
	RecordedBy      int64
}

// Ledger entry kinds.
const (
	LedgerPayment    = "payment"
	LedgerRefund     = "refund"
	LedgerCorrection = "correction"
)

// LearnerCard is a learner card (PAY-6): one valid per enrolment; a reprint
// revokes the previous one.
type LearnerCard struct {
	ID, EnrolmentID, CourseID int64
	Number                    string
	Reprint                   int
	IssuedAt                  time.Time
	IssuedBy                  int64
	RevokedAt                 time.Time
	RevokedReason             string
}

// CardNumber is the number printed on a learner card: the session's year,
// the enrolment and the print (0 first, then each reprint).
func CardNumber(sessionYear int, enrolmentID int64, reprint int) string {
	return fmt.Sprintf("%04d-%07d-%d", sessionYear, enrolmentID, reprint)
}

// RefundReason says why a payment is to be given back (REF-2).
type RefundReason string

// RefundCourseNotOpened: the course did not open (SEL-6).
const RefundCourseNotOpened RefundReason = "course_not_opened"

// RefundState is where a refund due stands.
type RefundState string

const (
	RefundDueState RefundState = "due"       // to be paid back, the whole amount, to whoever paid
	RefundCanceled RefundState = "cancelled" // the payment followed the learner into an equivalent course (PAY-3)
)

// RefundDue is a payment to give back in full to its payer (REF-2): one per
// payment, never two.
type RefundDue struct {
	ID, PaymentID, EnrolmentID, AccountID, CourseID, EstablishmentID int64
	AmountCents                                                      int64
	PayerName                                                        string // who paid: the third party, or the learner's name
	Mode                                                             PaymentMode
	PaidAt                                                           time.Time
	Reason                                                           RefundReason
	State                                                            RefundState
	CreatedAt                                                        time.Time
	CreatedBy                                                        int64
	CancelledAt                                                      time.Time
	CancelledReason                                                  string
	// FirstName and LastName are the learner's, CourseCode the course's:
	// what the lists show.
	FirstName, LastName, CourseCode string
}
