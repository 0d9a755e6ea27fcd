package documents

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"
)

// Certificate is the data of a certificate of competences (CER-2): success
// at a course's evaluation test, required to enter the next level,
// delivered by the central service. Words come already French from the
// caller.
type Certificate struct {
	Number              string // "CER-2027-000042"
	FirstName, LastName string
	Formation           string
	Level               string // "Niveau 2 — intermédiaire", or ""
	CourseCode          string
	Establishment       string
	Session             string    // "Année 2026-2027"
	EvaluationDate      time.Time // civil date of the evaluation test (CER-1)
	IssuedAt            time.Time // in the reader's zone (Europe/Paris)
	// VerifyURL is the verification address with its signed token.
	VerifyURL string
}

// The fixed words of the certificate.
const (
	CertificateTitle  = "Certificat de compétences"
	CertificateSigner = "Le service central des cours municipaux d'adultes"
	certVerifyCaption = "Pour vérifier l'authenticité de ce certificat, scannez ce code " +
		"ou ouvrez l'adresse ci-dessous : la page du Service des cours d'adultes en confirme le contenu."
)

// Lead is the certificate's sentence.
func (c Certificate) Lead() string {
	s := "Le service central des cours municipaux d'adultes certifie que la personne désignée ci-dessous a réussi " +
		"l'évaluation de fin de cours de la formation suivante"
	if on := FrenchDate(c.EvaluationDate); on != "" {
		s += ", le " + on
	}
	return s + ", et a ainsi acquis les compétences de ce niveau."
}

// NextLevel is the certificate's note on what it opens (CER-2).
const certNextLevel = "Ce certificat est requis pour s'inscrire au niveau suivant de la formation."

// CertificatePDF returns the certificate of competences, one A4 page: who,
// which formation and level, the course, the evaluation's date, its number
// and date, the central service's signature and the QR code that verifies
// it.
func CertificatePDF(c Certificate, generated time.Time) ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	m, err := newQRMatrix(c.VerifyURL)
	if err != nil {
		return nil, fmt.Errorf("documents: certificate: %w", err)
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return nil, fmt.Errorf("documents: certificate: %w", err)
	}
	d.meta(CertificateTitle+" — "+d.t(c.FirstName+" "+c.LastName), CertificateTitle+courseSubject(d.t(c.Formation), d.t(c.CourseCode), d.t(c.Session)))
	d.certificate(c, m)
	return d.finish("certificate")
}

// CertificatesPDF writes a print run of certificates to w, one page each,
// in one PDF (the central service's issue of a course's certificates): the
// fonts are loaded and embedded once, and the QR codes encoded on every
// core ahead of the drawing.
func CertificatesPDF(list []Certificate, generated time.Time, w io.Writer) error {
	if len(list) == 0 {
		return errors.New("documents: certificates: none to print")
	}
	payloads := make([]string, len(list))
	for i, c := range list {
		if err := c.check(); err != nil {
			return fmt.Errorf("%w (certificate %d)", err, i+1)
		}
		payloads[i] = c.VerifyURL
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return fmt.Errorf("documents: certificates: %w", err)
	}
	d.meta("Certificats de compétences — "+plural(len(list), "certificat", "certificats"), "Certificats de compétences")
	next, stop := encodeAhead(payloads, runtime.GOMAXPROCS(0))
	defer stop()
	for i, c := range list {
		m, err := next()
		if err != nil {
			return fmt.Errorf("documents: certificate %d (%s): %w", i+1, c.Number, err)
		}
		d.certificate(c, m)
	}
	return d.write(w, "certificates")
}

func (c Certificate) check() error {
	if c.VerifyURL == "" {
		return errors.New("documents: certificate: no verification address")
	}
	if c.Number == "" {
		return errors.New("documents: certificate: no number")
	}
	return nil
}

// certificate draws one certificate from a new page.
func (d *payDoc) certificate(c Certificate, m qrMatrix) {
	name := d.t(c.FirstName + " " + c.LastName)
	pdf := d.pdf
	pdf.SetMargins(docMargin, docMargin, docMargin)
	pdf.AddPage()
	issuedOn := FrenchDate(c.IssuedAt)
	d.letterhead(d.t(c.Establishment), "N° "+d.t(c.Number), issuedOn)

	// The title, centred, underlined in the accent colour.
	pdf.Ln(4)
	d.font("B", 26)
	d.colour(colourAccent)
	pdf.CellFormat(docWidth, 12, CertificateTitle, "", 1, "C", false, 0, "")
	pdf.SetDrawColor(colourAccent.r, colourAccent.g, colourAccent.b)
	pdf.SetLineWidth(0.6)
	y := pdf.GetY() + 1
	pdf.Line(docMargin+docWidth/4, y, docMargin+3*docWidth/4, y)
	pdf.Ln(8)
	d.font("B", 18)
	d.colour(colourText)
	pdf.MultiCell(docWidth, 8, name, "", "C", false)
	pdf.Ln(5)
	d.font("", 11)
	pdf.MultiCell(docWidth, 5.8, d.t(c.Lead()), "", "L", false)
	pdf.Ln(5)
	d.fields(docMargin, docWidth, []field{
		{"Formation", d.t(c.Formation), true},
		{"Niveau", d.t(c.Level), true},
		{"Cours", d.t(c.CourseCode), false},
		{"Établissement", d.t(c.Establishment), false},
		{"Session", d.t(c.Session), false},
		{"Date de l'évaluation", FrenchDate(c.EvaluationDate), false},
		{"Numéro", d.t(c.Number), false},
	})
	pdf.Ln(4)
	d.font("", 10)
	pdf.MultiCell(docWidth, 5.2, certNextLevel, "", "L", false)
	pdf.Ln(8)

	x := sheetW - docMargin - 90
	if issuedOn != "" {
		pdf.SetX(x)
		pdf.CellFormat(90, 5.2, "Fait le "+issuedOn, "", 2, "L", false, 0, "")
	}
	d.font("B", 10)
	pdf.SetX(x)
	pdf.MultiCell(90, 5.2, CertificateSigner, "", "L", false)

	if pdf.GetY() > verificationTop-3 {
		pdf.AddPage()
	}
	d.verification(m, c.VerifyURL, certVerifyCaption)
	d.generatedFooter()
}
