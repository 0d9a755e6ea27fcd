package allocation

import "fmt"

// Text is a sentence or phrase left to be worded: a message key of the
// platform's catalogues (internal/i18n, French and English) and the values of
// its placeholders, which may be Texts themselves (a course's name inside a
// sentence) or lists of Texts. The engine words nothing itself: it may import
// nothing of the platform, and its readers do not all read French.
type Text struct {
	Key  string
	Args map[string]any
}

// MessageKey and MessageArgs let the i18n package word a Text (i18n.Keyed).
func (t Text) MessageKey() string          { return t.Key }
func (t Text) MessageArgs() map[string]any { return t.Args }

func text(key string, args ...any) Text {
	t := Text{Key: key}
	if len(args) > 0 {
		t.Args = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			t.Args[args[i].(string)] = args[i+1]
		}
	}
	return t
}

// Explanation is the record that tells a person why their candidature got its
// outcome: their evaluation band, their priority criteria, for each course
// they asked for the last accepted priority and their position, and any
// course removed for a slot clash.
type Explanation struct {
	Candidate CandidateID
	Formation FormationID
	Outcome   Outcome
	Lines     []Text // sentences, in reading order
}

// Words words Texts in one language (i18n.Printer's WordKeyed).
type Words func(Text) string

// Worded is the explanation in one language, a sentence a line.
func (x Explanation) Worded(word Words) string {
	var out []byte
	for i, l := range x.Lines {
		if i > 0 {
			out = append(out, '\n')
		}
		out = append(out, word(l)...)
	}
	return string(out)
}

func slot(c *Course) Text {
	return text("allocation.slot", "Weekday", text(fmt.Sprintf("weekday.%d", int(c.Weekday))),
		"Start", clock(c.StartMinute), "End", clock(c.EndMinute))
}

func clock(minute int16) Text {
	return text("allocation.clock", "H", fmt.Sprintf("%02d", minute/60), "M", fmt.Sprintf("%02d", minute%60))
}

func courseName(r *Result, id CourseID) Text {
	c := r.Course(id)
	switch {
	case c == nil:
		return text("allocation.course.unknown", "ID", id)
	case c.Level > 0:
		return text("allocation.course.level", "ID", id, "Slot", slot(&c.Course), "Level", c.Level)
	}
	return text("allocation.course", "ID", id, "Slot", slot(&c.Course))
}

// Explain returns the explanation of r.Decisions[i].
func (r *Result) Explain(i int) Explanation {
	d := &r.Decisions[i]
	x := Explanation{Candidate: d.Candidate, Formation: d.Formation, Outcome: d.Outcome}
	add := func(key string, args ...any) { x.Lines = append(x.Lines, text(key, args...)) }

	add("allocation.explain.head", "Candidate", d.Candidate, "Formation", d.Formation, "Course", courseName(r, d.Candidature.Course))
	switch d.Outcome {
	case Ineligible:
		add("allocation.explain.ineligible", "Gate", d.Gate.Text())
		return x
	case Accepted:
		if d.Redirected {
			add("allocation.explain.accepted_redirected", "Course", courseName(r, d.Course))
		} else {
			add("allocation.explain.accepted", "Course", courseName(r, d.Course))
		}
	case Waiting:
		add("allocation.explain.waiting")
	}
	if d.Placed {
		add("allocation.explain.placed", "Level", d.PlacedLevel)
	}
	add("allocation.explain.evaluation", "Evaluation", d.Evaluation)
	rate := 0
	for _, f := range r.Fairness {
		if f.Formation == d.Formation {
			rate = f.MinSocialPercent
		}
	}
	switch {
	case d.Social != 0 && rate > 0:
		add("allocation.explain.social_rate", "Criteria", d.Social.Texts(), "Rate", rate)
	case d.Social != 0:
		add("allocation.explain.social", "Criteria", d.Social.Texts())
	case rate > 0:
		add("allocation.explain.no_social_rate", "Rate", rate)
	default:
		add("allocation.explain.no_social")
	}
	add("allocation.explain.then", "Record", d.Record, "Motivation", d.Motivation, "Lottery", lotteryFraction(d.Priority.Lottery))

	wait := map[CourseID]int32{}
	for _, p := range d.Waiting {
		wait[p.Course] = p.Position
	}
	for k, id := range d.List {
		c := r.Course(id)
		role := text("allocation.role.redirect")
		if k == 0 && isOriginal(r, d, id) {
			role = text("allocation.role.choice")
		}
		switch {
		case d.Outcome == Accepted && id == d.Course:
			add("allocation.explain.course_accepted", "Course", courseName(r, id), "Role", role)
			return x.withRemoved(r, d)
		case c == nil:
			continue
		case c.HasCutOff:
			add("allocation.explain.course_full", "Course", courseName(r, id), "Role", role, "Capacity", c.Capacity,
				"CutOff", c.CutOff.Text(), "Position", wait[id])
		default:
			add("allocation.explain.course_waiting", "Course", courseName(r, id), "Role", role, "Capacity", c.Capacity, "Position", wait[id])
		}
	}
	return x.withRemoved(r, d)
}

func (x Explanation) withRemoved(r *Result, d *Decision) Explanation {
	for _, id := range d.Removed {
		for _, cl := range r.Clashes {
			if cl.Candidate == d.Candidate && cl.Formation == d.Formation && cl.Removed == id {
				key := "allocation.explain.removed"
				if cl.KeptLost {
					key = "allocation.explain.removed_full"
				}
				x.Lines = append(x.Lines, text(key, "Course", courseName(r, id),
					"Kept", courseName(r, cl.Kept), "KeptFormation", cl.KeptFormation))
				break
			}
		}
	}
	return x
}

// isOriginal: course id is the one chosen, or its same-slot equivalent at the
// placed level (lists.go).
func isOriginal(r *Result, d *Decision, id CourseID) bool {
	if id == d.Candidature.Course {
		return true
	}
	c, chosen := r.Course(id), r.Course(d.Candidature.Course)
	return d.Placed && c != nil && chosen != nil && c.Weekday == chosen.Weekday && c.StartMinute == chosen.StartMinute
}
