package domain

// Fuzz targets for the normalisers of what people type: phone numbers,
// postal addresses and the search keys of names and titles. Seed corpora
// live in testdata/fuzz/FuzzXxx/; run one for a while with
//
//	go test -run=NONE -fuzz=FuzzSearchKey -fuzztime=30s ./internal/domain/

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// digitsOf keeps the ASCII digits of s.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// FuzzNormalizePhone_ACC4: a number typed in the profile is refused or comes
// back in E.164 form (+ and 8 to 15 digits, no leading 0; a French one +33 and
// nine digits), made of the digits typed and nothing else; normalising it
// again gives it back, and so does normalising the way it is shown.
func FuzzNormalizePhone_ACC4(f *testing.F) {
	for _, s := range []string{"06 12 34 56 78", "+33 6 12 34 56 78", "0044 20 7946 0958", "+1 (415) 555-0100",
		"01.23.45.67.89", "+33 06 12 34 56 78", "00 12", "06\u00a012\u00a034\u00a056\u00a078", "", "  ", "+", "0612345678901234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizePhone(in)
		if err != nil {
			if out != "" {
				t.Fatalf("NormalizePhone(%q) = %q with error %v", in, out, err)
			}
			return
		}
		if strings.TrimSpace(in) == "" {
			if out != "" {
				t.Fatalf("NormalizePhone(%q) = %q, want empty", in, out)
			}
			return
		}
		d := strings.TrimPrefix(out, "+")
		switch {
		case d == out || digitsOf(d) != d || len(d) < 8 || len(d) > 15 || d[0] == '0':
			t.Fatalf("NormalizePhone(%q) = %q: not E.164", in, out)
		case strings.HasPrefix(d, "33") && (len(d) != 11 || d[2] == '0'):
			t.Fatalf("NormalizePhone(%q) = %q: not a French number", in, out)
		}
		typed := digitsOf(in)
		if !strings.HasSuffix(typed, d) && !(typed[0] == '0' && d == "33"+typed[1:]) {
			t.Fatalf("NormalizePhone(%q) = %q: digits not the ones typed", in, out)
		}
		if again, err := NormalizePhone(out); err != nil || again != out {
			t.Fatalf("NormalizePhone(%q) = %q, then %q, %v", in, out, again, err)
		}
		if shown, err := NormalizePhone(FormatPhone(out)); err != nil || shown != out {
			t.Fatalf("%q is shown as %q, which normalises to %q, %v", out, FormatPhone(out), shown, err)
		}
	})
}

// FuzzCheckAddress_ACC4: an address is refused or comes back checked: every
// field trimmed, a two-letter country, and either no address at all or one
// with a street line, a city and a postal code of the country's form. A
// checked address passes the check again unchanged.
func FuzzCheckAddress_ACC4(f *testing.F) {
	f.Add("5 rue Parmentier", "", "75011", "Paris", "")
	f.Add("10 Downing Street", "Flat 1", "sw1a 2aa", "London", "gb")
	f.Add("", "", "", "", "")
	f.Add("x", "", "12", "y", "France")
	f.Add(" 5 rue Parmentier ", "", " 75011 ", " Paris ", " fr ")
	f.Add("Hauptstraße 1", "", "10-115", "Berlin", "de")
	f.Add("", "Bâtiment B", "", "", "")
	f.Fuzz(func(t *testing.T, line1, line2, postalCode, city, country string) {
		in := Address{Line1: line1, Line2: line2, PostalCode: postalCode, City: city, Country: country}
		out, err := CheckAddress(in)
		if err != nil {
			return
		}
		for _, field := range []string{out.Line1, out.Line2, out.PostalCode, out.City, out.Country} {
			if field != strings.TrimSpace(field) {
				t.Fatalf("CheckAddress(%+v) = %+v: a field is not trimmed", in, out)
			}
		}
		if len(out.Country) != 2 || strings.Trim(out.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Fatalf("CheckAddress(%+v) = %+v: country not two letters", in, out)
		}
		empty := out.Line1 == "" && out.Line2 == "" && out.PostalCode == "" && out.City == ""
		if !empty {
			checkPostalAddress(t, in, out)
		}
		again, err := CheckAddress(out)
		if err != nil || again != out {
			t.Fatalf("CheckAddress(%+v) = %+v, then %+v, %v", in, out, again, err)
		}
	})
}

// checkPostalAddress fails t unless out, accepted for in, is a complete
// address with a postal code of its country's form.
func checkPostalAddress(t *testing.T, in, out Address) {
	t.Helper()
	if out.Line1 == "" || out.City == "" {
		t.Fatalf("CheckAddress(%+v) = %+v: accepted without a street line or a city", in, out)
	}
	if out.Country == "FR" {
		if len(out.PostalCode) != 5 || digitsOf(out.PostalCode) != out.PostalCode {
			t.Fatalf("CheckAddress(%+v) = %+v: French postal code not five digits", in, out)
		}
		return
	}
	compact := strings.NewReplacer(" ", "", "-", "").Replace(out.PostalCode)
	if len(compact) < 2 || len(compact) > 10 || strings.Trim(compact, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		t.Fatalf("CheckAddress(%+v) = %+v: foreign postal code of the wrong form", in, out)
	}
}

// frenchText keeps the characters French names and titles are written with:
// ASCII, the accented letters and ligatures of French, and a few marks.
func frenchText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf || strings.ContainsRune("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ’«»—–\u00a0", r) {
			return r
		}
		return -1
	}, s)
}

