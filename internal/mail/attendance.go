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

// StruckOffMail is ATT-3's decision: the learner struck off (radiation) by
// the central service, with the absences' days and the motive.
type StruckOffMail struct {
	Seat
	Days   []string // the absences' days, "lundi 12/10/2026"
	Reason string
}

// RenderStruckOff tells a learner that the central service struck them off
// the course after consecutive absences without a valid reason: the seat is
// given to someone else, the fee is not refunded.
func RenderStruckOff(m StruckOffMail) (subject, text, html string, err error) {
	p := []string{"Après " + itoaWords(len(m.Days)) + " absences consécutives sans motif valable (" + strings.Join(m.Days, ", ") +
		"), le service central a prononcé votre radiation du cours."}
	lines := []string{"Motif : " + m.Reason}
	after := []string{"Vous ne faites plus partie du cours : votre place est proposée à une autre personne. " +
		"Les droits d'inscription ne sont pas remboursés. Vos présences passées restent dans votre parcours."}
	return render("Radiation du cours « "+m.Formation+" »", "Radiation du cours", m.Seat, p, lines, after, "", "")
}

// ExcludedMail is ATT-4's decision: the learner excluded from the course,
// for absences beyond three in a row or for conduct, with the motive.
type ExcludedMail struct {
	Seat
	Conduct bool // for conduct that disrupts the course; else for absences
	Reason  string
}

func exclusionWhy(conduct bool) string {
	if conduct {
		return "en raison d'un comportement qui perturbe le cours"
	}
	return "après plus de trois absences consécutives"
}

// RenderExcluded tells a learner that they are excluded from the course:
// the seat is given to someone else, the fee is not refunded.
func RenderExcluded(m ExcludedMail) (subject, text, html string, err error) {
	p := []string{"Vous êtes exclu(e) du cours " + exclusionWhy(m.Conduct) + "."}
	lines := []string{"Motif : " + m.Reason}
	after := []string{"Vous ne faites plus partie du cours : votre place est proposée à une autre personne. " +
		"Les droits d'inscription ne sont pas remboursés. Vos présences passées restent dans votre parcours."}
	return render("Exclusion du cours « "+m.Formation+" »", "Exclusion du cours", m.Seat, p, lines, after, "", "")
}

// ExclusionCopyMail is the copy of an exclusion for the establishment's
// director (ATT-4: the trainer excludes with the director).
type ExclusionCopyMail struct {
	Seat
	Learner, By string // full names
	Conduct     bool
	Reason      string
}

// RenderExclusionCopy tells the director that a learner of their
// establishment was excluded, by whom and why.
func RenderExclusionCopy(m ExclusionCopyMail) (subject, text, html string, err error) {
	p := []string{m.By + " a exclu " + m.Learner + " du cours " + exclusionWhy(m.Conduct) + "."}
	lines := []string{"Motif : " + m.Reason}
	after := []string{"La place est proposée sur la liste d'attente du cours ; les droits d'inscription ne sont pas remboursés."}
	return render("Copie : exclusion de "+m.Learner+" (« "+m.Formation+" »)", "Exclusion d'un auditeur", m.Seat, p, lines, after, "", "")
}
