package web

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"cma/internal/accounts"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/jobs"
	"cma/internal/outbox"
	"cma/internal/payment"
	"cma/internal/store"
)

// These tests run the real router, with the candidature service, on a real
// database holding the demo city, served by the platform's own http.Server
// (Server.HTTPServer) with timeouts a test may scale down.

var inputToday = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type inputSite struct {
	*httptest.Server
	srv   *Server
	st    *store.Store
	accts *accounts.Service
	ix    *catalogue.Index
	pay   *payment.Service
	// mailbox is the outbox, insert-only: what services tell people is
	// kept and queued, never sent.
	mailbox *outbox.Outbox
}

func newInputSite(t *testing.T, d *db.DB, timeouts Timeouts) *inputSite {
	t.Helper()
	ctx := context.Background()
	st := store.New(d)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, demo.Options{Scale: 1, Seed: 2026, Today: inputToday.In(paris)}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *sql.Tx) error {
		return st.PublishRules(ctx, tx, domain.Rules{Version: "2026-1", Published: inputToday.Add(-time.Hour), Body: "Règlement."})
	}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return inputToday }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	queue, err := jobs.New(d, st, nil, jobs.Config{Log: log, Now: now}) // insert-only: no worker sends mail here
	if err != nil {
		t.Fatal(err)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.NewService(st, words, "C", 0, now)
	ix, err := cat.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	accts := accounts.New(st, now, log)
	mailbox := outbox.New(st, queue, "cma.test")
	cands := candidature.New(st, cat, mailbox, candidature.ConfirmationMailer{Words: words, Paris: paris,
		SpaceURL: "http://cma.test/mes-candidatures"}, now, paris)
	pay := payment.New(payment.Deps{Store: st, Catalogue: cat, Outbox: mailbox, Words: words, Now: now, PublicURL: "http://cma.test", Log: log})
	srv, err := New(Deps{Catalogue: cat, Accounts: accts, Candidatures: cands, Mail: outbox.NewDesk(st, mailbox, now), Sessions: st.Sessions(), Words: words, DB: d, Log: log,
		Paris: paris, Now: now, Version: "test", Timeouts: timeouts, Payment: pay})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = srv.HTTPServer()
	ts.Start()
	t.Cleanup(ts.Close)
	return &inputSite{Server: ts, srv: srv, st: st, accts: accts, ix: ix, pay: pay, mailbox: mailbox}
}

// candidate signs a new candidate up through the accounts service.
func (s *inputSite) candidate(t *testing.T, subject string) domain.Account {
	t.Helper()
	acc, err := s.accts.SignIn(context.Background(), accounts.Identity{Issuer: "https://monparis.exemple", Subject: subject,
		Email: subject + "@exemple.fr", EmailVerified: true, FirstName: "Camille", LastName: "Corps " + subject,
		BirthDate: time.Date(1990, 3, 14, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

func (s *inputSite) central(t *testing.T) domain.Account {
	t.Helper()
	acc, _, err := s.accts.AddStaff(context.Background(), accounts.NewStaff{Email: "central@ville.exemple", FirstName: "Dominique",
		LastName: "Central", Grants: []domain.Grant{{Role: domain.RoleCentral}}})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// director is the director of the establishment of course courseID.
func (s *inputSite) director(t *testing.T, courseID int64) domain.Account {
	t.Helper()
	ix, err := s.srv.Catalogue.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e, ok := ix.Course(courseID)
	if !ok {
		t.Fatalf("no course %d", courseID)
	}
	acc, _, err := s.accts.AddStaff(context.Background(), accounts.NewStaff{Email: "direction@ville.exemple", FirstName: "Claude",
		LastName: "Direction", Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: e.EstablishmentID}}})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// session opens a signed-in session for acc, as the sign-in does, and returns
// its cookie.
func (s *inputSite) session(t *testing.T, acc domain.Account) *http.Cookie {
	t.Helper()
	ctx, err := s.srv.sessions.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.srv.signInAs(ctx, acc); err != nil {
		t.Fatal(err)
	}
	token, _, err := s.srv.sessions.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: s.srv.sessions.Cookie.Name, Value: token}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send makes a request with the cookies given and returns the answer, its body read.
func (s *inputSite) send(t *testing.T, req *http.Request, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL.Path, err)
	}
	return res, string(body)
}

func (s *inputSite) get(t *testing.T, path string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.send(t, req, cookies...)
}

func (s *inputSite) postForm(t *testing.T, path string, form url.Values, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.send(t, req, cookies...)
}

// filler is a body of n bytes made as they are read, never held whole.
type filler struct{ left int64 }

func (f *filler) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > f.left {
		n = f.left
	}
	for i := range p[:n] {
		p[i] = 'x'
	}
	f.left -= n
	return int(n), nil
}

// hugeMultipart is a multipart form with a short field and a file of size
// bytes, streamed: its Content-Length is declared, its bytes made on the fly.
func hugeMultipart(size int64) (io.Reader, int64, string) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	w.WriteField("lang", "fr")
	w.CreateFormFile("justificatif", "enorme.pdf")
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	return io.MultiReader(bytes.NewReader(head.Bytes()), &filler{left: size}, strings.NewReader(tail)),
		int64(head.Len()) + size + int64(len(tail)), w.FormDataContentType()
}

