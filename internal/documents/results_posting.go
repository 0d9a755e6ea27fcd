package documents

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// ResultsPostingData is the posting of first-day test results for an
// establishment's notice board (SEL-2, "résultats affichés"): per course, the
// candidature numbers with their result, never a name (the board is
// public). Words come already French from the caller.
type ResultsPostingData struct {
	Title         string // "Résultats du test du premier jour"
	Establishment string // "École élémentaire Parmentier — 5 rue Parmentier, 75011 Paris"
	Note          string // how to read it: where candidates find their number
	GeneratedAt   time.Time
	Courses       []PostingCourse
}

// PostingCourse is one course of the posting; each starts a new page.
type PostingCourse struct {
	Heading  string // "Anglais — ANG-A"
	Schedule string // "lundi 18h30–20h30, session Année 2026-2027"
	Empty    string // printed when Rows is empty
	Rows     []PostingRow
}

// PostingRow is one candidature's number and result.
type PostingRow struct {
	Number string // "CMA-AB12C-DE34F"
	Result string // "admis(e) dans le cours ANG-A", "liste d'attente, position 2", "non retenu(e)"
}

// Layout of the posting: large type, to be read standing.
const (
	postingSize     = 12.0
	postingRowH     = 8.0
	postingNumberW  = 62.0
	postingHeadSize = 18.0
)

// WriteResultsPostingPDF writes the posting as an A4 portrait PDF: a title
// block on each course's first page, a two-column table of numbers and
// results whose header repeats on every page, and a footer with the date and
// "Page n / total".
func WriteResultsPostingPDF(w io.Writer, d ResultsPostingData) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("documents: results posting: loading fonts: %w", err)
	}
	clean := newTextCleaner()
	title := clean.clean(d.Title, false)
	pdf.SetTitle(title, true)
	pdf.SetAuthor(BrochureAuthor, true)
	pdf.SetSubject(clean.clean(d.Establishment, false), true)
	pdf.SetCreator("cma", true)
	pdf.SetLang("fr")
	pdf.SetCatalogSort(true)
	stamp := d.GeneratedAt
	if stamp.IsZero() {
		stamp = time.Now()
	}
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	pdf.SetMargins(pageMarginX, pageMarginTop, pageMarginX)
	pdf.SetAutoPageBreak(false, pageMarginBot)
	pdf.SetCellMargin(2)
	pdf.AliasNbPages("{nb}")
	_, pageH := pdf.GetPageSize()
	bottom := pageH - pageMarginBot - 4

	date := FrenchDate(d.GeneratedAt)
	colour := func(c rgb) { pdf.SetTextColor(c.r, c.g, c.b) }
	pdf.SetFooterFunc(func() {
		y := pageH - 12
		pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
		pdf.SetLineWidth(0.2)
		pdf.Line(pageMarginX, y-1, pageMarginX+contentWidth, y-1)
		pdf.SetFont(fontFamily, "", 8)
		colour(colourMuted)
		pdf.SetXY(pageMarginX, y)
		if date != "" {
			pdf.CellFormat(contentWidth/2, 4, "Affiché le "+date, "", 0, "L", false, 0, "")
		}
		pdf.SetXY(pageMarginX+contentWidth/2, y)
		pdf.CellFormat(contentWidth/2, 4, "Page "+strconv.Itoa(pdf.PageNo())+" / {nb}", "", 0, "R", false, 0, "")
		colour(colourText)
	})
	tableHead := func() {
		pdf.SetFont(fontFamily, "B", postingSize)
		pdf.SetFillColor(colourHeadBg.r, colourHeadBg.g, colourHeadBg.b)
		pdf.SetDrawColor(colourRule.r, colourRule.g, colourRule.b)
		pdf.SetX(pageMarginX)
		pdf.CellFormat(postingNumberW, postingRowH, "N° de candidature", "1", 0, "L", true, 0, "")
		pdf.CellFormat(contentWidth-postingNumberW, postingRowH, "Résultat", "1", 1, "L", true, 0, "")
		pdf.SetFont(fontFamily, "", postingSize)
	}
	courses := d.Courses
	if len(courses) == 0 {
		courses = []PostingCourse{{}}
	}
	for _, c := range courses {
		pdf.AddPage()
		colour(colourMuted)
		pdf.SetFont(fontFamily, "", 10)
		pdf.MultiCell(contentWidth, 5, clean.clean(d.Establishment, false), "", "L", false)
		colour(colourAccent)
		pdf.SetFont(fontFamily, "B", postingHeadSize)
		pdf.MultiCell(contentWidth, 9, title, "", "L", false)
		colour(colourText)
		pdf.SetFont(fontFamily, "B", 14)
		pdf.MultiCell(contentWidth, 7, clean.clean(c.Heading, false), "", "L", false)
		pdf.SetFont(fontFamily, "", 11)
		pdf.MultiCell(contentWidth, 5.5, clean.clean(c.Schedule, false), "", "L", false)
		if d.Note != "" {
			pdf.Ln(2)
			colour(colourMuted)
			pdf.SetFont(fontFamily, "", 10)
			pdf.MultiCell(contentWidth, 5, clean.clean(d.Note, true), "", "L", false)
			colour(colourText)
		}
		pdf.Ln(4)
		if len(c.Rows) == 0 {
			pdf.SetFont(fontFamily, "", postingSize)
			pdf.MultiCell(contentWidth, 6, clean.clean(c.Empty, false), "", "L", false)
			continue
		}
		tableHead()
		for i, r := range c.Rows {
			if pdf.GetY()+postingRowH > bottom {
				pdf.AddPage()
				colour(colourMuted)
				pdf.SetFont(fontFamily, "", 10)
				pdf.MultiCell(contentWidth, 5, clean.clean(c.Heading, false)+" (suite)", "", "L", false)
				colour(colourText)
				pdf.Ln(2)
				tableHead()
			}
			fill := i%2 == 1
			pdf.SetFillColor(colourStripe.r, colourStripe.g, colourStripe.b)
			pdf.SetX(pageMarginX)
			pdf.SetFont(fontFamily, "B", postingSize)
			pdf.CellFormat(postingNumberW, postingRowH, clean.clean(r.Number, false), "1", 0, "L", fill, 0, "")
			pdf.SetFont(fontFamily, "", postingSize)
			pdf.CellFormat(contentWidth-postingNumberW, postingRowH, clean.clean(r.Result, false), "1", 1, "L", fill, 0, "")
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("documents: laying out the results posting: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("documents: writing the results posting PDF: %w", err)
	}
	out, err := withDateOffsets(buf.Bytes(), stamp, stamp)
	if err != nil {
		return fmt.Errorf("documents: results posting: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("documents: writing the results posting PDF: %w", err)
	}
	return nil
}
