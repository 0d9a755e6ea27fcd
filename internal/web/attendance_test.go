package web

import (
	"context"
	stdhtml "html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cma/internal/accounts"
	"cma/internal/attendance"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/outbox"
)

// registerSite is the input site with the attendance service, three
// learners accepted (as redirects) in an annual course that has met, and
// that course's trainer.
func registerSite(t *testing.T, d *db.DB) (s *inputSite, e *catalogue.Entry, day string, learners []int64, trainer *http.Cookie) {
	t.Helper()
	s = newInputSite(t, d, Timeouts{})
	s.srv.Attendance = attendance.New(attendance.Deps{Store: s.st, Catalogue: s.srv.Catalogue, Words: s.srv.Words, Now: s.srv.Now,
		Outbox: outbox.New(s.st, nil, "cma.test"), PublicURL: "http://cma.test"})
	for _, k := range s.ix.All() {
		if k.Session.Code == demo.SessionAnnualCode && !k.Remote && !k.FirstClass.IsZero() && k.FirstClass.Before(inputToday.AddDate(0, 0, -14)) {
			e = k
			break
		}
	}
	if e == nil {
		t.Fatal("the demo's annual session has no course that has met")
	}
	for _, m := range s.ix.Meetings(e, s.srv.Paris) {
		if !m.Skipped && m.Date.Before(inputToday) {
			day = m.Date.Format("2006-01-02")
		}
	}
	// Three candidates file on a 2nd-semester course and are then accepted
	// in the annual one, as a redirect would.
	s2, _, _ := s.enrolledCourse(t)
	rows, err := d.R.Query(`SELECT id FROM candidatures WHERE course_id = $1 ORDER BY id`, s2.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		learners = append(learners, id)
	}
	rows.Close()
	if _, err := d.W.Exec(`UPDATE candidatures SET accepted_course_id = $1 WHERE course_id = $2`, e.ID, s2.ID); err != nil {
		t.Fatal(err)
	}
	acc, _, err := s.accts.AddStaff(context.Background(), accounts.NewStaff{Email: "formation@ville.exemple", FirstName: "Sam",
		LastName: "Formateur", Grants: []domain.Grant{{Role: domain.RoleTrainer, CourseID: e.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	return s, e, day, learners, s.session(t, acc)
}

var registerKey = regexp.MustCompile(`name="cle" value="([^"]+)"`)

// ATT-1 over HTTP: the register's form starts with everyone present and
// carries a key; saved, it says so; sent again with the same key (a lost
// connection), it records once and says it was already saved; a justified
// absence keeps its reason; a bad mark is refused in French on the form.
func TestRegisterForm_ATT1(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, e, day, learners, trainer := registerSite(t, d)
		path := registersPath(e.ID) + "/" + day
		res, body := s.get(t, path, trainer)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		m := registerKey.FindStringSubmatch(body)
		if m == nil || strings.Count(body, `value="present" checked`) != len(learners) {
			t.Fatalf("the register's form has no key or does not start with everyone present:\n%s", body)
		}
		form := url.Values{"cle": {m[1]}}
		for i, c := range learners {
			mark := "present"
			if i == 0 {
				mark = "excused"
				form.Set("motif-"+itoa64(c), "rendez-vous médical")
			}
			form.Set("marque-"+itoa64(c), mark)
		}
		res, _ = s.postForm(t, path, form, trainer)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != registersPath(e.ID)+"?enregistre=1" {
			t.Fatalf("save: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		form.Set("marque-"+itoa64(learners[1]), "absent")
		res, _ = s.postForm(t, path, form, trainer)
		if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?deja=1") {
			t.Fatalf("the same form again: %d → %s, want the register saying it was already saved", res.StatusCode, res.Header.Get("Location"))
		}
		if n := s.count(t, d, `SELECT COUNT(*) FROM attendance_marks WHERE mark = 'absent'`); n != 0 {
			t.Fatalf("the resubmission recorded %d absences", n)
		}
		_, body = s.get(t, path+"?deja=1", trainer)
		text := stdhtml.UnescapeString(body)
		if !strings.Contains(text, "déjà été enregistré") || !strings.Contains(text, `value="rendez-vous médical"`) {
			t.Fatalf("the register after a resubmission:\n%s", text)
		}
		form.Set("cle", "autre-cle")
		form.Set("marque-"+itoa64(learners[1]), "peut-être")
		res, body = s.postForm(t, path, form, trainer)
		if res.StatusCode != http.StatusConflict || !strings.Contains(stdhtml.UnescapeString(body), "Choisissez pour chaque apprenant") {
			t.Fatalf("a bad mark: %d\n%s", res.StatusCode, body)
		}
		_, body = s.get(t, registersPath(e.ID), trainer)
		if text := stdhtml.UnescapeString(body); !strings.Contains(text, "appel fait : 3 présent(s), 0 absent(s)") &&
			!strings.Contains(text, "appel fait : 2 présent(s), 1 absent(s)") {
			t.Fatalf("the registers page does not show the register taken:\n%s", text)
		}
	})
}

// ATT-2: the learner's "mon parcours" shows the rate and whether 75 % can
// still be reached.
func TestJourney_ATT2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, e, day, learners, trainer := registerSite(t, d)
		path := registersPath(e.ID) + "/" + day
		_, body := s.get(t, path, trainer)
		form := url.Values{"cle": {registerKey.FindStringSubmatch(body)[1]}}
		for i, c := range learners {
			form.Set("marque-"+itoa64(c), map[bool]string{true: "absent", false: "late"}[i == 0])
		}
		if res, _ := s.postForm(t, path, form, trainer); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		var account int64
		if err := d.R.QueryRow(`SELECT account_id FROM candidatures WHERE id = $1`, learners[1]).Scan(&account); err != nil {
			t.Fatal(err)
		}
		acc, err := s.st.Account(context.Background(), account)
		if err != nil {
			t.Fatal(err)
		}
		res, body := s.get(t, journeyPath, s.session(t, acc))
		text := stdhtml.UnescapeString(body)
		if res.StatusCode != http.StatusOK || !strings.Contains(text, "100,0\u00a0%") || !strings.Contains(text, "encore possibles") ||
			!strings.Contains(text, "En retard") {
			t.Fatalf("mon parcours of a learner late once: %d\n%s", res.StatusCode, text)
		}
	})
}
