package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/db"
)

// The cma binary, built once per test binary.
var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// binary builds ./cmd/cma from the module root into a temporary directory.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			buildErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		if buildDir, err = os.MkdirTemp("", "cma-reliability-"); err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(buildDir, "cma")
		cmd := exec.Command("go", "build", "-o", buildBin, "./cmd/cma")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/cma: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// freePort asks the kernel for a free TCP port on 127.0.0.1 and releases it,
// so that the server can be told its address (and public URL) in advance.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for the process's two output streams.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one running `cma serve --demo` process.
type server struct {
	name string
	base string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{} // closed when the process has exited
}

// startServer starts `cma serve --demo` on dbURL and waits until /readyz
// answers. The process is killed when the test ends; its output is printed if
// the test failed.
func startServer(t *testing.T, name, dbURL string) *server {
	t.Helper()
	return startServerWith(t, name, dbURL)
}

// startServerWith is startServer with more flags (--demo-now…).
func startServerWith(t *testing.T, name, dbURL string, extra ...string) *server {
	t.Helper()
	bin := binary(t)
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	s := &server{name: name, base: base, logs: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--public-url", base,
		"--db", dbURL, "--demo", "--demo-candidatures=false", // checkWhole counts one confirmation per validation
		"--log-format", "text", "--metrics-addr", "off")
	s.cmd.Args = append(s.cmd.Args, extra...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CMA_") { // the flags say everything
			env = append(env, kv)
		}
	}
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			logs := s.logs.String()
			if len(logs) > 64<<10 {
				logs = "…" + logs[len(logs)-64<<10:]
			}
			t.Logf("output of server %s (%s):\n%s", s.name, s.base, logs)
		}
	})
	client := &http.Client{Timeout: 2 * time.Second}
	began := time.Now()
	deadline := began.Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			t.Fatalf("server %s exited before it was ready:\n%s", name, s.logs.String())
		default:
		}
		if res, err := client.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				t.Logf("server %s ready at %s in %s", name, base, time.Since(began).Round(time.Millisecond))
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server %s not ready within 60 s:\n%s", name, s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Kill()
	<-s.done
}

// browser is a person's browser: a cookie jar shared by the instances (cookies
// do not depend on the port), one client that follows redirects (sign-in) and
// one that does not, to read the 303 acknowledgements.
type browser struct {
	persona string
	follow  *http.Client
	plain   *http.Client
}

