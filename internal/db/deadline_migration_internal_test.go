package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

// TestMigration_CAN5_closing_instant_becomes_the_last_day: existing sessions
// keep their candidature and answer periods when closing instants become dates (the
// deadline rule, domain.Deadline): the last day is the Paris date of the last
// instant that was open, in summer, in winter and on both daylight-saving
// change days, on both engines; going down gives back a closing instant on it.
func TestMigration_CAN5_closing_instant_becomes_the_last_day(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, paris) }
	cases := []struct {
		closes  time.Time
		lastDay string
	}{
		{at(2026, time.September, 6, 23, 59), "2026-09-06"}, // summer, the old convention
		{at(2026, time.December, 15, 23, 59), "2026-12-15"}, // winter
		{at(2026, time.September, 7, 0, 0), "2026-09-06"},   // closing at midnight: the day before is the last
		{at(2027, time.January, 10, 0, 0), "2027-01-09"},
		{at(2026, time.October, 25, 23, 59), "2026-10-25"}, // the day summer time ends
		{at(2026, time.March, 29, 23, 59), "2026-03-29"},   // the day summer time starts
		{at(2026, time.March, 29, 1, 30), "2026-03-29"},    // before the change, that night
		{at(2026, time.October, 25, 0, 30), "2026-10-25"},  // summer time still, that night
	}
	for name, d := range migrationEngines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p, err := d.provider()
			if err != nil {
				t.Fatal(err)
			}
			var version int64
			for _, s := range p.ListSources() {
				if strings.HasSuffix(s.Path, "_closing_dates.sql") {
					version = s.Version
				}
			}
			if version == 0 {
				t.Fatal("no closing_dates migration")
			}
			if _, err := p.UpTo(ctx, version-1); err != nil {
				t.Fatal(err)
			}
			instant := func(t time.Time) any {
				if d.Dialect == Postgres {
					return t.UTC()
				}
				return t.UTC().Format("2006-01-02T15:04:05.000000Z")
			}
			for i, c := range cases {
				opens := c.closes.AddDate(0, -2, 0)
				if _, err := d.W.ExecContext(ctx, `INSERT INTO sessions (code, name, kind, first_day, last_day, candidature_opens,
					candidature_closes, answer_opens, answer_closes, holiday_session) VALUES ($1, 'S', 'annual', '2027-01-01', '2027-06-30',
					$2, $3, $4, $5, false)`, "S"+string(rune('A'+i)), instant(opens), instant(c.closes),
					instant(c.closes.AddDate(0, 0, -1)), instant(c.closes)); err != nil { // both periods close at the same instant
					t.Fatalf("insert session closing %s: %v", c.closes, err)
				}
			}
			if _, err := p.UpTo(ctx, version); err != nil {
				t.Fatal(err)
			}
			for i, c := range cases {
				var candidature, answer string
				if err := d.R.QueryRowContext(ctx, `SELECT CAST(candidature_closes AS TEXT), CAST(answer_closes AS TEXT) FROM sessions WHERE code = $1`,
					"S"+string(rune('A'+i))).Scan(&candidature, &answer); err != nil {
					t.Fatal(err)
				}
				if candidature != c.lastDay || answer != c.lastDay {
					t.Errorf("closing at %s (Paris) became %q and %q, want %q", c.closes.Format("2006-01-02 15:04"), candidature, answer, c.lastDay)
				}
			}
			// A period closing on a later day than it opens is still accepted.
			if _, err := d.W.ExecContext(ctx, `INSERT INTO sessions (code, name, kind, first_day, last_day, candidature_opens,
				candidature_closes, answer_opens, answer_closes, holiday_session) VALUES ('NEW', 'S', 'annual', '2027-01-01', '2027-06-30',
				$1, '2026-09-06', $2, '2026-09-20', false)`, instant(at(2026, time.September, 5, 10, 0)),
				instant(at(2026, time.September, 8, 9, 0))); err != nil {
				t.Fatalf("a new session after the migration: %v", err)
			}
			if _, err := d.W.ExecContext(ctx, `DELETE FROM sessions WHERE code = 'NEW'`); err != nil {
				t.Fatal(err)
			}
			// Down: a closing instant on the last day again, 23:59 Paris.
			if _, err := p.DownTo(ctx, version-1); err != nil {
				t.Fatal(err)
			}
			for i, c := range cases {
				for _, column := range []string{"candidature_closes", "answer_closes"} {
					var got time.Time
					var raw any
					if err := d.R.QueryRowContext(ctx, `SELECT `+column+` FROM sessions WHERE code = $1`, "S"+string(rune('A'+i))).Scan(&raw); err != nil {
						t.Fatal(err)
					}
					switch x := raw.(type) {
					case time.Time:
						got = x
					case string:
						got, err = time.Parse(time.RFC3339Nano, x)
						if err != nil {
							t.Fatal(err)
						}
					}
					day, _ := time.Parse(time.DateOnly, c.lastDay)
					if want := at(day.Year(), day.Month(), day.Day(), 23, 59); !got.Equal(want) {
						t.Errorf("down: %s %s became %s, want %s", column, c.lastDay, got.In(paris), want)
					}
				}
			}
		})
	}
}

// migrationEngines opens an empty SQLite database, and an empty PostgreSQL one
// when CMA_TEST_POSTGRES names a server.
func migrationEngines(t *testing.T) map[string]*DB {
	t.Helper()
	ctx := context.Background()
	out := map[string]*DB{}
	lite, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "migrate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	out["sqlite"] = lite
	server := os.Getenv("CMA_TEST_POSTGRES")
	if server == "" {
		t.Log("PostgreSQL part skipped: CMA_TEST_POSTGRES is not set")
		return out
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "cma_test_migrate_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	pg, err := Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pg.Close()
		if admin, err := sql.Open("pgx", server); err == nil {
			admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			admin.Close()
		}
	})
	out["postgres"] = pg
	return out
}
