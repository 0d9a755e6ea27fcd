package app

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSelectionRunsPage_ROLE5_PER1_dry_run_review_and_refused_publication:
// the central service starts a dry run of the demo's annual session (closed)
// from the back office, follows it to its end, reviews it, and is refused
// its publication once the answer period is over, with the date to fix.
func TestSelectionRunsPage_ROLE5_PER1_dry_run_review_and_refused_publication(t *testing.T) {
	eachDatabase(t, func(t *testing.T, base string) {
		central := newBrowser(t, base)
		central.signIn(t, "demo-staff-central")
		const runs = "/back-office/selection/sessions/1/traitement"
		res, page := central.do(t, "GET", runs, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Lancer le traitement à blanc") {
			t.Fatalf("runs page: %d\n%.2000s", res.StatusCode, mainPart(page))
		}
		res, page = central.do(t, "POST", runs, url.Values{"passage": {"main"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Le traitement à blanc est lancé") {
			t.Fatalf("start: %d\n%.2000s", res.StatusCode, mainPart(page))
		}
		m := regexp.MustCompile(`href="(` + runs + `/\d+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no link to the run:\n%.3000s", mainPart(page))
		}
		// The run decides in the background: its review page shows it
		// running (and refreshes itself) until it is a dry run to publish.
		for i := 0; ; i++ {
			res, page = central.do(t, "GET", m[1], nil)
			if res.StatusCode != http.StatusOK || strings.Contains(page, "échoué") || i == 200 {
				t.Fatalf("the run did not end as a dry run: %d\n%.3000s", res.StatusCode, mainPart(page))
			}
			if strings.Contains(page, m[1]+"/publier") {
				break
			}
			if !strings.Contains(page, `http-equiv="refresh"`) {
				t.Fatalf("a running run's page does not refresh itself:\n%.3000s", mainPart(page))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(page, "Revue du traitement") || !strings.Contains(page, "sha256:") {
			t.Fatalf("review:\n%.3000s", mainPart(page))
		}
		res, page = central.do(t, "GET", m[1]+"/publier", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Confirmer la publication") {
			t.Fatalf("confirmation: %d\n%.3000s", res.StatusCode, mainPart(page))
		}
		res, page = central.do(t, "POST", m[1]+"/publier", url.Values{"confirmer": {"1"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "La période de réponse de la session s&#39;est terminée le 25/09/2026") {
			t.Fatalf("publication after the answer period: %d\n%.3000s", res.StatusCode, mainPart(page))
		}
	})
}
