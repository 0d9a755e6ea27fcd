package demo

import (
	"strings"

	"cma/internal/domain"
)

// Shorthands for the level lists of formationSpec.
var (
	lvAll  = []domain.Level{domain.LevelAll}
	lv4    = []domain.Level{domain.LevelBeginner, domain.LevelElementary, domain.LevelIntermediate, domain.LevelAdvanced}
	lvBIA  = []domain.Level{domain.LevelBeginner, domain.LevelIntermediate, domain.LevelAdvanced}
	lvBI   = []domain.Level{domain.LevelBeginner, domain.LevelIntermediate}
	lvIA   = []domain.Level{domain.LevelIntermediate, domain.LevelAdvanced}
	lvB    = []domain.Level{domain.LevelBeginner}
	lvI    = []domain.Level{domain.LevelIntermediate}
	lvA    = []domain.Level{domain.LevelAdvanced}
	lvBE   = []domain.Level{domain.LevelBeginner, domain.LevelElementary}
	noEval = domain.EvaluationMode("")
)

// Workshop trades: a technical formation is taught only in a workshop of its trade.
const (
	tradeCuisine    = "cuisine"
	tradeElectric   = "électricité"
	tradeWood       = "bois"
	tradeSewing     = "couture"
	tradeHair       = "coiffure"
	tradePlumbing   = "génie climatique"
	workshopMinPost = 8
	workshopMaxPost = 16
)

// trades lists the workshop trades in a fixed order, with the room name.
var trades = []struct{ trade, room string }{
	{tradeCuisine, "Atelier cuisine"},
	{tradeElectric, "Atelier électricité"},
	{tradeWood, "Atelier bois"},
	{tradeSewing, "Atelier couture"},
	{tradeHair, "Salon de coiffure et d'esthétique"},
	{tradePlumbing, "Atelier génie climatique"},
}

// formationSpec describes one formation, or one per level when it has several.
type formationSpec struct {
	title    string
	subject  domain.Subject
	levels   []domain.Level
	desc     string
	kind     domain.FormationKind
	diploma  string // DiplomaName; non-empty makes a diploma formation (CAT-7)
	trade    string // workshop trade of technical formations
	weight   float64
	eval     domain.EvaluationMode // overrides the subject's rule when set
	prereq   string                // overrides the level's prerequisites when set
	shortTag string                // code stem when the title's is not telling
}

func lang(title, desc string, weight float64, eval domain.EvaluationMode) formationSpec {
	return formationSpec{title: title, subject: domain.SubjectLanguages, levels: lv4, desc: desc, kind: domain.KindGeneral, weight: weight, eval: eval}
}

func spec(title string, subject domain.Subject, levels []domain.Level, kind domain.FormationKind, weight float64, desc string) formationSpec {
	return formationSpec{title: title, subject: subject, levels: levels, desc: desc, kind: kind, weight: weight}
}

func diploma(title, name string, kind domain.FormationKind, trade string, eval domain.EvaluationMode, prereq, desc string) formationSpec {
	w := 2.0
	if kind == domain.KindTechnical {
		w = 1.6
	}
	return formationSpec{title: title, subject: domain.SubjectDiploma, levels: lvAll, desc: desc, kind: kind, diploma: name,
		trade: trade, weight: w, eval: eval, prereq: prereq}
}

const (
	gen  = domain.KindGeneral
	comp = domain.KindComputer
	tech = domain.KindTechnical
)