// heapPeak samples the heap in use until stop is closed and returns its highest value.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// TestRequestBodiesAreBounded posts 200 MB, all at once, to every route of the
// real router that takes a POST, each as someone allowed there: every one is
// refused with 413 and the French page after reading no more than its limit
// (the validation form with its fields kept, where the body is its proof),
// the heap grows by less than 100 MB, and no multipart temporary file is left.
func TestRequestBodiesAreBounded(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{})
	cand, central := site.candidate(t, "corps-1"), site.central(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where multipart forms put their files (os.TempDir)

	type target struct {
		pattern, path string
		session       *http.Cookie // nil: anonymous
		token         string       // the staff API: a personal access token instead
	}
	var targets []target
	token, _, err := site.accts.CreateAPIToken(context.Background(), accounts.ActorOf(central),
		accounts.NewAPIToken{Name: "corps", Scope: domain.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	var director domain.Account // of the establishment of course cand.ID, made once
	directorOf := func() domain.Account {
		if director.ID == 0 {
			director = site.director(t, cand.ID)
		}
		return director
	}
	for _, rt := range site.srv.Routes() {
		method, path, found := strings.Cut(rt.Pattern, " ")
		if !found {
			method, path = "", rt.Pattern // any method
		}
		if method != "" && method != http.MethodPost {
			continue
		}
		tg := target{pattern: rt.Pattern, path: strings.ReplaceAll(strings.ReplaceAll(path, "{$}", ""), "{id}", itoa64(cand.ID))}
		switch {
		case rt.Public:
		case rt.Token:
			tg.token = token
		case rt.SignedIn, rt.Action == domain.ActApply:
			tg.session = site.session(t, cand)
		case rt.Action == domain.ActRecordDeskPayment:
			// The desk is the course's establishment's director's only (PAY-2).
			tg.session = site.session(t, directorOf())
		case rt.Action == domain.ActCloseLedgerDay:
			// So is the closing of the régie's days, on her establishment.
			tg.path = strings.ReplaceAll(path, "{id}", itoa64(directorOf().Grants[0].EstablishmentID))
			tg.session = site.session(t, directorOf())
		default:
			tg.session = site.session(t, central)
		}
		targets = append(targets, tg)
	}
	if len(targets) < 15 {
		t.Fatalf("only %d routes take a POST: is the walk broken?", len(targets))
	}

	const size = 200 << 20
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := heapPeak(stop)
	var wg sync.WaitGroup
	results := make([]string, len(targets))
	// Eight uploads at a time: the heap bound is still read under
	// concurrent uploads, and a client starved of CPU (the race detector, a
	// busy machine) still reads the early 413 before its own write fails.
	slots := make(chan struct{}, 8)
	for i, tg := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			body, length, contentType := hugeMultipart(size)
			req, _ := http.NewRequest("POST", site.URL+tg.path, body)
			req.ContentLength = length
			req.Header.Set("Content-Type", contentType)
			if tg.session != nil {
				req.AddCookie(tg.session)
			}
			if tg.token != "" {
				req.Header.Set("Authorization", "Bearer "+tg.token)
			}
			res, err := noRedirect.Do(req)
			if err != nil {
				results[i] = fmt.Sprintf("%s: %v", tg.pattern, err)
				return
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			switch {
			case res.StatusCode != http.StatusRequestEntityTooLarge:
				results[i] = fmt.Sprintf("%s: %d, want 413", tg.pattern, res.StatusCode)
			case strings.HasSuffix(tg.path, "/recapitulatif") || strings.HasSuffix(tg.path, "/valider"):
				// The validation form comes back, whole but for its file (CAN-9).
				if !strings.Contains(string(page), "<title>Mon panier") {
					results[i] = fmt.Sprintf("%s: not the form again: %.300s", tg.pattern, page)
				}
			case strings.HasPrefix(tg.path, "/api/"):
				if !strings.Contains(string(page), "volumineuses") && !strings.Contains(string(page), "dépasse 50 Mo") {
					results[i] = fmt.Sprintf("%s: problem without its French detail: %s", tg.pattern, page)
				}
			case !strings.Contains(string(page), "Envoi trop volumineux") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"):
				results[i] = fmt.Sprintf("%s: not the French error page: %.300s", tg.pattern, page)
			}
		}()
	}
	wg.Wait()
	close(stop)
	grown := int64(<-peak) - int64(before.HeapInuse)
	for _, r := range results {
		if r != "" {
			t.Error(r)
		}
	}
	t.Logf("%d routes, 200 MB each: heap in use grew by at most %.1f MB", len(targets), float64(grown)/(1<<20))
	if grown > 100<<20 {
		t.Errorf("the heap grew by %d MB, want under 100 MB", grown>>20)
	}
	left, err := filepath.Glob(filepath.Join(tmp, "multipart-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("%d multipart temporary files left in TMPDIR, first %s", len(left), left[0])
	}
}

// TestSignInLimitedBeforeBodyIsRead: once an address is over its sign-in
// limit, a sign-in whose body has not even arrived is refused at once (429),
// without waiting for it.
func TestSignInLimitedBeforeBodyIsRead(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{Read: 10 * time.Second})
	for range 20 { // the limit's burst, on the tests' stopped clock: nothing comes back
		site.postForm(t, "/connexion/fournisseur", url.Values{})
	}
	for _, path := range []string{"/connexion/personnel", "/connexion/fournisseur"} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", site.URL+path, stuckBody{ctx})
		req.ContentLength = 1 << 20
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		start := time.Now()
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("%s: no answer while the body was awaited: %v", path, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s: %d after %v, want 429 at once", path, res.StatusCode, time.Since(start))
		}
	}
}