// FuzzSearchKey: a search key is lower case, without accents, made of letters
// and digits in words separated by single spaces; folding it again changes
// nothing; and for French text upper and lower case give the same key.
func FuzzSearchKey(f *testing.F) {
	for _, s := range []string{"Œnologie — Café", "  ÉLÉMENTAIRE  ", "CAP Petite-enfance (AEPE)", "Straße", "STRASSE",
		"Ærø", "İstanbul", "ǅemal", "e\u0301cole", "\xff\xfe", "日本語 3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key := SearchKey(s)
		if SearchKey(key) != key {
			t.Fatalf("SearchKey(%q) = %q, then %q: not idempotent", s, key, SearchKey(key))
		}
		if key != strings.TrimSpace(key) || strings.Contains(key, "  ") {
			t.Fatalf("SearchKey(%q) = %q: spaces around or doubled", s, key)
		}
		if !norm.NFD.IsNormalString(key) {
			t.Fatalf("SearchKey(%q) = %q: not decomposed", s, key)
		}
		for _, r := range key {
			switch {
			case r == ' ':
			case unicode.Is(unicode.Mn, r):
				t.Fatalf("SearchKey(%q) = %q: keeps the accent %U", s, key, r)
			case !unicode.IsLetter(r) && !unicode.IsDigit(r):
				t.Fatalf("SearchKey(%q) = %q: keeps %q, neither letter nor digit", s, key, r)
			case unicode.ToLower(r) != r:
				t.Fatalf("SearchKey(%q) = %q: keeps the capital %q", s, key, r)
			}
		}
		fr := frenchText(s)
		if upper, lower := SearchKey(strings.ToUpper(fr)), SearchKey(strings.ToLower(fr)); upper != lower || upper != SearchKey(fr) {
			t.Fatalf("%q folds to %q in upper case, %q in lower case, %q as typed", fr, upper, lower, SearchKey(fr))
		}
	})
}

// FuzzIdentityKey_ACC3: the identity key of two accounts is the same when
// their names differ only by case, accents or punctuation; it is empty when
// the birth date or the last name is missing, and otherwise reads
// last|first|YYYY-MM-DD.
func FuzzIdentityKey_ACC3(f *testing.F) {
	f.Add("Müller", "Zoé", int64(7306))
	f.Add("  MULLER ", "zoe", int64(7306))
	f.Add("d'Artagnan", "Jean-Charles", int64(-3000))
	f.Add("—", "Zoé", int64(7306))
	f.Add("Nom|Prénom", "x|y", int64(0))
	f.Fuzz(func(t *testing.T, last, first string, days int64) {
		birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days%100000))
		key := IdentityKey(last, first, birth)
		if SearchKey(last) == "" {
			if key != "" {
				t.Fatalf("IdentityKey(%q, %q) = %q without a last name", last, first, key)
			}
			return
		}
		parts := strings.Split(key, "|")
		if len(parts) != 3 || parts[0] != SearchKey(last) || parts[1] != SearchKey(first) || parts[2] != birth.Format(time.DateOnly) {
			t.Fatalf("IdentityKey(%q, %q, %s) = %q", last, first, birth.Format(time.DateOnly), key)
		}
		if IdentityKey(last, first, time.Time{}) != "" {
			t.Fatalf("IdentityKey(%q, %q) without a birth date is not empty", last, first)
		}
		fl, ff := frenchText(last), frenchText(first)
		if SearchKey(fl) != "" && IdentityKey(strings.ToUpper(fl), strings.ToLower(ff), birth) != IdentityKey(strings.ToLower(fl), strings.ToUpper(ff), birth) {
			t.Fatalf("IdentityKey of %q %q depends on case", fl, ff)
		}
	})
}

// TestSearchKey_capital_sharp_s_folds_like_sharp_s: "STRAẞE" folded to
// "straße", which folds again to "strasse", so a search for "Straße" missed a
// name written in capitals (the key was not idempotent).
func TestSearchKey_capital_sharp_s_folds_like_sharp_s(t *testing.T) {
	for _, s := range []string{"STRAẞE", "Straße", "STRASSE", "strasse"} {
		if got := SearchKey(s); got != "strasse" {
			t.Errorf("SearchKey(%q) = %q, want strasse", s, got)
		}
	}
}

// TestCheckAddress_ACC4_second_line_alone_is_refused: an address with only
// its second line ("Bâtiment B") passed as "no address given" and was kept
// as it was, an address without street or city.
func TestCheckAddress_ACC4_second_line_alone_is_refused(t *testing.T) {
	if a, err := CheckAddress(Address{Line2: "Bâtiment B"}); err == nil {
		t.Fatalf("CheckAddress accepted %+v", a)
	}
	if _, err := CheckAddress(Address{Line2: "  "}); err != nil {
		t.Fatalf("an empty address with a blank second line: %v", err)
	}
}

// TestSearchKey_invalid_utf8_does_not_keep_accents: a stray lead byte
// before a letter left that letter composed, so "\xf0École" folded to
// "école" with its accent, and "\xf0ئ" to a key that changed when folded
// again. Found by FuzzSearchKey.
func TestSearchKey_invalid_utf8_does_not_keep_accents(t *testing.T) {
	for in, want := range map[string]string{"\xf0École": "ecole", "caf\xf0é": "caf e", "\xf0ئ": "ي", "\xff\xfe": ""} {
		if got := SearchKey(in); got != want {
			t.Errorf("SearchKey(%q) = %q, want %q", in, got, want)
		}
	}
}
