package documents

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func render(t testing.TB, b BrochureData) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteBrochurePDF(&buf, b); err != nil {
		t.Fatalf("WriteBrochurePDF: %v", err)
	}
	return buf.Bytes()
}

func renderParsed(t testing.TB, b BrochureData) *pdfFile {
	t.Helper()
	return parsePDF(t, render(t, b))
}

func pageObjects(raw []byte) int {
	return len(regexp.MustCompile(`/Type /Page[^s]`).FindAll(raw, -1))
}

func TestWriteBrochurePDF_CAT2_ValidPDFWithSanePageCount(t *testing.T) {
	data := render(t, sampleBrochure(1300))
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("output starts with %q, want %%PDF-", data[:min(len(data), 8)])
	}
	if !bytes.HasSuffix(bytes.TrimRight(data, "\r\n"), []byte("%%EOF")) {
		t.Fatalf("output does not end with %%%%EOF")
	}
	if !bytes.Contains(data, []byte("/FlateDecode")) {
		t.Error("page streams are not compressed")
	}
	n := pageObjects(data)
	// 1,300 courses: one cover page, 7 sections, about 25 rows a page.
	if n < 40 || n > 90 {
		t.Fatalf("%d pages for 1,300 courses, want between 40 and 90", n)
	}
	f := parsePDF(t, data)
	if len(f.pages) != n {
		t.Fatalf("parsed %d pages, counted %d page objects", len(f.pages), n)
	}
	for i, p := range f.pages {
		want := fmt.Sprintf("Page %d / %d", i+1, n)
		if !strings.Contains(p.text(), want) {
			t.Errorf("page %d: footer %q missing", i+1, want)
		}
		if !strings.Contains(p.text(), "Catalogue généré le 27 novembre 2026") {
			t.Errorf("page %d: generation date missing from the footer", i+1)
		}
	}
	if !bytes.Contains(data, []byte("/MediaBox [0 0 595.28 841.89]")) { // on the Pages node
		t.Errorf("document is not A4 portrait")
	}
	if bytes.Contains(data, []byte("{nb}")) || strings.Contains(f.allText(), "{nb}") {
		t.Error("page-count alias left unreplaced")
	}
}

func TestWriteBrochurePDF_CAT2_Metadata(t *testing.T) {
	b := sampleBrochure(20)
	f := renderParsed(t, b)
	if got := f.info(t, "/Title"); got != b.Title {
		t.Errorf("title = %q, want %q", got, b.Title)
	}
	if got := f.info(t, "/Author"); got != "Ville — Service des cours d'adultes" {
		t.Errorf("author = %q", got)
	}
	if got := f.info(t, "/Subject"); !strings.Contains(got, "Session annuelle 2026-2027") {
		t.Errorf("subject = %q, want it to carry the subtitle", got)
	}
	if !bytes.Contains(f.raw, []byte("/Lang (fr)")) {
		t.Error("document language fr not declared")
	}
	if !bytes.Contains(f.raw, []byte("/CreationDate (D:20261127103000")) {
		t.Error("creation date is not the generation date")
	}
}

func TestWriteBrochurePDF_CAT2_FrenchTextIsDrawn(t *testing.T) {
	b := sampleBrochure(300)
	b.Sections[0].Formations[0].Courses[0].Price = FrenchMoney(123450) // 1 234,50 € with U+202F
	f := renderParsed(t, b)
	text := f.allText()
	for _, want := range []string{
		"Français langue étrangère", "Mécanique", "Œnologie", "Diplômes",
		"Mme Bérénice", "Çelik", "« Anglais »", "Élémentaire", "Évaluation : ",
		"Catalogue généré le 27 novembre 2026",
		"156,00\u00a0€",
		"1\u00a0234,50\u00a0€", // the narrow no-break space the Go fonts lack is drawn as a no-break space
		"18h30–20h30",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q is not drawn", want)
		}
	}
	for _, absent := range []string{"Astronomie", "\u202f", "Nguy?n"} {
		if strings.Contains(text, absent) {
			t.Errorf("%q is drawn but should not be", absent)
		}
	}
	if f.count("Nguyen") == 0 { // the trainer's name wraps in its column: "M. Jérôme" / "Nguyen"
		t.Error(`"Nguyễn" (ễ missing from the Go fonts) should fall back to "Nguyen"`)
	}
}

