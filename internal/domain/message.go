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
}
