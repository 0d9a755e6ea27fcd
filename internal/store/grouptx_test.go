package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/store"
)

// Many callers share SQLite's write transactions (group commit); each must see its own
// outcome: what succeeded is committed, what failed leaves nothing behind, a panic
// goes on in its own caller, and a caller's failure does not undo its neighbours'.
func TestInGroupTxKeepsEachCallersOutcome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := store.New(d)
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE group_probe (n INTEGER PRIMARY KEY, part INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO group_probe (n, part) VALUES (-1, 0)`); err != nil {
			t.Fatal(err)
		}
		insert := func(tx *sql.Tx, n, part int) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO group_probe (n, part) VALUES ($1, $2)`, n, part)
			return err
		}
		const callers = 200
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				defer func() {
					if r := recover(); r != nil {
						errs[i] = fmt.Errorf("panicked: %v", r)
					}
				}()
				errs[i] = st.InGroupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					// Two rows per caller, so that a failure after the first write
					// must undo that write.
					if err := insert(tx, 2*i, 0); err != nil {
						return err
					}
					switch i % 10 {
					case 3:
						return fmt.Errorf("caller %d refuses", i)
					case 5:
						return insert(tx, -1, 1) // a key already taken: a constraint failure
					case 7:
						panic(fmt.Sprintf("caller %d panics", i))
					}
					return insert(tx, 2*i+1, 1)
				})
			})
		}
		wg.Wait()

		for i, err := range errs {
			switch i % 10 {
			case 3:
				if err == nil || !strings.Contains(err.Error(), "refuses") {
					t.Errorf("caller %d: err = %v, want its own refusal", i, err)
				}
			case 5:
				if err == nil {
					t.Errorf("caller %d: a duplicate key was accepted", i)
				}
			case 7:
				if err == nil || !strings.Contains(err.Error(), "panicked: caller") {
					t.Errorf("caller %d: err = %v, want its own panic", i, err)
				}
			default:
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
				}
			}
			var rows int
			if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM group_probe WHERE n IN ($1, $2)`, 2*i, 2*i+1).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			want := 2
			if i%10 == 3 || i%10 == 5 || i%10 == 7 {
				want = 0
			}
			if rows != want {
				t.Errorf("caller %d: %d rows kept, want %d", i, rows, want)
			}
		}
	})
}

// A caller whose request has gone before its turn comes writes nothing.
func TestInGroupTxSkipsCancelledCallers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := store.New(d)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := st.InGroupTx(ctx, func(context.Context, *sql.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if ran {
			t.Fatal("the work of a cancelled caller ran")
		}
	})
}

// On PostgreSQL a few grouped transactions run at once, never more, and the others
// wait their turn.
func TestInGroupTxBoundsConcurrentTransactionsOnPostgres(t *testing.T) {
	d := dbtest.Postgres(t)
	st := store.New(d)
	slots := store.WriteSlots(st)
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 4 * slots {
		wg.Go(func() {
			err := st.InGroupTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
				n := running.Add(1)
				defer running.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				_, err := tx.Exec(`SELECT pg_sleep(0.02)`)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := int(most.Load()); got > slots || got < 2 {
		t.Fatalf("at most %d transactions ran at once, want between 2 and %d", got, slots)
	}
}
