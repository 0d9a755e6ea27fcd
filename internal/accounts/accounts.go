// Package accounts holds the use cases about people: signing in through the
// city's sign-on (ACC-3), the profile (ACC-4), staff accounts and their roles
// (ROLE-1..7), identity corrections, probable duplicates and the audit trail.
// Every staff change to a person is written with its audit event in one
// transaction.
package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"cma/internal/auth"
	"cma/internal/domain"
	"cma/internal/store"
)

// Errors the web layer words in the reader's language.
var (
	ErrForbidden      = errors.New("forbidden")
	ErrDisabled       = errors.New("account disabled")
	ErrBadCredentials = errors.New("bad email or password")
	ErrSecondFactor   = errors.New("bad second-factor code")
	ErrSessionEnded   = errors.New("session ended")
	// ErrReasonRequired: a staff change to a person needs a reason, kept in the
	// audit trail.
	ErrReasonRequired = domain.FieldError{Field: "reason", Key: "person.error.reason"}
)

// Service runs the account use cases.
type Service struct {
	store *store.Store
	now   func() time.Time
	log   *slog.Logger
}

// New returns the service.
func New(s *store.Store, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: s, now: now, log: log}
}

// Identity is what the sign-on provider says about a person.
type Identity struct {
	Issuer, Subject, Email string
	EmailVerified          bool
	FirstName, LastName    string
	BirthDate              time.Time
}

// SignIn finds or creates the account of a sign-on identity (ACC-3):
//   - a known subject signs into its account, and its email is taken over (ACC-4);
//   - a staff member's first sign-on links to the staff account with that
//     email when the provider says it is verified and the staff account has no
//     identity yet; otherwise the sign-in is held for the central service and
//     nothing is created (ErrStaffSignInHeld; see signon.go);
//   - otherwise a candidate account is created at first sign-in; if another
//     candidate has the same last name, first name and birth date, the new account
//     is held and shown to staff as a probable duplicate.
//
// A staff account created without names takes them from the provider's
// claims when its identity is linked, or at a later sign-in, never over names
// already set.
//
// Two first sign-ins of the same subject at once create one account: the second
// transaction fails on the identity's primary key and is retried, finding it.
// Two held sign-ins of the same subject at once make one request (its unique
// key).
func (s *Service) SignIn(ctx context.Context, id Identity) (domain.Account, error) {
	if id.Issuer == "" || id.Subject == "" {
		return domain.Account{}, errors.New("sign-in without issuer or subject")
	}
	var acc domain.Account
	var err, held error
	for attempt := 0; attempt < 2; attempt++ {
		held = nil
		err = s.store.InTx(ctx, func(tx *sql.Tx) error {
			acc, err = s.signIn(ctx, tx, id)
			if errors.Is(err, ErrStaffSignInHeld) || errors.Is(err, ErrStaffSignInRefused) {
				held, err = err, nil // the request is kept: the transaction commits
			}
			return err
		})
		if err == nil || errors.Is(err, ErrDisabled) {
			break
		}
	}
	if err != nil {
		return acc, err
	}
	if held != nil {
		return domain.Account{}, held
	}
	return acc, nil
}

