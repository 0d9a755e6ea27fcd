package config

import (
	"flag"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, err := Bind(fs, func(k string) string { return env[k] })
	if err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != "sqlite:data/cma.db" || c.HolidayZone != "C" {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestEnvironmentThenFlags(t *testing.T) {
	c, err := parse(t, map[string]string{"CMA_ADDR": ":9000", "CMA_DB": "sqlite:/tmp/x.db", "CMA_DEMO": "true"}, "--addr", "127.0.0.1:9001")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9001" || c.DB != "sqlite:/tmp/x.db" || !c.Demo {
		t.Fatalf("config = %+v", c)
	}
}

func TestValidateRefusesBadValues(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--db", "mysql://root:hunter2@x/db"}, "expected sqlite:PATH"},
		{nil, []string{"--db", "sqlite:"}, "expected sqlite:PATH"},
		{nil, []string{"--addr", "8080"}, "HOST:PORT"},
		{nil, []string{"--addr", "127.0.0.1:99999"}, "port"},
		{nil, []string{"--log-format", "xml"}, "text or json"},
		{map[string]string{"CMA_DEMO": "maybe"}, nil, "CMA_DEMO"},
	} {
		_, err := parse(t, tc.env, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: err = %v, want it to mention %q", tc.env, tc.args, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error leaks a password: %v", err)
		}
	}
}

func TestMoreSignOnsNeedOnlyConfiguration_ACC3(t *testing.T) {
	env := map[string]string{"CMA_OIDC_PROVIDERS": "franceconnect", "CMA_OIDC_FRANCECONNECT_NAME": "FranceConnect",
		"CMA_OIDC_FRANCECONNECT_ISSUER": "https://fc.exemple", "CMA_OIDC_FRANCECONNECT_CLIENT_ID": "cma",
		"CMA_OIDC_FRANCECONNECT_CLIENT_SECRET": "s3cret"}
	c, err := parse(t, env)
	if err != nil || len(c.MoreOIDC) != 1 || c.MoreOIDC[0].Name != "FranceConnect" || c.MoreOIDC[0].ClientSecret != "s3cret" {
		t.Fatalf("config = %+v, %v", c.MoreOIDC, err)
	}
	delete(env, "CMA_OIDC_FRANCECONNECT_ISSUER")
	if _, err := parse(t, env); err == nil || !strings.Contains(err.Error(), "FRANCECONNECT") {
		t.Fatalf("incomplete second sign-on: %v", err)
	}
}

func TestSessionsProxiesAndMetrics(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionIdle != 2*time.Hour || c.SessionLifetime != 12*time.Hour || c.MetricsAddr != "127.0.0.1:9090" || !c.MetricsOn() ||
		len(c.TrustedProxyList()) != 0 {
		t.Fatalf("defaults: idle %s, lifetime %s, metrics %q, proxies %v", c.SessionIdle, c.SessionLifetime, c.MetricsAddr, c.TrustedProxyList())
	}
	c, err = parse(t, map[string]string{"CMA_SESSION_IDLE": "45m", "CMA_SESSION_LIFETIME": "8h", "CMA_METRICS_ADDR": "off",
		"CMA_TRUSTED_PROXIES": "10.0.0.1/8, 192.0.2.7 ,2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("2001:db8::/32")}
	if c.SessionIdle != 45*time.Minute || c.SessionLifetime != 8*time.Hour || c.MetricsOn() || !slices.Equal(c.TrustedProxyList(), want) {
		t.Fatalf("from the environment: idle %s, lifetime %s, metrics %q, proxies %v", c.SessionIdle, c.SessionLifetime, c.MetricsAddr, c.TrustedProxyList())
	}
	if c, err := parse(t, nil, "--metrics-addr="); err != nil || c.MetricsOn() {
		t.Fatalf("--metrics-addr= : on %v, %v", c.MetricsOn(), err)
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"CMA_SESSION_IDLE": "deux heures"}, nil, "CMA_SESSION_IDLE"},
		{nil, []string{"--session-idle", "10s"}, "a minute or more"},
		{nil, []string{"--session-idle", "3h", "--session-lifetime", "2h"}, "at least --session-idle"},
		{nil, []string{"--trusted-proxies", "10.0.0.0/33"}, `"10.0.0.0/33"`},
		{map[string]string{"CMA_TRUSTED_PROXIES": "lb.paris.fr"}, nil, `"lb.paris.fr"`},
		{nil, []string{"--metrics-addr", "9090"}, "--metrics-addr"},
		{nil, []string{"--metrics-addr", "127.0.0.1:8080"}, "another address than --addr"},
	} {
		if _, err := parse(t, tc.env, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: err = %v, want it to mention %q", tc.env, tc.args, err, tc.want)
		}
	}
}

