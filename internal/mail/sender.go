package mail

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// TLS modes accepted by SMTPConfig.TLS. Whether the relay's certificate is
// checked is a separate choice (SMTPConfig.InsecureSkipVerify), the same for
// the three modes that use TLS.
const (
	// TLSStartTLS: STARTTLS is required; a relay that does not offer it is
	// not used.
	TLSStartTLS = "starttls"
	// TLSOpportunistic: STARTTLS when the relay offers it, clear text when it
	// does not. When offered, the TLS session is the same as starttls's: a
	// certificate that fails the check fails the connection (go-mail does not
	// fall back to clear text after a failed handshake, and could not: the
	// relay has ended the session), so a city relay with its own authority
	// needs CAFile, or the check turned off.
	TLSOpportunistic = "opportunistic"
	TLSImplicit      = "tls"  // implicit TLS, usually port 465
	TLSNone          = "none" // clear text, only for loopback sinks
)

// defaultTimeout applies when SMTPConfig.Timeout is zero.
const defaultTimeout = 15 * time.Second

// Defaults of the connection pool, for a zero SMTPConfig field.
const (
	// DefaultConnections is how many connections a Sender keeps open to the
	// relay at most: few enough for a city relay's per-client limit.
	DefaultConnections = 4
	// DefaultMessagesPerConnection: a connection is closed and a new one
	// opened after this many messages, below the usual relay limits (Postfix
	// has none by default, Exchange's receive connectors allow 20 to 100).
	DefaultMessagesPerConnection = 100
	// DefaultIdleTimeout: a connection unused for longer is closed rather than
	// reused, before the relay drops it (Postfix: 300 s, Exchange: 5 to 10 min).
	DefaultIdleTimeout = 30 * time.Second
)

// SMTPConfig is how the platform reaches the city's SMTP relay.
type SMTPConfig struct {
	Host               string
	Port               int
	Username, Password string // empty: no authentication
	// TLS is "starttls" (required), "opportunistic", "tls" (implicit, port
	// 465) or "none" (only for 127.0.0.1 sinks).
	TLS string
	// From is the one fixed sender (CON-2), e.g.
	// "Cours d'adultes <ne-pas-repondre@cours-adultes.paris.fr>".
	From string
	// Timeout bounds connecting and each SMTP exchange; zero means 15 seconds.
	Timeout time.Duration
	// Connections is how many connections to the relay may be open at once
	// (zero: DefaultConnections); each sends one message at a time.
	Connections int
	// MessagesPerConnection is how many messages a connection carries before
	// it is closed and another opened (zero: DefaultMessagesPerConnection).
	MessagesPerConnection int
	// IdleTimeout is how long an unused connection stays reusable (zero:
	// DefaultIdleTimeout).
	IdleTimeout time.Duration
	// HELO is the name the platform gives in its EHLO/HELO greeting: a fully
	// qualified host name (Postfix's reject_non_fqdn_helo_hostname refuses
	// others). Empty: the machine's host name, as go-mail does.
	HELO string
	// CAFile is a PEM bundle of the certificate authorities (the city's
	// internal one) that may sign the relay's certificate, in addition to the
	// system's. Empty: the system's only.
	CAFile string
	// InsecureSkipVerify turns off the check of the relay's certificate (an
	// explicit choice, --smtp-tls-verify=false): the session is encrypted
	// but anyone between the platform and the relay can read it.
	InsecureSkipVerify bool
}

// Validate reports the first problem in the configuration, if any.
func (c SMTPConfig) Validate() error {
	host := strings.TrimSpace(c.Host)
	if host == "" {
		return errors.New("smtp config: host is required")
	}
	if strings.ContainsAny(host, " \t\r\n/") {
		return fmt.Errorf("smtp config: host %q is not a valid host name", c.Host)
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("smtp config: port must be between 1 and 65535, got %d", c.Port)
	}
	switch c.TLS {
	case TLSStartTLS, TLSOpportunistic, TLSImplicit:
	case TLSNone:
		if !isLoopbackHost(host) {
			return fmt.Errorf("smtp config: TLS %q is only allowed for a loopback host (127.0.0.1, ::1, localhost), got %q", TLSNone, c.Host)
		}
	default:
		return fmt.Errorf("smtp config: TLS must be one of %q, %q, %q or %q, got %q",
			TLSStartTLS, TLSOpportunistic, TLSImplicit, TLSNone, c.TLS)
	}
	if c.Username == "" && c.Password != "" {
		return errors.New("smtp config: a password is set without a username")
	}
	if strings.TrimSpace(c.From) == "" {
		return errors.New("smtp config: from address is required")
	}
	if _, err := netmail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("smtp config: from %q does not parse as an email address: %w", c.From, err)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("smtp config: timeout must not be negative, got %s", c.Timeout)
	}
	if c.Connections < 0 {
		return fmt.Errorf("smtp config: connections must not be negative, got %d", c.Connections)
	}
	if c.MessagesPerConnection < 0 {
		return fmt.Errorf("smtp config: messages per connection must not be negative, got %d", c.MessagesPerConnection)
	}
	if c.IdleTimeout < 0 {
		return fmt.Errorf("smtp config: idle timeout must not be negative, got %s", c.IdleTimeout)
	}
	if c.HELO != "" && !IsHostName(c.HELO) {
		return fmt.Errorf("smtp config: HELO name %q is not a host name (letters, digits, hyphens, dots: cours.paris.fr)", c.HELO)
	}
	return nil
}

