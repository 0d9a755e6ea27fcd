package views

import (
	"strconv"

	"cma/internal/domain"
)

// The French bodies of the information pages (info.templ). Facts the
// platform cannot know (the publisher's registration, the host, the data
// protection officer) are placeholders in square brackets, for the city to fill.

// HelpFR is the help page: the city's FAQ, in the platform's words, by theme.
func HelpFR() *InfoView {
	max := strconv.Itoa(domain.MaxFormations)
	return &InfoView{
		Intro: []string{
			"Les réponses aux questions les plus fréquentes sur les cours municipaux d'adultes, de la candidature à la fin de la formation.",
			"Une question sans réponse ici ? Le centre d'appel de la Ville répond au 3975, du lundi au vendredi de 8 h 30 à 18 h. Aucun renseignement n'est donné dans les établissements où ont lieu les cours.",
		},
		Contents: true,
		Sections: []InfoSection{
			{ID: "candidater", Title: "Candidater", Sub: []InfoSection{
				{ID: "qui", Title: "Qui peut suivre les cours ?", Paras: []string{
					"Toute personne de 18 ans ou plus au premier jour du cours, qu'elle habite la ville ou non, dans la limite des places disponibles. Pour certaines formations, les demandes dépassent de loin les places : toutes ne peuvent pas être satisfaites."}},
				{ID: "quand", Links: []InfoAnchor{{"/catalogue", "Chercher un cours et sa période de candidature"}}, Title: "Quand puis-je candidater ?", Paras: []string{
					"Chaque session (annuelle, 1er ou 2e semestre, sessions spéciales) a sa période de candidature. Elle est indiquée sur la page de chaque cours du catalogue, avec la période de réponse."}},
				{ID: "comment", Links: []InfoAnchor{{"/catalogue", "Consulter le catalogue des cours"}}, Title: "Comment candidater ?", Paras: []string{
					"Choisissez vos cours dans le catalogue et ajoutez-les à votre panier, puis validez le panier définitivement. Pour cela il faut :"},
					Items: []string{
						"une adresse électronique personnelle, obligatoire ;",
						"un compte de connexion de la Ville (« Mon Paris ») : votre compte sur ce site est créé à votre première connexion ;",
						"un seul compte par personne : un deuxième compte pour la même personne est bloqué et vérifié par le service des cours d'adultes.",
					}},
				{ID: "combien", Title: "Combien de cours puis-je demander ?", Paras: []string{
					"Jusqu'à " + max + " formations à la fois, candidatures validées et inscriptions comprises. Deux règles s'ajoutent :"},
					Items: []string{
						"jamais deux fois la même formation, que ce soit dans le même établissement ou dans deux établissements différents ;",
						"un seul cours par jour et par créneau horaire.",
					}},
				{ID: "pieces", Title: "Quels documents fournir ?", Paras: []string{
					"Aucun pour candidater, sauf le justificatif si vous demandez le demi-tarif. Si votre candidature est retenue, la convocation vous dit quelles pièces apporter."}},
				{ID: "reglement", Title: "Pourquoi accepter le règlement intérieur ?", Paras: []string{
					"Suivre une formation suppose d'accepter le règlement intérieur : vous le lisez et l'acceptez en validant votre panier, et la version acceptée est enregistrée."}},
			}},
			{ID: "apres", Title: "Après la validation", Sub: []InfoSection{
				{ID: "confirmation", Links: []InfoAnchor{{"/mes-candidatures", "Mes candidatures et paiements"}}, Title: "Comment savoir si ma candidature est bien enregistrée ?", Paras: []string{
					"Dès la validation, un courriel de confirmation vous est envoyé. Sa copie, comme celle de chaque courriel de la plateforme, est aussi dans « Mes candidatures et paiements », où vous suivez l'état de chaque candidature.",
					"Pensez à regarder dans vos courriels indésirables, et ajoutez l'adresse d'envoi de la plateforme à vos contacts."}},
				{ID: "modifier", Title: "Puis-je modifier ou annuler ma candidature ?", Paras: []string{
					"Une candidature validée ne se modifie plus. Vous pouvez l'annuler dans « Mes candidatures et paiements » jusqu'au dernier jour de la période de candidature de sa session ; après, l'annulation n'est plus possible."}},
				{ID: "reponse", Title: "Quand aurai-je une réponse ?", Paras: []string{
					"Pendant la période de réponse indiquée sur la page du cours. Les candidatures ne sont pas traitées dans l'ordre d'arrivée : elles le sont toutes ensemble, à la fin de la période de candidature. Candidater le premier jour ou le dernier ne change rien."}},
				{ID: "criteres", Title: "Comment les candidats sont-ils choisis ?", Paras: []string{
					"Il faut d'abord remplir les prérequis de la formation. Le choix tient compte ensuite :"},
					Items: []string{
						"de l'évaluation pédagogique (test ou entretien, souvent le premier jour du cours), qui prime sur tout le reste ;",
						"de critères sociaux : RSA, demande d'emploi, contrat aidé ;",
						"de vos objectifs et de votre motivation ;",
						"de votre assiduité et de vos résultats aux niveaux précédents, si vous avez déjà suivi les cours.",
					}},
				{ID: "tests", Title: "Comment se passent les tests et entretiens ?", Paras: []string{
					"La plupart des formations ont un test de niveau (en langues notamment) : son résultat décide du niveau du cours où vous êtes inscrit.",
					"Le test a lieu en général le premier jour du cours, et ses résultats sont affichés dans l'établissement : c'est à vous d'aller les lire. Certaines formations ont un test anticipé, avant le début des cours : la réponse vous est alors envoyée par courriel.",
					"Tests et entretiens sont obligatoires et leur date ne peut pas être changée. La convocation est nominative : personne ne peut venir à votre place. Une absence vaut désistement, sans exception."}},
				{ID: "attente", Title: "Ma candidature est sur liste d'attente : quand saurai-je ?", Paras: []string{
					"Si vous n'avez reçu aucune convocation trois semaines après le début des cours, votre candidature n'a pas pu être retenue faute de place. Aucun courriel ne vous l'annonce : son état devient « en manque de place » dans « Mes candidatures et paiements »."}},
				{ID: "complet", Title: "Le cours est complet : que se passe-t-il ?", Paras: []string{
					"Selon les places restantes, vous pouvez être orienté vers le même cours ou un cours équivalent, un autre jour ou dans un autre lieu."}},
			}},
			{ID: "payer", Title: "Tarifs et paiement", Sub: []InfoSection{
				{ID: "paiement", Title: "Quand et comment payer ?", Paras: []string{
					"En une seule fois, une fois votre inscription validée par l'établissement, entre la première et la deuxième séance. Le paiement en ligne par carte se fera sur ce site, dans « Mes candidatures et paiements ».",
					"Exceptionnellement, vous pouvez payer auprès du chef d'établissement, par chèque à l'ordre de la régie des cours d'adultes ou en espèces (300 € au plus, avec l'appoint).",
					"Le tarif est le même quelle que soit la date de votre entrée en formation."}},
				{ID: "demi-tarif", Title: "Qui a droit au demi-tarif ?", Paras: []string{
					"Les bénéficiaires du RSA, de l'ASS ou de l'AAH, sur toute l'offre, avec un justificatif de moins de 3 mois joint au moment de la candidature. Sans justificatif valable à ce moment, le plein tarif s'applique, et un plein tarif payé n'est jamais remboursé en partie après coup.",
					"Les demandeurs d'emploi qui ne touchent pas l'une de ces allocations paient le plein tarif."}},
				{ID: "tiers", Title: "Quelqu'un d'autre peut-il payer pour moi ?", Paras: []string{
					"Oui : un travailleur social, un comité d'entreprise ou une association peut payer à votre place, par carte en ligne ou par chèque."}},
				{ID: "prise-en-charge", Title: "Les cours peuvent-ils être pris en charge par la formation professionnelle ?", Paras: []string{
					"Non : les cours s'adressent aux particuliers, pas aux entreprises, et ne peuvent pas être financés par les dispositifs de la formation professionnelle.",
					"Il n'y a ni devis ni facture. Sur demande écrite, le service des cours d'adultes établit une attestation de coût de formation (avant le paiement, une fois votre candidature retenue) ou une attestation de paiement (après)."}},
				{ID: "remboursement", Title: "Puis-je être remboursé ?", Paras: []string{
					"Seulement dans ces cas :"},
					Items: []string{
						"accident corporel, hospitalisation ou changement important de votre situation professionnelle, dans les 4 semaines qui suivent le début de la formation, avec un justificatif ;",
						"cours qui n'ouvre pas faute d'inscrits, ou erreur d'inscription de l'administration.",
					}},
				{ID: "remboursement-demande", Title: "Comment demander un remboursement ?", Paras: []string{
					"La demande doit parvenir au service des cours d'adultes au plus tard 4 semaines après la décision d'annulation qui vous a été notifiée, ou après l'événement qui vous empêche de continuer. Au-delà, elle est refusée.",
					"Le formulaire de contact de la plateforme n'est pas encore ouvert : en attendant, appelez le 3975, du lundi au vendredi de 8 h 30 à 18 h, qui vous dira comment transmettre votre demande et votre justificatif.",
					"Une entrée en cours d'année ou un départ anticipé ne donne droit à aucune réduction ni remboursement. Un cours annulé ponctuellement (salle fermée par les autorités, formateur absent et non remplacé) ne donne droit ni à remboursement ni à report."}},
			}},
			{ID: "formation", Title: "Pendant la formation", Sub: []InfoSection{
				{ID: "carte", Title: "À quoi sert la carte d'auditeur ?", Paras: []string{
					"Elle vous est remise au paiement et vous ouvre l'accès à l'établissement et au cours : l'entrée peut vous être refusée sans elle. Perdue, elle est remplacée par le chef de l'établissement qui accueille le cours."}},
				{ID: "jour", Title: "Le jour de mon cours ne me convient pas : puis-je changer ?", Paras: []string{
					"Venez le premier jour, au jour indiqué sur la convocation, et faites la demande au chef d'établissement, qui la transmet au coordinateur pédagogique : c'est lui qui décide."}},
				{ID: "vacances", Title: "Y a-t-il cours pendant les vacances scolaires ?", Paras: []string{
					"Non, sauf dans les sessions prévues pour cela : pas de cours pendant les vacances scolaires, les jours fériés ni le lundi de Pentecôte. Le calendrier des séances de chaque cours est sur sa page."}},
				{ID: "distance", Title: "Les cours peuvent-ils avoir lieu à distance ?", Paras: []string{
					"Oui : selon les circonstances, sanitaires notamment, tout cours peut passer à distance. Les cours sont maintenus autant que possible, de préférence en présentiel ; vous êtes prévenu de tout changement."}},
				{ID: "effectifs", Title: "Combien d'auditeurs par cours ?", Paras: []string{
					"En général 20 à 25. Les cours d'informatique en accueillent 15, un par poste ; les formations techniques diplômantes, autant que de postes de travail."}},
				{ID: "absences", Title: "Que se passe-t-il si je suis absent ?", Paras: []string{
					"Chaque formateur tient un registre de présence, et toute absence doit lui être justifiée. Après trois absences consécutives sans motif valable, le service des cours d'adultes peut vous radier. Au-delà de trois absences consécutives, quel qu'en soit le motif, le formateur peut vous exclure du cours, sans remboursement.",
					"Toute personne dont la conduite trouble le bon fonctionnement du cours en est exclue."}},
				{ID: "assiduite", Title: "Qu'est-ce que l'attestation d'assiduité ?", Paras: []string{
					"Elle atteste votre présence : elle est délivrée si vous avez assisté à au moins 75 % des heures du cours."}},
				{ID: "certificat", Title: "Qu'est-ce que le certificat de compétences ?", Paras: []string{
					"Certains cours se terminent par un test d'évaluation, obligatoire et à date fixe. Le certificat de compétences atteste sa réussite ; il est nécessaire pour passer au niveau supérieur. Le service des cours d'adultes vous le délivre dans les 2 mois qui suivent la fin du cours.",
					"Pour connaître vos notes, appelez le 3975 en attendant l'ouverture du formulaire de contact."}},
				{ID: "echec", Title: "J'ai échoué au test d'évaluation : que faire ?", Paras: []string{
					"Vous pouvez vous réinscrire à la même formation à la rentrée suivante. Un seul redoublement est possible."}},
			}},
			{ID: "diplomes", Title: "Formations diplômantes", Sub: []InfoSection{
				{ID: "diplomes-examens", Title: "Qui m'inscrit aux examens ?", Paras: []string{
					"Certaines formations préparent à un diplôme de l'Éducation nationale (CAP, BEP, baccalauréat, BTS…) ou d'une autre institution. Vous vous inscrivez vous-même aux épreuves et payez les éventuels frais d'examen ; vérifiez les conditions d'accès au diplôme."}},
				{ID: "dispense", Title: "Puis-je être dispensé de certaines épreuves ?", Paras: []string{
					"Oui : si vous préparez un diplôme d'un niveau inférieur à un diplôme que vous avez déjà, vous pouvez être dispensé des épreuves générales."}},
				{ID: "stage", Title: "Les cours peuvent-ils signer une convention de stage ?", Paras: []string{
					"Non : les cours d'adultes ne sont pas un organisme de formation. Vous pouvez écrire, par courrier uniquement, au service des cours d'adultes (11 rue Froment, 75011 Paris), qui pourra vous proposer une formation complémentaire dans les services de la Ville. Pour le CAPA travaux paysagers et le CAP Petite enfance, un guide vous est remis au premier cours."}},
				{ID: "sejour", Title: "Une inscription aide-t-elle à obtenir un titre de séjour ?", Paras: []string{
					"Non. Suivre un cours n'a aucun lien avec la délivrance d'un titre de séjour, qui relève seulement de la préfecture."}},
			}},
			{ID: "compte", Title: "Votre compte", Sub: []InfoSection{
				{ID: "mot-de-passe", Links: []InfoAnchor{{"/connexion", "Page de connexion"}}, Title: "J'ai perdu mon mot de passe", Paras: []string{
					"Votre mot de passe est celui de votre compte de connexion de la Ville : utilisez le lien « mot de passe oublié » de sa page de connexion ; un courriel vous permet d'en choisir un nouveau."}},
				{ID: "coordonnees", Links: []InfoAnchor{{"/mon-profil", "Mon profil"}}, Title: "Changer mon adresse ou mon téléphone", Paras: []string{
					"Dans « Mon profil », sur ce site."}},
				{ID: "courriel", Title: "Changer mon adresse électronique", Paras: []string{
					"Elle se change dans votre compte de connexion de la Ville, puis est reprise ici à votre prochaine connexion."}},
				{ID: "identite", Title: "Corriger mon nom, mon prénom ou ma date de naissance", Paras: []string{
					"Ils sont repris de votre compte de connexion de la Ville à la création de votre compte ; les changer ensuite là-bas ne les change pas ici. Seul le service des cours d'adultes peut les corriger : appelez le 3975, du lundi au vendredi de 8 h 30 à 18 h. Si votre date de naissance manque, vous pouvez l'indiquer vous-même dans « Mon profil »."}},
			}},
			{ID: "aide", Title: "Qui peut m'aider ?", Sub: []InfoSection{
				{ID: "telephone", Title: "Par téléphone", Paras: []string{
					"Le centre d'appel de la Ville répond à vos questions au 3975, du lundi au vendredi de 8 h 30 à 18 h."}},
				{ID: "langue-etrangere", Title: "Vous parlez peu le français ?", Paras: []string{
					"Pour les sessions annuelle et du 1er semestre, des formateurs orienteurs accueillent les candidats aux cours de français et les aident à candidater en ligne, en général en septembre. La Ville annonce les lieux et les horaires quelques jours avant le début des cours."}},
			}},
		},
	}
}

