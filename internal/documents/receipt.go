package documents

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Receipt is the receipt of a payment by cheque or in cash at the
// establishment director's desk (PAY-2). Words come already French from the
// caller.
type Receipt struct {
	Number              string
	FirstName, LastName string
	CourseCode          string
	Formation           string
	Establishment       string
	AmountCents         int64
	Mode                string // "chèque" or "espèces"
	// Cheque only.
	ChequeNumber, Bank, Drawer string
	Payee                      string // the régie the cheque is payable to
	PaidBy                     string // "" or the third party who paid (PAY-4)
	RecordedBy                 string // who recorded it at the desk
	RecordedAt                 string // "5 octobre 2026 à 18 h 40"
}

// CashLimitCents is the most a payment in cash may be (PAY-2: 300 EUR).
const CashLimitCents = 300_00

// receiptHalf is the height of one copy: the page holds two, the payer's and
// the establishment's, one above the other.
const receiptHalf = sheetH / 2

// ReceiptPDF returns the desk receipt, one A4 page holding two copies
// separated by a cut line: the payer's and the one the establishment keeps.
// It refuses an amount that is not positive and cash above CashLimitCents
// (PAY-2), which the desk must not have accepted.
func ReceiptPDF(r Receipt, generated time.Time) ([]byte, error) {
	if r.AmountCents <= 0 {
		return nil, fmt.Errorf("documents: receipt: amount %d is not positive", r.AmountCents)
	}
	cash := strings.EqualFold(strings.TrimSpace(r.Mode), "espèces")
	if cash && r.AmountCents > CashLimitCents {
		return nil, fmt.Errorf("documents: receipt: %s in cash is above the %s limit (PAY-2)",
			FrenchMoney(r.AmountCents), FrenchMoney(CashLimitCents))
	}
	if strings.TrimSpace(r.Mode) == "" {
		return nil, errors.New("documents: receipt: no payment mode")
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return nil, fmt.Errorf("documents: receipt: %w", err)
	}
	name := d.t(r.FirstName + " " + r.LastName)
	title := receiptTitle(r.Mode)
	d.meta("Reçu de paiement n° "+d.t(r.Number)+" — "+name,
		title+courseSubject(d.t(r.Formation), d.t(r.CourseCode), ""))
	pdf := d.pdf
	pdf.SetMargins(docMargin, 14, docMargin)
	pdf.AddPage()
	shared := true // both copies on one page
	for i, copyFor := range []string{"Exemplaire du payeur", "Exemplaire conservé par l'établissement"} {
		top := float64(i) * receiptHalf
		if i == 1 && pdf.GetY() > receiptHalf-2 {
			// Data so long that the first copy ran past the half: the second
			// gets a page of its own rather than overlap it.
			shared, top = false, 0
			pdf.AddPage()
		}
		pdf.SetXY(docMargin, top+14)
		d.receiptCopy(r, name, cash, copyFor)
		// The desk signs both copies, when the data left room for it.
		if y := pdf.GetY() + 3; y+19 < top+receiptHalf-4 {
			x := sheetW - docMargin - 70
			d.font("", 8.5)
			d.colour(colourMuted)
			pdf.SetXY(x, y)
			pdf.CellFormat(70, 4.4, "Signature et cachet de l'établissement", "", 0, "L", false, 0, "")
			pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
			pdf.SetLineWidth(0.2)
			pdf.Rect(x, y+5, 70, 14, "D")
			d.colour(colourText)
		}
	}
	if shared { // the cut line between the copies
		pdf.SetPage(1)
		pdf.SetDrawColor(0x90, 0x90, 0x90)
		pdf.SetLineWidth(0.2)
		pdf.SetDashPattern([]float64{2, 1.5}, 0)
		pdf.Line(8, receiptHalf, sheetW-8, receiptHalf)
		pdf.SetDashPattern(nil, 0)
	}
	return d.finish("receipt")
}

// receiptCopy draws one copy of the receipt from the current position.
func (d *payDoc) receiptCopy(r Receipt, name string, cash bool, copyFor string) {
	pdf := d.pdf
	number := d.t(r.Number)
	if number != "" {
		number = "Reçu n° " + number
	}
	d.letterhead(d.t(r.Establishment), number, "")
	pdf.SetY(pdf.GetY() - 4)
	d.font("B", 16)
	d.colour(colourAccent)
	pdf.CellFormat(docWidth*0.6, 8, receiptTitle(r.Mode), "", 0, "L", false, 0, "")
	d.font("", 8.5)
	d.colour(colourMuted)
	pdf.CellFormat(docWidth*0.4, 8, copyFor, "", 1, "R", false, 0, "")
	d.colour(colourText)
	pdf.Ln(2)

	rows := r.rows(cash)
	for i := range rows {
		rows[i].value = d.t(rows[i].value)
	}
	rows[0].value = name
	d.fields(docMargin, docWidth, rows)
	pdf.Ln(2)
	d.font("", 8.5)
	d.colour(colourMuted)
	pdf.MultiCell(docWidth, 4.4, d.t(receiptNote(cash)), "", "L", false)
	d.colour(colourText)
}

// rows are the receipt's facts, as the PDF and the page list them.
func (r Receipt) rows(cash bool) []field {
	course := r.Formation
	if r.CourseCode != "" {
		course += courseSuffix(r.CourseCode)
	}
	rows := []field{
		{"Auditeur ou auditrice", r.FirstName + " " + r.LastName, true},
		{"Formation", course, false},
		{"Montant reçu", FrenchMoney(r.AmountCents), true},
		{"Mode de paiement", r.Mode, false},
	}
	if !cash {
		rows = append(rows,
			field{"Chèque n°", r.ChequeNumber, false},
			field{"Banque", r.Bank, false},
			field{"Tireur", r.Drawer, false},
			field{"À l'ordre de", r.Payee, false})
	}
	if r.PaidBy != "" {
		rows = append(rows, field{"Réglé par", r.PaidBy + " (tiers payeur)", false})
	}
	var recorded []string
	if r.RecordedAt != "" {
		recorded = append(recorded, "le "+r.RecordedAt)
	}
	if r.RecordedBy != "" {
		recorded = append(recorded, "par "+r.RecordedBy)
	}
	return append(rows, field{"Enregistré", strings.Join(recorded, ", "), false})
}

// receiptNote is what the receipt is not, and the cash rule.
func receiptNote(cash bool) string {
	note := "Ce reçu n'est pas une facture. La carte d'auditeur, remise avec ce paiement, seule donne accès " +
		"à l'établissement et au cours."
	if cash {
		note = "Paiement en espèces, avec l'appoint (" + FrenchMoney(CashLimitCents) + " au plus). " + note
	}
	return note
}

// receiptTitle is the receipt's heading: at the desk for a cheque or cash,
// online for a card.
func receiptTitle(mode string) string {
	if mode == "chèque" || mode == "espèces" {
		return "Reçu de paiement au guichet"
	}
	return "Reçu de paiement en ligne"
}
