package app

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"cma/internal/domain"
	"cma/internal/store"
)

// rules runs `cma rules publish`: the central service publishes a new version
// of the internal rules, which candidates then accept when they validate
// (CAN-7). Versions are kept: each candidature records the one accepted.
func rules(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "publish" {
		return fmt.Errorf("%w: expected `cma rules publish --version V FILE.txt`", ErrUsage)
	}
	var version string
	cfg, fs, err := flags("rules publish", args[1:], env, func(fs *flag.FlagSet) {
		fs.StringVar(&version, "version", "", "version name, e.g. 2027-1 (required)")
	})
	if err != nil {
		return err
	}
	version = strings.TrimSpace(version)
	if version == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: give --version and exactly one text file", ErrUsage)
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("read rules: %w", err)
	}
	if !utf8.Valid(body) || len(strings.TrimSpace(string(body))) == 0 {
		return fmt.Errorf("%s: the rules must be non-empty UTF-8 text", fs.Arg(0))
	}
	d, err := openMigrated(ctx, cfg, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer d.Close()
	st := store.New(d)
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: version, Published: env.Now(), Body: strings.TrimSpace(string(body))})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "internal rules %s published: candidates accept this version from now on\n", version)
	return nil
}