// LegalFR is the legal notice (mentions légales).
func LegalFR() *InfoView {
	return &InfoView{
		Sections: []InfoSection{
			{ID: "editeur", Title: "Éditeur", Paras: []string{
				"Ce site est édité par la Ville, Service des cours d'adultes, 11 rue Froment, 75011 Paris.",
				"[À compléter par la Ville : dénomination exacte de la collectivité, numéro SIRET.]",
				"Téléphone : 3975, du lundi au vendredi de 8 h 30 à 18 h."}},
			{ID: "directeur", Title: "Directeur ou directrice de la publication", Paras: []string{
				"[À compléter par la Ville : le maire, ou la personne à qui il a délégué la direction de la publication.]"}},
			{ID: "hebergeur", Title: "Hébergement", Paras: []string{
				"[À compléter par la Ville : nom, adresse et téléphone de l'hébergeur du site.]"}},
			{ID: "logiciel", Title: "Logiciel", Paras: []string{
				"La plateforme des cours municipaux d'adultes est un logiciel libre. Ses pages suivent les principes du système de design de l'État (DSFR) et fonctionnent sans JavaScript."}},
			{ID: "donnees", Links: []InfoAnchor{{"/donnees-personnelles", "Données personnelles"}}, Title: "Données personnelles et cookies", Paras: []string{
				"Ce que la plateforme garde sur vous, pourquoi, combien de temps et comment exercer vos droits : voir la page « Données personnelles ». Le site n'utilise ni cookie publicitaire ni mesure d'audience."}},
			{ID: "accessibilite", Links: []InfoAnchor{{"/accessibilite", "Déclaration d'accessibilité"}}, Title: "Accessibilité", Paras: []string{
				"L'état de conformité du site au référentiel général d'amélioration de l'accessibilité (RGAA) est donné par la déclaration d'accessibilité."}},
			{ID: "reutilisation", Title: "Liens et réutilisation", Paras: []string{
				"Vous pouvez faire un lien vers n'importe quelle page de ce site sans autorisation. Les textes du catalogue peuvent être réutilisés en citant leur source."}},
		},
	}
}

