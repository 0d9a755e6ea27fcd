package app

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"cma/internal/allocation"
	"cma/internal/i18n"
)

// selectCmd runs `cma select …` (the selection engine; see package allocation).
//
//	cma select simulate --candidates N --courses M --seed S [--explain K] [--lang fr|en]
//
// simulate runs the engine on a synthetic, realistic session
// (allocation.Synthetic) and prints the fairness summary per formation, and
// the explanations of the first K decisions, in French unless --lang en.
func selectCmd(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && (args[0] == "run" || args[0] == "publish" || args[0] == "verify") {
		return selectRunCmd(ctx, args, env)
	}
	if len(args) == 0 || args[0] != "simulate" {
		return fmt.Errorf("%w: expected `cma select simulate --candidates N --courses M --seed S`", ErrUsage)
	}
	var candidates, courses, explain int
	var seed uint64
	var lang string
	_, fs, err := flags("select simulate", args[1:], env, func(fs *flag.FlagSet) {
		fs.IntVar(&candidates, "candidates", 20000, "number of synthetic candidates (about 1.5 candidatures each)")
		fs.IntVar(&courses, "courses", 800, "number of synthetic courses")
		fs.Uint64Var(&seed, "seed", 1, "seed of the synthetic data and of the lottery")
		fs.IntVar(&explain, "explain", 0, "also print the explanations of the first `K` decisions")
		fs.StringVar(&lang, "lang", string(i18n.French), "language of the output: fr or en")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: unexpected arguments %v", ErrUsage, fs.Args())
	}
	if candidates < 1 || courses < 1 || explain < 0 {
		return fmt.Errorf("%w: --candidates and --courses must be at least 1, --explain at least 0", ErrUsage)
	}
	if lang != string(i18n.French) && lang != string(i18n.English) {
		return fmt.Errorf("%w: --lang must be fr or en", ErrUsage)
	}
	catalog, err := i18n.Load()
	if err != nil {
		return err
	}
	p := catalog.Printer(i18n.Lang(lang))
	word := func(t allocation.Text) string { return p.WordKeyed(t) }
	if err := ctx.Err(); err != nil {
		return err
	}

	const engineSteps = 6
	bar := progressbar.NewOptions(engineSteps+1,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(p.T("select.progress.synthetic")),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(50*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(env.Stderr) }),
	)
	start := time.Now() // wall clock: it times the run for the report and decides nothing
	in := allocation.Synthetic(allocation.SyntheticConfig{Candidates: candidates, Courses: courses, Seed: seed})
	_ = bar.Set(1)
	res, err := allocation.Run(in, allocation.Options{Progress: func(stage allocation.Text, done, total int) {
		bar.Describe(p.Word("select.progress.stage", map[string]any{"Stage": stage}))
		_ = bar.Set(1 + done)
	}})
	if err != nil {
		return err
	}
	_ = bar.Finish()
	elapsed := time.Since(start)

	w := env.Stdout
	fmt.Fprintf(w, "%s\n\n", p.Word("select.summary", map[string]any{"Candidates": candidates, "Candidatures": len(in.Candidatures),
		"Courses": len(in.Courses), "Formations": len(in.Formations), "Seed": seed, "Elapsed": elapsed.Round(time.Millisecond)}))
	if err := allocation.WriteFairness(w, res, word); err != nil {
		return err
	}
	for i := range min(explain, len(res.Decisions)) {
		if _, err := fmt.Fprintf(w, "\n%s\n", res.Explain(i).Worded(word)); err != nil {
			return err
		}
	}
	return nil
}
