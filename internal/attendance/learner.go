package attendance

import (
	"context"
	"slices"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// OwnMeeting is a meeting of the learner's course with their mark.
type OwnMeeting struct {
	MeetingLine
	Marked bool
	Mark   domain.Mark
	Reason string
}

// OwnCourse is one of the learner's courses with their attendance (ATT-2):
// the rate at any time and, while the course runs, whether 75 % can still be
// reached.
type OwnCourse struct {
	Course        *catalogue.Entry
	CandidatureID int64
	InCourse      bool
	Running       bool
	Attendance    domain.Attendance
	Meetings      []OwnMeeting
	// Attestation is the last attestation d'assiduité delivered for the
	// course (ATT-2), ID 0 when none.
	Attestation store.AttendanceAttestation
	// Current: that attestation counts every meeting held so far (asking
	// again would give the same one).
	Current bool
	// Status is the candidature's; Ended says, for a learner struck off
	// (ATT-3) or excluded (ATT-4), the decision's kind, motive and day.
	Status domain.CandidatureStatus
	Ended  *store.AttendanceEnd
}

// Own reads the learner's courses and attendance: "mon parcours" (ROLE-1:
// one's own only).
func (s *Service) Own(ctx context.Context, actor domain.Actor, personID int64) ([]OwnCourse, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: personID}) {
		return nil, ErrForbidden
	}
	courses, err := s.store.LearnerCourses(ctx, personID)
	if err != nil {
		return nil, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	cands := make([]int64, 0, len(courses))
	for cand := range courses {
		cands = append(cands, cand)
	}
	latest, err := s.store.LatestAttendanceAttestations(ctx, cands)
	if err != nil {
		return nil, err
	}
	ends, err := s.store.AttendanceEnds(ctx, personID)
	if err != nil {
		return nil, err
	}
	var out []OwnCourse
	for cand, courseID := range courses {
		e, ok := ix.Course(courseID)
		if !ok {
			continue
		}
		r, err := s.registers(ctx, ix, e)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(r.Learners, func(l LearnerLine) bool { return l.CandidatureID == cand })
		if i < 0 {
			continue
		}
		l := r.Learners[i]
		oc := OwnCourse{Course: e, CandidatureID: cand, InCourse: l.InCourse, Running: r.Running, Attendance: l.Attendance,
			Attestation: latest[cand], Status: l.Status}
		oc.Current = oc.Attestation.ID != 0 && oc.Attestation.LastDay.Equal(l.Attendance.LastHeld)
		if end, ok := ends[cand]; ok {
			oc.Ended = &end
		}
		marks, err := s.ownMarks(ctx, e.ID, cand)
		if err != nil {
			return nil, err
		}
		for _, m := range r.Meetings {
			om := OwnMeeting{MeetingLine: m}
			if k, ok := marks[m.Day.Format("2006-01-02")]; ok {
				om.Marked, om.Mark, om.Reason = true, k.Mark, k.Reason
			}
			oc.Meetings = append(oc.Meetings, om)
		}
		out = append(out, oc)
	}
	slices.SortFunc(out, func(a, b OwnCourse) int { return b.Course.Session.FirstDay.Compare(a.Course.Session.FirstDay) })
	return out, nil
}

type ownMark struct {
	Mark   domain.Mark
	Reason string
}

// ownMarks reads a candidature's marks in a course by day.
func (s *Service) ownMarks(ctx context.Context, courseID, cand int64) (map[string]ownMark, error) {
	meetings, err := s.store.CourseMeetings(ctx, nil, courseID)
	if err != nil {
		return nil, err
	}
	marks, err := s.store.CourseMarks(ctx, nil, courseID)
	if err != nil {
		return nil, err
	}
	days := make(map[int64]string, len(meetings))
	for _, m := range meetings {
		days[m.ID] = m.Day.Format("2006-01-02")
	}
	out := map[string]ownMark{}
	for _, k := range marks {
		if k.CandidatureID == cand {
			out[days[k.MeetingID]] = ownMark{k.Mark, k.Reason}
		}
	}
	return out, nil
}
