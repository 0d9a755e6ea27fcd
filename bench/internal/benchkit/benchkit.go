// Package benchkit holds what the load benchmarks share: a throwaway database
// on either engine, the real platform started in-process, and the machine line
// printed above every table.
package benchkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cma/internal/app"
	"cma/internal/db" // registers the PostgreSQL driver for the admin connection that creates and drops databases
)

// NewDatabase returns an empty database's URL and a function that removes it.
func NewDatabase(ctx context.Context, engine, server string) (string, func() error, error) {
	switch engine {
	case "sqlite":
		dir, err := os.MkdirTemp("", "cma-bench-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "bench.db"), func() error { return os.RemoveAll(dir) }, nil
	case "postgres":
		u, err := url.Parse(server)
		if err != nil {
			return "", nil, fmt.Errorf("parse the PostgreSQL URL: %w", err)
		}
		b := make([]byte, 6)
		if _, err := rand.Read(b); err != nil {
			return "", nil, err
		}
		name := "cma_bench_" + hex.EncodeToString(b)
		admin, err := sql.Open("pgx", server)
		if err != nil {
			return "", nil, err
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return "", nil, fmt.Errorf("create database %s on %s: %w", name, db.Redact(server), err)
		}
		u.Path = "/" + name
		drop := func() error {
			admin, err := sql.Open("pgx", server)
			if err != nil {
				return err
			}
			defer admin.Close()
			if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				return fmt.Errorf("drop database %s: %w", name, err)
			}
			return nil
		}
		return u.String(), drop, nil
	}
	return "", nil, fmt.Errorf("unknown engine %q", engine)
}

// StartPlatform runs `cma serve --demo` in-process on a free loopback port and
// returns its base URL and a function that shuts it down.
func StartPlatform(ctx context.Context, dbURL string, env app.Env) (string, func() error, error) {
	ctx, cancel := context.WithCancel(ctx)
	ready := make(chan string, 1)
	env.Ready = func(addr string) { ready <- addr }
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "off", "--db", dbURL, "--demo",
			"--demo-candidatures=false", "--log-format", "json"}, env)
	}()
	select {
	case addr := <-ready:
		stop := func() error {
			cancel()
			return <-done
		}
		return "http://" + addr, stop, nil
	case err := <-done:
		cancel()
		return "", nil, fmt.Errorf("cma serve stopped before it was ready: %v", err)
	case <-time.After(5 * time.Minute):
		cancel()
		<-done
		return "", nil, errors.New("cma serve was not ready after 5 minutes")
	}
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

func MachineLine() string {
	return fmt.Sprintf("machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s; %s; %s",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, CPUModel(), runtime.Version(),
		time.Now().Format("2006-01-02 15:04 MST"))
}

func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "CPU model unknown"
	}
	for line := range strings.Lines(string(b)) {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "CPU model unknown"
}

// CPUSample is the machine's and this process's CPU time, from /proc, to tell how
// much of the machine other programs took during a measurement.
type CPUSample struct {
	total, idle, self float64 // clock ticks
	server            float64 // clock ticks of the local PostgreSQL server's processes (the database under test)
	ok                bool
}

// ReadCPU samples the CPU counters of the machine, this process and PostgreSQL.
func ReadCPU() CPUSample {
	var c CPUSample
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return c
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return c
	}
	for i, f := range fields[1:] {
		var v float64
		fmt.Sscan(f, &v)
		if i >= 8 { // guest time is already counted in user time
			break
		}
		c.total += v
		if i == 3 || i == 4 { // idle, iowait
			c.idle += v
		}
	}
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return c
	}
	// Fields after the parenthesised command name; utime and stime are fields 14 and 15.
	_, rest, ok := strings.Cut(string(self), ") ")
	if !ok {
		return c
	}
	pf := strings.Fields(rest)
	if len(pf) < 13 {
		return c
	}
	var ut, st float64
	fmt.Sscan(pf[11], &ut)
	fmt.Sscan(pf[12], &st)
	c.self = ut + st
	c.server = postgresTicks()
	c.ok = true
	return c
}

// postgresTicks sums the CPU time of the processes named postgres on this
// machine: the database server under test is not "other processes". (A backend
// that ends during a measurement takes its time with it; the benchmark's pools
// keep theirs open.)
func postgresTicks() float64 {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var sum float64
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		name, rest, ok := strings.Cut(string(b), ") ")
		if !ok || !strings.HasSuffix(name, "(postgres") {
			continue
		}
		pf := strings.Fields(rest)
		if len(pf) < 13 {
			continue
		}
		var ut, st float64
		fmt.Sscan(pf[11], &ut)
		fmt.Sscan(pf[12], &st)
		sum += ut + st
	}
	return sum
}

// OtherShare is the share of the machine's CPU time between then and c spent by
// other processes (busy time minus this process's and the PostgreSQL server's).
func (c CPUSample) OtherShare(then CPUSample) float64 {
	if !c.ok || !then.ok || c.total <= then.total {
		return 0
	}
	busy := (c.total - c.idle) - (then.total - then.idle)
	return max(0, busy-(c.self-then.self)-(c.server-then.server)) / (c.total - then.total)
}

// ServerShare is the share of the machine's CPU time between then and c spent by
// the PostgreSQL server.
func (c CPUSample) ServerShare(then CPUSample) float64 {
	if !c.ok || !then.ok || c.total <= then.total {
		return 0
	}
	return max(0, c.server-then.server) / (c.total - then.total)
}

// Pct writes a share as a percentage: "12.5%".
func Pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// Busy is the CPU time spent between then and c by this process and, with
// server, by the local PostgreSQL server's processes: the work measured,
// whatever the other programs do (on a shared server, other databases' work
// is counted too).
func (c CPUSample) Busy(then CPUSample, server bool) time.Duration {
	if !c.ok || !then.ok {
		return 0
	}
	ticks := c.self - then.self
	if server {
		ticks += c.server - then.server
	}
	return time.Duration(ticks) * clockTick
}

// Run calls fn(i) once for each i in [0, n) from workers goroutines and
// returns each call's latency and the wall time. With rate 0 the calls go
// as fast as they are answered (closed loop: the load is the workers). With
// a rate, call i is due i/rate seconds after the start and its latency is
// counted from that instant (open loop: a slow answer delays no later
// call's clock, and a call kept waiting for a free worker counts the wait).
// A worker stops at its first error; the errors are joined.
func Run(n, workers int, rate float64, fn func(i int) error) ([]time.Duration, time.Duration, error) {
	var next atomic.Int64
	lat := make([]time.Duration, n)
	var errs error
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t := time.Now()
				if rate > 0 {
					t = start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
					time.Sleep(time.Until(t)) // at once when late: the wait for a free worker counts
				}
				err := fn(i)
				lat[i] = time.Since(t)
				if err != nil {
					mu.Lock()
					errs = errors.Join(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return lat, time.Since(start), errs
}
