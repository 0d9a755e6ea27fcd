package mail

import "fmt"

// The emails of enrolment and payment (PAY-1..6, CAN-9), each kept in the
// learner's space: the enrolment confirmed with what is due and until when,
// the half-tariff proof checked, the payment received with the card.

// payPage is where a learner pays and finds their card: "historique et
// paiement" (PAY-1).
const payPageSentence = "Le paiement se fait en une seule fois, en ligne par carte bancaire, depuis la rubrique " +
	"« Historique et paiement » de votre espace ; exceptionnellement par chèque à l'ordre de la régie ou en espèces " +
	"(300 € au plus, l'appoint exact) auprès de la direction de l'établissement. Une tierce personne (travailleur social, " +
	"comité d'entreprise, association) peut payer à votre place."

// EnrolmentMail is an enrolment confirmed by the establishment.
type EnrolmentMail struct {
	Seat
	Amount      string // what is due, "90,00 €"
	HalfTariff  bool   // the half tariff applies (a proof accepted)
	HalfPending bool   // a half tariff claimed, its proof not checked yet
	Until       string // the last day to pay, "mardi 22/09/2026"
}

// RenderEnrolmentConfirmed tells the learner their enrolment is confirmed
// and what they owe.
func RenderEnrolmentConfirmed(m EnrolmentMail) (subject, text, html string, err error) {
	p := []string{"La direction de l'établissement a confirmé votre inscription. Les droits d'inscription sont désormais dus."}
	lines := []string{"Montant dû : " + m.Amount}
	switch {
	case m.HalfTariff:
		lines[0] += " (demi-tarif)"
	case m.HalfPending:
		lines[0] += " (demi-tarif demandé, sous réserve de vérification de votre justificatif)"
	}
	lines = append(lines, "À payer au plus tard le "+m.Until+", date de votre deuxième séance")
	after := []string{payPageSentence}
	if m.HalfPending {
		after = append(after, "Votre justificatif de demi-tarif doit d'abord être vérifié : le paiement sera possible dès "+
			"qu'il l'aura été, et vous en serez prévenu(e).")
	}
	return render("Inscription confirmée : « "+m.Formation+" »", "Votre inscription est confirmée", m.Seat, p, lines, after,
		"Payer mes droits d'inscription", m.SpaceURL)
}

// HalfTariffMail is a half-tariff proof checked (CAN-9).
type HalfTariffMail struct {
	Seat
	Accepted bool
	Reason   string // why it was refused
	Amount   string // the fee due now, "" when the enrolment is not confirmed yet
}

// RenderHalfTariffChecked tells the learner the check of their proof.
func RenderHalfTariffChecked(m HalfTariffMail) (subject, text, html string, err error) {
	if m.Accepted {
		p := []string{"Votre justificatif de demi-tarif (RSA, ASS ou AAH) a été vérifié et accepté : le demi-tarif s'applique."}
		var lines []string
		if m.Amount != "" {
			lines = append(lines, "Montant dû : "+m.Amount+" (demi-tarif)")
		}
		return render("Demi-tarif accepté : « "+m.Formation+" »", "Demi-tarif accepté", m.Seat, p, lines, nil, "", "")
	}
	p := []string{"Votre justificatif de demi-tarif n'a pas pu être accepté : le plein tarif s'applique.",
		"Motif : « " + m.Reason + " »"}
	var lines []string
	if m.Amount != "" {
		lines = append(lines, "Montant dû : "+m.Amount)
	}
	after := []string{"Le demi-tarif est réservé aux bénéficiaires du RSA, de l'ASS ou de l'AAH qui ont joint à leur " +
		"candidature un justificatif de moins de trois mois ; il ne peut pas être accordé après le paiement."}
	return render("Demi-tarif refusé : « "+m.Formation+" »", "Demi-tarif refusé", m.Seat, p, lines, after, "", "")
}