func (s *Service) signIn(ctx context.Context, tx *sql.Tx, id Identity) (domain.Account, error) {
	acc, err := s.store.AccountByIdentity(ctx, tx, id.Issuer, id.Subject)
	switch {
	case err == nil:
		if acc.Status == domain.StatusDisabled {
			return acc, ErrDisabled
		}
		if id.Email != "" && !strings.EqualFold(id.Email, acc.Email) {
			if err := s.store.SetEmail(ctx, tx, acc.ID, id.Email); err != nil {
				return acc, err
			}
			acc.Email = strings.ToLower(id.Email)
		}
		taken, err := s.takeNames(ctx, tx, &acc, id.FirstName, id.LastName)
		if err != nil || taken == "" {
			return acc, err
		}
		return acc, s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), Action: domain.AuditIdentityCorrected, SubjectID: acc.ID,
			Details: strings.TrimPrefix(taken, " ; "), Reason: "compte du personnel créé sans nom"})
	case !errors.Is(err, store.ErrNotFound):
		return acc, err
	}
	if staff, done, err := s.signInUnknown(ctx, tx, id); done {
		return staff, err
	}
	acc = domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: id.Email,
		FirstName: strings.TrimSpace(id.FirstName), LastName: strings.TrimSpace(id.LastName), BirthDate: id.BirthDate,
		CreatedAt: s.now()}
	same, err := s.store.CandidatesByIdentityKey(ctx, tx, domain.IdentityKey(acc.LastName, acc.FirstName, acc.BirthDate), 0)
	if err != nil {
		return acc, err
	}
	if len(same) > 0 {
		acc.Status = domain.StatusHeld
	}
	if err := s.store.InsertAccount(ctx, tx, &acc); err != nil {
		return acc, err
	}
	if err := s.store.LinkIdentity(ctx, tx, id.Issuer, id.Subject, acc.ID, s.now()); err != nil {
		return acc, err
	}
	for _, other := range same {
		if err := s.store.InsertDuplicateReview(ctx, tx, acc.ID, other.ID, s.now()); err != nil {
			return acc, err
		}
	}
	return acc, nil
}

// Session checks that a session still stands for an active account: a disabled
// account or a "sign out everywhere" ends it.
func (s *Service) Session(ctx context.Context, accountID, epoch int64) (domain.Account, domain.Actor, error) {
	acc, err := s.store.Account(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return acc, domain.Actor{}, ErrSessionEnded
	}
	if err != nil {
		return acc, domain.Actor{}, err
	}
	return SessionOf(acc, epoch)
}

// SessionOf is Session for an account already read with the session.
func SessionOf(acc domain.Account, epoch int64) (domain.Account, domain.Actor, error) {
	if acc.SessionEpoch != epoch || acc.Status == domain.StatusDisabled || acc.Status == domain.StatusMerged {
		return acc, domain.Actor{}, ErrSessionEnded
	}
	return acc, ActorOf(acc), nil
}

// ActorOf is the permission identity of an account.
func ActorOf(a domain.Account) domain.Actor {
	return domain.Actor{AccountID: a.ID, Kind: a.Kind, Grants: a.Grants}
}

// SignOutEverywhere ends every session of the account.
func (s *Service) SignOutEverywhere(ctx context.Context, accountID int64) error {
	return s.store.SignOutEverywhere(ctx, accountID)
}

// The errors of a person's identity, on the logical fields of Correction and
// NewCandidate.
// The names' errors are domain.CheckFirstName's and domain.CheckLastName's.
var (
	errEmailInvalid     = domain.FieldError{Field: "email", Key: "person.error.email"}
	errBirthMissing     = domain.FieldError{Field: "birth_date", Key: "person.error.birth_missing"}
	errBirthImplausible = domain.FieldError{Field: "birth_date", Key: "person.error.birth_implausible"}
)

// ErrEmailTaken is an email address another account already uses. Its
// arguments name that account, "AccountID" (int64) and "AccountKind"
// (domain.AccountKind), so that the page links to it for staff who may open it.
var ErrEmailTaken = domain.FieldError{Field: "email", Key: "person.error.email_taken"}

// EmailTakenBy is the account id an ErrEmailTaken names, 0 for another error.
func EmailTakenBy(fe domain.FieldError) (int64, domain.AccountKind) {
	if !errors.Is(fe, ErrEmailTaken) {
		return 0, ""
	}
	id, _ := fe.Args["AccountID"].(int64)
	kind, _ := fe.Args["AccountKind"].(domain.AccountKind)
	return id, kind
}

