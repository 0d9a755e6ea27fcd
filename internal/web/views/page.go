// Package views holds the HTML pages as templ components: the layout with its
// error summary, and the shared form fields (fields.templ: input, select, text
// area, file, checkbox, radio group, fieldset) that wire label, hint, error and
// aria-describedby once; the public catalogue search, course page and
// brochure; signing in; the candidate's profile, basket and candidatures;
// and the back-office pages (home, people, duplicates, audit trail, assisted
// registration, staff course lists, candidature lists). Handlers in package
// web build a Page and a view model of plain, already worded strings, then
// render; views decide no rule.
package views

import (
	"net/url"
	"strconv"
	"time"

	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/i18n"
)

// Page is what every page needs besides its own content.
type Page struct {
	P     *i18n.Printer
	Title string
	CSS   string // hashed stylesheet URL
	Path  string // current path and query, to come back after switching language
	User  *UserInfo
	// SignInReturn is the local path the header's sign-in link comes back
	// to ("" for none).
	SignInReturn string
	// Refresh, when positive, reloads the page after that many seconds (an
	// import's progress, read from the database by every instance).
	Refresh int
}

// SignInURL is the header's sign-in link, returning to SignInReturn.
func (pg *Page) SignInURL() string {
	if pg.SignInReturn == "" {
		return "/connexion"
	}
	return "/connexion?retour=" + url.QueryEscape(pg.SignInReturn)
}

// UserInfo is the signed-in person as the header shows them.
type UserInfo struct {
	Name  string
	Staff bool
}

// T translates a message id.
func (pg *Page) T(id string, data ...map[string]any) string { return pg.P.T(id, data...) }

// Lang is the page's language code.
func (pg *Page) Lang() string { return string(pg.P.Lang) }

// OtherLang is the language the switch offers.
func (pg *Page) OtherLang() string {
	if pg.P.Lang == i18n.English {
		return string(i18n.French)
	}
	return string(i18n.English)
}

// Date writes a civil date in words: "lundi 5 octobre 2026" / "Monday 5 October 2026".
func (pg *Page) Date(t time.Time) string {
	day := pg.T("weekday." + strconv.Itoa(int(t.Weekday())))
	return day + " " + pg.ShortDate(t)
}

// N words a message that depends on a count: key.one or key.other (i18n.Printer.N).
func (pg *Page) N(key string, n int, data ...map[string]any) string { return pg.P.N(key, n, data...) }

// ShortDate writes "5 octobre 2026", and "1er octobre 2026" for the first of
// a month as French writes it ("1 October 2026" in English).
func (pg *Page) ShortDate(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 && pg.P.Lang == i18n.French {
		day = "1er"
	}
	return day + " " + pg.T("month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

// DateTime writes an instant in Paris time: "1 septembre 2026 à 10h00".
func (pg *Page) DateTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	sep := " à "
	if pg.P.Lang == i18n.English {
		sep = " at "
	}
	return pg.ShortDate(t) + sep + strconv.Itoa(t.Hour()) + "h" + twoDigits(t.Minute())
}

// Deadline writes a deadline's last day, which is open to its end (CAN-5):
// "6 septembre 2026 inclus" / "6 September 2026 inclusive".
func (pg *Page) Deadline(d domain.Deadline) string {
	return pg.T("deadline.inclusive", map[string]any{"Day": pg.ShortDate(d.Day())})
}

// Money writes cents in the French format ("312,00 €"), which the city uses in
// both languages.
func Money(cents int64) string { return documents.FrenchMoney(cents) }

// District names an arrondissement.
func (pg *Page) District(n int) string {
	if n == 1 {
		return pg.T("district.first")
	}
	return pg.T("district", map[string]any{"N": n})
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// NameMax is the longest last or first name the staff forms accept, for their
// hint.
const NameMax = domain.MaxNameLength
