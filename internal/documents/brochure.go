package documents

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
)

// BrochureData is everything the brochure shows, with labels already translated
// (French) by the caller.
type BrochureData struct {
	Title       string    // "Cours municipaux d'adultes — catalogue 2026-2027"
	Subtitle    string    // e.g. session names and candidature periods text (PER-1)
	GeneratedAt time.Time // printed in the footer as a French date (FrenchDate)
	Sections    []BrochureSection
}

// BrochureSection is one subject of the catalogue; it starts a new page.
type BrochureSection struct {
	Subject    string // "Langues"
	Formations []BrochureFormation
}

// BrochureFormation is a formation with its attributes and its courses (CAT-3).
type BrochureFormation struct {
	Title, Level, Evaluation, Prerequisites, Description string // labels already French
	// Diploma is "" or the diploma's name, e.g. "CAP": when set the brochure prints
	// "Diplôme : CAP — inscription aux examens et frais à la charge du candidat" (CAT-7).
	Diploma string
	Courses []BrochureCourse
}

// BrochureCourse is one course of a formation, as printed in the formation's table.
type BrochureCourse struct {
	Code, Establishment, District /* "11e arrondissement" */, Address, Weekday /* "lundi" */, Hours /* "18h30–20h30" */, Session, Trainer, Price /* "312,00 €" */, ReducedPrice string
	Remote                                                                                                                                                                      bool // printed "à distance" (CAT-6)
	PlacesLeft                                                                                                                                                                  int
}

// BrochureAuthor is the author written in the brochure's PDF metadata.
const BrochureAuthor = "Ville — Service des cours d'adultes"

// WriteBrochurePDF writes the catalogue brochure as an A4 portrait PDF (CAT-2): a
// cover block with the title, subtitle and a table of contents, then one part per
// section starting on a new page; each formation with its attributes and a table of
// its courses whose rows never split across pages (the header is repeated on each
// page). The footer carries "Page n / total" and the generation date. It returns a
// wrapped error if the PDF library reports one.
func WriteBrochurePDF(w io.Writer, b BrochureData) error {
	return writeBrochure(w, b, brochureOptions{compress: true})
}

// brochureOptions are knobs for tests.
type brochureOptions struct {
	compress bool // compress page streams (FlateDecode)
}

// Layout, in millimetres and points.
const (
	fontFamily = "Go"

	pageMarginX   = 15.0
	pageMarginTop = 18.0
	pageMarginBot = 18.0
	contentWidth  = 210 - 2*pageMarginX

	bodySize   = 9.0
	bodyLineH  = 4.3
	tableSize  = 7.5
	tableLineH = 3.3
	tablePadY  = 0.9
	cellMargin = 1.0

	tocRowH    = 7.5
	tocNumberW = 15.0

	maxCellLines = 12 // a cell longer than this is cut with "…" so a row always fits a page
)

// A colour as RGB components.
type rgb struct{ r, g, b int }

var (
	colourText    = rgb{0x22, 0x22, 0x22}
	colourMuted   = rgb{0x5a, 0x5a, 0x5a}
	colourAccent  = rgb{0x00, 0x3d, 0x7a}
	colourHeadBg  = rgb{0xdc, 0xe6, 0xf2}
	colourStripe  = rgb{0xf4, 0xf6, 0xf9}
	colourRule    = rgb{0xb4, 0xbe, 0xcc}
	colourDiploma = rgb{0xfd, 0xf0, 0xd5}
)

// column is one column of a formation's course table.
type column struct {
	head  string
	width float64
	align string
}

var courseColumns = []column{
	{"Code", 16, "L"},
	{"Lieu", 44, "L"},
	{"Arrondissement", 24, "L"},
	{"Jour et horaires", 21, "L"},
	{"Session", 22, "L"},
	{"Formateur", 20, "L"},
	{"Tarif / demi-tarif", 20, "R"},
	{"Places", 13, "R"},
}

// para is a piece of a table cell drawn in one style.
type para struct {
	text  string
	style string // "", "B" or "I"
	muted bool
}

// line is one wrapped line of a cell.
type line struct {
	text  string
	style string
	muted bool
}

// tocEntry remembers where a table-of-contents line was drawn, so that its page
// number can be written once the section has been laid out.
type tocEntry struct {
	page int
	y    float64
}

type brochure struct {
	pdf     *fpdf.Fpdf
	clean   *textCleaner
	running string // subject in the running header of the current page
	trigger float64

	// The font last selected, to skip redundant selections (fpdf writes one into
	// the page at every SetFont). fpdf restores the font after a page's header and
	// footer, so those save and restore this too.
	fontStyle string
	fontSize  float64
	fontKnown bool
}

