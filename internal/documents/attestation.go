package documents

import (
	"errors"
	"fmt"
	"time"
)

// AttestationKind tells which attestation is written (PAY-7).
type AttestationKind int

const (
	// AttestationCost is the attestation of training cost, once the
	// candidature is accepted and before payment.
	AttestationCost AttestationKind = iota + 1
	// AttestationPayment is the attestation of payment, after payment.
	AttestationPayment
)

// Title is the attestation's French title.
func (k AttestationKind) Title() string {
	switch k {
	case AttestationCost:
		return "Attestation de coût de formation"
	case AttestationPayment:
		return "Attestation de paiement"
	}
	return ""
}

// Attestation is the data of an attestation of training cost or of payment
// (PAY-7), issued on the learner's written request. Words come already
// French from the caller.
type Attestation struct {
	Kind                AttestationKind
	Number              string
	FirstName, LastName string
	Formation           string
	CourseCode          string
	Establishment       string
	Session             string // "Année 2026-2027"
	Hours               string // "60 heures", or "" when not known
	AmountCents         int64  // the fees due (cost) or paid (payment)
	HalfTariff          bool   // half tariff on an RSA, ASS or AAH proof (PAY-5)
	PaidOn              string // French date of the payment (payment only)
	PaidBy              string // "" or the third party who paid (PAY-4)
	Mode                string // "carte bancaire", "chèque", "espèces" (payment only)
	IssuedOn            string // French date
	// QRPayload is the verification address with its signed token.
	QRPayload string
}

// The notice of PAY-7 and PAY-8, printed on both attestations.
const attestationNotice = "Cette attestation ne constitue ni un devis ni une facture. " +
	"Les cours municipaux d'adultes sont destinés aux particuliers, qui s'y inscrivent à titre personnel : " +
	"ils ne relèvent pas de la formation professionnelle continue, et leur coût ne peut être pris en charge " +
	"par aucun dispositif de financement de la formation professionnelle (employeur, compte personnel de " +
	"formation, opérateur de compétences)."

// Layout of the one-page documents (attestations, receipt), in millimetres.
const (
	docMargin = 20.0
	docWidth  = sheetW - 2*docMargin
	labelW    = 48.0 // the labels' column of a field table
	attQRSide = 34.0

	verificationTop = sheetH - docMargin - 8 - attQRSide
)

// AttestationPDF returns the attestation, one A4 page: what it attests, the
// course, the amount, the third party who paid if one did, the QR code that
// verifies it, and the notice that it is neither a quote nor an invoice and
// that the courses are not eligible for professional-training funding
// (PAY-8).
func AttestationPDF(a Attestation, generated time.Time) ([]byte, error) {
	title := a.Kind.Title()
	if title == "" {
		return nil, fmt.Errorf("documents: attestation: unknown kind %d", a.Kind)
	}
	if a.AmountCents < 0 {
		return nil, fmt.Errorf("documents: attestation: negative amount %d", a.AmountCents)
	}
	if a.QRPayload == "" {
		return nil, errors.New("documents: attestation: no QR payload")
	}
	m, err := newQRMatrix(a.QRPayload)
	if err != nil {
		return nil, fmt.Errorf("documents: attestation: %w", err)
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return nil, fmt.Errorf("documents: attestation: %w", err)
	}
	name := d.t(a.FirstName + " " + a.LastName)
	d.meta(title+" — "+name, title+courseSubject(d.t(a.Formation), d.t(a.CourseCode), d.t(a.Session)))
	pdf := d.pdf
	pdf.SetMargins(docMargin, docMargin, docMargin)
	pdf.AddPage()

	number := d.t(a.Number)
	if number != "" {
		number = "N° " + number
	}
	d.letterhead(d.t(a.Establishment), number, a.IssuedOn)
	d.font("B", 20)
	d.colour(colourAccent)
	pdf.MultiCell(docWidth, 9, title, "", "L", false)
	d.colour(colourText)
	pdf.Ln(5)

	d.font("", 11)
	pdf.MultiCell(docWidth, 5.8, d.t(a.lead()), "", "L", false)
	pdf.Ln(5)
	rows := a.rows()
	for i := range rows {
		rows[i].value = d.t(rows[i].value)
	}
	d.fields(docMargin, docWidth, rows)
	pdf.Ln(4)

	d.font("", 10)
	for _, note := range a.notes() {
		pdf.MultiCell(docWidth, 5.2, note, "", "L", false)
	}
	pdf.Ln(6)

	d.notice(docMargin, docWidth, attestationNotice)
	pdf.Ln(8)
	d.signature(a.IssuedOn)

	// The verification block, at the foot of the page; on a page of its own
	// when data too long would run into it.
	if pdf.GetY() > verificationTop-3 {
		pdf.AddPage()
	}
	d.verification(m, a.QRPayload, attestationVerifyCaption)
	d.generatedFooter()
	return d.finish("attestation")
}

