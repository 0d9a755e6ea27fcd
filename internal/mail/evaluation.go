package mail

// The emails of end-of-course evaluations and certificates (CER-1, CER-2,
// SEL-7), each kept in the learner's space.

// EvaluationConvocationMail convokes a learner to their course's
// end-of-course evaluation (CER-1).
type EvaluationConvocationMail struct {
	Seat
	Day string // "mardi 15/06/2027"
}

// RenderEvaluationConvocation convokes a learner to the evaluation: the
// date is fixed and presence mandatory (CER-1).
func RenderEvaluationConvocation(m EvaluationConvocationMail) (subject, text, html string, err error) {
	p := []string{"Votre cours se termine par une évaluation, le " + m.Day + ", à l'heure et dans la salle habituelles du cours.",
		"Votre présence est obligatoire : cette date ne peut pas être changée, et une absence compte comme un échec."}
	after := []string{"La réussite à l'évaluation donne le certificat de compétences, demandé pour entrer au niveau suivant."}
	return render("Convocation à l'évaluation de fin de cours : « "+m.Formation+" »", "Évaluation de fin de cours", m.Seat, p, nil, after, "", "")
}

// EvaluationResultMail is a learner's result at the evaluation.
type EvaluationResultMail struct {
	Seat
	Passed  bool
	Absent  bool
	Changed bool // a result entered before was corrected
	// RepeatLeft: after a failure, whether the one repeat of SEL-7 is left.
	RepeatLeft bool
	Due        string // the certificate's last delivery day, "30/08/2027", when passed
}

// RenderEvaluationResult tells a learner their result (CER-1, CER-2,
// SEL-7): a success gives the certificate within two months, a failure or
// an absence leaves one repeat of the level at most.
func RenderEvaluationResult(m EvaluationResultMail) (subject, text, html string, err error) {
	var p []string
	if m.Changed {
		p = append(p, "Votre résultat à l'évaluation de fin de cours a été corrigé.")
	}
	switch {
	case m.Passed:
		p = append(p, "Vous avez réussi l'évaluation de fin de cours. Félicitations !",
			"Votre certificat de compétences sera délivré par le service central au plus tard le "+m.Due+
				". Vous le trouverez dans « Mon parcours » et il vous sera annoncé par courriel.")
	case m.Absent:
		p = append(p, "Vous étiez absent(e) à l'évaluation de fin de cours : la présence y est obligatoire, "+
			"l'absence compte comme un échec.")
	default:
		p = append(p, "Vous n'avez pas réussi l'évaluation de fin de cours.")
	}
	if !m.Passed {
		if m.RepeatLeft {
			p = append(p, "Vous pouvez redoubler ce niveau une fois : candidatez à la même formation à la prochaine rentrée.")
		} else {
			p = append(p, "Vous avez déjà redoublé ce niveau une fois : une nouvelle candidature à cette formation ne sera pas acceptée.")
		}
	}
	after := []string{"Vos notes vous sont communiquées sur demande, par le formulaire de contact."}
	return render("Résultat de l'évaluation : « "+m.Formation+" »", "Résultat de l'évaluation", m.Seat, p, nil, after, "", "")
}

// CertificateIssuedMail announces a certificate of competences (CER-2).
type CertificateIssuedMail struct {
	Seat
	Number string
	Link   string // absolute URL of the certificate's download
}

// RenderCertificateIssued tells a learner their certificate is delivered.
func RenderCertificateIssued(m CertificateIssuedMail) (subject, text, html string, err error) {
	if err := checkAbsoluteURL(m.Link); err != nil {
		return "", "", "", err
	}
	p := []string{"Votre certificat de compétences n° " + m.Number + " est délivré.",
		"Il est demandé pour entrer au niveau suivant de la formation : gardez-le. Il porte un code QR qui permet de vérifier son authenticité."}
	return render("Certificat de compétences : « "+m.Formation+" »", "Certificat de compétences", m.Seat, p, nil, nil,
		"Télécharger le certificat", m.Link)
}

// ExemptionMail tells a learner of their exemption from a diploma's
// general exams (CER-4).
type ExemptionMail struct {
	Seat
	Diploma string // the diploma held
}

// RenderExemption tells a learner they are exempted from the general exams.
func RenderExemption(m ExemptionMail) (subject, text, html string, err error) {
	p := []string{"Vous êtes dispensé(e) des épreuves générales du diplôme que vous préparez, au vu du diplôme que vous détenez : " +
		m.Diploma + ".",
		"Votre inscription à l'examen et ses frais restent à votre charge, comme pour tout candidat au diplôme."}
	return render("Dispense d'épreuves : « "+m.Formation+" »", "Dispense des épreuves générales", m.Seat, p, nil, nil, "", "")
}
