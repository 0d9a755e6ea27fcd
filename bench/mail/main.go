// Command mail is the confirmation-email throughput benchmark: the backlog of an
// opening. On SQLite and on PostgreSQL it keeps 10,000 confirmation emails in
// the database and queues their River jobs in the same transactions through the
// outbox (outbox.Keep, as every capability does), then starts the platform's River client
// with the real email worker (outbox.Worker) and the platform's pooled sender
// (internal/mail.Sender) and times until every message has reached the
// development mail sink (internal/mail.Sink, a real SMTP server on 127.0.0.1)
// and is marked sent. The baseline, in the same run and process, to the same
// sink, is the same 10,000 messages sent straight with go-mail over as many
// connections, each reused for as many messages; the figure is outbox mails/s
// ÷ direct mails/s.
//
//	go run ./bench/mail [--db sqlite|postgres|both] [--messages N]
//	    [--workers N] [--connections N] [--postgres URL]
//
// Targets (issue): outbox >= 0.8x the direct sending, and >= 200 mails/s. See
// bench/README.md.
package main

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	gomail "github.com/wneessen/go-mail"

	"cma/bench/internal/benchkit"
	"cma/internal/config"
	"cma/internal/db"
	"cma/internal/domain"
	"cma/internal/jobs"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
)

// Targets of the issue.
const (
	MinRatio = 0.8   // outbox mails/s ÷ direct go-mail mails/s
	MinRate  = 200.0 // outbox mails per second
)

// postgresEnv names the PostgreSQL server used when --postgres is not given (the
// same variable as the tests).
const postgresEnv = "CMA_TEST_POSTGRES"

const (
	from       = "Cours d'adultes <ne-pas-repondre@cours-adultes.exemple>"
	mailDomain = "cours-adultes.exemple"
	// queueBatch is how many messages one transaction keeps and queues: the
	// validation batcher's largest batch.
	queueBatch = 64
)

// Options are the benchmark's settings.
type Options struct {
	Engines       []string // "sqlite", "postgres"
	Postgres      string   // server URL; the benchmark creates and drops its own database on it
	Messages      int      // confirmations sent by each phase
	Workers       int      // River workers (cma serve --mail-workers)
	Connections   int      // SMTP connections (--smtp-connections), also the direct phase's
	PerConnection int      // messages per connection (--smtp-messages-per-connection), also the direct phase's
	// FetchCooldown and FetchPollInterval override the job queue's defaults
	// (zero: jobs.DefaultFetchCooldown, jobs.DefaultFetchPollInterval).
	FetchCooldown, FetchPollInterval time.Duration
	// Profile, when set, receives a CPU profile of the first outbox phase.
	Profile io.Writer
}

// Result is one measured phase.
type Result struct {
	Engine    string
	Name      string
	Outbox    bool // through the job queue; otherwise the direct baseline
	Messages  int  // messages to send
	Received  int  // messages the sink received during the phase
	Marked    int  // messages marked sent in the database (outbox only)
	Elapsed   time.Duration
	Rate      float64       // messages received per second of wall time
	Ratio     float64       // Rate ÷ the mean of the engine's two direct phases
	CPU       time.Duration // CPU time of this process and the PostgreSQL server per message
	OtherCPU  float64       // share of the machine's CPU used by other processes (noise)
	ServerCPU float64       // share of the machine's CPU used by the local PostgreSQL server
}

// Pass says whether an outbox row meets the targets.
func (r Result) Pass() bool {
	return r.Outbox && r.Received == r.Messages && r.Marked == r.Messages && r.Ratio >= MinRatio && r.Rate >= MinRate
}