// emailTaken is ErrEmailTaken naming the account that uses email, or nil when
// none does. tx may be nil.
func (s *Service) emailTaken(ctx context.Context, tx *sql.Tx, email string) error {
	other, err := s.store.AccountByEmail(ctx, tx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	fe := ErrEmailTaken
	fe.Args = map[string]any{"AccountID": other.ID, "AccountKind": other.Kind}
	return fe
}

// checkNames checks a person's names with the domain's one check and puts the
// tidied names back.
func checkNames(errs domain.FieldErrors, first, last *string) domain.FieldErrors {
	var err error
	*first, err = domain.CheckFirstName(*first)
	errs = appendFieldError(errs, err)
	*last, err = domain.CheckLastName(*last)
	return appendFieldError(errs, err)
}

// plausibleBirth refuses a birth date in the future or more than 120 years ago.
func plausibleBirth(birth, now time.Time) bool {
	age := domain.AgeOn(birth, now)
	return age >= 0 && age <= 120
}

// appendFieldError adds err to errs when it is a field error (the domain's
// checks return nothing else).
func appendFieldError(errs domain.FieldErrors, err error) domain.FieldErrors {
	var fe domain.FieldError
	if errors.As(err, &fe) {
		errs = append(errs, fe)
	}
	return errs
}

// Contact is what a candidate may change in "Mon profil" (ACC-4). BirthDate
// may be given once when the sign-on did not provide it (ACC-1 needs it).
type Contact struct {
	Phone     string
	Address   domain.Address
	BirthDate time.Time
}

// UpdateContact changes the candidate's own phone and address (ACC-4). Wrong
// values come back as domain.FieldErrors on the fields "phone", "address",
// "postal_code", "country" and "birth_date".
func (s *Service) UpdateContact(ctx context.Context, actor domain.Actor, accountID int64, c Contact) error {
	if !domain.Can(actor, domain.ActEditOwnProfile, domain.Resource{AccountID: accountID}) {
		return ErrForbidden
	}
	var errs domain.FieldErrors
	phone, err := domain.NormalizePhone(c.Phone)
	errs = appendFieldError(errs, err)
	addr, err := domain.CheckAddress(c.Address)
	errs = appendFieldError(errs, err)
	if !c.BirthDate.IsZero() && !plausibleBirth(c.BirthDate, s.now()) {
		errs = append(errs, errBirthImplausible)
	}
	if len(errs) > 0 {
		return errs
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		acc, err := s.store.AccountTx(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if !c.BirthDate.IsZero() && acc.BirthDate.IsZero() {
			acc.BirthDate = c.BirthDate
			if err := s.store.SetIdentity(ctx, tx, acc); err != nil {
				return err
			}
		}
		return s.store.SetContact(ctx, tx, accountID, phone, addr)
	})
}

// ReadFile gives staff a person's file and records the read (ROLE-5, ROLE-7).
// The permission is checked twice: before the read, for the action at all, and
// after it with the account's kind, since the help desk reads candidates' files
// only, not staff members' (ROLE-7).
func (s *Service) ReadFile(ctx context.Context, actor domain.Actor, accountID int64) (domain.Account, error) {
	if !domain.Can(actor, domain.ActReadPersonFile, domain.Resource{AccountID: accountID}) {
		return domain.Account{}, ErrForbidden
	}
	var acc domain.Account
	err := s.store.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if acc, err = s.store.AccountTx(ctx, tx, accountID); err != nil {
			return err
		}
		if !domain.Can(actor, domain.ActReadPersonFile, domain.Resource{AccountID: accountID, AccountKind: acc.Kind}) {
			return ErrForbidden
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditFileRead,
			SubjectID: accountID, Details: "consultation du dossier"})
	})
	if err != nil {
		return domain.Account{}, err
	}
	return acc, nil
}

// Correction is a staff correction of a person's identity (ACC-4).
type Correction struct {
	FirstName, LastName string
	BirthDate           time.Time
	Reason              string
}

// maxReasonLength is the longest reason kept in the audit trail, in characters.
const maxReasonLength = 500

// errReasonLong is too long a reason.
var errReasonLong = domain.FieldError{Field: "reason", Key: "person.error.reason_long", Args: map[string]any{"Max": maxReasonLength}}