// attestationVerifyCaption tells how to verify an attestation of cost or
// payment.
const attestationVerifyCaption = "Pour vérifier l'authenticité de cette attestation, scannez ce code " +
	"ou ouvrez l'adresse ci-dessous : la page du Service des cours d'adultes en confirme le contenu."

// tariff words the tariff the amount is at.
func (a Attestation) tariff() string {
	if a.HalfTariff {
		return "demi-tarif, sur justificatif du RSA, de l'ASS ou de l'AAH"
	}
	return "plein tarif"
}

// lead is what the attestation attests, in one sentence.
func (a Attestation) lead() string {
	amount := FrenchMoney(a.AmountCents)
	if a.Kind == AttestationCost {
		return "Le Service des cours d'adultes de la Ville atteste que la candidature de la personne désignée ci-dessous " +
			"a été acceptée pour la formation suivante, et que les droits d'inscription à cette formation s'élèvent à " +
			amount + " (" + a.tariff() + ")."
	}
	lead := "Le Service des cours d'adultes de la Ville atteste avoir reçu le paiement des droits d'inscription " +
		"de la personne désignée ci-dessous à la formation suivante, pour un montant de " + amount + " (" + a.tariff() + ")"
	if a.PaidBy != "" {
		lead += ", réglé pour son compte par " + a.PaidBy
	}
	return lead + "."
}

// rows are the attestation's facts, as the PDF and the page list them.
func (a Attestation) rows() []field {
	amount := FrenchMoney(a.AmountCents) + " (" + a.tariff() + ")"
	rows := []field{
		{"Prénom et nom", a.FirstName + " " + a.LastName, true},
		{"Formation", a.Formation, false},
		{"Cours", a.CourseCode, false},
		{"Établissement", a.Establishment, false},
		{"Session", a.Session, false},
		{"Volume horaire", a.Hours, false},
	}
	if a.Kind == AttestationCost {
		rows = append(rows, field{"Droits d'inscription", amount, true})
	} else {
		rows = append(rows,
			field{"Montant payé", amount, true},
			field{"Date du paiement", a.PaidOn, false},
			field{"Mode de paiement", a.Mode, false})
	}
	if a.PaidBy != "" {
		label := "Réglé par"
		if a.Kind == AttestationCost {
			label = "Pris en charge par" // the third party who announced it pays (PAY-4)
		}
		rows = append(rows, field{label, a.PaidBy + " (tiers payeur)", false})
	}
	return rows
}

// notes close the attestation, before the notice of PAY-8.
func (a Attestation) notes() []string {
	var notes []string
	if a.Kind == AttestationCost {
		notes = append(notes, "Ces droits sont à régler en une seule fois, entre le premier et le deuxième cours. "+
			"Leur montant est le même quelle que soit la date d'entrée dans le cours.")
	}
	return append(notes, "Attestation délivrée sur demande écrite, pour servir et valoir ce que de droit.")
}

// field is one row of a field table.
type field struct {
	label, value string
	strong       bool // the value in bold
}

// fields draws a two-column table of labels and values, skipping empty
// values; a long value wraps within its column.
func (d *payDoc) fields(x, width float64, rows []field) {
	pdf := d.pdf
	for _, r := range rows {
		if r.value == "" {
			continue
		}
		y := pdf.GetY()
		d.font("", 10)
		d.colour(colourMuted)
		pdf.SetXY(x, y)
		pdf.MultiCell(labelW-3, 6, r.label, "", "L", false)
		labelEnd := pdf.GetY()
		style := ""
		if r.strong {
			style = "B"
		}
		d.font(style, 11)
		d.colour(colourText)
		pdf.SetXY(x+labelW, y)
		pdf.MultiCell(width-labelW, 6, r.value, "", "L", false)
		pdf.SetY(max(labelEnd, pdf.GetY()) + 0.6)
		pdf.SetDrawColor(colourStripe.r-8, colourStripe.g-8, colourStripe.b-8)
		pdf.SetLineWidth(0.2)
		pdf.Line(x, pdf.GetY()-0.3, x+width, pdf.GetY()-0.3)
	}
}

