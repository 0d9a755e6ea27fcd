package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/attendance"
	"cma/internal/auth/devidp"
	"cma/internal/calendar"
	"cma/internal/catalogue"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/store"
)

// demoRegisterCourses is how many of the demo's paid annual courses get
// their registers filled since September.
const demoRegisterCourses = 3

// demoTrainerEmail is the trainer persona's: the demo gives her the first of
// those courses as well, so that she finds registers to take.
const demoTrainerEmail = "formatrice.laurent@paris.exemple"

// demoAttendance fills the registers of a few annual courses of the
// director persona's establishment (ATT-1..3), every meeting held before
// today, each saved on its own evening: most learners above 75 %, some
// below, one with three absences in a row without a justification
// (reported to the central service), and one meeting cancelled (the room
// closed). The trainer persona gets the first course, and two learner
// personas of the development provider (issuer) become two of its learners:
// one always present, above 75 %, one absent every other meeting, below
// (ATT-2).
func demoAttendance(ctx context.Context, st *store.Store, cat *catalogue.Service, deps attendance.Deps, today time.Time, issuer string) error {
	ix, err := cat.Index(ctx)
	if err != nil {
		return err
	}
	director, err := st.StaffByEmail(ctx, nil, demoDirectorEmail)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	var est int64
	for _, e := range ix.Establishments {
		if strings.Contains(e.Name, "Voltaire") {
			est = e.ID
		}
	}
	actor := domain.Actor{AccountID: director.ID, Kind: domain.AccountStaff,
		Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: est}}}
	var day time.Time
	deps.Now = func() time.Time { return day }
	svc := attendance.New(deps)
	done := 0
	for _, e := range ix.All() {
		if done == demoRegisterCourses {
			break
		}
		if e.EstablishmentID != est || e.Session.Code != demo.SessionAnnualCode || e.FirstClass.IsZero() || e.PriceCents == 0 {
			continue
		}
		learners, err := st.CourseLearners(ctx, e.ID)
		if err != nil {
			return err
		}
		if len(learners) < 3 {
			continue
		}
		if done == 0 {
			if err := demoTrainerCourse(ctx, st, e.ID); err != nil {
				return err
			}
			if err := demoLearnerPersonas(ctx, st, issuer, learners, today); err != nil {
				return err
			}
		}
		day = today
		regs, err := svc.Registers(ctx, actor, e.ID)
		if err != nil {
			return err
		}
		var held []time.Time
		for _, m := range regs.Meetings {
			if m.Holiday == "" && m.Day.Before(calendar.ToDay(today.In(domain.Paris()))) {
				held = append(held, m.Day)
			}
		}
		for k, d := range held {
			day = time.Date(d.Year(), d.Month(), d.Day(), 21, 0, 0, 0, domain.Paris())
			sub := attendance.Submission{Key: fmt.Sprintf("demo-%d-%s", e.ID, d.Format(time.DateOnly))}
			if done == 1 && k == 2 {
				sub.Cancelled, sub.CancelReason = true, "salle fermée (panne de chauffage)"
			}
			for i, l := range learners {
				sub.Marks = append(sub.Marks, demoMark(done, i, len(learners), k, len(held)))
				sub.Marks[len(sub.Marks)-1].CandidatureID = l.CandidatureID
			}
			if _, err := svc.Save(ctx, actor, e.ID, d, sub); err != nil {
				return fmt.Errorf("demo register of %s on %s: %w", e.Code, d.Format(time.DateOnly), err)
			}
		}
		done++
	}
	return nil
}

// demoMark is learner i's (of m) mark at meeting k of n in the demo's
// course c: most often present, some late, a few below 75 % (their absences
// mixed justified and not, never three in a row), and in the first course
// its last learner absent without a justification at the last three
// meetings.
func demoMark(c, i, m, k, n int) attendance.Entry {
	switch {
	case c == 0 && i == demoAbsentLearner: // the persona below 75 %: absent every other meeting
		switch k % 4 {
		case 1:
			return attendance.Entry{Mark: domain.MarkAbsent}
		case 3:
			return attendance.Entry{Mark: domain.MarkExcused, Reason: "horaires de travail"}
		}
	case c == 0 && i == m-1:
		if k >= n-3 {
			return attendance.Entry{Mark: domain.MarkAbsent}
		}
	case i%6 == 1 && k%3 == 0:
		return attendance.Entry{Mark: domain.MarkLate}
	case i%6 == 2 && k%3 == 1: // a third absent: below 75 %
		if k%2 == 0 {
			return attendance.Entry{Mark: domain.MarkExcused, Reason: "enfant malade"}
		}
		return attendance.Entry{Mark: domain.MarkAbsent}
	case i%6 == 4 && k%5 == 3:
		return attendance.Entry{Mark: domain.MarkExcused, Reason: "déplacement professionnel"}
	}
	return attendance.Entry{Mark: domain.MarkPresent}
}

// The learners of the first course the learner personas become: the first
// (always present) and the second (never the last, whose absences in a
// row the demo reports: ATT-3).
const (
	demoAssiduousLearner = 0
	demoAbsentLearner    = 1
)

// demoLearnerPersonas gives the accounts of two learners of the first
// course to the learner personas: their names, email and birth date, and
// the persona's subject at the development provider, so that signing in as
// them opens those accounts.
func demoLearnerPersonas(ctx context.Context, st *store.Store, issuer string, learners []store.CourseLearner, now time.Time) error {
	if issuer == "" || len(learners) <= demoAbsentLearner {
		return nil
	}
	byLearner := map[string]int{"demo-learner-assidue": demoAssiduousLearner, "demo-learner-absent": demoAbsentLearner}
	return st.InTx(ctx, func(tx *sql.Tx) error {
		for _, p := range devidp.DemoPersonas() {
			i, ok := byLearner[p.Subject]
			if !ok {
				continue
			}
			if _, err := st.AccountByIdentity(ctx, tx, issuer, p.Subject); err == nil {
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			acc, err := st.AccountTx(ctx, tx, learners[i].AccountID)
			if err != nil {
				return err
			}
			birth, _ := time.Parse(time.DateOnly, p.Birthdate)
			acc.FirstName, acc.LastName, acc.BirthDate = p.GivenName, p.FamilyName, birth
			if err := st.SetIdentity(ctx, tx, acc); err != nil {
				return err
			}
			if err := st.SetEmail(ctx, tx, acc.ID, p.Email); err != nil {
				return err
			}
			if err := st.LinkIdentity(ctx, tx, issuer, p.Subject, acc.ID, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// demoTrainerCourse gives the trainer persona a course whose registers she
// keeps (ROLE-2), once.
func demoTrainerCourse(ctx context.Context, st *store.Store, courseID int64) error {
	trainer, err := st.StaffByEmail(ctx, nil, demoTrainerEmail)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	for _, g := range trainer.Grants {
		if g.Role == domain.RoleTrainer && g.CourseID == courseID {
			return nil
		}
	}
	return st.InTx(ctx, func(tx *sql.Tx) error {
		return st.InsertGrant(ctx, tx, trainer.ID, domain.Grant{Role: domain.RoleTrainer, CourseID: courseID})
	})
}
