package domain

import "time"

// AuditEvent is one line of the audit trail: who did what to whom, when and why.
// Every staff change to a person and every help-desk read of a file is one.
type AuditEvent struct {
	ID          int64
	At          time.Time
	ActorID     int64 // 0: the platform itself or the command line
	ActorName   string
	ActorRoles  []Role // the actor's staff roles when read, none for a candidate or the platform
	Action      string // one of AuditActions, e.g. AuditIdentityCorrected
	SubjectID   int64  // the person concerned, 0 when none
	SubjectName string
	Details     string // what changed, e.g. "nom : Dupont → Dupond"
	Reason      string // why, as the staff member wrote it
	// ObjectKind and ObjectID name the catalogue object changed, when the
	// event is about one: AuditObjectSession, ... and its ID. Details then
	// says what it was before and after.
	ObjectKind string
	ObjectID   int64
}

// The kinds of object an audit event may be about.
const (
	AuditObjectSession       = "session"
	AuditObjectEstablishment = "establishment"
	AuditObjectFormation     = "formation"
	AuditObjectCourse        = "course"
	AuditObjectAPIToken      = "api_token"
)

// The actions the platform writes in the audit trail. The journal words each
// as "audit.<action>" and offers them in its filter; a test fails when the code
// writes an action that is not one of these.
const (
	AuditFileRead           = "file.read"
	AuditIdentityCorrected  = "identity.corrected"
	AuditDuplicateMerged    = "duplicate.merged"
	AuditDuplicateDismissed = "duplicate.dismissed"
	AuditStaffCreated       = "staff.created"
	AuditCandidateCreated   = "candidate.created"
	AuditPeopleSearched     = "people.searched"
	AuditAssistedOpened     = "assisted.opened"
	AuditProofErased        = "proof.erased"
	AuditDemoLoaded         = "demo.loaded"
	// A sign-on identity whose email is a staff account's, held for the
	// central service, and what the central service decided (ACC-3, ROLE-5).
	AuditSignInHeld       = "signin.held"
	AuditSignInRefused    = "signin.refused"
	AuditIdentityLinked   = "identity.linked"
	AuditIdentityUnlinked = "identity.unlinked"
	AuditEmailResent      = "email.resent"
	// The courses of the catalogue administration (CAT-3, CAT-4, ROLE-5,
	// ROLE-3): created, changed, staffed (trainer and room), archived or
	// deleted when nothing referred to them.
	// A course's waiting list put in another order by staff, with the reason
	// (SEL-4 lists; ObjectKind course, SubjectID the candidate moved).
	AuditWaitingListMoved = "waitlist.moved"
	// AuditWaitingWithdrawn: staff recorded a learner's or a waiting
	// candidate's désistement, with the reason; the seat was offered on.
	AuditWaitingWithdrawn = "waitlist.withdrawn"
	// A course that did not open (SEL-6), with the reason.
	AuditCourseClosed   = "course.closed"
	AuditCourseCreated  = "course.created"
	AuditCourseChanged  = "course.changed"
	AuditCourseStaffed  = "course.staffed"
	AuditCourseArchived = "course.archived"
	AuditCourseDeleted  = "course.deleted"
	// The catalogue administration: remote delivery and school holidays (CAT-6, CAT-5).
	AuditRemoteSwitched   = "course.remote_switched"    // a course now remote, with the reason
	AuditRemoteEnded      = "course.remote_ended"       // a course in person again, with the reason
	AuditRemoteGroup      = "catalogue.remote_switched" // one switch of a formation, establishment, session or all courses
	AuditHolidaysImported = "holidays.imported"         // the school holidays of the city's zone replaced
	// A personal access token of the staff API created or revoked (ROLE-5).
	AuditAPITokenCreated = "apitoken.created"
	AuditAPITokenRevoked = "apitoken.revoked"
)