func TestWriteBrochurePDF_CAT2_SectionsStartPagesAndTableOfContents(t *testing.T) {
	b := sampleBrochure(1300)
	b.Sections = append(b.Sections[:2], b.Sections[3:]...) // drop "Informatique"
	f := renderParsed(t, b)
	if f.pageOf("Informatique") >= 0 {
		t.Error(`a section missing from the data ("Informatique") appears in the brochure`)
	}
	first := f.pages[0].strings
	if len(first) < len(b.Sections) {
		t.Fatalf("cover page draws %d strings", len(first))
	}
	tocNumbers := first[len(first)-len(b.Sections):] // written last, once the sections are laid out
	prev := 1
	for i, s := range b.Sections {
		if f.pageOf(s.Subject) != 0 {
			t.Errorf("section %q is not listed in the table of contents on page 1", s.Subject)
		}
		start := -1
		for p := 1; p < len(f.pages); p++ {
			// running header (title, subject), then the section heading
			if st := f.pages[p].strings; len(st) > 2 && st[2] == s.Subject {
				if start >= 0 {
					t.Errorf("section %q has a heading on pages %d and %d", s.Subject, start+1, p+1)
				}
				start = p
			}
		}
		if start < 0 {
			t.Errorf("section %q does not open a page with its heading", s.Subject)
			continue
		}
		if start+1 <= prev {
			t.Errorf("section %q starts on page %d, not after page %d", s.Subject, start+1, prev)
		}
		prev = start + 1
		if tocNumbers[i] != strconv.Itoa(start+1) {
			t.Errorf("table of contents gives page %s for %q, it starts on page %d", tocNumbers[i], s.Subject, start+1)
		}
	}
	// every page after the cover carries the running header with its section
	for p := 1; p < len(f.pages); p++ {
		if st := f.pages[p].strings; len(st) < 2 || st[0] != b.Title {
			t.Errorf("page %d has no running header", p+1)
		}
	}
}

func TestWriteBrochurePDF_CAT3_EveryCourseOnceRowsNeverSplit(t *testing.T) {
	b := sampleBrochure(1300)
	f := renderParsed(t, b)
	i := 0
	for _, s := range b.Sections {
		for _, fo := range s.Formations {
			for _, c := range fo.Courses {
				if n := f.count(c.Code); n != 1 {
					t.Fatalf("course %s drawn %d times, want once", c.Code, n)
				}
				codePage := f.pageOf(c.Code)
				// the first line of the (unique) address must be on the code's page
				addrPage := -1
				prefix := strconv.Itoa(i+1) + " "
				for p, pg := range f.pages {
					for _, d := range pg.strings {
						if strings.HasPrefix(d, prefix) && strings.HasPrefix(c.Address, d) {
							addrPage = p
						}
					}
				}
				if addrPage != codePage {
					t.Fatalf("course %s: code on page %d, address on page %d: row split", c.Code, codePage+1, addrPage+1)
				}
				i++
			}
		}
	}
	// a table header on every page that has a course row
	for p, pg := range f.pages {
		hasRow, hasHead := false, false
		for _, d := range pg.strings {
			hasRow = hasRow || strings.HasPrefix(d, "C-0")
			hasHead = hasHead || d == "Arrondissement"
		}
		if hasRow && !hasHead {
			t.Errorf("page %d has course rows without the table header", p+1)
		}
	}
}