// IsHostName reports whether name is a DNS host name (RFC 1123 labels of
// letters, digits and hyphens, joined by dots), as a HELO name must be.
func IsHostName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// LoadCAFile reads a PEM bundle of certificate authorities and returns the
// system's roots with them added. A file that cannot be read or that holds no
// certificate is an error that says so.
func LoadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the relay's certificate authorities: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("certificate authorities file %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path)
	}
	return pool, nil
}

// isLoopbackHost reports whether host names the local machine.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Sender sends messages through SMTP with go-mail over a small pool of open
// connections: a connection carries many messages one after the other (go-mail
// checks it with NOOP before each and sends RSET after each), so a burst of
// confirmations at an opening does not pay a TCP, TLS and AUTH handshake per
// message. It is safe for concurrent use: at most SMTPConfig.Connections
// messages are in flight at once, the other callers wait for a connection.
type Sender struct {
	config SMTPConfig
	from   *netmail.Address
	client *gomail.Client // the settings of every connection; holds none itself
	slots  chan struct{}  // one token per connection that may be open

	mu     sync.Mutex
	idle   []*pooledConn // open connections not in use, the most recently used last
	closed bool
}

// pooledConn is one open connection to the relay.
type pooledConn struct {
	smtp     *smtp.Client
	sent     int       // messages sent over it
	lastUsed time.Time // when it went back to the pool
}

// NewSender checks the configuration and returns a Sender. It opens no
// connection: the first Send does.
func NewSender(c SMTPConfig) (*Sender, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("new mail sender: %w", err)
	}
	from, err := netmail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("new mail sender: parse from address: %w", err)
	}
	c.Host = strings.TrimSpace(c.Host)
	c.Timeout = cmp.Or(c.Timeout, defaultTimeout)
	c.Connections = cmp.Or(c.Connections, DefaultConnections)
	c.MessagesPerConnection = cmp.Or(c.MessagesPerConnection, DefaultMessagesPerConnection)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, DefaultIdleTimeout)
	s := &Sender{config: c, from: from, slots: make(chan struct{}, c.Connections)}
	tlsConfig := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipVerify} //nolint:gosec // an explicit choice, warned about at start
	if c.CAFile != "" {
		if tlsConfig.RootCAs, err = LoadCAFile(c.CAFile); err != nil {
			return nil, fmt.Errorf("new mail sender: %w", err)
		}
	}
	if s.client, err = gomail.NewClient(c.Host, append(s.clientOptions(), gomail.WithTLSConfig(tlsConfig))...); err != nil {
		return nil, fmt.Errorf("new mail sender: smtp client for %s: %w", c.Host, err)
	}
	return s, nil
}

// clientOptions translates the configuration into go-mail options.
func (s *Sender) clientOptions() []gomail.Option {
	c := s.config
	opts := []gomail.Option{
		gomail.WithPort(c.Port),
		gomail.WithTimeout(c.Timeout),
		// go-mail checks a connection with NOOP before each message and again
		// before its RSET: two round trips of seven. A connection the relay
		// closed shows at MAIL FROM instead, before anything of the message
		// is accepted, and the message goes on a new one (Send).
		gomail.WithoutNoop(),
	}
	if c.HELO != "" {
		opts = append(opts, gomail.WithHELO(c.HELO))
	}
	switch c.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if c.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.Username),
			gomail.WithPassword(c.Password),
		)
	}
	return opts
}

