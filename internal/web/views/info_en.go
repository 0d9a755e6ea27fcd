package views

import (
	"strconv"

	"cma/internal/domain"
)

// The English bodies of the information pages (see info_fr.go; the French
// text is the reference).

// HelpEN is the help page in English.
func HelpEN() *InfoView {
	max := strconv.Itoa(domain.MaxFormations)
	return &InfoView{
		Intro: []string{
			"Answers to the most frequent questions about the city's adult courses, from applying to the end of the course.",
			"A question not answered here? The city's call centre answers on 3975, Monday to Friday, 8:30 am to 6 pm. No information is given at the establishments where the courses take place.",
		},
		Contents: true,
		Sections: []InfoSection{
			{ID: "candidater", Title: "Applying", Sub: []InfoSection{
				{ID: "qui", Title: "Who can attend the courses?", Paras: []string{
					"Anyone aged 18 or over on the first day of the course, living in the city or not, within the places available. For some formations the demand far exceeds the places: not every candidature can be accepted."}},
				{ID: "quand", Links: []InfoAnchor{{"/catalogue", "Find a course and its candidature period"}}, Title: "When can I apply?", Paras: []string{
					"Each session (annual, 1st or 2nd semester, special sessions) has its candidature period. It is shown on each course's page in the catalogue, with the answer period."}},
				{ID: "comment", Links: []InfoAnchor{{"/catalogue", "Browse the course catalogue"}}, Title: "How do I apply?", Paras: []string{
					"Choose your courses in the catalogue and add them to your basket, then validate the basket definitively. You need:"},
					Items: []string{
						"a personal email address, which is mandatory;",
						"a city sign-in account (“Mon Paris”): your account on this site is created when you first sign in;",
						"one account per person: a second account for the same person is held and checked by the adult courses service.",
					}},
				{ID: "combien", Title: "How many courses can I ask for?", Paras: []string{
					"Up to " + max + " formations at a time, validated candidatures and enrolments included. Two more rules:"},
					Items: []string{
						"never the same formation twice, in the same establishment or in two different ones;",
						"one course only per day and time slot.",
					}},
				{ID: "pieces", Title: "Which documents must I provide?", Paras: []string{
					"None to apply, except the proof if you claim the half tariff. If your candidature is accepted, the convocation tells you which documents to bring."}},
				{ID: "reglement", Title: "Why accept the internal rules?", Paras: []string{
					"Taking a course means accepting the internal rules: you read and accept them when you validate your basket, and the version you accepted is recorded."}},
			}},
			{ID: "apres", Title: "After the validation", Sub: []InfoSection{
				{ID: "confirmation", Links: []InfoAnchor{{"/mes-candidatures", "My candidatures and payments"}}, Title: "How do I know my candidature is recorded?", Paras: []string{
					"As soon as you validate, a confirmation email is sent to you. Its copy, like that of every email of the platform, is also in “My candidatures and payments”, where you follow the status of each candidature.",
					"Look in your spam folder too, and add the platform's sender address to your contacts."}},
				{ID: "modifier", Title: "Can I change or cancel my candidature?", Paras: []string{
					"A validated candidature can no longer be changed. You can cancel it in “My candidatures and payments” until the last day of its session's candidature period; after that, it can no longer be cancelled."}},
				{ID: "reponse", Title: "When will I get an answer?", Paras: []string{
					"During the answer period shown on the course's page. Candidatures are not processed in order of arrival: they are all processed together at the end of the candidature period. Applying on the first day or the last changes nothing."}},
				{ID: "criteres", Title: "How are candidates chosen?", Paras: []string{
					"First, the formation's prerequisites must be met. The choice then weighs:"},
					Items: []string{
						"the pedagogical evaluation (a test or interview, often on the first day of the course), which prevails over everything else;",
						"social criteria: RSA, job seeking, subsidised contract;",
						"your objectives and motivation;",
						"your attendance and results in the previous levels, if you have already taken the courses.",
					}},
				{ID: "tests", Title: "How do tests and interviews work?", Paras: []string{
					"Most formations have a level test (languages in particular): its result decides the level of the course you are enrolled in.",
					"The test usually takes place on the first day of the course, and its results are posted in the establishment: it is up to you to read them there. Some formations have an anticipated test, before classes start: the answer is then sent to you by email.",
					"Tests and interviews are mandatory and their date cannot be changed. The convocation is nominative: nobody can come in your place. Missing it counts as a withdrawal, without exception."}},
				{ID: "attente", Title: "My candidature is on a waiting list: when will I know?", Paras: []string{
					"If you have received no convocation three weeks after classes start, your candidature could not be accepted for lack of places. No email tells you so: its status becomes “lack of places” in “My candidatures and payments”."}},
				{ID: "complet", Title: "The course is full: what happens?", Paras: []string{
					"Depending on the places left, you may be redirected to the same course or an equivalent one, on another day or in another place."}},
			}},
			{ID: "payer", Title: "Fees and payment", Sub: []InfoSection{
				{ID: "paiement", Title: "When and how do I pay?", Paras: []string{
					"In one single payment, once the establishment has validated your enrolment, between the first and the second class. Online card payment will be on this site, in “My candidatures and payments”.",
					"Exceptionally, you can pay at the establishment director's desk, by cheque payable to the adult courses' régie, or in cash (300 € at most, exact change).",
					"The fee is the same whenever you join the course."}},
				{ID: "demi-tarif", Title: "Who is entitled to the half tariff?", Paras: []string{
					"Recipients of the RSA, ASS or AAH, on every course, with a proof less than 3 months old attached when applying. Without a valid proof at that time the full tariff applies, and a full tariff paid is never partly refunded afterwards.",
					"Job seekers who do not receive one of these allowances pay the full tariff."}},
				{ID: "tiers", Title: "Can someone else pay for me?", Paras: []string{
					"Yes: a social worker, a works council or an association can pay in your place, by card online or by cheque."}},
				{ID: "prise-en-charge", Title: "Can professional training funds pay for the courses?", Paras: []string{
					"No: the courses are for private persons, not companies, and cannot be funded through professional training schemes.",
					"There is no quote nor invoice. On written request, the adult courses service issues a training cost attestation (before payment, once your candidature is accepted) or a payment attestation (after)."}},
				{ID: "remboursement", Title: "Can I get a refund?", Paras: []string{
					"Only in these cases:"},
					Items: []string{
						"bodily accident, hospitalisation or a significant change in your professional situation, within 4 weeks from the start of the course, with a proof;",
						"a course that does not open for lack of learners, or a registration error made by the administration.",
					}},
				{ID: "remboursement-demande", Title: "How do I ask for a refund?", Paras: []string{
					"Your request must reach the adult courses service at most 4 weeks after the cancellation decision notified to you, or after the event that stops you from continuing. Later requests are refused.",
					"The platform's contact form is not open yet: until it is, call 3975, Monday to Friday, 8:30 am to 6 pm, who will tell you how to send your request and your proof.",
					"Joining during the year or leaving early gives no reduction nor refund. A class cancelled once (room closed by the authorities, trainer absent and not replaced) gives neither refund nor carry-over."}},
			}},
			{ID: "formation", Title: "During the course", Sub: []InfoSection{
				{ID: "carte", Title: "What is the learner card for?", Paras: []string{
					"It is given to you on payment and lets you into the establishment and the course: you may be refused entry without it. If you lose it, the director of the establishment hosting the course replaces it."}},
				{ID: "jour", Title: "The day of my course does not suit me: can I change?", Paras: []string{
					"Come on the first day, on the day given in the convocation, and ask the establishment director, who forwards your request to the pedagogical coordinator: the coordinator decides."}},
				{ID: "vacances", Title: "Are there classes during school holidays?", Paras: []string{
					"No, except in sessions planned for it: no classes during school holidays, on public holidays nor on Whit Monday. Each course's calendar of classes is on its page."}},
				{ID: "distance", Title: "Can courses take place remotely?", Paras: []string{
					"Yes: depending on circumstances, health ones in particular, any course can switch to remote delivery. Courses are kept going as much as possible, preferably in person; you are told of any change."}},
				{ID: "effectifs", Title: "How many learners per course?", Paras: []string{
					"Usually 20 to 25. Computer courses take 15, one per workstation; technical diploma courses, as many as there are workstations."}},
				{ID: "absences", Title: "What happens if I am absent?", Paras: []string{
					"Each trainer keeps an attendance register, and every absence must be justified to the trainer. After three consecutive absences without valid reason, the adult courses service may strike you off. Beyond three consecutive absences, whatever the reason, the trainer may exclude you from the course, without refund.",
					"Anyone whose conduct disrupts the course is excluded from it."}},
				{ID: "assiduite", Title: "What is the attendance certificate?", Paras: []string{
					"It certifies your presence: it is issued if you attended at least 75% of the course's hours."}},
				{ID: "certificat", Title: "What is the certificate of competences?", Paras: []string{
					"Some courses end with an evaluation test, mandatory and on a fixed date. The certificate of competences records your success; it is required to go on to the next level. The adult courses service issues it within 2 months after the end of the course.",
					"To know your grades, call 3975 until the contact form opens."}},
				{ID: "echec", Title: "I failed the evaluation test: what now?", Paras: []string{
					"You can apply to the same formation again at the next start of the year. Only one repeat is possible."}},
			}},
			{ID: "diplomes", Title: "Diploma formations", Sub: []InfoSection{
				{ID: "diplomes-examens", Title: "Who registers me for the exams?", Paras: []string{
					"Some formations prepare for a diploma of the Éducation nationale (CAP, BEP, baccalauréat, BTS…) or of another institution. You register for the exams yourself and pay any exam fee; check the conditions of access to the diploma."}},
				{ID: "dispense", Title: "Can I be exempted from some exams?", Paras: []string{
					"Yes: if you prepare a diploma of a lower level than one you already hold, you may be exempted from the general exams."}},
				{ID: "stage", Title: "Can the courses sign an internship agreement?", Paras: []string{
					"No: the adult courses are not a training organisation. You can write, by post only, to the adult courses service (11 rue Froment, 75011 Paris), who may offer you a complementary training within the city's services. For the CAPA landscaping and CAP early childhood, a guide is given to you at the first class."}},
				{ID: "sejour", Title: "Does enrolling help to get a residence permit?", Paras: []string{
					"No. Taking a course has no bearing on a residence permit, which only the prefecture decides."}},
			}},
			{ID: "compte", Title: "Your account", Sub: []InfoSection{
				{ID: "mot-de-passe", Links: []InfoAnchor{{"/connexion", "Sign-in page"}}, Title: "I lost my password", Paras: []string{
					"Your password is that of your city sign-in account: use the “forgotten password” link of its sign-in page; an email lets you choose a new one."}},
				{ID: "coordonnees", Links: []InfoAnchor{{"/mon-profil", "My profile"}}, Title: "Changing my address or phone", Paras: []string{
					"In “My profile”, on this site."}},
				{ID: "courriel", Title: "Changing my email address", Paras: []string{
					"It is changed in your city sign-in account, then taken over here at your next sign-in."}},
				{ID: "identite", Title: "Correcting my name or date of birth", Paras: []string{
					"They are taken from your city sign-in account when your account is created; changing them there afterwards does not change them here. Only the adult courses service can correct them: call 3975, Monday to Friday, 8:30 am to 6 pm. If your date of birth is missing, you can give it yourself in “My profile”."}},
			}},
			{ID: "aide", Title: "Who can help me?", Sub: []InfoSection{
				{ID: "telephone", Title: "By phone", Paras: []string{
					"The city's call centre answers your questions on 3975, Monday to Friday, 8:30 am to 6 pm."}},
				{ID: "langue-etrangere", Title: "You speak little French?", Paras: []string{
					"For the annual and 1st-semester sessions, guidance trainers welcome candidates to the French courses and help them apply online, usually in September. The city announces the places and opening hours a few days before classes start."}},
			}},
		},
	}
}

