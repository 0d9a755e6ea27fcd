// Package demo is the deterministic demo data generator: a realistic catalogue of a
// city's adult evening courses (Paris "Cours Municipaux d'Adultes"), in French, for
// `cma demo` and `cma serve --demo`. The same options always give the same dataset:
// no map iteration order, no clock and no global random source are involved.
package demo

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/schollz/progressbar/v3"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/store"
)

// Options say how much data to make and for which day.
type Options struct {
	Scale    int       // 1 = a realistic city; N multiplies the courses ~N times (establishments up to 4 times)
	Seed     int64     // the CLI uses 2026
	Today    time.Time // the day the demo runs: the 2nd semester's candidature period is open that day
	Progress io.Writer // where a progress bar is drawn; nil = silent
	// RulesVersion is the internal rules' version the demo candidatures
	// accepted (CAN-7): it must be published before Load. "" loads no
	// candidates nor candidatures.
	RulesVersion string
	// Owners are demo candidates with sign-in personas, given candidatures
	// first (People).
	Owners []Owner
}

// Stats counts what Load inserted.
type Stats struct {
	Establishments, Rooms, Formations, Sessions, Courses int
	Candidates, Candidatures                             int
}

// Dataset is the generated catalogue, before insertion.
type Dataset struct {
	Establishments []domain.Establishment // with Rooms
	Formations     []domain.Formation
	Sessions       []domain.Session
	Courses        []Course // references by code, resolved to IDs by Load
	SchoolHolidays []store.SchoolHoliday
}

// Course is a course whose formation, establishment, room and session are named by
// code (and room name) instead of IDs.
type Course struct {
	domain.Course
	FormationCode, EstablishmentCode, RoomName, SessionCode string
}

// CoursesPerScale is the number of courses generated per unit of Options.Scale.
const CoursesPerScale = 1400

// ProgressDescription is the label of the progress bar.
const ProgressDescription = "Chargement des données de démonstration"

// defaultToday stands in for a zero Options.Today, keeping Generate free of the clock.
var defaultToday = time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)

// parisLocation loads Europe/Paris, or falls back to a fixed CET zone.
func parisLocation() (*time.Location, error) {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600), err
	}
	return loc, nil
}

func civil(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Session codes.
const (
	SessionAnnualCode    = "2026-2027-ANNUEL"
	SessionSemester1Code = "2026-2027-S1"
	SessionSemester2Code = "2026-2027-S2"
	SessionSummerCode    = "2026-2027-ETE"
)

// sessions are the 2026-2027 sessions (PER-1). Only the 2nd semester's periods
// move with today, so that its candidatures are open whatever day the demo runs.
func sessions(today time.Time, paris *time.Location) []domain.Session {
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, paris) }
	t := today.In(paris)
	y, m, d := t.Date()
	s2Opens := at(y, m, d-21, 0, 0)
	s2Closes := domain.DeadlineOf(at(y, m, d+21, 0, 0)) // open until the end of that day (PER-1, CAN-5)
	s2AnswerOpens := at(y, m, d+28, 9, 0)
	s2AnswerCloses := domain.DeadlineOf(at(y, m, d+42, 0, 0))
	return []domain.Session{
		{Code: SessionAnnualCode, Name: "Année 2026-2027", Kind: domain.SessionAnnual,
			FirstDay: civil(2026, time.September, 28), LastDay: civil(2027, time.June, 19),
			CandidatureOpens: at(2026, time.June, 1, 10, 0), CandidatureCloses: domain.DeadlineOn(2026, time.September, 6),
			AnswerOpens: at(2026, time.September, 14, 9, 0), AnswerCloses: domain.DeadlineOn(2026, time.September, 25)},
		{Code: SessionSemester1Code, Name: "1er semestre 2026-2027", Kind: domain.SessionSemester1,
			FirstDay: civil(2026, time.September, 28), LastDay: civil(2027, time.January, 30),
			CandidatureOpens: at(2026, time.June, 1, 10, 0), CandidatureCloses: domain.DeadlineOn(2026, time.September, 6),
			AnswerOpens: at(2026, time.September, 14, 9, 0), AnswerCloses: domain.DeadlineOn(2026, time.September, 25)},
		{Code: SessionSemester2Code, Name: "2e semestre 2026-2027", Kind: domain.SessionSemester2,
			FirstDay: civil(2027, time.February, 1), LastDay: civil(2027, time.June, 19),
			CandidatureOpens: s2Opens, CandidatureCloses: s2Closes,
			AnswerOpens: s2AnswerOpens, AnswerCloses: s2AnswerCloses},
		{Code: SessionSummerCode, Name: "Stage intensif d'été 2027", Kind: domain.SessionSpecial,
			FirstDay: civil(2027, time.July, 5), LastDay: civil(2027, time.July, 23),
			CandidatureOpens: at(2027, time.April, 6, 10, 0), CandidatureCloses: domain.DeadlineOn(2027, time.May, 30),
			AnswerOpens: at(2027, time.June, 7, 9, 0), AnswerCloses: domain.DeadlineOn(2027, time.June, 20),
			HolidaySession: true},
	}
}

