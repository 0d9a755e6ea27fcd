package selection

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/gob"
	"fmt"
	"slices"

	"cma/internal/allocation"
	"cma/internal/domain"
	"cma/internal/store"
)

// runInput is what a run decides on: the engine's input, the candidatures it
// stands for, and the candidatures decided without the engine.
//
// It is kept with the run (gzip of gob, table selection_run_inputs: gob is
// several times smaller and faster than JSON for a million candidatures) so that
// VerifyRun re-runs exactly what the run saw: once a run is published the
// candidatures' statuses move on, and the input could not be read again from
// them.
type runInput struct {
	Pass  domain.RunPass
	Input allocation.Input
	// Refs maps each engine candidature (candidate = account, formation) to
	// its candidature ID, sorted by account then formation.
	Refs []candRef
	// FirstDay are the candidatures of formations whose test is on the first
	// day, in the main pass: they are not given to the engine and come out
	// "convoqué(e) au test du premier jour" (see buildInput).
	FirstDay []int64
	// names of formations, for the summary and the messages
	formations map[int64]store.SelectionFormation
}

type candRef struct {
	Candidature int64
	Account     int64
	Formation   int64
}

// motivationPriority maps a candidature's objective (CAN-6) to the engine's
// Motivation priority (SEL-1: "objectives and motivation", after the
// evaluation, the social criteria and the record; higher comes first). The
// order is the platform's choice, stated here so that it can be discussed:
//
//	integration (insertion, vie quotidienne)  4 — the most pressing need
//	professional (évolution professionnelle)  3
//	diploma (obtenir un diplôme)              2
//	personal (développement personnel)        1
//	anything else                             0
func motivationPriority(o domain.Objective) int8 {
	switch o {
	case domain.ObjectiveIntegration:
		return 4
	case domain.ObjectiveProfessional:
		return 3
	case domain.ObjectiveDiploma:
		return 2
	case domain.ObjectivePersonal:
		return 1
	}
	return 0
}

// levelNumber numbers a course's level for the engine: its place in
// domain.Levels, "all" (tous niveaux) being 0. A placement test's
// placed_level uses the same numbers (1 = beginner, …).
func levelNumber(l domain.Level) int16 {
	i := slices.Index(domain.Levels, l)
	if i < 0 {
		return 0
	}
	return int16(i)
}

// socialOf maps the social situation (CAN-6) to the engine's criteria.
func socialOf(s domain.SocialSituation) allocation.Social {
	var out allocation.Social
	if s.RSA {
		out |= allocation.RSA
	}
	if s.JobSeeker {
		out |= allocation.JobSeeker
	}
	if s.Subsidised {
		out |= allocation.Subsidised
	}
	return out
}

// tested reports whether a formation's candidates are evaluated before the
// run (anticipated test or interview, SEL-2).
func tested(m domain.EvaluationMode) bool {
	return m == domain.EvaluationAnticipatedTest || m == domain.EvaluationInterview
}

