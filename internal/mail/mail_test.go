package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

const testFrom = "Cours d'adultes <ne-pas-repondre@cours-adultes.paris.fr>"

// startTestSink starts a sink on the loopback interface, closed with the test.
func startTestSink(t *testing.T, limit int) *Sink {
	t.Helper()
	sink, err := startSink("127.0.0.1:0", limit, SinkOptions{})
	if err != nil {
		t.Fatalf("start sink: %v", err)
	}
	t.Cleanup(func() {
		if err := sink.Close(); err != nil {
			t.Errorf("close sink: %v", err)
		}
	})
	return sink
}

// senderTo returns a Sender without TLS towards addr.
func senderTo(t *testing.T, addr string) *Sender {
	t.Helper()
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("split %q: %v", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatalf("port %q: %v", portText, err)
	}
	sender, err := NewSender(SMTPConfig{Host: host, Port: port, TLS: TLSNone, From: testFrom, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("new sender: %v", err)
	}
	return sender
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func sampleConfirmation() Confirmation {
	return Confirmation{
		FirstName: "Camille",
		Candidatures: []ConfirmationLine{
			{
				Formation: "Anglais", Level: "Niveau 2 (A2)", Schedule: "Lundi et jeudi, 18h30 – 20h30",
				Establishment: "École élémentaire Parmentier", Address: "12 rue Parmentier, 75011 Paris",
				Session: "Année 2026-2027", Evaluation: "Test écrit avant la rentrée", Price: "158,60 €",
			},
			{
				Formation: "CAP Cuisine", Level: "1re année", Schedule: "Mardi, 18h00 – 21h00",
				Establishment: "Lycée Belliard", Address: "135 rue Belliard, 75018 Paris",
				Session: "Année 2026-2027", Evaluation: "Entretien", Price: "317,20 €", Diploma: "CAP Cuisine",
			},
		},
		SpaceURL:     "https://cours-adultes.paris.fr/mes-candidatures",
		CancelUntil:  "15 décembre 2026 à 23h59",
		AnswerPeriod: "du 8 au 22 janvier 2027",
	}
}

func TestSend_CAN4_CON2_real_SMTP_to_the_sink(t *testing.T) {
	sink := startTestSink(t, sinkLimit)
	sender := senderTo(t, sink.Addr())

	subject, text, html, err := RenderConfirmation(sampleConfirmation())
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	sent := Message{
		To: "camille.martin@example.org", Subject: subject, Text: text, HTML: html,
		MessageID: "<0b6e2a52-3f0e-4c1a-9d55-2b1f4c7e9a10@cours-adultes.paris.fr>",
	}
	if err := sender.Send(testContext(t), sent); err != nil {
		t.Fatalf("send: %v", err)
	}
	got, err := sink.Wait(testContext(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("sink kept %d messages, want 1", len(got))
	}
	m := got[0]

	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		t.Fatalf("From %q does not parse: %v", m.From, err)
	}
	if from.Address != "ne-pas-repondre@cours-adultes.paris.fr" || from.Name != "Cours d'adultes" {
		t.Errorf("From = %q, want the fixed sender %q (CON-2)", m.From, testFrom)
	}
	if len(m.To) != 1 || m.To[0] != "camille.martin@example.org" {
		t.Errorf("To = %q, want [camille.martin@example.org]", m.To)
	}
	if m.Subject != subject || !strings.Contains(m.Subject, "enregistrées") {
		t.Errorf("Subject = %q, want %q", m.Subject, subject)
	}
	if strings.TrimRight(m.Text, "\n") != strings.TrimRight(text, "\n") {
		t.Errorf("Text differs:\ngot:\n%s\nwant:\n%s", m.Text, text)
	}
	if strings.TrimRight(m.HTML, "\n") != strings.TrimRight(html, "\n") {
		t.Errorf("HTML differs:\ngot:\n%s\nwant:\n%s", m.HTML, html)
	}
	if m.MessageID != sent.MessageID {
		t.Errorf("MessageID = %q, want %q", m.MessageID, sent.MessageID)
	}
	if m.At.IsZero() || len(m.Raw) == 0 {
		t.Errorf("At = %v, %d raw bytes: want both set", m.At, len(m.Raw))
	}
	if !strings.Contains(string(m.Raw), "Auto-Submitted: auto-generated") {
		t.Errorf("raw message lacks Auto-Submitted header:\n%s", m.Raw)
	}
}

func TestSend_rejects_an_invalid_message_permanently(t *testing.T) {
	sink := startTestSink(t, sinkLimit)
	sender := senderTo(t, sink.Addr())
	valid := Message{To: "a@example.org", Subject: "Objet", Text: "Texte", MessageID: "<1@example.org>"}

	for name, change := range map[string]func(*Message){
		"no recipient":      func(m *Message) { m.To = "" },
		"bad recipient":     func(m *Message) { m.To = "pas une adresse" },
		"no subject":        func(m *Message) { m.Subject = " " },
		"subject injection": func(m *Message) { m.Subject = "Objet\r\nBcc: x@example.org" },
		"no text":           func(m *Message) { m.Text = "" },
		"no message id":     func(m *Message) { m.MessageID = "" },
		"bad message id":    func(m *Message) { m.MessageID = "<sans-arobase>" },
	} {
		t.Run(name, func(t *testing.T) {
			m := valid
			change(&m)
			err := sender.Send(testContext(t), m)
			if err == nil {
				t.Fatal("Send accepted an invalid message")
			}
			if !IsPermanent(err) {
				t.Errorf("IsPermanent(%v) = false, want true: a retry cannot fix the message", err)
			}
		})
	}
	if got := sink.Messages(); len(got) != 0 {
		t.Errorf("sink got %d messages, want none", len(got))
	}
}

// refusingSession refuses every recipient with a fixed SMTP reply.
type refusingSession struct{ reply *gosmtp.SMTPError }

func (s refusingSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s refusingSession) Rcpt(string, *gosmtp.RcptOptions) error { return s.reply }
func (s refusingSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (s refusingSession) Reset()        {}
func (s refusingSession) Logout() error { return nil }

// startRefusingServer runs a tiny SMTP server that refuses RCPT with reply.
func startRefusingServer(t *testing.T, reply *gosmtp.SMTPError) string {
	t.Helper()
	server := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return refusingSession{reply: reply}, nil
	}))
	server.Domain = "localhost"
	server.ErrorLog = log.New(io.Discard, "", 0)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.Serve(listener)
	}()
	t.Cleanup(func() {
		_ = server.Close()
		_ = listener.Close() // in case Serve has not registered it yet
		<-done
	})
	return listener.Addr().String()
}

