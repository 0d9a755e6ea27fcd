package catalogue_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// TestParseTariff_CAT3_strict: a tariff is euros with at most two decimals
// after a comma or a point; anything else is refused with its French key.
func TestParseTariff_CAT3_strict(t *testing.T) {
	for in, want := range map[string]int64{"180": 18000, "180,50": 18050, "180.50": 18050, "180,5": 18050, " 0 ": 0, "12,05 €": 1205} {
		got, fe := catalogue.ParseTariff("price", in)
		if fe != nil || got != want {
			t.Errorf("ParseTariff(%q) = %d, %v; want %d", in, got, fe, want)
		}
	}
	for in, key := range map[string]string{"": "formation.error.tariff_missing", "180,505": "formation.error.tariff_format",
		"-5": "formation.error.tariff_format", "1 800": "formation.error.tariff_format", "180,": "formation.error.tariff_format",
		"abc": "formation.error.tariff_format", "1e3": "formation.error.tariff_format", ",50": "formation.error.tariff_format"} {
		if _, fe := catalogue.ParseTariff("price", in); fe == nil || fe.Key != key || fe.Field != "price" {
			t.Errorf("ParseTariff(%q) = %v, want %s", in, fe, key)
		}
	}
	if got := catalogue.FormatEuros(18050); got != "180,50" {
		t.Errorf("FormatEuros(18050) = %q", got)
	}
}

func formationInput(f domain.Formation) catalogue.FormationInput {
	return catalogue.FormationInput{Code: f.Code, Title: f.Title, Subject: f.Subject, Level: f.Level, Description: f.Description,
		Prerequisites: f.Prerequisites, PrerequisiteFormationID: f.PrerequisiteFormationID, Evaluation: f.Evaluation, Kind: f.Kind,
		Diploma: f.Diploma, DiplomaName: f.DiplomaName, ExamNote: f.ExamNote, DefaultPriceCents: f.DefaultPriceCents}
}

// TestFormationAdmin_CAT3_default_tariff_followed: when a formation's
// default tariff changes, its courses without a tariff of their own take it
// and its half tariff in the same change; a course with its own keeps it.
func TestFormationAdmin_CAT3_default_tariff_followed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		in := formationInput(f.form)
		in.DefaultPriceCents = 18051
		if err := f.admin.UpdateFormation(ctx, f.central, f.form.ID, in); err != nil {
			t.Fatal(err)
		}
		c, _ := f.st.LoadCatalogue(ctx)
		for _, co := range c.Courses {
			switch co.ID {
			case f.courses[0].ID: // follows the formation
				if co.PriceCents != 18051 || co.ReducedCents != 9025 {
					t.Errorf("following course: %d / %d, want 18051 / 9025 (half rounded down)", co.PriceCents, co.ReducedCents)
				}
			case f.courses[1].ID: // its own tariff
				if co.PriceCents != 9000 || co.ReducedCents != 4500 {
					t.Errorf("own-tariff course changed: %d / %d", co.PriceCents, co.ReducedCents)
				}
			}
		}
		trail, _ := f.admin.Audit(ctx, domain.AuditObjectFormation, f.form.ID, 5)
		if len(trail) != 2 || trail[0].Action != domain.AuditFormationTariffApplied || !strings.HasPrefix(trail[0].Details, "1 cours sans tarif propre") ||
			trail[1].Action != domain.AuditFormationChanged || trail[1].Details != "tarif par défaut : 150 € → 180,51 €" {
			t.Errorf("trail %+v", trail)
		}
	})
}

