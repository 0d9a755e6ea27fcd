package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP parameters. SHA-1, 6 digits and 30 s are what every authenticator app
// supports; other values are silently ignored by some of them, so they are fixed.
const (
	totpSecretLen = 20 // bytes: the HMAC-SHA-1 block output size, as RFC 4226 recommends
	totpDigits    = 6
	totpModulo    = 1_000_000 // 10^totpDigits
	totpPeriod    = 30        // seconds
	totpSkew      = 1         // steps accepted either side of the current one
)

// totpB32 is RFC 4648 base32 without padding, the form authenticator apps expect.
var totpB32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh random secret, base32-encoded without padding.
func NewTOTPSecret() (string, error) {
	b := make([]byte, totpSecretLen)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: new TOTP secret: read random bytes: %w", err)
	}
	return totpB32.EncodeToString(b), nil
}

// TOTPCode returns the 6-digit code for the 30-second step containing t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	step := totpStep(t)
	if step < 0 {
		return "", fmt.Errorf("auth: TOTP code: time %v is before 1970", t)
	}
	return formatTOTP(hotp(key, uint64(step))), nil
}

// VerifyTOTP accepts the code of the current step or of one step either side, to
// tolerate clock skew between the server and the phone. A code whose step is not
// after lastStep (the step of the last code accepted for this account, 0 if none)
// is refused, so a code seen over a shoulder or in a log cannot be used twice.
// On success it returns the accepted step, which the caller must store as the
// account's new lastStep.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	if !isTOTPCode(code) {
		return 0, false
	}
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return 0, false
	}
	current := totpStep(now)
	// Oldest step first: should two steps ever share a code, accepting the
	// older one leaves the newer one usable rather than burning it.
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		if s <= lastStep || s < 0 {
			continue
		}
		want := formatTOTP(hotp(key, uint64(s)))
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// TOTPURI returns the otpauth:// URI that authenticator apps read from a QR code
// (Google Authenticator's "Key Uri Format"). The issuer appears both in the label
// and as a parameter, because older apps only read one or the other.
func TOTPURI(issuer, account, secret string) string {
	return "otpauth://totp/" + escapeOTPAuth(issuer) + ":" + escapeOTPAuth(account) +
		"?secret=" + escapeOTPAuth(secret) +
		"&issuer=" + escapeOTPAuth(issuer) +
		fmt.Sprintf("&algorithm=SHA1&digits=%d&period=%d", totpDigits, totpPeriod)
}

// escapeOTPAuth percent-escapes a label part or a query value. Spaces become
// %20, not "+", because some apps show a "+" literally; ":" is escaped too since
// it separates issuer from account in the label.
func escapeOTPAuth(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// decodeTOTPSecret accepts the secret as people may type it from a setup screen:
// any case, with spaces, with or without "=" padding.
func decodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	s = strings.TrimRight(s, "=")
	key, err := totpB32.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("auth: decode TOTP secret: %w", err)
	}
	if len(key) == 0 {
		return nil, errors.New("auth: decode TOTP secret: empty secret")
	}
	return key, nil
}

// totpStep is the RFC 6238 time counter T = floor(unix time / 30).
func totpStep(t time.Time) int64 {
	sec := t.Unix()
	step := sec / totpPeriod
	if sec < 0 && sec%totpPeriod != 0 {
		step-- // floor, not truncation toward zero
	}
	return step
}

// hotp is RFC 4226: HMAC-SHA-1 of the big-endian counter, then dynamic
// truncation to a 31-bit number, reduced to the number of digits.
func hotp(key []byte, counter uint64) uint32 {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	return bin % totpModulo
}

func formatTOTP(v uint32) string {
	return fmt.Sprintf("%0*d", totpDigits, v)
}

// isTOTPCode reports whether code is exactly six ASCII digits.
func isTOTPCode(code string) bool {
	if len(code) != totpDigits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}
