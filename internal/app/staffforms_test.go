package app

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cma/internal/db/dbtest"
)

// eachDatabase runs journey on a demo platform over SQLite, then PostgreSQL.
func eachDatabase(t *testing.T, journey func(t *testing.T, base string)) {
	t.Run("sqlite", func(t *testing.T) {
		journey(t, startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo"))
	})
	t.Run("postgres", func(t *testing.T) {
		d, dbURL := dbtest.PostgresURL(t)
		d.Close()
		journey(t, startServe(t, "--db", dbURL, "--demo"))
	})
}

var (
	summaryLink = regexp.MustCompile(`<li><a href="#([a-z_]+)">`)
	fileLink    = regexp.MustCompile(`href="/back-office/personnes/(\d+)"`)
)

// summaryFields lists the fields the page's error summary links to, in order.
func summaryFields(page string) string {
	i := strings.Index(page, `class="error-summary"`)
	if i < 0 {
		return ""
	}
	end := strings.Index(page[i:], "</div>")
	var fields []string
	for _, m := range summaryLink.FindAllStringSubmatch(page[i:i+end], -1) {
		fields = append(fields, m[1])
	}
	return strings.Join(fields, " ")
}

// personID signs the persona in (creating their account) and returns the
// number of their file, as the central browser finds it by name.
func personID(t *testing.T, base string, central *browser, persona, query string) string {
	t.Helper()
	newBrowser(t, base).signIn(t, persona)
	_, page := central.do(t, "GET", "/back-office/personnes?q="+url.QueryEscape(query), nil)
	m := fileLink.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("people search %q found no one:\n%.2000s", query, mainPart(page))
	}
	return m[1]
}

