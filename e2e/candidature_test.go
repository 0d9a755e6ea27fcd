package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The wording of the candidature journey (internal/i18n/locales/fr.json,
// internal/candidature, internal/mail).
const (
	yasminePersona  = "Yasmine Benali — Candidate adulte"
	yasmineEmail    = "yasmine.benali@exemple.fr"
	addButton       = "Ajouter à mon panier"
	validateButton  = "Valider définitivement"
	recapButton     = "Vérifier avant de valider"
	basketRefused   = "Ce cours ne peut pas être ajouté"
	can1Sentence    = "Vous avez déjà 3 cours dans votre panier : c'est le maximum de 3 formations à la fois."
	can3Sentence    = " a lieu le même jour et à la même heure que "
	rulesError      = "Vous devez accepter le règlement intérieur pour candidater."
	cancelledMsg    = "est annulée. Un courriel vous le confirme ; sa copie est ci-dessous."
	cancelledStatus = "Candidature annulée"
	submittedStatus = "Candidature déposée, en attente du traitement"
	confirmSubject  = "Vos 3 candidatures aux Cours d'adultes sont enregistrées"
)

// validatedMsg is the notice after a validation: the email is sent within a
// second of it, before or after the page is drawn (CAN-4).
var validatedMsg = regexp.MustCompile(`^Vos candidatures sont enregistrées\. Un courriel de confirmation (va vous être envoyé|vous a été envoyé le .+) ; sa copie est ci-dessous\.$`)

// apiCourseSlot is what the journey reads of a course in the public API.
type apiCourseSlot struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	URL       string `json:"url"`
	Weekday   int    `json:"weekday"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Formation struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	} `json:"formation"`
	start, end int // minutes since midnight
}

// overlaps is domain.SlotsOverlap: same weekday, overlapping times, end excluded.
func (c apiCourseSlot) overlaps(o apiCourseSlot) bool {
	return c.Weekday == o.Weekday && c.start < o.end && o.start < c.end
}

func (c apiCourseSlot) String() string {
	return fmt.Sprintf("%s «%s» (formation %d, day %d %s–%s)", c.Code, c.Formation.Title, c.Formation.ID, c.Weekday, c.Start, c.End)
}

// getJSON decodes the JSON answer of a GET on the test server.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// minutes reads "HH:MM".
func minutes(t *testing.T, hhmm string) int {
	t.Helper()
	h, m, ok := strings.Cut(hhmm, ":")
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("API: time %q is not HH:MM", hhmm)
	}
	return hi*60 + mi
}

// openSessionCourses finds, in the public API, the session whose candidature
// period is open and returns all its courses.
func openSessionCourses(t *testing.T, base string) (string, []apiCourseSlot) {
	t.Helper()
	var sessions struct {
		Items []struct {
			ID              int64  `json:"id"`
			Code            string `json:"code"`
			CandidatureOpen bool   `json:"candidature_open"`
		} `json:"items"`
	}
	getJSON(t, base+"/api/v1/sessions", &sessions)
	var open []int64
	code := ""
	for _, s := range sessions.Items {
		if s.CandidatureOpen {
			open = append(open, s.ID)
			code = s.Code
		}
	}
	if len(open) != 1 {
		t.Fatalf("API /api/v1/sessions: %d sessions with candidature_open, want exactly one (the demo's 2nd semester)", len(open))
	}
	var all []apiCourseSlot
	for page := 1; ; page++ {
		var list struct {
			Items []apiCourseSlot `json:"items"`
			Pages int             `json:"pages"`
		}
		getJSON(t, fmt.Sprintf("%s/api/v1/courses?session=%d&par_page=100&page=%d", base, open[0], page), &list)
		for _, c := range list.Items {
			c.start, c.end = minutes(t, c.Start), minutes(t, c.End)
			all = append(all, c)
		}
		if page >= list.Pages {
			break
		}
	}
	return code, all
}

// pickCourses chooses four courses of four formations (distinct titles too)
// whose slots never overlap, and a fifth course, of yet another formation,
// whose slot overlaps the first one's (same weekday, overlapping times).
func pickCourses(t *testing.T, courses []apiCourseSlot) (four [4]apiCourseSlot, clash apiCourseSlot) {
	t.Helper()
	slices.SortFunc(courses, func(a, b apiCourseSlot) int { return int(a.ID - b.ID) })
	for _, first := range courses {
		chosen := []apiCourseSlot{first}
		for _, c := range courses {
			if len(chosen) == 4 {
				break
			}
			ok := true
			for _, h := range chosen {
				if h.Formation.ID == c.Formation.ID || h.Formation.Title == c.Formation.Title || h.overlaps(c) {
					ok = false
					break
				}
			}
			if ok {
				chosen = append(chosen, c)
			}
		}
		if len(chosen) < 4 {
			continue
		}
		for _, c := range courses {
			if !c.overlaps(first) || slices.ContainsFunc(chosen, func(h apiCourseSlot) bool {
				return h.Formation.ID == c.Formation.ID || h.Formation.Title == c.Formation.Title
			}) {
				continue
			}
			copy(four[:], chosen)
			return four, c
		}
	}
	t.Fatalf("API: among %d courses of the open session, no four non-clashing courses of four formations with a fifth clashing with the first", len(courses))
	return
}

// submitWithEnter presses Enter on the focused submit button and returns the
// HTTP status of the page it loads (after redirects).
func (b *browser) submitWithEnter(what string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	if err != nil {
		b.t.Fatalf("%s: press Enter and wait for the next page: %v", what, err)
	}
	return res.Status
}

// fromTop blurs the focused element and scrolls to the top, so that Tab starts
// from the beginning of the page.
func (b *browser) fromTop() {
	b.t.Helper()
	b.do("scroll to the top", 5*time.Second, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
}

// addToBasket opens a course page, reaches "Ajouter à mon panier" with Tab and
// presses Enter; it returns the status of the page that answers.
func (b *browser) addToBasket(base string, c apiCourseSlot) int64 {
	b.t.Helper()
	b.navigate(base + c.URL)
	b.fromTop()
	b.tabUntil("the button "+addButton+" on "+c.URL, focusIs("form[action='/panier/ajouter'] button[type=submit]", addButton), 40)
	return b.submitWithEnter("add " + c.Code)
}

// refusals reads the refusal alert of the basket page: its title and sentences.
type refusalAlert struct {
	Role, Title string
	Items       []string
}

const readRefusals = `(() => { const h = document.getElementById('refusal-title'); const a = h && h.closest('.error-summary');
	return a ? {Role: a.getAttribute('role') || '', Title: h.textContent.trim(), Items: [...a.querySelectorAll('li')].map(li => li.textContent.trim())}
		: {Role: '', Title: '', Items: []}; })()`

// TestBasketJourney_CAN1_CAN3_CAN4_CAN5 is a candidate applying with the
// keyboard: three courses of three formations go into the basket; a fourth
// formation is refused (CAN-1) and so is a course at the same time as one
// already chosen (CAN-3), each with a plain French sentence. Validating
// without accepting the internal rules is refused next to the checkbox and in
// the summary (CAN-7); validating for good lands on "Mes candidatures et
// paiements" and sends the confirmation email (CAN-4), which the demo's mail
// sink receives over SMTP and whose copy the candidate's space keeps (CON-2).
// A candidature is then cancelled before the deadline (CAN-5). Every page
// passes axe-core's WCAG 2.1 AA rules, the mail sink's pages included.
func TestBasketJourney_CAN1_CAN3_CAN4_CAN5(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)
	start := time.Now()

	// --- The courses, chosen in Go from the public API.
	session, courses := openSessionCourses(t, base)
	four, clash := pickCourses(t, courses)
	t.Logf("open session %s (%d courses); basket %s, %s, %s; fourth formation %s; clashing with the first: %s",
		session, len(courses), four[0], four[1], four[2], four[3], clash)

	// --- Sign in (ACC-3).
	if p := signIn(b, base, yasminePersona); p == "/connexion" || strings.HasPrefix(p, "/dev-idp/") {
		t.Fatalf("after choosing %q: location %s, want to be signed in", yasminePersona, b.location())
	}

	// --- Three courses of three formations go into the basket.
	for _, c := range four[:3] {
		if st := b.addToBasket(base, c); st != http.StatusOK {
			t.Fatalf("adding %s: status %d, want 200 (after the redirect to /panier); refusals %v", c, st, eval[refusalAlert](b, readRefusals).Items)
		}
		if p := eval[string](b, `location.pathname`); p != "/panier" {
			t.Fatalf("after adding %s: location %s, want /panier", c.Code, b.location())
		}
		if msg := eval[string](b, `(document.querySelector('main .success[role=status]') || {textContent: ''}).textContent.trim()`); !strings.Contains(msg, "« "+c.Formation.Title+" »") || strings.Contains(msg, c.Code) {
			t.Errorf("after adding %s: status message %q, want it to name the course by its title, not its code", c.Code, msg)
		}
	}
	b.navigate(base + "/panier")
	type item struct{ Title, Remove string }
	const readItems = `[...document.querySelectorAll('main .result-list .result')].map(r => ({
		Title: r.querySelector('h2').textContent.trim(), Remove: (r.querySelector('form[action$="/retirer"] button') || {textContent: ''}).textContent.trim()}))`
	items := eval[[]item](b, readItems)
	if len(items) != 3 {
		t.Fatalf("/panier lists %d courses %v, want 3", len(items), items)
	}
	for i, it := range items {
		if want := "Retirer « " + it.Title + " » du panier"; it.Remove != want {
			t.Errorf("basket item %d: remove button %q, want %q", i+1, it.Remove, want)
		}
	}
	for _, c := range four[:3] {
		if !slices.ContainsFunc(items, func(it item) bool { return it.Title == c.Formation.Title }) {
			t.Errorf("/panier does not list %s: %v", c, items)
		}
	}
	b.checkA11y("/panier with three courses", 20*time.Second)

	// --- A fourth formation is refused (CAN-1).
	if st := b.addToBasket(base, four[3]); st != http.StatusConflict {
		t.Errorf("adding a fourth formation %s: status %d, want 409", four[3].Code, st)
	}
	ra := eval[refusalAlert](b, readRefusals)
	if ra.Role != "alert" || ra.Title != basketRefused {
		t.Errorf("CAN-1 refusal: alert role %q title %q, want role=alert titled %q", ra.Role, ra.Title, basketRefused)
	}
	if !slices.ContainsFunc(ra.Items, func(s string) bool { return strings.Contains(s, four[3].Code) && strings.Contains(s, can1Sentence) }) {
		t.Errorf("CAN-1 refusal: sentences %q, want one about %s containing %q", ra.Items, four[3].Code, can1Sentence)
	}
	if n := len(eval[[]item](b, readItems)); n != 3 {
		t.Errorf("after the CAN-1 refusal the basket lists %d courses, want still 3", n)
	}

	// --- A course at the same time as the first one is refused (CAN-3).
	if st := b.addToBasket(base, clash); st != http.StatusConflict {
		t.Errorf("adding the clashing course %s: status %d, want 409", clash.Code, st)
	}
	ra = eval[refusalAlert](b, readRefusals)
	if ra.Role != "alert" || ra.Title != basketRefused {
		t.Errorf("CAN-3 refusal: alert role %q title %q, want role=alert titled %q", ra.Role, ra.Title, basketRefused)
	}
	wantCAN3 := can3Sentence + "« " + four[0].Formation.Title + " » (" + four[0].Code + ","
	if !slices.ContainsFunc(ra.Items, func(s string) bool { return strings.Contains(s, clash.Code) && strings.Contains(s, wantCAN3) }) {
		t.Errorf("CAN-3 refusal: sentences %q, want one about %s containing %q", ra.Items, clash.Code, wantCAN3)
	}
	t.Logf("refusal sentences: %q", ra.Items)
	b.checkA11y("/panier with a refusal", 20*time.Second)
	b.screenshot("basket-refusal-desktop")

	// --- Validating without accepting the rules is refused (CAN-7).
	b.fromTop()
	n := b.tabUntil("the button "+recapButton, focusIs("form[action='/panier/recapitulatif'] button[type=submit]", recapButton), 80)
	t.Logf("button %q reached with %d Tab presses", recapButton, n)
	if st := b.submitWithEnter("validate without the rules"); st != http.StatusBadRequest {
		t.Errorf("validating without accepting the rules: status %d, want 400", st)
	}
	type ruleState struct {
		Error, Summary, SummaryRole string
		Checked                     bool
	}
	rs := eval[ruleState](b, `(() => { const e = document.getElementById('reglement-error'), s = document.querySelector('.error-summary[aria-labelledby="error-summary-title"]'),
		a = s && s.querySelector('a[href="#reglement"]');
		return {Error: e ? e.textContent.trim() : '', Summary: a ? a.textContent.trim() : '', SummaryRole: s ? s.getAttribute('role') : '',
			Checked: document.getElementById('reglement').checked}; })()`)
	if rs.Error != rulesError {
		t.Errorf("rules error next to #reglement = %q, want %q", rs.Error, rulesError)
	}
	if rs.SummaryRole != "alert" || rs.Summary != rulesError {
		t.Errorf("error summary: role %q, link to #reglement %q; want role=alert and %q", rs.SummaryRole, rs.Summary, rulesError)
	}
	b.checkA11y("/panier with validation errors", 20*time.Second)

	// --- Choose an objective, accept the rules, validate for good (CAN-4).
	b.fromTop()
	b.tabUntil("the first objective #objectif", `document.activeElement.id === 'objectif'`, 80)
	b.press(" ")
	b.tabUntil("the checkbox #reglement", `document.activeElement.id === 'reglement'`, 30)
	b.press(" ")
	if !eval[bool](b, `document.getElementById('objectif').checked && document.getElementById('reglement').checked`) {
		t.Fatalf("Space did not check #objectif and #reglement")
	}
	b.tabUntil("the button "+recapButton, focusIs("form[action='/panier/recapitulatif'] button[type=submit]", recapButton), 10)
	if st := b.submitWithEnter("check the basket"); st != http.StatusOK {
		t.Errorf("checking the basket: status %d, want 200 after the redirect", st)
	}
	if p := eval[string](b, `location.pathname`); p != "/panier/recapitulatif" {
		t.Fatalf("after the form: location %s, want the recap /panier/recapitulatif (errors: %s)", b.location(),
			eval[string](b, `[...document.querySelectorAll('.error-summary li, .error-message')].map(e => e.textContent.trim()).join(' | ')`))
	}
	b.checkA11y("the recap", 20*time.Second)
	b.fromTop()
	b.tabUntil("the button "+validateButton, focusIs("form[action='/panier/valider'] button[type=submit]", validateButton), 60)
	if st := b.submitWithEnter("validate the basket"); st != http.StatusOK {
		t.Errorf("validating the basket: status %d, want 200 after the redirect", st)
	}
	if p := eval[string](b, `location.pathname`); p != "/mes-candidatures" {
		t.Fatalf("after validating: location %s, want /mes-candidatures (errors: %s)", b.location(),
			eval[string](b, `[...document.querySelectorAll('.error-summary li, .error-message')].map(e => e.textContent.trim()).join(' | ')`))
	}
	if h1 := eval[string](b, `document.querySelector('h1').textContent.trim()`); h1 != "Mes candidatures et paiements" {
		t.Errorf("/mes-candidatures h1 %q, want \"Mes candidatures et paiements\"", h1)
	}
	const readStatus = `(document.querySelector('main .success[role=status]') || {textContent: ''}).textContent.trim()`
	if msg := eval[string](b, readStatus); !validatedMsg.MatchString(msg) {
		t.Errorf("after validating: status message %q, want %q", msg, validatedMsg)
	}
	type cand struct {
		Title, Status, Cancel string
	}
	const readCands = `[...document.querySelectorAll('main section.panel')].map(s => ({
		Title: s.querySelector('h2').textContent.trim(), Status: (s.querySelector('p strong') || {textContent: ''}).textContent.trim(),
		Cancel: (s.querySelector('a[href$="/annuler"]') || {textContent: ''}).textContent.trim()}))`
	cands := eval[[]cand](b, readCands)
	if len(cands) != 3 {
		t.Fatalf("/mes-candidatures shows %d candidatures %v, want 3", len(cands), cands)
	}
	for _, c := range four[:3] {
		i := slices.IndexFunc(cands, func(x cand) bool { return x.Title == c.Formation.Title })
		if i < 0 {
			t.Errorf("/mes-candidatures does not show %s: %v", c, cands)
			continue
		}
		if !strings.HasSuffix(cands[i].Status, submittedStatus) {
			t.Errorf("candidature %q: status %q, want %q", c.Formation.Title, cands[i].Status, submittedStatus)
		}
		if want := "Annuler ma candidature en « " + c.Formation.Title + " »"; cands[i].Cancel != want {
			t.Errorf("candidature %q: cancel button %q, want %q", c.Formation.Title, cands[i].Cancel, want)
		}
	}
	b.checkA11y("/mes-candidatures after validating", 20*time.Second)
	b.screenshot("candidatures-desktop")

	// --- The confirmation email arrives in the demo's mail sink (CAN-4, CON-2).
	b.navigate(base + "/dev/courriels")
	type row struct{ To, Subject, Href string }
	const readRows = `[...document.querySelectorAll('main table tbody tr')].map(tr => ({To: tr.cells[1].textContent.trim(),
		Subject: tr.cells[2].textContent.trim(), Href: tr.cells[2].querySelector('a').getAttribute('href')}))`
	var mail row
	for deadline := time.Now().Add(10 * time.Second); ; {
		rows := eval[[]row](b, readRows)
		if i := slices.IndexFunc(rows, func(r row) bool {
			return strings.Contains(r.To, yasmineEmail) && strings.Contains(r.Subject, "candidatures") && strings.Contains(r.Subject, "enregistrées")
		}); i >= 0 {
			mail = rows[i]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail sink: no confirmation to %s after 10s; messages: %v", yasmineEmail, rows)
		}
		time.Sleep(250 * time.Millisecond)
		b.navigate(base + "/dev/courriels")
	}
	if mail.Subject != confirmSubject {
		t.Errorf("confirmation subject %q, want %q", mail.Subject, confirmSubject)
	}
	b.checkA11y("/dev/courriels", 20*time.Second)
	b.fromTop()
	b.tabUntil("the link to the confirmation", `document.activeElement.getAttribute('href') === `+jsString(mail.Href), 20)
	b.pressAndWaitLoad(kb.Enter)
	if p := eval[string](b, `location.pathname`); p != mail.Href {
		t.Fatalf("Enter on the confirmation's link: location %s, want %s", b.location(), mail.Href)
	}
	type message struct{ H1, From, To, Text string }
	msg := eval[message](b, `(() => { const dd = [...document.querySelectorAll('main dd')];
		return {H1: document.querySelector('h1').textContent.trim(), From: dd[0] ? dd[0].textContent.trim() : '',
			To: dd[1] ? dd[1].textContent.trim() : '', Text: (document.querySelector('main pre') || {textContent: ''}).textContent}; })()`)
	if msg.H1 != confirmSubject || !strings.Contains(msg.To, yasmineEmail) {
		t.Errorf("sink message: h1 %q, to %q; want %q to %s", msg.H1, msg.To, confirmSubject, yasmineEmail)
	}
	if !strings.Contains(msg.From, "@") {
		t.Errorf("sink message: sender %q, want the platform's fixed sender address", msg.From)
	}
	for _, c := range four[:3] {
		if !strings.Contains(msg.Text, c.Formation.Title) {
			t.Errorf("confirmation email does not list %q:\n%s", c.Formation.Title, msg.Text)
		}
	}
	if strings.Contains(msg.Text, four[3].Formation.Title) || strings.Contains(msg.Text, clash.Formation.Title) {
		t.Errorf("confirmation email lists a refused course (%q or %q)", four[3].Formation.Title, clash.Formation.Title)
	}
	t.Logf("confirmation from %s to %s: %q", msg.From, msg.To, msg.H1)
	b.checkA11y("the sink's page of the confirmation", 20*time.Second)

	// --- Cancel one candidature before the deadline (CAN-5).
	b.navigate(base + "/mes-candidatures")
	gone := four[1]
	cancelText := "Annuler ma candidature en « " + gone.Formation.Title + " »"
	b.tabUntil("the link "+cancelText, focusIs("main a[href$='/annuler']", cancelText), 60)
	b.pressAndWaitLoad(kb.Enter)
	cancelPath := b.location()
	if !strings.HasPrefix(cancelPath, "/mes-candidatures/") || !strings.HasSuffix(cancelPath, "/annuler") {
		t.Fatalf("the cancel link led to %s, want the confirmation page", cancelPath)
	}
	b.checkA11y("the cancellation's confirmation page", 20*time.Second)
	confirmText := "Oui, annuler ma candidature en « " + gone.Formation.Title + " »"
	b.fromTop()
	b.tabUntil("the button "+confirmText, focusIs("main form[action$='/annuler'] button[type=submit]", confirmText), 30)
	if st := b.submitWithEnter("cancel " + gone.Code); st != http.StatusOK {
		t.Errorf("cancelling %s: status %d, want 200 after the redirect", gone.Code, st)
	}
	if loc, want := b.location(), "/mes-candidatures?annule="+strings.TrimSuffix(strings.TrimPrefix(cancelPath, "/mes-candidatures/"), "/annuler"); loc != want {
		t.Errorf("after cancelling: location %s, want %s", loc, want)
	}
	if m := eval[string](b, readStatus); !strings.HasPrefix(m, "Votre candidature en « "+gone.Formation.Title+" »") || !strings.HasSuffix(m, cancelledMsg) {
		t.Errorf("after cancelling: status message %q, want it to name %q and end %q", m, gone.Formation.Title, cancelledMsg)
	}
	cands = eval[[]cand](b, readCands)
	for _, c := range four[:3] {
		i := slices.IndexFunc(cands, func(x cand) bool { return x.Title == c.Formation.Title })
		switch {
		case i < 0:
			t.Errorf("after cancelling, /mes-candidatures no longer shows %q: %v", c.Formation.Title, cands)
		case c.ID == gone.ID && (!strings.HasSuffix(cands[i].Status, cancelledStatus) || cands[i].Cancel != ""):
			t.Errorf("cancelled candidature %q: status %q, cancel button %q; want %q and no button", c.Formation.Title, cands[i].Status, cands[i].Cancel, cancelledStatus)
		case c.ID != gone.ID && !strings.HasSuffix(cands[i].Status, submittedStatus):
			t.Errorf("candidature %q: status %q after cancelling another, want %q", c.Formation.Title, cands[i].Status, submittedStatus)
		}
	}

	// --- "Mes courriels" keeps a copy of the confirmation (CON-2).
	type copyRow struct{ Summary, Text string }
	copies := eval[[]copyRow](b, `(() => { const h = document.getElementById('messages'); if (!h) return [];
		return [...document.querySelectorAll('main details.panel')].filter(d => h.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_FOLLOWING)
			.map(d => ({Summary: d.querySelector('summary').textContent.trim(), Text: (d.querySelector('pre') || {textContent: ''}).textContent})); })()`)
	i := slices.IndexFunc(copies, func(c copyRow) bool { return strings.HasSuffix(c.Summary, confirmSubject) })
	if h := eval[string](b, `(document.getElementById('messages') || {textContent: ''}).textContent.trim()`); h != "Mes courriels" {
		t.Errorf("/mes-candidatures: messages heading %q, want \"Mes courriels\"", h)
	}
	if i < 0 {
		t.Errorf("\"Mes courriels\" has no copy of the confirmation %q: %v", confirmSubject, copies)
	} else {
		for _, c := range four[:3] {
			if !strings.Contains(copies[i].Text, c.Formation.Title) {
				t.Errorf("the copy of the confirmation does not list %q", c.Formation.Title)
			}
		}
	}
	b.checkA11y("/mes-candidatures after cancelling", 20*time.Second)
	t.Logf("journey took %v", time.Since(start).Round(time.Millisecond))
}