// TestFormationAdmin_CAT7_exam_note: a diploma formation needs its diploma's
// name and the exam note telling candidates they register and pay
// themselves; the note is saved and shown on its courses' public page data.
func TestFormationAdmin_CAT7_exam_note(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		in := catalogue.FormationInput{Code: "F-CAP-PE", Title: "CAP Petite enfance", Subject: domain.SubjectDiploma, Level: domain.LevelAll,
			Evaluation: domain.EvaluationInterview, Kind: domain.KindTechnical, Diploma: true, DefaultPriceCents: 0,
			PrerequisiteFormationID: f.form.ID}
		_, err := f.admin.CreateFormation(ctx, f.central, in)
		if got := fieldsOf(err); len(got) != 2 || got[0] != "diploma_name=formation.error.diploma_name" || got[1] != "exam_note=formation.error.exam_note" {
			t.Fatalf("diploma without name nor note: %v", got)
		}
		in.DiplomaName, in.ExamNote = "CAP", catalogue.DefaultExamNote
		id, err := f.admin.CreateFormation(ctx, f.central, in)
		if err != nil {
			t.Fatal(err)
		}
		row, err := f.admin.Formation(ctx, f.central, id)
		if err != nil || row.ExamNote != catalogue.DefaultExamNote || !row.Diploma || row.PrerequisiteFormationID != f.form.ID {
			t.Fatalf("saved %+v, %v", row, err)
		}
		if !strings.Contains(catalogue.DefaultExamNote, "s'inscrit lui-même") || !strings.Contains(catalogue.DefaultExamNote, "frais") {
			t.Error("the default exam note does not say candidates register and pay themselves")
		}
		in.PrerequisiteFormationID = id
		if got := fieldsOf(f.admin.UpdateFormation(ctx, f.central, id, in)); len(got) != 1 || got[0] != "prerequisite_formation=formation.error.prerequisite_self" {
			t.Errorf("own prerequisite: %v", got)
		}
		// Referred to by another formation's prerequisite, the first is archived, not deleted.
		if archived, err := f.admin.RemoveFormation(ctx, f.central, f.form.ID, ""); err != nil || !archived {
			t.Errorf("remove a formation in use: archived %v, %v", archived, err)
		}
		if archived, err := f.admin.RemoveFormation(ctx, f.central, id, ""); err != nil || archived {
			t.Errorf("remove an unused formation: archived %v, %v", archived, err)
		}
		if _, err := f.admin.Formation(ctx, f.central, id); !errors.Is(err, catalogue.ErrNotFound) {
			t.Errorf("deleted formation still read: %v", err)
		}
	})
}

