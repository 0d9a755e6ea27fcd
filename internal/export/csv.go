package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// utf8BOM makes Excel open the file as UTF-8 instead of Windows-1252.
const utf8BOM = "\ufeff"

// WriteCSV writes t as CSV for a spreadsheet in French locale: UTF-8 with a
// BOM, ';' separator, CRLF line ends, quoting by encoding/csv. Money is
// written "1234,50" (comma decimal, no currency sign, no thousands
// separator), dates "02/01/2006" and date-times "02/01/2006 15:04" in the
// time's own location (callers pass Europe/Paris times).
//
// Formula injection is neutralised (OWASP "CSV Injection"): a text cell or
// header starting with = + - @, tab or carriage return gets a leading
// apostrophe. This also applies to phone numbers such as "+33 6 12 34 56 78";
// Excel hides the apostrophe and shows the text as typed.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("export: write csv bom: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true

	record := make([]string, len(t.Headers))
	for i, h := range t.Headers {
		record[i] = neutralise(h)
	}
	if err := cw.Write(record); err != nil {
		return fmt.Errorf("export: write csv header: %w", err)
	}
	for i, row := range t.Rows {
		record = record[:0]
		for _, c := range row {
			record = append(record, csvField(c))
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("export: write csv row %d: %w", i+1, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: flush csv: %w", err)
	}
	return nil
}

// csvField formats one cell for the CSV file.
func csvField(c Cell) string {
	switch c.Kind {
	case IntCell:
		return strconv.FormatInt(c.Int, 10)
	case MoneyCell:
		return frenchAmount(c.Cents)
	case DateCell:
		if c.Time.IsZero() {
			return ""
		}
		return c.Time.Format("02/01/2006")
	case DateTimeCell:
		if c.Time.IsZero() {
			return ""
		}
		return c.Time.Format("02/01/2006 15:04")
	default:
		return neutralise(c.Text)
	}
}

// frenchAmount writes cents as "1234,50" or "-5,00".
func frenchAmount(cents int64) string {
	sign := ""
	// uint64 keeps the smallest int64 right when negated.
	abs := uint64(cents)
	if cents < 0 {
		sign = "-"
		abs = -abs
	}
	return fmt.Sprintf("%s%d,%02d", sign, abs/100, abs%100)
}

// neutralise prefixes an apostrophe to text a spreadsheet would read as a
// formula.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
