package views_test

import (
	"testing"
	"time"

	"cma/internal/i18n"
	"cma/internal/web/views"
)

// TestDates_first_of_the_month: French writes "1er juin", never "1 juin";
// English keeps "1 June". Every date the pages write goes through ShortDate.
func TestDates_first_of_the_month(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	fr := &views.Page{P: words.Printer(i18n.French)}
	en := &views.Page{P: words.Printer(i18n.English)}
	june1 := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{fr.ShortDate(june1), "1er juin 2027"},
		{fr.ShortDate(june1.AddDate(0, 0, 1)), "2 juin 2027"},
		{fr.ShortDate(time.Date(2027, 6, 11, 0, 0, 0, 0, time.UTC)), "11 juin 2027"},
		{fr.ShortDate(time.Date(2027, 6, 21, 0, 0, 0, 0, time.UTC)), "21 juin 2027"},
		{fr.Date(june1), "mardi 1er juin 2027"},
		{fr.DateTime(time.Date(2026, 12, 1, 9, 5, 0, 0, time.UTC), paris), "1er décembre 2026 à 10h05"},
		{en.ShortDate(june1), "1 June 2027"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