// keepFont saves the font state; the returned function restores it.
func (bw *brochure) keepFont() func() {
	style, size, known := bw.fontStyle, bw.fontSize, bw.fontKnown
	return func() { bw.fontStyle, bw.fontSize, bw.fontKnown = style, size, known }
}

func writeBrochure(w io.Writer, b BrochureData, opt brochureOptions) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(opt.compress)
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "I", goitalic.TTF)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("documents: brochure: loading fonts: %w", err)
	}
	bw := &brochure{pdf: pdf, clean: newTextCleaner()}
	title := bw.clean.clean(b.Title, false)

	pdf.SetTitle(title, true)
	pdf.SetAuthor(BrochureAuthor, true)
	subject := "Catalogue des cours municipaux d'adultes"
	if s := bw.clean.clean(b.Subtitle, false); s != "" {
		subject += " — " + s
	}
	pdf.SetSubject(subject, true)
	pdf.SetCreator("cma", true)
	pdf.SetLang("fr")
	pdf.SetCatalogSort(true) // byte-identical output for identical input
	// The dates carry their offset from UTC (withDateOffsets): the generation
	// time in its own location, Paris for the catalogue's brochure.
	stamp := b.GeneratedAt
	if stamp.IsZero() {
		stamp = time.Now() // what fpdf would write; the footer then shows no date
	}
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)

	pdf.SetMargins(pageMarginX, pageMarginTop, pageMarginX)
	pdf.SetAutoPageBreak(true, pageMarginBot)
	_, pageH := pdf.GetPageSize()
	bw.trigger = pageH - pageMarginBot
	pdf.SetCellMargin(cellMargin)
	pdf.AliasNbPages("{nb}")

	date := FrenchDate(b.GeneratedAt)
	pdf.SetHeaderFuncMode(func() { bw.header(title) }, true)
	pdf.SetFooterFunc(func() { bw.footer(date) })

	pdf.AddPage()
	toc := bw.cover(b, title)
	starts := make([]int, len(b.Sections))
	for i, s := range b.Sections {
		starts[i] = bw.section(s, toc[i].link)
		if pdf.Err() {
			break
		}
	}
	bw.tocPageNumbers(toc, starts)

	if err := pdf.Error(); err != nil {
		return fmt.Errorf("documents: laying out the brochure: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("documents: writing the brochure PDF: %w", err)
	}
	out, err := withDateOffsets(buf.Bytes(), stamp, stamp)
	if err != nil {
		return fmt.Errorf("documents: brochure: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("documents: writing the brochure PDF: %w", err)
	}
	return nil
}

func (bw *brochure) font(style string, size float64) {
	if bw.fontKnown && bw.fontStyle == style && bw.fontSize == size {
		return
	}
	bw.pdf.SetFont(fontFamily, style, size)
	bw.fontStyle, bw.fontSize, bw.fontKnown = style, size, true
}

func (bw *brochure) textColour(c rgb) { bw.pdf.SetTextColor(c.r, c.g, c.b) }
func (bw *brochure) fillColour(c rgb) { bw.pdf.SetFillColor(c.r, c.g, c.b) }
func (bw *brochure) drawColour(c rgb) { bw.pdf.SetDrawColor(c.r, c.g, c.b) }

// header draws the running header of every page but the first.
func (bw *brochure) header(title string) {
	pdf := bw.pdf
	if pdf.PageNo() == 1 {
		return
	}
	defer bw.keepFont()()
	bw.font("", 7.5)
	bw.textColour(colourMuted)
	pdf.SetXY(pageMarginX, 9)
	pdf.CellFormat(contentWidth*0.65, 4, title, "", 0, "L", false, 0, "")
	pdf.CellFormat(contentWidth*0.35, 4, bw.running, "", 0, "R", false, 0, "")
	bw.drawColour(colourRule)
	pdf.SetLineWidth(0.2)
	pdf.Line(pageMarginX, 13.5, pageMarginX+contentWidth, 13.5)
	bw.textColour(colourText)
}

// footer draws the generation date and "Page n / total".
func (bw *brochure) footer(date string) {
	pdf := bw.pdf
	defer bw.keepFont()()
	_, pageH := pdf.GetPageSize()
	y := pageH - 12
	bw.drawColour(colourRule)
	pdf.SetLineWidth(0.2)
	pdf.Line(pageMarginX, y-1, pageMarginX+contentWidth, y-1)
	bw.font("", 7.5)
	bw.textColour(colourMuted)
	pdf.SetXY(pageMarginX, y)
	if date != "" {
		pdf.CellFormat(contentWidth/2, 4, "Catalogue généré le "+date, "", 0, "L", false, 0, "")
	}
	pdf.SetXY(pageMarginX+contentWidth/2, y)
	pdf.CellFormat(contentWidth/2, 4, "Page "+strconv.Itoa(pdf.PageNo())+" / {nb}", "", 0, "R", false, 0, "")
	bw.textColour(colourText)
}

type tocLine struct {
	tocEntry
	link int
}

// cover draws the title block and the table of contents; it returns, per section,
// where its page number must go and the link to its first page.
func (bw *brochure) cover(b BrochureData, title string) []tocLine {
	pdf := bw.pdf
	pdf.SetY(pageMarginTop + 6)
	bw.font("B", 22)
	bw.textColour(colourAccent)
	pdf.MultiCell(contentWidth, 10, title, "", "L", false)
	y := pdf.GetY() + 2
	bw.drawColour(colourAccent)
	pdf.SetLineWidth(0.8)
	pdf.Line(pageMarginX, y, pageMarginX+contentWidth, y)
	pdf.SetY(y + 4)
	bw.textColour(colourText)
	if s := bw.clean.clean(b.Subtitle, true); s != "" {
		bw.font("", 11)
		pdf.MultiCell(contentWidth, 5.5, s, "", "L", false)
		pdf.Ln(3)
	}
	var formations, courses int
	for _, s := range b.Sections {
		formations += len(s.Formations)
		for _, f := range s.Formations {
			courses += len(f.Courses)
		}
	}
	bw.font("", 10)
	bw.textColour(colourMuted)
	pdf.MultiCell(contentWidth, 5, plural(formations, "formation", "formations")+", "+
		plural(courses, "cours", "cours")+" dans "+plural(len(b.Sections), "domaine", "domaines")+".", "", "L", false)
	pdf.Ln(8)

	bw.font("B", 14)
	bw.textColour(colourAccent)
	pdf.CellFormat(contentWidth, 8, "Sommaire", "", 1, "L", false, 0, "")
	pdf.Ln(2)
	bw.textColour(colourText)
	bw.drawColour(colourRule)
	pdf.SetLineWidth(0.2)
	lines := make([]tocLine, len(b.Sections))
	const rowH = tocRowH
	for i, s := range b.Sections {
		if pdf.GetY()+rowH > bw.trigger {
			pdf.AddPage()
		}
		link := pdf.AddLink()
		lines[i] = tocLine{tocEntry{page: pdf.PageNo(), y: pdf.GetY()}, link}
		bw.font("", 11)
		name := bw.clean.clean(s.Subject, false)
		pdf.CellFormat(contentWidth-tocNumberW-35, rowH, name, "B", 0, "L", false, link, "")
		bw.font("", 9)
		bw.textColour(colourMuted)
		pdf.CellFormat(35, rowH, plural(len(s.Formations), "formation", "formations"), "B", 0, "R", false, link, "")
		bw.textColour(colourText)
		// the page number itself is written by tocPageNumbers
		pdf.CellFormat(tocNumberW, rowH, "", "B", 1, "R", false, link, "")
	}
	if len(b.Sections) == 0 {
		bw.font("I", 10)
		pdf.MultiCell(contentWidth, 5, "Aucune formation au catalogue.", "", "L", false)
	}
	return lines
}

// tocPageNumbers goes back to the table of contents and writes each section's first
// page, right-aligned, then returns to the last page.
func (bw *brochure) tocPageNumbers(toc []tocLine, starts []int) {
	pdf := bw.pdf
	last := pdf.PageNo()
	for i, e := range toc {
		if starts[i] == 0 {
			continue
		}
		pdf.SetPage(e.page)
		// Force the font and colour to be written again into that page's stream:
		// its last state is whatever the page ended with.
		bw.fontKnown = false
		bw.font("B", 11)
		bw.fillColour(rgb{0xff, 0xff, 0xff})
		bw.textColour(colourAccent)
		pdf.SetXY(pageMarginX+contentWidth-tocNumberW, e.y)
		pdf.CellFormat(tocNumberW, tocRowH, strconv.Itoa(starts[i]), "", 0, "R", false, e.link, "")
	}
	pdf.SetPage(last)
	bw.fontKnown = false // the last page's stream did not see the fonts set above
	bw.textColour(colourText)
}

// plural writes a count and its noun the French way: "0 formation", "1 formation",
// "1 300 formations" (groups of thousands separated by a no-break space).
func plural(n int, one, many string) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + noBreakSpace + s[i:]
	}
	if n <= 1 && n >= -1 {
		return s + " " + one
	}
	return s + " " + many
}

