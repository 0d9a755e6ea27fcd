package documents

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"
)

// AttendanceAttestation is the data of an attestation d'assiduité (ATT-2),
// delivered to a learner present for at least 75 % of the hours of their
// course's meetings held so far. Words come already French from the
// caller; the figures are the ones the platform recorded.
type AttendanceAttestation struct {
	Number              string // "ASS-2026-000042"
	FirstName, LastName string
	Formation           string
	CourseCode          string
	Establishment       string
	Session             string    // "Année 2026-2027"
	FirstDay, LastDay   time.Time // civil dates of the first and last meetings held
	MinutesPresent      int       // present or late (ATT-2)
	MinutesHeld         int       // of the meetings held; cancelled ones count for nobody
	RateBP              int       // basis points, rounded down
	IssuedAt            time.Time // in the reader's zone (Europe/Paris)
	// VerifyURL is the verification address with its signed token.
	VerifyURL string
}

// The fixed words of the attestation d'assiduité.
const (
	AttendanceAttestationTitle = "Attestation d'assiduité"
	attendanceVerifyCaption    = "Pour vérifier l'authenticité de cette attestation, scannez ce code " +
		"ou ouvrez l'adresse ci-dessous : la page du Service des cours d'adultes en confirme le contenu."
)

// FrenchRate writes a rate in basis points the French way, one decimal,
// rounded down: 8250 is "82,5 %" (with a no-break space).
func FrenchRate(bp int) string {
	if bp < 0 {
		bp = 0
	}
	return strconv.Itoa(bp/100) + "," + strconv.Itoa(bp%100/10) + noBreakSpace + "%"
}

// FrenchHours writes a number of minutes as hours the French way: "37 h 30",
// "40 h" (no-break spaces).
func FrenchHours(minutes int) string {
	if minutes < 0 {
		minutes = 0
	}
	s := strconv.Itoa(minutes/60) + noBreakSpace + "h"
	if m := minutes % 60; m != 0 {
		s += noBreakSpace + fmt.Sprintf("%02d", m)
	}
	return s
}

// Period is the attestation's period: "du 15 septembre 2026 au 30 mars 2027",
// or "le 15 septembre 2026" for one meeting.
func (a AttendanceAttestation) Period() string {
	if a.FirstDay.Equal(a.LastDay) {
		return "le " + FrenchDate(a.FirstDay)
	}
	return "du " + FrenchDate(a.FirstDay) + " au " + FrenchDate(a.LastDay)
}

// Lead is the attestation's sentence.
func (a AttendanceAttestation) Lead() string {
	return "Le Service des cours d'adultes de la Ville atteste que la personne désignée ci-dessous a suivi " +
		"la formation suivante avec assiduité : présente à " + FrenchHours(a.MinutesPresent) + " sur les " +
		FrenchHours(a.MinutesHeld) + " de séances tenues " + a.Period() + ", soit un taux d'assiduité de " +
		FrenchRate(a.RateBP) + " (au moins 75\u00a0% des heures du cours sont requises)."
}

func (a AttendanceAttestation) check() error {
	switch {
	case a.VerifyURL == "":
		return errors.New("documents: attestation d'assiduité: no verification address")
	case a.MinutesHeld <= 0 || a.MinutesPresent < 0 || a.MinutesPresent > a.MinutesHeld:
		return fmt.Errorf("documents: attestation d'assiduité: %d minutes present of %d held", a.MinutesPresent, a.MinutesHeld)
	case a.MinutesPresent*10000 < 7500*a.MinutesHeld:
		return fmt.Errorf("documents: attestation d'assiduité: %d minutes present of %d held is under 75 %%", a.MinutesPresent, a.MinutesHeld)
	case a.FirstDay.IsZero() || a.LastDay.Before(a.FirstDay):
		return errors.New("documents: attestation d'assiduité: no period")
	}
	return nil
}

