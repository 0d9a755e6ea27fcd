package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris without relying on the system's zoneinfo

	"github.com/xuri/excelize/v2"
)

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("load Europe/Paris: %v", err)
	}
	return loc
}

func sampleTable(t testing.TB) Table {
	loc := paris(t)
	return Table{
		Title:   "Inscriptions 2026",
		Headers: []string{"Nom", "Prénom", "Montant", "Né le", "Inscrit le", "Séances"},
		Author:  "Ville — Service des cours d'adultes",
		Created: time.Date(2026, 12, 2, 9, 15, 30, 0, loc),
		Rows: [][]Cell{
			{
				Text("Dupont; fils"), Text(`Élodie "Lo"`), Money(123450),
				Date(time.Date(1985, 11, 27, 0, 0, 0, 0, loc)),
				DateTime(time.Date(2026, 11, 27, 18, 30, 0, 0, loc)),
				Int(12),
			},
			{
				Text("Ligne 1\nLigne 2"), Text("Zoé"), Money(-500),
				Date(time.Time{}),
				// 01:30 UTC on the day summer time starts is 03:30 in Paris.
				DateTime(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC).In(loc)),
				Int(-3),
			},
		},
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sampleTable(t)); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	want := "\ufeffNom;Prénom;Montant;Né le;Inscrit le;Séances\r\n" +
		`"Dupont; fils";"Élodie ""Lo""";1234,50;27/11/1985;27/11/2026 18:30;12` + "\r\n" +
		"\"Ligne 1\r\nLigne 2\";Zoé;-5,00;;29/03/2026 03:30;-3\r\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteCSV:\n got %q\nwant %q", got, want)
	}
}