// TestEstablishmentAdmin_ROLE5_director_and_rooms: setting the director
// replaces the establishment's director grant (audited); rooms are added,
// changed (not under a course's capacity of a computer course) and archived
// once used; an establishment in use is archived, an unused one deleted.
func TestEstablishmentAdmin_ROLE5_director_and_rooms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		in := catalogue.EstablishmentInput{Code: "E-20-NEUF", Name: "École neuve", Address: "2 rue Neuve", PostalCode: "75020", City: "Paris",
			District: 20, DirectorID: f.central.AccountID}
		bad := in
		bad.PostalCode, bad.District, bad.Code = "7502", 21, f.est.Code
		if _, err := f.admin.CreateEstablishment(ctx, f.central, bad); len(fieldsOf(err)) != 2 {
			t.Errorf("bad establishment: %v", fieldsOf(err))
		}
		bad.PostalCode, bad.District = in.PostalCode, in.District
		if got := fieldsOf(func() error { _, err := f.admin.CreateEstablishment(ctx, f.central, bad); return err }()); len(got) != 1 || got[0] != "code=catalogue.error.code_taken" {
			t.Errorf("taken code: %v", got)
		}
		id, err := f.admin.CreateEstablishment(ctx, f.central, in)
		if err != nil {
			t.Fatal(err)
		}
		dirs, _ := f.st.Directors(ctx)
		if dirs[id] != f.central.AccountID {
			t.Fatalf("director grant %v", dirs)
		}
		in.DirectorID = 0
		if err := f.admin.UpdateEstablishment(ctx, f.central, id, in); err != nil {
			t.Fatal(err)
		}
		if dirs, _ := f.st.Directors(ctx); dirs[id] != 0 {
			t.Fatalf("director grant not removed: %v", dirs)
		}
		trail, _ := f.admin.Audit(ctx, domain.AuditObjectEstablishment, id, 10)
		if len(trail) != 3 || trail[0].Action != domain.AuditEstablishmentDirector || trail[0].Details != "directeur : Claire CENTRALE → —" {
			t.Errorf("trail %+v", trail)
		}
		roomID, err := f.admin.AddRoom(ctx, f.central, id, catalogue.RoomInput{Name: "Salle A", Workstations: 10})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.admin.AddRoom(ctx, f.central, id, catalogue.RoomInput{Name: "salle a", Workstations: 1}); len(fieldsOf(err)) != 1 {
			t.Errorf("same room name twice: %v", err)
		}
		if err := f.admin.UpdateRoom(ctx, f.central, id, roomID, catalogue.RoomInput{Name: "Salle B", Workstations: 12}); err != nil {
			t.Fatal(err)
		}
		if err := f.admin.ArchiveRoom(ctx, f.central, id, roomID); err != nil { // unused: deleted
			t.Fatal(err)
		}
		if e, _ := f.admin.Establishment(ctx, f.central, id); len(e.Rooms) != 0 {
			t.Errorf("unused room kept: %+v", e.Rooms)
		}
		if archived, err := f.admin.RemoveEstablishment(ctx, f.central, id, ""); err != nil || archived {
			t.Errorf("remove an unused establishment: archived %v, %v", archived, err)
		}
		// The fixture's establishment has courses: archived; its used room too.
		if err := f.admin.ArchiveRoom(ctx, f.central, f.est.ID, f.est.Rooms[0].ID); err != nil {
			t.Fatal(err)
		}
		if archived, err := f.admin.RemoveEstablishment(ctx, f.central, f.est.ID, ""); err != nil || !archived {
			t.Errorf("remove an establishment in use: archived %v, %v", archived, err)
		}
		e, _ := f.admin.Establishment(ctx, f.central, f.est.ID)
		if !e.Archived || len(e.Rooms) != 1 || !e.Rooms[0].Archived {
			t.Errorf("in use: %+v", e)
		}
	})
}

// TestFormationAdmin_SEL1_ROLE5_min_social_rate: the central service sets a
// formation's minimum social rate, 0 to 100, audited; an input without one
// leaves it as it is (the staff API's PATCH).
func TestFormationAdmin_SEL1_ROLE5_min_social_rate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAdminFixture(t, d)
		ctx := context.Background()
		in := formationInput(f.form)
		bad := 101
		in.MinSocialPercent = &bad
		var fe domain.FieldErrors
		if err := f.admin.UpdateFormation(ctx, f.central, f.form.ID, in); !errors.As(err, &fe) || fe[0].Key != "formation.error.min_social" {
			t.Fatalf("101 %%: err = %v", err)
		}
		rate := 30
		in.MinSocialPercent = &rate
		if err := f.admin.UpdateFormation(ctx, f.central, f.form.ID, in); err != nil {
			t.Fatal(err)
		}
		in.MinSocialPercent = nil // left as it is
		if err := f.admin.UpdateFormation(ctx, f.central, f.form.ID, in); err != nil {
			t.Fatal(err)
		}
		row, err := f.admin.Formation(ctx, f.central, f.form.ID)
		if err != nil || row.MinSocialPercent != 30 {
			t.Fatalf("rate = %d, %v; want 30", row.MinSocialPercent, err)
		}
		trail, _ := f.admin.Audit(ctx, domain.AuditObjectFormation, f.form.ID, 5)
		if len(trail) != 1 || trail[0].Action != domain.AuditSocialRateSet || trail[0].Details != "taux minimal de critères sociaux : 0 % → 30 %" {
			t.Errorf("trail %+v", trail)
		}
	})
}
