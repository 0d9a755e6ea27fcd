package domain

import (
	"strings"
	"time"
	"unicode"
)

// AccountKind separates the people who apply from the people who work.
type AccountKind string

const (
	AccountCandidate AccountKind = "candidate" // candidate or learner (ROLE-1)
	AccountStaff     AccountKind = "staff"     // any staff role (ROLE-2..7)
)

// AccountStatus says whether an account may be used.
type AccountStatus string

const (
	StatusActive   AccountStatus = "active"
	StatusHeld     AccountStatus = "held"     // probable duplicate waiting for staff review (ACC-3)
	StatusDisabled AccountStatus = "disabled" // staff account switched off
	StatusMerged   AccountStatus = "merged"   // a duplicate merged into another account; kept for the record
)

// Address is a postal address (ACC-4).
type Address struct {
	Line1, Line2, PostalCode, City, Country string // Country is an ISO 3166 alpha-2 code, "FR" by default
}

// Account is one person on the platform. A candidate's identity comes from the
// city's sign-on (ACC-3); names are changed only by staff (ACC-4).
type Account struct {
	ID           int64
	Kind         AccountKind
	Status       AccountStatus
	Email        string
	FirstName    string
	LastName     string
	BirthDate    time.Time // civil date, zero when unknown
	Phone        string    // E.164, "" when none
	Address      Address
	CreatedAt    time.Time
	SessionEpoch int64 // bumped by "sign out everywhere": older sessions stop working

	// Staff only.
	PasswordHash string
	TOTPSecret   string // required for the central service's password sign-in
	TOTPLastStep int64
	Grants       []Grant
}

// MayValidate reports whether the account may validate candidatures. An
// account held as a probable duplicate may browse and fill its basket, but
// validates nothing until staff merge it or dismiss the suspicion: otherwise
// one person would hold, across two accounts, more than CAN-1 and CAN-2 allow
// (ACC-3).
func (a Account) MayValidate() bool { return a.Status == StatusActive }

// FullName is "First LAST" as French administrations write it.
func (a Account) FullName() string {
	return strings.TrimSpace(a.FirstName + " " + strings.ToUpper(a.LastName))
}

// AgeOn is the age in whole years on a civil date (ACC-1).
func AgeOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		age--
	}
	return age
}

// AdultAge is the minimum age on the day of a course's first class (ACC-1).
const AdultAge = 18

// IdentityKey is what makes two accounts the same physical person when their
// sign-on subjects differ: last name, first name and birth date, folded (ACC-3).
// It is empty when the birth date is unknown: no guess is made then.
func IdentityKey(lastName, firstName string, birth time.Time) string {
	if birth.IsZero() || SearchKey(lastName) == "" {
		return ""
	}
	return SearchKey(lastName) + "|" + SearchKey(firstName) + "|" + birth.Format(time.DateOnly)
}

// The errors of NormalizePhone and CheckAddress, bound to the logical fields of
// a person's contact details (ACC-4).
var (
	ErrInvalidPhone             = FieldError{Field: "phone", Key: "person.error.phone"}
	ErrInvalidPostalCode        = FieldError{Field: "postal_code", Key: "person.error.postal_code"}
	ErrInvalidForeignPostalCode = FieldError{Field: "postal_code", Key: "person.error.postal_code_foreign"}
	ErrInvalidCountry           = FieldError{Field: "country", Key: "person.error.country"}
	ErrAddressIncomplete        = FieldError{Field: "address", Key: "person.error.address_incomplete"}
	ErrAddressTooLong           = FieldError{Field: "address", Key: "person.error.address_too_long"}
)

// NormalizePhone accepts a French number (10 digits starting with 0, or +33) or
// an international one (+ and 8 to 15 digits), with spaces, dots, dashes or
// brackets, and returns it in E.164 form ("+33612345678"). "" stays "".
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var digits strings.Builder
	plus := false
	for i, r := range s {
		switch {
		case r == '+' && i == 0:
			plus = true
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", ErrInvalidPhone
		}
	}
	d := digits.String()
	switch {
	case strings.HasPrefix(s, "00") && !plus && len(d) >= 10 && len(d) <= 17:
		d, plus = d[2:], true // 0044… is +44…
	case !plus && len(d) == 10 && d[0] == '0' && d[1] != '0':
		return "+33" + d[1:], nil
	}
	if !plus {
		return "", ErrInvalidPhone
	}
	if strings.HasPrefix(d, "33") {
		if len(d) != 11 || d[2] == '0' {
			return "", ErrInvalidPhone
		}
		return "+" + d, nil
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", ErrInvalidPhone
	}
	return "+" + d, nil
}

// CheckAddress validates a postal address; country "" means France. Its error
// is a FieldError naming the wrong part.
func CheckAddress(a Address) (Address, error) {
	a.Line1, a.Line2 = strings.TrimSpace(a.Line1), strings.TrimSpace(a.Line2)
	a.City, a.PostalCode = strings.TrimSpace(a.City), strings.ToUpper(strings.TrimSpace(a.PostalCode))
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if a.Country == "" {
		a.Country = "FR"
	}
	if len(a.Country) != 2 || !isUpperLetters(a.Country) {
		return a, ErrInvalidCountry
	}
	if a.Line1 == "" && a.Line2 == "" && a.PostalCode == "" && a.City == "" {
		return a, nil // no address given
	}
	if a.Line1 == "" || a.City == "" {
		return a, ErrAddressIncomplete
	}
	if len(a.Line1) > 200 || len(a.Line2) > 200 || len(a.City) > 100 {
		return a, ErrAddressTooLong
	}
	if a.Country == "FR" {
		if len(a.PostalCode) != 5 || strings.Trim(a.PostalCode, "0123456789") != "" {
			return a, ErrInvalidPostalCode
		}
		return a, nil
	}
	compact := strings.ReplaceAll(strings.ReplaceAll(a.PostalCode, " ", ""), "-", "")
	if len(compact) < 2 || len(compact) > 10 || strings.IndexFunc(compact, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		return a, ErrInvalidForeignPostalCode
	}
	return a, nil
}

func isUpperLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsUpper(r) || r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// FormatPhone shows a stored number the way people write it: French numbers as
// "06 12 34 56 78", others in their international form.
func FormatPhone(e164 string) string {
	if len(e164) != 12 || !strings.HasPrefix(e164, "+33") {
		return e164
	}
	d := "0" + e164[3:]
	return d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8] + " " + d[8:10]
}