// letterhead draws the issuer at the top left, the establishment under it,
// and the document's number and date at the top right.
func (d *payDoc) letterhead(establishment, number, issuedOn string) {
	pdf := d.pdf
	left, top := pdf.GetX(), pdf.GetY()
	width := sheetW - 2*left
	d.font("B", 11)
	d.colour(colourAccent)
	pdf.SetXY(left, top)
	pdf.CellFormat(width*0.62, 5.5, d.t(BrochureAuthor), "", 2, "L", false, 0, "")
	if establishment != "" {
		d.font("", 9.5)
		d.colour(colourMuted)
		pdf.MultiCell(width*0.62, 4.6, establishment, "", "L", false)
	}
	end := pdf.GetY()
	d.font("B", 10)
	d.colour(colourText)
	pdf.SetXY(left+width*0.62, top)
	if number != "" {
		pdf.CellFormat(width*0.38, 5.5, number, "", 2, "R", false, 0, "")
	}
	if on := d.t(issuedOn); on != "" {
		d.font("", 9.5)
		pdf.SetX(left + width*0.62)
		pdf.CellFormat(width*0.38, 4.6, "Le "+on, "", 2, "R", false, 0, "")
	}
	pdf.SetXY(left, max(end, pdf.GetY())+10)
	d.colour(colourText)
}

// notice draws text in a tinted box with a rule on its left.
func (d *payDoc) notice(x, width float64, text string) {
	pdf := d.pdf
	d.font("", 9.5)
	lines := pdf.SplitText(text, width-10)
	h := float64(len(lines))*4.8 + 6
	y := pdf.GetY()
	pdf.SetFillColor(colourHeadBg.r, colourHeadBg.g, colourHeadBg.b)
	pdf.Rect(x, y, width, h, "F")
	pdf.SetFillColor(colourAccent.r, colourAccent.g, colourAccent.b)
	pdf.Rect(x, y, 1.2, h, "F")
	d.colour(colourText)
	pdf.SetXY(x+5, y+3)
	for _, l := range lines {
		pdf.SetX(x + 5)
		pdf.CellFormat(width-10, 4.8, l, "", 2, "L", false, 0, "")
	}
	pdf.SetY(y + h)
}

// signature draws the issuer's closing at the right.
func (d *payDoc) signature(issuedOn string) {
	pdf := d.pdf
	x := sheetW - docMargin - 80
	d.font("", 10)
	d.colour(colourText)
	if on := d.t(issuedOn); on != "" {
		pdf.SetX(x)
		pdf.CellFormat(80, 5.2, "Fait le "+on, "", 2, "L", false, 0, "")
	}
	pdf.SetX(x)
	pdf.CellFormat(80, 5.2, "Pour la Ville,", "", 2, "L", false, 0, "")
	d.font("B", 10)
	pdf.SetX(x)
	pdf.CellFormat(80, 5.2, "le Service des cours d'adultes", "", 2, "L", false, 0, "")
}

// verification draws the QR code at the foot of the page with its caption
// and the address it holds, written out for who cannot scan it.
func (d *payDoc) verification(m qrMatrix, payload, caption string) {
	pdf := d.pdf
	y := verificationTop
	drawQRMatrix(pdf, m, docMargin-2, y, attQRSide) // the quiet zone may eat into the margin
	x := docMargin + attQRSide + 2
	w := docWidth - attQRSide - 2
	d.font("B", 10)
	d.colour(colourText)
	pdf.SetXY(x, y+3)
	pdf.CellFormat(w, 5.2, "Vérification", "", 2, "L", false, 0, "")
	d.font("", 9)
	pdf.SetX(x)
	pdf.MultiCell(w, 4.6, caption, "", "L", false)
	d.font("", 8)
	d.colour(colourAccent)
	pdf.SetX(x)
	pdf.MultiCell(w, 4, d.t(payload), "", "L", false)
	d.colour(colourText)
}

// generatedFooter writes the generation date at the foot of the page.
func (d *payDoc) generatedFooter() {
	date := FrenchDate(d.stamp)
	if date == "" {
		return
	}
	pdf := d.pdf
	y := sheetH - docMargin + 2
	pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
	pdf.SetLineWidth(0.2)
	pdf.Line(docMargin, y-1.5, sheetW-docMargin, y-1.5)
	d.font("", 8)
	d.colour(colourMuted)
	pdf.SetXY(docMargin, y)
	pdf.CellFormat(docWidth, 4, "Document établi le "+date+" — "+d.t(BrochureAuthor), "", 0, "L", false, 0, "")
	d.colour(colourText)
}
