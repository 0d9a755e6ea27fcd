// Package architecture holds the import-rule test: the dependency rule of
// DESIGN.md §2, checked over the packages `go list` sees, so that CI fails when a
// forbidden import is added.
package architecture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "cma/"

// capabilities are the packages that own use cases (DESIGN.md §2). One may use
// another only through its exported Service.
var capabilities = []string{"catalogue", "accounts", "candidature", "selection", "waitlist", "payment", "attendance", "evaluation", "contact"}

// pure packages import nothing of the platform.
var pure = []string{"internal/domain", "internal/calendar", "internal/allocation"}

// sqlDrivers may be imported by db and store only.
var sqlDrivers = []string{"modernc.org/sqlite", "github.com/jackc/pgx/v5/stdlib", "github.com/lib/pq"}

// pkg is what the rules need of a package: its imports and, for capabilities,
// what it uses of other capabilities.
type pkg struct {
	Path    string   // "cma/internal/web"
	Imports []string // direct imports of its non-test files
	// Uses lists, per imported capability, the exported names used ("Service", "Index").
	Uses map[string][]string
	// API is, for a capability, the names reachable from its Service: the type
	// itself, the types of its exported methods' parameters and results, their
	// exported fields and methods in turn, and its exported errors.
	API []string
}

func rel(path string) string { return strings.TrimPrefix(path, module) }

func capabilityOf(path string) (string, bool) {
	r := rel(path)
	for _, c := range capabilities {
		if r == "internal/"+c || strings.HasPrefix(r, "internal/"+c+"/") {
			return c, true
		}
	}
	return "", false
}

