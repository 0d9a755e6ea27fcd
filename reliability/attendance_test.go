package reliability

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/db"
)

// The attendance drill's clock: a Friday of December, the annual session's
// registers filled by the demo since September (ATT-1).
const registersAt = "2026-12-04T21:00:00+01:00"

var (
	registerDay   = regexp.MustCompile(`/back-office/cours/[0-9]+/appel/([0-9]{4}-[0-9]{2}-[0-9]{2})"`)
	registerKey   = regexp.MustCompile(`name="cle" value="([^"]+)"`)
	registerRadio = regexp.MustCompile(`<input type="radio" name="marque-([0-9]+)" value="([a-z_]+)"( checked)?`)
)

// registerForm is one class meeting's register as staff send it:
// the form's key (fetched with the page, so that a retry resends the same
// one) and the mark wanted for each learner.
type registerForm struct {
	course int64
	day    string
	key    string
	marks  map[int64]string // candidature → mark
	fresh  bool             // the register was never taken before
}

func (f registerForm) path() string {
	return "/back-office/cours/" + strconv.FormatInt(f.course, 10) + "/appel/" + f.day
}

func (f registerForm) values() url.Values {
	v := url.Values{"cle": {f.key}}
	for cand, mark := range f.marks {
		id := strconv.FormatInt(cand, 10)
		v.Set("marque-"+id, mark)
		if mark == "excused" {
			v.Set("motif-"+id, "Rendez-vous médical")
		}
	}
	return v
}

// nextMark is the correction the drill makes to a mark: every learner's
// changes, so that each one is audited.
func nextMark(m string) string {
	switch m {
	case "present":
		return "late"
	case "late":
		return "absent"
	case "absent":
		return "excused"
	}
	return "present"
}

// TestRegistersKilledDuringBulkSave_ATT1: the central service saves the
// registers of ten courses of the annual session, eight at a time —
// corrections of those the demo filled since September and registers never
// taken — and
// the instance is SIGKILLed in the middle of the burst, then restarted on
// the same database. Each form unanswered is sent again with its key, as a
// phone does when the network returns.
//
// At the end nothing about a learner's attendance is lost or doubled: every
// register acknowledged holds exactly the marks sent, one per learner and
// meeting; a form retried after the kill recorded once (one key, one
// correction audited per mark changed); the marks of the registers the burst
// did not touch are as they were.
func TestRegistersKilledDuringBulkSave_ATT1(t *testing.T) {
	eachEngine(t, registersKilledDrill)
}

