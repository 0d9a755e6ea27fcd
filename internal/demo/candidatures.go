package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"cma/internal/domain"
	"cma/internal/store"
)

// The demo's candidates and candidatures, so that a selection has something
// to decide: for the annual session (its period ended in September) enough
// candidatures that some courses are over their places (waiting lists,
// redirects and social criteria to show); for the 2nd semester (its period
// open around today) candidatures too, on formations with an anticipated test
// or an interview and on first-day tests. Every person respects CAN-1..3 (at
// most 3 formations, never one twice, no slot clash) and is 18 or more
// (ACC-1). Generated from the seed alone, like the catalogue.

// Owner is a demo candidate whose sign-in persona owns candidatures
// (app passes the development provider's personas): whoever signs in as
// them sees these candidatures in "Mes candidatures".
type Owner struct {
	Email, FirstName, LastName string
	BirthDate                  time.Time
	// Annual and Semester2 are how many candidatures they file in those sessions.
	Annual, Semester2 int
}

// DemoEmailDomain is the domain of the generated candidates' addresses.
const DemoEmailDomain = "candidats.demo.exemple"

// CandidatesPerScale is how many generated candidates there are per unit of scale.
const CandidatesPerScale = 600

// Person is a generated candidate with their candidatures.
type Person struct {
	Account      domain.Account
	Candidatures []Candidacy
	owner        bool
}

// Candidacy is one candidature, its course named by session and code.
type Candidacy struct {
	SessionCode, CourseCode string
	Objective               domain.Objective
	Motivation              string
	Social                  domain.SocialSituation
	CreatedAt               time.Time
	// AcceptsRedirect: an equivalent course if this one is full (SEL-5).
	AcceptsRedirect bool
	course          *Course
	formation       *domain.Formation
}

var objectives = []domain.Objective{domain.ObjectiveProfessional, domain.ObjectivePersonal, domain.ObjectiveDiploma, domain.ObjectiveIntegration}

var motivationStarts = []string{
	"Je souhaite", "J'aimerais beaucoup", "Depuis longtemps je veux", "Mon employeur m'encourage à", "Pour retrouver un emploi, je dois",
	"Je reprends mes études et je veux", "Arrivée à Paris depuis peu, je voudrais", "À la retraite, j'ai enfin le temps de",
}

var motivationEnds = []string{
	"progresser dans ce domaine.", "passer un examen l'an prochain.", "aider mes enfants dans leurs devoirs.",
	"changer de métier.", "mieux communiquer au travail.", "me sentir à l'aise dans la vie de tous les jours.",
	"reprendre confiance en moi.", "compléter une formation commencée ailleurs.",
}

