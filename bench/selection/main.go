// Command selection is the selection-run benchmark (issue 14, "Speed and
// scale"). Work in progress: this step seeds a synthetic session.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
	_ "time/tzdata"

	"cma/bench/internal/benchkit"
	"cma/internal/allocation"
	"cma/internal/db"
)

func main() {
	engine := flag.String("db", "sqlite", "sqlite or postgres")
	n := flag.Int("candidatures", 10000, "candidatures")
	courses := flag.Int("courses", 200, "courses")
	flag.Parse()
	ctx := context.Background()
	url, drop, err := benchkit.NewDatabase(ctx, *engine, os.Getenv("CMA_TEST_POSTGRES"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer drop()
	d, err := db.Open(ctx, url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	in := allocation.Synthetic(allocation.SyntheticConfig{Candidatures: *n, Courses: *courses, Seed: 1})
	t := time.Now()
	last := time.Now()
	s, err := seed(ctx, d, in, time.Now(), func(stage string) { fmt.Fprintln(os.Stderr, time.Since(last), stage); last = time.Now() })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("seeded %d candidatures in %s (session %d)\n", s.Candidatures, time.Since(t), s.SessionID)
}