func TestSend_CAN4_refusals_permanent_or_temporary(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reply     *gosmtp.SMTPError
		permanent bool
	}{
		{"550 mailbox unavailable is permanent", &gosmtp.SMTPError{
			Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}, true},
		{"451 try again later is temporary", &gosmtp.SMTPError{
			Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sender := senderTo(t, startRefusingServer(t, tc.reply))
			err := sender.Send(testContext(t), Message{
				To: "personne@example.org", Subject: "Objet", Text: "Texte", MessageID: "<2@example.org>",
			})
			if err == nil {
				t.Fatal("Send succeeded, want a refusal")
			}
			if !strings.Contains(err.Error(), strconv.Itoa(tc.reply.Code)) {
				t.Errorf("error %q does not mention the reply code %d", err, tc.reply.Code)
			}
			if got := IsPermanent(err); got != tc.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tc.permanent)
			}
		})
	}
}

func TestSend_server_down_is_a_temporary_error(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatal(err)
	}
	err = senderTo(t, addr).Send(testContext(t), Message{
		To: "personne@example.org", Subject: "Objet", Text: "Texte", MessageID: "<3@example.org>",
	})
	if err == nil {
		t.Fatal("Send succeeded with the server down")
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false: the server may come back", err)
	}
}

func TestIsPermanent_nil_and_plain_errors(t *testing.T) {
	if IsPermanent(nil) {
		t.Error("IsPermanent(nil) = true")
	}
	if IsPermanent(errors.New("boom")) {
		t.Error("IsPermanent(plain error) = true")
	}
	if !IsPermanent(fmt.Errorf("job: %w", permanentError{errors.New("bad")})) {
		t.Error("IsPermanent(wrapped permanent error) = false")
	}
}

