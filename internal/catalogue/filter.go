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
	// OpenOnly keeps only the courses whose session takes candidatures at
	// the search's instant (true); false: every course, as the visitor said
	// ("ouverts=non", the search form's unchecked box); nil: not said, which
	// the search page reads as on when a session is open (OpenByDefault).
	OpenOnly *bool
	Page     int // 1-based
	PerPage  int
}

// Paging limits.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
)

// ParseFilter reads a search from URL query values. It refuses unknown parameters
// and malformed values instead of silently ignoring them, so that a mistyped link
// does not show a misleading result. Parameters named in ignore (such as "lang")
// are skipped.
//
// Each error names its query parameter, the filter's input (the parameters are
// the public interface, see openapi.yaml), and a "filter.error.*" message key,
// so pages and the API word it in the reader's language.
func ParseFilter(v url.Values, ignore ...string) (Filter, domain.FieldErrors) {
	f := Filter{Page: 1, PerPage: DefaultPerPage}
	var errs domain.FieldErrors
	bad := func(field, key string) {
		errs = append(errs, domain.FieldError{Field: field, Key: key})
	}
	for name, values := range v {
		value := strings.TrimSpace(values[len(values)-1])
		switch name {
		case "q":
			if len(value) > 200 {
				bad(name, "filter.error.too_long")
				continue
			}
			f.Query = value
		case "domaine":
			if value != "" {
				f.Subject = domain.Subject(value)
				if !f.Subject.Valid() {
					bad(name, "filter.error.subject")
				}
			}
		case "niveau":
			if value != "" {
				f.Level = domain.Level(value)
				if !f.Level.Valid() {
					bad(name, "filter.error.level")
				}
			}
		case "etablissement":
			f.EstablishmentID = number(value, 1, math.MaxInt64, func() { bad(name, "filter.error.establishment") })
		case "arrondissement":
			f.District = int(number(value, 1, 20, func() { bad(name, "filter.error.district") }))
		case "jour":
			if value != "" {
				n, err := strconv.Atoi(value)
				if err != nil || n < 0 || n > 6 {
					bad(name, "filter.error.weekday")
					continue
				}
				d := time.Weekday(n)
				f.Weekday = &d
			}
		case "moment":
			if value != "" {
				f.TimeOfDay = domain.TimeOfDay(value)
				if f.TimeOfDay != domain.Morning && f.TimeOfDay != domain.Afternoon && f.TimeOfDay != domain.Evening {
					bad(name, "filter.error.time_of_day")
				}
			}
		case "prix_max":
			f.MaxPriceCents = 100 * number(value, 1, 100000, func() { bad(name, "filter.error.price") })
		case "diplome":
			f.Diploma = parseYesNo(value, func() { bad(name, "filter.error.yes_no") })
		case "distanciel":
			f.Remote = parseYesNo(value, func() { bad(name, "filter.error.yes_no") })
		case "places":
			switch value {
			case "", "0":
			case "1", "oui":
				f.PlacesLeft = true
			default:
				bad(name, "filter.error.yes_no")
			}
		case "ouverts":
			f.OpenOnly = parseYesNo(value, func() { bad(name, "filter.error.yes_no") })
		case "session":
			f.SessionID = number(value, 1, math.MaxInt64, func() { bad(name, "filter.error.session") })
		case "page":
			if value != "" {
				f.Page = int(number(value, 1, 100000, func() { bad(name, "filter.error.page") }))
			}
		case "par_page":
			if value != "" {
				f.PerPage = int(number(value, 1, MaxPerPage, func() { bad(name, "filter.error.per_page") }))
			}
		default:
			if !slices.Contains(ignore, name) {
				errs = append(errs, UnknownParameter(name))
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

// UnknownParameter is the error of a query parameter the search does not know.
func UnknownParameter(name string) domain.FieldError {
	return domain.FieldError{Field: name, Key: ErrorUnknown, Args: map[string]any{"Value": name}}
}

// ErrorUnknown is the message key of UnknownParameter.
const ErrorUnknown = "filter.error.unknown"

// sortErrors orders errors by field name so that messages come in a stable order.
func sortErrors(errs domain.FieldErrors) {
	slices.SortFunc(errs, func(a, b domain.FieldError) int { return strings.Compare(a.Field, b.Field) })
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
	set("ouverts", yesNo(f.OpenOnly))
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
