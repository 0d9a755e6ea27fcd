package mail

import (
	"strings"
	"testing"
)

// TestRenderOutcomes_PER1_one_email_lists_every_outcome: one email per
// candidate lists every outcome with its next steps, in French.
func TestRenderOutcomes_PER1_one_email_lists_every_outcome(t *testing.T) {
	subject, text, html, err := RenderOutcomes(Outcomes{FirstName: "Awa", Session: "2e semestre 2026-2027",
		SpaceURL: "https://cours.exemple/mes-candidatures", Lines: []OutcomeLine{
			{Kind: OutcomeAccepted, Formation: "Anglais", Course: "ANG-01, lundi 18:00–20:00", Accepted: "ANG-02, mardi 18:00–20:00",
				Address: "École Voltaire, 3 rue Voltaire 75011 Paris", FirstClass: "mardi 02/02/2027 à 18:00"},
			{Kind: OutcomeWaiting, Formation: "Excel", Course: "EXC-01", Waiting: []string{"EXC-01 : position 3"}},
			{Kind: OutcomeWithdrawn, Formation: "CAP Cuisine", Course: "CAP-01"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subject, "2e semestre") {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"Bonjour Awa,", "« Anglais » : admis(e)", "ANG-02, mardi 18:00–20:00 (vous aviez choisi : ANG-01",
		"Premier cours : mardi 02/02/2027 à 18:00", "paiement", "« Excel » : en liste d'attente", "EXC-01 : position 3",
		"« CAP Cuisine » : désistement", "https://cours.exemple/mes-candidatures"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, `lang="fr"`) || !strings.Contains(html, "position 3") || strings.Contains(html, "<script") {
		t.Errorf("html body:\n%s", html)
	}
	if _, _, _, err := RenderOutcomes(Outcomes{SpaceURL: "https://x/"}); err == nil {
		t.Error("an email without outcome rendered")
	}
}
