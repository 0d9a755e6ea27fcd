package web

import (
	"context"
	stdhtml "html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cma/internal/accounts"
	"cma/internal/attendance"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/waitlist"
)

// strikeSite is registerSite whose attendance frees seats down the
// waiting lists, with the days of the course's meetings held so far.
func strikeSite(t *testing.T, d *db.DB) (s *inputSite, e *catalogue.Entry, days []string, learners []int64, trainer *http.Cookie) {
	t.Helper()
	s, e, _, learners, trainer = registerSite(t, d)
	queue, err := jobs.New(d, s.st, nil, jobs.Config{Now: s.srv.Now}) // insert-only: the emails are queued, not sent
	if err != nil {
		t.Fatal(err)
	}
	box := outbox.New(s.st, queue, "cma.test")
	s.srv.Attendance = attendance.New(attendance.Deps{Store: s.st, Catalogue: s.srv.Catalogue, Words: s.srv.Words, Now: s.srv.Now,
		Outbox: box, PublicURL: "http://cma.test", Waitlist: waitlist.New(waitlist.Deps{Store: s.st, Catalogue: s.srv.Catalogue,
			Outbox: box, Words: s.srv.Words, Now: s.srv.Now, PublicURL: "http://cma.test"})})
	for _, m := range s.ix.Meetings(e, s.srv.Paris) {
		if !m.Skipped && m.Date.Before(inputToday) {
			days = append(days, m.Date.Format("2006-01-02"))
		}
	}
	if len(days) < 3 {
		t.Fatalf("%d meetings held, want 3", len(days))
	}
	return s, e, days, learners, trainer
}

// takeRegister saves the register of day with the learners given absent,
// the others present.
func (s *inputSite) takeRegister(t *testing.T, e *catalogue.Entry, day string, learners []int64, absent map[int64]string, who *http.Cookie) {
	t.Helper()
	path := registersPath(e.ID) + "/" + day
	_, body := s.get(t, path, who)
	m := registerKey.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no register form on %s", path)
	}
	form := url.Values{"cle": {m[1]}}
	for _, c := range learners {
		mark := "present"
		if a, ok := absent[c]; ok {
			mark = a
			if a == "excused" {
				form.Set("motif-"+itoa64(c), "certificat")
			}
		}
		form.Set("marque-"+itoa64(c), mark)
	}
	if res, _ := s.postForm(t, path, form, who); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save %s: %d", path, res.StatusCode)
	}
}

func (s *inputSite) staffCookie(t *testing.T, email string, g domain.Grant) *http.Cookie {
	t.Helper()
	acc, _, err := s.accts.AddStaff(context.Background(), accounts.NewStaff{Email: email, FirstName: "Alex", LastName: "Équipe",
		Grants: []domain.Grant{g}})
	if err != nil {
		t.Fatal(err)
	}
	return s.session(t, acc)
}

func (s *inputSite) learnerCookie(t *testing.T, d *db.DB, cand int64) *http.Cookie {
	t.Helper()
	var account int64
	if err := d.R.QueryRow(`SELECT account_id FROM candidatures WHERE id = $1`, cand).Scan(&account); err != nil {
		t.Fatal(err)
	}
	acc, err := s.st.Account(context.Background(), account)
	if err != nil {
		t.Fatal(err)
	}
	return s.session(t, acc)
}

