package app

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"cma/internal/allocation"
)

// selectCmd runs `cma select …` (the selection engine; see package allocation).
//
//	cma select simulate --candidates N --courses M --seed S
//
// simulate runs the engine on a synthetic, realistic session
// (allocation.Synthetic) and prints the fairness summary per formation.
func selectCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "simulate" {
		return fmt.Errorf("%w: expected `cma select simulate --candidates N --courses M --seed S`", ErrUsage)
	}
	var candidates, courses int
	var seed uint64
	_, fs, err := flags("select simulate", args[1:], env, func(fs *flag.FlagSet) {
		fs.IntVar(&candidates, "candidates", 20000, "number of synthetic candidates (about 1.5 candidatures each)")
		fs.IntVar(&courses, "courses", 800, "number of synthetic courses")
		fs.Uint64Var(&seed, "seed", 1, "seed of the synthetic data and of the lottery")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: unexpected arguments %v", ErrUsage, fs.Args())
	}
	if candidates < 1 || courses < 1 {
		return fmt.Errorf("%w: --candidates and --courses must be at least 1", ErrUsage)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	const engineSteps = 6
	bar := progressbar.NewOptions(engineSteps+1,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription("Génération des données synthétiques"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(50*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(env.Stderr) }),
	)
	start := time.Now() // wall clock: it times the run for the report and decides nothing
	in := allocation.Synthetic(allocation.SyntheticConfig{Candidates: candidates, Courses: courses, Seed: seed})
	_ = bar.Set(1)
	res, err := allocation.Run(in, allocation.Options{Progress: func(stage string, done, total int) {
		bar.Describe("Sélection : " + stage)
		_ = bar.Set(1 + done)
	}})
	if err != nil {
		return err
	}
	_ = bar.Finish()
	elapsed := time.Since(start)

	w := env.Stdout
	fmt.Fprintf(w, "Simulation de sélection : %d candidats, %d candidatures, %d cours, %d formations (graine %d), en %s.\n\n",
		candidates, len(in.Candidatures), len(in.Courses), len(in.Formations), seed, elapsed.Round(time.Millisecond))
	return allocation.WriteFairness(w, res)
}
