package mail

import (
	"strconv"
	"strings"
)

// The emails of attendance (ATT-1, ATT-3), each kept in the learner's space:
// a class meeting cancelled one-off, and absences without a justification
// that the central service may strike off.

// MeetingCancelledMail is a class meeting cancelled one-off (REF-4).
type MeetingCancelledMail struct {
	Seat
	Day    string // "lundi 12/10/2026"
	Reason string // why: room closed, trainer absent
}

// RenderMeetingCancelled tells a learner that a class meeting will not be
// held (or was not). REF-4: it is neither refunded nor made up.
func RenderMeetingCancelled(m MeetingCancelledMail) (subject, text, html string, err error) {
	p := []string{"La séance du " + m.Day + " est annulée."}
	var lines []string
	if m.Reason != "" {
		lines = append(lines, "Motif : "+m.Reason)
	}
	after := []string{"Une séance annulée ponctuellement ne compte pour personne dans le taux d'assiduité. " +
		"Elle n'est ni remboursée ni reportée."}
	return render("Séance annulée : « "+m.Formation+" », "+m.Day, "Séance annulée", m.Seat, p, lines, after, "", "")
}

// AbsencesMail is ATT-3's warning: consecutive absences without a valid
// reason, with their dates.
type AbsencesMail struct {
	Seat
	Days []string // the absences' days, "lundi 12/10/2026"
}

// RenderAbsencesFlagged tells a learner that their absences without a
// justification were reported to the central service, which may strike
// them off (radiation), and how to justify them.
func RenderAbsencesFlagged(m AbsencesMail) (subject, text, html string, err error) {
	p := []string{"Le registre de présence indique " + itoaWords(len(m.Days)) + " absences consécutives sans justification : " +
		strings.Join(m.Days, ", ") + ".",
		"Après trois absences consécutives sans motif valable, le service central peut prononcer votre radiation du cours. " +
			"Votre situation lui a été signalée."}
	after := []string{"Si vous aviez un motif valable, donnez votre justificatif à votre formateur ou formatrice " +
		"dès la prochaine séance."}
	return render("Absences non justifiées : « "+m.Formation+" »", "Absences non justifiées", m.Seat, p, nil, after, "", "")
}

func itoaWords(n int) string {
	words := []string{"zéro", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}
