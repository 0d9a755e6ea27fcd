package selection

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cma/internal/allocation"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
	"cma/internal/store"
)

// MessageKindOutcomes is the kind of the outcomes email in the person's
// space; its messages are rendered by RenderOutcomesMessage (app wires it).
const MessageKindOutcomes = "selection_outcomes"

const messageKindOutcomes = MessageKindOutcomes

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
	var res PublishResult
	var tStatuses, tKeep time.Duration
	started := time.Now()
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		res = PublishResult{}
		t := time.Now()
		changed, accounts, already, err := s.store.PublishRunTx(ctx, tx, runID, actor.AccountID, now)
		tStatuses = time.Since(t)
		if err != nil {
			return err
		}
		if already {
			res.Already = true
			return nil
		}
		res.Changed = changed
		if len(accounts) > 0 && s.outbox == nil {
			return errors.New("publish: no outbox to tell the candidates")
		}
		// One email per candidate, kept and queued here without its body: it
		// is rendered from the run's outcomes, which never change once
		// published, when it is first sent or shown (RenderOutcomesMessage,
		// bench/README.md "Publication at scale, third pass").
		t = time.Now()
		if res.Told, err = s.outbox.KeepUnrendered(ctx, tx, messageKindOutcomes, runID, accounts, now); err != nil {
			return err
		}
		tKeep = time.Since(t)
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditSelectionPublished,
			ObjectKind: domain.AuditObjectRun, ObjectID: runID,
			Details: fmt.Sprintf("session : %s ; passage : %s ; candidatures : %d ; courriels : %d ; empreinte : %s",
				se.Code, run.Pass, res.Changed, res.Told, run.Digest)})
	})
	if err == nil && !res.Already {
		s.log.Info("selection run published", "run", runID, "candidatures", res.Changed, "emails", res.Told,
			"statuses_history_lists", tStatuses, "keep_queue", tKeep, "total", time.Since(started))
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

// RenderOutcomesMessage renders the outcomes email of a published run to
// one person (m.RenderRef is the run), listing all the outcomes its
// publication gave them with the next steps: the store calls it when the
// message, kept without its body by Publish, is first sent or shown (app
// wires it: store.RenderMessagesWith).
func (s *Service) RenderOutcomesMessage(ctx context.Context, m domain.Message) (subject, text, html string, err error) {
	runID := m.RenderRef
	pc, err := s.publishContext(ctx, runID)
	if err != nil {
		return "", "", "", err
	}
	name, cands, err := s.store.PublishedOutcomes(ctx, runID, m.AccountID)
	if err != nil {
		return "", "", "", err
	}
	if len(cands) == 0 {
		return "", "", "", fmt.Errorf("run %d decided nothing for account %d", runID, m.AccountID)
	}
	var ix *catalogue.Index
	if s.catalogue != nil {
		if ix, err = s.catalogue.Index(ctx); err != nil {
			return "", "", "", err
		}
	}
	return s.outcomesEmail(pc, ix, name, cands)
}

// publishContext is what every outcomes email of a run names beside the
// courses: the session, the formations' titles, the words. The last run's is
// kept for a minute: a publication's emails are sent one after another.
type publishContext struct {
	runID  int64
	se     domain.Session
	titles map[int64]string
	p      *i18n.Printer
	read   time.Time // a minute at most: a formation's title may be corrected
}

func (s *Service) publishContext(ctx context.Context, runID int64) (*publishContext, error) {
	s.lastPublished.Lock()
	pc := s.lastPublished.pc
	s.lastPublished.Unlock()
	if pc != nil && pc.runID == runID && time.Since(pc.read) < time.Minute {
		return pc, nil
	}
	run, err := s.store.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	pc = &publishContext{runID: runID, titles: map[int64]string{}, read: time.Now()}
	if pc.se, err = s.store.SelectionSession(ctx, run.SessionID); err != nil {
		return nil, err
	}
	forms, err := s.store.SelectionFormations(ctx, run.SessionID)
	if err != nil {
		return nil, err
	}
	for _, f := range forms {
		pc.titles[f.ID] = f.Title
	}
	if s.words != nil {
		pc.p = s.words.Printer(i18n.French)
	}
	s.lastPublished.Lock()
	s.lastPublished.pc = pc
	s.lastPublished.Unlock()
	return pc, nil
}

// outcomesEmail renders the one email to a person listing all their
// outcomes (cands, by candidature ID) with the next steps.
func (s *Service) outcomesEmail(pc *publishContext, ix *catalogue.Index, firstName string, cands []store.PublishedCandidature) (subject, text, html string, err error) {
	p := pc.p
	word := func(key, fallback string) string {
		if p == nil {
			return fallback
		}
		return p.T(key)
	}
	describe := func(id int64) (course, address, first string) {
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
	m := mail.Outcomes{FirstName: firstName, Session: pc.se.Name, SpaceURL: s.publicURL + "/mes-candidatures"}
	for _, c := range cands {
		o := c.Outcome
		chosen, address, first := describe(c.CourseID)
		line := mail.OutcomeLine{Kind: mail.OutcomeKind(o.Outcome), Formation: pc.titles[c.FormationID], Course: chosen,
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
	return mail.RenderOutcomes(m)
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
	now, err := s.buildInput(ctx, run.SessionID, run.Pass)
	if err != nil {
		return false, err
	}
	// Most often nothing changed: the input read now, given the run's seed,
	// encodes to the very bytes kept, compared through a digest of each
	// stream without decoding the kept one (a second input in memory,
	// seconds at a million candidatures).
	now.Input.Seed = run.Seed
	if same, err := sameEncoding(kept, now); err != nil {
		return false, err
	} else if same {
		return false, nil
	}
	then, err := decodeInput(kept)
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

// sameEncoding reports whether kept (gzip of gob, runInput.encode) holds
// the gob encoding of ri, comparing SHA-256 digests of the two streams.
func sameEncoding(kept []byte, ri *runInput) (bool, error) {
	z, err := gzip.NewReader(bytes.NewReader(kept))
	if err != nil {
		return false, fmt.Errorf("kept input: %w", err)
	}
	defer z.Close()
	h := sha256.New()
	if _, err := io.Copy(h, z); err != nil {
		return false, fmt.Errorf("kept input: %w", err)
	}
	g := sha256.New()
	if err := gob.NewEncoder(g).Encode(ri); err != nil {
		return false, err
	}
	return bytes.Equal(h.Sum(nil), g.Sum(nil)), nil
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