func registersKilledDrill(t *testing.T, dbURL string, d *db.DB) {
	flags := []string{"--demo-candidatures=true", "--demo-now", registersAt}
	a := startServerWith(t, "A", dbURL, flags...)
	if d == nil {
		d = openDB(t, dbURL)
	}
	central := newBrowser("demo-staff-central")
	central.signIn(t, a)

	forms := registerForms(t, d, central, a)
	before := marksOutside(t, d, forms)
	fresh := 0
	for _, f := range forms {
		if f.fresh {
			fresh++
		}
	}
	t.Logf("%d registers to save (%d never taken, %d corrected), %d other marks to keep", len(forms), fresh, len(forms)-fresh, len(before))

	var mu sync.Mutex
	current := a
	server := func() *server { mu.Lock(); defer mu.Unlock(); return current }
	jobs := make(chan registerForm)
	var acked sync.Map // key → true
	var done sync.WaitGroup
	var errs errorsOf
	var retried sync.Map
	for range 8 {
		done.Go(func() {
			for f := range jobs {
				deadline := time.Now().Add(60 * time.Second)
				for attempt := 0; ; attempt++ {
					if attempt > 0 {
						retried.Store(f.key, true)
					}
					r, err := central.postForm(server(), f.path(), f.values())
					if err == nil && r.status == 303 {
						acked.Store(f.key, true)
						break
					}
					if err == nil && r.status != 503 && r.status != 502 {
						errs.add("register %s: %d %.300s", f.path(), r.status, r.body)
						break
					}
					if time.Now().After(deadline) {
						errs.add("register %s: no answer within 60 s: %v", f.path(), err)
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	half := len(forms) / 2
	restarted := make(chan struct{})
	for i, f := range forms {
		if i == half {
			// Kill while forms are in flight: the workers keep sending.
			go func() {
				defer close(restarted)
				a.kill()
				t.Logf("instance A SIGKILLed with %d registers acknowledged", countKeys(&acked))
				b := startServerWith(t, "A again", dbURL, flags...)
				mu.Lock()
				current = b
				mu.Unlock()
			}()
		}
		jobs <- f
	}
	close(jobs)
	done.Wait()
	<-restarted
	errs.report(t, "the registers' burst")
	t.Logf("%d registers acknowledged, %d sent again after an error", countKeys(&acked), countKeys(&retried))
	// A phone that lost the answer sends the form again: it changes nothing.
	for _, f := range forms[:10] {
		r, err := central.postForm(current, f.path(), f.values())
		if err != nil || r.status != 303 || !strings.HasSuffix(r.location, "?deja=1") {
			t.Errorf("ATT-1: the form of course %d on %s sent again: %v %d %s", f.course, f.day, err, r.status, r.location)
		}
	}

	// Every register holds what was sent, once.
	for _, f := range forms {
		got := map[int64]string{}
		for _, row := range queryStrings(t, d, `SELECT k.candidature_id, k.mark FROM attendance_marks k
			JOIN class_meetings m ON m.id = k.meeting_id WHERE m.course_id = $1 AND m.day = $2`, f.course, f.day) {
			id, _ := strconv.ParseInt(row[0], 10, 64)
			got[id] = row[1]
		}
		if fmt.Sprint(got) != fmt.Sprint(f.marks) {
			t.Errorf("ATT-1: the register of course %d on %s holds %v, want %v", f.course, f.day, got, f.marks)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM register_submissions WHERE key = $1`, f.key); n != 1 {
			t.Errorf("ATT-1: the form %s of course %d on %s recorded %d times", f.key, f.course, f.day, n)
		}
		if f.fresh {
			continue
		}
		// One correction audited per learner, whatever the retries.
		dmy := f.day[8:10] + "/" + f.day[5:7] + "/" + f.day[0:4]
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'attendance.corrected' AND object_id = $1
			AND details LIKE $2`, f.course, "séance du "+dmy+" %"); n != int64(len(f.marks)) {
			t.Errorf("ATT-1: %d corrections audited for course %d on %s, want %d", n, f.course, f.day, len(f.marks))
		}
	}
	after := marksOutside(t, d, forms)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("ATT-1: the marks of the registers the burst did not touch changed: %d before, %d after", len(before), len(after))
	}
	if n := count(t, d, `SELECT COUNT(*) FROM (SELECT meeting_id, candidature_id FROM attendance_marks
		GROUP BY meeting_id, candidature_id HAVING COUNT(*) > 1) x`); n != 0 {
		t.Errorf("ATT-1: %d learners have two marks at one meeting", n)
	}
}

func countKeys(m *sync.Map) int {
	n := 0
	m.Range(func(any, any) bool { n++; return true })
	return n
}

// registerForms reads, as the central service's browser does, the
// registers whose day has come of ten courses of the annual session (those
// the demo filled first): each register's page gives its form's key and
// learners.
func registerForms(t *testing.T, d *db.DB, b *browser, s *server) []registerForm {
	t.Helper()
	today := registersAt[:10]
	var forms []registerForm
	for _, row := range queryInts(t, d, `SELECT co.id FROM courses co JOIN sessions se ON se.id = co.session_id
		WHERE se.code = '2026-2027-ANNUEL'
		AND (SELECT COUNT(*) FROM candidatures c WHERE c.accepted_course_id = co.id AND c.status = 'accepted') >= 3
		ORDER BY (SELECT COUNT(*) FROM class_meetings m WHERE m.course_id = co.id) DESC, co.id LIMIT 10`) {
		course := row[0]
		page, err := b.get(s, "/back-office/cours/"+strconv.FormatInt(course, 10)+"/appel")
		if err != nil || page.status != 200 {
			t.Fatalf("the registers of course %d: %v %d %.300s", course, err, page.status, page.body)
		}
		var days []string
		for _, m := range registerDay.FindAllStringSubmatch(page.body, -1) {
			if m[1] < today && !slices.Contains(days, m[1]) {
				days = append(days, m[1])
			}
		}
		for i, day := range days {
			if i%3 == 2 {
				continue // a third of the registers stay as the demo left them
			}
			if count(t, d, `SELECT COUNT(*) FROM class_meetings WHERE course_id = $1 AND day = $2 AND cancelled`, course, day) > 0 {
				continue // a meeting cancelled one-off (REF-4) stays so
			}
			f := registerForm{course: course, day: day, marks: map[int64]string{}}
			page, err := b.get(s, f.path())
			if err != nil || page.status != 200 {
				t.Fatalf("the register of course %d on %s: %v %d", course, day, err, page.status)
			}
			k := registerKey.FindStringSubmatch(page.body)
			if k == nil {
				t.Fatalf("the register of course %d on %s has no key:\n%.1000s", course, day, page.body)
			}
			f.key = k[1]
			// A register never taken shows every learner present already.
			f.fresh = count(t, d, `SELECT COUNT(*) FROM class_meetings WHERE course_id = $1 AND day = $2`, course, day) == 0
			current := map[int64]string{}
			for _, m := range registerRadio.FindAllStringSubmatch(page.body, -1) {
				id, _ := strconv.ParseInt(m[1], 10, 64)
				if _, ok := current[id]; !ok {
					current[id] = ""
				}
				if m[3] != "" {
					current[id] = m[2]
				}
			}
			i := 0
			for id, mark := range current {
				if f.fresh || mark == "" { // never taken: mostly present
					mark = []string{"present", "present", "late", "absent", "present", "excused"}[i%6]
				} else {
					mark = nextMark(mark)
				}
				f.marks[id] = mark
				i++
			}
			if len(f.marks) > 0 {
				forms = append(forms, f)
			}
		}
	}
	if len(forms) < 30 {
		t.Fatalf("only %d registers to save in the demo", len(forms))
	}
	return forms
}

// marksOutside is every mark of the meetings the burst does not touch.
func marksOutside(t *testing.T, d *db.DB, forms []registerForm) []string {
	t.Helper()
	touched := map[string]bool{}
	for _, f := range forms {
		touched[strconv.FormatInt(f.course, 10)+" "+f.day] = true
	}
	var out []string
	for _, row := range queryStrings(t, d, `SELECT m.course_id, m.day, k.candidature_id, k.mark, k.reason, k.marked_at
		FROM attendance_marks k JOIN class_meetings m ON m.id = k.meeting_id ORDER BY m.course_id, m.day, k.candidature_id`) {
		if !touched[row[0]+" "+row[1][:10]] {
			out = append(out, strings.Join(row, " "))
		}
	}
	return out
}

// queryStrings runs q and returns its rows as text.
func queryStrings(t *testing.T, d *db.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := d.R.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				row[i] = string(x)
			case time.Time:
				row[i] = x.UTC().Format(time.RFC3339Nano)
			default:
				row[i] = fmt.Sprint(x)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
