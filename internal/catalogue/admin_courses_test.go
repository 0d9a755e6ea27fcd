package catalogue_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/store"
)

// courseWorld is a small catalogue for the course administration's tests:
// two establishments with a classroom, a computer room and a workshop, a
// general, a computer and a technical formation, one session and staff of
// every role.
type courseWorld struct {
	d                                *db.DB
	st                               *store.Store
	admin                            *catalogue.Admin
	now                              time.Time
	est, other                       domain.Establishment
	classroom, lab, bigLab, workshop domain.Room
	otherRoom                        domain.Room
	general, computer, technical     domain.Formation
	session                          domain.Session
	central, director, coordinator   domain.Actor
	trainer, guidance, helpdesk      domain.Actor
	trainerA, trainerB               domain.Account
}

func newCourseWorld(t *testing.T, d *db.DB) *courseWorld {
	t.Helper()
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	w := &courseWorld{d: d, st: store.New(d), now: time.Date(2026, 11, 20, 10, 0, 0, 0, paris)}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.NewService(w.st, words, "C", 0, func() time.Time { return w.now })
	w.admin = catalogue.NewAdmin(catalogue.AdminDeps{Store: w.st, Catalogue: cat, Words: words,
		Now: func() time.Time { return w.now }, Paris: paris})
	err = w.st.InTx(ctx, func(tx *sql.Tx) error {
		w.est = domain.Establishment{Code: "E-11-PARMENTIER", Name: "École Parmentier", Address: "1 rue Parmentier",
			PostalCode: "75011", City: "Paris", District: 11, Rooms: []domain.Room{{Name: "Salle 1"}, {Name: "Salle info", Workstations: 12},
				{Name: "Grande salle info", Workstations: 20}, {Name: "Atelier", Workstations: 8}}}
		w.other = domain.Establishment{Code: "E-20-PYRENEES", Name: "Collège Pyrénées", Address: "2 rue des Pyrénées",
			PostalCode: "75020", City: "Paris", District: 20, Rooms: []domain.Room{{Name: "Salle A"}}}
		for _, e := range []*domain.Establishment{&w.est, &w.other} {
			if err := w.st.InsertEstablishment(ctx, tx, e); err != nil {
				return err
			}
		}
		w.classroom, w.lab, w.bigLab, w.workshop, w.otherRoom = w.est.Rooms[0], w.est.Rooms[1], w.est.Rooms[2], w.est.Rooms[3], w.other.Rooms[0]
		w.general = domain.Formation{Code: "ANG", Title: "Anglais", Subject: domain.SubjectLanguages, Level: domain.LevelBeginner,
			Evaluation: domain.EvaluationNone, Kind: domain.KindGeneral, DefaultPriceCents: 18051}
		w.computer = domain.Formation{Code: "EXCEL", Title: "Excel", Subject: domain.SubjectOffice, Level: domain.LevelAll,
			Evaluation: domain.EvaluationNone, Kind: domain.KindComputer, DefaultPriceCents: 12000}
		w.technical = domain.Formation{Code: "CAP-EBE", Title: "CAP Ébéniste", Subject: domain.SubjectDiploma, Level: domain.LevelAll,
			Evaluation: domain.EvaluationInterview, Kind: domain.KindTechnical, Diploma: true, DiplomaName: "CAP", DefaultPriceCents: 30000}
		for _, f := range []*domain.Formation{&w.general, &w.computer, &w.technical} {
			if err := w.st.InsertFormation(ctx, tx, f); err != nil {
				return err
			}
		}
		w.session = domain.Session{Code: "2026-2027-S2", Name: "2e semestre 2026-2027", Kind: domain.SessionSemester2,
			Status: domain.SessionPublished}
		domain.SessionDates{FirstDay: courseDay(2027, 1, 11), LastDay: courseDay(2027, 6, 30),
			CandidatureOpens: courseDay(2026, 12, 1), CandidatureCloses: courseDay(2026, 12, 20),
			AnswerOpens: courseDay(2027, 1, 2), AnswerCloses: courseDay(2027, 1, 8)}.Apply(&w.session)
		if err := w.st.InsertSession(ctx, tx, &w.session); err != nil {
			return err
		}
		staff := func(first, last string, g *domain.Grant) (domain.Account, domain.Actor, error) {
			a := domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive, FirstName: first, LastName: last,
				Email: strings.ToLower(first) + "@paris.example", CreatedAt: w.now}
			if err := w.st.InsertAccount(ctx, tx, &a); err != nil {
				return a, domain.Actor{}, err
			}
			actor := domain.Actor{AccountID: a.ID, Kind: domain.AccountStaff}
			if g != nil {
				if err := w.st.InsertGrant(ctx, tx, a.ID, *g); err != nil {
					return a, actor, err
				}
				actor.Grants = []domain.Grant{*g}
			}
			return a, actor, nil
		}
		var err error
		grants := []struct {
			first string
			g     domain.Grant
			to    *domain.Actor
		}{
			{"Claire", domain.Grant{Role: domain.RoleCentral}, &w.central},
			{"Diane", domain.Grant{Role: domain.RoleDirector, EstablishmentID: w.est.ID}, &w.director},
			{"Colette", domain.Grant{Role: domain.RoleCoordinator, FormationID: w.general.ID}, &w.coordinator},
			{"Gaston", domain.Grant{Role: domain.RoleGuidance}, &w.guidance},
			{"Hugo", domain.Grant{Role: domain.RoleHelpDesk}, &w.helpdesk},
		}
		for _, g := range grants {
			if _, *g.to, err = staff(g.first, "Martin", &g.g); err != nil {
				return err
			}
		}
		if w.trainerA, _, err = staff("Théo", "Durand", nil); err != nil {
			return err
		}
		w.trainerB, _, err = staff("Inès", "Petit", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func courseDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// in is a valid general course in the classroom, Monday 18:30–20:30.
func (w *courseWorld) in(code string) catalogue.CourseInput {
	return catalogue.CourseInput{Code: code, FormationID: w.general.ID, EstablishmentID: w.est.ID, RoomID: w.classroom.ID,
		Weekday: time.Monday, StartMinute: 18*60 + 30, EndMinute: 20*60 + 30}
}

func (w *courseWorld) create(t *testing.T, in catalogue.CourseInput) catalogue.AdminCourse {
	t.Helper()
	id, err := w.admin.CreateCourse(context.Background(), w.central, w.session.ID, in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Code, err)
	}
	c, err := w.admin.CourseForStaff(context.Background(), w.central, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantField checks err is a field error on field with key.
func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	var fe domain.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want %s on %s, got %v", key, field, err)
	}
	for _, e := range fe {
		if e.Field == field && e.Key == key {
			return
		}
	}
	t.Fatalf("want %s on %s, got %v", key, field, fe)
}

func TestCourseAdmin_CAT3_tariff_own_or_formation_half_rounded_down(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newCourseWorld(t, d)
		ctx := context.Background()
		rev, _ := w.st.CatalogueRevision(ctx)
		c := w.create(t, w.in("ANG-1"))
		if c.OwnPrice || c.PriceCents != 18051 || c.ReducedCents != 9025 {
			t.Fatalf("formation's tariff: own %v, %d / %d cents, want 18051 / 9025", c.OwnPrice, c.PriceCents, c.ReducedCents)
		}
		if c.Level != domain.LevelBeginner {
			t.Errorf("level %q, want the formation's", c.Level)
		}
		if now, _ := w.st.CatalogueRevision(ctx); now <= rev {
			t.Errorf("catalogue revision %d not bumped from %d", now, rev)
		}
		in := w.in("ANG-1")
		in.OwnPrice, in.PriceCents = true, 20001
		if err := w.admin.UpdateCourse(ctx, w.central, c.ID, in); err != nil {
			t.Fatal(err)
		}
		c, _ = w.admin.CourseForStaff(ctx, w.central, c.ID)
		if !c.OwnPrice || c.PriceCents != 20001 || c.ReducedCents != 10000 {
			t.Fatalf("own tariff: own %v, %d / %d cents, want 20001 / 10000", c.OwnPrice, c.PriceCents, c.ReducedCents)
		}
		events, err := w.admin.Audit(ctx, domain.AuditObjectCourse, c.ID, 10)
		if err != nil || len(events) != 2 || events[0].Action != domain.AuditCourseChanged || events[1].Action != domain.AuditCourseCreated {
			t.Fatalf("audit trail: %+v, %v", events, err)
		}
		if !strings.Contains(events[0].Details, "tarif : 180,51") || !strings.Contains(events[0].Details, "200,01") ||
			!strings.Contains(events[0].Details, "demi-tarif : 90,25") {
			t.Errorf("changed details %q: want the tariff before and after", events[0].Details)
		}
		// Back to the formation's tariff.
		if err := w.admin.UpdateCourse(ctx, w.central, c.ID, w.in("ANG-1")); err != nil {
			t.Fatal(err)
		}
		if c, _ = w.admin.CourseForStaff(ctx, w.central, c.ID); c.OwnPrice || c.PriceCents != 18051 {
			t.Errorf("back to the formation's tariff: %v %d", c.OwnPrice, c.PriceCents)
		}
	})
	for s, want := range map[string]int64{"180": 18000, "180,50": 18050, "180,5": 18050, "180.50": 18050, " 180,50 € ": 18050, "0": 0} {
		if got, ok := catalogue.ParseTariff(s); !ok || got != want {
			t.Errorf("ParseTariff(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "1 80", "-5", "+5", "180,505", "180,", ",5", "abc", "1e3", "180,50,1", "99999999"} {
		if got, ok := catalogue.ParseTariff(s); ok {
			t.Errorf("ParseTariff(%q) = %d: want refused", s, got)
		}
	}
}

func TestCourseAdmin_CAT4_capacity_bounds_defaults_and_enrolled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newCourseWorld(t, d)
		ctx := context.Background()
		type tc struct {
			name      string
			formation domain.Formation
			room      domain.Room
			capacity  int
			want      int    // the capacity stored
			key       string // or the error
		}
		for i, c := range []tc{
			{"general default", w.general, w.classroom, 0, 25, ""},
			{"general 20", w.general, w.classroom, 20, 20, ""},
			{"general 25", w.general, w.classroom, 25, 25, ""},
			{"general 26", w.general, w.classroom, 26, 0, "course.error.capacity_general"},
			{"computer default one per workstation", w.computer, w.lab, 0, 12, ""},
			{"computer 13 in 12 workstations", w.computer, w.lab, 13, 0, "course.error.capacity_workstations"},
			{"computer default 15 in a big room", w.computer, w.bigLab, 0, 15, ""},
			{"computer 16", w.computer, w.bigLab, 16, 0, "course.error.capacity_computer"},
			{"technical default workstations", w.technical, w.workshop, 0, 8, ""},
			{"technical 9 in 8 workstations", w.technical, w.workshop, 9, 0, "course.error.capacity_workstations"},
			{"negative", w.general, w.classroom, -1, 0, "course.error.capacity_positive"},
		} {
			in := w.in("CAP-" + string(rune('A'+i)))
			in.FormationID, in.RoomID, in.Capacity = c.formation.ID, c.room.ID, c.capacity
			in.Weekday = time.Weekday(i % 7) // no room clash between cases
			in.StartMinute, in.EndMinute = 8*60+i*60, 8*60+i*60+45
			id, err := w.admin.CreateCourse(ctx, w.central, w.session.ID, in)
			if c.key != "" {
				wantField(t, err, "capacity", c.key)
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got, _ := w.admin.CourseForStaff(ctx, w.central, id)
			if got.Capacity != c.want {
				t.Errorf("%s: capacity %d, want %d", c.name, got.Capacity, c.want)
			}
			if key, args := catalogue.CapacityRule(c.formation.Kind, c.room); c.capacity == 0 && args["Default"] != c.want ||
				!strings.HasSuffix(key, "."+string(c.formation.Kind)) {
				t.Errorf("%s: the rule shown is %s %v", c.name, key, args)
			}
		}
		// A course cannot shrink below its enrolled learners.
		c := w.create(t, w.in("ANG-ENR"))
		if _, err := d.W.ExecContext(ctx, `UPDATE courses SET enrolled = 22 WHERE id = $1`, c.ID); err != nil {
			t.Fatal(err)
		}
		in := w.in("ANG-ENR")
		in.Capacity = 21
		wantField(t, w.admin.UpdateCourse(ctx, w.central, c.ID, in), "capacity", "course.error.capacity_below_enrolled")
		in.Capacity = 22
		if err := w.admin.UpdateCourse(ctx, w.central, c.ID, in); err != nil {
			t.Fatalf("capacity equal to the enrolled: %v", err)
		}
	})
}

