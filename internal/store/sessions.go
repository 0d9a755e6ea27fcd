package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/domain"
)

// SessionStore keeps web sessions in the database (the scs Store interface), so
// that web instances stay stateless and a session survives a restart.
//
// It reads the wall clock (time.Now), not the platform's injected clock: scs
// computes every session's expiry from the wall clock, and an expiry is only
// comparable with the clock that set it. No rule of SPEC.md is decided here.
type SessionStore struct{ s *Store }

// Sessions returns the session store.
func (s *Store) Sessions() SessionStore { return SessionStore{s} }

// FindCtx returns a session's data if it exists and has not expired.
func (ss SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := ss.s.db.R.QueryRowContext(ctx, `SELECT data FROM web_sessions WHERE token = $1 AND expiry > $2`,
		token, ss.s.instantArg(time.Now())).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return data, true, nil
}

// FindSignedInCtx returns a session's data with the account it is signed in
// to, read in the same query: a signed-in request needs both, and this spares
// it a round trip. found is false when there is no such unexpired session
// signed in to an account (an anonymous session is found by FindCtx).
func (ss SessionStore) FindSignedInCtx(ctx context.Context, token string) (data []byte, acc domain.Account, found bool, err error) {
	row := ss.s.db.R.QueryRowContext(ctx, `SELECT s.data, `+sessionAccountColumns+`
		FROM web_sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token = $1 AND s.expiry > $2`,
		token, ss.s.instantArg(time.Now()))
	acc, err = scanAccount(prefixScan{row, &data})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, acc, false, nil
	}
	if err == nil {
		acc, err = withGrants(ctx, ss.s.db.R, acc)
	}
	if err != nil {
		return nil, acc, false, fmt.Errorf("find signed-in session: %w", err)
	}
	return data, acc, true, nil
}

// sessionAccountColumns are accountColumns read from the alias a.
var sessionAccountColumns = func() string {
	cols := strings.Split(accountColumns, ",")
	for i, c := range cols {
		cols[i] = "a." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}()

// prefixScan scans the columns before an account's into dest.
type prefixScan struct {
	row  rowScanner
	dest any
}

func (p prefixScan) Scan(dest ...any) error { return p.row.Scan(append([]any{p.dest}, dest...)...) }

// CommitCtx saves a session that is not signed in to an account.
func (ss SessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	return ss.CommitSignedInCtx(ctx, token, data, expiry, 0, domain.SignOn{})
}

// CommitSignedInCtx saves a session signed in to account (0: none), so that
// FindSignedInCtx finds it with its account, and with the sign-on session it
// comes from (zero: none), so that DeleteSignOnSessionsCtx finds it. The same
// upsert works on SQLite and PostgreSQL.
func (ss SessionStore) CommitSignedInCtx(ctx context.Context, token string, data []byte, expiry time.Time, account int64, signOn domain.SignOn) error {
	_, err := ss.s.db.W.ExecContext(ctx, `INSERT INTO web_sessions (token, data, expiry, account_id, signon_issuer, signon_sid, signon_subject)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, account_id = excluded.account_id,
			signon_issuer = excluded.signon_issuer, signon_sid = excluded.signon_sid, signon_subject = excluded.signon_subject`,
		token, data, ss.s.instantArg(expiry), nullID(account), nullText(signOn.Issuer), nullText(signOn.SID), nullText(signOn.Subject))
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// DeleteSignOnSessionsCtx ends every web session bound to a sign-on session
// that the identity provider ended: by issuer and sid when the provider
// names the sid, else every session of the issuer's subject (OpenID Connect
// Back-Channel and Front-Channel Logout). It returns how many ended.
func (ss SessionStore) DeleteSignOnSessionsCtx(ctx context.Context, signOn domain.SignOn) (int64, error) {
	var res sql.Result
	var err error
	switch {
	case signOn.Issuer == "":
		return 0, errors.New("end sign-on sessions: no issuer")
	case signOn.SID != "":
		res, err = ss.s.db.W.ExecContext(ctx, `DELETE FROM web_sessions WHERE signon_issuer = $1 AND signon_sid = $2`,
			signOn.Issuer, signOn.SID)
	case signOn.Subject != "":
		res, err = ss.s.db.W.ExecContext(ctx, `DELETE FROM web_sessions WHERE signon_issuer = $1 AND signon_subject = $2`,
			signOn.Issuer, signOn.Subject)
	default:
		return 0, errors.New("end sign-on sessions: neither sid nor subject")
	}
	if err != nil {
		return 0, fmt.Errorf("end sign-on sessions: %w", err)
	}
	return res.RowsAffected()
}

// DeleteSignOnSessionsWithoutSIDCtx ends the web sessions of subject at
// issuer whose sign-on carried no sid (see websession.EndSignOnWithoutSID).
func (ss SessionStore) DeleteSignOnSessionsWithoutSIDCtx(ctx context.Context, issuer, subject string) (int64, error) {
	if issuer == "" || subject == "" {
		return 0, errors.New("end sign-on sessions without sid: no issuer or subject")
	}
	res, err := ss.s.db.W.ExecContext(ctx, `DELETE FROM web_sessions WHERE signon_issuer = $1 AND signon_subject = $2
		AND signon_sid IS NULL`, issuer, subject)
	if err != nil {
		return 0, fmt.Errorf("end sign-on sessions without sid: %w", err)
	}
	return res.RowsAffected()
}

// nullText is s, or NULL when empty.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// DeleteCtx removes a session (sign-out).
func (ss SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := ss.s.db.W.ExecContext(ctx, `DELETE FROM web_sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Find, Commit and Delete are the context-free scs methods.
func (ss SessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

func (ss SessionStore) Commit(token string, data []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, data, expiry)
}

func (ss SessionStore) Delete(token string) error { return ss.DeleteCtx(context.Background(), token) }

// DeleteExpiredSessions removes expired sessions; serve runs it periodically.
func (ss SessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := ss.s.db.W.ExecContext(ctx, `DELETE FROM web_sessions WHERE expiry <= $1`, ss.s.instantArg(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
