package documents

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// courseSize is the number of cards of a course's print run in the
// benchmarks: a director prints a course's cards at once.
const courseSize = 25

// onePagePDF is the baseline: what fpdf alone costs for a one-page document
// with one line of text, the Go fonts loaded the way the documents load them.
func onePagePDF(w io.Writer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(sampleTime)
	pdf.SetModificationDate(sampleTime)
	pdf.AddPage()
	pdf.SetFont(fontFamily, "", 11)
	pdf.CellFormat(0, 6, "Hélène Lefèvre", "", 1, "L", false, 0, "")
	return pdf.Output(w)
}

func BenchmarkOnePagePDFBaseline(b *testing.B) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := onePagePDF(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkLearnerCards renders a course's print run, 25 cards in one PDF,
// per operation.
func BenchmarkLearnerCards(b *testing.B) {
	cards := sampleCards(courseSize)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := CardsPDF(cards, sampleTime, &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*courseSize)/b.Elapsed().Seconds(), "cards/s")
	b.ReportMetric(float64(buf.Len())/courseSize/1024, "KiB/card")
}

// BenchmarkCardPDF renders one card alone, as for a duplicate.
func BenchmarkCardPDF(b *testing.B) {
	c := sampleCard()
	for b.Loop() {
		if _, err := CardPDF(c, sampleTime); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}

// TestCardsPDF_PAY6_PrintRunSpeed renders the start-of-year print run, one
// PDF of 25 cards per course, and as many one-page fpdf documents for
// comparison, in the same run: 25,000 cards with CMA_BENCH_CARDS=1 (then at
// least 500 cards a second are required), a few hundred otherwise.
func TestCardsPDF_PAY6_PrintRunSpeed(t *testing.T) {
	n, full := 100, os.Getenv("CMA_BENCH_CARDS") == "1"
	if full {
		n = 25_000
	} else if testing.Short() {
		n = 50
	}
	cards := sampleCards(n)
	var size int
	start := time.Now()
	var buf bytes.Buffer
	for i := 0; i < n; i += courseSize {
		buf.Reset()
		if err := CardsPDF(cards[i:min(i+courseSize, n)], sampleTime, &buf); err != nil {
			t.Fatal(err)
		}
		size += buf.Len()
	}
	cardsTime := time.Since(start)

	start = time.Now()
	for range n {
		buf.Reset()
		if err := onePagePDF(&buf); err != nil {
			t.Fatal(err)
		}
	}
	baseTime := time.Since(start)

	cardsRate := float64(n) / cardsTime.Seconds()
	baseRate := float64(n) / baseTime.Seconds()
	t.Logf("%d cards in %d PDFs of %d: %v, %.0f cards/s, %.1f KiB a card; %d one-page fpdf PDFs: %v, %.0f docs/s; ratio %.1f",
		n, (n+courseSize-1)/courseSize, courseSize, cardsTime.Round(time.Millisecond), cardsRate, float64(size)/float64(n)/1024,
		n, baseTime.Round(time.Millisecond), baseRate, cardsRate/baseRate)
	if full && cardsRate < 500 {
		t.Errorf("%.0f cards/s, want at least 500", cardsRate)
	}
}

// BenchmarkAttendanceAttestationPDF renders one attestation d'assiduité
// (ATT-2); the target is 500 a second.
func BenchmarkAttendanceAttestationPDF(b *testing.B) {
	a := sampleAttendance()
	for b.Loop() {
		if _, err := AttendanceAttestationPDF(a, sampleTime); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkCertificatePDF renders one certificate of competences (CER-2);
// the target is 500 a second.
func BenchmarkCertificatePDF(b *testing.B) {
	c := sampleCertificate()
	for b.Loop() {
		if _, err := CertificatePDF(c, sampleTime); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkAttendanceAttestationsPrintRun renders a course's attestations
// d'assiduité, 25 in one PDF, per operation.
func BenchmarkAttendanceAttestationsPrintRun(b *testing.B) {
	list := make([]AttendanceAttestation, courseSize)
	for i := range list {
		list[i] = sampleAttendance()
		list[i].VerifyURL += strconv.Itoa(i)
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := AttendanceAttestationsPDF(list, sampleTime, &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*courseSize)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkCertificatesPrintRun renders a course's certificates, 25 in one
// PDF, per operation.
func BenchmarkCertificatesPrintRun(b *testing.B) {
	list := make([]Certificate, courseSize)
	for i := range list {
		list[i] = sampleCertificate()
		list[i].VerifyURL += strconv.Itoa(i)
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := CertificatesPDF(list, sampleTime, &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*courseSize)/b.Elapsed().Seconds(), "docs/s")
}