// stuckBody is a body that never comes: its reads wait for the request's end.
type stuckBody struct{ ctx context.Context }

func (b stuckBody) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

// pacedReader gives r's bytes at rate bytes a second at most.
type pacedReader struct {
	r     io.Reader
	rate  float64
	start time.Time
	sent  int
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	if len(b) > 16<<10 {
		b = b[:16<<10]
	}
	due := p.start.Add(time.Duration(float64(p.sent) / p.rate * float64(time.Second)))
	time.Sleep(time.Until(due))
	n, err := p.r.Read(b)
	p.sent += n
	return n, err
}

// proofPNG is a real PNG image of noise, which does not compress: about 4.9 MB,
// just under the 5 MB limit.
func proofPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 1280, 1270))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(rnd.Uint32()), uint8(rnd.Uint32()), uint8(rnd.Uint32()), 0xff
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > candidature.MaxProofBytes || buf.Len() < 4_500_000 {
		t.Fatalf("proof of %d bytes: want just under 5 MB", buf.Len())
	}
	return buf.Bytes()
}

var hiddenField = regexp.MustCompile(`name="(jeton|version_reglement)" value="([^"]*)"`)

// readyBasket puts an open course in the candidate's basket and returns the
// validation form's hidden fields.
func (s *inputSite) readyBasket(t *testing.T, session *http.Cookie) url.Values {
	t.Helper()
	var course *catalogue.Entry
	for _, e := range s.ix.All() {
		if e.Session.CandidatureOpen(inputToday) && e.PlacesLeft() > 0 {
			course = e
			break
		}
	}
	if course == nil {
		t.Fatal("no course open for candidatures in the demo")
	}
	if res, page := s.postForm(t, "/panier/ajouter", url.Values{"cours": {itoa64(course.ID)}}, session); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to basket: %d %.300s", res.StatusCode, page)
	}
	_, page := s.get(t, "/panier", session)
	fields := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		fields.Set(m[1], m[2])
	}
	if fields.Get("jeton") == "" || fields.Get("version_reglement") == "" {
		t.Fatalf("no validation form on the basket page:\n%.500s", page)
	}
	return fields
}

