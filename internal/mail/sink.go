package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// sinkLimit is how many messages a Sink keeps (the most recent ones).
const sinkLimit = 500

// maxMIMEDepth bounds the nesting of multipart bodies the sink parses.
const maxMIMEDepth = 10

// Received is one message kept by the Sink.
type Received struct {
	From      string   // header From, RFC 2047 decoded (the envelope sender if the header is missing)
	To        []string // envelope recipients (RCPT TO)
	Subject   string   // RFC 2047 decoded
	Text      string   // plain-text body, decoded, with "\n" line ends
	HTML      string   // HTML body, decoded, with "\n" line ends; empty if none
	MessageID string   // Message-ID header, with its angle brackets
	HELO      string   // the name the client gave in EHLO/HELO
	TLS       bool     // whether the message came over TLS (STARTTLS)
	AuthUser  string   // the user the client authenticated as; empty: none
	At        time.Time
	Raw       []byte // the message exactly as received
}

// storedMessage is a Received with the sink's sequence number, used in URLs.
type storedMessage struct {
	id  int
	msg Received
}

// Sink is the development mail sink: a real SMTP server (go-smtp) on the
// loopback interface that keeps every message it receives in memory (the last
// 500), for demo mode and tests. It takes no authentication and no TLS,
// unless started with SinkOptions that ask for them, as a city relay does.
type Sink struct {
	opts     SinkOptions
	server   *gosmtp.Server
	listener net.Listener
	served   chan struct{} // closed when Serve returns
	limit    int

	mu       sync.Mutex
	messages []storedMessage // oldest first, at most limit
	total    int             // messages received since start
	changed  chan struct{}   // closed and replaced at each arrival
}

// SinkOptions make a sink check what a city relay (Postfix) checks, for tests
// of the sender against it. The zero value checks nothing.
type SinkOptions struct {
	// Now is the clock of the messages' reception time; nil: time.Now. In
	// demo mode it is the platform's (the demo clock of serve --demo-now).
	Now func() time.Time
	// TLS, when set, offers STARTTLS with this certificate.
	TLS *tls.Config
	// Users, when set, requires AUTH (PLAIN or LOGIN) as one of these users
	// (name → password) before MAIL FROM: 530 5.7.0 otherwise.
	Users map[string]string
	// AuthMechanisms offered with Users; empty: PLAIN and LOGIN.
	AuthMechanisms []string
	// RejectNonFQDNHELO refuses a HELO name without a dot with "504 5.5.2
	// <name>: Helo command rejected: need fully-qualified hostname", as
	// Postfix's reject_non_fqdn_helo_hostname.
	RejectNonFQDNHELO bool
	// DelayReject gives that refusal in reply to RCPT TO rather than to EHLO,
	// as Postfix does by default (smtpd_delay_reject = yes).
	DelayReject bool
}

// StartSink starts a sink listening on addr, like "127.0.0.1:0". The host
// must be a loopback address: the sink accepts anything from anyone.
func StartSink(addr string) (*Sink, error) {
	return startSink(addr, sinkLimit, SinkOptions{})
}

func (s *Sink) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// StartSinkWith starts a sink that checks what opts ask for (tests).
func StartSinkWith(addr string, opts SinkOptions) (*Sink, error) {
	return startSink(addr, sinkLimit, opts)
}