// TestDatabaseURLPasswordNeverShown: a malformed URL does not parse, so its
// password is cut by hand.
func TestDatabaseURLPasswordNeverShown(t *testing.T) {
	for _, raw := range []string{"mysql://u:s3cret@host:bad/db", "mariadb://u:s3c@ret@host/db"} {
		_, err := parse(t, nil, "--db", raw)
		if err == nil || strings.Contains(err.Error(), "s3c") || strings.Contains(err.Error(), "ret@") ||
			!strings.Contains(err.Error(), "u:xxxxx@") {
			t.Errorf("--db %s: %v", raw, err)
		}
	}
}

func TestDemoForce(t *testing.T) {
	c, err := parse(t, map[string]string{"CMA_DEMO": "true", "CMA_DEMO_FORCE": "true"})
	if err != nil || !c.DemoForce {
		t.Fatalf("CMA_DEMO_FORCE=true: %+v, %v", c, err)
	}
	if c, err := parse(t, nil, "--demo", "--demo-force"); err != nil || !c.DemoForce {
		t.Fatalf("--demo --demo-force: %v", err)
	}
	if _, err := parse(t, nil, "--demo-force"); err == nil || !strings.Contains(err.Error(), "--demo-force only makes sense with --demo") {
		t.Fatalf("--demo-force alone: %v", err)
	}
}

// TestDemoCandidatures: the demo's candidatures are on unless
// --demo-candidatures=false or CMA_DEMO_CANDIDATURES=false says otherwise.
func TestDemoCandidatures(t *testing.T) {
	if c, err := parse(t, nil, "--demo"); err != nil || !c.DemoCandidatures {
		t.Fatalf("--demo: %+v, %v", c, err)
	}
	if c, err := parse(t, map[string]string{"CMA_DEMO_CANDIDATURES": "false"}, "--demo"); err != nil || c.DemoCandidatures {
		t.Fatalf("CMA_DEMO_CANDIDATURES=false: %v", err)
	}
	if c, err := parse(t, nil, "--demo", "--demo-candidatures=false"); err != nil || c.DemoCandidatures {
		t.Fatalf("--demo-candidatures=false: %v", err)
	}
}

// TestDemoNow_PER1: the demo clock is taken from --demo-now or CMA_DEMO_NOW,
// refused without --demo and when it is not an RFC 3339 instant.
func TestDemoNow_PER1(t *testing.T) {
	want := time.Date(2026, 12, 22, 22, 59, 30, 0, time.UTC)
	c, err := parse(t, nil, "--demo", "--demo-now", "2026-12-22T23:59:30+01:00")
	if at, ok := c.DemoStart(); err != nil || !ok || !at.Equal(want) {
		t.Fatalf("--demo --demo-now: %v %v %v", at, ok, err)
	}
	c, err = parse(t, map[string]string{"CMA_DEMO": "true", "CMA_DEMO_NOW": "2026-12-22T22:59:30Z"})
	if at, ok := c.DemoStart(); err != nil || !ok || !at.Equal(want) {
		t.Fatalf("CMA_DEMO_NOW: %v %v %v", at, ok, err)
	}
	if c, err := parse(t, nil, "--demo"); err != nil {
		t.Fatal(err)
	} else if _, ok := c.DemoStart(); ok {
		t.Fatal("a demo clock without --demo-now")
	}
	if _, err := parse(t, nil, "--demo-now", "2026-12-22T23:59:30+01:00"); err == nil || !strings.Contains(err.Error(), "--demo-now only works with --demo") {
		t.Fatalf("--demo-now without --demo: %v", err)
	}
	if _, err := parse(t, map[string]string{"CMA_DEMO_NOW": "2026-12-22T23:59:30+01:00"}); err == nil || !strings.Contains(err.Error(), "--demo-now only works with --demo") {
		t.Fatalf("CMA_DEMO_NOW without --demo: %v", err)
	}
	for _, bad := range []string{"2026-12-22", "2026-12-22 23:59:30", "2026-12-22T23:59:30", "22/12/2026 23:59", "demain"} {
		if _, err := parse(t, nil, "--demo", "--demo-now", bad); err == nil || !strings.Contains(err.Error(), "expected an RFC 3339 instant") {
			t.Errorf("--demo-now %q: %v", bad, err)
		}
	}
}

