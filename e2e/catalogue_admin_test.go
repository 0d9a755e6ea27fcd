package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestYearSetUpJourney_ROLE5_PER1_CAT6 walks the set-up of a session as the
// city will live it, on the demo clock. On 1 December 2026 the central
// service creates the session "Ateliers d'hiver 2027" (candidatures until 22
// December), imports its two courses from a spreadsheet and publishes it; a
// candidate applies to both; one course is switched to remote with a reason,
// and the candidate sees the notice in her space and receives the email
// (CAT-6, CON-2). The platform is then restarted on the same database at
// 23:59:30 on the closing day, when a cancellation is accepted, and at
// 00:00:30 the next day, when it is refused with the deadline shown (PER-1,
// CAN-5). Every page passes axe-core.
func TestYearSetUpJourney_ROLE5_PER1_CAT6(t *testing.T) {
	tools := needBrowser(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "year.db")
	// The same address at every start: the demo sign-on's issuer carries it,
	// and the candidate must stay the same person.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := func(clock string) (string, func()) {
		t.Helper()
		base, _, stop := startStoppableServer(t, time.Now, []string{"--db", dbURL, "--addr", addr, "--demo-now", clock}, nil)
		return base, stop
	}

	base, stop := start("2026-12-01T10:00:00+01:00")
	b := newBrowser(t, tools)
	main := func() string { return eval[string](b, `document.querySelector('main').innerText`) }
	shot := func(name string) {
		b.t.Helper()
		b.checkA11y(name, 20*time.Second)
		b.emulatePhone()
		b.screenshot(name + "-390")
		b.emulateDesktop()
		b.screenshot(name + "-1280")
	}

	// The central service creates the session as a draft (ROLE-5, PER-1).
	b.signInAs(base, "Pierre Bernard — Service central des CMA")
	b.navigate(base + "/back-office/catalogue/sessions/nouvelle")
	b.do("fill in the session", 10*time.Second,
		chromedp.SetValue(chromedp.CSS(`#code`), "2027-ATELIERS"),
		chromedp.SetValue(chromedp.CSS(`#nom`), "Ateliers d'hiver 2027"),
		chromedp.SetValue(chromedp.CSS(`#type`), "special"),
		chromedp.SetValue(chromedp.CSS(`#ouverture_candidatures`), "2026-12-01"),
		chromedp.SetValue(chromedp.CSS(`#cloture_candidatures`), "2026-12-22"),
		chromedp.SetValue(chromedp.CSS(`#ouverture_reponses`), "2026-12-28"),
		chromedp.SetValue(chromedp.CSS(`#cloture_reponses`), "2027-01-08"),
		chromedp.SetValue(chromedp.CSS(`#premier_cours`), "2027-01-11"),
		chromedp.SetValue(chromedp.CSS(`#dernier_cours`), "2027-03-27"))
	b.activate("main form button[type=submit]", "Créer la session en brouillon")
	sessionPath := eval[string](b, `location.pathname`)
	sessionID, err := strconv.ParseInt(strings.TrimPrefix(sessionPath, "/back-office/catalogue/sessions/"), 10, 64)
	if err != nil {
		t.Fatalf("after creating the session: location %s: %s", b.location(), main())
	}
	if !strings.Contains(main(), "Brouillon") {
		t.Fatalf("new session is not a draft: %s", main())
	}

	// Its catalogue comes from a spreadsheet (CAT-3): checked, then imported.
	sheet := filepath.Join(t.TempDir(), "ateliers.csv")
	os.WriteFile(sheet, []byte("\ufeffcode;code formation;code établissement;salle;jour;début;fin;capacité;tarif (€);distanciel\r\n"+
		"ATL-ANG-1;F-ANGLAIS-DEB;E-07-SUFFREN;Salle 103;samedi;10:00;12:00;20;120;non\r\n"+
		"ATL-ESP-1;F-ESPAGNOL-DEB;E-07-SUFFREN;Salle 103;samedi;14:00;16:00;20;120;non\r\n"), 0o600)
	importPage := fmt.Sprintf("%s/back-office/catalogue/sessions/%d/import", base, sessionID)
	b.navigate(importPage)
	b.do("choose the spreadsheet", 5*time.Second, chromedp.SetUploadFiles(chromedp.CSS(`#fichier`), []string{sheet}))
	b.activate("button[type=submit]", "Vérifier le fichier")
	if !strings.Contains(main(), "2 cours à créer") {
		t.Fatalf("dry run: %s", main())
	}
	shot("year-import-dry-run")
	b.activate("button[type=submit]", "Importer")
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(main(), "2 cours créés"); {
		if time.Now().After(deadline) {
			t.Fatalf("import not done: %s", main())
		}
		time.Sleep(500 * time.Millisecond)
		b.navigate(importPage)
	}

	// Published, it is public.
	b.navigate(base + sessionPath)
	b.do("confirm the publication", 5*time.Second, chromedp.Click(chromedp.CSS(`#confirmer`)))
	b.activate("form[action$='/publier'] button[type=submit]", "Publier")
	if !strings.Contains(main(), "Publiée") {
		t.Fatalf("session not published: %s", main())
	}
	shot("year-session")
	var courses []apiCourseSlot
	var list struct {
		Items []apiCourseSlot `json:"items"`
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/courses?session=%d&par_page=100", base, sessionID), &list)
	for _, c := range list.Items {
		c.start, c.end = minutes(t, c.Start), minutes(t, c.End)
		courses = append(courses, c)
	}
	if len(courses) != 2 {
		t.Fatalf("public API: %d courses in the new session, want 2: %v", len(courses), courses)
	}

	// A candidate applies to both courses.
	for _, c := range courses {
		b.validateCourse(base, yasminePersona, c)
	}

	// The English course goes remote (CAT-6), from its staff page.
	remote, kept := courses[0], courses[1]
	if !strings.HasPrefix(remote.Code, "ATL-ANG") {
		remote, kept = kept, remote
	}
	b.signInAs(base, "Pierre Bernard — Service central des CMA")
	b.navigate(base + "/back-office/cours/" + strconv.FormatInt(remote.ID, 10))
	b.typeInto("motif", "Salle 103 en travaux")
	b.activate("form button[type=submit]", "Passer ce cours à distance et prévenir les candidats")
	if !strings.Contains(main(), "prévenue") {
		t.Fatalf("switch to remote: %s", main())
	}

	// The candidate sees it in her space, with the email's copy, and the
	// email itself reached the mail sink (CON-2).
	b.signInAs(base, yasminePersona)
	b.navigate(base + "/mes-candidatures")
	if !strings.Contains(main(), "Ce cours a lieu à distance. Motif : Salle 103 en travaux") {
		t.Fatalf("space: no remote notice: %s", main())
	}
	shot("year-space-remote")
	b.navigate(base + "/dev/courriels")
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(eval[string](b, `document.body.innerText`), "distance"); {
		if time.Now().After(deadline) {
			t.Fatalf("mail sink: no email about remote delivery: %s", eval[string](b, `document.body.innerText`))
		}
		time.Sleep(time.Second)
		b.navigate(base + "/dev/courriels")
	}
	stop()

	// 23:59:30 on the closing day: the cancellation is accepted (PER-1, CAN-5).
	base, stop = start("2026-12-22T23:59:30+01:00")
	b.signInAs(base, yasminePersona)
	openCancel := func(c apiCourseSlot) {
		b.t.Helper()
		b.navigate(base + "/mes-candidatures")
		b.activate("main a[href$='/annuler']", "Annuler ma candidature en « "+c.Formation.Title+" »")
	}
	confirmCancel := func(c apiCourseSlot) {
		b.t.Helper()
		b.activate("main form[action$='/annuler'] button[type=submit]", "Oui, annuler ma candidature en « "+c.Formation.Title+" »")
	}
	openCancel(remote)
	confirmCancel(remote)
	if !strings.Contains(main(), "est annulée") {
		t.Fatalf("23:59:30 on the closing day: cancellation not accepted: %s", main())
	}
	// She opens the other cancellation before midnight and confirms it after.
	openCancel(kept)
	stop()

	// 00:00:30 the next day: refused, with the deadline shown.
	start("2026-12-23T00:00:30+01:00")
	confirmCancel(kept)
	if got := main(); !strings.Contains(got, "La période de candidature est close") || !strings.Contains(got, "22 décembre 2026") {
		t.Fatalf("00:00:30 the next day: the refusal does not show the deadline (22 décembre 2026): %s", got)
	}
	shot("year-cancel-refused")
}
