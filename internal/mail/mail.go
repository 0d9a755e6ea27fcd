// Package mail owns the platform's emails: templates, the SMTP sender, and the
// development mail sink.
//
// Every email leaves from one fixed sender address (CON-2) through the city's
// SMTP relay (Sender). In demo mode and in tests, the relay is replaced by the
// development mail sink (Sink): a real SMTP server on the loopback interface
// that keeps the messages it receives in memory, with French web pages to read
// them (NewSinkHandler).
package mail

// Message is one email, already rendered.
type Message struct {
	To      string // one recipient
	Subject string
	Text    string // plain-text body (always)
	HTML    string // HTML body (optional)
	// MessageID is a stable id "<uuid@domain>" set by the caller so that a
	// retried send is recognisable; it becomes the Message-ID header.
	MessageID string
}