// PrivacyFR is the personal data page. proofMonths is how long a proof is
// kept once nothing needs it (candidature.ProofRetentionMonths).
func PrivacyFR(proofMonths int) *InfoView {
	months := strconv.Itoa(proofMonths)
	return &InfoView{
		Intro: []string{"Cette page dit quelles données personnelles la plateforme des cours municipaux d'adultes garde, pourquoi, qui les voit, combien de temps, et comment exercer vos droits."},
		Sections: []InfoSection{
			{ID: "responsable", Title: "Responsable du traitement", Paras: []string{
				"La Ville, Service des cours d'adultes, 11 rue Froment, 75011 Paris.",
				"Délégué à la protection des données : [à compléter par la Ville : adresse postale et électronique du délégué à la protection des données]."}},
			{ID: "finalites", Title: "Pourquoi ces données, et sur quelle base", Paras: []string{
				"Les données servent à recevoir et traiter les candidatures aux cours municipaux d'adultes : vérifier les conditions (âge, nombre de formations), sélectionner les candidats, les informer par courriel, et garder la trace des actions du personnel.",
				"Base légale : l'exécution d'une mission de service public (article 6, paragraphe 1, point e, du règlement général sur la protection des données). La situation sociale que vous déclarez (RSA, demande d'emploi, contrat aidé) est facultative et ne sert qu'à la sélection."}},
			{ID: "donnees", Title: "Les données gardées", Sub: []InfoSection{
				{ID: "compte", Title: "Votre compte", Paras: []string{
					"Nom, prénom, date de naissance et adresse électronique, repris de votre compte de connexion de la Ville à votre première connexion ; téléphone et adresse postale, si vous les donnez dans « Mon profil »."}},
				{ID: "candidatures", Title: "Vos candidatures", Paras: []string{
					"Les cours choisis, votre objectif, votre motivation, la situation sociale déclarée, la demande de demi-tarif, la version du règlement intérieur acceptée, l'historique de chaque candidature, et le nom de l'agent qui l'a déposée pour vous le cas échéant (inscription assistée)."}},
				{ID: "justificatifs", Title: "Les justificatifs de demi-tarif", Paras: []string{
					"Le fichier joint et sa date de délivrance. Il est gardé tant qu'une candidature qui s'appuie sur lui est en cours (le tarif et le paiement en dépendent), puis effacé automatiquement " + months + " mois après l'annulation de la dernière de ces candidatures, ou " + months + " mois après son envoi si aucune candidature ne l'utilise. Chaque effacement est inscrit au journal."}},
				{ID: "courriels", Title: "Les courriels", Paras: []string{
					"Une copie de chaque courriel que la plateforme vous envoie, visible dans « Mes candidatures et paiements », et s'il a été remis ou refusé par votre messagerie."}},
				{ID: "journal", Title: "Le journal des actions", Paras: []string{
					"Chaque consultation de votre dossier et chaque modification par le personnel (qui, quand, quoi et pourquoi) sont inscrites dans un journal, pour pouvoir contrôler ces accès."}},
				{ID: "cookies", Title: "Les cookies", Paras: []string{
					"Deux cookies seulement, nécessaires au service : celui de votre session, qui vous garde connecté (la connexion prend fin quand vous vous déconnectez, après une période d'inactivité, et au plus tard quelques heures après la connexion) et celui de la langue choisie (un an). Aucun cookie publicitaire ni de mesure d'audience : ils ne demandent donc pas votre consentement."}},
			}},
			{ID: "destinataires", Title: "Qui voit vos données", Items: []string{
				"les agents du service des cours d'adultes ;",
				"le chef de l'établissement où ont lieu les cours que vous demandez, pour ces cours seulement ;",
				"les formateurs, pour leurs propres cours seulement ;",
				"les agents du 3975, en lecture seule, quand vous les appelez.",
			}, Paras: []string{"Vos données ne sont ni vendues ni transmises à d'autres organismes."}},
			{ID: "durees", Title: "Combien de temps", Paras: []string{
				"Justificatifs : voir plus haut (" + months + " mois après la fin de leur usage).",
				"Compte, candidatures, copies des courriels et journal : [à fixer par la Ville : durées de conservation]. Aujourd'hui, la plateforme efface automatiquement les justificatifs seulement."}},
			{ID: "droits", Title: "Vos droits", Paras: []string{
				"Vous pouvez accéder à vos données, les faire rectifier, demander leur effacement ou la limitation de leur traitement, et vous opposer à leur traitement pour des raisons tenant à votre situation particulière. Votre téléphone et votre adresse se corrigent vous-même dans « Mon profil » ; vos nom, prénom et date de naissance, par le service des cours d'adultes.",
				"Pour exercer ces droits : appelez le 3975, du lundi au vendredi de 8 h 30 à 18 h, ou écrivez au Service des cours d'adultes, 11 rue Froment, 75011 Paris, ou au délégué à la protection des données.",
				"Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL : www.cnil.fr, ou par courrier à CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07."}},
		},
	}
}

