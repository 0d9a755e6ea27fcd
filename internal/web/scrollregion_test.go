package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A box that scrolls must be reachable from the keyboard and named, so that a
// keyboard user can scroll a wide table at phone width (WCAG 2.1.1, axe's
// scrollable-region-focusable): every element of a class the stylesheet lets
// scroll has tabindex="0", role="region" and an aria-label or aria-labelledby.
func TestViews_scrollable_boxes_are_focusable_named_regions(t *testing.T) {
	css, err := filepath.Glob("static/*.css")
	if err != nil || len(css) == 0 {
		t.Fatalf("no stylesheet: %v", err)
	}
	rule := regexp.MustCompile(`\.([a-z][a-z0-9-]*)\s*\{[^}]*overflow(?:-x|-y)?\s*:\s*(?:auto|scroll)`)
	scrolling := map[string]bool{}
	for _, f := range css {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rule.FindAllStringSubmatch(string(b), -1) {
			scrolling[m[1]] = true
		}
	}
	if !scrolling["table-scroll"] {
		t.Fatalf("the stylesheet no longer scrolls .table-scroll: found %v", scrolling)
	}
	views, err := filepath.Glob("views/*.templ")
	if err != nil {
		t.Fatal(err)
	}
	tag := regexp.MustCompile(`<[a-z]+\b[^>]*\bclass="([^"]*)"[^>]*>`)
	found := 0
	for _, f := range views {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tag.FindAllStringSubmatch(string(b), -1) {
			scrolls := false
			for _, c := range strings.Fields(m[1]) {
				scrolls = scrolls || scrolling[c]
			}
			if !scrolls {
				continue
			}
			found++
			el := m[0]
			if !strings.Contains(el, `tabindex="0"`) || !strings.Contains(el, `role="region"`) ||
				!(strings.Contains(el, "aria-label=") || strings.Contains(el, "aria-labelledby=")) {
				t.Errorf("%s: a scrolling box without tabindex=\"0\", role=\"region\" and a name: %s", f, el)
			}
		}
	}
	if found == 0 {
		t.Fatal("no scrolling box found in the views: the scan is broken")
	}
}