func TestRenderConfirmation_CAN4_content(t *testing.T) {
	c := sampleConfirmation()
	subject, text, html, err := RenderConfirmation(c)
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Vos 2 candidatures aux Cours d'adultes sont enregistrées" {
		t.Errorf("subject = %q", subject)
	}
	for _, want := range []string{
		"Bonjour Camille,",
		// every course, with its details
		"Anglais", "Niveau 2 (A2)", "Lundi et jeudi, 18h30 – 20h30", "École élémentaire Parmentier",
		"12 rue Parmentier, 75011 Paris", "Test écrit avant la rentrée", "158,60 €",
		"CAP Cuisine", "Lycée Belliard", "317,20 €",
		// CAT-7: diploma exams are the candidate's business
		"vous vous inscrivez vous-même à l'examen",
		// PER-2: order of arrival does not count
		"l'ordre d'arrivée ne compte pas",
		// SEL-2: convocation by email
		"convocation par courriel",
		"Vous recevrez une réponse du 8 au 22 janvier 2027.",
		// PAY-1: payment only after acceptance, between first and second class
		"Vous payez seulement si votre inscription est acceptée, en une seule fois, entre le premier et le deuxième cours.",
		// CAN-5: cancel until the deadline
		"Vous pouvez l'annuler jusqu'au 15 décembre 2026 à 23h59",
		// CON-2: copy in the space, no replies
		"Une copie de chaque courriel que nous vous envoyons se trouve dans « Mes candidatures et paiements »",
		"cette adresse ne reçoit pas les réponses",
		"appelez le 3975 (du lundi au vendredi, de 8 h 30 à 18 h)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text body lacks %q", want)
		}
		if !strings.Contains(html, want) && !strings.Contains(html, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("HTML body lacks %q", want)
		}
	}
	if !strings.Contains(text, c.SpaceURL) {
		t.Errorf("text body lacks the space URL %q", c.SpaceURL)
	}
	if !strings.Contains(html, `href="`+c.SpaceURL+`"`) {
		t.Errorf("HTML body lacks a link to %q", c.SpaceURL)
	}
	for _, want := range []string{`<html lang="fr">`, "max-width:600px", "<title>Vos 2 candidatures"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML body lacks %q", want)
		}
	}
	if strings.Contains(text, "inscription accompagnée") || strings.Contains(html, "inscription accompagnée") {
		t.Error("assisted mention present although Assisted is false")
	}
}

func TestRenderConfirmation_CAN8_assisted_mention(t *testing.T) {
	c := sampleConfirmation()
	c.Candidatures = c.Candidatures[:1]
	c.Assisted = true
	c.AssistedBy = "Awa Diallo"
	subject, text, html, err := RenderConfirmation(c)
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Votre candidature aux Cours d'adultes est enregistrée" {
		t.Errorf("subject = %q", subject)
	}
	want := "Cette candidature a été saisie pour vous par Awa Diallo, de l'équipe des Cours d'adultes, dans le cadre d'une inscription accompagnée."
	if !strings.Contains(text, want) {
		t.Errorf("text body lacks %q:\n%s", want, text)
	}
	if !strings.Contains(html, strings.ReplaceAll(want, "'", "&#39;")) {
		t.Errorf("HTML body lacks the assisted mention:\n%s", html)
	}
}

func TestRenderConfirmation_escapes_HTML(t *testing.T) {
	c := sampleConfirmation()
	c.FirstName = `<script>alert("x")</script>`
	c.Candidatures[0].Formation = `<img src=x onerror=alert(1)>`
	c.Assisted, c.AssistedBy = true, "<b>Agent</b>"
	_, text, html, err := RenderConfirmation(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"<script>", "<img", "<b>Agent"} {
		if strings.Contains(html, raw) {
			t.Errorf("HTML body contains unescaped %q", raw)
		}
	}
	for _, escaped := range []string{"&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&lt;b&gt;Agent&lt;/b&gt;"} {
		if !strings.Contains(html, escaped) {
			t.Errorf("HTML body lacks escaped %q", escaped)
		}
	}
	if !strings.Contains(text, `Bonjour <script>alert("x")</script>,`) {
		t.Error("text body should keep the name as written (plain text is not HTML)")
	}
}

