package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes accepted by SMTPConfig.TLS.
const (
	TLSStartTLS      = "starttls"      // STARTTLS required
	TLSOpportunistic = "opportunistic" // STARTTLS when the server offers it
	TLSImplicit      = "tls"           // implicit TLS, usually port 465
	TLSNone          = "none"          // clear text, only for loopback sinks
)

// defaultTimeout applies when SMTPConfig.Timeout is zero.
const defaultTimeout = 15 * time.Second

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
	return nil
}

// isLoopbackHost reports whether host names the local machine.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Sender sends messages through SMTP with go-mail. Send dials, sends one
// message and closes: it is simple and safe for concurrent use.
type Sender struct {
	config SMTPConfig
	from   *netmail.Address
}

// NewSender checks the configuration and returns a Sender.
func NewSender(c SMTPConfig) (*Sender, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("new mail sender: %w", err)
	}
	from, err := netmail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("new mail sender: parse from address: %w", err)
	}
	c.Host = strings.TrimSpace(c.Host)
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout
	}
	return &Sender{config: c, from: from}, nil
}

// clientOptions translates the configuration into go-mail options.
func (s *Sender) clientOptions() []gomail.Option {
	c := s.config
	opts := []gomail.Option{
		gomail.WithPort(c.Port),
		gomail.WithTimeout(c.Timeout),
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
// invalid; any other error (4xx reply, network failure) is worth a retry.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := s.buildMsg(m)
	if err != nil {
		return fmt.Errorf("send mail %s: %w", m.MessageID, permanentError{err})
	}
	client, err := gomail.NewClient(s.config.Host, s.clientOptions()...)
	if err != nil {
		return fmt.Errorf("send mail %s: create smtp client for %s: %w", m.MessageID, s.config.Host, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail %s via %s:%d: %w", m.MessageID, s.config.Host, s.config.Port, err)
	}
	return nil
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

// IsPermanent reports whether err is a permanent failure: the SMTP server
// refused with a 5xx reply, or the message is invalid. Temporary refusals
// (4xx), network failures and timeouts are not permanent.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var pe permanentError
	if errors.As(err, &pe) {
		return true
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
