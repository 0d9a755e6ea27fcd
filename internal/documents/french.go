package documents

import (
	"strconv"
	"strings"
	"time"
)

// frenchMonths are the month names as French writes them inside a date (lower case).
var frenchMonths = [...]string{
	time.January:   "janvier",
	time.February:  "février",
	time.March:     "mars",
	time.April:     "avril",
	time.May:       "mai",
	time.June:      "juin",
	time.July:      "juillet",
	time.August:    "août",
	time.September: "septembre",
	time.October:   "octobre",
	time.November:  "novembre",
	time.December:  "décembre",
}

// FrenchDate formats the civil date of t the French way: "27 novembre 2026", and
// "1er décembre 2026" for the first day of a month (French typographic usage). The
// date is taken as given, in t's own location; the zero time gives "".
func FrenchDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	y, m, d := t.Date()
	day := strconv.Itoa(d)
	if d == 1 {
		day = "1er"
	}
	return day + " " + frenchMonths[m] + " " + strconv.Itoa(y)
}

// Spaces used by French number formatting.
const (
	narrowNoBreakSpace = "\u202f" // thousands separator
	noBreakSpace       = "\u00a0" // before the currency sign
)

// FrenchMoney formats an amount in cents as euros the French way: "1 234,50 €", with
// a narrow no-break space (U+202F) between groups of thousands and a no-break space
// (U+00A0) before the euro sign. Negative amounts start with "-".
func FrenchMoney(cents int64) string {
	var u uint64
	neg := cents < 0
	if neg {
		u = uint64(-(cents + 1)) + 1 // no overflow for math.MinInt64
	} else {
		u = uint64(cents)
	}
	digits := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.Grow(len(digits) + len(digits)/3*3 + 10)
	if neg {
		b.WriteByte('-')
	}
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += 3 {
		b.WriteString(narrowNoBreakSpace)
		b.WriteString(digits[i : i+3])
	}
	c := u % 100
	b.WriteByte(',')
	b.WriteByte(byte('0' + c/10))
	b.WriteByte(byte('0' + c%10))
	b.WriteString(noBreakSpace + "€")
	return b.String()
}
