package documents

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func postingSample(rows int) ResultsPostingData {
	d := ResultsPostingData{Title: "Résultats du test du premier jour", Establishment: "École élémentaire Parmentier — 5 rue Parmentier, 75011 Paris",
		Note:        "Votre numéro de candidature est la référence de validation indiquée dans « Mes candidatures ».",
		GeneratedAt: time.Date(2026, 9, 29, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))}
	c := PostingCourse{Heading: "Anglais — ANG-A", Schedule: "lundi 18h30–20h30, Année 2026-2027"}
	for i := 0; i < rows; i++ {
		c.Rows = append(c.Rows, PostingRow{Number: fmt.Sprintf("CMA-%05d-ABCDE", i), Result: "liste d'attente, position " + fmt.Sprint(i+1)})
	}
	d.Courses = []PostingCourse{c, {Heading: "Anglais — ANG-B", Empty: "Aucun candidat convoqué au test du premier jour."}}
	return d
}

func TestWriteResultsPostingPDF_SEL2_numbersAndResultsNoNames(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteResultsPostingPDF(&buf, postingSample(70)); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:8])
	}
	checkXref(t, data)
	f := parsePDF(t, data)
	if len(f.pages) < 3 {
		t.Fatalf("%d pages for 70 rows and an empty course, want 3 or more", len(f.pages))
	}
	all := f.allText()
	for _, want := range []string{"Résultats du test du premier jour", "CMA-00000-ABCDE", "CMA-00069-ABCDE",
		"liste d'attente, position 70", "Aucun candidat convoqué", "Affiché le 29 septembre 2026", "N° de candidature"} {
		if !strings.Contains(all, want) {
			t.Errorf("%q not drawn", want)
		}
	}
	// Every row once; the table's header on every page of the first course.
	if n := f.count("CMA-00042-ABCDE"); n != 1 {
		t.Errorf("row drawn %d times", n)
	}
	for i, p := range f.pages[:len(f.pages)-1] {
		if !strings.Contains(p.text(), "N° de candidature") {
			t.Errorf("page %d: no table header", i+1)
		}
	}
	if !strings.Contains(f.pages[len(f.pages)-1].text(), "ANG-B") {
		t.Error("the second course does not start its own page")
	}
}
