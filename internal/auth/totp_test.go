package auth

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the RFC 6238 Appendix B SHA-1 secret, ASCII "12345678901234567890".
func rfcSecret() string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
}

func TestTOTP_ROLE5_second_factor_RFC6238_vectors(t *testing.T) {
	// The RFC gives 8-digit values; a 6-digit code is the same truncated number
	// mod 10^6, i.e. its last six digits.
	vectors := []struct {
		unix int64
		rfc8 string
		step int64
	}{
		{59, "94287082", 0x1},
		{1111111109, "07081804", 0x23523EC},
		{1111111111, "14050471", 0x23523ED},
		{1234567890, "89005924", 0x273EF07},
		{2000000000, "69279037", 0x3F940AA},
		{20000000000, "65353130", 0x27BC86AA},
	}
	secret := rfcSecret()
	for _, v := range vectors {
		tm := time.Unix(v.unix, 0).UTC()
		if got := totpStep(tm); got != v.step {
			t.Errorf("step at %d = %#x, want %#x", v.unix, got, v.step)
		}
		code, err := TOTPCode(secret, tm)
		if err != nil {
			t.Fatalf("TOTPCode(%d): %v", v.unix, err)
		}
		if want := v.rfc8[2:]; code != want {
			t.Errorf("TOTPCode at %d = %s, want %s (last 6 digits of RFC %s)", v.unix, code, want, v.rfc8)
		}
	}
}

func TestTOTP_ROLE5_second_factor_skew_window(t *testing.T) {
	secret := rfcSecret()
	now := time.Unix(1234567890, 0)
	current := totpStep(now)
	for _, tt := range []struct {
		offset int64
		want   bool
	}{
		{-2, false}, {-1, true}, {0, true}, {1, true}, {2, false},
	} {
		code, err := TOTPCode(secret, now.Add(time.Duration(tt.offset)*totpPeriod*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		step, ok := VerifyTOTP(secret, code, now, 0)
		if ok != tt.want {
			t.Errorf("code from step %+d: ok = %v, want %v", tt.offset, ok, tt.want)
		}
		if ok && step != current+tt.offset {
			t.Errorf("code from step %+d: returned step %d, want %d", tt.offset, step, current+tt.offset)
		}
	}
}

func TestTOTP_ROLE5_second_factor_replay_refused(t *testing.T) {
	secret := rfcSecret()
	now := time.Unix(1234567890, 0)
	code, err := TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	step, ok := VerifyTOTP(secret, code, now, 0)
	if !ok {
		t.Fatal("first use refused")
	}
	// Same code again, even a few seconds later within the window: refused.
	if _, ok := VerifyTOTP(secret, code, now.Add(10*time.Second), step); ok {
		t.Error("replayed code accepted")
	}
	// An older code still inside the skew window is refused too.
	prev, err := TOTPCode(secret, now.Add(-totpPeriod*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := VerifyTOTP(secret, prev, now, step); ok {
		t.Error("code older than the last accepted one accepted")
	}
	// The next step's code is still fine.
	next, err := TOTPCode(secret, now.Add(totpPeriod*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := VerifyTOTP(secret, next, now.Add(totpPeriod*time.Second), step); !ok || got != step+1 {
		t.Errorf("next code: step %d, ok %v; want %d, true", got, ok, step+1)
	}
}

func TestTOTP_ROLE5_second_factor_malformed_codes_refused(t *testing.T) {
	secret := rfcSecret()
	now := time.Unix(1234567890, 0)
	code, err := TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"", "12345", "abcdef", "1234567", code + "0", " " + code, code[:5],
		"٠١٢٣٤٥", // Arabic-Indic digits are not ASCII digits
		"-12345", "+12345", "12 345",
	} {
		if _, ok := VerifyTOTP(secret, bad, now, 0); ok {
			t.Errorf("malformed code %q accepted", bad)
		}
	}
}

func TestTOTP_ROLE5_second_factor_bad_secret_refused(t *testing.T) {
	now := time.Unix(1234567890, 0)
	for _, secret := range []string{"", "not base32!", "1"} {
		if _, err := TOTPCode(secret, now); err == nil {
			t.Errorf("TOTPCode(%q): want error", secret)
		}
		if _, ok := VerifyTOTP(secret, "123456", now, 0); ok {
			t.Errorf("VerifyTOTP with secret %q accepted", secret)
		}
	}
}

func TestTOTP_secret_as_typed_by_hand(t *testing.T) {
	secret := rfcSecret()
	now := time.Unix(1234567890, 0)
	want, err := TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	typed := strings.ToLower(secret[:4] + " " + secret[4:])
	got, err := TOTPCode(typed, now)
	if err != nil || got != want {
		t.Errorf("TOTPCode(%q) = %q, %v; want %q", typed, got, err, want)
	}
}

func TestTOTP_new_secret(t *testing.T) {
	a, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("two secrets are equal")
	}
	if len(a) != 32 || strings.Contains(a, "=") {
		t.Errorf("secret %q: want 32 base32 characters without padding", a)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(a)
	if err != nil || len(raw) != 20 {
		t.Errorf("secret decodes to %d bytes, err %v; want 20", len(raw), err)
	}
	now := time.Now()
	code, err := TOTPCode(a, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := VerifyTOTP(a, code, now, 0); !ok {
		t.Error("fresh secret: own code refused")
	}
}

func TestTOTP_URI(t *testing.T) {
	uri := TOTPURI("Cours du soir & Co", "marie.dupont+cs@ville.fr", "JBSWY3DPEHPK3PXP")
	const want = "otpauth://totp/Cours%20du%20soir%20%26%20Co:marie.dupont%2Bcs%40ville.fr" +
		"?secret=JBSWY3DPEHPK3PXP&issuer=Cours%20du%20soir%20%26%20Co&algorithm=SHA1&digits=6&period=30"
	if uri != want {
		t.Errorf("TOTPURI =\n %s\nwant\n %s", uri, want)
	}

	u, err := url.Parse(uri)
	if err != nil {
		t.Fatalf("url.Parse: %v", err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" {
		t.Errorf("scheme/host = %s/%s", u.Scheme, u.Host)
	}
	if u.Path != "/Cours du soir & Co:marie.dupont+cs@ville.fr" {
		t.Errorf("label = %q", u.Path)
	}
	q := u.Query()
	for k, v := range map[string]string{
		"secret": "JBSWY3DPEHPK3PXP", "issuer": "Cours du soir & Co",
		"algorithm": "SHA1", "digits": "6", "period": "30",
	} {
		if q.Get(k) != v {
			t.Errorf("query %s = %q, want %q", k, q.Get(k), v)
		}
	}
}

func TestTOTP_URI_escapes_colon_in_label_parts(t *testing.T) {
	uri := TOTPURI("a:b", "c:d", "JBSWY3DPEHPK3PXP")
	label := strings.TrimPrefix(uri[:strings.Index(uri, "?")], "otpauth://totp/")
	if strings.Count(label, ":") != 1 {
		t.Errorf("label %q: want exactly one unescaped colon, between issuer and account", label)
	}
}

func FuzzVerifyTOTPCode(f *testing.F) {
	secret := rfcSecret()
	now := time.Unix(1234567890, 0)
	for _, s := range []string{"005924", "12345", "abcdef", "1234567", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		step, ok := VerifyTOTP(secret, code, now, 0)
		if !ok {
			return
		}
		if !isTOTPCode(code) {
			t.Errorf("accepted malformed code %q", code)
		}
		if d := step - totpStep(now); d < -1 || d > 1 {
			t.Errorf("accepted step %d outside the window", step)
		}
	})
}