func TestMailSendingSettings_from_environment_and_flags(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MailWorkers != DefaultMailWorkers || c.SMTPConnections != DefaultSMTPConnections || c.SMTPMessagesPerConnection != DefaultSMTPMessagesPerConnection {
		t.Errorf("defaults: %d workers, %d connections, %d per connection", c.MailWorkers, c.SMTPConnections, c.SMTPMessagesPerConnection)
	}
	env := map[string]string{"CMA_MAIL_WORKERS": "2", "CMA_SMTP_CONNECTIONS": "10", "CMA_SMTP_MESSAGES_PER_CONNECTION": "20"}
	c, err = parse(t, env, "--smtp-connections", "8")
	if err != nil {
		t.Fatal(err)
	}
	// More connections than workers: a worker sends its group over all of them.
	if c.MailWorkers != 2 || c.SMTPConnections != 8 || c.SMTPMessagesPerConnection != 20 {
		t.Errorf("got %d workers, %d connections, %d per connection; want 2, 8 (the flag), 20", c.MailWorkers, c.SMTPConnections, c.SMTPMessagesPerConnection)
	}
}

func TestMailSendingSettings_refused_with_what_to_change(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--mail-workers", "0"}, "--mail-workers 0: expected 1 to 1000"},
		{nil, []string{"--mail-workers", "5000"}, "--mail-workers 5000"},
		{map[string]string{"CMA_MAIL_WORKERS": "many"}, nil, `CMA_MAIL_WORKERS="many": expected a number`},
		{nil, []string{"--smtp-connections", "0"}, "--smtp-connections 0: expected 1 to 100"},
		{nil, []string{"--smtp-messages-per-connection", "-1"}, "--smtp-messages-per-connection -1"},
		{map[string]string{"CMA_SMTP_CONNECTIONS": "4x"}, nil, "CMA_SMTP_CONNECTIONS"},
	} {
		_, err := parse(t, tc.env, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: err = %v, want it to mention %q", tc.env, tc.args, err, tc.want)
		}
	}
}

func TestMailSinkAddress_a_setting_on_loopback(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MailSinkAddr != "127.0.0.1:0" {
		t.Errorf("default mail sink address %q, want 127.0.0.1:0 (a free port)", c.MailSinkAddr)
	}
	c, err = parse(t, map[string]string{"CMA_MAIL_SINK_ADDR": "127.0.0.1:2525"})
	if err != nil || c.MailSinkAddr != "127.0.0.1:2525" {
		t.Errorf("from the environment: %q, %v", c.MailSinkAddr, err)
	}
	c, err = parse(t, map[string]string{"CMA_MAIL_SINK_ADDR": "127.0.0.1:2525"}, "--mail-sink-addr", "[::1]:1025")
	if err != nil || c.MailSinkAddr != "[::1]:1025" {
		t.Errorf("the flag over the environment: %q, %v", c.MailSinkAddr, err)
	}
	if _, err = parse(t, nil, "--mail-sink-addr", "0.0.0.0:1025", "--demo", "--demo-force"); err == nil {
		t.Error("--demo-force let the mail sink listen beyond loopback")
	}
	for _, tc := range []struct{ addr, want string }{
		{"1025", "--mail-sink-addr \"1025\": expected HOST:PORT"},
		{"127.0.0.1:70000", "the port must be a number"},
		{"0.0.0.0:1025", "give a loopback address"},
		{"mail.example:25", "give a loopback address"},
	} {
		if _, err := parse(t, nil, "--mail-sink-addr", tc.addr); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--mail-sink-addr %s: err = %v, want it to mention %q", tc.addr, err, tc.want)
		}
	}
}