// violations applies the dependency rule to pkgs and says what breaks it.
func violations(pkgs []pkg) []string {
	api := map[string][]string{}
	for _, p := range pkgs {
		if c, ok := capabilityOf(p.Path); ok && rel(p.Path) == "internal/"+c {
			api[c] = p.API
		}
	}
	var out []string
	bad := func(p pkg, format string, args ...any) {
		out = append(out, rel(p.Path)+": "+fmt.Sprintf(format, args...))
	}
	for _, p := range pkgs {
		r := rel(p.Path)
		ownCap, isCap := capabilityOf(p.Path)
		for _, imp := range p.Imports {
			ir := rel(imp)
			internal := strings.HasPrefix(imp, module)
			switch {
			case slices.Contains(pure, r) && internal:
				bad(p, "imports %s: domain, calendar and allocation import nothing of the platform", ir)
			case (r == "internal/web" || strings.HasPrefix(r, "internal/web/")) && (ir == "internal/store" || ir == "internal/db" || strings.HasPrefix(ir, "internal/db/")):
				bad(p, "imports %s: web calls capability services, never the store or the database", ir)
			case (ir == "internal/web" || strings.HasPrefix(ir, "internal/web/")) && r != "internal/app" && !strings.HasPrefix(r, "internal/web"):
				bad(p, "imports %s: nothing but app imports web", ir)
			case slices.Contains(sqlDrivers, imp) && r != "internal/db" && r != "internal/store":
				bad(p, "imports the SQL driver %s: only db and store do", imp)
			}
			if !isCap || !internal {
				continue
			}
			other, ok := capabilityOf(imp)
			if !ok || other == ownCap {
				continue
			}
			if ir != "internal/"+other {
				bad(p, "imports %s: another capability's internals", ir)
				continue
			}
			for _, name := range p.Uses[other] {
				if !slices.Contains(api[other], name) {
					bad(p, "uses %s.%s: a capability uses another only through its exported Service", other, name)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestImportRule checks the dependency rule of DESIGN.md §2 on the whole module.
func TestImportRule(t *testing.T) {
	pkgs := load(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages: the test does not see the module", len(pkgs))
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestImportRuleCatches shows that each rule can fail: a graph with one
// forbidden import per rule yields one violation each.
func TestImportRuleCatches(t *testing.T) {
	cases := map[string]pkg{
		"domain imports store":      {Path: "cma/internal/domain", Imports: []string{"cma/internal/store"}},
		"calendar imports i18n":     {Path: "cma/internal/calendar", Imports: []string{"cma/internal/i18n"}},
		"allocation imports domain": {Path: "cma/internal/allocation", Imports: []string{"cma/internal/domain"}},
		"web imports store":         {Path: "cma/internal/web", Imports: []string{"cma/internal/store"}},
		"views imports db":          {Path: "cma/internal/web/views", Imports: []string{"cma/internal/db"}},
		"bench imports web":         {Path: "cma/bench/validation", Imports: []string{"cma/internal/web"}},
		"candidature imports web":   {Path: "cma/internal/candidature", Imports: []string{"cma/internal/web"}},
		"web imports a driver":      {Path: "cma/internal/web", Imports: []string{"modernc.org/sqlite"}},
		"capability internals":      {Path: "cma/internal/candidature", Imports: []string{"cma/internal/accounts/internal/x"}},
		"beyond the service": {Path: "cma/internal/candidature", Imports: []string{"cma/internal/accounts"},
			Uses: map[string][]string{"accounts": {"Service", "hasRole"}}},
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			graph := []pkg{{Path: "cma/internal/accounts", API: []string{"Service", "Identity"}}, bad}
			if got := violations(graph); len(got) != 1 {
				t.Fatalf("violations = %q, want exactly one", got)
			}
		})
	}
	allowed := []pkg{
		{Path: "cma/internal/accounts", API: []string{"Service", "Identity"}},
		{Path: "cma/internal/candidature", Imports: []string{"cma/internal/accounts", "cma/internal/store", "cma/internal/domain"},
			Uses: map[string][]string{"accounts": {"Service", "Identity"}}},
		{Path: "cma/internal/app", Imports: []string{"cma/internal/web", "cma/internal/store"}},
		{Path: "cma/internal/web", Imports: []string{"cma/internal/web/views", "cma/internal/accounts"}},
	}
	if got := violations(allowed); len(got) != 0 {
		t.Fatalf("violations of an allowed graph: %q", got)
	}
}

// load lists the module's packages with `go list` and reads the capabilities'
// sources for their API and their uses of each other.
func load(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "cma/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var l struct {
			ImportPath string
			Dir        string
			GoFiles    []string
			Imports    []string
		}
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		p := pkg{Path: l.ImportPath, Imports: l.Imports}
		if _, ok := capabilityOf(l.ImportPath); ok {
			files := parse(t, l.Dir, l.GoFiles)
			p.Uses = uses(files, l.Imports)
			p.API = serviceAPI(files)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func parse(t *testing.T, dir string, names []string) []*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, n := range names {
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// uses lists, per imported capability, the names selected from it.
func uses(files []*ast.File, imports []string) map[string][]string {
	out := map[string][]string{}
	for _, f := range files {
		local := map[string]string{} // name in this file → capability
		for _, is := range f.Imports {
			path := strings.Trim(is.Path.Value, `"`)
			c, ok := capabilityOf(path)
			if !ok || rel(path) != "internal/"+c {
				continue
			}
			name := filepath.Base(path)
			if is.Name != nil {
				name = is.Name.Name
			}
			local[name] = c
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok {
				if c, ok := local[id.Name]; ok && !slices.Contains(out[c], sel.Sel.Name) {
					out[c] = append(out[c], sel.Sel.Name)
				}
			}
			return true
		})
	}
	return out
}

// serviceAPI is the closure of exported names reachable from type Service:
// the exported types named by its exported methods and exported fields, those
// types' own, and so on; plus exported error variables (ErrX), which callers
// compare with errors.Is.
func serviceAPI(files []*ast.File) []string {
	types := map[string]*ast.TypeSpec{}
	methods := map[string][]*ast.FuncDecl{}
	var api []string
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						types[s.Name.Name] = s
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if strings.HasPrefix(n.Name, "Err") {
								api = append(api, n.Name)
							}
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && d.Name.IsExported() && len(d.Recv.List) == 1 {
					recv := d.Recv.List[0].Type
					if star, ok := recv.(*ast.StarExpr); ok {
						recv = star.X
					}
					if id, ok := recv.(*ast.Ident); ok {
						methods[id.Name] = append(methods[id.Name], d)
					}
				}
			}
		}
	}
	seen := map[string]bool{}
	var visit func(name string)
	named := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				return false // another package's type
			case *ast.Field:
				if len(n.Names) > 0 && !n.Names[0].IsExported() {
					return false // an unexported field is not part of the API
				}
			case *ast.Ident:
				if _, ok := types[n.Name]; ok && n.IsExported() {
					visit(n.Name)
				}
			}
			return true
		})
	}
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		api = append(api, name)
		named(types[name].Type)
		for _, m := range methods[name] {
			named(m.Type)
		}
	}
	if _, ok := types["Service"]; ok {
		visit("Service")
	}
	return api
}