func TestWriteBrochurePDF_CAT3_LongTableRepeatsHeaderAndLongTextWraps(t *testing.T) {
	words := make([]string, 300)
	for i := range words {
		words[i] = "mot" + strconv.Itoa(i)
	}
	description := strings.Join(words, " ")
	long := strings.Repeat("Établissement-sans-espace-", 8)
	b := BrochureData{Title: "Catalogue", GeneratedAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	fo := BrochureFormation{Title: "Anglais intensif", Level: "Avancé", Description: description}
	for i := range 150 {
		c := BrochureCourse{Code: fmt.Sprintf("L-%03d", i), Establishment: "Lycée Voltaire", District: "11e arrondissement",
			Weekday: "lundi", Hours: "18h30–20h30", Session: "Annuelle", Price: "10,00 €", ReducedPrice: "5,00 €", PlacesLeft: 3}
		if i == 10 {
			c.Establishment = long
		}
		if i == 20 {
			c.Address = strings.Repeat("très longue adresse ", 200)
		}
		fo.Courses = append(fo.Courses, c)
	}
	b.Sections = []BrochureSection{{Subject: "Langues", Formations: []BrochureFormation{fo}}}
	f := renderParsed(t, b)

	var pieces []string
	for _, d := range strings.Split(f.allText(), "\n") {
		if strings.HasPrefix(d, "mot") {
			pieces = append(pieces, d)
		}
	}
	if len(pieces) < 3 {
		t.Errorf("a 300-word description is drawn in %d lines, want it wrapped", len(pieces))
	}
	if got := strings.Join(pieces, " "); got != description {
		t.Errorf("wrapped description loses words: %d chars drawn, %d given", len(got), len(description))
	}

	pagesWithRows := 0
	for p := 1; p < len(f.pages); p++ {
		if strings.Contains(f.pages[p].text(), "L-") {
			pagesWithRows++
		}
	}
	if pagesWithRows < 3 {
		t.Fatalf("150 courses fit on %d pages?", pagesWithRows)
	}
	if got := f.count("Arrondissement"); got != pagesWithRows {
		t.Errorf("table header drawn %d times for %d pages of rows", got, pagesWithRows)
	}
	if got := f.count("Anglais intensif (suite)"); got != pagesWithRows-1 {
		t.Errorf("%d continuation captions, want %d", got, pagesWithRows-1)
	}
	// the word with no space is cut between characters, nothing lost
	var cut []string
	for _, d := range strings.Split(f.allText(), "\n") {
		if strings.HasPrefix(d, "Établissement-") || (len(cut) > 0 && strings.HasPrefix(long, strings.Join(cut, "")+d)) {
			cut = append(cut, d)
		}
	}
	if strings.Join(cut, "") != long || len(cut) < 2 {
		t.Errorf("over-long word drawn as %q", cut)
	}
	// the huge address is cut at maxCellLines lines and marked
	if !strings.Contains(f.allText(), "…") {
		t.Error("an over-long cell is not marked as cut")
	}
}

func TestWriteBrochurePDF_CAT6_RemoteShownOnlyForRemoteCourses(t *testing.T) {
	b := sampleBrochure(500)
	remote := 0
	for _, s := range b.Sections {
		for _, fo := range s.Formations {
			for _, c := range fo.Courses {
				if c.Remote {
					remote++
				}
			}
		}
	}
	if remote == 0 {
		t.Fatal("sample has no remote course")
	}
	f := renderParsed(t, b)
	if got := f.count("à distance"); got != remote {
		t.Errorf(`"à distance" drawn %d times for %d remote courses`, got, remote)
	}

	// health protocol: every course remote
	for si := range b.Sections {
		for fi := range b.Sections[si].Formations {
			for ci := range b.Sections[si].Formations[fi].Courses {
				b.Sections[si].Formations[fi].Courses[ci].Remote = false
			}
		}
	}
	if got := renderParsed(t, b).count("à distance"); got != 0 {
		t.Errorf(`"à distance" drawn %d times with no remote course`, got)
	}
}

func TestWriteBrochurePDF_CAT7_DiplomaMarkedOnlyForDiplomaFormations(t *testing.T) {
	b := sampleBrochure(300)
	b.Sections[0].Formations[1].Diploma = "BTS" // a diploma formation outside the diploma section
	f := renderParsed(t, b)
	var drawn []string
	for _, p := range f.pages {
		drawn = append(drawn, p.strings...)
	}
	// markerAfter reports whether some drawing of title is followed by marker,
	// and whether some is followed by any diploma marker.
	markerAfter := func(title, marker string) (exact, any bool) {
		for i := 0; i+1 < len(drawn); i++ {
			if drawn[i] == title {
				exact = exact || drawn[i+1] == marker
				any = any || strings.HasPrefix(drawn[i+1], "Diplôme")
			}
		}
		return exact, any
	}
	diplomas := 0
	for _, s := range b.Sections {
		for _, fo := range s.Formations {
			marker := "Diplôme : " + fo.Diploma + " — inscription aux examens et frais à la charge du candidat"
			exact, any := markerAfter(fo.Title, marker)
			switch {
			case fo.Diploma != "" && !exact:
				t.Errorf("diploma formation %q is not followed by %q", fo.Title, marker)
			case fo.Diploma == "" && any:
				t.Errorf("formation %q without diploma carries a diploma marker", fo.Title)
			}
			if fo.Diploma != "" {
				diplomas++
			}
		}
	}
	if diplomas < 2 {
		t.Fatalf("sample has %d diploma formations", diplomas)
	}
	if got := strings.Count(f.allText(), "Diplôme : "); got != diplomas {
		t.Errorf("%d diploma markers for %d diploma formations", got, diplomas)
	}
}

func TestWriteBrochurePDF_CAT2_EmptyAndOddInput(t *testing.T) {
	f := renderParsed(t, BrochureData{Title: "Catalogue vide"})
	if len(f.pages) != 1 {
		t.Errorf("empty brochure has %d pages, want 1", len(f.pages))
	}
	if !strings.Contains(f.allText(), "Aucune formation au catalogue.") {
		t.Error("empty brochure does not say so")
	}
	if strings.Contains(f.allText(), "généré le") {
		t.Error("zero generation date printed")
	}

	odd := BrochureData{
		Title: "Catalogue\x07 (test) \\ \r\nspécial 😀",
		Sections: []BrochureSection{
			{Subject: "Sans formation"},
			{Subject: "Langues", Formations: []BrochureFormation{{Title: "Anglais", Courses: nil}}},
		},
	}
	f = renderParsed(t, odd)
	text := f.allText()
	for _, want := range []string{"Aucune formation proposée dans ce domaine.", "Aucun cours programmé pour cette formation.", "(test) \\", "spécial ?"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not drawn", want)
		}
	}
	if strings.ContainsAny(text, "\x07\r") {
		t.Error("control characters drawn")
	}
}

