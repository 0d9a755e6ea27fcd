package web

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/i18n"
	"cma/internal/selection"
)

func sampleReport() selection.Report {
	cut := selection.Line{Key: "allocation.priority.no_social", Args: map[string]any{"Evaluation": int16(15), "Record": int8(0),
		"Motivation": int8(1), "Lottery": selection.Line{Key: "allocation.decimal", Args: map[string]any{"Units": "0", "Decimals": "5"}}}}
	f := selection.FormationReport{FormationID: 7, Title: "=HYPERLINK(\"http://x\")", MinSocialPercent: 30,
		Applicants: selection.SocialCounts{Total: 5, RSA: 2, JobSeeker: 1, None: 2}, Accepted: selection.SocialCounts{Total: 2, RSA: 1, None: 1},
		Redirects: 1, CoursesBelowRate: 0, Inversions: 1, Pairs: 10,
		Courses: []selection.CourseReport{{CourseID: 3, Name: selection.Line{Key: "allocation.course.unknown", Args: map[string]any{"ID": 3}},
			Capacity: 2, Accepted: 2, AcceptedSocial: 1, RateMet: true, Cutoff: &cut, Inversions: 1, Pairs: 10}}}
	return selection.Report{Run: domain.Run{ID: 9, Status: domain.RunPublished, Seed: 42, Digest: "sha256:abc"},
		Formations: []selection.FormationReport{f}, Total: f}
}

// TestSocialChart_ROLE5: the report's chart is well-formed SVG with a
// title, for screen readers (role="img").
func TestSocialChart_ROLE5(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	p := words.Printer(i18n.French)
	for _, svg := range []string{socialChart(p, "c1", "Anglais <débutant> & co", criteria(p, sampleReport().Formations[0])),
		divergenceChart(p, "c2", "Anglais <débutant> & co", []string{"Anglais & <co>"}, []float64{0.1})} {
		checkSVG(t, svg)
	}
}

// checkSVG: well-formed XML, role="img", the title given.
func checkSVG(t *testing.T, svg string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	var title string
	inTitle, role := false, ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inTitle = e.Name.Local == "title"
			for _, a := range e.Attr {
				if e.Name.Local == "svg" && a.Name.Local == "role" {
					role = a.Value
				}
			}
		case xml.CharData:
			if inTitle {
				title += string(e)
			}
		case xml.EndElement:
			inTitle = false
		}
	}
	if role != "img" || title != "Anglais <débutant> & co" {
		t.Errorf("role %q, title %q", role, title)
	}
}

// TestReportExports_ROLE5: the CSV has a BOM, ';' and neutralised formulas;
// the XLSX opens with the same rows.
func TestReportExports_ROLE5(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	table := reportTable(words.Printer(i18n.French), sampleReport())
	table.Author, table.Created = "Ville", time.Date(2026, 9, 20, 10, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, table); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Fatal("no UTF-8 BOM")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "Ligne" || rows[1][1] != "'=HYPERLINK(\"http://x\")" || rows[1][len(rows[1])-2] != "42" {
		t.Fatalf("csv rows = %q", rows)
	}
	if rows[2][0] != "cours" || !strings.Contains(rows[2][len(rows[2])-3], "évaluation 15") {
		t.Errorf("course row = %q", rows[2])
	}
	buf.Reset()
	if err := export.WriteXLSX(&buf, table); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(got) != 4 || got[1][3] != "5" {
		t.Fatalf("xlsx rows = %q, %v", got, err)
	}
}
