package web

import (
	"context"
	stdhtml "html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/evaluation"
)

var firstDayChoice = regexp.MustCompile(`<option value="(\d{4}-\d\d-\d\d)"`)

// CER-1, CER-2, ROLE-4 over HTTP: the central service fixes the
// evaluation's date from the meetings to come; the coordinator cannot, and
// enters the results once the day has come (not before, in French); the
// central service issues the certificate from its dashboard; the learner
// finds it in "mon parcours".
func TestEvaluationPages_CER1_CER2_ROLE4(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, e, _, learners, trainer := registerSite(t, d)
		var clock atomic.Int64
		clock.Store(inputToday.UnixNano())
		now := func() time.Time { return time.Unix(0, clock.Load()) }
		s.srv.Evaluation = evaluation.New(evaluation.Deps{Store: s.st, Catalogue: s.srv.Catalogue, Words: s.srv.Words, Now: now,
			Outbox: s.mailbox, PublicURL: "http://cma.test"})
		ctx := context.Background()
		staff := func(email string, g domain.Grant) *http.Cookie {
			acc, _, err := s.accts.AddStaff(ctx, accounts.NewStaff{Email: email, FirstName: "Camille", LastName: "Équipe", Grants: []domain.Grant{g}})
			if err != nil {
				t.Fatal(err)
			}
			return s.session(t, acc)
		}
		central := staff("central.eval@ville.exemple", domain.Grant{Role: domain.RoleCentral})
		coordinator := staff("coord.eval@ville.exemple", domain.Grant{Role: domain.RoleCoordinator, FormationID: e.FormationID})
		path := evaluationPath(e.ID)
		if res, _ := s.get(t, path, trainer); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the trainer opens the evaluation: %d (ROLE-2: the register is theirs, not the results)", res.StatusCode)
		}
		_, body := s.get(t, path, coordinator)
		if strings.Contains(body, `name="jour"`) {
			t.Fatal("the coordinator is offered to fix the catalogue's date")
		}
		_, body = s.get(t, path, central)
		m := firstDayChoice.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no meeting to choose the date from:\n%s", body)
		}
		if res, _ := s.postForm(t, path+"/date", url.Values{"jour": {m[1]}}, coordinator); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the coordinator fixes the date: %d", res.StatusCode)
		}
		res, body := s.postForm(t, path+"/date", url.Values{"jour": {m[1]}}, central)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("fix the date: %d\n%s", res.StatusCode, body)
		}
		if n := s.count(t, d, `SELECT COUNT(*) FROM messages WHERE kind = 'evaluation_convocation'`); n != len(learners) {
			t.Fatalf("%d convocations for %d learners", n, len(learners))
		}
		results := url.Values{}
		for i, c := range learners {
			results.Set("resultat-"+itoa64(c), map[bool]string{true: "passed", false: "failed"}[i == 0])
		}
		res, body = s.postForm(t, path+"/resultats", results, coordinator)
		if res.StatusCode != http.StatusConflict || !strings.Contains(stdhtml.UnescapeString(body), "Les résultats se saisissent à partir du") {
			t.Fatalf("results before the day: %d\n%s", res.StatusCode, body)
		}
		day, _ := time.Parse(time.DateOnly, m[1])
		clock.Store(day.Add(21 * time.Hour).UnixNano())
		if res, _ = s.postForm(t, path+"/resultats", results, coordinator); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("results on the day: %d", res.StatusCode)
		}
		_, body = s.get(t, path+"?enregistre=resultats", coordinator)
		if strings.Count(body, `value="passed" checked`) != 1 || strings.Count(body, `value="failed" checked`) != len(learners)-1 {
			t.Fatalf("the sheet does not show the results entered:\n%s", body)
		}
		if res, _ = s.get(t, certificatesPath, coordinator); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the coordinator opens the certificates' dashboard: %d", res.StatusCode)
		}
		_, body = s.get(t, certificatesPath, central)
		if !strings.Contains(stdhtml.UnescapeString(body), "Délivrer les 1 certificat(s)") {
			t.Fatalf("the dashboard does not offer the one certificate:\n%s", body)
		}
		if res, _ = s.postForm(t, certificatesPath+"/delivrer", url.Values{}, central); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("issue: %d", res.StatusCode)
		}
		if n := s.count(t, d, `SELECT COUNT(*) FROM certificates`); n != 1 {
			t.Fatalf("%d certificates issued", n)
		}
		var account int64
		if err := d.R.QueryRow(`SELECT account_id FROM candidatures WHERE id = $1`, learners[0]).Scan(&account); err != nil {
			t.Fatal(err)
		}
		acc, err := s.st.Account(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		_, body = s.get(t, journeyPath, s.session(t, acc))
		if text := stdhtml.UnescapeString(body); !strings.Contains(text, "certificat de compétences n° C2026-") {
			t.Fatalf("mon parcours does not show the certificate:\n%s", text)
		}
	})
}
