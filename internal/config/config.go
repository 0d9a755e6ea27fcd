// Package config reads the platform's settings from command-line flags and CMA_*
// environment variables (flags win) and checks them with clear messages.
package config

import (
	"cma/internal/auth"
	"cma/internal/db"
	"cma/internal/mail"
	"cma/internal/payfip"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the typed configuration of `cma serve` and the other commands.
type Config struct {
	Addr      string // CMA_ADDR, --addr: HOST:PORT to listen on
	DB        string // CMA_DB, --db: sqlite:PATH or postgres://…
	Demo      bool   // CMA_DEMO, --demo: demo data and development simulators
	DemoForce bool   // CMA_DEMO_FORCE, --demo-force: --demo even on real data or a public address
	// DemoCandidatures, with --demo: the demo data has candidates and
	// candidatures (CMA_DEMO_CANDIDATURES, --demo-candidatures; on by default).
	DemoCandidatures bool
	// DemoNow, with --demo only: an RFC 3339 instant the platform's one clock
	// starts at, then runs from (CMA_DEMO_NOW, --demo-now), so that anyone can
	// walk a deadline through the pages; "" is the real time. See DemoClock.
	DemoNow     string
	LogFormat   string // CMA_LOG_FORMAT, --log-format: text or json
	HolidayZone string // CMA_HOLIDAY_ZONE, --holiday-zone: school-holiday zone (C for Paris)
	Secure      bool   // CMA_SECURE, --secure: served over TLS (HSTS, Secure cookies)
	PublicURL   string // CMA_PUBLIC_URL, --public-url: the address people type, e.g. https://cours.paris.fr
	MetricsAddr string // CMA_METRICS_ADDR, --metrics-addr: HOST:PORT of /metrics, apart from the site; "" or "off": none

	// Behind the city's load balancers: the addresses (CIDR or single) whose
	// X-Forwarded-For is believed for the client's address. CMA_TRUSTED_PROXIES,
	// --trusted-proxies, comma-separated; see TrustedProxyList.
	TrustedProxies string

	// Web sessions: a candidate's ends after SessionIdle without a request, a
	// staff member's after 30 minutes (or SessionIdle if shorter), any after
	// SessionLifetime from sign-in.
	SessionIdle     time.Duration // CMA_SESSION_IDLE, --session-idle
	SessionLifetime time.Duration // CMA_SESSION_LIFETIME, --session-lifetime

	// The city's sign-on (ACC-3): any OpenID Connect provider by issuer URL. In
	// demo mode without an issuer, the built-in development provider is used.
	OIDCIssuer       string // CMA_OIDC_ISSUER
	OIDCClientID     string // CMA_OIDC_CLIENT_ID
	OIDCClientSecret string // CMA_OIDC_CLIENT_SECRET (environment only: never on a command line)
	OIDCName         string // CMA_OIDC_NAME, shown on buttons: "Mon Paris"
	OIDCForgotURL    string // CMA_OIDC_FORGOT_URL, the provider's lost-password page (ACC-5)
	// OIDCSigningAlgs: the signature algorithms the sign-on's tokens may use,
	// auto (what it advertises) or a list (CMA_OIDC_SIGNING_ALGS).
	OIDCSigningAlgs string
	// OIDCClientAuth: how the platform authenticates at the token endpoint,
	// auto, client_secret_basic or client_secret_post (CMA_OIDC_CLIENT_AUTH).
	OIDCClientAuth string

	// Email (CON-2): the city's SMTP relay and the one fixed sender. In demo mode
	// without a host, a development mail sink inside the binary receives them.
	SMTPHost     string // CMA_SMTP_HOST
	SMTPPort     int    // CMA_SMTP_PORT
	SMTPUser     string // CMA_SMTP_USER
	SMTPPassword string // CMA_SMTP_PASSWORD (environment only)
	SMTPTLS      string // CMA_SMTP_TLS: starttls, tls, opportunistic or none
	// SMTPHELO is the name given to the relay in EHLO/HELO (CMA_SMTP_HELO);
	// empty: the public URL's host (HELOName).
	SMTPHELO string
	// SMTPCAFile is a PEM bundle of the city's internal certificate
	// authorities, added to the system's to check the relay (CMA_SMTP_CA_FILE).
	SMTPCAFile string
	// SMTPTLSVerify checks the relay's certificate (CMA_SMTP_TLS_VERIFY, true
	// by default); false is an explicit choice, warned about at start.
	SMTPTLSVerify bool
	MailFrom      string // CMA_MAIL_FROM
	// MailSinkAddr is where the development mail sink (demo mode without a
	// relay) takes SMTP, HOST:PORT on loopback; port 0 (the default) is a free
	// one, so that demos and tests run side by side. CMA_MAIL_SINK_ADDR.
	MailSinkAddr string
	// Sending, sized to the relay: how many emails are worked at once, over how
	// many open connections, each reused for how many messages.
	MailWorkers               int // CMA_MAIL_WORKERS
	SMTPConnections           int // CMA_SMTP_CONNECTIONS
	SMTPMessagesPerConnection int // CMA_SMTP_MESSAGES_PER_CONNECTION

	// Online payment (PAY-1) through PayFiP, the DGFiP's service: the
	// régie's contract number, the SOAP endpoint, the payment page and the
	// mode (T test, X activation, W production). In demo mode without an
	// endpoint, the PayFiP simulator inside the binary answers at
	// /dev/payfip. Without either, fees are paid at the desk only. The
	// cheques' payee (PAY-2) is printed on the desk's receipts.
	PayFiPEndpoint    string // CMA_PAYFIP_ENDPOINT
	PayFiPPaymentPage string // CMA_PAYFIP_PAYMENT_PAGE
	PayFiPNumcli      string // CMA_PAYFIP_NUMCLI
	PayFiPSaisie      string // CMA_PAYFIP_SAISIE
	ChequePayee       string // CMA_CHEQUE_PAYEE

	// More sign-ons offered next to the main one (FranceConnect…), from the
	// environment: CMA_OIDC_PROVIDERS=FRANCECONNECT, then for each key K
	// CMA_OIDC_K_ISSUER, CMA_OIDC_K_CLIENT_ID, CMA_OIDC_K_CLIENT_SECRET,
	// CMA_OIDC_K_NAME, CMA_OIDC_K_FORGOT_URL, CMA_OIDC_K_SIGNING_ALGS and
	// CMA_OIDC_K_CLIENT_AUTH.
	MoreOIDC []OIDCProvider
}

// OIDCProvider is one more sign-on.
type OIDCProvider struct {
	Key, Name, Issuer, ClientID, ClientSecret, ForgotURL string
	SigningAlgs, ClientAuth                              string // "" means auto
}

// Defaults of the email sending settings (bench/mail, bench/README.md). Four
// connections suit a city relay's usual per-client limit. A worker works one
// job, a group of up to 64 messages (a validation batch's) sent at once over all
// the connections: two workers already keep them busy while a third reads or
// marks its group, and 4 measured no slower than 128. The workers' messages
// share the connections and must go out within their job's 30 s: at most
// 4 × 64 = 256 in flight, so with a relay slower than about 10 messages a
// second, fewer workers.
const (
	DefaultMailWorkers               = 4
	DefaultSMTPConnections           = 4
	DefaultSMTPMessagesPerConnection = 100
)

// Defaults are the embedded-default settings a fresh machine runs with.
func Defaults() Config {
	return Config{Addr: "127.0.0.1:8080", DB: "sqlite:data/cma.db", LogFormat: "text", HolidayZone: "C", OIDCName: "Mon Paris",
		OIDCSigningAlgs: auth.SigningAlgsAuto, OIDCClientAuth: auth.ClientAuthAuto,
		MetricsAddr: "127.0.0.1:9090", SessionIdle: 2 * time.Hour, SessionLifetime: 12 * time.Hour,
		SMTPPort: 587, SMTPTLS: "starttls", MailSinkAddr: "127.0.0.1:0", MailFrom: "Cours d'adultes <ne-pas-repondre@cours-adultes.exemple>",
		SMTPTLSVerify: true, DemoCandidatures: true, PayFiPSaisie: "T", PayFiPPaymentPage: payfip.PaymentPageURL, ChequePayee: "Régie des cours municipaux d'adultes", MailWorkers: DefaultMailWorkers, SMTPConnections: DefaultSMTPConnections, SMTPMessagesPerConnection: DefaultSMTPMessagesPerConnection}
}

// Bind registers the flags shared by the commands on fs, with defaults taken from
// the environment through getenv, and returns the config they fill.
func Bind(fs *flag.FlagSet, getenv func(string) string) (*Config, error) {
	c := Defaults()
	var errs []error
	str := func(name, env, usage string, dst *string) {
		if v := getenv(env); v != "" {
			*dst = v
		}
		fs.StringVar(dst, name, *dst, usage+" (env "+env+")")
	}
	boolean := func(name, env, usage string, dst *bool) {
		if v := getenv(env); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: expected true or false", env, v))
			}
			*dst = b
		}
		fs.BoolVar(dst, name, *dst, usage+" (env "+env+")")
	}
	duration := func(name, env, usage string, dst *time.Duration) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: expected a duration such as 30m or 2h", env, v))
			}
			*dst = d
		}
		fs.DurationVar(dst, name, *dst, usage+" (env "+env+")")
	}
	str("addr", "CMA_ADDR", "address to listen on, HOST:PORT", &c.Addr)
	str("db", "CMA_DB", "database: sqlite:PATH or postgres://USER@HOST:PORT/NAME", &c.DB)
	boolean("demo", "CMA_DEMO", "load demo data into an empty database and turn on the development simulators", &c.Demo)
	boolean("demo-candidatures", "CMA_DEMO_CANDIDATURES", "with --demo: load demo candidates and their candidatures with the demo catalogue", &c.DemoCandidatures)
	boolean("demo-force", "CMA_DEMO_FORCE", "with --demo: run even on a database holding real data or at a non-loopback address", &c.DemoForce)
	str("demo-now", "CMA_DEMO_NOW", "with --demo: start the platform's clock at this instant (RFC 3339, e.g. 2026-12-22T23:59:30+01:00) and let it run from there", &c.DemoNow)
	str("log-format", "CMA_LOG_FORMAT", "log format: text or json", &c.LogFormat)
	str("holiday-zone", "CMA_HOLIDAY_ZONE", "school-holiday zone of the city", &c.HolidayZone)
	boolean("secure", "CMA_SECURE", "served over TLS: send HSTS and Secure cookies", &c.Secure)
	str("public-url", "CMA_PUBLIC_URL", "address people type to reach the platform (default http://ADDR)", &c.PublicURL)
	str("metrics-addr", "CMA_METRICS_ADDR", "address of the Prometheus /metrics, HOST:PORT, apart from the site; empty or off: none", &c.MetricsAddr)
	str("trusted-proxies", "CMA_TRUSTED_PROXIES", "load balancers whose X-Forwarded-For gives the client's address: CIDR,... (default none)", &c.TrustedProxies)
	duration("session-idle", "CMA_SESSION_IDLE", "a candidate's session ends after this long without a request (staff: 30m at most)", &c.SessionIdle)
	duration("session-lifetime", "CMA_SESSION_LIFETIME", "any session ends this long after sign-in", &c.SessionLifetime)
	str("oidc-issuer", "CMA_OIDC_ISSUER", "OpenID Connect issuer URL of the city's sign-on", &c.OIDCIssuer)
	str("oidc-client-id", "CMA_OIDC_CLIENT_ID", "client ID registered at the sign-on", &c.OIDCClientID)
	str("oidc-name", "CMA_OIDC_NAME", "name of the sign-on shown to people", &c.OIDCName)
	str("oidc-forgot-url", "CMA_OIDC_FORGOT_URL", "the sign-on's lost-password page", &c.OIDCForgotURL)
	str("oidc-signing-algs", "CMA_OIDC_SIGNING_ALGS", "signature algorithms accepted on the sign-on's tokens: auto (those it advertises) or a list such as RS256,HS512", &c.OIDCSigningAlgs)
	str("oidc-client-auth", "CMA_OIDC_CLIENT_AUTH", "authentication at the sign-on's token endpoint: auto, client_secret_basic or client_secret_post", &c.OIDCClientAuth)
	c.OIDCClientSecret = getenv("CMA_OIDC_CLIENT_SECRET")
	integer := func(name, env, usage string, dst *int) {
		if v := getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: expected a number", env, v))
			}
			*dst = n
		}
		fs.IntVar(dst, name, *dst, usage+" (env "+env+")")
	}
	str("payfip-endpoint", "CMA_PAYFIP_ENDPOINT", "PayFiP web service URL (none in demo mode: the built-in simulator)", &c.PayFiPEndpoint)
	str("payfip-payment-page", "CMA_PAYFIP_PAYMENT_PAGE", "PayFiP payment page URL", &c.PayFiPPaymentPage)
	str("payfip-numcli", "CMA_PAYFIP_NUMCLI", "PayFiP contract number of the régie (6 digits)", &c.PayFiPNumcli)
	str("payfip-saisie", "CMA_PAYFIP_SAISIE", "PayFiP mode: T test, X activation, W production", &c.PayFiPSaisie)
	str("cheque-payee", "CMA_CHEQUE_PAYEE", "who cheques are payable to (the régie)", &c.ChequePayee)
	str("smtp-host", "CMA_SMTP_HOST", "SMTP relay host (none in demo mode: the built-in mail sink)", &c.SMTPHost)
	integer("smtp-port", "CMA_SMTP_PORT", "SMTP relay port", &c.SMTPPort)
	str("smtp-user", "CMA_SMTP_USER", "SMTP user name", &c.SMTPUser)
	c.SMTPPassword = getenv("CMA_SMTP_PASSWORD")
	str("smtp-tls", "CMA_SMTP_TLS", "SMTP security: starttls, tls, opportunistic or none", &c.SMTPTLS)
	str("smtp-helo", "CMA_SMTP_HELO", "name given to the SMTP relay in EHLO/HELO, a fully qualified host name (default: the public URL's host)", &c.SMTPHELO)
	str("smtp-ca-file", "CMA_SMTP_CA_FILE", "PEM file of the city's certificate authorities, added to the system's to check the SMTP relay", &c.SMTPCAFile)
	boolean("smtp-tls-verify", "CMA_SMTP_TLS_VERIFY", "check the SMTP relay's certificate (false: encrypted but not checked)", &c.SMTPTLSVerify)
	str("mail-from", "CMA_MAIL_FROM", "the one sender address of every email", &c.MailFrom)
	str("mail-sink-addr", "CMA_MAIL_SINK_ADDR", "demo mode without --smtp-host: the development mail sink's SMTP address, HOST:PORT on loopback (port 0: a free one)", &c.MailSinkAddr)
	integer("mail-workers", "CMA_MAIL_WORKERS", "email jobs (groups of up to 64 messages) worked at once by the job queue", &c.MailWorkers)
	integer("smtp-connections", "CMA_SMTP_CONNECTIONS", "connections kept open to the SMTP relay at most", &c.SMTPConnections)
	integer("smtp-messages-per-connection", "CMA_SMTP_MESSAGES_PER_CONNECTION",
		"messages sent over one SMTP connection before a new one is opened", &c.SMTPMessagesPerConnection)
	for _, key := range strings.Split(getenv("CMA_OIDC_PROVIDERS"), ",") {
		key = strings.ToUpper(strings.TrimSpace(key))
		if key == "" {
			continue
		}
		v := func(name string) string { return getenv("CMA_OIDC_" + key + "_" + name) }
		c.MoreOIDC = append(c.MoreOIDC, OIDCProvider{Key: key, Name: v("NAME"), Issuer: v("ISSUER"), ClientID: v("CLIENT_ID"),
			ClientSecret: v("CLIENT_SECRET"), ForgotURL: v("FORGOT_URL"), SigningAlgs: v("SIGNING_ALGS"), ClientAuth: v("CLIENT_AUTH")})
	}
	return &c, errors.Join(errs...)
}

