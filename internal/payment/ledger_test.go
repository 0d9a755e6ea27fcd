package payment_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/payfip"
	"cma/internal/payment"
)

// ledgerCity is one establishment's journal over three days: a card paid
// online and a cheque on the first, two cheques on the second, cash and a
// cheque on the third; with the establishment's director, and the
// clock on the day after the third.
type ledgerCity struct {
	e        *env
	ls       []learner
	days     [3]time.Time // the civil days, as the journal writes them
	director domain.Actor
	est      int64
	price    int64
}

func newLedgerCity(t *testing.T, d *db.DB) *ledgerCity {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, d)
	e.sim.SetNotifyMode(payfip.NotifyNever)
	ls := e.learners(t, 6, false)
	c := &ledgerCity{e: e, ls: ls, director: ls[0].director, est: ls[0].establishment, price: 12345}
	e.exec(t, `UPDATE courses SET price_cents = $1 WHERE id = $2`, c.price, ls[0].course)
	var ens []domain.Enrolment
	for _, l := range ls {
		e.exec(t, `UPDATE candidatures SET half_tariff_claim = FALSE WHERE id = $1`, l.candidature)
		ens = append(ens, e.confirm(t, l))
	}
	desk := func(i int, mode domain.PaymentMode) {
		t.Helper()
		p := domain.DeskPayment{Mode: mode, AmountCents: c.price}
		if mode == domain.PayByCheque {
			p.ChequeNumber, p.ChequeBank, p.ChequeDrawer = "00"+strconv.Itoa(i), "Banque Postale", "Tireur "+strconv.Itoa(i)
		}
		if _, err := e.pay.RecordDesk(ctx, c.director, ls[i].course, ens[i].ID, p); err != nil {
			t.Fatalf("desk payment %d (%s): %v", i, mode, err)
		}
	}
	start := e.now.In(domain.Paris())
	for i := range c.days {
		at := time.Date(start.Year(), start.Month(), start.Day()+i, 18, 30, 0, 0, domain.Paris())
		e.setNow(at)
		c.days[i] = time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
		switch i {
		case 0:
			op, err := e.pay.PayOnline(ctx, ls[0].actor, ens[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.sim.Pay(ctx, op.IDOp, payfip.ResultPaidCard); err != nil {
				t.Fatal(err)
			}
			if _, err := e.pay.Settle(ctx, op.IDOp); err != nil {
				t.Fatal(err)
			}
			desk(1, domain.PayByCheque)
		case 1:
			desk(2, domain.PayByCheque)
			desk(3, domain.PayByCheque)
		case 2:
			desk(4, domain.PayInCash)
			desk(5, domain.PayByCheque)
		}
	}
	e.setNow(e.now.Add(24 * time.Hour))
	return c
}

func (c *ledgerCity) ledger(t *testing.T, actor domain.Actor) payment.Ledger {
	t.Helper()
	l, err := c.e.pay.Ledger(context.Background(), actor, c.est, c.days[0].AddDate(0, 0, -1), c.days[2].AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// checkSums fails unless every day and mode's count and total, and the
// range's, are those of the entries listed.
func checkSums(t *testing.T, l payment.Ledger) {
	t.Helper()
	type key struct {
		day  time.Time
		mode domain.PaymentMode
	}
	count, sum := map[key]int{}, map[key]int64{}
	var all int64
	for _, e := range l.Lines {
		count[key{e.Day, e.Mode}]++
		sum[key{e.Day, e.Mode}] += e.AmountCents
		all += e.AmountCents
	}
	for _, d := range l.Days {
		for _, m := range d.Modes {
			k := key{d.Day, m.Mode}
			if m.Entries != count[k] || m.TotalCents != sum[k] {
				t.Errorf("%s %s: %d entries, %d cents; the entries give %d, %d", d.Day.Format(time.DateOnly), m.Mode,
					m.Entries, m.TotalCents, count[k], sum[k])
			}
			if m.Closing != nil && !m.Differs && (m.Closing.Entries != count[k] || m.Closing.TotalCents != sum[k]) {
				t.Errorf("%s %s: closing %+v, the entries give %d, %d", d.Day.Format(time.DateOnly), m.Mode, *m.Closing, count[k], sum[k])
			}
		}
	}
	if l.TotalCents != all || l.Entries != len(l.Lines) {
		t.Errorf("range: %d entries, %d cents; the entries give %d, %d", l.Entries, l.TotalCents, len(l.Lines), all)
	}
}

func TestLedger_PAY2_totals_equal_the_sum_of_entries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := newLedgerCity(t, d)
		l := c.ledger(t, c.director)
		if len(l.Lines) != 6 || len(l.Days) != 3 || !l.MayClose {
			t.Fatalf("ledger: %d lines, %d days, may close %v; want 6, 3, true", len(l.Lines), len(l.Days), l.MayClose)
		}
		checkSums(t, l)
		want := [3][3]int{{1, 1, 0}, {0, 2, 0}, {0, 1, 1}} // card, cheque, cash per day
		for i, day := range l.Days {
			if !day.Day.Equal(c.days[i]) {
				t.Fatalf("day %d is %s, want %s", i, day.Day, c.days[i])
			}
			for j, m := range day.Modes {
				if m.Mode != domain.PaymentModes[j] || m.Entries != want[i][j] || m.TotalCents != int64(want[i][j])*c.price ||
					m.Closing != nil || !m.Closable {
					t.Errorf("%s %s: %+v, want %d entries open and closable", day.Day.Format(time.DateOnly), m.Mode, m, want[i][j])
				}
			}
		}
		if l.TotalCents != 6*c.price {
			t.Errorf("range total %d, want %d", l.TotalCents, 6*c.price)
		}
		// The labels and references are the payments'.
		for _, e := range l.Lines {
			if e.Kind != domain.LedgerPayment || e.Reference == "" || !strings.HasPrefix(e.Label, "droits d'inscription ") {
				t.Errorf("entry %+v", e.LedgerEntry)
			}
			if (e.Mode == domain.PayByCard) != (e.RecordedByName == "") {
				t.Errorf("entry %s by %q: a card online has no recorder, a desk payment its director", e.Mode, e.RecordedByName)
			}
		}
	})
}

