package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"cma/internal/domain"
	"cma/internal/store"
)

// Errors of the staff reads and decisions, named here so that the web layer
// matches them without knowing the store: they are the sentinels the store
// wraps, so an error from any depth of a use case matches with errors.Is.
var (
	// ErrNotFound: no such person, review or event.
	ErrNotFound = domain.ErrNotFound
	// ErrAlreadyDecided: the duplicate review was decided meanwhile (another
	// staff member, a second click).
	ErrAlreadyDecided = store.ErrAlreadyDecided
)

// SearchPeople finds people by name or email for the help desk and the
// central service (ROLE-5, ROLE-7). Results are a staff read of people: the
// search is in the audit trail, with who searched, when, for what and how many
// were found.
func (s *Service) SearchPeople(ctx context.Context, actor domain.Actor, query string, limit int) ([]domain.Account, error) {
	if !domain.Can(actor, domain.ActReadPersonFile, domain.Resource{}) {
		return nil, ErrForbidden
	}
	// Only the files the actor may read: the help desk finds candidates, not
	// staff members (ROLE-7).
	return s.search(ctx, actor, query, limit, "recherche de personnes", func(a domain.Account) bool {
		return domain.Can(actor, domain.ActReadPersonFile, domain.Resource{AccountID: a.ID, AccountKind: a.Kind})
	})
}

// SearchCandidatesToAssist finds candidates for an assisted registration
// (CAN-8, ROLE-6): only candidate accounts, and the search is audited like
// SearchPeople.
func (s *Service) SearchCandidatesToAssist(ctx context.Context, actor domain.Actor, query string, limit int) ([]domain.Account, error) {
	if !domain.Can(actor, domain.ActAssistRegistration, domain.Resource{}) {
		return nil, ErrForbidden
	}
	return s.search(ctx, actor, query, limit, "recherche pour une inscription assistée",
		func(a domain.Account) bool { return a.Kind == domain.AccountCandidate })
}

// search runs the query, keeps what keep accepts and records the search.
func (s *Service) search(ctx context.Context, actor domain.Actor, query string, limit int, what string,
	keep func(domain.Account) bool) ([]domain.Account, error) {
	query = strings.TrimSpace(query)
	found, err := s.store.SearchAccounts(ctx, query, limit)
	if err != nil {
		return nil, err
	}
	kept := found[:0]
	for _, a := range found {
		if keep(a) {
			kept = append(kept, a)
		}
	}
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditPeopleSearched,
			Details: fmt.Sprintf("%s « %s » : %d résultat(s)", what, query, len(kept))})
	})
	if err != nil {
		return nil, err
	}
	return kept, nil
}

// OpenForAssistance reads the candidate a guidance agent registers on their
// behalf (CAN-8, ROLE-6) and records that the agent opened their basket. A
// staff account, or a person that does not exist, is ErrNotFound.
func (s *Service) OpenForAssistance(ctx context.Context, actor domain.Actor, accountID int64) (domain.Account, error) {
	if !domain.Can(actor, domain.ActAssistRegistration, domain.Resource{AccountID: accountID}) {
		return domain.Account{}, ErrForbidden
	}
	var acc domain.Account
	err := s.store.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if acc, err = s.store.AccountTx(ctx, tx, accountID); err != nil {
			return err
		}
		if acc.Kind != domain.AccountCandidate {
			return fmt.Errorf("account %d is not a candidate: %w", accountID, ErrNotFound)
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditAssistedOpened,
			SubjectID: accountID, Details: "panier ouvert pour une inscription assistée"})
	})
	if err != nil {
		return domain.Account{}, err
	}
	return acc, nil
}

// DuplicateReview is an account held because it looks like an existing
// person's (ACC-3), waiting for staff to decide.
type DuplicateReview struct {
	ID       int64
	Held     domain.Account
	Existing domain.Account
	Created  time.Time
}

// PendingDuplicates lists the probable duplicates waiting for a decision,
// oldest first, for the central service (ACC-3, ROLE-5).
func (s *Service) PendingDuplicates(ctx context.Context, actor domain.Actor) ([]DuplicateReview, error) {
	if !domain.Can(actor, domain.ActReviewDuplicates, domain.Resource{}) {
		return nil, ErrForbidden
	}
	pending, err := s.store.PendingDuplicates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DuplicateReview, len(pending))
	for i, r := range pending {
		out[i] = DuplicateReview{ID: r.ID, Held: r.Held, Existing: r.Existing, Created: r.Created}
	}
	return out, nil
}

// AuditQuery filters the audit trail. Zero values mean "any".
type AuditQuery struct {
	SubjectID, ActorID int64
	Action             string
	ActorRole          domain.Role // actions of staff holding this role
	From, To           time.Time   // instants, To excluded
	ObjectKind         string      // one catalogue object's changes, with ObjectID
	ObjectID           int64
	Limit, Offset      int
}

// SearchAudit returns the matching events, newest first, and how many match,
// for the central service (ROLE-5).
func (s *Service) SearchAudit(ctx context.Context, actor domain.Actor, q AuditQuery) ([]domain.AuditEvent, int, error) {
	if !domain.Can(actor, domain.ActReadAudit, domain.Resource{}) {
		return nil, 0, ErrForbidden
	}
	return s.store.SearchAudit(ctx, store.AuditQuery(q))
}