func newBrowser(persona string) *browser {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return &browser{persona: persona,
		follow: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second},
		plain: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// reply is an HTTP answer as a test needs it.
type reply struct {
	status   int
	location string
	body     string
}

func (b *browser) send(c *http.Client, method, target, contentType string, body io.Reader) (reply, error) {
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return reply{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: res.StatusCode, location: res.Header.Get("Location"), body: string(data)}, nil
}

func (b *browser) get(s *server, path string) (reply, error) {
	return b.send(b.plain, "GET", s.base+path, "", nil)
}

func (b *browser) postForm(s *server, path string, form url.Values) (reply, error) {
	return b.send(b.plain, "POST", s.base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

var (
	authRequestID = regexp.MustCompile(`name="id" value="([^"]+)"`)
	tokenField    = regexp.MustCompile(`name="jeton" value="([^"]*)"`)
	rulesField    = regexp.MustCompile(`name="version_reglement" value="([^"]*)"`)
	basketCourse  = regexp.MustCompile(`name="cours" value="([0-9]+)"`)
)

// signIn walks the real OpenID Connect flow through the development provider
// of instance s, then checks that the session works.
func (b *browser) signIn(t *testing.T, s *server) {
	t.Helper()
	res, err := b.follow.PostForm(s.base+"/connexion/fournisseur", url.Values{})
	if err != nil {
		t.Fatalf("%s: sign-in: %v", b.persona, err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.Path, "/dev-idp/connexion") {
		t.Fatalf("%s: sign-in did not reach the provider's login page: %d %s", b.persona, res.StatusCode, res.Request.URL)
	}
	m := authRequestID.FindSubmatch(page)
	if m == nil {
		t.Fatalf("%s: no auth request on the login page:\n%.500s", b.persona, page)
	}
	res, err = b.follow.PostForm(res.Request.URL.String(), url.Values{"id": {string(m[1])}, "persona": {b.persona}})
	if err != nil {
		t.Fatalf("%s: provider login: %v", b.persona, err)
	}
	res.Body.Close()
	me, err := b.get(s, "/api/v1/me")
	if err != nil || me.status != http.StatusOK {
		t.Fatalf("%s: not signed in after the provider's login (landed on %s): %v %d %.300s", b.persona, res.Request.URL, err, me.status, me.body)
	}
}

// accountID is the signed-in person's account, read from /api/v1/me.
func (b *browser) accountID(t *testing.T, s *server) int64 {
	t.Helper()
	me, err := b.get(s, "/api/v1/me")
	if err != nil || me.status != http.StatusOK {
		t.Fatalf("%s: api/me: %v %d", b.persona, err, me.status)
	}
	var v struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(me.body), &v); err != nil || v.ID == 0 {
		t.Fatalf("%s: api/me without an id: %v %s", b.persona, err, me.body)
	}
	return v.ID
}

// basketPage is what GET /panier shows: the validation form's hidden fields
// and the courses listed (no form, token "", when the basket is empty).
type basketPage struct {
	token, rules string
	courses      []int64
}

func (b *browser) basket(s *server) (basketPage, error) {
	r, err := b.get(s, "/panier")
	if err != nil {
		return basketPage{}, err
	}
	if r.status != http.StatusOK {
		return basketPage{}, fmt.Errorf("GET /panier on %s: %d", s.name, r.status)
	}
	var p basketPage
	if m := tokenField.FindStringSubmatch(r.body); m != nil {
		p.token = m[1]
	}
	if m := rulesField.FindStringSubmatch(r.body); m != nil {
		p.rules = m[1]
	}
	for _, m := range basketCourse.FindAllStringSubmatch(r.body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		p.courses = append(p.courses, id)
	}
	if (p.token == "" || p.rules == "") && len(p.courses) > 0 {
		return p, fmt.Errorf("GET /panier on %s: no validation form (token %q, rules %q) for courses %v", s.name, p.token, p.rules, p.courses)
	}
	return p, nil // an empty basket has no validation form: token ""
}

func (b *browser) add(s *server, courseID int64) (reply, error) {
	return b.postForm(s, "/panier/ajouter", url.Values{"cours": {strconv.FormatInt(courseID, 10)}})
}

func (b *browser) remove(s *server, courseID int64) (reply, error) {
	return b.postForm(s, "/panier/retirer", url.Values{"cours": {strconv.FormatInt(courseID, 10)}})
}

// validate posts the validation form as the page sends it (multipart).
func (b *browser) validate(s *server, p basketPage) (reply, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("jeton", p.token)
	w.WriteField("version_reglement", p.rules)
	w.WriteField("objectif", "personal")
	w.WriteField("motivation", "Test de fiabilité")
	w.WriteField("reglement", "1")
	w.Close()
	return b.send(b.plain, "POST", s.base+"/panier/valider", w.FormDataContentType(), &body)
}

// validated reports whether a validation answer is the acknowledgement the
// browser shows as success.
func validated(r reply) bool {
	return r.status == http.StatusSeeOther && r.location == "/mes-candidatures?valide=1"
}

// course is a course of the open session as the API gives it.
type course struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Weekday   int    `json:"weekday"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Formation struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	} `json:"formation"`
	start, end int // minutes
}

func (c course) overlaps(o course) bool {
	return c.Weekday == o.Weekday && c.start < o.end && o.start < c.end
}

func minutes(hhmm string) int {
	h, m, _ := strings.Cut(hhmm, ":")
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	return hh*60 + mm
}

func getJSON(t *testing.T, target string, v any) {
	t.Helper()
	res, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %.300s", target, res.StatusCode, body)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
}

// openCourses lists every course of the session whose candidature period is
// open now (the demo opens one around today).
func openCourses(t *testing.T, s *server) []course {
	t.Helper()
	var sessions struct {
		Items []struct {
			ID              int64 `json:"id"`
			CandidatureOpen bool  `json:"candidature_open"`
		} `json:"items"`
	}
	getJSON(t, s.base+"/api/v1/sessions", &sessions)
	var session int64
	for _, x := range sessions.Items {
		if x.CandidatureOpen {
			session = x.ID
			break
		}
	}
	if session == 0 {
		t.Fatalf("no session open for candidatures in the demo data: %+v", sessions.Items)
	}
	var all []course
	for page := 1; ; page++ {
		var list struct {
			Items []course `json:"items"`
			Pages int      `json:"pages"`
		}
		getJSON(t, fmt.Sprintf("%s/api/v1/courses?session=%d&par_page=100&page=%d", s.base, session, page), &list)
		for _, c := range list.Items {
			c.start, c.end = minutes(c.Start), minutes(c.End)
			all = append(all, c)
		}
		if page >= list.Pages {
			break
		}
	}
	if len(all) < 50 {
		t.Fatalf("only %d courses in the open session", len(all))
	}
	return all
}

// picker chooses courses for one person from the catalogue, from an offset so
// that people do not all pick the same ones.
type picker struct {
	all    []course
	offset int
}

// pick returns the first course (from the offset) that ok accepts.
func (p picker) pick(t *testing.T, what string, ok func(course) bool) course {
	t.Helper()
	for i := range p.all {
		c := p.all[(p.offset+i)%len(p.all)]
		if ok(c) {
			return c
		}
	}
	t.Fatalf("no course in the catalogue for %s", what)
	return course{}
}

// fresh accepts a course of a formation not in used and clashing with none of held.
func fresh(used map[int64]bool, held []course) func(course) bool {
	return func(c course) bool {
		if used[c.Formation.ID] {
			return false
		}
		for _, h := range held {
			if h.ID == c.ID || h.overlaps(c) {
				return false
			}
		}
		return true
	}
}

// --- SQL checks of the database, the same on PostgreSQL and SQLite ---

func openDB(t *testing.T, dbURL string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", db.Redact(dbURL), err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// jobMessages is the send_email job j's message IDs (a group, column id), in
// SQL of each engine.
func jobMessages(d *db.DB) string {
	if d.Dialect == db.Postgres {
		return "(SELECT CAST(value AS BIGINT) AS id FROM jsonb_array_elements_text(j.args->'message_ids'))"
	}
	return "(SELECT value AS id FROM json_each(j.args, '$.message_ids'))"
}

func queryInts(t *testing.T, d *db.DB, q string, args ...any) [][]int64 {
	t.Helper()
	rows, err := d.R.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]int64
	for rows.Next() {
		row := make([]int64, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("scan %s: %v", q, err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	return out
}

func count(t *testing.T, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	rows := queryInts(t, d, q, args...)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("query %s: expected one number, got %v", q, rows)
	}
	return rows[0][0]
}

// checkRules checks CAN-1, CAN-2 and CAN-3 on the active candidatures of
// everyone: at most 3 formations, never the same formation twice, never two
// overlapping slots on the same weekday.
func checkRules(t *testing.T, d *db.DB) {
	t.Helper()
	for _, r := range queryInts(t, d, `SELECT account_id, COUNT(*), COUNT(DISTINCT formation_id) FROM candidatures
		WHERE status = 'submitted' GROUP BY account_id HAVING COUNT(*) > 3 OR COUNT(DISTINCT formation_id) > 3`) {
		t.Errorf("CAN-1 broken: person %d holds %d active candidatures in %d formations", r[0], r[1], r[2])
	}
	for _, r := range queryInts(t, d, `SELECT account_id, formation_id, COUNT(*) FROM candidatures
		WHERE status = 'submitted' GROUP BY account_id, formation_id HAVING COUNT(*) > 1`) {
		t.Errorf("CAN-2 broken: person %d holds formation %d %d times", r[0], r[1], r[2])
	}
	for _, r := range queryInts(t, d, `SELECT a.account_id, a.course_id, b.course_id FROM candidatures a
		JOIN candidatures b ON b.account_id = a.account_id AND b.id > a.id AND b.status = 'submitted'
		JOIN courses ca ON ca.id = a.course_id JOIN courses cb ON cb.id = b.course_id
		WHERE a.status = 'submitted' AND ca.weekday = cb.weekday
		AND ca.start_minute < cb.end_minute AND cb.start_minute < ca.end_minute`) {
		t.Errorf("CAN-3 broken: person %d holds courses %d and %d whose slots overlap", r[0], r[1], r[2])
	}
}

// checkWhole checks that every validation was written whole (CAN-4): each
// validation has candidatures, each with its history; no candidature without
// its validation; per person one confirmation message per validation; each
// message has exactly one send_email job, and no job points at nothing.
func checkWhole(t *testing.T, d *db.DB) {
	t.Helper()
	for _, r := range queryInts(t, d, `SELECT v.account_id, COUNT(c.id) FROM validations v
		LEFT JOIN candidatures c ON c.validation_key = v.key GROUP BY v.key, v.account_id HAVING COUNT(c.id) = 0`) {
		t.Errorf("half-written: a validation of person %d has no candidature", r[0])
	}
	for _, r := range queryInts(t, d, `SELECT c.id FROM candidatures c LEFT JOIN validations v ON v.key = c.validation_key
		WHERE v.key IS NULL OR v.account_id <> c.account_id`) {
		t.Errorf("half-written: candidature %d has no validation of its person", r[0])
	}
	for _, r := range queryInts(t, d, `SELECT c.id FROM candidatures c
		WHERE NOT EXISTS (SELECT 1 FROM candidature_events e WHERE e.candidature_id = c.id)`) {
		t.Errorf("half-written: candidature %d has no history", r[0])
	}
	for _, r := range queryInts(t, d, `SELECT a.id,
		(SELECT COUNT(*) FROM validations v WHERE v.account_id = a.id),
		(SELECT COUNT(*) FROM messages m WHERE m.account_id = a.id AND m.kind = 'confirmation')
		FROM accounts a`) {
		if r[1] != r[2] {
			t.Errorf("CAN-4: person %d has %d validations but %d confirmation emails", r[0], r[1], r[2])
		}
	}
	for _, r := range queryInts(t, d, `SELECT m.id, (SELECT COUNT(*) FROM river_job j
		WHERE j.kind = 'send_email' AND m.id IN `+jobMessages(d)+`) FROM messages m`) {
		if r[1] != 1 {
			t.Errorf("CAN-4: message %d has %d send_email jobs, want exactly 1", r[0], r[1])
		}
	}
	for _, r := range queryInts(t, d, `SELECT j.id FROM river_job j WHERE j.kind = 'send_email'
		AND EXISTS (SELECT 1 FROM `+jobMessages(d)+` e WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = e.id))`) {
		t.Errorf("half-written: send_email job %d carries a message that does not exist", r[0])
	}
}

// checkAcked checks that each acknowledged validation is in the database with
// its candidatures, for the right person.
func checkAcked(t *testing.T, d *db.DB, acked map[string]int64) {
	t.Helper()
	for token, person := range acked {
		owner := queryInts(t, d, `SELECT account_id FROM validations WHERE key = $1`, token)
		if len(owner) != 1 || owner[0][0] != person {
			t.Errorf("acknowledged validation %s of person %d: validations rows %v", token, person, owner)
			continue
		}
		if n := count(t, d, `SELECT COUNT(*) FROM candidatures WHERE validation_key = $1 AND account_id = $2`, token, person); n == 0 {
			t.Errorf("acknowledged validation %s of person %d has no candidature", token, person)
		}
	}
}

// candidatureCourses lists the courses a validation turned into candidatures.
func candidatureCourses(t *testing.T, d *db.DB, token string) []int64 {
	t.Helper()
	var out []int64
	for _, r := range queryInts(t, d, `SELECT course_id FROM candidatures WHERE validation_key = $1 ORDER BY course_id`, token) {
		out = append(out, r[0])
	}
	return out
}

// waitSent waits until every kept email is marked sent, and reports the ones
// that are not after the timeout with the state of their job. The messages in
// excused (the jobs a killed process left running, see
// TestCrashWhileEmailIsSending_CAN4) are only logged.
func waitSent(t *testing.T, d *db.DB, timeout time.Duration, excused map[int64]bool) {
	t.Helper()
	began := time.Now()
	deadline := began.Add(timeout)
	for {
		var unsent []int64
		for _, r := range queryInts(t, d, `SELECT id FROM messages WHERE sent_at IS NULL`) {
			if !excused[r[0]] {
				unsent = append(unsent, r[0])
			}
		}
		if len(unsent) == 0 {
			t.Logf("every email sent %s after the check began", time.Since(began).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	rows, err := d.R.QueryContext(context.Background(), `SELECT m.id, COALESCE(CAST(j.state AS TEXT), '(no job)'),
		COALESCE(j.attempt, 0) FROM messages m LEFT JOIN river_job j ON j.kind = 'send_email' AND m.id IN `+jobMessages(d)+`
		WHERE m.sent_at IS NULL ORDER BY m.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, attempt int64
		var state string
		if err := rows.Scan(&id, &state, &attempt); err != nil {
			t.Fatal(err)
		}
		if excused[id] {
			t.Logf("message %d not sent yet: its job was left %q by the killed process (attempt %d); River rescues it after a minute, which TestCrashWhileEmailIsSending_CAN4 checks",
				id, state, attempt)
			continue
		}
		t.Errorf("CAN-4: message %d still not sent after %s (job state %s, attempt %d)", id, timeout, state, attempt)
	}
}

