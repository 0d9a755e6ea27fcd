package documents

import (
	"bytes"
	"strings"
	"testing"
)

func sampleAttestation(k AttestationKind) Attestation {
	return Attestation{Kind: k, Number: "ATT-2026-000318", FirstName: "Hélène", LastName: "Lefèvre",
		Formation: "Anglais — niveau intermédiaire", CourseCode: "ANG-11-01",
		Establishment: "École élémentaire Parmentier, 5 rue Parmentier, 75011 Paris", Session: "Année 2026-2027",
		Hours: "60 heures", AmountCents: 9000, HalfTariff: true, PaidOn: "12 octobre 2026", Mode: "carte bancaire",
		IssuedOn: "3 décembre 2026", QRPayload: samplePayload}
}

func renderAttestation(t *testing.T, a Attestation) (*pdfFile, []byte) {
	t.Helper()
	data, err := AttestationPDF(a, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	validatePDF(t, data)
	checkXref(t, data)
	f := parsePDF(t, data)
	if len(f.pages) != 1 {
		t.Fatalf("%d pages, want one", len(f.pages))
	}
	return f, data
}

// TestAttestationPDF_PAY7_PAY8_CostBeforePayment: the cost attestation says
// the candidature was accepted and what the fees are, with the notice that
// it is neither a quote nor an invoice and that the courses are not eligible
// for professional-training funding.
func TestAttestationPDF_PAY7_PAY8_CostBeforePayment(t *testing.T) {
	a := sampleAttestation(AttestationCost)
	a.PaidOn, a.Mode = "", ""
	f, data := renderAttestation(t, a)
	text := joinedText(f) // wrapped sentences read whole
	for _, want := range []string{"Attestation de coût de formation", "N° ATT-2026-000318", "Le 3 décembre 2026",
		"Hélène Lefèvre", "Anglais — niveau intermédiaire", "ANG-11-01", "Année 2026-2027", "60 heures",
		"a été acceptée pour la formation suivante", "Droits d'inscription", "90,00\u00a0€ (demi-tarif, sur justificatif du RSA, de l'ASS ou de l'AAH)",
		"entre le premier et le deuxième cours", "ne constitue ni un devis ni une facture",
		"ne relèvent pas de la formation professionnelle continue", "financement de la formation professionnelle",
		"Vérification", samplePayload[:40], "Fait le 3 décembre 2026", "Document établi le 5 octobre 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("the cost attestation does not say %q", want)
		}
	}
	for _, absent := range []string{"Attestation de paiement", "Montant payé", "Date du paiement", "Réglé par"} {
		if strings.Contains(text, absent) {
			t.Errorf("the cost attestation says %q", absent)
		}
	}
	if got := f.info(t, "/Title"); got != "Attestation de coût de formation — Hélène Lefèvre" {
		t.Errorf("title = %q", got)
	}
	if !bytes.Contains(data, []byte("/Lang (fr)")) {
		t.Error("language not declared")
	}
	if qrs := drawnQRs(t, f.objects[contentOf(t, f, 0)].stream); len(qrs) != 1 {
		t.Errorf("%d QR codes, want 1", len(qrs))
	} else {
		want, _ := newQRMatrix(samplePayload)
		sameMatrix(t, qrs[0], want)
	}
}

// TestAttestationPDF_PAY7_PAY4_PaymentByAThirdParty: the payment attestation
// names the third party who paid, the date and the mode.
func TestAttestationPDF_PAY7_PAY4_PaymentByAThirdParty(t *testing.T) {
	a := sampleAttestation(AttestationPayment)
	a.HalfTariff = false
	a.AmountCents = 123450
	a.PaidBy = "Comité social et économique de la RATP"
	f, _ := renderAttestation(t, a)
	text := joinedText(f)
	for _, want := range []string{"Attestation de paiement", "atteste avoir reçu le paiement", "Montant payé",
		"1\u00a0234,50\u00a0€ (plein tarif)", "Date du paiement", "12 octobre 2026", "carte bancaire",
		"Réglé par", "Comité social et économique de la RATP (tiers payeur)", "réglé pour son compte par Comité social",
		"ne constitue ni un devis ni une facture"} {
		if !strings.Contains(text, want) {
			t.Errorf("the payment attestation does not say %q", want)
		}
	}
	if strings.Contains(f.allText(), "\u202f") {
		t.Error("the narrow no-break space, missing from the Go fonts, is drawn")
	}
	a.PaidBy = ""
	f, _ = renderAttestation(t, a)
	if strings.Contains(f.allText(), "Réglé par") || strings.Contains(f.allText(), "tiers payeur") {
		t.Error("a payment by the learner names a third party")
	}
}