// AccessibilityFR is the accessibility statement (déclaration d'accessibilité
// RGAA). No audit has been made: the site is declared "non conforme".
func AccessibilityFR() *InfoView {
	return &InfoView{
		Intro: []string{
			"La Ville s'engage à rendre ses sites internet accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.",
			"Cette déclaration d'accessibilité s'applique à la plateforme des cours municipaux d'adultes."},
		Sections: []InfoSection{
			{ID: "etat", Title: "État de conformité", Paras: []string{
				"La plateforme des cours municipaux d'adultes est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA) version 4.1 : aucun audit de conformité n'a encore été réalisé."}},
			{ID: "tests", Title: "Ce qui est vérifié aujourd'hui", Paras: []string{
				"Sans attendre l'audit, les pages sont construites pour être accessibles : structure et titres, lien d'évitement, formulaires avec étiquettes et messages d'erreur reliés aux champs, focus visible, aucune information donnée par la couleur seule, pages utilisables sans JavaScript et sur un écran de téléphone.",
				"À chaque évolution, des tests automatiques parcourent les principales pages dans un navigateur, à la largeur d'un ordinateur et d'un téléphone, et les vérifient avec l'outil axe-core (règles des WCAG 2.1, niveaux A et AA). Ces tests automatiques ne couvrent qu'une partie des critères du RGAA : ils ne remplacent pas un audit."}},
			{ID: "non-accessible", Links: []InfoAnchor{{"/catalogue/brochure", "Version HTML de la brochure"}}, Title: "Contenus non accessibles", Paras: []string{
				"Sans audit, la liste complète des non-conformités n'est pas établie. Sont déjà connus :"},
				Items: []string{
					"la brochure imprimable (PDF) n'est pas balisée pour les lecteurs d'écran : sa version HTML, qui a le même contenu, est proposée sur la même page ;",
					"les justificatifs que vous joignez ne sont lus que par les agents : leur accessibilité ne dépend pas de la plateforme.",
				}},
			{ID: "etablissement", Title: "Établissement de cette déclaration", Paras: []string{
				"Cette déclaration a été établie le 2 décembre 2026.",
				"Technologies utilisées : HTML, CSS. Le site fonctionne sans JavaScript.",
				"Environnement des tests automatiques : navigateur Chromium, aux largeurs de 375 et 1 280 pixels, avec axe-core."}},
			{ID: "signaler", Title: "Signaler un problème", Paras: []string{
				"Si vous n'arrivez pas à accéder à un contenu ou à un service, signalez-le : appelez le 3975, du lundi au vendredi de 8 h 30 à 18 h. Nous vous aiderons à obtenir le contenu ou le service sous une autre forme, et le problème sera noté pour être corrigé."}},
			{ID: "recours", Title: "Voies de recours", Paras: []string{
				"Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez saisir le Défenseur des droits :"},
				Items: []string{
					"par le formulaire en ligne du Défenseur des droits, sur defenseurdesdroits.fr ;",
					"par téléphone au 09 69 39 00 00 ;",
					"en rencontrant l'un de ses délégués dans votre région ;",
					"par courrier, gratuitement, sans affranchissement : Défenseur des droits, Libre réponse 71120, 75342 Paris Cedex 07.",
				}},
		},
	}
}