func TestLedger_PAY2_closing_computed_in_its_transaction_once(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := newLedgerCity(t, d)
		ctx := context.Background()
		e := c.e
		// A correction written on the first day after the page was read: the
		// closing counts what the journal holds when it is signed.
		before := c.ledger(t, c.director)
		if err := e.st.InTx(ctx, func(tx *sql.Tx) error {
			return e.st.InsertLedgerEntry(ctx, tx, &domain.LedgerEntry{EstablishmentID: c.est, Day: c.days[0], Mode: domain.PayByCheque,
				Kind: domain.LedgerCorrection, AmountCents: -45, Reference: "CORR-1", Label: "correction d'essai", RecordedAt: e.now,
				RecordedBy: c.director.AccountID})
		}); err != nil {
			t.Fatal(err)
		}
		closing, created, err := e.pay.CloseDay(ctx, c.director, c.est, c.days[0], domain.PayByCheque)
		if err != nil || !created {
			t.Fatalf("CloseDay = %v, %v", created, err)
		}
		if closing.Entries != before.Days[0].Modes[1].Entries+1 || closing.TotalCents != c.price-45 ||
			closing.SignedBy != c.director.AccountID || closing.SignedByName == "" {
			t.Fatalf("closing %+v, want 2 entries, %d cents, signed by the director", closing, c.price-45)
		}
		// A day without cash is signed too, at zero.
		zero, created, err := e.pay.CloseDay(ctx, c.director, c.est, c.days[0], domain.PayInCash)
		if err != nil || !created || zero.Entries != 0 || zero.TotalCents != 0 {
			t.Fatalf("closing a day without cash = %+v, %v, %v", zero, created, err)
		}
		// A second closing changes nothing and says so.
		e.setNow(e.now.Add(time.Hour))
		again, created, err := e.pay.CloseDay(ctx, c.director, c.est, c.days[0], domain.PayByCheque)
		if err != nil || created || !again.SignedAt.Equal(closing.SignedAt) || again.TotalCents != closing.TotalCents {
			t.Fatalf("closing again = %+v, created %v, %v; want the first one unchanged", again, created, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, domain.AuditLedgerClosed); n != 2 {
			t.Fatalf("%d closings audited, want 2", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM ledger_closings`); n != 2 {
			t.Fatalf("%d closings, want 2", n)
		}
		l := c.ledger(t, c.director)
		checkSums(t, l)
		if m := l.Days[0].Modes[1]; m.Closing == nil || m.Closable || m.Differs {
			t.Fatalf("the closed day: %+v", m)
		}
		// An entry written on a closed day shows the difference.
		if err := e.st.InTx(ctx, func(tx *sql.Tx) error {
			return e.st.InsertLedgerEntry(ctx, tx, &domain.LedgerEntry{EstablishmentID: c.est, Day: c.days[0], Mode: domain.PayByCheque,
				Kind: domain.LedgerCorrection, AmountCents: 45, Reference: "CORR-2", Label: "correction d'essai", RecordedAt: e.now,
				RecordedBy: c.director.AccountID})
		}); err != nil {
			t.Fatal(err)
		}
		if m := c.ledger(t, c.director).Days[0].Modes[1]; !m.Differs || m.Closing.TotalCents != c.price-45 {
			t.Fatalf("an entry after the closing: %+v, want the difference shown", m)
		}
	})
}

func TestLedger_PAY2_only_a_past_day_is_closed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := newLedgerCity(t, d)
		ctx := context.Background()
		today := c.days[2].AddDate(0, 0, 1)
		for _, day := range []time.Time{today, today.AddDate(0, 0, 1)} {
			if _, _, err := c.e.pay.CloseDay(ctx, c.director, c.est, day, domain.PayInCash); refusalKey(err) != "ledger.close.not_past" {
				t.Fatalf("closing %s = %v, want ledger.close.not_past", day.Format(time.DateOnly), err)
			}
		}
		// The third day, while it lasts, is not closable either.
		c.e.setNow(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, domain.Paris()).Add(-time.Minute))
		if _, _, err := c.e.pay.CloseDay(ctx, c.director, c.est, c.days[2], domain.PayInCash); refusalKey(err) != "ledger.close.not_past" {
			t.Fatalf("closing the day at 23:59 = %v", err)
		}
		for _, m := range c.ledger(t, c.director).Days[2].Modes {
			if m.Closable {
				t.Fatalf("%s of the day in progress closable", m.Mode)
			}
		}
		if _, _, err := c.e.pay.CloseDay(ctx, c.director, c.est, c.days[1], "bitcoin"); refusalKey(err) != "ledger.close.mode" {
			t.Fatalf("closing an unknown mode = %v", err)
		}
		if _, err := c.e.pay.Ledger(ctx, c.director, c.est, c.days[2], c.days[0]); refusalKey(err) != "ledger.range.invalid" {
			t.Fatalf("a range upside down = %v", err)
		}
	})
}

func TestLedger_ROLE3_director_closes_own_establishment_only(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := newLedgerCity(t, d)
		ctx := context.Background()
		e := c.e
		ix, err := e.cat.Index(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var other int64
		for _, est := range ix.Establishments {
			if est.ID != c.est {
				other = est.ID
				break
			}
		}
		staff, _ := e.person(t)
		otherDirector := domain.Actor{AccountID: staff.ID, Kind: domain.AccountStaff,
			Grants: []domain.Grant{{Role: domain.RoleDirector, EstablishmentID: other}}}
		reg, _ := e.person(t)
		regisseur := domain.Actor{AccountID: reg.ID, Kind: domain.AccountStaff, Grants: []domain.Grant{{Role: domain.RoleRegisseur}}}
		from, to := c.days[0], c.days[2]

		if _, err := e.pay.Ledger(ctx, otherDirector, c.est, from, to); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another director's read = %v", err)
		}
		if _, _, err := e.pay.CloseDay(ctx, otherDirector, c.est, c.days[0], domain.PayByCheque); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("another director's closing = %v", err)
		}
		if _, _, err := e.pay.LedgerExport(ctx, c.director, 0, from, to); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("a director's export of every establishment = %v", err)
		}
		// The régisseur and the central service read every establishment,
		// and close nothing.
		for name, actor := range map[string]domain.Actor{"régisseur": regisseur, "central": e.central} {
			l, err := e.pay.Ledger(ctx, actor, c.est, from, to)
			if err != nil || len(l.Lines) != 6 || l.MayClose {
				t.Fatalf("%s's read: %d lines, may close %v, %v", name, len(l.Lines), l.MayClose, err)
			}
			for _, day := range l.Days {
				for _, m := range day.Modes {
					if m.Closable {
						t.Fatalf("%s: %s %s closable", name, day.Day.Format(time.DateOnly), m.Mode)
					}
				}
			}
			if _, err := e.pay.Ledger(ctx, actor, other, from, to); err != nil {
				t.Fatalf("%s's read of another establishment: %v", name, err)
			}
			if _, _, err := e.pay.CloseDay(ctx, actor, c.est, c.days[0], domain.PayByCheque); !errors.Is(err, payment.ErrForbidden) {
				t.Fatalf("%s's closing = %v", name, err)
			}
			if j, _, err := e.pay.LedgerExport(ctx, actor, 0, from, to); err != nil || len(j.Rows) != 6 {
				t.Fatalf("%s's export of every establishment: %d rows, %v", name, len(j.Rows), err)
			}
		}
		if _, err := e.pay.Ledger(ctx, c.ls[0].actor, c.est, from, to); !errors.Is(err, payment.ErrForbidden) {
			t.Fatalf("a learner's read = %v", err)
		}
		if _, err := e.pay.Ledger(ctx, c.director, 999999, from, to); !errors.Is(err, payment.ErrNotFound) {
			t.Fatalf("an unknown establishment = %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM ledger_closings`); n != 0 {
			t.Fatalf("%d closings written by those refused", n)
		}
	})
}

