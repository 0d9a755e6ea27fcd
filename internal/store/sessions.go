package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SessionStore keeps web sessions in the database (the scs Store interface), so
// that web instances stay stateless and a session survives a restart.
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

// CommitCtx saves a session (the same upsert works on SQLite and PostgreSQL).
func (ss SessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := ss.s.db.W.ExecContext(ctx, `INSERT INTO web_sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, data, ss.s.instantArg(expiry))
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
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
