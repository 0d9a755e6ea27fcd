package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The mail journeys against Postfix (interop/postfix): the real program sends
// through the city's relay as a city configures it — STARTTLS with the city's
// own certificate authority, SMTP AUTH, a fully qualified HELO required — and
// the journeys read what Postfix delivered into its one Maildir.

// postfixPeer is the relay interop/postfix/start.sh started.
type postfixPeer struct {
	host, port, user, password, caFile, maildir, config, refusedMap, log, version string
}

// needPostfix skips the test unless interop/run started Postfix, and logs
// which relay the journey talks to.
func needPostfix(t *testing.T) postfixPeer {
	t.Helper()
	v := needPeer(t, "Postfix", "CMA_INTEROP_SMTP_HOST", "CMA_INTEROP_SMTP_PORT", "CMA_INTEROP_SMTP_USER", "CMA_INTEROP_SMTP_PASSWORD",
		"CMA_INTEROP_SMTP_CA_FILE", "CMA_INTEROP_MAILDIR", "CMA_INTEROP_POSTFIX_CONFIG", "CMA_INTEROP_POSTFIX_REFUSED_MAP",
		"CMA_INTEROP_POSTFIX_VERSION")
	p := postfixPeer{
		host: v["CMA_INTEROP_SMTP_HOST"], port: v["CMA_INTEROP_SMTP_PORT"], user: v["CMA_INTEROP_SMTP_USER"],
		password: v["CMA_INTEROP_SMTP_PASSWORD"], caFile: v["CMA_INTEROP_SMTP_CA_FILE"], maildir: v["CMA_INTEROP_MAILDIR"],
		config: v["CMA_INTEROP_POSTFIX_CONFIG"], refusedMap: v["CMA_INTEROP_POSTFIX_REFUSED_MAP"],
		log: os.Getenv("CMA_INTEROP_POSTFIX_LOG"), version: v["CMA_INTEROP_POSTFIX_VERSION"],
	}
	t.Logf("interop: peer Postfix %s on %s:%s (STARTTLS, SASL user %s, Maildir %s)", p.version, p.host, p.port, p.user, p.maildir)
	return p
}

// start runs cma against the relay, giving it helo as its HELO name: STARTTLS
// checked against the relay's certificate (the city's CA), SMTP AUTH.
func (p postfixPeer) start(t *testing.T, helo string) (string, *syncBuffer) {
	t.Helper()
	return p.startOn(t, "", helo)
}

// startOn is start on the database db (a "sqlite:PATH" of a run before); ""
// is a fresh one.
func (p postfixPeer) startOn(t *testing.T, db, helo string, more ...string) (string, *syncBuffer) {
	t.Helper()
	args := append([]string{"--smtp-host", p.host, "--smtp-port", p.port, "--smtp-tls", "starttls", "--smtp-ca-file", p.caFile,
		"--smtp-user", p.user, "--smtp-helo", helo}, more...)
	if db != "" {
		args = append(args, "--db", db)
	}
	return startServerWith(t, fixedNow, args, map[string]string{"CMA_SMTP_PASSWORD": p.password})
}

// freeLoopbackAddr returns 127.0.0.1:PORT with a port free right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// postfix runs `postfix -c CONFIG command` (stop, start, reload).
func (p postfixPeer) postfix(t *testing.T, command string) {
	t.Helper()
	out, err := exec.Command("postfix", "-c", p.config, command).CombinedOutput()
	if err != nil {
		t.Fatalf("postfix -c %s %s: %v\n%s", p.config, command, err, out)
	}
	t.Logf("interop: postfix %s", command)
}

