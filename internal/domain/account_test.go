package domain

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAgeOn_ACC1(t *testing.T) {
	birth := day(2008, 9, 28)
	for _, tc := range []struct {
		on   time.Time
		want int
	}{
		{day(2026, 9, 27), 17}, // the day before the 18th birthday
		{day(2026, 9, 28), 18}, // the birthday itself
		{day(2027, 1, 1), 18},
	} {
		if got := AgeOn(birth, tc.on); got != tc.want {
			t.Errorf("AgeOn(%s) = %d, want %d", tc.on.Format(time.DateOnly), got, tc.want)
		}
	}
	if AgeOn(day(2008, 2, 29), day(2026, 2, 28)) != 17 || AgeOn(day(2008, 2, 29), day(2026, 3, 1)) != 18 {
		t.Error("29 February birthdays")
	}
}

func TestIdentityKey_ACC3(t *testing.T) {
	a := IdentityKey("Müller", "Zoé", day(1990, 1, 2))
	if a != IdentityKey("  MULLER ", "zoe", day(1990, 1, 2)) {
		t.Error("case and accents make two people")
	}
	if a == IdentityKey("Muller", "Zoe", day(1990, 1, 3)) {
		t.Error("another birth date is the same person")
	}
	if IdentityKey("Muller", "Zoe", time.Time{}) != "" {
		t.Error("no birth date must give no key")
	}
}

