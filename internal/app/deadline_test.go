package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCancel_CAN5_until_the_end_of_the_closing_day_over_HTTP: the API gives the
// period's last day and the instant it closes (midnight after it, Paris);
// "Mes candidatures" says the last day is included; a cancellation at
// 23:59:30 on that day is accepted and one at 00:00:00 the next day refused
// with the French explanation.
func TestCancel_CAN5_until_the_end_of_the_closing_day_over_HTTP(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	var mu sync.Mutex
	clock := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	set := func(t time.Time) { mu.Lock(); clock = t; mu.Unlock() }
	base := startServeAt(t, now, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	anon := newBrowser(t, base)

	var sessions struct {
		Items []struct {
			ID      int64     `json:"id"`
			Open    bool      `json:"candidature_open"`
			Closes  time.Time `json:"candidature_closes"`
			LastDay string    `json:"candidature_last_day"`
			Answer  time.Time `json:"answer_closes"`
			AnswerL string    `json:"answer_last_day"`
		} `json:"items"`
	}
	_, body := anon.do(t, "GET", "/api/v1/sessions", nil)
	if err := json.Unmarshal([]byte(body), &sessions); err != nil {
		t.Fatalf("sessions: %v %.300s", err, body)
	}
	var session int64
	var lastDay time.Time
	for _, s := range sessions.Items {
		if s.Open {
			session = s.ID
			lastDay, _ = time.ParseInLocation(time.DateOnly, s.LastDay, paris)
			if !s.Closes.Equal(lastDay.AddDate(0, 0, 1)) {
				t.Fatalf("candidature_closes %s is not midnight after the last day %s", s.Closes, s.LastDay)
			}
			answerLast, _ := time.ParseInLocation(time.DateOnly, s.AnswerL, paris)
			if !s.Answer.Equal(answerLast.AddDate(0, 0, 1)) {
				t.Fatalf("answer_closes %s is not midnight after the last day %q", s.Answer, s.AnswerL)
			}
		}
	}
	if session == 0 || lastDay.IsZero() {
		t.Fatalf("no open session with a last day: %.500s", body)
	}
	_, body = anon.do(t, "GET", "/api/v1/courses?places=1&par_page=100&session="+strconv.FormatInt(session, 10), nil)
	var courses struct{ Items []boCourse }
	if err := json.Unmarshal([]byte(body), &courses); err != nil {
		t.Fatal(err)
	}
	var picked []boCourse
	for _, c := range courses.Items {
		if len(picked) == 0 || c.Formation.ID != picked[0].Formation.ID && c.Weekday != picked[0].Weekday {
			picked = append(picked, c)
		}
		if len(picked) == 2 {
			break
		}
	}
	if len(picked) < 2 {
		t.Fatal("not two compatible courses in the open session")
	}
	apply(t, base, "demo-candidate-2", picked[0].ID, picked[1].ID)

	signedIn := func() *browser { // the clock jumps by weeks: a fresh session each time
		b := newBrowser(t, base)
		b.signIn(t, "demo-candidate-2")
		return b
	}
	y, m, d := lastDay.Date()
	set(time.Date(y, m, d, 23, 59, 30, 0, paris))
	b := signedIn()
	_, page := b.do(t, "GET", "/mes-candidatures", nil)
	ids := cancelAction.FindAllStringSubmatch(page, -1)
	wantUntil := "Annulation possible jusqu&#39;au " + strconv.Itoa(d) + " "
	if len(ids) != 2 || !strings.Contains(page, wantUntil) || !strings.Contains(page, strconv.Itoa(y)+" inclus.") {
		t.Fatalf("Mes candidatures at 23:59:30 on the closing day: %d cancel forms, no %q ... inclus:\n%s", len(ids), wantUntil, mainPart(page))
	}
	if res, page := b.do(t, "POST", "/mes-candidatures/"+ids[0][1]+"/annuler", url.Values{}); res.StatusCode != http.StatusOK ||
		!strings.Contains(page, "est annulée. Un courriel vous le confirme") {
		t.Fatalf("CAN-5 cancel at 23:59:30 on the closing day: %d\n%s", res.StatusCode, mainPart(page))
	}

	set(time.Date(y, m, d+1, 0, 0, 0, 0, paris))
	b = signedIn()
	if res, page := b.do(t, "POST", "/mes-candidatures/"+ids[1][1]+"/annuler", url.Values{}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(page, "La période de candidature est close") {
		t.Fatalf("CAN-5 cancel at 00:00:00 the next day: %d\n%s", res.StatusCode, mainPart(page))
	}
}