// section draws one subject on a new page and returns that page's number.
func (bw *brochure) section(s BrochureSection, link int) int {
	pdf := bw.pdf
	subject := bw.clean.clean(s.Subject, false)
	bw.running = subject
	pdf.AddPage()
	start := pdf.PageNo()
	pdf.SetLink(link, 0, -1)
	pdf.Bookmark(subject, 0, -1)

	bw.fillColour(colourAccent)
	bw.textColour(rgb{0xff, 0xff, 0xff})
	bw.font("B", 18)
	pdf.MultiCell(contentWidth, 11, subject, "", "L", true)
	bw.textColour(colourText)
	pdf.Ln(4)
	if len(s.Formations) == 0 {
		bw.font("I", bodySize)
		pdf.MultiCell(contentWidth, bodyLineH, "Aucune formation proposée dans ce domaine.", "", "L", false)
	}
	for i := range s.Formations {
		bw.formation(&s.Formations[i])
		if pdf.Err() {
			break
		}
	}
	return start
}

// formation draws a formation's title, attributes and course table.
func (bw *brochure) formation(f *BrochureFormation) {
	pdf := bw.pdf
	c := bw.clean
	title := c.clean(f.Title, false)
	// keep the title with its first lines
	if pdf.GetY()+32 > bw.trigger {
		pdf.AddPage()
	} else if pdf.GetY() > pageMarginTop+20 {
		pdf.Ln(3)
	}
	pdf.Bookmark(title, 1, -1)
	bw.font("B", 12)
	bw.textColour(colourAccent)
	pdf.MultiCell(contentWidth, 6, title, "", "L", false)
	bw.textColour(colourText)

	if d := c.clean(f.Diploma, false); d != "" {
		pdf.Ln(0.8)
		bw.fillColour(colourDiploma)
		bw.font("B", bodySize)
		pdf.MultiCell(contentWidth, 5.5, "Diplôme : "+d+" — inscription aux examens et frais à la charge du candidat", "", "L", true)
		pdf.Ln(0.8)
	}

	// attributes, label in bold then value, flowing on one or more lines
	pdf.SetX(pageMarginX)
	wrote := false
	for _, a := range [...]struct{ label, value string }{
		{"Niveau : ", f.Level},
		{"Évaluation : ", f.Evaluation},
		{"Prérequis : ", f.Prerequisites},
	} {
		v := c.clean(a.value, false)
		if v == "" {
			continue
		}
		if wrote {
			bw.font("", bodySize)
			pdf.Write(bodyLineH, "   ·   ")
		}
		bw.font("B", bodySize)
		pdf.Write(bodyLineH, a.label)
		bw.font("", bodySize)
		pdf.Write(bodyLineH, v)
		wrote = true
	}
	if wrote {
		pdf.Ln(bodyLineH + 0.5)
	}
	if d := c.clean(f.Description, true); d != "" {
		bw.font("", bodySize)
		pdf.MultiCell(contentWidth, bodyLineH, d, "", "L", false)
	}
	pdf.Ln(1.5)

	if len(f.Courses) == 0 {
		bw.font("I", bodySize)
		bw.textColour(colourMuted)
		pdf.MultiCell(contentWidth, bodyLineH, "Aucun cours programmé pour cette formation.", "", "L", false)
		bw.textColour(colourText)
		return
	}

	head := make([][]para, len(courseColumns))
	for i, col := range courseColumns {
		head[i] = []para{{text: col.head, style: "B"}}
	}
	headLines, headH := bw.layoutRow(head)
	cells := make([][]para, len(courseColumns))
	for i := range f.Courses {
		bw.courseCells(&f.Courses[i], cells)
		lines, h := bw.layoutRow(cells)
		if i == 0 || pdf.GetY()+h > bw.trigger {
			if pdf.GetY()+headH+h > bw.trigger {
				pdf.AddPage()
				bw.font("I", bodySize)
				bw.textColour(colourMuted)
				pdf.MultiCell(contentWidth, bodyLineH+0.5, title+" (suite)", "", "L", false)
				bw.textColour(colourText)
			}
			bw.drawRow(headLines, headH, colourHeadBg, true)
		}
		var fill rgb
		if i%2 == 1 {
			fill = colourStripe
		}
		bw.drawRow(lines, h, fill, i%2 == 1)
		if pdf.Err() {
			return
		}
	}
}

