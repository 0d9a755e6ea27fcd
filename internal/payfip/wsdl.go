package payfip

import "strings"

// wsdlTemplate describes the simulator's service the way PayFiP's WSDL does:
// the same target namespace, messages, operations and faults, document/literal
// over SOAP 1.1; its schemas are inline so that it needs no other file.
// ADDRESS is replaced by the endpoint's URL.
const wsdlTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Simulateur PayFiP de cma : description du service de paiement sécurisé. -->
<definitions name="PaiementSecuriseService"
  targetNamespace="` + ServiceNamespace + `"
  xmlns="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tns="` + ServiceNamespace + `"
  xmlns:req="` + requestNamespace + `"
  xmlns:rep="` + responseNamespace + `">
  <types>
    <xs:schema targetNamespace="` + requestNamespace + `">
      <xs:complexType name="CreerPaiementSecuriseRequest">
        <xs:sequence>
          <xs:element name="exer" type="xs:string" minOccurs="0"/>
          <xs:element name="mel" type="xs:string" minOccurs="0"/>
          <xs:element name="montant" type="xs:string" minOccurs="0"/>
          <xs:element name="numcli" type="xs:string" minOccurs="0"/>
          <xs:element name="objet" type="xs:string" minOccurs="0"/>
          <xs:element name="refdet" type="xs:string" minOccurs="0"/>
          <xs:element name="saisie" type="xs:string" minOccurs="0"/>
          <xs:element name="urlnotif" type="xs:string" minOccurs="0"/>
          <xs:element name="urlredirect" type="xs:string" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
    </xs:schema>
    <xs:schema targetNamespace="` + responseNamespace + `">
      <xs:complexType name="CreerPaiementSecuriseResponse">
        <xs:sequence>
          <xs:element name="idOp" type="xs:string" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="RecupererDetailPaiementSecuriseRequest">
        <xs:sequence>
          <xs:element name="idOp" type="xs:string" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="RecupererDetailPaiementSecuriseResponse">
        <xs:sequence>
          <xs:element name="dattrans" type="xs:string" minOccurs="0"/>
          <xs:element name="exer" type="xs:string" minOccurs="0"/>
          <xs:element name="heurtrans" type="xs:string" minOccurs="0"/>
          <xs:element name="idOp" type="xs:string" minOccurs="0"/>
          <xs:element name="mel" type="xs:string" minOccurs="0"/>
          <xs:element name="montant" type="xs:string" minOccurs="0"/>
          <xs:element name="numauto" type="xs:string" minOccurs="0"/>
          <xs:element name="numcli" type="xs:string" minOccurs="0"/>
          <xs:element name="objet" type="xs:string" minOccurs="0"/>
          <xs:element name="refdet" type="xs:string" minOccurs="0"/>
          <xs:element name="resultrans" type="xs:string" minOccurs="0"/>
          <xs:element name="saisie" type="xs:string" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="RecupererDetailClientRequest">
        <xs:sequence>
          <xs:element name="numCli" type="xs:string" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="RecupererDetailClientResponse">
        <xs:sequence>
          <xs:element name="libelleN1" type="xs:string" minOccurs="0"/>
          <xs:element name="libelleN2" type="xs:string" minOccurs="0"/>
          <xs:element name="libelleN3" type="xs:string" minOccurs="0"/>
          <xs:element name="numcli" type="xs:string" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
    </xs:schema>
    <xs:schema targetNamespace="` + ServiceNamespace + `">
      <xs:import namespace="` + requestNamespace + `"/>
      <xs:import namespace="` + responseNamespace + `"/>
      <xs:complexType name="Erreur">
        <xs:sequence>
          <xs:element name="code" type="xs:string" minOccurs="0"/>
          <xs:element name="descriptif" type="xs:string" minOccurs="0"/>
          <xs:element name="libelle" type="xs:string" minOccurs="0"/>
          <xs:element name="message" type="xs:string" minOccurs="0"/>
          <xs:element name="severite" type="xs:int"/>
        </xs:sequence>
      </xs:complexType>
      <xs:element name="FonctionnelleErreur" type="tns:Erreur"/>
      <xs:element name="TechDysfonctionnementErreur" type="tns:Erreur"/>
      <xs:element name="TechIndisponibiliteErreur" type="tns:Erreur"/>
      <xs:element name="TechProtocolaireErreur" type="tns:Erreur"/>
      <xs:element name="creerPaiementSecurise">
        <xs:complexType><xs:sequence>
          <xs:element name="arg0" type="req:CreerPaiementSecuriseRequest" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="creerPaiementSecuriseResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="return" type="rep:CreerPaiementSecuriseResponse" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="recupererDetailPaiementSecurise">
        <xs:complexType><xs:sequence>
          <xs:element name="arg0" type="rep:RecupererDetailPaiementSecuriseRequest" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="recupererDetailPaiementSecuriseResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="return" type="rep:RecupererDetailPaiementSecuriseResponse" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="recupererDetailClient">
        <xs:complexType><xs:sequence>
          <xs:element name="arg0" type="rep:RecupererDetailClientRequest" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
      <xs:element name="recupererDetailClientResponse">
        <xs:complexType><xs:sequence>
          <xs:element name="return" type="rep:RecupererDetailClientResponse" minOccurs="0"/>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:schema>
  </types>
