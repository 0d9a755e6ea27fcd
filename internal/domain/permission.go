package domain

import "slices"

// Role is a staff role (ROLE-2..7). A candidate has no role: ROLE-1 is being the
// owner of one's own data.
type Role string

const (
	RoleCentral     Role = "central"     // ROLE-5: everything
	RoleDirector    Role = "director"    // ROLE-3: own establishments
	RoleCoordinator Role = "coordinator" // ROLE-4: own formations
	RoleTrainer     Role = "trainer"     // ROLE-2: own courses
	RoleGuidance    Role = "guidance"    // ROLE-6: assisted registration only
	RoleHelpDesk    Role = "helpdesk"    // ROLE-7: reads a candidate's file, changes nothing
	// RoleRegisseur is the régie's accountant: reads every establishment's
	// ledger, changes nothing, closes nothing.
	RoleRegisseur Role = "regisseur"
)

// Roles lists the staff roles.
var Roles = []Role{RoleCentral, RoleDirector, RoleCoordinator, RoleTrainer, RoleGuidance, RoleHelpDesk, RoleRegisseur}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Grant is one role with its scope: a director's establishment, a coordinator's
// formation, a trainer's course. The central service, guidance staff and the help
// desk and the régisseur are not scoped.
type Grant struct {
	Role            Role
	EstablishmentID int64
	FormationID     int64
	CourseID        int64
}

// ScopeNeeded says which scope a role's grant must carry.
func (r Role) ScopeNeeded() string {
	switch r {
	case RoleDirector:
		return "establishment"
	case RoleCoordinator:
		return "formation"
	case RoleTrainer:
		return "course"
	}
	return ""
}

// Actor is who is acting: nobody (AccountID 0), a candidate, or staff with grants.
type Actor struct {
	AccountID int64
	Kind      AccountKind
	Grants    []Grant
}

// Action is what an actor wants to do.
type Action string

const (
	ActViewOwnAccount     Action = "view_own_account"    // ROLE-1: profile, own data
	ActEditOwnProfile     Action = "edit_own_profile"    // ROLE-1, ACC-4: address and phone
	ActApply              Action = "apply"               // ROLE-1: a candidate's own basket and candidatures
	ActBackOffice         Action = "back_office"         // any staff: the back-office home
	ActReadPersonFile     Action = "read_person_file"    // ROLE-5, ROLE-7: a candidate's file
	ActCorrectIdentity    Action = "correct_identity"    // ROLE-5, ACC-4: names, birth date
	ActReviewDuplicates   Action = "review_duplicates"   // ROLE-5, ACC-3
	ActManageIdentities   Action = "manage_identities"   // ROLE-5, ACC-3: link, unlink sign-on identities; held staff sign-ins
	ActReadAudit          Action = "read_audit"          // ROLE-5
	ActViewEstablishment  Action = "view_establishment"  // ROLE-3, ROLE-5
	ActViewFormation      Action = "view_formation"      // ROLE-4, ROLE-5
	ActViewCourse         Action = "view_course"         // ROLE-2, ROLE-3, ROLE-4, ROLE-5
	ActAssistRegistration Action = "assist_registration" // ROLE-6, ROLE-5 (CAN-8)
	ActManageEmails       Action = "manage_emails"       // ROLE-5, CON-2: the outbox page and its resends
	// ActManageCatalogue is the set-up of a school year: sessions,
	// establishments, formations, courses, imports, school holidays, remote
	// delivery of many courses at once (ROLE-5).
	ActManageCatalogue Action = "manage_catalogue"
	// ActStaffCourse changes a course's trainer, room and remote delivery
	// (ROLE-3 for the director's own establishment, ROLE-5).
	ActStaffCourse Action = "staff_course"
	// ActManageAPITokens creates and revokes the staff API's personal access
	// tokens (ROLE-5).
	ActManageAPITokens Action = "manage_api_tokens"
	// ActEvaluate schedules a formation's test and interview sittings, sends
	// their convocations and enters their results (SEL-2, SEL-3): ROLE-4 for
	// the coordinator's own formations, ROLE-3 for sittings and candidatures
	// of the director's own establishment, ROLE-5.
	ActEvaluate Action = "evaluate"
	// ActRunSelection starts, reviews and publishes a session's selection
	// runs, sets the formations' minimum social rates and reads the fairness
	// report (ROLE-5).
	ActRunSelection Action = "run_selection"
	// ActManageWaitingList changes the order of a course's waiting list, with
	// a reason that is audited: ROLE-3 for the director's own establishment,
	// ROLE-4 for the coordinator's own formations, ROLE-5.
	ActManageWaitingList Action = "manage_waiting_list"
	// ActForwardDayChange: record a day change asked at the desk, and forward
	// it (or not) to the coordinator (ROLE-3: own establishment; SEL-8).
	ActForwardDayChange Action = "forward_day_change"
	// ActDecideDayChange: decide a forwarded day change (ROLE-4: own
	// formations; SEL-8).
	ActDecideDayChange Action = "decide_day_change"
	// ActDayChanges: the queue of day changes, each staff member seeing
	// those of their own scope (ROLE-3, ROLE-4, ROLE-5; SEL-8).
	ActDayChanges Action = "day_changes"
	// ActConfirmEnrolment confirms an accepted learner's enrolment, so that
	// the fee becomes due (PAY-1), and checks half-tariff proofs (CAN-9,
	// PAY-5): ROLE-3 for the director's own establishment, ROLE-5.
	ActConfirmEnrolment Action = "confirm_enrolment"
	// ActManagePayments extends a payment window, frees the seat of a learner
	// who did not pay in time, and reprints a lost learner card (PAY-1,
	// PAY-6): ROLE-3 for the director's own establishment, ROLE-5.
	ActManagePayments Action = "manage_payments"
	// ActRecordDeskPayment records a cheque or cash payment at the desk
	// (PAY-2): the director of the course's establishment only, who holds
	// the régie's cash and cheques; not even the central service.
	ActRecordDeskPayment Action = "record_desk_payment"
	// ActScanCard checks a learner card at an establishment's entrance
	// (PAY-6): directors, trainers and the central service.
	ActScanCard Action = "scan_card"
	// ActReadLedger reads the régie's journal, its days' totals and
	// closings, and exports them for the treasury: ROLE-3 for the
	// director's own establishment, the régisseur and ROLE-5 for every one.
	ActReadLedger Action = "read_ledger"
	// ActCloseLedgerDay signs off a past day's closing for one mode (card,
	// cheque, cash): the director of the establishment only, who holds the
	// régie's cash and cheques; not the central service, not the régisseur.
	ActCloseLedgerDay Action = "close_ledger_day"
	// ActKeepRegister takes a class meeting's register, corrects it and
	// cancels a meeting one-off, and reads the course's attendance (ATT-1,
	// ATT-2): ROLE-2 for the trainer's own courses only, ROLE-3 for the
	// director's own establishment, ROLE-5.
	ActKeepRegister Action = "keep_register"
	// ActIssueCertificates issues the certificates of competences of the
	// learners who passed their course's evaluation, and reads the
	// dashboard of those not yet delivered and late (CER-2): ROLE-5 only.
	ActIssueCertificates Action = "issue_certificates"
	// ActAttendanceDocuments reads the attestations d'assiduité (ATT-2) and
	// certificates (CER-2) of a course's learners: ROLE-3 for the
	// director's own establishment, ROLE-5.
	ActAttendanceDocuments Action = "attendance_documents"
	// ActStrikeOff decides on a learner reported for three consecutive
	// absences without a valid reason: strike off (radiation) or keep
	// (ATT-3): ROLE-5 only.
	ActStrikeOff Action = "strike_off"
	// ActExclude excludes a learner from a course (ATT-4): ROLE-2 for the
	// trainer's own courses, ROLE-3 for the director's own establishment,
	// ROLE-5.
	ActExclude Action = "exclude"
)

