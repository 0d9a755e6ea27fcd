package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
)

// MessageRenderer renders the subject and bodies of a message of one kind
// that was kept before its body (domain.Message.RenderRef): the capability
// that wrote it knows how, and is injected at wiring (app), so that neither
// the outbox nor the person's space import it. It must give the same email
// whenever it is called: it renders from what never changes once kept.
type MessageRenderer func(ctx context.Context, m domain.Message) (subject, text, html string, err error)

type renderers struct {
	mu sync.RWMutex
	by map[string]MessageRenderer
}

// RenderMessagesWith makes r render the messages of kind kept without their
// bodies (wiring: called once, before the store serves).
func (s *Store) RenderMessagesWith(kind string, r MessageRenderer) {
	s.renderers.mu.Lock()
	defer s.renderers.mu.Unlock()
	s.renderers.by[kind] = r
}

// materialise renders those of msgs kept without their bodies, stores the
// bodies on their rows (so that what is sent and shown stays kept, as for
// any other message) and sets them in msgs. Two readers rendering the same
// message at once render the same email; the first to store it wins.
func (s *Store) materialise(ctx context.Context, msgs ...*domain.Message) error {
	for _, m := range msgs {
		if m.RenderRef == 0 {
			continue
		}
		s.renderers.mu.RLock()
		r := s.renderers.by[m.Kind]
		s.renderers.mu.RUnlock()
		if r == nil {
			return fmt.Errorf("message %d of kind %s: no renderer for its body", m.ID, m.Kind)
		}
		subject, text, html, err := r(ctx, *m)
		if err != nil {
			return fmt.Errorf("render message %d: %w", m.ID, err)
		}
		if _, err := s.db.W.ExecContext(ctx, `UPDATE messages SET subject = $1, body_text = $2, body_html = $3, render_ref = NULL
			WHERE id = $4 AND render_ref IS NOT NULL`, subject, text, html, m.ID); err != nil {
			return fmt.Errorf("keep the rendered message %d: %w", m.ID, err)
		}
		m.Subject, m.Text, m.HTML, m.RenderRef = subject, text, html, 0
	}
	return nil
}

// InsertUnrenderedMessagesTx keeps in tx one message of kind per account,
// without its body (rendered when first read, from ref), with the given
// Message-IDs, and returns their IDs in the order of accounts; the caller
// queues them (outbox.Queue) in the same transaction.
func (s *Store) InsertUnrenderedMessagesTx(ctx context.Context, tx *sql.Tx, kind string, ref int64, accounts []int64,
	messageIDs []string, now time.Time) ([]int64, error) {
	if len(accounts) != len(messageIDs) {
		return nil, fmt.Errorf("keep %d messages with %d Message-IDs", len(accounts), len(messageIDs))
	}
	ids := make([]int64, 0, len(accounts))
	if s.db.Dialect != db.Postgres {
		// One statement per chunk: each account and its Message-ID a pair of
		// a JSON array (a join of two json_each would be quadratic).
		at := s.instantArg(now)
		for chunk := 0; chunk < len(accounts); chunk += 10000 {
			j := min(chunk+10000, len(accounts))
			rows, err := tx.QueryContext(ctx, `INSERT INTO messages (account_id, kind, subject, body_text, body_html, message_id, created_at, render_ref)
				SELECT json_extract(value, '$[0]'), $2, '', '', '', json_extract(value, '$[1]'), $3, $4 FROM json_each($1)
				WHERE true ORDER BY key RETURNING id`, jsonArg(pairs(accounts[chunk:j], messageIDs[chunk:j])), kind, at, ref)
			if err != nil {
				return nil, fmt.Errorf("keep %d messages: %w", j-chunk, err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return nil, err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("keep %d messages: %w", j-chunk, err)
			}
		}
		slices.Sort(ids)
		return ids, nil
	}
	const chunk = 50000
	for i := 0; i < len(accounts); i += chunk {
		j := min(i+chunk, len(accounts))
		rows, err := tx.QueryContext(ctx, `INSERT INTO messages (account_id, kind, subject, body_text, body_html, message_id, created_at, render_ref)
			SELECT a, $2, '', '', '', m, $4, $5 FROM unnest($1::bigint[], $3::text[]) WITH ORDINALITY AS u(a, m, n) ORDER BY n
			RETURNING id`, accounts[i:j], kind, messageIDs[i:j], now.UTC(), ref)
		if err != nil {
			return nil, fmt.Errorf("keep %d messages: %w", j-i, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("keep %d messages: %w", j-i, err)
		}
	}
	slices.Sort(ids) // the identity gives them in insertion order: the order of accounts
	return ids, nil
}

// pairs is [[account, Message-ID], …].
func pairs(accounts []int64, messageIDs []string) [][2]any {
	out := make([][2]any, len(accounts))
	for i := range accounts {
		out[i] = [2]any{accounts[i], messageIDs[i]}
	}
	return out
}