// Validate checks the settings and says what to change.
func (c Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: expected HOST:PORT, for example 127.0.0.1:8080", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, fmt.Errorf("--addr %q: the port must be a number from 0 to 65535", c.Addr))
	}
	switch {
	case strings.HasPrefix(c.DB, "sqlite:") && len(c.DB) > len("sqlite:"):
	case strings.HasPrefix(c.DB, "postgres://"), strings.HasPrefix(c.DB, "postgresql://"):
	default:
		errs = append(errs, fmt.Errorf("--db %q: expected sqlite:PATH or postgres://USER@HOST:PORT/NAME", db.Redact(c.DB)))
	}
	if c.DemoForce && !c.Demo {
		errs = append(errs, errors.New("--demo-force only makes sense with --demo"))
	}
	if c.DemoNow != "" {
		if !c.Demo {
			errs = append(errs, errors.New("--demo-now only works with --demo: a real platform keeps the real time (horloge de démonstration refusée sans --demo)"))
		}
		if _, err := time.Parse(time.RFC3339, c.DemoNow); err != nil {
			errs = append(errs, fmt.Errorf("--demo-now %q: expected an RFC 3339 instant with its offset, for example 2026-12-22T23:59:30+01:00 (date invalide)", c.DemoNow))
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: expected text or json", c.LogFormat))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--public-url %q: expected http(s)://HOST[:PORT]", c.PublicURL))
		}
	}
	if c.OIDCIssuer != "" {
		if u, err := url.Parse(c.OIDCIssuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--oidc-issuer %q: expected an http(s) URL", c.OIDCIssuer))
		}
		if c.OIDCClientID == "" || c.OIDCClientSecret == "" {
			errs = append(errs, errors.New("--oidc-issuer needs --oidc-client-id and the CMA_OIDC_CLIENT_SECRET variable"))
		}
	}
	if _, err := auth.ParseSigningAlgs(c.OIDCSigningAlgs); err != nil {
		errs = append(errs, fmt.Errorf("--oidc-signing-algs: %w", err))
	}
	if _, err := auth.ParseClientAuth(c.OIDCClientAuth); err != nil {
		errs = append(errs, fmt.Errorf("--oidc-client-auth: %w", err))
	}
	for _, p := range c.MoreOIDC {
		if p.Name == "" || p.Issuer == "" || p.ClientID == "" || p.ClientSecret == "" {
			errs = append(errs, fmt.Errorf("sign-on %s: set CMA_OIDC_%[1]s_NAME, _ISSUER, _CLIENT_ID and _CLIENT_SECRET", p.Key))
		}
		if _, err := auth.ParseSigningAlgs(p.SigningAlgs); err != nil {
			errs = append(errs, fmt.Errorf("CMA_OIDC_%s_SIGNING_ALGS: %w", p.Key, err))
		}
		if _, err := auth.ParseClientAuth(p.ClientAuth); err != nil {
			errs = append(errs, fmt.Errorf("CMA_OIDC_%s_CLIENT_AUTH: %w", p.Key, err))
		}
	}
	if c.MetricsAddr != "" && c.MetricsAddr != "off" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("--metrics-addr %q: expected HOST:PORT, for example 127.0.0.1:9090, or off", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr && port != "0" {
			errs = append(errs, fmt.Errorf("--metrics-addr %q: give another address than --addr: metrics stay off the public site", c.MetricsAddr))
		}
	}
	if _, err := ParseProxies(c.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %w", err))
	}
	switch {
	case c.SessionIdle < time.Minute:
		errs = append(errs, fmt.Errorf("--session-idle %s: expected a minute or more, for example 2h", c.SessionIdle))
	case c.SessionLifetime < c.SessionIdle:
		errs = append(errs, fmt.Errorf("--session-lifetime %s: expected at least --session-idle (%s)", c.SessionLifetime, c.SessionIdle))
	}
	errs = append(errs, c.validateMail()...)
	if c.PayFiPEndpoint != "" {
		if err := c.PayFiP().Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.HolidayZone == "" {
		errs = append(errs, errors.New("--holiday-zone must not be empty (Paris is in zone C)"))
	}
	return errors.Join(errs...)
}

