package allocation

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// SyntheticConfig sizes a synthetic session.
type SyntheticConfig struct {
	Candidates int // candidates (about 1.5 candidatures each)
	// Candidatures, if > 0, stops at exactly this many candidatures (as many
	// candidates as needed); Candidates is then ignored.
	Candidatures int
	Courses      int
	Seed         uint64
}

var subjects = []string{
	"Anglais", "Espagnol", "Allemand", "Italien", "Chinois", "Japonais", "Arabe", "Français langue étrangère",
	"Bureautique", "Informatique — programmation", "Comptabilité", "Gestion de paie", "Dessin", "Photographie",
	"Histoire de l'art", "Couture", "Céramique", "Mathématiques", "CAP Pâtisserie", "BTS Comptabilité et gestion",
	"Secrétariat", "Langue des signes", "Infographie", "Droit du travail",
}

// slots are realistic evening and Saturday slots, in minutes.
var eveningSlots = [][2]int16{{18 * 60, 20 * 60}, {18*60 + 30, 20*60 + 30}, {19 * 60, 21 * 60}, {18 * 60, 21 * 60}, {20 * 60, 22 * 60}}
var saturdaySlots = [][2]int16{{9 * 60, 12 * 60}, {10 * 60, 12 * 60}, {14 * 60, 17 * 60}}

// Synthetic generates a realistic session, the same for the same config:
// formations of about ten courses, 40 % of them with a placement test and
// three levels, a third of them with a minimum rate of social-criteria
// candidates (10–30 %); courses on evenings (Monday–Friday) and Saturdays,
// 15 seats for computer courses and 20–25 otherwise; formations of unequal
// popularity; candidates with one to three candidatures (1.5 on average) on
// non-overlapping slots, half of them accepting redirects, about a quarter
// with social criteria; evaluations in five bands; a few candidatures failing
// an eligibility gate. Like the rest of the package it is pure.
func Synthetic(cfg SyntheticConfig) Input {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5e1ec7))
	in := Input{Seed: cfg.Seed}
	nCourses := max(cfg.Courses, 1)
	nForms := max(1, nCourses/10)

	type formInfo struct {
		levels  int16
		courses []int32 // indices into in.Courses
		weight  float64
	}
	forms := make([]formInfo, nForms)
	for f := range forms {
		subject := subjects[f%len(subjects)]
		fm := Formation{ID: FormationID(f + 1), Name: fmt.Sprintf("%s %d", subject, f/len(subjects)+1)}
		if f/len(subjects) == 0 {
			fm.Name = subject
		}
		if rng.IntN(3) == 0 {
			fm.MinSocialPercent = 10 + 5*rng.IntN(5)
		}
		forms[f].levels = 0 // "tous niveaux"
		if rng.IntN(10) < 4 {
			forms[f].levels = 3 // tested formation
		}
		forms[f].weight = 0.3 + 2.7*rng.Float64()*rng.Float64()
		in.Formations = append(in.Formations, fm)
	}
	in.Courses = make([]Course, nCourses)
	for k := range in.Courses {
		f := k % nForms
		fi := &forms[f]
		c := Course{ID: CourseID(k + 1), Formation: FormationID(f + 1), Capacity: int32(20 + rng.IntN(6))}
		if f%len(subjects) == 8 || f%len(subjects) == 9 || f%len(subjects) == 22 {
			c.Capacity = 15 // one workstation each (CAT-4)
		}
		if fi.levels > 0 {
			c.Level = 1 + int16(k/nForms)%fi.levels
		}
		if rng.IntN(6) == 0 {
			c.Weekday = time.Saturday
			s := saturdaySlots[rng.IntN(len(saturdaySlots))]
			c.StartMinute, c.EndMinute = s[0], s[1]
		} else {
			c.Weekday = time.Monday + time.Weekday(rng.IntN(5))
			s := eveningSlots[rng.IntN(len(eveningSlots))]
			c.StartMinute, c.EndMinute = s[0], s[1]
		}
		in.Courses[k] = c
		fi.courses = append(fi.courses, int32(k))
	}
	// Popularity: proportional to the seats offered times a random appeal.
	cum := make([]float64, nForms)
	total := 0.0
	for f := range forms {
		total += forms[f].weight * float64(len(forms[f].courses))
		cum[f] = total
	}
	pickForm := func() int {
		x := rng.Float64() * total
		f, _ := slices.BinarySearch(cum, x)
		return min(f, nForms-1)
	}

	target := cfg.Candidatures
	candidates := cfg.Candidates
	if target > 0 {
		candidates = target // upper bound; stops at the target
		in.Candidatures = make([]Candidature, 0, target)
	} else {
		in.Candidatures = make([]Candidature, 0, candidates*3/2+16)
	}
	var chosen []int32
	for cand := 1; cand <= candidates; cand++ {
		if target > 0 && len(in.Candidatures) >= target {
			break
		}
		n := 1
		switch x := rng.IntN(10); {
		case x >= 9:
			n = 3
		case x >= 6:
			n = 2
		}
		if target > 0 {
			n = min(n, target-len(in.Candidatures))
		}
		var social Social
		if rng.IntN(100) < 8 {
			social |= RSA
		}
		if rng.IntN(100) < 14 {
			social |= JobSeeker
		}
		if rng.IntN(100) < 4 {
			social |= Subsidised
		}
		record := int8(rng.IntN(4))
		chosen = chosen[:0]
		for rank := 1; rank <= n; rank++ {
			f := -1
			for try := 0; try < 8; try++ { // a formation not chosen yet (CAN-2)
				g := pickForm()
				dup := false
				for _, c := range chosen {
					if in.Courses[c].Formation == FormationID(g+1) {
						dup = true
					}
				}
				if !dup {
					f = g
					break
				}
			}
			if f < 0 {
				continue
			}
			fi := &forms[f]
			var course int32 = -1
			for try := 0; try < 8; try++ { // a slot free in the basket (CAN-3)
				c := fi.courses[rng.IntN(len(fi.courses))]
				clash := false
				for _, o := range chosen {
					if overlaps(&in.Courses[c], &in.Courses[o]) {
						clash = true
					}
				}
				if !clash {
					course = c
					break
				}
			}
			if course < 0 {
				continue
			}
			chosen = append(chosen, course)
			cd := Candidature{
				Candidate:       CandidateID(cand),
				Formation:       FormationID(f + 1),
				Course:          in.Courses[course].ID,
				AcceptsRedirect: rng.IntN(2) == 0,
				Rank:            int16(rank),
				Social:          social,
				Record:          record,
				Motivation:      int8(rng.IntN(3)),
			}
			switch x := rng.IntN(100); {
			case x < 5:
				cd.Evaluation = 1
			case x < 20:
				cd.Evaluation = 2
			case x < 60:
				cd.Evaluation = 3
			case x < 90:
				cd.Evaluation = 4
			default:
				cd.Evaluation = 5
			}
			if fi.levels > 0 && rng.IntN(100) < 85 { // placement test (SEL-3)
				lvl := in.Courses[course].Level
				switch x := rng.IntN(10); {
				case x < 1 && lvl > 1:
					lvl--
				case x < 2 && lvl < fi.levels:
					lvl++
				}
				cd.PlacedLevel = lvl
			}
			switch x := rng.IntN(1000); {
			case x < 30:
				cd.MissingPrerequisites = true
			case x < 50:
				cd.Withdrawn = true
			case x < 55:
				cd.RepeatExhausted = true
			}
			in.Candidatures = append(in.Candidatures, cd)
		}
	}
	return in
}
