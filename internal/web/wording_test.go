package web

import (
	"testing"

	"cma/internal/accounts"
	"cma/internal/domain"
	"cma/internal/i18n"
)

// TestFieldMessages_ACC4: a service's field errors are worded in the page's
// language and bound to the form's input ids, one message per input.
func TestFieldMessages_ACC4(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	errs := domain.FieldErrors{domain.ErrInvalidPhone, domain.ErrInvalidPostalCode, accounts.ErrReasonRequired}
	for lang, want := range map[i18n.Lang][2]string{
		i18n.French:  {"Le code postal doit comporter 5 chiffres, par exemple 75011.", "Indiquez la raison de la modification : elle est gardée dans le journal."},
		i18n.English: {"The postcode must have 5 digits, for example 75011.", "Give the reason for the change: it is kept in the audit trail."},
	} {
		list, byID := fieldMessages(words.Printer(lang), errs, profileInputs)
		if len(list) != 3 || list[0].Field != "telephone" || list[1].Field != "code_postal" || byID["code_postal"] != want[0] {
			t.Errorf("%s: %+v, %v", lang, list, byID)
		}
		// A field the form does not list keeps its logical name: still in the summary.
		if list[2].Field != "reason" || list[2].Message != want[1] {
			t.Errorf("%s: unlisted field %+v", lang, list[2])
		}
	}
}