func startSink(addr string, limit int, opts SinkOptions) (*Sink, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("start mail sink: address %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("start mail sink: address %q is not a loopback address (use 127.0.0.1)", addr)
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("start mail sink: listen on %s: %w", addr, err)
	}
	s := &Sink{
		opts:     opts,
		listener: listener,
		served:   make(chan struct{}),
		limit:    limit,
		changed:  make(chan struct{}),
	}
	server := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		ss := &sinkSession{sink: s, conn: c, helo: c.Hostname()}
		if opts.RejectNonFQDNHELO && !strings.Contains(strings.Trim(ss.helo, "[]."), ".") {
			ss.heloRefusal = &gosmtp.SMTPError{Code: 504, EnhancedCode: gosmtp.EnhancedCode{5, 5, 2},
				Message: "<" + ss.helo + ">: Helo command rejected: need fully-qualified hostname"}
			if !opts.DelayReject {
				return nil, ss.heloRefusal
			}
		}
		return ss, nil
	}))
	server.Domain = "localhost"
	server.TLSConfig = opts.TLS
	server.MaxMessageBytes = 10 << 20
	server.MaxRecipients = 100
	server.ReadTimeout = time.Minute
	server.WriteTimeout = time.Minute
	s.server = server

	go func() {
		defer close(s.served)
		// Serve returns ErrServerClosed (or a listener error) once Close is
		// called; nothing else to report.
		_ = server.Serve(listener)
	}()
	return s, nil
}

// Addr returns the host:port the sink actually listens on.
func (s *Sink) Addr() string {
	return s.listener.Addr().String()
}

// Close stops the SMTP server and closes open connections. Received messages
// stay readable.
func (s *Sink) Close() error {
	err := s.server.Close()
	// Serve may not have registered the listener yet: close it here too.
	if lerr := s.listener.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) && err == nil {
		err = lerr
	}
	<-s.served
	if err != nil && !errors.Is(err, gosmtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close mail sink: %w", err)
	}
	return nil
}

// Messages returns the kept messages, newest first.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newestFirstLocked()
}

func (s *Sink) newestFirstLocked() []Received {
	out := make([]Received, 0, len(s.messages))
	for i := len(s.messages) - 1; i >= 0; i-- {
		out = append(out, s.messages[i].msg)
	}
	return out
}

// Wait waits until at least n messages have arrived since the sink started,
// then returns the kept messages, newest first (tests).
func (s *Sink) Wait(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		if s.total >= n {
			out := s.newestFirstLocked()
			s.mu.Unlock()
			return out, nil
		}
		changed, total := s.changed, s.total
		s.mu.Unlock()

		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for %d messages in the mail sink (got %d): %w", n, total, ctx.Err())
		case <-changed:
		}
	}
}

// Total is how many messages have arrived since the sink started, the ones
// no longer kept included (benchmarks).
func (s *Sink) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// stored returns the kept messages with their ids, newest first.
func (s *Sink) stored() []storedMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]storedMessage, 0, len(s.messages))
	for i := len(s.messages) - 1; i >= 0; i-- {
		out = append(out, s.messages[i])
	}
	return out
}

// find returns the kept message with the given id.
func (s *Sink) find(id int) (Received, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages {
		if m.id == id {
			return m.msg, true
		}
	}
	return Received{}, false
}

// add keeps r, dropping the oldest message beyond the limit.
func (s *Sink) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	s.messages = append(s.messages, storedMessage{id: s.total, msg: r})
	if over := len(s.messages) - s.limit; over > 0 {
		clear(s.messages[:over])
		s.messages = append(s.messages[:0], s.messages[over:]...)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// sinkSession is one SMTP transaction with the sink.
type sinkSession struct {
	sink        *Sink
	conn        *gosmtp.Conn
	helo        string
	heloRefusal *gosmtp.SMTPError // delayed to RCPT TO (SinkOptions.DelayReject)
	user        string            // authenticated as
	from        string
	to          []string
}

func (ss *sinkSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.sink.opts.Users != nil && ss.user == "" {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if ss.heloRefusal != nil {
		return ss.heloRefusal
	}
	ss.to = append(ss.to, to)
	return nil
}

// AuthMechanisms offers AUTH when the sink has users (go-smtp offers it only
// over TLS or on a server allowing insecure auth).
func (ss *sinkSession) AuthMechanisms() []string {
	if ss.sink.opts.Users == nil {
		return nil
	}
	if len(ss.sink.opts.AuthMechanisms) > 0 {
		return ss.sink.opts.AuthMechanisms
	}
	return []string{sasl.Plain, sasl.Login}
}

// Auth checks a user's password with PLAIN or LOGIN.
func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, password string) error {
		if want, ok := ss.sink.opts.Users[user]; !ok || want != password {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, password string) error { return check(user, password) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, gosmtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of AUTH LOGIN (draft-murchison-sasl-login):
// "Username:", then "Password:".
type loginServer struct {
	check func(user, password string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		l.step++
		if len(response) == 0 { // no initial response: ask for the user
			return []byte("Username:"), false, nil
		}
		l.user = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 1:
		l.user = string(response)
		l.step++
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(response))
	}
}

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("mail sink: read message data: %w", err)
	}
	_, overTLS := ss.conn.TLSConnectionState()
	received := Received{
		From:     ss.from,
		To:       append([]string(nil), ss.to...),
		HELO:     ss.helo,
		TLS:      overTLS,
		AuthUser: ss.user,
		At:       ss.sink.now(),
		Raw:      raw,
	}
	// A message the sink cannot parse is still kept, with its raw source:
	// the sink is a debugging tool.
	if p, err := parseMessage(raw); err == nil {
		if p.from != "" {
			received.From = p.from
		}
		received.Subject = p.subject
		received.Text = p.text
		received.HTML = p.html
		received.MessageID = p.messageID
	} else {
		received.Text = "(message illisible : " + err.Error() + ")"
	}
	ss.sink.add(received)
	return nil
}