func main() {
	engine := flag.String("db", "both", "engines to measure: sqlite, postgres or both")
	var opts Options
	flag.StringVar(&opts.Postgres, "postgres", os.Getenv(postgresEnv), "PostgreSQL server URL (default $"+postgresEnv+"); a database cma_bench_<random> is created on it and dropped")
	flag.IntVar(&opts.Messages, "messages", 10000, "confirmations sent by each phase")
	flag.IntVar(&opts.Workers, "workers", config.DefaultMailWorkers, "River workers sending emails (cma serve --mail-workers)")
	flag.IntVar(&opts.Connections, "connections", config.DefaultSMTPConnections, "SMTP connections (cma serve --smtp-connections), the direct phase's too")
	flag.IntVar(&opts.PerConnection, "per-connection", config.DefaultSMTPMessagesPerConnection, "messages per SMTP connection (cma serve --smtp-messages-per-connection)")
	flag.DurationVar(&opts.FetchCooldown, "fetch-cooldown", jobs.DefaultFetchCooldown, "River's FetchCooldown")
	flag.DurationVar(&opts.FetchPollInterval, "fetch-poll", jobs.DefaultFetchPollInterval, "River's FetchPollInterval")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the first outbox phase to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		opts.Profile = f
	}
	switch *engine {
	case "both":
		opts.Engines = []string{"sqlite", "postgres"}
	case "sqlite", "postgres":
		opts.Engines = []string{*engine}
	default:
		fmt.Fprintf(os.Stderr, "--db %q: expected sqlite, postgres or both\n", *engine)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := Run(ctx, opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/mail:", err)
		stop()
		os.Exit(1)
	}
}

// Run measures every engine in opts, prints the table on out and progress on
// progress, and returns the results.
func Run(ctx context.Context, opts Options, out, progress io.Writer) ([]Result, error) {
	opts.Messages = max(opts.Messages, 1)
	opts.Workers = max(opts.Workers, 1)
	opts.Connections = max(opts.Connections, 1)
	opts.PerConnection = max(opts.PerConnection, 1)
	machine := benchkit.MachineLine()
	fmt.Fprintln(progress, machine)
	var results []Result
	var skipped []string
	for _, engine := range opts.Engines {
		if engine == "postgres" && opts.Postgres == "" {
			line := "postgres: skipped — set " + postgresEnv + " or --postgres to a server URL such as postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
			fmt.Fprintln(progress, line)
			skipped = append(skipped, line)
			continue
		}
		rs, err := runEngine(ctx, engine, opts, progress)
		results = append(results, rs...)
		if err != nil {
			printTable(out, machine, opts, results, skipped)
			return results, fmt.Errorf("%s: %w", engine, err)
		}
	}
	printTable(out, machine, opts, results, skipped)
	return results, nil
}

// bench is one engine's world: its database, store and the mail sink.
type bench struct {
	engine string
	d      *db.DB
	st     *store.Store
	sink   *mail.Sink
	opts   Options
	log    *slog.Logger
}