// courseCells fills cells (one slice per column) with the paragraphs of course c.
func (bw *brochure) courseCells(co *BrochureCourse, cells [][]para) {
	c := bw.clean
	for i := range cells {
		cells[i] = cells[i][:0]
	}
	add := func(col int, p para) {
		p.text = c.clean(p.text, false)
		if p.text != "" {
			cells[col] = append(cells[col], p)
		}
	}
	add(0, para{text: co.Code})
	add(1, para{text: co.Establishment})
	add(1, para{text: co.Address, muted: true})
	if co.Remote {
		add(1, para{text: "à distance", style: "B"})
	}
	add(2, para{text: co.District})
	add(3, para{text: co.Weekday})
	add(3, para{text: co.Hours})
	add(4, para{text: co.Session})
	add(5, para{text: co.Trainer})
	add(6, para{text: co.Price})
	add(6, para{text: co.ReducedPrice, muted: true})
	if co.PlacesLeft > 0 {
		add(7, para{text: strconv.Itoa(co.PlacesLeft)})
	} else {
		add(7, para{text: "complet", style: "I", muted: true})
	}
}

// layoutRow wraps every cell of a row to its column and returns the lines and the
// row's height.
func (bw *brochure) layoutRow(cells [][]para) ([][]line, float64) {
	out := make([][]line, len(cells))
	most := 1
	for i, ps := range cells {
		width := courseColumns[i].width - 2*cellMargin
		for _, p := range ps {
			bw.font(p.style, tableSize)
			for _, t := range bw.wrap(p.text, width) {
				out[i] = append(out[i], line{text: t, style: p.style, muted: p.muted})
			}
		}
		if len(out[i]) > maxCellLines {
			out[i] = out[i][:maxCellLines]
			out[i][maxCellLines-1].text += "…"
		}
		most = max(most, len(out[i]))
	}
	return out, float64(most)*tableLineH + 2*tablePadY
}