// PayFiP is the PayFiP client's settings.
func (c *Config) PayFiP() payfip.Config {
	return payfip.Config{Endpoint: c.PayFiPEndpoint, PaymentPage: c.PayFiPPaymentPage, Numcli: c.PayFiPNumcli, Saisie: c.PayFiPSaisie}
}

// Upper bounds of the email sending settings: beyond them a typing error is
// more likely than a relay that takes so much.
const (
	maxMailWorkers               = 1000
	maxSMTPConnections           = 100
	maxSMTPMessagesPerConnection = 100000
)

// validateMail checks the sending settings. A worker sends its group over every
// connection, so they are independent of each other.
func (c Config) validateMail() []error {
	var errs []error
	if c.MailWorkers < 1 || c.MailWorkers > maxMailWorkers {
		errs = append(errs, fmt.Errorf("--mail-workers %d: expected 1 to %d email jobs worked at once", c.MailWorkers, maxMailWorkers))
	}
	if c.SMTPConnections < 1 || c.SMTPConnections > maxSMTPConnections {
		errs = append(errs, fmt.Errorf("--smtp-connections %d: expected 1 to %d connections to the relay", c.SMTPConnections, maxSMTPConnections))
	}
	if host, port, err := net.SplitHostPort(c.MailSinkAddr); err != nil {
		errs = append(errs, fmt.Errorf("--mail-sink-addr %q: expected HOST:PORT, for example 127.0.0.1:1025 (or port 0 for a free one)", c.MailSinkAddr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, fmt.Errorf("--mail-sink-addr %q: the port must be a number from 0 to 65535", c.MailSinkAddr))
	} else if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		errs = append(errs, fmt.Errorf("--mail-sink-addr %q: the mail sink takes any email from anyone: give a loopback address such as 127.0.0.1", c.MailSinkAddr))
	}
	if c.SMTPMessagesPerConnection < 1 || c.SMTPMessagesPerConnection > maxSMTPMessagesPerConnection {
		errs = append(errs, fmt.Errorf("--smtp-messages-per-connection %d: expected 1 to %d (the relay's limit per connection, if it has one)",
			c.SMTPMessagesPerConnection, maxSMTPMessagesPerConnection))
	}
	if c.SMTPHELO != "" && !mail.IsHostName(c.SMTPHELO) {
		errs = append(errs, fmt.Errorf("--smtp-helo %q: expected a host name such as cours-adultes.paris.fr (letters, digits, hyphens and dots)", c.SMTPHELO))
	}
	if c.SMTPCAFile != "" {
		if _, err := mail.LoadCAFile(c.SMTPCAFile); err != nil {
			errs = append(errs, fmt.Errorf("--smtp-ca-file %s: %w", c.SMTPCAFile, err))
		}
	}
	return errs
}