// LegalEN is the legal notice in English.
func LegalEN() *InfoView {
	return &InfoView{
		Sections: []InfoSection{
			{ID: "editeur", Title: "Publisher", Paras: []string{
				"This site is published by the City, Adult courses service, 11 rue Froment, 75011 Paris.",
				"[To be completed by the city: exact name of the local authority, SIRET number.]",
				"Phone: 3975, Monday to Friday, 8:30 am to 6 pm."}},
			{ID: "directeur", Title: "Director of publication", Paras: []string{
				"[To be completed by the city: the mayor, or the person to whom the direction of publication is delegated.]"}},
			{ID: "hebergeur", Title: "Hosting", Paras: []string{
				"[To be completed by the city: name, address and phone number of the site's host.]"}},
			{ID: "logiciel", Title: "Software", Paras: []string{
				"The adult courses platform is free software. Its pages follow the principles of the French state's design system (DSFR) and work without JavaScript."}},
			{ID: "donnees", Links: []InfoAnchor{{"/donnees-personnelles", "Personal data"}}, Title: "Personal data and cookies", Paras: []string{
				"What the platform keeps about you, why, for how long and how to exercise your rights: see the “Personal data” page. The site uses no advertising cookie nor audience measurement."}},
			{ID: "accessibilite", Links: []InfoAnchor{{"/accessibilite", "Accessibility statement"}}, Title: "Accessibility", Paras: []string{
				"The site's conformity with the French accessibility standard (RGAA) is given by the accessibility statement."}},
			{ID: "reutilisation", Title: "Links and reuse", Paras: []string{
				"You may link to any page of this site without permission. The catalogue's texts may be reused with their source."}},
		},
	}
}

