package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/payment"
	"cma/internal/web/views"
)

// The régie's ledger (PAY-1, PAY-2; issue 16): the journal of an
// establishment's payments, its totals per day and mode, the closings its
// director signs, and the exports for the treasury. The régisseur and the
// central service choose an establishment, or export every one; the
// director lands on her own.

const ledgerPath = "/back-office/regie"

func ledgerEstPath(id int64) string { return ledgerPath + "/" + itoa64(id) }

// ledgerDefaultDays is the period a ledger page shows when none is asked:
// the last three months, enough for a term's fees.
const ledgerDefaultDays = 92

// ledgerPeriod reads ?du= and ?au= (YYYY-MM-DD), by default the last
// ledgerDefaultDays days to today in Paris; a date that does not parse is a
// field error and the default stands.
func (s *Server) ledgerPeriod(r *http.Request, q url.Values) (from, to time.Time, errFor map[string]string) {
	y, m, d := s.Now().In(s.Paris).Date()
	to = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	from = to.AddDate(0, 0, -ledgerDefaultDays)
	p := s.printer(r)
	for _, f := range []struct {
		name string
		into *time.Time
	}{{"du", &from}, {"au", &to}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		day, err := time.Parse(time.DateOnly, v)
		if err != nil {
			if errFor == nil {
				errFor = map[string]string{}
			}
			errFor[f.name] = p.T("ledger.close.day")
			continue
		}
		*f.into = day
	}
	return from, to, errFor
}

// ledgerChooser is the régie's entry: the establishments for the régisseur
// and the central service; the director goes to her own establishment's.
func (s *Server) ledgerChooser(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if !domain.Can(u.Actor, domain.ActReadLedger, domain.Resource{}) {
		for _, g := range u.Actor.Grants {
			if g.EstablishmentID != 0 && domain.Can(u.Actor, domain.ActReadLedger, domain.Resource{EstablishmentID: g.EstablishmentID}) {
				http.Redirect(w, r, ledgerEstPath(g.EstablishmentID), http.StatusSeeOther)
				return
			}
		}
		s.forbidden(w, r, false)
		return
	}
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	pg := s.page(r, "ledger.title")
	v := &views.LedgerChooserView{AllCSV: ledgerPath + "/journal.csv", AllXLSX: ledgerPath + "/journal.xlsx"}
	for _, e := range ix.Establishments {
		v.Establishments = append(v.Establishments, views.Link{URL: ledgerEstPath(e.ID), Label: e.Name, Hint: pg.District(e.District)})
	}
	s.render(w, r, http.StatusOK, views.LedgerChooserPage(pg, v))
}

// ledgerPage is one establishment's ledger over a period.
func (s *Server) ledgerPage(w http.ResponseWriter, r *http.Request) {
	s.renderLedger(w, r, http.StatusOK, r.URL.Query(), "")
}