// drawRow draws a laid-out row at the current position, which must leave room for it.
func (bw *brochure) drawRow(lines [][]line, h float64, fill rgb, filled bool) {
	pdf := bw.pdf
	// The caller made room for the row; no automatic break may cut it, even if a
	// rounding slipped through.
	pdf.SetAutoPageBreak(false, pageMarginBot)
	defer pdf.SetAutoPageBreak(true, pageMarginBot)
	x0, y0 := pageMarginX, pdf.GetY()
	if filled {
		bw.fillColour(fill)
		pdf.Rect(x0, y0, contentWidth, h, "F")
	}
	x := x0
	for i, col := range courseColumns {
		for j, l := range lines[i] {
			bw.font(l.style, tableSize)
			if l.muted {
				bw.textColour(colourMuted)
			}
			pdf.SetXY(x, y0+tablePadY+float64(j)*tableLineH)
			pdf.CellFormat(col.width, tableLineH, l.text, "", 0, col.align, false, 0, "")
			if l.muted {
				bw.textColour(colourText)
			}
		}
		x += col.width
	}
	bw.drawColour(colourRule)
	pdf.SetLineWidth(0.15)
	pdf.Line(x0, y0+h, x0+contentWidth, y0+h)
	pdf.SetXY(x0, y0+h)
}

// wrap splits s into lines no wider than width in the current font. It breaks only
// at ASCII spaces, so no-break spaces (as in "312,00 €") hold; a word wider than
// the column is cut between characters.
func (bw *brochure) wrap(s string, width float64) []string {
	pdf := bw.pdf
	if s == "" {
		return nil
	}
	if pdf.GetStringWidth(s) <= width {
		return []string{s}
	}
	space := pdf.GetStringWidth(" ")
	var lines []string
	var cur strings.Builder
	curW := 0.0
	for _, word := range strings.Split(s, " ") {
		if word == "" {
			continue
		}
		ww := pdf.GetStringWidth(word)
		if cur.Len() > 0 && curW+space+ww <= width {
			cur.WriteByte(' ')
			cur.WriteString(word)
			curW += space + ww
			continue
		}
		if cur.Len() > 0 {
			lines = append(lines, cur.String())
			cur.Reset()
			curW = 0
		}
		for ww > width { // cut an over-long word
			n, w := 0, 0.0
			for k, r := range word {
				rw := pdf.GetStringWidth(string(r))
				if w+rw > width && k > 0 {
					break
				}
				w += rw
				n = k + len(string(r))
			}
			lines = append(lines, word[:n])
			word = word[n:]
			ww = pdf.GetStringWidth(word)
		}
		cur.WriteString(word)
		curW = ww
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
