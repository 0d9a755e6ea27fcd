package demo

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"cma/internal/export"
)

var update = flag.Bool("update", false, "rewrite testdata/demo-catalogue from the generator")

// fixtureFiles writes the demo city's workbook (scale 1, seed 2026) as the
// CSV files kept in testdata/demo-catalogue: one per sheet, the courses one
// per session.
func fixtureFiles(t *testing.T) map[string][]byte {
	t.Helper()
	ds := Generate(Options{Scale: 1, Seed: 2026})
	files := map[string][]byte{}
	for i, se := range ds.Sessions {
		tables := Workbook(ds, se.Code, defaultToday)
		names := []string{"cours-" + se.Code + ".csv", "etablissements.csv", "salles.csv", "formations.csv"}
		for j, tb := range tables {
			if i > 0 && j > 0 {
				break // the same sheets in every session's workbook
			}
			var buf bytes.Buffer
			if err := export.WriteCSV(&buf, tb); err != nil {
				t.Fatal(err)
			}
			files[names[j]] = buf.Bytes()
		}
	}
	return files
}

// TestWorkbook_CAT3_fixture_is_what_the_generator_makes: the demo city's
// spreadsheet kept in the repository is the one Load imports (regenerate
// with `go test ./internal/demo -run Fixture -update`).
func TestWorkbook_CAT3_fixture_is_what_the_generator_makes(t *testing.T) {
	dir := filepath.Join("testdata", "demo-catalogue")
	files := fixtureFiles(t)
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(files) {
		t.Errorf("%d files in %s, the generator makes %d", len(entries), dir, len(files))
	}
	for name, data := range files {
		kept, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(kept, data) {
			t.Errorf("%s differs from what the generator makes: run go test ./internal/demo -run Fixture -update", name)
		}
	}
}
