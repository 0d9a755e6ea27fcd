package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/store"
	"cma/internal/waitlist"
)

// demoWaitingPersona is the persona whose wait the demo moves to an offer.
const demoWaitingPersona = "ines.moreau@exemple.fr"

// moveDemoLists gives the demo's annual session the days that followed its
// publication (SEL-4, SEL-5), on a clock set to them: places given up on 16
// September, their seats offered down the lists; one offer declined and the
// next accepted; those left unanswered, expired after the 18th and passed on;
// and, on the 19th, the seat offered in the course the persona Inès Moreau
// waits for, if she waits, reaching her after those ahead declined — pending
// until the 21st. Walked with `serve --demo --demo-now 2026-09-20T10:00:00+02:00`
// the lists are live; on
// the real clock, three weeks after the first classes, the timer has closed
// them ("en manque de place") and the offers' history stays.
func moveDemoLists(ctx context.Context, st *store.Store, cat *catalogue.Service, deps waitlist.Deps, personaEmail string) error {
	paris := domain.Paris()
	day := time.Date(2026, time.September, 16, 9, 0, 0, 0, paris)
	deps.Now = func() time.Time { return day }
	wl := waitlist.New(deps)
	ix, err := cat.Index(ctx)
	if err != nil {
		return err
	}
	ids, err := st.CoursesWaitedFor(ctx)
	if err != nil {
		return err
	}
	var courses []int64 // the annual session's, with somebody waiting
	for _, id := range ids {
		if e, ok := ix.Course(id); ok && e.Session.Code == demo.SessionAnnualCode {
			courses = append(courses, id)
		}
	}
	persona, err := st.AccountByEmail(ctx, nil, personaEmail)
	if err != nil {
		return fmt.Errorf("demo persona %s: %w", personaEmail, err)
	}
	mine, err := st.Candidatures(ctx, nil, persona.ID)
	if err != nil {
		return err
	}
	theirs := int64(0) // the course the persona waits for
	for _, c := range mine {
		if c.Status == domain.CandidatureWaiting && slices.Contains(courses, c.CourseID) {
			theirs = c.CourseID
		}
	}
	others := slices.DeleteFunc(slices.Clone(courses), func(id int64) bool { return id == theirs })
	if len(others) < 2 {
		return nil // a demo too small to show it
	}
	// giveUp: the first accepted learner of a course gives up their place.
	giveUp := func(courseID int64) ([]waitlist.Offered, error) {
		acc, err := st.CourseAccepted(ctx, courseID)
		if err != nil || len(acc) == 0 {
			return nil, err
		}
		a := acc[0]
		ans, err := wl.GiveUp(ctx, domain.Actor{AccountID: a.AccountID, Kind: domain.AccountCandidate}, a.AccountID, a.CandidatureID)
		return ans.Next, err
	}
	answer := func(o waitlist.Offered, accept bool) ([]waitlist.Offered, error) {
		actor := domain.Actor{AccountID: o.AccountID, Kind: domain.AccountCandidate}
		if accept {
			a, err := wl.Accept(ctx, actor, o.AccountID, o.ID)
			return a.Next, err
		}
		a, err := wl.Decline(ctx, actor, o.AccountID, o.ID)
		return a.Next, err
	}

	// 16 September: a place given up in each of two courses; in the first,
	// the offer will go unanswered; in the second, declined then accepted.
	if _, err := giveUp(others[0]); err != nil {
		return err
	}
	next, err := giveUp(others[1])
	if err != nil {
		return err
	}
	day = day.Add(3 * time.Hour)
	if len(next) == 1 {
		if next, err = answer(next[0], false); err != nil {
			return err
		}
		if len(next) == 1 {
			if _, err := answer(next[0], true); err != nil {
				return err
			}
		}
	}
	// 19 September, just after midnight: the offers unanswered by the end
	// of the 18th expire and go on; in the morning, the persona's course.
	day = time.Date(2026, time.September, 19, 0, 5, 0, 0, paris)
	if _, err := wl.Tick(ctx); err != nil {
		return err
	}
	day = time.Date(2026, time.September, 19, 10, 0, 0, 0, paris)
	if theirs == 0 {
		return nil
	}
	next, err = giveUp(theirs)
	for range 50 {
		if err != nil || len(next) != 1 || next[0].AccountID == persona.ID {
			break
		}
		day = day.Add(5 * time.Minute)
		next, err = answer(next[0], false)
	}
	return err
}

// demoDirectorEmail is the development provider's director persona.
const demoDirectorEmail = "directrice.voltaire@paris.exemple"

// demoDayChanges gives the director persona's establishment the day changes
// of its annual courses' first evening (SEL-8): two learners asked at the
// desk to move to another day; the director recorded both and forwarded the
// first to the coordinator (the central service decides it in the demo);
// the second waits for her. Nothing when the demo has no such courses.
func demoDayChanges(ctx context.Context, st *store.Store, cat *catalogue.Service, deps waitlist.Deps) error {
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
	wl := waitlist.New(deps)
	recorded := 0
	for _, e := range ix.All() {
		if recorded == 2 {
			break
		}
		if e.EstablishmentID != est || e.Session.Code != demo.SessionAnnualCode || e.FirstClass.IsZero() ||
			len(waitlist.Equivalents(ix, e)) == 0 {
			continue
		}
		learners, err := st.CourseAccepted(ctx, e.ID)
		if err != nil {
			return err
		}
		if len(learners) == 0 {
			continue
		}
		fc := e.FirstClass
		day = time.Date(fc.Year(), fc.Month(), fc.Day(), 20, 15, 0, 0, domain.Paris())
		ch, err := wl.DeskDayChangeChoices(ctx, actor, learners[0].CandidatureID)
		if err != nil || len(ch.Targets) == 0 {
			continue // a course whose equivalents do not open: the next one
		}
		d, err := wl.RecordDayChange(ctx, actor, learners[0].CandidatureID, ch.Targets[0].ID, "horaires de travail changés à la rentrée")
		if err != nil {
			return fmt.Errorf("demo day change in %s: %w", e.Code, err)
		}
		if recorded == 0 {
			day = day.Add(15 * time.Minute)
			if _, err := wl.ForwardDayChange(ctx, actor, d.ID, true, "vu au guichet, avis favorable"); err != nil {
				return fmt.Errorf("demo day change forwarded: %w", err)
			}
		}
		recorded++
	}
	return nil
}