// schoolHolidays are the zone C (Paris) school holidays of 2026-2027 (CAT-5).
func schoolHolidays() []store.SchoolHoliday {
	h := func(name string, first, last time.Time) store.SchoolHoliday {
		return store.SchoolHoliday{Zone: "C", Name: name, First: first, Last: last}
	}
	return []store.SchoolHoliday{
		h("Vacances de la Toussaint", civil(2026, time.October, 17), civil(2026, time.November, 1)),
		h("Vacances de Noël", civil(2026, time.December, 19), civil(2027, time.January, 3)),
		h("Vacances d'hiver", civil(2027, time.February, 20), civil(2027, time.March, 7)),
		h("Vacances de printemps", civil(2027, time.April, 17), civil(2027, time.May, 2)),
		h("Vacances d'été", civil(2027, time.July, 3), civil(2027, time.August, 31)),
	}
}

// roomInfo is a room with what the generator needs to place courses in it.
type roomInfo struct {
	est, room int    // indexes in Dataset.Establishments and its Rooms
	kind      string // "ordinary", "computer" or "atelier:<trade>"
	// busy[term][weekday] holds the [start, end) minutes taken; terms are the 1st
	// and 2nd halves of the year and the summer (an annual course takes both halves).
	busy [3][7][][2]int
}

func roomKindKey(kind domain.FormationKind, trade string) string {
	switch kind {
	case domain.KindComputer:
		return "computer"
	case domain.KindTechnical:
		return "atelier:" + trade
	}
	return "ordinary"
}

// termsOf maps a session to the terms its courses occupy.
func termsOf(code string) []int {
	switch code {
	case SessionAnnualCode:
		return []int{0, 1}
	case SessionSemester1Code:
		return []int{0}
	case SessionSemester2Code:
		return []int{1}
	}
	return []int{2}
}

func (r *roomInfo) free(terms []int, wd time.Weekday, start, end int) bool {
	for _, t := range terms {
		for _, iv := range r.busy[t][wd] {
			if start < iv[1] && iv[0] < end {
				return false
			}
		}
	}
	return true
}

func (r *roomInfo) take(terms []int, wd time.Weekday, start, end int) {
	for _, t := range terms {
		r.busy[t][wd] = append(r.busy[t][wd], [2]int{start, end})
	}
}

type generator struct {
	rng   *rand.Rand
	faker *gofakeit.Faker
	ds    Dataset
	rooms []*roomInfo
	byKey map[string][]int // room kind key → indexes in rooms, in creation order
}