// The catalogue administration's actions (ROLE-5): sessions, establishments
// and formations; ObjectKind and ObjectID name the object.
const (
	AuditSessionCreated         = "session.created"
	AuditSessionChanged         = "session.changed"
	AuditSessionPublished       = "session.published"
	AuditSessionCopied          = "session.copied"
	AuditSessionArchived        = "session.archived"
	AuditSessionDeleted         = "session.deleted"
	AuditEstablishmentCreated   = "establishment.created"
	AuditEstablishmentChanged   = "establishment.changed"
	AuditEstablishmentArchived  = "establishment.archived"
	AuditEstablishmentDeleted   = "establishment.deleted"
	AuditEstablishmentDirector  = "establishment.director"
	AuditRoomChanged            = "room.changed"
	AuditFormationCreated       = "formation.created"
	AuditFormationChanged       = "formation.changed"
	AuditFormationArchived      = "formation.archived"
	AuditFormationDeleted       = "formation.deleted"
	AuditFormationTariffApplied = "formation.tariff_applied"
)

// A session's catalogue imported from a spreadsheet, and each course,
// establishment (with its rooms) and formation it created or changed
// (CAT-3, ROLE-5).
const (
	AuditCatalogueImported     = "catalogue.imported"
	AuditCourseImported        = "course.imported"
	AuditEstablishmentImported = "establishment.imported"
	AuditFormationImported     = "formation.imported"
)

// AuditActions lists every action of the audit trail, in the journal filter's
// order.
var AuditActions = []string{
	AuditIdentityCorrected,
	AuditFileRead,
	AuditPeopleSearched,
	AuditDuplicateMerged,
	AuditDuplicateDismissed,
	AuditCandidateCreated,
	AuditAssistedOpened,
	AuditStaffCreated,
	AuditSignInHeld,
	AuditIdentityLinked,
	AuditSignInRefused,
	AuditIdentityUnlinked,
	AuditProofErased,
	AuditDemoLoaded,
	AuditEmailResent,
	AuditSessionCreated,
	AuditSessionChanged,
	AuditSessionPublished,
	AuditSessionCopied,
	AuditSessionArchived,
	AuditSessionDeleted,
	AuditEstablishmentCreated,
	AuditEstablishmentChanged,
	AuditEstablishmentDirector,
	AuditRoomChanged,
	AuditEstablishmentArchived,
	AuditEstablishmentDeleted,
	AuditFormationCreated,
	AuditFormationChanged,
	AuditFormationTariffApplied,
	AuditFormationArchived,
	AuditFormationDeleted,
	AuditCourseCreated,
	AuditCourseChanged,
	AuditCourseStaffed,
	AuditCourseArchived,
	AuditCourseDeleted,
	AuditRemoteSwitched,
	AuditRemoteEnded,
	AuditRemoteGroup,
	AuditHolidaysImported,
	AuditCatalogueImported,
	AuditCourseImported,
	AuditEstablishmentImported,
	AuditFormationImported,
	AuditAPITokenCreated,
	AuditAPITokenRevoked,
	AuditSittingScheduled,
	AuditSittingChanged,
	AuditSittingDeleted,
	AuditConvocationsSent,
	AuditResultEntered,
	AuditResultChanged,
	AuditResultsImported,
	AuditSelectionRun,
	AuditSelectionPublished,
	AuditSocialRateSet,
	AuditWaitingListMoved,
	AuditWaitingWithdrawn,
	AuditCourseClosed,
	AuditDayChangeRequested,
	AuditDayChangeForwarded,
	AuditDayChangeNotForwarded,
	AuditDayChangeAccepted,
	AuditDayChangeRefused,
	AuditEnrolmentConfirmed,
	AuditHalfTariffChecked,
	AuditPaymentBooked,
	AuditPaymentRecorded,
	AuditPaymentMismatch,
	AuditPaymentRefused,
	AuditPaymentWindowExtended,
	AuditEnrolmentFreed,
	AuditCardReprinted,
	AuditLedgerClosed,
	AuditAttendanceCorrected,
	AuditMeetingCancelled,
	AuditMeetingChanged,
	AuditEvaluationScheduled,
	AuditFinalResultEntered,
	AuditFinalResultChanged,
	AuditCertificateIssued,
	AuditExemptionRecorded,
	AuditStruckOff,
	AuditFlagKept,
	AuditExcluded,
}

