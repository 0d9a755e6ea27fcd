package catalogue

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"cma/internal/domain"
	"cma/internal/store"
)

// The import of a session's catalogue from a spreadsheet (CAT-3, CAT-4,
// ROLE-5): the file is read, every problem is listed by sheet, row and column
// as a message key, and nothing is written until the file is clean; then one
// transaction creates the new courses, updates the changed ones by code,
// leaves the identical ones alone, audits each, and bumps the catalogue
// revision once so that every instance reloads.

// Problem is one thing wrong in an import file, where it is: the sheet, the
// row (1 is the header row) and the column (its export header), as a message
// key with its arguments; web and the command line word it in French.
type Problem struct {
	Sheet  string         `json:"sheet"`
	Row    int            `json:"row"`
	Column string         `json:"column"`
	Key    string         `json:"key"`
	Args   map[string]any `json:"args,omitempty"`
}

// MessageKey and MessageArgs let i18n word a problem.
func (p Problem) MessageKey() string          { return p.Key }
func (p Problem) MessageArgs() map[string]any { return p.Args }

// ImportReport is what an import (or its dry run) found and did.
type ImportReport struct {
	ImportID                    int64
	DryRun                      bool
	FileName, Digest            string
	Rows                        int // course rows read
	Created, Updated, Unchanged int // courses
	// The other sheets: establishments, rooms and formations created and updated.
	EstablishmentsCreated, EstablishmentsUpdated int
	RoomsCreated, RoomsUpdated                   int
	FormationsCreated, FormationsUpdated         int
	Problems                                     []Problem
}

// ErrImportRefused is returned with a report whose Problems say why nothing
// was imported.
var ErrImportRefused = errors.New("catalogue import: the file has problems, nothing was imported")

// Import reads a session's catalogue file (XLSX or CSV) and, unless dryRun,
// imports it in one transaction once it is clean (ROLE-5 only). progress, when
// given, is called as rows are checked and then written: done out of total,
// which counts each row twice for an import (checked, written), once for a
// dry run. A refused file returns
// ErrImportRefused and the report listing every problem.
func (a *Admin) Import(ctx context.Context, actor domain.Actor, sessionID int64, fileName string, r io.Reader,
	dryRun bool, progress func(done, total int)) (ImportReport, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return ImportReport{}, ErrForbidden
	}
	return a.importFile(ctx, actor.AccountID, sessionID, fileName, r, dryRun, progress)
}

// ImportAsPlatform is Import by the platform itself: the command line run on
// the server (`cma catalogue import`) and the demo loader. Its audit events
// name no actor.
func (a *Admin) ImportAsPlatform(ctx context.Context, sessionID int64, fileName string, r io.Reader, dryRun bool,
	progress func(done, total int)) (ImportReport, error) {
	return a.importFile(ctx, 0, sessionID, fileName, r, dryRun, progress)
}

// progressEvery is how often the progress is recorded for the back office.
const progressEvery = 500

