package db

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SQLite writes every commit to its write-ahead log and copies the log back into the
// database file from time to time (a checkpoint), waiting for the disk. By default
// the connection whose commit fills the log does it, in the middle of its
// transaction: at a registration peak that is the one writer every validation waits
// for. Here the writer never checkpoints (wal_autocheckpoint(0)); a connection of
// its own does, in the background, in PASSIVE mode, which never blocks the writer
// or the readers.

// checkpointEvery is how often the background checkpoint runs. Between two, the log
// grows by at most what the writer commits in that time.
const checkpointEvery = time.Second

// checkpointer runs the background checkpoints of one SQLite database.
type checkpointer struct {
	conn *sql.DB // one connection, not query-only
	stop context.CancelFunc
	done chan struct{}
}

func startCheckpointer(conn *sql.DB) *checkpointer {
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{conn: conn, stop: stop, done: make(chan struct{})}
	go c.loop(ctx)
	return c
}

func (c *checkpointer) loop(ctx context.Context) {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			// A failure (the database busy, the disk full) leaves the frames in
			// the log, where they are safe; the next tick tries again.
			c.conn.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// Close stops the checkpoints and copies what is left of the log into the file.
func (c *checkpointer) Close() error {
	c.stop()
	<-c.done
	_, err := c.conn.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return errors.Join(err, c.conn.Close())
}
