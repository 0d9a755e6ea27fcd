package catalogue

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"cma/internal/domain"
)

// Filter is a catalogue search (CAT-1). Zero values mean "any".
type Filter struct {
	Query           string // keywords, accent- and case-insensitive
	Subject         domain.Subject
	Level           domain.Level
	EstablishmentID int64
	District        int           // 1..20
	Weekday         *time.Weekday // nil: any day
	TimeOfDay       domain.TimeOfDay
	MaxPriceCents   int64 // 0: any price
	Diploma         *bool // CAT-7
	Remote          *bool // CAT-6
	PlacesLeft      bool  // only courses with places left
	SessionID       int64
	Page            int // 1-based
	PerPage         int
}

// Paging limits.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
)

// FieldError says which search field is wrong. Code is a message key suffix
// ("filter.error."+Code) so pages and the API can word it in the reader's language.
type FieldError struct {
	Field string
	Code  string
	Value string
}

// ParseFilter reads a search from URL query values. It refuses unknown parameters
// and malformed values instead of silently ignoring them, so that a mistyped link
// does not show a misleading result. Parameters named in ignore (such as "lang")
// are skipped.
func ParseFilter(v url.Values, ignore ...string) (Filter, []FieldError) {
	f := Filter{Page: 1, PerPage: DefaultPerPage}
	var errs []FieldError
	bad := func(field, code, value string) {
		errs = append(errs, FieldError{Field: field, Code: code, Value: value})
	}
	for name, values := range v {
		value := strings.TrimSpace(values[len(values)-1])
		switch name {
		case "q":
			if len(value) > 200 {
				bad(name, "too_long", "")
				continue
			}
			f.Query = value
		case "domaine":
			if value != "" {
				f.Subject = domain.Subject(value)
				if !f.Subject.Valid() {
					bad(name, "subject", value)
				}
			}
		case "niveau":
			if value != "" {
				f.Level = domain.Level(value)
				if !f.Level.Valid() {
					bad(name, "level", value)
				}
			}
		case "etablissement":
			f.EstablishmentID = number(value, 1, math.MaxInt64, func() { bad(name, "establishment", value) })
		case "arrondissement":
			f.District = int(number(value, 1, 20, func() { bad(name, "district", value) }))
		case "jour":
			if value != "" {
				n, err := strconv.Atoi(value)
				if err != nil || n < 0 || n > 6 {
					bad(name, "weekday", value)
					continue
				}
				d := time.Weekday(n)
				f.Weekday = &d
			}
		case "moment":
			if value != "" {
				f.TimeOfDay = domain.TimeOfDay(value)
				if f.TimeOfDay != domain.Morning && f.TimeOfDay != domain.Afternoon && f.TimeOfDay != domain.Evening {
					bad(name, "time_of_day", value)
				}
			}
		case "prix_max":
			f.MaxPriceCents = 100 * number(value, 1, 100000, func() { bad(name, "price", value) })
		case "diplome":
			f.Diploma = parseYesNo(value, func() { bad(name, "yes_no", value) })
		case "distanciel":
			f.Remote = parseYesNo(value, func() { bad(name, "yes_no", value) })
		case "places":
			switch value {
			case "", "0":
			case "1", "oui":
				f.PlacesLeft = true
			default:
				bad(name, "yes_no", value)
			}
		case "session":
			f.SessionID = number(value, 1, math.MaxInt64, func() { bad(name, "session", value) })
		case "page":
			if value != "" {
				f.Page = int(number(value, 1, 100000, func() { bad(name, "page", value) }))
			}
		case "par_page":
			if value != "" {
				f.PerPage = int(number(value, 1, MaxPerPage, func() { bad(name, "per_page", value) }))
			}
		default:
			if !slices.Contains(ignore, name) {
				bad(name, "unknown", name)
			}
		}
	}
	sortErrors(errs)
	return f, errs
}

// number reads an optional whole number from lo to hi; an empty value is 0 and a
// bad one calls onBad and gives 0.
func number(value string, lo, hi int64, onBad func()) int64 {
	if value == "" {
		return 0
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil || n < lo || n > hi {
		onBad()
		return 0
	}
	return n
}

func parseYesNo(value string, onBad func()) *bool {
	switch value {
	case "":
		return nil
	case "oui", "1", "true":
		t := true
		return &t
	case "non", "0", "false":
		f := false
		return &f
	}
	onBad()
	return nil
}

// sortErrors orders errors by field name so that messages come in a stable order.
func sortErrors(errs []FieldError) {
	slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
}

// Values encodes f back to query values, without the page, for pagination links.
func (f Filter) Values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", f.Query)
	set("domaine", string(f.Subject))
	set("niveau", string(f.Level))
	if f.EstablishmentID > 0 {
		set("etablissement", strconv.FormatInt(f.EstablishmentID, 10))
	}
	if f.District > 0 {
		set("arrondissement", strconv.Itoa(f.District))
	}
	if f.Weekday != nil {
		set("jour", strconv.Itoa(int(*f.Weekday)))
	}
	set("moment", string(f.TimeOfDay))
	if f.MaxPriceCents > 0 {
		set("prix_max", strconv.FormatInt(f.MaxPriceCents/100, 10))
	}
	set("diplome", yesNo(f.Diploma))
	set("distanciel", yesNo(f.Remote))
	if f.PlacesLeft {
		set("places", "1")
	}
	if f.SessionID > 0 {
		set("session", strconv.FormatInt(f.SessionID, 10))
	}
	if f.PerPage != DefaultPerPage && f.PerPage > 0 {
		set("par_page", strconv.Itoa(f.PerPage))
	}
	return v
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "oui"
	}
	return "non"
}
