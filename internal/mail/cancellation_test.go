package mail

import (
	"strings"
	"testing"
)

// TestRenderConfirmation_CAN9_half_tariff_and_reference: after a half-tariff
// claim the email shows each course's half tariff, requested subject to the
// proof's check, with the full tariff beside it, and the validation's
// reference, in both bodies; without a claim, the full tariff only.
func TestRenderConfirmation_CAN9_half_tariff_and_reference(t *testing.T) {
	c := sampleConfirmation()
	c.HalfTariff, c.Reference = true, "CMA-7K2QD-9XRWB"
	c.Candidatures[0].HalfPrice = "79,30 €"
	c.Candidatures[1].HalfPrice = "158,60 €"
	_, text, html, err := RenderConfirmation(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"79,30 €, demi-tarif demandé sous réserve de vérification du justificatif (plein tarif : 158,60 €)",
		"Référence de votre validation", "CMA-7K2QD-9XRWB"} {
		if !strings.Contains(text, want) || !strings.Contains(strings.ReplaceAll(html, "&#39;", "'"), want) {
			t.Errorf("the email lacks %q", want)
		}
	}
	c.HalfTariff = false
	_, text, _, err = RenderConfirmation(c)
	if err != nil || strings.Contains(text, "demi-tarif") || !strings.Contains(text, "Tarif : 158,60 €") {
		t.Errorf("CAN-9 without a claim the full tariff: %v\n%s", err, text)
	}
}

// TestRenderCancellation_CAN5_CON2: the cancellation email names the course,
// says it is final, links the space, gives the city's phone line (no contact
// form exists) and the reference.
func TestRenderCancellation_CAN5_CON2(t *testing.T) {
	subject, text, html, err := RenderCancellation(Cancellation{FirstName: "Camille", Formation: "Anglais", Level: "Niveau 2",
		Schedule: "lundi 18:30–20:30", Establishment: "École Parmentier", Session: "Année 2026-2027", Reference: "CMA-7K2QD-9XRWB",
		SpaceURL: "https://cours-adultes.paris.fr/mes-candidatures"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subject, "« Anglais »") {
		t.Errorf("subject %q does not name the course", subject)
	}
	for _, want := range []string{"Bonjour Camille,", "« Anglais »", "définitive", "École Parmentier", "CMA-7K2QD-9XRWB",
		"appelez le 3975 (du lundi au vendredi, de 8 h 30 à 18 h)", "cette adresse ne reçoit pas les réponses"} {
		if !strings.Contains(text, want) || !strings.Contains(strings.ReplaceAll(html, "&#39;", "'"), want) {
			t.Errorf("the cancellation email lacks %q", want)
		}
	}
	if !strings.Contains(html, `href="https://cours-adultes.paris.fr/mes-candidatures"`) || strings.Contains(text+html, "formulaire de contact") {
		t.Errorf("the cancellation email's links:\n%s", html)
	}
	if _, _, _, err := RenderCancellation(Cancellation{SpaceURL: "https://x.fr/"}); err == nil {
		t.Error("a cancellation without its course rendered")
	}
}
