package app

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
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

// TestCatalogueImportPage_CAT3_ROLE5: the central service's dry run of an
// uploaded file shows its counts; a body declared over 50 MB is refused
// before it is read (413); a director may not post a file (ROLE-5).
func TestCatalogueImportPage_CAT3_ROLE5(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	upload := func(b *browser, body []byte, declared int64) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("etape", "verifier")
		fw, _ := mw.CreateFormFile("fichier", "cours.csv")
		fw.Write(body)
		mw.Close()
		req, _ := http.NewRequest("POST", base+"/back-office/catalogue/sessions/3/import", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if declared > 0 {
			n := int64(buf.Len())
			req.Body = io.NopCloser(io.MultiReader(&buf, io.LimitReader(zeros{}, declared-n)))
			req.ContentLength = declared
		}
		res, err := b.Do(req)
		if err != nil {
			return nil, err.Error()
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return res, string(data)
	}
	csv := []byte("\ufeffcode;code formation;code établissement;salle;jour;début;fin;capacité\r\nN-1;F-ANGLAIS-DEB;E-07-SUFFREN;Salle 103;samedi;14:00;16:00;20\r\n")
	central := newBrowser(t, base)
	central.signIn(t, "demo-staff-central")
	res, body := upload(central, csv, 0)
	if res == nil || res.StatusCode != http.StatusOK || !strings.Contains(body, "1 cours à créer") {
		t.Fatalf("dry run: %v\n%s", res, body)
	}
	res, body = upload(central, csv, 60<<20)
	if res == nil || res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "50 Mo") {
		t.Fatalf("declared 60 MB: %v %.200s", res, body)
	}
	director := newBrowser(t, base)
	director.signIn(t, "demo-staff-director")
	if res, _ := upload(director, csv, 0); res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("director: %v", res)
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
