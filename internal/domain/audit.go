package domain

import "time"

// AuditEvent is one line of the audit trail: who did what to whom, when and why.
// Every staff change to a person and every help-desk read of a file is one.
type AuditEvent struct {
	ID          int64
	At          time.Time
	ActorID     int64 // 0: the platform itself or the command line
	ActorName   string
	Action      string // e.g. "identity.corrected", "file.read", "duplicate.merged"
	SubjectID   int64  // the person concerned, 0 when none
	SubjectName string
	Details     string // what changed, e.g. "nom : Dupont → Dupond"
	Reason      string // why, as the staff member wrote it
}
