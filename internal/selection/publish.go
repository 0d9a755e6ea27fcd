package selection

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cma/internal/allocation"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
	"cma/internal/store"
)

// messageKindOutcomes is the kind of the outcomes email in the person's space.
const messageKindOutcomes = "selection_outcomes"

// PublishResult says what a publication did.
type PublishResult struct {
	Run     domain.Run
	Already bool // the run was published before: nothing was done again
	Changed int  // candidatures given their new status
	Told    int  // emails kept and queued (one per candidate)
}

// Publish publishes a dry run of a session (PER-1): during the session's
// answer period for the main pass (not before it opens), from the session's
// first day for the placement pass (after the first-day tests). In ONE
// transaction the run becomes published — a second run of the same pass is
// refused by the database's unique index —, every candidature it decided
// that is still active gets its new status, accepted course, deciding run,
// a line in its history and its places on the live waiting lists, and each
// candidate gets one email listing all their outcomes with the next steps,
// kept in their space and queued through the outbox (CON-2). Candidatures
// cancelled meanwhile are skipped. Publishing a published run again is a
// no-op that succeeds: nothing is sent twice.
func (s *Service) Publish(ctx context.Context, actor domain.Actor, runID int64) (PublishResult, error) {
	if !domain.Can(actor, domain.ActRunSelection, domain.Resource{}) {
		return PublishResult{}, ErrForbidden
	}
	run, err := s.store.Run(ctx, runID)
	if err != nil {
		return PublishResult{}, err
	}
	if run.Status == domain.RunPublished {
		return PublishResult{Run: run, Already: true}, nil
	}
	if run.Status != domain.RunDry {
		return PublishResult{}, refuse("selection.publish.not_dry")
	}
	se, err := s.store.SelectionSession(ctx, run.SessionID)
	if err != nil {
		return PublishResult{}, err
	}
	now := s.now()
	if run.Pass == domain.PassPlacement {
		if now.Before(se.FirstDay) {
			return PublishResult{}, refuse("selection.publish.before_first_day", "Day", se.FirstDay.Format("02/01/2006"))
		}
	} else {
		if now.Before(se.AnswerOpens) {
			return PublishResult{}, refuse("selection.publish.before_answer", "Opens", se.AnswerOpens.In(s.paris).Format("02/01/2006"))
		}
		if !se.AnswerCloses.Open(now) {
			return PublishResult{}, refuse("selection.publish.after_answer", "Closes", se.AnswerCloses.Day().Format("02/01/2006"))
		}
	}
	// A dry run decided on what it read: a result entered or changed since,
	// a formation's minimum rate set, a candidature withdrawn would make its
	// outcomes wrong for somebody (PER-1). What it read is kept; read it again.
	if stale, err := s.stale(ctx, run); err != nil {
		return PublishResult{}, err
	} else if stale {
		// Once a run is published every other one is stale: say that first.
		if other, err := s.store.PublishedRunOf(ctx, run.SessionID, run.Pass); err != nil {
			return PublishResult{}, err
		} else if other != 0 {
			return PublishResult{}, refuse("selection.publish.another_published", "Run", other, "This", runID)
		}
		return PublishResult{}, refuse("selection.publish.stale", "Run", run.ID)
	}
	var ix *catalogue.Index
	if s.catalogue != nil {
		if ix, err = s.catalogue.Index(ctx); err != nil {
			return PublishResult{}, err
		}
	}
	forms, err := s.store.SelectionFormations(ctx, run.SessionID)
	if err != nil {
		return PublishResult{}, err
	}
	titles := map[int64]string{}
	for _, f := range forms {
		titles[f.ID] = f.Title
	}
	var res PublishResult
	var tStatuses, tRender, tKeep, tQueue time.Duration
	started := time.Now()
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		res = PublishResult{}
		t := time.Now()
		lap := func(d *time.Duration) { *d = time.Since(t); t = time.Now() }
		changed, already, err := s.store.PublishRunTx(ctx, tx, runID, actor.AccountID, now)
		lap(&tStatuses)
		if err != nil {
			return err
		}
		if already {
			res.Already = true
			return nil
		}
		res.Changed = len(changed)
		if len(changed) > 0 && s.outbox == nil {
			return errors.New("publish: no outbox to tell the candidates")
		}
		// The emails are rendered batch by batch while the previous batch is
		// kept: neither all the bodies in memory at once, nor the database
		// waiting for the templates.
		var ids []int64
		err = s.outcomeEmails(ctx, tx, se, ix, titles, changed, &tRender, func(msgs []*domain.Message) error {
			t := time.Now()
			for _, m := range msgs {
				if m.MessageID, err = s.outbox.NewMessageID(); err != nil {
					return err
				}
			}
			if err := s.store.InsertMessagesTx(ctx, tx, msgs); err != nil {
				return err
			}
			for _, m := range msgs {
				ids = append(ids, m.ID)
			}
			tKeep += time.Since(t)
			return nil
		})
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			t := time.Now()
			if err := s.outbox.Queue(ctx, tx, ids...); err != nil {
				return err
			}
			tQueue = time.Since(t)
		}
		res.Told = len(ids)
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditSelectionPublished,
			ObjectKind: domain.AuditObjectRun, ObjectID: runID,
			Details: fmt.Sprintf("session : %s ; passage : %s ; candidatures : %d ; courriels : %d ; empreinte : %s",
				se.Code, run.Pass, res.Changed, res.Told, run.Digest)})
	})
	if err == nil && !res.Already {
		s.log.Info("selection run published", "run", runID, "candidatures", res.Changed, "emails", res.Told,
			"statuses_history_lists", tStatuses, "render", tRender, "keep", tKeep, "queue", tQueue, "total", time.Since(started))
	}
	if errors.Is(err, store.ErrAlreadyPublished) {
		// Name the run that holds the publication: the person decides
		// whether this one still matters.
		other, oerr := s.store.PublishedRunOf(ctx, run.SessionID, run.Pass)
		if oerr != nil {
			return PublishResult{}, oerr
		}
		return PublishResult{}, refuse("selection.publish.another_published", "Run", other, "This", runID)
	}
	if err != nil {
		return PublishResult{}, err
	}
	res.Run, err = s.store.Run(ctx, runID)
	return res, err
}

