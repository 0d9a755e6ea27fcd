package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"cma/internal/domain"
	"cma/internal/store"
)

// The staff API's personal access tokens (ROLE-5). A central-service member
// creates one for themselves, for another of the city's systems; its secret is
// shown once and only its SHA-256 is kept. Any central-service member may
// revoke any token (a leaked one must not wait for its owner), with a reason
// kept in the journal. A token acts as its owner, with the owner's grants of
// the moment: the API checks them on every request.

// TokenPrefix starts every secret, so that a secret pasted where it should not
// be is recognised (by people and by secret scanners).
const TokenPrefix = "cma_pat_"

// tokenShown is how many characters of a secret lists show: the prefix and
// the first six random ones, enough to tell tokens apart, far too few to guess.
const tokenShown = len(TokenPrefix) + 6

// maxTokenName is the longest token name, in characters.
const maxTokenName = 80

// touchEvery is how often a token's last use is written at most.
const touchEvery = time.Minute

// ErrTokenInvalid is a bearer secret that authenticates no one: unknown,
// revoked, expired, or its owner's account disabled or merged. The API does
// not say which.
var ErrTokenInvalid = errors.New("api token invalid")

// The errors of the token form, on its logical fields.
var (
	errTokenName     = domain.FieldError{Field: "name", Key: "apitoken.error.name"}
	errTokenNameLong = domain.FieldError{Field: "name", Key: "apitoken.error.name_long", Args: map[string]any{"Max": maxTokenName}}
	errTokenScope    = domain.FieldError{Field: "scope", Key: "apitoken.error.scope"}
	errTokenExpiry   = domain.FieldError{Field: "expires", Key: "apitoken.error.expiry_past"}
	errRevokeReason  = domain.FieldError{Field: "reason", Key: "apitoken.error.reason"}
)

// ErrAlreadyRevoked: the token was revoked meanwhile (another member, a second click).
var ErrAlreadyRevoked = errors.New("api token already revoked")

// NewAPIToken is the token form: a name saying what it is for, a scope, and
// an optional last day of validity (open until the end of that day, Paris time).
type NewAPIToken struct {
	Name    string
	Scope   domain.TokenScope
	LastDay domain.Deadline // zero: never expires
}

// CreateAPIToken creates a token for the actor themselves (ROLE-5) and returns
// its secret, which is nowhere else: the page shows it once.
func (s *Service) CreateAPIToken(ctx context.Context, actor domain.Actor, in NewAPIToken) (string, domain.APIToken, error) {
	if !domain.Can(actor, domain.ActManageAPITokens, domain.Resource{}) {
		return "", domain.APIToken{}, ErrForbidden
	}
	now := s.now()
	in.Name = strings.TrimSpace(in.Name)
	var errs domain.FieldErrors
	switch {
	case in.Name == "":
		errs = append(errs, errTokenName)
	case utf8.RuneCountInString(in.Name) > maxTokenName:
		errs = append(errs, errTokenNameLong)
	}
	if !in.Scope.Valid() {
		errs = append(errs, errTokenScope)
	}
	if !in.LastDay.IsZero() && in.LastDay.Passed(now) {
		errs = append(errs, errTokenExpiry)
	}
	if len(errs) > 0 {
		return "", domain.APIToken{}, errs
	}
	secret, err := newTokenSecret()
	if err != nil {
		return "", domain.APIToken{}, err
	}
	t := domain.APIToken{AccountID: actor.AccountID, Name: in.Name, Scope: in.Scope, Prefix: secret[:tokenShown],
		CreatedAt: now, CreatedBy: actor.AccountID}
	if !in.LastDay.IsZero() {
		t.ExpiresAt = in.LastDay.End()
	}
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.store.InsertAPIToken(ctx, tx, &t, hashToken(secret)); err != nil {
			return err
		}
		details := fmt.Sprintf("nom : %s ; portée : %s ; préfixe : %s ; expire : %s", t.Name, scopeWord(t.Scope), t.Prefix, lastDayWord(in.LastDay))
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditAPITokenCreated,
			SubjectID: actor.AccountID, Details: details, ObjectKind: domain.AuditObjectAPIToken, ObjectID: t.ID})
	})
	if err != nil {
		return "", domain.APIToken{}, err
	}
	return secret, t, nil
}

