package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/selection"
	"cma/internal/store"
)

// ErrOutcomesDiffer: `cma select verify` found outcomes that differ (exit 1).
var ErrOutcomesDiffer = errors.New("the re-run's outcomes differ from the stored ones")

// selectRunCmd runs `cma select run|publish|verify` (SEL-1, SEL-3, PER-1,
// PER-2), acting as the central service's account given by --as:
//
//	cma select run     --db URL --session CODE [--pass main|placement] --as EMAIL
//	cma select publish --db URL --run ID --as EMAIL
//	cma select verify  --db URL --run ID
//
// run shows its progress on stderr; verify exits with status 1 when the
// re-run's outcomes differ from the stored ones. With --demo --demo-now the
// commands read the demo clock, like serve (e.g. to publish the demo's annual
// session during its answer period in September).
//
// Reliability drills only (reliability/selection_test.go), never in
// production: CMA_DRILL_PAUSE_BEFORE_STORE / CMA_DRILL_PAUSE_IN_STORE (a
// duration) pause the run at that step (selection.DrillPause) so that the
// drill kills it there.
func selectRunCmd(ctx context.Context, args []string, env Env) error {
	verb := args[0]
	var sessionCode, pass, as string
	var runID int64
	cfg, fs, err := flags("select "+verb, args[1:], env, func(fs *flag.FlagSet) {
		switch verb {
		case "run":
			fs.StringVar(&sessionCode, "session", "", "code of the session, e.g. 2026-2027-S2")
			fs.StringVar(&pass, "pass", string(domain.PassMain), "main, or placement (after the first-day tests)")
		default:
			fs.Int64Var(&runID, "run", 0, "ID of the run")
		}
		if verb != "verify" {
			fs.StringVar(&as, "as", "", "email of the central service's staff account acting")
		}
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: unexpected arguments %v", ErrUsage, fs.Args())
	}
	env.Now, _ = platformClock(cfg, env)
	var drill selection.DrillPause
	for name, d := range map[string]*time.Duration{"CMA_DRILL_PAUSE_BEFORE_STORE": &drill.BeforeStore,
		"CMA_DRILL_PAUSE_IN_STORE": &drill.InStore} {
		if v := env.Getenv(name); v != "" && verb == "run" {
			if *d, err = time.ParseDuration(v); err != nil || *d <= 0 {
				return fmt.Errorf("%s=%q: expected a positive duration such as 2s", name, v)
			}
		}
	}
	switch {
	case verb == "run" && sessionCode == "":
		return fmt.Errorf("%w: --session CODE is required", ErrUsage)
	case verb == "run" && pass != string(domain.PassMain) && pass != string(domain.PassPlacement):
		return fmt.Errorf("%w: --pass must be main or placement", ErrUsage)
	case verb != "run" && runID <= 0:
		return fmt.Errorf("%w: --run ID is required", ErrUsage)
	case verb != "verify" && as == "":
		return fmt.Errorf("%w: --as EMAIL (a central service account) is required", ErrUsage)
	}
	log := newLogger(cfg, env.Stderr)
	d, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	st := store.New(d)
	words, err := i18n.Load()
	if err != nil {
		return err
	}
	p := words.Printer(i18n.French)
	cat := catalogue.NewService(st, words, cfg.HolidayZone, catalogue.DefaultMaxAge, env.Now, catalogue.UIDHost(publicHost(cfg)))
	// Emails are kept and queued here; the serving instances' workers send them.
	client, err := jobs.New(d, st, nil, jobs.Config{Now: env.Now, Log: log})
	if err != nil {
		return err
	}
	mailDomain := "localhost"
	if from, err := mail.ParseAddress(cfg.MailFrom); err == nil {
		mailDomain = from.Address[strings.LastIndex(from.Address, "@")+1:]
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	sel := selection.New(selection.Deps{Store: st, Catalogue: cat, Outbox: outbox.New(st, client, mailDomain), Words: words,
		Now: env.Now, Paris: loc, PublicURL: linkURL(cfg), Log: log, Drill: drill})
	renderMessages(st, selection.Deps{Store: st, Catalogue: cat, Words: words, Now: env.Now, Paris: loc, PublicURL: linkURL(cfg), Log: log})
	var actor domain.Actor
	if as != "" {
		acc, err := st.AccountByEmail(ctx, nil, as)
		if err != nil {
			return fmt.Errorf("aucun compte n'a l'adresse %s", as)
		}
		actor = accounts.ActorOf(acc)
	}
	word := func(err error) error {
		var r *selection.Refusal
		if errors.As(err, &r) {
			return errors.New(p.WordKeyed(r))
		}
		if errors.Is(err, selection.ErrForbidden) {
			return fmt.Errorf("le compte %s n'a pas le rôle du service central", as)
		}
		return err
	}
	switch verb {
	case "run":
		sessionID, err := st.SelectionSessionByCode(ctx, sessionCode)
		if err != nil {
			return fmt.Errorf("aucune session n'a le code %s", sessionCode)
		}
		// The total is known from the start (selection.RunSteps): the bar is
		// made at the first report.
		var bar *progressbar.ProgressBar
		run, err := sel.StartRunWith(ctx, actor, sessionID, domain.RunPass(pass), func(stage string, done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(env.Stderr), progressbar.OptionShowCount(),
					progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond))
			}
			bar.Describe("Traitement : " + p.T(stage))
			_ = bar.Set(done)
		})
		if bar != nil {
			_ = bar.Finish()
			fmt.Fprintln(env.Stderr)
		}
		if err != nil {
			return word(err)
		}
		sum, err := selection.Decode(run.Summary)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "traitement à blanc n° %d de la session %s (%s)\ngraine : %d\nempreinte : %s\n", run.ID, sessionCode,
			run.Pass, run.Seed, run.Digest)
		fmt.Fprintf(env.Stdout, "candidatures : %d ; admis : %d ; en attente : %d ; non retenues : %d ; désistements : %d ; non recevables : %d ; test du premier jour : %d ; conflits d'horaires : %d\n",
			sum.Candidatures, sum.Outcomes[domain.OutcomeAccepted], sum.Outcomes[domain.OutcomeWaiting], sum.Outcomes[domain.OutcomeNotRetained],
			sum.Outcomes[domain.OutcomeWithdrawn], sum.Outcomes[domain.OutcomeIneligible], sum.Outcomes[domain.OutcomeFirstDayTest], sum.Clashes)
		fmt.Fprintf(env.Stdout, "publier : cma select publish --run %d --as %s\n", run.ID, as)
		return nil
	case "publish":
		res, err := sel.Publish(ctx, actor, runID)
		if err != nil {
			return word(err)
		}
		if res.Already {
			fmt.Fprintf(env.Stdout, "le traitement n° %d était déjà publié : rien n'a été refait, aucun courriel envoyé\n", runID)
			return nil
		}
		fmt.Fprintf(env.Stdout, "traitement n° %d publié : %d candidature(s) mises à jour, %d courriel(s) mis en file\n", runID, res.Changed, res.Told)
		return nil
	default:
		v, err := sel.VerifyRun(ctx, runID)
		if err != nil {
			return word(err)
		}
		if v.InputChanged {
			fmt.Fprintf(env.Stdout, "les données d'entrée gardées ont changé : empreinte %s au lieu de %s\n", v.Digest, v.Run.Digest)
			return ErrOutcomesDiffer
		}
		for _, d := range v.Differences {
			fmt.Fprintf(env.Stdout, "candidature %d : enregistré « %s », recalculé « %s »\n", d.CandidatureID, d.Stored, d.Rerun)
		}
		if len(v.Differences) > 0 {
			fmt.Fprintf(env.Stdout, "%d résultat(s) sur %d diffèrent\n", len(v.Differences), v.Outcomes)
			return ErrOutcomesDiffer
		}
		fmt.Fprintf(env.Stdout, "traitement n° %d vérifié : les %d résultats recalculés avec la graine %s sont identiques (empreinte %s)\n",
			runID, v.Outcomes, strconv.FormatUint(v.Run.Seed, 10), v.Digest)
		return nil
	}
}