// validationForm is the basket's validation form as a browser sends it, with
// a half-tariff proof.
func validationForm(t *testing.T, hidden url.Values, proof []byte) ([]byte, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"jeton": hidden.Get("jeton"), "version_reglement": hidden.Get("version_reglement"),
		"objectif": string(domain.Objectives[0]), "motivation": "", "reglement": "1", "demi_tarif": "1", "rsa": "1",
		"date_justificatif": inputToday.AddDate(0, 0, -10).Format(time.DateOnly)} {
		w.WriteField(k, v)
	}
	part, _ := w.CreateFormFile("justificatif", "attestation.png")
	part.Write(proof)
	w.Close()
	return body.Bytes(), w.FormDataContentType()
}

func (s *inputSite) slowValidation(t *testing.T, session *http.Cookie, form []byte, contentType string, took time.Duration) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/panier/valider",
		&pacedReader{r: bytes.NewReader(form), rate: float64(len(form)) / took.Seconds()})
	req.ContentLength = int64(len(form))
	req.Header.Set("Content-Type", contentType)
	return s.send(t, req, session)
}

// TestSlowUploadAccepted_CAN9: a 5 MB proof sent slowly (512 kbit/s would take
// 80 s: here the server's timeouts are scaled down, 1 s to read a request and
// 1 s to answer, and the upload takes 3 s) is accepted: the upload route has
// its own deadline.
func TestSlowUploadAccepted_CAN9(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{ReadHeader: time.Second, Read: time.Second, Write: time.Second, Upload: 8 * time.Second})
	session := site.session(t, site.candidate(t, "lent-1"))
	form, contentType := validationForm(t, site.readyBasket(t, session), proofPNG(t))
	start := time.Now()
	res, page := site.slowValidation(t, session, form, contentType, 3*time.Second)
	t.Logf("%d bytes sent in %v", len(form), time.Since(start).Round(10*time.Millisecond))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mes-candidatures?valide=1" {
		t.Fatalf("slow upload: %d %s\n%.500s", res.StatusCode, res.Header.Get("Location"), page)
	}
}

