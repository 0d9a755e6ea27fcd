package auth

import (
	"errors"
	"strings"
	"testing"
)

// fastParams keep the tests quick; one test below uses the real defaults.
var fastParams = PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1}

const goodPassword = "cours du soir à Lyon"

func TestPassword_staff_signin_round_trip(t *testing.T) {
	encoded, err := HashPassword(goodPassword, fastParams)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("encoded = %q, want PHC argon2id prefix", encoded)
	}
	ok, _, err := VerifyPassword(encoded, goodPassword)
	if err != nil || !ok {
		t.Errorf("VerifyPassword(right password) = %v, %v; want true, nil", ok, err)
	}
}

func TestPassword_staff_signin_wrong_password_refused(t *testing.T) {
	encoded, err := HashPassword(goodPassword, fastParams)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	for _, wrong := range []string{"", "cours du soir à lyon", goodPassword + " ", "cours du soir a Lyon"} {
		ok, _, err := VerifyPassword(encoded, wrong)
		if err != nil || ok {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false, nil", wrong, ok, err)
		}
	}
}

func TestPassword_salt_is_random(t *testing.T) {
	a, err := HashPassword(goodPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	b, err := HashPassword(goodPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("two hashes of the same password are equal: salt not random")
	}
}

func TestPassword_default_params_round_trip_without_rehash(t *testing.T) {
	encoded, err := HashPassword(goodPassword, DefaultPasswordParams)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("encoded = %q, want default parameters in it", encoded)
	}
	ok, needsRehash, err := VerifyPassword(encoded, goodPassword)
	if err != nil || !ok || needsRehash {
		t.Errorf("VerifyPassword = %v, %v, %v; want true, false, nil", ok, needsRehash, err)
	}
}

func TestPassword_needs_rehash_when_params_differ(t *testing.T) {
	encoded, err := HashPassword(goodPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	ok, needsRehash, err := VerifyPassword(encoded, goodPassword)
	if err != nil || !ok || !needsRehash {
		t.Errorf("VerifyPassword = %v, %v, %v; want true, true, nil", ok, needsRehash, err)
	}
}

func TestPassword_length_rules(t *testing.T) {
	tests := []struct {
		name     string
		password string
		wantErr  error
	}{
		{"11 characters refused", "abcdefghijk", ErrPasswordTooShort},
		// 11 runes but 14 bytes: length counts characters, not bytes.
		{"11 accented characters refused", "éèàçabcdefg", ErrPasswordTooShort},
		{"12 characters accepted", "abcdefghijkl", nil},
		{"12 accented characters accepted", "éèàçabcdefgh", nil},
		{"256 characters accepted", strings.Repeat("é", 256), nil},
		{"257 characters refused", strings.Repeat("é", 257), ErrPasswordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := HashPassword(tt.password, fastParams)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("HashPassword error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestPassword_too_short_message_is_french(t *testing.T) {
	_, err := HashPassword("court", fastParams)
	const want = "Le mot de passe doit compter au moins 12 caractères."
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestPassword_invalid_params_refused(t *testing.T) {
	for _, p := range []PasswordParams{
		{Memory: 1024, Iterations: 0, Parallelism: 1},
		{Memory: 1024, Iterations: 1, Parallelism: 0},
		{Memory: 4, Iterations: 1, Parallelism: 1},
	} {
		if _, err := HashPassword(goodPassword, p); err == nil {
			t.Errorf("HashPassword with %+v: want error", p)
		}
	}
}

func TestPassword_tampered_encoded_string_is_an_error(t *testing.T) {
	encoded, err := HashPassword(goodPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(encoded, "$")
	salt, key := parts[4], parts[5]

	tampered := map[string]string{
		"empty":              "",
		"not PHC":            "hunter2",
		"argon2i":            "$argon2i$v=19$m=1024,t=1,p=1$" + salt + "$" + key,
		"version 16":         "$argon2id$v=16$m=1024,t=1,p=1$" + salt + "$" + key,
		"missing key":        "$argon2id$v=19$m=1024,t=1,p=1$" + salt,
		"extra field":        encoded + "$x",
		"params reordered":   "$argon2id$v=19$t=1,m=1024,p=1$" + salt + "$" + key,
		"signed param":       "$argon2id$v=19$m=+1024,t=1,p=1$" + salt + "$" + key,
		"zero iterations":    "$argon2id$v=19$m=1024,t=0,p=1$" + salt + "$" + key,
		"huge memory":        "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key,
		"parallelism 256":    "$argon2id$v=19$m=1024,t=1,p=256$" + salt + "$" + key,
		"salt not base64":    "$argon2id$v=19$m=1024,t=1,p=1$!!!!$" + key,
		"key padded":         "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$" + key + "=",
		"key truncated":      "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$" + key[:8],
		"salt too short":     "$argon2id$v=19$m=1024,t=1,p=1$AAAA$" + key,
		"garbage after hash": encoded + "\x00",
	}
	for name, enc := range tampered {
		t.Run(name, func(t *testing.T) {
			ok, needsRehash, err := VerifyPassword(enc, goodPassword)
			if err == nil || ok || needsRehash {
				t.Errorf("VerifyPassword(%q) = %v, %v, %v; want false, false, error", enc, ok, needsRehash, err)
			}
		})
	}
}

func TestPassword_tampered_key_bytes_refused(t *testing.T) {
	encoded, err := HashPassword(goodPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	// Change the first character of the key: still valid base64, wrong key.
	i := strings.LastIndex(encoded, "$") + 1
	c := byte('A')
	if encoded[i] == 'A' {
		c = 'B'
	}
	altered := encoded[:i] + string(c) + encoded[i+1:]
	ok, _, err := VerifyPassword(altered, goodPassword)
	if err != nil || ok {
		t.Errorf("VerifyPassword(altered key) = %v, %v; want false, nil", ok, err)
	}
}

func TestPassword_dummy_verification_runs(t *testing.T) {
	// Only checks it does not panic on any input; its purpose is its cost.
	VerifyPasswordDummy("")
	VerifyPasswordDummy(goodPassword)
}

func FuzzParsePasswordHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=65536,t=3,p=2$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, encoded string) {
		h, err := parsePasswordHash(encoded)
		if err != nil {
			return
		}
		// Whatever parses must be within the bounds that keep a sign-in cheap.
		if h.params.validate() != nil || len(h.salt) < minPasswordSaltLen || len(h.key) < minPasswordKeyLen {
			t.Errorf("parsed out-of-bounds hash %+v from %q", h.params, encoded)
		}
	})
}
