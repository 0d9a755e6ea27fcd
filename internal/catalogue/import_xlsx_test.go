package catalogue

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cma/internal/export"
)

// TestFastSheets_CAT3_reads_what_excelize_reads: the hand-made reader gives
// the rows excelize gives, for a workbook of the export (inline strings,
// numbers) and for one with shared strings, rich text, gaps and entities.
func TestFastSheets_CAT3_reads_what_excelize_reads(t *testing.T) {
	var exported bytes.Buffer
	tb := export.Table{Title: SheetCourses, Headers: []string{"code", "capacité", "tarif (€)"}, Author: "a", Created: time.Now()}
	for i := range 50 {
		tb.Rows = append(tb.Rows, []export.Cell{export.Text(fmt.Sprintf("C-%d & <x>", i)), export.Int(int64(i)), export.Money(int64(i * 150))})
	}
	if err := export.WriteWorkbook(&exported, tb); err != nil {
		t.Fatal(err)
	}
	x := excelize.NewFile()
	_ = x.SetSheetName("Sheet1", "Cours")
	_ = x.SetCellValue("Cours", "A1", "code")
	_ = x.SetCellValue("Cours", "C1", "jour")
	_ = x.SetCellValue("Cours", "A3", "Élève \"é\" 'q'")
	_ = x.SetCellRichText("Cours", "B3", []excelize.RichTextRun{{Text: "gras "}, {Text: "fin"}})
	_ = x.SetCellValue("Cours", "D5", 3.25)
	_ = x.SetCellValue("Cours", "E5", true)
	var shared bytes.Buffer
	_ = x.Write(&shared)
	for name, data := range map[string][]byte{"export": exported.Bytes(), "excelize": shared.Bytes()} {
		sheets, _, err := fastSheets(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, _ := excelize.OpenReader(bytes.NewReader(data))
		want, _ := f.GetRows("Cours", excelize.Options{RawCellValue: true})
		got := sheets["Cours"]
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, excelize %d: %q vs %q", name, len(got), len(want), got, want)
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("%s row %d: %q, excelize %q", name, i+1, got[i], want[i])
			}
		}
	}
}

// FuzzParseWorkbook: no file makes the XLSX or CSV reader panic (seeds:
// testdata/import-seed.xlsx, an export of the demo's 2nd semester, and CSV).
func FuzzParseWorkbook(f *testing.F) {
	if seed, err := os.ReadFile("testdata/import-seed.xlsx"); err == nil {
		f.Add(seed)
	}
	f.Add([]byte("\ufeffcode;jour;début\r\nC-1;lundi;18:00\r\n"))
	f.Add([]byte("code,jour\n\"C-1\",\"lu\"ndi\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _ = parseWorkbook(data)
		_, _, _ = fastSheets(data)
	})
}
