// Package export writes tabular exports for staff: CSV for spreadsheets in
// French locale (UTF-8 with BOM, ';' separator, comma decimals) and XLSX.
//
// Both formats are written from the same Table, so a handler builds its rows
// once and lets the user pick the format.
package export

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Table is what an export writes: a title (sheet name), headers and rows of cells.
type Table struct {
	Title   string // sheet name for XLSX (truncated to 31 chars, []:*?/\ stripped)
	Headers []string
	Rows    [][]Cell

	// The XLSX document properties (CSV has none): who made the file, in
	// French, e.g. "Ville — Service des cours d'adultes", and when.
	Author  string
	Created time.Time
}

// Cell is one value: exactly one of its fields is meaningful, by Kind.
type Cell struct {
	Kind  CellKind
	Text  string
	Int   int64
	Cents int64     // money, in cents
	Time  time.Time // date or instant, shown in its own location
}

// CellKind says which field of a Cell is meaningful and how it is formatted.
type CellKind int

// The kinds of cell.
const (
	TextCell     CellKind = iota // Cell.Text
	IntCell                      // Cell.Int
	MoneyCell                    // Cell.Cents
	DateCell                     // Cell.Time, day only
	DateTimeCell                 // Cell.Time, day, hours and minutes
)

// Text returns a text cell.
func Text(s string) Cell { return Cell{Kind: TextCell, Text: s} }

// Int returns an integer cell.
func Int(n int64) Cell { return Cell{Kind: IntCell, Int: n} }

// Money returns an amount in euros, given in cents.
func Money(cents int64) Cell { return Cell{Kind: MoneyCell, Cents: cents} }

// Date returns a date cell; the time of day is ignored. A zero time gives an
// empty cell.
func Date(t time.Time) Cell { return Cell{Kind: DateCell, Time: t} }

// DateTime returns a date and time cell, shown to the minute in t's own
// location. A zero time gives an empty cell.
func DateTime(t time.Time) Cell { return Cell{Kind: DateTimeCell, Time: t} }

// Filename builds a safe download name such as "candidatures-2026-11-27.csv"
// from a base, a day (taken in its own location) and an extension.
//
// The base is folded to ASCII ("Séances d'été" gives "seances-d-ete"),
// lowercased and reduced to [a-z0-9-]; runs of other characters become one
// hyphen. An empty result falls back to "export". The extension may be given
// with or without its dot and is reduced to [a-z0-9]; an empty one is left out.
func Filename(base string, day time.Time, ext string) string {
	name := slug(base)
	if name == "" {
		name = "export"
	}
	name += "-" + day.Format("2006-01-02")

	var e strings.Builder
	for _, r := range strings.ToLower(ext) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			e.WriteRune(r)
		}
	}
	if e.Len() > 0 {
		name += "." + e.String()
	}
	return name
}

// ligatures are letters that canonical decomposition does not reduce to ASCII.
var ligatures = strings.NewReplacer(
	"œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae", "ß", "ss", "ø", "o", "Ø", "o",
)

// slug folds s to lowercase ASCII letters, digits and single hyphens.
func slug(s string) string {
	s = norm.NFD.String(ligatures.Replace(s))
	var b strings.Builder
	hyphen := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining accent left by NFD: drop it
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
			fallthrough
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	return b.String()
}

// maxSheetName is Excel's limit on a sheet name, in UTF-16 code units.
const maxSheetName = 31

// sheetName makes an Excel-acceptable sheet name from a title: without
// []:*?/\ , without leading or trailing apostrophes, at most 31 characters,
// "Export" when nothing is left.
func sheetName(title string) string {
	title = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || unicode.IsControl(r) {
			return -1
		}
		return r
	}, title)
	var b strings.Builder
	units := 0
	for _, r := range title {
		n := 1
		if r > 0xFFFF {
			n = 2 // surrogate pair in UTF-16
		}
		if units+n > maxSheetName {
			break
		}
		units += n
		b.WriteRune(r)
	}
	name := strings.TrimSpace(strings.Trim(b.String(), "'"))
	if name == "" || !utf8.ValidString(name) {
		return "Export"
	}
	return name
}
