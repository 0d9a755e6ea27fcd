//go:build tools

// Package tools pins modules that the next pieces of work import, so that
// `go mod tidy` keeps them while no code uses them yet.
package tools

import (
	_ "github.com/emersion/go-smtp"
	_ "github.com/riverqueue/river"
	_ "github.com/riverqueue/river/riverdriver/riverdatabasesql"
	_ "github.com/riverqueue/river/riverdriver/riversqlite"
	_ "github.com/wneessen/go-mail"
	_ "github.com/xuri/excelize/v2"
)