// Send delivers m to the relay. The error is permanent (IsPermanent) when the
// relay refused the message with a 5xx reply or when the message itself is
// invalid; any other error (4xx reply, network failure, a relay that cannot be
// reached or refuses the connection) is worth a retry. ctx bounds the wait for
// a connection and the dial; each SMTP exchange is bounded by the timeout.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := s.buildMsg(m)
	if err != nil {
		return fmt.Errorf("send mail %s: %w", m.MessageID, permanentError{err})
	}
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("send mail %s: wait for a connection to %s: %w", m.MessageID, s.config.Host, ctx.Err())
	}
	defer func() { <-s.slots }()

	conn, reused, err := s.conn(ctx)
	if err != nil {
		return fmt.Errorf("send mail %s: %w", m.MessageID, err)
	}
	err = s.client.SendWithSMTPClient(conn.smtp, msg)
	if reused && connectionLost(err) {
		// The relay closed the idle connection: the message was not sent, so
		// it goes on a new connection.
		conn.smtp.Close()
		if conn, err = s.dial(ctx); err != nil {
			return fmt.Errorf("send mail %s: %w", m.MessageID, err)
		}
		err = s.client.SendWithSMTPClient(conn.smtp, msg)
	}
	if err != nil {
		// The connection's state after a failure is not worth guessing: it
		// is closed, and the next message opens a new one.
		conn.smtp.Close()
		return fmt.Errorf("send mail %s via %s:%d: %w", m.MessageID, s.config.Host, s.config.Port, err)
	}
	conn.sent++
	s.release(conn)
	return nil
}

// conn takes an open connection from the pool, or dials one; reused says
// which. A connection idle for longer than the idle timeout is closed instead:
// relays drop idle clients, and a fresh connection is cheaper than a lost one.
func (s *Sender) conn(ctx context.Context) (conn *pooledConn, reused bool, err error) {
	s.mu.Lock()
	for len(s.idle) > 0 {
		last := len(s.idle) - 1
		conn, s.idle = s.idle[last], s.idle[:last]
		if time.Since(conn.lastUsed) <= s.config.IdleTimeout {
			s.mu.Unlock()
			return conn, true, nil
		}
		s.mu.Unlock()
		_ = s.client.CloseWithSMTPClient(conn.smtp) // QUIT; a relay that already left does not matter
		s.mu.Lock()
	}
	s.mu.Unlock()
	conn, err = s.dial(ctx)
	return conn, false, err
}

// dial opens, greets, secures and authenticates a new connection.
func (s *Sender) dial(ctx context.Context) (*pooledConn, error) {
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if certificateRefused(err) {
			err = fmt.Errorf("%w; the relay's certificate is not signed by an authority the platform knows: "+
				"give the city's certificate authority with --smtp-ca-file, or turn the check off with --smtp-tls-verify=false", err)
		}
		return nil, connectError{fmt.Errorf("connect to %s:%d: %w", s.config.Host, s.config.Port, err)}
	}
	return &pooledConn{smtp: c}, nil
}

// release puts conn back in the pool, or says goodbye to the relay when it has
// carried its share of messages or the Sender is closed.
func (s *Sender) release(conn *pooledConn) {
	s.mu.Lock()
	if !s.closed && conn.sent < s.config.MessagesPerConnection {
		conn.lastUsed = time.Now()
		s.idle = append(s.idle, conn)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	_ = s.client.CloseWithSMTPClient(conn.smtp)
}

// Close says QUIT on the idle connections; a connection in use is closed when
// its message is sent. Send still works afterwards, on new connections that it
// closes after each message.
func (s *Sender) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	var errs []error
	for _, conn := range idle {
		if err := s.client.CloseWithSMTPClient(conn.smtp); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close connections to %s: %w", s.config.Host, err)
	}
	return nil
}

// certificateRefused reports whether err is the relay's certificate failing
// the check (unknown authority, wrong name, expired).
func certificateRefused(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var name x509.HostnameError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &name)
}

// connectionLost reports whether err says the connection was gone before the
// relay took anything of the message: go-mail found it closed, or MAIL FROM,
// the first command of a message, got no reply at all or a 421 (the relay is
// closing the connection).
func connectionLost(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Reason {
	case gomail.ErrConnCheck:
		return true
	case gomail.ErrSMTPMailFrom:
		code := se.ErrorCode()
		return code == 0 || code == 421
	}
	return false
}

