package main
import (
 _ "modernc.org/sqlite"
 _ "github.com/jackc/pgx/v5/stdlib"
 _ "github.com/pressly/goose/v3"
 _ "github.com/a-h/templ"
 _ "github.com/go-pdf/fpdf"
 _ "golang.org/x/image/font/gofont/goregular"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "github.com/nicksnyder/go-i18n/v2/i18n"
 _ "golang.org/x/text/language"
 _ "github.com/chromedp/chromedp"
 _ "github.com/tsenart/vegeta/v12/lib"
 _ "github.com/brianvoe/gofakeit/v7"
 _ "github.com/schollz/progressbar/v3"
)
