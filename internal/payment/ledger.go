package payment

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/store"
)

// The régie's ledger (PAY-1, PAY-2): the append-only journal an
// establishment's payments write, its totals per day and mode, the daily
// closings its director signs, and the exports for the treasury. The
// director reads her own establishment's; the régisseur (the régie's
// accountant) and the central service read every one; only the director
// closes a day, as she holds the cash and cheques.
//
// A day without any entry in a mode is closed too, at zero: the director
// signs that she holds no cash that day, which is also a statement the
// régie checks. Closing is only for a day before today (Paris): a day still
// open may yet take payments.

// Ledger is an establishment's journal between two days (inclusive), and
// per day the totals of each mode with their closings.
type Ledger struct {
	EstablishmentID int64
	From, To        time.Time
	Lines           []store.LedgerLine // in the order written
	Days            []LedgerDay        // the days with entries or closings, oldest first
	Entries         int                // over the whole range
	TotalCents      int64
	// MayClose says the actor may close this establishment's days (its
	// director); each mode's Closable says whether that one still may be.
	MayClose bool
}

// LedgerDay is one day of an establishment's journal: its three modes in
// the ledger's order (card, cheque, cash).
type LedgerDay struct {
	Day   time.Time
	Modes []LedgerDayMode
}

// LedgerDayMode is one mode of one day: its entries' count and total as
// the database sums them now, and its closing, if signed.
type LedgerDayMode struct {
	Mode       domain.PaymentMode
	Entries    int
	TotalCents int64
	Closing    *domain.LedgerClosing // nil while the day is open
	// Closable: the actor may close it now (the director, a past day, not
	// closed yet).
	Closable bool
	// Differs: the journal no longer gives the closing's count or total (an
	// entry written on that day after it was signed): the régie must look.
	Differs bool
}

// checkRange refuses a range upside down or longer than the ledger shows.
func checkRange(from, to time.Time) error {
	if from.IsZero() || to.IsZero() || to.Before(from) || to.Sub(from) > domain.MaxLedgerDays*24*time.Hour {
		return refuse("ledger.range.invalid", "Max", domain.MaxLedgerDays)
	}
	return nil
}

// establishment checks that actor may act on establishment id, which exists.
func (s *Service) establishment(ctx context.Context, actor domain.Actor, act domain.Action, id int64) (*domain.Establishment, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	est, ok := ix.Establishment(id)
	if !ok {
		return nil, fmt.Errorf("establishment %d: %w", id, ErrNotFound)
	}
	if !domain.Can(actor, act, domain.Resource{EstablishmentID: id}) {
		return nil, ErrForbidden
	}
	return est, nil
}

// Ledger reads establishment establishmentID's journal from from to to
// (civil days, inclusive), with each day's totals per mode summed by the
// database and its closings.
func (s *Service) Ledger(ctx context.Context, actor domain.Actor, establishmentID int64, from, to time.Time) (Ledger, error) {
	if _, err := s.establishment(ctx, actor, domain.ActReadLedger, establishmentID); err != nil {
		return Ledger{}, err
	}
	if err := checkRange(from, to); err != nil {
		return Ledger{}, err
	}
	l := Ledger{EstablishmentID: establishmentID, From: from, To: to,
		MayClose: domain.Can(actor, domain.ActCloseLedgerDay, domain.Resource{EstablishmentID: establishmentID})}
	var err error
	if l.Lines, err = s.store.LedgerLines(ctx, establishmentID, from, to); err != nil {
		return Ledger{}, err
	}
	totals, err := s.store.LedgerTotals(ctx, establishmentID, from, to)
	if err != nil {
		return Ledger{}, err
	}
	closings, err := s.store.LedgerClosings(ctx, establishmentID, from, to)
	if err != nil {
		return Ledger{}, err
	}
	type key struct {
		day  time.Time
		mode domain.PaymentMode
	}
	sums := map[key]domain.LedgerTotal{}
	signed := map[key]domain.LedgerClosing{}
	var days []time.Time
	seen := map[time.Time]bool{}
	addDay := func(d time.Time) {
		if !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	for _, t := range totals {
		sums[key{t.Day, t.Mode}] = t
		l.Entries += t.Entries
		l.TotalCents += t.TotalCents
		addDay(t.Day)
	}
	for _, c := range closings {
		signed[key{c.Day, c.Mode}] = c
		addDay(c.Day)
	}
	slices.SortFunc(days, time.Time.Compare)
	now := s.now()
	for _, d := range days {
		day := LedgerDay{Day: d}
		for _, m := range domain.PaymentModes {
			t := sums[key{d, m}]
			dm := LedgerDayMode{Mode: m, Entries: t.Entries, TotalCents: t.TotalCents}
			if c, ok := signed[key{d, m}]; ok {
				dm.Closing = &c
				dm.Differs = c.Entries != t.Entries || c.TotalCents != t.TotalCents
			} else {
				dm.Closable = l.MayClose && domain.LedgerDayClosable(d, now)
			}
			day.Modes = append(day.Modes, dm)
		}
		l.Days = append(l.Days, day)
	}
	return l, nil
}

// CloseDay signs the closing of one past day and mode of an establishment's
// journal: its count and total are computed from the entries by the
// database, in the same transaction that writes the closing and its audit
// line. Only the establishment's director closes (she holds the cash and
// cheques); a day with no entry in that mode is closed at zero. Closing a
// day and mode already closed changes nothing: created is false and the
// closing returned is the one signed first.
func (s *Service) CloseDay(ctx context.Context, actor domain.Actor, establishmentID int64, day time.Time,
	mode domain.PaymentMode) (c domain.LedgerClosing, created bool, err error) {
	if _, err := s.establishment(ctx, actor, domain.ActCloseLedgerDay, establishmentID); err != nil {
		return c, false, err
	}
	if !mode.Valid() {
		return c, false, refuse("ledger.close.mode")
	}
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	if !domain.LedgerDayClosable(day, s.now()) {
		return c, false, refuse("ledger.close.not_past", "Day", day.Format("02/01/2006"))
	}
	err = s.store.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, created, err = s.store.CloseLedgerDay(ctx, tx, establishmentID, day, mode, actor.AccountID, s.now())
		if err != nil || !created {
			return err
		}
		entries := "écritures"
		if c.Entries < 2 {
			entries = "écriture"
		}
		details := fmt.Sprintf("journée du %s clôturée (%s) : %d %s, %s", day.Format("02/01/2006"),
			modeWords(mode), c.Entries, entries, documents.FrenchMoney(c.TotalCents))
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID,
			Action: domain.AuditLedgerClosed, ObjectKind: domain.AuditObjectEstablishment, ObjectID: establishmentID,
			Details: details})
	})
	return c, created, err
}

