package catalogue

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"cma/internal/domain"
)

// The formations (ROLE-5, CAT-3, CAT-4, CAT-7): what is taught, its
// evaluation mode, its kind (which sets its courses' capacities), the diploma
// with the exam note, and the default tariff its courses follow unless they
// have their own.

// FormationInput is what the central service gives a formation.
type FormationInput struct {
	Code, Title             string
	Subject                 domain.Subject
	Level                   domain.Level
	Description             string
	Prerequisites           string
	PrerequisiteFormationID int64 // the previous level's formation whose certificate is asked for, 0: none
	Evaluation              domain.EvaluationMode
	Kind                    domain.FormationKind
	Diploma                 bool
	DiplomaName             string
	ExamNote                string // CAT-7: how candidates register for the exam and pay its fee
	DefaultPriceCents       int64
	// MinSocialPercent is the minimum rate of social-criteria candidates
	// each course accepts (SEL-1), 0..100; nil leaves it as it is.
	MinSocialPercent *int
	Reason           string
}

// FormationRow is a formation with its course count.
type FormationRow struct {
	domain.Formation
	Courses          int
	MinSocialPercent int // SEL-1: 0 = social criteria as a plain priority
}

// DefaultExamNote is the exam note a new diploma formation's form offers
// (CAT-7).
const DefaultExamNote = "Les cours préparent à l'examen, mais l'inscription à l'examen n'est pas faite par les Cours municipaux d'adultes : chaque candidat s'inscrit lui-même auprès de l'organisme certificateur (l'académie le plus souvent) et en paie lui-même les frais d'inscription."

// ParseTariff reads a tariff field with ParseEuros; a missing or wrong
// value is a field error on field with a French key.
func ParseTariff(field, s string) (int64, *domain.FieldError) {
	s = strings.TrimSpace(s)
	if strings.TrimSpace(strings.TrimSuffix(s, "€")) == "" {
		return 0, &domain.FieldError{Field: field, Key: "formation.error.tariff_missing"}
	}
	cents, ok := ParseEuros(s)
	if !ok {
		return 0, &domain.FieldError{Field: field, Key: "formation.error.tariff_format", Args: map[string]any{"Got": s}}
	}
	return cents, nil
}

// FormatEuros writes cents as the form shows them again: "180" or "180,50".
func FormatEuros(cents int64) string {
	if cents%100 == 0 {
		return strconv.FormatInt(cents/100, 10)
	}
	return strconv.FormatInt(cents/100, 10) + "," + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
}

// CheckFormation checks a formation's input (id: the formation changed, 0
// for a new one) without writing anything; nil when it is right.
func CheckFormation(in FormationInput, id int64) error { return nilIfEmpty(checkFormation(in, id)) }

func checkFormation(in FormationInput, id int64) domain.FieldErrors {
	var errs domain.FieldErrors
	add := func(field, key string) { errs = append(errs, domain.FieldError{Field: field, Key: key}) }
	if !domain.ValidCode(in.Code) {
		add("code", "catalogue.error.code")
	}
	if strings.TrimSpace(in.Title) == "" {
		add("title", "formation.error.title")
	}
	if !in.Subject.Valid() {
		add("subject", "formation.error.subject")
	}
	if !in.Level.Valid() {
		add("level", "course.error.level")
	}
	if in.PrerequisiteFormationID != 0 && in.PrerequisiteFormationID == id {
		add("prerequisite_formation", "formation.error.prerequisite_self")
	}
	if !in.Evaluation.Valid() {
		add("evaluation", "formation.error.evaluation")
	}
	if !in.Kind.Valid() {
		add("kind", "formation.error.kind")
	}
	if in.Diploma && strings.TrimSpace(in.DiplomaName) == "" {
		add("diploma_name", "formation.error.diploma_name")
	}
	if in.Diploma && strings.TrimSpace(in.ExamNote) == "" {
		add("exam_note", "formation.error.exam_note")
	}
	if in.DefaultPriceCents < 0 {
		add("price", "course.error.price")
	}
	if p := in.MinSocialPercent; p != nil && (*p < 0 || *p > 100) {
		add("min_social", "formation.error.min_social")
	}
	return errs
}

