package export

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// WriteWorkbook writes several tables as one workbook, one sheet per table in
// the order given, each streamed as WriteXLSX streams its one sheet (the
// catalogue export: its "Cours" sheet beside "Établissements", "Salles" and
// "Formations"). The first table's Author and Created are the document's.
func WriteWorkbook(w io.Writer, tables ...Table) error {
	if len(tables) == 0 {
		return fmt.Errorf("export: xlsx: a workbook needs at least one table")
	}
	first := tables[0]
	if first.Author == "" || first.Created.IsZero() {
		return fmt.Errorf("export: xlsx: the document's author and creation time are required")
	}
	f := excelize.NewFile()
	defer f.Close()
	created := first.Created.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Creator: first.Author, LastModifiedBy: first.Author,
		Created: created, Modified: created, Title: first.Title, Language: "fr-FR"}); err != nil {
		return fmt.Errorf("export: xlsx document properties: %w", err)
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "cma", Company: first.Author}); err != nil {
		return fmt.Errorf("export: xlsx application properties: %w", err)
	}
	styles, err := newStyles(f)
	if err != nil {
		return err
	}
	for i, t := range tables {
		name := sheetName(t.Title)
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
				return fmt.Errorf("export: name sheet %q: %w", name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("export: add sheet %q: %w", name, err)
		}
		if err := streamSheet(f, name, t, styles); err != nil {
			return err
		}
	}
	// The first sheet is the active one: SetActiveSheet would read every
	// streamed sheet back into memory.
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("export: write xlsx: %w", err)
	}
	return nil
}

// streamSheet writes one table into the named sheet with a StreamWriter.
func streamSheet(f *excelize.File, name string, t Table, styles xlsxStyles) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("export: open xlsx stream: %w", err)
	}
	for i, width := range columnWidths(t) {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("export: set width of column %d: %w", i+1, err)
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
	return nil
}
