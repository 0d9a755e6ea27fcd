package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/web/views"
)

// The import and export of a session's catalogue (CAT-3, ROLE-5): the
// central service uploads a spreadsheet, reads the dry run's problems by row
// and column (or what it would create and update), then imports it; the
// import runs in the background and the page follows its progress from the
// catalogue_imports row, which every instance reads.

// importForm is the upload: up to 50 MB and its fields, refused on its
// Content-Length before it is read.
var importForm = input{maxBody: catalogue.MaxImportBytes + 64<<10, upload: true, tooLarge: "import.error.too_large", declared: true}

// keptImports is where a checked file waits for "Importer", by its digest,
// so that the central service need not choose it again on this instance.
var keptImports = filepath.Join(os.TempDir(), "cma-catalogue-imports")

var digestPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Server) importSession(w http.ResponseWriter, r *http.Request) (*domain.Session, bool) {
	ix := s.index(w, r)
	if ix == nil {
		return nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return nil, false
	}
	se, ok := ix.Session(id)
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	return se, true
}

func importPaths(id int64) (page, xlsx, csv string) {
	base := "/back-office/catalogue/sessions/" + strconv.FormatInt(id, 10)
	return base + "/import", base + "/export.xlsx", base + "/export.csv"
}

// catalogueImportPage shows the form, the latest imports and the exports.
func (s *Server) catalogueImportPage(w http.ResponseWriter, r *http.Request) {
	se, ok := s.importSession(w, r)
	if !ok {
		return
	}
	pg := s.page(r, "import.page.title")
	v, err := s.importView(r, pg, se)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.CatalogueImport(pg, v))
}

func (s *Server) importView(r *http.Request, pg *views.Page, se *domain.Session) (*views.CatalogueImportView, error) {
	page, xlsx, csv := importPaths(se.ID)
	v := &views.CatalogueImportView{SessionName: se.Name + " (" + se.Code + ")", Action: page, ExportXLSX: xlsx, ExportCSV: csv}
	runs, err := s.CatalogueAdmin.Imports(r.Context(), currentUser(r).Actor, se.ID, 5)
	if err != nil {
		return nil, err
	}
	for _, run := range runs {
		rv := views.ImportRunView{FileName: run.FileName, Running: run.Status == catalogue.ImportRunning,
			Done: run.RowsDone, Total: run.RowsTotal, When: run.StartedAt.In(s.Paris).Format("02/01/2006 15:04:05")}
		rv.Kind = pg.T("import.run.import")
		if run.DryRun {
			rv.Kind = pg.T("import.run.dry_run")
		}
		rv.Status = pg.T("import.status." + run.Status)
		args := map[string]any{"Done": run.RowsDone, "Total": run.RowsTotal, "Created": run.Created, "Updated": run.Updated,
			"Unchanged": run.Unchanged, "Problems": len(run.Problems)}
		switch run.Status {
		case catalogue.ImportRunning:
			rv.Outcome = pg.T("import.run.progress", args)
			pg.Refresh = 2
		case catalogue.ImportRefused:
			rv.Outcome = pg.T("import.run.refused", args)
		case catalogue.ImportFailed:
			rv.Outcome = pg.T("import.run.failed")
		default:
			rv.Outcome = pg.T("import.run.done", args)
			if run.DryRun {
				rv.Outcome = pg.T("import.run.checked", args)
			}
		}
		v.Runs = append(v.Runs, rv)
	}
	return v, nil
}

