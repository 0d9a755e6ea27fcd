package domain

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SearchKey folds text for accent- and case-insensitive search: lower case, accents
// removed, ligatures expanded, every run of non-letters and non-digits turned into
// one space. "Œnologie — Café" becomes "oenologie cafe".
func SearchKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces
	// Invalid UTF-8 separates words. It is replaced before decomposing, as
	// norm leaves the letter after a stray lead byte composed: "\xf0é" kept
	// its accent.
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // combining accent
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
			space = false
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
			space = false
		case r == 'ß' || r == 'ẞ': // the capital folds to ß, so both give "ss"
			b.WriteString("ss")
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}