// APITokens lists every token of the platform for the central service
// (ROLE-5): whose, what for, its scope, when created, last used, expiring,
// revoked. The secrets are not there.
func (s *Service) APITokens(ctx context.Context, actor domain.Actor) ([]domain.APIToken, error) {
	if !domain.Can(actor, domain.ActManageAPITokens, domain.Resource{}) {
		return nil, ErrForbidden
	}
	return s.store.APITokens(ctx)
}

// RevokeAPIToken ends a token at once, with a reason kept in the journal
// (ROLE-5). ErrAlreadyRevoked when it already was.
func (s *Service) RevokeAPIToken(ctx context.Context, actor domain.Actor, id int64, reason string) error {
	if !domain.Can(actor, domain.ActManageAPITokens, domain.Resource{}) {
		return ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return domain.FieldErrors{errRevokeReason}
	case utf8.RuneCountInString(reason) > maxReasonLength:
		return domain.FieldErrors{errReasonLong}
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.store.APIToken(ctx, tx, id)
		if err != nil {
			return err
		}
		done, err := s.store.RevokeAPIToken(ctx, tx, id, actor.AccountID, now)
		if err != nil {
			return err
		}
		if !done {
			return ErrAlreadyRevoked
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditAPITokenRevoked,
			SubjectID: t.AccountID, Details: fmt.Sprintf("nom : %s ; préfixe : %s", t.Name, t.Prefix), Reason: reason,
			ObjectKind: domain.AuditObjectAPIToken, ObjectID: t.ID})
	})
}

// AuthenticateToken is who a bearer secret acts as: the token's owner with
// their grants of the moment, and the token (for its scope). Anything else is
// ErrTokenInvalid. The token's last use is written at most once a minute.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (domain.Account, domain.Actor, domain.APIToken, error) {
	fail := func() (domain.Account, domain.Actor, domain.APIToken, error) {
		return domain.Account{}, domain.Actor{}, domain.APIToken{}, ErrTokenInvalid
	}
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 128 {
		return fail()
	}
	hash := hashToken(secret)
	t, kept, err := s.store.APITokenByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return fail()
	}
	if err != nil {
		return domain.Account{}, domain.Actor{}, domain.APIToken{}, err
	}
	// The index found the row by its hash; the comparison of the hashes
	// themselves takes the same time whatever they share.
	if subtle.ConstantTimeCompare([]byte(kept), []byte(hash)) != 1 {
		return fail()
	}
	now := s.now()
	if !t.Active(now) {
		return fail()
	}
	acc, err := s.store.Account(ctx, t.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return fail()
	}
	if err != nil {
		return domain.Account{}, domain.Actor{}, domain.APIToken{}, err
	}
	if acc.Status == domain.StatusDisabled || acc.Status == domain.StatusMerged {
		return fail()
	}
	if t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.store.TouchAPIToken(ctx, t.ID, now, now.Add(-touchEvery)); err != nil {
			s.log.Warn("api token: last use not recorded", "token", t.ID, "error", err)
		} else {
			t.LastUsedAt = now
		}
	}
	return acc, ActorOf(acc), t, nil
}

// newTokenSecret is TokenPrefix and 32 random bytes in lower-case base32
// (52 characters, no padding): 256 bits, copied and pasted in one go.
func newTokenSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("api token secret: %w", err)
	}
	return TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// hashToken is what the database keeps of a secret: its SHA-256, in hex. A
// secret of 256 random bits needs no slow hash: it cannot be guessed.
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func scopeWord(s domain.TokenScope) string {
	if s == domain.ScopeWrite {
		return "lecture et écriture"
	}
	return "lecture"
}

func lastDayWord(d domain.Deadline) string {
	if d.IsZero() {
		return "jamais"
	}
	return "fin du " + d.Day().Format("02/01/2006")
}