// CheckCorrection is every error of a correction at once, as field errors on
// "first_name", "last_name", "birth_date" and "reason", with the correction
// tidied (names through the domain's one check). The page calls it to show
// them all when its own reading of the form already failed (a malformed date).
func CheckCorrection(c Correction, now time.Time) (Correction, domain.FieldErrors) {
	var errs domain.FieldErrors
	errs = checkNames(errs, &c.FirstName, &c.LastName)
	if !c.BirthDate.IsZero() && !plausibleBirth(c.BirthDate, now) {
		errs = append(errs, errBirthImplausible)
	}
	c.Reason = strings.TrimSpace(c.Reason)
	switch {
	case c.Reason == "":
		errs = append(errs, ErrReasonRequired)
	case utf8.RuneCountInString(c.Reason) > maxReasonLength:
		errs = append(errs, errReasonLong)
	}
	return c, errs
}

// CorrectIdentity changes names or birth date, by the central service only
// (ROLE-5, ACC-4), with a reason kept in the audit trail with the old and new
// values. Every wrong value comes back at once (CheckCorrection).
func (s *Service) CorrectIdentity(ctx context.Context, actor domain.Actor, accountID int64, c Correction) error {
	if !domain.Can(actor, domain.ActCorrectIdentity, domain.Resource{AccountID: accountID}) {
		return ErrForbidden
	}
	c, errs := CheckCorrection(c, s.now())
	if len(errs) > 0 {
		return errs
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		before, err := s.store.AccountTx(ctx, tx, accountID)
		if err != nil {
			return err
		}
		after := before
		after.FirstName, after.LastName, after.BirthDate = c.FirstName, c.LastName, c.BirthDate
		var changes []string
		if before.FirstName != after.FirstName {
			changes = append(changes, fmt.Sprintf("prénom : %s → %s", before.FirstName, after.FirstName))
		}
		if before.LastName != after.LastName {
			changes = append(changes, fmt.Sprintf("nom : %s → %s", before.LastName, after.LastName))
		}
		if !before.BirthDate.Equal(after.BirthDate) {
			changes = append(changes, fmt.Sprintf("date de naissance : %s → %s", day(before.BirthDate), day(after.BirthDate)))
		}
		if len(changes) == 0 {
			return nil
		}
		if err := s.store.SetIdentity(ctx, tx, after); err != nil {
			return err
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditIdentityCorrected,
			SubjectID: accountID, Details: strings.Join(changes, " ; "), Reason: c.Reason})
	})
}

func day(t time.Time) string {
	if t.IsZero() {
		return "inconnue"
	}
	return t.Format("02/01/2006")
}

// DecideDuplicate merges a held account into the existing person's (its
// sign-on subject then opens that account) or dismisses the suspicion (the held
// account becomes active). One decision wins when two staff members click.
func (s *Service) DecideDuplicate(ctx context.Context, actor domain.Actor, reviewID int64, merge bool, reason string) error {
	if !domain.Can(actor, domain.ActReviewDuplicates, domain.Resource{}) {
		return ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return domain.FieldErrors{ErrReasonRequired}
	}
	status := "dismissed"
	if merge {
		status = "merged"
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		r, err := s.store.DecideDuplicate(ctx, tx, reviewID, status, actor.AccountID, reason, s.now())
		if err != nil {
			return err
		}
		event := domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Reason: reason, SubjectID: r.Existing.ID}
		if merge {
			if err := s.store.MoveIdentities(ctx, tx, r.Held.ID, r.Existing.ID); err != nil {
				return err
			}
			if err := s.closeOtherReviews(ctx, tx, r.Held.ID, actor.AccountID, reason); err != nil {
				return err
			}
			if err := s.store.SetStatus(ctx, tx, r.Held.ID, domain.StatusMerged); err != nil {
				return err
			}
			event.Action = domain.AuditDuplicateMerged
			event.Details = fmt.Sprintf("compte n° %d (%s) fusionné dans le compte n° %d", r.Held.ID, r.Held.Email, r.Existing.ID)
		} else {
			if err := s.store.SetStatus(ctx, tx, r.Held.ID, domain.StatusActive); err != nil {
				return err
			}
			event.Action = domain.AuditDuplicateDismissed
			event.SubjectID = r.Held.ID
			event.Details = fmt.Sprintf("compte n° %d reconnu distinct du compte n° %d", r.Held.ID, r.Existing.ID)
		}
		return s.store.RecordAudit(ctx, tx, event)
	})
}