func TestAttestationPDF_PAY7_Errors(t *testing.T) {
	a := sampleAttestation(0)
	if _, err := AttestationPDF(a, sampleTime); err == nil {
		t.Error("an attestation of no kind was written")
	}
	a = sampleAttestation(AttestationPayment)
	a.AmountCents = -1
	if _, err := AttestationPDF(a, sampleTime); err == nil {
		t.Error("a negative amount was attested")
	}
	a = sampleAttestation(AttestationCost)
	a.QRPayload = ""
	if _, err := AttestationPDF(a, sampleTime); err == nil {
		t.Error("an attestation that cannot be verified was written")
	}
}

func TestAttestationPDF_PAY7_Deterministic(t *testing.T) {
	a, err := AttestationPDF(sampleAttestation(AttestationPayment), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	b, err := AttestationPDF(sampleAttestation(AttestationPayment), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("same attestation, different PDF bytes")
	}
}

// joinedText is the document's text with its lines joined by spaces (but the
// no-break spaces kept), so that a wrapped sentence reads whole.
func joinedText(f *pdfFile) string {
	s := strings.ReplaceAll(f.allText(), "\n", " ")
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}

// TestAttestationPDF_PAY7_LongDataNeverOverlapsTheQRCode: data too long for
// the page pushes the verification block to a second page.
func TestAttestationPDF_PAY7_LongDataNeverOverlapsTheQRCode(t *testing.T) {
	a := sampleAttestation(AttestationPayment)
	a.Formation = strings.Repeat("Baccalauréat professionnel Électrotechnique, énergie, équipements communicants ", 12)
	data, err := AttestationPDF(a, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	f := parsePDF(t, data)
	if len(f.pages) != 2 {
		t.Fatalf("%d pages, want 2", len(f.pages))
	}
	if qrs := drawnQRs(t, f.objects[contentOf(t, f, 1)].stream); len(qrs) != 1 || !strings.Contains(f.pages[1].text(), "Vérification") {
		t.Error("the verification block is not on the second page")
	}
}

// PAY-7, PAY-8, PAY-2: the attestation and the receipt as HTML carry the
// PDF's words — what is attested, the third party who paid, the notice that
// it is neither a quote nor an invoice — and the attestation its QR code;
// the receipt, which has none, no verification block.
func TestAttestationAndReceiptHTML_PAY7_PAY8_PAY2(t *testing.T) {
	a := sampleAttestation(AttestationPayment)
	a.PaidBy = "Comité d'entreprise <RATP>"
	h, err := AttestationHTML(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Attestation de paiement", "N° ATT-2026-000318", "réglé pour son compte par Comité d&#39;entreprise &lt;RATP&gt;",
		"90,00", "demi-tarif", "ni un devis ni une facture", "<svg", samplePayload} {
		if !strings.Contains(string(h), want) {
			t.Errorf("the attestation's HTML lacks %q:\n%s", want, h)
		}
	}
	if _, err := AttestationHTML(Attestation{Kind: AttestationCost}); err == nil {
		t.Error("an attestation without its QR payload was written")
	}
	r := sampleReceipt(true)
	r.PaidBy = "Association Alpha"
	h, err = ReceiptHTML(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"R-2026-0042", "Zoé Øster", "Association Alpha (tiers payeur)", "n&#39;est pas une facture", r.ChequeNumber} {
		if !strings.Contains(string(h), want) {
			t.Errorf("the receipt's HTML lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(string(h), "document-verification") {
		t.Error("the receipt's HTML has a verification block without an address")
	}
	if _, err := ReceiptHTML(Receipt{AmountCents: 0, Mode: "chèque"}); err == nil {
		t.Error("a receipt of nothing was written")
	}
}
