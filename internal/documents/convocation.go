package documents

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Convocation is a candidate's nominative convocation to a test, an
// interview or a first-day test (SEL-2), with its words already French.
type Convocation struct {
	Number              int64 // the candidature's number
	FirstName, LastName string
	Formation           string
	What                string // "au test de niveau", "à l'entretien", "au test du premier jour"
	When                string // "mardi 5 janvier 2027 à 18 h 30"
	Place               string
	Minutes             int // 0 when not known
	CourseCode          string
}

// ConvocationPDF returns the printable convocation, one A4 page.
func ConvocationPDF(c Convocation, generated time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("documents: convocation: loading fonts: %w", err)
	}
	cl := newTextCleaner()
	t := func(s string) string { return cl.clean(s, false) }
	name := t(c.FirstName + " " + c.LastName)
	pdf.SetTitle("Convocation — "+name, true)
	pdf.SetAuthor(BrochureAuthor, true)
	pdf.SetSubject("Convocation "+t(c.What)+" « "+t(c.Formation)+" »", true)
	pdf.SetCreator("cma", true)
	pdf.SetLang("fr")
	pdf.SetCatalogSort(true)
	if generated.IsZero() {
		generated = time.Now()
	}
	pdf.SetCreationDate(generated)
	pdf.SetModificationDate(generated)
	pdf.SetMargins(20, 20, 20)
	pdf.AddPage()

	pdf.SetFont(fontFamily, "", 10)
	pdf.CellFormat(0, 5, t(BrochureAuthor), "", 1, "L", false, 0, "")
	pdf.Ln(10)
	pdf.SetFont(fontFamily, "B", 18)
	pdf.CellFormat(0, 10, "Convocation", "", 1, "L", false, 0, "")
	pdf.SetFont(fontFamily, "", 11)
	pdf.CellFormat(0, 6, "Candidature n° "+strconv.FormatInt(c.Number, 10), "", 1, "L", false, 0, "")
	pdf.Ln(6)
	pdf.SetFont(fontFamily, "B", 13)
	pdf.CellFormat(0, 7, name, "", 1, "L", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont(fontFamily, "", 11)
	pdf.MultiCell(0, 6, "Vous êtes convoqué(e) "+t(c.What)+" de la formation « "+t(c.Formation)+" »"+
		courseSuffix(t(c.CourseCode))+".", "", "L", false)
	pdf.Ln(4)
	row := func(label, value string) {
		if value == "" {
			return
		}
		pdf.SetFont(fontFamily, "B", 11)
		pdf.CellFormat(30, 7, label, "", 0, "L", false, 0, "")
		pdf.SetFont(fontFamily, "", 11)
		pdf.MultiCell(0, 7, value, "", "L", false)
	}
	row("Date", t(c.When))
	row("Lieu", t(c.Place))
	if c.Minutes > 0 {
		row("Durée", strconv.Itoa(c.Minutes)+" minutes")
	}
	pdf.Ln(6)
	pdf.MultiCell(0, 6, "Cette convocation est nominative et sa date ne peut pas être changée. Présentez-la avec une pièce "+
		"d'identité. Une absence vaut désistement : votre candidature serait alors retirée, sans exception.", "", "L", false)
	pdf.Ln(8)
	pdf.SetFont(fontFamily, "", 9)
	pdf.CellFormat(0, 5, "Document établi le "+FrenchDate(generated), "", 1, "L", false, 0, "")
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("documents: laying out the convocation: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("documents: writing the convocation: %w", err)
	}
	return buf.Bytes(), nil
}

func courseSuffix(code string) string {
	if code == "" {
		return ""
	}
	return " (cours " + code + ")"
}
