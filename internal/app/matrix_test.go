package app

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cma/internal/web"
)

// outcome is what a persona gets on a route.
type outcome string

const (
	allowed outcome = "allowed" // anything but 401, 403 and 404
	denied  outcome = "denied"  // 403
	signIn  outcome = "sign-in" // sent to sign in (303 to /connexion) or 401
)

var personas = []string{"anonymous", "candidate", "director", "coordinator", "trainer", "guidance", "helpdesk", "regisseur", "central"}

// expect builds a row: the personas listed are allowed, the other signed-in
// ones denied, the anonymous visitor sent to sign in.
func expect(allowedFor ...string) map[string]outcome {
	row := map[string]outcome{"anonymous": signIn}
	for _, p := range personas[1:] {
		row[p] = denied
	}
	for _, p := range allowedFor {
		row[p] = allowed
	}
	return row
}

var staffRoles = []string{"director", "coordinator", "trainer", "guidance", "helpdesk", "regisseur", "central"}

// TestPermissionMatrix walks every route of the platform with every role, on
// its own resources and on someone else's, one subtest per rule (ROLE-1..7). A
// route registered without a row here fails the test, so no route can forget
// its check.
func TestPermissionMatrix(t *testing.T) {
	base := startServe(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")

	type me struct {
		ID     int64 `json:"id"`
		Grants []struct {
			EstablishmentID int64 `json:"establishment_id"`
			FormationID     int64 `json:"formation_id"`
			CourseID        int64 `json:"course_id"`
		} `json:"grants"`
	}
	browsers := map[string]*browser{"anonymous": newBrowser(t, base)}
	ids := map[string]me{}
	subjects := map[string]string{"candidate": "demo-candidate-1", "director": "demo-staff-director", "coordinator": "demo-staff-coordinator",
		"trainer": "demo-staff-trainer", "guidance": "demo-staff-guidance", "helpdesk": "demo-staff-helpdesk", "regisseur": "demo-staff-regisseur",
		"central": "demo-staff-central"}
	for role, subject := range subjects {
		b := newBrowser(t, base)
		b.signIn(t, subject)
		_, body := b.do(t, "GET", "/api/v1/me", nil)
		var m me
		if err := json.Unmarshal([]byte(body), &m); err != nil || m.ID == 0 {
			t.Fatalf("%s: /api/v1/me = %s", role, body)
		}
		browsers[role], ids[role] = b, m
	}
	ownEst, ownForm, ownCourse := ids["director"].Grants[0].EstablishmentID, ids["coordinator"].Grants[0].FormationID, ids["trainer"].Grants[0].CourseID
	var foreignEst, foreignForm, foreignCourse int64
	for page := 1; foreignCourse == 0 && page < 20; page++ {
		_, body := browsers["anonymous"].do(t, "GET", "/api/v1/courses?par_page=100&page="+strconv.Itoa(page), nil)
		var l struct {
			Items []struct {
				ID            int64 `json:"id"`
				Formation     struct{ ID int64 }
				Establishment struct{ ID int64 }
			} `json:"items"`
		}
		json.Unmarshal([]byte(body), &l)
		for _, c := range l.Items {
			if c.Establishment.ID != ownEst && c.Formation.ID != ownForm {
				foreignEst, foreignForm, foreignCourse = c.Establishment.ID, c.Formation.ID, c.ID
				break
			}
		}
	}
	if ownEst == 0 || ownForm == 0 || ownCourse == 0 || foreignCourse == 0 {
		t.Fatalf("demo grants: est %d form %d course %d, foreign course %d", ownEst, ownForm, ownCourse, foreignCourse)
	}
	candidate := ids["candidate"].ID
	n := strconv.FormatInt

	type probe struct {
		method, path string
		form         url.Values
		want         map[string]outcome
		missingOK    bool // the ID does not exist: allowed personas get 404
	}
	// Every route pattern with the requests that probe it. Public routes are
	// listed too: a back-office route registered as public by mistake fails here.
	matrix := map[string][]probe{
		"GET /{$}":                                {{"GET", "/", nil, nil, false}},
		"GET /catalogue":                          {{"GET", "/catalogue", nil, nil, false}},
		"GET /catalogue/cours/{id}":               {{"GET", "/catalogue/cours/" + n(ownCourse, 10), nil, nil, false}},
		"GET /catalogue/cours/{id}/seances.ics":   {{"GET", "/catalogue/cours/" + n(ownCourse, 10) + "/seances.ics", nil, nil, false}},
		"GET /catalogue/brochure":                 {{"GET", "/catalogue/brochure", nil, nil, false}},
		"GET /catalogue/brochure.pdf":             {{"GET", "/catalogue/brochure.pdf", nil, nil, false}},
		"POST /langue":                            {{"POST", "/langue", url.Values{"lang": {"fr"}}, nil, false}},
		"GET /favicon.svg":                        {{"GET", "/favicon.svg", nil, nil, false}},
		"GET /favicon.ico":                        {{"GET", "/favicon.ico", nil, nil, false}},
		"GET /aide":                               {{"GET", "/aide", nil, nil, false}},
		"GET /mentions-legales":                   {{"GET", "/mentions-legales", nil, nil, false}},
		"GET /donnees-personnelles":               {{"GET", "/donnees-personnelles", nil, nil, false}},
		"GET /accessibilite":                      {{"GET", "/accessibilite", nil, nil, false}},
		"GET /connexion":                          {{"GET", "/connexion", nil, nil, false}},
		"POST /connexion/fournisseur":             nil, // starts a sign-in: walked by the sign-in tests
		"GET /connexion/retour":                   nil, // idem
		"GET /connexion/personnel":                {{"GET", "/connexion/personnel", nil, nil, false}},
		"POST /connexion/personnel":               nil, // rate-limited sign-in: walked by the web tests
		"GET /connexion/personnel/code":           {{"GET", "/connexion/personnel/code", nil, nil, false}},
		"POST /connexion/personnel/code":          nil,
		"POST /deconnexion":                       nil, // ends the session: walked by the sign-in tests
		"POST /deconnexion-partout":               nil, // idem
		"POST /connexion/deconnexion-fournisseur": nil, // machine-to-machine, a signed logout token: walked by the web and e2e sign-out tests
		"GET /connexion/deconnexion-fournisseur":  nil, // idem, named by a sign-on session id
		"GET /saisie-conservee":                   {{"GET", "/saisie-conservee", nil, expect(append(staffRoles, "candidate")...), false}},
		"POST /saisie-conservee/abandonner":       {{"POST", "/saisie-conservee/abandonner", url.Values{}, expect(append(staffRoles, "candidate")...), false}},
		"GET /mon-profil":                         {{"GET", "/mon-profil", nil, expect(append(staffRoles, "candidate")...), false}},
		"POST /mon-profil":                        {{"POST", "/mon-profil", url.Values{"telephone": {"0612345678"}}, expect(append(staffRoles, "candidate")...), false}},
		"GET /back-office":                        {{"GET", "/back-office", nil, expect(staffRoles...), false}},
		"GET /panier":                             {{"GET", "/panier", nil, expect("candidate"), false}},
		"POST /panier/ajouter":                    {{"POST", "/panier/ajouter", url.Values{"cours": {n(ownCourse, 10)}}, expect("candidate"), false}},
		"POST /panier/retirer":                    {{"POST", "/panier/retirer", url.Values{"cours": {n(ownCourse, 10)}}, expect("candidate"), false}},
		"POST /panier/valider":                    {{"POST", "/panier/valider", url.Values{"jeton": {"x"}}, expect("candidate"), false}},
		"POST /panier/recapitulatif":              {{"POST", "/panier/recapitulatif", url.Values{"jeton": {"x"}}, expect("candidate"), false}},
		"GET /panier/recapitulatif":               {{"GET", "/panier/recapitulatif", nil, expect("candidate"), false}},
		"GET /mes-candidatures/{id}/annuler":      {{"GET", "/mes-candidatures/999999/annuler", nil, expect("candidate"), true}},
		"GET /mes-candidatures":                   {{"GET", "/mes-candidatures", nil, expect("candidate"), false}},
		"POST /mes-candidatures/{id}/annuler":     {{"POST", "/mes-candidatures/999999/annuler", url.Values{}, expect("candidate"), true}},
		// The waiting lists (SEL-4, SEL-5): a candidate's own offers and places; someone else's answer as missing ones.
		"GET /mes-offres/{id}":                 {{"GET", "/mes-offres/999999", nil, expect("candidate"), true}},
		"POST /mes-offres/{id}/accepter":       {{"POST", "/mes-offres/999999/accepter", url.Values{}, expect("candidate"), true}},
		"POST /mes-offres/{id}/refuser":        {{"POST", "/mes-offres/999999/refuser", url.Values{}, expect("candidate"), true}},
		"GET /mes-candidatures/{id}/renoncer":  {{"GET", "/mes-candidatures/999999/renoncer", nil, expect("candidate"), true}},
		"POST /mes-candidatures/{id}/renoncer": {{"POST", "/mes-candidatures/999999/renoncer", url.Values{}, expect("candidate"), true}},
		// Day changes (SEL-8): a learner asks for their own candidature only.
		"GET /mes-candidatures/{id}/changer-de-jour":  {{"GET", "/mes-candidatures/999999/changer-de-jour", nil, expect("candidate"), true}},
		"POST /mes-candidatures/{id}/changer-de-jour": {{"POST", "/mes-candidatures/999999/changer-de-jour", url.Values{}, expect("candidate"), true}},
		"GET /back-office/inscription-assistee":       {{"GET", "/back-office/inscription-assistee?q=martin", nil, expect("guidance", "central"), false}},
		"POST /back-office/inscription-assistee":      {{"POST", "/back-office/inscription-assistee", url.Values{"nom": {""}}, expect("guidance", "central"), false}},
		"GET /back-office/inscription-assistee/{id}":  {{"GET", "/back-office/inscription-assistee/" + n(candidate, 10), nil, expect("guidance", "central"), false}},
		"POST /back-office/inscription-assistee/{id}/ajouter": {{"POST", "/back-office/inscription-assistee/" + n(candidate, 10) + "/ajouter",
			url.Values{"cours": {n(ownCourse, 10)}}, expect("guidance", "central"), false}},
		"POST /back-office/inscription-assistee/{id}/retirer": {{"POST", "/back-office/inscription-assistee/" + n(candidate, 10) + "/retirer",
			url.Values{"cours": {n(ownCourse, 10)}}, expect("guidance", "central"), false}},
		"POST /back-office/inscription-assistee/{id}/valider": {{"POST", "/back-office/inscription-assistee/" + n(candidate, 10) + "/valider",
			url.Values{"jeton": {"x"}}, expect("guidance", "central"), false}},
		"POST /back-office/inscription-assistee/{id}/recapitulatif": {{"POST", "/back-office/inscription-assistee/" + n(candidate, 10) + "/recapitulatif",
			url.Values{"jeton": {"x"}}, expect("guidance", "central"), false}},
		"GET /back-office/inscription-assistee/{id}/recapitulatif": {{"GET", "/back-office/inscription-assistee/" + n(candidate, 10) + "/recapitulatif",
			nil, expect("guidance", "central"), false}},
		"/dev/courriels":             {{"GET", "/dev/courriels", nil, nil, false}},
		"/dev/courriels/":            {{"GET", "/dev/courriels/", nil, nil, false}},
		"GET /back-office/personnes": {{"GET", "/back-office/personnes?q=martin", nil, expect("helpdesk", "central"), false}},
		"GET /back-office/personnes/{id}": {
			{"GET", "/back-office/personnes/" + n(candidate, 10), nil, expect("helpdesk", "central"), false},
			{"GET", "/back-office/personnes/" + n(ids["director"].ID, 10), nil, expect("central"), false}}, // ROLE-7: no staff file for the help desk
		"POST /back-office/personnes/{id}/identite": {{"POST", "/back-office/personnes/" + n(candidate, 10) + "/identite",
			url.Values{"prenom": {"Camille"}, "nom": {"Martin"}}, expect("central"), false}},
		"GET /back-office/doublons":               {{"GET", "/back-office/doublons", nil, expect("central"), false}},
		"POST /back-office/doublons/{id}":         {{"POST", "/back-office/doublons/999999", url.Values{"decision": {"x"}}, expect("central"), false}},
		"GET /back-office/journal":                {{"GET", "/back-office/journal", nil, expect("central"), false}},
		"GET /back-office/connexions-a-confirmer": {{"GET", "/back-office/connexions-a-confirmer", nil, expect("central"), false}},
		"POST /back-office/connexions-a-confirmer/{id}": {{"POST", "/back-office/connexions-a-confirmer/999999",
			url.Values{"decision": {"lier"}}, expect("central"), false}},
		"POST /back-office/personnes/{id}/identites/dissocier": {{"POST", "/back-office/personnes/" + n(candidate, 10) + "/identites/dissocier",
			url.Values{"fournisseur": {"x"}, "sujet": {"y"}, "n": {"0"}}, expect("central"), false}},
		"POST /back-office/personnes/{id}/identites/lier": {{"POST", "/back-office/personnes/" + n(candidate, 10) + "/identites/lier",
			url.Values{"fournisseur": {"x"}, "sujet": {"y"}, "n": {"0"}}, expect("central"), false}},
		"GET /back-office/courriels": {{"GET", "/back-office/courriels", nil, expect("central"), false}},
		"POST /back-office/courriels/{id}/renvoyer": {{"POST", "/back-office/courriels/999999/renvoyer",
			url.Values{"renvois": {"0"}, "raison-999999": {"relais réparé"}}, expect("central"), true}},
		"GET /back-office/etablissements/{id}": {
			{"GET", "/back-office/etablissements/" + n(ownEst, 10), nil, expect("director", "central"), false},
			{"GET", "/back-office/etablissements/" + n(foreignEst, 10), nil, expect("central"), false}},
		"GET /back-office/formations/{id}": {
			{"GET", "/back-office/formations/" + n(ownForm, 10), nil, expect("coordinator", "central"), false},
			{"GET", "/back-office/formations/" + n(foreignForm, 10), nil, expect("central"), false}},
		"GET /back-office/cours/{id}": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10), nil, expect("trainer", "director", "coordinator", "central"), false},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10), nil, expect("central"), false}},
		"GET /back-office/candidatures": {
			{"GET", "/back-office/candidatures?etablissement=" + n(ownEst, 10), nil, expect("director", "central"), false},
			{"GET", "/back-office/candidatures?etablissement=" + n(foreignEst, 10), nil, expect("central"), false},
			// ROLE-3: without an establishment, a director gets hers.
			{"GET", "/back-office/candidatures", nil, expect("director", "central"), false}},
		"GET /back-office/candidatures.csv": {
			{"GET", "/back-office/candidatures.csv?etablissement=" + n(ownEst, 10), nil, expect("director", "central"), false},
			{"GET", "/back-office/candidatures.csv?etablissement=" + n(foreignEst, 10), nil, expect("central"), false},
			// ROLE-3: without an establishment, a director gets hers.
			{"GET", "/back-office/candidatures.csv", nil, expect("director", "central"), false}},
		"GET /back-office/candidatures.xlsx": {
			{"GET", "/back-office/candidatures.xlsx?etablissement=" + n(ownEst, 10), nil, expect("director", "central"), false},
			{"GET", "/back-office/candidatures.xlsx?etablissement=" + n(foreignEst, 10), nil, expect("central"), false},
			// ROLE-3: without an establishment, a director gets hers.
			{"GET", "/back-office/candidatures.xlsx", nil, expect("director", "central"), false}},
		// The catalogue administration: sessions, establishments and formations (admin-sessions).
		// ROLE-5: only the central service sets up the catalogue; a director, coordinator, trainer, guidance
		// staff and the help desk get 403 (ROLE-2..4, 6, 7).
		"GET /back-office/catalogue":                                              {{"GET", "/back-office/catalogue", nil, expect("central"), false}},
		"GET /back-office/catalogue/sessions/nouvelle":                            {{"GET", "/back-office/catalogue/sessions/nouvelle", nil, expect("central"), false}},
		"POST /back-office/catalogue/sessions/nouvelle":                           {{"POST", "/back-office/catalogue/sessions/nouvelle", url.Values{"code": {"x"}}, expect("central"), false}},
		"GET /back-office/catalogue/sessions/{id}":                                {{"GET", "/back-office/catalogue/sessions/1", nil, expect("central"), false}},
		"GET /back-office/catalogue/sessions/{id}/modifier":                       {{"GET", "/back-office/catalogue/sessions/1/modifier", nil, expect("central"), false}},
		"GET /back-office/catalogue/sessions/{id}/preparer":                       {{"GET", "/back-office/catalogue/sessions/1/preparer", nil, expect("central"), false}},
		"POST /back-office/catalogue/sessions/{id}/modifier":                      {{"POST", "/back-office/catalogue/sessions/999999/modifier", url.Values{"confirmer": {"1"}}, expect("central"), true}},
		"POST /back-office/catalogue/sessions/{id}/publier":                       {{"POST", "/back-office/catalogue/sessions/999999/publier", url.Values{"confirmer": {"1"}}, expect("central"), true}},
		"POST /back-office/catalogue/sessions/{id}/delai-offres":                  {{"POST", "/back-office/catalogue/sessions/999999/delai-offres", url.Values{"jours": {"3"}}, expect("central"), true}},
		"POST /back-office/catalogue/sessions/{id}/ouverture":                     {{"POST", "/back-office/catalogue/sessions/999999/ouverture", url.Values{"minimum": {"0"}}, expect("central"), true}},
		"POST /back-office/catalogue/sessions/{id}/supprimer":                     {{"POST", "/back-office/catalogue/sessions/999999/supprimer", url.Values{"confirmer": {"1"}}, expect("central"), true}},
		"POST /back-office/catalogue/sessions/{id}/archiver":                      {{"POST", "/back-office/catalogue/sessions/999999/archiver", url.Values{"confirmer": {"1"}}, expect("central"), true}},
		"POST /back-office/catalogue/sessions/{id}/preparer":                      {{"POST", "/back-office/catalogue/sessions/999999/preparer", url.Values{"confirmer": {"1"}}, expect("central"), true}},
		"GET /back-office/catalogue/etablissements":                               {{"GET", "/back-office/catalogue/etablissements", nil, expect("central"), false}},
		"GET /back-office/catalogue/etablissements/nouveau":                       {{"GET", "/back-office/catalogue/etablissements/nouveau", nil, expect("central"), false}},
		"POST /back-office/catalogue/etablissements/nouveau":                      {{"POST", "/back-office/catalogue/etablissements/nouveau", url.Values{"code": {"x"}}, expect("central"), false}},
		"GET /back-office/catalogue/etablissements/{id}":                          {{"GET", "/back-office/catalogue/etablissements/" + n(ownEst, 10), nil, expect("central"), false}},
		"POST /back-office/catalogue/etablissements/{id}":                         {{"POST", "/back-office/catalogue/etablissements/999999", url.Values{"code": {"x"}}, expect("central"), true}},
		"POST /back-office/catalogue/etablissements/{id}/archiver":                {{"POST", "/back-office/catalogue/etablissements/999999/archiver", url.Values{}, expect("central"), true}},
		"POST /back-office/catalogue/etablissements/{id}/salles":                  {{"POST", "/back-office/catalogue/etablissements/999999/salles", url.Values{"salle": {"x"}, "postes": {"1"}}, expect("central"), true}},
		"POST /back-office/catalogue/etablissements/{id}/salles/{salle}":          {{"POST", "/back-office/catalogue/etablissements/999999/salles/999999", url.Values{"salle": {"x"}, "postes": {"1"}}, expect("central"), true}},
		"POST /back-office/catalogue/etablissements/{id}/salles/{salle}/archiver": {{"POST", "/back-office/catalogue/etablissements/999999/salles/999999/archiver", url.Values{}, expect("central"), true}},
		"GET /back-office/catalogue/formations":                                   {{"GET", "/back-office/catalogue/formations", nil, expect("central"), false}},
		"GET /back-office/catalogue/formations/nouvelle":                          {{"GET", "/back-office/catalogue/formations/nouvelle", nil, expect("central"), false}},
		"POST /back-office/catalogue/formations/nouvelle":                         {{"POST", "/back-office/catalogue/formations/nouvelle", url.Values{"code": {"x"}}, expect("central"), false}},
		"GET /back-office/catalogue/formations/{id}":                              {{"GET", "/back-office/catalogue/formations/" + n(ownForm, 10), nil, expect("central"), false}},
		"POST /back-office/catalogue/formations/{id}":                             {{"POST", "/back-office/catalogue/formations/999999", url.Values{"code": {"x"}}, expect("central"), true}},
		"POST /back-office/catalogue/formations/{id}/archiver":                    {{"POST", "/back-office/catalogue/formations/999999/archiver", url.Values{}, expect("central"), true}},

		// The catalogue administration: courses (admin-courses).
		"GET /back-office/catalogue/sessions/{id}/cours/nouveau": {{"GET", "/back-office/catalogue/sessions/1/cours/nouveau", nil, expect("central"), false}},
		"POST /back-office/catalogue/sessions/{id}/cours/nouveau": {{"POST", "/back-office/catalogue/sessions/1/cours/nouveau",
			url.Values{"code": {""}}, expect("central"), false}}, // an invalid form: nothing created
		"GET /back-office/catalogue/cours/{id}": {
			{"GET", "/back-office/catalogue/cours/" + n(ownCourse, 10), nil, expect("director", "central"), false},
			{"GET", "/back-office/catalogue/cours/" + n(foreignCourse, 10), nil, expect("central"), false}},
		"GET /back-office/catalogue/cours/{id}/modifier": {{"GET", "/back-office/catalogue/cours/" + n(ownCourse, 10) + "/modifier", nil, expect("central"), false}},
		"POST /back-office/catalogue/cours/{id}/modifier": {{"POST", "/back-office/catalogue/cours/" + n(ownCourse, 10) + "/modifier",
			url.Values{"code": {""}}, expect("central"), false}}, // no times: refused, nothing changed
		"GET /back-office/catalogue/cours/{id}/archiver": {{"GET", "/back-office/catalogue/cours/" + n(ownCourse, 10) + "/archiver", nil, expect("central"), false}},
		"POST /back-office/catalogue/cours/{id}/archiver": {{"POST", "/back-office/catalogue/cours/" + n(ownCourse, 10) + "/archiver",
			url.Values{"raison": {""}}, expect("central"), false}}, // no reason: refused
		"GET /back-office/catalogue/cours/{id}/equipe": {
			{"GET", "/back-office/catalogue/cours/" + n(ownCourse, 10) + "/equipe", nil, expect("director", "central"), false},
			{"GET", "/back-office/catalogue/cours/" + n(foreignCourse, 10) + "/equipe", nil, expect("central"), false}},
		"POST /back-office/catalogue/cours/{id}/equipe": { // no room: refused, nothing changed
			{"POST", "/back-office/catalogue/cours/" + n(ownCourse, 10) + "/equipe", url.Values{"salle": {"0"}}, expect("director", "central"), false},
			{"POST", "/back-office/catalogue/cours/" + n(foreignCourse, 10) + "/equipe", url.Values{"salle": {"0"}}, expect("central"), false}},

		// The catalogue administration: catalogue import and export (import).
		// Session 1 is the demo's first; the POST sends no file (422).
		"GET /back-office/catalogue/sessions/{id}/import": {{"GET", "/back-office/catalogue/sessions/1/import", nil, expect("central"), false}},
		"POST /back-office/catalogue/sessions/{id}/import": {{"POST", "/back-office/catalogue/sessions/1/import",
			url.Values{"etape": {"verifier"}}, expect("central"), false}},
		"GET /back-office/catalogue/sessions/{id}/export.xlsx": {{"GET", "/back-office/catalogue/sessions/1/export.xlsx", nil, expect("central"), false}},
		"GET /back-office/catalogue/sessions/{id}/export.csv":  {{"GET", "/back-office/catalogue/sessions/1/export.csv", nil, expect("central"), false}},

		// The catalogue administration: school holidays and remote delivery (remote).
		"GET /back-office/catalogue/vacances": {{"GET", "/back-office/catalogue/vacances", nil, expect("central"), false}},
		// No file: the page again with its error, nothing imported.
		"POST /back-office/catalogue/vacances":  {{"POST", "/back-office/catalogue/vacances", url.Values{"etape": {"importer"}}, expect("central"), false}},
		"GET /back-office/catalogue/distanciel": {{"GET", "/back-office/catalogue/distanciel", nil, expect("central"), false}},
		// No reason: refused with its error, nothing switched (CAT-6).
		"POST /back-office/catalogue/distanciel": {{"POST", "/back-office/catalogue/distanciel", url.Values{"portee": {"tous"}, "mode": {"distanciel"}}, expect("central"), false}},
		"POST /back-office/cours/{id}/distanciel": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/distanciel", url.Values{"mode": {"distanciel"}}, expect("director", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/distanciel", url.Values{"mode": {"distanciel"}}, expect("central"), false}},

		// The selection: sittings, convocations and results (tests).
		// The service checks the object's scope (ROLE-3, ROLE-4, ROLE-5); unknown IDs give 404 to those it lets in.
		"GET /back-office/selection/sessions/{id}/tests": {{"GET", "/back-office/selection/sessions/1/tests", nil, expect("director", "coordinator", "central"), false}},
		"POST /back-office/selection/sessions/{id}/tests/formations/{formation}/seances": {{"POST", "/back-office/selection/sessions/999999/tests/formations/999999/seances",
			url.Values{"date": {"2027-01-05"}}, expect("central"), true}},
		"POST /back-office/selection/sessions/{id}/tests/formations/{formation}/convocations": {{"POST", "/back-office/selection/sessions/999999/tests/formations/999999/convocations",
			url.Values{}, expect("director", "central"), true}},
		"GET /back-office/selection/sessions/{id}/tests/formations/{formation}/import": {{"GET", "/back-office/selection/sessions/1/tests/formations/999999/import", nil,
			expect("director", "coordinator", "central"), true}},
		// No file: the page again with its error, nothing imported.
		"POST /back-office/selection/sessions/{id}/tests/formations/{formation}/import": {{"POST", "/back-office/selection/sessions/1/tests/formations/" + n(ownForm, 10) + "/import",
			url.Values{}, expect("director", "coordinator", "central"), false}},
		"GET /back-office/selection/seances/{id}":            {{"GET", "/back-office/selection/seances/999999", nil, expect("director", "coordinator", "central"), true}},
		"POST /back-office/selection/seances/{id}/modifier":  {{"POST", "/back-office/selection/seances/999999/modifier", url.Values{}, expect("director", "coordinator", "central"), true}},
		"POST /back-office/selection/seances/{id}/supprimer": {{"POST", "/back-office/selection/seances/999999/supprimer", url.Values{}, expect("director", "coordinator", "central"), true}},
		"GET /back-office/selection/seances/{id}/resultats":  {{"GET", "/back-office/selection/seances/999999/resultats", nil, expect("director", "coordinator", "central"), true}},
		"POST /back-office/selection/seances/{id}/resultats": {{"POST", "/back-office/selection/seances/999999/resultats", url.Values{}, expect("director", "coordinator", "central"), true}},
		"GET /back-office/selection/cours/{id}/resultats":    {{"GET", "/back-office/selection/cours/999999/resultats", nil, expect("director", "coordinator", "central"), true}},
		"POST /back-office/selection/cours/{id}/resultats":   {{"POST", "/back-office/selection/cours/999999/resultats", url.Values{}, expect("director", "coordinator", "central"), true}},
		"GET /mes-candidatures/{id}/convocation":             {{"GET", "/mes-candidatures/999999/convocation", nil, expect("candidate"), true}},
		"GET /mes-candidatures/{id}/convocation.pdf":         {{"GET", "/mes-candidatures/999999/convocation.pdf", nil, expect("candidate"), true}},

		// The selection: runs, review and publishing (runs).
		// Session 1 is the demo's first; the POST names no pass (refused, 422,
		// nothing started); run 999999 does not exist.
		"GET /back-office/selection/sessions/{id}/traitement": {{"GET", "/back-office/selection/sessions/1/traitement", nil, expect("central"), false}},
		"POST /back-office/selection/sessions/{id}/traitement": {{"POST", "/back-office/selection/sessions/1/traitement",
			url.Values{"passage": {"aucun"}}, expect("central"), false}},
		"GET /back-office/selection/sessions/{id}/traitement/{run}": {{"GET", "/back-office/selection/sessions/1/traitement/999999", nil, expect("central"), true}},
		"GET /back-office/selection/sessions/{id}/traitement/{run}/publier": {{"GET", "/back-office/selection/sessions/1/traitement/999999/publier",
			nil, expect("central"), true}},
		"POST /back-office/selection/sessions/{id}/traitement/{run}/publier": {{"POST", "/back-office/selection/sessions/1/traitement/999999/publier",
			url.Values{"confirmer": {"1"}}, expect("central"), true}},

		// The selection: explanations, the fairness report and the minimum social rates (report).
		// Any staff member passes the route; the service then checks the candidature's course scope
		// (ROLE-2..5, TestExplain_SEL1_SEL5_CAN3_ROLE5): an unknown candidature is 404 for them all.
		"GET /back-office/selection/candidatures/{id}/explication": {{"GET", "/back-office/selection/candidatures/999999/explication", nil, expect(staffRoles...), true}},
		// ROLE-5: only the central service reads a run's fairness report.
		"GET /back-office/selection/runs/{id}/rapport":      {{"GET", "/back-office/selection/runs/999999/rapport", nil, expect("central"), true}},
		"GET /back-office/selection/runs/{id}/rapport.csv":  {{"GET", "/back-office/selection/runs/999999/rapport.csv", nil, expect("central"), true}},
		"GET /back-office/selection/runs/{id}/rapport.xlsx": {{"GET", "/back-office/selection/runs/999999/rapport.xlsx", nil, expect("central"), true}},

		// The selection: directors' lists and first-day results posting (lists).
		// ROLE-2..5: whoever may see the course (its trainer, its establishment's director, its formation's
		// coordinator, the central service) sees its lists and its results posting; no one else.
		"GET /back-office/cours/{id}/listes": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/listes", nil, expect("trainer", "director", "coordinator", "central"), false},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/listes", nil, expect("central"), false}},
		// ROLE-3, ROLE-4, ROLE-5: the course's director and coordinator and the central service change the
		// order of its waiting list (with a reason); only the central service closes a course (SEL-6).
		"POST /back-office/cours/{id}/listes/rang": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/listes/rang", url.Values{}, expect("director", "coordinator", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/listes/rang", url.Values{}, expect("central"), false}},
		// ROLE-3, ROLE-4, ROLE-5 (SEL-8): the director records a day change asked at the desk for their own
		// establishment's courses and forwards it; the coordinator decides for their own formations; the queue
		// shows each their own. A request that does not exist is checked as no resource: only the central
		// service passes, and finds nothing.
		"POST /back-office/cours/{id}/changement-de-jour": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/changement-de-jour", url.Values{}, expect("director", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/changement-de-jour", url.Values{}, expect("central"), false}},
		// Enrolment and payment (PAY-1, PAY-2, PAY-6, CAN-9).
		"GET /historique-et-paiement":                {{"GET", "/historique-et-paiement", nil, expect("candidate"), false}},
		"POST /historique-et-paiement/{id}/payer":    {{"POST", "/historique-et-paiement/999999/payer", url.Values{}, expect("candidate"), true}},
		"GET /historique-et-paiement/{id}/carte":     {{"GET", "/historique-et-paiement/999999/carte", nil, expect("candidate"), true}},
		"GET /historique-et-paiement/{id}/carte.pdf": {{"GET", "/historique-et-paiement/999999/carte.pdf", nil, expect("candidate"), true}},
		"GET /carte/{token}":                         {{"GET", "/carte/inconnue", nil, expect("director", "trainer", "central"), true}},
		// payextra (PAY-2, PAY-4, PAY-7): the learner's own receipts, links
		// and attestations; the third party's and the verification pages
		// are public (a token is the credential).
		"GET /historique-et-paiement/{id}/recu.pdf":                           {{"GET", "/historique-et-paiement/999999/recu.pdf", nil, expect("candidate"), true}},
		"GET /historique-et-paiement/{id}/recu":                               {{"GET", "/historique-et-paiement/999999/recu", nil, expect("candidate"), true}},
		"POST /historique-et-paiement/candidature/{cand}/attestation-cout":    {{"POST", "/historique-et-paiement/candidature/999999/attestation-cout", url.Values{}, expect("candidate"), true}},
		"GET /historique-et-paiement/candidature/{cand}/attestation-cout":     {{"GET", "/historique-et-paiement/candidature/999999/attestation-cout", nil, expect("candidate"), true}},
		"GET /historique-et-paiement/candidature/{cand}/attestation-cout.pdf": {{"GET", "/historique-et-paiement/candidature/999999/attestation-cout.pdf", nil, expect("candidate"), true}},
		"GET /historique-et-paiement/{id}/attestation-cout":                   {{"GET", "/historique-et-paiement/999999/attestation-cout", nil, expect("candidate"), true}},
		"GET /historique-et-paiement/{id}/attestation-paiement":               {{"GET", "/historique-et-paiement/999999/attestation-paiement", nil, expect("candidate"), true}},
		"POST /historique-et-paiement/{id}/lien-tiers":                        {{"POST", "/historique-et-paiement/999999/lien-tiers", url.Values{}, expect("candidate"), true}},
		"POST /historique-et-paiement/{id}/attestation-cout":                  {{"POST", "/historique-et-paiement/999999/attestation-cout", url.Values{}, expect("candidate"), true}},
		"POST /historique-et-paiement/{id}/attestation-paiement":              {{"POST", "/historique-et-paiement/999999/attestation-paiement", url.Values{}, expect("candidate"), true}},
		"GET /historique-et-paiement/{id}/attestation-cout.pdf":               {{"GET", "/historique-et-paiement/999999/attestation-cout.pdf", nil, expect("candidate"), true}},
		"GET /historique-et-paiement/{id}/attestation-paiement.pdf":           {{"GET", "/historique-et-paiement/999999/attestation-paiement.pdf", nil, expect("candidate"), true}},
		"GET /paiement-tiers/{token}":                                         {{"GET", "/paiement-tiers/inconnu", nil, nil, true}},
		"POST /paiement-tiers/{token}":                                        {{"POST", "/paiement-tiers/inconnu", url.Values{"payeur": {"X"}}, nil, true}},
		"GET /paiement-tiers/resultat":                                        {{"GET", "/paiement-tiers/resultat", nil, nil, false}},
		"GET /attestation/{token}":                                            {{"GET", "/attestation/inconnue", nil, nil, true}},
		"POST /paiement/payfip/notification":                                  {{"POST", "/paiement/payfip/notification", url.Values{"idop": {"inconnu"}}, nil, false}},
		"GET /paiement/payfip/retour":                                         {{"GET", "/paiement/payfip/retour", nil, nil, false}},
		"POST /paiement/payfip/retour":                                        {{"POST", "/paiement/payfip/retour", url.Values{"idop": {"inconnu"}}, nil, false}},
		// ROLE-2: a trainer keeps their own course's registers only; the
		// director the establishment's; the central service every one; the
		// coordinator none (ATT-1).
		"GET /back-office/cours/{id}/appel": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/appel", nil, expect("trainer", "director", "central"), false},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/appel", nil, expect("central"), false}},
		"GET /back-office/radiations": {{"GET", "/back-office/radiations", nil, expect("central"), false}},
		"POST /back-office/radiations/radier": {{"POST", "/back-office/radiations/radier",
			url.Values{"candidature": {"999999"}, "cours": {"999999"}, "debut": {"2000-01-03"}, "motif": {"essai"}}, expect("central"), true}},
		"POST /back-office/radiations/maintenir": {{"POST", "/back-office/radiations/maintenir",
			url.Values{"candidature": {"999999"}, "cours": {"999999"}, "debut": {"2000-01-03"}, "motif": {"essai"}}, expect("central"), true}},
		"POST /back-office/cours/{id}/exclusion": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/exclusion", url.Values{"candidature": {"999999"}, "nature": {"conduct"},
				"motif": {"essai"}}, expect("trainer", "director", "central"), true},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/exclusion", url.Values{"candidature": {"999999"}, "nature": {"conduct"},
				"motif": {"essai"}}, expect("central"), true}},
		"GET /back-office/cours/{id}/appel/{day}": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/appel/2000-01-03", nil, expect("trainer", "director", "central"), true},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/appel/2000-01-03", nil, expect("central"), true}},
		"POST /back-office/cours/{id}/appel/{day}": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/appel/2000-01-03", url.Values{}, expect("trainer", "director", "central"), true},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/appel/2000-01-03", url.Values{}, expect("central"), true}},
		"GET /mon-parcours": {{"GET", "/mon-parcours", nil, expect("candidate"), false}},
		// ATT-2: the learner's own attestation d'assiduité (ROLE-1); the
		// director of the establishment and the central service read a
		// learner's (ROLE-3, ROLE-5), not the trainer; the verification page
		// is public (the signed token is the credential).
		"POST /mon-parcours/cours/{id}/attestation": {{"POST", "/mon-parcours/cours/999999/attestation", url.Values{}, expect("candidate"), true}},
		"GET /mon-parcours/attestation/{file}": {{"GET", "/mon-parcours/attestation/999999.pdf", nil, expect("candidate"), true},
			{"GET", "/mon-parcours/attestation/999999", nil, expect("candidate"), true}},
		"GET /back-office/cours/{id}/assiduite/{cand}/attestation.pdf": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/assiduite/999999/attestation.pdf", nil, expect("director", "central"), true},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/assiduite/999999/attestation.pdf", nil, expect("central"), true}},
		"GET /attestation-assiduite/{token}": {{"GET", "/attestation-assiduite/inconnue", nil, nil, true}},
		"GET /mon-parcours/certificat/{file}": {{"GET", "/mon-parcours/certificat/999999.pdf", nil, expect("candidate"), true},
			{"GET", "/mon-parcours/certificat/999999", nil, expect("candidate"), true}},
		"GET /back-office/certificats/{id}/certificat.pdf": {{"GET", "/back-office/certificats/999999/certificat.pdf", nil, expect("central"), true}},
		"GET /certificat/{token}":                          {{"GET", "/certificat/inconnu", nil, nil, true}},
		"GET /back-office/cours/{id}/inscriptions": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions", nil, expect("director", "central"), false},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions", nil, expect("central"), false}},
		"POST /back-office/cours/{id}/inscriptions/confirmer": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/confirmer", url.Values{}, expect("director", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/confirmer", url.Values{}, expect("central"), false}},
		"POST /back-office/cours/{id}/inscriptions/{cand}/demi-tarif": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/999999/demi-tarif", url.Values{}, expect("director", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/999999/demi-tarif", url.Values{}, expect("central"), false}},
		"GET /back-office/cours/{id}/inscriptions/{cand}/justificatif": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/999999/justificatif", nil, expect("director", "central"), true},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/999999/justificatif", nil, expect("central"), true}},
		// The desk is the establishment's director's only, not even the
		// central service's (PAY-2).
		"POST /back-office/cours/{id}/inscriptions/paiements/{enrolment}/guichet": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/paiements/999999/guichet", url.Values{}, expect("director"), true},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/paiements/999999/guichet", url.Values{}, expect(), true}},
		"POST /back-office/cours/{id}/inscriptions/paiements/{enrolment}/carte": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/paiements/999999/carte", url.Values{}, expect("director", "central"), true},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/paiements/999999/carte", url.Values{}, expect("central"), true}},
		"POST /back-office/cours/{id}/inscriptions/delai": { // PAY-1: the whole course's window
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/delai", url.Values{}, expect("director", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/delai", url.Values{}, expect("central"), false}},
		// End-of-course evaluations and certificates (CER-1, CER-2, ROLE-4).
		"GET /back-office/cours/{id}/evaluation": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/evaluation", nil, expect("director", "coordinator", "central"), false},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/evaluation", nil, expect("central"), false}},
		"POST /back-office/cours/{id}/evaluation/date": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/evaluation/date", url.Values{}, expect("central"), false}},
		"POST /back-office/cours/{id}/evaluation/resultats": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/evaluation/resultats", url.Values{}, expect("director", "coordinator", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/evaluation/resultats", url.Values{}, expect("central"), false}},
		"POST /back-office/cours/{id}/evaluation/dispense": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/evaluation/dispense", url.Values{}, expect("director", "coordinator", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/evaluation/dispense", url.Values{}, expect("central"), false}},
		"GET /back-office/certificats":           {{"GET", "/back-office/certificats", nil, expect("central"), false}},
		"POST /back-office/certificats/delivrer": {{"POST", "/back-office/certificats/delivrer", url.Values{}, expect("central"), false}},
		"GET /back-office/paiements-en-retard":   {{"GET", "/back-office/paiements-en-retard", nil, expect("director", "central"), false}},             // PAY-1
		"GET /back-office/remboursements-dus":    {{"GET", "/back-office/remboursements-dus", nil, expect("director", "central", "regisseur"), false}}, // REF-2, SEL-6
		"POST /back-office/cours/{id}/inscriptions/paiements/{enrolment}/delai": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/paiements/999999/delai", url.Values{}, expect("director", "central"), true},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/paiements/999999/delai", url.Values{}, expect("central"), true}},
		"POST /back-office/cours/{id}/inscriptions/paiements/{enrolment}/liberer": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/paiements/999999/liberer", url.Values{}, expect("director", "central"), true},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/paiements/999999/liberer", url.Values{}, expect("central"), true}},
		"GET /back-office/cours/{id}/inscriptions/paiements/{enrolment}/recu.pdf": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/inscriptions/paiements/999999/recu.pdf", nil, expect("director", "central"), true},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/inscriptions/paiements/999999/recu.pdf", nil, expect("central"), true}},
		"GET /back-office/changements-de-jour": {{"GET", "/back-office/changements-de-jour", nil, expect("director", "coordinator", "central"), false}},
		"POST /back-office/changements-de-jour/{id}/transmettre": {
			{"POST", "/back-office/changements-de-jour/999999/transmettre", url.Values{}, expect("central"), true}},
		"POST /back-office/changements-de-jour/{id}/decider": {
			{"POST", "/back-office/changements-de-jour/999999/decider", url.Values{}, expect("central"), true}},
		// ROLE-3, ROLE-4, ROLE-5: the same staff record a désistement of the course's learners, with a reason.
		"POST /back-office/cours/{id}/listes/desistement": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/listes/desistement", url.Values{}, expect("director", "coordinator", "central"), false},
			{"POST", "/back-office/cours/" + n(foreignCourse, 10) + "/listes/desistement", url.Values{}, expect("central"), false}},
		"POST /back-office/cours/{id}/listes/fermer": {
			{"POST", "/back-office/cours/" + n(ownCourse, 10) + "/listes/fermer", url.Values{}, expect("central"), false}},
		// The régie's ledger (issue 16 item 8): the director's own establishment,
		// every one for the régisseur and the central service; closed by the
		// director only (the form is empty: 400 for her, still past the check).
		"GET /back-office/regie":              {{"GET", "/back-office/regie", nil, expect("director", "regisseur", "central"), false}},
		"GET /back-office/regie/journal.csv":  {{"GET", "/back-office/regie/journal.csv", nil, expect("regisseur", "central"), false}},
		"GET /back-office/regie/journal.xlsx": {{"GET", "/back-office/regie/journal.xlsx", nil, expect("regisseur", "central"), false}},
		"GET /back-office/regie/{id}": {
			{"GET", "/back-office/regie/" + n(ownEst, 10), nil, expect("director", "regisseur", "central"), false},
			{"GET", "/back-office/regie/" + n(foreignEst, 10), nil, expect("regisseur", "central"), false}},
		"GET /back-office/regie/{id}/bordereau.pdf": {
			{"GET", "/back-office/regie/" + n(ownEst, 10) + "/bordereau.pdf?jour=2026-01-05", nil, expect("director", "regisseur", "central"), true},
			{"GET", "/back-office/regie/" + n(foreignEst, 10) + "/bordereau.pdf?jour=2026-01-05", nil, expect("regisseur", "central"), true}},
		"POST /back-office/regie/{id}/cloture": {
			{"POST", "/back-office/regie/" + n(ownEst, 10) + "/cloture", url.Values{}, expect("director"), false},
			{"POST", "/back-office/regie/" + n(foreignEst, 10) + "/cloture", url.Values{}, expect(), false}},
		"GET /back-office/regie/{id}/journal.csv": {
			{"GET", "/back-office/regie/" + n(ownEst, 10) + "/journal.csv", nil, expect("director", "regisseur", "central"), false},
			{"GET", "/back-office/regie/" + n(foreignEst, 10) + "/journal.csv", nil, expect("regisseur", "central"), false}},
		"GET /back-office/regie/{id}/journal.xlsx": {
			{"GET", "/back-office/regie/" + n(ownEst, 10) + "/journal.xlsx", nil, expect("director", "regisseur", "central"), false},
			{"GET", "/back-office/regie/" + n(foreignEst, 10) + "/journal.xlsx", nil, expect("regisseur", "central"), false}},
		"GET /back-office/cours/{id}/resultats-affiches": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/resultats-affiches", nil, expect("trainer", "director", "coordinator", "central"), false},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/resultats-affiches", nil, expect("central"), false}},
		"GET /back-office/cours/{id}/resultats-affiches.pdf": {
			{"GET", "/back-office/cours/" + n(ownCourse, 10) + "/resultats-affiches.pdf", nil, expect("trainer", "director", "coordinator", "central"), false},
			{"GET", "/back-office/cours/" + n(foreignCourse, 10) + "/resultats-affiches.pdf", nil, expect("central"), false}},

		// The catalogue administration: API tokens and the staff API (api).
		"GET /back-office/jetons-api":                {{"GET", "/back-office/jetons-api", nil, expect("central"), false}},
		"POST /back-office/jetons-api":               {{"POST", "/back-office/jetons-api", url.Values{"nom": {""}}, expect("central"), false}},
		"POST /back-office/jetons-api/{id}/revoquer": {{"POST", "/back-office/jetons-api/999999/revoquer", url.Values{"raison-999999": {"essai"}}, expect("central"), true}},
		// The staff API takes a personal access token only: the browsers'
		// sessions get 401 whatever the role (TestAPITokens_ROLE5_ walks tokens).
		"GET /api/v1/admin/token":                  {{"GET", "/api/v1/admin/token", nil, tokenOnly(), false}},
		"GET /api/v1/admin/sessions":               {{"GET", "/api/v1/admin/sessions", nil, tokenOnly(), false}},
		"GET /api/v1/admin/sessions/{id}":          {{"GET", "/api/v1/admin/sessions/1", nil, tokenOnly(), false}},
		"GET /api/v1/admin/sessions/{id}/courses":  {{"GET", "/api/v1/admin/sessions/1/courses", nil, tokenOnly(), false}},
		"GET /api/v1/admin/establishments":         {{"GET", "/api/v1/admin/establishments", nil, tokenOnly(), false}},
		"GET /api/v1/admin/formations":             {{"GET", "/api/v1/admin/formations", nil, tokenOnly(), false}},
		"POST /api/v1/admin/sessions":              {{"POST", "/api/v1/admin/sessions", url.Values{}, tokenOnly(), true}},
		"PATCH /api/v1/admin/sessions/{id}":        {{"PATCH", "/api/v1/admin/sessions/999999", url.Values{}, tokenOnly(), true}},
		"POST /api/v1/admin/sessions/{id}/publish": {{"POST", "/api/v1/admin/sessions/999999/publish", url.Values{}, tokenOnly(), true}},
		"POST /api/v1/admin/sessions/{id}/courses": {{"POST", "/api/v1/admin/sessions/999999/courses", url.Values{}, tokenOnly(), true}},
		"POST /api/v1/admin/sessions/{id}/import":  {{"POST", "/api/v1/admin/sessions/999999/import", url.Values{}, tokenOnly(), true}},
		"POST /api/v1/admin/establishments":        {{"POST", "/api/v1/admin/establishments", url.Values{}, tokenOnly(), true}},
		"PATCH /api/v1/admin/establishments/{id}":  {{"PATCH", "/api/v1/admin/establishments/999999", url.Values{}, tokenOnly(), true}},
		"POST /api/v1/admin/formations":            {{"POST", "/api/v1/admin/formations", url.Values{}, tokenOnly(), true}},
		"PATCH /api/v1/admin/formations/{id}":      {{"PATCH", "/api/v1/admin/formations/999999", url.Values{}, tokenOnly(), true}},
		"PATCH /api/v1/admin/courses/{id}":         {{"PATCH", "/api/v1/admin/courses/999999", url.Values{}, tokenOnly(), true}},
		"POST /api/v1/admin/courses/{id}/archive":  {{"POST", "/api/v1/admin/courses/999999/archive", url.Values{}, tokenOnly(), true}},
		"POST /api/v1/admin/remote":                {{"POST", "/api/v1/admin/remote", url.Values{}, tokenOnly(), true}},

		// The catalogue administration: demo clock and search (clock).

		"GET /api/v1/openapi.yaml": {{"GET", "/api/v1/openapi.yaml", nil, nil, false}},
		"GET /api/v1/sessions":     {{"GET", "/api/v1/sessions", nil, nil, false}},
		"GET /api/v1/formations":   {{"GET", "/api/v1/formations", nil, nil, false}},
		"GET /api/v1/courses":      {{"GET", "/api/v1/courses", nil, nil, false}},
		"GET /api/v1/courses/{id}": {{"GET", "/api/v1/courses/" + n(ownCourse, 10), nil, nil, false}},
		"GET /api/v1/me":           {{"GET", "/api/v1/me", nil, expect(append(staffRoles, "candidate")...), false}},
		"/api/":                    {{"GET", "/api/v2/anything", nil, nil, false}},
		"GET /healthz":             {{"GET", "/healthz", nil, nil, false}},
		"GET /readyz":              {{"GET", "/readyz", nil, nil, false}},
		"/dev-idp/":                {{"GET", "/dev-idp/.well-known/openid-configuration", nil, nil, false}},
		"/dev/payfip/":             {{"GET", "/dev/payfip/", nil, nil, false}},
		"/":                        {{"GET", "/nowhere", nil, nil, false}},
	}

	// Every registered route has a row, and every row is a registered route.
	srv, err := web.New(web.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now, DevIDP: http.NotFoundHandler(),
		MailSink: http.NotFoundHandler(), PayFiPSimulator: http.NotFoundHandler()})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handler()
	registered := map[string]web.RouteInfo{}
	for _, r := range srv.Routes() {
		if strings.HasPrefix(r.Pattern, "GET /static/") {
			continue // the hashed stylesheet, the register's script
		}
		registered[r.Pattern] = r
		if _, ok := matrix[r.Pattern]; !ok {
			t.Errorf("route %q has no row in the permission matrix", r.Pattern)
		}
	}
	for pattern, probes := range matrix {
		r, ok := registered[pattern]
		if !ok {
			t.Errorf("matrix row %q is not a registered route", pattern)
			continue
		}
		for _, p := range probes {
			if (p.want == nil) != r.Public {
				t.Errorf("%s: registered public=%v but the matrix expects public=%v", pattern, r.Public, p.want == nil)
			}
		}
	}

	noRedirect := func(b *browser) *http.Client {
		return &http.Client{Jar: b.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	// One subtest per rule, each walking every route as its persona: a rule
	// broken for one role fails that role's subtest by name.
	for _, who := range personas {
		t.Run(ruleOf[who], func(t *testing.T) {
			for pattern, probes := range matrix {
				for _, p := range probes {
					want := allowed
					if p.want != nil {
						want = p.want[who]
					}
					var body io.Reader
					if p.form != nil {
						body = strings.NewReader(p.form.Encode())
					}
					req, _ := http.NewRequest(p.method, base+p.path, body)
					if p.form != nil {
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					res, err := noRedirect(browsers[who]).Do(req)
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					got := allowed
					switch {
					case res.StatusCode == http.StatusForbidden:
						got = denied
					case res.StatusCode == http.StatusUnauthorized,
						res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/connexion?"):
						got = signIn
					case res.StatusCode == http.StatusNotFound && pattern != "/" && pattern != "/api/" && !p.missingOK,
						res.StatusCode >= 500:
						got = outcome("status " + strconv.Itoa(res.StatusCode))
					}
					if got != want {
						t.Errorf("%s %s as %s: %s (HTTP %d), want %s", p.method, p.path, who, got, res.StatusCode, want)
					}
				}
			}
		})
	}
}

// ruleOf names each persona's subtest after the rule it checks (ROLE-1..7).
var ruleOf = map[string]string{
	"anonymous":   "public_routes_anonymous_visitor",
	"candidate":   "ROLE-1_candidate_own_account_basket_and_candidatures",
	"trainer":     "ROLE-2_trainer_own_courses_only",
	"director":    "ROLE-3_director_own_establishment_only",
	"coordinator": "ROLE-4_coordinator_own_formations_only",
	"central":     "ROLE-5_central_service_everything",
	"guidance":    "ROLE-6_guidance_assisted_registration_only",
	"helpdesk":    "ROLE-7_helpdesk_reads_candidates_files_changes_nothing",
	"regisseur":   "ROLE-regisseur_reads_every_ledger_changes_nothing",
}

// tokenOnly is the row of a staff API route: every browser, signed in or
// not, is asked for a token (401), as the API does not take the web session.
func tokenOnly() map[string]outcome {
	row := map[string]outcome{}
	for _, p := range personas {
		row[p] = signIn
	}
	return row
}
