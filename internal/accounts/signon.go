package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"cma/internal/domain"
	"cma/internal/store"
)

// Sign-on identities and held staff sign-ins (ACC-3, ROLE-5).
//
// A first sign-in whose email is a staff account's opens that account on its
// own only when the provider says the email is verified and the staff account
// has no identity yet. Otherwise (LemonLDAP::NG's default claims have no
// email_verified; a staff account already linked sees a new subject, from a
// second provider or a provider whose subjects changed) nothing is created:
// the sign-in is held for the central service, which links the identity to
// the staff account, or refuses it, saying whether the person is a candidate
// (their next sign-in then makes a candidate account) or not (the identity
// signs in nowhere). A candidate account is never made silently with a staff
// member's email: an unverified email is only a claim, and a candidate
// account bound to the identity would keep the person out of the back office
// for good.

var (
	// ErrStaffSignInHeld: the sign-in was held for the central service; the
	// person is told so, and no account was made.
	ErrStaffSignInHeld = errors.New("staff sign-in held for the central service")
	// ErrStaffSignInRefused: the central service refused this identity.
	ErrStaffSignInRefused = errors.New("staff sign-in refused by the central service")
	// ErrIdentityTaken: the identity is linked to an account it cannot be
	// moved from (a staff account, or one linked meanwhile).
	ErrIdentityTaken = errors.New("sign-on identity linked to another account")
	// ErrNotStaff: an identity is linked from a person's file to a staff
	// account only.
	ErrNotStaff = errors.New("not a staff account")
)

// StaffSignInDecision is the central service's answer to a held sign-in.
type StaffSignInDecision string

const (
	// LinkToStaff links the identity to the staff account: its next sign-in
	// opens the back office.
	LinkToStaff StaffSignInDecision = "link"
	// RefuseAsCandidate refuses the link: the person is a candidate, their
	// next sign-in makes a candidate account.
	RefuseAsCandidate StaffSignInDecision = "candidate"
	// Refuse refuses the link: the identity signs in nowhere.
	Refuse StaffSignInDecision = "refuse"
)

// HeldSignIn is a staff sign-in waiting for the central service.
type HeldSignIn struct {
	ID                  int64
	Issuer, Subject     string
	Email               string
	FirstName, LastName string // as the provider gave them
	Staff               domain.Account
	Created, LastTry    time.Time
	Attempts            int
}

// SignOnIdentity is a sign-on identity linked to an account.
type SignOnIdentity struct {
	Issuer, Subject string
	LinkedAt        time.Time // zero: linked before the date was kept
}

// LinkableIdentity is an identity the central service may link to a staff
// account from its file: a held sign-in with its email, or the identity of a
// candidate account made with its email before staff sign-ins were held.
type LinkableIdentity struct {
	Issuer, Subject string
	HeldSince       time.Time      // a held sign-in
	From            domain.Account // the candidate account it is linked to, for a repair
}

// signInUnknown is a first sign-in's staff part: done is true when it settled
// the sign-in (acc or err); false lets a candidate account be made. A sign-in
// held before is decided again the same way (it is linked on its own once the
// provider says the email is verified), unless the central service refused
// it.
func (s *Service) signInUnknown(ctx context.Context, tx *sql.Tx, id Identity) (acc domain.Account, done bool, err error) {
	req, err := s.store.StaffSignInByIdentity(ctx, tx, id.Issuer, id.Subject)
	held := err == nil
	switch {
	case held && req.Status == store.SignInRefused:
		return acc, true, ErrStaffSignInRefused
	case held && req.Status == store.SignInCandidate:
		return acc, false, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return acc, true, err
	}
	staff, err := s.store.StaffByEmail(ctx, tx, id.Email)
	switch {
	case errors.Is(err, store.ErrNotFound) || id.Email == "":
		if held { // the email changed at the provider: still the central service's to decide
			return acc, true, s.holdStaffSignIn(ctx, tx, id, req.StaffAccountID)
		}
		return acc, false, nil
	case err != nil:
		return acc, true, err
	}
	linked, err := s.store.HasIdentity(ctx, tx, staff.ID)
	if err != nil {
		return acc, true, err
	}
	if !id.EmailVerified || linked {
		return acc, true, s.holdStaffSignIn(ctx, tx, id, staff.ID)
	}
	if staff.Status == domain.StatusDisabled {
		return staff, true, ErrDisabled
	}
	if err := s.store.LinkIdentity(ctx, tx, id.Issuer, id.Subject, staff.ID, s.now()); err != nil {
		return staff, true, err
	}
	if held {
		if err := s.store.SettleStaffSignIn(ctx, tx, id.Issuer, id.Subject, 0, "adresse électronique vérifiée", s.now()); err != nil {
			return staff, true, err
		}
	}
	taken, err := s.takeNames(ctx, tx, &staff, id.FirstName, id.LastName)
	if err != nil {
		return staff, true, err
	}
	return staff, true, s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), Action: domain.AuditIdentityLinked, SubjectID: staff.ID,
		Details: "identité " + identityText(id.Issuer, id.Subject) + " liée à la première connexion (adresse vérifiée par le service de connexion)" + taken,
		Reason:  "adresse électronique vérifiée"})
}

