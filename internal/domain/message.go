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
}

// Outgoing is a message to send with its recipient's current address.
type Outgoing struct {
	Message
	To string
}
