package domain

import "time"

// The régie's journal (PAY-1, PAY-2): every payment, and later every refund,
// is an entry that is never changed; each day's entries are closed per
// establishment and mode by the director who holds the cash and cheques.

// LedgerTotal is one day's entries of one mode in an establishment: how many
// and their sum, in cents (signed: a refund counts negative).
type LedgerTotal struct {
	EstablishmentID int64
	Day             time.Time
	Mode            PaymentMode
	Entries         int
	TotalCents      int64
}

// LedgerClosing is a day closed for one mode and signed by the director:
// the count and total of its entries when it was signed.
type LedgerClosing struct {
	EstablishmentID int64
	Day             time.Time
	Mode            PaymentMode
	Entries         int
	TotalCents      int64
	SignedBy        int64
	SignedByName    string
	SignedAt        time.Time
}

// LedgerDayClosable reports whether a civil day (at 00:00 UTC, as the
// journal writes days) may be closed at now: only a day before today in
// Paris, so that no payment can still be written on it.
func LedgerDayClosable(day, now time.Time) bool {
	y, m, d := now.In(Paris()).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return day.Before(today)
}

// MaxLedgerDays bounds the days one ledger page or export spans: a school
// year and a little.
const MaxLedgerDays = 400