OPERATIONS
  <service name="PaiementSecuriseService">
    <port name="PaiementSecuriseServicePort" binding="tns:PaiementSecuriseServicePortBinding">
      <soap:address location="ADDRESS"/>
    </port>
  </service>
</definitions>
`

var wsdlFaults = []string{FaultFonctionnelle, FaultTechDysfonctionnement, FaultTechIndisponibilite, FaultTechProtocolaire}

// wsdlOperations writes the messages, port type and binding: the same shape for
// the three operations, so it is generated rather than repeated.
func wsdlOperations() string {
	ops := []string{opCreate, opDetail, opClient}
	var b strings.Builder
	for _, op := range ops {
		b.WriteString(`  <message name="` + op + `"><part name="parameters" element="tns:` + op + `"/></message>` + "\n")
		b.WriteString(`  <message name="` + op + `Response"><part name="parameters" element="tns:` + op + `Response"/></message>` + "\n")
	}
	for _, f := range wsdlFaults {
		b.WriteString(`  <message name="` + f + `"><part name="fault" element="tns:` + f + `"/></message>` + "\n")
	}
	b.WriteString(`  <portType name="PaiementSecuriseService">` + "\n")
	for _, op := range ops {
		b.WriteString(`    <operation name="` + op + `">` + "\n")
		b.WriteString(`      <input message="tns:` + op + `"/>` + "\n")
		b.WriteString(`      <output message="tns:` + op + `Response"/>` + "\n")
		for _, f := range wsdlFaults {
			b.WriteString(`      <fault name="` + f + `" message="tns:` + f + `"/>` + "\n")
		}
		b.WriteString("    </operation>\n")
	}
	b.WriteString("  </portType>\n")
	b.WriteString(`  <binding name="PaiementSecuriseServicePortBinding" type="tns:PaiementSecuriseService">` + "\n")
	b.WriteString(`    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>` + "\n")
	for _, op := range ops {
		b.WriteString(`    <operation name="` + op + `">` + "\n")
		b.WriteString(`      <soap:operation soapAction=""/>` + "\n")
		b.WriteString(`      <input><soap:body use="literal"/></input>` + "\n")
		b.WriteString(`      <output><soap:body use="literal"/></output>` + "\n")
		for _, f := range wsdlFaults {
			b.WriteString(`      <fault name="` + f + `"><soap:fault name="` + f + `" use="literal"/></fault>` + "\n")
		}
		b.WriteString("    </operation>\n")
	}
	b.WriteString("  </binding>")
	return b.String()
}

// wsdlFor is the WSDL with address as the endpoint.
func wsdlFor(address string) string {
	var esc strings.Builder
	for _, r := range address {
		switch r {
		case '&':
			esc.WriteString("&amp;")
		case '"':
			esc.WriteString("&quot;")
		case '<':
			esc.WriteString("&lt;")
		default:
			esc.WriteRune(r)
		}
	}
	s := strings.Replace(wsdlTemplate, "OPERATIONS", wsdlOperations(), 1)
	return strings.Replace(s, "ADDRESS", esc.String(), 1)
}
