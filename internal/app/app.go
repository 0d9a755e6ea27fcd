// Package app wires the platform together — configuration, database, store,
// services, web — and runs the sub-commands of the cma binary.
package app

import (
	"cma/internal/attendance"
	"cma/internal/evaluation"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"cma/internal/accounts"
	"cma/internal/auth/websession"
	"cma/internal/calendar"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/config"
	"cma/internal/db"
	"cma/internal/demo"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/payment"
	"cma/internal/selection"
	"cma/internal/store"
	"cma/internal/waitlist"
	"cma/internal/web"
)

// demoSeed makes the demo data the same on every machine.
const demoSeed = 2026

// Version is set at build time with -ldflags "-X cma/internal/app.Version=…".
var Version = ""

// Env is what a command sees of the outside world; tests give their own.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
	// Ready, when set, receives the listening address once serve accepts connections.
	Ready func(addr string)
	// MetricsReady, when set, receives the metrics server's address (--metrics-addr) once it listens.
	MetricsReady func(addr string)
}

// ErrUsage marks a command-line mistake; main exits with status 2 for it.
var ErrUsage = errors.New("usage")

const usage = `cma — the city's adult evening courses platform

Usage:
  cma serve   [--addr HOST:PORT] [--db URL] [--demo]   start the web server (applies pending migrations)
              [--demo-now 2026-12-22T23:59:30+01:00]   with --demo: the platform's clock starts at that instant
              [--metrics-addr HOST:PORT|off] [--trusted-proxies CIDR,...]
              [--session-idle 2h] [--session-lifetime 12h]
  cma migrate [--db URL]                               apply database migrations
  cma demo    [--db URL] [--scale N] [--seed S]        load demo data into an empty database
              [--tests-held]                           with the annual session's tests held (results entered)
  cma holidays import [--db URL] [--zone C] FILE.ics   import the Education ministry's school-holiday calendar
  cma catalogue import [--db URL] --session CODE [--dry-run] FILE.xlsx|FILE.csv
                                                       import a session's catalogue (problems listed by row
                                                       and column; nothing imported until the file is clean)
  cma catalogue export [--db URL] --session CODE --to FILE.xlsx|FILE.csv
                                                       export a session's catalogue in the same format
  cma user add --email E --role R [--establishment CODE | --formation CODE | --course CODE]
               [--first-name F --last-name L] [--password-stdin]
                                                       create a staff account (roles: central, director,
                                                       coordinator, trainer, guidance, helpdesk,
                                                       regisseur)
  cma rules publish --version V FILE.txt               publish a version of the internal rules (CAN-7)
  cma select simulate --candidates N --courses M --seed S [--explain K] [--lang fr|en]
                                                       run the selection engine on synthetic data
  cma select run [--db URL] --session CODE [--pass main|placement] --as EMAIL
                                                       a dry selection run of a session (progress on stderr)
  cma select publish [--db URL] --run ID --as EMAIL    publish a dry run: statuses and one email per candidate
  cma select verify [--db URL] --run ID                re-run with the stored seed and compare (exit 1 if different)
  cma version                                          print the version
  cma help                                             print this help

Database URLs: sqlite:PATH (default sqlite:data/cma.db) or postgres://USER@HOST:PORT/NAME.
Prometheus metrics are served apart from the site, on --metrics-addr (default 127.0.0.1:9090; off: none).
With --demo, serve prints where the catalogue, the development sign-on and the mail sink are; the sink
takes SMTP at --mail-sink-addr (loopback; default 127.0.0.1:0, a free port).
Behind load balancers, --trusted-proxies lists them (CIDR or addresses): their X-Forwarded-For then gives
the client's address for rate limits and the security log. Sessions end after --session-idle without a
request (staff: 30 minutes at most) and --session-lifetime after sign-in; with --secure the session
cookie is __Host-cma_session.
Every flag also reads an environment variable: CMA_ADDR, CMA_DB, CMA_DEMO, CMA_DEMO_NOW, CMA_LOG_FORMAT, CMA_HOLIDAY_ZONE,
CMA_SECURE, CMA_PUBLIC_URL, CMA_METRICS_ADDR, CMA_TRUSTED_PROXIES, CMA_SESSION_IDLE, CMA_SESSION_LIFETIME, CMA_OIDC_ISSUER, CMA_OIDC_CLIENT_ID, CMA_OIDC_NAME, CMA_OIDC_FORGOT_URL,
CMA_SMTP_HOST, CMA_SMTP_PORT, CMA_SMTP_USER, CMA_SMTP_TLS, CMA_MAIL_FROM, CMA_MAIL_SINK_ADDR; secrets are read from the
environment only: CMA_OIDC_CLIENT_SECRET and CMA_SMTP_PASSWORD. More sign-ons: CMA_OIDC_PROVIDERS
(see the README).
`

