package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cma/internal/domain"
	"cma/internal/i18n"
)

// TestEveryMessageUsedExists reads the web layer's sources for literal message
// ids and checks both languages define them, with the ids built from the
// domain's enumerations.
func TestEveryMessageUsedExists(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	literal := regexp.MustCompile(`\.T\("([a-z0-9_.]+)"`)
	counted := regexp.MustCompile(`\.N\("([a-z0-9_.]+)"`) // a message by count: its singular and plural forms
	err = filepath.WalkDir("../web", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_templ.go") ||
			!(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".templ")) {
			return err
		}
		src, err := os.ReadFile(path)
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			if !strings.HasSuffix(m[1], ".") {
				ids[m[1]] = true
			}
		}
		for _, m := range counted.FindAllStringSubmatch(string(src), -1) {
			ids[m[1]+".one"], ids[m[1]+".other"] = true, true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 50 {
		t.Fatalf("found only %d message ids: is the scan broken?", len(ids))
	}
	for _, s := range domain.Subjects {
		ids["subject."+string(s)] = true
	}
	for _, l := range domain.Levels {
		ids["level."+string(l)] = true
	}
	for _, m := range domain.EvaluationModes {
		ids["evaluation."+string(m)] = true
	}
	for _, r := range domain.Roles {
		ids["role."+string(r)] = true
	}
	for _, k := range []domain.AccountKind{domain.AccountCandidate, domain.AccountStaff} {
		ids["kind."+string(k)] = true
	}
	for _, st := range []domain.AccountStatus{domain.StatusActive, domain.StatusHeld, domain.StatusDisabled, domain.StatusMerged} {
		ids["status."+string(st)] = true
	}
	for _, code := range []string{"state", "cancelled", "code", "email", "token", "disabled", "password", "empty"} {
		ids["signin.error."+code] = true
	}
	for _, rule := range []string{"CAN-1", "CAN-2", "CAN-3", "ACC-1", "ACC-2", "PER-1",
		"CAN-1.basket", "CAN-1.validated", "CAN-1.both", "CAN-2." + domain.RefusalInBasket, "CAN-2." + domain.RefusalValidated} {
		ids["refusal."+rule] = true
	}
	for _, k := range []domain.SessionKind{domain.SessionAnnual, domain.SessionSemester1, domain.SessionSemester2, domain.SessionSpecial} {
		ids["course.price.period."+string(k)] = true
	}
	for _, o := range domain.Objectives {
		ids["objective."+string(o)] = true
	}
	for _, st := range domain.CandidatureStatuses {
		ids["cstatus."+string(st)] = true
		ids["bo.cand.status."+string(st)] = true
	}
	for d := 0; d < 7; d++ {
		ids["weekday."+strconv.Itoa(d)] = true
	}
	for m := 1; m <= 12; m++ {
		ids["month."+strconv.Itoa(m)] = true
	}
	for _, code := range []string{"unknown", "too_long", "subject", "level", "establishment", "district", "weekday",
		"time_of_day", "price", "yes_no", "session", "page", "per_page", "page_range"} {
		ids["filter.error."+code] = true
	}
	for id := range ids {
		for _, l := range i18n.Langs {
			if !words.Printer(l).Has(id) {
				t.Errorf("message %q has no %s text", id, l)
			}
		}
	}
}

func TestPlaceholders(t *testing.T) {
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := words.Printer(i18n.French).T("search.count", map[string]any{"Count": 12}); got != "12 cours trouvés" {
		t.Errorf("fr = %q", got)
	}
	if got := words.Printer(i18n.English).T("district", map[string]any{"N": 11}); got != "Arrondissement 11" {
		t.Errorf("en = %q", got)
	}
	if got := words.Printer(i18n.ParseLang("xx")).T("no.such.id"); got != "no.such.id" {
		t.Errorf("unknown id = %q", got)
	}
}
