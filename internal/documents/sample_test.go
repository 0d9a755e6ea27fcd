package documents

import (
	"fmt"
	"time"
)

// Synthetic catalogue for the tests and the benchmark.
var sampleSubjects = []struct {
	subject    string
	formations []string
}{
	{"Langues", []string{"Anglais", "Allemand", "Espagnol", "Italien", "Portugais", "Chinois", "Japonais", "Arabe", "Russe", "Néerlandais", "Grec moderne", "Hébreu"}},
	{"Français langue étrangère", []string{"Français langue étrangère", "Français écrit professionnel", "Alphabétisation", "Préparation au DELF"}},
	{"Informatique", []string{"Initiation à l'informatique", "Programmation Python", "Développement web", "Réseaux et sécurité", "Administration Linux"}},
	{"Bureautique", []string{"Excel", "Word", "Comptabilité informatisée", "Présentation assistée"}},
	{"Arts et culture", []string{"Œnologie", "Histoire de l'art", "Photographie", "Dessin et peinture", "Céramique", "Théâtre"}},
	{"Sciences et techniques", []string{"Mécanique", "Électricité", "Mathématiques appliquées", "Chimie générale"}},
	{"Diplômes", []string{"CAP Petite enfance", "BTS Comptabilité et gestion", "Baccalauréat professionnel Électrotechnique", "BEP Métiers de la mode", "CAP Ébéniste"}},
}

var sampleWeekdays = []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
var sampleTrainers = []string{"Mme Bérénice Lefèvre", "M. François Dupré", "Mme Hélène Çelik", "M. Jérôme Nguyễn", "Mme Zoë Garçon", "M. Noël Brûlé"}
var sampleStreets = []string{"rue Oberkampf", "avenue Parmentier", "boulevard Voltaire", "rue de la Roquette", "rue du Faubourg-Saint-Antoine", "place de la République"}

// sampleBrochure builds a brochure with about n courses spread over every formation.
// Course i has code "C-%05d" and a unique address "<i> <street>"; every 7th course
// is remote; formations whose title starts with CAP, BTS, BEP or Baccalauréat are
// diploma formations.
func sampleBrochure(n int) BrochureData {
	var formations int
	for _, s := range sampleSubjects {
		formations += len(s.formations)
	}
	per := max(1, (n+formations-1)/formations)
	b := BrochureData{
		Title:       "Cours municipaux d'adultes — catalogue 2026-2027",
		Subtitle:    "Session annuelle 2026-2027 : candidatures du 1er au 15 juin 2026, réponses à partir du 1er juillet.\nSession du 2e semestre : candidatures du 5 au 20 janvier 2027.",
		GeneratedAt: time.Date(2026, time.November, 27, 10, 30, 0, 0, time.UTC),
	}
	i := 0
	for si, s := range sampleSubjects {
		sec := BrochureSection{Subject: s.subject}
		for fi, title := range s.formations {
			f := BrochureFormation{
				Title:         title,
				Level:         []string{"Tous niveaux", "Débutant", "Élémentaire", "Intermédiaire", "Avancé"}[(si+fi)%5],
				Evaluation:    []string{"Aucune", "Test le premier jour", "Test anticipé", "Entretien"}[(si+fi)%4],
				Prerequisites: []string{"", "Savoir lire et écrire le français", "Avoir suivi le niveau précédent ou réussir le test d'évaluation"}[fi%3],
				Description:   fmt.Sprintf("Formation « %s » : un cours du soir pour progresser à son rythme, avec des exercices pratiques, des mises en situation et un suivi personnalisé par le formateur tout au long de l'année.", title),
			}
			switch {
			case len(title) > 4 && (title[:4] == "CAP " || title[:4] == "BTS " || title[:4] == "BEP "):
				f.Diploma = title[:3]
			case len(title) > 13 && title[:13] == "Baccalauréat":
				f.Diploma = "Baccalauréat"
			}
			for k := 0; k < per && i < n; k++ {
				price := int64(15600 + 2400*(i%9))
				f.Courses = append(f.Courses, BrochureCourse{
					Code:          fmt.Sprintf("C-%05d", i),
					Establishment: fmt.Sprintf("École élémentaire %s", []string{"Parmentier", "Saint-Maur", "Belleville", "Lamartine", "Émile-Zola"}[i%5]),
					District:      fmt.Sprintf("%de arrondissement", 2+i%19),
					Address:       fmt.Sprintf("%d %s", i+1, sampleStreets[i%len(sampleStreets)]),
					Weekday:       sampleWeekdays[i%len(sampleWeekdays)],
					Hours:         []string{"18h30–20h30", "19h00–21h00", "9h30–12h30", "14h00–17h00"}[i%4],
					Session:       []string{"Annuelle 2026-2027", "1er semestre", "2e semestre"}[i%3],
					Trainer:       sampleTrainers[i%len(sampleTrainers)],
					Price:         FrenchMoney(price),
					ReducedPrice:  FrenchMoney(price / 2),
					Remote:        i%7 == 3,
					PlacesLeft:    (i * 5) % 26,
				})
				i++
			}
			sec.Formations = append(sec.Formations, f)
		}
		b.Sections = append(b.Sections, sec)
	}
	return b
}
