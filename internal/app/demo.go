package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cma/internal/accounts"
	"cma/internal/auth/devidp"
	"cma/internal/catalogue"
	"cma/internal/config"
	"cma/internal/db"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/selection"
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

// linkURL is where the links of emails written by a command other than
// serve point: --public-url, or the address serve listens at by default,
// as serve itself does without --public-url.
func linkURL(cfg *config.Config) string {
	if u := strings.TrimRight(cfg.PublicURL, "/"); u != "" {
		return u
	}
	return "http://" + cfg.Addr
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

// demoCentralEmail is the demo central service persona's account.
const demoCentralEmail = "service.central.cma@paris.exemple"

// publishDemoRun gives the demo's annual session the selection it had in
// September: the central service's run, started after the candidature period
// closed and published during the answer period, on a clock set to that day,
// so that the demo's candidates see their outcomes, explanations and emails,
// and the back office its runs, lists and fairness report (SEL-1, PER-1).
func publishDemoRun(ctx context.Context, st *store.Store, deps selection.Deps) error {
	sel, actor, sessionID, day, err := holdDemoTests(ctx, st, deps)
	if err != nil {
		return err
	}
	*day = time.Date(2026, time.September, 15, 10, 0, 0, 0, deps.Paris) // the answer period opened on the 14th
	run, err := sel.StartRun(ctx, actor, sessionID, domain.PassMain)
	if err != nil {
		return err
	}
	res, err := sel.Publish(ctx, actor, run.ID)
	if err != nil {
		return err
	}
	if deps.Log != nil {
		deps.Log.Info("demo selection published", "session", demo.SessionAnnualCode, "run", run.ID,
			"candidatures", res.Changed, "emails", res.Told)
	}
	return nil
}

// holdDemoTestsCmd is `cma demo --tests-held`: the demo staff (the central
// service persona among them), then the annual session's tests held and
// their results entered (holdDemoTests); the convocation emails stay queued
// for a serving instance.
func holdDemoTestsCmd(ctx context.Context, cfg *config.Config, d *db.DB, st *store.Store, env Env, loc *time.Location) error {
	log := newLogger(cfg, env.Stderr)
	words, err := i18n.Load()
	if err != nil {
		return err
	}
	cat := catalogue.NewService(st, words, cfg.HolidayZone, catalogue.DefaultMaxAge, env.Now, catalogue.UIDHost(publicHost(cfg)))
	ix, err := cat.Index(ctx)
	if err != nil {
		return err
	}
	if err := seedDemoStaff(ctx, accounts.New(st, env.Now, log), st, ix); err != nil {
		return fmt.Errorf("demo staff: %w", err)
	}
	client, err := jobs.New(d, st, nil, jobs.Config{Now: env.Now, Log: log})
	if err != nil {
		return err
	}
	_, _, _, _, err = holdDemoTests(ctx, st, selection.Deps{Store: st, Catalogue: cat, Outbox: outbox.New(st, client, "localhost"),
		Words: words, Paris: loc, PublicURL: linkURL(cfg), Log: log})
	if err != nil {
		return fmt.Errorf("demo tests: %w", err)
	}
	fmt.Fprintf(env.Stdout, "tests and interviews of session %s held, their results entered; run its selection as %s\n",
		demo.SessionAnnualCode, demoCentralEmail)
	return nil
}

// holdDemoTests holds the annual session's tests and interviews and enters
// their results (evaluateDemoSession) as the central service persona, on a
// clock set to those September days. It returns the service on that clock,
// the persona, the session and the clock to move on.
func holdDemoTests(ctx context.Context, st *store.Store, deps selection.Deps) (*selection.Service, domain.Actor, int64, *time.Time, error) {
	acc, err := st.AccountByEmail(ctx, nil, demoCentralEmail)
	if err != nil {
		return nil, domain.Actor{}, 0, nil, fmt.Errorf("the central service persona %s: %w", demoCentralEmail, err)
	}
	sessionID, err := st.SelectionSessionByCode(ctx, demo.SessionAnnualCode)
	if err != nil {
		return nil, domain.Actor{}, 0, nil, fmt.Errorf("session %s: %w", demo.SessionAnnualCode, err)
	}
	day := new(time.Time)
	*day = time.Date(2026, time.September, 8, 10, 0, 0, 0, deps.Paris) // after the closing on the 6th
	deps.Now = func() time.Time { return *day }
	sel := selection.New(deps)
	actor := accounts.ActorOf(acc)
	if err := evaluateDemoSession(ctx, sel, deps.Catalogue, actor, sessionID, day); err != nil {
		return nil, domain.Actor{}, 0, nil, err
	}
	return sel, actor, sessionID, day, nil
}

// evaluateDemoSession holds the session's anticipated tests and interviews
// as their staff would: a sitting per formation on 10 September in one of its
// establishments, the convocations sent, and the results entered the next day
// — a mark that varies from one candidature to the next, and one candidate in
// twenty-five absent (withdrawn, SEL-2). day is the demo's clock, moved here.
func evaluateDemoSession(ctx context.Context, sel *selection.Service, cat *catalogue.Service, actor domain.Actor, sessionID int64, day *time.Time) error {
	ix, err := cat.Index(ctx)
	if err != nil {
		return err
	}
	_, tested, err := sel.Overview(ctx, actor, sessionID)
	if err != nil {
		return err
	}
	paris := day.Location()
	for _, tf := range tested {
		if !selection.Tested(tf.Formation.Evaluation) || tf.Candidates == 0 {
			continue
		}
		var est int64
		for _, e := range ix.All() {
			if e.SessionID == sessionID && e.FormationID == tf.Formation.ID {
				est = e.EstablishmentID
				break
			}
		}
		*day = time.Date(2026, time.September, 8, 10, 0, 0, 0, paris)
		sitting, err := sel.ScheduleSitting(ctx, actor, sessionID, tf.Formation.ID, selection.SittingInput{Date: "2026-09-10",
			Time: "18:00", Minutes: "90", Seats: strconv.Itoa(tf.Candidates), EstablishmentID: est, Room: "Salle d'examen"})
		if err != nil {
			return fmt.Errorf("sitting of %s: %w", tf.Formation.Code, err)
		}
		if _, err := sel.SendConvocations(ctx, actor, sessionID, tf.Formation.ID); err != nil {
			return fmt.Errorf("convocations of %s: %w", tf.Formation.Code, err)
		}
		*day = time.Date(2026, time.September, 11, 10, 0, 0, 0, paris)
		target := selection.ResultTarget{SittingID: sitting.ID}
		sheet, err := sel.Sheet(ctx, actor, target)
		if err != nil {
			return err
		}
		entries := make([]selection.ResultEntry, len(sheet.Convokees))
		for i, c := range sheet.Convokees {
			entries[i] = selection.ResultEntry{CandidatureID: c.CandidatureID, Result: string(domain.ResultScore),
				Score: strconv.FormatInt(6+c.CandidatureID*7%15, 10)}
			if c.CandidatureID%25 == 0 {
				entries[i] = selection.ResultEntry{CandidatureID: c.CandidatureID, Result: string(domain.ResultAbsent)}
			}
		}
		if _, err := sel.EnterResults(ctx, actor, target, entries); err != nil {
			return fmt.Errorf("results of %s: %w", tf.Formation.Code, err)
		}
	}
	return nil
}
