package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"time"

	"cma/internal/config"
	"cma/internal/db"
	"cma/internal/domain"
	"cma/internal/jobs"
	cmamail "cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
)

// mailQueue is the job queue and where its emails go.
type mailQueue struct {
	jobs        *jobs.Client
	domain      string       // of the sender address, for Message-IDs
	sinkHandler http.Handler // the development mail sink's pages, demo mode only
	sinkAddr    string       // and its SMTP address
	metrics     *outbox.Metrics
	// start starts the workers, once the capabilities the timers call are
	// wired; stop stops them.
	start func(ctx context.Context) error
	stop  func()
}

// startMail starts the job queue with the email sender: the city's SMTP relay
// when configured; in demo mode without one, a development mail sink inside
// the binary (a real SMTP server at --mail-sink-addr, on loopback) whose messages are shown at
// /dev/courriels. Without either, jobs are queued and kept until a relay is
// configured: nothing is lost.
func startMail(ctx context.Context, cfg *config.Config, d *db.DB, st *store.Store, log *slog.Logger, now func() time.Time,
	timers []jobs.Timer) (*mailQueue, error) {
	from, err := mail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("--mail-from %q: %w", cfg.MailFrom, err)
	}
	o := &mailQueue{domain: from.Address[strings.LastIndex(from.Address, "@")+1:], metrics: outbox.NewMetrics(), stop: func() {},
		start: func(context.Context) error { return nil }}
	smtp := cmamail.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUser, Password: cfg.SMTPPassword,
		TLS: cfg.SMTPTLS, From: cfg.MailFrom, Timeout: 30 * time.Second,
		Connections: cfg.SMTPConnections, MessagesPerConnection: cfg.SMTPMessagesPerConnection,
		HELO: cfg.HELOName(), CAFile: cfg.SMTPCAFile, InsecureSkipVerify: !cfg.SMTPTLSVerify}
	var sink *cmamail.Sink
	workers := cfg.MailWorkers
	switch {
	case cfg.SMTPHost != "":
		if helo := cfg.HELOName(); helo == "" {
			name, _ := os.Hostname()
			log.Warn("no --smtp-helo and the public URL's host is not a name: the relay is greeted with the machine's name, "+
				"which a relay refusing names that are not fully qualified (Postfix's reject_non_fqdn_helo_hostname) refuses",
				"helo", name)
		} else if !strings.Contains(helo, ".") {
			log.Warn("the HELO name is not fully qualified: a relay with reject_non_fqdn_helo_hostname refuses it", "helo", helo)
		}
		if !cfg.SMTPTLSVerify && cfg.SMTPTLS != cmamail.TLSNone {
			log.Warn("the SMTP relay's certificate is not checked (--smtp-tls-verify=false): emails are encrypted, "+
				"but anyone between the platform and the relay can read them; prefer --smtp-ca-file with the city's authority",
				"smtp_host", cfg.SMTPHost)
		}
	case cfg.Demo:
		if sink, err = cmamail.StartSinkWith(cfg.MailSinkAddr, cmamail.SinkOptions{Now: now}); err != nil {
			return nil, fmt.Errorf("development mail sink on %s (--mail-sink-addr): %w", cfg.MailSinkAddr, err)
		}
		o.sinkAddr = sink.Addr()
		host, port, _ := strings.Cut(sink.Addr(), ":")
		smtp.Host, smtp.TLS = host, "none"
		smtp.Port, _ = strconv.Atoi(port)
		o.sinkHandler = cmamail.NewSinkHandler(sink, "/dev/courriels")
	default:
		log.Warn("no SMTP relay configured (--smtp-host): emails are kept and queued, and sent once one is configured")
		workers = 0
	}
	var sender outbox.Sender = unsent{}
	var smtpSender *cmamail.Sender
	if workers > 0 {
		if smtpSender, err = cmamail.NewSender(smtp); err != nil {
			if sink != nil {
				sink.Close()
			}
			return nil, err
		}
		sender = smtpSender
	}
	client, err := jobs.New(d, st, sender, jobs.Config{Workers: workers, Log: log, Now: now, Metrics: o.metrics, Timers: timers})
	if err != nil {
		return nil, err
	}
	o.jobs = client
	started := workers > 0 || len(timers) > 0
	o.start = func(ctx context.Context) error {
		if !started {
			return nil
		}
		if err := client.Start(ctx); err != nil {
			return fmt.Errorf("start job queue: %w", err)
		}
		return nil
	}
	o.stop = func() {
		if started {
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := client.Stop(stopCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				log.Warn("stop job queue", "error", err)
			}
			if smtpSender != nil {
				if err := smtpSender.Close(); err != nil {
					log.Warn("close SMTP connections", "error", err)
				}
			}
		}
		if sink != nil {
			sink.Close()
		}
	}
	return o, nil
}

// unsent is the sender of an insert-only queue: never called.
type unsent struct{}

func (unsent) Send(context.Context, cmamail.Message) error {
	return errors.New("no SMTP relay configured")
}

// seedDemoRules publishes a first version of the internal rules (CAN-7) in
// demo mode when none exists.
func seedDemoRules(ctx context.Context, st *store.Store, now time.Time) error {
	cur, err := st.CurrentRules(ctx)
	if err != nil || cur.Version != "" {
		return err
	}
	return st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: now, Body: demoRulesBody})
	})
}

const demoRulesBody = "Règlement intérieur des cours municipaux d'adultes (version de démonstration). " +
	"L'assiduité est obligatoire ; toute absence doit être justifiée auprès du formateur ou de la formatrice. " +
	"Après trois absences consécutives sans motif valable, le service central peut prononcer la radiation. " +
	"La carte d'auditeur est personnelle et seule donne accès à l'établissement. " +
	"Le respect des personnes, des locaux et du matériel est exigé de toutes et tous."