// holdStaffSignIn records the held sign-in (once per identity) and says so.
// The first attempt is in the audit trail of the staff account.
func (s *Service) holdStaffSignIn(ctx context.Context, tx *sql.Tx, id Identity, staffID int64) error {
	created, err := s.store.HoldStaffSignIn(ctx, tx, store.StaffSignInRequest{Issuer: id.Issuer, Subject: id.Subject,
		StaffAccountID: staffID, Email: id.Email, FirstName: strings.TrimSpace(id.FirstName), LastName: strings.TrimSpace(id.LastName),
		Created: s.now()})
	if err != nil {
		return err
	}
	if created {
		why := "adresse non vérifiée par le service de connexion"
		if id.EmailVerified {
			why = "le compte du personnel a déjà une identité de connexion"
		}
		if err := s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), Action: domain.AuditSignInHeld, SubjectID: staffID,
			Details: fmt.Sprintf("connexion de %s (%s) mise en attente du service central : %s", identityText(id.Issuer, id.Subject), id.Email, why)}); err != nil {
			return err
		}
		s.log.Info("security: staff sign-in held for the central service", "event", "staff_signin_held", "account", staffID)
	}
	return ErrStaffSignInHeld
}

// takeNames gives a staff account created without names those of the
// provider's claims, each name only where none is set; the text says so for
// the audit trail ("" when nothing changed). A claim that fails the names'
// check is left aside.
func (s *Service) takeNames(ctx context.Context, tx *sql.Tx, acc *domain.Account, first, last string) (string, error) {
	if acc.Kind != domain.AccountStaff || (acc.FirstName != "" && acc.LastName != "") {
		return "", nil
	}
	after := *acc
	if after.FirstName == "" {
		if f, err := domain.CheckFirstName(first); err == nil {
			after.FirstName = f
		}
	}
	if after.LastName == "" {
		if l, err := domain.CheckLastName(last); err == nil {
			after.LastName = l
		}
	}
	if after.FirstName == acc.FirstName && after.LastName == acc.LastName {
		return "", nil
	}
	if err := s.store.SetIdentity(ctx, tx, after); err != nil {
		return "", err
	}
	*acc = after
	return " ; prénom et nom repris du service de connexion : " + after.FullName(), nil
}

func identityText(issuer, subject string) string { return issuer + " / " + subject }

// checkReason is a staff decision's reason, trimmed, or its error.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", domain.FieldErrors{ErrReasonRequired}
	case utf8.RuneCountInString(reason) > maxReasonLength:
		return "", domain.FieldErrors{errReasonLong}
	}
	return reason, nil
}