// Evaluations and certificates (CER-1, CER-2, CER-4): a course's evaluation
// date set (its convocations sent), a learner's result entered or changed
// (with the previous one), a certificate of competences issued, an exemption
// from a diploma's general exams recorded with its proof.
const (
	AuditEvaluationScheduled = "evaluation.scheduled"
	AuditFinalResultEntered  = "evaluation.result_entered"
	AuditFinalResultChanged  = "evaluation.result_changed"
	AuditCertificateIssued   = "certificate.issued"
	AuditExemptionRecorded   = "exemption.recorded"
)

// Attendance (ATT-1): a mark changed once saved (a correction, or a second
// device's register saved over the first), with the previous mark; a class
// meeting cancelled one-off (REF-4), or its cancellation or length changed.
const (
	AuditAttendanceCorrected = "attendance.corrected"
	AuditMeetingCancelled    = "meeting.cancelled"
	AuditMeetingChanged      = "meeting.changed"
)

// Attendance's decisions (ATT-3, ATT-4): a learner struck off by the central
// service, or kept in the course, after three consecutive absences without a
// valid reason; a learner excluded by the trainer or the director, for
// absences beyond three or for conduct. Each with its motive.
const (
	AuditStruckOff = "attendance.struck_off"
	AuditFlagKept  = "attendance.flag_kept"
	AuditExcluded  = "attendance.excluded"
)

// AuditLedgerClosed is a day of the régie's journal closed for one mode and
// signed by the establishment's director, with its count and total.
const AuditLedgerClosed = "ledger.closed"

// Enrolment and payment (PAY-1..8, CAN-9): an enrolment confirmed, a
// half-tariff proof checked, a payment booked online or recorded at the desk,
// a PayFiP result that did not match its debt (refused and flagged), a
// payment window extended, a seat freed for a fee not paid in time, a
// learner card reprinted (the old one revoked).
const (
	AuditEnrolmentConfirmed    = "enrolment.confirmed"
	AuditHalfTariffChecked     = "half_tariff.checked"
	AuditPaymentBooked         = "payment.booked"
	AuditPaymentRecorded       = "payment.recorded"
	AuditPaymentMismatch       = "payment.mismatch"
	AuditPaymentRefused        = "payment.refused" // a request on someone else's debt, or an amount not due
	AuditPaymentWindowExtended = "payment.window_extended"
	AuditEnrolmentFreed        = "enrolment.freed"
	AuditCardReprinted         = "card.reprinted"
)

// The steps of a day change (SEL-8): asked (by the learner from their space,
// or recorded by the director at the desk), forwarded or not by the
// director, accepted (the learner moved) or refused by the coordinator.
const (
	AuditDayChangeRequested    = "daychange.requested"
	AuditDayChangeForwarded    = "daychange.forwarded"
	AuditDayChangeNotForwarded = "daychange.not_forwarded"
	AuditDayChangeAccepted     = "daychange.accepted"
	AuditDayChangeRefused      = "daychange.refused"
)

// The selection's actions (SEL-1..3, ROLE-3..5): sittings scheduled, changed
// before their convocations or deleted, convocations sent, results entered,
// changed (after a published run: flagged for a decision) or imported, runs
// started and published, and a formation's minimum social rate.
const (
	AuditSittingScheduled   = "sitting.scheduled"
	AuditSittingChanged     = "sitting.changed"
	AuditSittingDeleted     = "sitting.deleted"
	AuditConvocationsSent   = "convocations.sent"
	AuditResultEntered      = "result.entered"
	AuditResultChanged      = "result.changed"
	AuditResultsImported    = "results.imported"
	AuditSelectionRun       = "selection.run"
	AuditSelectionPublished = "selection.published"
	AuditSocialRateSet      = "formation.social_rate"
)

// The selection's audited objects.
const (
	AuditObjectSitting = "sitting"
	AuditObjectRun     = "selection_run"
)
