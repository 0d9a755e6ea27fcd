package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"cma/internal/accounts"
	"cma/internal/auth"
	"cma/internal/domain"
	"cma/internal/store"
)

// user runs `cma user add`: the command line bootstraps staff accounts, the
// first central-service account above all.
func user(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: expected `cma user add --email E --role R [--establishment CODE | --formation CODE | --course CODE]`", ErrUsage)
	}
	var email, role, est, form, course, first, last string
	var passwordStdin bool
	cfg, fs, err := flags("user add", args[1:], env, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "work email address (required)")
		fs.StringVar(&role, "role", "", "central, director, coordinator, trainer, guidance, helpdesk or regisseur (required)")
		fs.StringVar(&est, "establishment", "", "establishment code, for a director")
		fs.StringVar(&form, "formation", "", "formation code, for a coordinator")
		fs.StringVar(&course, "course", "", "course code, for a trainer")
		fs.StringVar(&first, "first-name", "", "first name")
		fs.StringVar(&last, "last-name", "", "last name")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read a password (12 characters or more) from standard input, for password sign-in")
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if email == "" || role == "" {
		return fmt.Errorf("%w: --email and --role are required", ErrUsage)
	}
	var password string
	if passwordStdin {
		password, err = readLine(env.Stdin)
		if err != nil {
			return fmt.Errorf("read password from standard input: %w", err)
		}
	}
	d, err := openMigrated(ctx, cfg, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer d.Close()
	st := store.New(d)
	g := domain.Grant{Role: domain.Role(role)}
	for _, ref := range []struct {
		code, table string
		dst         *int64
	}{{est, "establishments", &g.EstablishmentID}, {form, "formations", &g.FormationID}, {course, "courses", &g.CourseID}} {
		if ref.code == "" {
			continue
		}
		if *ref.dst, err = st.IDByCode(ctx, ref.table, ref.code); err != nil {
			return err
		}
	}
	svc := accounts.New(st, env.Now, newLogger(cfg, env.Stderr))
	acc, secret, err := svc.AddStaff(ctx, accounts.NewStaff{Email: email, FirstName: first, LastName: last,
		Grants: []domain.Grant{g}, Password: password})
	if errors.Is(err, auth.ErrPasswordTooShort) || errors.Is(err, auth.ErrPasswordTooLong) {
		return fmt.Errorf("password: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "staff account %d created for %s with role %s\n", acc.ID, acc.Email, role)
	if secret != "" {
		fmt.Fprintf(env.Stdout, "second factor: add this key to an authenticator app (shown once):\n  %s\n  %s\n",
			secret, auth.TOTPURI("Cours d'adultes", acc.Email, secret))
	}
	return nil
}

func readLine(r io.Reader) (string, error) {
	if r == nil {
		r = os.Stdin
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
