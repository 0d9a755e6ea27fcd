//go:build tools

// Package tools pins modules that the next pieces of work import, so that
// `go mod tidy` keeps them while no code uses them yet.
package tools

import (
	_ "github.com/alexedwards/scs/v2"
	_ "github.com/coreos/go-oidc/v3/oidc"
	_ "github.com/zitadel/oidc/v3/pkg/op"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/oauth2"
)
