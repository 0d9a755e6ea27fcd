package documents

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Remittance is an establishment's daily remittance slip of the cheques
// received at the desk (bordereau de remise de chèques, PAY-2), handed over
// with the cheques. Words come already French from the caller.
type Remittance struct {
	Establishment string
	Payee         string // the régie the cheques are payable to
	Date          string // French date of the remittance
	Lines         []RemittanceLine
	SignedBy      string // who hands the cheques over
}

// RemittanceLine is one cheque of the slip.
type RemittanceLine struct {
	ChequeNumber, Bank, Drawer string
	Learner                    string // the learner the cheque pays for
	Reference                  string // the payment's reference
	AmountCents                int64
}

// remittanceTotal is the number of cheques and their total in cents. Every
// amount must be positive, and the total must fit an int64.
func remittanceTotal(lines []RemittanceLine) (int, int64, error) {
	var total int64
	for i, l := range lines {
		if l.AmountCents <= 0 {
			return 0, 0, fmt.Errorf("cheque %d (%s): amount %d is not positive", i+1, l.ChequeNumber, l.AmountCents)
		}
		if total > math.MaxInt64-l.AmountCents {
			return 0, 0, fmt.Errorf("cheque %d (%s): the total overflows", i+1, l.ChequeNumber)
		}
		total += l.AmountCents
	}
	return len(lines), total, nil
}

// A column of the slip's table.
type remittanceColumn struct {
	head  string
	width float64
	align string
}

var remittanceColumns = []remittanceColumn{
	{"N°", 9, "R"},
	{"N° de chèque", 22, "L"},
	{"Banque", 31, "L"},
	{"Tireur", 35, "L"},
	{"Auditeur ou auditrice", 34, "L"},
	{"Référence", 25, "L"},
	{"Montant", 24, "R"},
}

const (
	remRowH  = 6.5 // a row of one line, and the header
	remSize  = 8.5
	remLineH = 3.6 // a text line of a row
	remPadY  = 1.45
	remFootY = sheetH - 14 // the footer's baseline area
	// Room the totals and the signature box need under the table.
	remClosingH = 58.0
)

// RemittancePDF returns the remittance slip, A4 portrait: a heading with the
// establishment, the payee and the date, the table of cheques (its header on
// every page, the running total carried from page to page), the number of
// cheques and their total computed here from the lines in integer cents, and a
// box for the signature of who hands them over. Every amount must be
// positive.
func RemittancePDF(r Remittance, generated time.Time) ([]byte, error) {
	count, total, err := remittanceTotal(r.Lines)
	if err != nil {
		return nil, fmt.Errorf("documents: remittance slip: %w", err)
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return nil, fmt.Errorf("documents: remittance slip: %w", err)
	}
	const title = "Bordereau de remise de chèques"
	est := d.t(r.Establishment)
	subject := title
	if est != "" {
		subject += " — " + est
	}
	if date := d.t(r.Date); date != "" {
		subject += ", " + date
	}
	d.meta(title+" — "+est+" — "+d.t(r.Date), subject)
	pdf := d.pdf
	pdf.SetMargins(pageMarginX, pageMarginTop, pageMarginX)
	pdf.AliasNbPages("{nb}")
	tableW := 0.0
	for _, c := range remittanceColumns {
		tableW += c.width
	}
	x0 := (sheetW - tableW) / 2
	bottom := remFootY - 8

	footer := func() {
		pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
		pdf.SetLineWidth(0.2)
		pdf.Line(x0, remFootY-1.5, x0+tableW, remFootY-1.5)
		d.font("", 8)
		d.colour(colourMuted)
		pdf.SetXY(x0, remFootY)
		pdf.CellFormat(tableW*0.7, 4, title+" — "+est+" — "+d.t(r.Date), "", 0, "L", false, 0, "")
		pdf.CellFormat(tableW*0.3, 4, "Page "+strconv.Itoa(pdf.PageNo())+" / {nb}", "", 0, "R", false, 0, "")
		d.colour(colourText)
	}
	head := func() {
		d.font("B", remSize)
		pdf.SetFillColor(colourHeadBg.r, colourHeadBg.g, colourHeadBg.b)
		pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
		pdf.SetLineWidth(0.2)
		pdf.SetCellMargin(1.2)
		pdf.SetX(x0)
		for i, c := range remittanceColumns {
			ln := 0
			if i == len(remittanceColumns)-1 {
				ln = 1
			}
			pdf.CellFormat(c.width, remRowH, c.head, "1", ln, c.align, true, 0, "")
		}
		pdf.SetCellMargin(0)
	}
	// carry is a row of the running total, at a page's foot or head.
	carry := func(label string, n int, cents int64) {
		d.font("B", remSize)
		pdf.SetCellMargin(1.2)
		pdf.SetX(x0)
		last := remittanceColumns[len(remittanceColumns)-1].width
		pdf.CellFormat(tableW-last, remRowH, label+" : "+plural(n, "chèque", "chèques"), "1", 0, "R", false, 0, "")
		pdf.CellFormat(last, remRowH, d.money(cents), "1", 1, "R", false, 0, "")
		pdf.SetCellMargin(0)
	}

	pdf.AddPage()
	d.font("B", 11)
	d.colour(colourAccent)
	pdf.SetX(x0)
	pdf.CellFormat(tableW, 5.5, d.t(BrochureAuthor), "", 1, "L", false, 0, "")
	d.font("B", 18)
	pdf.SetX(x0)
	pdf.CellFormat(tableW, 10, title, "", 1, "L", false, 0, "")
	d.colour(colourText)
	pdf.Ln(1)
	for _, f := range []field{{"Établissement", est, false}, {"À l'ordre de", d.t(r.Payee), false}, {"Date de remise", d.t(r.Date), false}} {
		if f.value == "" {
			continue
		}
		d.font("", 10)
		d.colour(colourMuted)
		pdf.SetX(x0)
		pdf.CellFormat(34, 6, f.label, "", 0, "L", false, 0, "")
		d.font("B", 10)
		d.colour(colourText)
		pdf.MultiCell(tableW-34, 6, f.value, "", "L", false)
	}
	pdf.Ln(4)

	if count == 0 {
		d.font("", 10)
		pdf.SetX(x0)
		pdf.CellFormat(tableW, 7, "Aucun chèque à remettre.", "", 1, "L", false, 0, "")
	} else {
		head()
	}
	var doneN int
	var doneCents int64
	cells := func(i int, l RemittanceLine) []string {
		return []string{strconv.Itoa(i + 1), d.t(l.ChequeNumber), d.t(l.Bank), d.t(l.Drawer), d.t(l.Learner),
			d.t(l.Reference), d.money(l.AmountCents)}
	}
	for i, l := range r.Lines {
		lines, h := d.remittanceLayout(cells(i, l))
		// Room for this row and the carried total under it.
		if pdf.GetY()+h+remRowH > bottom {
			carry("À reporter", doneN, doneCents)
			footer()
			pdf.AddPage()
			head()
			carry("Report", doneN, doneCents)
		}
		d.remittanceRow(x0, lines, h, i%2 == 1)
		doneN++
		doneCents += l.AmountCents
	}

	// The totals and the signature box stay together on the last page.
	if pdf.GetY()+remClosingH > bottom {
		footer()
		pdf.AddPage()
	}
	pdf.Ln(4)
	d.font("B", 11)
	pdf.SetFillColor(colourHeadBg.r, colourHeadBg.g, colourHeadBg.b)
	pdf.SetX(x0)
	pdf.SetCellMargin(2)
	pdf.CellFormat(tableW/2, 8, "Nombre de chèques : "+strconv.Itoa(count), "1", 0, "L", true, 0, "")
	pdf.CellFormat(tableW/2, 8, "Total : "+d.money(total), "1", 1, "R", true, 0, "")
	pdf.SetCellMargin(0)
	pdf.Ln(8)

	boxW, boxH := 90.0, 36.0
	bx := x0 + tableW - boxW
	by := pdf.GetY()
	pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
	pdf.SetLineWidth(0.3)
	pdf.Rect(bx, by, boxW, boxH, "D")
	d.font("", 9)
	d.colour(colourMuted)
	pdf.SetXY(bx+3, by+2.5)
	pdf.CellFormat(boxW-6, 4.6, "Remis par", "", 1, "L", false, 0, "")
	if who := d.t(r.SignedBy); who != "" {
		d.font("B", 9)
		d.colour(colourText)
		pdf.SetX(bx + 3)
		pdf.MultiCell(boxW-6, 4.6, who, "", "L", false)
	}
	d.font("", 9)
	d.colour(colourMuted)
	pdf.SetX(bx + 3)
	on := "Le"
	if date := d.t(r.Date); date != "" {
		on += " " + date
	}
	pdf.CellFormat(boxW-6, 4.6, on, "", 1, "L", false, 0, "")
	pdf.SetX(bx + 3)
	pdf.CellFormat(boxW-6, 4.6, "Signature :", "", 1, "L", false, 0, "")
	d.colour(colourText)
	footer()
	return d.finish("remittance slip")
}