// refuse makes the relay answer 550 5.1.1 to the addresses (none: to nobody):
// it rewrites the refusal map and reloads Postfix.
func (p postfixPeer) refuse(t *testing.T, addrs ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# Written by e2e/interop_mail_test.go.\n")
	for _, a := range addrs {
		fmt.Fprintf(&b, "%s 550 5.1.1 User unknown in virtual mailbox table\n", a)
	}
	if err := os.WriteFile(p.refusedMap, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	p.postfix(t, "reload")
}

// maillogLines returns the lines of Postfix's log that contain s, for messages.
func (p postfixPeer) maillogLines(s string) string {
	if p.log == "" {
		return "(no Postfix log)"
	}
	data, _ := os.ReadFile(p.log)
	var out []string
	for l := range strings.Lines(string(data)) {
		if strings.Contains(l, s) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}

// arrived is one email Postfix delivered into the Maildir.
type arrived struct {
	file      string
	header    mail.Header
	raw       []byte
	body      []byte // after the header
	messageID string
	to        string // the To header's address
}

// delivered reads every email in the Maildir (new and cur).
func (p postfixPeer) delivered(t *testing.T) []arrived {
	t.Helper()
	var out []arrived
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(p.maildir, sub))
		if err != nil {
			t.Fatalf("Maildir: %v", err)
		}
		for _, e := range entries {
			f := filepath.Join(p.maildir, sub, e.Name())
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatalf("Maildir: %v", err)
			}
			m, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Errorf("Maildir: %s is not a message (RFC 5322): %v", f, err)
				continue
			}
			body, _ := io.ReadAll(m.Body)
			a := arrived{file: f, header: m.Header, raw: raw, body: body, messageID: m.Header.Get("Message-Id")}
			if to, err := mail.ParseAddress(m.Header.Get("To")); err == nil {
				a.to = strings.ToLower(to.Address)
			}
			out = append(out, a)
		}
	}
	return out
}

// text is the email's text/plain part, decoded.
func (a arrived) text(t *testing.T) string {
	t.Helper()
	for _, l := range mimeLeaves(t, a.header.Get("Content-Type"), a.header.Get("Content-Transfer-Encoding"), bytes.NewReader(a.body)) {
		if l.contentType == "text/plain" {
			return l.body
		}
	}
	return ""
}

// messageIDs is the set of Message-IDs in the Maildir now, to tell what a
// journey's own server delivered from what was there before.
func (p postfixPeer) messageIDs(t *testing.T) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	for _, a := range p.delivered(t) {
		seen[a.messageID] = true
	}
	return seen
}

// countNew counts the emails to the addresses in to that were not in the
// Maildir before.
func (p postfixPeer) countNew(t *testing.T, before map[string]bool, to ...string) int {
	t.Helper()
	n := 0
	for _, a := range p.delivered(t) {
		if !before[a.messageID] && slices.Contains(to, a.to) {
			n++
		}
	}
	return n
}

