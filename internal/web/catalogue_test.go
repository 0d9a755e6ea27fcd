package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cma/internal/domain"
)

// TestPublicCatalogue walks the public catalogue on the scale-1 demo city, through
// the real router and a real database, without signing in.
func TestPublicCatalogue(t *testing.T) {
	s := newSite(t)

	t.Run("CAT1_demo_has_at_least_1300_courses_and_api_pages", func(t *testing.T) {
		all := s.allCourses(t, "")
		if len(all) < 1300 {
			t.Fatalf("demo has %d courses, want ≥ 1300", len(all))
		}
		seen := map[int64]bool{}
		for _, c := range all {
			if seen[c.ID] {
				t.Fatalf("course %d listed twice across pages", c.ID)
			}
			seen[c.ID] = true
		}
	})

	t.Run("CAT1_keyword_anglais_accent_and_case_insensitive", func(t *testing.T) {
		l := s.courses(t, "q=anglais")
		if l.Total == 0 {
			t.Fatal("q=anglais found nothing")
		}
		for _, c := range l.Items {
			if !strings.Contains(domain.SearchKey(c.Formation.Title+" "+c.Establishment.Name), "anglais") {
				t.Errorf("q=anglais returned %q", c.Formation.Title)
			}
		}
		if s.courses(t, "q=ANGLAIS").Total != l.Total {
			t.Error("keyword search is case-sensitive")
		}
		a, b := s.courses(t, "q=ceramique").Total, s.courses(t, "q="+url.QueryEscape("Céramique")).Total
		if a == 0 || a != b {
			t.Errorf("céramique: %d without accent, %d with", a, b)
		}
	})

	t.Run("CAT1_every_filter_holds_on_every_result", func(t *testing.T) {
		checks := map[string]func(c courseJSON) bool{
			"domaine=computing":   func(c courseJSON) bool { return c.Formation.Subject == "computing" },
			"niveau=intermediate": func(c courseJSON) bool { return c.Level == "intermediate" },
			"arrondissement=11":   func(c courseJSON) bool { return c.Establishment.District == 11 },
			"jour=6":              func(c courseJSON) bool { return c.Weekday == 6 },
			"moment=evening":      func(c courseJSON) bool { return c.Start >= "18:00" },
			"moment=morning":      func(c courseJSON) bool { return c.Start < "12:00" },
			"prix_max=200":        func(c courseJSON) bool { return c.PriceCents <= 20000 },
			"places=1":            func(c courseJSON) bool { return c.PlacesLeft > 0 },
			"diplome=oui":         func(c courseJSON) bool { return c.Formation.Diploma },
			"distanciel=oui":      func(c courseJSON) bool { return c.Remote },
		}
		total := s.courses(t, "").Total
		for query, ok := range checks {
			got := s.allCourses(t, query)
			if len(got) == 0 || len(got) == total {
				t.Errorf("%s: %d of %d courses — the filter does not filter", query, len(got), total)
			}
			for _, c := range got {
				if !ok(c) {
					t.Errorf("%s returned %s (%+v)", query, c.Code, c)
					break
				}
			}
		}
		est := s.courses(t, "").Items[0].Establishment.ID
		for _, c := range s.allCourses(t, "etablissement="+itoa(int(est))) {
			if c.Establishment.ID != est {
				t.Fatalf("etablissement=%d returned %s", est, c.Code)
			}
		}
	})

	t.Run("CAT1_search_page_html", func(t *testing.T) {
		res, body := s.get(t, "/catalogue?q=anglais&jour=1")
		if res.StatusCode != 200 || !strings.Contains(body, "Anglais") || !strings.Contains(body, "cours trouvés") {
			t.Fatalf("status %d, body lacks results", res.StatusCode)
		}
		if !strings.Contains(body, `<option value="1" selected>Lundi</option>`) {
			t.Error("the chosen weekday is not kept in the form")
		}
		if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("security headers missing")
		}
	})

	t.Run("CAT1_bad_filters_get_french_messages", func(t *testing.T) {
		res, body := s.get(t, "/catalogue?couleur=rouge&jour=9")
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{"Il y a un problème", "Le critère « couleur » n&#39;existe pas.", "Choisissez un jour dans la liste."} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		res, body = s.get(t, "/catalogue?q=anglais&page=999")
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "Cette page n&#39;existe pas") {
			t.Fatalf("out-of-range page: status %d", res.StatusCode)
		}
	})

	t.Run("CAT1_api_errors_are_problem_details", func(t *testing.T) {
		for _, tc := range []struct {
			path   string
			status int
			param  string
		}{
			{"/api/v1/courses?tri=prix", 400, "tri"},
			{"/api/v1/courses?jour=lundi", 400, "jour"},
			{"/api/v1/courses?etablissement=999999", 400, "etablissement"},
			{"/api/v1/courses?page=99999", 404, ""},
			{"/api/v1/courses/999999", 404, ""},
			{"/api/v1/nothing", 404, ""},
			{"/api/v1/formations?jour=1", 400, "jour"},
		} {
			res, body := s.get(t, tc.path)
			if res.StatusCode != tc.status || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s", tc.path, res.StatusCode, res.Header.Get("Content-Type"))
				continue
			}
			var p struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
				Errors []struct {
					Parameter string `json:"parameter"`
					Detail    string `json:"detail"`
				} `json:"errors"`
			}
			if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != tc.status || p.Detail == "" {
				t.Errorf("%s: bad problem document %s", tc.path, body)
			}
			if tc.param != "" && (len(p.Errors) != 1 || p.Errors[0].Parameter != tc.param || p.Errors[0].Detail == "") {
				t.Errorf("%s: errors = %+v", tc.path, p.Errors)
			}
		}
		_, body := s.get(t, "/api/v1/courses?jour=9", "Accept-Language", "en")
		if !strings.Contains(body, "Choose a day from the list.") {
			t.Errorf("English problem detail missing: %s", body)
		}
	})

	t.Run("CAT3_course_has_every_attribute", func(t *testing.T) {
		for _, c := range s.courses(t, "par_page=100").Items {
			if c.Establishment.Name == "" || c.Start == "" || c.End <= c.Start || c.Session.ID == 0 || c.Level == "" ||
				c.Capacity <= 0 || c.Trainer == "" || c.PriceCents <= 0 {
				t.Fatalf("incomplete course %+v", c)
			}
		}
	})

	t.Run("CAT4_capacities", func(t *testing.T) {
		for _, c := range s.allCourses(t, "") {
			switch c.Formation.Kind {
			case "computer":
				if c.Capacity > 15 {
					t.Fatalf("computer course %s has %d places", c.Code, c.Capacity)
				}
			case "general":
				if c.Capacity > 25 {
					t.Fatalf("course %s has %d places", c.Code, c.Capacity)
				}
			}
		}
	})

	t.Run("CAT5_course_page_and_ics_skip_holidays", func(t *testing.T) {
		var monday *courseJSON
		for _, c := range s.allCourses(t, "jour=1") {
			c := c
			if detail := s.course(t, c.ID); len(detail.Meetings) > 30 && !holidaySession(detail) {
				monday = &detail
				break
			}
		}
		if monday == nil {
			t.Fatal("no annual Monday course in the demo")
		}
		reasons := map[string]string{}
		held := 0
		for _, m := range monday.Meetings {
			if m.Skipped {
				reasons[m.Date] = m.Reason
			} else {
				held++
			}
		}
		if reasons["2027-05-17"] != "Lundi de Pentecôte" {
			t.Errorf("Whit Monday 2027 not skipped: %v", reasons)
		}
		if !strings.HasPrefix(reasons["2026-10-19"], "Vacances de la Toussaint") {
			t.Errorf("Toussaint holidays not skipped: %v", reasons)
		}
		res, body := s.get(t, "/catalogue/cours/"+itoa(int(monday.ID)))
		if res.StatusCode != 200 || !strings.Contains(body, "Pas de cours : Lundi de Pentecôte") || !strings.Contains(body, "Calendrier des séances") {
			t.Fatalf("course page: %d", res.StatusCode)
		}
		res, ics := s.get(t, "/catalogue/cours/"+itoa(int(monday.ID))+"/seances.ics")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("ics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		// Every meeting is an event; the skipped ones are cancelled, so that a
		// calendar that imported them held removes them.
		if n, c := strings.Count(ics, "BEGIN:VEVENT"), strings.Count(ics, "STATUS:CANCELLED"); n != len(monday.Meetings) || n-c != held {
			t.Errorf("ics has %d events, %d cancelled; the course has %d meetings, %d held", n, c, len(monday.Meetings), held)
		}
		whit := regexp.MustCompile(`(?s)BEGIN:VEVENT\r\nUID:[^\r]*-20270517@[^\r]*\r\n.*?END:VEVENT`).FindString(ics)
		if !strings.Contains(whit, "STATUS:CANCELLED") || !strings.Contains(whit, "SUMMARY:Pas de cours : Lundi de Pentecôte") {
			t.Errorf("the Whit Monday meeting is not cancelled:\n%s", whit)
		}
	})

	t.Run("CAT7_diploma_marked", func(t *testing.T) {
		dip := s.courses(t, "diplome=oui").Items[0]
		_, body := s.get(t, "/catalogue/cours/"+itoa(int(dip.ID)))
		if !strings.Contains(body, "L&#39;inscription aux examens et les éventuels frais d&#39;examen sont à la charge") {
			t.Error("diploma course page lacks the exam note")
		}
		other := s.courses(t, "diplome=non").Items[0]
		_, body = s.get(t, "/catalogue/cours/"+itoa(int(other.ID)))
		if strings.Contains(body, "inscription aux examens") {
			t.Error("a non-diploma course shows the exam note")
		}
	})

	t.Run("PER1_periods_shown", func(t *testing.T) {
		res, body := s.get(t, "/api/v1/sessions")
		if res.StatusCode != 200 {
			t.Fatal(res.StatusCode)
		}
		var l struct {
			Items []struct {
				ID                int64     `json:"id"`
				CandidatureOpens  time.Time `json:"candidature_opens"`
				CandidatureCloses time.Time `json:"candidature_closes"`
				AnswerOpens       time.Time `json:"answer_opens"`
				Open              bool      `json:"candidature_open"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatal(err)
		}
		open := 0
		for _, se := range l.Items {
			if se.CandidatureOpens.IsZero() || !se.CandidatureOpens.Before(se.CandidatureCloses) || se.AnswerOpens.Before(se.CandidatureCloses) {
				t.Errorf("incoherent periods: %+v", se)
			}
			if se.Open {
				open++
				c := s.courses(t, "session="+itoa(int(se.ID))).Items[0]
				_, page := s.get(t, "/catalogue/cours/"+itoa(int(c.ID)))
				if !strings.Contains(page, "Période de candidature") || !strings.Contains(page, "Candidatures ouvertes jusqu&#39;au ") {
					t.Error("course page of the open session does not say candidatures are open")
				}
			}
		}
		if open == 0 {
			t.Error("no session open on the demo day")
		}
	})

	t.Run("CAT2_brochure_pdf_and_html", func(t *testing.T) {
		res, body := s.get(t, "/catalogue/brochure.pdf")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
			t.Fatalf("brochure.pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		res, html := s.get(t, "/catalogue/brochure")
		if res.StatusCode != 200 || !strings.Contains(html, "Préparations aux diplômes") || !strings.Contains(html, "brochure.pdf") {
			t.Fatalf("brochure page: %d", res.StatusCode)
		}
	})

	t.Run("english_switch", func(t *testing.T) {
		form := url.Values{"lang": {"en"}, "retour": {"/catalogue?q=anglais"}}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest("POST", s.URL+"/langue", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/catalogue?q=anglais" {
			t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		cookie := res.Cookies()[0]
		_, body := s.get(t, "/catalogue?q=anglais", "Cookie", cookie.Name+"="+cookie.Value)
		if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "courses found") {
			t.Error("page not in English after the switch")
		}
		// An outside address is never a redirect target.
		form.Set("retour", "//evil.example/")
		req, _ = http.NewRequest("POST", s.URL+"/langue", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, _ = client.Do(req)
		res.Body.Close()
		if res.Header.Get("Location") != "/catalogue" {
			t.Errorf("open redirect to %s", res.Header.Get("Location"))
		}
	})

	t.Run("cross_origin_post_refused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL+"/langue", strings.NewReader("lang=en"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d", res.StatusCode)
		}
	})

	t.Run("not_found_in_french", func(t *testing.T) {
		res, body := s.get(t, "/nulle-part")
		if res.StatusCode != 404 || !strings.Contains(body, "Page introuvable") {
			t.Fatalf("%d", res.StatusCode)
		}
		res, body = s.get(t, "/catalogue/cours/abc")
		if res.StatusCode != 404 || !strings.Contains(body, "Ce cours n&#39;existe pas") {
			t.Fatalf("%d", res.StatusCode)
		}
	})

	t.Run("health_metrics_openapi", func(t *testing.T) {
		for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/api/v1/openapi.yaml": "openapi: 3.1.0"} {
			res, body := s.get(t, path)
			if res.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("%s: %d", path, res.StatusCode)
			}
		}
		// Metrics are not on the public site: app serves them on --metrics-addr.
		if res, _ := s.get(t, "/metrics"); res.StatusCode != http.StatusNotFound {
			t.Errorf("public /metrics: %d, want 404", res.StatusCode)
		}
		rec := httptest.NewRecorder()
		s.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `cma_http_requests_total{code="200",route="GET /healthz"}`) {
			t.Errorf("metrics handler: %d\n%.300s", rec.Code, rec.Body.String())
		}
		_, doc := s.get(t, "/api/v1/openapi.yaml")
		for _, p := range []string{"/sessions:", "/formations:", "/courses:", "/courses/{id}:"} {
			if !strings.Contains(doc, p) {
				t.Errorf("openapi.yaml does not describe %s", p)
			}
		}
	})
}

func (s *site) course(t *testing.T, id int64) courseJSON {
	t.Helper()
	res, body := s.get(t, "/api/v1/courses/"+itoa(int(id)))
	if res.StatusCode != 200 {
		t.Fatalf("course %d: %d", id, res.StatusCode)
	}
	var c courseJSON
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// holidaySession: a holiday session skips nothing, which the API shows as no
// skipped meeting at all over a whole year.
func holidaySession(c courseJSON) bool {
	for _, m := range c.Meetings {
		if m.Skipped {
			return false
		}
	}
	return true
}

// TestRemoteSwitch_CAT6: switching every course to remote shows at once on the
// catalogue; the course page tells learners.
func TestRemoteSwitch_CAT6(t *testing.T) {
	s := newSite(t)
	before := s.courses(t, "distanciel=oui").Total
	total := s.courses(t, "").Total
	if before == 0 || before == total {
		t.Fatalf("demo remote courses: %d of %d", before, total)
	}
	if err := s.store.SetAllRemote(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if got := s.courses(t, "distanciel=oui").Total; got != total {
		t.Fatalf("after the switch %d of %d courses are remote", got, total)
	}
	c := s.courses(t, "").Items[0]
	_, body := s.get(t, "/catalogue/cours/"+itoa(int(c.ID)))
	if !strings.Contains(body, "Ce cours a lieu à distance.") {
		t.Error("course page does not tell the course is remote")
	}
}

// TestReadyzWhenDatabaseIsGone: readiness fails, liveness stays, pages answer from
// the catalogue already in memory.
func TestReadyzWhenDatabaseIsGone(t *testing.T) {
	s := newSite(t)
	s.get(t, "/catalogue")
	s.db.Close()
	if res, _ := s.get(t, "/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database: %d", res.StatusCode)
	}
	if res, _ := s.get(t, "/healthz"); res.StatusCode != 200 {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
	if res, _ := s.get(t, "/catalogue"); res.StatusCode != 200 {
		t.Fatalf("catalogue with a closed database: %d", res.StatusCode)
	}
}

func TestFormationsAPI(t *testing.T) {
	s := newSite(t)
	res, body := s.get(t, "/api/v1/formations?q=excel&par_page=100")
	var l struct {
		Items []struct {
			Title   string `json:"title"`
			Subject string `json:"subject"`
			Diploma bool   `json:"diploma"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &l) != nil || l.Total == 0 {
		t.Fatalf("q=excel: %d %.200s", res.StatusCode, body)
	}
	for _, f := range l.Items {
		if !strings.Contains(strings.ToLower(f.Title), "excel") {
			t.Errorf("q=excel returned %q", f.Title)
		}
	}
	_, body = s.get(t, "/api/v1/formations?diplome=oui&par_page=100")
	l.Items = nil
	json.Unmarshal([]byte(body), &l)
	for _, f := range l.Items {
		if !f.Diploma {
			t.Errorf("CAT-7: diplome=oui returned %q", f.Title)
		}
	}
	if len(l.Items) == 0 {
		t.Error("no diploma formation")
	}
}
