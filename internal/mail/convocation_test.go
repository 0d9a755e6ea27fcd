package mail

import (
	"strings"
	"testing"
)

// TestRenderConvocation_SEL2_CON2: the convocation email names the
// candidate, the date and place, says the date cannot change and that an
// absence is a withdrawal, and links the printable copy.
func TestRenderConvocation_SEL2_CON2(t *testing.T) {
	subject, text, html, err := RenderConvocation(Convocation{FirstName: "Léa", LastName: "Durand", Formation: "Anglais",
		What: "au test de niveau", When: "mardi 5 janvier 2027 à 18 h 30", Minutes: 60, Place: "École Parmentier, salle 2",
		PDFURL: "https://cours.exemple/mes-candidatures/7/convocation.pdf", SpaceURL: "https://cours.exemple/mes-candidatures"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subject, "Anglais") {
		t.Errorf("subject %q", subject)
	}
	for _, body := range []string{text, html} {
		for _, want := range []string{"Léa Durand", "mardi 5 janvier 2027 à 18 h 30", "École Parmentier", "ne peut pas être changée",
			"désistement", "/mes-candidatures/7/convocation.pdf"} {
			if !strings.Contains(body, want) {
				t.Errorf("the email does not say %q", want)
			}
		}
	}
	if _, _, _, err := RenderWithdrawal(Withdrawal{FirstName: "Léa", Formation: "Anglais", What: "au test de niveau",
		SpaceURL: "https://cours.exemple/mes-candidatures"}); err != nil {
		t.Fatal(err)
	}
}