func (a *Admin) importFile(ctx context.Context, actorID, sessionID int64, fileName string, r io.Reader, dryRun bool,
	progress func(done, total int)) (ImportReport, error) {
	rep := ImportReport{DryRun: dryRun, FileName: fileName}
	data, err := readImportFile(r)
	if err != nil {
		return rep, err
	}
	sum := sha256.Sum256(data)
	rep.Digest = hex.EncodeToString(sum[:])
	cat, err := a.store.LoadCatalogue(ctx)
	if err != nil {
		return rep, err
	}
	session, ok := sessionByID(cat, sessionID)
	if !ok {
		return rep, ErrNotFound
	}
	wb, problems, perr := a.parseOnce(rep.Digest, data)
	total := 0
	if wb != nil && wb.courses != nil {
		total = len(wb.courses.rows)
	}
	rep.Rows = total
	rec := store.CatalogueImport{SessionID: sessionID, FileName: fileName, FileDigest: rep.Digest, DryRun: dryRun,
		RowsTotal: total, StartedBy: actorID, StartedAt: a.now()}
	if rec.ID, err = a.store.StartCatalogueImport(ctx, rec); err != nil {
		return rep, err
	}
	rep.ImportID = rec.ID
	finish := func(status string, report ImportReport) {
		rec.Status, rec.RowsDone, rec.FinishedAt = status, report.Rows, a.now()
		rec.Created, rec.Updated, rec.Unchanged = report.Created, report.Updated, report.Unchanged
		js, _ := json.Marshal(report.Problems)
		if len(report.Problems) == 0 {
			js = []byte("[]")
		}
		rec.Problems = string(js)
		if err := a.store.FinishCatalogueImport(context.WithoutCancel(ctx), rec); err != nil {
			a.log.Warn("record catalogue import outcome", "import", rec.ID, "error", err)
		}
	}
	if perr != nil {
		rep.Problems = problems
		finish(store.ImportRefused, rep)
		return rep, ErrImportRefused
	}
	staff, err := a.store.StaffByEmails(ctx, nil)
	if err != nil {
		finish(store.ImportFailed, rep)
		return rep, err
	}
	// The dry run: check every row against the catalogue as it is, with
	// progress recorded for every instance's back office.
	grand := total // the check, then for an import the writing: done goes up to twice the rows
	if !dryRun {
		grand = 2 * total
	}
	checked := func(done int) {
		if progress != nil {
			progress(done, grand)
		}
		if done%progressEvery == 0 || done == total {
			_ = a.store.CatalogueImportProgress(ctx, rec.ID, done)
		}
	}
	if dryRun || len(problems) > 0 {
		pl := newPlan(cat, staff, session, wb)
		pl.problems = append(problems, pl.problems...)
		pl.check(checked)
		pl.counts(&rep)
		if len(pl.problems) > 0 {
			rep.Problems = pl.problems
			finish(store.ImportRefused, rep)
			return rep, ErrImportRefused
		}
		finish(store.ImportDone, rep)
		return rep, nil
	}
	// The import: one transaction that checks the file against what it
	// reads, then writes. Its progress is recorded on PostgreSQL, whose other
	// connections write beside the transaction; SQLite has one writer.
	written := 0
	wrote := func(n int) {
		written += n
		if progress != nil {
			progress(total+written, grand)
		}
	}
	var pl *plan
	err = a.store.InTx(ctx, func(tx *sql.Tx) error {
		cat, err := a.store.LoadCatalogueTx(ctx, tx)
		if err != nil {
			return err
		}
		staff, err := a.store.StaffByEmails(ctx, tx)
		if err != nil {
			return err
		}
		session, _ := sessionByID(cat, sessionID)
		pl = newPlan(cat, staff, session, wb)
		if a.store.SerializesWrites() {
			pl.check(func(done int) {
				if progress != nil {
					progress(done, grand)
				}
			})
		} else {
			pl.check(checked)
		}
		if len(pl.problems) > 0 {
			return ErrImportRefused
		}
		pl.counts(&rep)
		return a.write(ctx, tx, pl, actorID, fileName, rep, wrote)
	})
	if err != nil {
		if errors.Is(err, ErrImportRefused) {
			rep.Problems = pl.problems
			finish(store.ImportRefused, rep)
			return rep, err
		}
		finish(store.ImportFailed, rep)
		return rep, err
	}
	if a.catalogue != nil {
		a.catalogue.Invalidate()
	}
	finish(store.ImportDone, rep)
	return rep, nil
}

func sessionByID(cat *store.Catalogue, id int64) (domain.Session, bool) {
	for _, s := range cat.Sessions {
		if s.ID == id {
			return s, true
		}
	}
	return domain.Session{}, false
}

