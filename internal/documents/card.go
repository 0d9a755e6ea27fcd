package documents

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// LearnerCard is a learner's card (carte d'auditeur, PAY-6), issued on payment:
// it alone gives access to the establishment and the course. Words come
// already French from the caller.
type LearnerCard struct {
	FirstName, LastName  string
	CourseCode           string // "ANG-11-01"
	Formation            string // "Anglais"
	Establishment        string // "École élémentaire Parmentier"
	EstablishmentAddress string // "5 rue Parmentier, 75011 Paris"
	Session              string // "Année 2026-2027"
	Slot                 string // "lundi 18 h 30 – 20 h 30"
	Number               string // the card's number as printed
	IssuedOn             string // French date: "5 octobre 2026"
	Reprint              int    // 0 for the first issue, n for the n-th duplicate
	// QRPayload is what the QR code holds: the verification address with its
	// signed token, such as https://…/carte/verifier/<token>.
	QRPayload string
}

// The card has the ISO/IEC 7810 ID-1 size of a bank card, in millimetres.
const (
	cardW = 85.6
	cardH = 54.0

	cardPad    = 3.5  // inner margin
	cardBandH  = 10.0 // coloured title band
	cardQRSide = 25.0 // QR code, quiet zone included
	cardQRTop  = 12.0 // from the card's top edge

	// The print sheet: 2 columns of 4 cards on A4 portrait, butted so that
	// one cut serves two cards, centred with room for the crop marks.
	sheetCols = 2
	sheetRows = 4
	sheetW    = 210.0
	sheetH    = 297.0
	cropLen   = 5.0 // length of a crop mark
	cropGap   = 2.0 // between the grid and a crop mark
)

// The access notice of PAY-6, printed on every card.
const cardAccessNotice = "Seule cette carte donne accès à l'établissement et au cours. " +
	"Carte personnelle, à présenter à chaque séance ; en cas de perte, adressez-vous au chef d'établissement."

// CardPDF returns one learner card on an A4 page, centred, inside a dashed cut
// line with crop marks at its corners: the director prints it on the spot, for
// a first issue or a duplicate.
func CardPDF(c LearnerCard, generated time.Time) ([]byte, error) {
	if c.QRPayload == "" {
		return nil, errors.New("documents: learner card: no QR payload")
	}
	m, err := newQRMatrix(c.QRPayload)
	if err != nil {
		return nil, fmt.Errorf("documents: learner card: %w", err)
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return nil, fmt.Errorf("documents: learner card: %w", err)
	}
	name := d.t(c.FirstName + " " + c.LastName)
	d.meta("Carte d'auditeur — "+name, "Carte d'auditeur"+courseSubject(d.t(c.Formation), d.t(c.CourseCode), d.t(c.Session)))
	pdf := d.pdf
	pdf.AddPage()
	x, y := (sheetW-cardW)/2, (sheetH-cardH)/2

	d.font("B", 12)
	d.colour(colourAccent)
	pdf.SetXY(x-20, y-24)
	pdf.CellFormat(cardW+40, 6, "Carte d'auditeur — "+name, "", 1, "C", false, 0, "")
	d.font("", 9)
	d.colour(colourMuted)
	pdf.SetX(x - 20)
	pdf.CellFormat(cardW+40, 5, "Découpez la carte en suivant le pointillé.", "", 1, "C", false, 0, "")
	d.colour(colourText)

	d.card(c, m, x, y)
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(colourMuted.r, colourMuted.g, colourMuted.b)
	for _, cx := range []float64{x, x + cardW} {
		pdf.Line(cx, y-cropGap-cropLen, cx, y-cropGap)
		pdf.Line(cx, y+cardH+cropGap, cx, y+cardH+cropGap+cropLen)
	}
	for _, cy := range []float64{y, y + cardH} {
		pdf.Line(x-cropGap-cropLen, cy, x-cropGap, cy)
		pdf.Line(x+cardW+cropGap, cy, x+cardW+cropGap+cropLen, cy)
	}
	return d.finish("learner card")
}

