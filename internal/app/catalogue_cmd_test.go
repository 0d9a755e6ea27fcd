package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCatalogueCommand_CAT3: `cma catalogue export` then `import` of the same
// file changes nothing; a file with problems is refused with a non-zero exit
// and its problems printed in French by row and column; --dry-run writes
// nothing.
func TestCatalogueCommand_CAT3(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "cma.db")
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(context.Background(), args, testEnv(&out, &bytes.Buffer{}, nil))
		return out.String(), err
	}
	if _, err := run("demo", "--db", dbURL); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "s2.xlsx")
	if _, err := run("catalogue", "export", "--db", dbURL, "--session", "2026-2027-S2", "--to", file); err != nil {
		t.Fatal(err)
	}
	out, err := run("catalogue", "import", "--db", dbURL, "--session", "2026-2027-S2", file)
	if err != nil || !strings.Contains(out, "0 cours créés, 0 modifiés") {
		t.Fatalf("re-import of the export: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("\ufeffcode;code formation;code établissement;salle;jour;début;fin;capacité\r\nN-1;F-NOPE;E-07-SUFFREN;Salle 103;lundi;20:00;18:00;20\r\n"), 0o600)
	out, err = run("catalogue", "import", "--db", dbURL, "--session", "2026-2027-S2", "--dry-run", bad)
	if err == nil || !strings.Contains(out, "Cours, ligne 2, colonne « code formation » : La formation F-NOPE n'existe pas") ||
		!strings.Contains(out, "colonne « fin »") {
		t.Fatalf("refused file: err %v\n%s", err, out)
	}
	if _, err := run("catalogue", "import", "--db", dbURL, "--session", "NOPE", bad); err == nil {
		t.Fatal("an unknown session was accepted")
	}
}
