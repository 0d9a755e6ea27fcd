package payfip

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Simulator is the development simulator of PayFiP: a real HTTP server (see
// Handler) speaking PayFiP's SOAP operations, serving a French payment page and
// calling urlnotif the way PayFiP does. State lives in memory, under a mutex,
// for one process; operations are purged a day after their creation (the
// detail call then answers P1, as PayFiP's nightly clean-up makes it).
type Simulator struct {
	opts   SimulatorOptions
	prefix string
	log    *slog.Logger
	http   *http.Client
	paris  *time.Location
	pages  *pageSet

	ctx    context.Context // canceled by Close: stops deliveries in flight
	cancel context.CancelFunc

	mu          sync.Mutex
	ops         map[string]*simOp
	order       []string // idOps in creation order, for the purge
	defaultMode NotifyMode
	pending     []*pendingNotification
	seq         int
	detailMin   time.Duration
	detailMax   time.Duration
	failDetail  int
	inflight    int
	changed     chan struct{} // closed and replaced when a delivery ends
	closed      bool
}

// SimulatorOptions configure a Simulator. The zero value works.
type SimulatorOptions struct {
	// Prefix is where the caller mounts Handler, like "/dev/payfip". The
	// handler expects full request paths (do not strip the prefix): mount it at
	// Prefix+"/". Empty: the root.
	Prefix string
	// Numcli is the contract number the simulator knows; any other is refused
	// (creerPaiementSecurise, recupererDetailClient). Empty: any 6 digits.
	Numcli string
	// Now is the clock of creations, results and expiry; nil: time.Now. In
	// demo mode it is the platform's (the demo clock).
	Now func() time.Time
	// HTTPClient calls urlnotif; nil: a client of its own.
	HTTPClient *http.Client
	// IDOpLifetime is how long an operation's page accepts a payment; zero:
	// 15 minutes, as PayFiP.
	IDOpLifetime time.Duration
	// PurgeAfter is when an operation is forgotten (P1); zero: 24 hours.
	PurgeAfter time.Duration
	// MaxOperations bounds the operations kept (the oldest go first); zero:
	// 100 000.
	MaxOperations int
	// NotifyBackoff are the waits between the attempts to deliver a
	// notification that failed (an error or a status other than 2xx); nil:
	// 1 s then 5 s, three attempts in all; empty (not nil): one attempt.
	// PayFiP itself retries little, so a lost notification must be caught by
	// the platform's reconciliation, not by the simulator's insistence; a few
	// quick attempts only spare demo mode a restart race.
	NotifyBackoff []time.Duration
	// NotifyTimeout bounds one delivery attempt; zero: 10 s.
	NotifyTimeout time.Duration
	// ReturnWithRedirect sends the browser back to urlredirect with a 303 and
	// ?idop= in the query. By default the simulator does as PayFiP: a page whose
	// form posts idop to urlredirect (submitted by a script when one runs, by
	// the payer's click otherwise).
	ReturnWithRedirect bool
	// Log receives the simulator's events; nil: discarded.
	Log *slog.Logger
}

// SimOperation is what the simulator holds of one operation.
type SimOperation struct {
	IDOp        string
	Numcli      string
	Exer        string
	Mel         string
	Montant     int64
	Objet       string
	Refdet      string
	Saisie      string
	URLNotif    string
	URLRedirect string
	CreatedAt   time.Time
	// Resultrans is empty until a result is recorded.
	Resultrans string
	Dattrans   string // DDMMYYYY, Europe/Paris
	Heurtrans  string // HHMM, Europe/Paris
	Numauto    string
	SettledAt  time.Time
	// Mode is the notification mode the operation was given, or the default
	// one at its result.
	Mode NotifyMode
	// Notified counts the notifications delivered (a 2xx answer);
	// NotifyAttempts every attempt, failed ones included.
	Notified       int
	NotifyAttempts int
}

// simOp is an operation with what only the simulator sees.
type simOp struct {
	SimOperation
	token   string // the payment page's form token (CSRF)
	modeSet bool
}

// Errors of Pay (and of the payment page, which words them in French).
var (
	ErrSimUnknownOperation = errors.New("payfip simulator: unknown idOp")
	ErrSimExpired          = errors.New("payfip simulator: the operation has expired")
	ErrSimAlreadySettled   = errors.New("payfip simulator: the operation already has a result")
	ErrSimBadResult        = errors.New("payfip simulator: resultrans must be P, V, R, Z or A")
)

// NewSimulator returns a simulator; serve its Handler. Call Close when done
// (it stops the deliveries still waiting).
func NewSimulator(opts SimulatorOptions) *Simulator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.IDOpLifetime <= 0 {
		opts.IDOpLifetime = 15 * time.Minute
	}
	if opts.PurgeAfter <= 0 {
		opts.PurgeAfter = 24 * time.Hour
	}
	if opts.MaxOperations <= 0 {
		opts.MaxOperations = 100_000
	}
	if opts.NotifyBackoff == nil {
		opts.NotifyBackoff = []time.Duration{time.Second, 5 * time.Second}
	}
	if opts.NotifyTimeout <= 0 {
		opts.NotifyTimeout = 10 * time.Second
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		// No zone database (cmd/cma embeds one with time/tzdata): winter
		// time, an hour off in summer, rather than no simulator.
		paris = time.FixedZone("CET", 3600)
	}
	prefix := "/" + strings.Trim(opts.Prefix, "/")
	if prefix == "/" {
		prefix = ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Simulator{
		opts: opts, prefix: prefix, log: log.With("component", "payfip-simulator"), http: client,
		paris: paris, pages: newPageSet(prefix), ctx: ctx, cancel: cancel,
		ops: map[string]*simOp{}, changed: make(chan struct{}),
	}
}

// Close stops the late and held notifications and waits for the deliveries in
// flight to end.
func (s *Simulator) Close() {
	s.mu.Lock()
	s.closed = true
	for _, p := range s.pending {
		if p.timer != nil {
			p.timer.Stop()
		}
	}
	s.pending = nil
	s.mu.Unlock()
	s.cancel()
	_ = s.waitIdle(context.Background())
}

// Operations returns the operations held, oldest first.
func (s *Simulator) Operations() []SimOperation {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	out := make([]SimOperation, 0, len(s.order))
	for _, id := range s.order {
		if op, ok := s.ops[id]; ok {
			out = append(out, op.SimOperation)
		}
	}
	return out
}

// Operation returns the operation idOp, if held.
func (s *Simulator) Operation(idOp string) (SimOperation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	op, ok := s.ops[idOp]
	if !ok {
		return SimOperation{}, false
	}
	return op.SimOperation, true
}

// SetDetailDelay makes recupererDetailPaiementSecurise answer after a random
// wait between min and max (uniform), as PayFiP does under load; 0, 0 turns it
// off.
func (s *Simulator) SetDetailDelay(min, max time.Duration) {
	if max < min {
		max = min
	}
	s.mu.Lock()
	s.detailMin, s.detailMax = min, max
	s.mu.Unlock()
}

// FailNextDetail makes the next n recupererDetailPaiementSecurise calls answer
// TechIndisponibiliteErreur (a temporary fault).
func (s *Simulator) FailNextDetail(n int) {
	s.mu.Lock()
	s.failDetail = max(n, 0)
	s.mu.Unlock()
}

// Pay records the result resultrans (P, V, R, Z or A) of the operation idOp as
// if the payer had pressed the page's button, then notifies urlnotif by the
// operation's notification mode. It fails for an unknown, expired or already
// settled operation.
func (s *Simulator) Pay(ctx context.Context, idOp, resultrans string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.settle(idOp, resultrans)
	return err
}

// create records a new operation and returns it.
func (s *Simulator) create(f operationFields, montant int64) *simOp {
	now := s.opts.Now()
	op := &simOp{SimOperation: SimOperation{
		IDOp: newIDOp(), Numcli: f.Numcli, Exer: f.Exer, Mel: f.Mel, Montant: montant, Objet: f.Objet,
		Refdet: f.Refdet, Saisie: f.Saisie, URLNotif: f.URLNotif, URLRedirect: f.URLRedirect, CreatedAt: now,
	}, token: randomToken()}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	for len(s.order) >= s.opts.MaxOperations {
		delete(s.ops, s.order[0])
		s.order = s.order[1:]
	}
	s.ops[op.IDOp] = op
	s.order = append(s.order, op.IDOp)
	s.log.Info("operation created", "idop", op.IDOp, "refdet", op.Refdet, "montant", montant)
	return op
}

// opState is what the page and the detail call see of an operation.
type opState int

const (
	stateUnknown opState = iota
	stateOpen
	stateExpired
	stateSettled
)

// lookup returns a copy of the operation idOp and its state.
func (s *Simulator) lookup(idOp string) (simOp, opState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	op, ok := s.ops[idOp]
	if !ok {
		return simOp{}, stateUnknown
	}
	return *op, s.stateLocked(op)
}

func (s *Simulator) stateLocked(op *simOp) opState {
	switch {
	case op.Resultrans != "":
		return stateSettled
	case s.opts.Now().Sub(op.CreatedAt) >= s.opts.IDOpLifetime:
		return stateExpired
	}
	return stateOpen
}

// settle records a result and schedules the notification.
func (s *Simulator) settle(idOp, resultrans string) (SimOperation, error) {
	switch resultrans {
	case ResultPaidCard, ResultPaidDebit, ResultRefusedCard, ResultRefusedDebit, ResultAbandoned:
	default:
		return SimOperation{}, fmt.Errorf("%w, got %q", ErrSimBadResult, resultrans)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	op, ok := s.ops[idOp]
	if !ok {
		return SimOperation{}, fmt.Errorf("%w: %s", ErrSimUnknownOperation, idOp)
	}
	switch s.stateLocked(op) {
	case stateSettled:
		return op.SimOperation, fmt.Errorf("%w: %s is %s", ErrSimAlreadySettled, idOp, op.Resultrans)
	case stateExpired:
		return op.SimOperation, fmt.Errorf("%w: %s", ErrSimExpired, idOp)
	}
	now := s.opts.Now()
	local := now.In(s.paris)
	op.Resultrans = resultrans
	op.SettledAt = now
	op.Dattrans = local.Format("02012006")
	op.Heurtrans = local.Format("1504")
	if resultrans == ResultPaidCard {
		op.Numauto = randomDigits(6)
	}
	if !op.modeSet {
		op.Mode = s.defaultMode
	}
	s.log.Info("operation settled", "idop", idOp, "resultrans", resultrans, "notify", op.Mode.String())
	s.scheduleLocked(op)
	return op.SimOperation, nil
}

// purgeLocked forgets the operations older than PurgeAfter.
func (s *Simulator) purgeLocked() {
	limit := s.opts.Now().Add(-s.opts.PurgeAfter)
	n := 0
	for _, id := range s.order {
		op, ok := s.ops[id]
		if ok && op.CreatedAt.After(limit) {
			break
		}
		delete(s.ops, id)
		n++
	}
	if n > 0 {
		s.order = slices.Delete(s.order, 0, n)
	}
}

// newIDOp returns a random identifier shaped like PayFiP's (a UUID).
func newIDOp() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// randomToken is the payment page's form token.
func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x", b[:])
}

func randomDigits(n int) string {
	var b strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String()
}

// detailWait returns the wait before answering a detail call, and whether the
// call must fail.
func (s *Simulator) detailWait() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := false
	if s.failDetail > 0 {
		s.failDetail--
		fail = true
	}
	d := s.detailMin
	if s.detailMax > s.detailMin {
		d += time.Duration(mrand.Int64N(int64(s.detailMax - s.detailMin + 1)))
	}
	return d, fail
}
