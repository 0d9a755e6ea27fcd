package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/evaluation"
	"cma/internal/store"
)

// The demo's evaluations and certificates (CER-1, CER-2, SEL-7). The city
// ran the previous year too: an archived session 2025-2026 where a few
// first levels ended with an evaluation in June, most learners passed and
// got their certificate in July, two were entered late and still wait for
// theirs (the dashboard shows them late), and one failed. The next levels
// of those formations now ask for the certificate: the persona Inès Moreau
// holds one and may apply to the next level of the second semester, others
// are refused it. This year, the annual courses with registers end with an
// evaluation on their last meeting, their learners convoked.

// demoLadders is how many formations' first levels the previous year
// certifies.
const demoLadders = 3

// demoCertifiedPersona holds a certificate of the previous year.
const demoCertifiedPersona = "ines.moreau@exemple.fr"

func demoEvaluations(ctx context.Context, st *store.Store, cat *catalogue.Service, deps evaluation.Deps, today time.Time) error {
	central, err := st.AccountByEmail(ctx, nil, demoCentralEmail)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	actor := domain.Actor{AccountID: central.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}
	var clock time.Time
	deps.Now = func() time.Time { return clock }
	svc := evaluation.New(deps)
	if err := demoPreviousYear(ctx, st, cat, svc, actor, &clock); err != nil {
		return fmt.Errorf("the previous year: %w", err)
	}
	// This year: the annual courses with registers end with an evaluation.
	ix, err := cat.Index(ctx)
	if err != nil {
		return err
	}
	clock = today
	for _, e := range ix.All() {
		if e.Session.Code != demo.SessionAnnualCode || !strings.Contains(e.Establishment.Name, "Voltaire") {
			continue
		}
		if n, err := st.CourseMeetings(ctx, nil, e.ID); err != nil {
			return err
		} else if len(n) == 0 {
			continue // no register kept: not one of the demo's attended courses
		}
		meetings := ix.Meetings(e, domain.Paris())
		for i := len(meetings) - 1; i >= 0; i-- {
			if !meetings[i].Skipped {
				if err := svc.SetDate(ctx, actor, e.ID, meetings[i].Date); err != nil {
					return fmt.Errorf("the evaluation of %s: %w", e.Code, err)
				}
				break
			}
		}
	}
	return nil
}

