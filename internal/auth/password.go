package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are the argon2id cost parameters. They are stored inside every
// encoded hash, so raising them later only makes new hashes dearer; old ones are
// upgraded at the next successful sign-in (see VerifyPassword's needsRehash).
type PasswordParams struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
}

// DefaultPasswordParams follow the OWASP argon2id recommendation band (64 MiB,
// 3 passes). It is read-only: code must never assign to it.
var DefaultPasswordParams = PasswordParams{Memory: 64 * 1024, Iterations: 3, Parallelism: 2}

const (
	passwordSaltLen = 16
	passwordKeyLen  = 32

	// Length rules count runes, not bytes, so that accented French passwords are
	// not penalised.
	minPasswordRunes = 12
	maxPasswordRunes = 256

	// Upper bounds accepted when parsing a stored hash: a tampered or corrupt row
	// must not make a sign-in allocate gigabytes or spin for minutes.
	maxPasswordMemory     = 1024 * 1024 // 1 GiB in KiB
	maxPasswordIterations = 64
	minPasswordSaltLen    = 8
	minPasswordKeyLen     = 16
	maxPasswordPartLen    = 1024 // bytes of a decoded salt or key
)

// These messages are shown as they are next to the password field, hence French.
var (
	ErrPasswordTooShort = errors.New("Le mot de passe doit compter au moins 12 caractères.")
	ErrPasswordTooLong  = errors.New("Le mot de passe ne doit pas dépasser 256 caractères.")
)

// errMalformedHash marks a stored hash that cannot be parsed; it is never shown
// to users.
var errMalformedHash = errors.New("auth: malformed password hash")

// phcB64 is the base64 flavour of the PHC string format: standard alphabet, no
// padding. Strict refuses non-zero trailing bits, so one hash has one spelling.
var phcB64 = base64.RawStdEncoding.Strict()

// HashPassword hashes password with argon2id and a fresh random salt and returns
// it in PHC string format. It refuses passwords outside 12..256 characters with
// an error whose message can be shown to the user.
func HashPassword(password string, p PasswordParams) (string, error) {
	n := utf8.RuneCountInString(password)
	if n < minPasswordRunes {
		return "", ErrPasswordTooShort
	}
	if n > maxPasswordRunes {
		return "", ErrPasswordTooLong
	}
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	salt := make([]byte, passwordSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: read random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, passwordKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism,
		phcB64.EncodeToString(salt), phcB64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the encoded hash. needsRehash
// is true when the hash was made with other parameters than today's defaults, so
// the caller should store a fresh HashPassword result while it has the clear
// password in hand. err is only for an encoded string that cannot be parsed; a
// wrong password is ok == false with a nil error.
func VerifyPassword(encoded, password string) (ok bool, needsRehash bool, err error) {
	h, err := parsePasswordHash(encoded)
	if err != nil {
		return false, false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Iterations, h.params.Memory, h.params.Parallelism, uint32(len(h.key)))
	// Constant time so that the comparison does not tell how many leading
	// bytes of the key were right.
	if subtle.ConstantTimeCompare(key, h.key) != 1 {
		return false, false, nil
	}
	needsRehash = h.params != DefaultPasswordParams ||
		len(h.salt) != passwordSaltLen || len(h.key) != passwordKeyLen
	return true, needsRehash, nil
}

// VerifyPasswordDummy spends the same time as VerifyPassword on a hash made with
// the default parameters. Sign-in calls it when the account does not exist, so
// response time does not reveal which e-mail addresses have an account.
func VerifyPasswordDummy(password string) {
	p := DefaultPasswordParams
	salt := make([]byte, passwordSaltLen)
	want := make([]byte, passwordKeyLen)
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, passwordKeyLen)
	// The result is ignored on purpose; the comparison is kept so the work done
	// matches VerifyPassword's.
	_ = subtle.ConstantTimeCompare(key, want)
}

func (p PasswordParams) validate() error {
	switch {
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxPasswordMemory:
		// argon2 needs at least 8 KiB per lane.
		return fmt.Errorf("invalid argon2 memory %d KiB for parallelism %d", p.Memory, p.Parallelism)
	case p.Iterations < 1 || p.Iterations > maxPasswordIterations:
		return fmt.Errorf("invalid argon2 iterations %d", p.Iterations)
	case p.Parallelism < 1:
		return fmt.Errorf("invalid argon2 parallelism %d", p.Parallelism)
	}
	return nil
}

type passwordHash struct {
	params PasswordParams
	salt   []byte
	key    []byte
}

// parsePasswordHash reads "$argon2id$v=19$m=M,t=T,p=P$<salt>$<key>" strictly:
// anything else, including other argon2 variants and versions, is an error.
func parsePasswordHash(encoded string) (passwordHash, error) {
	var h passwordHash
	fail := func(what string) (passwordHash, error) {
		return passwordHash{}, fmt.Errorf("%w: %s", errMalformedHash, what)
	}

	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("expected 5 $-separated fields")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("unsupported argon2 version")
	}

	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return fail("expected m=,t=,p= parameters")
	}
	m, err := parsePHCParam(fields[0], "m", 32)
	if err != nil {
		return fail(err.Error())
	}
	t, err := parsePHCParam(fields[1], "t", 32)
	if err != nil {
		return fail(err.Error())
	}
	p, err := parsePHCParam(fields[2], "p", 8)
	if err != nil {
		return fail(err.Error())
	}
	h.params = PasswordParams{Memory: uint32(m), Iterations: uint32(t), Parallelism: uint8(p)}
	if err := h.params.validate(); err != nil {
		return fail(err.Error())
	}

	if len(parts[4]) > maxPasswordPartLen*2 || len(parts[5]) > maxPasswordPartLen*2 {
		return fail("salt or key too long")
	}
	if h.salt, err = phcB64.DecodeString(parts[4]); err != nil {
		return fail("salt: " + err.Error())
	}
	if h.key, err = phcB64.DecodeString(parts[5]); err != nil {
		return fail("key: " + err.Error())
	}
	if len(h.salt) < minPasswordSaltLen || len(h.key) < minPasswordKeyLen {
		return fail("salt or key too short")
	}
	return h, nil
}

// parsePHCParam parses "name=digits". strconv.ParseUint alone would accept a
// leading "+", so digits are checked first to keep one spelling per value.
func parsePHCParam(field, name string, bits int) (uint64, error) {
	v, found := strings.CutPrefix(field, name+"=")
	if !found || v == "" || strings.TrimLeft(v, "0123456789") != "" {
		return 0, fmt.Errorf("parameter %q: want %s=<digits>", field, name)
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("parameter %s: %w", name, err)
	}
	return n, nil
}
