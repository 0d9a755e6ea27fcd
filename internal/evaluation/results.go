package evaluation

import (
	"context"
	"database/sql"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/store"
)

// Sheet is a course's evaluation as the coordinator or the director enters
// its results (CER-1).
type Sheet struct {
	Course *catalogue.Entry
	Date   time.Time // zero: the course has no evaluation
	// Open: the evaluation's day has come, results may be entered.
	Open     bool
	Learners []SheetLine
	// Days are the course's meetings still to come, to choose the date
	// from while none is set.
	Days []time.Time
	// Diploma: the course prepares a diploma, whose general exams a
	// learner holding a higher diploma may be exempted from (CER-4).
	Diploma bool
}

// SheetLine is one learner of the course and their result, if entered.
type SheetLine struct {
	store.RegisterLearner
	Result    store.Result
	HasResult bool
	Exemption *store.Exemption // CER-4, diploma formations only
}

// Sheet reads a course's evaluation and its learners' results (CER-1):
// ROLE-4 for the coordinator's formations, ROLE-3 for the director's
// establishment, ROLE-5. The trainer's part is the register (ROLE-2).
func (s *Service) Sheet(ctx context.Context, actor domain.Actor, courseID int64) (Sheet, error) {
	e, err := s.course(ctx, actor, domain.ActEvaluate, courseID)
	if err != nil {
		return Sheet{}, err
	}
	day, ok, err := s.store.EvaluationDate(ctx, nil, e.ID)
	if err != nil {
		return Sheet{}, err
	}
	sh := Sheet{Course: e, Diploma: e.Formation.Diploma}
	learners, err := s.store.RegisterLearners(ctx, e.ID)
	if err != nil {
		return Sheet{}, err
	}
	results := map[int64]store.Result{}
	if ok {
		sh.Date, sh.Open = day, !parisDay(s.now()).Before(day)
		if results, err = s.store.CourseResults(ctx, nil, e.ID); err != nil {
			return Sheet{}, err
		}
	} else {
		ix, err := s.catalogue.Index(ctx)
		if ix == nil {
			return Sheet{}, err
		}
		today := parisDay(s.now())
		for _, m := range ix.Meetings(e, domain.Paris()) {
			if !m.Skipped && !m.Date.Before(today) {
				sh.Days = append(sh.Days, m.Date)
			}
		}
	}
	for _, l := range learners {
		r, has := results[l.CandidatureID]
		if !l.InCourse && !has {
			continue // left before the evaluation
		}
		line := SheetLine{RegisterLearner: l, Result: r, HasResult: has}
		if sh.Diploma {
			xs, err := s.store.ExemptionsOf(ctx, l.AccountID)
			if err != nil {
				return Sheet{}, err
			}
			for _, x := range xs {
				if x.FormationID == e.FormationID {
					line.Exemption = &x
				}
			}
		}
		sh.Learners = append(sh.Learners, line)
	}
	return sh, nil
}

// Entry is one result typed on the sheet.
type Entry struct {
	CandidatureID int64
	Result        domain.EvaluationResult
	Grade         string // optional, kept for CER-3's requests
}

// Saved counts what Enter changed.
type Saved struct{ Entered, Changed int }

// Enter records results of a course's evaluation, from its day on (CER-1),
// in one transaction under the course's lock: a result typed again
// unchanged does nothing; a change keeps the previous one in the audit
// trail; each learner whose result is new or changed is told (CON-2), with
// what is left of SEL-7's one repeat after a failure.
func (s *Service) Enter(ctx context.Context, actor domain.Actor, courseID int64, entries []Entry) (Saved, error) {
	e, err := s.course(ctx, actor, domain.ActEvaluate, courseID)
	if err != nil {
		return Saved{}, err
	}
	for i := range entries {
		if !entries[i].Result.Valid() {
			return Saved{}, refuse("evaluation.result.invalid")
		}
		if entries[i].Grade, err = clean(entries[i].Grade); err != nil {
			return Saved{}, err
		}
	}
	var saved Saved
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		saved = Saved{}
		day, ok, err := s.store.EvaluationDate(ctx, tx, e.ID) // the course's lock
		if err != nil {
			return err
		}
		if !ok {
			return refuse("evaluation.none")
		}
		if parisDay(s.now()).Before(day) {
			return refuse("evaluation.results.too_early", "Day", s.longDate(day))
		}
		learners, err := s.store.RegisterLearners(ctx, e.ID)
		if err != nil {
			return err
		}
		results, err := s.store.CourseResults(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		byCand := map[int64]store.RegisterLearner{}
		for _, l := range learners {
			if _, has := results[l.CandidatureID]; l.InCourse || has {
				byCand[l.CandidatureID] = l
			}
		}
		for _, en := range entries {
			l, ok := byCand[en.CandidatureID]
			if !ok {
				return refuse("evaluation.result.not_a_learner")
			}
			if old, had := results[en.CandidatureID]; had && old.Result == en.Result && old.Grade == en.Grade {
				continue
			}
			if err := s.enter(ctx, tx, actor, e, l, en); err != nil {
				return err
			}
			if _, had := results[en.CandidatureID]; had {
				saved.Changed++
			} else {
				saved.Entered++
			}
		}
		return nil
	})
	return saved, err
}

// enter records one learner's result, audits it and tells them.
func (s *Service) enter(ctx context.Context, tx *sql.Tx, actor domain.Actor, e *catalogue.Entry, l store.RegisterLearner, en Entry) error {
	prev, had, err := s.store.SetResult(ctx, tx, store.Result{CandidatureID: l.CandidatureID, CourseID: e.ID, Result: en.Result,
		Grade: en.Grade, EnteredAt: s.now(), EnteredBy: actor.AccountID})
	if err != nil {
		return err
	}
	ev := domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditFinalResultEntered, SubjectID: l.AccountID,
		ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID, Details: "évaluation de " + e.Code + " : " + resultWord(en.Result)}
	if had {
		ev.Action = domain.AuditFinalResultChanged
		ev.Details = "évaluation de " + e.Code + " : " + resultWord(prev.Result) + " → " + resultWord(en.Result) +
			" ; résultat précédent du " + prev.EnteredAt.In(domain.Paris()).Format("02/01/2006 15:04")
	}
	if en.Grade != "" {
		ev.Details += " (note : " + en.Grade + ")"
	}
	if err := s.store.RecordAudit(ctx, tx, ev); err != nil {
		return err
	}
	if had && prev.Result == en.Result {
		return nil // only the grade changed: communicated on request (CER-3)
	}
	rec, err := s.store.PersonRecord(ctx, tx, l.AccountID)
	if err != nil {
		return err
	}
	m := mail.EvaluationResultMail{Passed: en.Result == domain.ResultPassed, Absent: en.Result == domain.ResultAbsentFromEvaluation,
		Changed: had, RepeatLeft: rec.Failures[e.FormationID] < domain.MaxFailedAttempts,
		Due: domain.CertificateDue(e.Session.LastDay).Format("02/01/2006")}
	return s.tell(ctx, tx, l.AccountID, "evaluation_result", func(seat mail.Seat) (string, string, string, error) {
		m.Seat = seat
		return mail.RenderEvaluationResult(m)
	}, e)
}

// resultWord is a result as the audit trail writes it.
func resultWord(r domain.EvaluationResult) string {
	switch r {
	case domain.ResultPassed:
		return "réussi"
	case domain.ResultFailed:
		return "non réussi"
	case domain.ResultAbsentFromEvaluation:
		return "absent(e)"
	}
	return string(r)
}