// TestStaffForms_ROLE5_ACC4_every_error_at_once: the identity correction
// refuses an emoji name, a 101-character name, a malformed date and no reason
// all at once, with an error summary linking to each field and the form
// keeping what was typed; accented names with apostrophes and hyphens are
// saved. Assisted registration refuses an email another account uses, linking
// to that account: its file for the central service, its basket for guidance
// staff.
func TestStaffForms_ROLE5_ACC4_every_error_at_once(t *testing.T) {
	eachDatabase(t, func(t *testing.T, base string) {
		central := newBrowser(t, base)
		central.signIn(t, "demo-staff-central")
		camille := personID(t, base, central, "demo-candidate-1", "camille.martin@exemple.fr")

		long := strings.Repeat("a", 101)
		res, page := central.do(t, "POST", "/back-office/personnes/"+camille+"/identite", url.Values{
			"prenom": {"Camille 😀"}, "nom": {long}, "naissance": {"14/03/1988"}, "raison": {""}})
		if res.StatusCode != 400 {
			t.Fatalf("a correction wrong everywhere: %d\n%.2000s", res.StatusCode, mainPart(page))
		}
		if got := summaryFields(page); got != "prenom nom naissance raison" {
			t.Errorf("the error summary links to %q, want every field: prenom nom naissance raison\n%.3000s", got, mainPart(page))
		}
		for _, want := range []string{"Le prénom ne peut contenir que des lettres", "Le nom doit comporter au plus 100 caractères",
			`value="Camille 😀"`, `value="` + long + `"`, `id="prenom-error"`, `id="raison-error"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused correction does not show %q", want)
			}
		}
		res, page = central.do(t, "POST", "/back-office/personnes/"+camille+"/identite", url.Values{
			"prenom": {"Camille-Éléonore"}, "nom": {"d’Artagnan O'Neil"}, "naissance": {"1988-03-14"}, "raison": {"acte de naissance"}})
		if res.StatusCode != 200 || res.Request.URL.Query().Get("enregistre") != "1" || !strings.Contains(page, "Camille-Éléonore D’ARTAGNAN O&#39;NEIL") {
			t.Fatalf("a right correction: %d at %s\n%.2000s", res.StatusCode, res.Request.URL, mainPart(page))
		}

		// An email another account uses, with a bad name and a malformed date.
		form := url.Values{"prenom": {"Léa2"}, "nom": {"Petit"}, "email": {"Camille.Martin@exemple.fr"}, "naissance": {"1/2/1990"},
			"telephone": {"06 12 34 56 78"}}
		guidance := newBrowser(t, base)
		guidance.signIn(t, "demo-staff-guidance")
		for who, b := range map[string]*browser{"guidance": guidance, "central": central} {
			res, page := b.do(t, "POST", "/back-office/inscription-assistee", form)
			if res.StatusCode != 400 {
				t.Fatalf("%s: a taken email: %d\n%.2000s", who, res.StatusCode, mainPart(page))
			}
			if got := summaryFields(page); got != "prenom email naissance" {
				t.Errorf("%s: the error summary links to %q, want prenom email naissance", who, got)
			}
			link := map[string]string{"guidance": "/back-office/inscription-assistee/" + camille, "central": "/back-office/personnes/" + camille}[who]
			if !strings.Contains(page, "déjà celle d&#39;un autre compte") || !strings.Contains(page, `href="`+link+`"`) {
				t.Errorf("%s: the taken email does not say so with a link to %s:\n%.3000s", who, link, mainPart(page))
			}
			if !strings.Contains(page, `value="Camille.Martin@exemple.fr"`) || !strings.Contains(page, `value="Léa2"`) {
				t.Errorf("%s: the refused form lost what was typed", who)
			}
		}
	})
}

// TestJournal_ROLE5_ROLE7_French_labels_and_person_by_name: the journal words
// every action and role in French (no "identity.corrected", "file.read",
// "helpdesk"), its action and role filters list the labels (the role filter
// keeps the actions of staff with that role), and its person filter finds
// people by name: one match filters on them, several are offered to choose
// from, none is an error; the file number is still accepted.
func TestJournal_ROLE5_ROLE7_French_labels_and_person_by_name(t *testing.T) {
	eachDatabase(t, func(t *testing.T, base string) {
		central := newBrowser(t, base)
		central.signIn(t, "demo-staff-central")
		camille := personID(t, base, central, "demo-candidate-1", "camille.martin@exemple.fr")
		personID(t, base, central, "demo-candidate-duplicate", "camille.martin.bis@exemple.fr")
		helpdesk := newBrowser(t, base)
		helpdesk.signIn(t, "demo-staff-helpdesk")
		if res, _ := helpdesk.do(t, "GET", "/back-office/personnes/"+camille, nil); res.StatusCode != 200 {
			t.Fatalf("ROLE-7 help desk reads a file: %d", res.StatusCode)
		}
		central.do(t, "POST", "/back-office/personnes/"+camille+"/identite", url.Values{
			"prenom": {"Camille"}, "nom": {"Martín"}, "naissance": {"1988-03-14"}, "raison": {"acte de naissance"}})

		res, page := central.do(t, "GET", "/back-office/journal", nil)
		if res.StatusCode != 200 {
			t.Fatalf("journal: %d", res.StatusCode)
		}
		main := mainPart(page)
		for _, code := range []string{"identity.corrected", "file.read", "people.searched", "staff.created", ": helpdesk", ": central", ": guidance"} {
			if strings.Contains(main, ">"+code) || strings.Contains(main, code+"<") || strings.Contains(main, code+" ") {
				t.Errorf("the journal shows the code %q", code)
			}
		}
		for _, want := range []string{"Identité corrigée", "Dossier consulté", "Accueil téléphonique (lecture seule)",
			`<option value="identity.corrected">Identité corrigée</option>`, `<option value="" selected>Toutes les actions</option>`} {
			if !strings.Contains(main, want) {
				t.Errorf("the journal does not show %q", want)
			}
		}

		// One person found by email: the journal is filtered on them.
		res, page = central.do(t, "GET", "/back-office/journal?personne="+url.QueryEscape("Camille.Martin@exemple.fr")+"&action=identity.corrected", nil)
		if res.StatusCode != 200 || !strings.Contains(page, `Actions concernant : <a href="/back-office/personnes/`+camille+`">`) ||
			!strings.Contains(page, "1 action(s) trouvée(s)") || !strings.Contains(page, `<option value="identity.corrected" selected>`) {
			t.Errorf("journal by a name that finds one person: %d\n%.3000s", res.StatusCode, mainPart(page))
		}
		// One person found by name, accents aside.
		yasmine := personID(t, base, central, "demo-candidate-2", "yasmine")
		res, page = central.do(t, "GET", "/back-office/journal?personne="+url.QueryEscape("BENALÍ"), nil)
		if res.StatusCode != 200 || !strings.Contains(page, `Actions concernant : <a href="/back-office/personnes/`+yasmine+`">`) {
			t.Errorf("journal by a name that finds one person: %d\n%.3000s", res.StatusCode, mainPart(page))
		}
		// Several: a choice of links, each to the journal of one person.
		res, page = central.do(t, "GET", "/back-office/journal?personne=camille", nil)
		if res.StatusCode != 200 || !strings.Contains(page, "Plusieurs personnes correspondent à « camille »") ||
			!strings.Contains(page, `href="/back-office/journal?personne=`+camille+`"`) || strings.Contains(page, "action(s) trouvée(s)") {
			t.Errorf("journal by a name that finds two people:\n%.3000s", mainPart(page))
		}
		// None: an error on the field, what was typed kept.
		res, page = central.do(t, "GET", "/back-office/journal?personne=zorglub", nil)
		if res.StatusCode != 400 || summaryFields(page) != "personne" || !strings.Contains(page, `value="zorglub"`) {
			t.Errorf("journal by a name that finds no one: %d\n%.3000s", res.StatusCode, mainPart(page))
		}
		// The number is still accepted; an action not in the list is refused.
		res, page = central.do(t, "GET", "/back-office/journal?personne="+camille+"&action=file.read", nil)
		if res.StatusCode != 200 || !strings.Contains(page, "Nadia Rousseau") || !strings.Contains(page, "Dossier consulté") ||
			strings.Contains(page, "Identité corrigée<br>") {
			t.Errorf("journal by file number: %d\n%.3000s", res.StatusCode, mainPart(page))
		}
		if res, _ := central.do(t, "GET", "/back-office/journal?action=drop.table", nil); res.StatusCode != 400 {
			t.Errorf("an unknown action: %d, want 400", res.StatusCode)
		}
		// By the author's role: the help desk's reads, the role worded under the name.
		res, page = central.do(t, "GET", "/back-office/journal?role=helpdesk&action=file.read", nil)
		if res.StatusCode != 200 || !strings.Contains(page, `<td>Nadia Rousseau <br><span class="hint">Accueil téléphonique (lecture seule)</span></td>`) ||
			strings.Contains(page, "Pierre Bernard") || !strings.Contains(page, `<option value="helpdesk" selected>Accueil téléphonique (lecture seule)</option>`) {
			t.Errorf("journal by the author's role: %d\n%.3000s", res.StatusCode, mainPart(page))
		}
		if res, _ := central.do(t, "GET", "/back-office/journal?role=admin", nil); res.StatusCode != 400 {
			t.Errorf("an unknown role: %d, want 400", res.StatusCode)
		}
	})
}
