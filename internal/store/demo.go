package store

import (
	"cma/internal/domain"
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DemoLoadedAction is the audit action recording that the demo loader filled
// this database: `serve --demo` runs its simulators again on it.
const DemoLoadedAction = domain.AuditDemoLoaded

// Contents is what a database holds, as `serve --demo` needs to know it.
type Contents struct {
	Catalogue  bool // an establishment exists
	Accounts   bool // an account exists
	DemoLoaded bool // the demo loader recorded that it filled the database
}

// Empty says that nothing was ever put in the database.
func (c Contents) Empty() bool { return !c.Catalogue && !c.Accounts && !c.DemoLoaded }

// ReadContents reads what the database holds.
func (s *Store) ReadContents(ctx context.Context) (Contents, error) {
	var c Contents
	err := s.db.R.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM establishments),
		EXISTS (SELECT 1 FROM accounts),
		EXISTS (SELECT 1 FROM audit_events WHERE action = $1)`, DemoLoadedAction).Scan(&c.Catalogue, &c.Accounts, &c.DemoLoaded)
	if err != nil {
		return c, fmt.Errorf("read what the database holds: %w", err)
	}
	return c, nil
}

// MarkDemoLoaded records, as an action of the platform itself, that the demo
// loader filled the database.
func (s *Store) MarkDemoLoaded(ctx context.Context, at time.Time, details string) error {
	return s.InTx(ctx, func(tx *sql.Tx) error {
		return s.RecordAudit(ctx, tx, domain.AuditEvent{At: at, Action: DemoLoadedAction, Details: details,
			Reason: "données de démonstration"})
	})
}