// Run runs the command named by args[0] (args excludes the program name).
func Run(ctx context.Context, args []string, env Env) error {
	if env.Now == nil {
		env.Now = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return fmt.Errorf("%w: no command given", ErrUsage)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], env)
	case "migrate":
		return migrate(ctx, args[1:], env)
	case "demo":
		return loadDemo(ctx, args[1:], env)
	case "holidays":
		return holidays(ctx, args[1:], env)
	case "catalogue":
		return catalogueCmd(ctx, args[1:], env)
	case "user":
		return user(ctx, args[1:], env)
	case "rules":
		return rules(ctx, args[1:], env)
	case "select":
		return selectCmd(ctx, args[1:], env)
	case "version", "--version":
		fmt.Fprintln(env.Stdout, "cma", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	fmt.Fprint(env.Stderr, usage)
	return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
}

func version() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// flags parses a command's flags into a validated config.
func flags(name string, args []string, env Env, extra func(*flag.FlagSet)) (*config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("cma "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfg, err := config.Bind(fs, env.Getenv)
	if err != nil {
		return nil, nil, err
	}
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	return cfg, fs, nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// openMigrated opens the database and applies pending migrations.
func openMigrated(ctx context.Context, cfg *config.Config, log *slog.Logger) (*db.DB, error) {
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	n, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("database migrated", "db", d.String(), "applied", n)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func paris() (*time.Location, error) {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, fmt.Errorf("load time zone Europe/Paris (install tzdata): %w", err)
	}
	return loc, nil
}

func serve(ctx context.Context, args []string, env Env) error {
	cfg, _, err := flags("serve", args, env, nil)
	if err != nil {
		return err
	}
	// The web sessions' rows expire on the machine's clock (scs sets them), so
	// their cleaning keeps it; everything else reads the platform's clock.
	wall := env.Now
	var shifted bool
	env.Now, shifted = platformClock(cfg, env)
	log := newLogger(cfg, env.Stderr)
	loc, err := paris()
	if err != nil {
		return err
	}
	d, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	st := store.New(d)
	freshDemo := false // the demo city was loaded by this start
	if cfg.Demo {
		contents, err := guardDemo(ctx, cfg, st, log)
		if err != nil {
			return err
		}
		if !contents.Catalogue {
			freshDemo = true
			log.Info("loading demo data into the empty database")
			if _, err := loadDemoData(ctx, st, demo.Options{Scale: 1, Seed: demoSeed, Today: env.Now().In(loc), Progress: env.Stderr}, cfg.DemoCandidatures, env.Now()); err != nil {
				return err
			}
		}
	}
	words, err := i18n.Load()
	if err != nil {
		return err
	}
	cat := catalogue.NewService(st, words, cfg.HolidayZone, catalogue.DefaultMaxAge, env.Now, catalogue.UIDHost(publicHost(cfg)))
	ix, err := cat.Index(ctx)
	if err != nil {
		return fmt.Errorf("load catalogue: %w", err)
	}
	accts := accounts.New(st, env.Now, log)
	if cfg.Demo {
		if err := seedDemoStaff(ctx, accts, st, ix); err != nil {
			return fmt.Errorf("demo staff: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	publicURL := strings.TrimRight(cfg.PublicURL, "/")
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	providers, devIDP, err := signOn(cfg, publicURL, log)
	if err != nil {
		ln.Close()
		return err
	}
	if cfg.Demo {
		if err := seedDemoRules(ctx, st, env.Now()); err != nil {
			ln.Close()
			return err
		}
	}
	if devIDP != nil {
		if err := linkDemoOwners(ctx, st, publicURL+devIDPPath, env.Now()); err != nil {
			ln.Close()
			return fmt.Errorf("demo candidates: %w", err)
		}
	}
	// The messages kept before their bodies are rendered by the capability
	// that kept them, when first sent or shown: wired before the email
	// worker starts.
	renderMessages(st, selection.Deps{Store: st, Catalogue: cat, Words: words, Now: env.Now, Paris: loc, PublicURL: publicURL, Log: log})
	// The waiting lists' timers call the service wired below; the queue
	// starts once it is (mailer.start).
	var lists *waitlist.Service
	var pay *payment.Service
	var evaluations *evaluation.Service
	timers := []jobs.Timer{
		// A learner who joins a course after its evaluation's date was set
		// is convoked too (CER-1).
		{Name: "evaluation_convoke", Every: evaluation.ConvokeEvery, Run: func(ctx context.Context) error {
			_, err := evaluations.ConvokeLate(ctx)
			return err
		}},
		// A PayFiP notification lost still books its payment (PAY-1).
		{Name: "payment_reconcile", Every: payment.ReconcileEvery, Run: func(ctx context.Context) error {
			_, _, err := pay.Reconcile(ctx)
			return err
		}},
		// A fee still due on the eve of its last day is reminded (PAY-1).
		{Name: "payment_remind", Every: payment.RemindEvery, Run: func(ctx context.Context) error {
			_, err := pay.Remind(ctx)
			return err
		}},
		{Name: "waitlist_tick", Every: waitlist.Every, Run: func(ctx context.Context) error { _, err := lists.Tick(ctx); return err }},
		{Name: "waitlist_sweep", Every: waitlist.SweepEvery, Run: func(ctx context.Context) error { _, err := lists.Sweep(ctx); return err }},
	}
	mailer, err := startMail(ctx, cfg, d, st, log, env.Now, timers)
	if err != nil {
		ln.Close()
		return err
	}
	defer mailer.stop()
	mailbox := outbox.New(st, mailer.jobs, mailer.domain)
	cands := candidature.New(st, cat, mailbox, candidature.ConfirmationMailer{Words: words, Paris: loc,
		SpaceURL: publicURL + "/mes-candidatures"}, env.Now, loc)
	admin := catalogue.NewAdmin(catalogue.AdminDeps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words,
		Now: env.Now, Paris: loc, PublicURL: publicURL, Log: log})
	sel := selection.New(selection.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words, Now: env.Now, Paris: loc,
		PublicURL: publicURL, Log: log})
	if freshDemo && cfg.DemoCandidatures {
		if err := publishDemoRun(ctx, st, selection.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words, Paris: loc,
			PublicURL: publicURL, Log: log}); err != nil {
			ln.Close()
			return fmt.Errorf("demo selection: %w", err)
		}
		if err := moveDemoLists(ctx, st, cat, waitlist.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words,
			PublicURL: publicURL, Log: log}, demoWaitingPersona); err != nil {
			ln.Close()
			return fmt.Errorf("demo waiting lists: %w", err)
		}
		if err := demoDayChanges(ctx, st, cat, waitlist.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words,
			PublicURL: publicURL, Log: log}); err != nil {
			ln.Close()
			return fmt.Errorf("demo day changes: %w", err)
		}
		if err := demoPayments(ctx, st, cat, payment.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words,
			PublicURL: publicURL, Log: log, Waitlist: waitlist.New(waitlist.Deps{Store: st, Catalogue: cat, Outbox: mailbox,
				Words: words, PublicURL: publicURL, Log: log})}); err != nil {
			ln.Close()
			return fmt.Errorf("demo payments: %w", err)
		}
		issuer := ""
		if devIDP != nil {
			issuer = publicURL + devIDPPath
		}
		if err := demoAttendance(ctx, st, cat, attendance.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words,
			PublicURL: publicURL, Log: log}, env.Now(), issuer); err != nil {
			ln.Close()
			return fmt.Errorf("demo registers: %w", err)
		}
		if err := demoEvaluations(ctx, st, cat, evaluation.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words,
			PublicURL: publicURL, Log: log}, env.Now()); err != nil {
			ln.Close()
			return fmt.Errorf("demo evaluations: %w", err)
		}
	}
	lists = waitlist.New(waitlist.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words, Now: env.Now,
		PublicURL: publicURL, Log: log, Moved: func(ctx context.Context, tx *sql.Tx, candidatureID, courseID int64) error {
			return pay.Moved(ctx, tx, candidatureID, courseID) // pay is wired just below, before any request
		}, Left: func(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error {
			return pay.Left(ctx, tx, candidatureID, by, reason)
		}, NotOpened: func(ctx context.Context, tx *sql.Tx, candidatureID, by int64, reason string) error {
			return pay.CourseNotOpened(ctx, tx, candidatureID, by, reason)
		}})
	payClient, payfipSim, err := onlinePayment(cfg, publicURL, env.Now, log)
	if err != nil {
		ln.Close()
		return fmt.Errorf("PayFiP: %w", err)
	}
	var payfipPages http.Handler
	if payfipSim != nil {
		defer payfipSim.Close()
		payfipPages = payfipSim.Handler()
	}
	pay = payment.New(payment.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words, PayFiP: payClient, Waitlist: lists, Now: env.Now,
		PublicURL: publicURL, Log: log})
	evaluations = evaluation.New(evaluation.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words, Now: env.Now, PublicURL: publicURL,
		Log: log})
	if err := mailer.start(ctx); err != nil {
		ln.Close()
		return err
	}
	srv, err := web.New(web.Deps{Catalogue: cat, CatalogueAdmin: admin, Selection: sel, Waitlist: lists, Payment: pay, ChequePayee: cfg.ChequePayee,
		Attendance: attendance.New(attendance.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words, Now: env.Now, PublicURL: publicURL,
			Log: log, Waitlist: lists, Left: pay.Left}),
		Evaluation:      evaluations,
		PayFiPSimulator: payfipPages, Accounts: accts, Candidatures: cands, Mail: outbox.NewDesk(st, mailbox, env.Now), Providers: providers,
		DevIDP: devIDP, MailSink: mailer.sinkHandler, Words: words, DB: d, Log: log, Paris: loc, Now: env.Now, DemoClock: shifted,
		Version: version(), Secure: cfg.Secure, PublicURL: publicURL, Sessions: st.Sessions(), TrustedProxies: cfg.TrustedProxyList(),
		SessionTimeouts: websession.Timeouts{CandidateIdle: cfg.SessionIdle, Lifetime: cfg.SessionLifetime},
		Metrics:         mailer.metrics.Collectors()})
	if err != nil {
		ln.Close()
		return err
	}
	metrics, err := serveMetrics(cfg, srv.MetricsHandler(), log, env)
	if err != nil {
		ln.Close()
		return err
	}
	defer metrics.Close()
	go cleanSessions(ctx, st, log, wall)
	hs := srv.HTTPServer() // web's timeouts, longer on upload routes
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	addr := ln.Addr().String()
	log.Info("serving", "url", publicURL+"/catalogue", "listen", addr, "db", d.String(), "demo", cfg.Demo, "version", version())
	if shifted {
		log.Info("demo clock", "now", env.Now().Format(time.RFC3339), "started_at", cfg.DemoNow)
	}
	if cfg.Demo {
		printDemoAddresses(env.Stdout, publicURL, devIDP != nil, mailer.sinkAddr, payfipSim != nil)
		if shifted {
			fmt.Fprintf(env.Stdout, "  horloge de démonstration : %s (heure de Paris), partie de --demo-now %s, elle avance au rythme réel\n",
				frenchInstant(words, env.Now(), loc), cfg.DemoNow)
		}
	}
	if env.Ready != nil {
		env.Ready(addr)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// printDemoAddresses tells the person who started a demo where to go: the
// catalogue, the development sign-on (when no real issuer is configured) and
// the mail sink (when no relay is), its pages and its SMTP address.
func printDemoAddresses(w io.Writer, publicURL string, devSignOn bool, sinkSMTP string, payfipSim bool) {
	fmt.Fprintf(w, "cma demo ready:\n")
	fmt.Fprintf(w, "  catalogue            %s/catalogue\n", publicURL)
	if devSignOn {
		fmt.Fprintf(w, "  development sign-on  %s/connexion (demo personas; the provider is %s/dev-idp)\n", publicURL, publicURL)
	}
	if sinkSMTP != "" {
		fmt.Fprintf(w, "  mail sink            %s/dev/courriels (SMTP %s)\n", publicURL, sinkSMTP)
	}
	if payfipSim {
		fmt.Fprintf(w, "  PayFiP simulator     %s%s/ (online payments)\n", publicURL, payfipSimulatorPath)
	}
}

// serveMetrics serves /metrics on its own address, loopback by default, so
// that the public site does not show the platform's inner figures. With
// --metrics-addr off it serves nothing and returns a server that is not
// running.
func serveMetrics(cfg *config.Config, h http.Handler, log *slog.Logger, env Env) (*http.Server, error) {
	hs := &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	if !cfg.MetricsOn() {
		return hs, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w (give another --metrics-addr, or off)", cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs.Handler = mux
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "error", err)
		}
	}()
	log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	if env.MetricsReady != nil {
		env.MetricsReady(ln.Addr().String())
	}
	return hs, nil
}