// PendingStaffSignIns lists a page of the held staff sign-ins, oldest first,
// with how many wait, for the central service (ACC-3, ROLE-5).
func (s *Service) PendingStaffSignIns(ctx context.Context, actor domain.Actor, limit, offset int) ([]HeldSignIn, int, error) {
	if !domain.Can(actor, domain.ActManageIdentities, domain.Resource{}) {
		return nil, 0, ErrForbidden
	}
	reqs, total, err := s.store.PendingStaffSignIns(ctx, 0, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	out := make([]HeldSignIn, len(reqs))
	for i, r := range reqs {
		staff, err := s.store.Account(ctx, r.StaffAccountID)
		if err != nil {
			return nil, 0, err
		}
		out[i] = HeldSignIn{ID: r.ID, Issuer: r.Issuer, Subject: r.Subject, Email: r.Email, FirstName: r.FirstName,
			LastName: r.LastName, Staff: staff, Created: r.Created, LastTry: r.LastTry, Attempts: r.Attempts}
	}
	return out, total, nil
}

// DecideStaffSignIn links a held sign-in's identity to its staff account or
// refuses it, with a reason kept in the audit trail; by the central service
// only (ROLE-5). One decision wins when two are made at once: the other is
// ErrAlreadyDecided.
func (s *Service) DecideStaffSignIn(ctx context.Context, actor domain.Actor, requestID int64, d StaffSignInDecision, reason string) error {
	if !domain.Can(actor, domain.ActManageIdentities, domain.Resource{}) {
		return ErrForbidden
	}
	status := map[StaffSignInDecision]string{LinkToStaff: store.SignInLinked, RefuseAsCandidate: store.SignInCandidate, Refuse: store.SignInRefused}[d]
	if status == "" {
		return fmt.Errorf("unknown decision %q", d)
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		r, err := s.store.DecideStaffSignIn(ctx, tx, requestID, status, actor.AccountID, reason, s.now())
		if err != nil {
			return err
		}
		event := domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, SubjectID: r.StaffAccountID, Reason: reason}
		who := fmt.Sprintf("%s (%s)", identityText(r.Issuer, r.Subject), r.Email)
		switch d {
		case RefuseAsCandidate:
			event.Action = domain.AuditSignInRefused
			event.Details = "connexion de " + who + " refusée pour le compte du personnel : c'est un(e) candidat(e), sa prochaine connexion crée un compte de candidat"
		case Refuse:
			event.Action = domain.AuditSignInRefused
			event.Details = "connexion de " + who + " refusée : cette identité ne peut pas se connecter"
		default:
			staff, err := s.store.AccountTx(ctx, tx, r.StaffAccountID)
			if err != nil {
				return err
			}
			taken, err := s.linkToStaff(ctx, tx, &staff, r.Issuer, r.Subject, r.FirstName, r.LastName)
			if err != nil {
				return err
			}
			event.Action = domain.AuditIdentityLinked
			event.Details = "identité " + who + " liée au compte du personnel (connexion mise en attente)" + taken
		}
		return s.store.RecordAudit(ctx, tx, event)
	})
}

// linkToStaff links an identity linked to no account to a staff account, and
// takes the names it brings where the account has none.
func (s *Service) linkToStaff(ctx context.Context, tx *sql.Tx, staff *domain.Account, issuer, subject, first, last string) (string, error) {
	if staff.Kind != domain.AccountStaff {
		return "", ErrNotStaff
	}
	if _, err := s.store.IdentityOwner(ctx, tx, issuer, subject); err == nil {
		return "", ErrIdentityTaken
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if err := s.store.LinkIdentity(ctx, tx, issuer, subject, staff.ID, s.now()); err != nil {
		return "", err
	}
	return s.takeNames(ctx, tx, staff, first, last)
}

// Identities lists the sign-on identities linked to an account, for the
// central service on the person's file (ACC-3, ROLE-5).
func (s *Service) Identities(ctx context.Context, actor domain.Actor, accountID int64) ([]SignOnIdentity, error) {
	if !domain.Can(actor, domain.ActManageIdentities, domain.Resource{AccountID: accountID}) {
		return nil, ErrForbidden
	}
	links, err := s.store.IdentitiesOf(ctx, nil, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]SignOnIdentity, len(links))
	for i, l := range links {
		out[i] = SignOnIdentity{Issuer: l.Issuer, Subject: l.Subject, LinkedAt: l.LinkedAt}
	}
	return out, nil
}

// LinkableIdentities lists what the central service may link to a staff
// account from its file: the sign-ins held for it, and the identities of the
// candidate accounts made with its email (ACC-3, ROLE-5). A candidate's
// account has none.
func (s *Service) LinkableIdentities(ctx context.Context, actor domain.Actor, staff domain.Account) ([]LinkableIdentity, error) {
	if !domain.Can(actor, domain.ActManageIdentities, domain.Resource{AccountID: staff.ID}) {
		return nil, ErrForbidden
	}
	if staff.Kind != domain.AccountStaff {
		return nil, nil
	}
	held, _, err := s.store.PendingStaffSignIns(ctx, staff.ID, 100, 0)
	if err != nil {
		return nil, err
	}
	var out []LinkableIdentity
	for _, r := range held {
		out = append(out, LinkableIdentity{Issuer: r.Issuer, Subject: r.Subject, HeldSince: r.Created})
	}
	links, err := s.store.CandidateIdentitiesByEmail(ctx, staff.Email)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		from, err := s.store.Account(ctx, l.AccountID)
		if err != nil {
			return nil, err
		}
		out = append(out, LinkableIdentity{Issuer: l.Issuer, Subject: l.Subject, From: from})
	}
	return out, nil
}

