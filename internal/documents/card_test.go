package documents

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sampleTime is the generation time of the payment documents' samples.
var sampleTime = time.Date(2026, time.October, 5, 18, 40, 0, 0, time.FixedZone("CEST", 2*3600))

func sampleCard() LearnerCard {
	return LearnerCard{FirstName: "Hélène", LastName: "Lefèvre", CourseCode: "ANG-11-01", Formation: "Anglais — niveau intermédiaire",
		Establishment: "École élémentaire Parmentier", EstablishmentAddress: "5 rue Parmentier, 75011 Paris", Session: "Année 2026-2027",
		Slot: "lundi 18 h 30 – 20 h 30", Number: "2026-004217", IssuedOn: "5 octobre 2026", QRPayload: samplePayload}
}

// sampleCards is a course's print run: n cards, numbered, with accented names.
func sampleCards(n int) []LearnerCard {
	firsts := []string{"Hélène", "Zoé", "Jérôme", "François", "Noël", "Bérénice", "Çağla", "Łukasz"}
	lasts := []string{"Lefèvre", "Øster", "Nguyễn", "Dupré", "Brûlé", "Garçon", "Yılmaz", "Wałęsa"}
	cards := make([]LearnerCard, n)
	for i := range cards {
		c := sampleCard()
		c.FirstName, c.LastName = firsts[i%len(firsts)], fmt.Sprintf("%s-%d", lasts[i%len(lasts)], i+1)
		c.Number = fmt.Sprintf("2026-%06d", i+1)
		c.QRPayload = fmt.Sprintf("%s%06d", samplePayload[:len(samplePayload)-6], i)
		cards[i] = c
	}
	return cards
}