// write applies a clean plan in the caller's transaction.
func (a *Admin) write(ctx context.Context, tx *sql.Tx, pl *plan, actorID int64, fileName string, rep ImportReport, wrote func(int)) error {
	at := a.now()
	var events []domain.AuditEvent
	add := func(e domain.AuditEvent) {
		e.At, e.ActorID, e.Reason = at, actorID, fileName
		events = append(events, e)
	}
	for _, code := range pl.estOrder {
		e := pl.ests[code]
		switch {
		case e.isNew:
			if err := a.store.ImportInsertEstablishment(ctx, tx, &e.e); err != nil {
				return err
			}
			add(domain.AuditEvent{Action: domain.AuditEstablishmentImported, ObjectKind: domain.AuditObjectEstablishment, ObjectID: e.e.ID, Details: Changes(nil, e.fields())})
		case e.changed:
			if err := a.store.ImportUpdateEstablishment(ctx, tx, e.e); err != nil {
				return err
			}
			add(domain.AuditEvent{Action: domain.AuditEstablishmentImported, ObjectKind: domain.AuditObjectEstablishment, ObjectID: e.e.ID, Details: Changes(e.before, e.fields())})
		}
	}
	for _, key := range pl.roomOrder {
		rp := pl.rooms[key]
		rp.r.EstablishmentID = pl.ests[rp.estCode].e.ID
		switch {
		case rp.isNew:
			if err := a.store.ImportInsertRoom(ctx, tx, &rp.r); err != nil {
				return err
			}
			add(domain.AuditEvent{Action: domain.AuditEstablishmentImported, ObjectKind: domain.AuditObjectEstablishment, ObjectID: rp.r.EstablishmentID, Details: "salle " + rp.r.Name + " : postes : " + strconv.Itoa(rp.r.Workstations)})
		case rp.changed:
			if err := a.store.ImportUpdateRoom(ctx, tx, rp.r); err != nil {
				return err
			}
			add(domain.AuditEvent{Action: domain.AuditEstablishmentImported, ObjectKind: domain.AuditObjectEstablishment, ObjectID: rp.r.EstablishmentID, Details: "salle " + rp.r.Name + " : postes : " + strconv.Itoa(rp.before) + " → " + strconv.Itoa(rp.r.Workstations)})
		}
	}
	// Formations: new ones first, then the prerequisites that name them.
	for _, code := range pl.formOrder {
		f := pl.forms[code]
		if f.isNew {
			f.f.PrerequisiteFormationID = 0
			if err := a.store.ImportInsertFormation(ctx, tx, &f.f); err != nil {
				return err
			}
		}
	}
	for _, code := range pl.formOrder {
		f := pl.forms[code]
		if f.prereqCode != "" {
			f.f.PrerequisiteFormationID = pl.forms[f.prereqCode].f.ID
		}
		switch {
		case f.isNew:
			if f.f.PrerequisiteFormationID != 0 {
				if err := a.store.ImportUpdateFormation(ctx, tx, f.f); err != nil {
					return err
				}
			}
			add(domain.AuditEvent{Action: domain.AuditFormationImported, ObjectKind: domain.AuditObjectFormation, ObjectID: f.f.ID, Details: Changes(nil, f.fields())})
		case f.changed:
			if err := a.store.ImportUpdateFormation(ctx, tx, f.f); err != nil {
				return err
			}
			add(domain.AuditEvent{Action: domain.AuditFormationImported, ObjectKind: domain.AuditObjectFormation, ObjectID: f.f.ID, Details: Changes(f.before, f.fields())})
		}
	}
	var inserts []*domain.Course
	var updates []domain.Course
	for _, cp := range pl.courses {
		if !cp.isNew && !cp.changed {
			continue
		}
		cp.c.EstablishmentID = pl.ests[cp.estCode].e.ID
		cp.c.RoomID = pl.rooms[roomKey(cp.estCode, cp.roomName)].r.ID
		cp.c.FormationID = pl.forms[cp.formCode].f.ID
		if cp.isNew {
			inserts = append(inserts, &cp.c)
		} else {
			updates = append(updates, cp.c)
		}
	}
	if err := a.store.ImportInsertCourses(ctx, tx, inserts, wrote); err != nil {
		return err
	}
	if err := a.store.ImportUpdateCourses(ctx, tx, updates, wrote); err != nil {
		return err
	}
	for _, cp := range pl.courses {
		switch {
		case cp.isNew:
			add(domain.AuditEvent{Action: domain.AuditCourseImported, ObjectKind: domain.AuditObjectCourse, ObjectID: cp.c.ID, Details: Changes(nil, cp.after)})
		case cp.changed:
			add(domain.AuditEvent{Action: domain.AuditCourseImported, ObjectKind: domain.AuditObjectCourse, ObjectID: cp.c.ID, Details: Changes(cp.before, cp.after)})
		}
	}
	add(domain.AuditEvent{Action: domain.AuditCatalogueImported, ObjectKind: domain.AuditObjectSession, ObjectID: pl.session.ID, Details: fmt.Sprintf("fichier %s (%s) : %d cours créés, %d modifiés, %d inchangés ; établissements : %d créés, %d modifiés ; formations : %d créées, %d modifiées",
		fileName, rep.Digest[:12], rep.Created, rep.Updated, rep.Unchanged, rep.EstablishmentsCreated, rep.EstablishmentsUpdated,
		rep.FormationsCreated, rep.FormationsUpdated)})
	if err := a.store.RecordAudits(ctx, tx, events); err != nil {
		return err
	}
	wrote(len(pl.courses) - len(inserts) - len(updates))
	return a.store.BumpCatalogueRevision(ctx, tx)
}

// plan is what an import file would do to the catalogue, with its problems.
type plan struct {
	cat      *store.Catalogue
	session  domain.Session
	wb       *workbook
	staff    map[string]store.StaffMember
	staffBy  map[int64]store.StaffMember
	problems []Problem

	ests      map[string]*estPlan
	estOrder  []string
	estByID   map[int64]*estPlan
	rooms     map[string]*roomPlan // by roomKey
	roomOrder []string
	roomByID  map[int64]*roomPlan
	forms     map[string]*formPlan
	formOrder []string
	formByID  map[int64]*formPlan
	courses   []*coursePlan
	existing  map[string]domain.Course // every course by code
	sessions  map[int64]domain.Session
}

type estPlan struct {
	e              domain.Establishment
	isNew, changed bool
	before         Fields
}