// closeOtherReviews settles the held account's other pending reviews when it
// is merged (it may have resembled several accounts).
func (s *Service) closeOtherReviews(ctx context.Context, tx *sql.Tx, heldID, by int64, reason string) error {
	_, err := tx.ExecContext(ctx, `UPDATE duplicate_reviews SET status = 'merged', decided_by = $1, reason = $2
		WHERE held_account_id = $3 AND status = 'pending'`, by, reason, heldID)
	if err != nil {
		return fmt.Errorf("close other reviews of %d: %w", heldID, err)
	}
	return nil
}

// PasswordSignIn checks a staff member's email and password. The answer does
// not say which of the two was wrong, and takes the same time either way.
// needsSecondFactor is true for accounts with a second factor (the central
// service's must have one).
func (s *Service) PasswordSignIn(ctx context.Context, email, password string) (acc domain.Account, needsSecondFactor bool, err error) {
	acc, err = s.store.StaffByEmail(ctx, nil, strings.TrimSpace(email))
	if errors.Is(err, store.ErrNotFound) || (err == nil && acc.PasswordHash == "") {
		auth.VerifyPasswordDummy(password)
		return domain.Account{}, false, ErrBadCredentials
	}
	if err != nil {
		return acc, false, err
	}
	ok, _, err := auth.VerifyPassword(acc.PasswordHash, password)
	if err != nil {
		return domain.Account{}, false, fmt.Errorf("account %d: %w", acc.ID, err)
	}
	if !ok {
		return domain.Account{}, false, ErrBadCredentials
	}
	if acc.Status == domain.StatusDisabled {
		return domain.Account{}, false, ErrDisabled
	}
	return acc, acc.TOTPSecret != "" || hasRole(acc, domain.RoleCentral), nil
}

