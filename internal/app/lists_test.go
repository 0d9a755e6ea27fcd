package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"html"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/domain"
	"cma/internal/store"
)

// TestCourseLists_SEL2_PER2_ROLE3_director_pages: on the demo with its
// candidatures, one course of the director's establishment decided as a
// published run leaves it (the run's code is elsewhere: the state is written
// here), the director's lists show the accepted by name and the waiting list
// by position, and the posting shows candidature numbers without names, in
// HTML and PDF; the course page links to the lists.
func TestCourseLists_SEL2_PER2_ROLE3_director_pages(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cma.db")
	base := startServe(t, "--db", dbURL, "--demo", "--demo-candidatures")
	dir := newBrowser(t, base)
	dir.signIn(t, "demo-staff-director")
	_, body := dir.do(t, "GET", "/api/v1/me", nil)
	var me struct {
		ID     int64 `json:"id"`
		Grants []struct {
			EstablishmentID int64 `json:"establishment_id"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(body), &me); err != nil || len(me.Grants) == 0 {
		t.Fatalf("/api/v1/me = %s", body)
	}

	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := store.New(d)
	var course, session int64
	if err := d.R.QueryRow(`SELECT c.course_id, c.session_id FROM candidatures c JOIN courses o ON o.id = c.course_id
		WHERE o.establishment_id = $1 GROUP BY c.course_id, c.session_id HAVING COUNT(*) >= 3
		ORDER BY COUNT(*) DESC, c.course_id LIMIT 1`, me.Grants[0].EstablishmentID).Scan(&course, &session); err != nil {
		t.Fatalf("no course of the director's with 3 candidatures: %v", err)
	}
	type row struct {
		id          int64
		last, first string
		position    int
	}
	var rows []row
	q, err := d.R.Query(`SELECT c.id, a.last_name, a.first_name FROM candidatures c JOIN accounts a ON a.id = c.account_id
		WHERE c.course_id = $1 ORDER BY c.id`, course)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var r row
		if err := q.Scan(&r.id, &r.last, &r.first); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	q.Close()
	now := time.Now()
	run, err := st.StartRun(ctx, session, domain.PassMain, 1, me.ID, now, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, run, "sha256:x", "{}", nil, now); err != nil {
		t.Fatal(err)
	}
	// The last filed is accepted, the others wait in the order filed
	// reversed: neither list may follow the order of arrival (PER-2).
	err = st.InTx(ctx, func(tx *sql.Tx) error {
		for i, r := range rows {
			status, acc, pos := "waiting", any(nil), len(rows)-1-i
			if i == len(rows)-1 {
				status, acc, pos = "accepted", course, 0
			}
			rows[i].position = pos
			if _, err := tx.Exec(`UPDATE candidatures SET status = $1, accepted_course_id = $2, decided_run_id = $3 WHERE id = $4`,
				status, acc, run, r.id); err != nil {
				return err
			}
			if pos > 0 {
				if _, err := tx.Exec(`INSERT INTO waiting_list (course_id, candidature_id, position, run_id) VALUES ($1, $2, $3, $4)`,
					course, r.id, pos, run); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(`INSERT INTO convocations (candidature_id, course_id, at, place, sent_at) VALUES ($1, $2, $3, $4, $5)`,
				r.id, course, "2027-02-01T17:30:00.000000Z", "Salle 12", "2027-01-10T08:00:00.000000Z"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	id := strconv.FormatInt(course, 10)
	_, page := dir.do(t, "GET", "/back-office/cours/"+id, nil)
	if !strings.Contains(page, "/back-office/cours/"+id+"/listes") {
		t.Errorf("the course page does not link to its lists:\n%.2000s", mainPart(page))
	}
	res, page := dir.do(t, "GET", "/back-office/cours/"+id+"/listes", nil)
	page = html.UnescapeString(mainPart(page))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("lists: %d\n%.2000s", res.StatusCode, page)
	}
	accepted := rows[len(rows)-1]
	if !strings.Contains(page, "Admis (1)") || !strings.Contains(page, strings.ToUpper(accepted.last)) ||
		!strings.Contains(page, "Liste d'attente ("+strconv.Itoa(len(rows)-1)+")") || !strings.Contains(page, "Salle 12") {
		t.Errorf("lists page:\n%.3000s", page)
	}
	// The waiting list by position: the first filed (position n-1) comes last.
	first, second := strings.Index(page, strings.ToUpper(rows[len(rows)-2].last)), strings.Index(page, strings.ToUpper(rows[0].last))
	if first < 0 || second < 0 || first > second && rows[0].last != rows[len(rows)-2].last {
		t.Errorf("waiting list not by position (PER-2): %d, %d\n%.3000s", first, second, page)
	}

	res, page = dir.do(t, "GET", "/back-office/cours/"+id+"/resultats-affiches", nil)
	page = html.UnescapeString(mainPart(page))
	if res.StatusCode != http.StatusOK || strings.Count(page, "CMA-") < len(rows) || !strings.Contains(page, "Admis(e) dans le cours") ||
		!strings.Contains(page, "Liste d'attente, rang 1") {
		t.Errorf("posting: %d\n%.3000s", res.StatusCode, page)
	}
	for _, r := range rows {
		if strings.Contains(page, strings.ToUpper(r.last)) || strings.Contains(page, r.first+" "+r.last) {
			t.Errorf("the posting names %s %s", r.first, r.last)
		}
	}
	res, pdf := dir.do(t, "GET", "/back-office/cours/"+id+"/resultats-affiches.pdf", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("posting PDF: %d %s %.20q", res.StatusCode, res.Header.Get("Content-Type"), pdf)
	}
}
