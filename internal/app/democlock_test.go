package app

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDemoClock_runs_from_its_start: the demo clock starts at --demo-now and
// runs at the pace of the environment's clock.
func TestDemoClock_runs_from_its_start(t *testing.T) {
	base := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	real := base
	start := time.Date(2026, 12, 22, 22, 59, 30, 0, time.UTC)
	now := demoClock(func() time.Time { return real }, start)
	if got := now(); !got.Equal(start) {
		t.Fatalf("at start: %s", got)
	}
	real = real.Add(61 * time.Second)
	if got := now(); !got.Equal(start.Add(61 * time.Second)) {
		t.Fatalf("61 s later: %s", got)
	}
}

// TestDemoClock_PER1_CAN5_cancel_on_the_closing_day_and_after: a demo city is
// loaded by `serve --demo --demo-now` on the 1st of December, so its 2nd
// semester's candidature period (demo.sessions: it moves with "today") closes
// at the end of the 22nd; every page and the serve banner say the demo
// clock's time. Restarted on the same database at 23:59:30 on the 22nd, a
// cancellation is accepted; at 00:00:30 on the 23rd it is refused and the
// page says until when it was possible.
func TestDemoClock_PER1_CAN5_cancel_on_the_closing_day_and_after(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	// One address for the three runs: the development sign-on's issuer is
	// the platform's address, and a person is known by issuer and subject.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	serveAt := func(t *testing.T, demoNow string) (string, string) {
		var out bytes.Buffer
		base := startServeWith(t, func(env *Env) { env.Stdout = &out }, "--addr", addr, "--db", dbURL, "--demo", "--demo-now", demoNow)
		return base, out.String()
	}
	signedIn := func(t *testing.T, base string) *browser {
		b := newBrowser(t, base)
		b.signIn(t, "demo-candidate-2")
		return b
	}
	var ids [][]string
	t.Run("loaded on 1 December", func(t *testing.T) {
		base, banner := serveAt(t, "2026-12-01T10:00:00+01:00")
		if !strings.Contains(banner, "horloge de démonstration : mardi 1er décembre 2026, 10:00:00 (heure de Paris)") {
			t.Fatalf("serve banner without the demo clock:\n%s", banner)
		}
		anon := newBrowser(t, base)
		_, page := anon.do(t, "GET", "/catalogue", nil)
		if !strings.Contains(page, `class="demo-clock"`) || !strings.Contains(page, "Horloge de démonstration : mardi 1er décembre 2026, 10:00") {
			t.Fatalf("the catalogue page does not show the demo clock:\n%.2000s", page)
		}
		var sessions struct {
			Items []struct {
				ID      int64  `json:"id"`
				Open    bool   `json:"candidature_open"`
				LastDay string `json:"candidature_last_day"`
			} `json:"items"`
		}
		_, body := anon.do(t, "GET", "/api/v1/sessions", nil)
		if err := json.Unmarshal([]byte(body), &sessions); err != nil {
			t.Fatalf("sessions: %v %.300s", err, body)
		}
		var session int64
		for _, s := range sessions.Items {
			if s.Open {
				session = s.ID
				if s.LastDay != "2026-12-22" { // three weeks after the demo clock's day, not the machine's
					t.Fatalf("the open session's last day is %s, want 2026-12-22 (demo data made on the demo clock's day)", s.LastDay)
				}
			}
		}
		if session == 0 {
			t.Fatalf("no open session: %.500s", body)
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
		_, page = signedIn(t, base).do(t, "GET", "/mes-candidatures", nil)
		if ids = cancelAction.FindAllStringSubmatch(page, -1); len(ids) != 2 {
			t.Fatalf("%d cancel forms:\n%s", len(ids), mainPart(page))
		}
	})
	if t.Failed() {
		return
	}
	t.Run("23:59:30 on the closing day: accepted", func(t *testing.T) {
		base, banner := serveAt(t, "2026-12-22T23:59:30+01:00")
		if !strings.Contains(banner, "horloge de démonstration : mardi 22 décembre 2026, 23:59:30") {
			t.Fatalf("serve banner:\n%s", banner)
		}
		b := signedIn(t, base)
		_, page := b.do(t, "GET", "/mes-candidatures", nil)
		if !strings.Contains(page, "Horloge de démonstration : mardi 22 décembre 2026, 23:59") ||
			!strings.Contains(page, "Annulation possible jusqu&#39;au 22 décembre 2026 inclus.") {
			t.Fatalf("Mes candidatures at 23:59:30 on the closing day:\n%s", page)
		}
		if res, page := b.do(t, "POST", "/mes-candidatures/"+ids[0][1]+"/annuler", url.Values{}); res.StatusCode != http.StatusOK ||
			!strings.Contains(page, "est annulée. Un courriel vous le confirme") {
			t.Fatalf("CAN-5 cancel at 23:59:30 on the closing day: %d\n%s", res.StatusCode, mainPart(page))
		}
	})
	t.Run("00:00:30 the next day: refused with the deadline", func(t *testing.T) {
		base, _ := serveAt(t, "2026-12-23T00:00:30+01:00")
		b := signedIn(t, base)
		_, page := b.do(t, "GET", "/mes-candidatures", nil)
		if !strings.Contains(page, "Horloge de démonstration : mercredi 23 décembre 2026, 00:00") || cancelAction.MatchString(page) {
			t.Fatalf("Mes candidatures at 00:00:30 the next day (a cancel form left?):\n%s", page)
		}
		res, page := b.do(t, "POST", "/mes-candidatures/"+ids[1][1]+"/annuler", url.Values{})
		if res.StatusCode != http.StatusConflict ||
			!strings.Contains(page, "La période de candidature est close : l&#39;annulation était possible jusqu&#39;au 22 décembre 2026 inclus.") {
			t.Fatalf("CAN-5 cancel at 00:00:30 the next day: %d\n%s", res.StatusCode, mainPart(page))
		}
		if res, page := b.do(t, "GET", "/mes-candidatures/"+ids[1][1]+"/annuler", nil); res.StatusCode != http.StatusConflict ||
			!strings.Contains(page, "jusqu&#39;au 22 décembre 2026 inclus") {
			t.Fatalf("the cancel page at 00:00:30 the next day: %d\n%s", res.StatusCode, mainPart(page))
		}
	})
}

// TestDemoClock_not_shown_on_the_real_clock: without --demo-now no page
// carries the demo clock's banner.
func TestDemoClock_not_shown_on_the_real_clock(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	_, page := newBrowser(t, base).do(t, "GET", "/catalogue", nil)
	if strings.Contains(page, "demo-clock") || strings.Contains(page, "Horloge de démonstration") {
		t.Fatal("a demo clock banner without --demo-now")
	}
}
