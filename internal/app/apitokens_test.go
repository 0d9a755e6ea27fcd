package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
)

// The staff API's personal access tokens (ROLE-5, issue 13 item 6), walked
// through the real `cma serve` on both engines.

var tokenSecret = regexp.MustCompile(`cma_pat_[a-z2-7]{52}`)

// apiCall sends one request to the staff API with a bearer token ("" for
// none) and returns the answer and its decoded JSON body.
func apiCall(t *testing.T, base, method, path, token string, body string, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var out map[string]any
	json.Unmarshal(data, &out)
	return res, out
}

// wantProblem checks an RFC 9457 problem: its status, media type and members.
func wantProblem(t *testing.T, res *http.Response, p map[string]any, status int) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s %s: HTTP %d, want %d: %v", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, p)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("problem Content-Type %q", ct)
	}
	if p["type"] == nil || p["title"] == nil || p["status"] != float64(status) || p["detail"] == nil || p["detail"] == "" {
		t.Errorf("problem members: %v", p)
	}
}

// createToken creates a token on the page as the central browser and returns
// its secret, read from the answer.
func createToken(t *testing.T, central *browser, name, scope, expires string) string {
	t.Helper()
	res, page := central.do(t, "POST", "/back-office/jetons-api", url.Values{"nom": {name}, "portee": {scope}, "expire": {expires}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create token: HTTP %d\n%s", res.StatusCode, mainPart(page))
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the page showing a secret has Cache-Control %q, want no-store", res.Header.Get("Cache-Control"))
	}
	secret := tokenSecret.FindString(page)
	if secret == "" {
		t.Fatalf("no secret on the answer:\n%s", mainPart(page))
	}
	return secret
}

func TestAPITokens_ROLE5_(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
		apiTokenJourney(t, dbURL)
	})
	t.Run("postgres", func(t *testing.T) {
		d, dbURL := dbtest.PostgresURL(t)
		d.Close()
		apiTokenJourney(t, dbURL)
	})
}