func TestNormalizePhone_ACC4(t *testing.T) {
	for in, want := range map[string]string{
		"06 12 34 56 78":     "+33612345678",
		"01.23.45.67.89":     "+33123456789",
		"+33 6 12 34 56 78":  "+33612345678",
		"+44 20 7946 0958":   "+442079460958",
		"0044 20 7946 0958":  "+442079460958",
		"(+1) 415-555-0100":  "",
		"+1 (415) 555-0100":  "+14155550100",
		"":                   "",
		"06 12 34 56 7":      "",
		"06 12 34 AB 78":     "",
		"telephone":          "",
		"+33 06 12 34 56 78": "",
		"00 12":              "",
	} {
		got, err := NormalizePhone(in)
		if want == "" && in != "" {
			if err == nil {
				t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCheckAddress_ACC4(t *testing.T) {
	ok := []Address{
		{Line1: "5 rue Parmentier", PostalCode: "75011", City: "Paris"},
		{Line1: "10 Downing Street", PostalCode: "SW1A 2AA", City: "London", Country: "gb"},
		{},
	}
	for _, a := range ok {
		if _, err := CheckAddress(a); err != nil {
			t.Errorf("%+v: %v", a, err)
		}
	}
	bad := []struct {
		a    Address
		want FieldError
	}{
		{Address{Line1: "5 rue Parmentier", PostalCode: "7501", City: "Paris"}, ErrInvalidPostalCode},
		{Address{Line1: "5 rue Parmentier", PostalCode: "75O11", City: "Paris"}, ErrInvalidPostalCode},
		{Address{Line1: "5 rue Parmentier", PostalCode: "75011"}, ErrAddressIncomplete},
		{Address{Line1: strings.Repeat("x", 201), PostalCode: "75011", City: "Paris"}, ErrAddressTooLong},
		{Address{Line1: "x", PostalCode: "12", City: "y", Country: "France"}, ErrInvalidCountry},
		{Address{Line1: "x", PostalCode: "$$", City: "y", Country: "DE"}, ErrInvalidForeignPostalCode},
	}
	for _, c := range bad {
		_, err := CheckAddress(c.a)
		var fe FieldError
		if !errors.As(err, &fe) || fe.Field != c.want.Field || fe.Key != c.want.Key {
			t.Errorf("%+v: got %v, want %v", c.a, err, c.want)
		}
	}
}

// TestFieldError_Is: a field error matches by field and key, whatever its
// arguments, so that callers can test for a sentinel.
func TestFieldError_Is(t *testing.T) {
	_, err := NormalizePhone("06 12 34 AB 78")
	if !errors.Is(err, ErrInvalidPhone) {
		t.Errorf("NormalizePhone error %v is not ErrInvalidPhone", err)
	}
	withArgs := FieldError{Field: "motivation", Key: "basket.error.motivation_long", Args: map[string]any{"Max": 2000}}
	if !errors.Is(FieldErrors{withArgs}[0], FieldError{Field: "motivation", Key: "basket.error.motivation_long"}) {
		t.Error("a field error with arguments does not match its field and key")
	}
	if !errors.Is(fmt.Errorf("profile: %w", FieldErrors{ErrInvalidPhone, ErrAddressIncomplete}), ErrAddressIncomplete) {
		t.Error("errors.Is does not find a field error among several")
	}
	if errors.Is(ErrInvalidPostalCode, ErrInvalidForeignPostalCode) {
		t.Error("two keys of one field match")
	}
	if got := (FieldErrors{ErrInvalidPhone, ErrAddressIncomplete}).Error(); got != "phone: person.error.phone; address: person.error.address_incomplete" {
		t.Errorf("Error() = %q", got)
	}
}

// TestCan_ROLE is the permission table of ROLE-1..7, written out by hand.
func TestCan_ROLE(t *testing.T) {
	const me, other = 1, 2
	est, otherEst := int64(10), int64(11)
	form, otherForm := int64(20), int64(21)
	course, otherCourse := int64(30), int64(31)
	candidate := Actor{AccountID: me, Kind: AccountCandidate}
	staff := func(g Grant) Actor { return Actor{AccountID: 100, Kind: AccountStaff, Grants: []Grant{g}} }
	central := staff(Grant{Role: RoleCentral})
	director := staff(Grant{Role: RoleDirector, EstablishmentID: est})
	coordinator := staff(Grant{Role: RoleCoordinator, FormationID: form})
	trainer := staff(Grant{Role: RoleTrainer, CourseID: course})
	guidance := staff(Grant{Role: RoleGuidance})
	helpdesk := staff(Grant{Role: RoleHelpDesk})
	ownCourse := Resource{EstablishmentID: est, FormationID: form, CourseID: course}
	foreignCourse := Resource{EstablishmentID: otherEst, FormationID: otherForm, CourseID: otherCourse}
	for _, tc := range []struct {
		name  string
		actor Actor
		act   Action
		res   Resource
		want  bool
	}{
		{"ROLE-1 candidate sees own account", candidate, ActViewOwnAccount, Resource{AccountID: me}, true},
		{"ROLE-1 candidate edits own profile", candidate, ActEditOwnProfile, Resource{AccountID: me}, true},
		{"ROLE-1 candidate cannot see another's account", candidate, ActViewOwnAccount, Resource{AccountID: other}, false},
		{"ROLE-1 candidate has no back office", candidate, ActBackOffice, Resource{}, false},
		{"ROLE-1 candidate applies for themselves", candidate, ActApply, Resource{AccountID: me}, true},
		{"ROLE-1 candidate cannot apply for another", candidate, ActApply, Resource{AccountID: other}, false},
		{"ROLE-6 guidance applies only through assisted registration", guidance, ActApply, Resource{AccountID: other}, false},
		{"ROLE-1 candidate cannot read files", candidate, ActReadPersonFile, Resource{AccountID: other}, false},
		{"anonymous can do nothing", Actor{}, ActViewOwnAccount, Resource{}, false},
		{"ROLE-2 trainer sees own course", trainer, ActViewCourse, ownCourse, true},
		{"ROLE-2 trainer cannot see another course", trainer, ActViewCourse, foreignCourse, false},
		{"ROLE-2 trainer has no establishment page", trainer, ActViewEstablishment, ownCourse, false},
		{"ROLE-3 director sees own establishment", director, ActViewEstablishment, Resource{EstablishmentID: est}, true},
		{"ROLE-3 director cannot see another establishment", director, ActViewEstablishment, Resource{EstablishmentID: otherEst}, false},
		{"ROLE-3 director sees own establishment's courses", director, ActViewCourse, ownCourse, true},
		{"ROLE-3 director cannot see another establishment's courses", director, ActViewCourse, foreignCourse, false},
		{"ROLE-3 director cannot correct identities", director, ActCorrectIdentity, Resource{AccountID: other}, false},
		{"ROLE-4 coordinator sees own formation", coordinator, ActViewFormation, Resource{FormationID: form}, true},
		{"ROLE-4 coordinator cannot see another formation", coordinator, ActViewFormation, Resource{FormationID: otherForm}, false},
		{"ROLE-4 coordinator sees own formation's courses", coordinator, ActViewCourse, ownCourse, true},
		{"ROLE-4 coordinator has no establishment page", coordinator, ActViewEstablishment, Resource{EstablishmentID: est}, false},
		{"ROLE-5 central reads the audit", central, ActReadAudit, Resource{}, true},
		{"ROLE-5 central corrects identities", central, ActCorrectIdentity, Resource{AccountID: other}, true},
		{"ROLE-5 central reviews duplicates", central, ActReviewDuplicates, Resource{}, true},
		{"ROLE-5 central links and unlinks sign-on identities", central, ActManageIdentities, Resource{AccountID: other}, true},
		{"ROLE-3 director links no sign-on identity", director, ActManageIdentities, Resource{AccountID: other}, false},
		{"ROLE-7 help desk links no sign-on identity", helpdesk, ActManageIdentities, Resource{AccountID: other}, false},
		{"ROLE-5 central sees every establishment", central, ActViewEstablishment, Resource{EstablishmentID: otherEst}, true},
		{"ROLE-6 guidance assists registrations", guidance, ActAssistRegistration, Resource{}, true},
		{"ROLE-6 guidance does nothing else", guidance, ActReadPersonFile, Resource{AccountID: other}, false},
		{"ROLE-6 guidance sees no course", guidance, ActViewCourse, ownCourse, false},
		{"ROLE-7 help desk reads a file", helpdesk, ActReadPersonFile, Resource{AccountID: other}, true},
		{"ROLE-7 help desk reads a candidate's file", helpdesk, ActReadPersonFile, Resource{AccountID: other, AccountKind: AccountCandidate}, true},
		{"ROLE-7 help desk reads no staff file", helpdesk, ActReadPersonFile, Resource{AccountID: other, AccountKind: AccountStaff}, false},
		{"ROLE-5 central reads a staff file", central, ActReadPersonFile, Resource{AccountID: other, AccountKind: AccountStaff}, true},
		{"ROLE-7 help desk changes nothing", helpdesk, ActCorrectIdentity, Resource{AccountID: other}, false},
		{"ROLE-7 help desk reviews no duplicate", helpdesk, ActReviewDuplicates, Resource{}, false},
		{"ROLE-7 help desk has no audit", helpdesk, ActReadAudit, Resource{}, false},
		{"staff's own profile is theirs", staff(Grant{Role: RoleTrainer, CourseID: course}), ActViewOwnAccount, Resource{AccountID: 100}, true},
		{"a grant without scope gives nothing", staff(Grant{Role: RoleDirector}), ActViewEstablishment, Resource{}, false},
		{"a candidate dressed with grants is still a candidate", Actor{AccountID: me, Kind: AccountCandidate, Grants: []Grant{{Role: RoleCentral}}}, ActReadAudit, Resource{}, false},
	} {
		if got := Can(tc.actor, tc.act, tc.res); got != tc.want {
			t.Errorf("%s: Can = %v", tc.name, got)
		}
	}
}

func TestFormatPhone_ACC4(t *testing.T) {
	for in, want := range map[string]string{"+33612345678": "06 12 34 56 78", "+442079460958": "+442079460958", "": ""} {
		if got := FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
		if in != "" {
			if back, err := NormalizePhone(FormatPhone(in)); err != nil || back != in {
				t.Errorf("round trip of %q: %q, %v", in, back, err)
			}
		}
	}
}
