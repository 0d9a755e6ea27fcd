package app

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBasket_CAN1_CAN2_refusals_say_basket_or_validated: the refusal of a
// fourth formation says what holds the three — candidatures already validated,
// courses in the basket, or both —, adding a course again says it is already
// in the basket (or already validated), and the confirmation that a course was
// added names it by its title, not its code. In French and in English.
func TestBasket_CAN1_CAN2_refusals_say_basket_or_validated(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	anon := newBrowser(t, base)
	var sessions struct {
		Items []struct {
			ID   int64 `json:"id"`
			Open bool  `json:"candidature_open"`
		} `json:"items"`
	}
	_, body := anon.do(t, "GET", "/api/v1/sessions", nil)
	if err := json.Unmarshal([]byte(body), &sessions); err != nil {
		t.Fatalf("sessions: %v", err)
	}
	var session int64
	for _, s := range sessions.Items {
		if s.Open {
			session = s.ID
		}
	}
	type course struct {
		ID        int64  `json:"id"`
		Code      string `json:"code"`
		Weekday   int    `json:"weekday"`
		Formation struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"formation"`
	}
	_, body = anon.do(t, "GET", "/api/v1/courses?places=1&par_page=100&session="+strconv.FormatInt(session, 10), nil)
	var list struct{ Items []course }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("courses: %v", err)
	}
	// Four courses of four formations on four weekdays: only CAN-1 can refuse the fourth.
	var four []course
	formations, days := map[int64]bool{}, map[int]bool{}
	for _, c := range list.Items {
		if len(four) < 4 && !formations[c.Formation.ID] && !days[c.Weekday] {
			four = append(four, c)
			formations[c.Formation.ID], days[c.Weekday] = true, true
		}
	}
	if len(four) < 4 {
		t.Fatalf("only %d courses on distinct formations and days in the open session", len(four))
	}
	add := func(b *browser, c course) (int, string) {
		res, page := b.do(t, "POST", "/panier/ajouter", url.Values{"cours": {strconv.FormatInt(c.ID, 10)}})
		return res.StatusCode, html.UnescapeString(mainPart(page))
	}
	const persona = "demo-candidate-3"

	b := newBrowser(t, base)
	b.signIn(t, persona)
	status, page := add(b, four[0])
	if status != http.StatusOK || !strings.Contains(page, "« "+four[0].Formation.Title+" » (") || !strings.Contains(page, "est dans votre panier.") {
		t.Fatalf("added: %d, want the course named by its title in the confirmation:\n%.1500s", status, page)
	}
	if i := strings.Index(page, "est dans votre panier."); strings.Contains(page[max(0, i-200):i], four[0].Code) {
		t.Errorf("the confirmation names the course by its code %s", four[0].Code)
	}
	// CAN-2: the very course again.
	if status, page := add(b, four[0]); status != http.StatusConflict || !strings.Contains(page, "Ce cours est déjà dans votre panier : « "+four[0].Formation.Title) {
		t.Errorf("CAN-2 the course again: %d, want “Ce cours est déjà dans votre panier”:\n%.1500s", status, page)
	}
	// CAN-1, three courses in the basket.
	add(b, four[1])
	add(b, four[2])
	if status, page := add(b, four[3]); status != http.StatusConflict || !strings.Contains(page, "Vous avez déjà 3 cours dans votre panier : c'est le maximum de 3 formations à la fois.") ||
		!strings.Contains(page, "retirez d'abord un cours de votre panier") {
		t.Errorf("CAN-1 basket full: %d\n%.1500s", status, page)
	}
	for _, c := range four[:3] {
		b.do(t, "POST", "/panier/retirer", url.Values{"cours": {strconv.FormatInt(c.ID, 10)}})
	}

	// Two validated candidatures and one course in the basket.
	apply(t, base, persona, four[0].ID, four[1].ID)
	add(b, four[2])
	status, page = add(b, four[3])
	if status != http.StatusConflict || !strings.Contains(page, "Vous avez déjà 2 candidatures validées et 1 cours dans votre panier : c'est le maximum de 3 formations à la fois. Pour choisir « "+four[3].Formation.Title) {
		t.Errorf("CAN-1 validated and basket: %d\n%.1500s", status, page)
	}
	if strings.Contains(page, "(CAN-") || strings.Contains(page, "CAN-1") {
		t.Error("the refusal shows a rule ID")
	}
	// CAN-2: a course already validated.
	if status, page := add(b, four[0]); status != http.StatusConflict || !strings.Contains(page, "Vous avez déjà une candidature validée pour ce cours : « "+four[0].Formation.Title) {
		t.Errorf("CAN-2 a validated course: %d\n%.1500s", status, page)
	}
	// The same in English.
	b.do(t, "POST", "/langue", url.Values{"lang": {"en"}, "retour": {"/panier"}})
	if status, page := add(b, four[3]); status != http.StatusConflict || !strings.Contains(page, "You already have 2 validated candidatures and 1 course in your basket: 3 formations at a time is the maximum.") {
		t.Errorf("CAN-1 in English: %d\n%.1500s", status, page)
	}
	if status, page := add(b, four[2]); status != http.StatusConflict || !strings.Contains(page, "This course is already in your basket") {
		t.Errorf("CAN-2 in English: %d\n%.1500s", status, page)
	}
}
