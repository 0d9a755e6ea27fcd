package selection

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cma/internal/allocation"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// The explanation of a candidature's outcome (SEL-1, SEL-3, SEL-5, CAN-3):
// sentences left to be worded (message keys with their arguments, the
// engine's vocabulary where it fits), never French text. The candidate sees
// it once the run that decided it is published; staff of the candidature's
// scope see it for any run, dry ones too, with the engine's full detail.

// Line is one sentence of an explanation, to be worded (i18n.Keyed).
type Line = allocation.Text

// Explanation says why a candidature got its outcome in a run.
type Explanation struct {
	CandidatureID int64
	RunID         int64
	RunStatus     domain.RunStatus
	Outcome       domain.Outcome
	// Lines are the plain sentences, in reading order: the outcome, a
	// redirect or a placement, the evaluation, the criteria that counted in
	// the order the engine compares them, each course's cut-off and the
	// candidate's waiting position, the courses removed for a clash, the gate.
	Lines []Line
	// Engine is the engine's full detail, for staff only (nil for the
	// candidate): every priority field, the lottery number, seed and digest.
	Engine []Line
}

func line(key string, args ...any) Line {
	t := Line{Key: key}
	if len(args) > 0 {
		t.Args = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			t.Args[args[i].(string)] = args[i+1]
		}
	}
	return t
}

// ErrNotDecided: no published run decided the candidature yet (the
// candidate's view), or no run holds it (the staff's).
var ErrNotDecided = errors.New("selection: the candidature is not decided yet")

// Explain explains a candidature's outcome. The candidate (ROLE-1, their own
// candidature) gets the published run's explanation; staff of its scope
// (ROLE-2..5: ActViewCourse on its course) get it with the engine's detail,
// for the published run or else the newest dry run.
func (s *Service) Explain(ctx context.Context, actor domain.Actor, candidatureID int64) (Explanation, error) {
	return s.ExplainInRun(ctx, actor, candidatureID, 0)
}

// ExplainInRun is Explain in a given run (0: the published run that decided
// it, else for staff the newest run holding it). Only staff may name a run.
func (s *Service) ExplainInRun(ctx context.Context, actor domain.Actor, candidatureID, runID int64) (Explanation, error) {
	c, err := s.store.CandidatureDecision(ctx, candidatureID)
	if errors.Is(err, store.ErrNotFound) {
		return Explanation{}, ErrNotFound
	} else if err != nil {
		return Explanation{}, err
	}
	staff := domain.Can(actor, domain.ActViewCourse, domain.Resource{EstablishmentID: c.EstablishmentID,
		FormationID: c.FormationID, CourseID: c.CourseID})
	own := domain.Can(actor, domain.ActApply, domain.Resource{AccountID: c.AccountID})
	switch {
	case staff:
		if runID == 0 {
			runID = c.DecidedRunID
		}
		if runID == 0 {
			if runID, err = s.store.LatestRunOf(ctx, candidatureID); err != nil {
				return Explanation{}, err
			}
		}
	case own && runID == 0:
		runID = c.DecidedRunID // the candidate sees a published decision only
	default:
		return Explanation{}, ErrForbidden
	}
	if runID == 0 {
		return Explanation{}, ErrNotDecided
	}
	run, err := s.store.Run(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return Explanation{}, ErrNotDecided
	} else if err != nil {
		return Explanation{}, err
	}
	if run.Status != domain.RunDry && run.Status != domain.RunPublished {
		return Explanation{}, ErrNotDecided
	}
	outs, err := s.store.RunOutcomes(ctx, runID, candidatureID)
	if err != nil {
		return Explanation{}, err
	}
	if len(outs) == 0 {
		return Explanation{}, ErrNotDecided
	}
	o := outs[0]
	if run.Status == domain.RunPublished && c.DecidedRunID == run.ID {
		// The live waiting lists move after publishing: show where they stand.
		live, err := s.store.LiveWaiting(ctx, candidatureID)
		if err != nil {
			return Explanation{}, err
		}
		if len(live) > 0 || o.Outcome != domain.OutcomeWaiting {
			o.Waiting = live
		}
	}
	result, hasResult, err := s.store.CandidatureTestResult(ctx, candidatureID)
	if err != nil {
		return Explanation{}, err
	}
	ix, err := s.catalogue.Index(ctx)
	if err != nil {
		return Explanation{}, err
	}
	// The cut-off of each course concerned: the accepted course, the chosen
	// one, and those waited for.
	courses := []int64{c.CourseID}
	if o.CourseID != 0 {
		courses = append(courses, o.CourseID)
	}
	for _, w := range o.Waiting {
		courses = append(courses, w.CourseID)
	}
	slices.Sort(courses)
	courses = slices.Compact(courses)
	accepted, err := s.store.RunOutcomeRows(ctx, runID, courses...)
	if err != nil {
		return Explanation{}, err
	}
	rates, err := s.store.FormationMinSocial(ctx)
	if err != nil {
		return Explanation{}, err
	}
	x := explain(ix, c, o, result, hasResult, cutOffs(accepted, rates))
	x.RunID, x.RunStatus = run.ID, run.Status
	if staff {
		x.Engine = engineLines(ix, c, o, run)
	}
	return x, nil
}