func TestCourseAdmin_CAT3_trainer_and_room_clash_refused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newCourseWorld(t, d)
		ctx := context.Background()
		first := w.in("ANG-1")
		first.TrainerAccountID = w.trainerA.ID
		c := w.create(t, first)
		if c.Trainer != w.trainerA.FullName() || c.TrainerAccountID != w.trainerA.ID {
			t.Fatalf("trainer %q (%d)", c.Trainer, c.TrainerAccountID)
		}
		acc, _ := w.st.Account(ctx, w.trainerA.ID)
		if !domain.Can(domain.Actor{AccountID: acc.ID, Kind: acc.Kind, Grants: acc.Grants}, domain.ActViewCourse, domain.Resource{CourseID: c.ID}) {
			t.Errorf("ROLE-2: the trainer named has no grant on the course: %+v", acc.Grants)
		}
		// The same trainer elsewhere at an overlapping time.
		same := w.in("ANG-2")
		same.RoomID, same.StartMinute, same.EndMinute, same.TrainerAccountID = w.lab.ID, 19*60, 21*60, w.trainerA.ID
		_, err := w.admin.CreateCourse(ctx, w.central, w.session.ID, same)
		wantField(t, err, "trainer", "course.error.trainer_clash")
		// The same room at an overlapping time, another trainer.
		room := w.in("ANG-3")
		room.StartMinute, room.EndMinute, room.TrainerAccountID = 20*60, 22*60, w.trainerB.ID
		room.Capacity = 30 // said at once with the clash
		_, err = w.admin.CreateCourse(ctx, w.central, w.session.ID, room)
		wantField(t, err, "room", "course.error.room_clash")
		wantField(t, err, "capacity", "course.error.capacity_general")
		room.Capacity = 0
		// Back to back is no clash; nor another day.
		room.StartMinute = 20*60 + 30
		w.create(t, room)
		same.Weekday = time.Tuesday
		w.create(t, same)
		// An archived course holds nothing.
		if err := w.admin.ArchiveCourse(ctx, w.central, c.ID, "fermé"); err != nil {
			t.Fatal(err)
		}
		again := w.in("ANG-4")
		again.TrainerAccountID = w.trainerA.ID
		w.create(t, again)
	})
}

