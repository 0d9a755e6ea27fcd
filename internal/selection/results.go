package selection

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
)

// ResultTarget is what a results page is about: a sitting, or for a
// first-day test a course (its first class).
type ResultTarget struct {
	SittingID int64
	CourseID  int64
}

// ResultEntry is one row of results as staff typed it: Result is "score",
// "pass", "fail", "absent" or "" (nothing entered, the row is left alone).
type ResultEntry struct {
	CandidatureID int64
	Result        string
	Score         string
	Level         string
}

// ResultSheet is a results page: the target, its formation, and the
// candidates convoked to it by name (no submission order, PER-2).
type ResultSheet struct {
	Target     ResultTarget
	SessionID  int64
	Formation  domain.Formation
	Sitting    domain.Sitting // for a sitting
	CourseCode string         // for a first-day test
	Title      string         // "Séance du mardi 5 janvier 2027 à 18 h 30, …"
	Convokees  []Convokee
}

// ResultSummary says what an entry did.
type ResultSummary struct {
	Entered, Changed, Withdrawn int
}

// Row field names of a results form, per candidature.
func ResultField(id int64) string { return "resultat-" + strconv.FormatInt(id, 10) }
func ScoreField(id int64) string  { return "note-" + strconv.FormatInt(id, 10) }
func LevelField(id int64) string  { return "niveau-" + strconv.FormatInt(id, 10) }

// Sheet reads a results page the actor may evaluate.
func (s *Service) Sheet(ctx context.Context, actor domain.Actor, target ResultTarget) (ResultSheet, error) {
	sh := ResultSheet{Target: target}
	ix, err := s.catalogue.Index(ctx)
	if err != nil {
		return sh, err
	}
	p := s.words.Printer(i18n.French)
	var formationID int64
	switch {
	case target.SittingID > 0:
		st, err := s.Sitting(ctx, actor, target.SittingID)
		if err != nil {
			return sh, err
		}
		sh.Sitting, sh.SessionID, formationID = st, st.SessionID, st.FormationID
		place := ""
		if e, ok := ix.Establishment(st.EstablishmentID); ok {
			place = placeOf(e, st.Room)
		}
		sh.Title = "Séance du " + s.when(p, st.StartsAt) + ", " + place
	case target.CourseID > 0:
		e, ok := ix.Course(target.CourseID)
		if !ok {
			return sh, ErrNotFound
		}
		if !inScope(actor, e.FormationID, e.EstablishmentID) {
			return sh, ErrForbidden
		}
		if e.Formation == nil || e.Formation.Evaluation != domain.EvaluationFirstDayTest {
			return sh, ErrNotFound
		}
		sh.SessionID, formationID, sh.CourseCode = e.SessionID, e.FormationID, e.Code
		sh.Title = "Test du premier jour, cours " + e.Code + ", " + placeOf(e.Establishment, roomName(e))
	default:
		return sh, ErrNotFound
	}
	f, ok := ix.Formation(formationID)
	if !ok {
		return sh, ErrNotFound
	}
	sh.Formation = *f
	all, err := s.store.Convokees(ctx, nil, sh.SessionID, formationID, target.SittingID, target.CourseID)
	if err != nil {
		return sh, err
	}
	for _, k := range all {
		if k.Convocation.CandidatureID != 0 && (target.SittingID > 0 || k.Convocation.SittingID == 0) {
			sh.Convokees = append(sh.Convokees, k)
		}
	}
	return sh, nil
}

// plannedResult is a row checked: the new result, what it was.
type plannedResult struct {
	k       Convokee
	r       domain.TestResult
	changed bool // a result was there and differs
}

