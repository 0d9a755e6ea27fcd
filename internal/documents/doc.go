// Package documents owns the printable documents of the platform: PDFs and, later,
// their HTML versions. This package brings the catalogue brochure (CAT-2): every
// formation with its attributes and its courses (CAT-3), diploma formations marked
// (CAT-7) and remote courses shown as such (CAT-6).
//
// Callers pass data already translated into French; this package only lays it out.
package documents
