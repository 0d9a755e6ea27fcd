package documents

import (
	"bytes"
	"strings"
	"testing"
)

func sampleReceipt(cheque bool) Receipt {
	r := Receipt{Number: "R-2026-0042", FirstName: "Zoé", LastName: "Øster", CourseCode: "ANG-11-01",
		Formation: "Anglais — niveau intermédiaire", Establishment: "École élémentaire Parmentier, 5 rue Parmentier, 75011 Paris",
		AmountCents: 18000, Mode: "espèces", RecordedBy: "Mme Bérénice Lefèvre", RecordedAt: "5 octobre 2026 à 18 h 40"}
	if cheque {
		r.Mode, r.ChequeNumber, r.Bank, r.Drawer = "chèque", "0001234", "La Banque Postale", "Association Solidarité Paris 11e"
		r.Payee, r.PaidBy, r.AmountCents = "Régie CMA et AE", "Association Solidarité Paris 11e", 31200
	}
	return r
}

func renderReceipt(t *testing.T, r Receipt) *pdfFile {
	t.Helper()
	data, err := ReceiptPDF(r, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	validatePDF(t, data)
	checkXref(t, data)
	return parsePDF(t, data)
}

// TestReceiptPDF_PAY2_PAY4_ChequeFromAThirdParty: a cheque's receipt gives
// its number, bank, drawer and payee, and the third party who paid; the page
// holds the payer's copy and the establishment's.
func TestReceiptPDF_PAY2_PAY4_ChequeFromAThirdParty(t *testing.T) {
	f := renderReceipt(t, sampleReceipt(true))
	if len(f.pages) != 1 {
		t.Fatalf("%d pages", len(f.pages))
	}
	text := f.allText()
	for _, want := range []string{"Zoé Øster", "Anglais — niveau intermédiaire (cours ANG-11-01)", "312,00\u00a0€", "chèque",
		"Chèque n°", "0001234", "La Banque Postale", "Tireur", "À l'ordre de", "Régie CMA et AE",
		"Association Solidarité Paris 11e (tiers payeur)", "le 5 octobre 2026 à 18 h 40, par Mme Bérénice Lefèvre",
		"Reçu n° R-2026-0042", "Ce reçu n'est pas une facture.", "Signature et cachet de l'établissement"} {
		if !strings.Contains(text, want) {
			t.Errorf("the receipt does not say %q", want)
		}
	}
	for _, copyFor := range []string{"Exemplaire du payeur", "Exemplaire conservé par l'établissement"} {
		if f.count(copyFor) != 1 {
			t.Errorf("%q drawn %d times", copyFor, f.count(copyFor))
		}
	}
	if n := f.count("Reçu de paiement au guichet"); n != 2 {
		t.Errorf("%d copies, want 2", n)
	}
	if got := f.info(t, "/Title"); got != "Reçu de paiement n° R-2026-0042 — Zoé Øster" {
		t.Errorf("title = %q", got)
	}
}

// TestReceiptPDF_PAY2_CashAtMost300Euros: cash up to 300 EUR, exact change;
// above, the desk should not have taken it and no receipt is written.
func TestReceiptPDF_PAY2_CashAtMost300Euros(t *testing.T) {
	r := sampleReceipt(false)
	r.AmountCents = 30000
	f := renderReceipt(t, r)
	text := f.allText()
	for _, want := range []string{"espèces", "300,00\u00a0€", "Paiement en espèces, avec l'appoint"} {
		if !strings.Contains(text, want) {
			t.Errorf("the cash receipt does not say %q", want)
		}
	}
	for _, absent := range []string{"Chèque n°", "Tireur", "À l'ordre de", "tiers payeur"} {
		if strings.Contains(text, absent) {
			t.Errorf("the cash receipt says %q", absent)
		}
	}
	r.AmountCents = 30001
	if _, err := ReceiptPDF(r, sampleTime); err == nil || !strings.Contains(err.Error(), "PAY-2") {
		t.Errorf("300,01 € in cash: err = %v, want a refusal naming PAY-2", err)
	}
	r.Mode = "Espèces "
	if _, err := ReceiptPDF(r, sampleTime); err == nil {
		t.Error("300,01 € in \"Espèces \" was accepted")
	}
	c := sampleReceipt(true)
	c.AmountCents = 45000 // a cheque has no limit
	if _, err := ReceiptPDF(c, sampleTime); err != nil {
		t.Errorf("a cheque of 450 €: %v", err)
	}
	for _, bad := range []Receipt{{AmountCents: 0, Mode: "chèque"}, {AmountCents: 100, Mode: ""}} {
		if _, err := ReceiptPDF(bad, sampleTime); err == nil {
			t.Errorf("receipt %+v was written", bad)
		}
	}
}

func TestReceiptPDF_PAY2_Deterministic(t *testing.T) {
	a, err := ReceiptPDF(sampleReceipt(true), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReceiptPDF(sampleReceipt(true), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("same receipt, different PDF bytes")
	}
}

// TestReceiptPDF_PAY2_LongDataNeverOverlaps: when the data is so long that a
// copy runs past the half page, the second copy gets its own page.
func TestReceiptPDF_PAY2_LongDataNeverOverlaps(t *testing.T) {
	r := sampleReceipt(true)
	r.Formation = strings.Repeat("Baccalauréat professionnel Électrotechnique, énergie, équipements communicants ", 6)
	r.Drawer = strings.Repeat("Comité social et économique de la Régie autonome des transports parisiens ", 4)
	f := renderReceipt(t, r)
	if len(f.pages) != 2 {
		t.Fatalf("%d pages, want the copies on two pages", len(f.pages))
	}
	for i, p := range f.pages {
		if n := strings.Count(p.text(), "Reçu de paiement au guichet"); n != 1 {
			t.Errorf("page %d holds %d copies", i+1, n)
		}
	}
}
