// Package payfip speaks to PayFiP, the online card and direct-debit payment
// service the DGFiP offers public bodies ("PayFiP Régie web service"), and
// holds its development simulator.
//
// The client (Client) asks PayFiP for an operation (creerPaiementSecurise),
// sends the browser to the payment page with that operation's idOp, and later
// asks for the result (recupererDetailPaiementSecurise): PayFiP's notification
// to urlnotif carries the idOp only, never the result, so the detail call is
// the only source of truth. CheckContract asks recupererDetailClient whether
// the régie's contract number is known.
//
// The simulator (Simulator) is a real HTTP server speaking the same SOAP
// operations with the same envelopes and faults, serving a French payment page
// with the five outcomes, and calling urlnotif the way PayFiP does (late,
// twice, out of order or never, on demand). Demo mode mounts it inside the
// binary; tests start it with httptest. It is not a mock: the client under
// test talks to it over HTTP exactly as it talks to PayFiP.
//
// Protocol facts (from public integrations: Entr'ouvert's eopayment, the City
// of Paris Lutece module workflow-tipi, the Odoo module payment_payfip, and the
// service's published WSDL):
//   - SOAP 1.1, document/literal; the operations' wrapper elements are in the
//     namespace ServiceNamespace, their arg0/return children are unqualified.
//   - Faults are SOAP faults whose detail holds one of FonctionnelleErreur,
//     TechDysfonctionnementErreur, TechIndisponibiliteErreur or
//     TechProtocolaireErreur (code, descriptif, libelle, message, severite).
//   - The payment page is PaymentPage?idop=<idOp>; an idOp lives 15 minutes and
//     serves one attempt. Before any result the detail call answers fault P5;
//     about a day later the operation is purged and it answers P1.
//   - The notification is an HTTP POST to urlnotif, form-encoded, with the
//     single field idop (NotificationIDOp reads it, and the idOp spelling some
//     integrations expect too).
package payfip