// runEngine prepares a database and a sink, keeps and queues the messages, and
// measures direct, outbox, direct.
func runEngine(ctx context.Context, engine string, opts Options, progress io.Writer) (results []Result, err error) {
	dbURL, drop, err := benchkit.NewDatabase(ctx, engine, opts.Postgres)
	if err != nil {
		return nil, err
	}
	defer func() {
		if derr := drop(); derr != nil && err == nil {
			err = derr
		}
	}()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		return nil, err
	}
	sink, err := mail.StartSink("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer sink.Close()
	b := &bench{engine: engine, d: d, st: store.New(d), sink: sink, opts: opts, log: slog.New(slog.DiscardHandler)}

	fmt.Fprintf(progress, "%s: keeping %d confirmations and queuing their jobs, %d per transaction, on %s\n",
		engine, opts.Messages, queueBatch, db.Redact(dbURL))
	started := time.Now()
	msgs, err := b.prepare(ctx, opts.Messages)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	fmt.Fprintf(progress, "%s: %d messages kept and queued in %s\n", engine, len(msgs), time.Since(started).Round(time.Millisecond))
	if err := b.settle(ctx); err != nil {
		return nil, err
	}

	phases := []struct {
		name   string
		outbox bool
	}{
		{name: "direct: go-mail to the sink #1"},
		{name: "outbox: River + outbox.Worker + mail.Sender", outbox: true},
		{name: "direct: go-mail to the sink #2"},
	}
	for i, ph := range phases {
		fmt.Fprintf(progress, "%s: %d/%d %s: sending %d messages over %d connections…\n", engine, i+1, len(phases), ph.name,
			len(msgs), opts.Connections)
		var r Result
		if ph.outbox {
			r, err = b.outbox(ctx, len(msgs))
		} else {
			r, err = b.direct(ctx, msgs)
		}
		r.Engine, r.Name, r.Outbox, r.Messages = engine, ph.name, ph.outbox, len(msgs)
		if err != nil {
			return results, fmt.Errorf("%s: %w", ph.name, err)
		}
		results = append(results, r)
		fmt.Fprintf(progress, "%s: %d/%d %s: %.0f mails/s, %d received, %d marked sent, PostgreSQL %s CPU, other processes %s CPU\n",
			engine, i+1, len(phases), ph.name, r.Rate, r.Received, r.Marked, benchkit.Pct(r.ServerCPU), benchkit.Pct(r.OtherCPU))
		if err := b.settle(ctx); err != nil {
			return results, err
		}
	}
	var sum float64
	var k int
	for _, r := range results {
		if !r.Outbox {
			sum += r.Rate
			k++
		}
	}
	if k > 0 && sum > 0 {
		for i := range results {
			results[i].Ratio = results[i].Rate / (sum / float64(k))
		}
	}
	return results, nil
}