// Phone numbers such as "+33 6 12 34 56 78" are neutralised too: Excel hides
// the leading apostrophe and shows the number as typed, so nothing is lost.
func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	table := Table{
		Headers: []string{"Valeur"},
		Rows: [][]Cell{
			{Text("=SUM(A1)")},
			{Text("+33 6 12 34 56 78")},
			{Text("-2")},
			{Text("@cmd")},
			{Text("a=b")},
			{Money(-500)}, // numbers we format are not text: left alone
			{Int(-2)},
		},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, table); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	want := "\ufeffValeur\r\n'=SUM(A1)\r\n'+33 6 12 34 56 78\r\n'-2\r\n'@cmd\r\na=b\r\n-5,00\r\n-2\r\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteCSV:\n got %q\nwant %q", got, want)
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"":        "",
		"=1+1":    "'=1+1",
		"+1":      "'+1",
		"-1":      "'-1",
		"@x":      "'@x",
		"\tx":     "'\tx",
		"\rx":     "'\rx",
		"Éloïse":  "Éloïse",
		" =1":     " =1",
		"1-2":     "1-2",
		"'quoted": "'quoted",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFrenchAmount(t *testing.T) {
	for cents, want := range map[int64]string{
		0:             "0,00",
		5:             "0,05",
		-50:           "-0,50",
		-500:          "-5,00",
		123450:        "1234,50",
		100000000:     "1000000,00",
		math.MinInt64: "-92233720368547758,08",
		math.MaxInt64: "92233720368547758,07",
	} {
		if got := frenchAmount(cents); got != want {
			t.Errorf("frenchAmount(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestWriteXLSX(t *testing.T) {
	table := sampleTable(t)
	table.Rows = append(table.Rows, []Cell{Text("=1+1"), Text("+33 6 12 34 56 78")})
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, table); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()

	const sheet = "Inscriptions 2026"
	if got := f.GetSheetList(); len(got) != 1 || got[0] != sheet {
		t.Fatalf("sheets = %q, want [%q]", got, sheet)
	}

	style := func(cell string) *excelize.Style {
		t.Helper()
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatalf("GetCellStyle(%s): %v", cell, err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatalf("GetStyle(%d): %v", id, err)
		}
		return s
	}
	raw := func(cell string) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("GetCellValue(%s): %v", cell, err)
		}
		return v
	}
	numFmt := func(cell string) string {
		t.Helper()
		if s := style(cell); s.CustomNumFmt != nil {
			return *s.CustomNumFmt
		}
		return ""
	}

	if v := raw("B1"); v != "Prénom" {
		t.Errorf("B1 = %q, want Prénom", v)
	}
	for _, cell := range []string{"A1", "F1"} {
		if s := style(cell); s.Font == nil || !s.Font.Bold {
			t.Errorf("header %s is not bold", cell)
		}
	}
	if s := style("A2"); s.Font != nil && s.Font.Bold {
		t.Errorf("data cell A2 is bold")
	}

	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatalf("GetPanes: %v", err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, want first row frozen", panes)
	}

	if width, err := f.GetColWidth(sheet, "E"); err != nil || width < 17 {
		t.Errorf("width of date-time column E = %v (%v), want at least 17", width, err)
	}

	// Money: a number with the euro format.
	if v := raw("C2"); v != "1234.5" {
		t.Errorf("C2 raw = %q, want 1234.5", v)
	}
	if v := raw("C3"); v != "-5" {
		t.Errorf("C3 raw = %q, want -5", v)
	}
	// excelize renders with en-US separators; Excel in French shows "1 234,50 €".
	if v, err := f.GetCellValue(sheet, "C2"); err != nil || v != "1,234.50 €" {
		t.Errorf("C2 formatted = %q (%v), want 1,234.50 €", v, err)
	}
	if got := numFmt("C2"); got != moneyFormat {
		t.Errorf("C2 number format = %q, want %q", got, moneyFormat)
	}

	// Dates: Excel serials with a date format.
	checkDate := func(cell, format string, want time.Time) {
		t.Helper()
		serial, err := strconv.ParseFloat(raw(cell), 64)
		if err != nil {
			t.Fatalf("%s is not numeric: %v", cell, err)
		}
		got, err := excelize.ExcelDateToTime(serial, false)
		if err != nil {
			t.Fatalf("ExcelDateToTime(%v): %v", serial, err)
		}
		if !got.Equal(want) {
			t.Errorf("%s = %v (serial %v), want %v", cell, got, serial, want)
		}
		if got := numFmt(cell); got != format {
			t.Errorf("%s number format = %q, want %q", cell, got, format)
		}
	}
	checkDate("D2", dateFormat, time.Date(1985, 11, 27, 0, 0, 0, 0, time.UTC))
	checkDate("E2", dateTimeFormat, time.Date(2026, 11, 27, 18, 30, 0, 0, time.UTC))
	checkDate("E3", dateTimeFormat, time.Date(2026, 3, 29, 3, 30, 0, 0, time.UTC))
	if v, err := f.GetCellValue(sheet, "D2"); err != nil || v != "27/11/1985" {
		t.Errorf("D2 formatted = %q (%v), want 27/11/1985", v, err)
	}
	if v := raw("D3"); v != "" {
		t.Errorf("zero date D3 = %q, want empty", v)
	}

	if v := raw("F2"); v != "12" {
		t.Errorf("F2 = %q, want 12", v)
	}
	if typ, err := f.GetCellType(sheet, "A2"); err != nil || typ != excelize.CellTypeInlineString {
		t.Errorf("A2 type = %v (%v), want inline string", typ, err)
	}

	// Formula-looking text stays text, without an apostrophe.
	if v := raw("A4"); v != "=1+1" {
		t.Errorf("A4 = %q, want literal =1+1", v)
	}
	if formula, err := f.GetCellFormula(sheet, "A4"); err != nil || formula != "" {
		t.Errorf("A4 formula = %q (%v), want none", formula, err)
	}
	if v := raw("B4"); v != "+33 6 12 34 56 78" {
		t.Errorf("B4 = %q, want the phone number as typed", v)
	}
}

func TestWriteXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, Table{Author: "Ville", Created: time.Now()}); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Export" {
		t.Errorf("sheets = %q, want [Export]", got)
	}
}

