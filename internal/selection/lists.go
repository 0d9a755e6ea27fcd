package selection

import (
	"context"
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// The directors' lists (SEL-2, ROLE-3): for a course, the learners a
// published run accepted in it with their convocation and test, and its
// waiting list in order; and the first-day test results by candidature
// number, for the establishment's notice board ("résultats affichés").
// Accepted learners come by name in French order, the waiting list by
// position: never by the time of submission (PER-2).

// Learner is one line of a course's lists.
type Learner = store.ListedCandidature

// CourseLists are a course's accepted learners and waiting list.
type CourseLists struct {
	Course   *catalogue.Entry
	Accepted []Learner // by last name, first name, email (French collation)
	Waiting  []Learner // by position, 1 first
}

// PostedResult is one line of the results posting: a candidature number and
// what the first-day test gave, without a name (the board is public).
type PostedResult struct {
	CandidatureID int64
	ValidationKey string // the caller prints its reference, the number the candidate sees
	Status        domain.CandidatureStatus
	// AcceptedIn is the course accepted in (the tested one or another level's, SEL-3).
	AcceptedIn *catalogue.Entry
	// Waiting is the position on the tested course's waiting list, else the
	// best one elsewhere (WaitingFor).
	Waiting    int
	WaitingFor *catalogue.Entry
}

// ResultsPosting is a course's first-day test results (SEL-2).
type ResultsPosting struct {
	Course  *catalogue.Entry
	Results []PostedResult // by candidature number
}

// course finds the course and checks that the actor may see it (ROLE-2..5).
func (s *Service) course(ctx context.Context, actor domain.Actor, courseID int64) (*catalogue.Index, *catalogue.Entry, error) {
	ix, err := s.catalogue.Index(ctx)
	if err != nil {
		return nil, nil, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return nil, nil, ErrNotFound
	}
	if !domain.Can(actor, domain.ActViewCourse, domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID,
		FormationID: e.FormationID}) {
		return nil, nil, ErrForbidden
	}
	return ix, e, nil
}

// CourseLists returns a course's accepted learners and its waiting list.
func (s *Service) CourseLists(ctx context.Context, actor domain.Actor, courseID int64) (CourseLists, error) {
	_, e, err := s.course(ctx, actor, courseID)
	if err != nil {
		return CourseLists{}, err
	}
	acc, err := s.store.CourseAccepted(ctx, e.ID)
	if err != nil {
		return CourseLists{}, err
	}
	waiting, err := s.store.CourseWaiting(ctx, e.ID)
	if err != nil {
		return CourseLists{}, err
	}
	SortByName(acc)
	return CourseLists{Course: e, Accepted: acc, Waiting: waiting}, nil
}

// SortByName orders learners by last name, first name and email in French
// collation ("Éluard" between "Dubois" and "Ezan"), the candidature number
// breaking ties so that the order is the same every time.
func SortByName(ls []Learner) {
	c := collate.New(language.French, collate.IgnoreCase)
	var buf collate.Buffer
	keys := make(map[int64][3][]byte, len(ls))
	for _, l := range ls {
		keys[l.CandidatureID] = [3][]byte{
			slices.Clone(c.KeyFromString(&buf, l.LastName)),
			slices.Clone(c.KeyFromString(&buf, l.FirstName)),
			slices.Clone(c.KeyFromString(&buf, l.Email)),
		}
		buf.Reset()
	}
	slices.SortFunc(ls, func(a, b Learner) int {
		ka, kb := keys[a.CandidatureID], keys[b.CandidatureID]
		for i := range ka {
			if n := compareBytes(ka[i], kb[i]); n != 0 {
				return n
			}
		}
		switch {
		case a.CandidatureID < b.CandidatureID:
			return -1
		case a.CandidatureID > b.CandidatureID:
			return 1
		}
		return 0
	})
}

func compareBytes(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// ResultsPosting returns a course's first-day test results: every candidature
// convoked to its first class, with the course it was accepted in, its
// waiting position or "not retained". The caller orders them by the number
// it prints.
func (s *Service) ResultsPosting(ctx context.Context, actor domain.Actor, courseID int64) (ResultsPosting, error) {
	ix, e, err := s.course(ctx, actor, courseID)
	if err != nil {
		return ResultsPosting{}, err
	}
	tested, err := s.store.CourseFirstDayTested(ctx, e.ID)
	if err != nil {
		return ResultsPosting{}, err
	}
	out := ResultsPosting{Course: e}
	for _, l := range tested {
		p := PostedResult{CandidatureID: l.CandidatureID, ValidationKey: l.ValidationKey, Status: l.Status}
		switch l.Status {
		case domain.CandidatureAccepted:
			p.AcceptedIn, _ = ix.Course(l.AcceptedCourseID)
		case domain.CandidatureWaiting:
			for _, w := range l.Waiting {
				if w.CourseID == e.ID || p.Waiting == 0 {
					p.Waiting, p.WaitingFor = w.Position, nil
					if w.CourseID != e.ID {
						p.WaitingFor, _ = ix.Course(w.CourseID)
					}
				}
				if w.CourseID == e.ID {
					break
				}
			}
		}
		out.Results = append(out.Results, p)
	}
	return out, nil
}