// CardsPDF writes the cards of a print run as one PDF, 8 cards to an A4
// sheet (2 columns of 4), in the order given: a course's cards are printed at
// once, on card stock, and cut with a guillotine along the crop marks in the
// margins or with scissors along the dashed lines. Eight bank-card-sized cards
// fill the sheet with room left for the marks and the printers' unprintable
// margins; one card to a page would waste seven eighths of the stock. The
// fonts are loaded once for the whole run, and the QR codes are encoded on
// every core ahead of the drawing.
func CardsPDF(cards []LearnerCard, generated time.Time, w io.Writer) error {
	if len(cards) == 0 {
		return errors.New("documents: learner cards: no card to print")
	}
	for i, c := range cards {
		if c.QRPayload == "" {
			return fmt.Errorf("documents: learner cards: card %d (%s): no QR payload", i+1, c.Number)
		}
	}
	d, err := newPayDoc(generated)
	if err != nil {
		return fmt.Errorf("documents: learner cards: %w", err)
	}
	subject := "Cartes d'auditeur"
	if code := commonCourse(cards); code != "" {
		subject += courseSubject(d.t(cards[0].Formation), d.t(code), d.t(cards[0].Session))
	}
	d.meta("Cartes d'auditeur — "+plural(len(cards), "carte", "cartes"), subject)
	pdf := d.pdf
	pdf.AliasNbPages("{nb}")

	payloads := make([]string, len(cards))
	for i, c := range cards {
		payloads[i] = c.QRPayload
	}
	next, stop := encodeAhead(payloads, runtime.GOMAXPROCS(0))
	defer stop()

	perSheet := sheetCols * sheetRows
	gridW, gridH := sheetCols*cardW, sheetRows*cardH
	x0, y0 := (sheetW-gridW)/2, (sheetH-gridH)/2
	date := FrenchDate(generated)
	for i, c := range cards {
		slot := i % perSheet
		if slot == 0 {
			pdf.AddPage()
			d.sheetFrame(x0, y0, gridW, gridH)
			last := min(i+perSheet, len(cards))
			d.font("", 8)
			d.colour(colourMuted)
			pdf.SetXY(x0, y0-cropGap-cropLen-9)
			head := "Cartes d'auditeur " + strconv.Itoa(i+1) + " à " + strconv.Itoa(last) + " sur " + strconv.Itoa(len(cards))
			if date != "" {
				head += " — imprimées le " + date
			}
			pdf.CellFormat(gridW/2+20, 4, head, "", 0, "L", false, 0, "")
			pdf.SetX(x0 + gridW/2 + 20)
			pdf.CellFormat(gridW/2-20, 4, "Page "+strconv.Itoa(pdf.PageNo())+" / {nb}", "", 0, "R", false, 0, "")
			d.colour(colourText)
		}
		m, err := next()
		if err != nil {
			return fmt.Errorf("documents: learner cards: card %d (%s): %w", i+1, c.Number, err)
		}
		col, row := slot%sheetCols, slot/sheetCols
		d.card(c, m, x0+float64(col)*cardW, y0+float64(row)*cardH)
	}
	out, err := d.finish("learner cards")
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("documents: writing the learner cards PDF: %w", err)
	}
	return nil
}

// sheetFrame draws the crop marks of a sheet of cards: one pair for every cut,
// in the margins, so that the marks never show on a card.
func (d *payDoc) sheetFrame(x0, y0, gridW, gridH float64) {
	pdf := d.pdf
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(0, 0, 0)
	for col := 0; col <= sheetCols; col++ {
		x := x0 + float64(col)*cardW
		pdf.Line(x, y0-cropGap-cropLen, x, y0-cropGap)
		pdf.Line(x, y0+gridH+cropGap, x, y0+gridH+cropGap+cropLen)
	}
	for row := 0; row <= sheetRows; row++ {
		y := y0 + float64(row)*cardH
		pdf.Line(x0-cropGap-cropLen, y, x0-cropGap, y)
		pdf.Line(x0+gridW+cropGap, y, x0+gridW+cropGap+cropLen, y)
	}
}