type roomPlan struct {
	r              domain.Room
	estCode        string
	isNew, changed bool
	before         int
}

type formPlan struct {
	f              domain.Formation
	prereqCode     string
	isNew, changed bool
	before         Fields
}

type coursePlan struct {
	row                    int
	c                      domain.Course
	estCode, roomName      string
	formCode, trainerEmail string
	isNew, changed         bool
	before, after          Fields
	parsed                 bool // every cell read: checks against the formation and room apply
}

func roomKey(estCode, name string) string { return estCode + "\x00" + fold(name) }

func newPlan(cat *store.Catalogue, staff map[string]store.StaffMember, session domain.Session, wb *workbook) *plan {
	pl := &plan{cat: cat, session: session, wb: wb, staff: staff, staffBy: map[int64]store.StaffMember{},
		ests: map[string]*estPlan{}, estByID: map[int64]*estPlan{}, rooms: map[string]*roomPlan{}, roomByID: map[int64]*roomPlan{},
		forms: map[string]*formPlan{}, formByID: map[int64]*formPlan{}, existing: map[string]domain.Course{},
		sessions: map[int64]domain.Session{}}
	for _, m := range staff {
		pl.staffBy[m.ID] = m
	}
	for _, e := range cat.Establishments {
		ep := &estPlan{e: e}
		ep.before = ep.fields()
		pl.ests[e.Code], pl.estByID[e.ID] = ep, ep
		for _, r := range e.Rooms {
			rp := &roomPlan{r: r, estCode: e.Code, before: r.Workstations}
			pl.rooms[roomKey(e.Code, r.Name)], pl.roomByID[r.ID] = rp, rp
		}
	}
	for _, f := range cat.Formations {
		pl.forms[f.Code] = &formPlan{f: f}
	}
	for _, f := range cat.Formations {
		fp := pl.forms[f.Code]
		for _, o := range cat.Formations {
			if o.ID == f.PrerequisiteFormationID && o.ID != 0 {
				fp.prereqCode = o.Code
			}
		}
		fp.before = fp.fields()
		pl.formByID[f.ID] = fp
	}
	for _, c := range cat.Courses {
		pl.existing[c.Code] = c
	}
	for _, s := range cat.Sessions {
		pl.sessions[s.ID] = s
	}
	return pl
}

func (pl *plan) problem(sheet string, row int, col, key string, args map[string]any) {
	pl.problems = append(pl.problems, Problem{Sheet: sheet, Row: row, Column: col, Key: key, Args: args})
}

// check reads every sheet into the plan, listing every problem.
func (pl *plan) check(progress func(done int)) {
	if pl.wb.establishments != nil {
		pl.checkEstablishments(pl.wb.establishments)
	}
	if pl.wb.rooms != nil {
		pl.checkRooms(pl.wb.rooms)
	}
	if pl.wb.formations != nil {
		pl.checkFormations(pl.wb.formations)
	}
	if pl.wb.courses != nil {
		pl.checkCourses(pl.wb.courses, progress)
	}
}

func (pl *plan) checkEstablishments(s *sheet) {
	seen := map[string]int{}
	for _, r := range s.rows {
		code := strings.ToUpper(unneutralise(s.cell(r, "code")))
		if !domain.ValidCode(code) {
			pl.problem(s.name, r.n, "code", "import.error.code", nil)
			continue
		}
		if first, dup := seen[code]; dup {
			pl.problem(s.name, r.n, "code", "import.error.duplicate_code", map[string]any{"Row": first})
			continue
		}
		seen[code] = r.n
		e := domain.Establishment{Code: code}
		ep, ok := pl.ests[code]
		if ok {
			e = ep.e
		}
		e.Name, e.Address = unneutralise(s.cell(r, "nom")), unneutralise(s.cell(r, "adresse"))
		e.PostalCode, e.City = s.cell(r, "code postal"), unneutralise(s.cell(r, "ville"))
		for _, col := range []string{"nom", "adresse", "code postal", "ville"} {
			if s.cell(r, col) == "" {
				pl.problem(s.name, r.n, col, "import.error.required", nil)
			}
		}
		district, okd := parseInt(s.cell(r, "arrondissement"))
		if !okd || district < 0 || district > 99 {
			pl.problem(s.name, r.n, "arrondissement", "import.error.number", nil)
		}
		e.District = district
		if !ok {
			ep = &estPlan{isNew: true}
			pl.ests[code] = ep
		}
		ep.e = e
		if !ep.isNew {
			ep.changed = Changes(ep.before, ep.fields()) != ""
		}
		if ep.isNew || ep.changed {
			pl.estOrder = append(pl.estOrder, code)
		}
	}
}

