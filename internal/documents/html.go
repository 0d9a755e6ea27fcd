package documents

import (
	"fmt"
	"html/template"
	"strings"
)

// The HTML versions of the attestation d'assiduité, the certificate of
// competences, the attestations of cost and of payment and the desk's
// receipt: the same data and words as the PDF, as an accessible
// fragment (a heading, a list of facts, the QR code as inline SVG and the
// verification address written out) that a page of web/views places in its
// layout.

// docFact is one row of a document's list of facts.
type docFact struct{ Label, Value string }

type docHTML struct {
	Title, Number, Issuer, Establishment, IssuedOn string
	Name, Lead                                     string
	Facts                                          []docFact
	Notes                                          []string
	Signer                                         string
	QR                                             template.HTML
	VerifyURL, VerifyCaption                       string
}

var docTemplate = template.Must(template.New("doc").Parse(`<article class="document" lang="fr" aria-labelledby="document-title">
<header class="document-head"><p class="document-issuer">{{.Issuer}}{{if .Establishment}}<br>{{.Establishment}}{{end}}</p>
<p class="document-ref">{{if .Number}}N° {{.Number}}{{end}}{{if .IssuedOn}}<br>Le {{.IssuedOn}}{{end}}</p></header>
<h2 id="document-title">{{.Title}}</h2>
{{if .Name}}<p class="document-name"><strong>{{.Name}}</strong></p>{{end}}
<p>{{.Lead}}</p>
<dl class="facts">{{range .Facts}}{{if .Value}}<div><dt>{{.Label}}</dt><dd>{{.Value}}</dd></div>{{end}}{{end}}</dl>
{{range .Notes}}<p>{{.}}</p>{{end}}
<p class="document-signature">{{if .IssuedOn}}Fait le {{.IssuedOn}}<br>{{end}}<strong>{{.Signer}}</strong></p>
{{if .VerifyURL}}<section class="document-verification" aria-label="Vérification"><div class="qr">{{.QR}}</div>
<p>{{.VerifyCaption}}</p><p><code class="scan-url">{{.VerifyURL}}</code></p></section>{{end}}
</article>`))

// render writes the document; one without a verification address (a
// receipt) has no QR code.
func (h docHTML) render(qrLabel string) (template.HTML, error) {
	if h.VerifyURL != "" {
		qr, err := QRSVG(h.VerifyURL, 200, qrLabel)
		if err != nil {
			return "", err
		}
		h.QR = template.HTML(qr)
	}
	var b strings.Builder
	if err := docTemplate.Execute(&b, h); err != nil {
		return "", fmt.Errorf("documents: %s as HTML: %w", h.Title, err)
	}
	return template.HTML(b.String()), nil
}

// AttendanceAttestationHTML returns the attestation d'assiduité as an HTML
// fragment, its QR code inline.
func AttendanceAttestationHTML(a AttendanceAttestation) (template.HTML, error) {
	if err := a.check(); err != nil {
		return "", err
	}
	return docHTML{Title: AttendanceAttestationTitle, Number: a.Number, Issuer: BrochureAuthor, Establishment: a.Establishment,
		IssuedOn: FrenchDate(a.IssuedAt), Lead: a.Lead(), Facts: []docFact{
			{"Prénom et nom", a.FirstName + " " + a.LastName}, {"Formation", a.Formation}, {"Cours", a.CourseCode},
			{"Établissement", a.Establishment}, {"Session", a.Session}, {"Période", a.Period()},
			{"Heures de présence", FrenchHours(a.MinutesPresent)}, {"Heures tenues", FrenchHours(a.MinutesHeld)},
			{"Taux d'assiduité", FrenchRate(a.RateBP)}},
		Notes:  []string{"Les retards comptent comme présence ; les séances annulées ne comptent pour personne."},
		Signer: "Pour la Ville, le Service des cours d'adultes", VerifyURL: a.VerifyURL,
		VerifyCaption: attendanceVerifyCaption}.render("Code QR de vérification de l'attestation d'assiduité")
}

// CertificateHTML returns the certificate of competences as an HTML
// fragment, its QR code inline.
func CertificateHTML(c Certificate) (template.HTML, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	return docHTML{Title: CertificateTitle, Number: c.Number, Issuer: BrochureAuthor, Establishment: c.Establishment,
		IssuedOn: FrenchDate(c.IssuedAt), Name: c.FirstName + " " + c.LastName, Lead: c.Lead(), Facts: []docFact{
			{"Formation", c.Formation}, {"Niveau", c.Level}, {"Cours", c.CourseCode}, {"Établissement", c.Establishment},
			{"Session", c.Session}, {"Date de l'évaluation", FrenchDate(c.EvaluationDate)}, {"Numéro", c.Number}},
		Notes: []string{certNextLevel}, Signer: CertificateSigner, VerifyURL: c.VerifyURL,
		VerifyCaption: certVerifyCaption}.render("Code QR de vérification du certificat")
}

// AttestationHTML returns the attestation of training cost or of payment
// (PAY-7) as an HTML fragment, with the notice of PAY-8 and its QR code.
func AttestationHTML(a Attestation) (template.HTML, error) {
	title := a.Kind.Title()
	if title == "" {
		return "", fmt.Errorf("documents: attestation: unknown kind %d", a.Kind)
	}
	if a.QRPayload == "" {
		return "", fmt.Errorf("documents: attestation: no QR payload")
	}
	rows := a.rows()
	facts := make([]docFact, len(rows))
	for i, r := range rows {
		facts[i] = docFact{r.label, r.value}
	}
	return docHTML{Title: title, Number: a.Number, Issuer: BrochureAuthor, Establishment: a.Establishment, IssuedOn: a.IssuedOn,
		Lead: a.lead(), Facts: facts, Notes: append(a.notes(), attestationNotice), Signer: "Pour la Ville, le Service des cours d'adultes",
		VerifyURL: a.QRPayload, VerifyCaption: attestationVerifyCaption}.render("Code QR de vérification de l'attestation")
}

// ReceiptHTML returns the receipt of a payment (PAY-2) as an HTML fragment.
func ReceiptHTML(r Receipt) (template.HTML, error) {
	if r.AmountCents <= 0 {
		return "", fmt.Errorf("documents: receipt: amount %d is not positive", r.AmountCents)
	}
	cash := strings.EqualFold(strings.TrimSpace(r.Mode), "espèces")
	rows := r.rows(cash)
	facts := make([]docFact, len(rows))
	for i, f := range rows {
		facts[i] = docFact{f.label, f.value}
	}
	signer := "L'établissement"
	if r.Establishment != "" {
		signer = r.Establishment
	}
	return docHTML{Title: receiptTitle(r.Mode), Number: r.Number, Issuer: BrochureAuthor, Establishment: r.Establishment,
		Lead: "Droits d'inscription aux cours municipaux d'adultes.", Facts: facts, Notes: []string{receiptNote(cash)},
		Signer: signer}.render("")
}
