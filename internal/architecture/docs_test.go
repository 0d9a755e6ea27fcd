package architecture

import (
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the repository, from this package's directory.
const repoRoot = "../.."

// markdownFiles lists the repository's own Markdown files: the README, docs/
// and the others (bench/README.md…), not those of installed tools.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "artifacts", "data", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var (
	markdownLink = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	codeSpan     = regexp.MustCompile("`([^`\n]+)`")
)

// Every relative link of the README and of docs/ (and of any Markdown file of
// the repository) leads to a file or folder inside the repository, and no
// Markdown file names a path outside it (such as ../shared/…): the repository
// explains itself.
func TestDocsLinksStayInTheRepository(t *testing.T) {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	files := markdownFiles(t)
	for _, want := range []string{"README.md", "docs/architecture.md", "docs/rules.md"} {
		if _, err := os.Stat(filepath.Join(root, want)); err != nil {
			t.Errorf("%s is missing: %v", want, err)
		}
	}
	links := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, mustAbs(t, f))
		for _, problem := range checkLinks(root, filepath.Dir(mustAbs(t, f)), string(b)) {
			t.Errorf("%s: %s", rel, problem)
		}
		links += len(markdownLink.FindAllString(string(b), -1))
	}
	if links == 0 {
		t.Fatal("no Markdown link found: the scan is broken")
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkLinks returns what is wrong with the links of one Markdown text in dir.
func checkLinks(root, dir, text string) []string {
	var problems []string
	inside := func(p string) bool {
		r, err := filepath.Rel(root, p)
		return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
	}
	for _, m := range markdownLink.FindAllStringSubmatch(text, -1) {
		target := m[1]
		u, err := url.Parse(target)
		if err != nil {
			problems = append(problems, "unreadable link "+target)
			continue
		}
		if u.Scheme != "" || u.Host != "" || u.Path == "" {
			continue // a web address, a mail address or an anchor on the same page
		}
		p := filepath.Join(dir, filepath.FromSlash(u.Path))
		if strings.HasPrefix(u.Path, "/") {
			p = filepath.Join(root, filepath.FromSlash(u.Path))
		}
		if !inside(p) {
			problems = append(problems, "link outside the repository: "+target)
			continue
		}
		if _, err := os.Stat(p); err != nil {
			problems = append(problems, "broken link: "+target)
		}
	}
	for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
		for _, word := range strings.Fields(m[1]) {
			if strings.HasPrefix(word, "../") && !inside(filepath.Join(dir, filepath.FromSlash(word))) {
				problems = append(problems, "names a path outside the repository: "+word)
			}
		}
	}
	return problems
}

// The check can fail: a broken link, a link out of the repository and an
// outside path in code are each reported.
func TestDocsLinksCheckCatches(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "docs", "a.md"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	good := "[a](docs/a.md) [a, part](docs/a.md#part) [web](https://example.org/x) [here](#top) `go test ./...`"
	if p := checkLinks(root, root, good); len(p) != 0 {
		t.Errorf("good links reported: %v", p)
	}
	for text, want := range map[string]string{
		"[b](docs/b.md)":             "broken link: docs/b.md",
		"[spec](../shared/SPEC.md)":  "link outside the repository: ../shared/SPEC.md",
		"See `../shared/DESIGN.md`.": "names a path outside the repository: ../shared/DESIGN.md",
		"[up](docs/../../x.md)":      "link outside the repository",
	} {
		p := checkLinks(root, root, text)
		if len(p) != 1 || !strings.Contains(p[0], want) {
			t.Errorf("%q: reported %v, want %q", text, p, want)
		}
	}
}