// card draws one card with its top-left corner at (x, y).
func (d *payDoc) card(c LearnerCard, m qrMatrix, x, y float64) {
	pdf := d.pdf
	// The title band, to the card's edges.
	pdf.SetFillColor(colourAccent.r, colourAccent.g, colourAccent.b)
	pdf.Rect(x, y, cardW, cardBandH, "F")
	pdf.SetTextColor(255, 255, 255)
	d.font("B", 11)
	pdf.SetXY(x+cardPad, y+1.3)
	pdf.CellFormat(45, 4.6, "Carte d'auditeur", "", 0, "L", false, 0, "")
	d.font("", 6)
	pdf.SetXY(x+cardPad, y+5.8)
	pdf.CellFormat(50, 3, d.t(BrochureAuthor), "", 0, "L", false, 0, "")
	if s := d.t(c.Session); s != "" {
		size, s := d.fit(s, "B", 7.5, 5.5, cardW-2*cardPad-50)
		d.font("B", size)
		pdf.SetXY(x+cardW-cardPad-(cardW-2*cardPad-50), y+1.3)
		pdf.CellFormat(cardW-2*cardPad-50, 4.6, s, "", 0, "R", false, 0, "")
	}
	d.colour(colourText)

	// The fields, left of the QR code.
	left := x + cardPad
	width := cardW - 2*cardPad - cardQRSide - 1.5
	line := func(text, style string, size, minSize, h float64, c rgb) {
		if text == "" {
			return
		}
		size, text = d.fit(text, style, size, minSize, width)
		d.font(style, size)
		d.colour(c)
		pdf.SetX(left)
		pdf.CellFormat(width, h, text, "", 1, "L", false, 0, "")
	}
	pdf.SetXY(left, y+cardBandH+2)
	// A name is never cut: too long for one line at 8 points, it takes two,
	// and the fields below close up to make room.
	gap := 0.8
	name := d.t(c.FirstName + " " + c.LastName)
	if size, lines := d.fitLines(name, "B", 11, 8, 6.5, width); len(lines) == 1 {
		line(name, "B", size, size, 5.2, colourText)
	} else {
		gap = 0
		for _, l := range lines {
			line(l, "B", size, size, 3.5, colourText)
		}
	}
	pdf.SetY(pdf.GetY() + gap)
	line(d.t(c.Formation), "B", 8.5, 5.5, 4, colourAccent)
	course := d.t(c.CourseCode)
	if course != "" {
		course = "Cours " + course
	}
	line(course, "", 7.5, 6, 3.6, colourText)
	line(d.t(c.Slot), "", 7.5, 6, 3.6, colourText)
	pdf.SetY(pdf.GetY() + gap)
	line(d.t(c.Establishment), "B", 7, 5.5, 3.4, colourText)
	line(d.t(c.EstablishmentAddress), "", 6.5, 5, 3.2, colourText)

	// Issue and duplicate, at the foot of the fields.
	pdf.SetXY(left, y+cardQRTop+cardQRSide)
	if on := d.t(c.IssuedOn); on != "" {
		d.font("", 6)
		d.colour(colourMuted)
		pdf.CellFormat(width/2+6, 3.2, "Délivrée le "+on, "", 0, "L", false, 0, "")
	}
	if c.Reprint > 0 {
		d.font("B", 6.5)
		pdf.SetTextColor(0xa4, 0x1e, 0x1e)
		pdf.SetX(left + width/2 + 6)
		pdf.CellFormat(width/2-6, 3.2, "Duplicata n° "+strconv.Itoa(c.Reprint), "", 0, "R", false, 0, "")
	}
	d.colour(colourText)

	// The QR code and the card's number under it.
	qx := x + cardW - cardPad + 1.5 - cardQRSide // the quiet zone may eat into the padding
	drawQRMatrix(pdf, m, qx, y+cardQRTop, cardQRSide)
	if n := d.t(c.Number); n != "" {
		size, n := d.fit("N° "+n, "B", 6.5, 5, cardQRSide+2)
		d.font("B", size)
		pdf.SetXY(qx-1, y+cardQRTop+cardQRSide)
		pdf.CellFormat(cardQRSide+2, 3, n, "", 0, "C", false, 0, "")
	}

	// The access notice, under a rule.
	ruleY := y + cardQRTop + cardQRSide + 3.8
	pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
	pdf.SetLineWidth(0.2)
	pdf.Line(x+cardPad, ruleY, x+cardW-cardPad, ruleY)
	d.font("", 6.3)
	d.colour(colourMuted)
	pdf.SetXY(x+cardPad, ruleY+0.6)
	pdf.MultiCell(cardW-2*cardPad, 2.9, cardAccessNotice, "", "L", false)
	d.colour(colourText)

	// The cut line, over the card's edge.
	pdf.SetDrawColor(0x90, 0x90, 0x90)
	pdf.SetLineWidth(0.15)
	pdf.SetDashPattern([]float64{1.2, 0.8}, 0)
	pdf.Rect(x, y, cardW, cardH, "D")
	pdf.SetDashPattern(nil, 0)
}