// PrivacyEN is the personal data page in English.
func PrivacyEN(proofMonths int) *InfoView {
	months := strconv.Itoa(proofMonths)
	return &InfoView{
		Intro: []string{"This page says which personal data the adult courses platform keeps, why, who sees them, for how long, and how to exercise your rights."},
		Sections: []InfoSection{
			{ID: "responsable", Title: "Data controller", Paras: []string{
				"The City, Adult courses service, 11 rue Froment, 75011 Paris.",
				"Data protection officer: [to be completed by the city: postal and email address of the data protection officer]."}},
			{ID: "finalites", Title: "Why these data, and on what basis", Paras: []string{
				"The data are used to receive and process candidatures to the city's adult courses: checking the conditions (age, number of formations), selecting candidates, informing them by email, and keeping track of staff actions.",
				"Legal basis: the performance of a task carried out in the public interest, a public service mission (article 6(1)(e) of the General Data Protection Regulation). The social situation you declare (RSA, job seeking, subsidised contract) is optional and used only for the selection."}},
			{ID: "donnees", Title: "The data kept", Sub: []InfoSection{
				{ID: "compte", Title: "Your account", Paras: []string{
					"Last name, first name, date of birth and email address, taken from your city sign-in account when you first sign in; phone and postal address, if you give them in “My profile”."}},
				{ID: "candidatures", Title: "Your candidatures", Paras: []string{
					"The courses chosen, your objective, your motivation, the social situation declared, the half-tariff claim, the version of the internal rules accepted, each candidature's history, and the name of the agent who filed it for you if any (assisted registration)."}},
				{ID: "justificatifs", Title: "Half-tariff proofs", Paras: []string{
					"The attached file and its date of issue. It is kept while a candidature relying on it is under way (the fee and the payment depend on it), then erased automatically " + months + " months after the last of these candidatures was cancelled, or " + months + " months after it was sent if no candidature uses it. Each erasure is recorded in the audit trail."}},
				{ID: "courriels", Title: "Emails", Paras: []string{
					"A copy of every email the platform sends you, shown in “My candidatures and payments”, and whether your mailbox accepted or refused it."}},
				{ID: "journal", Title: "The audit trail", Paras: []string{
					"Each time staff read your file or change it (who, when, what and why) is recorded in an audit trail, so that these accesses can be checked."}},
				{ID: "cookies", Title: "Cookies", Paras: []string{
					"Two cookies only, needed by the service: your session's, which keeps you signed in (the sign-in ends when you sign out, after a period of inactivity, and at the latest a few hours after signing in), and the chosen language's (one year). No advertising nor audience measurement cookie: so they need no consent."}},
			}},
			{ID: "destinataires", Title: "Who sees your data", Items: []string{
				"the agents of the adult courses service;",
				"the director of the establishment where the courses you ask for take place, for those courses only;",
				"trainers, for their own courses only;",
				"the 3975 agents, read only, when you call them.",
			}, Paras: []string{"Your data are neither sold nor passed to other organisations."}},
			{ID: "durees", Title: "For how long", Paras: []string{
				"Proofs: see above (" + months + " months after their use ends).",
				"Account, candidatures, copies of emails and audit trail: [to be set by the city: retention periods]. Today, the platform erases only the proofs automatically."}},
			{ID: "droits", Title: "Your rights", Paras: []string{
				"You may access your data, have them corrected, ask for their erasure or the restriction of their processing, and object to their processing on grounds relating to your particular situation. You correct your phone and address yourself in “My profile”; your names and date of birth are corrected by the adult courses service.",
				"To exercise these rights: call 3975, Monday to Friday, 8:30 am to 6 pm, or write to the Adult courses service, 11 rue Froment, 75011 Paris, or to the data protection officer.",
				"If, after contacting us, you consider that your rights are not respected, you may lodge a complaint with the CNIL: www.cnil.fr, or by post to CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07."}},
		},
	}
}