// TestSignOnAlgorithmsAndClientAuth_ACC3: the signature algorithms and the
// client authentication of each sign-on are settings, auto by default,
// checked at start with a message that says what to change.
func TestSignOnAlgorithmsAndClientAuth_ACC3(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.OIDCSigningAlgs != "auto" || c.OIDCClientAuth != "auto" {
		t.Fatalf("defaults: %q %q, %v", c.OIDCSigningAlgs, c.OIDCClientAuth, err)
	}
	c, err = parse(t, map[string]string{"CMA_OIDC_SIGNING_ALGS": "RS256,HS512", "CMA_OIDC_CLIENT_AUTH": "client_secret_post"})
	if err != nil || c.OIDCSigningAlgs != "RS256,HS512" || c.OIDCClientAuth != "client_secret_post" {
		t.Fatalf("from the environment: %q %q, %v", c.OIDCSigningAlgs, c.OIDCClientAuth, err)
	}
	if c, err = parse(t, nil, "--oidc-signing-algs", "ES256", "--oidc-client-auth", "client_secret_basic"); err != nil ||
		c.OIDCSigningAlgs != "ES256" || c.OIDCClientAuth != "client_secret_basic" {
		t.Fatalf("from the flags: %+v, %v", c, err)
	}
	for args, want := range map[string]string{
		"--oidc-signing-algs=none":              "--oidc-signing-algs",
		"--oidc-signing-algs=RS256,XS1":         "--oidc-signing-algs",
		"--oidc-client-auth=private_key_jwt":    "--oidc-client-auth",
		"--oidc-client-auth=client_secret_jwt ": "--oidc-client-auth",
	} {
		if _, err := parse(t, nil, args); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %s", args, err, want)
		}
	}
	env := map[string]string{"CMA_OIDC_PROVIDERS": "FC", "CMA_OIDC_FC_NAME": "FranceConnect", "CMA_OIDC_FC_ISSUER": "https://fc.exemple",
		"CMA_OIDC_FC_CLIENT_ID": "cma", "CMA_OIDC_FC_CLIENT_SECRET": "s", "CMA_OIDC_FC_SIGNING_ALGS": "ES256", "CMA_OIDC_FC_CLIENT_AUTH": "client_secret_basic"}
	if c, err := parse(t, env); err != nil || c.MoreOIDC[0].SigningAlgs != "ES256" || c.MoreOIDC[0].ClientAuth != "client_secret_basic" {
		t.Fatalf("second sign-on: %+v, %v", c.MoreOIDC, err)
	}
	env["CMA_OIDC_FC_SIGNING_ALGS"] = "none"
	env["CMA_OIDC_FC_CLIENT_AUTH"] = "tls_client_auth"
	if _, err := parse(t, env); err == nil || !strings.Contains(err.Error(), "CMA_OIDC_FC_SIGNING_ALGS") || !strings.Contains(err.Error(), "CMA_OIDC_FC_CLIENT_AUTH") {
		t.Errorf("second sign-on's bad settings: %v", err)
	}
}

func TestRelaySettings_HELO_CA_and_verification(t *testing.T) {
	c, err := parse(t, nil, "--public-url", "https://cours-adultes.paris.fr:8443")
	if err != nil {
		t.Fatal(err)
	}
	if c.HELOName() != "cours-adultes.paris.fr" || !c.SMTPTLSVerify {
		t.Errorf("defaults: HELO %q, verify %v; want the public URL's host and true", c.HELOName(), c.SMTPTLSVerify)
	}
	if c, _ := parse(t, nil, "--public-url", "http://127.0.0.1:8080"); c.HELOName() != "" {
		t.Errorf("HELO from an address public URL: %q, want none (the machine's name)", c.HELOName())
	}
	c, err = parse(t, map[string]string{"CMA_SMTP_HELO": "cma.ville.fr", "CMA_SMTP_TLS_VERIFY": "false"})
	if err != nil {
		t.Fatal(err)
	}
	if c.HELOName() != "cma.ville.fr" || c.SMTPTLSVerify {
		t.Errorf("from the environment: HELO %q, verify %v", c.HELOName(), c.SMTPTLSVerify)
	}
	dir := t.TempDir()
	empty := dir + "/empty.pem"
	if err := os.WriteFile(empty, []byte("nothing"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-helo", "cours adultes"}, `--smtp-helo "cours adultes": expected a host name`},
		{[]string{"--smtp-ca-file", dir + "/absent.pem"}, "--smtp-ca-file " + dir + "/absent.pem"},
		{[]string{"--smtp-ca-file", empty}, "holds no PEM certificate"},
	} {
		if _, err := parse(t, nil, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
}
