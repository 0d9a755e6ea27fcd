package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/i18n"
	"cma/internal/store"
	"cma/internal/web"
)

// today is the day the tests pretend to run: the demo opens one session's
// candidature period around it.
var today = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type site struct {
	*httptest.Server
	srv   *web.Server
	store *store.Store
	cat   *catalogue.Service
	db    *db.DB
}

// newSite serves the real router over a database holding the scale-1 demo city.
func newSite(t testing.TB) *site {
	t.Helper()
	d := dbtest.SQLite(t)
	st := store.New(d)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(context.Background(), st, demo.Options{Scale: 1, Seed: 2026, Today: today.In(paris)}); err != nil {
		t.Fatal(err)
	}
	return serveOn(t, d)
}

func serveOn(t testing.TB, d *db.DB) *site {
	t.Helper()
	st := store.New(d)
	paris, _ := time.LoadLocation("Europe/Paris")
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return today }
	cat := catalogue.NewService(st, words, "C", 0, now)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(web.Deps{Catalogue: cat, Accounts: accounts.New(st, now, log), Sessions: st.Sessions(), Words: words, DB: d, Log: log,
		Paris: paris, Now: now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &site{Server: ts, srv: srv, store: st, cat: cat, db: d}
}

func (s *site) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

type courseJSON struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Formation struct {
		Title    string `json:"title"`
		Subject  string `json:"subject"`
		Kind     string `json:"kind"`
		Diploma  bool   `json:"diploma"`
		Evaluate string `json:"evaluation"`
	} `json:"formation"`
	Establishment struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		District int    `json:"district"`
	} `json:"establishment"`
	Session struct {
		ID int64 `json:"id"`
	} `json:"session"`
	Weekday    int    `json:"weekday"`
	Start      string `json:"start"`
	End        string `json:"end"`
	Level      string `json:"level"`
	Capacity   int    `json:"capacity"`
	PlacesLeft int    `json:"places_left"`
	Trainer    string `json:"trainer"`
	PriceCents int64  `json:"price_cents"`
	Remote     bool   `json:"remote"`
	URL        string `json:"url"`
	// CAT-1: the session takes candidatures now.
	CandidatureOpen bool `json:"candidature_open"`
	Meetings        []struct {
		Date    string `json:"date"`
		Skipped bool   `json:"skipped"`
		Reason  string `json:"reason"`
	} `json:"meetings"`
}

type courseList struct {
	Items []courseJSON `json:"items"`
	Total int          `json:"total"`
	Page  int          `json:"page"`
	Pages int          `json:"pages"`
}

func (s *site) courses(t *testing.T, query string) courseList {
	t.Helper()
	res, body := s.get(t, "/api/v1/courses?"+query)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/courses?%s = %d %s", query, res.StatusCode, body)
	}
	var out courseList
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("decode: %v\n%s", err, body)
	}
	return out
}

// allCourses pages through the whole API result.
func (s *site) allCourses(t *testing.T, query string) []courseJSON {
	t.Helper()
	var all []courseJSON
	for page := 1; ; page++ {
		v, _ := url.ParseQuery(query)
		v.Set("par_page", "100")
		v.Set("page", itoa(page))
		l := s.courses(t, v.Encode())
		all = append(all, l.Items...)
		if page >= l.Pages {
			if len(all) != l.Total {
				t.Fatalf("paged %d courses, total says %d", len(all), l.Total)
			}
			return all
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
