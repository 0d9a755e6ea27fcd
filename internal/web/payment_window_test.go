package web

import (
	"context"
	stdhtml "html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/store"
)

// enrolledCourse files three candidatures on a course of the demo's 2nd
// semester (open to candidatures on inputToday), accepts them as a
// published selection would, confirms their enrolments by the course's
// establishment's director, and returns the course, its learners and the
// director.
func (s *inputSite) enrolledCourse(t *testing.T) (*catalogue.Entry, []store.CourseLearner, domain.Account) {
	t.Helper()
	ctx := context.Background()
	var e *catalogue.Entry
	for _, k := range s.ix.All() {
		if k.Session.Code == demo.SessionSemester2Code && k.Session.CandidatureOpen(inputToday) && !k.Remote &&
			k.Formation.Evaluation == domain.EvaluationNone && k.PriceCents > 0 && k.Capacity >= 3 {
			e = k
			break
		}
	}
	if e == nil {
		t.Skip("the demo's 2nd semester has no course open to candidatures without a test")
	}
	for i := range 3 {
		a := s.candidate(t, "frais-"+itoa64(int64(i)))
		actor := accounts.ActorOf(a)
		if err := s.srv.Candidatures.Add(ctx, actor, a.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		b, err := s.srv.Candidatures.ShowBasket(ctx, actor, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.srv.Candidatures.Validate(ctx, actor, a.ID, candidature.Form{Token: b.Token, Objective: domain.ObjectivePersonal,
			AcceptRules: true, RulesVersion: b.Rules.Version}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.st.DB().W.Exec(`UPDATE candidatures SET status = 'accepted', accepted_course_id = course_id, half_tariff_claim = FALSE
		WHERE course_id = $1 AND status = 'submitted'`, e.ID); err != nil {
		t.Fatal(err)
	}
	learners, err := s.st.CourseLearners(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	director := s.director(t, e.ID)
	ids := make([]int64, len(learners))
	for i, l := range learners {
		ids[i] = l.CandidatureID
	}
	if _, err := s.pay.Confirm(ctx, accounts.ActorOf(director), e.ID, ids); err != nil {
		t.Fatal(err)
	}
	return e, learners, director
}

// page gets path and returns its status and its text, entities decoded.
func (s *inputSite) page(t *testing.T, path string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	res, body := s.get(t, path, cookies...)
	return res, stdhtml.UnescapeString(body)
}

// post posts form to path and returns its status and its text, entities
// decoded.
func (s *inputSite) post(t *testing.T, path string, form url.Values, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	res, body := s.postForm(t, path, form, cookies...)
	return res, stdhtml.UnescapeString(body)
}

func (s *inputSite) count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestRoster_PAY1_course_wide_extension_form(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newInputSite(t, d, Timeouts{})
		ctx := context.Background()
		e, learners, director := site.enrolledCourse(t)
		cookie := site.session(t, director)
		roster := rosterPath(e.ID)

		res, body := site.page(t, roster, cookie)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("roster: %d", res.StatusCode)
		}
		week := inputToday.In(site.srv.Paris).AddDate(0, 0, 7).Format(time.DateOnly)
		if !strings.Contains(body, `action="`+roster+`/delai"`) || !strings.Contains(body, `name="jusquau-cours"`) ||
			!strings.Contains(body, `value="`+week+`"`) || !strings.Contains(body, "Prolonger le délai pour tout le cours") {
			t.Fatalf("the roster has no course-wide extension form with %s suggested:\n%s", week, body)
		}

		// A day that is no date, and one past the bound: clear French errors.
		res, body = site.post(t, roster+"/delai", url.Values{"jusquau-cours": {"demain"}}, cookie)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Indiquez une date") ||
			!strings.Contains(body, `value="demain"`) {
			t.Fatalf("a bad date: %d\n%s", res.StatusCode, body)
		}
		far := inputToday.AddDate(0, 0, 200).Format(time.DateOnly)
		res, body = site.post(t, roster+"/delai", url.Values{"jusquau-cours": {far}}, cookie)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Choisissez un jour à venir, dans les 90 jours.") {
			t.Fatalf("a day past the bound: %d\n%s", res.StatusCode, body)
		}
		if n := site.count(t, d, `SELECT COUNT(*) FROM messages WHERE kind = 'payment_window_changed'`); n != 0 {
			t.Fatalf("%d emails after refused extensions, want none", n)
		}

		var until time.Time // three days after every learner's window
		for _, l := range learners {
			en, _, _ := site.st.EnrolmentOf(ctx, nil, l.CandidatureID)
			if d := en.PayUntil.AddDate(0, 0, 3); d.After(until) {
				until = d
			}
		}
		if until.After(inputToday.AddDate(0, 0, 89)) {
			t.Skipf("the windows end %s, too far for an extension", until.Format(time.DateOnly))
		}
		res, _ = site.post(t, roster+"/delai", url.Values{"jusquau-cours": {until.Format(time.DateOnly)},
			"motif-delai-cours": {"grève des transports"}}, cookie)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != roster+"?delai=cours#delai-cours" {
			t.Fatalf("the extension: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		// Each learner still due is told; the page says so.
		for _, l := range learners {
			if n := site.count(t, d, `SELECT COUNT(*) FROM messages WHERE account_id = $1 AND kind = 'payment_window_changed'`,
				l.AccountID); n != 1 {
				t.Fatalf("learner %d got %d emails of the extension, want 1", l.AccountID, n)
			}
		}
		_, body = site.page(t, roster+"?delai=cours", cookie)
		if !strings.Contains(body, "Délai de paiement prolongé pour tout le cours") {
			t.Fatalf("no saved message:\n%s", body)
		}
		// The learner's "historique et paiement" shows the new last day.
		learner, err := site.st.Account(ctx, learners[0].AccountID)
		if err != nil {
			t.Fatal(err)
		}
		_, body = site.page(t, feesPath, site.session(t, learner))
		if want := "À payer au plus tard le " + frenchDate(until); !strings.Contains(body, want) {
			t.Fatalf("the learner's page does not say %q:\n%s", want, body)
		}

		// Nobody left to pay: no form.
		if _, err := site.st.DB().W.Exec(`UPDATE enrolments SET state = 'paid' WHERE course_id = $1`, e.ID); err != nil {
			t.Fatal(err)
		}
		if _, body = site.page(t, roster, cookie); strings.Contains(body, `name="jusquau-cours"`) {
			t.Fatal("the course-wide form is shown with nobody left to pay")
		}
	})
}

// frenchDate is a civil date as the pages write it: "mardi 26 janvier 2027".
func frenchDate(t time.Time) string {
	days := []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	months := []string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
		"novembre", "décembre"}
	day := itoa64(int64(t.Day()))
	if t.Day() == 1 {
		day = "1er"
	}
	return days[t.Weekday()] + " " + day + " " + months[t.Month()] + " " + itoa64(int64(t.Year()))
}

func TestUnpaidQueue_PAY1_fees_due_overdue_first_with_links(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newInputSite(t, d, Timeouts{})
		ctx := context.Background()
		central := site.session(t, site.central(t))

		// Nothing confirmed yet: a clear sentence.
		res, body := site.page(t, unpaidPath, central)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Droits d'inscription non payés") ||
			!strings.Contains(body, "Aucun droit d'inscription en attente de paiement") {
			t.Fatalf("the empty queue: %d\n%s", res.StatusCode, body)
		}

		e, learners, director := site.enrolledCourse(t)
		cookie := site.session(t, director)
		// The last learner's window passed a week ago.
		late := learners[len(learners)-1]
		en, _, err := site.st.EnrolmentOf(ctx, nil, late.CandidatureID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := site.st.DB().W.Exec(`UPDATE enrolments SET pay_until = $1 WHERE id = $2`,
			inputToday.AddDate(0, 0, -7).Format(time.DateOnly), en.ID); err != nil {
			t.Fatal(err)
		}

		for _, who := range []*http.Cookie{cookie, central} {
			res, body = site.page(t, unpaidPath, who)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("the queue: %d", res.StatusCode)
			}
			if !strings.Contains(body, `class="table-scroll"`) || !strings.Contains(body, e.Code) ||
				!strings.Contains(body, "Le délai est passé pour 1 d'entre elles") {
				t.Fatalf("the queue lacks its table, course or count:\n%s", body)
			}
			lateAt := strings.Index(body, rosterPath(e.ID)+"#inscrit-"+itoa64(late.CandidatureID))
			if lateAt < 0 {
				t.Fatalf("no link to the overdue learner's row:\n%s", body)
			}
			for _, l := range learners[:len(learners)-1] {
				at := strings.Index(body, rosterPath(e.ID)+"#inscrit-"+itoa64(l.CandidatureID))
				if at < 0 || at < lateAt {
					t.Fatalf("learner %d at %d, the overdue one at %d: want every learner listed, the overdue first",
						l.CandidatureID, at, lateAt)
				}
			}
			if !strings.Contains(body, "non payé — délai passé le") || !strings.Contains(body, strings.ToUpper(late.LastName)) {
				t.Fatalf("the overdue row does not say so:\n%s", body)
			}
		}

		// The back office links the queue for the director; a candidate may
		// not see it.
		if _, body = site.page(t, "/back-office", cookie); !strings.Contains(body, `href="`+unpaidPath+`"`) {
			t.Fatalf("the back office does not link the queue:\n%s", body)
		}
		if res, _ = site.page(t, unpaidPath, site.session(t, site.candidate(t, "file-1"))); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a candidate's queue: %d, want 403", res.StatusCode)
		}
	})
}