func (pl *plan) checkRooms(s *sheet) {
	seen := map[string]int{}
	for _, r := range s.rows {
		estCode := strings.ToUpper(s.cell(r, "code établissement"))
		name := unneutralise(s.cell(r, "salle"))
		if _, ok := pl.ests[estCode]; !ok {
			pl.problem(s.name, r.n, "code établissement", "import.error.unknown_establishment", map[string]any{"Code": estCode})
			continue
		}
		if name == "" {
			pl.problem(s.name, r.n, "salle", "import.error.required", nil)
			continue
		}
		key := roomKey(estCode, name)
		if first, dup := seen[key]; dup {
			pl.problem(s.name, r.n, "salle", "import.error.duplicate_room", map[string]any{"Row": first})
			continue
		}
		seen[key] = r.n
		n, ok := parseInt(s.cell(r, "postes"))
		if !ok || n < 0 || n > 500 {
			pl.problem(s.name, r.n, "postes", "import.error.number", nil)
			continue
		}
		rp, exists := pl.rooms[key]
		if !exists {
			rp = &roomPlan{r: domain.Room{Name: name}, estCode: estCode, isNew: true}
			pl.rooms[key] = rp
		}
		rp.r.Workstations = n
		if !rp.isNew {
			rp.changed = rp.before != n
		}
		if rp.isNew || rp.changed {
			pl.roomOrder = append(pl.roomOrder, key)
		}
	}
}

func (pl *plan) checkFormations(s *sheet) {
	seen := map[string]int{}
	type pending struct {
		fp  *formPlan
		row int
	}
	var prereqs []pending
	for _, r := range s.rows {
		code := strings.ToUpper(unneutralise(s.cell(r, "code")))
		if !domain.ValidCode(code) {
			pl.problem(s.name, r.n, "code", "import.error.code", nil)
			continue
		}
		if first, dup := seen[code]; dup {
			pl.problem(s.name, r.n, "code", "import.error.duplicate_code", map[string]any{"Row": first})
			continue
		}
		seen[code] = r.n
		fp, ok := pl.forms[code]
		if !ok {
			fp = &formPlan{f: domain.Formation{Code: code}, isNew: true}
			pl.forms[code] = fp
		}
		f := fp.f
		f.Title = unneutralise(s.cell(r, "intitulé"))
		if f.Title == "" {
			pl.problem(s.name, r.n, "intitulé", "import.error.required", nil)
		}
		var good bool
		if f.Subject, good = wordOf(subjectWords, s.cell(r, "domaine"), extraSubjects); !good {
			pl.problem(s.name, r.n, "domaine", "import.error.word", map[string]any{"Value": s.cell(r, "domaine")})
		}
		if f.Level, good = wordOf(levelWords, s.cell(r, "niveau"), nil); !good {
			pl.problem(s.name, r.n, "niveau", "course.error.level", nil)
		}
		if f.Kind, good = wordOf(kindWords, s.cell(r, "type"), extraKinds); !good {
			pl.problem(s.name, r.n, "type", "import.error.word", map[string]any{"Value": s.cell(r, "type")})
		}
		if f.Evaluation, good = wordOf(evaluationWords, s.cell(r, "évaluation"), nil); !good {
			pl.problem(s.name, r.n, "évaluation", "import.error.word", map[string]any{"Value": s.cell(r, "évaluation")})
		}
		if f.Diploma, good = readYesNo(s.cell(r, "diplôme")); !good {
			pl.problem(s.name, r.n, "diplôme", "import.error.yes_no", nil)
		}
		f.DiplomaName = unneutralise(s.cell(r, "nom du diplôme"))
		if f.DefaultPriceCents, good = parseEuros(s.cell(r, "tarif par défaut (€)")); !good {
			pl.problem(s.name, r.n, "tarif par défaut (€)", "import.error.amount", nil)
		}
		f.Prerequisites = unneutralise(s.cell(r, "prérequis"))
		f.Description = unneutralise(s.cell(r, "description"))
		f.ExamNote = unneutralise(s.cell(r, "note d'examen"))
		fp.f = f
		fp.prereqCode = strings.ToUpper(s.cell(r, "formation prérequise"))
		prereqs = append(prereqs, pending{fp, r.n})
	}
	for _, p := range prereqs {
		if p.fp.prereqCode != "" {
			if _, ok := pl.forms[p.fp.prereqCode]; !ok || p.fp.prereqCode == p.fp.f.Code {
				pl.problem(s.name, p.row, "formation prérequise", "import.error.unknown_formation", map[string]any{"Code": p.fp.prereqCode})
				continue
			}
		}
		if !p.fp.isNew {
			p.fp.changed = Changes(p.fp.before, p.fp.fields()) != ""
		}
		if p.fp.isNew || p.fp.changed {
			pl.formOrder = append(pl.formOrder, p.fp.f.Code)
		}
	}
}

