package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/store"
)

// TestReviseCourseCalendar_CAT5_sequence_only_grows: the first record has
// SEQUENCE 0; the same fingerprint changes nothing; a new one increments
// SEQUENCE and sets LAST-MODIFIED; a fingerprint from an older catalogue
// revision than the stored one (a web instance not yet reloaded) changes
// nothing, so SEQUENCE never flips back and forth.
func TestReviseCourseCalendar_CAT5_sequence_only_grows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		f := newFixture(t, s)
		c := f.course("ANG-1-LUN", f.english, 0, 20)
		if err := s.InTx(ctx, func(tx *sql.Tx) error { return s.InsertCourse(ctx, tx, &c) }); err != nil {
			t.Fatal(err)
		}
		if _, found, err := s.CourseCalendar(ctx, c.ID); err != nil || found {
			t.Fatalf("before any file: found %v, err %v", found, err)
		}
		t0 := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
		revise := func(fp string, rev int64, now time.Time) store.CourseCalendar {
			t.Helper()
			var got store.CourseCalendar
			err := s.InTx(ctx, func(tx *sql.Tx) (err error) {
				got, err = s.ReviseCourseCalendar(ctx, tx, c.ID, fp, rev, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		check := func(step string, got store.CourseCalendar, fp string, seq int, modified time.Time, rev int64) {
			t.Helper()
			if got.Fingerprint != fp || got.Sequence != seq || !got.Modified.Equal(modified) || got.Revision != rev {
				t.Errorf("%s: %+v, want %s, SEQUENCE %d, modified %s, revision %d", step, got, fp, seq, modified, rev)
			}
		}
		check("first", revise("a", 10, t0), "a", 0, t0, 10)
		check("same", revise("a", 11, t0.Add(time.Hour)), "a", 0, t0, 10)
		check("changed", revise("b", 12, t0.Add(2*time.Hour)), "b", 1, t0.Add(2*time.Hour), 12)
		check("stale instance", revise("a", 11, t0.Add(3*time.Hour)), "b", 1, t0.Add(2*time.Hour), 12)
		check("changed again", revise("c", 12, t0.Add(4*time.Hour)), "c", 2, t0.Add(4*time.Hour), 12)
		got, found, err := s.CourseCalendar(ctx, c.ID)
		if err != nil || !found {
			t.Fatalf("read: found %v, err %v", found, err)
		}
		check("read", got, "c", 2, t0.Add(4*time.Hour), 12)
	})
}
