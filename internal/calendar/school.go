package calendar

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxICSBytes bounds the school calendar file we accept (the ministry's files
// are a few tens of kilobytes).
const maxICSBytes = 5 << 20

// maxNesting bounds the depth of nested BEGIN/END components.
const maxNesting = 32

// Period is a school-holiday period: First to Last are the inclusive civil days
// without classes (00:00 UTC each).
type Period struct {
	Name        string // French, e.g. "Vacances de la Toussaint"
	First, Last time.Time
}

// Contains reports whether the civil date of d lies in the period.
func (p Period) Contains(d time.Time) bool {
	day := ToDay(d)
	return !day.Before(ToDay(p.First)) && !day.After(ToDay(p.Last))
}

// ParseSchoolHolidays reads the Education ministry's school calendar in
// iCalendar form ("Calendrier scolaire" on data.education.gouv.fr, one file per
// zone; Paris is zone C) and returns its holiday periods, sorted by first day.
//
// Only events whose SUMMARY contains "Vacances" (ignoring case and accents) are
// kept: "Rentrée scolaire des élèves" or "Pont de l'Ascension" are not holidays
// for adult courses. When zone is not empty ("Zone C", or just "C"), an event is
// kept only if its SUMMARY, LOCATION or DESCRIPTION mention that zone ("Zone C",
// "Zones A/B/C") or mention no zone at all.
//
// In the ministry's file DTSTART is the first day of the holidays and DTEND the
// day classes resume (RFC 5545: the end is exclusive), so Last is DTEND minus
// one day. An event without DTEND lasts one day, except a summer one ("Vacances
// d'Été"), which lasts until 31 August of its year. DTSTART and DTEND may be
// dates (VALUE=DATE) or date-times: local or with a TZID, the written date is
// the civil date; in UTC ("Z"), the date is read in Europe/Paris when that
// location can be loaded.
//
// Malformed input gives an error naming the line, never a panic; input larger
// than 5 MB is refused.
func ParseSchoolHolidays(r io.Reader, zone string) ([]Period, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxICSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("calendar: reading school calendar: %w", err)
	}
	if len(data) > maxICSBytes {
		return nil, fmt.Errorf("calendar: school calendar larger than %d bytes", maxICSBytes)
	}
	lines, err := contentLines(string(data))
	if err != nil {
		return nil, err
	}

	type component struct {
		name string
		line int
	}
	var (
		open        []component // components begun and not yet ended, innermost last
		event       *schoolEvent
		sawCalendar bool
		periods     []Period
		dates       dateReader
	)
	for _, line := range lines {
		switch line.name {
		case "BEGIN":
			name := strings.ToUpper(strings.TrimSpace(line.value))
			if !isName(name) {
				return nil, fmt.Errorf("calendar: line %d: bad BEGIN %q", line.num, shorten(line.value))
			}
			if len(open) == 0 && name != "VCALENDAR" {
				return nil, fmt.Errorf("calendar: line %d: BEGIN:%s outside BEGIN:VCALENDAR", line.num, name)
			}
			if len(open) >= maxNesting {
				return nil, fmt.Errorf("calendar: line %d: components nested too deeply", line.num)
			}
			if name == "VEVENT" {
				if open[len(open)-1].name != "VCALENDAR" {
					return nil, fmt.Errorf("calendar: line %d: BEGIN:VEVENT inside %s", line.num, open[len(open)-1].name)
				}
				event = &schoolEvent{line: line.num}
			}
			sawCalendar = sawCalendar || name == "VCALENDAR"
			open = append(open, component{name, line.num})

		case "END":
			name := strings.ToUpper(strings.TrimSpace(line.value))
			if len(open) == 0 || open[len(open)-1].name != name {
				return nil, fmt.Errorf("calendar: line %d: END:%s without matching BEGIN", line.num, shorten(name))
			}
			open = open[:len(open)-1]
			if name == "VEVENT" {
				period, keep, err := event.period(zone)
				if err != nil {
					return nil, err
				}
				if keep {
					periods = append(periods, period)
				}
				event = nil
			}

		default:
			// Only the event's own properties count, not those of a VALARM
			// inside it nor of a VTIMEZONE.
			if event == nil || open[len(open)-1].name != "VEVENT" {
				continue
			}
			if err := event.set(line, &dates); err != nil {
				return nil, err
			}
		}
	}
	if len(open) > 0 {
		last := open[len(open)-1]
		return nil, fmt.Errorf("calendar: line %d: BEGIN:%s never ended", last.line, last.name)
	}
	if !sawCalendar {
		return nil, fmt.Errorf("calendar: not an iCalendar file: no BEGIN:VCALENDAR")
	}

	slices.SortFunc(periods, func(a, b Period) int {
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		if c := a.Last.Compare(b.Last); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return slices.Compact(periods), nil
}

// schoolEvent gathers the properties of one VEVENT while it is read.
type schoolEvent struct {
	line                           int // line of BEGIN:VEVENT
	start, end                     time.Time
	hasStart, hasEnd               bool
	endLine                        int
	summary, location, description string
}

// set records one property of the event.
func (e *schoolEvent) set(line contentLine, dates *dateReader) error {
	var err error
	switch line.name {
	case "DTSTART":
		e.start, err = dates.read(line)
		e.hasStart = true
	case "DTEND":
		e.end, err = dates.read(line)
		e.hasEnd, e.endLine = true, line.num
	case "SUMMARY":
		e.summary = unescapeText(line.value)
	case "LOCATION":
		e.location = unescapeText(line.value)
	case "DESCRIPTION":
		e.description = unescapeText(line.value)
	}
	return err
}

// period turns the event into a holiday period; keep is false for events
// that are not holidays or are for another zone.
func (e *schoolEvent) period(zone string) (p Period, keep bool, err error) {
	if !e.hasStart {
		return Period{}, false, fmt.Errorf("calendar: line %d: event without DTSTART", e.line)
	}
	folded := foldText(e.summary)
	if !strings.Contains(folded, "vacances") {
		return Period{}, false, nil
	}
	if !zoneMatches(zone, e.summary+"\n"+e.location+"\n"+e.description) {
		return Period{}, false, nil
	}

	p = Period{Name: periodName(e.summary), First: e.start, Last: e.start}
	switch {
	case e.hasEnd:
		if e.end.Before(e.start) {
			return Period{}, false, fmt.Errorf("calendar: line %d: DTEND before DTSTART", e.endLine)
		}
		// Classes resume on DTEND: the last day off is the day before,
		// but an event always covers at least its first day.
		if last := e.end.AddDate(0, 0, -1); last.After(p.First) {
			p.Last = last
		}
	case slices.Contains(words(folded), "ete"):
		// "Vacances d'Été" without an end: until 31 August.
		if endOfSummer := Day(e.start.Year(), time.August, 31); endOfSummer.After(p.First) {
			p.Last = endOfSummer
		}
	}
	return p, true, nil
}

// dateReader reads DTSTART and DTEND values into civil dates. It loads
// Europe/Paris the first time a UTC date-time needs it.
type dateReader struct {
	paris  *time.Location
	loaded bool
}

// read parses a DATE ("20261017") or DATE-TIME ("20261017T000000", optionally
// ending in "Z") value and returns its civil date.
func (dr *dateReader) read(line contentLine) (time.Time, error) {
	value := strings.TrimSpace(line.value)
	bad := fmt.Errorf("calendar: line %d: bad %s %q", line.num, line.name, shorten(line.value))
	kind := strings.ToUpper(line.params["VALUE"])
	if kind != "" && kind != "DATE" && kind != "DATE-TIME" {
		return time.Time{}, bad
	}

	isDate := len(value) == 8
	isDateTime := (len(value) == 15 || len(value) == 16 && value[15] == 'Z') && value[8] == 'T'
	if isDate && kind == "DATE-TIME" || isDateTime && kind == "DATE" || !isDate && !isDateTime {
		return time.Time{}, bad
	}

	year, okY := digits(value[0:4])
	month, okM := digits(value[4:6])
	day, okD := digits(value[6:8])
	if !okY || !okM || !okD || month < 1 || month > 12 || day < 1 || day > daysIn(year, time.Month(month)) {
		return time.Time{}, bad
	}
	if isDate {
		return Day(year, time.Month(month), day), nil
	}

	hour, okH := digits(value[9:11])
	minute, okMin := digits(value[11:13])
	second, okS := digits(value[13:15])
	if !okH || !okMin || !okS || hour > 23 || minute > 59 || second > 60 { // 60: leap second
		return time.Time{}, bad
	}
	if len(value) == 15 {
		// Floating or with a TZID: the wall clock in the event's zone is
		// written, so its date is the civil date.
		return Day(year, time.Month(month), day), nil
	}
	instant := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	return ToDay(instant.In(dr.location())), nil
}

// location returns Europe/Paris, or UTC if the time zone database is missing.
func (dr *dateReader) location() *time.Location {
	if !dr.loaded {
		dr.loaded = true
		if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
			dr.paris = loc
		}
	}
	if dr.paris == nil {
		return time.UTC
	}
	return dr.paris
}

// digits parses a string of ASCII digits only (no sign, no space).
func digits(s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// daysIn returns the number of days of month in year.
func daysIn(year int, month time.Month) int {
	return Day(year, month+1, 0).Day()
}

// periodName is the summary without its zone part:
// "Vacances de Noël - Zones A/B/C" gives "Vacances de Noël".
func periodName(summary string) string {
	var kept []string
	for _, part := range strings.Split(summary, " - ") {
		if first := words(foldText(part)); len(first) > 0 && (first[0] == "zone" || first[0] == "zones") {
			continue
		}
		kept = append(kept, part)
	}
	name := strings.Join(strings.Fields(strings.Join(kept, " - ")), " ")
	if name == "" {
		name = strings.Join(strings.Fields(summary), " ")
	}
	return name
}

// zoneMatches reports whether text, the event's summary, location and
// description, mentions zone or mentions no zone at all. An empty zone
// matches everything.
//
// Zones are written "Zone C", "Zones A/B/C" or "Zones A B C": the letters
// that follow the word "zone". For a zone that is not a single letter (e.g.
// "Corse") the text must contain its name.
func zoneMatches(zone, text string) bool {
	want := words(foldText(zone))
	if len(want) > 0 && (want[0] == "zone" || want[0] == "zones") {
		want = want[1:]
	}
	if len(want) == 0 {
		return true
	}

	letters, mentioned := zoneLetters(text)
	if !mentioned {
		return true
	}
	if len(want) == 1 && len(want[0]) == 1 {
		return letters[strings.ToUpper(want[0])]
	}
	return strings.Contains(" "+strings.Join(words(foldText(text)), " ")+" ", " "+strings.Join(want, " ")+" ")
}

// zoneLetters finds the zone letters named in text after the word "zone" or
// "zones", and whether that word appears at all.
func zoneLetters(text string) (letters map[string]bool, mentioned bool) {
	letters = make(map[string]bool)
	ws := words(text) // not folded: "à" must not be read as zone A
	for i := 0; i < len(ws); i++ {
		if w := foldText(ws[i]); w != "zone" && w != "zones" {
			continue
		}
		mentioned = true
		for i+1 < len(ws) {
			next := ws[i+1]
			if strings.EqualFold(next, "et") {
				i++
				continue
			}
			if len(next) != 1 || !('A' <= next[0] && next[0] <= 'Z' || 'a' <= next[0] && next[0] <= 'z') {
				break
			}
			letters[strings.ToUpper(next)] = true
			i++
		}
	}
	return letters, mentioned
}

// words splits s into runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// foldText lowers s and removes the accents of French letters, so that
// "VACANCES D'ÉTÉ" and "Vacances d'ete" compare equal.
func foldText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'à', 'â', 'ä', 'á':
			b.WriteByte('a')
		case 'ç':
			b.WriteByte('c')
		case 'é', 'è', 'ê', 'ë':
			b.WriteByte('e')
		case 'î', 'ï', 'í':
			b.WriteByte('i')
		case 'ô', 'ö', 'ó':
			b.WriteByte('o')
		case 'ù', 'û', 'ü', 'ú':
			b.WriteByte('u')
		case 'ÿ':
			b.WriteByte('y')
		case 'œ':
			b.WriteString("oe")
		case 'æ':
			b.WriteString("ae")
		case '’', '‘':
			b.WriteByte('\'')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
