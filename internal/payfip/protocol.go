package payfip

import (
	"encoding/xml"
	"strings"
)

// XML namespaces of the PayFiP web service.
const (
	// SOAPNamespace is the SOAP 1.1 envelope namespace.
	SOAPNamespace = "http://schemas.xmlsoap.org/soap/envelope/"
	// ServiceNamespace is the namespace of the operations' wrapper elements
	// (creerPaiementSecurise, …Response) and of the fault details.
	ServiceNamespace = "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService"
	// requestNamespace and responseNamespace hold the arg0/return types in the
	// WSDL; their elements are unqualified on the wire.
	requestNamespace  = "http://securite.service.tpa.cp.finances.gouv.fr/requete"
	responseNamespace = "http://securite.service.tpa.cp.finances.gouv.fr/reponse"
)

// The operations of the service.
const (
	opCreate = "creerPaiementSecurise"
	opDetail = "recupererDetailPaiementSecurise"
	opClient = "recupererDetailClient"
)

// The kinds of fault PayFiP declares for every operation.
const (
	FaultFonctionnelle         = "FonctionnelleErreur"
	FaultTechDysfonctionnement = "TechDysfonctionnementErreur"
	FaultTechIndisponibilite   = "TechIndisponibiliteErreur"
	FaultTechProtocolaire      = "TechProtocolaireErreur"
)

// Result codes (resultrans) of an operation.
const (
	ResultPaidCard     = "P" // paid by card
	ResultPaidDebit    = "V" // paid by direct debit
	ResultRefusedCard  = "R" // card refused
	ResultRefusedDebit = "Z" // direct debit refused
	ResultAbandoned    = "A" // abandoned by the payer
)

// Fault codes with a meaning the callers act on.
const (
	CodeUnknownOperation = "P1" // idOp unknown: never created, or purged about a day later
	CodeNotYetKnown      = "P5" // no result yet: the payment is in progress (or never happened)
	CodeBadRefdet        = "R3" // refdet malformed
	CodeBadMel           = "A2" // mel malformed
)

// maxBody bounds what either side reads of a SOAP message.
const maxBody = 1 << 20

// soapEnvelope is what both sides decode: an envelope with one body element,
// or a fault. Element names are matched by local name only, so that qualified
// and unqualified children both decode (PayFiP's own messages leave arg0's and
// return's children unqualified).
type soapEnvelope struct {
	XMLName xml.Name
	Body    struct {
		Fault   *soapFault  `xml:"Fault"`
		Content []bodyEntry `xml:",any"`
	} `xml:"Body"`
}

// bodyEntry is one element of a SOAP body: an operation's request or response.
type bodyEntry struct {
	XMLName xml.Name
	Arg0    operationFields `xml:"arg0"`
	Return  operationFields `xml:"return"`
}

// operationFields gathers every child arg0 and return may hold, whatever the
// operation: each operation reads the ones it defines.
type operationFields struct {
	Dattrans    string `xml:"dattrans"`
	Exer        string `xml:"exer"`
	Heurtrans   string `xml:"heurtrans"`
	IDOp        string `xml:"idOp"`
	Mel         string `xml:"mel"`
	Montant     string `xml:"montant"`
	Numauto     string `xml:"numauto"`
	Numcli      string `xml:"numcli"`
	NumCliUpper string `xml:"numCli"` // recupererDetailClient's request spells it numCli
	Objet       string `xml:"objet"`
	Refdet      string `xml:"refdet"`
	Resultrans  string `xml:"resultrans"`
	Saisie      string `xml:"saisie"`
	URLNotif    string `xml:"urlnotif"`
	URLRedirect string `xml:"urlredirect"`
	LibelleN1   string `xml:"libelleN1"`
	LibelleN2   string `xml:"libelleN2"`
	LibelleN3   string `xml:"libelleN3"`
}

// soapFault is a SOAP 1.1 fault with PayFiP's detail.
type soapFault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
	Detail struct {
		Items []faultDetail `xml:",any"`
	} `xml:"detail"`
}

type faultDetail struct {
	XMLName    xml.Name
	Code       string `xml:"code"`
	Descriptif string `xml:"descriptif"`
	Libelle    string `xml:"libelle"`
	Message    string `xml:"message"`
	Severite   string `xml:"severite"`
}

// envelopeWriter builds the SOAP messages both sides send. The text is written
// by hand rather than marshalled: encoding/xml would put arg0's children in
// the wrapper's default namespace, where PayFiP expects them unqualified.
type envelopeWriter struct{ b strings.Builder }

func newEnvelope(prefix string) *envelopeWriter {
	w := &envelopeWriter{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.b.WriteString(`<` + prefix + `:Envelope xmlns:` + prefix + `="` + SOAPNamespace + `">`)
	w.b.WriteString(`<` + prefix + `:Body>`)
	return w
}

// open writes a start tag; ns, when not empty, is declared on it with prefix p.
func (w *envelopeWriter) open(name, p, ns string) {
	w.b.WriteString("<" + name)
	if ns != "" {
		w.b.WriteString(` xmlns:` + p + `="` + ns + `"`)
	}
	w.b.WriteString(">")
}

func (w *envelopeWriter) close(name string) { w.b.WriteString("</" + name + ">") }

// field writes <name>value</name>, value escaped.
func (w *envelopeWriter) field(name, value string) {
	w.b.WriteString("<" + name + ">")
	xml.EscapeText(&w.b, []byte(value)) //nolint:errcheck // strings.Builder does not fail
	w.b.WriteString("</" + name + ">")
}

func (w *envelopeWriter) finish(prefix string) string {
	w.b.WriteString(`</` + prefix + `:Body></` + prefix + `:Envelope>`)
	return w.b.String()
}
