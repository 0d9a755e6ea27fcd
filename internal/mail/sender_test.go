package mail

import (
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// testRelay is a real SMTP server (go-smtp) that counts what the sender does
// with its connections: how many it opened, how many were open at once, and
// how many messages arrived. It can drop every open connection, as a relay
// restarting or timing idle clients out does, and refuse chosen recipients.
type testRelay struct {
	addr string

	mu       sync.Mutex
	conns    []*gosmtp.Conn
	opened   int // connections greeted since the start
	open     int // connections not yet closed
	maxOpen  int // most connections open at once
	messages int
	refuse   map[string]*gosmtp.SMTPError // recipient → reply to RCPT TO
	greeting *gosmtp.SMTPError            // set: every connection refused at EHLO
}

func startTestRelay(t *testing.T) *testRelay {
	t.Helper()
	r := &testRelay{refuse: map[string]*gosmtp.SMTPError{}}
	server := gosmtp.NewServer(gosmtp.BackendFunc(r.newSession))
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
	r.addr = listener.Addr().String()
	return r
}

func (r *testRelay) newSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// A connection the sender ended with QUIT is logged out by the server
	// just after its "221" reply, which the sender may already have read:
	// give that logout a moment, so that "open at once" counts the
	// connections the sender really holds together.
	for deadline := time.Now().Add(100 * time.Millisecond); r.open > 0 && time.Now().Before(deadline); {
		r.mu.Unlock()
		time.Sleep(time.Millisecond)
		r.mu.Lock()
	}
	if r.greeting != nil {
		return nil, r.greeting
	}
	r.conns = append(r.conns, c)
	r.opened++
	r.open++
	r.maxOpen = max(r.maxOpen, r.open)
	return &relaySession{relay: r}, nil
}

// dropAll closes every open connection from the server's side.
func (r *testRelay) dropAll() {
	r.mu.Lock()
	conns := r.conns
	r.conns = nil
	r.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// counts returns connections opened, the most open at once, and messages received.
func (r *testRelay) counts() (opened, maxOpen, messages int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.opened, r.maxOpen, r.messages
}

type relaySession struct {
	relay  *testRelay
	closed bool
}

func (s *relaySession) Mail(string, *gosmtp.MailOptions) error { return nil }

func (s *relaySession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.relay.mu.Lock()
	defer s.relay.mu.Unlock()
	if reply := s.relay.refuse[to]; reply != nil {
		return reply
	}
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.relay.mu.Lock()
	s.relay.messages++
	s.relay.mu.Unlock()
	return nil
}

func (s *relaySession) Reset() {}

func (s *relaySession) Logout() error {
	s.relay.mu.Lock()
	defer s.relay.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.relay.open--
	}
	return nil
}

// poolSender returns a Sender to addr with the given pool settings, closed with the test.
func poolSender(t *testing.T, addr string, connections, perConnection int) *Sender {
	t.Helper()
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSender(SMTPConfig{Host: host, Port: port, TLS: TLSNone, From: testFrom, Timeout: 2 * time.Second,
		Connections: connections, MessagesPerConnection: perConnection})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testMessage(i int) Message {
	return Message{To: fmt.Sprintf("personne%d@example.org", i), Subject: "Objet", Text: "Texte",
		MessageID: fmt.Sprintf("<%d@example.org>", i)}
}

func TestSender_reuses_its_connections_from_concurrent_callers(t *testing.T) {
	relay := startTestRelay(t)
	sender := poolSender(t, relay.addr, 3, 1000)
	const messages, callers = 120, 12
	var wg sync.WaitGroup
	errs := make(chan error, messages)
	for c := range callers {
		wg.Go(func() {
			for i := c; i < messages; i += callers {
				if err := sender.Send(testContext(t), testMessage(i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	opened, maxOpen, got := relay.counts()
	if got != messages {
		t.Errorf("relay received %d messages, want %d", got, messages)
	}
	if opened > 3 || maxOpen > 3 {
		t.Errorf("%d messages from %d callers opened %d connections (%d at once), want at most 3: one connection carries many messages",
			messages, callers, opened, maxOpen)
	}
}

func TestSender_opens_a_new_connection_after_its_share_of_messages(t *testing.T) {
	relay := startTestRelay(t)
	sender := poolSender(t, relay.addr, 1, 3)
	for i := range 7 {
		if err := sender.Send(testContext(t), testMessage(i)); err != nil {
			t.Fatal(err)
		}
	}
	if opened, maxOpen, got := relay.counts(); opened != 3 || maxOpen != 1 || got != 7 {
		t.Errorf("7 messages at 3 per connection: %d connections (%d at once), %d messages; want 3, 1, 7", opened, maxOpen, got)
	}
}

func TestSender_reconnects_when_the_relay_dropped_the_connection(t *testing.T) {
	relay := startTestRelay(t)
	sender := poolSender(t, relay.addr, 1, 1000)
	if err := sender.Send(testContext(t), testMessage(1)); err != nil {
		t.Fatal(err)
	}
	relay.dropAll()
	for i := 2; i <= 3; i++ {
		if err := sender.Send(testContext(t), testMessage(i)); err != nil {
			t.Fatalf("send after the relay dropped the connection: %v", err)
		}
	}
	if opened, _, got := relay.counts(); opened != 2 || got != 3 {
		t.Errorf("%d connections, %d messages; want 2 (one new after the drop, then reused) and 3", opened, got)
	}
}

func TestSender_CAN4_a_refused_recipient_is_permanent_and_the_next_message_goes(t *testing.T) {
	relay := startTestRelay(t)
	relay.refuse["inconnu@example.org"] = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
	sender := poolSender(t, relay.addr, 1, 1000)
	if err := sender.Send(testContext(t), testMessage(1)); err != nil {
		t.Fatal(err)
	}
	refused := testMessage(2)
	refused.To = "inconnu@example.org"
	err := sender.Send(testContext(t), refused)
	if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "550") {
		t.Fatalf("send to a refused mailbox over a reused connection: %v, want a permanent 550", err)
	}
	if err := sender.Send(testContext(t), testMessage(3)); err != nil {
		t.Fatalf("send after a refusal: %v", err)
	}
	if _, _, got := relay.counts(); got != 2 {
		t.Errorf("relay received %d messages, want 2", got)
	}
}

func TestSender_a_relay_refusing_the_connection_is_not_permanent(t *testing.T) {
	relay := startTestRelay(t)
	relay.greeting = &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "Client host rejected"}
	err := poolSender(t, relay.addr, 1, 1000).Send(testContext(t), testMessage(1))
	if err == nil {
		t.Fatal("Send succeeded on a relay refusing every connection")
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false: the refusal is about the connection (an address or a password to fix), not the message", err)
	}
}

func TestSMTPConfig_Validate_pool_settings(t *testing.T) {
	base := SMTPConfig{Host: "127.0.0.1", Port: 25, TLS: TLSNone, From: testFrom}
	for name, change := range map[string]func(*SMTPConfig){
		"negative connections":             func(c *SMTPConfig) { c.Connections = -1 },
		"negative messages per connection": func(c *SMTPConfig) { c.MessagesPerConnection = -1 },
		"negative idle timeout":            func(c *SMTPConfig) { c.IdleTimeout = -time.Second },
	} {
		c := base
		change(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, c)
		}
	}
	if err := base.Validate(); err != nil {
		t.Errorf("zero pool settings (the defaults): %v", err)
	}
}
