package catalogue_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

var central = domain.Actor{AccountID: 1, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleCentral}}}

type importFixture struct {
	st      *store.Store
	admin   *catalogue.Admin
	session domain.Session
	other   domain.Session
}

// newImportFixture: one establishment with a classroom and a computer room,
// a general and a computer formation, two overlapping sessions and a trainer.
func newImportFixture(t testing.TB, d *db.DB) importFixture {
	t.Helper()
	ctx := context.Background()
	st := store.New(d)
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, paris) }
	f := importFixture{st: st}
	err := st.InTx(ctx, func(tx *sql.Tx) error {
		e := domain.Establishment{Code: "E-11-PARM", Name: "École Parmentier", Address: "5 rue Parmentier", PostalCode: "75011",
			City: "Paris", District: 11, Rooms: []domain.Room{{Name: "Salle 101"}, {Name: "Salle informatique A", Workstations: 12}}}
		if err := st.InsertEstablishment(ctx, tx, &e); err != nil {
			return err
		}
		for _, fo := range []domain.Formation{
			{Code: "ANG-1", Title: "Anglais débutant", Subject: domain.SubjectLanguages, Level: domain.LevelBeginner,
				Evaluation: domain.EvaluationNone, Kind: domain.KindGeneral, DefaultPriceCents: 30000},
			{Code: "INFO-1", Title: "Bureautique", Subject: domain.SubjectOffice, Level: domain.LevelAll,
				Evaluation: domain.EvaluationNone, Kind: domain.KindComputer, DefaultPriceCents: 25000},
		} {
			if err := st.InsertFormation(ctx, tx, &fo); err != nil {
				return err
			}
		}
		for i, code := range []string{"2026-2027-ANNUEL", "2026-2027-S1"} {
			se := domain.Session{Code: code, Name: code, Kind: domain.SessionAnnual, FirstDay: time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC),
				LastDay: time.Date(2027, 6, 19, 0, 0, 0, 0, time.UTC), CandidatureOpens: at(2026, 6, 1),
				CandidatureCloses: domain.DeadlineOn(2026, time.September, 6), AnswerOpens: at(2026, 9, 14),
				AnswerCloses: domain.DeadlineOn(2026, time.September, 25)}
			if err := st.InsertSession(ctx, tx, &se); err != nil {
				return err
			}
			if i == 0 {
				f.session = se
			} else {
				f.other = se
			}
		}
		return st.InsertAccount(ctx, tx, &domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive,
			Email: "formateur@ville.fr", FirstName: "Nadia", LastName: "Benali"})
	})
	if err != nil {
		t.Fatal(err)
	}
	f.admin = catalogue.NewAdmin(catalogue.AdminDeps{Store: st, Now: time.Now})
	return f
}

const csvHeader = "code;code formation;niveau;code établissement;salle;jour;début;fin;capacité;tarif (€);formateur (courriel);formateur (nom);distanciel\r\n"

func cleanCSV() string {
	return "\ufeff" + csvHeader +
		"C-1;ANG-1;débutant;E-11-PARM;Salle 101;lundi;18:00;20:00;22;;formateur@ville.fr;;non\r\n" +
		"C-2;INFO-1;tous niveaux;E-11-PARM;Salle informatique A;mardi;18:30;21:00;12;180,50;;Jean Dupont;oui\r\n"
}

func (f importFixture) run(t *testing.T, file string, body []byte, dry bool) (catalogue.ImportReport, error) {
	t.Helper()
	return f.admin.Import(context.Background(), central, f.session.ID, file, bytes.NewReader(body), dry, nil)
}

func courseCount(t *testing.T, st *store.Store) int {
	t.Helper()
	c, err := st.LoadCatalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(c.Courses)
}

