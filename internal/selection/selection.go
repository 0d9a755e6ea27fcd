// Package selection runs the selection of a session (SEL-1..3, SEL-5, PER-1,
// PER-2): the sittings of tests and interviews with their nominative
// convocations and results; the runs that read every active candidature,
// call the engine (internal/allocation) with a drawn seed and store every
// outcome with the input's digest; the review of a dry run and the
// publication of one, which gives each candidature its new status and tells
// every candidate once; the explanation of each outcome; the fairness report;
// the directors' lists.
//
// Reading order: sittings.go and results.go (SEL-2, SEL-3), run.go (a run),
// publish.go (PER-1), explain.go, report.go, lists.go.
package selection

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/outbox"
	"cma/internal/store"
)

// Errors the web layer answers with a status.
var (
	ErrForbidden = errors.New("selection: forbidden")
	ErrNotFound  = domain.ErrNotFound
)

// Service runs the selection's use cases.
type Service struct {
	store     *store.Store
	catalogue *catalogue.Service
	outbox    *outbox.Outbox
	words     *i18n.Catalog // the emails' and documents' words (CON-2)
	now       func() time.Time
	paris     *time.Location
	publicURL string // where the emails' links point, without a trailing slash
	log       *slog.Logger
	drill     DrillPause
	// lastPublished is the context of the last run whose emails were
	// rendered (RenderOutcomesMessage).
	lastPublished struct {
		sync.Mutex
		pc *publishContext
	}
}

// Deps are the service's dependencies; app wires them.
type Deps struct {
	Store     *store.Store
	Catalogue *catalogue.Service
	Outbox    *outbox.Outbox
	Words     *i18n.Catalog
	Now       func() time.Time
	Paris     *time.Location
	PublicURL string
	Log       *slog.Logger
	// Drill, for reliability drills only, pauses a run at a known step so
	// that a drill can kill it there; the zero value pauses nowhere.
	Drill DrillPause
}

// DrillPause stops a run for a while at a known step, saying so on the log
// (message "selection drill: run paused", attribute step), so that a
// reliability drill can SIGKILL the process there. Never set in production:
// `cma select run` sets it from CMA_DRILL_* variables only (see app).
type DrillPause struct {
	// BeforeStore: after the engine, before the storing transaction begins
	// (the run is running and beating, nothing is written).
	BeforeStore time.Duration
	// InStore: inside the storing transaction, every outcome written but not
	// committed.
	InStore time.Duration
}

// New returns the service.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Paris == nil {
		d.Paris = time.UTC
	}
	return &Service{store: d.Store, catalogue: d.Catalogue, outbox: d.Outbox, words: d.Words, now: d.Now, paris: d.Paris,
		publicURL: strings.TrimRight(d.PublicURL, "/"), log: d.Log, drill: d.Drill}
}
