package documents

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
)

const samplePayload = "https://cours-adultes.paris.example/carte/verifier/v1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz01234"

// validatePDF has pdfcpu, an independent reader, parse and validate data
// strictly, with a configuration built here (pdfcpu's default one writes a
// directory into the user's home).
func validatePDF(t testing.TB, data []byte) {
	t.Helper()
	conf := &model.Configuration{
		Reader15:                  true,
		ValidationMode:            model.ValidationStrict,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Eol:                       types.EolLF,
		Offline:                   true,
		Limits:                    model.DefaultResourceLimits(),
	}
	conf.Cmd = model.VALIDATE
	ctx, err := pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(data), conf)
	if err != nil {
		t.Fatalf("pdfcpu cannot read the PDF: %v", err)
	}
	if err := validate.XRefTable(ctx); err != nil {
		t.Fatalf("pdfcpu does not validate the PDF: %v", err)
	}
}

// drawnQR is a QR symbol read back from a content stream, as drawQRMatrix
// writes it.
type drawnQR struct {
	module, ox, oy float64 // points
	dark           map[[2]int]bool
	size           int // the largest row or column index + 1
}

var qrBlockRe = regexp.MustCompile(`q\n([\d.]+) 0 0 -([\d.]+) ([\d.]+) ([\d.]+) cm\n0 g\n((?:\d+ \d+ \d+ 1 re\n)*)f\nQ`)

// drawnQRs reads every QR symbol of a page's content.
func drawnQRs(t *testing.T, content []byte) []drawnQR {
	t.Helper()
	var out []drawnQR
	for _, m := range qrBlockRe.FindAllSubmatch(content, -1) {
		var q drawnQR
		q.module, _ = strconv.ParseFloat(string(m[1]), 64)
		q.ox, _ = strconv.ParseFloat(string(m[3]), 64)
		q.oy, _ = strconv.ParseFloat(string(m[4]), 64)
		q.dark = map[[2]int]bool{}
		for _, l := range strings.Split(strings.TrimSpace(string(m[5])), "\n") {
			var x, y, n int
			f := strings.Fields(l)
			x, _ = strconv.Atoi(f[0])
			y, _ = strconv.Atoi(f[1])
			n, _ = strconv.Atoi(f[2])
			for i := 0; i < n; i++ {
				if q.dark[[2]int{x + i, y}] {
					t.Fatalf("module (%d, %d) drawn twice", x+i, y)
				}
				q.dark[[2]int{x + i, y}] = true
				q.size = max(q.size, x+i+1, y+1)
			}
		}
		out = append(out, q)
	}
	return out
}

// sameMatrix reports whether the drawn symbol is exactly the encoded one.
func sameMatrix(t *testing.T, got drawnQR, want qrMatrix) {
	t.Helper()
	if got.size != want.size {
		t.Fatalf("drawn symbol is %d modules wide, the encoded one %d", got.size, want.size)
	}
	for y := 0; y < want.size; y++ {
		for x := 0; x < want.size; x++ {
			if got.dark[[2]int{x, y}] != want.dark[y*want.size+x] {
				t.Fatalf("module (%d, %d): drawn dark=%v, encoded dark=%v", x, y, got.dark[[2]int{x, y}], want.dark[y*want.size+x])
			}
		}
	}
}

func TestNewQRMatrix_MediumCorrectionAndErrors(t *testing.T) {
	m, err := newQRMatrix(samplePayload)
	if err != nil {
		t.Fatal(err)
	}
	// 123 bytes with medium correction fit version 7: 45 modules (version v is 17+4v).
	if m.size != 45 {
		t.Errorf("symbol of %d modules for %d bytes at level M, want 45 (version 7)", m.size, len(samplePayload))
	}
	// The three finder patterns: dark 7x7 corners with a light ring inside.
	for _, c := range [][2]int{{0, 0}, {m.size - 7, 0}, {0, m.size - 7}} {
		if !m.dark[c[1]*m.size+c[0]] || m.dark[(c[1]+1)*m.size+c[0]+1] || !m.dark[(c[1]+3)*m.size+c[0]+3] {
			t.Errorf("no finder pattern at %v: the symbol has a border or is shifted", c)
		}
	}
	if _, err := newQRMatrix(""); err == nil {
		t.Error("an empty payload was encoded")
	}
	if _, err := newQRMatrix(strings.Repeat("x", 3000)); err == nil {
		t.Error("3,000 bytes were encoded (a QR code holds 2,331 bytes at level M)")
	}
}