// ATT-3, ROLE-5 over HTTP: the central service's queue lists the learner
// reported, with the days of the absences; the trainer may not open it; a
// strike-off without a motive is refused in French on the page; with one,
// the learner is struck off, and "mon parcours" and "mes candidatures"
// say so with the motive.
func TestStrikeOffQueue_ATT3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, e, days, learners, trainer := strikeSite(t, d)
		b := learners[0]
		for _, day := range days[len(days)-3:] {
			s.takeRegister(t, e, day, learners, map[int64]string{b: "absent"}, trainer)
		}
		central := s.staffCookie(t, "central@ville.exemple", domain.Grant{Role: domain.RoleCentral})
		if res, _ := s.get(t, strikeOffPath, trainer); res.StatusCode != http.StatusForbidden {
			t.Fatalf("ROLE-5 the trainer opens the queue: %d", res.StatusCode)
		}
		res, body := s.get(t, strikeOffPath, central)
		text := stdhtml.UnescapeString(body)
		if res.StatusCode != http.StatusOK || !strings.Contains(text, "Radier") || !strings.Contains(text, "Maintenir") ||
			!strings.Contains(text, e.Code) {
			t.Fatalf("the queue: %d\n%s", res.StatusCode, text)
		}
		var start string
		if err := d.R.QueryRow(`SELECT CAST(streak_start AS TEXT) FROM attendance_flags WHERE candidature_id = $1`, b).Scan(&start); err != nil {
			t.Fatal(err)
		}
		form := url.Values{"candidature": {itoa64(b)}, "cours": {itoa64(e.ID)}, "debut": {start[:10]}, "motif": {" "}}
		res, body = s.postForm(t, strikeOffPath+"/radier", form, central)
		if res.StatusCode != http.StatusConflict || !strings.Contains(stdhtml.UnescapeString(body), "Indiquez le motif") {
			t.Fatalf("a strike-off without a motive: %d\n%s", res.StatusCode, body)
		}
		form.Set("motif", "aucune nouvelle depuis trois semaines")
		if res, _ := s.postForm(t, strikeOffPath+"/radier", form, trainer); res.StatusCode != http.StatusForbidden {
			t.Fatalf("ROLE-5 the trainer strikes off: %d", res.StatusCode)
		}
		res, _ = s.postForm(t, strikeOffPath+"/radier", form, central)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != strikeOffPath+"?fait=radie" {
			t.Fatalf("strike off: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		if n := s.count(t, d, `SELECT COUNT(*) FROM candidatures WHERE id = $1 AND status = 'struck_off'`, b); n != 1 {
			t.Fatal("the candidature is not struck off")
		}
		res, _ = s.postForm(t, strikeOffPath+"/radier", form, central)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != strikeOffPath+"?fait=deja" {
			t.Fatalf("strike off again: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		learner := s.learnerCookie(t, d, b)
		_, body = s.get(t, journeyPath, learner)
		if text := stdhtml.UnescapeString(body); !strings.Contains(text, "Radié(e) du cours") ||
			!strings.Contains(text, "aucune nouvelle depuis trois semaines") {
			t.Fatalf("mon parcours of a learner struck off:\n%s", text)
		}
		_, body = s.get(t, "/mes-candidatures", learner)
		if text := stdhtml.UnescapeString(body); !strings.Contains(text, "Radié(e)") ||
			!strings.Contains(text, "Vous avez été radié(e) du cours (radiation prononcée par le service central : aucune nouvelle depuis trois semaines)") ||
			!strings.Contains(text, "Radiation du cours") {
			t.Fatalf("mes candidatures of a learner struck off (status, motive, the email's copy):\n%s", text)
		}
	})
}

// ATT-4, ROLE-2 over HTTP: the registers page offers the trainer an
// exclusion form per learner, for absences only beyond three in a row; an
// exclusion for absences with fewer is refused in French; for conduct,
// with a motive, it is recorded; a trainer of another course may not.
func TestExcludeForm_ATT4(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, e, days, learners, trainer := strikeSite(t, d)
		a := learners[0]
		s.takeRegister(t, e, days[len(days)-1], learners, map[int64]string{a: "excused"}, trainer)
		res, body := s.get(t, registersPath(e.ID), trainer)
		text := stdhtml.UnescapeString(body)
		if res.StatusCode != http.StatusOK || !strings.Contains(text, "Exclure") || !strings.Contains(text, "Comportement qui perturbe le cours") ||
			strings.Contains(text, "absences consécutives</label>") {
			t.Fatalf("the registers page's exclusion forms: %d\n%s", res.StatusCode, text)
		}
		path := exclusionPath(e.ID)
		form := url.Values{"candidature": {itoa64(a)}, "nature": {"absences"}, "motif": {"absent"}}
		res, body = s.postForm(t, path, form, trainer)
		if res.StatusCode != http.StatusConflict || !strings.Contains(stdhtml.UnescapeString(body), "plus de trois absences consécutives") {
			t.Fatalf("an exclusion for one absence: %d\n%s", res.StatusCode, body)
		}
		other := s.staffCookie(t, "autre@ville.exemple", domain.Grant{Role: domain.RoleTrainer, CourseID: e.ID + 1})
		form = url.Values{"candidature": {itoa64(a)}, "nature": {"conduct"}, "motif": {"propos insultants envers le groupe"}}
		if res, _ := s.postForm(t, path, form, other); res.StatusCode != http.StatusForbidden {
			t.Fatalf("ROLE-2 a trainer of another course excludes: %d", res.StatusCode)
		}
		res, _ = s.postForm(t, path, form, trainer)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != registersPath(e.ID)+"?exclusion=exclu" {
			t.Fatalf("exclude for conduct: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		if n := s.count(t, d, `SELECT COUNT(*) FROM candidatures WHERE id = $1 AND status = 'excluded'`, a); n != 1 {
			t.Fatal("the candidature is not excluded")
		}
		_, body = s.get(t, journeyPath, s.learnerCookie(t, d, a))
		if text := stdhtml.UnescapeString(body); !strings.Contains(text, "Exclu(e) du cours") || !strings.Contains(text, "propos insultants") {
			t.Fatalf("mon parcours of a learner excluded:\n%s", text)
		}
	})
}
