package web

import (
	"net/url"
	"strconv"

	"cma/internal/web/views"
)

// Staff tables over a page: numbered pages (GOV.UK's pagination pattern) and
// column headers that sort (links, aria-sort), all plain links that keep the
// rest of the query; no JavaScript.

// staffPageSize is how many rows a page of a staff table shows.
const staffPageSize = 50

// pageCount is how many pages total rows fill (at least one).
func pageCount(total int) int {
	return max(1, (total+staffPageSize-1)/staffPageSize)
}

// tableState is a table's page and sort, read from the query under its own
// parameter names so that two tables on one page keep each other's state.
type tableState struct {
	q                                url.Values // the whole query, kept in every link
	anchor, pageKey, sortKey, dirKey string     // the table's heading's id; its parameters
	Page                             int
	Sort                             string // one of the table's keys, "" for its default
	Desc                             bool
}

// readTable reads a table's state; ok is false when its page is not a page
// number (a request no link sends). A sort the table does not offer is its
// default order.
func readTable(q url.Values, anchor, pageKey, sortKey, dirKey string, sorts ...string) (tableState, bool) {
	t := tableState{q: q, anchor: anchor, pageKey: pageKey, sortKey: sortKey, dirKey: dirKey}
	var ok bool
	pq := url.Values{"page": q[pageKey]}
	t.Page, ok = pageParam(pq)
	for _, s := range sorts {
		if q.Get(sortKey) == s {
			t.Sort = s
		}
	}
	t.Desc = t.Sort != "" && q.Get(dirKey) == "desc"
	return t, ok
}

// clamp brings the page within the pages that total rows fill.
func (t *tableState) clamp(total int) {
	t.Page = min(t.Page, pageCount(total))
}

// offset is the first row of the page.
func (t tableState) offset() int { return (t.Page - 1) * staffPageSize }

// link is path with the query, this table's page set to page (dropped for
// the first) and its sort to sort and desc.
func (t tableState) link(path string, page int, sort string, desc bool) string {
	v := url.Values{}
	for k, vs := range t.q {
		if k != t.pageKey && k != t.sortKey && k != t.dirKey {
			v[k] = vs
		}
	}
	if page > 1 {
		v.Set(t.pageKey, strconv.Itoa(page))
	}
	if sort != "" {
		v.Set(t.sortKey, sort)
		if desc {
			v.Set(t.dirKey, "desc")
		}
	}
	return withQuery(path, v) + "#" + t.anchor
}

// pager is the table's pagination: previous and next, the first and last
// pages, the current one and its neighbours, gaps between.
func (t tableState) pager(pg *views.Page, path string, total int, label string) views.Pager {
	pages := pageCount(total)
	p := views.Pager{Label: label, Anchor: t.anchor, Page: t.Page, Pages: pages,
		Status: pg.T("search.page", map[string]any{"Page": strconv.Itoa(t.Page), "Pages": strconv.Itoa(pages)})}
	if pages <= 1 {
		return p
	}
	if t.Page > 1 {
		p.PrevURL = t.link(path, t.Page-1, t.Sort, t.Desc)
	}
	if t.Page < pages {
		p.NextURL = t.link(path, t.Page+1, t.Sort, t.Desc)
	}
	gap := false
	for n := 1; n <= pages; n++ {
		if n == 1 || n == pages || (n >= t.Page-1 && n <= t.Page+1) {
			p.Items = append(p.Items, views.PagerItem{Number: strconv.Itoa(n), URL: t.link(path, n, t.Sort, t.Desc),
				Current: n == t.Page, Label: pg.T("search.page", map[string]any{"Page": strconv.Itoa(n), "Pages": strconv.Itoa(pages)})})
			gap = false
		} else if !gap {
			p.Items = append(p.Items, views.PagerItem{Ellipsis: true})
			gap = true
		}
	}
	return p
}

// head is a sortable column's header: a link that sorts on key, ascending
// first, the other way when the table is already sorted on it ascending.
// The table's default sort is defaultKey (aria-sort says so without a sort
// in the query).
func (t tableState) head(path, label, key, defaultKey string) views.SortHead {
	h := views.SortHead{Label: label, Sort: "none"}
	current := t.Sort
	if current == "" {
		current = defaultKey
	}
	if current == key {
		h.Sort = "ascending"
		if t.Desc {
			h.Sort = "descending"
		}
	}
	sortKey := key
	if key == defaultKey {
		sortKey = "" // the default order keeps short links
	}
	desc := current == key && !t.Desc
	if desc && sortKey == "" {
		sortKey = key
	}
	h.URL = t.link(path, 1, sortKey, desc)
	return h
}