// parseEntry checks one row against the candidates convoked; it returns the
// planned result (ok false when the row asks nothing) or field errors.
func parseEntry(e ResultEntry, byID map[int64]Convokee) (plannedResult, bool, domain.FieldErrors) {
	kind := domain.ResultKind(strings.TrimSpace(strings.ToLower(e.Result)))
	if kind == "" && strings.TrimSpace(e.Score) == "" {
		return plannedResult{}, false, nil
	}
	k, ok := byID[e.CandidatureID]
	if !ok || k.Convocation.CandidatureID == 0 {
		return plannedResult{}, false, domain.FieldErrors{{Field: ResultField(e.CandidatureID), Key: "selection.result.not_convoked"}}
	}
	if kind == "" {
		kind = domain.ResultScore
	}
	r := domain.TestResult{CandidatureID: k.CandidatureID, Kind: kind}
	var errs domain.FieldErrors
	if kind == domain.ResultScore {
		n, err := strconv.Atoi(strings.TrimSpace(e.Score))
		if err != nil {
			errs = append(errs, domain.FieldError{Field: ScoreField(k.CandidatureID), Key: "selection.result.score_range"})
		}
		r.Score = n
	}
	if lv := strings.TrimSpace(e.Level); lv != "" {
		n, err := strconv.Atoi(lv)
		if err != nil {
			errs = append(errs, domain.FieldError{Field: LevelField(k.CandidatureID), Key: "selection.result.level_invalid"})
		}
		r.PlacedLevel = n
	}
	if len(errs) == 0 {
		if key := r.Check(); key != "" {
			field := ResultField(k.CandidatureID)
			switch key {
			case "selection.result.score_range":
				field = ScoreField(k.CandidatureID)
			case "selection.result.level_invalid", "selection.result.absent_level":
				field = LevelField(k.CandidatureID)
			}
			errs = append(errs, domain.FieldError{Field: field, Key: key})
		}
	}
	if len(errs) > 0 {
		return plannedResult{}, false, errs
	}
	old := k.Result
	if old.Kind != "" && old.Kind == r.Kind && old.Score == r.Score && old.PlacedLevel == r.PlacedLevel {
		return plannedResult{}, false, nil // unchanged
	}
	if old.Kind == domain.ResultAbsent {
		return plannedResult{}, false, domain.FieldErrors{{Field: ResultField(k.CandidatureID), Key: "selection.result.absent_final"}}
	}
	return plannedResult{k: k, r: r, changed: old.Kind != ""}, true, nil
}

// EnterResults records the results of a sitting (or a first-day test's
// course) in one transaction (SEL-2, SEL-3): each entry or change audited; an
// absent candidate's candidature withdrawn (désistement) with its history
// line and an email; a change after a published run of the session flagged
// for the central service's decision. Any row in error: nothing is recorded,
// and the errors name the rows' fields.
func (s *Service) EnterResults(ctx context.Context, actor domain.Actor, target ResultTarget, entries []ResultEntry) (ResultSummary, error) {
	sh, err := s.Sheet(ctx, actor, target)
	if err != nil {
		return ResultSummary{}, err
	}
	byID := make(map[int64]Convokee, len(sh.Convokees))
	for _, k := range sh.Convokees {
		byID[k.CandidatureID] = k
	}
	var plan []plannedResult
	var errs domain.FieldErrors
	for _, e := range entries {
		p, ok, fe := parseEntry(e, byID)
		errs = append(errs, fe...)
		if ok {
			plan = append(plan, p)
		}
	}
	if len(errs) > 0 {
		return ResultSummary{}, errs
	}
	var sum ResultSummary
	err = s.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		var events []domain.AuditEvent
		sum, events, err = s.applyResults(ctx, tx, actor, sh, plan)
		return events, err
	})
	if err != nil {
		return ResultSummary{}, err
	}
	return sum, nil
}

// applyResults writes planned results in tx and returns their audit events.
func (s *Service) applyResults(ctx context.Context, tx *sql.Tx, actor domain.Actor, sh ResultSheet, plan []plannedResult) (ResultSummary, []domain.AuditEvent, error) {
	var sum ResultSummary
	if len(plan) == 0 {
		return sum, nil, nil
	}
	published, err := s.store.SessionHasPublishedRun(ctx, tx, sh.SessionID)
	if err != nil {
		return sum, nil, err
	}
	now := s.now()
	p := s.words.Printer(i18n.French)
	var events []domain.AuditEvent
	var msgs []*domain.Message
	for _, pl := range plan {
		r := pl.r
		r.EnteredBy, r.EnteredAt = actor.AccountID, now
		r.NeedsDecision = pl.changed && published || pl.k.Result.NeedsDecision
		if err := s.store.UpsertResultTx(ctx, tx, r); err != nil {
			return sum, nil, err
		}
		ev := domain.AuditEvent{ActorID: actor.AccountID, Action: domain.AuditResultEntered, SubjectID: pl.k.AccountID,
			ObjectKind: domain.AuditObjectSitting, ObjectID: pl.k.Convocation.SittingID,
			Details: "candidature n° " + strconv.FormatInt(r.CandidatureID, 10) + " ; formation : " + sh.Formation.Title +
				" ; résultat : " + resultWords(r)}
		if pl.k.Convocation.SittingID == 0 {
			ev.ObjectKind, ev.ObjectID = domain.AuditObjectCourse, pl.k.CourseID
		}
		if pl.changed {
			ev.Action = domain.AuditResultChanged
			ev.Details = "candidature n° " + strconv.FormatInt(r.CandidatureID, 10) + " ; formation : " + sh.Formation.Title +
				" ; résultat : " + resultWords(pl.k.Result) + " → " + resultWords(r)
			if pl.changed && published {
				ev.Details += " ; changé après la publication d'un traitement : décision à prendre par le service central"
			}
			sum.Changed++
		} else {
			sum.Entered++
		}
		events = append(events, ev)
		if r.Kind == domain.ResultAbsent {
			changed, err := s.store.WithdrawCandidatureTx(ctx, tx, r.CandidatureID, now, actor.AccountID,
				"absent(e) "+whatWords(sh.Formation.Evaluation)+" : désistement")
			if err != nil {
				return sum, nil, err
			}
			if changed {
				sum.Withdrawn++
				subject, text, html, err := mail.RenderWithdrawal(mail.Withdrawal{FirstName: pl.k.FirstName,
					Formation: sh.Formation.Title, What: whatWords(sh.Formation.Evaluation), When: s.when(p, pl.k.Convocation.At),
					SpaceURL: s.publicURL + "/mes-candidatures"})
				if err != nil {
					return sum, nil, err
				}
				msgs = append(msgs, &domain.Message{AccountID: pl.k.AccountID, Kind: messageKindWithdrawal, Subject: subject,
					Text: text, HTML: html, CreatedAt: now})
			}
		}
	}
	if len(msgs) > 0 {
		if s.outbox == nil {
			return sum, nil, errors.New("results: no outbox to tell the candidates")
		}
		if err := s.outbox.Keep(ctx, tx, msgs...); err != nil {
			return sum, nil, err
		}
	}
	return sum, events, nil
}

