package domain

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckName_ROLE5_ACC4 is the one check of the names staff type (identity
// correction, staff accounts, assisted registration): letters of any script
// with accents, spaces, hyphens and both apostrophes; no digit, emoji or other
// sign; at most 100 characters; no leading or trailing punctuation.
func TestCheckName_ROLE5_ACC4(t *testing.T) {
	for in, want := range map[string]string{
		"Zoé":                      "Zoé",
		"  Jean-Pierre ":           "Jean-Pierre",
		"N'Diaye":                  "N'Diaye",
		"d’Alembert":               "d’Alembert",
		"Marie  Anne":              "Marie Anne",
		"Ærøskøbing":               "Ærøskøbing",
		"Nguyễn":                   "Nguyễn",
		"Οδυσσέας":                 "Οδυσσέας",
		"李":                        "李",
		"Zoe\u0301":                "Zoé", // a decomposed accent is composed
		strings.Repeat("é", 100):   strings.Repeat("é", 100),
		"De La Fontaine-d'Aubigné": "De La Fontaine-d'Aubigné",
	} {
		got, err := CheckLastName(in)
		if err != nil || got != want {
			t.Errorf("CheckLastName(%q) = %q, %v; want %q accepted", in, got, err, want)
		}
	}
	for in, want := range map[string]error{
		"":                       ErrLastNameMissing,
		"   ":                    ErrLastNameMissing,
		"Martin2":                ErrLastNameChars,
		"Camille 😀":              ErrLastNameChars,
		"-Martin":                ErrLastNameChars,
		"Martin'":                ErrLastNameChars,
		"’Martin":                ErrLastNameChars,
		"Jean--Pierre":           ErrLastNameChars,
		"O'-Neil":                ErrLastNameChars,
		"Martin.":                ErrLastNameChars,
		"<b>Martin</b>":          ErrLastNameChars,
		"Mar\x00tin":             ErrLastNameChars,
		"Mar\xfftin":             ErrLastNameChars,
		strings.Repeat("a", 101): ErrLastNameLong,
		strings.Repeat("😀", 500): ErrLastNameLong,
	} {
		if _, err := CheckLastName(in); !errors.Is(err, want) {
			t.Errorf("CheckLastName(%.30q) = %v, want %v", in, err, want)
		}
	}
	if _, err := CheckFirstName("Léa3"); !errors.Is(err, ErrFirstNameChars) {
		t.Errorf("a first name with a digit: %v, want the first name's error", err)
	}
	var fe FieldError
	if _, err := CheckFirstName(strings.Repeat("a", 101)); !errors.As(err, &fe) || fe.Field != "first_name" || fe.Args["Max"] != MaxNameLength {
		t.Errorf("too long a first name: %+v, want the field first_name and the limit in its arguments", fe)
	}
}
