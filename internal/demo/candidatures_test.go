package demo

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"cma/internal/domain"
)

var testOwners = []Owner{
	{Email: "ines.moreau@exemple.fr", FirstName: "Inès", LastName: "Moreau", BirthDate: civil(1984, time.February, 11), Annual: 2},
	{Email: "karim.haddad@exemple.fr", FirstName: "Karim", LastName: "Haddad", BirthDate: civil(1990, time.November, 30), Semester2: 2},
}

var testPeople = People(generated, testOptions(), testOwners)

func TestPeople_deterministic(t *testing.T) {
	if !reflect.DeepEqual(testPeople, People(generated, testOptions(), testOwners)) {
		t.Fatal("two runs with the same options gave different candidates")
	}
}

// Every person holds at most 3 formations, never one twice, no two courses
// at the same weekday and time, and is 18 or more on the session's first day.
func TestPeople_CAN1_CAN2_CAN3_ACC1(t *testing.T) {
	sessions := map[string]domain.Session{}
	for _, s := range generated.Sessions {
		sessions[s.Code] = s
	}
	emails := map[string]bool{}
	for _, p := range testPeople {
		if emails[p.Account.Email] {
			t.Errorf("email %s twice", p.Account.Email)
		}
		emails[p.Account.Email] = true
		if !p.owner && !strings.HasSuffix(p.Account.Email, "@"+DemoEmailDomain) {
			t.Errorf("%s: not at the demo domain", p.Account.Email)
		}
		if len(p.Candidatures) > 3 {
			t.Errorf("%s: %d candidatures (CAN-1)", p.Account.Email, len(p.Candidatures))
		}
		for i, a := range p.Candidatures {
			se := sessions[a.SessionCode]
			if p.Account.BirthDate.AddDate(18, 0, 0).After(se.FirstDay) {
				t.Errorf("%s: under 18 on %s (ACC-1)", p.Account.Email, se.FirstDay)
			}
			if a.CreatedAt.Before(se.CandidatureOpens) || !se.CandidatureCloses.Open(a.CreatedAt) || a.CreatedAt.After(testToday) {
				t.Errorf("%s: filed %s outside %s's period or after today", p.Account.Email, a.CreatedAt, a.SessionCode)
			}
			if a.Objective == "" || a.Motivation == "" {
				t.Errorf("%s: no objective or motivation", p.Account.Email)
			}
			for _, b := range p.Candidatures[i+1:] {
				if a.course.FormationCode == b.course.FormationCode {
					t.Errorf("%s: formation %s twice (CAN-2)", p.Account.Email, a.course.FormationCode)
				}
				if a.course.Weekday == b.course.Weekday && a.course.StartMinute < b.course.EndMinute && b.course.StartMinute < a.course.EndMinute {
					t.Errorf("%s: %s and %s clash (CAN-3)", p.Account.Email, a.CourseCode, b.CourseCode)
				}
			}
		}
	}
}

// The annual session has courses wanted by more people than their places;
// the 2nd semester has candidatures on tested formations; the owners hold
// theirs; social situations and objectives vary.
func TestPeople_SEL1_SEL2_overSubscribedAndTested(t *testing.T) {
	forms := map[string]domain.Formation{}
	for _, f := range generated.Formations {
		forms[f.Code] = f
	}
	demand := map[string]int{}
	places := map[string]int{}
	evals := map[domain.EvaluationMode]int{}
	social, objectives := map[domain.SocialSituation]int{}, map[domain.Objective]int{}
	total := map[string]int{}
	for _, p := range testPeople {
		for _, c := range p.Candidatures {
			demand[c.SessionCode+" "+c.CourseCode]++
			places[c.SessionCode+" "+c.CourseCode] = c.course.Capacity - c.course.Enrolled
			total[c.SessionCode]++
			if c.SessionCode == SessionSemester2Code {
				evals[forms[c.course.FormationCode].Evaluation]++
			}
			social[c.Social]++
			objectives[c.Objective]++
		}
	}
	over := 0
	for k, n := range demand {
		if strings.HasPrefix(k, SessionAnnualCode) && n > places[k] {
			over++
		}
	}
	t.Logf("candidates %d, annual %d, S2 %d, annual courses over their places %d, S2 by evaluation %v",
		len(testPeople), total[SessionAnnualCode], total[SessionSemester2Code], over, evals)
	if over < 10 {
		t.Errorf("%d annual courses over their places, want 10 or more", over)
	}
	if evals[domain.EvaluationFirstDayTest] == 0 || evals[domain.EvaluationAnticipatedTest]+evals[domain.EvaluationInterview] == 0 {
		t.Errorf("2nd semester by evaluation: %v", evals)
	}
	if len(social) < 4 || len(objectives) < 4 {
		t.Errorf("social situations %v, objectives %v: too little variety", social, objectives)
	}
	ines, karim := testPeople[0], testPeople[1]
	if len(ines.Candidatures) != 2 || ines.Candidatures[0].SessionCode != SessionAnnualCode {
		t.Errorf("Inès's candidatures: %+v", ines.Candidatures)
	}
	if len(karim.Candidatures) != 2 {
		t.Fatalf("Karim's candidatures: %+v", karim.Candidatures)
	}
	if e := forms[karim.Candidatures[0].course.FormationCode].Evaluation; e != domain.EvaluationAnticipatedTest && e != domain.EvaluationInterview {
		t.Errorf("Karim's first is evaluated %s", e)
	}
	if e := forms[karim.Candidatures[1].course.FormationCode].Evaluation; e != domain.EvaluationFirstDayTest {
		t.Errorf("Karim's second is evaluated %s", e)
	}
}

// TestPeople_SEL5_someAcceptRedirects: about 60 % of the demo's candidatures
// accept a redirect (SEL-5), the same for the same seed.
func TestPeople_SEL5_someAcceptRedirects(t *testing.T) {
	n, yes := 0, 0
	for _, p := range testPeople {
		for _, c := range p.Candidatures {
			n++
			if c.AcceptsRedirect {
				yes++
			}
		}
	}
	if n == 0 || yes*100 < n*50 || yes*100 > n*70 {
		t.Fatalf("%d of %d candidatures accept a redirect, want about 60 %%", yes, n)
	}
}