// explain builds the plain sentences; cut maps a course to its last accepted
// outcome (absent: nobody accepted).
func explain(ix *catalogue.Index, c store.CandidatureDecision, o domain.RunOutcome, result domain.TestResult, hasResult bool,
	cut map[int64]domain.RunOutcome) Explanation {
	x := Explanation{CandidatureID: c.ID, Outcome: o.Outcome}
	add := func(key string, args ...any) { x.Lines = append(x.Lines, line(key, args...)) }

	// The outcome.
	switch o.Outcome {
	case domain.OutcomeAccepted:
		if o.Redirected { // SEL-5
			add("selection.explain.accepted_redirected", "Course", courseName(ix, o.CourseID), "Chosen", courseName(ix, c.CourseID))
		} else {
			add("selection.explain.accepted", "Course", courseName(ix, o.CourseID))
		}
	default:
		add("selection.explain.outcome."+string(o.Outcome), "Course", courseName(ix, c.CourseID))
	}
	if o.Outcome == domain.OutcomeWaiting { // SEL-5: the candidate's answer to a redirect
		if c.AcceptsRedirect {
			add("selection.explain.redirect.accepted")
		} else {
			add("selection.explain.redirect.refused")
		}
	}
	if o.Placed { // SEL-3
		add("selection.explain.placed", "Level", result.PlacedLevel)
	}
	// The gate that stopped it (ineligible, withdrawn, not retained).
	if o.Gate != "" || o.Outcome == domain.OutcomeIneligible || o.Outcome == domain.OutcomeWithdrawn || o.Outcome == domain.OutcomeNotRetained {
		add("selection.explain.gate", "Gate", gateText(o))
	}
	if o.Outcome == domain.OutcomeFirstDayTest {
		return x // the test is still to come: nothing else has counted yet
	}
	// The evaluation band: it prevails over everything (SEL-1).
	switch {
	case !hasResult:
		add("selection.explain.evaluation.none")
	case result.Kind == domain.ResultScore:
		add("selection.explain.evaluation.score", "Score", result.Score, "Max", domain.MaxScore)
	default:
		add("selection.explain.evaluation." + string(result.Kind))
	}
	if hasResult && result.PlacedLevel > 0 && !o.Placed {
		add("selection.explain.level", "Level", result.PlacedLevel)
	}
	if o.Outcome == domain.OutcomeIneligible || o.Outcome == domain.OutcomeWithdrawn || o.Outcome == domain.OutcomeNotRetained {
		return x
	}
	// The criteria that counted, in the engine's order (allocation/priority.go).
	social := allocation.Social(o.Social)
	rate := c.MinSocialPercent
	switch {
	case social != 0 && rate > 0:
		add("allocation.explain.social_rate", "Criteria", social.Texts(), "Rate", rate)
	case social != 0:
		add("allocation.explain.social", "Criteria", social.Texts())
	case rate > 0:
		add("allocation.explain.no_social_rate", "Rate", rate)
	default:
		add("allocation.explain.no_social")
	}
	add("selection.explain.then", "Record", o.Record, "Motivation", o.Motivation)

	// Each course: its cut-off (the last accepted priority) and the
	// candidate's position on its waiting list.
	wait := map[int64]int{}
	for _, w := range o.Waiting {
		wait[w.CourseID] = w.Position
	}
	seen := map[int64]bool{}
	courses := []int64{c.CourseID}
	if o.CourseID != 0 {
		courses = []int64{o.CourseID, c.CourseID}
	}
	for _, w := range o.Waiting {
		courses = append(courses, w.CourseID)
	}
	for _, id := range courses {
		if seen[id] {
			continue
		}
		seen[id] = true
		name := courseName(ix, id)
		if last, ok := cut[id]; ok {
			add("selection.explain.cutoff", "Course", name, "CutOff", priorityText(last, rate))
		} else if id != o.CourseID {
			add("selection.explain.no_cutoff", "Course", name)
		}
		if p := wait[id]; p > 0 {
			add("selection.explain.waiting_position", "Course", name, "Position", p)
		}
	}
	// The courses removed for a slot clash (CAN-3).
	for _, id := range o.Removed {
		add("selection.explain.removed", "Course", courseName(ix, id))
	}
	return x
}