// The course sheet's columns as CheckCourse names its fields.
var courseFieldColumn = map[string]string{"code": "code", "weekday": "jour", "start": "début", "end": "fin",
	"level": "niveau", "price": "tarif (€)", "capacity": "capacité", "room": "salle"}

func (pl *plan) checkCourses(s *sheet, progress func(done int)) {
	seen := map[string]int{}
	for i, r := range s.rows {
		if progress != nil {
			progress(i + 1)
		}
		pl.checkCourse(s, r, seen)
	}
	pl.checkTrainerClashes(s.name)
}

func (pl *plan) checkCourse(s *sheet, r sheetRow, seen map[string]int) {
	bad := func(col, key string, args map[string]any) { pl.problem(s.name, r.n, col, key, args) }
	code := strings.ToUpper(unneutralise(s.cell(r, "code")))
	cp := &coursePlan{row: r.n, parsed: true}
	if first, dup := seen[code]; dup && code != "" {
		// Refused; the row's other cells are still checked.
		bad("code", "import.error.duplicate_code", map[string]any{"Row": first})
	} else {
		seen[code] = r.n
	}
	c := domain.Course{Code: code, SessionID: pl.session.ID, OwnPrice: true}
	old, exists := pl.existing[code]
	if exists && old.SessionID != pl.session.ID {
		// Refused; the row's other cells are still checked.
		bad("code", "import.error.code_other_session", map[string]any{"Session": pl.sessions[old.SessionID].Code})
		exists = false
	}
	if exists {
		c = old
		cp.before = pl.courseFields(old, pl.codesOf(old))
	} else {
		cp.isNew = true
	}
	cp.formCode = strings.ToUpper(s.cell(r, "code formation"))
	fp, okf := pl.forms[cp.formCode]
	if !okf {
		bad("code formation", "import.error.unknown_formation", map[string]any{"Code": cp.formCode})
		cp.parsed = false
	}
	cp.estCode = strings.ToUpper(s.cell(r, "code établissement"))
	_, oke := pl.ests[cp.estCode]
	if !oke {
		bad("code établissement", "import.error.unknown_establishment", map[string]any{"Code": cp.estCode})
		cp.parsed = false
	}
	cp.roomName = unneutralise(s.cell(r, "salle"))
	rp, okr := pl.rooms[roomKey(cp.estCode, cp.roomName)]
	if oke && !okr {
		bad("salle", "import.error.unknown_room", map[string]any{"Room": cp.roomName, "Code": cp.estCode})
		cp.parsed = false
	}
	if okr {
		cp.roomName = rp.r.Name
	}
	if okf {
		c.Level = fp.f.Level
	}
	if v := s.cell(r, "niveau"); v != "" {
		lv, ok := wordOf(levelWords, v, nil)
		if !ok {
			bad("niveau", "course.error.level", nil)
			cp.parsed = false
		}
		c.Level = lv
	}
	slotRead := true
	wd, ok := wordOf(weekdayWords, s.cell(r, "jour"), nil)
	if !ok {
		bad("jour", "course.error.weekday", nil)
		cp.parsed = false
	}
	c.Weekday = wd
	for _, t := range []struct {
		col string
		to  *int
	}{{"début", &c.StartMinute}, {"fin", &c.EndMinute}} {
		m, ok := parseClock(s.cell(r, t.col))
		if !ok {
			bad(t.col, "import.error.time", map[string]any{"Value": s.cell(r, t.col)})
			cp.parsed, slotRead = false, false
		}
		*t.to = m
	}
	capacity, ok := parseInt(s.cell(r, "capacité"))
	if !ok {
		bad("capacité", "import.error.number", nil)
		cp.parsed = false
	}
	c.Capacity = capacity
	if v := s.cell(r, "tarif (€)"); v != "" {
		cents, ok := parseEuros(v)
		if !ok {
			bad("tarif (€)", "import.error.amount", nil)
			cp.parsed = false
		}
		c.PriceCents, c.OwnPrice = cents, true
	} else {
		c.OwnPrice = false
		if okf {
			c.PriceCents = fp.f.DefaultPriceCents
		}
	}
	c.ReducedCents = domain.HalfTariff(c.PriceCents)
	cp.trainerEmail = strings.ToLower(s.cell(r, "formateur (courriel)"))
	c.TrainerAccountID = 0
	var member store.StaffMember
	if cp.trainerEmail != "" {
		m, ok := pl.staff[cp.trainerEmail]
		if !ok {
			bad("formateur (courriel)", "import.error.unknown_trainer", map[string]any{"Email": cp.trainerEmail})
		}
		member = m
		c.TrainerAccountID = m.ID
	}
	switch {
	case s.has("formateur (nom)"):
		c.Trainer = unneutralise(s.cell(r, "formateur (nom)"))
		if c.Trainer == "" && member.ID != 0 {
			c.Trainer = strings.TrimSpace(member.FirstName + " " + member.LastName)
		}
	case member.ID != 0:
		c.Trainer = strings.TrimSpace(member.FirstName + " " + member.LastName)
	case !exists:
		c.Trainer = ""
	}
	remote, ok := readYesNo(s.cell(r, "distanciel"))
	if !ok {
		bad("distanciel", "import.error.yes_no", nil)
	}
	c.Remote = remote
	if s.has("motif du distanciel") {
		c.RemoteReason = unneutralise(s.cell(r, "motif du distanciel"))
	}
	if !cp.parsed && slotRead {
		// The formation or the room is unknown: the slot and the code are
		// still checked, so that every problem of the row is listed.
		for _, fe := range domain.CheckCourse(c, domain.Formation{}, domain.Room{}) {
			if fe.Key == "course.error.ends_before_start" || fe.Field == "code" {
				bad(courseFieldColumn[fe.Field], fe.Key, fe.Args)
			}
		}
	}
	if cp.parsed {
		for _, fe := range domain.CheckCourse(c, fp.f, rp.r) {
			col := courseFieldColumn[fe.Field]
			if col == "" {
				col = fe.Field
			}
			bad(col, fe.Key, fe.Args)
		}
	}
	cp.c = c
	cp.after = pl.courseFields(c, courseCodes{est: cp.estCode, room: cp.roomName, form: cp.formCode, trainer: cp.trainerEmail})
	if !cp.isNew {
		cp.changed = Changes(cp.before, cp.after) != ""
	}
	pl.courses = append(pl.courses, cp)
}

