package demo

// Paris streets by arrondissement (index 0 is the 1st), all real streets of that
// district; the demo's schools are put on them.
var districtStreets = [20][]string{
	{"rue de l'Arbre-Sec", "rue Saint-Denis", "rue du Jour", "rue Cambon", "rue Sauval", "rue des Prouvaires"},
	{"rue Dussoubs", "rue d'Aboukir", "rue Vivienne", "rue de la Jussienne", "rue Greneta", "rue Saint-Sauveur"},
	{"rue Béranger", "rue de Turenne", "rue des Quatre-Fils", "rue Volta", "rue Vieille-du-Temple", "rue Perrée"},
	{"rue du Renard", "rue François-Miron", "rue des Tournelles", "rue Saint-Antoine", "rue de l'Ave-Maria", "rue Charlemagne"},
	{"rue de Pontoise", "rue Buffon", "rue Saint-Jacques", "rue de Poissy", "rue Mouffetard", "rue des Boulangers"},
	{"rue de Vaugirard", "rue Madame", "rue Saint-Benoît", "rue Littré", "rue de l'Abbé-Grégoire", "rue Saint-Sulpice"},
	{"rue de Grenelle", "rue Las-Cases", "rue Chomel", "avenue de Suffren", "rue Camou", "rue Cler"},
	{"rue de Moscou", "rue Paul-Baudry", "rue d'Anjou", "rue de Laborde", "boulevard Malesherbes", "rue de Monceau"},
	{"rue de la Victoire", "rue Milton", "rue Blanche", "rue Turgot", "rue de Clichy", "rue Rodier"},
	{"rue des Récollets", "rue de Marseille", "rue du Faubourg-Saint-Denis", "rue Louis-Blanc", "rue de Lancry", "rue Martel"},
	{"avenue Parmentier", "rue Keller", "rue Saint-Maur", "rue Titon", "rue Froment", "boulevard Voltaire", "rue Servan"},
	{"rue de Picpus", "rue de Charenton", "boulevard Diderot", "rue de Wattignies", "rue Bignon", "avenue Daumesnil"},
	{"rue Jenner", "place Jeanne-d'Arc", "rue Baudricourt", "boulevard Vincent-Auriol", "rue de Tolbiac", "avenue d'Italie"},
	{"rue d'Alésia", "rue Prisse-d'Avennes", "rue du Château", "avenue du Maine", "rue Hippolyte-Maindron", "rue Severo"},
	{"rue Blomet", "rue Saint-Lambert", "rue Olivier-de-Serres", "rue de la Convention", "rue Fondary", "boulevard Pasteur", "rue Cambronne"},
	{"rue Decamps", "rue de la Pompe", "rue Saint-Didier", "rue de Passy", "rue Erlanger", "avenue de Versailles"},
	{"rue Boursault", "rue Saussure", "rue Truffaut", "avenue de Clichy", "rue Ampère", "rue Laugier"},
	{"rue Championnet", "rue de Clignancourt", "rue Hermel", "rue Ordener", "rue Houdon", "rue de la Chapelle", "rue Doudeauville"},
	{"avenue Jean-Jaurès", "rue de Tanger", "rue Manin", "rue de Crimée", "rue de Meaux", "rue Eugénie-Cotton"},
	{"rue des Pyrénées", "rue de Belleville", "rue Planchat", "rue de Tlemcen", "rue Olivier-Métra", "rue de la Mare", "rue des Vignoles"},
}

// districtWeight is how many establishments each arrondissement has at Scale 1:
// fewer in the small central districts, more in the populous outer ones (70 in all).
var districtWeight = [20]int{2, 2, 2, 2, 3, 2, 2, 2, 3, 3, 5, 4, 5, 4, 6, 4, 4, 5, 5, 5}

// People collèges and lycées are named after.
var schoolPatrons = []string{
	"Jean-Moulin", "Victor-Hugo", "Paul-Valéry", "Germaine-Tillion", "Lucie-Aubrac", "Jules-Ferry",
	"Georges-Brassens", "Camille-Claudel", "Condorcet", "Voltaire", "Colette", "Simone-Veil",
	"Marie-Curie", "Gustave-Eiffel", "Édith-Piaf", "Louise-Michel", "Jean-Jaurès", "Montaigne",
	"Racine", "Molière", "Rabelais", "Hector-Berlioz", "Claude-Debussy", "Maurice-Ravel",
	"Émile-Zola", "George-Sand", "Olympe-de-Gouges", "Aimé-Césaire", "Alexandre-Dumas",
	"Honoré-de-Balzac", "Françoise-Dolto", "Pierre-Mendès-France", "Joséphine-Baker",
	"Gisèle-Halimi", "Léopold-Sédar-Senghor", "Jacques-Prévert", "Albert-Camus", "Flora-Tristan",
	"Rosa-Parks", "Charles-Péguy", "Anne-Frank", "Paul-Éluard", "Lavoisier", "Auguste-Renoir",
	"Nicolas-Ledoux", "Marguerite-Duras", "Boris-Vian", "Arthur-Rimbaud",
}

// French first names (mixed, as in a city's staff) for trainers.
var firstNames = []string{
	"Camille", "Léa", "Manon", "Chloé", "Sarah", "Inès", "Julie", "Claire", "Nathalie", "Isabelle",
	"Sophie", "Émilie", "Aurélie", "Céline", "Sandrine", "Valérie", "Hélène", "Agnès", "Brigitte", "Françoise",
	"Anne", "Marie", "Élodie", "Laure", "Mathilde", "Pauline", "Yasmina", "Fatima", "Amina", "Mei",
	"Lucie", "Margaux", "Nadia", "Samia", "Aïcha", "Rosa", "Ana", "Giulia", "Katarzyna", "Hanna",
	"Thomas", "Nicolas", "Julien", "Pierre", "Antoine", "Maxime", "Alexandre", "Sébastien", "Olivier", "François",
	"Philippe", "Laurent", "Stéphane", "Christophe", "Frédéric", "Jérôme", "Benoît", "Mathieu", "Romain", "Vincent",
	"Karim", "Mehdi", "Youssef", "Rachid", "Mamadou", "Moussa", "Ibrahima", "Hugo", "Lucas", "Théo",
	"Guillaume", "Arnaud", "Didier", "Patrick", "Bruno", "Marco", "Diego", "Kenji", "Wei", "Dmitri",
}

// French last names (common ones, with some of the city's many origins).
var lastNames = []string{
	"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
	"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
	"Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
	"Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
	"Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
	"Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
	"Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand",
	"Dufour", "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
	"Benali", "Haddad", "Diallo", "Traoré", "Kone", "Cissé", "Mendes", "Ferreira", "Da Silva", "Rossi",
	"Tran", "Chen", "Wang", "Kowalski", "Ben Salem", "Bouchard", "Lacroix", "Carpentier", "Rivière", "Caron",
}
