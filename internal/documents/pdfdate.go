package documents

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// pdfDate writes t as a PDF date with its offset from UTC, as PDF 1.7 §7.9.4
// says: D:YYYYMMDDHHmmSS followed by Z, or by +HH'mm' / -HH'mm'. For example
// 27 November 2026 at 11:30 in Paris is D:20261127113000+01'00'.
func pdfDate(t time.Time) string {
	s := "D:" + t.Format("20060102150405")
	_, offset := t.Zone()
	if offset == 0 {
		return s + "Z"
	}
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	return fmt.Sprintf("%s%c%02d'%02d'", s, sign, offset/3600, offset/60%60)
}

// withDateOffsets gives the dates of the document information dictionary their
// UTC offset. fpdf writes /CreationDate and /ModDate as the wall clock of the
// time's location without any offset, which readers take as UTC or as unknown
// (pdfinfo shows 11:30 UTC for 11:30 in Paris). The dates are rewritten in
// place, and the cross-reference table and startxref, which give byte
// offsets, are moved by the bytes inserted before each object, so that the
// file stays valid (qpdf --check). created and modified are the times given to
// fpdf's SetCreationDate and SetModificationDate.
func withDateOffsets(pdf []byte, created, modified time.Time) ([]byte, error) {
	type edit struct {
		at       int // offset of the old text
		old, new string
	}
	var edits []edit
	for _, d := range []struct {
		key string
		t   time.Time
	}{{"/CreationDate ", created}, {"/ModDate ", modified}} {
		old := d.key + "(D:" + d.t.Format("20060102150405") + ")"
		// The information dictionary is the last object but the catalog: its
		// dates are the last occurrence, whatever the title says.
		at := bytes.LastIndex(pdf, []byte(old))
		if at < 0 {
			return nil, fmt.Errorf("PDF dates: %s not found in fpdf's output", d.key)
		}
		edits = append(edits, edit{at, old, d.key + "(" + pdfDate(d.t) + ")"})
	}
	if edits[1].at < edits[0].at {
		edits[0], edits[1] = edits[1], edits[0]
	}
	// shift is how far a byte at offset o of the old file moves.
	shift := func(o int) int {
		n := 0
		for _, e := range edits {
			if e.at < o {
				n += len(e.new) - len(e.old)
			}
		}
		return n
	}

	// startxref gives the cross-reference table's offset.
	sx := bytes.LastIndex(pdf, []byte("\nstartxref\n"))
	if sx < 0 {
		return nil, fmt.Errorf("PDF dates: no startxref")
	}
	numStart := sx + len("\nstartxref\n")
	numEnd := numStart + bytes.IndexByte(pdf[numStart:], '\n')
	if numEnd < numStart {
		return nil, fmt.Errorf("PDF dates: bad startxref")
	}
	xref, err := strconv.Atoi(string(pdf[numStart:numEnd]))
	if err != nil || xref <= edits[1].at || !bytes.HasPrefix(pdf[xref:], []byte("xref\n")) {
		return nil, fmt.Errorf("PDF dates: startxref does not point after the dates to a cross-reference table")
	}

	var out bytes.Buffer
	out.Grow(len(pdf) + 32)
	last := 0
	for _, e := range edits {
		out.Write(pdf[last:e.at])
		out.WriteString(e.new)
		last = e.at + len(e.old)
	}
	out.Write(pdf[last:xref])

	// The table: "xref", "0 N", then N entries of 20 bytes "0000000123 00000 n \n".
	table := pdf[xref:]
	header := table[:bytes.IndexByte(table[len("xref\n"):], '\n')+len("xref\n")+1]
	var first, count int
	if _, err := fmt.Sscanf(string(header), "xref\n%d %d\n", &first, &count); err != nil || first != 0 {
		return nil, fmt.Errorf("PDF dates: unexpected cross-reference table %q", header)
	}
	out.Write(header)
	entries := table[len(header):]
	const entryLen = 20
	if len(entries) < count*entryLen {
		return nil, fmt.Errorf("PDF dates: cross-reference table cut short")
	}
	for i := range count {
		entry := entries[i*entryLen : (i+1)*entryLen]
		if entry[17] == 'n' {
			o, err := strconv.Atoi(string(entry[:10]))
			if err != nil {
				return nil, fmt.Errorf("PDF dates: bad cross-reference entry %q", entry)
			}
			fmt.Fprintf(&out, "%010d", o+shift(o))
			out.Write(entry[10:])
		} else {
			out.Write(entry)
		}
	}
	rest := entries[count*entryLen:]
	// rest is the trailer, then "startxref\nNNN\n%%EOF\n".
	cut := bytes.LastIndex(rest, []byte("\nstartxref\n"))
	out.Write(rest[:cut+len("\nstartxref\n")])
	out.WriteString(strconv.Itoa(xref + shift(xref)))
	out.Write(pdf[numEnd:])
	return out.Bytes(), nil
}
