// Package documents owns the printable documents of the platform. Today it
// brings the catalogue brochure as a PDF (CAT-2): every formation with its
// attributes and its courses (CAT-3), diploma formations marked (CAT-7) and
// remote courses shown as such (CAT-6), with the embedded Go fonts; its
// accessible HTML version is a page of web/views drawn from the same
// BrochureData. It also owns the French formatting of dates and amounts
// (FrenchDate, FrenchMoney) that documents and pages share. Cards,
// attestations and certificates come here with their issues.
//
// Callers pass data already worded in the reader's language; this package
// only lays it out.
package documents