func TestImport_CAT3_dry_run_lists_problems_by_row_and_column(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImportFixture(t, d)
		// A course of the other session, to be claimed by code.
		if _, err := f.run(t, "a.csv", []byte(cleanCSV()), false); err != nil {
			t.Fatal(err)
		}
		body := "\ufeff" + csvHeader +
			"C-3;ANG-9;débutant;E-11-PARM;Salle 101;lundi;18:00;20:00;22;;;;non\r\n" + // unknown formation
			"C-4;ANG-1;débutant;E-99;Salle 101;lundi;18:00;20:00;22;;;;non\r\n" + // unknown establishment
			"C-5;ANG-1;débutant;E-11-PARM;Salle 101;mercredi;20:00;18:00;22;;;;non\r\n" + // ends before it starts
			"C-6;INFO-1;;E-11-PARM;Salle informatique A;jeudi;18:00;20:00;30;;;;non\r\n" + // capacity
			"C-5;ANG-1;débutant;E-11-PARM;Salle 101;vendredi;18:00;20:00;22;;;;non\r\n" + // duplicate code
			"C-7;ANG-1;débutant;E-11-PARM;Salle 101;lundi;19:00;21:00;22;;formateur@ville.fr;;non\r\n" + // trainer in two places
			"C-8;ANG-1;débutant;E-11-PARM;Salle 101;lundi;18:00;20:00;22;;inconnu@ville.fr;;non\r\n" // unknown trainer
		rep, err := f.admin.Import(context.Background(), central, f.other.ID, "b.csv", strings.NewReader(body), true, nil)
		if !errors.Is(err, catalogue.ErrImportRefused) {
			t.Fatalf("err = %v, want refused", err)
		}
		got := map[string]string{}
		for _, p := range rep.Problems {
			got[strconv.Itoa(p.Row)+"/"+p.Column] = p.Key
		}
		for k, v := range map[string]string{"2/code formation": "import.error.unknown_formation",
			"3/code établissement": "import.error.unknown_establishment", "4/fin": "course.error.ends_before_start",
			"5/capacité": "course.error.capacity_computer", "6/code": "import.error.duplicate_code",
			"7/formateur (courriel)": "import.error.trainer_clash", "8/formateur (courriel)": "import.error.unknown_trainer"} {
			if got[k] != v {
				t.Errorf("problem at %s = %q, want %q (all: %+v)", k, got[k], v, rep.Problems)
			}
		}
		// A code of another session is refused.
		rep, err = f.admin.Import(context.Background(), central, f.other.ID, "c.csv", strings.NewReader(cleanCSV()), true, nil)
		if !errors.Is(err, catalogue.ErrImportRefused) || rep.Problems[0].Key != "import.error.code_other_session" || rep.Problems[0].Row != 2 {
			t.Fatalf("other session's code: %v %+v", err, rep.Problems)
		}
		if n := courseCount(t, f.st); n != 2 {
			t.Fatalf("%d courses after refused imports, want the first file's 2", n)
		}
	})
}

func TestImport_CAT3_clean_file_imports_then_reimport_changes_nothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImportFixture(t, d)
		rev0, _ := f.st.CatalogueRevision(context.Background())
		rep, err := f.run(t, "cours.csv", []byte(cleanCSV()), true)
		if err != nil || rep.Created != 2 || courseCount(t, f.st) != 0 {
			t.Fatalf("dry run: %v %+v, %d courses", err, rep, courseCount(t, f.st))
		}
		rep, err = f.run(t, "cours.csv", []byte(cleanCSV()), false)
		if err != nil || rep.Created != 2 || rep.Updated != 0 {
			t.Fatalf("import: %v %+v", err, rep)
		}
		rev1, _ := f.st.CatalogueRevision(context.Background())
		if rev1 != rev0+1 {
			t.Errorf("revision %d → %d, want one bump", rev0, rev1)
		}
		cat, _ := f.st.LoadCatalogue(context.Background())
		for _, c := range cat.Courses {
			switch c.Code {
			case "C-1":
				if c.OwnPrice || c.PriceCents != 30000 || c.ReducedCents != 15000 || c.Trainer != "Nadia Benali" || c.TrainerAccountID == 0 {
					t.Errorf("C-1 = %+v", c)
				}
			case "C-2":
				if !c.OwnPrice || c.PriceCents != 18050 || c.ReducedCents != 9025 || !c.Remote || c.Trainer != "Jean Dupont" {
					t.Errorf("C-2 = %+v", c)
				}
			}
		}
		events, _, _ := f.st.SearchAudit(context.Background(), store.AuditQuery{Action: domain.AuditCourseImported, Limit: 10})
		if len(events) != 2 || events[0].Action != domain.AuditCourseImported {
			t.Errorf("course audit events = %+v", events)
		}
		rep, err = f.run(t, "cours.csv", []byte(cleanCSV()), false)
		if err != nil || rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 2 {
			t.Fatalf("re-import: %v %+v", err, rep)
		}
		// A changed row updates its course by code.
		changed := strings.Replace(cleanCSV(), "lundi;18:00;20:00;22", "lundi;18:00;20:00;24", 1)
		rep, err = f.run(t, "cours.csv", []byte(changed), false)
		if err != nil || rep.Created != 0 || rep.Updated != 1 || rep.Unchanged != 1 {
			t.Fatalf("changed row: %v %+v", err, rep)
		}
		events, _, _ = f.st.SearchAudit(context.Background(), store.AuditQuery{Action: domain.AuditCourseImported, Limit: 1})
		if len(events) != 1 || !strings.Contains(events[0].Details, "capacité : 22 → 24") {
			t.Errorf("update audit = %+v", events)
		}
	})
}