func TestLedger_PAY2_exports_csv_bom_semicolons_and_xlsx_same_rows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := newLedgerCity(t, d)
		ctx := context.Background()
		if _, _, err := c.e.pay.CloseDay(ctx, c.director, c.est, c.days[2], domain.PayInCash); err != nil {
			t.Fatal(err)
		}
		journal, closings, err := c.e.pay.LedgerExport(ctx, c.director, c.est, c.days[0], c.days[2])
		if err != nil {
			t.Fatal(err)
		}
		var csvOut, xlsxOut bytes.Buffer
		if err := export.WriteCSV(&csvOut, journal); err != nil {
			t.Fatal(err)
		}
		if err := export.WriteWorkbook(&xlsxOut, journal, closings); err != nil {
			t.Fatal(err)
		}
		raw := csvOut.String()
		if !strings.HasPrefix(raw, "\ufeff") {
			t.Fatalf("the CSV starts with %q, not the UTF-8 BOM", raw[:min(len(raw), 8)])
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff")))
		r.Comma = ';'
		records, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != 7 || len(records[0]) != 9 || records[0][0] != "Journée" || records[0][6] != "Montant (€)" {
			t.Fatalf("CSV: %d records, header %q", len(records), records[0])
		}
		euros := strconv.FormatInt(c.price/100, 10) + "," + strconv.FormatInt(c.price%100, 10)
		for _, rec := range records[1:] {
			if rec[6] != euros || rec[1] == "" || rec[4] == "" {
				t.Fatalf("CSV row %q: amount %q, want %q with a comma", rec, rec[6], euros)
			}
		}
		f, err := excelize.OpenReader(&xlsxOut)
		if err != nil {
			t.Fatalf("the workbook does not open: %v", err)
		}
		sheets := f.GetSheetList()
		if len(sheets) != 2 {
			t.Fatalf("sheets %q, want the journal and the closings", sheets)
		}
		rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(records) {
			t.Fatalf("XLSX: %d rows, CSV %d", len(rows), len(records))
		}
		for i := range rows {
			for _, col := range []int{1, 2, 3, 4, 5, 8} { // the text columns
				if rows[i][col] != records[i][col] {
					t.Errorf("row %d column %d: XLSX %q, CSV %q", i, col, rows[i][col], records[i][col])
				}
			}
			if i == 0 {
				continue
			}
			if got, _ := strconv.ParseFloat(rows[i][6], 64); int64(got*100+0.5) != c.price {
				t.Errorf("row %d: XLSX amount %q, want %d cents", i, rows[i][6], c.price)
			}
		}
		closed, err := f.GetRows(sheets[1], excelize.Options{RawCellValue: true})
		if err != nil || len(closed) != 2 || closed[1][2] != "Espèces" || closed[1][3] != "1" {
			t.Fatalf("closings sheet %q, %v", closed, err)
		}
	})
}
