package domain

import "time"

// The waiting lists after a published selection (SEL-4, SEL-5, CAN-1..3): a
// seat freed in a course is offered, with a deadline, to the first waiting
// candidate who can still take it; the offer is accepted, declined, expires,
// or lapses when the course's lists close three weeks after its start.

// OfferState is where an offer of a freed seat stands.
type OfferState string

const (
	OfferPending  OfferState = "pending"  // sent, the seat held for it until its deadline
	OfferAccepted OfferState = "accepted" // the candidate took the seat: admis(e)
	OfferDeclined OfferState = "declined" // the candidate said no: the next one is offered the seat
	OfferExpired  OfferState = "expired"  // no answer by the end of the deadline's day
	OfferLapsed   OfferState = "lapsed"   // the course's lists closed before an answer (SEL-4)
)

// OfferStates lists the states in the order of an offer's life.
var OfferStates = []OfferState{OfferPending, OfferAccepted, OfferDeclined, OfferExpired, OfferLapsed}

// DefaultOfferDays is how many calendar days after the day it is sent an
// offer stays open, when the session sets nothing else: sent on Monday, open
// until Wednesday 23:59:59, Paris time.
const DefaultOfferDays = 2

// MaxOfferDays bounds the session's setting: an offer open for weeks holds a
// seat nobody uses.
const MaxOfferDays = 14

// NoPlaceAfterDays is SEL-4's three weeks: from the day that many days after
// a course's first class meeting (its 22nd calendar day counting the first
// class as the first), its waiting candidatures become "en manque de place"
// and no seat of it is offered any more.
const NoPlaceAfterDays = 21

// Offer is a freed seat of a course offered to one waiting candidature.
type Offer struct {
	ID, CourseID, CandidatureID, AccountID int64
	// Redirect: the course is not the one the candidate chose but an
	// equivalent one (same formation and level) they accepted to be
	// redirected to (SEL-5).
	Redirect bool
	// Position is the candidature's place on the course's list when the
	// seat was offered.
	Position int
	// FreedBy says why the seat was free: a place given up, an offer
	// declined or expired, a withdrawal, a seat left by the selection.
	FreedBy    string
	SentAt     time.Time
	Deadline   Deadline // open until the end of that day, Paris time
	State      OfferState
	AnsweredAt time.Time // accepted, declined, expired or lapsed at
	RemindedAt time.Time // the reminder on the deadline's day, zero until sent
}

// Open reports whether the offer can still be answered at now.
func (o Offer) Open(now time.Time) bool { return o.State == OfferPending && o.Deadline.Open(now) }

// OfferDeadline is the deadline of an offer sent at sent: the end of the
// days-th calendar day after the day it was sent, Paris time.
func OfferDeadline(sent time.Time, days int) Deadline {
	y, m, d := sent.In(paris).Date()
	return DeadlineOn(y, m, d+days)
}

// ListsCloseOn is SEL-4's day for a course whose first class meeting is on
// firstClass (a civil date): from that day its waiting lists are closed.
func ListsCloseOn(firstClass time.Time) time.Time {
	y, m, d := firstClass.Date()
	return time.Date(y, m, d+NoPlaceAfterDays, 0, 0, 0, 0, time.UTC)
}

// ListsClosed reports whether, at now, a course whose first class meeting is
// on firstClass no longer offers seats (SEL-4): today, Paris time, is on or
// after ListsCloseOn. A course without a first class yet is not closed.
func ListsClosed(firstClass, now time.Time) bool {
	if firstClass.IsZero() {
		return false
	}
	return !DeadlineOf(ListsCloseOn(firstClass).AddDate(0, 0, -1)).Open(now)
}

// Seat-freeing reasons (Offer.FreedBy).
const (
	FreedGivenUp   = "given_up"      // a place given up (désistement)
	FreedDeclined  = "declined"      // an offer declined
	FreedExpired   = "expired"       // an offer expired
	FreedWithdrawn = "withdrawn"     // a candidature withdrawn by staff
	FreedUnpaid    = "unpaid"        // a learner who did not pay in time, freed by the director (PAY-1)
	FreedMoved     = "moved"         // a redirected candidate moved to a course they preferred (SEL-5)
	FreedLeft      = "left"          // a seat the selection left free, or made free by staff
	FreedDayChange = "day_change"    // a learner moved to another day (SEL-8)
	FreedClosed    = "course_closed" // an equivalent course's free seat, for the candidates of a course that did not open (SEL-6)
	FreedStruckOff = "struck_off"    // a learner struck off by the central service (ATT-3)
	FreedExcluded  = "excluded"      // a learner excluded by the trainer or the director (ATT-4)
)