// LedgerExport is the régie's journal for the treasury, in French: the
// entries (the CSV's one table, the workbook's first sheet) and the
// closings (the workbook's second sheet), of one establishment or, with
// establishmentID 0, of every one (the régisseur and the central service
// only). Amounts are euros with a decimal comma in the CSV, money cells in
// the workbook.
func (s *Service) LedgerExport(ctx context.Context, actor domain.Actor, establishmentID int64, from, to time.Time) (journal, closings export.Table, err error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return journal, closings, err
	}
	if establishmentID != 0 {
		if _, err := s.establishment(ctx, actor, domain.ActReadLedger, establishmentID); err != nil {
			return journal, closings, err
		}
	} else if !domain.Can(actor, domain.ActReadLedger, domain.Resource{}) {
		return journal, closings, ErrForbidden
	}
	if err := checkRange(from, to); err != nil {
		return journal, closings, err
	}
	lines, err := s.store.LedgerLines(ctx, establishmentID, from, to)
	if err != nil {
		return journal, closings, err
	}
	signed, err := s.store.LedgerClosings(ctx, establishmentID, from, to)
	if err != nil {
		return journal, closings, err
	}
	name := func(id int64) string {
		if e, ok := ix.Establishment(id); ok {
			return e.Name
		}
		return fmt.Sprint(id)
	}
	t := s.word
	paris := domain.Paris()
	journal = export.Table{Title: t("ledger.x.journal"), Headers: []string{t("ledger.x.day"), t("ledger.x.establishment"),
		t("ledger.x.mode"), t("ledger.x.kind"), t("ledger.x.reference"), t("ledger.x.label"), t("ledger.x.amount"),
		t("ledger.x.recorded_at"), t("ledger.x.recorded_by")}}
	for _, l := range lines {
		by := l.RecordedByName
		if by == "" {
			by = t("ledger.online")
		}
		journal.Rows = append(journal.Rows, []export.Cell{export.Date(l.Day), export.Text(name(l.EstablishmentID)),
			export.Text(t("ledger.mode." + string(l.Mode))), export.Text(t("ledger.kind." + l.Kind)), export.Text(l.Reference),
			export.Text(l.Label), export.Money(l.AmountCents), export.DateTime(l.RecordedAt.In(paris)), export.Text(by)})
	}
	closings = export.Table{Title: t("ledger.x.closings"), Headers: []string{t("ledger.x.day"), t("ledger.x.establishment"),
		t("ledger.x.mode"), t("ledger.x.entries"), t("ledger.x.total"), t("ledger.x.signed_by"), t("ledger.x.signed_at")}}
	for _, c := range signed {
		closings.Rows = append(closings.Rows, []export.Cell{export.Date(c.Day), export.Text(name(c.EstablishmentID)),
			export.Text(t("ledger.mode." + string(c.Mode))), export.Int(int64(c.Entries)), export.Money(c.TotalCents),
			export.Text(c.SignedByName), export.DateTime(c.SignedAt.In(paris))})
	}
	author, now := t("site.owner"), s.now()
	journal.Author, journal.Created, closings.Author, closings.Created = author, now, author, now
	return journal, closings, nil
}

// word is a French word of the locales (the key itself without them).
func (s *Service) word(key string) string {
	if p := s.printer(); p != nil {
		return p.T(key)
	}
	return key
}

// Remittance is an establishment's daily remittance slip of the cheques
// its desk took (bordereau de remise de chèques, PAY-2), for the bank: read
// by whoever reads its ledger.
func (s *Service) Remittance(ctx context.Context, actor domain.Actor, establishmentID int64, day time.Time) ([]store.ChequeLine, error) {
	if !domain.Can(actor, domain.ActReadLedger, domain.Resource{EstablishmentID: establishmentID}) {
		return nil, ErrForbidden
	}
	y, m, d := day.Date()
	return s.store.ChequesOfDay(ctx, establishmentID, time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}