func TestImport_CAT4_capacity_below_enrolled_refused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImportFixture(t, d)
		if _, err := f.run(t, "a.csv", []byte(cleanCSV()), false); err != nil {
			t.Fatal(err)
		}
		if err := f.st.InTx(context.Background(), func(tx *sql.Tx) error {
			return f.st.SetEnrolledByCode(context.Background(), tx, map[string]int{"C-1": 21})
		}); err != nil {
			t.Fatal(err)
		}
		rep, err := f.run(t, "a.csv", []byte(strings.Replace(cleanCSV(), "20:00;22", "20:00;20", 1)), false)
		if !errors.Is(err, catalogue.ErrImportRefused) || len(rep.Problems) != 1 || rep.Problems[0].Key != "course.error.capacity_below_enrolled" ||
			rep.Problems[0].Column != "capacité" {
			t.Fatalf("capacity below enrolled: %v %+v", err, rep.Problems)
		}
	})
}

func TestImport_ROLE5_only_the_central_service_imports(t *testing.T) {
	f := newImportFixture(t, dbtest.SQLite(t))
	for _, g := range []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: 1}, {Role: domain.RoleTrainer}, {Role: domain.RoleHelpDesk}} {
		actor := domain.Actor{AccountID: 2, Kind: domain.AccountStaff, Grants: []domain.Grant{g}}
		if _, err := f.admin.Import(context.Background(), actor, f.session.ID, "a.csv", strings.NewReader(cleanCSV()), false, nil); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("%s: err = %v, want forbidden", g.Role, err)
		}
		if err := f.admin.Export(context.Background(), actor, f.session.ID, true, &bytes.Buffer{}); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("%s export: err = %v", g.Role, err)
		}
	}
	if courseCount(t, f.st) != 0 {
		t.Fatal("a forbidden import wrote courses")
	}
}

func TestImport_CAT3_failure_midway_leaves_nothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImportFixture(t, d)
		// A trigger-free way to fail mid-transaction: the context is
		// cancelled by the progress callback once writing has begun.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var rows []string
		for i := range 1000 {
			rows = append(rows, "X-"+strconv.Itoa(i)+";ANG-1;;E-11-PARM;Salle 101;samedi;09:00;10:00;20;;;;non")
		}
		body := "\ufeff" + csvHeader + strings.Join(rows, "\r\n")
		_, err := f.admin.Import(ctx, central, f.session.ID, "big.csv", strings.NewReader(body), false, func(done, total int) {
			if done > total/2 { // the check is over: writes have started
				cancel()
			}
		})
		if err == nil {
			t.Fatal("import went through a cancelled context")
		}
		if n := courseCount(t, f.st); n != 0 {
			t.Fatalf("%d courses left by a failed import", n)
		}
	})
}

func TestImport_CAT3_export_import_round_trips(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImportFixture(t, d)
		if _, err := f.run(t, "a.csv", []byte(cleanCSV()), false); err != nil {
			t.Fatal(err)
		}
		for _, csv := range []bool{false, true} {
			var buf bytes.Buffer
			if err := f.admin.Export(context.Background(), central, f.session.ID, csv, &buf); err != nil {
				t.Fatal(err)
			}
			rep, err := f.run(t, "export", buf.Bytes(), false)
			if err != nil || rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 2 || rep.EstablishmentsUpdated != 0 || rep.FormationsUpdated != 0 {
				t.Fatalf("csv=%v: re-import of the export: %v %+v", csv, err, rep)
			}
		}
		// Edit the exported workbook: a new course and a changed capacity.
		var buf bytes.Buffer
		if err := f.admin.Export(context.Background(), central, f.session.ID, false, &buf); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		_ = x.SetCellValue("Cours", "I2", 25)
		_ = x.SetSheetRow("Cours", "A4", &[]any{"C-9", "ANG-1", "", "E-11-PARM", "Salle 101", "jeudi", "19:00", "21:00", 20})
		var out bytes.Buffer
		_ = x.Write(&out)
		rep, err := f.run(t, "edited.xlsx", out.Bytes(), false)
		if err != nil || rep.Created != 1 || rep.Updated != 1 || rep.Unchanged != 1 {
			t.Fatalf("edited workbook: %v %+v", err, rep)
		}
	})
}

