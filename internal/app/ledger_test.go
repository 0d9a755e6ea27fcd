package app

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

var (
	ledgerClose = regexp.MustCompile(`name="jour" value="(\d{4}-\d\d-\d\d)">\s*<input type="hidden" name="mode" value="([a-z]+)"`)
	ledgerEst   = regexp.MustCompile(`^/back-office/regie/(\d+)$`)
)

// TestLedgerPages_PAY2_ROLE3_close_once_and_export over HTTP, on the demo's
// fees a month on, on both engines: the director lands on her own
// establishment's régie, closes a past day once (the second time says it
// was already), and her CSV (BOM, ';') and workbook hold the same entries;
// the régisseur exports every establishment and closes nothing.
func TestLedgerPages_PAY2_ROLE3_close_once_and_export(t *testing.T) {
	now := func() time.Time { return time.Date(2026, time.October, 20, 10, 0, 0, 0, domain.Paris()) }
	journey := func(t *testing.T, base string) {
		director := newBrowser(t, base)
		director.signIn(t, "demo-staff-director")
		res, page := director.do(t, "GET", "/back-office/regie", nil)
		m := ledgerEst.FindStringSubmatch(res.Request.URL.Path)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("the director's régie: %d at %s", res.StatusCode, res.Request.URL)
		}
		est := m[1]
		c := ledgerClose.FindStringSubmatch(page)
		if c == nil {
			i := strings.Index(page, "cloture")
			t.Fatalf("no day to close on the director's page (%d bytes): %.600s", len(page), page[max(i-100, 0):])
		}
		form := url.Values{"jour": {c[1]}, "mode": {c[2]}}
		if res, page := director.do(t, "POST", "/back-office/regie/"+est+"/cloture", form); res.StatusCode != http.StatusOK ||
			!strings.Contains(page, "clôturée (") {
			t.Fatalf("closing %s %s: %d\n%.1500s", c[1], c[2], res.StatusCode, page)
		}
		if res, page := director.do(t, "POST", "/back-office/regie/"+est+"/cloture", form); res.StatusCode != http.StatusOK ||
			!strings.Contains(page, "était déjà clôturée") {
			t.Fatalf("closing %s %s again: %d\n%.1500s", c[1], c[2], res.StatusCode, page)
		}
		today := now().Format(time.DateOnly)
		if res, _ := director.do(t, "POST", "/back-office/regie/"+est+"/cloture", url.Values{"jour": {today}, "mode": {"cash"}}); res.StatusCode != http.StatusConflict {
			t.Fatalf("closing today: %d, want 409", res.StatusCode)
		}

		res, raw := director.do(t, "GET", "/back-office/regie/"+est+"/journal.csv", nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(raw, "\ufeff") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("the CSV: %d %s, starts %q", res.StatusCode, res.Header.Get("Content-Type"), raw[:min(len(raw), 10)])
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff")))
		r.Comma = ';'
		records, err := r.ReadAll()
		if err != nil || len(records) < 2 {
			t.Fatalf("the CSV: %d records, %v", len(records), err)
		}
		res, book := director.do(t, "GET", "/back-office/regie/"+est+"/journal.xlsx", nil)
		f, err := excelize.OpenReader(bytes.NewReader([]byte(book)))
		if res.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("the workbook: %d, %v", res.StatusCode, err)
		}
		sheets := f.GetSheetList()
		rows, _ := f.GetRows(sheets[0])
		closed, _ := f.GetRows(sheets[1])
		if len(rows) != len(records) || len(closed) != 2 {
			t.Fatalf("the workbook: %d journal rows (CSV %d), %d closing rows (want a header and 1)", len(rows), len(records), len(closed))
		}
		for i := range rows {
			if rows[i][4] != records[i][4] {
				t.Fatalf("row %d: reference %q in the workbook, %q in the CSV", i, rows[i][4], records[i][4])
			}
		}

		regisseur := newBrowser(t, base)
		regisseur.signIn(t, "demo-staff-regisseur")
		if res, page := regisseur.do(t, "GET", "/back-office/regie/"+est, nil); res.StatusCode != http.StatusOK ||
			strings.Contains(page, `action="/back-office/regie/`+est+`/cloture"`) {
			t.Fatalf("the régisseur's read: %d, closing forms shown: %v", res.StatusCode, strings.Contains(page, "/cloture"))
		}
		if res, _ := regisseur.do(t, "POST", "/back-office/regie/"+est+"/cloture", form); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the régisseur's closing: %d, want 403", res.StatusCode)
		}
		res, all := regisseur.do(t, "GET", "/back-office/regie/journal.csv", nil)
		if res.StatusCode != http.StatusOK || strings.Count(all, "\r\n") < len(records) {
			t.Fatalf("the régisseur's export of every establishment: %d, %d lines", res.StatusCode, strings.Count(all, "\r\n"))
		}
		// The demo pays every way (PAY-1, PAY-2, PAY-4): by card, cheque and
		// cash, a works council's cheque, a social worker's card through the
		// learner's link; and leaves fees not paid.
		for _, want := range []string{";Carte bancaire;", ";Chèque;", ";Espèces;", "payé par CSE Transports parisiens", "payé par Service social du 20e"} {
			if !strings.Contains(all, want) {
				t.Errorf("the demo's journal has no %q:\n%.800s", want, all)
			}
		}
		if res, page := director.do(t, "GET", "/back-office/paiements-en-retard", nil); res.StatusCode != http.StatusOK ||
			strings.Contains(page, "Aucun droit d&#39;inscription en attente") {
			t.Errorf("the demo leaves no fee unpaid: %d\n%s", res.StatusCode, page)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		journey(t, startServeAt(t, now, "--db", "sqlite:"+filepath.Join(t.TempDir(), "cma.db"), "--demo", "--demo-candidatures"))
	})
	t.Run("postgres", func(t *testing.T) {
		d, dbURL := dbtest.PostgresURL(t)
		d.Close()
		journey(t, startServeAt(t, now, "--db", dbURL, "--demo", "--demo-candidatures"))
	})
}