func TestCourseAdmin_PER1_archive_refused_with_candidatures_after_opening(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newCourseWorld(t, d)
		ctx := context.Background()
		empty := w.create(t, w.in("ANG-VIDE"))
		held := w.in("ANG-PLEIN")
		held.RoomID = w.bigLab.ID
		full := w.create(t, held)
		// A candidate's submitted candidature for the second course.
		var candidate int64
		err := d.W.QueryRowContext(ctx, `INSERT INTO accounts (kind, status, email, first_name, last_name, identity_key, phone,
			address_line1, address_line2, postal_code, city, country, created_at, session_epoch, password_hash, totp_secret,
			totp_last_step, search_key) VALUES ('candidate', 'active', 'cand@example.org', 'Camille', 'Roux', 'k', '', '', '', '', '',
			'FR', '2026-11-01T00:00:00.000000Z', 0, '', '', 0, 'roux') RETURNING id`).Scan(&candidate)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO internal_rules (version, published_at, body) VALUES ('v1', '2026-01-01T00:00:00.000000Z', 'règlement')`,
			`INSERT INTO validations (key, account_id, created_at) VALUES ('k1', $1, '2026-12-02T00:00:00.000000Z')`,
		} {
			args := []any{}
			if strings.Contains(q, "$1") {
				args = append(args, candidate)
			}
			if _, err := d.W.ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO candidatures (account_id, course_id, formation_id, session_id, status, objective,
			motivation, rsa, job_seeker, subsidised, rules_version, half_tariff_claim, validation_key, created_at)
			VALUES ($1, $2, $3, $4, 'submitted', 'personal', 'envie', $5, $5, $5, 'v1', $5, 'k1', '2026-12-02T00:00:00.000000Z')`,
			candidate, full.ID, w.general.ID, w.session.ID, false); err != nil {
			t.Fatal(err)
		}
		w.now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC) // the candidature period has opened
		wantField(t, w.admin.ArchiveCourse(ctx, w.central, full.ID, "salle fermée"), "reason", "course.error.holds_candidatures")
		var fe domain.FieldErrors
		errors.As(w.admin.ArchiveCourse(ctx, w.central, full.ID, "salle fermée"), &fe)
		if fe[0].Args["Count"] != 1 {
			t.Errorf("the message says how many: %v", fe[0].Args)
		}
		wantField(t, w.admin.ArchiveCourse(ctx, w.central, empty.ID, " "), "reason", "course.error.reason")
		// A course nothing refers to is deleted.
		out, err := w.admin.ArchiveOrDeleteCourse(ctx, w.central, empty.ID, "doublon")
		if err != nil || out != catalogue.CourseDeleted {
			t.Fatalf("empty course: %v, %v", out, err)
		}
		if _, err := w.admin.CourseForStaff(ctx, w.central, empty.ID); !errors.Is(err, catalogue.ErrNotFound) {
			t.Errorf("deleted course still read: %v", err)
		}
		// Cancelled, the candidature still refers to the course: archived.
		if _, err := d.W.ExecContext(ctx, `UPDATE candidatures SET status = 'cancelled' WHERE course_id = $1`, full.ID); err != nil {
			t.Fatal(err)
		}
		out, err = w.admin.ArchiveOrDeleteCourse(ctx, w.central, full.ID, "salle fermée")
		if err != nil || out != catalogue.CourseArchived {
			t.Fatalf("course with a cancelled candidature: %v, %v", out, err)
		}
		c, _ := w.admin.CourseForStaff(ctx, w.central, full.ID)
		if !c.Archived {
			t.Error("not archived")
		}
		events, _ := w.admin.Audit(ctx, domain.AuditObjectCourse, full.ID, 10)
		if len(events) == 0 || events[0].Action != domain.AuditCourseArchived || events[0].Reason != "salle fermée" {
			t.Errorf("audit: %+v", events)
		}
		events, _ = w.admin.Audit(ctx, domain.AuditObjectCourse, empty.ID, 10)
		if len(events) == 0 || events[0].Action != domain.AuditCourseDeleted {
			t.Errorf("audit of the deletion: %+v", events)
		}
		// The session gains courses after its opening.
		w.create(t, w.in("ANG-NEUF"))
	})
}