func apiTokenJourney(t *testing.T, dbURL string) {
	clock := newTestClock()
	base := startServeAt(t, clock.Now, "--db", dbURL, "--demo")
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	central, director := newBrowser(t, base), newBrowser(t, base)
	central.signIn(t, "demo-staff-central")
	director.signIn(t, "demo-staff-director")
	_, me := central.do(t, "GET", "/api/v1/me", nil)
	var who struct{ ID int64 }
	json.Unmarshal([]byte(me), &who)

	t.Run("only_the_central_service_manages_tokens", func(t *testing.T) {
		if res, page := central.do(t, "GET", "/back-office/jetons-api", nil); res.StatusCode != 200 || !strings.Contains(page, "Aucun jeton") {
			t.Fatalf("central: HTTP %d", res.StatusCode)
		}
		if res, _ := director.do(t, "GET", "/back-office/jetons-api", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("director reads the page: HTTP %d", res.StatusCode)
		}
		if res, _ := director.do(t, "POST", "/back-office/jetons-api", url.Values{"nom": {"x"}, "portee": {"ecriture"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("director creates a token: HTTP %d", res.StatusCode)
		}
		if n := countRows(t, dbURL, "SELECT count(*) FROM api_tokens"); n != 0 {
			t.Errorf("%d tokens after the director's attempt", n)
		}
	})

	t.Run("bad_input_next_to_the_fields", func(t *testing.T) {
		res, page := central.do(t, "POST", "/back-office/jetons-api", url.Values{"nom": {" "}, "portee": {"tout"}, "expire": {"2026-11-26"}})
		if res.StatusCode != http.StatusBadRequest || summaryFields(page) != "nom portee expire" {
			t.Fatalf("HTTP %d, summary %q", res.StatusCode, summaryFields(page))
		}
		for _, want := range []string{"Indiquez à quoi sert le jeton", "lecture seule, ou la lecture et les modifications", "aujourd&#39;hui ou plus tard"} {
			if !strings.Contains(page, want) {
				t.Errorf("no %q on the page", want)
			}
		}
	})

	read := createToken(t, central, "Annuaire des équipements", "lecture", "")
	t.Run("shown_once_only_the_hash_kept", func(t *testing.T) {
		sum := sha256.Sum256([]byte(read))
		var hash, prefix, scope, name string
		var owner int64
		if err := d.R.QueryRow(`SELECT token_hash, prefix, scope, name, account_id FROM api_tokens`).Scan(&hash, &prefix, &scope, &name, &owner); err != nil {
			t.Fatal(err)
		}
		if hash != hex.EncodeToString(sum[:]) || prefix != read[:14] || scope != "read" || name != "Annuaire des équipements" || owner != who.ID {
			t.Errorf("row: hash %s prefix %s scope %s name %s owner %d (central %d)", hash, prefix, scope, name, owner, who.ID)
		}
		if n := countRows(t, dbURL, "SELECT count(*) FROM api_tokens WHERE token_hash = '"+read+"' OR prefix = '"+read+"' OR name = '"+read+"'"); n != 0 {
			t.Error("the secret itself is in the database")
		}
		res, page := central.do(t, "GET", "/back-office/jetons-api", nil)
		if res.StatusCode != 200 || strings.Contains(page, read) || !strings.Contains(page, prefix+"…") || !strings.Contains(page, "Jamais utilisé") {
			t.Errorf("the list shows the secret or not its prefix: HTTP %d\n%s", res.StatusCode, mainPart(page))
		}
		if n := countRows(t, dbURL, "SELECT count(*) FROM audit_events WHERE action = 'apitoken.created' AND object_kind = 'api_token' AND actor_account_id = "+strconv.FormatInt(who.ID, 10)); n != 1 {
			t.Errorf("%d apitoken.created events by the central member", n)
		}
	})

	t.Run("a_token_reads_the_staff_api", func(t *testing.T) {
		res, body := apiCall(t, base, "GET", "/api/v1/admin/sessions", read, "")
		if res.StatusCode != 200 || body["total"].(float64) < 1 || body["page"] != float64(1) || body["items"] == nil {
			t.Fatalf("HTTP %d %v", res.StatusCode, body)
		}
		item := body["items"].([]any)[0].(map[string]any)
		if item["status"] == nil || item["archived"] == nil || item["candidature_last_day"] == nil {
			t.Errorf("a staff session lacks its status: %v", item)
		}
		sid := int(item["id"].(float64))
		for _, path := range []string{"/api/v1/admin/establishments", "/api/v1/admin/formations?par_page=5",
			"/api/v1/admin/sessions/" + strconv.Itoa(sid) + "/courses?page=1", "/api/v1/admin/sessions/" + strconv.Itoa(sid), "/api/v1/admin/token"} {
			if res, body := apiCall(t, base, "GET", path, read, ""); res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: HTTP %d %v", path, res.StatusCode, body)
			}
		}
		res, body = apiCall(t, base, "GET", "/api/v1/admin/token", read, "")
		if body["scope"] != "read" || body["account_id"] != float64(who.ID) {
			t.Errorf("token info: %v", body)
		}
		res, body = apiCall(t, base, "GET", "/api/v1/admin/sessions/999999/courses", read, "")
		wantProblem(t, res, body, http.StatusNotFound)
	})

	t.Run("last_use_written_at_most_once_a_minute", func(t *testing.T) {
		first := lastUsed(t, d)
		if first == "" {
			t.Fatal("last_used_at not written")
		}
		clock.advance(30 * time.Second)
		apiCall(t, base, "GET", "/api/v1/admin/token", read, "")
		if again := lastUsed(t, d); again != first {
			t.Errorf("last use rewritten within a minute: %s then %s", first, again)
		}
		clock.advance(31 * time.Second)
		apiCall(t, base, "GET", "/api/v1/admin/token", read, "")
		if later := lastUsed(t, d); later == first {
			t.Errorf("last use not rewritten after a minute: %s", later)
		}
	})

	t.Run("problem_details_401_without_a_valid_token", func(t *testing.T) {
		res, p := apiCall(t, base, "GET", "/api/v1/admin/sessions", "", "")
		wantProblem(t, res, p, http.StatusUnauthorized)
		if res.Header.Get("WWW-Authenticate") != `Bearer realm="cma"` || !strings.Contains(p["detail"].(string), "jeton d'accès personnel") {
			t.Errorf("WWW-Authenticate %q, detail %v", res.Header.Get("WWW-Authenticate"), p["detail"])
		}
		res, p = apiCall(t, base, "GET", "/api/v1/admin/sessions", "cma_pat_"+strings.Repeat("a", 52), "")
		wantProblem(t, res, p, http.StatusUnauthorized)
		if !strings.Contains(res.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("unknown token: WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
		}
		// English by Accept-Language or lang.
		res, p = apiCall(t, base, "GET", "/api/v1/admin/sessions", "", "", "Accept-Language", "en-GB,en;q=0.9")
		if !strings.Contains(p["detail"].(string), "personal access token") {
			t.Errorf("English detail: %v", p["detail"])
		}
		res, p = apiCall(t, base, "GET", "/api/v1/admin/sessions?lang=en", "", "")
		if !strings.Contains(p["detail"].(string), "personal access token") {
			t.Errorf("lang=en detail: %v", p["detail"])
		}
		// A bad parameter names itself.
		res, p = apiCall(t, base, "GET", "/api/v1/admin/formations?domaine=x&page=0", read, "")
		wantProblem(t, res, p, http.StatusBadRequest)
		errs, _ := p["errors"].([]any)
		if len(errs) != 2 || errs[0].(map[string]any)["parameter"] == nil || errs[0].(map[string]any)["detail"] == "" {
			t.Errorf("errors: %v", p["errors"])
		}
	})

	t.Run("the_web_session_does_not_open_the_staff_api", func(t *testing.T) {
		res, body := central.do(t, "GET", "/api/v1/admin/sessions", nil)
		if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("signed-in central member without a token: HTTP %d %.200s", res.StatusCode, body)
		}
	})

	t.Run("a_token_opens_no_back_office_page", func(t *testing.T) {
		for _, path := range []string{"/back-office", "/back-office/jetons-api", "/back-office/journal"} {
			res, _ := apiCall(t, base, "GET", path, read, "")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/connexion?") {
				t.Errorf("%s with a bearer token: HTTP %d %s, want the sign-in", path, res.StatusCode, res.Header.Get("Location"))
			}
		}
		res, _ := apiCall(t, base, "GET", "/api/v1/me", read, "")
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("/api/v1/me with a token: HTTP %d (it reads the web session only)", res.StatusCode)
		}
	})

	t.Run("writes_through_the_services_audited_as_the_owner", func(t *testing.T) {
		write := createToken(t, central, "Système des inscriptions", "ecriture", "")
		session := `{"code": "2027-ETE-API", "name": "Été 2027 (API)", "kind": "special", "holiday_session": true,
			"first_day": "2027-07-05", "last_day": "2027-07-30", "candidature_opens": "2027-05-01",
			"candidature_last_day": "2027-05-31", "answer_opens": "2027-06-01", "answer_last_day": "2027-06-15"}`
		// A read token changes nothing.
		res, p := apiCall(t, base, "POST", "/api/v1/admin/sessions", read, session)
		wantProblem(t, res, p, http.StatusForbidden)
		if !strings.Contains(res.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
			t.Errorf("read token's write: WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
		}
		// PER-1 checks, worded in French on the body's fields.
		bad := strings.Replace(session, `"candidature_last_day": "2027-05-31"`, `"candidature_last_day": "2027-04-30"`, 1)
		fields := map[string]string{}
		for _, body := range []string{bad, strings.Replace(session, `"first_day": "2027-07-05"`, `"first_day": "05/07/2027"`, 1)} {
			res, p = apiCall(t, base, "POST", "/api/v1/admin/sessions", write, body)
			wantProblem(t, res, p, http.StatusUnprocessableEntity)
			for _, e := range p["errors"].([]any) {
				m := e.(map[string]any)
				fields[m["field"].(string)] = m["detail"].(string)
			}
		}
		if !strings.Contains(fields["first_day"], "date valide") || !strings.Contains(fields["candidature_last_day"], "candidature") {
			t.Errorf("422 errors %v, want first_day and candidature_last_day", fields)
		}
		res, p = apiCall(t, base, "POST", "/api/v1/admin/sessions?lang=en", write, bad)
		if e, _ := p["errors"].([]any); len(e) == 0 || e[0].(map[string]any)["detail"] == fields[e[0].(map[string]any)["field"].(string)] {
			t.Errorf("lang=en errors still French: %v", p["errors"])
		}
		res, p = apiCall(t, base, "POST", "/api/v1/admin/sessions", write, `{"code": "X", "nope": 1}`)
		wantProblem(t, res, p, http.StatusBadRequest)

		res, p = apiCall(t, base, "POST", "/api/v1/admin/sessions", write, session)
		if res.StatusCode != http.StatusCreated || p["status"] != "draft" || res.Header.Get("Location") == "" {
			t.Fatalf("create session: HTTP %d %v", res.StatusCode, p)
		}
		sid := strconv.FormatInt(int64(p["id"].(float64)), 10)
		res, p = apiCall(t, base, "PATCH", "/api/v1/admin/sessions/"+sid, write, `{"name": "Été 2027", "reason": "nom court"}`)
		if res.StatusCode != 200 || p["name"] != "Été 2027" || p["code"] != "2027-ETE-API" || p["first_day"] != "2027-07-05" {
			t.Errorf("patch session: HTTP %d %v", res.StatusCode, p)
		}
		res, p = apiCall(t, base, "POST", "/api/v1/admin/sessions/"+sid+"/publish", write, "")
		if res.StatusCode != 200 || p["status"] != "published" {
			t.Errorf("publish: HTTP %d %v", res.StatusCode, p)
		}
		res, p = apiCall(t, base, "PATCH", "/api/v1/admin/sessions/999999", write, `{"name": "x"}`)
		wantProblem(t, res, p, http.StatusNotFound)
		for action, want := range map[string]int{"session.created": 1, "session.changed": 1, "session.published": 1} {
			if n := countRows(t, dbURL, "SELECT count(*) FROM audit_events WHERE action = '"+action+"' AND object_kind = 'session' AND object_id = "+sid+
				" AND actor_account_id = "+strconv.FormatInt(who.ID, 10)); n != want {
				t.Errorf("%d %s events by the token's owner, want %d", n, action, want)
			}
		}
		// A course of a demo session through the API: remote and back (CAT-6), archived.
		_, list := apiCall(t, base, "GET", "/api/v1/admin/sessions", write, "")
		var demoSession string
		for _, it := range list["items"].([]any) {
			if m := it.(map[string]any); m["code"] != "2027-ETE-API" {
				demoSession = strconv.FormatInt(int64(m["id"].(float64)), 10)
				break
			}
		}
		_, courses := apiCall(t, base, "GET", "/api/v1/admin/sessions/"+demoSession+"/courses?par_page=1", write, "")
		course := courses["items"].([]any)[0].(map[string]any)
		cid := strconv.FormatInt(int64(course["id"].(float64)), 10)
		res, p = apiCall(t, base, "POST", "/api/v1/admin/remote", write, `{"scope": "course", "id": `+cid+`, "remote": true}`)
		wantProblem(t, res, p, http.StatusUnprocessableEntity)
		res, p = apiCall(t, base, "POST", "/api/v1/admin/remote", write, `{"scope": "course", "id": `+cid+`, "remote": true, "reason": "travaux dans la salle"}`)
		if res.StatusCode != 200 || len(p["changed"].([]any)) != 1 {
			t.Errorf("remote switch: HTTP %d %v", res.StatusCode, p)
		}
		res, p = apiCall(t, base, "PATCH", "/api/v1/admin/courses/"+cid, write, `{"start": "25:00"}`)
		wantProblem(t, res, p, http.StatusUnprocessableEntity)
		if n := countRows(t, dbURL, "SELECT count(*) FROM audit_events WHERE action = 'course.remote_switched' AND object_id = "+cid+
			" AND actor_account_id = "+strconv.FormatInt(who.ID, 10)); n != 1 {
			t.Errorf("%d course.remote_switched events by the token's owner", n)
		}
		// Import: the session's own export, a dry run by default, changes nothing.
		res, csv := central.do(t, "GET", "/back-office/catalogue/sessions/"+demoSession+"/export.csv", nil)
		if res.StatusCode != 200 {
			t.Fatalf("export: HTTP %d", res.StatusCode)
		}
		req, _ := http.NewRequest("POST", base+"/api/v1/admin/sessions/"+demoSession+"/import?name=export.csv", strings.NewReader(csv))
		req.Header.Set("Authorization", "Bearer "+write)
		req.Header.Set("Content-Type", "text/csv")
		ires, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var rep map[string]any
		json.NewDecoder(ires.Body).Decode(&rep)
		ires.Body.Close()
		if ires.StatusCode != 200 || rep["dry_run"] != true || rep["created"] != float64(0) || rep["rows"].(float64) < 1 {
			t.Errorf("import dry run: HTTP %d %v", ires.StatusCode, rep)
		}
		req, _ = http.NewRequest("POST", base+"/api/v1/admin/sessions/"+demoSession+"/import", strings.NewReader("Code;Nope\nX;1\n"))
		req.Header.Set("Authorization", "Bearer "+write)
		ires, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(ires.Body).Decode(&rep)
		ires.Body.Close()
		if ires.StatusCode != http.StatusUnprocessableEntity || rep["errors"] == nil {
			t.Errorf("import of a bad file: HTTP %d %v", ires.StatusCode, rep)
		}
	})

	t.Run("revoked_token_401", func(t *testing.T) {
		var id int64
		d.R.QueryRow(`SELECT id FROM api_tokens WHERE name = 'Annuaire des équipements'`).Scan(&id)
		path := "/back-office/jetons-api/" + strconv.FormatInt(id, 10) + "/revoquer"
		if res, page := central.do(t, "POST", path, url.Values{}); res.StatusCode != http.StatusBadRequest ||
			!strings.Contains(page, `<li><a href="#raison-`+strconv.FormatInt(id, 10)+`">Indiquez la raison de la révocation`) {
			t.Errorf("revocation without a reason: HTTP %d\n%s", res.StatusCode, mainPart(page))
		}
		if res, _ := director.do(t, "POST", path, url.Values{"raison-" + strconv.FormatInt(id, 10): {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("director revokes: HTTP %d", res.StatusCode)
		}
		if res, page := central.do(t, "POST", path, url.Values{"raison-" + strconv.FormatInt(id, 10): {"système arrêté"}}); res.StatusCode != 200 ||
			!strings.Contains(page, "Le jeton est révoqué") || !strings.Contains(page, "Révoqué le") {
			t.Errorf("revocation: HTTP %d", res.StatusCode)
		}
		res, p := apiCall(t, base, "GET", "/api/v1/admin/sessions", read, "")
		wantProblem(t, res, p, http.StatusUnauthorized)
		if n := countRows(t, dbURL, "SELECT count(*) FROM audit_events WHERE action = 'apitoken.revoked' AND reason = 'système arrêté' AND object_id = "+strconv.FormatInt(id, 10)); n != 1 {
			t.Errorf("%d apitoken.revoked events", n)
		}
	})

	t.Run("expired_token_401", func(t *testing.T) {
		today := clock.Now().In(parisZone(t)).Format(time.DateOnly)
		short := createToken(t, central, "Essai d'un jour", "ecriture", today)
		if res, body := apiCall(t, base, "GET", "/api/v1/admin/token", short, ""); res.StatusCode != 200 || body["expires_at"] == nil {
			t.Fatalf("on its last day: HTTP %d %v", res.StatusCode, body)
		}
		clock.advance(24 * time.Hour)
		res, p := apiCall(t, base, "GET", "/api/v1/admin/token", short, "")
		wantProblem(t, res, p, http.StatusUnauthorized)
	})

	t.Run("an_owner_who_loses_the_central_role_loses_the_power", func(t *testing.T) {
		write := createTokenAfterSignIn(t, base, clock)
		if res, _ := apiCall(t, base, "GET", "/api/v1/admin/sessions", write, ""); res.StatusCode != 200 {
			t.Fatalf("before: HTTP %d", res.StatusCode)
		}
		if _, err := d.W.Exec(`DELETE FROM staff_grants WHERE account_id = $1 AND role = 'central'`, who.ID); err != nil {
			t.Fatal(err)
		}
		res, p := apiCall(t, base, "GET", "/api/v1/admin/sessions", write, "")
		wantProblem(t, res, p, http.StatusForbidden)
	})
}

// createTokenAfterSignIn signs the central member in again (the clock may
// have ended the earlier session) and creates a write token.
func createTokenAfterSignIn(t *testing.T, base string, clock *testClock) string {
	t.Helper()
	b := newBrowser(t, base)
	b.signIn(t, "demo-staff-central")
	return createToken(t, b, "Système des inscriptions", "ecriture", "")
}

func lastUsed(t *testing.T, d *db.DB) string {
	t.Helper()
	var v any
	if err := d.R.QueryRow(`SELECT last_used_at FROM api_tokens ORDER BY id LIMIT 1`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case string:
		return x
	}
	t.Fatalf("last_used_at %T", v)
	return ""
}

func parisZone(t *testing.T) *time.Location {
	loc, err := paris()
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