// emailBatch is how many emails are rendered, then kept, at a time.
const emailBatch = 4096

// outcomeEmails builds one email per candidate, listing all their outcomes,
// and gives them to keep in batches, in the order of changed (by account),
// while it renders the next batch; rendering is the time spent rendering.
func (s *Service) outcomeEmails(ctx context.Context, tx *sql.Tx, se domain.Session, ix *catalogue.Index, titles map[int64]string,
	changed []store.PublishedCandidature, rendering *time.Duration, keep func([]*domain.Message) error) error {
	var p *i18n.Printer
	if s.words != nil {
		p = s.words.Printer(i18n.French)
	}
	word := func(key, fallback string) string {
		if p == nil {
			return fallback
		}
		return p.T(key)
	}
	describeOnce := func(id int64) (course, address, first string) {
		if ix == nil {
			return "cours n° " + strconv.FormatInt(id, 10), "", ""
		}
		e, ok := ix.Course(id)
		if !ok {
			return "cours n° " + strconv.FormatInt(id, 10), "", ""
		}
		course = e.Code + ", " + word("weekday."+strconv.Itoa(int(e.Weekday)), e.Weekday.String()) + " " +
			domain.FormatClock(e.StartMinute) + "–" + domain.FormatClock(e.EndMinute)
		if e.Establishment != nil {
			course += ", " + e.Establishment.Name
			address = strings.TrimSpace(e.Establishment.Name + ", " + e.Establishment.Address + " " + e.Establishment.PostalCode + " " + e.Establishment.City)
		}
		if !e.FirstClass.IsZero() {
			first = word("weekday."+strconv.Itoa(int(e.FirstClass.Weekday())), "") + " " + e.FirstClass.Format("02/01/2006") +
				" à " + domain.FormatClock(e.StartMinute)
			first = strings.TrimSpace(first)
		}
		return course, address, first
	}
	// Each course is described once: a session has thousands of courses and
	// its emails name them millions of times (chosen, accepted, waited for).
	described := map[int64][3]string{}
	note := func(id int64) {
		if _, ok := described[id]; !ok {
			c, a, f := describeOnce(id)
			described[id] = [3]string{c, a, f}
		}
	}
	for _, c := range changed {
		note(c.CourseID)
		if c.Outcome.CourseID != 0 {
			note(c.Outcome.CourseID)
		}
		for _, w := range c.Outcome.Waiting {
			note(w.CourseID)
		}
	}
	describe := func(id int64) (course, address, first string) { // read only from here: the workers share it
		d, ok := described[id]
		if !ok {
			return describeOnce(id)
		}
		return d[0], d[1], d[2]
	}
	ids := make([]int64, 0, len(changed))
	for i, c := range changed {
		if i == 0 || changed[i-1].AccountID != c.AccountID {
			ids = append(ids, c.AccountID)
		}
	}
	names, err := s.store.FirstNamesTx(ctx, tx, ids)
	if err != nil {
		return err
	}
	// One email per person: the person's candidatures are changed[i:j].
	type span struct{ i, j int }
	var spans []span
	for i := 0; i < len(changed); {
		j := i
		for j < len(changed) && changed[j].AccountID == changed[i].AccountID {
			j++
		}
		spans = append(spans, span{i, j})
		i = j
	}
	now := s.now()
	render := func(sp span) (*domain.Message, error) {
		i, j := sp.i, sp.j
		accountID := changed[i].AccountID
		m := mail.Outcomes{FirstName: names[accountID], Session: se.Name, SpaceURL: s.publicURL + "/mes-candidatures"}
		for _, c := range changed[i:j] {
			o := c.Outcome
			chosen, address, first := describe(c.CourseID)
			line := mail.OutcomeLine{Kind: mail.OutcomeKind(o.Outcome), Formation: titles[c.FormationID], Course: chosen,
				Address: address, FirstClass: first}
			if o.Outcome == domain.OutcomeAccepted && o.CourseID != 0 {
				line.Accepted, line.Address, line.FirstClass = describe(o.CourseID)
			}
			for _, w := range o.Waiting {
				name, _, _ := describe(w.CourseID)
				line.Waiting = append(line.Waiting, name+" : position "+strconv.Itoa(w.Position))
			}
			if o.Outcome == domain.OutcomeIneligible {
				line.Reason = gateWords(p, o.Gate)
			}
			m.Lines = append(m.Lines, line)
		}
		subject, text, html, err := mail.RenderOutcomes(m)
		if err != nil {
			return nil, err
		}
		return &domain.Message{AccountID: accountID, Kind: messageKindOutcomes, Subject: subject, Text: text, HTML: html,
			CreatedAt: now}, nil
	}
	// renderBatch renders a batch on every core but one (templates are pure
	// CPU; the site keeps a core for its pages while a session is published),
	// each worker a stride of the batch.
	renderBatch := func(batch []span) ([]*domain.Message, error) {
		msgs := make([]*domain.Message, len(batch))
		workers := min(max(runtime.GOMAXPROCS(0)-1, 1), max(len(batch)/256, 1))
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := w; k < len(batch); k += workers {
					m, err := render(batch[k])
					if err != nil {
						errs[w] = err
						return
					}
					msgs[k] = m
				}
			}()
		}
		wg.Wait()
		return msgs, errors.Join(errs...)
	}
	type rendered struct {
		msgs []*domain.Message
		err  error
	}
	out := make(chan rendered, 1) // one batch rendered ahead of the one kept
	stop, finished := make(chan struct{}), make(chan struct{})
	defer func() { close(stop); <-finished }()
	go func() {
		defer close(finished)
		defer close(out)
		for batch := range slices.Chunk(spans, emailBatch) {
			t := time.Now()
			msgs, err := renderBatch(batch)
			*rendering += time.Since(t)
			select {
			case out <- rendered{msgs, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for r := range out {
		if r.err != nil {
			return r.err
		}
		if err := keep(r.msgs); err != nil {
			return err
		}
	}
	return nil
}

// gateWords words the gate that stopped a candidature (allocation's keys).
// stale reports whether the session's input has changed since the run read
// it: the kept input and the input read now, both without the run's seed,
// encode to different bytes. A run kept without its input cannot tell: not
// stale. (A change between this check and the publication's transaction is
// not seen: the window is the time of one read.)
func (s *Service) stale(ctx context.Context, run domain.Run) (bool, error) {
	kept, err := s.store.RunInput(ctx, run.ID)
	if err != nil || kept == nil {
		return false, err
	}
	then, err := decodeInput(kept)
	if err != nil {
		return false, err
	}
	now, err := s.buildInput(ctx, run.SessionID, run.Pass)
	if err != nil {
		return false, err
	}
	then.Input.Seed, now.Input.Seed = 0, 0
	a, err := then.encode()
	if err != nil {
		return false, err
	}
	b, err := now.encode()
	if err != nil {
		return false, err
	}
	return !bytes.Equal(a, b), nil
}

func gateWords(p *i18n.Printer, gate string) string {
	for g := allocation.GatePrerequisites; g <= allocation.GateNotPassed; g++ {
		if g.String() == gate {
			if p == nil {
				return gate
			}
			return p.WordKeyed(g.Text())
		}
	}
	return gate
}