// Generate builds the dataset in memory, without I/O. Same options, same dataset.
func Generate(opt Options) Dataset {
	scale := max(opt.Scale, 1)
	today := opt.Today
	if today.IsZero() {
		today = defaultToday
	}
	paris, _ := parisLocation()
	g := &generator{
		rng:   rand.New(rand.NewPCG(uint64(opt.Seed), 0x434d41)), // "CMA"
		faker: gofakeit.New(uint64(opt.Seed) ^ 0x5eed),
		byKey: map[string][]int{},
	}
	g.ds.Sessions = sessions(today, paris)
	g.ds.SchoolHolidays = schoolHolidays()
	g.establishments(min(scale, 4))
	formations, specOf := buildFormations()
	g.ds.Formations = formations
	g.courses(scale*CoursesPerScale, specOf)
	defaultTariffs(&g.ds)
	return g.ds
}

// defaultTariffs gives each formation the tariff most of its courses have
// (the lowest of equals) as its default; the courses at that tariff follow
// it, the others keep their own (CAT-3), as a city's catalogue does.
func defaultTariffs(ds *Dataset) {
	counts := map[string]map[int64]int{}
	for _, c := range ds.Courses {
		if counts[c.FormationCode] == nil {
			counts[c.FormationCode] = map[int64]int{}
		}
		counts[c.FormationCode][c.PriceCents]++
	}
	byCode := map[string]int64{}
	for i := range ds.Formations {
		f := &ds.Formations[i]
		best, n := int64(0), 0
		for price, k := range counts[f.Code] {
			if k > n || k == n && price < best {
				best, n = price, k
			}
		}
		f.DefaultPriceCents = best
		byCode[f.Code] = best
	}
	for i := range ds.Courses {
		c := &ds.Courses[i]
		c.OwnPrice = c.PriceCents != byCode[c.FormationCode]
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// schoolTypes are the kinds of school buildings hosting courses; roomsFor gives
// each its rooms.
var schoolTypes = []string{"École élémentaire", "École polyvalente", "Collège", "Lycée professionnel", "Lycée"}

// establishments creates districtWeight×mult establishments in every district.
func (g *generator) establishments(mult int) {
	used := map[string]bool{}
	patron := g.rng.IntN(len(schoolPatrons))
	for di := range 20 {
		district := di + 1
		streets := districtStreets[di]
		// Every (street, type) pair at most once per district, in a seeded order.
		type combo struct{ street, typ int }
		var combos []combo
		for s := range streets {
			for t := range schoolTypes {
				combos = append(combos, combo{s, t})
			}
		}
		g.rng.Shuffle(len(combos), func(i, j int) { combos[i], combos[j] = combos[j], combos[i] })
		n := min(districtWeight[di]*mult, len(combos))
		for k := range n {
			c := combos[k]
			// Guarantee a vocational lycée (workshops) in every other district.
			if k == 0 && di%2 == 0 {
				c.typ = 3
			}
			typ := schoolTypes[c.typ]
			street := streets[c.street]
			var short string
			if c.typ <= 1 { // schools are known by their street
				short = streetShort(street)
			} else {
				short = schoolPatrons[patron%len(schoolPatrons)]
				patron++
			}
			code := fmt.Sprintf("E-%02d-%s", district, slug(short, 4))
			for i := 2; used[code]; i++ {
				code = fmt.Sprintf("E-%02d-%s-%d", district, slug(short, 4), i)
			}
			used[code] = true
			e := domain.Establishment{
				Code:       code,
				Name:       typ + " " + short,
				Address:    fmt.Sprintf("%d %s", 1+g.rng.IntN(120), street),
				PostalCode: fmt.Sprintf("750%02d", district),
				City:       "Paris",
				District:   district,
			}
			e.Rooms = g.roomsFor(c.typ, len(g.ds.Establishments))
			g.addEstablishment(e)
		}
	}
	// Every trade needs at least two workshops somewhere.
	for ti, tr := range trades {
		for len(g.byKey["atelier:"+tr.trade]) < 2 {
			ei := (ti*7 + len(g.byKey["atelier:"+tr.trade])*13) % len(g.ds.Establishments)
			e := &g.ds.Establishments[ei]
			if len(e.Rooms) >= 8 || hasRoom(e, tr.room) {
				ei = (ei + 1) % len(g.ds.Establishments)
				e = &g.ds.Establishments[ei]
				if len(e.Rooms) >= 8 || hasRoom(e, tr.room) {
					continue
				}
			}
			e.Rooms = append(e.Rooms, domain.Room{Name: tr.room, Workstations: workshopMinPost + g.rng.IntN(workshopMaxPost-workshopMinPost+1)})
			g.addRoom(ei, len(e.Rooms)-1)
		}
	}
}

func hasRoom(e *domain.Establishment, name string) bool {
	for _, r := range e.Rooms {
		if r.Name == name {
			return true
		}
	}
	return false
}

func (g *generator) addEstablishment(e domain.Establishment) {
	g.ds.Establishments = append(g.ds.Establishments, e)
	ei := len(g.ds.Establishments) - 1
	for ri := range e.Rooms {
		g.addRoom(ei, ri)
	}
}

func (g *generator) addRoom(ei, ri int) {
	r := g.ds.Establishments[ei].Rooms[ri]
	key := "ordinary"
	switch {
	case r.Workstations == 0:
	case strings.HasPrefix(r.Name, "Salle informatique"):
		key = "computer"
	default:
		for _, tr := range trades {
			if tr.room == r.Name {
				key = "atelier:" + tr.trade
			}
		}
	}
	g.rooms = append(g.rooms, &roomInfo{est: ei, room: ri, kind: key})
	g.byKey[key] = append(g.byKey[key], len(g.rooms)-1)
}

// roomsFor gives an establishment of type typ 3 to 8 rooms.
func (g *generator) roomsFor(typ, n int) []domain.Room {
	var rooms []domain.Room
	ordinary, computer, workshops := 0, 0, 0
	switch typ {
	case 0, 1: // écoles: classrooms, often one computer room
		ordinary = 3 + g.rng.IntN(3)
		if g.rng.IntN(10) < 6 {
			computer = 1
		}
	case 2: // collège
		ordinary = 3 + g.rng.IntN(3)
		computer = 1 + g.rng.IntN(2)
	case 3: // lycée professionnel
		ordinary = 2 + g.rng.IntN(2)
		computer = 1
		workshops = 1 + g.rng.IntN(3)
	default: // lycée
		ordinary = 3 + g.rng.IntN(3)
		computer = 1 + g.rng.IntN(2)
	}
	floor := 1 + g.rng.IntN(2)
	for i := range ordinary {
		rooms = append(rooms, domain.Room{Name: fmt.Sprintf("Salle %d%02d", floor+i/3, 1+i%3)})
	}
	for i := range computer {
		rooms = append(rooms, domain.Room{Name: "Salle informatique " + string(rune('A'+i)), Workstations: 12 + g.rng.IntN(9)})
	}
	start := g.rng.IntN(len(trades))
	for i := range workshops {
		tr := trades[(start+i*(1+n%2))%len(trades)]
		if hasRoom(&domain.Establishment{Rooms: rooms}, tr.room) {
			continue
		}
		rooms = append(rooms, domain.Room{Name: tr.room, Workstations: workshopMinPost + g.rng.IntN(workshopMaxPost-workshopMinPost+1)})
	}
	return rooms
}

// streetShort is the part of a street name a school is known by:
// "rue de la Victoire" → "Victoire", "avenue Parmentier" → "Parmentier".
func streetShort(street string) string {
	s := street
	for _, p := range []string{"rue ", "avenue ", "boulevard ", "place "} {
		if len(s) > len(p) && s[:len(p)] == p {
			s = s[len(p):]
			break
		}
	}
	for _, p := range []string{"de la ", "de l'", "des ", "du ", "de ", "d'"} {
		if len(s) > len(p) && s[:len(p)] == p {
			s = s[len(p):]
			break
		}
	}
	if s == "" {
		return street
	}
	// Capitalise the first letter (ASCII or accented).
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	return string(r)
}

// slot is a time slot in minutes after midnight, Paris time.
type slot struct{ start, end int }

func hm(h, m int) int { return h*60 + m }

var (
	eveningSlots = func() []slot {
		var out []slot
		for _, st := range []int{hm(18, 0), hm(18, 30), hm(19, 0), hm(19, 30), hm(20, 0)} {
			for _, d := range []int{90, 120, 150, 180} {
				if st+d <= hm(21, 30) {
					out = append(out, slot{st, st + d})
				}
			}
		}
		return out
	}()
	saturdaySlots = []slot{{hm(9, 0), hm(12, 0)}, {hm(9, 0), hm(10, 30)}, {hm(10, 30), hm(12, 0)}, {hm(9, 30), hm(12, 30)},
		{hm(10, 0), hm(12, 0)}, {hm(13, 30), hm(16, 30)}, {hm(14, 0), hm(17, 0)}, {hm(14, 0), hm(16, 0)}}
	daytimeSlots = []slot{{hm(9, 30), hm(12, 0)}, {hm(10, 0), hm(12, 0)}, {hm(14, 0), hm(16, 0)}, {hm(14, 0), hm(17, 0)}, {hm(13, 30), hm(15, 30)}}
	summerSlots  = []slot{{hm(9, 30), hm(12, 30)}, {hm(9, 0), hm(12, 0)}, {hm(14, 0), hm(17, 0)}, {hm(13, 30), hm(16, 30)}, {hm(18, 0), hm(21, 0)}, {hm(18, 30), hm(21, 30)}}
	diplomaSlots = []slot{{hm(18, 0), hm(21, 0)}, {hm(18, 30), hm(21, 30)}, {hm(18, 0), hm(20, 30)}, {hm(19, 0), hm(21, 30)}}
)

// pickSlot draws a weekday and a time slot for a course of the session.
func (g *generator) pickSlot(session string, f *domain.Formation) (time.Weekday, slot) {
	if session == SessionSummerCode {
		return time.Weekday(1 + g.rng.IntN(5)), summerSlots[g.rng.IntN(len(summerSlots))]
	}
	p := g.rng.IntN(100)
	switch {
	case p < 80:
		wd := time.Weekday(1 + g.rng.IntN(5))
		if f.Diploma {
			return wd, diplomaSlots[g.rng.IntN(len(diplomaSlots))]
		}
		return wd, eveningSlots[g.rng.IntN(len(eveningSlots))]
	case p < 92:
		if f.Diploma {
			return time.Saturday, saturdaySlots[g.rng.IntN(2)*5] // 9h–12h or 13h30–16h30
		}
		return time.Saturday, saturdaySlots[g.rng.IntN(len(saturdaySlots))]
	}
	return time.Weekday(1 + g.rng.IntN(5)), daytimeSlots[g.rng.IntN(len(daytimeSlots))]
}

// sessionShares are the chances (in %) of the annual, 1st semester, 2nd semester
// and summer sessions for a subject.
func sessionShares(f *domain.Formation) [4]int {
	switch f.Subject {
	case domain.SubjectDiploma:
		return [4]int{88, 0, 8, 4}
	case domain.SubjectComputing, domain.SubjectOffice:
		return [4]int{35, 28, 30, 7}
	case domain.SubjectArts:
		return [4]int{58, 12, 18, 12}
	case domain.SubjectSciences:
		return [4]int{62, 15, 17, 6}
	case domain.SubjectFLE:
		return [4]int{52, 15, 25, 8}
	}
	return [4]int{58, 15, 21, 6}
}

var sessionOrder = [4]string{SessionAnnualCode, SessionSemester1Code, SessionSemester2Code, SessionSummerCode}

func (g *generator) pickSession(f *domain.Formation) string {
	sh := sessionShares(f)
	p := g.rng.IntN(100)
	for i, s := range sh {
		if p < s {
			return sessionOrder[i]
		}
		p -= s
	}
	return sessionOrder[0]
}

// courses places n courses: every formation once first, then by popularity.
func (g *generator) courses(n int, specOf []int) {
	fs := g.ds.Formations
	weights := make([]float64, len(fs))
	total := 0.0
	for i := range fs {
		w := formationSpecs[specOf[i]].weight
		switch fs[i].Level {
		case domain.LevelBeginner:
			w *= 1.5
		case domain.LevelElementary:
			w *= 1.2
		case domain.LevelAdvanced:
			w *= 0.7
		}
		total += w
		weights[i] = total
	}
	trainers := g.trainers(max(60, n/4))
	failures := 0
	for i := 0; len(g.ds.Courses) < n && failures < n; i++ {
		var fi int
		if i < len(fs) {
			fi = i
		} else {
			x := g.rng.Float64() * total
			fi, _ = slices.BinarySearch(weights, x)
			fi = min(fi, len(fs)-1)
		}
		if !g.place(&fs[fi], specOf[fi], trainers) {
			failures++
		}
	}
}

// trainers draws n distinct "Prénom Nom" names.
func (g *generator) trainers(n int) []string {
	n = min(n, len(firstNames)*len(lastNames)/2)
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		name := g.faker.RandomString(firstNames) + " " + g.faker.RandomString(lastNames)
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// place tries to put one course of f in a free room slot; false when none was found.
func (g *generator) place(f *domain.Formation, si int, trainers []string) bool {
	sp := formationSpecs[si]
	candidates := g.byKey[roomKindKey(f.Kind, sp.trade)]
	if len(candidates) == 0 {
		return false
	}
	session := g.pickSession(f)
	terms := termsOf(session)
	for range 40 {
		r := g.rooms[candidates[g.rng.IntN(len(candidates))]]
		wd, sl := g.pickSlot(session, f)
		if !r.free(terms, wd, sl.start, sl.end) {
			continue
		}
		r.take(terms, wd, sl.start, sl.end)
		e := &g.ds.Establishments[r.est]
		room := e.Rooms[r.room]
		capacity := domain.DefaultCapacity(f.Kind, room)
		if f.Kind == domain.KindGeneral {
			capacity = domain.GeneralMinCapacity + g.rng.IntN(domain.GeneralMaxCapacity-domain.GeneralMinCapacity+1)
		}
		enrolled := capacity
		if g.rng.IntN(100) >= 20 { // about one course in five is full
			enrolled = g.rng.IntN(capacity)
		}
		price := g.price(f, session, sl)
		c := Course{
			Course: domain.Course{
				Code:         fmt.Sprintf("C-%06d", len(g.ds.Courses)+1),
				Weekday:      wd,
				StartMinute:  sl.start,
				EndMinute:    sl.end,
				Level:        f.Level,
				Capacity:     capacity,
				Enrolled:     enrolled,
				Trainer:      trainers[g.rng.IntN(len(trainers))],
				PriceCents:   price,
				ReducedCents: (price + 1) / 2,
				Remote:       f.Kind != domain.KindTechnical && g.rng.IntN(100) < 3,
			},
			FormationCode:     f.Code,
			EstablishmentCode: e.Code,
			RoomName:          room.Name,
			SessionCode:       session,
		}
		g.ds.Courses = append(g.ds.Courses, c)
		return true
	}
	return false
}

// price is the full tariff in cents: about 3.50 € an hour over the session's weeks
// (30 for the year, 15 a semester, 3 for the summer course), more for diplomas,
// rounded to 5 €, and between 150 € and 500 € a year (up to 900 € for diplomas).
func (g *generator) price(f *domain.Formation, session string, sl slot) int64 {
	hours := float64(sl.end-sl.start) / 60
	weeks := 30.0
	switch session {
	case SessionSemester1Code, SessionSemester2Code:
		weeks = 15
	case SessionSummerCode:
		weeks = 15 // five half-days a week for three weeks
	}
	rate := 3.2 + g.rng.Float64()*0.8
	lo, hi := 150.0, 500.0
	if f.Diploma {
		rate *= 1.8
		hi = 900
	}
	if f.Kind == domain.KindComputer {
		rate *= 1.15
	}
	euros := hours * weeks * rate
	if session != SessionAnnualCode {
		lo = 90
	}
	euros = math.Max(lo, math.Min(hi, euros))
	return int64(math.Round(euros/5)) * 500
}

// Load generates the dataset and loads it into an empty catalogue the way a
// city loads its own: the sessions (whose dates move with today) and the
// school holidays are created by code in one transaction, then each session's
// workbook (Workbook: its courses beside the establishments, rooms and
// formations) goes through the catalogue import, one transaction per session
// (CAT-3). A catalogue that already holds establishments, formations,
// sessions or courses is refused.
func Load(ctx context.Context, s *store.Store, opt Options) (Stats, error) {
	if _, err := parisLocation(); err != nil {
		return Stats{}, fmt.Errorf("demo: fuseau Europe/Paris introuvable : %w", err)
	}
	empty, err := s.CatalogueEmpty(ctx)
	if err != nil {
		return Stats{}, err
	}
	if !empty {
		return Stats{}, ErrNotEmpty
	}
	ds := Generate(opt)
	var bar *progressbar.ProgressBar
	if opt.Progress != nil {
		bar = progressbar.NewOptions(2*len(ds.Courses)+len(ds.Sessions)+1,
			progressbar.OptionSetWriter(opt.Progress),
			progressbar.OptionSetDescription(ProgressDescription),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(opt.Progress) }),
		)
	}
	step := func(n int) {
		if bar != nil {
			_ = bar.Add(n)
		}
	}
	err = s.InTx(ctx, func(tx *sql.Tx) error {
		if err := ensureEmpty(ctx, tx); err != nil {
			return err
		}
		for i := range ds.Sessions {
			if err := s.InsertSession(ctx, tx, &ds.Sessions[i]); err != nil {
				return err
			}
			step(1)
		}
		if err := insertHolidays(ctx, tx, ds.SchoolHolidays); err != nil {
			return err
		}
		step(1)
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("demo: %w", err)
	}
	today := opt.Today
	if today.IsZero() {
		today = defaultToday
	}
	admin := catalogue.NewAdmin(catalogue.AdminDeps{Store: s, Now: func() time.Time { return today }})
	enrolled := map[string]int{}
	for _, c := range ds.Courses {
		if c.Enrolled > 0 {
			enrolled[c.Code] = c.Enrolled
		}
	}
	for _, se := range ds.Sessions {
		var file bytes.Buffer
		if err := export.WriteWorkbook(&file, Workbook(ds, se.Code, today)...); err != nil {
			return Stats{}, fmt.Errorf("demo: %w", err)
		}
		reached := 0
		rep, err := admin.ImportAsPlatform(ctx, se.ID, "demo-"+se.Code+".xlsx", &file, false, func(done, _ int) {
			step(done - reached)
			reached = done
		})
		if err != nil {
			return Stats{}, fmt.Errorf("demo: import of %s: %w (%+v)", se.Code, err, firstProblems(rep.Problems))
		}
	}
	// Places already taken: no spreadsheet carries them.
	if err := s.InTx(ctx, func(tx *sql.Tx) error { return s.SetEnrolledByCode(ctx, tx, enrolled) }); err != nil {
		return Stats{}, fmt.Errorf("demo: %w", err)
	}
	var people, cands int
	if opt.RulesVersion != "" {
		if people, cands, err = loadPeople(ctx, s, People(ds, opt, opt.Owners), opt.RulesVersion, today); err != nil {
			return Stats{}, fmt.Errorf("demo: candidatures: %w", err)
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	st := Stats{Candidates: people, Candidatures: cands, Establishments: len(ds.Establishments), Formations: len(ds.Formations), Sessions: len(ds.Sessions), Courses: len(ds.Courses)}
	for _, e := range ds.Establishments {
		st.Rooms += len(e.Rooms)
	}
	return st, nil
}

func firstProblems(ps []catalogue.Problem) []catalogue.Problem { return ps[:min(len(ps), 5)] }

// Workbook is the demo city's catalogue file of one session, in the import's
// format: its courses, then every establishment, room and formation (the
// sheets Cours, Établissements, Salles and Formations). The same dataset
// gives the same workbook; testdata/demo-catalogue keeps scale 1's as CSV.
func Workbook(ds Dataset, sessionCode string, at time.Time) []export.Table {
	cat := &store.Catalogue{}
	var roomID int64
	roomIDs := map[string]int64{}
	for i, e := range ds.Establishments {
		e.ID = int64(i + 1)
		e.Rooms = slices.Clone(e.Rooms)
		for j := range e.Rooms {
			roomID++
			e.Rooms[j].ID, e.Rooms[j].EstablishmentID = roomID, e.ID
			roomIDs[e.Code+"\x00"+e.Rooms[j].Name] = roomID
		}
		cat.Establishments = append(cat.Establishments, e)
	}
	formationIDs := map[string]int64{}
	for i, f := range ds.Formations {
		f.ID = int64(i + 1)
		formationIDs[f.Code] = f.ID
		cat.Formations = append(cat.Formations, f)
	}
	estIDs := map[string]int64{}
	for _, e := range cat.Establishments {
		estIDs[e.Code] = e.ID
	}
	const sessionID = 1
	for _, c := range ds.Courses {
		if c.SessionCode != sessionCode {
			continue
		}
		co := c.Course
		co.ID, co.SessionID = 0, sessionID
		co.EstablishmentID, co.FormationID = estIDs[c.EstablishmentCode], formationIDs[c.FormationCode]
		co.RoomID = roomIDs[c.EstablishmentCode+"\x00"+c.RoomName]
		cat.Courses = append(cat.Courses, co)
	}
	cat.Sessions = []domain.Session{{ID: sessionID, Code: sessionCode}}
	return catalogue.CatalogueTables(cat, nil, sessionID, at)
}

// ErrNotEmpty refuses to load the demo over an existing catalogue.
var ErrNotEmpty = fmt.Errorf("le catalogue n'est pas vide : les données de démonstration se chargent seulement dans une base vide")

// ensureEmpty checks, inside the loading transaction, that no catalogue row exists.
func ensureEmpty(ctx context.Context, tx *sql.Tx) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM establishments LIMIT 1) e) +
		(SELECT count(*) FROM (SELECT 1 FROM formations LIMIT 1) f) +
		(SELECT count(*) FROM (SELECT 1 FROM sessions LIMIT 1) s) +
		(SELECT count(*) FROM (SELECT 1 FROM courses LIMIT 1) c)`).Scan(&n)
	if err != nil {
		return fmt.Errorf("check empty catalogue: %w", err)
	}
	if n != 0 {
		return ErrNotEmpty
	}
	return nil
}

// insertHolidays replaces the zone's school holidays, as store.ReplaceSchoolHolidays
// does, but inside the loading transaction.
func insertHolidays(ctx context.Context, tx *sql.Tx, hs []store.SchoolHoliday) error {
	var zones []string
	for _, h := range hs {
		if !slices.Contains(zones, h.Zone) {
			zones = append(zones, h.Zone)
		}
	}
	for _, z := range zones {
		if _, err := tx.ExecContext(ctx, `DELETE FROM school_holidays WHERE zone = $1`, z); err != nil {
			return fmt.Errorf("delete school holidays of %s: %w", z, err)
		}
	}
	for _, h := range hs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO school_holidays (zone, name, first_day, last_day) VALUES ($1, $2, $3, $4)`,
			h.Zone, h.Name, h.First.Format(time.DateOnly), h.Last.Format(time.DateOnly)); err != nil {
			return fmt.Errorf("insert school holiday %q: %w", h.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE catalogue_state SET revision = revision + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump catalogue revision: %w", err)
	}
	return nil
}