func TestCourseAdmin_ROLE3_director_staffs_own_courses_only(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newCourseWorld(t, d)
		ctx := context.Background()
		own := w.in("ANG-1")
		own.TrainerAccountID = w.trainerA.ID
		c := w.create(t, own)
		elsewhere := w.in("ANG-20")
		elsewhere.EstablishmentID, elsewhere.RoomID = w.other.ID, w.otherRoom.ID
		foreign := w.create(t, elsewhere)

		if err := w.admin.StaffCourse(ctx, w.director, c.ID, w.trainerB.ID, w.lab.ID, "remplacement"); err != nil {
			t.Fatalf("director on her own course: %v", err)
		}
		got, _ := w.admin.CourseForStaff(ctx, w.director, c.ID)
		if got.TrainerAccountID != w.trainerB.ID || got.Trainer != w.trainerB.FullName() || got.RoomID != w.lab.ID {
			t.Fatalf("staffed: %+v", got.Course)
		}
		a, _ := w.st.Account(ctx, w.trainerA.ID)
		b, _ := w.st.Account(ctx, w.trainerB.ID)
		if len(a.Grants) != 0 || len(b.Grants) != 1 || b.Grants[0].CourseID != c.ID || b.Grants[0].Role != domain.RoleTrainer {
			t.Errorf("ROLE-2 follows the trainer: old %+v, new %+v", a.Grants, b.Grants)
		}
		events, _ := w.admin.Audit(ctx, domain.AuditObjectCourse, c.ID, 10)
		if events[0].Action != domain.AuditCourseStaffed || events[0].ActorID != w.director.AccountID ||
			!strings.Contains(events[0].Details, "formateur : Théo DURAND → Inès PETIT") || !strings.Contains(events[0].Details, "salle : Salle 1 → Salle info") {
			t.Errorf("audit: %+v", events[0])
		}
		// Staffing keeps a tariff that is no longer the formation's default.
		if _, err := d.W.ExecContext(ctx, `UPDATE courses SET price_cents = 14500, reduced_cents = 7250 WHERE id = $1`, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.admin.StaffCourse(ctx, w.director, c.ID, w.trainerA.ID, w.lab.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ = w.admin.CourseForStaff(ctx, w.director, c.ID); got.PriceCents != 14500 || got.ReducedCents != 7250 {
			t.Errorf("staffing changed the tariff: %d / %d", got.PriceCents, got.ReducedCents)
		}
		// Capacity and tariff are the central service's.
		in := w.in("ANG-1")
		in.Capacity = 20
		if err := w.admin.UpdateCourse(ctx, w.director, c.ID, in); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("director changes the capacity: %v", err)
		}
		in.Capacity, in.OwnPrice, in.PriceCents = 0, true, 100
		if err := w.admin.UpdateCourse(ctx, w.director, c.ID, in); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("director changes the tariff: %v", err)
		}
		if _, err := w.admin.CreateCourse(ctx, w.director, w.session.ID, w.in("ANG-D")); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("director creates a course: %v", err)
		}
		if err := w.admin.ArchiveCourse(ctx, w.director, c.ID, "x"); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("director archives a course: %v", err)
		}
		// Another establishment's course, or a room of another establishment.
		if err := w.admin.StaffCourse(ctx, w.director, foreign.ID, w.trainerB.ID, w.otherRoom.ID, ""); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("director on another establishment's course: %v", err)
		}
		wantField(t, w.admin.StaffCourse(ctx, w.director, c.ID, w.trainerB.ID, w.otherRoom.ID, ""), "room", "course.error.room_elsewhere")
		// A room with too few workstations for the course's capacity is refused (CAT-4).
		excel := w.in("EXCEL-1")
		excel.FormationID, excel.RoomID, excel.Weekday = w.computer.ID, w.bigLab.ID, time.Thursday
		x := w.create(t, excel)
		wantField(t, w.admin.StaffCourse(ctx, w.director, x.ID, 0, w.lab.ID, ""), "capacity", "course.error.capacity_workstations")
	})
}

