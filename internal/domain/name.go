package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameLength is the longest last or first name accepted, in characters.
const MaxNameLength = 100

// The errors of CheckFirstName and CheckLastName, on the logical fields
// "first_name" and "last_name" of every form that takes a person's name.
var (
	ErrFirstNameMissing = FieldError{Field: "first_name", Key: "person.error.first_name"}
	ErrFirstNameChars   = FieldError{Field: "first_name", Key: "person.error.first_name_chars"}
	ErrFirstNameLong    = FieldError{Field: "first_name", Key: "person.error.first_name_long", Args: map[string]any{"Max": MaxNameLength}}
	ErrLastNameMissing  = FieldError{Field: "last_name", Key: "person.error.last_name"}
	ErrLastNameChars    = FieldError{Field: "last_name", Key: "person.error.last_name_chars"}
	ErrLastNameLong     = FieldError{Field: "last_name", Key: "person.error.last_name_long", Args: map[string]any{"Max": MaxNameLength}}
)

// CheckFirstName is CheckLastName for a first name.
func CheckFirstName(s string) (string, error) {
	return checkName(s, ErrFirstNameMissing, ErrFirstNameChars, ErrFirstNameLong)
}

// CheckLastName checks and tidies a last name as staff type it (ACC-4, ROLE-5,
// CAN-8): the one check of every form that takes a person's name. The name is
// trimmed, composed (NFC) and its runs of spaces made one; it holds letters of
// any script with their accents, spaces, hyphens and apostrophes (' and ’)
// only, begins and ends with a letter, has no two hyphens or apostrophes in a
// row, and is at most MaxNameLength characters long. Its errors are
// FieldErrors on the field "last_name".
func CheckLastName(s string) (string, error) {
	return checkName(s, ErrLastNameMissing, ErrLastNameChars, ErrLastNameLong)
}

func checkName(s string, missing, chars, long FieldError) (string, error) {
	s = strings.Join(strings.Fields(norm.NFC.String(strings.ToValidUTF8(s, "\ufffd"))), " ")
	if s == "" {
		return "", missing
	}
	if utf8.RuneCountInString(s) > MaxNameLength {
		return s, long
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if !unicode.IsLetter(first) || !(unicode.IsLetter(last) || unicode.Is(unicode.M, last)) {
		return s, chars
	}
	prevMark := false
	for _, r := range s {
		mark := r == '-' || r == '\'' || r == '’'
		switch {
		case mark && prevMark:
			return s, chars
		case mark, r == ' ', unicode.IsLetter(r), unicode.Is(unicode.M, r):
		default:
			return s, chars
		}
		prevMark = mark
	}
	return s, nil
}
