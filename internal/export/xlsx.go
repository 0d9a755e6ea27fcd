package export

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Number formats of the XLSX cells.
const (
	moneyFormat    = `#,##0.00\ "€"`
	dateFormat     = "dd/mm/yyyy"
	dateTimeFormat = "dd/mm/yyyy hh:mm"
)

// Column widths, in Excel character units.
const (
	minColWidth = 10
	maxColWidth = 50
)

// xlsxStyles are the style ids registered in one workbook.
type xlsxStyles struct {
	header, money, date, dateTime int
}

// WriteXLSX writes t as a workbook with one sheet named after t.Title,
// streamed row by row with excelize's StreamWriter so that memory stays
// bounded for large tables (excelize spills to a temporary file past 16 MB).
//
// The header row is bold and frozen; column widths come from the headers and
// the kind of the first row's cells. Integers and money are numbers (money
// with the format "#,##0.00 €"), dates and date-times are Excel dates
// ("dd/mm/yyyy", "dd/mm/yyyy hh:mm", wall clock of the time's own location),
// and text is always a plain string, never a formula.
//
// The document properties name t.Author as creator and last editor, t.Created
// as creation and modification time, and "cma" as the application; both are
// required, or excelize's template would say "xuri" and 2006.
func WriteXLSX(w io.Writer, t Table) error {
	if t.Author == "" || t.Created.IsZero() {
		return fmt.Errorf("export: xlsx: the document's author and creation time are required")
	}
	f := excelize.NewFile()
	defer f.Close() // removes the stream writer's temporary files

	created := t.Created.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Creator: t.Author, LastModifiedBy: t.Author,
		Created: created, Modified: created, Title: t.Title, Language: "fr-FR"}); err != nil {
		return fmt.Errorf("export: xlsx document properties: %w", err)
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "cma", Company: t.Author}); err != nil {
		return fmt.Errorf("export: xlsx application properties: %w", err)
	}

	name := sheetName(t.Title)
	if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
		return fmt.Errorf("export: name sheet %q: %w", name, err)
	}
	styles, err := newStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("export: open xlsx stream: %w", err)
	}

	// Widths and panes must be set before the first row.
	for i, width := range columnWidths(t) {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("export: set width of column %d: %w", i+1, err)
		}
	}
	if len(t.Headers) > 0 {
		err := sw.SetPanes(&excelize.Panes{
			Freeze:      true,
			YSplit:      1,
			TopLeftCell: "A2",
			ActivePane:  "bottomLeft",
			Selection:   []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
		})
		if err != nil {
			return fmt.Errorf("export: freeze header row: %w", err)
		}
	}

	header := make([]any, len(t.Headers))
	for i, h := range t.Headers {
		header[i] = excelize.Cell{StyleID: styles.header, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("export: write xlsx header: %w", err)
	}

	var values []any
	for i, row := range t.Rows {
		values = values[:0]
		for _, c := range row {
			values = append(values, xlsxValue(c, styles))
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("export: xlsx row %d: %w", i+1, err)
		}
		if err := sw.SetRow(ref, values); err != nil {
			return fmt.Errorf("export: write xlsx row %d: %w", i+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: flush xlsx stream: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("export: write xlsx: %w", err)
	}
	return nil
}

// newStyles registers the header and number styles in f.
func newStyles(f *excelize.File) (xlsxStyles, error) {
	var s xlsxStyles
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return s, fmt.Errorf("export: header style: %w", err)
	}
	for _, st := range []struct {
		id     *int
		format string
	}{
		{&s.money, moneyFormat},
		{&s.date, dateFormat},
		{&s.dateTime, dateTimeFormat},
	} {
		format := st.format
		if *st.id, err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return s, fmt.Errorf("export: number style %q: %w", format, err)
		}
	}
	return s, nil
}

// xlsxValue converts a cell to what StreamWriter.SetRow expects.
func xlsxValue(c Cell, s xlsxStyles) any {
	switch c.Kind {
	case IntCell:
		return c.Int
	case MoneyCell:
		return excelize.Cell{StyleID: s.money, Value: float64(c.Cents) / 100}
	case DateCell:
		if c.Time.IsZero() {
			return nil
		}
		y, m, d := c.Time.Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return excelize.Cell{StyleID: s.date, Value: day}
	case DateTimeCell:
		if c.Time.IsZero() {
			return nil
		}
		// Excel has no time zones: keep the wall clock, to the minute.
		wall := time.Date(c.Time.Year(), c.Time.Month(), c.Time.Day(),
			c.Time.Hour(), c.Time.Minute(), 0, 0, time.UTC)
		return excelize.Cell{StyleID: s.dateTime, Value: wall}
	default:
		// A Go string becomes an inline string cell, never a formula.
		return c.Text
	}
}

// columnWidths sizes each column from its header, with room for the values
// of the first row's kinds (dates, amounts).
func columnWidths(t Table) []float64 {
	n := len(t.Headers)
	if len(t.Rows) > 0 && len(t.Rows[0]) > n {
		n = len(t.Rows[0])
	}
	widths := make([]float64, n)
	for i := range widths {
		width := minColWidth
		if i < len(t.Headers) {
			width = max(width, utf8.RuneCountInString(t.Headers[i])+2)
		}
		if len(t.Rows) > 0 && i < len(t.Rows[0]) {
			switch t.Rows[0][i].Kind {
			case MoneyCell:
				width = max(width, 14)
			case DateCell:
				width = max(width, 12)
			case DateTimeCell:
				width = max(width, 17)
			case TextCell:
				width = max(width, min(utf8.RuneCountInString(t.Rows[0][i].Text)+2, 30))
			}
		}
		widths[i] = float64(min(width, maxColWidth))
	}
	return widths
}