// checkTrainerClashes refuses a trainer booked in two places at once: two
// rows of the file, or a row and a course of an overlapping session that the
// file does not touch (CAT-3).
func (pl *plan) checkTrainerClashes(sheetName string) {
	type booking struct {
		code string
		row  int // 0: a course already in the catalogue
		slot domain.Slot
	}
	inFile := map[string]bool{}
	byTrainer := map[int64][]booking{}
	for _, cp := range pl.courses {
		inFile[cp.c.Code] = true
		if cp.c.TrainerAccountID != 0 && cp.parsed {
			byTrainer[cp.c.TrainerAccountID] = append(byTrainer[cp.c.TrainerAccountID],
				booking{cp.c.Code, cp.row, domain.SlotOfCourse(cp.c, pl.session)})
		}
	}
	if len(byTrainer) == 0 {
		return
	}
	var existing = map[int64][]booking{}
	for _, c := range pl.cat.Courses {
		if c.TrainerAccountID == 0 || c.Archived || inFile[c.Code] || byTrainer[c.TrainerAccountID] == nil {
			continue
		}
		s := pl.sessions[c.SessionID]
		if s.Archived {
			continue
		}
		existing[c.TrainerAccountID] = append(existing[c.TrainerAccountID], booking{c.Code, 0, domain.SlotOfCourse(c, s)})
	}
	for trainer, rows := range byTrainer {
		email := pl.staffBy[trainer].Email
		for j, b := range rows {
			for _, a := range rows[:j] {
				if a.slot.Clashes(b.slot) {
					pl.problem(sheetName, b.row, "formateur (courriel)", "import.error.trainer_clash_row",
						map[string]any{"Email": email, "Code": a.code, "Row": a.row})
					break
				}
			}
			for _, e := range existing[trainer] {
				if e.slot.Clashes(b.slot) {
					pl.problem(sheetName, b.row, "formateur (courriel)", "import.error.trainer_clash",
						map[string]any{"Email": email, "Code": e.code})
					break
				}
			}
		}
	}
}

