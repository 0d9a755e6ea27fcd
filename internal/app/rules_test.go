package app

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cma/internal/db"
	"cma/internal/store"
)

// TestRulesPublish_CAN7: the central service publishes versions of the internal
// rules from the command line; the newest is the one candidates accept.
func TestRulesPublish_CAN7(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "cma.db")
	file := filepath.Join(dir, "reglement.txt")
	os.WriteFile(file, []byte("Règlement intérieur 2027 : l'assiduité est obligatoire.\n"), 0o600)
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"rules", "publish", "--db", dbURL, "--version", "2027-1", file}, testEnv(&out, io.Discard, nil)); err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), []string{"rules", "publish", "--db", dbURL, "--version", "2027-1", file}, testEnv(io.Discard, io.Discard, nil)); err == nil {
		t.Fatal("the same version published twice")
	}
	empty := filepath.Join(dir, "vide.txt")
	os.WriteFile(empty, []byte("  \n"), 0o600)
	if err := Run(context.Background(), []string{"rules", "publish", "--db", dbURL, "--version", "2027-2", empty}, testEnv(io.Discard, io.Discard, nil)); err == nil {
		t.Fatal("empty rules published")
	}
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r, err := store.New(d).CurrentRules(context.Background())
	if err != nil || r.Version != "2027-1" || !strings.Contains(r.Body, "assiduité") {
		t.Fatalf("current rules = %+v, %v", r, err)
	}
}