func TestCourseAdmin_ROLE5_only_the_central_service_sets_up_courses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newCourseWorld(t, d)
		ctx := context.Background()
		c := w.create(t, w.in("ANG-1"))
		trainerGrant := domain.Actor{AccountID: w.trainerA.ID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleTrainer, CourseID: c.ID}}}
		candidate := domain.Actor{AccountID: 9999, Kind: domain.AccountCandidate}
		for name, actor := range map[string]domain.Actor{"trainer": trainerGrant, "coordinator": w.coordinator,
			"guidance": w.guidance, "helpdesk": w.helpdesk, "candidate": candidate, "nobody": {}} {
			if _, err := w.admin.CreateCourse(ctx, actor, w.session.ID, w.in("ANG-X")); !errors.Is(err, catalogue.ErrForbidden) {
				t.Errorf("%s creates: %v", name, err)
			}
			if err := w.admin.UpdateCourse(ctx, actor, c.ID, w.in("ANG-1")); !errors.Is(err, catalogue.ErrForbidden) {
				t.Errorf("%s updates: %v", name, err)
			}
			if err := w.admin.StaffCourse(ctx, actor, c.ID, w.trainerB.ID, w.lab.ID, ""); !errors.Is(err, catalogue.ErrForbidden) {
				t.Errorf("%s staffs: %v", name, err)
			}
			if err := w.admin.ArchiveCourse(ctx, actor, c.ID, "x"); !errors.Is(err, catalogue.ErrForbidden) {
				t.Errorf("%s archives: %v", name, err)
			}
		}
		// The central service may staff any course.
		if err := w.admin.StaffCourse(ctx, w.central, c.ID, w.trainerB.ID, w.lab.ID, ""); err != nil {
			t.Errorf("central staffs: %v", err)
		}
		// Bad input: every wrong field at once.
		bad := catalogue.CourseInput{Code: "bad code", Weekday: -1, StartMinute: 20 * 60, EndMinute: 19 * 60}
		_, err := w.admin.CreateCourse(ctx, w.central, w.session.ID, bad)
		for _, f := range [][2]string{{"code", "course.error.code"}, {"formation", "course.error.formation"},
			{"establishment", "course.error.establishment"}, {"room", "course.error.room"}, {"weekday", "course.error.weekday"},
			{"end", "course.error.ends_before_start"}} {
			wantField(t, err, f[0], f[1])
		}
		dup := w.in("ANG-1")
		dup.Weekday = time.Friday
		_, err = w.admin.CreateCourse(ctx, w.central, w.session.ID, dup)
		wantField(t, err, "code", "course.error.code_taken")
		// A check changes nothing.
		rev, _ := w.st.CatalogueRevision(ctx)
		if err := w.admin.CheckCourseInput(ctx, w.central, w.session.ID, 0, w.in("ANG-CHECK")); err != nil {
			t.Errorf("check of a valid course: %v", err)
		}
		wantField(t, w.admin.CheckCourseInput(ctx, w.central, 0, c.ID, bad), "code", "course.error.code")
		if now, _ := w.st.CatalogueRevision(ctx); now != rev {
			t.Errorf("a check bumped the revision %d → %d", rev, now)
		}
		if err := w.admin.CheckCourseInput(ctx, w.helpdesk, w.session.ID, 0, w.in("ANG-CHECK")); !errors.Is(err, catalogue.ErrForbidden) {
			t.Errorf("help desk checks: %v", err)
		}
		if _, err := w.admin.CreateCourse(ctx, w.central, 99999, w.in("ANG-Z")); !errors.Is(err, catalogue.ErrNotFound) {
			t.Errorf("unknown session: %v", err)
		}
	})
}
