package app

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

var cancelAction = regexp.MustCompile(`(?:action|href)="/mes-candidatures/([0-9]+)/annuler"`)

// TestCancel_CAN5_no_ID_oracle: cancelling someone else's candidature answers
// exactly as cancelling one that does not exist (same status, same page), so
// that changing the ID in the URL tells nothing; and the candidature stays.
func TestCancel_CAN5_no_ID_oracle(t *testing.T) {
	c := newBOCity(t)
	owner := newBrowser(t, c.base)
	owner.signIn(t, "demo-candidate-2")
	_, page := owner.do(t, "GET", "/mes-candidatures", nil)
	m := cancelAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("demo-candidate-2 has no candidature to cancel")
	}
	intruder := newBrowser(t, c.base)
	intruder.signIn(t, "demo-candidate-3")
	foreign, foreignPage := intruder.do(t, "POST", "/mes-candidatures/"+m[1]+"/annuler", url.Values{})
	missing, missingPage := intruder.do(t, "POST", "/mes-candidatures/987654321/annuler", url.Values{})
	if foreign.StatusCode != http.StatusNotFound || missing.StatusCode != http.StatusNotFound {
		t.Fatalf("someone else's candidature: %d, a missing one: %d; want 404 both", foreign.StatusCode, missing.StatusCode)
	}
	if mainPart(foreignPage) != mainPart(missingPage) {
		t.Fatalf("the pages differ:\n%s\n---\n%s", mainPart(foreignPage), mainPart(missingPage))
	}
	if _, page := owner.do(t, "GET", "/mes-candidatures", nil); !cancelAction.MatchString(page) {
		t.Fatal("the owner's candidature was cancelled by someone else")
	}
}
