package store

import (
	"cma/internal/domain"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RecordAudit appends an event inside the caller's transaction, so that the
// change and its trace are written together or not at all.
func (s *Store) RecordAudit(ctx context.Context, tx *sql.Tx, e domain.AuditEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor_account_id, action, subject_account_id, details, reason,
		object_kind, object_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.instantArg(e.At), nullID(e.ActorID), e.Action,
		nullID(e.SubjectID), e.Details, e.Reason, e.ObjectKind, nullID(e.ObjectID))
	if err != nil {
		return fmt.Errorf("record audit event %s: %w", e.Action, err)
	}
	return nil
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

// SearchAudit returns matching events, newest first, and how many match.
func (s *Store) SearchAudit(ctx context.Context, q AuditQuery) ([]domain.AuditEvent, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.SubjectID != 0 {
		add("e.subject_account_id = $%d", q.SubjectID)
	}
	if q.ActorID != 0 {
		add("e.actor_account_id = $%d", q.ActorID)
	}
	if q.ObjectKind != "" {
		add("e.object_kind = $%d", q.ObjectKind)
		add("e.object_id = $%d", q.ObjectID)
	}
	if q.Action != "" {
		add("e.action = $%d", q.Action)
	}
	if q.ActorRole != "" {
		add("e.actor_account_id IN (SELECT g.account_id FROM staff_grants g WHERE g.role = $%d)", string(q.ActorRole))
	}
	if !q.From.IsZero() {
		add("e.at >= $%d", s.instantArg(q.From))
	}
	if !q.To.IsZero() {
		add("e.at < $%d", s.instantArg(q.To))
	}
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM audit_events e WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit events: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	args = append(args, limit, q.Offset)
	// A person is named by their names, or by their email when they have none
	// (a staff account created without names).
	rows, err := s.db.R.QueryContext(ctx, `SELECT e.id, e.at, COALESCE(e.actor_account_id, 0),
		COALESCE(NULLIF(TRIM(a.first_name || ' ' || a.last_name), ''), a.email, ''), e.action, COALESCE(e.subject_account_id, 0),
		COALESCE(NULLIF(TRIM(p.first_name || ' ' || p.last_name), ''), p.email, ''), e.details, e.reason,
		e.object_kind, COALESCE(e.object_id, 0)
		FROM audit_events e
		LEFT JOIN accounts a ON a.id = e.actor_account_id
		LEFT JOIN accounts p ON p.id = e.subject_account_id
		WHERE `+cond+fmt.Sprintf(` ORDER BY e.at DESC, e.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("search audit events: %w", err)
	}
	defer rows.Close()
	var out []domain.AuditEvent
	for rows.Next() {
		var e domain.AuditEvent
		if err := rows.Scan(&e.ID, timeCol{&e.At}, &e.ActorID, &e.ActorName, &e.Action, &e.SubjectID, &e.SubjectName,
			&e.Details, &e.Reason, &e.ObjectKind, &e.ObjectID); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	// The actors' roles, one read per actor of the page (a page has few).
	roles := map[int64][]domain.Role{}
	for i, e := range out {
		if e.ActorID == 0 {
			continue
		}
		r, ok := roles[e.ActorID]
		if !ok {
			grants, err := grantsOf(ctx, s.db.R, e.ActorID)
			if err != nil {
				return nil, 0, err
			}
			for _, g := range grants {
				if !slices.Contains(r, g.Role) {
					r = append(r, g.Role)
				}
			}
			roles[e.ActorID] = r
		}
		out[i].ActorRoles = r
	}
	return out, total, nil
}