// commonCourse is the course code shared by all the cards, or "".
func commonCourse(cards []LearnerCard) string {
	code := cards[0].CourseCode
	for _, c := range cards[1:] {
		if c.CourseCode != code {
			return ""
		}
	}
	return code
}

// courseSubject words the subject metadata of a document about one course.
func courseSubject(formation, code, session string) string {
	s := ""
	if formation != "" {
		s += " — formation « " + formation + " »"
	}
	if code != "" {
		s += ", cours " + code
	}
	if session != "" {
		s += ", " + session
	}
	return s
}

// qrResult is one QR code encoded ahead.
type qrResult struct {
	m   qrMatrix
	err error
}

// encodeAhead encodes the payloads on workers goroutines while the caller
// draws: next returns the symbols in the payloads' order (so that the output
// stays deterministic), at most a few per worker waiting, and stop, to be
// called once done, lets the goroutines end even when the caller stopped
// early. Encoding is the costliest part of a card (go-qrcode scores its eight
// masks).
func encodeAhead(payloads []string, workers int) (next func() (qrMatrix, error), stop func()) {
	workers = max(1, workers)
	type job struct {
		content string
		out     chan qrResult
	}
	jobs := make(chan job)
	pending := make(chan chan qrResult, 4*workers)
	done := make(chan struct{})
	for range workers {
		go func() {
			for j := range jobs {
				m, err := newQRMatrix(j.content)
				j.out <- qrResult{m, err} // buffered: never blocks
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(pending)
		for _, p := range payloads {
			out := make(chan qrResult, 1)
			select {
			case pending <- out:
			case <-done:
				return
			}
			select {
			case jobs <- job{p, out}:
			case <-done:
				return
			}
		}
	}()
	next = func() (qrMatrix, error) {
		out, ok := <-pending
		if !ok {
			return qrMatrix{}, errors.New("QR code: no more payloads")
		}
		r := <-out
		return r.m, r.err
	}
	var stopped bool
	stop = func() {
		if !stopped {
			stopped = true
			close(done)
		}
	}
	return next, stop
}

// payDoc is an A4 document of the payment family being written: fonts,
// metadata and the text cleaner, shared by the card, the attestations, the
// receipt and the remittance slip.
type payDoc struct {
	pdf   *fpdf.Fpdf
	clean *textCleaner
	stamp time.Time // creation and modification dates

	// The font last selected, to skip redundant selections (fpdf writes one
	// into the page at every SetFont, and a sheet of cards changes font often).
	fontStyle string
	fontSize  float64
	fontKnown bool
}

// newPayDoc starts an A4 portrait document with the Go fonts (regular and bold,
// UTF-8: names keep their accents) and no automatic page break.
func newPayDoc(generated time.Time) (*payDoc, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("loading fonts: %w", err)
	}
	if generated.IsZero() {
		generated = time.Now()
	}
	pdf.SetAuthor(BrochureAuthor, true)
	pdf.SetCreator("cma", true)
	pdf.SetLang("fr")
	pdf.SetCatalogSort(true) // byte-identical output for identical input
	pdf.SetCreationDate(generated)
	pdf.SetModificationDate(generated)
	pdf.SetMargins(pageMarginX, pageMarginTop, pageMarginX)
	pdf.SetAutoPageBreak(false, pageMarginBot)
	pdf.SetCellMargin(0)
	return &payDoc{pdf: pdf, clean: newTextCleaner(), stamp: generated}, nil
}

// meta sets the title and the subject, already cleaned.
func (d *payDoc) meta(title, subject string) {
	d.pdf.SetTitle(title, true)
	d.pdf.SetSubject(subject, true)
}

// t cleans one line of caller text.
func (d *payDoc) t(s string) string { return d.clean.clean(s, false) }

func (d *payDoc) font(style string, size float64) {
	if d.fontKnown && d.fontStyle == style && d.fontSize == size {
		return
	}
	d.pdf.SetFont(fontFamily, style, size)
	d.fontStyle, d.fontSize, d.fontKnown = style, size, true
}

func (d *payDoc) colour(c rgb) { d.pdf.SetTextColor(c.r, c.g, c.b) }

// fit returns the largest size from size down to minSize, by half points, at
// which s fits width in the given style, and s itself; when even minSize is too
// large, s is cut and ends with "…". A long name shrinks before it is cut.
func (d *payDoc) fit(s, style string, size, minSize, width float64) (float64, string) {
	for ; size > minSize; size -= 0.5 {
		d.font(style, size)
		if d.pdf.GetStringWidth(s) <= width {
			return size, s
		}
	}
	size = minSize
	d.font(style, size)
	if d.pdf.GetStringWidth(s) <= width {
		return size, s
	}
	r := []rune(s)
	for len(r) > 0 && d.pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return size, string(r) + "…"
}

// fitLines lays s out on one line at the largest size from size down to
// oneMin, or else on two lines at the largest size down to twoMin; failing
// that, on one line cut by fit at twoMin.
func (d *payDoc) fitLines(s, style string, size, oneMin, twoMin, width float64) (float64, []string) {
	for sz := size; sz >= oneMin; sz -= 0.5 {
		d.font(style, sz)
		if d.pdf.GetStringWidth(s) <= width {
			return sz, []string{s}
		}
	}
	for sz := oneMin; sz >= twoMin; sz -= 0.5 {
		d.font(style, sz)
		if lines := d.pdf.SplitText(s, width); len(lines) <= 2 {
			return sz, lines
		}
	}
	sz, cut := d.fit(s, style, twoMin, twoMin, width)
	return sz, []string{cut}
}

// money is an amount the French way, ready for the PDF (the Go fonts lack the
// narrow no-break space that groups thousands).
func (d *payDoc) money(cents int64) string { return d.t(FrenchMoney(cents)) }

// write finishes the document and writes it to w.
func (d *payDoc) write(w io.Writer, what string) error {
	out, err := d.finish(what)
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("documents: writing the %s PDF: %w", what, err)
	}
	return nil
}

// finish checks the layout and returns the PDF, its dates with their UTC
// offset.
func (d *payDoc) finish(what string) ([]byte, error) {
	if err := d.pdf.Error(); err != nil {
		return nil, fmt.Errorf("documents: laying out the %s: %w", what, err)
	}
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("documents: writing the %s PDF: %w", what, err)
	}
	out, err := withDateOffsets(buf.Bytes(), d.stamp, d.stamp)
	if err != nil {
		return nil, fmt.Errorf("documents: %s: %w", what, err)
	}
	return out, nil
}