// demoPreviousYear writes the archived 2025-2026 session: one course of the
// first level of demoLadders formations whose next level has courses this
// second semester, at the same place and time as this year's, with ten
// learners each (the certified persona in the first), their evaluation on
// the last meeting, results, and certificates issued on July 10th.
func demoPreviousYear(ctx context.Context, st *store.Store, cat *catalogue.Service, svc *evaluation.Service, actor domain.Actor,
	clock *time.Time) error {
	ix, err := cat.Index(ctx)
	if err != nil {
		return err
	}
	type ladder struct {
		first, next *domain.Formation
		model       *catalogue.Entry // this year's course of the first level copied
	}
	var ladders []ladder
	byCode := map[string]*domain.Formation{}
	for i := range ix.Formations {
		byCode[ix.Formations[i].Code] = &ix.Formations[i]
	}
	for i := range ix.Formations {
		next := &ix.Formations[i]
		if len(ladders) == demoLadders {
			break
		}
		stem, ok := strings.CutSuffix(next.Code, "-INT")
		first := byCode[stem+"-ELE"]
		if !ok || first == nil || next.PrerequisiteFormationID != 0 {
			continue
		}
		var model *catalogue.Entry
		s2 := false
		for _, e := range ix.All() {
			switch {
			case e.FormationID == first.ID && e.Session.Code == demo.SessionAnnualCode && model == nil && !e.Remote:
				model = e
			case e.FormationID == next.ID && e.Session.Code == demo.SessionSemester2Code:
				s2 = true
			}
		}
		if model != nil && s2 {
			ladders = append(ladders, ladder{first: first, next: next, model: model})
		}
	}
	if len(ladders) == 0 {
		return nil
	}
	paris := domain.Paris()
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, paris) }
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	past := domain.Session{Code: "2025-2026-ANNUEL", Name: "Année 2025-2026", Kind: domain.SessionAnnual,
		FirstDay: day(2025, time.September, 29), LastDay: day(2026, time.June, 20),
		CandidatureOpens: at(2025, time.June, 2, 10), CandidatureCloses: domain.DeadlineOn(2025, time.September, 7),
		AnswerOpens: at(2025, time.September, 15, 9), AnswerCloses: domain.DeadlineOn(2025, time.September, 26)}
	people, err := demoPastLearners(ctx, st, ix, len(ladders)*10)
	if err != nil {
		return err
	}
	rules, err := st.CurrentRules(ctx)
	if err != nil {
		return err
	}
	var courses []int64
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		if err := st.InsertSession(ctx, tx, &past); err != nil {
			return err
		}
		for k, l := range ladders {
			c := l.model.Course
			c.ID, c.SessionID, c.Code, c.Enrolled, c.TrainerAccountID = 0, past.ID, c.Code+"-2025", 0, 0
			if err := st.InsertCourse(ctx, tx, &c); err != nil {
				return err
			}
			courses = append(courses, c.ID)
			for _, p := range people[k*10 : min(k*10+10, len(people))] {
				key := fmt.Sprintf("demo-2025-%d-%d", c.ID, p)
				created := at(2025, time.June, 20, 18)
				if err := st.InsertValidation(ctx, tx, key, p, created); err != nil {
					return err
				}
				cand := domain.Candidature{AccountID: p, CourseID: c.ID, FormationID: c.FormationID, SessionID: past.ID,
					Status: domain.CandidatureSubmitted, Objective: domain.ObjectivePersonal, RulesVersion: rules.Version, CreatedAt: created}
				if err := st.InsertCandidature(ctx, tx, &cand, key, 0); err != nil {
					return err
				}
				if _, err := st.SetCandidatureStatus(ctx, tx, cand.ID, []domain.CandidatureStatus{domain.CandidatureSubmitted},
					domain.CandidatureAccepted, c.ID, at(2025, time.September, 15, 9), 0, "sélection publiée"); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	// June: the evaluation on each course's last meeting, the results the
	// next day; July 10th: the certificates. Two results are entered in
	// September only: their certificates are late.
	late := map[int64]bool{}
	cat.Invalidate() // the new session and courses
	if ix, err = cat.Index(ctx); err != nil {
		return err
	}
	for k, id := range courses {
		e, ok := ix.Course(id)
		if !ok {
			return fmt.Errorf("course %d of the previous year is not in the catalogue", id)
		}
		var last time.Time
		for _, m := range ix.Meetings(e, domain.Paris()) {
			if !m.Skipped {
				last = m.Date
			}
		}
		*clock = last.Add(-14 * 24 * time.Hour)
		if err := svc.SetDate(ctx, actor, id, last); err != nil {
			return err
		}
		*clock = last.Add(30 * time.Hour)
		sheet, err := svc.Sheet(ctx, actor, id)
		if err != nil {
			return err
		}
		var entries []evaluation.Entry
		others := 0 // learners but the persona, who passes on time
		for i, l := range sheet.Learners {
			en := evaluation.Entry{CandidatureID: l.CandidatureID, Result: domain.ResultPassed, Grade: fmt.Sprintf("%d/20", 11+(i*3)%9)}
			if l.AccountID != people[0] {
				others++
			}
			switch {
			case l.AccountID == people[0]:
			case others == 9:
				en.Result, en.Grade = domain.ResultFailed, "8/20"
			case k == 0 && (others == 7 || others == 8):
				late[l.CandidatureID] = true
				continue
			}
			entries = append(entries, en)
		}
		if _, err := svc.Enter(ctx, actor, id, entries); err != nil {
			return err
		}
	}
	*clock = at(2026, time.July, 10, 10)
	if _, err := svc.IssueAll(ctx, actor, nil); err != nil {
		return err
	}
	*clock = at(2026, time.September, 21, 11)
	var lateEntries []evaluation.Entry
	for c := range late {
		lateEntries = append(lateEntries, evaluation.Entry{CandidatureID: c, Result: domain.ResultPassed, Grade: "12/20"})
	}
	if _, err := svc.Enter(ctx, actor, courses[0], lateEntries); err != nil {
		return err
	}
	// The past session is archived; the next levels ask for the certificate.
	defer cat.Invalidate()
	return st.InTx(ctx, func(tx *sql.Tx) error {
		if err := st.SetArchived(ctx, tx, "sessions", past.ID, at(2026, time.August, 31, 12)); err != nil {
			return err
		}
		for _, l := range ladders {
			f, err := st.FormationTx(ctx, tx, l.next.ID)
			if err != nil {
				return err
			}
			f.PrerequisiteFormationID = l.first.ID
			if err := st.UpdateFormation(ctx, tx, f); err != nil {
				return err
			}
		}
		return nil
	})
}

// demoPastLearners picks n demo candidates for the previous year, the
// certified persona first, who hold no candidature yet.
func demoPastLearners(ctx context.Context, st *store.Store, ix *catalogue.Index, n int) ([]int64, error) {
	var out []int64
	if p, err := st.AccountByEmail(ctx, nil, demoCertifiedPersona); err == nil {
		out = append(out, p.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	ids, err := st.CandidateIDs(ctx, n)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if len(out) == n {
			break
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}
