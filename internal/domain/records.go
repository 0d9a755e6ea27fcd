package domain

import "time"

// CandidatureEvent is one line of a candidature's history.
type CandidatureEvent struct {
	At     time.Time
	Status CandidatureStatus
	Note   string
}

// Rules is one published version of the internal rules (CAN-7).
type Rules struct {
	Version   string
	Published time.Time
	Body      string
}

// Proof is an uploaded half-tariff proof (CAN-9). Its bytes stay in the
// database: instances keep no files, and a backup holds everything.
type Proof struct {
	ID          int64
	AccountID   int64
	ContentType string
	Data        []byte
	SHA256      string
	IssueDate   time.Time
	UploadedAt  time.Time
}

// SelectionRecord is what selection sees of a candidature (PER-2): no
// submission time, no candidature number that grows with time; records are
// ordered by course and person only.
type SelectionRecord struct {
	AccountID, CourseID, FormationID int64
	Objective                        Objective
	Social                           SocialSituation
	HalfTariffClaim                  bool
}

// CandidatureListRow is one candidature as staff list it. It carries neither
// the time of submission nor the candidature's number, which grows with time:
// the order of arrival must not show (PER-2).
type CandidatureListRow struct {
	AccountID       int64
	FirstName       string
	LastName        string
	Email           string
	CourseID        int64
	CourseCode      string
	FormationID     int64
	EstablishmentID int64
	SessionID       int64
	Status          CandidatureStatus
	Objective       Objective
	HalfTariffClaim bool
	Assisted        bool // filed by a staff member (CAN-8)
}