// catalogueImportPost checks a file (etape=verifier) or imports it
// (etape=importer, the file kept by its digest or chosen again).
func (s *Server) catalogueImportPost(w http.ResponseWriter, r *http.Request) {
	se, ok := s.importSession(w, r)
	if !ok {
		return
	}
	actor := currentUser(r).Actor
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		s.forbidden(w, r, false)
		return
	}
	pg := s.page(r, "import.page.title")
	name, data, found := s.importUpload(r)
	if !found {
		v, err := s.importView(r, pg, se)
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		v.FileError = pg.T("import.error.no_file")
		v.Errors = []views.FieldMessage{{Field: "fichier", Message: v.FileError}}
		s.render(w, r, http.StatusUnprocessableEntity, views.CatalogueImport(pg, v))
		return
	}
	if r.FormValue("etape") == "importer" {
		s.startImport(w, r, se, actor, name, data)
		return
	}
	rep, err := s.CatalogueAdmin.Import(r.Context(), actor, se.ID, name, bytes.NewReader(data), true, nil)
	if err != nil && !errors.Is(err, catalogue.ErrImportRefused) {
		if errors.Is(err, catalogue.ErrTooLarge) {
			s.requestError(w, r, http.StatusRequestEntityTooLarge, "import.error.too_large")
			return
		}
		s.adminError(w, r, err)
		return
	}
	res := &views.ImportResultView{FileName: name, Digest: rep.Digest}
	for _, p := range rep.Problems {
		row := ""
		if p.Row > 0 {
			row = strconv.Itoa(p.Row)
		}
		res.Problems = append(res.Problems, views.ImportProblemView{Sheet: p.Sheet, Row: row, Column: p.Column, Message: pg.P.WordKeyed(p)})
	}
	if len(rep.Problems) == 0 {
		for _, c := range []struct {
			key string
			n   int
		}{{"import.count.created", rep.Created}, {"import.count.updated", rep.Updated}, {"import.count.unchanged", rep.Unchanged},
			{"import.count.establishments", rep.EstablishmentsCreated + rep.EstablishmentsUpdated},
			{"import.count.rooms", rep.RoomsCreated + rep.RoomsUpdated},
			{"import.count.formations", rep.FormationsCreated + rep.FormationsUpdated}} {
			res.Counts = append(res.Counts, pg.T(c.key, map[string]any{"Count": c.n}))
		}
		if err := os.MkdirAll(keptImports, 0o700); err == nil {
			res.Kept = os.WriteFile(filepath.Join(keptImports, rep.Digest), data, 0o600) == nil
		}
	}
	v, err := s.importView(r, pg, se)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	v.Checked = res
	status := http.StatusOK
	if len(res.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, views.CatalogueImport(pg, v))
}

// importUpload is the file of the form: the one uploaded, or the one kept
// under the digest the "Importer" form sends back.
func (s *Server) importUpload(r *http.Request) (string, []byte, bool) {
	if r.MultipartForm != nil {
		if files := r.MultipartForm.File["fichier"]; len(files) > 0 && files[0].Size > 0 {
			f, err := files[0].Open()
			if err == nil {
				defer f.Close()
				data, err := io.ReadAll(io.LimitReader(f, catalogue.MaxImportBytes+1))
				if err == nil {
					return filepath.Base(files[0].Filename), data, true
				}
			}
		}
	}
	digest := r.FormValue("empreinte")
	if !digestPattern.MatchString(digest) {
		return "", nil, false
	}
	data, err := os.ReadFile(filepath.Join(keptImports, digest))
	if err != nil {
		return "", nil, false
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != digest {
		return "", nil, false
	}
	name := filepath.Base(r.FormValue("nom"))
	if name == "." || name == "/" || name == "" {
		name = "catalogue"
	}
	return name, data, true
}

// startImport runs the import in the background, so that the page can follow
// it, and answers once it has begun (or ended, for a small file). Importing
// the same file twice is harmless: the second finds every row unchanged.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request, se *domain.Session, actor domain.Actor, name string, data []byte) {
	begun := make(chan struct{})
	var once bool
	ctx := context.WithoutCancel(r.Context())
	go func() {
		defer func() {
			if !once {
				close(begun)
			}
		}()
		_, err := s.CatalogueAdmin.Import(ctx, actor, se.ID, name, bytes.NewReader(data), false, func(done, total int) {
			if !once && done > total/2 { // checked: the row is recorded, writing begins
				once = true
				close(begun)
			}
		})
		if err != nil && !errors.Is(err, catalogue.ErrImportRefused) {
			s.Log.Error("catalogue import failed", "session", se.Code, "file", name, "error", err)
		}
	}()
	select {
	case <-begun:
	case <-time.After(5 * time.Second):
	}
	page, _, _ := importPaths(se.ID)
	http.Redirect(w, r, page, http.StatusSeeOther)
}

// catalogueExportXLSX and catalogueExportCSV write the session's catalogue in
// the import's format.
func (s *Server) catalogueExportXLSX(w http.ResponseWriter, r *http.Request) {
	s.catalogueExport(w, r, false)
}

func (s *Server) catalogueExportCSV(w http.ResponseWriter, r *http.Request) {
	s.catalogueExport(w, r, true)
}

func (s *Server) catalogueExport(w http.ResponseWriter, r *http.Request, csv bool) {
	se, ok := s.importSession(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := s.CatalogueAdmin.Export(r.Context(), currentUser(r).Actor, se.ID, csv, &buf); err != nil {
		s.adminError(w, r, err)
		return
	}
	ext, ct := "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if csv {
		ext, ct = "csv", "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+export.Filename("catalogue-"+se.Code, s.Now().In(s.Paris), ext)+`"`)
	w.Write(buf.Bytes())
}
