package documents

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const sampleVerify = "https://cours-adultes.paris.example/attestation-assiduite/AAAAAAAAACpr3x9QmZ2u1C8c0xYqVw4K"

func sampleAttendance() AttendanceAttestation {
	return AttendanceAttestation{Number: "ASS-2027-000042", FirstName: "Hélène", LastName: "Lefèvre",
		Formation: "Anglais — niveau intermédiaire", CourseCode: "ANG-11-01",
		Establishment: "École élémentaire Parmentier, 5 rue Parmentier, 75011 Paris", Session: "Année 2026-2027",
		FirstDay: time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC), LastDay: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
		MinutesPresent: 2970, MinutesHeld: 3600, RateBP: 8250,
		IssuedAt: time.Date(2027, 3, 2, 19, 5, 0, 0, time.UTC), VerifyURL: sampleVerify}
}

func sampleCertificate() Certificate {
	return Certificate{Number: "CER-2027-000318", FirstName: "Aïcha", LastName: "N'Diaye", Formation: "Espagnol",
		Level: "Niveau 2 — intermédiaire", CourseCode: "ESP-20-03", Establishment: "Lycée Voltaire, 101 avenue de la République, 75011 Paris",
		Session: "Année 2026-2027", EvaluationDate: time.Date(2027, 6, 7, 0, 0, 0, 0, time.UTC),
		IssuedAt:  time.Date(2027, 7, 1, 10, 0, 0, 0, time.UTC),
		VerifyURL: "https://cours-adultes.paris.example/certificat/AAAAAAAAAT6v0Hn7dP4mTz3A9cQk2LwX"}
}

// onePage renders a document, checks it is a valid one-page PDF whose QR
// code is the symbol of want, and returns its text with the lines joined.
func onePage(t *testing.T, data []byte, err error, want string) (string, *pdfFile) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	validatePDF(t, data)
	checkXref(t, data)
	f := parsePDF(t, data)
	if len(f.pages) != 1 {
		t.Fatalf("%d pages, want one", len(f.pages))
	}
	if !bytes.Contains(data, []byte("/Lang (fr)")) {
		t.Error("language not declared")
	}
	if qrs := drawnQRs(t, f.objects[contentOf(t, f, 0)].stream); len(qrs) != 1 {
		t.Errorf("%d QR codes, want 1", len(qrs))
	} else {
		m, _ := newQRMatrix(want)
		sameMatrix(t, qrs[0], m)
	}
	return joinedText(f), f
}

// TestAttendanceAttestationPDF_ATT2 : the attestation names the learner, the
// course, the period of the meetings held, the hours present and held, the
// rate, its number and date, and carries the QR code of its verification
// address.
func TestAttendanceAttestationPDF_ATT2(t *testing.T) {
	a := sampleAttendance()
	data, err := AttendanceAttestationPDF(a, sampleTime)
	text, f := onePage(t, data, err, sampleVerify)
	for _, want := range []string{"Attestation d'assiduité", "N° ASS-2027-000042", "Le 2 mars 2027", "Hélène Lefèvre",
		"Anglais — niveau intermédiaire", "ANG-11-01", "École élémentaire Parmentier", "Année 2026-2027",
		"du 14 septembre 2026 au 1er mars 2027", "49\u00a0h\u00a030", "60\u00a0h", "82,5\u00a0%",
		"Heures de présence", "Heures tenues", "Taux d'assiduité", "Les retards comptent comme présence",
		"Vérification", sampleVerify[:40], "Fait le 2 mars 2027", "Document établi le 5 octobre 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("the attestation does not say %q", want)
		}
	}
	if got := f.info(t, "/Title"); got != "Attestation d'assiduité — Hélène Lefèvre" {
		t.Errorf("title = %q", got)
	}
	again, _ := AttendanceAttestationPDF(a, sampleTime)
	if !bytes.Equal(data, again) {
		t.Error("same attestation, different bytes")
	}
}