func (in FormationInput) apply(f *domain.Formation) {
	f.Code, f.Title, f.Subject, f.Level = in.Code, strings.TrimSpace(in.Title), in.Subject, in.Level
	f.Description, f.Prerequisites = strings.TrimSpace(in.Description), strings.TrimSpace(in.Prerequisites)
	f.PrerequisiteFormationID, f.Evaluation, f.Kind = in.PrerequisiteFormationID, in.Evaluation, in.Kind
	f.Diploma, f.DiplomaName, f.ExamNote = in.Diploma, "", ""
	if in.Diploma {
		f.DiplomaName, f.ExamNote = strings.TrimSpace(in.DiplomaName), strings.TrimSpace(in.ExamNote)
	}
	f.DefaultPriceCents = in.DefaultPriceCents
}

func formationFields(f domain.Formation) Fields {
	prereq := ""
	if f.PrerequisiteFormationID != 0 {
		prereq = "#" + strconv.FormatInt(f.PrerequisiteFormationID, 10)
	}
	return Fields{{"code", f.Code}, {"intitulé", f.Title}, {"domaine", string(f.Subject)}, {"niveau", string(f.Level)},
		{"description", f.Description}, {"prérequis", f.Prerequisites}, {"formation prérequise", prereq},
		{"évaluation", string(f.Evaluation)}, {"type", string(f.Kind)}, {"diplôme", ouiNon(f.Diploma)},
		{"nom du diplôme", f.DiplomaName}, {"note sur l'examen", f.ExamNote},
		{"tarif par défaut", FormatEuros(f.DefaultPriceCents) + " €"}}
}

// ListFormations is every formation, archived ones too, with course counts.
func (a *Admin) ListFormations(ctx context.Context, actor domain.Actor) ([]FormationRow, error) {
	c, err := a.Overview(ctx, actor)
	if err != nil {
		return nil, err
	}
	rates, err := a.store.FormationMinSocial(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]FormationRow, 0, len(c.Formations))
	for _, f := range c.Formations {
		out = append(out, FormationRow{Formation: f, Courses: c.CoursesByFormation[f.ID], MinSocialPercent: rates[f.ID]})
	}
	return out, nil
}

// Formation is one formation with its course count.
func (a *Admin) Formation(ctx context.Context, actor domain.Actor, id int64) (FormationRow, error) {
	rows, err := a.ListFormations(ctx, actor)
	if err != nil {
		return FormationRow{}, err
	}
	for _, r := range rows {
		if r.ID == id {
			return r, nil
		}
	}
	return FormationRow{}, ErrNotFound
}

func (a *Admin) prerequisiteExists(ctx context.Context, tx *sql.Tx, id int64) error {
	if id == 0 {
		return nil
	}
	if _, err := a.store.FormationTx(ctx, tx, id); errors.Is(err, ErrNotFound) {
		return domain.FieldErrors{{Field: "prerequisite_formation", Key: "formation.error.prerequisite_unknown"}}
	} else if err != nil {
		return err
	}
	return nil
}

// CreateFormation adds a formation and returns its ID.
func (a *Admin) CreateFormation(ctx context.Context, actor domain.Actor, in FormationInput) (int64, error) {
	if err := may(actor); err != nil {
		return 0, err
	}
	if errs := checkFormation(in, 0); len(errs) > 0 {
		return 0, errs
	}
	var f domain.Formation
	in.apply(&f)
	err := a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		if errs, err := a.codeFree(ctx, tx, "formations", f.Code, 0); err != nil || errs != nil {
			return nil, errors.Join(err, nilIfEmpty(errs))
		}
		if err := a.prerequisiteExists(ctx, tx, f.PrerequisiteFormationID); err != nil {
			return nil, err
		}
		if err := a.store.InsertFormation(ctx, tx, &f); err != nil {
			return nil, err
		}
		events := []domain.AuditEvent{a.stamp(actor, domain.AuditEvent{Action: domain.AuditFormationCreated, ObjectKind: domain.AuditObjectFormation, ObjectID: f.ID, Details: Changes(nil, formationFields(f)), Reason: in.Reason})}
		ev, err := a.setSocialRate(ctx, tx, actor, f.ID, in)
		if ev != nil {
			events = append(events, *ev)
		}
		return events, err
	})
	return f.ID, unwrapFieldErrors(err)
}

