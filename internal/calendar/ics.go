package calendar

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the iCalendar (RFC 5545) text layer shared by the reader and
// the writer: unfolding and folding of lines, content lines ("NAME;PARAM=x:value")
// and the escaping of TEXT values.

// maxLineOctets is the longest line RFC 5545 allows, CRLF excluded.
const maxLineOctets = 75

// contentLine is one unfolded iCalendar line.
type contentLine struct {
	num    int               // physical line number (1-based) where it starts
	name   string            // upper case, e.g. "DTSTART"
	params map[string]string // upper-case parameter names; nil when none
	value  string            // raw value, still escaped
}

// contentLines splits iCalendar text into unfolded content lines. Lines may end
// with CRLF or LF; a line starting with a space or a tab continues the previous
// one (RFC 5545 section 3.1). Blank lines are ignored.
func contentLines(text string) ([]contentLine, error) {
	text = strings.TrimPrefix(text, "\uFEFF") // byte order mark

	var (
		lines   []contentLine
		current strings.Builder
		start   int // line number where current begins, 0 when none
	)
	flush := func() error {
		if start == 0 {
			return nil
		}
		line, err := parseContentLine(start, current.String())
		if err != nil {
			return err
		}
		lines = append(lines, line)
		start = 0
		current.Reset()
		return nil
	}

	for i, physical := range strings.Split(text, "\n") {
		physical = strings.TrimSuffix(physical, "\r")
		if strings.HasPrefix(physical, " ") || strings.HasPrefix(physical, "\t") {
			if start == 0 {
				return nil, fmt.Errorf("calendar: line %d: continuation line with no line to continue", i+1)
			}
			current.WriteString(physical[1:])
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		if physical != "" {
			start = i + 1
			current.WriteString(physical)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return lines, nil
}

// parseContentLine parses `NAME *(";" PARAM "=" VALUE *("," VALUE)) ":" VALUE`.
// Parameter values may be quoted; a quoted value may hold ':', ';' and ','.
func parseContentLine(num int, s string) (contentLine, error) {
	bad := func(what string) (contentLine, error) {
		return contentLine{}, fmt.Errorf("calendar: line %d: %s in %q", num, what, shorten(s))
	}

	end := strings.IndexAny(s, ";:")
	if end <= 0 {
		return bad("expected NAME:VALUE")
	}
	line := contentLine{num: num, name: strings.ToUpper(s[:end])}
	if !isName(line.name) {
		return bad("bad property name")
	}

	rest := s[end:]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || !isName(rest[:eq]) {
			return bad("bad parameter")
		}
		name := strings.ToUpper(rest[:eq])
		rest = rest[eq+1:]

		var value strings.Builder
		for {
			if strings.HasPrefix(rest, `"`) {
				closing := strings.IndexByte(rest[1:], '"')
				if closing < 0 {
					return bad("unterminated quoted parameter")
				}
				value.WriteString(rest[1 : 1+closing])
				rest = rest[closing+2:]
			} else {
				stop := strings.IndexAny(rest, ",;:")
				if stop < 0 {
					return bad("missing ':'")
				}
				value.WriteString(rest[:stop])
				rest = rest[stop:]
			}
			if !strings.HasPrefix(rest, ",") {
				break
			}
			value.WriteByte(',')
			rest = rest[1:]
		}
		if line.params == nil {
			line.params = make(map[string]string)
		}
		line.params[name] = value.String()
	}
	if !strings.HasPrefix(rest, ":") {
		return bad("missing ':'")
	}
	line.value = rest[1:]
	return line, nil
}

// isName reports whether s is a valid property or parameter name:
// letters, digits and '-' only.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// shorten cuts s for an error message.
func shorten(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// unescapeText decodes a TEXT value: `\\`, `\;`, `\,` and `\n` (or `\N`).
// An unknown escape is kept as written.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(s[i])
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// escapeText encodes s as a TEXT value. Newlines become `\n`; other control
// characters, which RFC 5545 forbids in TEXT, are dropped, and so are invalid
// UTF-8 bytes.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldLine splits line into physical lines of at most 75 octets, each
// continuation starting with a space, without cutting a UTF-8 sequence, and
// ends every physical line with CRLF.
func foldLine(line string) string {
	var b strings.Builder
	limit := maxLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8: cut anywhere rather than loop forever
			cut = limit
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLineOctets - 1 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// Event is one event of a calendar written by WriteICS, typically a class
// meeting. Summary, Location and Description are plain text (French).
type Event struct {
	UID, Summary, Location, Description string
	Start, End                          time.Time
	// Cancelled marks a meeting that does not take place (CAT-5): the event
	// is written STATUS:CANCELLED and TRANSP:TRANSPARENT, so that a calendar
	// which imported it when it was held marks it cancelled.
	Cancelled bool
	// Sequence (SEQUENCE) grows each time the event's content changes, and
	// Modified (LAST-MODIFIED, written in UTC; zero: not written) says when,
	// so that calendar apps take the new version (RFC 5545 §3.8.7).
	Sequence int
	Modified time.Time
}

// Fingerprint sums up what the events say (everything but Sequence and
// Modified): two lists of events have the same fingerprint exactly when they
// write the same VEVENTs apart from DTSTAMP, SEQUENCE and LAST-MODIFIED.
func Fingerprint(events []Event) string {
	h := sha256.New()
	for _, e := range events {
		for _, field := range []string{e.UID, e.Summary, e.Location, e.Description,
			e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339), strconv.FormatBool(e.Cancelled)} {
			h.Write([]byte(strconv.Itoa(len(field))))
			h.Write([]byte{':'})
			h.Write([]byte(field))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// WriteICS writes an RFC 5545 calendar named calendarName with one VEVENT per
// event. Times are written in UTC ("Z" form), so no VTIMEZONE is needed; stamp
// is the DTSTAMP of every event: the time the file is produced (the caller
// gives it: there is no clock inside).
// Every event needs a UID, a start, and an end not before its start.
func WriteICS(w io.Writer, calendarName string, stamp time.Time, events []Event) error {
	if stamp.IsZero() {
		return fmt.Errorf("calendar: writing iCalendar: no DTSTAMP given")
	}
	for i, e := range events {
		switch {
		case e.UID == "":
			return fmt.Errorf("calendar: writing iCalendar: event %d (%q) has no UID", i, e.Summary)
		case e.Start.IsZero() || e.End.IsZero():
			return fmt.Errorf("calendar: writing iCalendar: event %q has no start or end", e.UID)
		case e.End.Before(e.Start):
			return fmt.Errorf("calendar: writing iCalendar: event %q ends before it starts", e.UID)
		case e.Sequence < 0:
			return fmt.Errorf("calendar: writing iCalendar: event %q has a negative SEQUENCE", e.UID)
		}
	}

	const utcForm = "20060102T150405Z"
	out := bufio.NewWriter(w)
	// bufio.Writer keeps the first write error; Flush returns it.
	write := func(name, value string) { out.WriteString(foldLine(name + ":" + value)) }

	write("BEGIN", "VCALENDAR")
	write("VERSION", "2.0")
	write("PRODID", "-//Ville//cma//FR")
	write("CALSCALE", "GREGORIAN")
	write("METHOD", "PUBLISH")
	write("X-WR-CALNAME", escapeText(calendarName))
	for _, e := range events {
		write("BEGIN", "VEVENT")
		write("UID", escapeText(e.UID))
		write("DTSTAMP", stamp.UTC().Format(utcForm))
		write("DTSTART", e.Start.UTC().Format(utcForm))
		write("DTEND", e.End.UTC().Format(utcForm))
		write("SEQUENCE", strconv.Itoa(e.Sequence))
		if !e.Modified.IsZero() {
			write("LAST-MODIFIED", e.Modified.UTC().Format(utcForm))
		}
		if e.Cancelled {
			write("STATUS", "CANCELLED")
			write("TRANSP", "TRANSPARENT")
		}
		write("SUMMARY", escapeText(e.Summary))
		if e.Location != "" {
			write("LOCATION", escapeText(e.Location))
		}
		if e.Description != "" {
			write("DESCRIPTION", escapeText(e.Description))
		}
		write("END", "VEVENT")
	}
	write("END", "VCALENDAR")

	if err := out.Flush(); err != nil {
		return fmt.Errorf("calendar: writing iCalendar: %w", err)
	}
	return nil
}