// People generates the demo's candidates and their candidatures over a
// generated catalogue. The owners come first, in the order given.
func People(ds Dataset, opt Options, owners []Owner) []Person {
	scale := max(opt.Scale, 1)
	today := opt.Today
	if today.IsZero() {
		today = defaultToday
	}
	paris, _ := parisLocation()
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0x43414e44)) // "CAND"
	// The answers to a redirect (SEL-5) have their own stream, so that they
	// change none of the other draws: 60 % accept.
	redirects := rand.New(rand.NewPCG(uint64(opt.Seed), 0x53454c35)) // "SEL5"
	forms := map[string]*domain.Formation{}
	for i := range ds.Formations {
		forms[ds.Formations[i].Code] = &ds.Formations[i]
	}
	sessions := map[string]domain.Session{}
	for _, s := range ds.Sessions {
		sessions[s.Code] = s
	}
	bySession := map[string][]*Course{}
	for i := range ds.Courses {
		c := &ds.Courses[i]
		bySession[c.SessionCode] = append(bySession[c.SessionCode], c)
	}

	var people []Person
	taken := map[string]bool{}
	for _, o := range owners {
		a := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: strings.ToLower(o.Email),
			FirstName: o.FirstName, LastName: o.LastName, BirthDate: o.BirthDate}
		people = append(people, Person{Account: a, owner: true})
		taken[o.FirstName+" "+o.LastName] = true
	}
	n := CandidatesPerScale * scale
	for len(people) < len(owners)+n && len(taken) < len(firstNames)*len(lastNames) {
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		if taken[first+" "+last] {
			continue
		}
		taken[first+" "+last] = true
		i := len(people) - len(owners) + 1
		email := domain.SearchKey(first) + "." + domain.SearchKey(last) + "." + strconv.Itoa(i) + "@" + DemoEmailDomain
		email = strings.NewReplacer(" ", "-", "'", "").Replace(email)
		// Born 1951 to 2007: 18 or more before any 2026-2027 session starts (ACC-1).
		birth := civil(2007-rng.IntN(57), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		people = append(people, Person{Account: domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive,
			Email: email, FirstName: first, LastName: last, BirthDate: birth}})
	}

	// when draws a filing time in a session's period, before today.
	when := func(code string) time.Time {
		s := sessions[code]
		from := s.CandidatureOpens
		to := s.CandidatureCloses.End().Add(-time.Hour)
		if t := today.Add(-time.Hour); t.Before(to) {
			to = t
		}
		if !to.After(from) {
			return from
		}
		return from.Add(time.Duration(rng.Int64N(int64(to.Sub(from))))).Truncate(time.Minute).In(paris)
	}
	// may says whether the person may file for the course (CAN-1..3).
	may := func(p *Person, c *Course) bool {
		if len(p.Candidatures) >= 3 {
			return false
		}
		for _, h := range p.Candidatures {
			if h.course.FormationCode == c.FormationCode {
				return false
			}
			if h.course.Weekday == c.Weekday && h.course.StartMinute < c.EndMinute && c.StartMinute < h.course.EndMinute {
				return false
			}
		}
		return true
	}
	file := func(p *Person, c *Course) {
		soc := domain.SocialSituation{}
		switch r := rng.IntN(10); {
		case r < 2:
			soc.RSA = true
		case r < 4:
			soc.JobSeeker = true
		case r < 5:
			soc.Subsidised = true
		case r < 6:
			soc.JobSeeker, soc.Subsidised = true, true
		}
		p.Candidatures = append(p.Candidatures, Candidacy{SessionCode: c.SessionCode, CourseCode: c.Code,
			Objective: objectives[rng.IntN(len(objectives))], Social: soc, CreatedAt: when(c.SessionCode),
			Motivation:      motivationStarts[rng.IntN(len(motivationStarts))] + " " + motivationEnds[rng.IntN(len(motivationEnds))],
			AcceptsRedirect: redirects.IntN(10) < 6, course: c, formation: forms[c.FormationCode]})
	}
	generated := people[len(owners):]
	// place files n candidatures for the course, each from someone who may.
	place := func(c *Course, n int) {
		for k := 0; k < n && len(generated) > 0; k++ {
			for try := 0; try < 12; try++ {
				p := &generated[rng.IntN(len(generated))]
				if may(p, c) {
					file(p, c)
					break
				}
			}
		}
	}
	open := func(c *Course) bool { return c.Capacity > c.Enrolled }

	annual, s2 := bySession[SessionAnnualCode], bySession[SessionSemester2Code]
	// The 2nd semester: a few candidatures on one course in three, and on
	// one in two of the formations with an anticipated test or an interview.
	for i, c := range s2 {
		if !open(c) {
			continue
		}
		f := forms[c.FormationCode]
		switch {
		case (f.Evaluation == domain.EvaluationAnticipatedTest || f.Evaluation == domain.EvaluationInterview) && i%2 == 0:
			place(c, 1+rng.IntN(5))
		case i%3 == 0:
			place(c, 1+rng.IntN(3))
		}
	}

	// The annual session: one course in ten is wanted by more people than
	// it has places (up to half as many again), one in four others gets some.
	for i, c := range annual {
		if !open(c) {
			continue
		}
		left := c.Capacity - c.Enrolled
		switch {
		case i%10 == 3:
			place(c, left+2+rng.IntN(left/2+1))
		case rng.IntN(4) == 0:
			place(c, 1+rng.IntN(max(1, left/3)))
		}
	}
	// The owners: the first filings on over-subscribed annual courses, on
	// tested 2nd-semester ones (an anticipated test or an interview, then a
	// first-day test).
	for oi, o := range owners {
		p := &people[oi]
		pick := func(list []*Course, keep func(*Course) bool) {
			for _, c := range list {
				if open(c) && keep(c) && may(p, c) {
					file(p, c)
					return
				}
			}
		}
		// On the annual session the owner files, if there is one, on an
		// over-subscribed course without a test where the candidatures with
		// a social criterion or a weightier objective alone take every
		// seat, and without a
		// social criterion and with the objective that weighs least: they
		// wait, whatever the lottery, and the demo's days after the
		// publication can offer them a seat (SEL-1, SEL-4).
		outranked := func(c *Course) int {
			n := 0
			for _, q := range generated {
				for _, h := range q.Candidatures {
					if h.course == c && (h.Objective != domain.ObjectivePersonal || h.Social != domain.SocialSituation{}) {
						n++
					}
				}
			}
			return n
		}
		for k := 0; k < o.Annual; k++ {
			before := len(p.Candidatures)
			pick(annual, func(c *Course) bool {
				return slices.Index(annual, c)%10 == 3 && forms[c.FormationCode].Evaluation == domain.EvaluationNone &&
					outranked(c) >= c.Capacity // the selection fills the whole capacity
			})
			if len(p.Candidatures) == before {
				pick(annual, func(c *Course) bool { return slices.Index(annual, c)%10 == 3 })
			}
		}
		for i := range p.Candidatures {
			if p.Candidatures[i].SessionCode == SessionAnnualCode {
				p.Candidatures[i].Social, p.Candidatures[i].Objective = domain.SocialSituation{}, domain.ObjectivePersonal
				p.Candidatures[i].AcceptsRedirect = false // waiting, not redirected (SEL-5)
			}
		}
		for k := 0; k < o.Semester2; k++ {
			want := []domain.EvaluationMode{domain.EvaluationAnticipatedTest, domain.EvaluationInterview}
			if k%2 == 1 {
				want = []domain.EvaluationMode{domain.EvaluationFirstDayTest}
			}
			pick(s2, func(c *Course) bool { return slices.Contains(want, forms[c.FormationCode].Evaluation) })
		}
	}
	return people
}