// counts fills the report's counts from the plan.
func (pl *plan) counts(rep *ImportReport) {
	rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
	for _, cp := range pl.courses {
		switch {
		case cp.isNew:
			rep.Created++
		case cp.changed:
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	rep.EstablishmentsCreated, rep.EstablishmentsUpdated, rep.RoomsCreated, rep.RoomsUpdated = 0, 0, 0, 0
	rep.FormationsCreated, rep.FormationsUpdated = 0, 0
	for _, code := range pl.estOrder {
		if pl.ests[code].isNew {
			rep.EstablishmentsCreated++
		} else {
			rep.EstablishmentsUpdated++
		}
	}
	for _, key := range pl.roomOrder {
		if pl.rooms[key].isNew {
			rep.RoomsCreated++
		} else {
			rep.RoomsUpdated++
		}
	}
	for _, code := range pl.formOrder {
		if pl.forms[code].isNew {
			rep.FormationsCreated++
		} else {
			rep.FormationsUpdated++
		}
	}
}

// courseCodes are the codes a course's row names its references by.
type courseCodes struct{ est, room, form, trainer string }

func (pl *plan) codesOf(c domain.Course) courseCodes {
	var cc courseCodes
	if e := pl.estByID[c.EstablishmentID]; e != nil {
		cc.est = e.e.Code
	}
	if r := pl.roomByID[c.RoomID]; r != nil {
		cc.room = r.r.Name
	}
	if f := pl.formByID[c.FormationID]; f != nil {
		cc.form = f.f.Code
	}
	cc.trainer = strings.ToLower(pl.staffBy[c.TrainerAccountID].Email)
	return cc
}

// courseFields are a course's audited values, as the spreadsheet writes them.
func (pl *plan) courseFields(c domain.Course, cc courseCodes) Fields {
	price := "tarif de la formation (" + euros(c.PriceCents) + ")"
	if c.OwnPrice {
		price = euros(c.PriceCents)
	}
	return Fields{{"code", c.Code}, {"formation", cc.form}, {"niveau", levelWords[c.Level]}, {"établissement", cc.est},
		{"salle", cc.room}, {"jour", weekdayWords[c.Weekday]}, {"début", domain.FormatClock(c.StartMinute)},
		{"fin", domain.FormatClock(c.EndMinute)}, {"capacité", strconv.Itoa(c.Capacity)}, {"tarif", price},
		{"formateur", cc.trainer}, {"nom du formateur", c.Trainer}, {"distanciel", yesNoWord(c.Remote)},
		{"motif du distanciel", c.RemoteReason}}
}

func (e *estPlan) fields() Fields {
	return Fields{{"code", e.e.Code}, {"nom", e.e.Name}, {"adresse", e.e.Address}, {"code postal", e.e.PostalCode},
		{"ville", e.e.City}, {"arrondissement", strconv.Itoa(e.e.District)}}
}

func (f *formPlan) fields() Fields {
	return Fields{{"code", f.f.Code}, {"intitulé", f.f.Title}, {"domaine", subjectWords[f.f.Subject]},
		{"niveau", levelWords[f.f.Level]}, {"type", kindWords[f.f.Kind]}, {"évaluation", evaluationWords[f.f.Evaluation]},
		{"diplôme", yesNoWord(f.f.Diploma)}, {"nom du diplôme", f.f.DiplomaName}, {"tarif par défaut", euros(f.f.DefaultPriceCents)},
		{"formation prérequise", f.prereqCode}, {"prérequis", f.f.Prerequisites}, {"description", f.f.Description},
		{"note d'examen", f.f.ExamNote}}
}

// ImportRun is one import of a session's catalogue (or its dry run) as the
// back office of every instance shows it: its progress while it runs, then
// its outcome.
type ImportRun struct {
	ID                          int64
	FileName                    string
	DryRun                      bool
	Status                      string // running, done, refused, failed
	RowsTotal, RowsDone         int
	Created, Updated, Unchanged int
	Problems                    []Problem
	StartedAt, FinishedAt       time.Time
}

// The statuses of an ImportRun.
const (
	ImportRunning = store.ImportRunning
	ImportDone    = store.ImportDone
	ImportRefused = store.ImportRefused
	ImportFailed  = store.ImportFailed
)

// Imports lists a session's latest imports with their progress, newest
// first (ROLE-5).
func (a *Admin) Imports(ctx context.Context, actor domain.Actor, sessionID int64, limit int) ([]ImportRun, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return nil, ErrForbidden
	}
	list, err := a.store.CatalogueImports(ctx, sessionID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ImportRun, len(list))
	for i, im := range list {
		run := ImportRun{ID: im.ID, FileName: im.FileName, DryRun: im.DryRun, Status: im.Status, RowsTotal: im.RowsTotal,
			RowsDone: im.RowsDone, Created: im.Created, Updated: im.Updated, Unchanged: im.Unchanged,
			StartedAt: im.StartedAt, FinishedAt: im.FinishedAt}
		_ = json.Unmarshal([]byte(im.Problems), &run.Problems)
		out[i] = run
	}
	return out, nil
}

// parseOnce parses a file, or hands back what the last parse of the same
// file (same digest) found: the parsed workbook is only read afterwards.
func (a *Admin) parseOnce(digest string, data []byte) (*workbook, []Problem, error) {
	p := &a.lastParsed
	p.Lock()
	defer p.Unlock()
	if p.digest != digest {
		p.wb, p.problems, p.err = parseWorkbook(data)
		p.digest = digest
	}
	return p.wb, slices.Clone(p.problems), p.err
}
