package devidp

// Persona is a demonstration person one can sign in as on the login page.
type Persona struct {
	Subject       string // stable "sub" claim
	Email         string
	EmailVerified bool
	GivenName     string
	FamilyName    string
	Birthdate     string // "YYYY-MM-DD" (OIDC standard claim "birthdate"), may be ""
	Label         string // French description shown on the login page, e.g. "Candidate adulte"
}

// displayName is the persona's name as shown on the login page.
func displayName(p Persona) string {
	switch {
	case p.GivenName == "":
		return p.FamilyName
	case p.FamilyName == "":
		return p.GivenName
	default:
		return p.GivenName + " " + p.FamilyName
	}
}

// DemoPersonas returns the personas of demo mode: adult candidates, two
// learners of a course whose registers the demo fills (one above ATT-2's
// 75 %, one below), a minor, a second account attempt by an adult candidate
// (same names and birth date, another subject), one persona per staff role,
// and a staff member whose provider does not say the email is verified.
func DemoPersonas() []Persona {
	return []Persona{
		{
			Subject:       "demo-candidate-1",
			Email:         "camille.martin@exemple.fr",
			EmailVerified: true,
			GivenName:     "Camille",
			FamilyName:    "Martin",
			Birthdate:     "1988-03-14",
			Label:         "Candidate adulte",
		},
		{
			Subject:       "demo-candidate-2",
			Email:         "yasmine.benali@exemple.fr",
			EmailVerified: true,
			GivenName:     "Yasmine",
			FamilyName:    "Benali",
			Birthdate:     "1995-09-02",
			Label:         "Candidate adulte",
		},
		{
			Subject:       "demo-candidate-3",
			Email:         "thomas.nguyen@exemple.fr",
			EmailVerified: true,
			GivenName:     "Thomas",
			FamilyName:    "Nguyen",
			Birthdate:     "1979-12-05",
			Label:         "Candidat adulte",
		},
		{
			Subject:       "demo-candidate-4",
			Email:         "hugo.lefevre@exemple.fr",
			EmailVerified: false,
			GivenName:     "Hugo",
			FamilyName:    "Lefèvre",
			Birthdate:     "1991-07-23",
			Label:         "Candidat adulte, adresse électronique non vérifiée",
		},
		{
			Subject:       "demo-candidate-5",
			Email:         "ines.moreau@exemple.fr",
			EmailVerified: true,
			GivenName:     "Inès",
			FamilyName:    "Moreau",
			Birthdate:     "1984-02-11",
			Label:         "Candidate adulte avec des candidatures à la session annuelle",
		},
		{
			Subject:       "demo-candidate-6",
			Email:         "karim.haddad@exemple.fr",
			EmailVerified: true,
			GivenName:     "Karim",
			FamilyName:    "Haddad",
			Birthdate:     "1990-11-30",
			Label:         "Candidat adulte avec des candidatures au 2e semestre (test, entretien)",
		},
		{
			Subject:       "demo-learner-assidue",
			Email:         "amandine.roux@exemple.fr",
			EmailVerified: true,
			GivenName:     "Amandine",
			FamilyName:    "Roux",
			Birthdate:     "1986-04-18",
			Label:         "Apprenante assidue d'un cours annuel (Voltaire)",
		},
		{
			Subject:       "demo-learner-absent",
			Email:         "bruno.lemaire@exemple.fr",
			EmailVerified: true,
			GivenName:     "Bruno",
			FamilyName:    "Lemaire",
			Birthdate:     "1977-10-09",
			Label:         "Apprenant souvent absent d'un cours annuel (Voltaire)",
		},
		{
			Subject:       "demo-candidate-minor",
			Email:         "lea.petit@exemple.fr",
			EmailVerified: true,
			GivenName:     "Léa",
			FamilyName:    "Petit",
			Birthdate:     "2009-06-01",
			Label:         "Candidate mineure (17 ans au 27 novembre 2026)",
		},
		{
			Subject:       "demo-candidate-duplicate",
			Email:         "camille.martin.bis@exemple.fr",
			EmailVerified: true,
			GivenName:     "Camille",
			FamilyName:    "Martin",
			Birthdate:     "1988-03-14",
			Label:         "Seconde tentative de compte (même personne que Camille Martin)",
		},
		{
			Subject:       "demo-staff-director",
			Email:         "directrice.voltaire@paris.exemple",
			EmailVerified: true,
			GivenName:     "Hélène",
			FamilyName:    "Dubois",
			Label:         "Directrice d'établissement (Voltaire)",
		},
		{
			Subject:       "demo-staff-coordinator",
			Email:         "coordinateur.voltaire@paris.exemple",
			EmailVerified: true,
			GivenName:     "Karim",
			FamilyName:    "Haddad",
			Label:         "Coordinateur pédagogique (Voltaire)",
		},
		{
			Subject:       "demo-staff-trainer",
			Email:         "formatrice.laurent@paris.exemple",
			EmailVerified: true,
			GivenName:     "Sophie",
			FamilyName:    "Laurent",
			Label:         "Formatrice",
		},
		{
			Subject:       "demo-staff-guidance",
			Email:         "orientation.cma@paris.exemple",
			EmailVerified: true,
			GivenName:     "Marc",
			FamilyName:    "Girard",
			Label:         "Conseiller en orientation",
		},
		{
			Subject:       "demo-staff-helpdesk",
			Email:         "assistance.cma@paris.exemple",
			EmailVerified: true,
			GivenName:     "Nadia",
			FamilyName:    "Rousseau",
			Label:         "Assistance aux usagers",
		},
		{
			Subject:       "demo-staff-regisseur",
			Email:         "regie.cma@paris.exemple",
			EmailVerified: true,
			GivenName:     "Françoise",
			FamilyName:    "Lefèvre",
			Label:         "Régisseuse des recettes (lecture seule)",
		},
		{
			// A staff member's first sign-in as LemonLDAP::NG's default
			// claims give it (no email_verified), to a staff account created
			// without names: held for the central service (ACC-3).
			Subject:       "demo-staff-director-unverified",
			Email:         "directeur.adjoint.voltaire@paris.exemple",
			EmailVerified: false,
			GivenName:     "Julien",
			FamilyName:    "Moreau",
			Label:         "Directeur adjoint (Voltaire), adresse non vérifiée : connexion à confirmer par le service central",
		},
		{
			Subject:       "demo-staff-central",
			Email:         "service.central.cma@paris.exemple",
			EmailVerified: true,
			GivenName:     "Pierre",
			FamilyName:    "Bernard",
			Label:         "Service central des CMA",
		},
	}
}
