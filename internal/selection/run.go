package selection

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"cma/internal/allocation"
	"cma/internal/domain"
	"cma/internal/store"
)

// Refusal is a use case refused for a reason the person can fix: a message
// key of the locales and its arguments (i18n.Keyed).
type Refusal struct {
	Key  string
	Args map[string]any
}

func (r *Refusal) Error() string               { return "selection: " + r.Key }
func (r *Refusal) MessageKey() string          { return r.Key }
func (r *Refusal) MessageArgs() map[string]any { return r.Args }

func refuse(key string, kv ...any) *Refusal {
	r := &Refusal{Key: key}
	if len(kv) > 0 {
		r.Args = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Args[kv[i].(string)] = kv[i+1]
		}
	}
	return r
}

// StaleAfter is how long a running run may stay without a heartbeat before
// another instance takes it for dead (SIGKILL) and may start again; a running
// run beats every HeartbeatEvery.
const (
	StaleAfter     = 2 * time.Minute
	HeartbeatEvery = 10 * time.Second
)

// Progress is told how far a run is: stage is a message key, done/total
// count the run's steps (RunSteps in all).
type Progress func(stage string, done, total int)

// RunSteps is the number of steps a run reports: reading the input, the
// engine's six stages, storing the outcomes.
const RunSteps = 8

// StartRun runs a dry selection run of the session's pass (SEL-1, SEL-3,
// SEL-5, PER-2) and returns it once its outcomes are stored. See Begin.
func (s *Service) StartRun(ctx context.Context, actor domain.Actor, sessionID int64, pass domain.RunPass) (domain.Run, error) {
	return s.StartRunWith(ctx, actor, sessionID, pass, nil)
}

// StartRunWith is StartRun telling progress how far it is.
func (s *Service) StartRunWith(ctx context.Context, actor domain.Actor, sessionID int64, pass domain.RunPass, progress Progress) (domain.Run, error) {
	j, err := s.begin(ctx, actor, sessionID, pass, progress)
	if err != nil {
		return domain.Run{}, err
	}
	if err := j.finish(ctx); err != nil {
		return domain.Run{}, err
	}
	return s.store.Run(ctx, j.runID)
}

// StartRunBackground checks and records the run like StartRun, then decides
// it in a goroutine of its own and returns the run's ID at once: the back
// office shows its progress from its heartbeats.
func (s *Service) StartRunBackground(ctx context.Context, actor domain.Actor, sessionID int64, pass domain.RunPass) (int64, error) {
	j, err := s.begin(ctx, actor, sessionID, pass, nil)
	if err != nil {
		return 0, err
	}
	go func() {
		if err := j.finish(context.WithoutCancel(ctx)); err != nil {
			s.log.Error("selection run failed", "run", j.runID, "err", err)
		}
	}()
	return j.runID, nil
}

// runJob is a recorded run, its input read, left to decide.
type runJob struct {
	s        *Service
	actor    domain.Actor
	session  domain.Session
	runID    int64
	seed     uint64
	in       *runInput
	progress Progress
	load     time.Duration // reading the input
}

