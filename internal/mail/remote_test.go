package mail

import (
	"strings"
	"testing"
)

// TestRenderRemote_CAT6_CON2: one email per person lists each of her courses
// concerned with the reason, worded for one course or several, remote or
// back in person; no reason or no course is an error, never an empty email.
func TestRenderRemote_CAT6_CON2(t *testing.T) {
	one := []RemoteLine{{Formation: "Anglais", Code: "ANG-01", Schedule: "lundi 18h00–20h00", Establishment: "Lycée Voltaire", Session: "Année 2026-2027"}}
	two := append(one, RemoteLine{Formation: "Espagnol", Code: "ESP-02"})
	for _, c := range []struct {
		remote  bool
		courses []RemoteLine
		subject string
	}{
		{true, one, "Votre cours a désormais lieu à distance"},
		{true, two, "Vos cours ont désormais lieu à distance"},
		{false, one, "Votre cours a de nouveau lieu en présentiel"},
		{false, two, "Vos cours ont de nouveau lieu en présentiel"},
	} {
		subject, text, html, err := RenderRemote(Remote{FirstName: "Yasmine", Remote: c.remote, Reason: "Travaux <urgents>",
			Courses: c.courses, SpaceURL: "https://cours.exemple/mes-candidatures"})
		if err != nil {
			t.Fatal(err)
		}
		if subject != c.subject || !strings.Contains(text, "Bonjour Yasmine,") || !strings.Contains(text, "Motif : Travaux <urgents>") ||
			!strings.Contains(html, "Travaux &lt;urgents&gt;") || !strings.Contains(text, "https://cours.exemple/mes-candidatures") {
			t.Errorf("%s:\n%s\n%s", subject, text, html)
		}
		for _, l := range c.courses {
			if !strings.Contains(text, "« "+l.Formation+" »") || !strings.Contains(text, l.Code) || !strings.Contains(html, l.Code) {
				t.Errorf("%s: course %s missing:\n%s", subject, l.Code, text)
			}
		}
	}
	if _, _, _, err := RenderRemote(Remote{Remote: true, Reason: " ", Courses: one, SpaceURL: "https://x/"}); err == nil {
		t.Error("no reason accepted")
	}
	if _, _, _, err := RenderRemote(Remote{Remote: true, Reason: "x", SpaceURL: "https://x/"}); err == nil {
		t.Error("no course accepted")
	}
}