// TestCardPDF_PAY6_QRDrawnIsTheEncodedSymbol reads the card's QR code back
// from the page: every dark module as encoded, none more, four modules of
// quiet zone inside the white square.
func TestCardPDF_PAY6_QRDrawnIsTheEncodedSymbol(t *testing.T) {
	pdf, err := CardPDF(sampleCard(), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	f := parsePDF(t, pdf)
	var content []byte
	for _, o := range f.objects {
		if bytes.Contains(o.stream, []byte(" cm\n0 g\n")) {
			content = o.stream
		}
	}
	qrs := drawnQRs(t, content)
	if len(qrs) != 1 {
		t.Fatalf("%d QR codes drawn on the card, want 1", len(qrs))
	}
	want, err := newQRMatrix(samplePayload)
	if err != nil {
		t.Fatal(err)
	}
	sameMatrix(t, qrs[0], want)
	// The symbol starts four modules inside the white square of the quiet zone.
	k := 72 / 25.4
	x := (sheetW-cardW)/2 + cardW - cardPad + 1.5 - cardQRSide
	module := cardQRSide / float64(want.size+2*qrQuietZone)
	if got, wantOx := qrs[0].ox, (x+4*module)*k; got < wantOx-0.01 || got > wantOx+0.01 {
		t.Errorf("symbol drawn from x = %.3f pt, want %.3f (4 modules of quiet zone)", got, wantOx)
	}
	if got := qrs[0].module; got < module*k-0.001 || got > module*k+0.001 {
		t.Errorf("module of %.4f pt, want %.4f", got, module*k)
	}
	if module < 0.4 {
		t.Errorf("modules of %.2f mm: too small for a phone at arm's length", module)
	}
}

func TestQRSVG_InlineAccessibleAndExact(t *testing.T) {
	svg, err := QRSVG(samplePayload, 160, `Code QR "carte" <Hélène>`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg" role="img"`, `aria-label="Code QR &#34;carte&#34; &lt;Hélène&gt;"`,
		`width="160" height="160"`, `viewBox="0 0 53 53"`, `shape-rendering="crispEdges"`, `fill="#fff"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if !strings.HasSuffix(svg, "</svg>") || strings.Contains(svg, "<script") {
		t.Errorf("not one plain SVG element: %.80s…", svg)
	}
	// Read the path back: "M x y h w v1 h-w z" per run, offset by the quiet zone.
	d := regexp.MustCompile(`d="([^"]*)"`).FindStringSubmatch(svg)
	if d == nil {
		t.Fatal("no path")
	}
	got := drawnQR{dark: map[[2]int]bool{}}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(d[1], -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		n, _ := strconv.Atoi(m[3])
		if m[3] != m[4] {
			t.Fatalf("run %q does not close", m[0])
		}
		for i := 0; i < n; i++ {
			got.dark[[2]int{x + i - qrQuietZone, y - qrQuietZone}] = true
			got.size = max(got.size, x+i+1-qrQuietZone, y+1-qrQuietZone)
		}
	}
	want, _ := newQRMatrix(samplePayload)
	sameMatrix(t, got, want)

	if _, err := QRSVG(samplePayload, 0, "x"); err == nil {
		t.Error("a 0 px SVG was made")
	}
	if _, err := QRSVG("", 100, "x"); err == nil {
		t.Error("an SVG of nothing was made")
	}
}
