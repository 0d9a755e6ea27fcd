package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// selfSigned returns a TLS configuration with a self-signed certificate for
// 127.0.0.1 and localhost, as a city relay with its own authority has, and
// the path of that certificate in PEM (the file --smtp-ca-file names).
func selfSigned(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "relais.ville.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, path
}

// startCheckingSink starts a sink that checks what opts say, closed with the test.
func startCheckingSink(t *testing.T, opts SinkOptions) *Sink {
	t.Helper()
	sink, err := StartSinkWith("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	return sink
}

// configuredSender returns a Sender to sink with c's settings (host, port and sender
// filled in), closed with the test.
func configuredSender(t *testing.T, sink *Sink, c SMTPConfig) *Sender {
	t.Helper()
	host, portText, _ := net.SplitHostPort(sink.Addr())
	c.Host = host
	c.Port, _ = strconv.Atoi(portText)
	c.From = testFrom
	c.Timeout = 2 * time.Second
	if c.TLS == "" {
		c.TLS = TLSNone
	}
	s, err := NewSender(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSender_CON2_greets_with_the_configured_HELO(t *testing.T) {
	sink := startCheckingSink(t, SinkOptions{RejectNonFQDNHELO: true})
	if err := configuredSender(t, sink, SMTPConfig{HELO: "cours-adultes.paris.fr"}).Send(testContext(t), testMessage(1)); err != nil {
		t.Fatal(err)
	}
	got, err := sink.Wait(testContext(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].HELO != "cours-adultes.paris.fr" {
		t.Errorf("HELO %q, want the configured cours-adultes.paris.fr", got[0].HELO)
	}
}

// A relay refusing the HELO name refuses the platform, not the message: the
// email is retried (once the name is fixed) and the failure says so, whether
// the refusal comes at EHLO or, as Postfix gives it by default, at RCPT TO.
func TestSender_CON2_a_refused_HELO_is_retryable_and_refuses_the_platform(t *testing.T) {
	for _, delayed := range []bool{false, true} {
		t.Run("delayed="+strconv.FormatBool(delayed), func(t *testing.T) {
			sink := startCheckingSink(t, SinkOptions{RejectNonFQDNHELO: true, DelayReject: delayed})
			err := configuredSender(t, sink, SMTPConfig{HELO: "vm"}).Send(testContext(t), testMessage(1))
			if err == nil {
				t.Fatal("Send succeeded with a HELO name the relay refuses")
			}
			if IsPermanent(err) {
				t.Errorf("IsPermanent(%v) = true, want false: fixing the HELO name sends the email", err)
			}
			if !RefusesPlatform(err) {
				t.Errorf("RefusesPlatform(%v) = false, want true", err)
			}
			if answer := RelayAnswer(err); !strings.HasPrefix(answer, "504 5.5.2") || !strings.Contains(answer, "Helo command rejected") {
				t.Errorf("RelayAnswer = %q, want the relay's 504 5.5.2 … Helo command rejected", answer)
			}
		})
	}
}

func TestSender_a_refused_recipient_answer_names_no_recipient(t *testing.T) {
	relay := startTestRelay(t)
	relay.refuse["inconnu@example.org"] = smtpError(550, "5.1.1", "Recipient address rejected: User unknown")
	m := testMessage(1)
	m.To = "inconnu@example.org"
	err := poolSender(t, relay.addr, 1, 10).Send(testContext(t), m)
	if !IsPermanent(err) || RefusesPlatform(err) {
		t.Fatalf("unknown mailbox: permanent %v, refuses the platform %v; want true, false (%v)", IsPermanent(err), RefusesPlatform(err), err)
	}
	if answer := RelayAnswer(err); answer != "550 5.1.1 Recipient address rejected: User unknown" {
		t.Errorf("RelayAnswer = %q", answer)
	}
}

func TestSender_opportunistic_sends_in_clear_text_when_STARTTLS_is_not_offered(t *testing.T) {
	sink := startCheckingSink(t, SinkOptions{})
	if err := configuredSender(t, sink, SMTPConfig{TLS: TLSOpportunistic}).Send(testContext(t), testMessage(1)); err != nil {
		t.Fatalf("opportunistic to a relay without STARTTLS: %v, want clear text", err)
	}
	if got, _ := sink.Wait(testContext(t), 1); got[0].TLS {
		t.Error("message came over TLS from a relay offering none")
	}
}

func TestSender_opportunistic_checks_the_certificate_when_STARTTLS_is_offered(t *testing.T) {
	cert, caFile := selfSigned(t)
	sink := startCheckingSink(t, SinkOptions{TLS: cert})

	err := configuredSender(t, sink, SMTPConfig{TLS: TLSOpportunistic}).Send(testContext(t), testMessage(1))
	if err == nil {
		t.Fatal("opportunistic accepted a self-signed certificate without --smtp-ca-file")
	}
	for _, fix := range []string{"--smtp-ca-file", "--smtp-tls-verify=false"} {
		if !strings.Contains(err.Error(), fix) {
			t.Errorf("error %q does not name the fix %s", err, fix)
		}
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true: a certificate to fix is not the message's fault", err)
	}

	for name, c := range map[string]SMTPConfig{
		"ca-file":      {TLS: TLSOpportunistic, CAFile: caFile},
		"verify=false": {TLS: TLSOpportunistic, InsecureSkipVerify: true},
		"starttls+ca":  {TLS: TLSStartTLS, CAFile: caFile},
	} {
		if err := configuredSender(t, sink, c).Send(testContext(t), testMessage(2)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	got, err := sink.Wait(testContext(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range got {
		if !m.TLS {
			t.Error("a message came in clear text from a relay offering STARTTLS")
		}
	}
}

func TestSender_authenticates_with_PLAIN_and_LOGIN_after_STARTTLS(t *testing.T) {
	cert, caFile := selfSigned(t)
	for _, mech := range []string{sasl.Plain, sasl.Login} {
		t.Run(mech, func(t *testing.T) {
			sink := startCheckingSink(t, SinkOptions{TLS: cert, Users: map[string]string{"cma": "s3cr+t/=:%&"}, AuthMechanisms: []string{mech}})
			c := SMTPConfig{TLS: TLSStartTLS, CAFile: caFile, Username: "cma", Password: "s3cr+t/=:%&"}
			if err := configuredSender(t, sink, c).Send(testContext(t), testMessage(1)); err != nil {
				t.Fatal(err)
			}
			got, err := sink.Wait(testContext(t), 1)
			if err != nil {
				t.Fatal(err)
			}
			if got[0].AuthUser != "cma" || !got[0].TLS {
				t.Errorf("authenticated as %q, TLS %v; want cma over TLS", got[0].AuthUser, got[0].TLS)
			}

			c.Password = "wrong"
			err = configuredSender(t, sink, c).Send(testContext(t), testMessage(2))
			if err == nil || IsPermanent(err) || !RefusesPlatform(err) {
				t.Errorf("a wrong password: %v; want a retryable refusal of the platform", err)
			}
		})
	}
}

func TestLoadCAFile_says_what_is_wrong(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCAFile(filepath.Join(dir, "absent.pem")); err == nil {
		t.Error("an absent file loaded")
	}
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCAFile(empty); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a file without certificate: %v", err)
	}
	_, good := selfSigned(t)
	if _, err := LoadCAFile(good); err != nil {
		t.Error(err)
	}
}

func TestSMTPConfig_Validate_HELO_is_a_host_name(t *testing.T) {
	base := SMTPConfig{Host: "relais.paris.fr", Port: 587, TLS: TLSStartTLS, From: testFrom}
	for helo, ok := range map[string]bool{"": true, "cours.paris.fr": true, "vm": true, "cours paris": false, "a..b": false, "-x.fr": false, "é.fr": false} {
		c := base
		c.HELO = helo
		if err := c.Validate(); (err == nil) != ok {
			t.Errorf("HELO %q: Validate() = %v, want ok=%v", helo, err, ok)
		}
	}
}

// smtpError is a relay's reply, "550 5.1.1 text".
func smtpError(code int, enhanced, text string) *gosmtp.SMTPError {
	var ec gosmtp.EnhancedCode
	for i, part := range strings.SplitN(enhanced, ".", 3) {
		ec[i], _ = strconv.Atoi(part)
	}
	return &gosmtp.SMTPError{Code: code, EnhancedCode: ec, Message: text}
}