// TestUploadCutShowsFrenchPage_CAN9: an upload slower than the upload
// deadline is cut, and the candidate gets the French error page (400) saying
// so, not a plain-text 500 or a dropped connection; nothing is saved.
func TestUploadCutShowsFrenchPage_CAN9(t *testing.T) {
	site := newInputSite(t, dbtest.SQLite(t), Timeouts{ReadHeader: time.Second, Read: time.Second, Write: time.Second, Upload: 2 * time.Second})
	session := site.session(t, site.candidate(t, "lent-2"))
	form, contentType := validationForm(t, site.readyBasket(t, session), proofPNG(t))
	res, page := site.slowValidation(t, session, form, contentType, 5*time.Second)
	if res.StatusCode != http.StatusBadRequest || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page, "L&#39;envoi a pris trop de temps") {
		t.Fatalf("cut upload: %d %s\n%.500s", res.StatusCode, res.Header.Get("Content-Type"), page)
	}
	if _, page := site.get(t, "/mes-candidatures", session); !strings.Contains(page, "Vous n&#39;avez pas encore de candidature.") {
		t.Fatal("a candidature was saved from a cut upload")
	}
}

// TestTextInputRefused_ACC4: a NUL byte or invalid UTF-8 in any form field or
// query parameter is refused with 400 and a clear message, in French or in
// English, the same on both engines (PostgreSQL refused such text with a 500,
// SQLite stored it), and nothing is saved.
func TestTextInputRefused_ACC4(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newInputSite(t, d, Timeouts{})
		cand := site.candidate(t, "texte-1")
		candSession, centralSession := site.session(t, cand), site.session(t, site.central(t))
		english := &http.Cookie{Name: langCookie, Value: "en"}
		const french, englishText = "contient des caractères non valides", "characters that are not valid"
		address := func(line1, city string) url.Values {
			return url.Values{"telephone": {"0612345678"}, "adresse": {line1}, "code_postal": {"75011"}, "ville": {city}, "pays": {"FR"}}
		}
		check := func(what string, res *http.Response, page, want string) {
			t.Helper()
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(html(page), want) {
				t.Errorf("%s: %d, want 400 saying %q:\n%.400s", what, res.StatusCode, want, page)
			}
		}

		res, page := site.postForm(t, "/mon-profil", address("12 rue\x00 Oberkampf", "Paris"), candSession)
		check("NUL in the profile's address", res, page, french)
		res, page = site.postForm(t, "/mon-profil", address("12 rue Oberkampf", "Par\xffis"), candSession, english)
		check("invalid UTF-8 in the profile's city, in English", res, page, englishText)
		if acc, err := site.st.Account(context.Background(), cand.ID); err != nil || acc.Address.Line1 != "" || acc.Address.City != "" {
			t.Errorf("the profile was changed: %+v, %v", acc.Address, err)
		}
		// The same address, clean, is saved: the refusal was the bytes.
		if res, page := site.postForm(t, "/mon-profil", address("12 rue Oberkampf", "Paris"), candSession); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a clean address: %d\n%.400s", res.StatusCode, page)
		}

		res, page = site.postForm(t, "/back-office/inscription-assistee", url.Values{"prenom": {"Ana"}, "nom": {"Du\x00pont"},
			"email": {"ana@exemple.fr"}, "naissance": {"1980-01-02"}}, centralSession)
		check("NUL in an assisted registration's name", res, page, french)
		if found, err := site.st.SearchAccounts(context.Background(), "ana@exemple.fr", 5); err != nil || len(found) != 0 {
			t.Errorf("an account was created: %v %v", found, err)
		}

		var multi bytes.Buffer
		w := multipart.NewWriter(&multi)
		w.WriteField("jeton", "x")
		w.WriteField("motivation", "J'aime\x00 les langues")
		w.Close()
		req, _ := http.NewRequest("POST", site.URL+"/panier/valider", &multi)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res, page = site.send(t, req, candSession)
		check("NUL in a multipart field", res, page, french)

		res, page = site.get(t, "/catalogue?q=anglais%00")
		check("NUL in the catalogue's keywords", res, page, french)
		res, page = site.get(t, "/back-office/personnes?q=mart%FFin", centralSession)
		check("invalid UTF-8 in the people search", res, page, french)
		res, page = site.get(t, "/back-office/journal?action=%00", centralSession, english)
		check("NUL in the audit's filter, in English", res, page, englishText)
		req, _ = http.NewRequest("GET", site.URL+"/api/v1/courses?q=%C3%28", nil)
		req.Header.Set("Accept-Language", "en")
		res, page = site.send(t, req)
		check("invalid UTF-8 in the API's query", res, page, englishText)
		if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("API refusal as %s, want a problem document", ct)
		}
	})
}