// UpdateFormation changes a formation. When its default tariff changes, the
// courses that follow it (no tariff of their own) get it and its half
// tariff in the same transaction (CAT-3); the trail says how many.
func (a *Admin) UpdateFormation(ctx context.Context, actor domain.Actor, id int64, in FormationInput) error {
	if err := may(actor); err != nil {
		return err
	}
	if errs := checkFormation(in, id); len(errs) > 0 {
		return errs
	}
	return unwrapFieldErrors(a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		before, err := a.store.FormationTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if errs, err := a.codeFree(ctx, tx, "formations", in.Code, id); err != nil || errs != nil {
			return nil, errors.Join(err, nilIfEmpty(errs))
		}
		if err := a.prerequisiteExists(ctx, tx, in.PrerequisiteFormationID); err != nil {
			return nil, err
		}
		after := before
		in.apply(&after)
		var events []domain.AuditEvent
		ev, err := a.setSocialRate(ctx, tx, actor, id, in)
		if err != nil {
			return nil, err
		} else if ev != nil {
			events = append(events, *ev)
		}
		details := Changes(formationFields(before), formationFields(after))
		if details == "" {
			return events, nil
		}
		if err := a.store.UpdateFormation(ctx, tx, after); err != nil {
			return nil, err
		}
		events = append(events, a.stamp(actor, domain.AuditEvent{Action: domain.AuditFormationChanged, ObjectKind: domain.AuditObjectFormation, ObjectID: id, Details: details, Reason: in.Reason}))
		if before.DefaultPriceCents != after.DefaultPriceCents {
			n, err := a.store.FollowDefaultTariff(ctx, tx, id, after.DefaultPriceCents)
			if err != nil {
				return nil, err
			}
			events = append(events, a.stamp(actor, domain.AuditEvent{Action: domain.AuditFormationTariffApplied, ObjectKind: domain.AuditObjectFormation, ObjectID: id, Details: strconv.FormatInt(n, 10) + " cours sans tarif propre : " + FormatEuros(after.DefaultPriceCents) + " € (demi-tarif " +
				FormatEuros(domain.HalfTariff(after.DefaultPriceCents)) + " €)", Reason: in.Reason}))
		}
		return events, nil
	}))
}

// setSocialRate sets the formation's minimum social rate when the input
// gives one that differs, and returns its audit event (SEL-1).
func (a *Admin) setSocialRate(ctx context.Context, tx *sql.Tx, actor domain.Actor, id int64, in FormationInput) (*domain.AuditEvent, error) {
	if in.MinSocialPercent == nil {
		return nil, nil
	}
	old, err := a.store.SetFormationMinSocialTx(ctx, tx, id, *in.MinSocialPercent)
	if err != nil || old == *in.MinSocialPercent {
		return nil, err
	}
	ev := a.stamp(actor, domain.AuditEvent{Action: domain.AuditSocialRateSet, ObjectKind: domain.AuditObjectFormation, ObjectID: id,
		Details: Changes(Fields{{"taux minimal de critères sociaux", strconv.Itoa(old) + " %"}},
			Fields{{"taux minimal de critères sociaux", strconv.Itoa(*in.MinSocialPercent) + " %"}}), Reason: in.Reason})
	return &ev, nil
}

// RemoveFormation deletes a formation nothing refers to, or archives it
// when a course, a candidature, a grant or another formation does.
func (a *Admin) RemoveFormation(ctx context.Context, actor domain.Actor, id int64, reason string) (archived bool, err error) {
	return a.removeOrArchive(ctx, actor, removal{table: "formations",
		archived: domain.AuditEvent{Action: domain.AuditFormationArchived, ObjectKind: domain.AuditObjectFormation, ObjectID: id, Reason: reason},
		deleted:  domain.AuditEvent{Action: domain.AuditFormationDeleted, ObjectKind: domain.AuditObjectFormation, ObjectID: id, Reason: reason},
		read: func(tx *sql.Tx) (bool, Fields, error) {
			f, err := a.store.FormationTx(ctx, tx, id)
			return f.Archived, formationFields(f), err
		},
		referenced: func(tx *sql.Tx) (bool, error) { return a.store.FormationReferenced(ctx, tx, id) }})
}