// AttendanceAttestationPDF returns the attestation d'assiduité, one A4
// page: who, which course, the period, the hours present and held, the
// rate, its number and date, and the QR code that verifies it.
func AttendanceAttestationPDF(a AttendanceAttestation, generated time.Time) ([]byte, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	m, err := newQRMatrix(a.VerifyURL)
	if err != nil {
		return nil, fmt.Errorf("documents: attestation d'assiduité: %w", err)
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return nil, fmt.Errorf("documents: attestation d'assiduité: %w", err)
	}
	title := AttendanceAttestationTitle
	d.meta(title+" — "+d.t(a.FirstName+" "+a.LastName), title+courseSubject(d.t(a.Formation), d.t(a.CourseCode), d.t(a.Session)))
	d.attendanceAttestation(a, m)
	return d.finish("attestation d'assiduité")
}

// AttendanceAttestationsPDF writes a print run of attestations d'assiduité
// to w, one page each, in one PDF (a course's at the end of the year): the
// fonts are loaded and embedded once, and the QR codes encoded on every
// core ahead of the drawing.
func AttendanceAttestationsPDF(list []AttendanceAttestation, generated time.Time, w io.Writer) error {
	if len(list) == 0 {
		return errors.New("documents: attestations d'assiduité: none to print")
	}
	payloads := make([]string, len(list))
	for i, a := range list {
		if err := a.check(); err != nil {
			return fmt.Errorf("%w (attestation %d, %s)", err, i+1, a.Number)
		}
		payloads[i] = a.VerifyURL
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return fmt.Errorf("documents: attestations d'assiduité: %w", err)
	}
	d.meta("Attestations d'assiduité — "+plural(len(list), "attestation", "attestations"), "Attestations d'assiduité")
	next, stop := encodeAhead(payloads, runtime.GOMAXPROCS(0))
	defer stop()
	for i, a := range list {
		m, err := next()
		if err != nil {
			return fmt.Errorf("documents: attestation d'assiduité %d (%s): %w", i+1, a.Number, err)
		}
		d.attendanceAttestation(a, m)
	}
	return d.write(w, "attestations d'assiduité")
}

// attendanceAttestation draws one attestation from a new page.
func (d *payDoc) attendanceAttestation(a AttendanceAttestation, m qrMatrix) {
	title := AttendanceAttestationTitle
	name := d.t(a.FirstName + " " + a.LastName)
	pdf := d.pdf
	pdf.SetMargins(docMargin, docMargin, docMargin)
	pdf.AddPage()
	issuedOn := FrenchDate(a.IssuedAt)
	number := d.t(a.Number)
	if number != "" {
		number = "N° " + number
	}
	d.letterhead(d.t(a.Establishment), number, issuedOn)
	d.font("B", 20)
	d.colour(colourAccent)
	pdf.MultiCell(docWidth, 9, title, "", "L", false)
	d.colour(colourText)
	pdf.Ln(5)
	d.font("", 11)
	pdf.MultiCell(docWidth, 5.8, d.t(a.Lead()), "", "L", false)
	pdf.Ln(5)
	d.fields(docMargin, docWidth, []field{
		{"Prénom et nom", name, true},
		{"Formation", d.t(a.Formation), false},
		{"Cours", d.t(a.CourseCode), false},
		{"Établissement", d.t(a.Establishment), false},
		{"Session", d.t(a.Session), false},
		{"Période", d.t(a.Period()), false},
		{"Heures de présence", d.t(FrenchHours(a.MinutesPresent)), false},
		{"Heures tenues", d.t(FrenchHours(a.MinutesHeld)), false},
		{"Taux d'assiduité", d.t(FrenchRate(a.RateBP)), true},
	})
	pdf.Ln(4)
	d.font("", 10)
	pdf.MultiCell(docWidth, 5.2, "Les retards comptent comme présence ; les séances annulées ne comptent pour personne. "+
		"Attestation délivrée à la demande de l'intéressé(e), pour servir et valoir ce que de droit.", "", "L", false)
	pdf.Ln(8)
	d.signature(issuedOn)
	if pdf.GetY() > verificationTop-3 {
		pdf.AddPage()
	}
	d.verification(m, a.VerifyURL, attendanceVerifyCaption)
	d.generatedFooter()
}
