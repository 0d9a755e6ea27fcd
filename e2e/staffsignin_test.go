package e2e

import (
	"strings"
	"testing"
	"time"
)

// The demo provider's staff persona whose email is not verified (as
// LemonLDAP::NG's default claims give it), seeded without names.
const unverifiedStaffPersona = "Julien Moreau — Directeur adjoint (Voltaire), adresse non vérifiée : connexion à confirmer par le service central"

// heldWidths are the widths the held sign-in pages are walked at.
var heldWidths = []staffWidth{{"desktop", 1280, 900, false}, {"phone-390", 390, 844, true}}

// shootWidths checks the page (axe-core at desktop and phone width, no
// sideways scroll at 390 px) and saves a screenshot at each width, scrolled
// to the element id ("" the top).
func (b *browser) shootWidths(name, id string) {
	b.t.Helper()
	b.checkA11y(name, 20*time.Second) // desktop and phone
	for _, w := range heldWidths {
		b.emulate(w)
		if w.phone {
			b.noHorizontalScroll(name + " (" + w.name + ")")
		}
		b.screenshotScreen("staffsignin-"+name+"-"+w.name, id)
	}
	b.emulateDesktop()
}

// TestStaffSignInWithoutEmailVerified_ACC3_ROLE5: a staff member whose
// provider does not say the email is verified signs in through the demo
// provider and is told their sign-in waits for the central service (no
// candidate account); the central service links it from its list with a
// reason; the person's next sign-in reaches the back office under the
// provider's names, and their file lists the identity.
func TestStaffSignInWithoutEmailVerified_ACC3_ROLE5(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)

	signIn(b, base, unverifiedStaffPersona)
	if h := b.h1(); h != "Votre connexion doit être confirmée" {
		t.Fatalf("held sign-in: h1 %q at %s", h, b.location())
	}
	if body := eval[string](b, `document.querySelector('main').innerText`); !strings.Contains(body, "directeur.adjoint.voltaire@paris.exemple") ||
		!strings.Contains(body, "Aucun compte de candidat n'a été créé") {
		t.Fatalf("held page:\n%s", body)
	}
	b.shootWidths("held", "")

	if p := signIn(b, base, centralPersona); p != "/back-office" {
		t.Fatalf("central service signed in at %s", p)
	}
	if tile := eval[string](b, `[...document.querySelectorAll('main a.tile')].map(e => e.textContent.trim()).join(' | ')`); !strings.Contains(tile, "1connexion du personnel à confirmer") &&
		!strings.Contains(tile, "1 connexion du personnel à confirmer") {
		t.Errorf("central home tiles: %s", tile)
	}
	b.shootWidths("home", "")
	b.navigate(base + "/back-office/connexions-a-confirmer")
	if h := b.h1(); h != "Connexions du personnel à confirmer" {
		t.Fatalf("list: h1 %q", h)
	}
	file := eval[string](b, `document.querySelector('main section.panel a[href^="/back-office/personnes/"]').getAttribute('href')`)
	reason := eval[string](b, `document.querySelector('main section.panel input[name^="raison-"]').id`)
	b.shootWidths("list", "")
	b.shootWidths("list-panel", eval[string](b, `document.querySelector('main section.panel h2').id`))

	b.typeInto(reason, "appel de l'agent, badge vérifié")
	b.activate("main section.panel button[type=submit]", "Lier au compte du personnel")
	if msg := eval[string](b, `(document.querySelector('main .success') || {textContent: ''}).textContent.trim()`); !strings.Contains(msg, "L'identité est liée au compte du personnel") {
		t.Fatalf("after linking: %q at %s", msg, b.location())
	}
	b.shootWidths("list-done", "")

	b.navigate(base + file)
	if n := eval[int](b, `document.querySelectorAll('#identites ~ .panel, section[aria-labelledby="identites"] .panel').length`); n != 1 {
		t.Fatalf("the staff file lists %d identities, want 1", n)
	}
	b.shootWidths("file", "identites")

	b.activate("header form[action='/deconnexion'] button", "Se déconnecter")
	if p := signIn(b, base, unverifiedStaffPersona); p != "/back-office" {
		t.Fatalf("after the link the staff member lands on %s, want /back-office", p)
	}
	if body := eval[string](b, `document.body.innerText`); !strings.Contains(body, "Julien MOREAU") {
		t.Errorf("the back office does not greet the provider's names:\n%.800s", body)
	}
}

// TestStaffSignInRepair_ACC3_ROLE5: the central service first takes the
// staff member for a candidate (their next sign-in makes a candidate account
// with the staff email, as every first sign-in did before staff sign-ins were
// held), then repairs it from the staff account's file: the identity is moved
// there, the empty candidate account is marked merged, and the next sign-in
// reaches the back office.
func TestStaffSignInRepair_ACC3_ROLE5(t *testing.T) {
	tools := needBrowser(t)
	base := startServer(t, fixedNow)
	b := newBrowser(t, tools)

	signIn(b, base, unverifiedStaffPersona)
	signIn(b, base, centralPersona)
	b.navigate(base + "/back-office/connexions-a-confirmer")
	file := eval[string](b, `document.querySelector('main section.panel a[href^="/back-office/personnes/"]').getAttribute('href')`)
	b.typeInto(eval[string](b, `document.querySelector('main section.panel input[name^="raison-"]').id`), "pris pour une candidate")
	b.activate("main section.panel button[type=submit]", "Refuser : c'est un·e candidat·e")
	b.activate("header form[action='/deconnexion'] button", "Se déconnecter")

	if p := signIn(b, base, unverifiedStaffPersona); strings.HasPrefix(p, "/back-office") || p == "/connexion/retour" {
		t.Fatalf("refused as a candidate, the sign-in lands on %s, want a candidate's page", p)
	}
	b.activate("header form[action='/deconnexion'] button", "Se déconnecter")

	signIn(b, base, centralPersona)
	b.navigate(base + file)
	if n := eval[int](b, `document.querySelectorAll('main form[action$="/identites/lier"]').length`); n != 1 {
		t.Fatalf("the staff file offers %d identities to link, want the candidate account's", n)
	}
	b.shootWidths("repair", "identites")
	b.typeInto("raison-lier-0", "compte de candidat créé par erreur")
	b.activate("main form[action$='/identites/lier'] button[type=submit]", "Lier à ce compte du personnel")
	if msg := eval[string](b, `(document.querySelector('#identites ~ .success, main .success') || {textContent: ''}).textContent.trim()`); !strings.Contains(msg, "L'identité est liée à ce compte du personnel") {
		t.Fatalf("after the repair: %q at %s", msg, b.location())
	}
	b.shootWidths("repair-done", "identites")
	b.activate("header form[action='/deconnexion'] button", "Se déconnecter")

	if p := signIn(b, base, unverifiedStaffPersona); p != "/back-office" {
		t.Fatalf("after the repair the staff member lands on %s, want /back-office", p)
	}
}
