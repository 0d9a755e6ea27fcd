package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"cma/internal/auth/devidp"
	"cma/internal/config"
	"cma/internal/demo"
	"cma/internal/domain"
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
// With candidatures, the demo candidates and their candidatures come too,
// after a first version of the internal rules they accept.
func loadDemoData(ctx context.Context, st *store.Store, opts demo.Options, candidatures bool, now time.Time) (demo.Stats, error) {
	before, err := st.ReadContents(ctx)
	if err != nil {
		return demo.Stats{}, err
	}
	if candidatures {
		// The demo candidatures accept the internal rules (CAN-7): a first
		// version is published before them, before the annual session opened.
		if err := seedDemoRules(ctx, st, demoRulesPublished); err != nil {
			return demo.Stats{}, err
		}
		cur, err := st.CurrentRules(ctx)
		if err != nil {
			return demo.Stats{}, err
		}
		opts.RulesVersion, opts.Owners = cur.Version, demoOwners()
	}
	stats, err := demo.Load(ctx, st, opts)
	if err != nil {
		return stats, fmt.Errorf("load demo data: %w", err)
	}
	if !before.Empty() {
		return stats, nil
	}
	details := fmt.Sprintf("ville de démonstration, échelle %d, graine %d : %d établissements, %d cours, %d candidats, %d candidatures",
		opts.Scale, opts.Seed, stats.Establishments, stats.Courses, stats.Candidates, stats.Candidatures)
	return stats, st.MarkDemoLoaded(ctx, now, details)
}

// demoRulesPublished is when the demo's first internal rules were published:
// before the annual session's candidatures opened (1 June 2026).
var demoRulesPublished = time.Date(2026, time.May, 15, 9, 0, 0, 0, time.UTC)

// demoOwnerPersonas are the development provider's candidate personas who own
// demo candidatures, with how many they file in the annual session and in
// the 2nd semester's.
var demoOwnerPersonas = map[string][2]int{"demo-candidate-5": {2, 0}, "demo-candidate-6": {0, 2}}

// demoOwners are those personas as the demo loader takes them.
func demoOwners() []demo.Owner {
	var out []demo.Owner
	for _, p := range devidp.DemoPersonas() {
		n, ok := demoOwnerPersonas[p.Subject]
		if !ok {
			continue
		}
		birth, _ := time.Parse(time.DateOnly, p.Birthdate)
		out = append(out, demo.Owner{Email: p.Email, FirstName: p.GivenName, LastName: p.FamilyName, BirthDate: birth,
			Annual: n[0], Semester2: n[1]})
	}
	return out
}

// linkDemoOwners ties the owner personas' subjects at the development
// provider (issuer) to the demo accounts made for them, found by email, so
// that signing in as them opens those accounts; without it the first
// sign-in would make another account, held as a duplicate of the demo's
// (ACC-3). A subject already linked is left alone.
func linkDemoOwners(ctx context.Context, st *store.Store, issuer string, now time.Time) error {
	return st.InTx(ctx, func(tx *sql.Tx) error {
		for _, p := range devidp.DemoPersonas() {
			if _, ok := demoOwnerPersonas[p.Subject]; !ok {
				continue
			}
			if _, err := st.AccountByIdentity(ctx, tx, issuer, p.Subject); err == nil {
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			acc, err := st.AccountByEmail(ctx, tx, p.Email)
			if errors.Is(err, store.ErrNotFound) || err == nil && acc.Kind != domain.AccountCandidate {
				continue // a database the demo loader did not fill
			}
			if err != nil {
				return err
			}
			if err := st.LinkIdentity(ctx, tx, issuer, p.Subject, acc.ID, now); err != nil {
				return err
			}
		}
		return nil
	})
}
