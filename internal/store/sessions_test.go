package store_test

import (
	"context"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/store"
)

// TestSessionStore: web sessions live in the database on both engines, expire,
// and are deleted at sign-out.
func TestSessionStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ss := store.New(d).Sessions()
		if err := ss.CommitCtx(ctx, "tok-1", []byte("data-1"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := ss.CommitCtx(ctx, "tok-1", []byte("data-2"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err) // an update of the same token
		}
		data, found, err := ss.FindCtx(ctx, "tok-1")
		if err != nil || !found || string(data) != "data-2" {
			t.Fatalf("find = %q %v %v", data, found, err)
		}
		if err := ss.CommitCtx(ctx, "tok-old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := ss.FindCtx(ctx, "tok-old"); found {
			t.Fatal("an expired session was found")
		}
		n, err := ss.DeleteExpiredSessions(ctx, time.Now())
		if err != nil || n != 1 {
			t.Fatalf("deleted %d expired sessions, %v", n, err)
		}
		if err := ss.DeleteCtx(ctx, "tok-1"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := ss.FindCtx(ctx, "tok-1"); found {
			t.Fatal("a deleted session was found")
		}
	})
}