func TestWriteBrochurePDF_CAT2_Deterministic(t *testing.T) {
	b := sampleBrochure(200)
	if !bytes.Equal(render(t, b), render(t, b)) {
		t.Error("same data, different PDF bytes")
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteBrochurePDF_CAT2_WriteErrorIsReturned(t *testing.T) {
	err := WriteBrochurePDF(failingWriter{}, sampleBrochure(10))
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("err = %v, want it to wrap the writer's error", err)
	}
	if !strings.Contains(err.Error(), "brochure") {
		t.Errorf("error %q gives no context", err)
	}
}

func TestWriteBrochurePDF_CAT2_LargeCatalogue(t *testing.T) {
	if testing.Short() {
		t.Skip("13,000 courses: skipped with -short")
	}
	var buf bytes.Buffer
	start := time.Now()
	if err := WriteBrochurePDF(&buf, sampleBrochure(13000)); err != nil {
		t.Fatal(err)
	}
	n := pageObjects(buf.Bytes())
	t.Logf("13,000 courses: %d pages, %d KiB, %v", n, buf.Len()/1024, time.Since(start))
	if n < 400 || n > 900 {
		t.Errorf("%d pages for 13,000 courses", n)
	}
}

// TestWriteBrochurePDF_CAT2_Pdftotext reads the brochure back with poppler's
// pdftotext, an independent PDF reader, when it is installed.
func TestWriteBrochurePDF_CAT2_Pdftotext(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (Debian package poppler-utils): independent text extraction not checked")
	}
	b := sampleBrochure(300)
	cmd := exec.Command(bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(render(t, b))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{
		"Cours municipaux d'adultes — catalogue", "Français langue étrangère", "Mécanique", "Œnologie",
		"à distance", "Diplôme : CAP — inscription aux examens et frais à la charge du candidat",
		"Catalogue généré le 27 novembre 2026", "Niveau :", "156,00 €", "« Anglais »",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext does not find %q", want)
		}
	}
	if !regexp.MustCompile(`Page 1 / \d+`).MatchString(text) {
		t.Error(`pdftotext does not find "Page 1 / n"`)
	}
}