func TestImport_CAT3_windows1252_csv_is_converted(t *testing.T) {
	f := newImportFixture(t, dbtest.SQLite(t))
	body := strings.ReplaceAll(cleanCSV(), "\ufeff", "")
	body = strings.Replace(body, "Jean Dupont", "Jérôme Lefèvre", 1)
	latin, err := charmap.Windows1252.NewEncoder().String(body)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.run(t, "excel.csv", []byte(latin), false)
	if err != nil || rep.Created != 2 {
		t.Fatalf("windows-1252: %v %+v", err, rep)
	}
	cat, _ := f.st.LoadCatalogue(context.Background())
	found := false
	for _, c := range cat.Courses {
		found = found || c.Trainer == "Jérôme Lefèvre"
	}
	if !found {
		t.Error("the accented name was not converted")
	}
	// UTF-16 and binary are refused clearly.
	for _, bad := range [][]byte{{0xFF, 0xFE, 'c', 0}, {'c', 0, 1, 2, 3}} {
		rep, err := f.run(t, "x.csv", bad, true)
		if !errors.Is(err, catalogue.ErrImportRefused) || len(rep.Problems) == 0 || !strings.HasPrefix(rep.Problems[0].Key, "import.error.") {
			t.Errorf("%q: %v %+v", bad, err, rep.Problems)
		}
	}
}

func TestImport_CAT3_formula_cells_read_as_values(t *testing.T) {
	f := newImportFixture(t, dbtest.SQLite(t))
	x := excelize.NewFile()
	_ = x.SetSheetName("Sheet1", "Cours")
	_ = x.SetSheetRow("Cours", "A1", &[]any{"code", "code formation", "code établissement", "salle", "jour", "début", "fin", "capacité", "tarif (€)"})
	_ = x.SetSheetRow("Cours", "A2", &[]any{"C-1", "ANG-1", "E-11-PARM", "Salle 101", "lundi", "18:00", "20:00"})
	_ = x.SetCellFormula("Cours", "H2", "10+12")
	_ = x.SetCellFormula("Cours", "I2", "100*2.5")
	var buf bytes.Buffer
	_ = x.Write(&buf)
	rep, err := f.run(t, "formules.xlsx", buf.Bytes(), false)
	if err != nil || rep.Created != 1 {
		t.Fatalf("formulas: %v %+v", err, rep)
	}
	cat, _ := f.st.LoadCatalogue(context.Background())
	if c := cat.Courses[0]; c.Capacity != 22 || c.PriceCents != 25000 {
		t.Fatalf("course = capacity %d price %d, want 22 and 25000", c.Capacity, c.PriceCents)
	}
}

func TestImport_CAT3_file_over_50MB_refused(t *testing.T) {
	f := newImportFixture(t, dbtest.SQLite(t))
	big := bytes.NewReader(make([]byte, catalogue.MaxImportBytes+1))
	_, err := f.admin.Import(context.Background(), central, f.session.ID, "big.csv", big, true, nil)
	if !errors.Is(err, catalogue.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

// FuzzImportReader: no file makes the reader panic; seeds in testdata/fuzz.
func FuzzImportReader(f *testing.F) {
	f.Add([]byte(cleanCSV()))
	f.Add([]byte("code;jour\r\n\"x;lundi"))
	if seed, err := os.ReadFile("testdata/import-seed.xlsx"); err == nil {
		f.Add(seed)
	}
	fx := newImportFixture(f, dbtest.SQLite(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = fx.admin.Import(context.Background(), central, fx.session.ID, "fuzz", bytes.NewReader(data), true, nil)
	})
}