func hasRole(a domain.Account, r domain.Role) bool {
	for _, g := range a.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// VerifySecondFactor checks a TOTP code; a code is accepted once, on any
// instance.
func (s *Service) VerifySecondFactor(ctx context.Context, accountID int64, code string) (domain.Account, error) {
	acc, err := s.store.Account(ctx, accountID)
	if err != nil {
		return acc, err
	}
	if acc.TOTPSecret == "" {
		return acc, ErrSecondFactor // a central account without a second factor cannot sign in by password
	}
	step, ok := auth.VerifyTOTP(acc.TOTPSecret, strings.ReplaceAll(code, " ", ""), s.now(), acc.TOTPLastStep)
	if !ok {
		return acc, ErrSecondFactor
	}
	fresh, err := s.store.UseTOTPStep(ctx, accountID, step)
	if err != nil {
		return acc, err
	}
	if !fresh {
		return acc, ErrSecondFactor
	}
	return acc, nil
}

// NewStaff describes a staff account created from the command line.
type NewStaff struct {
	Email, FirstName, LastName string
	Grants                     []domain.Grant
	Password                   string // "" : signs in through the sign-on only
}

// AddStaff creates a staff account with its grants. A central-service account
// gets a second-factor secret, returned once to be shown to its owner.
func (s *Service) AddStaff(ctx context.Context, n NewStaff) (acc domain.Account, totpSecret string, err error) {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	if !strings.Contains(n.Email, "@") {
		return acc, "", fmt.Errorf("invalid email %q", n.Email)
	}
	if len(n.Grants) == 0 {
		return acc, "", errors.New("a staff account needs at least one role")
	}
	for _, g := range n.Grants {
		if err := checkGrant(g); err != nil {
			return acc, "", err
		}
	}
	// Names are optional on the command line; given, they pass the same check
	// as every form's.
	var errs domain.FieldErrors
	if n.FirstName != "" || n.LastName != "" {
		errs = checkNames(errs, &n.FirstName, &n.LastName)
	}
	if err := s.emailTaken(ctx, nil, n.Email); err != nil {
		if errs = appendFieldError(errs, err); !errors.Is(err, ErrEmailTaken) {
			return acc, "", err
		}
	}
	if len(errs) > 0 {
		return acc, "", errs
	}
	acc = domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive, Email: n.Email,
		FirstName: n.FirstName, LastName: n.LastName, CreatedAt: s.now()}
	if n.Password != "" {
		if acc.PasswordHash, err = auth.HashPassword(n.Password, auth.DefaultPasswordParams); err != nil {
			return acc, "", err
		}
	}
	if hasRole(domain.Account{Grants: n.Grants}, domain.RoleCentral) {
		if acc.TOTPSecret, err = auth.NewTOTPSecret(); err != nil {
			return acc, "", err
		}
	}
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		var taken domain.FieldError
		if err := s.emailTaken(ctx, tx, n.Email); errors.As(err, &taken) { // taken meanwhile
			return domain.FieldErrors{taken}
		} else if err != nil {
			return err
		}
		if err := s.store.InsertAccount(ctx, tx, &acc); err != nil {
			return err
		}
		for _, g := range n.Grants {
			if err := s.store.InsertGrant(ctx, tx, acc.ID, g); err != nil {
				return err
			}
		}
		acc.Grants = n.Grants
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), Action: domain.AuditStaffCreated, SubjectID: acc.ID,
			Details: "compte du personnel créé : " + grantsText(n.Grants), Reason: "ligne de commande"})
	})
	return acc, acc.TOTPSecret, err
}

func checkGrant(g domain.Grant) error {
	if !g.Role.Valid() {
		return fmt.Errorf("unknown role %q (roles: central, director, coordinator, trainer, guidance, helpdesk, regisseur)", g.Role)
	}
	need := g.Role.ScopeNeeded()
	switch {
	case need == "establishment" && g.EstablishmentID == 0:
		return fmt.Errorf("role %s needs --establishment", g.Role)
	case need == "formation" && g.FormationID == 0:
		return fmt.Errorf("role %s needs --formation", g.Role)
	case need == "course" && g.CourseID == 0:
		return fmt.Errorf("role %s needs --course", g.Role)
	}
	return nil
}

// roleInRecord is each role as the audit trail's details write it: the
// trail is the administration's record, written once in French like its other
// details, with the roles' French labels (the test keeps them equal to the
// catalogue's "role.<role>").
var roleInRecord = map[domain.Role]string{
	domain.RoleCentral:     "Service des cours d'adultes",
	domain.RoleDirector:    "Chef d'établissement",
	domain.RoleCoordinator: "Coordination pédagogique",
	domain.RoleTrainer:     "Formateur ou formatrice",
	domain.RoleGuidance:    "Orientation (inscription assistée)",
	domain.RoleHelpDesk:    "Accueil téléphonique (lecture seule)",
	domain.RoleRegisseur:   "Régisseur (lecture seule)",
}

func grantsText(gs []domain.Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = roleInRecord[g.Role]
		switch {
		case g.EstablishmentID != 0:
			parts[i] += fmt.Sprintf(" (établissement %d)", g.EstablishmentID)
		case g.FormationID != 0:
			parts[i] += fmt.Sprintf(" (formation %d)", g.FormationID)
		case g.CourseID != 0:
			parts[i] += fmt.Sprintf(" (cours %d)", g.CourseID)
		}
	}
	return strings.Join(parts, ", ")
}

// NewCandidate is a person registered at a desk by guidance staff (CAN-8).
type NewCandidate struct {
	FirstName, LastName, Email string
	BirthDate                  time.Time
	Phone                      string
}