// LinkIdentity links an identity to a staff account from its file, by the
// central service (ROLE-5), with a reason kept in the audit trail. The
// identity is a sign-in held for it, or one linked to a candidate account
// (the repair of an account a staff member's first sign-in made before staff
// sign-ins were held): it is moved, and the candidate account, left without
// identity, is marked merged when it has no candidature, or disabled when it
// has some (nothing is deleted); its sessions end. The staff account takes the
// names it lacks.
func (s *Service) LinkIdentity(ctx context.Context, actor domain.Actor, staffID int64, issuer, subject, reason string) error {
	if !domain.Can(actor, domain.ActManageIdentities, domain.Resource{AccountID: staffID}) {
		return ErrForbidden
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		staff, err := s.store.AccountTx(ctx, tx, staffID)
		if err != nil {
			return err
		}
		if staff.Kind != domain.AccountStaff {
			return ErrNotStaff
		}
		event := domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditIdentityLinked, SubjectID: staffID, Reason: reason}
		owner, err := s.store.IdentityOwner(ctx, tx, issuer, subject)
		switch {
		case errors.Is(err, store.ErrNotFound):
			req, err := s.store.StaffSignInByIdentity(ctx, tx, issuer, subject)
			if errors.Is(err, store.ErrNotFound) || (err == nil && req.Status != store.SignInPending) {
				return fmt.Errorf("identity %s: %w", identityText(issuer, subject), ErrNotFound)
			}
			if err != nil {
				return err
			}
			taken, err := s.linkToStaff(ctx, tx, &staff, issuer, subject, req.FirstName, req.LastName)
			if err != nil {
				return err
			}
			if err := s.store.SettleStaffSignIn(ctx, tx, issuer, subject, actor.AccountID, reason, s.now()); err != nil {
				return err
			}
			event.Details = fmt.Sprintf("identité %s (%s) liée au compte du personnel (connexion mise en attente)%s", identityText(issuer, subject), req.Email, taken)
		case err != nil:
			return err
		case owner == staffID:
			return nil // linked already: nothing to do
		default:
			from, err := s.store.AccountTx(ctx, tx, owner)
			if err != nil {
				return err
			}
			if from.Kind != domain.AccountCandidate {
				return ErrIdentityTaken
			}
			if moved, err := s.store.MoveIdentity(ctx, tx, issuer, subject, from.ID, staffID, s.now()); err != nil {
				return err
			} else if !moved {
				return ErrIdentityTaken
			}
			left, err := s.leaveCandidateAccount(ctx, tx, from)
			if err != nil {
				return err
			}
			taken, err := s.takeNames(ctx, tx, &staff, from.FirstName, from.LastName)
			if err != nil {
				return err
			}
			event.Details = fmt.Sprintf("identité %s déplacée du compte de candidat n° %d (%s) vers le compte du personnel%s%s",
				identityText(issuer, subject), from.ID, from.Email, left, taken)
		}
		return s.store.RecordAudit(ctx, tx, event)
	})
}

// leaveCandidateAccount settles a candidate account an identity was moved
// from: with no identity left it is marked merged when it has no
// candidature, disabled otherwise; its sessions end either way.
func (s *Service) leaveCandidateAccount(ctx context.Context, tx *sql.Tx, from domain.Account) (string, error) {
	if err := s.store.EndSessionsTx(ctx, tx, from.ID); err != nil {
		return "", err
	}
	n, err := s.store.CountIdentities(ctx, tx, from.ID)
	if err != nil || n > 0 {
		return "", err
	}
	cands, err := s.store.CountCandidaturesOf(ctx, tx, from.ID)
	if err != nil {
		return "", err
	}
	if cands > 0 {
		return fmt.Sprintf(" ; le compte de candidat, qui a %d candidature(s), est désactivé", cands),
			s.store.SetStatus(ctx, tx, from.ID, domain.StatusDisabled)
	}
	return " ; le compte de candidat, vide, est marqué fusionné", s.store.SetStatus(ctx, tx, from.ID, domain.StatusMerged)
}

// UnlinkIdentity removes an identity from an account, by the central service
// (ROLE-5), with a reason kept in the audit trail. The account's sessions end;
// the identity's next sign-in is a first sign-in again (a held request it had
// is forgotten, the audit trail keeps its history).
func (s *Service) UnlinkIdentity(ctx context.Context, actor domain.Actor, accountID int64, issuer, subject, reason string) error {
	if !domain.Can(actor, domain.ActManageIdentities, domain.Resource{AccountID: accountID}) {
		return ErrForbidden
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		ok, err := s.store.UnlinkIdentity(ctx, tx, issuer, subject, accountID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("identity %s of %d: %w", identityText(issuer, subject), accountID, ErrNotFound)
		}
		if err := s.store.ForgetStaffSignIn(ctx, tx, issuer, subject); err != nil {
			return err
		}
		if err := s.store.EndSessionsTx(ctx, tx, accountID); err != nil {
			return err
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditIdentityUnlinked,
			SubjectID: accountID, Reason: reason,
			Details: "identité " + identityText(issuer, subject) + " dissociée du compte ; sa prochaine connexion sera une première connexion"})
	})
}
