package selection_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/selection"
)

// frenchOf words a refusal or the first field error of err in French.
func frenchOf(t *testing.T, err error) string {
	t.Helper()
	words, lerr := i18n.Load()
	if lerr != nil {
		t.Fatal(lerr)
	}
	p := words.Printer(i18n.French)
	var r *selection.Refusal
	if errors.As(err, &r) {
		return p.WordKeyed(r)
	}
	var fe domain.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return p.Word(fe[0].Key, fe[0].Args)
	}
	t.Fatalf("want a refusal, got %v", err)
	return ""
}

func wantWords(t *testing.T, what, got string, parts ...string) {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(got, s) {
			t.Errorf("%s: %q does not say %q", what, got, s)
		}
	}
}

// TestBadInputRefused_SEL2_SEL3_PER1_PER2 walks the bad input and
// checks that each is refused with a French message naming what to fix: a
// run before the closing (the session and its closing date); tested
// formations with missing results (the formation, the count, the others);
// results out of range (the range), a level placed that is none of the
// levels (the levels), a result for a candidate not convoked, by the form
// and by a file (who); a second publication of another run (the published
// run); and a result changed after publishing is audited and shown to the
// central service as needing a decision.
func TestBadInputRefused_SEL2_SEL3_PER1_PER2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		tested := e.courses(t, domain.EvaluationAnticipatedTest)[0]
		interview := e.courses(t, domain.EvaluationInterview)[0]
		a1, _ := e.apply(t, tested)
		a2, _ := e.apply(t, tested)
		a3, _ := e.apply(t, interview)

		_, err := e.sel.StartRun(ctx, e.central, e.session.ID, domain.PassMain)
		refusedWith(t, err, "selection.run.not_closed")
		wantWords(t, "run before the closing", frenchOf(t, err), "« "+e.session.Name+" »",
			e.session.CandidatureCloses.Day().Format("02/01/2006"), "n'est pas close")

		e.closeCandidatures()
		_, err = e.sel.StartRun(ctx, e.central, e.session.ID, domain.PassMain)
		refusedWith(t, err, "selection.run.missing_results_more")
		first, n, other := tested, 2, interview
		if interview.FormationID < tested.FormationID {
			first, n, other = interview, 1, tested
		}
		wantWords(t, "two formations without results", frenchOf(t, err), fmt.Sprintf("Il manque %d résultat(s)", n),
			"« "+first.Formation.Title+" »", "1 autre(s) formation(s)")

		// The tested formation's sitting and convocations.
		day := e.session.CandidatureCloses.Day().AddDate(0, 0, 3)
		st, err := e.sel.ScheduleSitting(ctx, e.central, e.session.ID, tested.FormationID, sittingIn(e, tested, day, "5"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sel.SendConvocations(ctx, e.central, e.session.ID, tested.FormationID); err != nil {
			t.Fatal(err)
		}
		target := selection.ResultTarget{SittingID: st.ID}
		id1, id2, id3 := candidatureOf(t, e, a1.ID), candidatureOf(t, e, a2.ID), candidatureOf(t, e, a3.ID)
		for _, c := range []struct {
			name  string
			entry selection.ResultEntry
			field string
			words []string
		}{
			{"score above 20", selection.ResultEntry{CandidatureID: id1, Result: "score", Score: "21"}, selection.ScoreField(id1), []string{"entre 0 et 20"}},
			{"negative score", selection.ResultEntry{CandidatureID: id1, Result: "score", Score: "-1"}, selection.ScoreField(id1), []string{"entre 0 et 20"}},
			{"score not a number", selection.ResultEntry{CandidatureID: id1, Result: "score", Score: "12,5"}, selection.ScoreField(id1), []string{"nombre entier entre 0 et 20"}},
			{"level placed that is no level", selection.ResultEntry{CandidatureID: id1, Result: "score", Score: "12", Level: "7"}, selection.LevelField(id1),
				[]string{"1 (débutant)", "4 (avancé)", "rester vide"}},
			{"another formation's candidate, not convoked", selection.ResultEntry{CandidatureID: id3, Result: "pass"}, selection.ResultField(id3),
				[]string{"n'est pas convoqué à cette séance"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.sel.EnterResults(ctx, e.central, target, []selection.ResultEntry{c.entry})
				if err == nil {
					t.Fatal("accepted")
				}
				var fe domain.FieldErrors
				if !errors.As(err, &fe) || fe[0].Field != c.field {
					t.Fatalf("refused on %v, want field %s", err, c.field)
				}
				wantWords(t, c.name, frenchOf(t, err), c.words...)
			})
		}
		if n := e.count(t, `SELECT COUNT(*) FROM test_results`); n != 0 {
			t.Fatalf("%d results recorded by refused entries", n)
		}
		// The same by a file: the candidate not convoked is named.
		file := "candidature;note\n" + strconv.FormatInt(id3, 10) + ";12\n"
		rep, err := e.sel.ImportResults(ctx, e.central, e.session.ID, tested.FormationID, "r.csv", []byte(file), true)
		if err != nil || rep.Applied || len(rep.Problems) != 1 {
			t.Fatalf("import of a candidate not convoked: %+v %v", rep, err)
		}
		words, _ := i18n.Load()
		wantWords(t, "import of a candidate not convoked", words.Printer(i18n.French).Word(rep.Problems[0].Key, rep.Problems[0].Args),
			"« "+strconv.FormatInt(id3, 10)+" »", "n'est pas un candidat convoqué")

		if _, err := e.sel.EnterResults(ctx, e.central, target, []selection.ResultEntry{
			{CandidatureID: id1, Result: "score", Score: "14", Level: "2"}, {CandidatureID: id2, Result: "score", Score: "9"}}); err != nil {
			t.Fatal(err)
		}
		_, err = e.sel.StartRun(ctx, e.central, e.session.ID, domain.PassMain)
		refusedWith(t, err, "selection.run.missing_results")
		wantWords(t, "one formation without results", frenchOf(t, err), "Il manque 1 résultat(s)", "« "+interview.Formation.Title+" »")
		_ = other

		// The interview held; two dry runs; one published, then the other refused.
		st2, err := e.sel.ScheduleSitting(ctx, e.central, e.session.ID, interview.FormationID, sittingIn(e, interview, day, "5"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sel.SendConvocations(ctx, e.central, e.session.ID, interview.FormationID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sel.EnterResults(ctx, e.central, selection.ResultTarget{SittingID: st2.ID},
			[]selection.ResultEntry{{CandidatureID: id3, Result: "pass"}}); err != nil {
			t.Fatal(err)
		}
		// A dry run, then a result changed: that run is stale, refused (PER-1).
		stale, err := e.sel.StartRun(ctx, e.central, e.session.ID, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sel.EnterResults(ctx, e.central, target, []selection.ResultEntry{
			{CandidatureID: id1, Result: "score", Score: "15", Level: "2"}, {CandidatureID: id2, Result: "score", Score: "9"}}); err != nil {
			t.Fatal(err)
		}
		e.clock.Store(e.session.AnswerOpens.Add(time.Hour).UnixNano())
		_, err = e.sel.Publish(ctx, e.central, stale.ID)
		refusedWith(t, err, "selection.publish.stale")
		wantWords(t, "publishing a stale dry run", frenchOf(t, err), fmt.Sprintf("depuis le traitement à blanc n° %d", stale.ID),
			"lancez un nouveau traitement à blanc")
		if n := e.count(t, `SELECT COUNT(*) FROM candidatures WHERE status <> 'submitted'`); n != 0 {
			t.Fatalf("%d candidatures decided by a refused publication", n)
		}
		run1, err := e.sel.StartRun(ctx, e.central, e.session.ID, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}
		run2, err := e.sel.StartRun(ctx, e.central, e.session.ID, domain.PassMain)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sel.Publish(ctx, e.central, run1.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.sel.Publish(ctx, e.central, run2.ID)
		refusedWith(t, err, "selection.publish.another_published")
		wantWords(t, "publishing another run", frenchOf(t, err), fmt.Sprintf("Le traitement n° %d de cette session est déjà publié", run1.ID),
			fmt.Sprintf("le n° %d reste à blanc", run2.ID))

		// A result changed after publishing: audited, and shown as needing a decision.
		if _, err := e.sel.EnterResults(ctx, e.central, target, []selection.ResultEntry{{CandidatureID: id2, Result: "score", Score: "16"}}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND details LIKE $2`, domain.AuditResultChanged,
			"%candidature n° "+strconv.FormatInt(id2, 10)+" %→%décision à prendre par le service central%"); n != 1 {
			t.Errorf("%d audit events of the change after publishing, want 1 saying a decision is needed", n)
		}
		runs, err := e.sel.Runs(ctx, e.central, e.session.ID)
		if err != nil {
			t.Fatal(err)
		}
		if runs.NeedsDecision[tested.FormationID] != 1 {
			t.Errorf("the central service's runs show %v results needing a decision, want 1 for formation %d", runs.NeedsDecision, tested.FormationID)
		}
	})
}
