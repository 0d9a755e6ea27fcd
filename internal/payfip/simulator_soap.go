package payfip

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault codes the simulator answers creerPaiementSecurise and
// recupererDetailClient with. P1, P5, R3 and A2 are PayFiP's; the public
// sources list no others, so the codes starting with S are the simulator's
// own (a caller must not rely on PayFiP using them).
const (
	simCodeNumcli  = "S1"
	simCodeExer    = "S2"
	simCodeMontant = "S3"
	simCodeObjet   = "S4"
	simCodeSaisie  = "S5"
	simCodeURL     = "S6"
	// simCodeUnavailable comes with the TechIndisponibiliteErreur of
	// FailNextDetail.
	simCodeUnavailable = "S9"
)

// maxMontant is the highest amount the simulator accepts, in cents (eopayment
// caps at 100 000 €).
const maxMontant = 100_000_00

// serveSOAP answers one SOAP request.
func (s *Simulator) serveSOAP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	var env soapEnvelope
	if err := xml.NewDecoder(r.Body).Decode(&env); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeSOAPFault(w, "S:Client", "requête SOAP trop grande")
			return
		}
		writeSOAPFault(w, "S:Client", "requête SOAP illisible : "+err.Error())
		return
	}
	if env.XMLName.Space != SOAPNamespace || env.XMLName.Local != "Envelope" {
		writeSOAPFault(w, "S:VersionMismatch", "enveloppe SOAP 1.1 attendue")
		return
	}
	if len(env.Body.Content) != 1 {
		writeSOAPFault(w, "S:Client", "le corps SOAP doit contenir une seule opération")
		return
	}
	op := env.Body.Content[0]
	if op.XMLName.Space != ServiceNamespace {
		writeSOAPFault(w, "S:Client", "opération inconnue : {"+op.XMLName.Space+"}"+op.XMLName.Local)
		return
	}
	switch op.XMLName.Local {
	case opCreate:
		s.soapCreate(w, op.Arg0)
	case opDetail:
		s.soapDetail(w, r, op.Arg0)
	case opClient:
		s.soapClient(w, op.Arg0)
	default:
		writeSOAPFault(w, "S:Client", "opération inconnue : "+op.XMLName.Local)
	}
}

func (s *Simulator) numcliKnown(n string) bool {
	if s.opts.Numcli != "" {
		return n == s.opts.Numcli
	}
	return isDigits(n, 6)
}

// soapCreate is creerPaiementSecurise.
func (s *Simulator) soapCreate(w http.ResponseWriter, f operationFields) {
	refuse := func(code, libelle string) {
		writePayFiPFault(w, FaultFonctionnelle, code, libelle, libelle)
	}
	montant, err := strconv.ParseInt(strings.TrimSpace(f.Montant), 10, 64)
	switch {
	case !s.numcliKnown(f.Numcli):
		refuse(simCodeNumcli, "Numéro de client (numcli) inconnu")
	case !isDigits(f.Exer, 4):
		refuse(simCodeExer, "Exercice (exer) incorrect")
	case err != nil || montant <= 0 || montant > maxMontant:
		refuse(simCodeMontant, "Montant incorrect")
	case !validMel(f.Mel):
		refuse(CodeBadMel, "Adresse électronique (mel) incorrecte")
	case !validObjet(f.Objet):
		refuse(simCodeObjet, "Objet incorrect")
	case !validRefdet(f.Refdet):
		refuse(CodeBadRefdet, "Référence de la dette (refdet) incorrecte")
	case f.Saisie != "T" && f.Saisie != "X" && f.Saisie != "W":
		refuse(simCodeSaisie, "Type de saisie incorrect")
	case !validURL(f.URLNotif) || !validURL(f.URLRedirect):
		refuse(simCodeURL, "URL de notification ou de redirection incorrecte")
	default:
		op := s.create(f, montant)
		wr := newEnvelope("S")
		wr.open("ns2:"+opCreate+"Response", "ns2", ServiceNamespace)
		wr.open("return", "", "")
		wr.field("idOp", op.IDOp)
		wr.close("return")
		wr.close("ns2:" + opCreate + "Response")
		writeSOAP(w, http.StatusOK, wr.finish("S"))
	}
}