// begin checks the run may start, reads its input, draws its seed and
// records it as running (refused with ErrRunInProgress while another run of
// the session is alive).
func (s *Service) begin(ctx context.Context, actor domain.Actor, sessionID int64, pass domain.RunPass, progress Progress) (*runJob, error) {
	if !domain.Can(actor, domain.ActRunSelection, domain.Resource{}) {
		return nil, ErrForbidden
	}
	if pass != domain.PassMain && pass != domain.PassPlacement {
		return nil, refuse("selection.run.pass_invalid")
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	se, err := s.store.SelectionSession(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if se.CandidatureStateAt(now) != domain.CandidatureClosed {
		return nil, refuse("selection.run.not_closed", "Session", se.Name, "Closes", se.CandidatureCloses.Day().Format("02/01/2006"))
	}
	if pass == domain.PassMain {
		id, err := s.store.PublishedRunOf(ctx, sessionID, pass)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			return nil, refuse("selection.run.already_published", "Run", id)
		}
	}
	progress("selection.run.stage.load", 0, RunSteps)
	loadStart := time.Now()
	in, err := s.buildInput(ctx, sessionID, pass)
	load := time.Since(loadStart)
	if err != nil {
		return nil, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("draw the seed: %w", err)
	}
	seed := binary.LittleEndian.Uint64(b[:])
	id, err := s.store.StartRun(ctx, sessionID, pass, seed, actor.AccountID, now, now.Add(-StaleAfter))
	if errors.Is(err, store.ErrRunInProgress) {
		return nil, refuse("selection.run.in_progress")
	}
	if err != nil {
		return nil, err
	}
	return &runJob{s: s, actor: actor, session: se, runID: id, seed: seed, in: in, progress: progress, load: load}, nil
}

// pause is the drill's pause at step (DrillPause).
func (s *Service) pause(ctx context.Context, runID int64, step string, d time.Duration) {
	if d <= 0 {
		return
	}
	s.log.Warn("selection drill: run paused", "run", runID, "step", step, "for", d)
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// finish decides the run and stores every outcome in one transaction; a
// failure marks the run failed and keeps nothing it decided.
func (j *runJob) finish(ctx context.Context) error {
	s := j.s
	var mu sync.Mutex
	stage, done := "selection.run.stage.load", 1
	beat := func() {
		mu.Lock()
		st, d := stage, done
		mu.Unlock()
		if err := s.store.RunHeartbeat(ctx, j.runID, st, d, RunSteps, s.now()); err != nil {
			s.log.Warn("selection run heartbeat", "run", j.runID, "err", err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // alive while the engine or the store works
		defer wg.Done()
		t := time.NewTicker(HeartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				beat()
			}
		}
	}()
	var last time.Time
	report := func(st string, d int) {
		mu.Lock()
		stage, done = st, d
		mu.Unlock()
		j.progress(st, d, RunSteps)
		if time.Since(last) >= 250*time.Millisecond { // a few heartbeats a second at most
			last = time.Now()
			beat()
		}
	}
	report("selection.run.stage.load", 1)
	err := j.decide(ctx, report)
	close(stop)
	wg.Wait()
	if err != nil {
		if ferr := s.store.FailRun(context.WithoutCancel(ctx), j.runID, err.Error(), s.now()); ferr != nil {
			s.log.Error("selection run: mark failed", "run", j.runID, "err", ferr)
		}
		return err
	}
	j.progress("allocation.stage.done", RunSteps, RunSteps)
	return nil
}

func (j *runJob) decide(ctx context.Context, report func(string, int)) error {
	s := j.s
	j.in.Input.Seed = j.seed
	// The input is kept as the engine is given it (the engine does not change
	// it: a publication's stale check compares this encoding with the input
	// read again). Encoded first, the encoder's buffer of the whole input is
	// garbage before the engine's result and the outcomes are built: the
	// run's peak memory holds one of the three fewer.
	encodeStart := time.Now()
	kept, err := j.in.encode()
	if err != nil {
		return err
	}
	started := time.Now()
	encode := started.Sub(encodeStart)
	res, err := allocation.Run(j.in.Input, allocation.Options{Progress: func(stage allocation.Text, done, total int) {
		report(stage.Key, 1+done*6/max(total, 1))
	}})
	if err != nil {
		return fmt.Errorf("the engine refused the input: %w", err)
	}
	engine := time.Since(started)
	outcomes, err := j.in.outcomes(j.runID, res)
	if err != nil {
		return err
	}
	sum := summarise(j.in, res, outcomes)
	sum.EngineMillis, sum.LoadMillis = engine.Milliseconds(), j.load.Milliseconds()
	js, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	report("selection.run.stage.store", RunSteps-1)
	audit := domain.AuditEvent{At: s.now(), ActorID: j.actor.AccountID, Action: domain.AuditSelectionRun,
		ObjectKind: domain.AuditObjectRun, ObjectID: j.runID,
		Details: fmt.Sprintf("session : %s ; passage : %s ; graine : %d ; empreinte : %s ; candidatures : %d ; admis : %d ; en attente : %d",
			j.session.Code, j.in.Pass, j.seed, res.Digest, len(outcomes), sum.Outcomes[domain.OutcomeAccepted], sum.Outcomes[domain.OutcomeWaiting])}
	// The engine's input is not read past this point: let the collector
	// reclaim it while the outcomes are stored (the result already is: res
	// is not live past the call's arguments).
	j.in = nil
	s.pause(ctx, j.runID, "before-store", s.drill.BeforeStore)
	stored := time.Now()
	err = s.store.FinishRunInput(ctx, j.runID, res.Digest, string(js), outcomes, kept, s.now(), func(ctx context.Context, tx *sql.Tx) error {
		if err := s.store.RecordAudit(ctx, tx, audit); err != nil {
			return err
		}
		s.pause(ctx, j.runID, "in-store", s.drill.InStore)
		return nil
	})
	s.log.Info("selection run stored", "run", j.runID, "outcomes", len(outcomes), "load", j.load, "encode", encode, "engine", engine,
		"prepare", stored.Sub(started)-engine, "store", time.Since(stored), "input_bytes", len(kept))
	return err
}

// outcomes maps the engine's decisions to the run's outcomes, and adds the
// candidatures decided without it (first-day tests in the main pass).
func (ri *runInput) outcomes(runID int64, res *allocation.Result) ([]domain.RunOutcome, error) {
	out := make([]domain.RunOutcome, 0, len(res.Decisions)+len(ri.FirstDay))
	for i := range res.Decisions {
		d := &res.Decisions[i]
		id, ok := ri.candidature(d.Candidate, d.Formation)
		if !ok {
			return nil, fmt.Errorf("decision for candidate %d, formation %d: no such candidature", d.Candidate, d.Formation)
		}
		out = append(out, outcomeOf(runID, id, d))
	}
	for _, id := range ri.FirstDay {
		out = append(out, domain.RunOutcome{RunID: runID, CandidatureID: id, Outcome: domain.OutcomeFirstDayTest})
	}
	return out, nil
}

// outcomeOf is one decision as the run keeps it.
func outcomeOf(runID, candidatureID int64, d *allocation.Decision) domain.RunOutcome {
	o := domain.RunOutcome{RunID: runID, CandidatureID: candidatureID, Evaluation: int(d.Priority.Evaluation),
		Social: int(d.Priority.Social), Record: int(d.Priority.Record), Motivation: int(d.Priority.Motivation),
		Lottery: d.Priority.Lottery, Placed: d.Placed}
	switch d.Outcome {
	case allocation.Accepted:
		o.Outcome, o.CourseID, o.Redirected = domain.OutcomeAccepted, int64(d.Course), d.Redirected
	case allocation.Waiting:
		o.Outcome = domain.OutcomeWaiting
	default:
		o.Gate = d.Gate.String()
		switch d.Gate {
		case allocation.GateWithdrawn:
			o.Outcome = domain.OutcomeWithdrawn
		case allocation.GateNotPassed:
			o.Outcome = domain.OutcomeNotRetained
		default:
			o.Outcome = domain.OutcomeIneligible
		}
	}
	for _, p := range d.Waiting {
		o.Waiting = append(o.Waiting, domain.WaitingPlace{CourseID: int64(p.Course), Position: int(p.Position)})
	}
	for _, c := range d.Removed {
		o.Removed = append(o.Removed, int64(c))
	}
	return o
}

// Summary is what a run decided, per course and per formation, kept as JSON
// in selection_runs.summary so that the review page and the fairness report
// read it without re-running. Its JSON is stable: fields are only added.
type Summary struct {
	Version      int                    `json:"version"` // 1
	Pass         domain.RunPass         `json:"pass"`
	Seed         string                 `json:"seed"` // decimal: a uint64 does not fit a JSON number safely
	Digest       string                 `json:"digest"`
	Candidatures int                    `json:"candidatures"` // every outcome of the run
	Outcomes     map[domain.Outcome]int `json:"outcomes"`     // how many of each
	Clashes      int                    `json:"clashes"`      // courses removed from lists for a slot clash (CAN-3)
	Courses      []CourseSummary        `json:"courses"`      // by course ID
	Formations   []FormationSummary     `json:"formations"`   // by formation ID: the engine's fairness
	EngineMillis int64                  `json:"engine_ms"`    // the engine alone
	LoadMillis   int64                  `json:"load_ms"`      // reading the input from the database
}

// CourseSummary is one course's side of a run.
type CourseSummary struct {
	Course           int64   `json:"course"`
	Formation        int64   `json:"formation"`
	Level            int     `json:"level"`
	Capacity         int     `json:"capacity"`
	Accepted         int     `json:"accepted"`
	AcceptedSocial   int     `json:"accepted_social"`
	Waiting          int     `json:"waiting"`
	Redirected       int     `json:"redirected"`      // accepted here, having chosen another course (SEL-5)
	ClashesRemoved   int     `json:"clashes_removed"` // candidatures that lost this course for a clash (CAN-3)
	CutOff           *CutOff `json:"cut_off,omitempty"`
	MinSocialPercent int     `json:"min_social_percent"`
	RateMet          bool    `json:"rate_met"`
	NotEnoughSocial  bool    `json:"not_enough_social"`
}

// CutOff is the priority of the last candidate accepted in a course (SEL-1).
type CutOff struct {
	Evaluation     int    `json:"evaluation"`
	Social         int    `json:"social"`
	SocialPriority bool   `json:"social_priority"`
	Record         int    `json:"record"`
	Motivation     int    `json:"motivation"`
	Lottery        string `json:"lottery"`
}

// FormationSummary is the engine's fairness summary of one formation.
type FormationSummary struct {
	Formation         int64  `json:"formation"`
	Name              string `json:"name"`
	Candidatures      int    `json:"candidatures"`
	Ineligible        int    `json:"ineligible"`
	Applicants        int    `json:"applicants"`
	ApplicantsSocial  int    `json:"applicants_social"`
	Accepted          int    `json:"accepted"`
	AcceptedSocial    int    `json:"accepted_social"`
	Waiting           int    `json:"waiting"`
	MinSocialPercent  int    `json:"min_social_percent"`
	CoursesBelowRate  int    `json:"courses_below_rate"`
	CoursesRateBroken int    `json:"courses_rate_broken"`
	RateMet           bool   `json:"rate_met"`
	Redirects         int    `json:"redirects"`
	Placements        int    `json:"placements"`
	ClashRemovals     int    `json:"clash_removals"`
}

// Decode reads a run's summary (domain.Run.Summary); an empty text (a run
// still running, or failed) gives an empty summary.
func Decode(summary string) (Summary, error) {
	var s Summary
	if summary == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(summary), &s); err != nil {
		return s, fmt.Errorf("run summary: %w", err)
	}
	return s, nil
}

// Course returns the summary of one course, or nil.
func (s *Summary) Course(id int64) *CourseSummary {
	for i := range s.Courses {
		if s.Courses[i].Course == id {
			return &s.Courses[i]
		}
	}
	return nil
}

func summarise(ri *runInput, res *allocation.Result, outcomes []domain.RunOutcome) Summary {
	sum := Summary{Version: 1, Pass: ri.Pass, Seed: strconv.FormatUint(res.Seed, 10), Digest: res.Digest,
		Candidatures: len(outcomes), Outcomes: map[domain.Outcome]int{}, Clashes: len(res.Clashes)}
	for _, o := range outcomes {
		sum.Outcomes[o.Outcome]++
	}
	index := map[allocation.CourseID]int{}
	for i := range res.Courses {
		c := &res.Courses[i]
		cs := CourseSummary{Course: int64(c.ID), Formation: int64(c.Formation), Level: int(c.Level), Capacity: int(c.Capacity),
			Accepted: int(c.Accepted), AcceptedSocial: int(c.AcceptedSocial), Waiting: int(c.Waiting),
			MinSocialPercent: c.MinSocialPercent, RateMet: c.RateMet, NotEnoughSocial: c.NotEnoughSocial}
		if c.HasCutOff {
			p := c.CutOff
			cs.CutOff = &CutOff{Evaluation: int(p.Evaluation), Social: int(p.Social), SocialPriority: p.SocialPriority,
				Record: int(p.Record), Motivation: int(p.Motivation), Lottery: strconv.FormatUint(p.Lottery, 10)}
		}
		index[c.ID] = len(sum.Courses)
		sum.Courses = append(sum.Courses, cs)
	}
	for i := range res.Decisions {
		d := &res.Decisions[i]
		if d.Outcome == allocation.Accepted && d.Redirected {
			if k, ok := index[d.Course]; ok {
				sum.Courses[k].Redirected++
			}
		}
		for _, c := range d.Removed {
			if k, ok := index[c]; ok {
				sum.Courses[k].ClashesRemoved++
			}
		}
	}
	for _, f := range res.Fairness {
		sum.Formations = append(sum.Formations, FormationSummary{Formation: int64(f.Formation), Name: f.Name,
			Candidatures: f.Candidatures, Ineligible: f.Ineligible, Applicants: f.Applicants, ApplicantsSocial: f.ApplicantsSocial,
			Accepted: f.Accepted, AcceptedSocial: f.AcceptedSocial, Waiting: f.Waiting, MinSocialPercent: f.MinSocialPercent,
			CoursesBelowRate: f.CoursesBelowRate, CoursesRateBroken: f.CoursesRateBroken, RateMet: f.RateMet(),
			Redirects: f.Redirects, Placements: f.Placements, ClashRemovals: f.ClashRemovals})
	}
	return sum
}

// SessionRuns is what the back office shows of a session's runs.
type SessionRuns struct {
	Session domain.Session
	Runs    []domain.Run // newest first
	// Formations names the session's formations, by ID, with their
	// evaluation mode.
	Formations map[int64]FormationInfo
	// NeedsDecision counts, per formation, the results changed after the run
	// that used them was published: the central service decides whether to
	// re-run the formation.
	NeedsDecision map[int64]int
}

// FormationInfo names a formation of the session.
type FormationInfo struct {
	Title      string
	Evaluation domain.EvaluationMode
}

// Runs reads a session's runs for the central service (ROLE-5).
func (s *Service) Runs(ctx context.Context, actor domain.Actor, sessionID int64) (SessionRuns, error) {
	if !domain.Can(actor, domain.ActRunSelection, domain.Resource{}) {
		return SessionRuns{}, ErrForbidden
	}
	se, err := s.store.SelectionSession(ctx, sessionID)
	if err != nil {
		return SessionRuns{}, err
	}
	out := SessionRuns{Session: se, Formations: map[int64]FormationInfo{}}
	if out.Runs, err = s.store.Runs(ctx, sessionID); err != nil {
		return out, err
	}
	forms, err := s.store.SelectionFormations(ctx, sessionID)
	if err != nil {
		return out, err
	}
	for _, f := range forms {
		out.Formations[f.ID] = FormationInfo{Title: f.Title, Evaluation: f.Evaluation}
	}
	out.NeedsDecision, err = s.store.ResultsNeedingDecision(ctx, sessionID)
	return out, err
}

// RunReview is one run with its summary, for the review page.
type RunReview struct {
	SessionRuns
	Run     domain.Run
	Summary Summary
}

// Review reads one run of a session with its summary (ROLE-5).
func (s *Service) Review(ctx context.Context, actor domain.Actor, sessionID, runID int64) (RunReview, error) {
	sr, err := s.Runs(ctx, actor, sessionID)
	if err != nil {
		return RunReview{}, err
	}
	run, err := s.store.Run(ctx, runID)
	if err != nil {
		return RunReview{}, err
	}
	if run.SessionID != sessionID {
		return RunReview{}, ErrNotFound
	}
	sum, err := Decode(run.Summary)
	if err != nil {
		return RunReview{}, err
	}
	return RunReview{SessionRuns: sr, Run: run, Summary: sum}, nil
}
