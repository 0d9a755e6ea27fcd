package catalogue_test

import (
	"cma/internal/catalogue"
	"cma/internal/i18n"
	"context"
	"sync"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/store"
)

// TestService_two_instances_see_a_change_after_maxAge: two catalogue services
// on one database, as two `cma serve` instances: a change committed through
// the first (one transaction bumping the revision, then Invalidate, as Admin
// does) is served by the first at once, by the second not before its maxAge
// has passed since its last revision check and right after it; and on the
// real clock within catalogue.DefaultMaxAge and a reload (issue 13, item 7; CAT-6).
func TestService_two_instances_see_a_change_after_maxAge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := store.New(d)
		if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		w := testWords(t)
		var mu sync.Mutex
		clock := time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC)
		now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
		const maxAge = time.Second
		a := catalogue.NewService(st, w, "C", maxAge, now)
		b := catalogue.NewService(store.New(d), w, "C", maxAge, now)
		ixA, err := a.Index(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ixB, err := b.Index(ctx)
		if err != nil {
			t.Fatal(err)
		}
		course := ixA.All()[7]
		remote := func(s *catalogue.Service) (bool, int64) {
			ix, err := s.Index(ctx)
			if err != nil {
				t.Fatal(err)
			}
			e, _ := ix.Course(course.ID)
			return e.Remote, ix.Revision
		}
		if course.Remote {
			t.Fatal("the demo course is already remote")
		}
		if err := st.SetCourseRemote(ctx, course.ID, true); err != nil {
			t.Fatal(err)
		}
		a.Invalidate()
		if got, rev := remote(a); !got || rev == ixA.Revision {
			t.Fatalf("the instance that made the change does not serve it: remote %v, revision %d", got, rev)
		}
		advance(maxAge - time.Millisecond)
		if got, rev := remote(b); got || rev != ixB.Revision {
			t.Fatalf("the other instance reloaded before its maxAge: remote %v, revision %d", got, rev)
		}
		advance(time.Millisecond)
		if got, _ := remote(b); !got {
			t.Fatal("the other instance does not serve the change once its maxAge has passed")
		}

		// On the real clock, with serve's interval.
		real := catalogue.NewService(store.New(d), w, "C", catalogue.DefaultMaxAge, time.Now)
		if _, err := real.Index(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(catalogue.DefaultMaxAge / 3)
		committed := time.Now()
		if err := st.SetCourseRemote(ctx, course.ID, false); err != nil {
			t.Fatal(err)
		}
		for {
			if got, _ := remote(real); !got {
				break
			}
			if time.Since(committed) > 5*time.Second { // a loaded test machine; bench/reload measures it
				t.Fatalf("the change was not served after %s", time.Since(committed))
			}
			time.Sleep(5 * time.Millisecond)
		}
		lag := time.Since(committed)
		t.Logf("served by another service %s after the commit (revision checked every %s)", lag.Round(time.Millisecond), catalogue.DefaultMaxAge)
	})
}

// testWords are the platform's message catalogues.
func testWords(t testing.TB) *i18n.Catalog {
	t.Helper()
	w, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return w
}