// HELOName is the name the platform gives the relay: --smtp-helo, or else
// the public URL's host when it is a host name (not an address); empty when
// neither (the machine's host name is then used).
func (c Config) HELOName() string {
	if c.SMTPHELO != "" {
		return c.SMTPHELO
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || c.PublicURL == "" {
		return ""
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil || !mail.IsHostName(host) {
		return ""
	}
	return host
}

// MetricsOn says whether /metrics is served (on MetricsAddr).
func (c Config) MetricsOn() bool { return c.MetricsAddr != "" && c.MetricsAddr != "off" }

// DemoStart is the instant the demo clock starts at (DemoNow parsed), and
// whether there is one; Validate reports a DemoNow that does not parse.
func (c Config) DemoStart() (time.Time, bool) {
	if c.DemoNow == "" || !c.Demo {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, c.DemoNow)
	return t, err == nil
}

// TrustedProxyList is TrustedProxies parsed (Validate reports its mistakes).
func (c Config) TrustedProxyList() []netip.Prefix {
	list, _ := ParseProxies(c.TrustedProxies)
	return list
}

// ParseProxies reads a comma-separated list of CIDR prefixes or single
// addresses ("10.0.0.0/8, 192.0.2.7, 2001:db8::/32").
func ParseProxies(s string) ([]netip.Prefix, error) {
	var list []netip.Prefix
	var errs []error
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			list = append(list, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(item); err == nil {
			list = append(list, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		errs = append(errs, fmt.Errorf("%q: expected an address or a CIDR prefix such as 10.0.0.0/8", item))
	}
	return list, errors.Join(errs...)
}
