package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"cma/internal/catalogue"
	"cma/internal/i18n"
	"cma/internal/store"
)

// catalogueCmd runs `cma catalogue import|export`: a session's catalogue
// from or to a spreadsheet (CAT-3), run on the server by its operators, who
// act as the platform (ROLE-5's import, audited without an actor).
func catalogueCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return fmt.Errorf("%w: expected `cma catalogue import --session CODE [--dry-run] FILE` or `cma catalogue export --session CODE --to FILE`", ErrUsage)
	}
	var sessionCode, to string
	var dryRun bool
	cfg, fs, err := flags("catalogue "+args[0], args[1:], env, func(fs *flag.FlagSet) {
		fs.StringVar(&sessionCode, "session", "", "code of the session, e.g. 2026-2027-ANNUEL")
		if args[0] == "import" {
			fs.BoolVar(&dryRun, "dry-run", false, "check the file and list its problems, import nothing")
		} else {
			fs.StringVar(&to, "to", "", "file to write: .xlsx (every sheet) or .csv (the courses)")
		}
	})
	if err != nil {
		return err
	}
	if sessionCode == "" {
		return fmt.Errorf("%w: --session CODE is required", ErrUsage)
	}
	var file string
	if args[0] == "import" {
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: give exactly one file, .xlsx or .csv", ErrUsage)
		}
		file = fs.Arg(0)
		// A file over 50 MB is refused before it is read.
		info, err := os.Stat(file)
		if err != nil {
			return fmt.Errorf("open %s: %w", file, err)
		}
		if info.Size() > catalogue.MaxImportBytes {
			return fmt.Errorf("%s fait %d Mo : un import accepte au plus 50 Mo, rien n'a été importé", file, info.Size()>>20)
		}
	} else if to == "" {
		return fmt.Errorf("%w: --to FILE is required", ErrUsage)
	}
	d, err := openMigrated(ctx, cfg, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer d.Close()
	st := store.New(d)
	cat, err := st.LoadCatalogue(ctx)
	if err != nil {
		return err
	}
	var sessionID int64
	for _, s := range cat.Sessions {
		if strings.EqualFold(s.Code, sessionCode) {
			sessionID = s.ID
		}
	}
	if sessionID == 0 {
		return fmt.Errorf("aucune session n'a le code %s", sessionCode)
	}
	admin := catalogue.NewAdmin(catalogue.AdminDeps{Store: st, Now: env.Now})
	if args[0] == "export" {
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if err := admin.ExportAsPlatform(ctx, sessionID, strings.HasSuffix(strings.ToLower(to), ".csv"), out); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "catalogue de la session %s exporté dans %s\n", sessionCode, to)
		return nil
	}
	words, err := i18n.Load()
	if err != nil {
		return err
	}
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	// The bar is made once the total is known: an open-ended bar draws from
	// a goroutine of its own, which races with the import's updates.
	var bar *progressbar.ProgressBar
	rep, err := admin.ImportAsPlatform(ctx, sessionID, file, in, dryRun, func(done, total int) {
		if bar == nil || int64(total) != bar.GetMax64() {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(env.Stderr), progressbar.OptionSetDescription("Import du catalogue"),
				progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond))
		}
		_ = bar.Set(done)
	})
	if bar != nil {
		_ = bar.Finish()
	}
	fmt.Fprintln(env.Stderr)
	return printImportReport(env.Stdout, words.Printer(i18n.French), rep, err)
}

// printImportReport writes the outcome in French: the problems by sheet, row
// and column, or the counts.
func printImportReport(w io.Writer, p *i18n.Printer, rep catalogue.ImportReport, err error) error {
	if errors.Is(err, catalogue.ErrTooLarge) {
		return fmt.Errorf("le fichier dépasse 50 Mo : rien n'a été importé")
	}
	if errors.Is(err, catalogue.ErrImportRefused) {
		fmt.Fprintf(w, "%d problème(s) : rien n'a été importé.\n", len(rep.Problems))
		for _, pr := range rep.Problems {
			where := pr.Sheet
			if pr.Row > 0 {
				where += fmt.Sprintf(", ligne %d", pr.Row)
			}
			if pr.Column != "" {
				where += ", colonne « " + pr.Column + " »"
			}
			fmt.Fprintf(w, "  %s : %s\n", where, p.WordKeyed(pr))
		}
		return fmt.Errorf("import refusé : %d problème(s)", len(rep.Problems))
	}
	if err != nil {
		return err
	}
	verb := "importé"
	if rep.DryRun {
		verb = "vérifié (essai à blanc : rien n'a été écrit)"
	}
	fmt.Fprintf(w, "%s %s : %d cours créés, %d modifiés, %d inchangés ; établissements : %d créés, %d modifiés ; salles : %d créées, %d modifiées ; formations : %d créées, %d modifiées\n",
		rep.FileName, verb, rep.Created, rep.Updated, rep.Unchanged, rep.EstablishmentsCreated, rep.EstablishmentsUpdated,
		rep.RoomsCreated, rep.RoomsUpdated, rep.FormationsCreated, rep.FormationsUpdated)
	return nil
}