// prepare creates n candidates and keeps one confirmation for each through the
// outbox, queueBatch to a transaction: outbox.Keep writes the messages and
// queues their jobs with one River InsertManyTx, in the caller's transaction,
// as a batch of validations does. It returns the messages as the worker will
// send them.
func (b *bench) prepare(ctx context.Context, n int) ([]mail.Message, error) {
	queue, err := jobs.New(b.d, b.st, nil, jobs.Config{Workers: 0, Log: b.log, Now: time.Now})
	if err != nil {
		return nil, err
	}
	ob := outbox.New(b.st, queue, mailDomain)
	msgs := make([]mail.Message, 0, n)
	now := time.Now()
	for start := 0; start < n; start += queueBatch {
		end := min(start+queueBatch, n)
		err := b.st.InTx(ctx, func(tx *sql.Tx) error {
			kept := make([]*domain.Message, 0, end-start)
			var emails []string
			for i := start; i < end; i++ {
				a := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive,
					Email: fmt.Sprintf("candidat.%d@exemple.fr", i), FirstName: "Camille" + strconv.Itoa(i), LastName: "Martin",
					BirthDate: time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), CreatedAt: now}
				if err := b.st.InsertAccount(ctx, tx, &a); err != nil {
					return err
				}
				subject, text, html, err := mail.RenderConfirmation(confirmation(a.FirstName))
				if err != nil {
					return err
				}
				kept = append(kept, &domain.Message{AccountID: a.ID, Kind: "confirmation", Subject: subject, Text: text, HTML: html, CreatedAt: now})
				emails = append(emails, a.Email)
			}
			if err := ob.Keep(ctx, tx, kept...); err != nil {
				return err
			}
			for i, m := range kept {
				msgs = append(msgs, mail.Message{To: emails[i], Subject: m.Subject, Text: m.Text, HTML: m.HTML, MessageID: m.MessageID})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// confirmation is a two-course confirmation as the platform words it.
func confirmation(firstName string) mail.Confirmation {
	return mail.Confirmation{
		FirstName: firstName,
		Candidatures: []mail.ConfirmationLine{
			{Formation: "Anglais", Level: "Niveau 2 (A2)", Schedule: "Lundi et jeudi, 18h30 – 20h30",
				Establishment: "École élémentaire Parmentier", Address: "12 rue Parmentier, 75011 Paris",
				Session: "Année 2026-2027", Evaluation: "Test écrit avant la rentrée", Price: "158,60 €"},
			{Formation: "CAP Cuisine", Level: "1re année", Schedule: "Mardi, 18h00 – 21h00",
				Establishment: "Lycée Belliard", Address: "135 rue Belliard, 75018 Paris",
				Session: "Année 2026-2027", Evaluation: "Entretien", Price: "317,20 €", Diploma: "CAP Cuisine"},
		},
		SpaceURL:     "https://cours-adultes.exemple/mes-candidatures",
		CancelUntil:  "15 décembre 2026 à 23h59",
		AnswerPeriod: "du 8 au 22 janvier 2027",
	}
}

// settle starts the next phase from a quiet database: PostgreSQL vacuums and
// checkpoints, SQLite checkpoints its log.
func (b *bench) settle(ctx context.Context) error {
	stmts := []string{"PRAGMA wal_checkpoint(TRUNCATE)"}
	if b.d.Dialect == db.Postgres {
		stmts = []string{"VACUUM (ANALYZE)", "CHECKPOINT"}
	}
	for _, s := range stmts {
		if _, err := b.d.W.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("settle: %s: %w", s, err)
		}
	}
	return nil
}

// sinkAddr is the sink's host and port.
func (b *bench) sinkAddr() (string, int) {
	host, port, _ := net.SplitHostPort(b.sink.Addr())
	p, _ := strconv.Atoi(port)
	return host, p
}

// outbox starts the platform's job queue with the SendEmail worker and the
// pooled sender on the queued messages, and times until the sink has them all
// and the database says they are all sent.
func (b *bench) outbox(ctx context.Context, n int) (Result, error) {
	host, port := b.sinkAddr()
	sender, err := mail.NewSender(mail.SMTPConfig{Host: host, Port: port, TLS: mail.TLSNone, From: from, Timeout: 30 * time.Second,
		Connections: b.opts.Connections, MessagesPerConnection: b.opts.PerConnection})
	if err != nil {
		return Result{}, err
	}
	defer sender.Close()
	client, err := jobs.New(b.d, b.st, sender, jobs.Config{Workers: b.opts.Workers, Log: b.log, Now: time.Now,
		FetchCooldown: b.opts.FetchCooldown, FetchPollInterval: b.opts.FetchPollInterval})
	if err != nil {
		return Result{}, err
	}
	before := b.received()
	cpu := benchkit.ReadCPU()
	if b.opts.Profile != nil {
		// An error means a profile is already running: the first engine's.
		if err := pprof.StartCPUProfile(b.opts.Profile); err == nil {
			defer pprof.StopCPUProfile()
		}
	}
	started := time.Now()
	if err := client.Start(ctx); err != nil {
		return Result{}, fmt.Errorf("start job queue: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = client.Stop(stopCtx)
	}()
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if _, err := b.sink.Wait(waitCtx, before+n); err != nil {
		return Result{}, err
	}
	var marked int
	for {
		if err := b.d.R.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE sent_at IS NOT NULL`).Scan(&marked); err != nil {
			return Result{}, fmt.Errorf("count sent messages: %w", err)
		}
		if marked >= n {
			break
		}
		select {
		case <-waitCtx.Done():
			return Result{}, fmt.Errorf("%d of %d messages marked sent: %w", marked, n, waitCtx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
	elapsed := time.Since(started)
	now := benchkit.ReadCPU()
	r := Result{Received: b.received() - before, Marked: marked, Elapsed: elapsed, OtherCPU: now.OtherShare(cpu), ServerCPU: now.ServerShare(cpu),
		CPU: now.Busy(cpu, b.d.Dialect == db.Postgres) / time.Duration(max(n, 1))}
	r.Rate = float64(r.Received) / elapsed.Seconds()
	return r, nil
}

// direct sends msgs straight with go-mail: as many goroutines as connections,
// each with its own go-mail client, dialled once and reused for PerConnection
// messages (go-mail sends RSET between them), with the options of the
// platform's sender and each message built as it builds it.
func (b *bench) direct(ctx context.Context, msgs []mail.Message) (Result, error) {
	host, port := b.sinkAddr()
	before := b.received()
	cpu := benchkit.ReadCPU()
	started := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, b.opts.Connections)
	for g := range b.opts.Connections {
		wg.Go(func() {
			errs[g] = b.sendShare(ctx, host, port, msgs, g)
		})
	}
	wg.Wait()
	elapsed := time.Since(started)
	now := benchkit.ReadCPU()
	if err := errors.Join(errs...); err != nil {
		return Result{}, err
	}
	r := Result{Received: b.received() - before, Elapsed: elapsed, OtherCPU: now.OtherShare(cpu), ServerCPU: now.ServerShare(cpu),
		CPU: now.Busy(cpu, b.d.Dialect == db.Postgres) / time.Duration(max(len(msgs), 1))}
	r.Rate = float64(r.Received) / elapsed.Seconds()
	return r, nil
}

// sendShare sends every Connections-th message from the g-th, over one
// connection at a time.
func (b *bench) sendShare(ctx context.Context, host string, port int, msgs []mail.Message, g int) error {
	// The options of internal/mail's sender towards a loopback sink.
	client, err := gomail.NewClient(host, gomail.WithPort(port), gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithTimeout(30*time.Second),
		gomail.WithoutNoop())
	if err != nil {
		return err
	}
	connected, sent := false, 0
	defer func() {
		if connected {
			_ = client.Close()
		}
	}()
	for i := g; i < len(msgs); i += b.opts.Connections {
		if !connected {
			if err := client.DialWithContext(ctx); err != nil {
				return fmt.Errorf("dial the sink: %w", err)
			}
			connected, sent = true, 0
		}
		msg, err := buildMsg(msgs[i])
		if err != nil {
			return err
		}
		if err := client.Send(msg); err != nil {
			return fmt.Errorf("send %s: %w", msgs[i].MessageID, err)
		}
		if sent++; sent >= b.opts.PerConnection {
			if err := client.Close(); err != nil {
				return err
			}
			connected = false
		}
	}
	return nil
}

// buildMsg builds m as internal/mail's sender does: the fixed sender, the
// recipient, subject, Message-ID, date, the automatic-message headers, a
// plain-text body and its HTML alternative.
func buildMsg(m mail.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	msg.SetDate()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

// received is how many messages the sink has received since it started.
func (b *bench) received() int { return b.sink.Total() }

func printTable(out io.Writer, machine string, opts Options, results []Result, skipped []string) {
	fmt.Fprintln(out, machine)
	fmt.Fprintf(out, "settings: %d messages per phase; outbox: %d River workers, FetchCooldown %s, FetchPollInterval %s; %d SMTP connections, %d messages each, for both outbox and direct; sink: internal/mail.Sink on 127.0.0.1\n",
		opts.Messages, opts.Workers, cmp.Or(opts.FetchCooldown, jobs.DefaultFetchCooldown), cmp.Or(opts.FetchPollInterval, jobs.DefaultFetchPollInterval),
		opts.Connections, opts.PerConnection)
	fmt.Fprintf(out, "target: outbox >= %.1fx the direct sending and >= %.0f mails/s\n\n", MinRatio, MinRate)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "db\tphase\tmessages\treceived\tmarked sent\tmails/s\tratio\telapsed\tCPU/mail\tPG CPU\tother CPU\tverdict\t")
	for _, r := range results {
		verdict, marked := "baseline", "-"
		if r.Outbox {
			verdict, marked = "FAIL", strconv.Itoa(r.Marked)
			if r.Pass() {
				verdict = "PASS"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%.0f\t%.2fx\t%s\t%dµs\t%s\t%s\t%s\t\n", r.Engine, r.Name, r.Messages, r.Received, marked,
			r.Rate, r.Ratio, r.Elapsed.Round(time.Millisecond), r.CPU.Microseconds(), benchkit.Pct(r.ServerCPU), benchkit.Pct(r.OtherCPU), verdict)
	}
	tw.Flush()
	for _, line := range skipped {
		fmt.Fprintln(out, line)
	}
}