// resultWords is a result in French for the audit trail.
func resultWords(r domain.TestResult) string {
	var w string
	switch r.Kind {
	case domain.ResultScore:
		w = "note " + strconv.Itoa(r.Score) + "/20"
	case domain.ResultPass:
		w = "réussi"
	case domain.ResultFail:
		w = "non réussi"
	case domain.ResultAbsent:
		return "absent"
	default:
		return "aucun"
	}
	if r.PlacedLevel > 0 {
		w += ", niveau " + strconv.Itoa(r.PlacedLevel)
	}
	return w
}

// TestedFormation is a formation of the session's overview of tests: its
// sittings, how many are convoked, how many results are entered.
type TestedFormation struct {
	Formation domain.Formation
	Sittings  []domain.Sitting
	// Courses are a first-day test's courses in scope (its results pages).
	Courses               []CourseRef
	Candidates, Convoked  int
	Results, Missing      int
	SeatsLeft, SeatsTotal int
}

// CourseRef names a course.
type CourseRef struct {
	ID   int64
	Code string
}

// Overview lists the session's evaluated formations in the actor's scope.
func (s *Service) Overview(ctx context.Context, actor domain.Actor, sessionID int64) (domain.Session, []TestedFormation, error) {
	if !domain.Can(actor, domain.ActBackOffice, domain.Resource{}) {
		return domain.Session{}, nil, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if err != nil {
		return domain.Session{}, nil, err
	}
	se, ok := ix.Session(sessionID)
	if !ok {
		return domain.Session{}, nil, ErrNotFound
	}
	sittings, err := s.store.Sittings(ctx, nil, sessionID, 0)
	if err != nil {
		return *se, nil, err
	}
	courses := map[int64][]CourseRef{}
	for _, e := range ix.All() {
		if e.SessionID == sessionID && inScope(actor, e.FormationID, e.EstablishmentID) {
			courses[e.FormationID] = append(courses[e.FormationID], CourseRef{ID: e.ID, Code: e.Code})
		}
	}
	var out []TestedFormation
	for _, f := range ix.Formations {
		if !Evaluated(f.Evaluation) || f.Archived || !inScopeAny(actor, f.ID) {
			continue
		}
		if _, ok := courses[f.ID]; !ok {
			continue
		}
		tf := TestedFormation{Formation: f}
		if f.Evaluation == domain.EvaluationFirstDayTest {
			tf.Courses = courses[f.ID]
		}
		for _, st := range sittings {
			if st.FormationID == f.ID && inScope(actor, f.ID, st.EstablishmentID) {
				tf.Sittings = append(tf.Sittings, st)
				tf.SeatsTotal += st.Seats
			}
		}
		ks, err := s.store.Convokees(ctx, nil, sessionID, f.ID, 0, 0)
		if err != nil {
			return *se, nil, err
		}
		for _, k := range ks {
			if !inScope(actor, f.ID, k.EstablishmentID) {
				continue
			}
			tf.Candidates++
			if k.Convocation.CandidatureID != 0 {
				tf.Convoked++
				if k.Convocation.SittingID != 0 {
					tf.SeatsLeft--
				}
				if k.Result.Kind != "" {
					tf.Results++
				} else {
					tf.Missing++
				}
			}
		}
		tf.SeatsLeft += tf.SeatsTotal
		out = append(out, tf)
	}
	return *se, out, nil
}