// buildMsg checks m and turns it into a go-mail message from the fixed sender.
func (s *Sender) buildMsg(m Message) (*gomail.Msg, error) {
	if strings.TrimSpace(m.To) == "" {
		return nil, errors.New("recipient is required")
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("recipient %q does not parse as an email address: %w", m.To, err)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return nil, errors.New("subject is required")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("subject must be on one line")
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, errors.New("plain-text body is required")
	}
	id, err := bareMessageID(m.MessageID)
	if err != nil {
		return nil, err
	}

	msg := gomail.NewMsg()
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(id)
	msg.SetDate()
	// Automatic message (RFC 3834): out-of-office replies are not wanted,
	// the sender address does not take replies.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// bareMessageID checks a "<local@domain>" message id and returns it without
// its angle brackets (go-mail adds them back).
func bareMessageID(id string) (string, error) {
	bare := strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if bare == "" {
		return "", errors.New("message id is required (set by the caller, \"<uuid@domain>\")")
	}
	local, domain, ok := strings.Cut(bare, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(bare, " \t\r\n<>") {
		return "", fmt.Errorf("message id %q is not of the form <uuid@domain>", id)
	}
	return bare, nil
}

// permanentError marks an error that a retry cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// connectError marks a failure to open a connection (dial, greeting, TLS,
// AUTH): it says nothing about the message, even with a 5xx reply (a wrong
// password, a relay refusing clients for a while), so it is never permanent.
type connectError struct{ err error }

func (e connectError) Error() string { return e.err.Error() }
func (e connectError) Unwrap() error { return e.err }

// IsPermanent reports whether err is a permanent failure of the message: the
// SMTP server refused it with a 5xx reply, or the message is invalid.
// Temporary refusals (4xx), network failures, timeouts, failures to connect
// and a relay refusing the platform rather than the message (RefusesPlatform)
// are not permanent: a retry, once the relay or its settings are fixed, sends it.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var pe permanentError
	if errors.As(err, &pe) {
		return true
	}
	if RefusesPlatform(err) {
		return false
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code != 0 {
			return code >= 500 && code < 600
		}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500 && te.Code < 600
	}
	return false
}

// platformRefusals are the words of the replies that refuse the platform
// rather than one message. Postfix delays its refusals to RCPT TO by default
// (smtpd_delay_reject = yes): a HELO name refused by
// reject_non_fqdn_helo_hostname comes as "504 5.5.2 <vm>: Helo command
// rejected: need fully-qualified hostname" in reply to the recipient, and
// reads like an unknown mailbox unless its words are read.
var platformRefusals = []string{
	"helo command rejected",   // the HELO name (--smtp-helo)
	"client host rejected",    // the platform's address
	"sender address rejected", // the one fixed sender (--mail-from)
	"relay access denied",     // the platform may not relay through it
	"authentication required", // --smtp-user
}

// RefusesPlatform reports whether err is the relay refusing the platform
// itself, whatever the message: a 5xx reply while connecting (greeting,
// EHLO/HELO, STARTTLS, AUTH), or a refusal of the HELO name, the client, the
// sender or relaying later in the exchange. Such a failure is retried (the
// relay's settings or the platform's are to fix), and is worth an error in
// the log each time.
func RefusesPlatform(err error) bool {
	if err == nil {
		return false
	}
	answer := RelayAnswer(err)
	if answer == "" || answer[0] != '5' {
		return false
	}
	var ce connectError
	if errors.As(err, &ce) {
		return true
	}
	lower := strings.ToLower(answer)
	for _, words := range platformRefusals {
		if strings.Contains(lower, words) {
			return true
		}
	}
	var se *gomail.SendError
	// The sender is the same for every email: refusing it refuses them all,
	// unless the refusal is about the size of this one (552).
	return errors.As(err, &se) && se.Reason == gomail.ErrSMTPMailFrom && se.ErrorCode() != 552
}

// RelayAnswer returns the relay's reply in err, code and text ("550 5.1.1
// <x@example.org>: Recipient address rejected: User unknown"), or "" when the
// relay gave none (network failure, timeout, invalid message).
func RelayAnswer(err error) string {
	var te *textproto.Error
	if errors.As(err, &te) {
		return strings.TrimSpace(fmt.Sprintf("%03d %s", te.Code, te.Msg))
	}
	var se *gomail.SendError
	if !errors.As(err, &se) || se.ErrorCode() == 0 {
		return ""
	}
	// go-mail's SendError keeps the reply in its text only: "REASON: REPLY,
	// affected recipient(s): ..., affected message ID: ...".
	text := se.Error()
	_, text, _ = strings.Cut(text, ": ")
	text, _, _ = strings.Cut(text, ", affected recipient(s): ")
	text, _, _ = strings.Cut(text, ", affected message ID: ")
	text = strings.TrimSpace(text)
	// The reply is a textproto.Error's text: `550 "5.1.1 …"` since Go 1.26.
	if code, quoted, ok := strings.Cut(text, " "); ok && len(code) == 3 && strings.HasPrefix(quoted, `"`) {
		if unquoted, err := strconv.Unquote(quoted); err == nil {
			return code + " " + unquoted
		}
		if end := strings.LastIndex(quoted, `"`); end > 0 {
			if unquoted, err := strconv.Unquote(quoted[:end+1]); err == nil {
				return code + " " + unquoted
			}
		}
	}
	return text
}