func migrate(ctx context.Context, args []string, env Env) error {
	cfg, _, err := flags("migrate", args, env, nil)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %d migration(s) applied, schema up to date\n", d.String(), n)
	return nil
}

func loadDemo(ctx context.Context, args []string, env Env) error {
	var scale int
	var seed int64
	var testsHeld bool
	cfg, _, err := flags("demo", args, env, func(fs *flag.FlagSet) {
		fs.IntVar(&scale, "scale", 1, "size of the demo city: 1 is about 60 establishments and 1,400 courses")
		fs.Int64Var(&seed, "seed", demoSeed, "random seed: the same seed gives the same data")
		fs.BoolVar(&testsHeld, "tests-held", false, "also the demo staff, and the annual session's tests and interviews held with their results, "+
			"as serve --demo has them, but without its selection run: `cma select run` can then decide it")
	})
	if err != nil {
		return err
	}
	if testsHeld && !cfg.DemoCandidatures {
		return fmt.Errorf("%w: --tests-held needs the demo candidatures (drop --demo-candidatures=false)", ErrUsage)
	}
	env.Now, _ = platformClock(cfg, env) // cma demo --demo --demo-now: the demo data's "today" is the demo clock's
	if scale < 1 || scale > 100 {
		return fmt.Errorf("--scale %d: expected a number from 1 to 100", scale)
	}
	loc, err := paris()
	if err != nil {
		return err
	}
	d, err := openMigrated(ctx, cfg, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer d.Close()
	st := store.New(d)
	stats, err := loadDemoData(ctx, st, demo.Options{Scale: scale, Seed: seed, Today: env.Now().In(loc), Progress: env.Stderr}, cfg.DemoCandidatures, env.Now())
	if err != nil {
		return err
	}
	if testsHeld {
		if err := holdDemoTestsCmd(ctx, cfg, d, st, env, loc); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "demo data loaded into %s: %d establishments, %d rooms, %d formations, %d sessions, %d courses, %d candidates, %d candidatures\n",
		d.String(), stats.Establishments, stats.Rooms, stats.Formations, stats.Sessions, stats.Courses, stats.Candidates, stats.Candidatures)
	return nil
}

func holidays(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("%w: expected `cma holidays import [--zone C] FILE.ics`", ErrUsage)
	}
	var zone string
	cfg, fs, err := flags("holidays import", args[1:], env, func(fs *flag.FlagSet) {
		fs.StringVar(&zone, "zone", "", "zone to keep (default: --holiday-zone, C for Paris)")
	})
	if err != nil {
		return err
	}
	if zone == "" {
		zone = cfg.HolidayZone
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give exactly one iCalendar file, for example Zone-C.ics", ErrUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("open calendar file: %w", err)
	}
	defer f.Close()
	periods, err := calendar.ParseSchoolHolidays(f, "Zone "+strings.ToUpper(zone))
	if err != nil {
		return fmt.Errorf("read %s: %w", fs.Arg(0), err)
	}
	if len(periods) == 0 {
		return fmt.Errorf("%s has no holiday period for zone %s: nothing imported", fs.Arg(0), zone)
	}
	d, err := openMigrated(ctx, cfg, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer d.Close()
	rows := make([]store.SchoolHoliday, len(periods))
	for i, p := range periods {
		rows[i] = store.SchoolHoliday{Zone: strings.ToUpper(zone), Name: p.Name, First: p.First, Last: p.Last}
	}
	// The courses' calendars are revised in the import's transaction: the
	// courses whose meetings move get the next SEQUENCE (CAT-5).
	words, err := i18n.Load()
	if err != nil {
		return err
	}
	loc, err := paris()
	if err != nil {
		return err
	}
	cat := catalogue.NewService(store.New(d), words, cfg.HolidayZone, 0, env.Now, catalogue.UIDHost(publicHost(cfg)))
	if err := cat.ReplaceSchoolHolidays(ctx, strings.ToUpper(zone), rows, loc); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d school-holiday periods imported for zone %s\n", len(rows), strings.ToUpper(zone))
	return nil
}

// renderMessages gives the store the renderer of each kind of message kept
// without its body (store.MessageRenderer): the outcomes emails of a
// selection's publication. The outbox and the person's space then show and
// send them without knowing the capability.
func renderMessages(st *store.Store, deps selection.Deps) {
	deps.Outbox = nil // rendering sends nothing
	st.RenderMessagesWith(selection.MessageKindOutcomes, selection.New(deps).RenderOutcomesMessage)
}
