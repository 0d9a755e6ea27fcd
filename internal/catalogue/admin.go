package catalogue

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/outbox"
	"cma/internal/store"
)

// Admin is the catalogue administration (ROLE-5, ROLE-3): the central service
// sets up a school year — sessions and their periods (PER-1), establishments
// and rooms, formations, courses (CAT-3, CAT-4), imports and exports of a
// session's catalogue, school holidays (CAT-5), remote delivery (CAT-6) — and
// a director staffs her own establishment's courses. Every change is one
// transaction with its audit event, which names the object and says what it
// was before and after; the catalogue revision it bumps makes every instance
// reload within a second.
type Admin struct {
	store     *store.Store
	catalogue *Service
	outbox    *outbox.Outbox
	words     *i18n.Catalog // the emails' words (CON-2)
	now       func() time.Time
	paris     *time.Location
	publicURL string // where the emails' links point, without a trailing slash
	log       *slog.Logger

	// lastParsed is the last spreadsheet the import parsed, by its digest:
	// the import that follows the dry run of the same file parses it once.
	lastParsed struct {
		sync.Mutex
		digest   string
		wb       *workbook
		problems []Problem
		err      error
	}
}

// AdminDeps are the administration's dependencies; app wires them.
type AdminDeps struct {
	Store     *store.Store
	Catalogue *Service
	Outbox    *outbox.Outbox
	Words     *i18n.Catalog
	Now       func() time.Time
	Paris     *time.Location
	PublicURL string
	Log       *slog.Logger
}

// NewAdmin returns the catalogue administration.
func NewAdmin(d AdminDeps) *Admin {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Admin{store: d.Store, catalogue: d.Catalogue, outbox: d.Outbox, words: d.Words, now: d.Now,
		paris: d.Paris, publicURL: strings.TrimRight(d.PublicURL, "/"), log: d.Log}
}

// ErrForbidden is returned when the actor may not make a change; the web
// layer answers 403.
var ErrForbidden = errors.New("catalogue: forbidden")

// ErrNotFound is returned for an object that does not exist.
var ErrNotFound = domain.ErrNotFound

// change is one transaction of the administration: fn writes, then the
// audit event is recorded in the same transaction, and the instance's own
// catalogue is told to look at the revision at its next read.
func (a *Admin) change(ctx context.Context, fn func(tx *sql.Tx) ([]domain.AuditEvent, error)) error {
	err := a.store.InTx(ctx, func(tx *sql.Tx) error {
		events, err := fn(tx)
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.At.IsZero() {
				e.At = a.now()
			}
			if err := a.store.RecordAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && a.catalogue != nil {
		a.catalogue.Invalidate()
	}
	return err
}

// Fields is an object's audited values by field name, in French (the audit
// trail is read by the central service).
type Fields [][2]string

// Changes says what changed from before to after, one "field : old → new" per
// changed field, in after's order; a new object (before nil) lists every
// field, an archived one says so in its action instead.
func Changes(before, after Fields) string {
	old := map[string]string{}
	for _, f := range before {
		old[f[0]] = f[1]
	}
	var parts []string
	for _, f := range after {
		was, ok := old[f[0]]
		switch {
		case before == nil:
			parts = append(parts, f[0]+" : "+f[1])
		case !ok || was != f[1]:
			parts = append(parts, f[0]+" : "+orDash(was)+" → "+orDash(f[1]))
		}
	}
	return strings.Join(parts, " ; ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Audit is the trail of one catalogue object, newest first, for its page
// (ROLE-5 reads it; a director reads her own courses').
func (a *Admin) Audit(ctx context.Context, kind string, id int64, limit int) ([]domain.AuditEvent, error) {
	if !slices.Contains([]string{domain.AuditObjectSession, domain.AuditObjectEstablishment, domain.AuditObjectFormation,
		domain.AuditObjectCourse, domain.AuditObjectAPIToken}, kind) {
		return nil, ErrNotFound
	}
	events, _, err := a.store.SearchAudit(ctx, store.AuditQuery{ObjectKind: kind, ObjectID: id, Limit: limit})
	return events, err
}
