package documents

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// goRegularFont is the parsed Go Regular font, used only to know which characters
// the embedded fonts can draw (Go Regular, Bold and Italic cover the same set).
var goRegularFont = sync.OnceValues(func() (*sfnt.Font, error) {
	return sfnt.Parse(goregular.TTF)
})

// textCleaner makes caller text safe to draw with the Go fonts: control characters
// go, spaces the font lacks (such as the narrow no-break space U+202F that
// FrenchMoney writes) become spaces it has, and any other missing character
// becomes "?" instead of an empty box. One cleaner serves one document.
type textCleaner struct {
	font  *sfnt.Font // nil when parsing failed: then only the fixed rules apply
	buf   sfnt.Buffer
	known map[rune]bool
}

func newTextCleaner() *textCleaner {
	f, err := goRegularFont()
	if err != nil {
		f = nil
	}
	return &textCleaner{font: f, known: make(map[rune]bool)}
}

// covered reports whether the fonts have a glyph for r (r ≥ 0x80).
func (c *textCleaner) covered(r rune) bool {
	if r > 0xFFFF { // fpdf's UTF-8 fonts only index the basic multilingual plane
		return false
	}
	if ok, seen := c.known[r]; seen {
		return ok
	}
	ok := true
	if c.font != nil {
		g, err := c.font.GlyphIndex(&c.buf, r)
		ok = err == nil && g != 0
	}
	c.known[r] = ok
	return ok
}

// fallback replaces a letter the fonts lack by its decomposition without the marks
// they lack ("ễ" becomes "e", keeping "Nguyen" readable), or "?" when nothing is left.
func (c *textCleaner) fallback(r rune) string {
	var b strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if d < utf8.RuneSelf || (c.covered(d) && !unicode.Is(unicode.Mn, d)) {
			b.WriteRune(d)
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return norm.NFC.String(b.String())
}

// clean returns s ready for the PDF. When multiline is false, line breaks and tabs
// become spaces; otherwise "\n" is kept (and "\r\n" becomes "\n").
func (c *textCleaner) clean(s string, multiline bool) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if b := s[i]; b >= utf8.RuneSelf || b < 0x20 || b == 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && multiline:
			b.WriteByte('\n')
		case r == '\r':
			if !multiline {
				b.WriteByte(' ')
			}
		case r == '\n' || r == '\t' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
			// other control characters are dropped
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r == utf8.RuneError:
			b.WriteByte('?')
		case c.covered(r):
			b.WriteRune(r)
		case r == '\u202f' || r == '\u2007': // no-break spaces the font lacks
			b.WriteString(noBreakSpace)
		case unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		case unicode.In(r, unicode.Mn, unicode.Cf):
			// zero-width marks and format characters the font lacks are dropped
		default:
			b.WriteString(c.fallback(r))
		}
	}
	return b.String()
}
