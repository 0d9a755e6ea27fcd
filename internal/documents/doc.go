// Package documents owns the printable documents of the platform. Today it
// brings the catalogue brochure as a PDF (CAT-2): every formation with its
// attributes and its courses (CAT-3), diploma formations marked (CAT-7) and
// remote courses shown as such (CAT-6), with the embedded Go fonts; its
// accessible HTML version is a page of web/views drawn from the same
// BrochureData. It also owns the French formatting of dates and amounts
// (FrenchDate, FrenchMoney) that documents and pages share. Cards,
// attestations and certificates come here with their issues.
//
// The payment documents are here too: the learner card (PAY-6), alone or
// eight to a sheet for a course's print run, the attestations of cost and of
// payment (PAY-7, PAY-8), the attestation d'assiduité (ATT-2), the
// certificate of competences (CER-2), the desk receipt (PAY-2) and the daily remittance
// slip of cheques, with QR codes drawn as vectors (or as inline SVG for the
// HTML versions).
//
// Callers pass data already worded in the reader's language; this package
// only lays it out.
package documents