// AccessibilityEN is the accessibility statement in English.
func AccessibilityEN() *InfoView {
	return &InfoView{
		Intro: []string{
			"The City is committed to making its websites accessible, in accordance with article 47 of French law no. 2005-102 of 11 February 2005.",
			"This accessibility statement applies to the city's adult courses platform."},
		Sections: []InfoSection{
			{ID: "etat", Title: "Conformity status", Paras: []string{
				"The adult courses platform is not compliant with the French accessibility standard (RGAA) version 4.1: no conformity audit has been made yet."}},
			{ID: "tests", Title: "What is checked today", Paras: []string{
				"Without waiting for the audit, the pages are built to be accessible: structure and headings, a skip link, forms with labels and error messages bound to their fields, visible focus, no information given by colour alone, pages usable without JavaScript and on a phone screen.",
				"At each change, automated tests walk the main pages in a browser, at desktop and phone widths, and check them with the axe-core tool (WCAG 2.1 rules, levels A and AA). These automated tests cover only part of the RGAA criteria: they do not replace an audit."}},
			{ID: "non-accessible", Links: []InfoAnchor{{"/catalogue/brochure", "HTML version of the brochure"}}, Title: "Non-accessible content", Paras: []string{
				"Without an audit, the full list of non-conformities is not known. Already known:"},
				Items: []string{
					"the printable brochure (PDF) is not tagged for screen readers: its HTML version, with the same content, is offered on the same page;",
					"the proofs you attach are read by agents only: their accessibility does not depend on the platform.",
				}},
			{ID: "etablissement", Title: "Preparation of this statement", Paras: []string{
				"This statement was made on 2 December 2026.",
				"Technologies used: HTML, CSS. The site works without JavaScript.",
				"Environment of the automated tests: Chromium browser, at widths of 375 and 1,280 pixels, with axe-core."}},
			{ID: "signaler", Title: "Reporting a problem", Paras: []string{
				"If you cannot access a content or a service, tell us: call 3975, Monday to Friday, 8:30 am to 6 pm. We will help you get the content or service in another form, and the problem will be recorded to be fixed."}},
			{ID: "recours", Title: "Remedies", Paras: []string{
				"If you reported an accessibility defect that prevents you from accessing a content or a service and did not get a satisfactory answer, you may refer the matter to the Défenseur des droits (the French rights ombudsman):"},
				Items: []string{
					"through the online form of the Défenseur des droits, on defenseurdesdroits.fr;",
					"by phone on 09 69 39 00 00;",
					"by meeting one of its delegates in your region;",
					"by post, free of charge, without a stamp: Défenseur des droits, Libre réponse 71120, 75342 Paris Cedex 07.",
				}},
		},
	}
}