// TestAttendanceAttestation_ATT2_NeverUnder75: the renderer itself refuses
// to attest 74.96 %, whatever rate it is given, and data that cannot be
// verified.
func TestAttendanceAttestation_ATT2_NeverUnder75(t *testing.T) {
	for name, mutate := range map[string]func(*AttendanceAttestation){
		"74.96 %":       func(a *AttendanceAttestation) { a.MinutesPresent, a.MinutesHeld, a.RateBP = 7496, 10000, 7500 },
		"nothing held":  func(a *AttendanceAttestation) { a.MinutesPresent, a.MinutesHeld = 0, 0 },
		"more than all": func(a *AttendanceAttestation) { a.MinutesPresent = a.MinutesHeld + 1 },
		"no QR":         func(a *AttendanceAttestation) { a.VerifyURL = "" },
		"no period":     func(a *AttendanceAttestation) { a.FirstDay = time.Time{} },
	} {
		a := sampleAttendance()
		mutate(&a)
		if _, err := AttendanceAttestationPDF(a, sampleTime); err == nil {
			t.Errorf("%s: a PDF was written", name)
		}
		if _, err := AttendanceAttestationHTML(a); err == nil {
			t.Errorf("%s: an HTML version was written", name)
		}
	}
	a := sampleAttendance()
	a.MinutesPresent, a.MinutesHeld, a.RateBP = 750, 1000, 7500
	a.FirstDay = a.LastDay
	data, err := AttendanceAttestationPDF(a, sampleTime)
	text, _ := onePage(t, data, err, sampleVerify)
	for _, want := range []string{"75,0\u00a0%", "12\u00a0h\u00a030", "16\u00a0h\u00a040", "le 1er mars 2027"} {
		if !strings.Contains(text, want) {
			t.Errorf("at exactly 75 %% the attestation does not say %q", want)
		}
	}
}

func TestFrenchRateAndHours(t *testing.T) {
	for bp, want := range map[int]string{7500: "75,0\u00a0%", 7499: "74,9\u00a0%", 8250: "82,5\u00a0%", 10000: "100,0\u00a0%", 0: "0,0\u00a0%"} {
		if got := FrenchRate(bp); got != want {
			t.Errorf("FrenchRate(%d) = %q, want %q", bp, got, want)
		}
	}
	for min, want := range map[int]string{0: "0\u00a0h", 60: "1\u00a0h", 90: "1\u00a0h\u00a030", 2405: "40\u00a0h\u00a005"} {
		if got := FrenchHours(min); got != want {
			t.Errorf("FrenchHours(%d) = %q, want %q", min, got, want)
		}
	}
}

