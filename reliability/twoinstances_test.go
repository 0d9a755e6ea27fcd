package reliability

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
)

// candidatePersonas are the adult candidates of the development provider
// (demo-candidate-4 has an unverified email but may apply).
var candidatePersonas = []string{"demo-candidate-1", "demo-candidate-2", "demo-candidate-3", "demo-candidate-4"}

// person is one signed-in candidate of a test.
type person struct {
	*browser
	id int64
}

// acks records the validations acknowledged to browsers (303 to
// /mes-candidatures?valide=1): token → person.
type acks struct {
	mu sync.Mutex
	m  map[string]int64
}

func (a *acks) add(token string, personID int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]int64{}
	}
	a.m[token] = personID
}

func (a *acks) snapshot() map[string]int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]int64, len(a.m))
	for k, v := range a.m {
		out[k] = v
	}
	return out
}

// TestTwoInstancesValidateEachBasketOnce_CAN1_CAN3_CAN4: two `cma serve`
// processes share one PostgreSQL database. Each candidate fills a basket from
// both instances at once while extra courses (a 4th formation, a clashing
// slot, the same formation again) race in; then ~20 identical validations per
// person hit both instances at once; then, with a candidature cancelled, one
// browser edits the basket on each instance while others re-read the basket
// and validate whatever token they saw. Every basket validates once, nobody
// ends over 3 formations or with a clash, and each validation has exactly one
// email and one job.
func TestTwoInstancesValidateEachBasketOnce_CAN1_CAN3_CAN4(t *testing.T) {
	d, dbURL := dbtest.PostgresURL(t)
	a := startServer(t, "A", dbURL)
	b := startServer(t, "B", dbURL) // finds the demo data loaded by A
	instances := []*server{a, b}
	all := openCourses(t, a)
	byID := map[int64]course{}
	for _, c := range all {
		byID[c.ID] = c
	}

	people := make([]person, len(candidatePersonas))
	for i, name := range candidatePersonas {
		br := newBrowser(name)
		br.signIn(t, a)
		people[i] = person{browser: br, id: br.accountID(t, b)} // A's session works on B
	}

	var acked acks
	t.Run("people", func(t *testing.T) {
		for i, p := range people {
			t.Run(p.persona, func(t *testing.T) {
				t.Parallel()
				twoInstancesPerson(t, d, instances, picker{all: all, offset: i * 97}, byID, p, &acked)
			})
		}
	})

	checkRules(t, d)
	checkWhole(t, d)
	checkAcked(t, d, acked.snapshot())
	if n := count(t, d, `SELECT COUNT(*) FROM validations`); n < int64(len(people)) {
		t.Errorf("only %d validations for %d people", n, len(people))
	}
	waitSent(t, d, 20*time.Second, nil)
}

