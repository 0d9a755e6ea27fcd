package web

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/selection"
)

// TestSelectionReportPages_ROLE1_ROLE5_SEL1: a published run's candidate
// reads « Pourquoi ? » on Mes candidatures; the central service reads the
// explanation with the engine's detail, the report with its SVG charts, and
// its CSV.
func TestSelectionReportPages_ROLE1_ROLE5_SEL1(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	ctx := context.Background()
	st := site.st
	words, _ := i18n.Load()
	now := func() time.Time { return inputToday }
	site.srv.Selection = selection.New(selection.Deps{Store: st, Catalogue: catalogue.NewService(st, words, "C", 0, now), Words: words, Now: now})
	cand := site.candidate(t, "pourquoi")
	central := site.central(t)
	var courseID, formationID, sessionID int64
	if err := st.DB().R.QueryRowContext(ctx, `SELECT id, formation_id, session_id FROM courses ORDER BY id LIMIT 1`).Scan(&courseID, &formationID, &sessionID); err != nil {
		t.Fatal(err)
	}
	c := domain.Candidature{AccountID: cand.ID, CourseID: courseID, FormationID: formationID, SessionID: sessionID,
		Status: domain.CandidatureSubmitted, Objective: domain.ObjectivePersonal, RulesVersion: "2026-1", CreatedAt: inputToday}
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		if err := st.InsertValidation(ctx, tx, "key-pourquoi", cand.ID, inputToday); err != nil {
			return err
		}
		return st.InsertCandidature(ctx, tx, &c, "key-pourquoi", cand.ID)
	}); err != nil {
		t.Fatal(err)
	}
	run, err := st.StartRun(ctx, sessionID, domain.PassMain, 7, central.ID, inputToday, inputToday.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, run, "sha256:feed", "{}", []domain.RunOutcome{{CandidatureID: c.ID, Outcome: domain.OutcomeAccepted,
		CourseID: courseID, Social: 1, Lottery: 5}}, inputToday); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE selection_runs SET status = 'published' WHERE id = $1`,
		`UPDATE candidatures SET status = 'accepted', decided_run_id = $1 WHERE id = $2`} {
		args := []any{run}
		if strings.Contains(q, "candidatures") {
			args = append(args, c.ID)
		}
		if _, err := st.DB().W.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	_, body := site.get(t, "/mes-candidatures", site.session(t, cand))
	if !strings.Contains(body, "Pourquoi ?") || !strings.Contains(body, "Vous êtes admis(e) au cours") {
		t.Errorf("Mes candidatures has no explanation:\n%s", body)
	}
	staff := site.session(t, central)
	res, body := site.get(t, explanationPath(c.ID, run), staff)
	if res.StatusCode != 200 || !strings.Contains(body, "Graine du tirage au sort (seed) : 7") {
		t.Errorf("explanation: %d\n%s", res.StatusCode, body)
	}
	res, body = site.get(t, reportPath(run), staff)
	if res.StatusCode != 200 || !strings.Contains(body, `<svg xmlns="http://www.w3.org/2000/svg" role="img"`) || !strings.Contains(body, "sha256:feed") {
		t.Errorf("report: %d\n%s", res.StatusCode, body)
	}
	res, body = site.get(t, reportPath(run)+".csv", staff)
	if res.StatusCode != 200 || !strings.HasPrefix(body, "\ufeffLigne;") {
		t.Errorf("report CSV: %d\n%s", res.StatusCode, body)
	}
	if res, _ = site.get(t, reportPath(run), site.session(t, cand)); res.StatusCode != 403 {
		t.Errorf("a candidate on the report: %d", res.StatusCode)
	}
}
