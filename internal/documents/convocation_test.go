package documents

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestConvocationPDF_SEL2_NominativeWithItsDate: the printable convocation is
// a PDF naming the candidate, with the date and place of the sitting.
func TestConvocationPDF_SEL2_NominativeWithItsDate(t *testing.T) {
	pdf, err := ConvocationPDF(Convocation{Number: 42, FirstName: "Léa", LastName: "Durand", Formation: "Anglais",
		What: "au test de niveau", When: "mardi 5 janvier 2027 à 18 h 30", Place: "École Parmentier, 12 rue X, 75011 Paris, salle 2",
		Minutes: 60, CourseCode: "ANG-11-01"}, time.Date(2026, 12, 20, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := parsePDF(t, pdf).allText()
	for _, want := range []string{"Léa Durand", "mardi 5 janvier 2027 à 18 h 30", "Candidature n° 42", "École Parmentier"} {
		if !strings.Contains(text, want) {
			t.Errorf("the convocation does not say %q:\n%s", want, text)
		}
	}
}