// Resource is what an action applies to, with the links scopes are checked
// against: the person it belongs to, and the establishment, formation and course
// it is part of (a course carries all three).
type Resource struct {
	AccountID int64
	// AccountKind is the kind of that person's account when it is known. The
	// help desk reads candidates' files only (ROLE-7): a route's first check,
	// before the account is read, leaves it empty; the service that reads the
	// file checks again with the kind it read.
	AccountKind     AccountKind
	EstablishmentID int64
	FormationID     int64
	CourseID        int64
}

// Can is the one permission check of the platform (ROLE-1..7). Every handler and
// API route asks it; nothing else decides who may do what.
func Can(a Actor, act Action, r Resource) bool {
	if a.AccountID == 0 {
		return false
	}
	switch act {
	case ActViewOwnAccount, ActEditOwnProfile:
		return r.AccountID != 0 && r.AccountID == a.AccountID // ROLE-1: only one's own account
	case ActApply:
		return a.Kind == AccountCandidate && r.AccountID != 0 && r.AccountID == a.AccountID
	}
	if a.Kind != AccountStaff {
		return false
	}
	for _, g := range a.Grants {
		if grantAllows(g, act, r) {
			return true
		}
	}
	return false
}

func grantAllows(g Grant, act Action, r Resource) bool {
	switch g.Role {
	case RoleCentral:
		return act != ActRecordDeskPayment && act != ActCloseLedgerDay // ROLE-5, except the desk's cash and cheques (PAY-2)
	case RoleDirector: // ROLE-3: own establishment's courses
		switch act {
		case ActBackOffice, ActDayChanges, ActScanCard:
			return true
		case ActViewEstablishment, ActViewCourse, ActStaffCourse, ActEvaluate, ActManageWaitingList, ActForwardDayChange,
			ActConfirmEnrolment, ActManagePayments, ActRecordDeskPayment, ActReadLedger, ActCloseLedgerDay, ActKeepRegister,
			ActAttendanceDocuments, ActExclude:
			return g.EstablishmentID != 0 && r.EstablishmentID == g.EstablishmentID
		}
	case RoleCoordinator: // ROLE-4: own formations
		switch act {
		case ActBackOffice, ActDayChanges:
			return true
		case ActViewFormation, ActViewCourse, ActEvaluate, ActManageWaitingList, ActDecideDayChange:
			return g.FormationID != 0 && r.FormationID == g.FormationID
		}
	case RoleTrainer: // ROLE-2: own courses
		switch act {
		case ActBackOffice, ActScanCard:
			return true
		case ActViewCourse, ActKeepRegister, ActExclude:
			return g.CourseID != 0 && r.CourseID == g.CourseID
		}
	case RoleGuidance: // ROLE-6: assisted registration only
		return act == ActBackOffice || act == ActAssistRegistration
	case RoleHelpDesk: // ROLE-7: reads a candidate's file, changes nothing
		return act == ActBackOffice || act == ActReadPersonFile && r.AccountKind != AccountStaff
	case RoleRegisseur: // the régie's accountant: every ledger, read only
		return act == ActBackOffice || act == ActReadLedger
	}
	return false
}