func TestRenderConfirmation_rejects_incomplete_data(t *testing.T) {
	for name, change := range map[string]func(*Confirmation){
		"no candidature":   func(c *Confirmation) { c.Candidatures = nil },
		"no formation":     func(c *Confirmation) { c.Candidatures[1].Formation = " " },
		"no space URL":     func(c *Confirmation) { c.SpaceURL = "" },
		"relative URL":     func(c *Confirmation) { c.SpaceURL = "/mes-candidatures" },
		"javascript URL":   func(c *Confirmation) { c.SpaceURL = "javascript:alert(1)" },
		"no cancel date":   func(c *Confirmation) { c.CancelUntil = "" },
		"no answer period": func(c *Confirmation) { c.AnswerPeriod = "" },
	} {
		t.Run(name, func(t *testing.T) {
			c := sampleConfirmation()
			change(&c)
			if _, _, _, err := RenderConfirmation(c); err == nil {
				t.Error("RenderConfirmation accepted incomplete data")
			}
		})
	}
	c := sampleConfirmation()
	c.FirstName = ""
	_, text, _, err := RenderConfirmation(c)
	if err != nil || !strings.HasPrefix(text, "Bonjour,\n") {
		t.Errorf("without first name: err %v, text starts %q", err, text[:min(len(text), 20)])
	}
}

func TestSMTPConfig_Validate(t *testing.T) {
	valid := SMTPConfig{Host: "smtp.paris.fr", Port: 587, TLS: TLSStartTLS, From: testFrom, Timeout: 10 * time.Second}
	for _, tc := range []struct {
		name    string
		change  func(*SMTPConfig)
		wantErr string // empty: valid
	}{
		{"valid starttls", func(*SMTPConfig) {}, ""},
		{"valid opportunistic with auth", func(c *SMTPConfig) { c.TLS, c.Username, c.Password = TLSOpportunistic, "u", "p" }, ""},
		{"valid implicit tls", func(c *SMTPConfig) { c.TLS, c.Port = TLSImplicit, 465 }, ""},
		{"valid none on loopback", func(c *SMTPConfig) { c.Host, c.TLS = "127.0.0.1", TLSNone }, ""},
		{"valid none on localhost", func(c *SMTPConfig) { c.Host, c.TLS = "localhost", TLSNone }, ""},
		{"valid zero timeout", func(c *SMTPConfig) { c.Timeout = 0 }, ""},
		{"missing host", func(c *SMTPConfig) { c.Host = " " }, "host is required"},
		{"port zero", func(c *SMTPConfig) { c.Port = 0 }, "port must be between 1 and 65535"},
		{"port too big", func(c *SMTPConfig) { c.Port = 65536 }, "port must be between 1 and 65535"},
		{"empty TLS", func(c *SMTPConfig) { c.TLS = "" }, "TLS must be one of"},
		{"unknown TLS", func(c *SMTPConfig) { c.TLS = "ssl" }, "TLS must be one of"},
		{"none on a remote host", func(c *SMTPConfig) { c.TLS = TLSNone }, "only allowed for a loopback host"},
		{"missing from", func(c *SMTPConfig) { c.From = "" }, "from address is required"},
		{"bad from", func(c *SMTPConfig) { c.From = "Cours d'adultes" }, "does not parse as an email address"},
		{"password without username", func(c *SMTPConfig) { c.Password = "p" }, "password is set without a username"},
		{"negative timeout", func(c *SMTPConfig) { c.Timeout = -time.Second }, "timeout must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
			if _, newErr := NewSender(c); (newErr == nil) != (err == nil) {
				t.Errorf("NewSender error %v disagrees with Validate error %v", newErr, err)
			}
		})
	}
}