// TestCertificatePDF_CER2: the certificate of competences has its title,
// the learner, formation, level, course, evaluation date, number, the
// central service's signature and the QR code of its verification address.
func TestCertificatePDF_CER2(t *testing.T) {
	c := sampleCertificate()
	data, err := CertificatePDF(c, sampleTime)
	text, f := onePage(t, data, err, c.VerifyURL)
	for _, want := range []string{"Certificat de compétences", "N° CER-2027-000318", "Aïcha N'Diaye", "Espagnol",
		"Niveau 2 — intermédiaire", "ESP-20-03", "Lycée Voltaire", "Année 2026-2027", "le 7 juin 2027",
		"Date de l'évaluation", "a réussi l'évaluation de fin de cours", "requis pour s'inscrire au niveau suivant",
		"Fait le 1er juillet 2027", "Le service central des cours municipaux d'adultes", "Vérification", c.VerifyURL[:40]} {
		if !strings.Contains(text, want) {
			t.Errorf("the certificate does not say %q", want)
		}
	}
	if got := f.info(t, "/Title"); got != "Certificat de compétences — Aïcha N'Diaye" {
		t.Errorf("title = %q", got)
	}
	for name, mutate := range map[string]func(*Certificate){
		"no QR": func(c *Certificate) { c.VerifyURL = "" }, "no number": func(c *Certificate) { c.Number = "" },
	} {
		c := sampleCertificate()
		mutate(&c)
		if _, err := CertificatePDF(c, sampleTime); err == nil {
			t.Errorf("%s: a certificate was written", name)
		}
		if _, err := CertificateHTML(c); err == nil {
			t.Errorf("%s: an HTML certificate was written", name)
		}
	}
	// A long formation pushes the verification to a page of its own, never
	// under the text.
	c.Formation = strings.Repeat("Baccalauréat professionnel Électrotechnique, énergie, équipements communicants ", 12)
	data, err = CertificatePDF(c, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	if f := parsePDF(t, data); len(f.pages) != 2 {
		t.Errorf("%d pages, want 2", len(f.pages))
	}
}

// TestDocumentsHTML_ATT2_CER2: the HTML versions say what the PDFs say, with
// the QR code inline (the same symbol) and the data escaped.
func TestDocumentsHTML_ATT2_CER2(t *testing.T) {
	a := sampleAttendance()
	a.LastName = "Lefèvre <b>"
	h, err := AttendanceAttestationHTML(a)
	if err != nil {
		t.Fatal(err)
	}
	s := string(h)
	for _, want := range []string{`<article class="document" lang="fr"`, "<h2 id=\"document-title\">Attestation d&#39;assiduité</h2>",
		"Hélène Lefèvre &lt;b&gt;", "82,5\u00a0%", "49\u00a0h\u00a030", "du 14 septembre 2026 au 1er mars 2027",
		"N° ASS-2027-000042", `role="img"`, sampleVerify} {
		if !strings.Contains(s, want) {
			t.Errorf("the attestation's HTML lacks %q", want)
		}
	}
	svg, _ := QRSVG(sampleVerify, 200, "Code QR de vérification de l'attestation d'assiduité")
	if !strings.Contains(s, svg) {
		t.Error("the attestation's HTML does not carry the QR code of its address")
	}
	c := sampleCertificate()
	h, err = CertificateHTML(c)
	if err != nil {
		t.Fatal(err)
	}
	s = string(h)
	for _, want := range []string{"Certificat de compétences", "Aïcha N&#39;Diaye", "Niveau 2 — intermédiaire", "7 juin 2027",
		"Le service central des cours municipaux d&#39;adultes", c.VerifyURL} {
		if !strings.Contains(s, want) {
			t.Errorf("the certificate's HTML lacks %q", want)
		}
	}
}

// TestPrintRuns_ATT2_CER2: a print run has one page per document, in order,
// each with its own QR code; an invalid document stops it.
func TestPrintRuns_ATT2_CER2(t *testing.T) {
	var atts []AttendanceAttestation
	var certs []Certificate
	for i, name := range []string{"Lefèvre", "Martin", "Traoré"} {
		a := sampleAttendance()
		a.LastName, a.VerifyURL = name, sampleVerify+string(rune('a'+i))
		atts = append(atts, a)
		c := sampleCertificate()
		c.LastName, c.VerifyURL = name, c.VerifyURL+string(rune('a'+i))
		certs = append(certs, c)
	}
	var buf bytes.Buffer
	if err := AttendanceAttestationsPDF(atts, sampleTime, &buf); err != nil {
		t.Fatal(err)
	}
	check := func(what string, data []byte, payload func(i int) string) {
		validatePDF(t, data)
		checkXref(t, data)
		f := parsePDF(t, data)
		if len(f.pages) != 3 {
			t.Fatalf("%s: %d pages, want 3", what, len(f.pages))
		}
		for i, name := range []string{"Lefèvre", "Martin", "Traoré"} {
			if !strings.Contains(f.pages[i].text(), name) {
				t.Errorf("%s: page %d does not name %s", what, i+1, name)
			}
			if qrs := drawnQRs(t, f.objects[contentOf(t, f, i)].stream); len(qrs) != 1 {
				t.Errorf("%s: page %d has %d QR codes", what, i+1, len(qrs))
			} else {
				m, _ := newQRMatrix(payload(i))
				sameMatrix(t, qrs[0], m)
			}
		}
	}
	check("attestations", buf.Bytes(), func(i int) string { return atts[i].VerifyURL })
	buf.Reset()
	if err := CertificatesPDF(certs, sampleTime, &buf); err != nil {
		t.Fatal(err)
	}
	check("certificates", buf.Bytes(), func(i int) string { return certs[i].VerifyURL })

	atts[1].MinutesPresent = atts[1].MinutesHeld*3/4 - 1
	if err := AttendanceAttestationsPDF(atts, sampleTime, &buf); err == nil {
		t.Error("a print run attested a rate under 75 %")
	}
	certs[2].VerifyURL = ""
	if err := CertificatesPDF(certs, sampleTime, &buf); err == nil {
		t.Error("a print run had a certificate without verification")
	}
	if AttendanceAttestationsPDF(nil, sampleTime, &buf) == nil || CertificatesPDF(nil, sampleTime, &buf) == nil {
		t.Error("an empty print run was written")
	}
}