// formationSpecs is the demo catalogue of formations, in brochure order.
var formationSpecs = []formationSpec{
	// Languages (CAT-3): one formation per level.
	lang("Anglais", "Cours d'anglais : compréhension et expression orales et écrites, vie quotidienne et professionnelle.", 14, domain.EvaluationAnticipatedTest),
	lang("Espagnol", "Cours d'espagnol : communiquer à l'oral et à l'écrit, découvrir les cultures hispanophones.", 8, domain.EvaluationAnticipatedTest),
	lang("Allemand", "Cours d'allemand : grammaire, vocabulaire et conversation autour de situations concrètes.", 4, noEval),
	lang("Italien", "Cours d'italien : langue et culture italiennes, à l'oral comme à l'écrit.", 5, noEval),
	lang("Portugais", "Cours de portugais (Portugal et Brésil) : bases solides et pratique de l'oral.", 2, noEval),
	lang("Arabe", "Cours d'arabe littéral : alphabet, lecture, écriture et communication courante.", 4, noEval),
	lang("Chinois", "Cours de chinois mandarin : pinyin, caractères, tons et conversation.", 4, noEval),
	lang("Japonais", "Cours de japonais : kana, premiers kanji et expressions de la vie courante.", 3, noEval),
	lang("Russe", "Cours de russe : alphabet cyrillique, grammaire et échanges du quotidien.", 2, noEval),
	lang("LSF – langue des signes française", "Cours de langue des signes française : communiquer avec les personnes sourdes, culture sourde.", 3, domain.EvaluationInterview),
	lang("Grec moderne", "Cours de grec moderne : lire, écrire et converser.", 1, noEval),
	lang("Hébreu", "Cours d'hébreu moderne : alphabet, lecture et conversation.", 1, noEval),
	lang("Coréen", "Cours de coréen : hangeul, grammaire de base et conversation.", 2, noEval),
	lang("Polonais", "Cours de polonais : prononciation, déclinaisons et vie quotidienne.", 1, noEval),
	lang("Néerlandais", "Cours de néerlandais : bases de la langue et situations de communication.", 1, noEval),
	lang("Turc", "Cours de turc : structure de la langue et échanges courants.", 1, noEval),
	{title: "Anglais professionnel", subject: domain.SubjectLanguages, levels: lvIA, kind: gen, weight: 4,
		desc: "Anglais des affaires : réunions, courriels, téléphone et présentations en milieu professionnel."},
	{title: "Anglais – conversation", subject: domain.SubjectLanguages, levels: lvA, kind: gen, weight: 4,
		desc: "Atelier de conversation en anglais sur l'actualité et la culture."},
	{title: "Préparation au TOEIC", subject: domain.SubjectLanguages, levels: lvI, kind: gen, weight: 3, eval: domain.EvaluationAnticipatedTest,
		desc: "Entraînement aux épreuves du TOEIC : compréhension orale et écrite, examens blancs."},
	{title: "Espagnol – conversation", subject: domain.SubjectLanguages, levels: lvA, kind: gen, weight: 2,
		desc: "Atelier de conversation en espagnol : débats, lectures et actualité."},
	{title: "Italien – conversation", subject: domain.SubjectLanguages, levels: lvA, kind: gen, weight: 1,
		desc: "Atelier de conversation en italien autour du cinéma, de la littérature et de l'actualité."},
	{title: "Allemand professionnel", subject: domain.SubjectLanguages, levels: lvI, kind: gen, weight: 1,
		desc: "Allemand pour le travail : correspondance, entretiens et vocabulaire de l'entreprise."},

	// French as a foreign language.
	{title: "Français langue étrangère (FLE)", subject: domain.SubjectFLE, levels: lv4, kind: gen, weight: 8,
		desc: "Apprendre le français pour la vie quotidienne, les démarches et le travail.", shortTag: "FLE"},
	{title: "Alphabétisation", subject: domain.SubjectFLE, levels: lvBE, kind: gen, weight: 6, eval: domain.EvaluationInterview,
		desc: "Apprendre à lire et à écrire en français pour les personnes peu ou pas scolarisées."},
	{title: "Français à visée professionnelle", subject: domain.SubjectFLE, levels: lvIA, kind: gen, weight: 4,
		desc: "Le français du monde du travail : entretiens, écrits professionnels, consignes."},
	{title: "Préparation au DELF A2", subject: domain.SubjectFLE, levels: []domain.Level{domain.LevelElementary}, kind: gen, weight: 3,
		desc: "Préparer les épreuves du DELF A2 : compréhension et production orales et écrites."},
	{title: "Préparation au DELF B1", subject: domain.SubjectFLE, levels: lvI, kind: gen, weight: 3,
		desc: "Préparer les épreuves du DELF B1, utile pour les démarches de naturalisation."},
	{title: "Préparation au DELF B2", subject: domain.SubjectFLE, levels: lvA, kind: gen, weight: 2,
		desc: "Préparer les épreuves du DELF B2 pour les études ou la vie professionnelle."},
	{title: "Remise à niveau en français écrit", subject: domain.SubjectFLE, levels: lvBI, kind: gen, weight: 3,
		desc: "Orthographe, grammaire et rédaction pour écrire avec assurance."},
	{title: "Français oral – prise de parole", subject: domain.SubjectFLE, levels: lvI, kind: gen, weight: 2,
		desc: "S'exprimer à l'oral avec aisance : prononciation, argumentation, exposés."},

	// Computing (computer rooms, CAT-4).
	spec("Initiation à l'informatique", domain.SubjectComputing, lvB, comp, 5, "Premiers pas avec l'ordinateur : clavier, souris, fichiers et dossiers."),
	spec("Internet, messagerie et démarches en ligne", domain.SubjectComputing, lvB, comp, 4, "Naviguer, utiliser une messagerie et faire ses démarches administratives en ligne en sécurité."),
	spec("Tablette et smartphone", domain.SubjectComputing, lvB, comp, 3, "Bien utiliser sa tablette et son smartphone : applications, photos, sécurité."),
	spec("Programmation Python", domain.SubjectComputing, lvBIA, comp, 3, "Apprendre à programmer en Python : variables, fonctions, fichiers, projets concrets."),
	spec("Développement web HTML et CSS", domain.SubjectComputing, lvBI, comp, 3, "Construire des pages web accessibles avec HTML et CSS."),
	spec("JavaScript", domain.SubjectComputing, lvBIA, comp, 2, "Rendre les pages web interactives avec JavaScript."),
	spec("PHP et MySQL", domain.SubjectComputing, lvIA, comp, 1.5, "Développer des sites dynamiques avec PHP et une base de données MySQL."),
	spec("Programmation Java", domain.SubjectComputing, lvBIA, comp, 1.5, "Programmation orientée objet en Java."),
	spec("Langage C", domain.SubjectComputing, lvI, comp, 1, "Programmer en C : pointeurs, mémoire et structures de données."),
	spec("Bases de données et SQL", domain.SubjectComputing, lvBI, comp, 2, "Concevoir une base de données relationnelle et l'interroger en SQL."),
	spec("Réseaux informatiques", domain.SubjectComputing, lvBIA, comp, 2, "Comprendre et configurer les réseaux : TCP/IP, adressage, commutation et routage."),
	spec("Cybersécurité", domain.SubjectComputing, lvIA, comp, 2, "Protéger les systèmes et les données : menaces, bonnes pratiques, outils."),
	spec("Administration Linux", domain.SubjectComputing, lvBIA, comp, 1.5, "Installer et administrer un système Linux : ligne de commande, services, scripts."),
	spec("Administration Windows Server", domain.SubjectComputing, lvI, comp, 1, "Administrer un domaine Windows Server : Active Directory, stratégies de groupe."),
	spec("Maintenance et dépannage de PC", domain.SubjectComputing, lvBI, comp, 2, "Monter, réparer et entretenir un ordinateur."),
	{title: "Préparation à la certification Cisco CCNA", subject: domain.SubjectComputing, levels: lvA, kind: comp, weight: 1, eval: domain.EvaluationInterview,
		desc: "Préparer la certification CCNA : réseaux d'entreprise, routage, sécurité.", shortTag: "CCNA"},
	spec("Cloud et virtualisation", domain.SubjectComputing, lvI, comp, 1, "Machines virtuelles, conteneurs et services en nuage."),
	spec("Analyse de données", domain.SubjectComputing, lvIA, comp, 1.5, "Explorer, visualiser et analyser des données avec des outils libres."),
	spec("Intelligence artificielle : comprendre et utiliser", domain.SubjectComputing, lvB, comp, 2, "Comprendre ce que fait l'intelligence artificielle et l'utiliser avec discernement."),
	spec("Développement d'applications mobiles", domain.SubjectComputing, lvI, comp, 1, "Créer une application pour smartphone, de la maquette à la publication."),

	// Office software (computer rooms).
	spec("Traitement de texte Word", domain.SubjectOffice, lvBIA, comp, 3, "Créer et mettre en forme des documents avec Word : courriers, rapports, publipostage."),
	spec("Tableur Excel", domain.SubjectOffice, lvBIA, comp, 4, "Calculs, formules, tableaux croisés dynamiques et graphiques avec Excel."),
	spec("Présentations PowerPoint", domain.SubjectOffice, lvBI, comp, 2, "Concevoir des présentations claires et efficaces."),
	spec("Bureautique", domain.SubjectOffice, lvBI, comp, 4, "Les outils bureautiques du quotidien : texte, tableur, présentation, messagerie."),
	spec("Suite LibreOffice", domain.SubjectOffice, lvBI, comp, 1.5, "Writer, Calc et Impress : la bureautique libre."),
	spec("Bases de données Access", domain.SubjectOffice, lvIA, comp, 1, "Tables, requêtes, formulaires et états avec Access."),
	spec("PAO – InDesign", domain.SubjectOffice, lvBI, comp, 2, "Publication assistée par ordinateur : affiches, brochures et mises en page."),
	spec("Retouche d'images – Photoshop", domain.SubjectOffice, lvBIA, comp, 2, "Retoucher et composer des images avec Photoshop."),
	spec("Dessin vectoriel – Illustrator", domain.SubjectOffice, lvBI, comp, 1.5, "Logos, illustrations et pictogrammes avec Illustrator."),
	spec("Montage vidéo", domain.SubjectOffice, lvBI, comp, 2, "Tourner, monter et exporter une vidéo."),
	spec("DAO – AutoCAD", domain.SubjectOffice, lvBIA, comp, 1.5, "Dessin assisté par ordinateur en 2D et 3D avec AutoCAD."),
	spec("Modélisation 3D – SketchUp", domain.SubjectOffice, lvB, comp, 1, "Modéliser en 3D un aménagement intérieur ou un bâtiment."),
	spec("Comptabilité informatisée", domain.SubjectOffice, lvI, comp, 1.5, "Tenir une comptabilité avec un logiciel de gestion."),
	spec("Gestion de la paie informatisée", domain.SubjectOffice, lvI, comp, 1, "Établir les bulletins de paie avec un logiciel dédié."),
	spec("Création de sites avec WordPress", domain.SubjectOffice, lvB, comp, 1.5, "Créer et faire vivre un site avec WordPress."),

	// Arts and crafts.
	spec("Dessin", domain.SubjectArts, lvBIA, gen, 3, "Dessin d'observation, perspective, modèle vivant."),
	spec("Peinture à l'huile", domain.SubjectArts, lvBI, gen, 2, "Techniques de la peinture à l'huile : couleurs, matières, composition."),
	spec("Aquarelle", domain.SubjectArts, lvBI, gen, 2, "Lavis, transparences et paysages à l'aquarelle."),
	spec("Céramique", domain.SubjectArts, lvBIA, gen, 2.5, "Modelage, tournage, émaillage et cuisson."),
	spec("Modelage et sculpture", domain.SubjectArts, lvAll, gen, 1.5, "Terre, plâtre et volume : sculpter à partir du modèle."),
	spec("Couture", domain.SubjectArts, lvBIA, gen, 3, "Patronage, coupe et montage de vêtements."),
	spec("Stylisme et modélisme", domain.SubjectArts, lvI, gen, 1, "Du croquis de mode au patron du vêtement."),
	spec("Broderie", domain.SubjectArts, lvAll, gen, 1, "Points de broderie traditionnels et créations contemporaines."),
	spec("Ébénisterie", domain.SubjectArts, lvBIA, gen, 2, "Travail du bois massif : débit, assemblages, finitions."),
	spec("Restauration de meubles", domain.SubjectArts, lvAll, gen, 1, "Restaurer et patiner des meubles anciens."),
	spec("Tapisserie d'ameublement", domain.SubjectArts, lvBI, gen, 1, "Garnir et couvrir sièges et fauteuils selon la tradition."),
	spec("Reliure", domain.SubjectArts, lvAll, gen, 1, "Relier, restaurer et décorer des livres."),
	spec("Encadrement", domain.SubjectArts, lvAll, gen, 1, "Encadrer œuvres et documents : biseaux, marie-louise, caisses américaines."),
	spec("Photographie numérique", domain.SubjectArts, lvBIA, gen, 2.5, "Prise de vue, lumière, composition et développement numérique."),
	spec("Photographie argentique et tirage", domain.SubjectArts, lvI, gen, 1, "Prise de vue argentique et tirage en laboratoire noir et blanc."),
	spec("Œnologie", domain.SubjectArts, lvBI, gen, 2, "Découvrir les vignobles et apprendre à déguster le vin."),
	spec("Histoire de l'art", domain.SubjectArts, lvAll, gen, 2, "Grands courants de l'art, de l'Antiquité à nos jours, avec visites de musées."),
	spec("Calligraphie", domain.SubjectArts, lvAll, gen, 1, "Écritures latines, gothiques et contemporaines à la plume."),
	spec("Bande dessinée", domain.SubjectArts, lvAll, gen, 1, "Scénario, découpage et dessin de planches."),
	spec("Mosaïque", domain.SubjectArts, lvAll, gen, 1, "Mosaïque d'émaux et de pierres, technique directe et indirecte."),
	spec("Vitrail", domain.SubjectArts, lvAll, gen, 1, "Coupe du verre, sertissage au plomb et peinture sur verre."),
	spec("Gravure", domain.SubjectArts, lvAll, gen, 1, "Taille-douce, linogravure et impression."),
	spec("Art floral", domain.SubjectArts, lvAll, gen, 1, "Compositions florales de saison."),
	spec("Bijouterie", domain.SubjectArts, lvBI, gen, 1, "Fabrication de bijoux en métal : scier, limer, souder, polir."),
	spec("Maroquinerie", domain.SubjectArts, lvAll, gen, 1, "Coupe et couture du cuir à la main."),
	spec("Dorure sur bois", domain.SubjectArts, lvAll, gen, 0.5, "Dorure à la feuille et à l'eau sur cadres et objets."),
	spec("Théâtre", domain.SubjectArts, lvAll, gen, 1.5, "Jeu, voix, improvisation et travail de textes."),
	spec("Chant choral", domain.SubjectArts, lvAll, gen, 1.5, "Chanter ensemble : technique vocale et répertoire."),

	// Sciences, management and law.
	spec("Mathématiques", domain.SubjectSciences, lv4, gen, 3, "Calcul, algèbre, géométrie et résolution de problèmes."),
	spec("Physique-chimie", domain.SubjectSciences, lvBIA, gen, 1.5, "Mécanique, électricité, chimie : comprendre et expérimenter."),
	spec("Comptabilité", domain.SubjectSciences, lvBIA, gen, 3, "Comptabilité générale : écritures, bilan et compte de résultat."),
	spec("Gestion d'entreprise", domain.SubjectSciences, lvB, gen, 1.5, "Les bases de la gestion d'une petite entreprise."),
	spec("Droit civil", domain.SubjectSciences, lvAll, gen, 1.5, "Personnes, famille, contrats et responsabilité."),
	spec("Droit du travail", domain.SubjectSciences, lvAll, gen, 2, "Contrat de travail, durée du travail, représentation du personnel."),
	spec("Droit des affaires", domain.SubjectSciences, lvI, gen, 1, "Sociétés, contrats commerciaux et concurrence."),
	spec("Économie", domain.SubjectSciences, lvBI, gen, 1, "Comprendre les mécanismes économiques et l'actualité."),
	spec("Statistiques", domain.SubjectSciences, lvI, gen, 1, "Statistique descriptive, probabilités et sondages."),
	spec("Biologie", domain.SubjectSciences, lvBI, gen, 1, "Le vivant : cellule, génétique, écologie."),
	spec("Anatomie et physiologie", domain.SubjectSciences, lvAll, gen, 1, "Le corps humain et son fonctionnement, pour les métiers de la santé."),
	spec("Histoire", domain.SubjectSciences, lvAll, gen, 1, "Histoire contemporaine de la France et du monde."),
	spec("Géographie", domain.SubjectSciences, lvAll, gen, 0.5, "Territoires, populations et mondialisation."),
	spec("Philosophie", domain.SubjectSciences, lvAll, gen, 1, "Lire les philosophes et apprendre à argumenter."),
	spec("Psychologie", domain.SubjectSciences, lvB, gen, 1.5, "Introduction à la psychologie : développement, cognition, relations."),
	spec("Marketing", domain.SubjectSciences, lvB, gen, 1, "Étude de marché, positionnement et communication."),
	spec("Ressources humaines", domain.SubjectSciences, lvBI, gen, 1, "Recrutement, formation et gestion du personnel."),
	spec("Fiscalité", domain.SubjectSciences, lvI, gen, 1, "Impôts des particuliers et des entreprises."),
	spec("Gestion de la paie", domain.SubjectSciences, lvBI, gen, 1.5, "Établir et contrôler les bulletins de paie."),
	spec("Culture générale et expression", domain.SubjectSciences, lvAll, gen, 1, "Lire, analyser et rédiger : synthèse, argumentation."),
	spec("Astronomie", domain.SubjectSciences, lvAll, gen, 0.5, "Le ciel, les étoiles et l'Univers, avec des séances d'observation."),

	// Diploma preparations (CAT-7).
	diploma("CAP Accompagnant éducatif petite enfance (AEPE)", "CAP", gen, "", domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP AEPE : accueil et soins du jeune enfant, en crèche, école ou à domicile."),
	diploma("CAP Équipier polyvalent du commerce", "CAP", gen, "", domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP : réception des marchandises, mise en rayon, accueil et conseil du client."),
	diploma("CAP Opérateur logistique", "CAP", gen, "", domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP : réception, stockage et préparation de commandes."),
	diploma("BEP Métiers des services administratifs", "BEP", gen, "", domain.EvaluationInterview, "Niveau fin de collège",
		"Préparer le BEP : accueil, courrier, classement et tâches administratives."),
	diploma("BEP Accompagnement, soins et services à la personne", "BEP", gen, "", domain.EvaluationInterview, "Niveau fin de collège",
		"Préparer le BEP : hygiène, soins et accompagnement des personnes."),
	diploma("Baccalauréat professionnel AGORA (gestion des organisations)", "Baccalauréat", gen, "", domain.EvaluationInterview,
		"CAP ou BEP du domaine, ou niveau seconde", "Préparer le bac pro AGORA : gestion administrative, relations avec les clients et les fournisseurs."),
	diploma("Baccalauréat professionnel Métiers du commerce et de la vente", "Baccalauréat", gen, "", domain.EvaluationInterview,
		"CAP ou BEP du domaine, ou niveau seconde", "Préparer le bac pro : vente, animation commerciale et relation client."),
	diploma("DAEU A (littéraire)", "DAEU", gen, "", domain.EvaluationAnticipatedTest,
		"Avoir interrompu ses études depuis au moins deux ans", "Diplôme d'accès aux études universitaires, option littéraire : équivalent du baccalauréat."),
	diploma("DAEU B (scientifique)", "DAEU", gen, "", domain.EvaluationAnticipatedTest,
		"Avoir interrompu ses études depuis au moins deux ans", "Diplôme d'accès aux études universitaires, option scientifique : équivalent du baccalauréat."),
	diploma("BTS Comptabilité et gestion", "BTS", gen, "", domain.EvaluationAnticipatedTest, "Baccalauréat ou équivalent",
		"Préparer le BTS CG en deux ans : comptabilité, fiscalité, contrôle de gestion."),
	diploma("BTS Management commercial opérationnel", "BTS", gen, "", domain.EvaluationAnticipatedTest, "Baccalauréat ou équivalent",
		"Préparer le BTS MCO : gestion d'une unité commerciale et management d'équipe."),
	diploma("BTS Support à l'action managériale", "BTS", gen, "", domain.EvaluationAnticipatedTest, "Baccalauréat ou équivalent",
		"Préparer le BTS SAM : assistanat de direction, organisation, communication."),
	diploma("BTS Gestion de la PME", "BTS", gen, "", domain.EvaluationAnticipatedTest, "Baccalauréat ou équivalent",
		"Préparer le BTS GPME : gestion administrative et commerciale d'une petite entreprise."),
	diploma("BTS Professions immobilières", "BTS", gen, "", domain.EvaluationAnticipatedTest, "Baccalauréat ou équivalent",
		"Préparer le BTS : transaction et gestion immobilières, droit et urbanisme."),
	diploma("DCG – Diplôme de comptabilité et de gestion", "DCG", gen, "", domain.EvaluationAnticipatedTest, "Baccalauréat ou équivalent",
		"Préparer les épreuves du DCG : droit, comptabilité, finance, management."),
	diploma("BTS Services informatiques aux organisations (SIO) – option SISR", "BTS", comp, "", domain.EvaluationAnticipatedTest,
		"Baccalauréat ou équivalent ; bases en informatique", "Préparer le BTS SIO option solutions d'infrastructure, systèmes et réseaux."),
	diploma("BTS Services informatiques aux organisations (SIO) – option SLAM", "BTS", comp, "", domain.EvaluationAnticipatedTest,
		"Baccalauréat ou équivalent ; bases en programmation", "Préparer le BTS SIO option solutions logicielles et applications métiers."),
	diploma("Baccalauréat professionnel Systèmes numériques", "Baccalauréat", comp, "", domain.EvaluationInterview,
		"CAP ou BEP du domaine, ou niveau seconde", "Préparer le bac pro SN : installation et maintenance des réseaux et équipements numériques."),
	diploma("CAP Cuisine", "CAP", tech, tradeCuisine, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP Cuisine : techniques culinaires, hygiène et organisation du poste."),
	diploma("CAP Pâtissier", "CAP", tech, tradeCuisine, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP Pâtissier : pâtes, crèmes, entremets et viennoiseries."),
	diploma("CAP Boulanger", "CAP", tech, tradeCuisine, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP Boulanger : pétrissage, façonnage, cuisson des pains et viennoiseries."),
	diploma("CAP Électricien", "CAP", tech, tradeElectric, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP Électricien : installations électriques du bâtiment, normes et sécurité."),
	diploma("Baccalauréat professionnel MELEC (métiers de l'électricité)", "Baccalauréat", tech, tradeElectric, domain.EvaluationInterview,
		"CAP Électricien ou niveau seconde", "Préparer le bac pro MELEC : réseaux, installations et environnements connectés."),
	diploma("CAP Menuisier fabricant", "CAP", tech, tradeWood, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP Menuisier : fabrication de menuiseries et d'agencements en bois."),
	diploma("CAP Ébéniste", "CAP", tech, tradeWood, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP Ébéniste : fabrication et restauration de meubles."),
	diploma("CAP Métiers de la mode – vêtement flou", "CAP", tech, tradeSewing, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP : coupe, assemblage et finition de vêtements."),
	diploma("CAP Métiers de la coiffure", "CAP", tech, tradeHair, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP Coiffure : coupe, couleur, mise en forme et accueil de la clientèle."),
	diploma("Brevet professionnel Coiffure", "BP", tech, tradeHair, domain.EvaluationInterview, "CAP Métiers de la coiffure",
		"Préparer le BP Coiffure pour exercer et gérer un salon."),
	diploma("CAP Esthétique, cosmétique, parfumerie", "CAP", tech, tradeHair, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP Esthétique : soins du visage et du corps, maquillage, conseil."),
	diploma("CAP Monteur en installations thermiques", "CAP", tech, tradePlumbing, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP : chauffage, sanitaire et énergies renouvelables."),
	diploma("CAP Installateur en froid et conditionnement d'air", "CAP", tech, tradePlumbing, domain.EvaluationInterview, "Niveau fin de collège recommandé",
		"Préparer le CAP : installation et mise en service d'équipements frigorifiques."),
}

// levelFR is the level as the brochure prints it.
func levelFR(l domain.Level) string {
	switch l {
	case domain.LevelBeginner:
		return "débutant"
	case domain.LevelElementary:
		return "élémentaire"
	case domain.LevelIntermediate:
		return "intermédiaire"
	case domain.LevelAdvanced:
		return "avancé"
	}
	return "tous niveaux"
}

func levelCode(l domain.Level) string {
	switch l {
	case domain.LevelBeginner:
		return "DEB"
	case domain.LevelElementary:
		return "ELE"
	case domain.LevelIntermediate:
		return "INT"
	case domain.LevelAdvanced:
		return "AVA"
	}
	return "TN"
}

func levelSentence(l domain.Level) string {
	switch l {
	case domain.LevelBeginner:
		return " Niveau débutant : aucune connaissance préalable n'est demandée."
	case domain.LevelElementary:
		return " Niveau élémentaire : consolider les bases acquises."
	case domain.LevelIntermediate:
		return " Niveau intermédiaire : gagner en aisance et en autonomie."
	case domain.LevelAdvanced:
		return " Niveau avancé : perfectionnement."
	}
	return ""
}

// prerequisites of a level within a formation's ladder: higher levels need the
// certificate of the level below (CER-2).
func prerequisites(levels []domain.Level, l domain.Level) string {
	prev := domain.Level("")
	for _, x := range levels {
		if x == l {
			break
		}
		prev = x
	}
	switch {
	case prev != "":
		return "Niveau " + levelFR(prev) + " validé (certificat de compétences)"
	case l == domain.LevelElementary:
		return "Notions de base ; test de positionnement"
	case l == domain.LevelIntermediate:
		return "Niveau élémentaire validé (certificat de compétences) ou test de positionnement"
	case l == domain.LevelAdvanced:
		return "Niveau intermédiaire validé (certificat de compétences) ou test de positionnement"
	}
	return ""
}

// evaluation is the subject's rule unless the spec sets one (SEL-2).
func evaluation(sp formationSpec, l domain.Level) domain.EvaluationMode {
	if sp.eval != "" && !(sp.subject == domain.SubjectLanguages && l == domain.LevelBeginner && len(sp.levels) > 1) {
		return sp.eval
	}
	switch {
	case l == domain.LevelBeginner || l == domain.LevelAll:
		if sp.subject == domain.SubjectFLE {
			return domain.EvaluationAnticipatedTest
		}
		return domain.EvaluationNone
	case sp.subject == domain.SubjectArts:
		if l == domain.LevelAdvanced {
			return domain.EvaluationInterview
		}
		return domain.EvaluationNone
	case sp.subject == domain.SubjectFLE:
		return domain.EvaluationAnticipatedTest
	case l == domain.LevelAdvanced && sp.subject != domain.SubjectLanguages:
		return domain.EvaluationAnticipatedTest
	}
	return domain.EvaluationFirstDayTest
}

// slug is an upper-case code stem: "Programmation Python" → "PROGRAMMATION-PYTHON".
func slug(s string, words int) string {
	parts := strings.Fields(domain.SearchKey(s))
	var kept []string
	for _, p := range parts {
		switch p {
		case "de", "des", "du", "la", "le", "les", "l", "d", "et", "a", "au", "en", "aux", "pour", "sur", "avec", "option":
			continue
		}
		kept = append(kept, strings.ToUpper(p))
		if len(kept) == words {
			break
		}
	}
	return strings.Join(kept, "-")
}

// buildFormations expands the specs into formations with unique codes, and
// returns each formation's spec index alongside.
func buildFormations() ([]domain.Formation, []int) {
	var out []domain.Formation
	var specOf []int
	used := map[string]bool{}
	for si, sp := range formationSpecs {
		for _, l := range sp.levels {
			stem := sp.shortTag
			if stem == "" {
				stem = slug(sp.title, 3)
			}
			if len(stem) > 30 { // a catalogue code has at most 40 characters (domain.ValidCode)
				stem = strings.TrimRight(stem[:30], "-")
			}
			code := "F-" + stem
			if l != domain.LevelAll {
				code += "-" + levelCode(l)
			}
			for n := 2; used[code]; n++ {
				code = "F-" + stem + "-" + levelCode(l) + "-" + itoa(n)
			}
			used[code] = true
			title := sp.title
			if len(sp.levels) > 1 || (l != domain.LevelAll && sp.subject != domain.SubjectDiploma) {
				title += " – " + levelFR(l)
			}
			pre := sp.prereq
			if pre == "" {
				pre = prerequisites(sp.levels, l)
			}
			out = append(out, domain.Formation{
				Code:          code,
				Title:         title,
				Subject:       sp.subject,
				Level:         l,
				Description:   sp.desc + levelSentence(l),
				Prerequisites: pre,
				Evaluation:    evaluation(sp, l),
				Diploma:       sp.diploma != "",
				DiplomaName:   sp.diploma,
				Kind:          sp.kind,
			})
			specOf = append(specOf, si)
		}
	}
	return out, specOf
}
