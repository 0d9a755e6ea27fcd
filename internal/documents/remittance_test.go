package documents

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func sampleRemittance(n int) Remittance {
	r := Remittance{Establishment: "École élémentaire Parmentier, 5 rue Parmentier, 75011 Paris", Payee: "Régie CMA et AE",
		Date: "5 octobre 2026", SignedBy: "Mme Bérénice Lefèvre, cheffe d'établissement"}
	banks := []string{"Banque Populaire Rives de Paris", "La Banque Postale", "Crédit Agricole d'Île-de-France"}
	drawers := []string{"Hélène Lefèvre", "Association Solidarité Paris 11e", "Comité social et économique de la Régie autonome des transports parisiens"}
	learners := []string{"Hélène Lefèvre", "Zoé Øster", "Jérôme Nguyễn"}
	for i := range n {
		r.Lines = append(r.Lines, RemittanceLine{ChequeNumber: fmt.Sprintf("%07d", 1234+i), Bank: banks[i%3], Drawer: drawers[i%3],
			Learner: learners[i%3], Reference: fmt.Sprintf("PAY-2026-%05d", i), AmountCents: int64(9000 + 1537*(i%7))})
	}
	return r
}

// amountRe reads an amount as the slip draws it ("1 234,50 €", no-break spaces).
var amountRe = regexp.MustCompile(`(-?[\d\x{a0}]+),(\d\d)\x{a0}€`)

func parseAmount(t *testing.T, s string) int64 {
	t.Helper()
	m := amountRe.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no amount in %q", s)
	}
	euros, err := strconv.ParseInt(strings.ReplaceAll(m[1], "\u00a0", ""), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	cents, _ := strconv.ParseInt(m[2], 10, 64)
	return euros*100 + cents
}

// TestRemittancePDF_PAY2_TotalIsTheSumOfTheLines: the slip's count and total
// are those of its lines, in integer cents; every cheque is listed once, the
// table's header repeats on every page and the running total is carried.
func TestRemittancePDF_PAY2_TotalIsTheSumOfTheLines(t *testing.T) {
	r := sampleRemittance(45)
	var want int64
	for _, l := range r.Lines {
		want += l.AmountCents
	}
	data, err := RemittancePDF(r, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	validatePDF(t, data)
	checkXref(t, data)
	f := parsePDF(t, data)
	if len(f.pages) < 2 {
		t.Fatalf("%d page for 45 cheques, want the table paged", len(f.pages))
	}
	text := f.allText()
	if f.count("Nombre de chèques : 45") != 1 {
		t.Error("the count of cheques is not 45")
	}
	var total string
	for _, p := range f.pages {
		for _, s := range p.strings {
			if strings.HasPrefix(s, "Total : ") {
				total = s
			}
		}
	}
	if total == "" {
		t.Fatal("no total drawn")
	}
	if got := parseAmount(t, total); got != want {
		t.Errorf("total drawn %q = %d cents, want the sum of the lines %d", total, got, want)
	}
	for _, l := range r.Lines {
		if f.count(l.ChequeNumber) != 1 {
			t.Errorf("cheque %s drawn %d times", l.ChequeNumber, f.count(l.ChequeNumber))
		}
	}
	for i, p := range f.pages {
		if !strings.Contains(p.text(), "N° de chèque") || !strings.Contains(p.text(), fmt.Sprintf("Page %d / %d", i+1, len(f.pages))) {
			t.Errorf("page %d: no table header or page number", i+1)
		}
	}
	// The amount carried at the foot of page 1 is the sum of the rows above it.
	carried := regexp.MustCompile(`À reporter : (\d+) chèques`).FindStringSubmatch(f.pages[0].text())
	if carried == nil {
		t.Fatal("no carried total at the foot of page 1")
	}
	n, _ := strconv.Atoi(carried[1])
	var sum int64
	for _, l := range r.Lines[:n] {
		sum += l.AmountCents
	}
	strs := f.pages[0].strings
	for i, s := range strs {
		if strings.HasPrefix(s, "À reporter") {
			if got := parseAmount(t, strs[i+1]); got != sum {
				t.Errorf("carried %d cents after %d cheques, want %d", got, n, sum)
			}
		}
	}
	if !strings.Contains(f.pages[1].text(), "Report : "+carried[1]+" chèques") {
		t.Error("page 2 does not start with the amount carried")
	}
	for _, want := range []string{"Bordereau de remise de chèques", "Régie CMA et AE", "5 octobre 2026", "Remis par",
		"Mme Bérénice Lefèvre, cheffe d'établissement", "Signature :", "Jérôme Nguyen", "Zoé Øster", "Crédit Agricole"} {
		if !strings.Contains(text, want) {
			t.Errorf("the slip does not say %q", want)
		}
	}
}

func TestRemittancePDF_PAY2_NoChequeAndErrors(t *testing.T) {
	r := sampleRemittance(0)
	data, err := RemittancePDF(r, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	validatePDF(t, data)
	text := parsePDF(t, data).allText()
	for _, want := range []string{"Aucun chèque à remettre.", "Nombre de chèques : 0", "Total : 0,00\u00a0€"} {
		if !strings.Contains(text, want) {
			t.Errorf("the empty slip does not say %q", want)
		}
	}
	r = sampleRemittance(3)
	r.Lines[1].AmountCents = 0
	if _, err := RemittancePDF(r, sampleTime); err == nil || !strings.Contains(err.Error(), "cheque 2") {
		t.Errorf("a cheque of 0: err = %v", err)
	}
	r.Lines[1].AmountCents = math.MaxInt64
	if _, err := RemittancePDF(r, sampleTime); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("an overflowing total: err = %v", err)
	}
}

func TestRemittanceTotal(t *testing.T) {
	n, total, err := remittanceTotal([]RemittanceLine{{AmountCents: 9000}, {AmountCents: 15601}, {AmountCents: 1}})
	if err != nil || n != 3 || total != 24602 {
		t.Errorf("remittanceTotal = %d, %d, %v; want 3, 24602, nil", n, total, err)
	}
}

func TestRemittancePDF_PAY2_Deterministic(t *testing.T) {
	a, err := RemittancePDF(sampleRemittance(40), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RemittancePDF(sampleRemittance(40), sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("same slip, different PDF bytes")
	}
}