func twoInstancesPerson(t *testing.T, d *db.DB, instances []*server, pk picker, byID map[int64]course, p person, acked *acks) {
	a, b := instances[0], instances[1]
	rng := rand.New(rand.NewPCG(uint64(p.id), 4))
	var errs errorsOf

	// The plan: three courses of different formations at different times, and
	// the intruders: a 4th formation (CAN-1), a slot overlapping the first
	// course (CAN-3), another course of the second formation (CAN-2).
	courses := map[int64]int{} // formation → courses in the open session
	for _, c := range pk.all {
		courses[c.Formation.ID]++
	}
	used := map[int64]bool{}
	var main []course
	for i := range 3 {
		c := pk.pick(t, "a basket course", func(c course) bool {
			return fresh(used, main)(c) && (i != 1 || courses[c.Formation.ID] > 1)
		})
		used[c.Formation.ID] = true
		main = append(main, c)
	}
	fourth := pk.pick(t, "a 4th formation", fresh(used, main))
	used[fourth.Formation.ID] = true
	clash := pk.pick(t, "a clashing slot", func(c course) bool {
		return !used[c.Formation.ID] && c.overlaps(main[0]) && !c.overlaps(main[1]) && !c.overlaps(main[2])
	})
	used[clash.Formation.ID] = true
	again := pk.pick(t, "the same formation again", func(c course) bool {
		return c.Formation.ID == main[1].Formation.ID && c.ID != main[1].ID
	})

	// Phase 1: fill the basket from both instances at once, intruders racing in.
	start := make(chan struct{})
	var wg sync.WaitGroup
	fire := func(c course, times int) {
		for k := range times {
			wg.Go(func() {
				<-start
				s := instances[(k+int(c.ID))%2]
				r, err := p.add(s, c.ID)
				switch {
				case err != nil:
					errs.add("add %s on %s: %v", c.Code, s.name, err)
				case r.status == http.StatusSeeOther && strings.HasPrefix(r.location, "/panier?ajoute="):
				case r.status == http.StatusConflict:
				default:
					errs.add("add %s on %s: %d %s", c.Code, s.name, r.status, r.location)
				}
			})
		}
	}
	for _, c := range main {
		fire(c, 3)
	}
	fire(fourth, 2)
	fire(clash, 2)
	fire(again, 2)
	close(start)
	wg.Wait()
	errs.report(t, "filling the basket")

	var basket []int64
	for _, r := range queryInts(t, d, `SELECT course_id FROM basket_items WHERE account_id = $1 ORDER BY course_id`, p.id) {
		basket = append(basket, r[0])
	}
	checkHeldSet(t, "basket after the racing additions", byID, basket)
	if len(basket) == 0 {
		t.Fatal("the basket is empty after the additions")
	}

	// Phase 2: the same form validated ~20 times at once on both instances.
	pageA, err := p.basket(a)
	if err != nil {
		t.Fatal(err)
	}
	pageB, err := p.basket(b)
	if err != nil {
		t.Fatal(err)
	}
	if pageA.token != pageB.token || !sameSet(pageA.courses, basket) || !sameSet(pageB.courses, basket) {
		t.Fatalf("the two instances show different baskets: A %s %v, B %s %v, database %v",
			pageA.token, pageA.courses, pageB.token, pageB.courses, basket)
	}
	start = make(chan struct{})
	for k := range 20 {
		wg.Go(func() {
			<-start
			s := instances[k%2]
			r, err := p.validate(s, pageA)
			switch {
			case err != nil:
				errs.add("validate on %s: %v", s.name, err)
			case validated(r):
				acked.add(pageA.token, p.id)
			default:
				// The same form sent again must be answered as validated (a
				// double click, a retry, a second tab).
				errs.add("identical validation on %s: %d %s", s.name, r.status, r.location)
			}
		})
	}
	close(start)
	wg.Wait()
	errs.report(t, "identical validations")
	if n := count(t, d, `SELECT COUNT(*) FROM validations WHERE key = $1 AND account_id = $2`, pageA.token, p.id); n != 1 {
		t.Errorf("%d validations rows for the one basket, want 1", n)
	}
	if got := candidatureCourses(t, d, pageA.token); !sameSet(got, basket) {
		t.Errorf("the validation made candidatures for courses %v, the basket held %v", got, basket)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM basket_items WHERE account_id = $1`, p.id); n != 0 {
		t.Errorf("%d courses left in the basket after validation", n)
	}

	// Phase 3, three rounds: cancel one candidature (CAN-5), then race basket
	// edits on both instances against validations of whatever token each
	// browser last saw.
	tokens := 0
	for range 3 {
		pk.offset += 53
		tokens += editRace(t, d, instances, pk, byID, p, acked, rng.Uint64())
	}
	var now []int64
	for _, r := range queryInts(t, d, `SELECT course_id FROM candidatures WHERE account_id = $1 AND status = 'submitted'`, p.id) {
		now = append(now, r[0])
	}
	checkHeldSet(t, "active candidatures", byID, now)
	t.Logf("%s: basket %v validated once by 20 requests; then %d validations acknowledged in 3 edit races; holds %d courses",
		p.persona, basket, tokens, len(now))
}

// editRace cancels the person's oldest candidature, then one browser tab per
// instance adds and removes courses (a new formation, another one that would
// be a 4th, one clashing with the first, the cancelled course) while four
// tabs read the basket on one instance and validate it on the other. It
// returns how many distinct validations were acknowledged.
func editRace(t *testing.T, d *db.DB, instances []*server, pk picker, byID map[int64]course, p person, acked *acks, seed uint64) int {
	t.Helper()
	var errs errorsOf
	var wg sync.WaitGroup
	b := instances[1]
	active := queryInts(t, d, `SELECT id, course_id FROM candidatures WHERE account_id = $1 AND status = 'submitted' ORDER BY id`, p.id)
	if len(active) == 0 {
		t.Fatal("no active candidature after validation")
	}
	r, err := p.postForm(b, fmt.Sprintf("/mes-candidatures/%d/annuler", active[0][0]), nil)
	if err != nil || r.status != http.StatusSeeOther || r.location != fmt.Sprintf("/mes-candidatures?annule=%d", active[0][0]) {
		t.Fatalf("cancel candidature %d: %v %d %s", active[0][0], err, r.status, r.location)
	}
	var held []course
	used := map[int64]bool{byID[active[0][1]].Formation.ID: true}
	for _, row := range active[1:] {
		held = append(held, byID[row[1]])
		used[byID[row[1]].Formation.ID] = true
	}
	x1 := pk.pick(t, "a new formation", fresh(used, held))
	used[x1.Formation.ID] = true
	x2 := pk.pick(t, "another new formation", fresh(used, append(slices.Clone(held), x1)))
	used[x2.Formation.ID] = true
	x3 := pk.pick(t, "a new formation clashing with the first", func(c course) bool {
		return fresh(used, held)(c) && c.overlaps(x1)
	})
	pool := []course{x1, x2, x3, byID[active[0][1]]}

	type seen struct {
		token   string
		courses []int64
	}
	var mu sync.Mutex
	var seenAcked []seen
	start := make(chan struct{})
	for e := range 2 { // one editor per instance
		s := instances[e]
		wg.Go(func() {
			<-start
			rng := rand.New(rand.NewPCG(seed, uint64(e)))
			for range 25 {
				c := pool[rng.IntN(len(pool))]
				if rng.IntN(2) == 0 {
					r, err := p.add(s, c.ID)
					if err != nil || (r.status != http.StatusSeeOther && r.status != http.StatusConflict) {
						errs.add("add %s on %s: %v %d", c.Code, s.name, err, r.status)
					}
				} else {
					r, err := p.remove(s, c.ID)
					if err != nil || r.status != http.StatusSeeOther {
						errs.add("remove %s on %s: %v %d", c.Code, s.name, err, r.status)
					}
				}
			}
		})
	}
	for v := range 4 { // validators: read the basket on one instance, validate on the other
		wg.Go(func() {
			<-start
			for k := range 12 {
				from, to := instances[(v+k)%2], instances[(v+k+1)%2]
				page, err := p.basket(from)
				if err != nil {
					errs.add("%v", err)
					continue
				}
				if page.token == "" {
					continue // empty basket: nothing to validate
				}
				r, err := p.validate(to, page)
				switch {
				case err != nil:
					errs.add("validate on %s: %v", to.name, err)
				case validated(r):
					acked.add(page.token, p.id)
					mu.Lock()
					seenAcked = append(seenAcked, seen{page.token, page.courses})
					mu.Unlock()
				case r.status == http.StatusConflict: // the basket changed or is empty
				default:
					errs.add("validate on %s: %d %s", to.name, r.status, r.location)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	errs.report(t, "edits racing validations")

	// Each validated token made candidatures for the basket a browser was shown
	// with that token: the token is what keeps a basket changed in another tab
	// from being validated blind.
	shown := map[string][][]int64{}
	for _, s := range seenAcked {
		shown[s.token] = append(shown[s.token], s.courses)
	}
	for token, pages := range shown {
		got := candidatureCourses(t, d, token)
		if !slices.ContainsFunc(pages, func(c []int64) bool { return sameSet(c, got) }) {
			t.Errorf("validation %s made candidatures for courses %v; the pages showing that token listed %v", token, got, pages)
		}
	}
	return len(shown)
}

// checkHeldSet checks CAN-1..3 on a set of courses held at once.
func checkHeldSet(t *testing.T, what string, byID map[int64]course, ids []int64) {
	t.Helper()
	formations := map[int64]bool{}
	for i, id := range ids {
		c := byID[id]
		if formations[c.Formation.ID] {
			t.Errorf("%s: formation %d twice (CAN-2): %v", what, c.Formation.ID, ids)
		}
		formations[c.Formation.ID] = true
		for _, other := range ids[i+1:] {
			if c.overlaps(byID[other]) {
				t.Errorf("%s: courses %s and %s overlap (CAN-3)", what, c.Code, byID[other].Code)
			}
		}
	}
	if len(formations) > 3 {
		t.Errorf("%s: %d formations (CAN-1): %v", what, len(formations), ids)
	}
}

func sameSet(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
