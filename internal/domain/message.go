package domain

import "time"

// Message is an email as kept in the person's space (CON-2).
type Message struct {
	ID        int64
	AccountID int64
	Kind      string
	Subject   string
	Text      string
	HTML      string
	MessageID string
	CreatedAt time.Time
	SentAt    time.Time
	// RefusedAt is when the relay refused the message for good (a 5xx answer,
	// such as an unknown mailbox), RefusedReason its answer: it is not retried.
	RefusedAt     time.Time
	RefusedReason string
	// Attempts is how many times the platform tried to send it, LastError
	// the last failure (the relay's answer, or what went wrong before one)
	// and LastAttemptAt when; Resends how many times the central service
	// queued it again.
	Attempts      int
	LastError     string
	LastAttemptAt time.Time
	Resends       int
	// RenderRef is set on a message kept before its body was rendered (one
	// of a selection's publication): what its kind's renderer renders it
	// from. The store renders it when it is first read.
	RenderRef int64
}

// Where an email is (CON-2).
const (
	MessagePending = "pending" // not sent yet: queued, or retried after failures
	MessageRefused = "refused" // refused for good by the relay, until resent
	MessageSent    = "sent"
)

// State is MessagePending, MessageRefused or MessageSent.
func (m Message) State() string {
	switch {
	case !m.SentAt.IsZero():
		return MessageSent
	case !m.RefusedAt.IsZero():
		return MessageRefused
	}
	return MessagePending
}

// Outgoing is a message to send with its recipient's current address.
type Outgoing struct {
	Message
	To string
}