func (s *Server) renderLedger(w http.ResponseWriter, r *http.Request, status int, q url.Values, errMsg string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	est, ok := ix.Establishment(id)
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	pg := s.page(r, "ledger.title")
	p := pg.P
	from, to, errFor := s.ledgerPeriod(r, q)
	v := &views.LedgerView{Title: p.T("ledger.est.title", map[string]any{"Name": est.Name}), Action: ledgerEstPath(id),
		From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), ErrFor: errFor, Error: errMsg}
	for _, f := range []string{"du", "au"} {
		if m, ok := errFor[f]; ok {
			v.Errors = append(v.Errors, views.FieldMessage{Field: f, Message: m})
		}
	}
	if len(v.Errors) > 0 && status == http.StatusOK {
		status = http.StatusBadRequest
	}
	l, err := s.Payment.Ledger(r.Context(), u.Actor, id, from, to)
	var refusal *payment.Refusal
	switch {
	case errors.As(err, &refusal):
		v.Errors = append(v.Errors, views.FieldMessage{Field: "du", Message: p.WordKeyed(refusal)})
		if v.ErrFor == nil {
			v.ErrFor = map[string]string{}
		}
		v.ErrFor["du"] = p.WordKeyed(refusal)
		status = http.StatusBadRequest
	case err != nil:
		s.paymentError(w, r, err)
		return
	}
	v.ReadOnly = !l.MayClose
	if domain.Can(u.Actor, domain.ActReadLedger, domain.Resource{}) {
		v.ChooserURL = ledgerPath
	}
	period := url.Values{"du": {v.From}, "au": {v.To}}
	v.CSV, v.XLSX = withQuery(ledgerEstPath(id)+"/journal.csv", period), withQuery(ledgerEstPath(id)+"/journal.xlsx", period)
	v.DaysCaption = p.T("ledger.days.caption", map[string]any{"From": pg.ShortDate(from), "To": pg.ShortDate(to)})
	v.JournalCaption = p.N("ledger.journal.caption", l.Entries, map[string]any{"From": pg.ShortDate(from), "To": pg.ShortDate(to),
		"Count": l.Entries, "Total": views.Money(l.TotalCents)})
	for _, m := range domain.PaymentModes {
		v.Modes = append(v.Modes, p.T("ledger.mode."+string(m)))
	}
	closedDay, closedMode := q.Get("jour"), q.Get("mode")
	now := s.Now()
	for _, d := range l.Days {
		row := views.LedgerDayRows{Day: pg.Date(d.Day)}
		for _, m := range d.Modes {
			mode := p.T("ledger.mode." + string(m.Mode))
			mr := views.LedgerModeRow{Mode: mode, Entries: p.N("ledger.days.entries", m.Entries, map[string]any{"Count": m.Entries}),
				Total: views.Money(m.TotalCents)}
			if m.Mode == domain.PayByCheque && m.Entries > 0 {
				mr.Remittance = ledgerEstPath(id) + "/bordereau.pdf?jour=" + d.Day.Format(time.DateOnly)
			}
			switch {
			case m.Closing != nil:
				mr.State = p.T("ledger.days.closed", map[string]any{"Name": m.Closing.SignedByName,
					"At": pg.DateTime(m.Closing.SignedAt, s.Paris)})
				if m.Differs {
					mr.Differs = p.T("ledger.days.differs", map[string]any{"Entries": m.Closing.Entries,
						"Total": views.Money(m.Closing.TotalCents)})
				}
				if d.Day.Format(time.DateOnly) == closedDay && string(m.Mode) == closedMode {
					words := map[string]any{"Day": pg.ShortDate(d.Day), "Mode": mode, "Entries": m.Closing.Entries,
						"Total": views.Money(m.Closing.TotalCents), "Name": m.Closing.SignedByName,
						"At": pg.DateTime(m.Closing.SignedAt, s.Paris)}
					if q.Get("cloture") == "deja" {
						v.Saved = p.T("ledger.close.already", words)
					} else if q.Get("cloture") == "faite" {
						v.Saved = p.N("ledger.close.done", m.Closing.Entries, words)
					}
				}
			case !domain.LedgerDayClosable(d.Day, now):
				mr.State = p.T("ledger.days.today")
			default:
				mr.State = p.T("ledger.days.open")
			}
			if m.Closable {
				mr.Close = &views.LedgerCloseForm{Action: ledgerEstPath(id) + "/cloture", Day: d.Day.Format(time.DateOnly),
					Mode: string(m.Mode), From: v.From, To: v.To, Label: p.T("ledger.close.button.label",
						map[string]any{"Day": pg.ShortDate(d.Day), "Mode": mode, "Total": views.Money(m.TotalCents)})}
			}
			row.Modes = append(row.Modes, mr)
		}
		v.Days = append(v.Days, row)
	}
	for _, e := range l.Lines {
		by := e.RecordedByName
		if by == "" {
			by = p.T("ledger.online")
		}
		v.Lines = append(v.Lines, views.LedgerLineRow{Day: pg.ShortDate(e.Day), Mode: p.T("ledger.mode." + string(e.Mode)),
			Kind: p.T("ledger.kind." + e.Kind), Reference: e.Reference, Label: e.Label, Amount: views.Money(e.AmountCents),
			When: pg.DateTime(e.RecordedAt, s.Paris), By: by})
	}
	s.render(w, r, status, views.LedgerPage(pg, v))
}

