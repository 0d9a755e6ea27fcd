package selection

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cma/internal/db"
	"cma/internal/db/dbtest"
)

// TestExplain_SEL1_SEL5_CAN3_ROLE5: the candidate sees why once the run is
// published, never a dry run; staff of the scope see it with the engine's
// detail, dry runs too; others are refused.
func TestExplain_SEL1_SEL5_CAN3_ROLE5(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newReportFixture(t, d, 0)

		// A dry run: the candidate sees nothing, staff see it.
		if _, err := f.svc.Explain(ctx, f.candidate(0), f.cands[0]); !errors.Is(err, ErrNotDecided) {
			t.Fatalf("candidate before publishing: err = %v, want ErrNotDecided", err)
		}
		x, err := f.svc.Explain(ctx, f.central, f.cands[0])
		if err != nil {
			t.Fatal(err)
		}
		if x.RunID != f.runID || len(x.Engine) == 0 {
			t.Fatalf("staff on a dry run: %+v", x)
		}
		eng := f.worded(t, x.Engine)
		for _, want := range []string{"Graine du tirage au sort (seed) : 42", "sha256:abc", "Numéro de tirage au sort : 7"} {
			if !strings.Contains(eng, want) {
				t.Errorf("engine detail lacks %q:\n%s", want, eng)
			}
		}
		if _, err := f.svc.Explain(ctx, f.other, f.cands[0]); !errors.Is(err, ErrForbidden) {
			t.Fatalf("director of another establishment: err = %v, want ErrForbidden", err)
		}
		if _, err := f.svc.Explain(ctx, f.candidate(1), f.cands[0]); !errors.Is(err, ErrForbidden) {
			t.Fatalf("another candidate: err = %v, want ErrForbidden", err)
		}

		f.publish(t)
		// Accepted: outcome, evaluation band, criteria in the engine's order.
		x, err = f.svc.Explain(ctx, f.candidate(0), f.cands[0])
		if err != nil {
			t.Fatal(err)
		}
		if x.Engine != nil {
			t.Fatal("the candidate got the engine's detail")
		}
		if got, want := keys(x.Lines), "selection.explain.accepted selection.explain.evaluation.score allocation.explain.social selection.explain.then selection.explain.cutoff"; got != want {
			t.Errorf("accepted keys = %s, want %s", got, want)
		}
		text := f.worded(t, x.Lines)
		if !strings.Contains(text, "15/20") || !strings.Contains(text, "RSA") || !strings.Contains(text, "Anglais, lundi 18h00–20h00, École Parmentier") {
			t.Errorf("accepted explanation:\n%s", text)
		}
		// SEL-5: the redirect names both courses.
		x, err = f.svc.Explain(ctx, f.candidate(1), f.cands[1])
		if err != nil {
			t.Fatal(err)
		}
		if x.Lines[0].Key != "selection.explain.accepted_redirected" {
			t.Errorf("redirected: %s", keys(x.Lines))
		}
		// Waiting: the cut-off of each course and the positions; CAN-3 removal.
		x, err = f.svc.Explain(ctx, f.candidate(2), f.cands[2])
		if err != nil {
			t.Fatal(err)
		}
		text = f.worded(t, x.Lines)
		for _, want := range []string{"rang 1 sur la liste d'attente", "rang 2 sur la liste d'attente", "évaluation 15", "évaluation 14",
			"retiré de vos vœux", "demandeur d'emploi", "Vous n'avez pas accepté d'être orienté(e)"} {
			if !strings.Contains(text, want) {
				t.Errorf("waiting explanation lacks %q:\n%s", want, text)
			}
		}
		// The gate of a withdrawn candidature (absent).
		x, err = f.svc.Explain(ctx, f.candidate(3), f.cands[3])
		if err != nil {
			t.Fatal(err)
		}
		if text = f.worded(t, x.Lines); !strings.Contains(text, "désistement") || !strings.Contains(text, "absent(e)") {
			t.Errorf("withdrawn explanation:\n%s", text)
		}
	})
}
