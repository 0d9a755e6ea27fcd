package web

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Query parameters shared by the lists and searches of the site.

// maxSearchText caps a search's text, as the catalogue caps its keywords: a
// name or an email is far shorter, and every word is one more condition for
// the database to check.
const maxSearchText = 200

// maxPage is the highest page number a list takes, as the catalogue's: far
// beyond any list, and far from overflowing an offset.
const maxPage = 100000

// searchParam reads a search box's text; ok is false when it is longer than
// maxSearchText characters.
func searchParam(q url.Values, name string) (text string, ok bool) {
	text = strings.TrimSpace(q.Get(name))
	return text, utf8.RuneCountInString(text) <= maxSearchText
}

// pageParam reads the page number of a list: 1 when absent; ok is false when
// it is not a whole number from 1 to maxPage.
func pageParam(q url.Values) (page int, ok bool) {
	raw := strings.TrimSpace(q.Get("page"))
	if raw == "" {
		return 1, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxPage {
		return 1, false
	}
	return n, true
}
