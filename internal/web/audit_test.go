package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cma/internal/domain"
	"cma/internal/i18n"
)

// TestAuditActionsHaveLabels_ROLE5: every action the code writes in the audit
// trail (an AuditEvent's Action, as a literal or a constant) is one of
// domain.AuditActions, which the journal's filter offers, and has its French
// and English label, so the journal never shows a code such as
// "identity.corrected".
func TestAuditActionsHaveLabels_ROLE5(t *testing.T) {
	written := auditActionsWritten(t, filepath.Join("..", ".."))
	if len(written) < 8 {
		t.Fatalf("found only %d audit actions written by the code (%v): is the scan broken?", len(written), written)
	}
	words, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for action, where := range written {
		if !slices.Contains(domain.AuditActions, action) {
			t.Errorf("%s writes the audit action %q, which domain.AuditActions (the journal's filter) lacks", where, action)
		}
	}
	for _, action := range domain.AuditActions {
		for _, lang := range []i18n.Lang{i18n.French, i18n.English} {
			p := words.Printer(lang)
			if !p.Has("audit." + action) {
				t.Errorf("audit action %q has no %s label (key audit.%s)", action, lang, action)
			} else if got := auditAction(p, action); got == action || strings.Contains(got, ".") {
				t.Errorf("audit action %q is worded %q in %s", action, got, lang)
			}
		}
	}
}

// auditActionsWritten parses every Go file of the module outside tests and
// returns the actions given to an AuditEvent's Action field (in a composite
// literal or by assignment), each with where it is written. Constants are
// resolved across packages by their package's name.
func auditActionsWritten(t *testing.T, root string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Constants: package.Name → expression, resolved on demand.
	consts := map[string]ast.Expr{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						consts[f.Name.Name+"."+name.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	var resolve func(pkg string, e ast.Expr, depth int) (string, bool)
	resolve = func(pkg string, e ast.Expr, depth int) (string, bool) {
		if depth > 5 {
			return "", false
		}
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.Ident:
			if v, ok := consts[pkg+"."+e.Name]; ok {
				return resolve(pkg, v, depth+1)
			}
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok {
				if v, ok := consts[x.Name+"."+e.Sel.Name]; ok {
					return resolve(x.Name, v, depth+1)
				}
			}
		}
		return "", false
	}
	isAuditEvent := func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.Ident:
			return e.Name == "AuditEvent"
		case *ast.SelectorExpr:
			return e.Sel.Name == "AuditEvent"
		}
		return false
	}
	written := map[string]string{}
	for _, f := range files {
		pkg := f.Name.Name
		record := func(e ast.Expr) {
			where := fset.Position(e.Pos()).String()
			if v, ok := resolve(pkg, e, 0); ok {
				written[v] = where
			} else {
				t.Errorf("%s: an audit action the test cannot read (write a literal or a constant)", where)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if !isAuditEvent(n.Type) {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Action" {
							record(kv.Value)
						}
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Action" && i < len(n.Rhs) {
						if x, ok := sel.X.(*ast.Ident); ok && x.Name == "event" {
							record(n.Rhs[i])
						}
					}
				}
			}
			return true
		})
	}
	return written
}
