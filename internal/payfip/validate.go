package payfip

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Limits PayFiP puts on creerPaiementSecurise's fields.
const (
	melMin, melMax       = 6, 80
	refdetMin, refdetMax = 6, 30
	objetMax             = 100
)

func isASCIIAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// validRefdet: alphanumeric, 6 to 30 characters.
func validRefdet(s string) bool {
	if len(s) < refdetMin || len(s) > refdetMax {
		return false
	}
	for _, r := range s {
		if !isASCIIAlnum(r) {
			return false
		}
	}
	return true
}

// validMel: 6 to 80 characters, one @ with something on both sides, no space
// or control character. PayFiP checks little more; neither do we.
func validMel(s string) bool {
	if len(s) < melMin || len(s) > melMax {
		return false
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// validObjet: at most 100 letters, digits and spaces (empty is allowed: objet
// is optional).
func validObjet(s string) bool {
	if len(s) > objetMax {
		return false
	}
	for _, r := range s {
		if !isASCIIAlnum(r) && r != ' ' {
			return false
		}
	}
	return true
}

// validURL: an absolute http or https URL.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// SanitizeObjet turns French text into a valid objet: accents stripped
// ("é" → "e", "œ" → "oe"), any other character outside letters and digits
// (apostrophes, dashes, punctuation, symbols) turned into a space, spaces
// collapsed, cut to 100 characters.
func SanitizeObjet(s string) string {
	var b strings.Builder
	space := false
	put := func(r rune) {
		if r == ' ' {
			space = b.Len() > 0
			return
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	for _, r := range norm.NFKD.String(s) {
		switch {
		case isASCIIAlnum(r):
			put(r)
		case unicode.Is(unicode.Mn, r):
			// a combining accent left by the decomposition
		case ligature(r) != "":
			for _, l := range ligature(r) {
				put(l)
			}
		default:
			// Spaces, apostrophes, dashes and punctuation separate words:
			// "45,00" stays two numbers, "l'année" two words.
			put(' ')
		}
	}
	out := b.String()
	if len(out) > objetMax {
		out = strings.TrimRight(out[:objetMax], " ")
	}
	return out
}

// ligature spells the letters NFKD does not decompose.
func ligature(r rune) string {
	switch r {
	case 'œ':
		return "oe"
	case 'Œ':
		return "OE"
	case 'æ':
		return "ae"
	case 'Æ':
		return "AE"
	case 'ß':
		return "ss"
	case 'ø':
		return "o"
	case 'Ø':
		return "O"
	case 'đ':
		return "d"
	case 'ł':
		return "l"
	case 'Ł':
		return "L"
	}
	return ""
}

// checkRequest refuses what PayFiP would refuse, before calling it.
func checkRequest(r CreateRequest) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
	}
	switch {
	case r.Exer < 1000 || r.Exer > 9999:
		return bad("exer must be a year of 4 digits, got %d", r.Exer)
	case !validMel(r.Mel):
		return bad("mel must be an email address of 6 to 80 characters with an @, got %q", r.Mel)
	case r.Montant <= 0:
		return bad("montant must be a positive amount in cents, got %d", r.Montant)
	case !validObjet(r.Objet):
		return bad("objet must be at most 100 letters, digits and spaces (see SanitizeObjet), got %q", r.Objet)
	case !validRefdet(r.Refdet):
		return bad("refdet must be 6 to 30 letters and digits, got %q", r.Refdet)
	case !validURL(r.URLNotif):
		return bad("urlnotif must be an absolute http(s) URL, got %q", r.URLNotif)
	case !validURL(r.URLRedirect):
		return bad("urlredirect must be an absolute http(s) URL, got %q", r.URLRedirect)
	}
	return nil
}
