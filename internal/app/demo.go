package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"cma/internal/config"
	"cma/internal/demo"
	"cma/internal/store"
)

// demoRisks says why `serve --demo` must not run here: its simulators create
// staff accounts (the central service included) and serve a sign-in without
// password, which must never meet real people's data nor be reachable from
// outside the machine. A database is the demo's own when it was empty, or when
// the demo loader recorded that it filled it (store.DemoLoadedAction): the demo
// walked over several days, with accounts signed in or created at the desk,
// still restarts.
func demoRisks(cfg *config.Config, contents store.Contents) []string {
	var risks []string
	if !contents.Empty() && !contents.DemoLoaded {
		risks = append(risks, "the database already holds data that the demo loader did not put there")
	}
	if reached := publicHost(cfg); !loopback(reached) {
		risks = append(risks, fmt.Sprintf("people would reach it at %q, which is not a loopback address", reached))
	}
	return risks
}

// publicHost is the host people reach the server at: the --public-url's, or
// the listening address's when there is none.
func publicHost(cfg *config.Config) string {
	if cfg.PublicURL != "" {
		if u, err := url.Parse(cfg.PublicURL); err == nil {
			return u.Hostname()
		}
		return cfg.PublicURL
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return cfg.Addr
	}
	return host
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// guardDemo refuses --demo where it would be dangerous, unless --demo-force
// was given; then it logs a loud warning. It returns what the database holds.
func guardDemo(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) (store.Contents, error) {
	contents, err := st.ReadContents(ctx)
	if err != nil {
		return contents, err
	}
	risks := demoRisks(cfg, contents)
	if len(risks) == 0 {
		return contents, nil
	}
	if !cfg.DemoForce {
		return contents, fmt.Errorf("refusing --demo: %s. The demo creates staff accounts (the central service included) "+
			"and serves a sign-in without password: run it on a new database, reached at 127.0.0.1 only, "+
			"or add --demo-force (CMA_DEMO_FORCE=true) if you really mean it", strings.Join(risks, "; "))
	}
	log.Warn("!!! --demo-force: DEMO SIMULATORS ON REAL DATA OR A PUBLIC ADDRESS !!! " +
		"Staff personas and the password-less development sign-in are on: " + strings.Join(risks, "; "))
	return contents, nil
}

// loadDemoData loads the demo city and, when the database was empty before,
// records that the demo loader filled it, so that `serve --demo` runs on it
// again. A database that held accounts is not marked: loading the demo
// catalogue beside them does not make them the demo's.
func loadDemoData(ctx context.Context, st *store.Store, opts demo.Options, now time.Time) (demo.Stats, error) {
	before, err := st.ReadContents(ctx)
	if err != nil {
		return demo.Stats{}, err
	}
	stats, err := demo.Load(ctx, st, opts)
	if err != nil {
		return stats, fmt.Errorf("load demo data: %w", err)
	}
	if !before.Empty() {
		return stats, nil
	}
	details := fmt.Sprintf("ville de démonstration, échelle %d, graine %d : %d établissements, %d cours",
		opts.Scale, opts.Seed, stats.Establishments, stats.Courses)
	return stats, st.MarkDemoLoaded(ctx, now, details)
}