// engineLines is the engine's full detail for staff.
func engineLines(ix *catalogue.Index, c store.CandidatureDecision, o domain.RunOutcome, run domain.Run) []Line {
	out := []Line{
		line("selection.explain.engine.run", "Run", run.ID, "Status", line("selection.explain.run_status."+string(run.Status)), "Pass", string(run.Pass)),
		line("selection.explain.engine.outcome", "Outcome", string(o.Outcome), "Course", o.CourseID, "Redirected", yesNo(o.Redirected),
			"Placed", yesNo(o.Placed), "Gate", dash(o.Gate)),
		line("selection.explain.engine.priority", "Priority", priorityText(o, c.MinSocialPercent)),
		line("selection.explain.engine.fields", "Evaluation", o.Evaluation, "Social", o.Social, "Record", o.Record, "Motivation", o.Motivation,
			"Rate", c.MinSocialPercent),
		line("selection.explain.engine.lottery", "Lottery", strconv.FormatUint(o.Lottery, 10)),
	}
	for _, w := range o.Waiting {
		out = append(out, line("selection.explain.engine.waiting", "Course", courseName(ix, w.CourseID), "Position", w.Position))
	}
	if len(o.Removed) > 0 {
		ids := make([]string, len(o.Removed))
		for i, id := range o.Removed {
			ids[i] = strconv.FormatInt(id, 10)
		}
		out = append(out, line("selection.explain.engine.removed", "Courses", strings.Join(ids, ", ")))
	}
	return append(out, line("selection.explain.engine.seed", "Seed", strconv.FormatUint(run.Seed, 10)),
		line("selection.explain.engine.digest", "Digest", dash(run.Digest)))
}

func yesNo(b bool) Line {
	if b {
		return line("selection.explain.yes")
	}
	return line("selection.explain.no")
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// gateText words the gate an outcome stored: the engine's gate name
// (allocation.Gate.String) or its message key; the outcome when none.
func gateText(o domain.RunOutcome) Line {
	g := o.Gate
	switch {
	case strings.HasPrefix(g, "allocation.gate."):
		return line(g)
	case g != "" && g != "none":
		for gate := allocation.GatePrerequisites; gate <= allocation.GateNotPassed; gate++ {
			if gate.String() == g {
				return gate.Text()
			}
		}
		return line("selection.explain.gate_other", "Gate", g)
	case o.Outcome == domain.OutcomeWithdrawn:
		return allocation.GateWithdrawn.Text()
	case o.Outcome == domain.OutcomeNotRetained:
		return allocation.GateNotPassed.Text()
	}
	return line("selection.explain.gate_other", "Gate", string(o.Outcome))
}

// priority is the engine's priority of an outcome (SEL-1); socialPriority
// when the formation has no minimum rate.
func priority(o domain.RunOutcome, rate int) allocation.Priority {
	return allocation.Priority{Evaluation: int16(o.Evaluation), Social: allocation.Social(o.Social), SocialPriority: rate == 0,
		Record: int8(o.Record), Motivation: int8(o.Motivation), Lottery: o.Lottery}
}

func priorityText(o domain.RunOutcome, rate int) Line { return priority(o, rate).Text() }

// meritCmp orders outcomes as the engine's merit order does (priority.go):
// evaluation, social criteria when they are a plain priority, record,
// motivation higher first, then the lottery lower first; the candidature ID
// last.
func meritCmp(a, b *domain.RunOutcome, socialPriority bool) int {
	if c := cmp.Compare(b.Evaluation, a.Evaluation); c != 0 {
		return c
	}
	if socialPriority {
		if c := cmp.Compare(boolInt(b.Social != 0), boolInt(a.Social != 0)); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(b.Record, a.Record); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Motivation, a.Motivation); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Lottery, b.Lottery); c != 0 {
		return c
	}
	return cmp.Compare(a.CandidatureID, b.CandidatureID)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cutOffs is, for each course, the last accepted outcome in the engine's
// merit order: the cut-off a candidate had to beat.
func cutOffs(accepted []store.OutcomeRow, rates map[int64]int) map[int64]domain.RunOutcome {
	out := map[int64]domain.RunOutcome{}
	for _, a := range accepted {
		if a.Outcome != domain.OutcomeAccepted || a.CourseID == 0 {
			continue
		}
		last, ok := out[a.CourseID]
		if !ok || meritCmp(&a.RunOutcome, &last, rates[a.FormationID] == 0) > 0 {
			out[a.CourseID] = a.RunOutcome
		}
	}
	return out
}

// courseName names a course: its formation, slot and establishment.
func courseName(ix *catalogue.Index, id int64) Line {
	e, ok := ix.Course(id)
	if !ok {
		return line("allocation.course.unknown", "ID", id)
	}
	slot := line("allocation.slot", "Weekday", line(fmt.Sprintf("weekday.%d", int(e.Weekday))),
		"Start", clock(e.StartMinute), "End", clock(e.EndMinute))
	place := ""
	if e.Establishment != nil {
		place = e.Establishment.Name
	}
	return line("selection.explain.course", "Title", e.Formation.Title, "Slot", slot, "Place", place)
}

func clock(minute int) Line {
	return line("allocation.clock", "H", fmt.Sprintf("%02d", minute/60), "M", fmt.Sprintf("%02d", minute%60))
}
