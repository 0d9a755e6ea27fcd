package selection

import (
	"context"
	"fmt"
	"slices"

	"cma/internal/allocation"
	"cma/internal/domain"
)

// Verification is what re-running a run with its seed gave.
type Verification struct {
	Run domain.Run
	// Digest is the digest of the kept input as the engine computes it
	// again; InputChanged is true when it differs from the run's.
	Digest       string
	InputChanged bool
	Outcomes     int          // outcomes compared
	Differences  []Difference // empty: the re-run decided exactly the same
}

// Same reports whether the re-run gave the stored outcomes.
func (v Verification) Same() bool { return !v.InputChanged && len(v.Differences) == 0 }

// Difference is one candidature whose outcome differs.
type Difference struct {
	CandidatureID int64
	Stored, Rerun string // each outcome in a short form (outcome, course, positions)
}

// VerifyRun re-runs a finished run (dry or published) on the input it kept,
// with its stored seed, and compares outcome by outcome (SEL-1, PER-2:
// anyone re-running a published run gets the same outcomes). The kept
// input's digest is checked against the run's first: if it differs, the
// input changed and no comparison is made.
func (s *Service) VerifyRun(ctx context.Context, runID int64) (Verification, error) {
	run, err := s.store.Run(ctx, runID)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{Run: run}
	if run.Status != domain.RunDry && run.Status != domain.RunPublished {
		return v, refuse("selection.verify.not_finished")
	}
	kept, err := s.store.RunInput(ctx, runID)
	if err != nil {
		return v, err
	}
	if kept == nil {
		return v, refuse("selection.verify.no_input")
	}
	ri, err := decodeInput(kept)
	if err != nil {
		return v, err
	}
	ri.Input.Seed = run.Seed
	res, err := allocation.Run(ri.Input, allocation.Options{})
	if err != nil {
		return v, fmt.Errorf("re-run of run %d: %w", runID, err)
	}
	v.Digest = res.Digest
	if res.Digest != run.Digest {
		v.InputChanged = true
		return v, nil
	}
	again, err := ri.outcomes(runID, res)
	if err != nil {
		return v, err
	}
	stored, err := s.store.RunOutcomes(ctx, runID)
	if err != nil {
		return v, err
	}
	v.Outcomes = len(stored)
	byID := make(map[int64]domain.RunOutcome, len(again))
	for _, o := range again {
		byID[o.CandidatureID] = o
	}
	for _, o := range stored {
		r, ok := byID[o.CandidatureID]
		delete(byID, o.CandidatureID)
		if !ok {
			v.Differences = append(v.Differences, Difference{CandidatureID: o.CandidatureID, Stored: short(o), Rerun: "—"})
			continue
		}
		if a, b := short(o), short(r); a != b {
			v.Differences = append(v.Differences, Difference{CandidatureID: o.CandidatureID, Stored: a, Rerun: b})
		}
	}
	for id, r := range byID {
		v.Differences = append(v.Differences, Difference{CandidatureID: id, Stored: "—", Rerun: short(r)})
	}
	slices.SortFunc(v.Differences, func(a, b Difference) int { return cmpInt(a.CandidatureID, b.CandidatureID) })
	return v, nil
}

// short is an outcome in the form two outcomes are compared by.
func short(o domain.RunOutcome) string {
	s := string(o.Outcome)
	if o.CourseID != 0 {
		s += fmt.Sprintf(" cours %d", o.CourseID)
	}
	if o.Redirected {
		s += " réorienté"
	}
	if o.Placed {
		s += " placé"
	}
	if o.Gate != "" {
		s += " " + o.Gate
	}
	w := slices.Clone(o.Waiting)
	slices.SortFunc(w, func(a, b domain.WaitingPlace) int { return cmpInt(a.CourseID, b.CourseID) })
	for _, p := range w {
		s += fmt.Sprintf(" attente %d:%d", p.CourseID, p.Position)
	}
	r := slices.Clone(o.Removed)
	slices.Sort(r)
	for _, c := range r {
		s += fmt.Sprintf(" retiré %d", c)
	}
	s += fmt.Sprintf(" [%d %d %d %d %d]", o.Evaluation, o.Social, o.Record, o.Motivation, o.Lottery)
	return s
}
