package catalogue

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"strconv"
	"strings"
	"time"

	"cma/internal/calendar"
	"cma/internal/domain"
	"cma/internal/store"
)

// MaxHolidayFileBytes bounds the school calendar uploaded in the back office:
// the ministry's file of a zone is a few tens of kilobytes.
const MaxHolidayFileBytes = 1 << 20

// HolidayZone is the city's school-holiday zone ("C" for Paris).
func (a *Admin) HolidayZone() string { return a.catalogue.zone }

// ReadSchoolHolidays reads the Education ministry's school calendar
// (iCalendar, "calendrier scolaire") and keeps the city's zone's holiday
// periods (CAT-5): the dry run that the page shows before the import. The
// parser is calendar.ParseSchoolHolidays: each period runs from the first
// to the last day without classes, DTEND being the day classes resume.
// Errors are domain.FieldErrors on "fichier": too big, not an iCalendar,
// unreadable, or no period for the zone.
func (a *Admin) ReadSchoolHolidays(ctx context.Context, actor domain.Actor, r io.Reader) ([]calendar.Period, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return nil, ErrForbidden
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxHolidayFileBytes+1))
	if err != nil {
		return nil, err
	}
	fail := func(key string) error {
		return domain.FieldErrors{{Field: "fichier", Key: key, Args: map[string]any{"Zone": a.HolidayZone(), "Max": "1 Mo"}}}
	}
	switch {
	case len(data) == 0:
		return nil, fail("holidays.error.empty")
	case len(data) > MaxHolidayFileBytes:
		return nil, fail("holidays.error.too_big")
	case !bytes.Contains(data[:min(len(data), 4096)], []byte("BEGIN:VCALENDAR")):
		return nil, fail("holidays.error.not_ics")
	}
	periods, err := calendar.ParseSchoolHolidays(bytes.NewReader(data), "Zone "+a.HolidayZone())
	if err != nil {
		a.log.InfoContext(ctx, "school calendar refused", "err", err)
		return nil, domain.FieldErrors{{Field: "fichier", Key: "holidays.error.malformed", Args: map[string]any{"Detail": strings.TrimPrefix(err.Error(), "calendar: ")}}}
	}
	if len(periods) == 0 {
		return nil, fail("holidays.error.no_period")
	}
	return periods, nil
}

// ImportSchoolHolidays reads the file as ReadSchoolHolidays and replaces the
// zone's periods with its own in one transaction, which revises every
// course's class calendar (CAT-5) and records the import (holidays.imported,
// before and after).
func (a *Admin) ImportSchoolHolidays(ctx context.Context, actor domain.Actor, r io.Reader) ([]calendar.Period, error) {
	periods, err := a.ReadSchoolHolidays(ctx, actor, r)
	if err != nil {
		return nil, err
	}
	zone := a.HolidayZone()
	rows := make([]store.SchoolHoliday, len(periods))
	after := make(Fields, len(periods))
	for i, p := range periods {
		rows[i] = store.SchoolHoliday{Zone: zone, Name: p.Name, First: p.First, Last: p.Last}
		after[i] = [2]string{periodWords(p.Name, i), dayRange(p.First, p.Last)}
	}
	err = a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		c, err := a.store.LoadCatalogueTx(ctx, tx)
		if err != nil {
			return nil, err
		}
		var before Fields
		for _, h := range c.SchoolHolidays {
			if h.Zone == zone {
				before = append(before, [2]string{periodWords(h.Name, len(before)), dayRange(h.First, h.Last)})
			}
		}
		if err := a.catalogue.ReplaceSchoolHolidaysTx(ctx, tx, zone, rows, a.paris); err != nil {
			return nil, err
		}
		details := Changes(before, after)
		if before == nil {
			details = "aucune période → " + strconv.Itoa(len(rows)) + " périodes ; " + details
		}
		return []domain.AuditEvent{{ActorID: actor.AccountID, Action: domain.AuditHolidaysImported,
			Details: "zone " + zone + " : " + orDash(details)}}, nil
	})
	if err != nil {
		return nil, err
	}
	return periods, nil
}

// SchoolHolidays are the city's zone's current periods, by first day.
func (a *Admin) SchoolHolidays(ctx context.Context) ([]calendar.Period, error) {
	ix, err := a.catalogue.Index(ctx)
	if err != nil {
		return nil, err
	}
	return ix.Closures.School, nil
}

// periodWords names a period in the audit trail; two periods of one name
// (the Toussaint of two school years) are told apart by their rank.
func periodWords(name string, i int) string {
	return strconv.Itoa(i+1) + ". " + name
}

func dayRange(first, last time.Time) string {
	return "du " + first.Format("02/01/2006") + " au " + last.Format("02/01/2006")
}