// buildInput reads the session from the database as the pass decides it
// (SEL-1, SEL-3, PER-2), and refuses (a *Refusal naming what to fix) when a
// tested formation still misses results.
//
// Main pass: every submitted candidature of the session. Candidatures of a
// formation whose test is on the first day are NOT given to the engine (they
// cannot be ranked before their test): they come out first_day_test, and they
// are placed by the placement pass. Their courses' seats are then decided by
// that pass alone — the main pass decides no candidature of those formations.
//
// Placement pass: only the candidatures of first-day-test formations,
// submitted or first_day_test (after the main pass's publication), each with
// its result: the level placed puts it in the course of its level (SEL-3,
// PlacedLevel), absent withdraws it (SEL-2), failed is not retained.
//
// What is read of each candidature: the social situation, the objective
// (motivationPriority), the previous record, the result, the answer to a
// redirect (SEL-5). The candidature's ID and submission time are not in the
// engine's input (PER-2): the candidate is the account and the engine sorts by
// it.
func (s *Service) buildInput(ctx context.Context, sessionID int64, pass domain.RunPass) (*runInput, error) {
	forms, err := s.store.SelectionFormations(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	courses, err := s.store.SelectionCourses(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	statuses := []domain.CandidatureStatus{domain.CandidatureSubmitted}
	if pass == domain.PassPlacement {
		statuses = append(statuses, domain.CandidatureFirstDayTest)
	}
	cands, err := s.store.SelectionCandidatures(ctx, sessionID, statuses...)
	if err != nil {
		return nil, err
	}
	ri := &runInput{Pass: pass, formations: map[int64]store.SelectionFormation{}}
	for _, f := range forms {
		ri.formations[f.ID] = f
	}
	// Which formations this pass decides, and which must have every result.
	decides := func(f store.SelectionFormation) bool {
		if pass == domain.PassPlacement {
			return f.Evaluation == domain.EvaluationFirstDayTest
		}
		return f.Evaluation != domain.EvaluationFirstDayTest
	}
	needsResult := func(f store.SelectionFormation) bool {
		if pass == domain.PassPlacement {
			return true
		}
		return tested(f.Evaluation)
	}
	missing := map[int64]int{}
	for _, c := range cands {
		f := ri.formations[c.FormationID]
		if decides(f) && needsResult(f) && !c.HasResult {
			missing[c.FormationID]++
		}
	}
	if len(missing) > 0 {
		ids := make([]int64, 0, len(missing))
		for id := range missing {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		f := ri.formations[ids[0]]
		key := "selection.run.missing_results"
		if len(ids) > 1 {
			key = "selection.run.missing_results_more"
		}
		return nil, refuse(key, "Formation", f.Title, "Count", missing[ids[0]], "Others", len(ids)-1)
	}

	for _, f := range forms {
		if decides(f) {
			ri.Input.Formations = append(ri.Input.Formations, allocation.Formation{ID: allocation.FormationID(f.ID), Name: f.Title,
				MinSocialPercent: f.MinSocialPercent})
		}
	}
	for _, c := range courses {
		f, ok := ri.formations[c.FormationID]
		if !ok || !decides(f) {
			continue
		}
		ri.Input.Courses = append(ri.Input.Courses, allocation.Course{ID: allocation.CourseID(c.ID),
			Formation: allocation.FormationID(c.FormationID), Level: levelNumber(c.Level), Weekday: c.Weekday,
			StartMinute: int16(c.StartMinute), EndMinute: int16(c.EndMinute), Capacity: int32(max(c.Capacity, 0))})
	}
	for _, c := range cands {
		f := ri.formations[c.FormationID]
		if !decides(f) {
			if pass == domain.PassMain && f.Evaluation == domain.EvaluationFirstDayTest {
				ri.FirstDay = append(ri.FirstDay, c.ID)
			}
			continue
		}
		a := allocation.Candidature{
			Candidate: allocation.CandidateID(c.AccountID), Formation: allocation.FormationID(c.FormationID),
			Course: allocation.CourseID(c.CourseID),
			// The candidate's answer when validating the basket (SEL-5):
			// only those who accepted are redirected to an equivalent
			// course when theirs is full; the others wait for theirs.
			AcceptsRedirect: c.AcceptsRedirect,
			// Candidatures carry no order of preference between a person's
			// formations yet: 0, the engine then uses the formation ID (never
			// the submission order, PER-2).
			Rank:       0,
			Social:     socialOf(c.Social),
			Motivation: motivationPriority(c.Objective),
		}
		// The previous record (SEL-1): accepted in the same formation in an
		// earlier session counts 1, the previous level's certificate 1 more
		// (CER-2), an attendance of 75 % or more in the formation or its
		// previous level 1 more (ATT-2). The certificate's absence, when the
		// formation asks for it, is a gate; so is a third attempt after two
		// failed evaluations (SEL-7).
		if c.AcceptedBefore {
			a.Record++
		}
		if c.Certified {
			a.Record++
		}
		if c.Assiduous {
			a.Record++
		}
		a.MissingPrerequisites = f.PrerequisiteFormationID != 0 && !c.Certified
		a.RepeatExhausted = c.Failures >= domain.MaxFailedAttempts
		if c.HasResult {
			switch c.Result.Kind {
			case domain.ResultAbsent:
				a.Withdrawn = true // SEL-2: absent is withdrawn, without exception
			case domain.ResultFail:
				a.NotPassed = true
			default:
				a.Evaluation = c.Result.Evaluation()
			}
			a.PlacedLevel = int16(c.Result.PlacedLevel)
		}
		ri.Input.Candidatures = append(ri.Input.Candidatures, a)
		ri.Refs = append(ri.Refs, candRef{Candidature: c.ID, Account: c.AccountID, Formation: c.FormationID})
	}
	slices.SortFunc(ri.Refs, func(a, b candRef) int {
		if a.Account != b.Account {
			return cmpInt(a.Account, b.Account)
		}
		return cmpInt(a.Formation, b.Formation)
	})
	return ri, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// candidature finds the candidature ID of an engine decision.
func (ri *runInput) candidature(a allocation.CandidateID, f allocation.FormationID) (int64, bool) {
	i, ok := slices.BinarySearchFunc(ri.Refs, candRef{Account: int64(a), Formation: int64(f)}, func(x, y candRef) int {
		if x.Account != y.Account {
			return cmpInt(x.Account, y.Account)
		}
		return cmpInt(x.Formation, y.Formation)
	})
	if !ok {
		return 0, false
	}
	return ri.Refs[i].Candidature, true
}

// encode is the kept form of the input: gzip of gob.
func (ri *runInput) encode() ([]byte, error) {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if err := gob.NewEncoder(z).Encode(ri); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func decodeInput(b []byte) (*runInput, error) {
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("kept input: %w", err)
	}
	defer z.Close()
	var ri runInput
	if err := gob.NewDecoder(z).Decode(&ri); err != nil {
		return nil, fmt.Errorf("kept input: %w", err)
	}
	return &ri, nil
}