// PaymentMail is a payment received.
type PaymentMail struct {
	Seat
	Amount    string // "90,00 €"
	Mode      string // "par carte bancaire", "par chèque", "en espèces"
	PayerName string // a third party who paid (PAY-4), "" when the learner did
	Receipt   string // the receipt number
	Card      string // the learner card's number
}

// RenderPaymentReceived tells the learner their fee is paid and their card
// is ready (PAY-6).
func RenderPaymentReceived(m PaymentMail) (subject, text, html string, err error) {
	p := []string{"Vos droits d'inscription sont payés. Merci."}
	lines := []string{"Montant payé : " + m.Amount + " " + m.Mode}
	if m.PayerName != "" {
		lines = append(lines, "Payé par : "+m.PayerName)
	}
	lines = append(lines, "Reçu n° "+m.Receipt, "Carte d'auditeur n° "+m.Card)
	after := []string{"Votre carte d'auditeur est disponible dans votre espace, à imprimer ou à présenter sur votre téléphone : " +
		"elle seule donne accès à l'établissement et au cours."}
	return render("Paiement reçu : « "+m.Formation+" »", "Paiement reçu", m.Seat, p, lines, after,
		"Voir ma carte d'auditeur", m.SpaceURL)
}

// RenderPaymentReminder reminds a learner, on the eve of the last day, that
// their fee is still due (PAY-1).
func RenderPaymentReminder(m EnrolmentMail) (subject, text, html string, err error) {
	p := []string{"Vos droits d'inscription ne sont pas encore payés : le délai se termine bientôt."}
	lines := []string{"Montant dû : " + m.Amount, "À payer au plus tard le " + m.Until}
	if m.HalfTariff {
		lines[0] += " (demi-tarif)"
	}
	after := []string{payPageSentence, "Passé ce délai, la direction de l'établissement peut libérer votre place pour une " +
		"personne en liste d'attente. Si vous ne suivez plus le cours, prévenez-la."}
	return render("Rappel : droits d'inscription à payer, « "+m.Formation+" »", "Droits d'inscription à payer", m.Seat, p, lines,
		after, "Payer mes droits d'inscription", m.SpaceURL)
}

// WindowMail is a payment window changed by the director (PAY-1), for one
// learner or for the whole course.
type WindowMail struct {
	Seat
	Amount     string // what is due, "90,00 €"
	HalfTariff bool
	Until      string // the new last day to pay, "mardi 22/09/2026"
	Later      bool   // the last day moved later (an extension), not earlier
	FeesURL    string // absolute URL of "historique et paiement"
}

// RenderPaymentWindowChanged tells a learner the new last day to pay their
// fee, set by the establishment's director (PAY-1, CON-2).
func RenderPaymentWindowChanged(m WindowMail) (subject, text, html string, err error) {
	if err := checkAbsoluteURL(m.FeesURL); err != nil {
		return "", "", "", fmt.Errorf("render payment window: fees URL: %w", err)
	}
	subject, heading := "Délai de paiement prolongé : « "+m.Formation+" »", "Délai de paiement prolongé"
	p := []string{"La direction de l'établissement a prolongé le délai de paiement de vos droits d'inscription."}
	if !m.Later {
		subject, heading = "Délai de paiement modifié : « "+m.Formation+" »", "Délai de paiement modifié"
		p = []string{"La direction de l'établissement a modifié le délai de paiement de vos droits d'inscription."}
	}
	lines := []string{"Montant dû : " + m.Amount, "Nouveau dernier jour pour payer : " + m.Until}
	if m.HalfTariff {
		lines[0] += " (demi-tarif)"
	}
	after := []string{payPageSentence, "Passé ce délai, la direction de l'établissement peut libérer votre place pour une " +
		"personne en liste d'attente. Si vous ne suivez plus le cours, prévenez-la."}
	return render(subject, heading, m.Seat, p, lines, after, "Payer mes droits d'inscription", m.FeesURL)
}
