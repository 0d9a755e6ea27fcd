package websession

import (
	"context"
	"testing"
	"time"

	"cma/internal/domain"
)

// TestTimeouts_staff_30_minutes_idle_ASVS_3_3_2: staff sessions end after 30
// minutes idle, candidates' after their own idle time, any after the lifetime.
func TestTimeouts_staff_30_minutes_idle_ASVS_3_3_2(t *testing.T) {
	tm := Timeouts{}.withDefaults()
	if tm.StaffIdle != 30*time.Minute || tm.CandidateIdle != 2*time.Hour || tm.Lifetime != 12*time.Hour {
		t.Fatalf("defaults %+v", tm)
	}
	if short := (Timeouts{CandidateIdle: 20 * time.Minute}).withDefaults(); short.StaffIdle != 20*time.Minute {
		t.Errorf("staff idle %s with candidates' 20m: staff sessions must not outlast candidates'", short.StaffIdle)
	}
	signIn := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		kind       domain.AccountKind
		signedIn   time.Time
		idle, life time.Duration // since the last request, since sign-in
		want       string
	}{
		{"staff active", domain.AccountStaff, signIn, 29 * time.Minute, time.Hour, ""},
		{"staff idle 31 min", domain.AccountStaff, signIn, 31 * time.Minute, time.Hour, EndedIdle},
		{"candidate idle 31 min", domain.AccountCandidate, signIn, 31 * time.Minute, time.Hour, ""},
		{"candidate idle 2 h 01", domain.AccountCandidate, signIn, 2*time.Hour + time.Minute, 3 * time.Hour, EndedIdle},
		{"active but 12 h 01 after sign-in", domain.AccountCandidate, signIn, time.Minute, 12*time.Hour + time.Minute, EndedLifetime},
		{"signed in before the time was kept", domain.AccountCandidate, time.Time{}, time.Minute, 30 * time.Hour, ""},
	} {
		now := signIn.Add(tc.life)
		why, ended := tm.Ended(tc.kind, tc.signedIn, now.Add(-tc.idle), now)
		if why != tc.want || ended != (tc.want != "") {
			t.Errorf("%s: ended %v (%q), want %q", tc.name, ended, why, tc.want)
		}
	}
}

// TestManager_start_and_check: a session signed in with Start goes on while
// used and ends when idle (Expire and the store: internal/app's session tests).
func TestManager_start_and_check(t *testing.T) {
	m := New(nil, false, Timeouts{})
	ctx, err := m.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	m.Put(ctx, KeyEndedAccount, int64(5))
	if err := m.Start(ctx, domain.Account{ID: 42, SessionEpoch: 3, Kind: domain.AccountStaff}, at); err != nil {
		t.Fatal(err)
	}
	if id, epoch := m.Account(ctx); id != 42 || epoch != 3 || m.EndedAccount(ctx) != 0 {
		t.Fatalf("after Start: account %d epoch %d ended %d", id, epoch, m.EndedAccount(ctx))
	}
	if _, ended := m.Check(ctx, domain.AccountStaff, at.Add(20*time.Minute)); ended {
		t.Fatal("ended after 20 minutes")
	}
	if _, ended := m.Check(ctx, domain.AccountStaff, at.Add(45*time.Minute)); ended {
		t.Fatal("ended 25 minutes after the last request: activity was not recorded")
	}
	why, ended := m.Check(ctx, domain.AccountStaff, at.Add(76*time.Minute))
	if !ended || why != EndedIdle {
		t.Fatalf("31 minutes idle: %v %q", ended, why)
	}
}

func TestNew_cookie(t *testing.T) {
	if c := New(nil, false, Timeouts{}).Cookie; c.Name != "cma_session" || c.Secure {
		t.Errorf("plain HTTP cookie %+v", c)
	}
	c := New(nil, true, Timeouts{}).Cookie
	if c.Name != "__Host-cma_session" || !c.Secure || c.Path != "/" || c.Domain != "" || !c.HttpOnly {
		t.Errorf("HTTPS cookie %+v: a __Host- cookie needs Secure, Path=/ and no Domain", c)
	}
}