// closeLedgerDay signs a past day's closing for one mode (the director);
// the page then says whether it was closed now or already.
func (s *Server) closeLedgerDay(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	back := url.Values{"du": {r.PostForm.Get("du")}, "au": {r.PostForm.Get("au")}}
	day, err := time.Parse(time.DateOnly, r.PostForm.Get("jour"))
	if err != nil {
		s.renderLedger(w, r, http.StatusBadRequest, back, s.printer(r).T("ledger.close.day"))
		return
	}
	mode := domain.PaymentMode(r.PostForm.Get("mode"))
	_, created, err := s.Payment.CloseDay(r.Context(), currentUser(r).Actor, id, day, mode)
	var refusal *payment.Refusal
	switch {
	case err == nil:
		back.Set("jour", day.Format(time.DateOnly))
		back.Set("mode", string(mode))
		back.Set("cloture", "faite")
		if !created {
			back.Set("cloture", "deja")
		}
		http.Redirect(w, r, withQuery(ledgerEstPath(id), back)+"#journees-titre", http.StatusSeeOther)
	case errors.As(err, &refusal):
		s.renderLedger(w, r, http.StatusConflict, back, s.printer(r).WordKeyed(refusal))
	default:
		s.paymentError(w, r, err)
	}
}

func (s *Server) ledgerCSV(w http.ResponseWriter, r *http.Request) {
	s.ledgerExport(w, r, "csv", "text/csv; charset=utf-8", func(w io.Writer, journal, _ export.Table) error {
		return export.WriteCSV(w, journal)
	})
}

func (s *Server) ledgerXLSX(w http.ResponseWriter, r *http.Request) {
	s.ledgerExport(w, r, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		func(w io.Writer, journal, closings export.Table) error {
			return export.WriteWorkbook(w, journal, closings)
		})
}

// ledgerExport writes the journal (and, in the workbook, the closings) of
// the establishment in the path, or of every establishment on the régie's
// own export, over the period asked.
func (s *Server) ledgerExport(w http.ResponseWriter, r *http.Request, ext, contentType string,
	write func(w io.Writer, journal, closings export.Table) error) {
	var id int64
	base := "regie-tous-etablissements"
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = pathID(r, "id"); !ok {
			s.notFound(w, r)
			return
		}
		base = "regie-" + itoa64(id)
		if ix, _ := s.Catalogue.Index(r.Context()); ix != nil {
			if e, ok := ix.Establishment(id); ok {
				base = "regie-" + e.Name
			}
		}
	}
	from, to, errFor := s.ledgerPeriod(r, r.URL.Query())
	if len(errFor) > 0 {
		http.Error(w, s.printer(r).T("ledger.close.day"), http.StatusBadRequest)
		return
	}
	journal, closings, err := s.Payment.LedgerExport(r.Context(), currentUser(r).Actor, id, from, to)
	var refusal *payment.Refusal
	switch {
	case errors.As(err, &refusal):
		http.Error(w, s.printer(r).WordKeyed(refusal), http.StatusBadRequest)
		return
	case err != nil:
		s.paymentError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := write(&buf, journal, closings); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+export.Filename(base, s.Now().In(s.Paris), ext)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

// remittancePDF is a day's remittance slip of the cheques taken at the
// establishment's desk (bordereau de remise de chèques, PAY-2): the cheques,
// their count and total, and a box for who hands them to the bank.
func (s *Server) remittancePDF(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	day, err := time.Parse(time.DateOnly, r.URL.Query().Get("jour"))
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	est, ok := ix.Establishment(id)
	if !ok {
		s.notFound(w, r)
		return
	}
	u := currentUser(r)
	cheques, err := s.Payment.Remittance(r.Context(), u.Actor, id, day)
	if err != nil {
		s.paymentError(w, r, err)
		return
	}
	if len(cheques) == 0 {
		s.notFound(w, r)
		return
	}
	doc := documents.Remittance{Establishment: est.Name, Payee: s.ChequePayee, Date: documents.FrenchDate(day),
		SignedBy: u.Account.FullName()}
	for _, c := range cheques {
		doc.Lines = append(doc.Lines, documents.RemittanceLine{ChequeNumber: c.Number, Bank: c.Bank, Drawer: c.Drawer,
			Learner: personName(c.FirstName, c.LastName), Reference: c.Receipt, AmountCents: c.AmountCents})
	}
	pdf, err := documents.RemittancePDF(doc, s.Now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="bordereau-cheques-`+day.Format(time.DateOnly)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pdf)
}