// waitDelivered waits until the Maildir holds, besides the emails of before,
// want emails to the addresses in to, and returns them (at least want; more if
// duplicates arrived meanwhile).
func (p postfixPeer) waitDelivered(t *testing.T, before map[string]bool, to []string, want int, timeout time.Duration) []arrived {
	t.Helper()
	var got []arrived
	for deadline := time.Now().Add(timeout); ; {
		got = got[:0]
		for _, a := range p.delivered(t) {
			if !before[a.messageID] && slices.Contains(to, a.to) {
				got = append(got, a)
			}
		}
		if len(got) >= want {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("Maildir: %d of %d emails to %v arrived within %v; Postfix's log for them:\n%s", len(got), want, to, timeout,
				p.maillogLines(to[0]))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// forgetSession clears the browser's cookies: the next page is a newcomer's.
func (b *browser) forgetSession() {
	b.t.Helper()
	b.do("forget the session", 5*time.Second, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// signInAs signs persona in through the demo sign-on, in a fresh session.
func (b *browser) signInAs(base, persona string) {
	b.t.Helper()
	b.forgetSession()
	if p := signIn(b, base, persona); p == "/connexion" || strings.HasPrefix(p, "/dev-idp/") {
		b.t.Fatalf("after choosing %q: location %s, want to be signed in", persona, b.location())
	}
}

// validateCourse signs persona in (in a fresh session), puts the course in the
// basket and validates it for good; it returns the validation's reference
// and the status message the candidate reads.
func (b *browser) validateCourse(base, persona string, c apiCourseSlot) (reference, status string) {
	b.t.Helper()
	b.signInAs(base, persona)
	b.navigate(base + c.URL)
	b.activate("form[action='/panier/ajouter'] button[type=submit]", addButton)
	if p := eval[string](b, `location.pathname`); p != "/panier" {
		b.t.Fatalf("%s: after adding %s: location %s, want /panier", persona, c.Code, b.location())
	}
	b.do("choose an objective and accept the rules", 10*time.Second,
		chromedp.Click(chromedp.CSS(`#objectif`)), chromedp.Click(chromedp.CSS(`#reglement`)))
	b.activate("form[action='/panier/recapitulatif'] button[type=submit]", recapButton)
	if p := eval[string](b, `location.pathname`); p != "/panier/recapitulatif" {
		b.t.Fatalf("%s: after the form: location %s, want the recap (errors: %s)", persona, b.location(),
			eval[string](b, `[...document.querySelectorAll('.error-summary li, .error-message')].map(e => e.textContent.trim()).join(' | ')`))
	}
	b.activate("form[action='/panier/valider'] button[type=submit]", validateButton)
	if p := eval[string](b, `location.pathname`); p != "/mes-candidatures" {
		b.t.Fatalf("%s: after validating: location %s, want /mes-candidatures", persona, b.location())
	}
	status = eval[string](b, `(document.querySelector('main .success[role=status]') || {textContent: ''}).textContent.trim()`)
	reference = eval[string](b, `(() => { const dt = [...document.querySelectorAll('main dt')].find(d => d.textContent.trim() === 'Référence de la validation');
		return dt ? dt.nextElementSibling.textContent.trim() : ''; })()`)
	if reference == "" {
		b.t.Fatalf("%s: /mes-candidatures shows no \"Référence de la validation\" after validating", persona)
	}
	return reference, status
}

// copyNote opens /mes-candidatures and returns what "Mes courriels" says of
// the copy of the email whose subject is subject (its text, without the copy
// itself), within timeout: until it contains want.
func (b *browser) copyNote(base, subject, want string, timeout time.Duration) string {
	b.t.Helper()
	var note string
	for deadline := time.Now().Add(timeout); ; {
		b.navigate(base + "/mes-candidatures")
		note = eval[string](b, `(() => { const d = [...document.querySelectorAll('main details')]
			.find(d => d.querySelector('summary') && d.querySelector('summary').textContent.trim().endsWith(`+jsString(subject)+`));
		if (!d) return ''; const c = d.cloneNode(true); c.querySelectorAll('pre, iframe').forEach(e => e.remove());
		return c.textContent.replace(/\s+/g, ' ').trim(); })()`)
		if strings.Contains(note, want) || time.Now().After(deadline) {
			return note
		}
		time.Sleep(time.Second)
	}
}

// mimePart is a leaf of a message's MIME tree, its body decoded.
type mimePart struct {
	contentType, charset, body string
}

// mimeLeaves walks a MIME entity (multipart or not) and returns its leaves.
func mimeLeaves(t *testing.T, contentType, transferEncoding string, body io.Reader) []mimePart {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("MIME: Content-Type %q: %v", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if params["boundary"] == "" {
			t.Fatalf("MIME: %s without a boundary", mediaType)
		}
		var out []mimePart
		r := multipart.NewReader(body, params["boundary"])
		for {
			part, err := r.NextRawPart()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatalf("MIME: reading %s: %v", mediaType, err)
			}
			out = append(out, mimeLeaves(t, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part)...)
		}
	}
	switch strings.ToLower(transferEncoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "", "7bit", "8bit", "binary":
	default:
		t.Errorf("MIME: unexpected Content-Transfer-Encoding %q", transferEncoding)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("MIME: decoding a %s part (%s): %v", mediaType, transferEncoding, err)
	}
	return []mimePart{{contentType: mediaType, charset: strings.ToLower(params["charset"]), body: string(data)}}
}

// TestInterop_Postfix_CAN4_confirmation_reaches_the_mailbox is a candidate
// validating a basket with the platform plugged into the city's Postfix
// (STARTTLS checked against the city's CA, SMTP AUTH, its HELO name): the
// confirmation lands in the mailbox, and read as a mail program reads it
// (net/mail, mime/multipart), it has its sender, its recipient, its subject
// with accents, a Message-ID, Auto-Submitted, a text and an HTML version that
// both name the course and the validation's reference (CAN-4).
func TestInterop_Postfix_CAN4_confirmation_reaches_the_mailbox(t *testing.T) {
	peer := needPostfix(t)
	tools := needBrowser(t)
	t.Parallel()
	base, logs := peer.start(t, "cma.interop.test")
	b := newBrowser(t, tools)
	before := peer.messageIDs(t)

	_, courses := openSessionCourses(t, base)
	four, _ := pickCourses(t, courses)
	ref, status := b.validateCourse(base, yasminePersona, four[0])
	t.Logf("validated %s for %s: reference %s; the candidate reads %q", four[0], yasmineEmail, ref, status)
	b.screenshot("interop-postfix-can4-candidatures")

	got := peer.waitDelivered(t, before, []string{yasmineEmail}, 1, 60*time.Second)
	if len(got) != 1 {
		t.Errorf("Maildir: %d emails to %s, want the one confirmation", len(got), yasmineEmail)
	}
	m := got[0]
	t.Logf("arrived: %s (%d bytes)", m.file, len(m.raw))
	h := m.header
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Errorf("Subject %q: %v", h.Get("Subject"), err)
	}
	if want := "Votre candidature aux Cours d'adultes est enregistrée"; subject != want {
		t.Errorf("Subject decodes to %q, want %q", subject, want)
	}
	if !strings.ContainsAny(subject, "éèà") {
		t.Errorf("Subject %q (raw %q) has lost its accents", subject, h.Get("Subject"))
	}
	from, err := mail.ParseAddress(h.Get("From"))
	if err != nil || !strings.Contains(from.Address, "@") {
		t.Errorf("From %q: %v, want the platform's sender address", h.Get("From"), err)
	} else {
		t.Logf("From: %q <%s>", from.Name, from.Address)
	}
	if to, err := mail.ParseAddress(h.Get("To")); err != nil || !strings.EqualFold(to.Address, yasmineEmail) {
		t.Errorf("To %q (%v), want %s", h.Get("To"), err, yasmineEmail)
	}
	if id := m.messageID; !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") || !strings.Contains(id, "@") {
		t.Errorf("Message-ID %q, want <id@domain>", id)
	}
	if a := h.Get("Auto-Submitted"); a != "auto-generated" {
		t.Errorf("Auto-Submitted %q, want auto-generated (RFC 3834: no vacation replies)", a)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	// Postfix's Received line says how the platform came: its HELO name,
	// inside TLS, authenticated (ESMTPSA: RFC 3848).
	// ESMTPSA, or UTF8SMTPSA when the platform asked for SMTPUTF8 (RFC 6531).
	if rcv := strings.Join(strings.Fields(h.Get("Received")), " "); !strings.Contains(rcv, "from cma.interop.test") ||
		!strings.Contains(rcv, "using TLS") || !strings.Contains(rcv, "SMTPSA id") {
		t.Errorf("Received %q: want the HELO cma.interop.test, TLS and ESMTPSA or UTF8SMTPSA (authenticated)", rcv)
	} else {
		t.Logf("Received: %s", rcv)
	}
	if v := h.Get("Mime-Version"); v != "1.0" {
		t.Errorf("MIME-Version %q, want 1.0", v)
	}
	leaves := mimeLeaves(t, h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), bytes.NewReader(m.body))
	var text, htmlPart string
	for _, l := range leaves {
		switch l.contentType {
		case "text/plain":
			text = l.body
		case "text/html":
			htmlPart = l.body
		}
		if strings.HasPrefix(l.contentType, "text/") && l.charset != "utf-8" {
			t.Errorf("part %s: charset %q, want utf-8", l.contentType, l.charset)
		}
	}
	if text == "" || htmlPart == "" {
		t.Fatalf("MIME: parts %v, want a text/plain and a text/html part", leaves)
	}
	for name, part := range map[string]string{"text/plain": text, "text/html": htmlPart} {
		if !strings.Contains(part, ref) {
			t.Errorf("%s part does not give the reference %s:\n%s", name, ref, part)
		}
		title := four[0].Formation.Title
		if name == "text/html" {
			title = html.EscapeString(title) // as templ escapes text
		}
		if !strings.Contains(part, title) {
			t.Errorf("%s part does not name the course %q:\n%s", name, four[0].Formation.Title, part)
		}
	}
	if !strings.Contains(text, "Référence de votre validation") {
		t.Errorf("text/plain part has lost its accents (no \"Référence de votre validation\"):\n%s", text)
	}
	t.Logf("confirmation %s: From %s, Subject %q, parts %d, reference %s", m.messageID, h.Get("From"), subject, len(leaves), ref)
	if note := b.copyNote(base, subject, "Envoyé le", 10*time.Second); !strings.Contains(note, "Envoyé le") {
		t.Errorf("once delivered, the candidate's copy of the confirmation says %q, want \"Envoyé le …\"", note)
	} else {
		t.Logf("the candidate's copy: %q", note)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("server log has errors:\n%s", logs)
	}
}

// outagePersonas are candidates validating while the relay is down.
var outagePersonas = []struct{ persona, email string }{
	{yasminePersona, yasmineEmail},
	{camillePersona, "camille.martin@exemple.fr"},
	{"Thomas Nguyen — Candidat adulte", "thomas.nguyen@exemple.fr"},
}

// TestInterop_Postfix_CON2_relay_outage_delivers_once stops Postfix, has
// three candidates validate while it is down, keeps it down 60 s and starts it
// again: every confirmation arrives, exactly once (counted by Message-ID), in
// about two minutes (CON-2). It stops the relay that the other mail journeys
// share, so it does not run in parallel with them: Go runs it before them.
func TestInterop_Postfix_CON2_relay_outage_delivers_once(t *testing.T) {
	peer := needPostfix(t)
	tools := needBrowser(t)
	base, logs := peer.start(t, "cma.interop.test")
	b := newBrowser(t, tools)
	before := peer.messageIDs(t)
	_, courses := openSessionCourses(t, base)
	four, _ := pickCourses(t, courses)

	peer.postfix(t, "stop")
	down := time.Now()
	t.Cleanup(func() { // never leave the relay down for the journeys after
		if out, err := exec.Command("postfix", "-c", peer.config, "status").CombinedOutput(); err != nil {
			t.Logf("postfix status: %s", out)
			_ = exec.Command("postfix", "-c", peer.config, "start").Run()
		}
	})
	var to []string
	for i, p := range outagePersonas {
		ref, status := b.validateCourse(base, p.persona, four[i])
		t.Logf("relay down: %s validated %s (reference %s); reads %q", p.email, four[i].Code, ref, status)
		if !strings.Contains(status, "va vous être envoyé") {
			t.Errorf("relay down: %s reads %q, want that the email \"va vous être envoyé\" (not that it was sent)", p.email, status)
		}
		to = append(to, p.email)
	}
	b.screenshot("interop-postfix-con2-outage-candidatures")
	time.Sleep(time.Until(down.Add(60 * time.Second)))
	if n := peer.countNew(t, before, to...); n != 0 {
		t.Errorf("Maildir: %d new emails while the relay was down", n)
	}
	peer.postfix(t, "start")
	up := time.Now()
	t.Logf("relay down for %v", up.Sub(down).Round(time.Second))

	got := peer.waitDelivered(t, before, to, len(to), 150*time.Second)
	t.Logf("all %d confirmations arrived %v after the relay came back", len(got), time.Since(up).Round(time.Second))
	// Anything sent twice would come right after: wait for a retry's worth.
	time.Sleep(10 * time.Second)
	got = peer.waitDelivered(t, before, to, len(to), time.Second)
	count := map[string]int{}
	perRecipient := map[string]int{}
	for _, a := range got {
		count[a.messageID]++
		perRecipient[a.to]++
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("Message-ID %s arrived %d times, want once", id, n)
		}
	}
	for _, addr := range to {
		if perRecipient[addr] != 1 {
			t.Errorf("%s received %d emails, want one confirmation", addr, perRecipient[addr])
		}
	}
	// Retryable failures are warnings with what went wrong (CON-2).
	warns := logLines(logs, "level=WARN", "email not sent, retried")
	if len(warns) == 0 {
		t.Errorf("server log: no warning \"email not sent, retried\" while the relay was down:\n%s", logs)
	} else {
		t.Logf("server log while the relay was down (%d warnings), first: %s", len(warns), warns[0])
	}
	if errs := logLines(logs, "level=ERROR"); len(errs) > 0 {
		t.Errorf("server log: a relay outage is retryable, want warnings only, got errors: %q", errs)
	}
}

// outboxPath is the central service's outbox page ("Courriels"): every email
// with where it is (pending, refused, sent) and the relay's last answer.
const outboxPath = "/back-office/courriels"

// outboxRow is what the outbox page shows of one email.
type outboxRow struct {
	Text   string // the row's (or item's) text, state and relay's answer included
	Resend bool   // it has a "Renvoyer" button
}

// outboxRows opens the outbox page with the query ("": its default view, the
// emails not sent; "?etat=envoye": those sent) and returns what it shows of
// the emails to addr: table rows or list items that name the address.
func (b *browser) outboxRows(base, query, addr string) []outboxRow {
	b.t.Helper()
	b.navigate(base + outboxPath + query)
	if p := eval[string](b, `location.pathname`); p != outboxPath {
		b.t.Fatalf("outbox: %s led to %s", outboxPath, b.location())
	}
	if h1 := b.h1(); !strings.Contains(h1, "Courriels") {
		b.t.Fatalf("outbox: %s is titled %q, want the central service's \"Courriels\" page", outboxPath, h1)
	}
	return eval[[]outboxRow](b, `[...document.querySelectorAll('main tbody tr, main li, main article, main section.panel')]
		.filter(e => e.textContent.includes(`+jsString(addr)+`) && !e.querySelector('tr, li, article'))
		.map(e => ({Text: e.textContent.replace(/\s+/g, ' ').trim(),
			Resend: [...e.querySelectorAll('button')].some(x => x.textContent.trim().startsWith('Renvoyer'))}))`)
}

// resend gives, with the keyboard, the reason asked beside the "Renvoyer"
// button of the outbox's email to addr (if a field is there), presses the
// button and waits for the page that answers.
func (b *browser) resend(addr, reason string) {
	b.t.Helper()
	const row = `[...document.querySelectorAll('main tbody tr, main li, main article, main section.panel')]
		.filter(e => e.textContent.includes(ADDR) && !e.querySelector('tr, li, article'))
		.flatMap(e => [...e.querySelectorAll('button')]).find(x => x.textContent.trim().startsWith('Renvoyer'))`
	find := strings.Replace(row, "ADDR", jsString(addr), 1)
	if eval[bool](b, `(() => { const btn = `+find+`; const f = btn && btn.form && btn.form.querySelector('input[type=text], textarea');
		if (!f) return false; f.focus(); return document.activeElement === f; })()`) {
		b.press(reason)
	}
	if !eval[bool](b, `(() => { const e = `+find+`; if (!e) return false; e.focus(); return document.activeElement === e; })()`) {
		b.t.Fatalf("outbox: no \"Renvoyer\" button for the email to %s", addr)
	}
	b.pressAndWaitLoad(kb.Enter)
}

// waitOutbox reloads the outbox page (with the query) until an email to addr
// shows all of want (within timeout), and returns it.
func (b *browser) waitOutbox(base, query, addr string, timeout time.Duration, want ...string) outboxRow {
	b.t.Helper()
	var rows []outboxRow
	for deadline := time.Now().Add(timeout); ; {
		rows = b.outboxRows(base, query, addr)
		for _, r := range rows {
			if !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(r.Text, w) }) {
				return r
			}
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("outbox %s%s: no email to %s showing %q within %v; it shows %v", outboxPath, query, addr, want, timeout, rows)
		}
		time.Sleep(time.Second)
	}
}

