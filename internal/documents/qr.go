package documents

import (
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// qrQuietZone is the blank margin around a QR symbol, in modules: ISO/IEC
// 18004 asks for four, and phone readers fail more often with less.
const qrQuietZone = 4

// qrMatrix is a QR symbol without its quiet zone: dark[y*size+x] tells whether
// the module at column x, row y is dark.
type qrMatrix struct {
	size int
	dark []bool
}

// newQRMatrix encodes content with medium error correction (about 15 % of the
// symbol can be lost: a scratched or folded card still reads).
func newQRMatrix(content string) (m qrMatrix, err error) {
	// go-qrcode panics on what it takes for its own bugs; encoding runs in
	// worker goroutines, where a panic would end the whole server.
	defer func() {
		if r := recover(); r != nil {
			m, err = qrMatrix{}, fmt.Errorf("QR code: encoder failed: %v", r)
		}
	}()
	if content == "" {
		return qrMatrix{}, errors.New("QR code: nothing to encode")
	}
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return qrMatrix{}, fmt.Errorf("QR code of %d bytes: %w", len(content), err)
	}
	// The quiet zone is laid out by the callers, which know what surrounds the
	// symbol; Bitmap must be called once only (it completes the encoding).
	q.DisableBorder = true
	bits := q.Bitmap()
	m = qrMatrix{size: len(bits), dark: make([]bool, len(bits)*len(bits))}
	for y, row := range bits {
		if len(row) != m.size {
			return qrMatrix{}, fmt.Errorf("QR code: row %d has %d modules, want %d", y, len(row), m.size)
		}
		copy(m.dark[y*m.size:], row)
	}
	return m, nil
}

// runs calls fn for every horizontal run of dark modules, left to right and
// top to bottom: row y, columns x to x+n-1. Drawing runs rather than modules
// makes the drawing a few times smaller.
func (m qrMatrix) runs(fn func(x, y, n int)) {
	for y := 0; y < m.size; y++ {
		row := m.dark[y*m.size : (y+1)*m.size]
		for x := 0; x < m.size; {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < m.size && row[x] {
				x++
			}
			fn(start, y, x-start)
		}
	}
}

// extent is the side of the symbol with its quiet zone, in modules.
func (m qrMatrix) extent() int { return m.size + 2*qrQuietZone }

// drawQR draws the QR code of content in pdf with its top-left corner at (x, y)
// (the document's unit), side long quiet zone included: a white square, then
// the dark modules as filled rectangles, vectors that print crisp at any
// resolution.
func drawQR(pdf *fpdf.Fpdf, content string, x, y, side float64) error {
	m, err := newQRMatrix(content)
	if err != nil {
		return err
	}
	drawQRMatrix(pdf, m, x, y, side)
	return nil
}

// drawQRMatrix draws an encoded symbol as drawQR does. The modules are written
// as one path in module units under a scaling matrix: integer coordinates, so
// that neighbouring modules share their edges exactly, and a single fill, so
// that viewers show no hairline seams between them.
func drawQRMatrix(pdf *fpdf.Fpdf, m qrMatrix, x, y, side float64) {
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(x, y, side, side, "F")
	k := pdf.GetConversionRatio()
	_, pageH := pdf.GetPageSize()
	module := side / float64(m.extent())
	// PDF space has its origin at the bottom left, y upwards; module space
	// starts at the symbol's top-left corner, y downwards.
	ox := (x + module*qrQuietZone) * k
	oy := (pageH - y - module*qrQuietZone) * k
	s := module * k
	b := make([]byte, 0, 64+m.size*m.size*3)
	b = append(b, "q\n"...)
	b = strconv.AppendFloat(b, s, 'f', 4, 64)
	b = append(b, " 0 0 "...)
	b = strconv.AppendFloat(b, -s, 'f', 4, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, ox, 'f', 3, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, oy, 'f', 3, 64)
	b = append(b, " cm\n0 g\n"...)
	m.runs(func(x, y, n int) {
		b = strconv.AppendInt(b, int64(x), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(y), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, " 1 re\n"...)
	})
	b = append(b, "f\nQ"...)
	// q … Q keeps the fill colour and the matrix to this drawing, so fpdf's own
	// idea of the graphics state stays true.
	pdf.RawWriteStr(string(b))
}

// QRSVG returns the QR code of content as an inline SVG element sizePx pixels
// square, quiet zone included, for the HTML versions of the documents: no
// image file to serve. label is the text read out for it (aria-label, with
// role="img"), for example "Code QR de vérification de la carte".
func QRSVG(content string, sizePx int, label string) (string, error) {
	if sizePx <= 0 {
		return "", fmt.Errorf("documents: QR SVG: size %d px", sizePx)
	}
	m, err := newQRMatrix(content)
	if err != nil {
		return "", fmt.Errorf("documents: %w", err)
	}
	n := strconv.Itoa(m.extent())
	px := strconv.Itoa(sizePx)
	var b strings.Builder
	b.Grow(300 + m.size*m.size*2)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="`)
	b.WriteString(html.EscapeString(label))
	b.WriteString(`" width="` + px + `" height="` + px + `" viewBox="0 0 ` + n + " " + n +
		`" shape-rendering="crispEdges"><rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
	m.runs(func(x, y, w int) {
		b.WriteByte('M')
		b.WriteString(strconv.Itoa(x + qrQuietZone))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(y + qrQuietZone))
		b.WriteByte('h')
		b.WriteString(strconv.Itoa(w))
		b.WriteString("v1h-")
		b.WriteString(strconv.Itoa(w))
		b.WriteByte('z')
	})
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