// TestWriteXLSX_documentProperties reads the workbook's docProps/core.xml and
// app.xml as LibreOffice does: the city's service as author, the real creation
// time in UTC, and cma as the application, never excelize's "xuri" and 2006.
func TestWriteXLSX_documentProperties(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, sampleTable(t)); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	part := func(name string) string {
		for _, f := range zr.File {
			if f.Name == name {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				b, err := io.ReadAll(rc)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
		}
		t.Fatalf("no %s in the workbook", name)
		return ""
	}
	var core struct {
		Creator        string `xml:"creator"`
		LastModifiedBy string `xml:"lastModifiedBy"`
		Created        string `xml:"created"`
		Modified       string `xml:"modified"`
		Title          string `xml:"title"`
	}
	if err := xml.Unmarshal([]byte(part("docProps/core.xml")), &core); err != nil {
		t.Fatal(err)
	}
	const owner = "Ville — Service des cours d'adultes"
	if core.Creator != owner || core.LastModifiedBy != owner {
		t.Errorf("creator %q, last modified by %q, want %q", core.Creator, core.LastModifiedBy, owner)
	}
	// 09:15:30 in Paris in December is 08:15:30 UTC.
	if core.Created != "2026-12-02T08:15:30Z" || core.Modified != core.Created {
		t.Errorf("created %q, modified %q, want 2026-12-02T08:15:30Z", core.Created, core.Modified)
	}
	if core.Title != "Inscriptions 2026" {
		t.Errorf("title %q", core.Title)
	}
	var app struct {
		Application string `xml:"Application"`
		Company     string `xml:"Company"`
	}
	if err := xml.Unmarshal([]byte(part("docProps/app.xml")), &app); err != nil {
		t.Fatal(err)
	}
	if app.Application != "cma" || app.Company != owner {
		t.Errorf("application %q, company %q", app.Application, app.Company)
	}

	for _, missing := range []Table{{Created: time.Now()}, {Author: owner}} {
		if err := WriteXLSX(io.Discard, missing); err == nil || !strings.Contains(err.Error(), "author and creation time") {
			t.Errorf("WriteXLSX without author or time: %v", err)
		}
	}
}

func TestSheetName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Candidatures", "Candidatures"},
		{"Inscriptions: [2026/27]?", "Inscriptions 202627"},
		{`a*b\c`, "abc"},
		{"Sheet1", "Sheet1"},
		{"", "Export"},
		{"[]:*?/\\", "Export"},
		{"'Cours'", "Cours"},
		{"Candidatures aux cours du soir 2026", "Candidatures aux cours du soir "[:30]},
		{"Séances d'été — atelier céramique", "Séances d'été — atelier céramiq"},
	} {
		got := sheetName(tc.in)
		if got != tc.want {
			t.Errorf("sheetName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if n := len([]rune(got)); n > maxSheetName {
			t.Errorf("sheetName(%q) has %d characters", tc.in, n)
		}
	}
}

func TestFilename(t *testing.T) {
	loc := paris(t)
	day := time.Date(2026, 11, 27, 23, 30, 0, 0, loc) // 22:30 UTC, still the 27th in Paris
	for _, tc := range []struct{ base, ext, want string }{
		{"candidatures", "csv", "candidatures-2026-11-27.csv"},
		{"Candidatures", ".XLSX", "candidatures-2026-11-27.xlsx"},
		{"Séances d'été", "csv", "seances-d-ete-2026-11-27.csv"},
		{"  Liste — Œuvres / cœur  ", "csv", "liste-oeuvres-coeur-2026-11-27.csv"},
		{"../../etc/passwd", "csv", "etc-passwd-2026-11-27.csv"},
		{"paiements_2026", "csv", "paiements-2026-2026-11-27.csv"},
		{"日本語", "c.s/v", "export-2026-11-27.csv"},
		{"", "csv", "export-2026-11-27.csv"},
		{"liste", "", "liste-2026-11-27"},
	} {
		if got := Filename(tc.base, day, tc.ext); got != tc.want {
			t.Errorf("Filename(%q, %q) = %q, want %q", tc.base, tc.ext, got, tc.want)
		}
	}
}

func BenchmarkWriteXLSX100k(b *testing.B) {
	loc := paris(b)
	start := time.Date(2026, 9, 1, 18, 0, 0, 0, loc)
	table := Table{
		Title:   "Candidatures",
		Headers: []string{"N°", "Nom", "Prénom", "Cours", "Montant", "Né le", "Déposée le"},
		Rows:    make([][]Cell, 100_000),
		Author:  "Ville — Service des cours d'adultes", Created: start,
	}
	for i := range table.Rows {
		table.Rows[i] = []Cell{
			Int(int64(i + 1)),
			Text(fmt.Sprintf("Nom%06d", i)),
			Text("Élodie"),
			Text("Céramique — niveau 2"),
			Money(int64(i%50_000) * 5),
			Date(time.Date(1950+i%50, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, loc)),
			DateTime(start.Add(time.Duration(i) * time.Minute)),
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteXLSX(&buf, table); err != nil {
			b.Fatalf("WriteXLSX: %v", err)
		}
		b.ReportMetric(float64(buf.Len()), "bytes/file")
	}
}