func TestFrenchDate(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, time.November, 27, 10, 0, 0, 0, time.UTC), "27 novembre 2026"},
		{time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC), "1er décembre 2026"},
		{time.Date(2027, time.February, 2, 0, 0, 0, 0, time.UTC), "2 février 2027"},
		{time.Date(2027, time.August, 15, 0, 0, 0, 0, time.UTC), "15 août 2027"},
		{time.Date(2027, time.January, 31, 23, 59, 0, 0, time.UTC), "31 janvier 2027"},
		{time.Date(2026, time.December, 31, 23, 30, 0, 0, paris), "31 décembre 2026"}, // the date as given, not converted
		{time.Time{}, ""},
	} {
		if got := FrenchDate(tc.in); got != tc.want {
			t.Errorf("FrenchDate(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	months := map[string]bool{}
	for m := time.January; m <= time.December; m++ {
		s := FrenchDate(time.Date(2026, m, 10, 0, 0, 0, 0, time.UTC))
		months[s] = true
		if s == "" || strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			t.Errorf("month %d: %q", m, s)
		}
	}
	if len(months) != 12 {
		t.Errorf("only %d distinct month names", len(months))
	}
}

func TestFrenchMoney(t *testing.T) {
	const nnbsp, nbsp = "\u202f", "\u00a0"
	for _, tc := range []struct {
		cents int64
		want  string
	}{
		{0, "0,00" + nbsp + "€"},
		{5, "0,05" + nbsp + "€"},
		{99, "0,99" + nbsp + "€"},
		{31200, "312,00" + nbsp + "€"},
		{100000, "1" + nnbsp + "000,00" + nbsp + "€"},
		{123450, "1" + nnbsp + "234,50" + nbsp + "€"},
		{99999999, "999" + nnbsp + "999,99" + nbsp + "€"},
		{123456789, "1" + nnbsp + "234" + nnbsp + "567,89" + nbsp + "€"},
		{-1550, "-15,50" + nbsp + "€"},
		{-123450, "-1" + nnbsp + "234,50" + nbsp + "€"},
		{math.MinInt64, "-92" + nnbsp + "233" + nnbsp + "720" + nnbsp + "368" + nnbsp + "547" + nnbsp + "758,08" + nbsp + "€"},
	} {
		if got := FrenchMoney(tc.cents); got != tc.want {
			t.Errorf("FrenchMoney(%d) = %q, want %q", tc.cents, got, tc.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0 cours"}, {1, "1 formation"}, {2, "2 formations"}, {1300, "1\u00a0300 formations"}, {1234567, "1\u00a0234\u00a0567 formations"},
	} {
		one := "formation"
		if tc.n == 0 {
			one = "cours"
		}
		if got := plural(tc.n, one, "formations"); got != tc.want {
			t.Errorf("plural(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func BenchmarkWriteBrochurePDF(b *testing.B) {
	data := sampleBrochure(1300)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := WriteBrochurePDF(&buf, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1024, "KiB/op")
}

// TestWriteBrochurePDF_CAT2_DatesCarryTheirOffset reads the information
// dictionary's dates: the generation time with its offset from UTC (PDF 1.7
// §7.9.4), +01'00' in Paris in winter and +02'00' in summer, and a
// cross-reference table that still points at every object.
func TestWriteBrochurePDF_CAT2_DatesCarryTheirOffset(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, time.November, 27, 11, 30, 0, 0, paris), "D:20261127113000+01'00'"},
		{time.Date(2027, time.June, 15, 9, 5, 7, 0, paris), "D:20270615090507+02'00'"},
		{time.Date(2026, time.November, 27, 10, 30, 0, 0, time.UTC), "D:20261127103000Z"},
		{time.Date(2026, time.November, 27, 5, 30, 0, 0, time.FixedZone("", -(5*3600+30*60))), "D:20261127053000-05'30'"},
	} {
		b := sampleBrochure(40)
		b.GeneratedAt = tt.at
		data := render(t, b)
		f := parsePDF(t, data)
		for _, key := range []string{"/CreationDate", "/ModDate"} {
			if got := f.info(t, key); got != tt.want {
				t.Errorf("%s = %q, want %q", key, got, tt.want)
			}
		}
		checkXref(t, data)
	}
}

// checkXref checks that startxref points at the table and that each entry in
// use points at its object.
func checkXref(t *testing.T, data []byte) {
	t.Helper()
	m := regexp.MustCompile(`\nstartxref\n(\d+)\n%%EOF\n?$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no startxref at the end")
	}
	at, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(data[at:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d points at %q", at, data[at:min(len(data), at+10)])
	}
	lines := strings.Split(string(data[at:]), "\n")
	n, _ := strconv.Atoi(strings.Fields(lines[1])[1])
	for i := 1; i < n; i++ {
		o, _ := strconv.Atoi(lines[2+i][:10])
		if want := fmt.Sprintf("%d 0 obj", i); !bytes.HasPrefix(data[o:], []byte(want)) {
			t.Errorf("xref entry %d points at %q, want %q", i, data[o:min(len(data), o+12)], want)
		}
	}
}