// runningUnsent lists the messages not yet sent whose job is running: after a
// kill, the jobs the dead process was working.
func runningUnsent(t *testing.T, d *db.DB) map[int64]bool {
	t.Helper()
	out := map[int64]bool{}
	for _, r := range queryInts(t, d, `SELECT m.id FROM messages m JOIN river_job j ON j.kind = 'send_email'
		AND m.id IN `+jobMessages(d)+` WHERE m.sent_at IS NULL AND j.state = 'running'`) {
		out[r[0]] = true
	}
	return out
}

// errorsOf keeps the first few unexpected answers of concurrent requests.
type errorsOf struct {
	mu   sync.Mutex
	list []string
	n    int
}

func (e *errorsOf) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if len(e.list) < 20 {
		e.list = append(e.list, fmt.Sprintf(format, args...))
	}
}

func (e *errorsOf) report(t *testing.T, what string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n > 0 {
		t.Errorf("%s: %d unexpected answers, first ones:\n%s", what, e.n, strings.Join(e.list, "\n"))
	}
}

// isConnError tells a request cut by a killed server from other failures.
// "server closed idle connection" is net/http's word (an unexported error)
// for a kept-alive connection that the killed server's kernel closed just as
// the client sent a request on it.
func isConnError(err error) bool {
	var op *net.OpError
	msg := err.Error()
	return errors.As(err, &op) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "connection refused") ||
		strings.Contains(msg, "server closed idle connection") || strings.Contains(msg, "EOF")
}