// remittanceCell is a cell of the slip's table laid out.
type remittanceCell struct {
	lines []string
	size  float64
}

// remittanceLayout lays out the cells of a row: on one line, shrunk down to 7
// points if need be (numbers and references stay whole), or else wrapped on
// at most two lines (a longer text is cut with "…"). It returns them with
// the row's height.
func (d *payDoc) remittanceLayout(texts []string) ([]remittanceCell, float64) {
	cells := make([]remittanceCell, len(texts))
	most := 1
	for j, c := range remittanceColumns {
		w := c.width - 2.4
		cell := remittanceCell{size: remSize}
		for sz := remSize; sz >= 7; sz -= 0.5 {
			d.font("", sz)
			if d.pdf.GetStringWidth(texts[j]) <= w {
				cell = remittanceCell{lines: []string{texts[j]}, size: sz}
				break
			}
		}
		if cell.lines == nil {
			d.font("", remSize)
			ls := d.pdf.SplitText(texts[j], w)
			if len(ls) > 2 {
				_, rest := d.fit(strings.Join(ls[1:], " "), "", remSize, remSize, w)
				ls = []string{ls[0], rest}
			}
			cell.lines = ls
		}
		cells[j] = cell
		most = max(most, len(cell.lines))
	}
	return cells, max(remRowH, float64(most)*remLineH+2*remPadY)
}

// remittanceRow draws a laid-out row at the current line.
func (d *payDoc) remittanceRow(x0 float64, cells []remittanceCell, h float64, fill bool) {
	pdf := d.pdf
	y := pdf.GetY()
	pdf.SetFillColor(colourStripe.r, colourStripe.g, colourStripe.b)
	pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
	pdf.SetLineWidth(0.2)
	d.colour(colourText)
	x := x0
	for j, c := range remittanceColumns {
		style := "D"
		if fill {
			style = "FD"
		}
		pdf.Rect(x, y, c.width, h, style)
		// One-line cells are centred in the row's height, like the header's.
		ty := y + (h-float64(len(cells[j].lines))*remLineH)/2
		d.font("", cells[j].size)
		for k, l := range cells[j].lines {
			pdf.SetXY(x+1.2, ty+float64(k)*remLineH)
			pdf.CellFormat(c.width-2.4, remLineH, l, "", 0, c.align, false, 0, "")
		}
		x += c.width
	}
	pdf.SetXY(x0, y+h)
}