// logLines returns the server's log lines that contain every one of parts.
func logLines(logs *syncBuffer, parts ...string) []string {
	var out []string
	for l := range strings.Lines(logs.String()) {
		if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(l, p) }) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// waitLog waits (30 s at most) for the server's log lines that give the
// relay's answer, and returns them; on failure it shows what Postfix logged
// about about (its lines that contain it).
func (p postfixPeer) waitLog(t *testing.T, logs *syncBuffer, answer, about string) []string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if lines := logLines(logs, answer); len(lines) > 0 {
			t.Logf("server log: %s", lines[0])
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("server log: no line with the relay's answer %s within 30s; Postfix said:\n%s\nserver log:\n%s",
				answer, p.maillogLines(about), logs)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// warnOrError reports whether a log line is at warning or error level.
func warnOrError(l string) bool {
	return strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") ||
		strings.Contains(l, `"level":"WARN"`) || strings.Contains(l, `"level":"ERROR"`)
}

// TestInterop_Postfix_CON2_relay_refusal_is_visible is the city's relay
// refusing what the platform sends (CON-2, no email lost silently):
//
//   - the platform gives the HELO vm, as a machine named vm does without
//     --smtp-helo: Postfix answers 504 5.5.2 (at RCPT TO). The email stays
//     pending, the server log has the relay's answer at warning or error
//     level, the candidate reads that it "va vous être envoyé", and the
//     central service's outbox shows it pending with the answer. Run again
//     on the same database with a right HELO, it arrives, once.
//   - the relay refuses a recipient with 550 5.1.1: the email is shown
//     refused with the answer and logged at error level; once the map is
//     fixed and Postfix reloaded, the central service presses "Renvoyer"
//     and it arrives, once.
func TestInterop_Postfix_CON2_relay_refusal_is_visible(t *testing.T) {
	peer := needPostfix(t)
	tools := needBrowser(t)
	t.Parallel()

	t.Run("HELO vm refused", func(t *testing.T) {
		t.Parallel()
		const persona, email = camillePersona, "camille.martin@exemple.fr"
		// Both runs on one database and one address: the demo sign-on's
		// issuer is the public URL, and the central service's identity with it.
		db := "sqlite:" + filepath.Join(t.TempDir(), "helo.db")
		addr := freeLoopbackAddr(t)
		before := peer.messageIDs(t)
		var ref string
		t.Run("relay refuses the HELO", func(t *testing.T) {
			base, logs := peer.startOn(t, db, "vm", "--addr", addr)
			b := newBrowser(t, tools)
			_, courses := openSessionCourses(t, base)
			four, _ := pickCourses(t, courses)
			var status string
			ref, status = b.validateCourse(base, persona, four[1])
			t.Logf("%s validated %s with the HELO vm (reference %s); reads %q", email, four[1].Code, ref, status)
			if !strings.Contains(status, "va vous être envoyé") {
				t.Errorf("while the relay refuses the platform, the candidate reads %q, want that the email \"va vous être envoyé\"", status)
			}
			b.screenshot("interop-postfix-helo-vm-candidatures")

			if w := logLines(logs, "level=WARN", "helo=vm"); len(w) == 0 {
				t.Errorf("server log: no warning at start that the HELO name vm is not fully qualified")
			} else {
				t.Logf("server log at start: %s", w[0])
			}
			lines := peer.waitLog(t, logs, "504 5.5.2", "helo=<vm>")
			if !slices.ContainsFunc(lines, warnOrError) {
				t.Errorf("server log: the relay's answer is not at warning or error level: %q", lines)
			}

			b.signInAs(base, centralPersona)
			row := b.waitOutbox(base, "", email, 20*time.Second, "504 5.5.2")
			t.Logf("outbox: %s", row.Text)
			if !strings.Contains(strings.ToLower(row.Text), "attente") {
				t.Errorf("outbox: the email refused at HELO reads %q, want it pending (\"en attente\")", row.Text)
			}
			b.checkA11y("the outbox with a pending email", 20*time.Second)
			b.screenshot("interop-postfix-outbox-pending")
			if n := peer.countNew(t, before, email); n != 0 {
				t.Errorf("Maildir: %d emails to %s arrived while the relay refused the HELO", n, email)
			}
		})
		if t.Failed() {
			return
		}
		t.Run("right HELO delivers it", func(t *testing.T) {
			start := time.Now()
			base, _ := peer.startOn(t, db, "cma.interop.test", "--addr", addr)
			b := newBrowser(t, tools)
			b.signInAs(base, centralPersona)
			// Nothing to press: the job's next retry (seconds away) sends it.
			// Pressing "Renvoyer" on this pending email as the server starts,
			// while its retry is due, had both jobs send it (twice, same
			// Message-ID, same second); the 550 journey resends a refused
			// email instead, which has no retry left.
			got := peer.waitDelivered(t, before, []string{email}, 1, 150*time.Second)
			time.Sleep(3 * time.Second)
			got = peer.waitDelivered(t, before, []string{email}, 1, time.Second)
			if len(got) != 1 || !strings.Contains(got[0].text(t), ref) {
				t.Errorf("Maildir: %d emails to %s (want the one confirmation with reference %s)", len(got), email, ref)
			}
			t.Logf("with a fully qualified HELO the pending confirmation arrived after %v", time.Since(start).Round(time.Second))
			row := b.waitOutbox(base, "?etat=envoye", email, 10*time.Second, "Envoyé")
			t.Logf("outbox, sent emails: %s", row.Text)
		})
	})

	t.Run("recipient refused 550", func(t *testing.T) {
		t.Parallel()
		const persona, email = "Thomas Nguyen — Candidat adulte", "thomas.nguyen@exemple.fr"
		peer.refuse(t, email)
		t.Cleanup(func() { peer.refuse(t) })
		base, logs := peer.start(t, "cma.interop.test")
		b := newBrowser(t, tools)
		before := peer.messageIDs(t)
		_, courses := openSessionCourses(t, base)
		four, _ := pickCourses(t, courses)
		ref, status := b.validateCourse(base, persona, four[2])
		t.Logf("%s validated %s (reference %s); reads %q", email, four[2].Code, ref, status)

		lines := peer.waitLog(t, logs, "550 5.1.1", email)
		if !slices.ContainsFunc(lines, func(l string) bool {
			return strings.Contains(l, "level=ERROR") || strings.Contains(l, `"level":"ERROR"`)
		}) {
			t.Errorf("server log: the refusal is not at error level: %q", lines)
		}

		const subject = "Votre candidature aux Cours d'adultes est enregistrée"
		if note := b.copyNote(base, subject, "n'a pas pu vous être envoyé", 10*time.Second); !strings.Contains(note, "n'a pas pu vous être envoyé") {
			t.Errorf("once the relay refused it, the candidate's copy of the confirmation says %q, want that it \"n'a pas pu vous être envoyé\"", note)
		} else {
			t.Logf("the candidate's copy: %q", note)
		}
		b.signInAs(base, centralPersona)
		row := b.waitOutbox(base, "", email, 20*time.Second, "550 5.1.1")
		t.Logf("outbox: %s", row.Text)
		if !strings.Contains(strings.ToLower(row.Text), "refus") {
			t.Errorf("outbox: the email the relay refused reads %q, want it refused", row.Text)
		}
		if !row.Resend {
			t.Fatalf("outbox: the refused email has no \"Renvoyer\" button: %q", row.Text)
		}
		b.screenshot("interop-postfix-outbox-refused")

		peer.refuse(t) // the city fixes its relay
		b.resend(email, "Adresse corrigée sur le relais de la ville.")
		t.Logf("after Renvoyer: %s — %q", b.location(), eval[string](b, `(document.querySelector('main [role=status], main .success') || {textContent: ''}).textContent.trim()`))
		got := peer.waitDelivered(t, before, []string{email}, 1, 60*time.Second)
		time.Sleep(3 * time.Second)
		got = peer.waitDelivered(t, before, []string{email}, 1, time.Second)
		if len(got) != 1 || !strings.Contains(got[0].text(t), ref) {
			t.Errorf("Maildir: %d emails to %s after Renvoyer, want the one confirmation with reference %s", len(got), email, ref)
		}
		row = b.waitOutbox(base, "?etat=envoye", email, 20*time.Second, "Envoyé")
		t.Logf("outbox, sent emails, after the resend: %s", row.Text)
		b.screenshot("interop-postfix-outbox-resent")
	})
}
