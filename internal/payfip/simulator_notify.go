package payfip

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// NotifyMode says how the simulator notifies urlnotif once an operation has a
// result. The zero value is NotifyNow.
type NotifyMode struct {
	kind  notifyKind
	delay time.Duration
}

type notifyKind int

const (
	notifyNow notifyKind = iota
	notifyLate
	notifyTwice
	notifyNever
	notifyHeld
	notifyOutOfOrder
)

// The notification modes.
var (
	// NotifyNow delivers at once (in the background: never before the
	// browser's answer is on its way).
	NotifyNow = NotifyMode{kind: notifyNow}
	// NotifyTwice delivers twice in a row, as a retrying sender would.
	NotifyTwice = NotifyMode{kind: notifyTwice}
	// NotifyNever drops the notification, as a lost one: Flush does not
	// deliver it; only the detail call (reconciliation) finds the result.
	NotifyNever = NotifyMode{kind: notifyNever}
	// NotifyHeld keeps the notification until Flush.
	NotifyHeld = NotifyMode{kind: notifyHeld}
	// NotifyOutOfOrder keeps the notification until Flush, which delivers the
	// ones kept so in the reverse order of their results.
	NotifyOutOfOrder = NotifyMode{kind: notifyOutOfOrder}
)

// NotifyLate delivers after d (real time, not the Now clock), or at Flush if
// that comes first.
func NotifyLate(d time.Duration) NotifyMode { return NotifyMode{kind: notifyLate, delay: d} }

func (m NotifyMode) String() string {
	switch m.kind {
	case notifyLate:
		return "late " + m.delay.String()
	case notifyTwice:
		return "twice"
	case notifyNever:
		return "never"
	case notifyHeld:
		return "held"
	case notifyOutOfOrder:
		return "out of order"
	}
	return "now"
}

// SetNotifyMode sets the mode of the operations that get their result from now
// on, unless given one by SetOperationNotifyMode.
func (s *Simulator) SetNotifyMode(mode NotifyMode) {
	s.mu.Lock()
	s.defaultMode = mode
	s.mu.Unlock()
}

// SetOperationNotifyMode sets the mode of one operation, before its result.
func (s *Simulator) SetOperationNotifyMode(idOp string, mode NotifyMode) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[idOp]
	if !ok {
		return fmt.Errorf("%w: %s", ErrSimUnknownOperation, idOp)
	}
	if op.Resultrans != "" {
		return fmt.Errorf("%w: %s", ErrSimAlreadySettled, idOp)
	}
	op.Mode, op.modeSet = mode, true
	return nil
}

// pendingNotification is a notification kept for later.
type pendingNotification struct {
	idOp     string
	urlNotif string
	kind     notifyKind
	seq      int
	timer    *time.Timer // NotifyLate only
}

// scheduleLocked acts on op's notification mode, its result just recorded.
func (s *Simulator) scheduleLocked(op *simOp) {
	if s.closed || op.URLNotif == "" {
		return
	}
	s.seq++
	p := &pendingNotification{idOp: op.IDOp, urlNotif: op.URLNotif, kind: op.Mode.kind, seq: s.seq}
	switch op.Mode.kind {
	case notifyNow:
		s.startLocked(p.idOp, p.urlNotif, 1)
	case notifyTwice:
		s.startLocked(p.idOp, p.urlNotif, 2)
	case notifyNever:
		s.log.Info("notification dropped (mode never)", "idop", op.IDOp)
	case notifyHeld, notifyOutOfOrder:
		s.pending = append(s.pending, p)
	case notifyLate:
		s.pending = append(s.pending, p)
		p.timer = time.AfterFunc(op.Mode.delay, func() { s.fireLate(p) })
	}
}

// fireLate delivers a late notification whose time has come, unless Flush took
// it first.
func (s *Simulator) fireLate(p *pendingNotification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.pending, p)
	if i < 0 || s.closed {
		return
	}
	s.pending = slices.Delete(s.pending, i, i+1)
	s.startLocked(p.idOp, p.urlNotif, 1)
}

// startLocked delivers in the background, times times.
func (s *Simulator) startLocked(idOp, urlNotif string, times int) {
	s.inflight++
	go func() {
		defer s.deliveryDone()
		for range times {
			s.deliver(s.ctx, idOp, urlNotif)
		}
	}()
}

func (s *Simulator) deliveryDone() {
	s.mu.Lock()
	s.inflight--
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// Flush delivers the notifications kept (held, late, out of order: the
// out-of-order ones last, newest first), then waits until no delivery is in
// flight. Dropped ones (NotifyNever) stay dropped.
func (s *Simulator) Flush(ctx context.Context) error {
	s.mu.Lock()
	kept := s.pending
	s.pending = nil
	s.mu.Unlock()
	var inOrder, reversed []*pendingNotification
	for _, p := range kept {
		if p.timer != nil {
			p.timer.Stop()
		}
		if p.kind == notifyOutOfOrder {
			reversed = append(reversed, p)
		} else {
			inOrder = append(inOrder, p)
		}
	}
	slices.Reverse(reversed)
	for _, p := range append(inOrder, reversed...) {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.deliver(ctx, p.idOp, p.urlNotif)
	}
	return s.waitIdle(ctx)
}

// waitIdle returns once no delivery is in flight.
func (s *Simulator) waitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		n, ch := s.inflight, s.changed
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// deliver posts the notification, with the retries of NotifyBackoff.
func (s *Simulator) deliver(ctx context.Context, idOp, urlNotif string) {
	for attempt := 0; ; attempt++ {
		err := s.post(ctx, idOp, urlNotif)
		s.mu.Lock()
		if op, ok := s.ops[idOp]; ok {
			op.NotifyAttempts++
			if err == nil {
				op.Notified++
			}
		}
		s.mu.Unlock()
		if err == nil {
			s.log.Info("notification delivered", "idop", idOp, "attempt", attempt+1)
			return
		}
		if attempt >= len(s.opts.NotifyBackoff) || ctx.Err() != nil {
			s.log.Warn("notification not delivered, giving up", "idop", idOp, "attempts", attempt+1, "error", err)
			return
		}
		s.log.Info("notification failed, will retry", "idop", idOp, "attempt", attempt+1, "error", err)
		select {
		case <-time.After(s.opts.NotifyBackoff[attempt]):
		case <-ctx.Done():
			return
		}
	}
}

// post is one attempt: the form PayFiP posts, idop=<idOp>.
func (s *Simulator) post(ctx context.Context, idOp, urlNotif string) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.NotifyTimeout)
	defer cancel()
	form := url.Values{"idop": {idOp}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, urlNotif, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "cma-payfip-simulator")
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("urlnotif answered HTTP %d", resp.StatusCode)
	}
	return nil
}