// loadPeople inserts the candidates and their candidatures in one
// transaction: an account each, a validation per person and session (one
// basket validated), the candidatures with their first event. Nothing is
// queued: the demo sends no confirmation for these.
func loadPeople(ctx context.Context, s *store.Store, people []Person, rulesVersion string, today time.Time) (accounts, candidatures int, err error) {
	ids := map[[2]string]struct{ course, formation, session int64 }{}
	rows, err := s.DB().R.QueryContext(ctx, `SELECT s.code, c.code, c.id, c.formation_id, c.session_id
		FROM courses c JOIN sessions s ON s.id = c.session_id`)
	if err != nil {
		return 0, 0, err
	}
	for rows.Next() {
		var sc, cc string
		var v struct{ course, formation, session int64 }
		if err := rows.Scan(&sc, &cc, &v.course, &v.formation, &v.session); err != nil {
			rows.Close()
			return 0, 0, err
		}
		ids[[2]string{sc, cc}] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	err = s.InTx(ctx, func(tx *sql.Tx) error {
		for pi := range people {
			p := &people[pi]
			if len(p.Candidatures) == 0 && !p.owner {
				continue
			}
			first := today
			for _, c := range p.Candidatures {
				if c.CreatedAt.Before(first) {
					first = c.CreatedAt
				}
			}
			p.Account.CreatedAt = first.Add(-time.Duration(1+pi%50) * time.Hour)
			if err := s.InsertAccount(ctx, tx, &p.Account); err != nil {
				return err
			}
			accounts++
			keys := map[string]string{}
			for _, c := range p.Candidatures {
				key, ok := keys[c.SessionCode]
				if !ok {
					key = "demo-" + strconv.Itoa(pi) + "-" + c.SessionCode
					keys[c.SessionCode] = key
					if err := s.InsertValidation(ctx, tx, key, p.Account.ID, c.CreatedAt); err != nil {
						return err
					}
				}
				id, ok := ids[[2]string{c.SessionCode, c.CourseCode}]
				if !ok {
					return fmt.Errorf("demo: course %s of %s not loaded", c.CourseCode, c.SessionCode)
				}
				cand := domain.Candidature{AccountID: p.Account.ID, CourseID: id.course, FormationID: id.formation,
					SessionID: id.session, Status: domain.CandidatureSubmitted, Objective: c.Objective, Motivation: c.Motivation,
					Social: c.Social, RulesVersion: rulesVersion, CreatedAt: c.CreatedAt, AcceptsRedirect: c.AcceptsRedirect}
				if err := s.InsertCandidature(ctx, tx, &cand, key, p.Account.ID); err != nil {
					return err
				}
				candidatures++
			}
		}
		return nil
	})
	return accounts, candidatures, err
}
