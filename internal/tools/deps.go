//go:build tools

// Package tools pins modules that later work needs before any code imports them.
package tools

import (
	_ "github.com/a-h/templ"
	_ "github.com/brianvoe/gofakeit/v7"
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-pdf/fpdf"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/nicksnyder/go-i18n/v2/i18n"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/tsenart/vegeta/v12/lib"
	_ "golang.org/x/image/font/gofont/goregular"
	_ "golang.org/x/text/language"
	_ "modernc.org/sqlite"
)