// soapDetail is recupererDetailPaiementSecurise.
func (s *Simulator) soapDetail(w http.ResponseWriter, r *http.Request, f operationFields) {
	wait, fail := s.detailWait()
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fail {
		writePayFiPFault(w, FaultTechIndisponibilite, simCodeUnavailable, "Service momentanément indisponible",
			"Le simulateur répond indisponible (FailNextDetail)")
		return
	}
	op, state := s.lookup(strings.TrimSpace(f.IDOp))
	switch state {
	case stateUnknown:
		writePayFiPFault(w, FaultFonctionnelle, CodeUnknownOperation, "IdOp incorrect", "Opération inconnue ou purgée")
		return
	case stateOpen, stateExpired:
		// PayFiP answers P5 until the purge, whether the payer is still on the
		// page or never came back: the caller decides by the creation's age.
		writePayFiPFault(w, FaultFonctionnelle, CodeNotYetKnown, "Résultat de la transaction non connu",
			"Paiement en cours ou non abouti")
		return
	}
	wr := newEnvelope("S")
	wr.open("ns2:"+opDetail+"Response", "ns2", ServiceNamespace)
	wr.open("return", "", "")
	wr.field("dattrans", op.Dattrans)
	wr.field("exer", op.Exer)
	wr.field("heurtrans", op.Heurtrans)
	wr.field("idOp", op.IDOp)
	wr.field("mel", op.Mel)
	wr.field("montant", strconv.FormatInt(op.Montant, 10))
	wr.field("numauto", op.Numauto)
	wr.field("numcli", op.Numcli)
	wr.field("objet", op.Objet)
	wr.field("refdet", op.Refdet)
	wr.field("resultrans", op.Resultrans)
	wr.field("saisie", op.Saisie)
	wr.close("return")
	wr.close("ns2:" + opDetail + "Response")
	writeSOAP(w, http.StatusOK, wr.finish("S"))
}

// soapClient is recupererDetailClient.
func (s *Simulator) soapClient(w http.ResponseWriter, f operationFields) {
	n := f.NumCliUpper
	if n == "" {
		n = f.Numcli
	}
	if !s.numcliKnown(n) {
		writePayFiPFault(w, FaultFonctionnelle, simCodeNumcli, "Numéro de client (numcli) inconnu", "Contrat inconnu")
		return
	}
	wr := newEnvelope("S")
	wr.open("ns2:"+opClient+"Response", "ns2", ServiceNamespace)
	wr.open("return", "", "")
	wr.field("libelleN1", "SIMULATEUR PAYFIP")
	wr.field("libelleN2", "REGIE DE DEVELOPPEMENT")
	wr.field("libelleN3", "")
	wr.field("numcli", n)
	wr.close("return")
	wr.close("ns2:" + opClient + "Response")
	writeSOAP(w, http.StatusOK, wr.finish("S"))
}

func writeSOAP(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// writePayFiPFault answers a fault with PayFiP's detail, as its JAX-WS
// service does: HTTP 500, faultstring naming the exception class.
func writePayFiPFault(w http.ResponseWriter, kind, code, libelle, descriptif string) {
	wr := newEnvelope("S")
	wr.open("S:Fault", "", "")
	wr.field("faultcode", "S:Server")
	wr.field("faultstring", "fr.gouv.finances.cp.tpa.webservice.exceptions."+kind)
	wr.open("detail", "", "")
	wr.open("ns2:"+kind, "ns2", ServiceNamespace)
	wr.field("code", code)
	wr.field("descriptif", descriptif)
	wr.field("libelle", libelle)
	wr.field("severite", "2")
	wr.close("ns2:" + kind)
	wr.close("detail")
	wr.close("S:Fault")
	writeSOAP(w, http.StatusInternalServerError, wr.finish("S"))
}

// writeSOAPFault answers a bare SOAP fault (a request the service cannot read).
func writeSOAPFault(w http.ResponseWriter, code, text string) {
	wr := newEnvelope("S")
	wr.open("S:Fault", "", "")
	wr.field("faultcode", code)
	wr.field("faultstring", text)
	wr.close("S:Fault")
	writeSOAP(w, http.StatusInternalServerError, wr.finish("S"))
}