func TestStartSink_refuses_a_non_loopback_address(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:2525", "pas-une-adresse"} {
		if sink, err := StartSink(addr); err == nil {
			_ = sink.Close()
			t.Errorf("StartSink(%q) succeeded, want an error", addr)
		}
	}
}

func TestSink_keeps_at_most_its_bound_newest_first(t *testing.T) {
	sink := startTestSink(t, 3)
	sender := senderTo(t, sink.Addr())

	// Concurrent sends also check that Sender and Sink are safe for concurrent use.
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for i := 1; i <= 5; i++ {
		wg.Go(func() {
			errs <- sender.Send(testContext(t), Message{
				To: "a@example.org", Subject: fmt.Sprintf("Message %d", i), Text: "Texte",
				MessageID: fmt.Sprintf("<%d@example.org>", i),
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	if _, err := sink.Wait(testContext(t), 5); err != nil {
		t.Fatal(err)
	}
	if got := sink.Messages(); len(got) != 3 {
		t.Fatalf("sink kept %d messages, want its bound 3", len(got))
	}

	// Sequential sends: order is known, newest first.
	for i := 6; i <= 9; i++ {
		err := sender.Send(testContext(t), Message{
			To: "a@example.org", Subject: fmt.Sprintf("Message %d", i), Text: "Texte",
			MessageID: fmt.Sprintf("<%d@example.org>", i),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := sink.Wait(testContext(t), 9)
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range got {
		subjects = append(subjects, m.Subject)
	}
	if strings.Join(subjects, ",") != "Message 9,Message 8,Message 7" {
		t.Errorf("subjects = %q, want the 3 newest, newest first", subjects)
	}
}

func TestSink_Wait_honours_the_context(t *testing.T) {
	sink := startTestSink(t, sinkLimit)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := sink.Wait(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want a deadline error", err)
	}
}

func TestParseMessage_base64_and_encoded_subject(t *testing.T) {
	raw := strings.ReplaceAll(`From: =?utf-8?q?Cours_d'adultes?= <ne-pas-repondre@cours-adultes.paris.fr>
To: a@example.org
Subject: =?utf-8?b?Q29udm9jYXRpb24gw6AgdW4gdGVzdA==?=
Message-ID: <4@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

RMOpasOgIHZ1IMOgIGwnw6ljb2xlCg==
--inner
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>D=C3=A9j=C3=A0 vu</p>
--inner--
--outer
Content-Type: text/plain
Content-Disposition: attachment; filename="piece.txt"

pièce jointe
--outer--
`, "\n", "\r\n")
	p, err := parseMessage([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if p.subject != "Convocation à un test" {
		t.Errorf("subject = %q", p.subject)
	}
	if p.from != "Cours d'adultes <ne-pas-repondre@cours-adultes.paris.fr>" {
		t.Errorf("from = %q", p.from)
	}
	if p.text != "Déjà vu à l'école\n" {
		t.Errorf("text = %q", p.text)
	}
	if p.html != "<p>Déjà vu</p>" {
		t.Errorf("html = %q", p.html)
	}
	if p.messageID != "<4@example.org>" {
		t.Errorf("message id = %q", p.messageID)
	}
}

func TestSinkHandler_pages_CON2(t *testing.T) {
	sink := startTestSink(t, sinkLimit)
	sender := senderTo(t, sink.Addr())
	subject, text, html, err := RenderConfirmation(sampleConfirmation())
	if err != nil {
		t.Fatal(err)
	}
	err = sender.Send(testContext(t), Message{
		To: "camille.martin@example.org", Subject: subject, Text: text + "\n<balise> & co\n", HTML: html,
		MessageID: "<5@cours-adultes.paris.fr>",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Wait(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(NewSinkHandler(sink, "/dev/courriels"))
	t.Cleanup(server.Close)

	get := func(path string, wantStatus int) (*http.Response, string) {
		t.Helper()
		resp, err := server.Client().Get(server.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		if resp.StatusCode != wantStatus {
			t.Fatalf("GET %s: status %d, want %d\n%s", path, resp.StatusCode, wantStatus, body)
		}
		return resp, string(body)
	}
	checkPage := func(path, body string) {
		t.Helper()
		for _, want := range []string{`<html lang="fr">`, "<main>", "<h1>", "<title>"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
		for _, banned := range []string{"<script", "<style", "style="} {
			if strings.Contains(body, banned) {
				t.Errorf("%s contains %q (the site's CSP forbids inline things)", path, banned)
			}
		}
		if handler := regexp.MustCompile(`\son[a-z]+=`).FindString(body); handler != "" {
			t.Errorf("%s contains an inline event handler %q", path, handler)
		}
	}

	for _, listPath := range []string{"/dev/courriels", "/dev/courriels/"} {
		resp, body := get(listPath, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s Content-Type = %q", listPath, ct)
		}
		checkPage(listPath, body)
		for _, want := range []string{"<h1>Courriels reçus</h1>", "<caption>1 courriel, du plus récent au plus ancien</caption>",
			`<th scope="col">Objet</th>`, "camille.martin@example.org", "Vos 2 candidatures aux Cours d&#39;adultes sont enregistrées"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q:\n%s", listPath, want, body)
			}
		}
	}

	_, list := get("/dev/courriels", http.StatusOK)
	link := regexp.MustCompile(`href="(/dev/courriels/\d+)"`).FindStringSubmatch(list)
	if link == nil {
		t.Fatalf("no message link in the list:\n%s", list)
	}
	_, page := get(link[1], http.StatusOK)
	checkPage(link[1], page)
	for _, want := range []string{
		"Vos 2 candidatures aux Cours d&#39;adultes sont enregistrées</h1>",
		"ne-pas-repondre@cours-adultes.paris.fr", "camille.martin@example.org",
		"&lt;5@cours-adultes.paris.fr&gt;", "<pre>", "&lt;balise&gt; &amp; co",
		`href="` + link[1] + `/html"`, `href="` + link[1] + `/source"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("message page lacks %q:\n%s", want, page)
		}
	}

	resp, body := get(link[1]+"/html", http.StatusOK)
	if csp := resp.Header.Get("Content-Security-Policy"); csp != "sandbox; default-src 'none'; style-src 'unsafe-inline'" {
		t.Errorf("HTML body CSP = %q, want the sandbox policy", csp)
	}
	if strings.TrimRight(body, "\n") != strings.TrimRight(html, "\n") {
		t.Errorf("HTML body served differs from the one sent:\n%s", body)
	}

	resp, body = get(link[1]+"/source", http.StatusOK)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(body, "Message-ID: <5@cours-adultes.paris.fr>") {
		t.Errorf("source page: Content-Type %q, body:\n%s", resp.Header.Get("Content-Type"), body)
	}

	for _, missing := range []string{"/dev/courriels/999", "/dev/courriels/abc", "/dev/courriels/999/html", "/dev/courriels/1/autre"} {
		_, body := get(missing, http.StatusNotFound)
		checkPage(missing, body)
		if !strings.Contains(body, "Courriel introuvable") {
			t.Errorf("%s: not the French not-found page:\n%s", missing, body)
		}
	}
}

func TestSinkHandler_empty_list(t *testing.T) {
	sink := startTestSink(t, sinkLimit)
	rec := httptest.NewRecorder()
	NewSinkHandler(sink, "/dev/courriels/").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/courriels/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Aucun courriel reçu pour l’instant.") {
		t.Errorf("status %d, body:\n%s", rec.Code, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), "<table") {
		t.Error("empty list should not show an empty table")
	}
}

func TestFrenchDateTime(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, time.February, 3, 14, 5, 9, 0, time.UTC), "3 février 2026 à 14:05:09"},
		{time.Date(2026, time.August, 1, 8, 0, 0, 0, time.UTC), "1er août 2026 à 08:00:00"},
	} {
		if got := frenchDateTime(tc.t); got != tc.want {
			t.Errorf("frenchDateTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// BenchmarkRenderConfirmation words the two-course confirmation: it runs
// inside the validation batch's transaction, once per validation (CAN-4).
func BenchmarkRenderConfirmation(b *testing.B) {
	c := sampleConfirmation()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := RenderConfirmation(c); err != nil {
			b.Fatal(err)
		}
	}
}