// html undoes the page's escaping of apostrophes and quotes, so that tests read
// messages as written.
func html(page string) string {
	return strings.NewReplacer("&#39;", "'", "&#34;", `"`, "&quot;", `"`, "&amp;", "&").Replace(page)
}

// TestExtremePagingAndLongSearches: page numbers out of range and searches of
// 20,000 words get a 400 with a message, not a 500, on both engines; searches
// at the limit still work.
func TestExtremePagingAndLongSearches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		site := newInputSite(t, d, Timeouts{})
		central := site.session(t, site.central(t))
		words := url.QueryEscape(strings.TrimSpace(strings.Repeat("martin ", 20000)))
		over := url.QueryEscape(strings.Repeat("é", 201)) // 201 characters: one over a search's limit
		const badPage, tooLong, overSearch = "Le numéro de page doit être un nombre entier positif", "est trop long", "200 caractères"
		for path, want := range map[string]string{
			"/back-office/journal?page=9223372036854775807": badPage,
			"/back-office/journal?page=-1":                  badPage,
			"/back-office/journal?page=abc":                 badPage,
			"/back-office/journal?page=0":                   badPage,
			"/catalogue?page=9223372036854775807":           badPage,
			"/api/v1/courses?page=9223372036854775807":      badPage,
			"/back-office/personnes?q=" + words:             tooLong,
			"/back-office/inscription-assistee?q=" + words:  tooLong,
			"/back-office/candidatures?q=" + words:          tooLong,
			"/back-office/journal?personne=" + words:        tooLong,
			"/catalogue?q=" + words:                         tooLong,
			"/api/v1/courses?q=" + words:                    tooLong,
			"/back-office/personnes?q=" + over:              overSearch,
			"/back-office/inscription-assistee?q=" + over:   overSearch,
			"/back-office/journal?personne=" + over:         overSearch,
			"/catalogue?q=" + over:                          overSearch,
		} {
			if res, page := site.get(t, path, central); res.StatusCode != http.StatusBadRequest || !strings.Contains(html(page), want) {
				t.Errorf("%.80s: %d, want 400 saying %q:\n%.300s", path, res.StatusCode, want, page)
			}
		}
		// At the limit: 100 one-letter words, each one more condition for the database.
		atLimit := url.QueryEscape(strings.TrimSpace(strings.Repeat("a ", 100)))
		for _, path := range []string{"/back-office/personnes?q=" + atLimit, "/back-office/inscription-assistee?q=" + atLimit,
			"/back-office/journal?page=2", "/back-office/personnes?q=martin"} {
			if res, page := site.get(t, path, central); res.StatusCode != http.StatusOK {
				t.Errorf("%.80s: %d, want 200:\n%.300s", path, res.StatusCode, page)
			}
		}
	})
}

// TestDefaultTimeoutsFitASlowProof_CAN9: the platform's own timeouts let the
// largest validation form come at 512 kbit/s (about 85 s) on the upload
// routes, while every other route keeps a read timeout far shorter.
func TestDefaultTimeoutsFitASlowProof_CAN9(t *testing.T) {
	d := Timeouts{}.withDefaults()
	at512kbits := time.Duration(float64(proofBody*8) / 512e3 * float64(time.Second))
	if d.Upload < at512kbits {
		t.Errorf("upload timeout %v: a %d-byte form at 512 kbit/s takes %v", d.Upload, proofBody, at512kbits)
	}
	if d.Read > at512kbits/2 || d.ReadHeader > d.Read {
		t.Errorf("read timeouts %v / %v: ordinary routes should keep short ones", d.ReadHeader, d.Read)
	}
}