func (ss *sinkSession) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *sinkSession) Logout() error { return nil }

// parsedMessage is what the sink extracts from a raw message.
type parsedMessage struct {
	from, subject, messageID string
	text, html               string
}

// parseMessage reads the headers and the first text/plain and text/html
// bodies of a MIME message.
func parseMessage(raw []byte) (parsedMessage, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return parsedMessage{}, fmt.Errorf("parse message headers: %w", err)
	}
	var p parsedMessage
	var dec mime.WordDecoder
	p.subject = decodeHeader(&dec, msg.Header.Get("Subject"))
	p.from = decodeHeader(&dec, msg.Header.Get("From"))
	p.messageID = strings.TrimSpace(msg.Header.Get("Message-Id"))

	err = p.readPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"),
		msg.Header.Get("Content-Disposition"), msg.Body, 0)
	if err != nil {
		return parsedMessage{}, err
	}
	return p, nil
}

// decodeHeader decodes RFC 2047 encoded words, keeping the raw value if it
// cannot.
func decodeHeader(dec *mime.WordDecoder, value string) string {
	decoded, err := dec.DecodeHeader(value)
	if err != nil {
		return value
	}
	return decoded
}

// readPart walks one MIME part, recursing into multipart bodies.
func (p *parsedMessage) readPart(contentType, transferEncoding, disposition string, body io.Reader, depth int) error {
	if depth > maxMIMEDepth {
		return fmt.Errorf("parse message: multipart nesting deeper than %d", maxMIMEDepth)
	}
	mediaType := "text/plain"
	params := map[string]string{}
	if contentType != "" {
		var err error
		mediaType, params, err = mime.ParseMediaType(contentType)
		if err != nil {
			return fmt.Errorf("parse content type %q: %w", contentType, err)
		}
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("parse message: %s without boundary", mediaType)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("parse %s part: %w", mediaType, err)
			}
			err = p.readPart(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
				part.Header.Get("Content-Disposition"), part, depth+1)
			if err != nil {
				return err
			}
		}
	}
	if d, _, _ := mime.ParseMediaType(disposition); d == "attachment" {
		return nil
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return nil
	}
	content, err := decodeBody(transferEncoding, body)
	if err != nil {
		return fmt.Errorf("decode %s body: %w", mediaType, err)
	}
	switch {
	case mediaType == "text/plain" && p.text == "":
		p.text = content
	case mediaType == "text/html" && p.html == "":
		p.html = content
	}
	return nil
}

// decodeBody undoes the content transfer encoding and normalises line ends.
// Bodies are taken as UTF-8, the charset the platform always sends.
func decodeBody(transferEncoding string, body io.Reader) (string, error) {
	switch strings.ToLower(strings.TrimSpace(transferEncoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	content, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(content), "\r\n", "\n"), nil
}