func TestCardPDF_PAY6_NamesFieldsQRAndAccessNotice(t *testing.T) {
	c := sampleCard()
	data, err := CardPDF(c, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	validatePDF(t, data)
	checkXref(t, data)
	f := parsePDF(t, data)
	if len(f.pages) != 1 {
		t.Fatalf("%d pages, want 1", len(f.pages))
	}
	text := f.allText()
	for _, want := range []string{"Carte d'auditeur", "Ville — Service des cours d'adultes", "Hélène Lefèvre",
		"Anglais — niveau intermédiaire", "Cours ANG-11-01", "lundi 18 h 30 – 20 h 30", "École élémentaire Parmentier",
		"5 rue Parmentier, 75011 Paris", "Année 2026-2027", "N° 2026-004217", "Délivrée le 5 octobre 2026",
		"Seule cette carte donne accès à l'établissement et au cours.", "Découpez la carte en suivant le pointillé."} {
		if !strings.Contains(text, want) {
			t.Errorf("the card does not say %q", want)
		}
	}
	if strings.Contains(text, "Duplicata") {
		t.Error("a first issue is marked as a duplicate")
	}
	if got := f.info(t, "/Title"); got != "Carte d'auditeur — Hélène Lefèvre" {
		t.Errorf("title = %q", got)
	}
	if got := f.info(t, "/Author"); got != BrochureAuthor {
		t.Errorf("author = %q", got)
	}
	if got := f.info(t, "/Subject"); !strings.Contains(got, "cours ANG-11-01") {
		t.Errorf("subject = %q", got)
	}
	if got := f.info(t, "/CreationDate"); got != "D:20261005184000+02'00'" {
		t.Errorf("creation date = %q", got)
	}
	if !bytes.Contains(data, []byte("/Lang (fr)")) || !bytes.Contains(data, []byte("/MediaBox [0 0 595.28 841.89]")) {
		t.Error("not an A4 document in French")
	}
	// The cut line is the bank-card size, 85.6 x 54 mm, centred on the page.
	k := 72 / 25.4
	cut := fmt.Sprintf("%.2f %.2f %.2f %.2f re S", (sheetW-cardW)/2*k, (sheetH-(sheetH-cardH)/2)*k, cardW*k, -cardH*k)
	if !strings.Contains(string(f.objects[contentOf(t, f, 0)].stream), cut) {
		t.Errorf("no cut line %q of 85.6 x 54 mm centred on the page", cut)
	}
}

// contentOf returns the object number of page i's content stream.
func contentOf(t *testing.T, f *pdfFile, i int) int {
	t.Helper()
	m := contentsRe.FindStringSubmatch(f.pages[i].dict)
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

func TestCardPDF_PAY6_DuplicateIsMarked(t *testing.T) {
	c := sampleCard()
	c.Reprint = 2
	data, err := CardPDF(c, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	if n := parsePDF(t, data).count("Duplicata n° 2"); n != 1 {
		t.Errorf("\"Duplicata n° 2\" drawn %d times on the second duplicate", n)
	}
}

// TestCardPDF_PAY6_LongNameWrapsNeverCut: a name too long for a line takes
// two; the other fields shrink or are cut, the name never.
func TestCardPDF_PAY6_LongNameWrapsNeverCut(t *testing.T) {
	c := sampleCard()
	c.FirstName, c.LastName = "Marie-Christine-Bénédicte", "de La Tour d'Auvergne-Lauraguais"
	c.Formation = "Baccalauréat professionnel Électrotechnique, énergie, équipements communicants, option habitat tertiaire"
	data, err := CardPDF(c, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	f := parsePDF(t, data)
	text := f.allText()
	if !strings.Contains(text, "Marie-Christine-Bénédicte de La Tour\nd'Auvergne-Lauraguais") {
		t.Errorf("the long name is not drawn whole on two lines:\n%s", text)
	}
	if !strings.Contains(text, "Baccalauréat professionnel") || !strings.Contains(text, "…") {
		t.Error("the over-long formation is not shortened with an ellipsis")
	}
}

func TestCardPDF_PAY6_Deterministic(t *testing.T) {
	a, err := CardPDF(sampleCard(), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	b, err := CardPDF(sampleCard(), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("same card, different PDF bytes")
	}
	var x, y bytes.Buffer
	if err := CardsPDF(sampleCards(11), sampleTime, &x); err != nil {
		t.Fatal(err)
	}
	if err := CardsPDF(sampleCards(11), sampleTime, &y); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Error("same print run, different PDF bytes (the QR codes are encoded in parallel: their order must not change)")
	}
}

func TestCardsPDF_PAY6_EightToASheetInOrder(t *testing.T) {
	cards := sampleCards(19)
	var buf bytes.Buffer
	if err := CardsPDF(cards, sampleTime, &buf); err != nil {
		t.Fatal(err)
	}
	validatePDF(t, buf.Bytes())
	f := parsePDF(t, buf.Bytes())
	if len(f.pages) != 3 {
		t.Fatalf("%d pages for 19 cards, want 3 (8 a sheet)", len(f.pages))
	}
	for i, c := range cards {
		name := strings.ReplaceAll(c.FirstName+" "+c.LastName, "ễ", "e") // the Go fonts lack ễ
		if n := f.count(name); n != 1 {
			t.Errorf("card %d: %q drawn %d times", i+1, name, n)
			continue
		}
		if p := f.pageOf(name); p != i/8 {
			t.Errorf("card %d on page %d, want %d", i+1, p+1, i/8+1)
		}
	}
	if f.count("Jérôme Nguyen-3") != 1 {
		t.Error(`"Nguyễn" is not drawn as "Nguyen" (ễ is missing from the Go fonts)`)
	}
	for i, want := range []string{"Cartes d'auditeur 1 à 8 sur 19 — imprimées le 5 octobre 2026", "Cartes d'auditeur 9 à 16 sur 19", "Cartes d'auditeur 17 à 19 sur 19"} {
		if !strings.Contains(f.pages[i].text(), want) || !strings.Contains(f.pages[i].text(), fmt.Sprintf("Page %d / 3", i+1)) {
			t.Errorf("page %d: heading %q or its number missing", i+1, want)
		}
	}
	// Each card's own QR code, in order.
	for p := range f.pages {
		qrs := drawnQRs(t, f.objects[contentOf(t, f, p)].stream)
		for j, q := range qrs {
			want, err := newQRMatrix(cards[p*8+j].QRPayload)
			if err != nil {
				t.Fatal(err)
			}
			sameMatrix(t, q, want)
		}
		if want := min(8, len(cards)-8*p); len(qrs) != want {
			t.Errorf("page %d: %d QR codes, want %d", p+1, len(qrs), want)
		}
	}
	if got := f.info(t, "/Subject"); !strings.Contains(got, "cours ANG-11-01") {
		t.Errorf("subject of a course's run = %q", got)
	}
}

func TestCardsPDF_PAY6_Errors(t *testing.T) {
	if err := CardsPDF(nil, sampleTime, &bytes.Buffer{}); err == nil {
		t.Error("an empty print run gave no error")
	}
	cards := sampleCards(10)
	cards[6].QRPayload = ""
	if err := CardsPDF(cards, sampleTime, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "card 7") {
		t.Errorf("a card without QR payload: err = %v, want it to name card 7", err)
	}
	cards[6].QRPayload = strings.Repeat("é", 2000) // too long for a QR code
	if err := CardsPDF(cards, sampleTime, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "card 7") {
		t.Errorf("a payload too long for a QR code: err = %v", err)
	}
	err := CardsPDF(sampleCards(3), sampleTime, failingWriter{})
	if !errors.Is(err, errDiskFull) {
		t.Errorf("err = %v, want the writer's error", err)
	}
	if _, err := CardPDF(LearnerCard{FirstName: "Zoé"}, sampleTime); err == nil {
		t.Error("a card without QR payload was printed")
	}
}

// TestPaymentDocuments_Samples writes a sample of each payment document to
// the directory named by CMA_PAYDOCS_SAMPLES, to be looked at.
func TestPaymentDocuments_Samples(t *testing.T) {
	dir := os.Getenv("CMA_PAYDOCS_SAMPLES")
	if dir == "" {
		t.Skip("CMA_PAYDOCS_SAMPLES=<directory> writes the samples there")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dup := sampleCard()
	dup.Reprint = 1
	data, err := CardPDF(dup, sampleTime)
	write("carte.pdf", data, err)
	var buf bytes.Buffer
	err = CardsPDF(sampleCards(11), sampleTime, &buf)
	write("cartes-du-cours.pdf", buf.Bytes(), err)
	data, err = AttestationPDF(sampleAttestation(AttestationCost), sampleTime)
	write("attestation-cout.pdf", data, err)
	a := sampleAttestation(AttestationPayment)
	a.PaidBy = "Association Solidarité Paris 11e"
	data, err = AttestationPDF(a, sampleTime)
	write("attestation-paiement.pdf", data, err)
	data, err = ReceiptPDF(sampleReceipt(true), sampleTime)
	write("recu-cheque.pdf", data, err)
	data, err = ReceiptPDF(sampleReceipt(false), sampleTime)
	write("recu-especes.pdf", data, err)
	data, err = RemittancePDF(sampleRemittance(45), sampleTime)
	write("bordereau.pdf", data, err)
	svg, err := QRSVG(samplePayload, 160, "Code QR de vérification de la carte")
	write("qr.svg", []byte(svg), err)
}
