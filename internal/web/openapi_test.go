package web_test

import (
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"cma/internal/web"
)

// TestOpenAPI_describes_every_API_route: every route registered under
// /api/v1 is an operation of openapi.yaml and every operation is a route;
// every staff API route (a token required) says so with its security scheme
// and its 401; every $ref resolves.
func TestOpenAPI_describes_every_API_route(t *testing.T) {
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Servers []struct{ URL string }
		Paths   map[string]map[string]struct {
			Security  []map[string][]string
			Responses map[string]any
		}
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("servers: %v", doc.Servers)
	}
	srv, err := web.New(web.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv.Handler()
	registered := map[string]bool{}
	for _, r := range srv.Routes() {
		method, path, ok := strings.Cut(r.Pattern, " ")
		if !ok || !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/openapi.yaml" {
			continue
		}
		path = strings.TrimPrefix(path, "/api/v1")
		registered[method+" "+path] = true
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("route %s is not described in openapi.yaml", r.Pattern)
			continue
		}
		if r.Token {
			if len(op.Security) != 1 || op.Security[0]["personalAccessToken"] == nil {
				t.Errorf("%s: a token route without the personalAccessToken security", r.Pattern)
			}
			for _, code := range []string{"401", "403"} {
				if op.Responses[code] == nil {
					t.Errorf("%s: no %s response described", r.Pattern, code)
				}
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !registered[strings.ToUpper(method)+" "+path] {
				t.Errorf("openapi.yaml describes %s %s, which is no route", strings.ToUpper(method), path)
			}
		}
	}
	// Every $ref names a component that exists.
	var tree map[string]any
	yaml.Unmarshal(raw, &tree)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if ref, ok := c.(string); ok && k == "$ref" {
					if !resolves(tree, ref) {
						t.Errorf("$ref %s resolves to nothing", ref)
					}
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(tree)
}

func resolves(tree map[string]any, ref string) bool {
	if !strings.HasPrefix(ref, "#/") {
		return false
	}
	var node any = tree
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return false
		}
		if node, ok = m[part]; !ok {
			return false
		}
	}
	return true
}
