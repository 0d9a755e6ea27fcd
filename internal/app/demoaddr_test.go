package app

import (
	"bufio"
	"bytes"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// `serve --demo` prints where its catalogue, development sign-on and mail sink
// are, and each address answers: the pages over HTTP, the sink over SMTP.
func TestServeDemoPrintsItsAddresses(t *testing.T) {
	var out bytes.Buffer
	base := startServeWith(t, func(env *Env) { env.Stdout = &out },
		"--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	printed := out.String()
	t.Logf("printed:\n%s", printed)
	for _, want := range []string{
		"catalogue            " + base + "/catalogue\n",
		"development sign-on  " + base + "/connexion ",
		"mail sink            " + base + "/dev/courriels ",
	} {
		if !strings.Contains(printed, want) {
			t.Errorf("serve --demo did not print %q", want)
		}
	}
	for _, path := range []string{"/catalogue", "/connexion", "/dev/courriels"} {
		if code, _ := get(t, base+path); code != 200 {
			t.Errorf("%s: %d", path, code)
		}
	}
	m := regexp.MustCompile(`\(SMTP (127\.0\.0\.1:\d+)\)`).FindStringSubmatch(printed)
	if m == nil {
		t.Fatal("no SMTP address printed for the mail sink")
	}
	smtpGreets(t, m[1])
}

// The sink's SMTP address is a setting (--mail-sink-addr, CMA_MAIL_SINK_ADDR).
func TestServeDemo_mail_sink_at_the_address_given(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String() // a port free a moment ago
	ln.Close()
	var out bytes.Buffer
	startServeWith(t, func(env *Env) {
		env.Stdout = &out
		env.Getenv = func(k string) string {
			if k == "CMA_MAIL_SINK_ADDR" {
				return addr
			}
			return ""
		}
	}, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo")
	if !strings.Contains(out.String(), "(SMTP "+addr+")") {
		t.Fatalf("printed %q, want the sink at %s", out.String(), addr)
	}
	smtpGreets(t, addr)
}

// smtpGreets connects to addr and expects an SMTP greeting (220).
func smtpGreets(t *testing.T, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("mail sink at %s: %v", addr, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "220") {
		t.Fatalf("mail sink at %s greets %q (%v), want 220", addr, line, err)
	}
}