// ErrSamePerson is returned when the person already has an account: staff then
// open that account instead of creating a second one (ACC-3).
var ErrSamePerson = errors.New("a person with the same names and birth date already has an account")

// CheckNewCandidate is every error of an assisted registration's form at
// once, as field errors on "first_name", "last_name", "email", "birth_date" and
// "phone" (names through the domain's one check; an email another account uses
// is ErrEmailTaken, naming it), with the person tidied. err is another failure
// (forbidden, the database). The page calls it to show every error when its own
// reading of the form already failed (a malformed date).
func (s *Service) CheckNewCandidate(ctx context.Context, actor domain.Actor, n NewCandidate) (NewCandidate, domain.FieldErrors, error) {
	if !domain.Can(actor, domain.ActAssistRegistration, domain.Resource{}) {
		return n, nil, ErrForbidden
	}
	var errs domain.FieldErrors
	errs = checkNames(errs, &n.FirstName, &n.LastName)
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	if at := strings.LastIndex(n.Email, "@"); at < 1 || !strings.Contains(n.Email[at:], ".") || strings.ContainsAny(n.Email, " <>") {
		errs = append(errs, errEmailInvalid)
	} else if err := s.emailTaken(ctx, nil, n.Email); err != nil {
		if errs = appendFieldError(errs, err); !errors.Is(err, ErrEmailTaken) {
			return n, nil, err
		}
	}
	if n.BirthDate.IsZero() {
		errs = append(errs, errBirthMissing)
	} else if !plausibleBirth(n.BirthDate, s.now()) {
		errs = append(errs, errBirthImplausible)
	}
	var err error
	n.Phone, err = domain.NormalizePhone(n.Phone)
	errs = appendFieldError(errs, err)
	return n, errs, nil
}

// CreateCandidate creates a candidate's account on their behalf (CAN-8). The
// person signs in later through the city's sign-on; an account created here is
// then matched by staff as a probable duplicate and merged. The creation is in
// the audit trail. The same person (names and birth date) is ErrSamePerson with
// their account; every wrong value is a field error (CheckNewCandidate).
func (s *Service) CreateCandidate(ctx context.Context, actor domain.Actor, n NewCandidate) (domain.Account, error) {
	n, errs, err := s.CheckNewCandidate(ctx, actor, n)
	if err != nil {
		return domain.Account{}, err
	}
	acc := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: n.Email, FirstName: n.FirstName,
		LastName: n.LastName, BirthDate: n.BirthDate, Phone: n.Phone, CreatedAt: s.now()}
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		// The same person is told first, even with other errors: staff then
		// open that account instead of correcting the form.
		if key := domain.IdentityKey(acc.LastName, acc.FirstName, acc.BirthDate); key != "" && !hasField(errs, "first_name", "last_name", "birth_date") {
			same, err := s.store.CandidatesByIdentityKey(ctx, tx, key, 0)
			if err != nil {
				return err
			}
			if len(same) > 0 {
				acc = same[0]
				return ErrSamePerson
			}
		}
		if len(errs) > 0 {
			return errs
		}
		var taken domain.FieldError
		if err := s.emailTaken(ctx, tx, acc.Email); errors.As(err, &taken) { // taken meanwhile
			return domain.FieldErrors{taken}
		} else if err != nil {
			return err
		}
		if err := s.store.InsertAccount(ctx, tx, &acc); err != nil {
			return err
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditCandidateCreated,
			SubjectID: acc.ID, Details: "compte créé au guichet (inscription assistée)", Reason: "inscription assistée"})
	})
	if err != nil && !errors.Is(err, ErrSamePerson) {
		return domain.Account{}, err
	}
	return acc, err
}

// hasField reports whether one of errs is on one of fields.
func hasField(errs domain.FieldErrors, fields ...string) bool {
	for _, e := range errs {
		for _, f := range fields {
			if e.Field == f {
				return true
			}
		}
	}
	return false
}
