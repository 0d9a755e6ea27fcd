package catalogue

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"cma/internal/calendar"
	"cma/internal/i18n"
	"cma/internal/store"
)

// Option configures a Service.
type Option func(*Service)

// UIDHost names the host in the UIDs of the calendar files' events
// ("ANG-01-20261012@cours.paris.fr"): the host of the public URL. Without it
// the UIDs end in "@localhost".
func UIDHost(host string) Option {
	return func(s *Service) {
		if host != "" {
			s.uidHost = host
		}
	}
}

// CourseCalendar is a course's calendar file, ready to write: its class
// meetings, the held ones and those skipped for holidays as cancelled (CAT-5),
// with the SEQUENCE and LAST-MODIFIED of their current version.
type CourseCalendar struct {
	Name     string // the calendar's name, "Anglais — ANG-01"
	Events   []calendar.Event
	Sequence int
	Modified time.Time
	// ETag changes whenever the events do (their SEQUENCE with them); the
	// file's bytes differ at each download by DTSTAMP only, hence a weak one.
	ETag string
}

// courseEvents are the course's class meetings as calendar events, worded in
// French, before any SEQUENCE: a meeting skipped for a holiday keeps its UID
// and is cancelled, so that a calendar which imported it held removes it.
func (s *Service) courseEvents(ix *Index, e *Entry, loc *time.Location) []calendar.Event {
	fr := s.words.Printer(i18n.French)
	where := e.Establishment.Name + ", " + e.Establishment.Address + ", " + e.Establishment.PostalCode + " " + e.Establishment.City
	if e.RemoteNow {
		where = "À distance"
	}
	summary := e.Formation.Title + " (" + fr.T("level."+string(e.Level)) + ")"
	var events []calendar.Event
	for _, m := range ix.Meetings(e, loc) {
		ev := calendar.Event{
			UID:     e.Code + "-" + m.Date.Format("20060102") + "@" + s.uidHost,
			Summary: summary, Location: where, Description: "Cours " + e.Code + " — " + e.Session.Name,
			Start: m.Start, End: m.End, Cancelled: m.Skipped,
		}
		if m.Skipped {
			ev.Summary = fr.T("course.meetings.skipped", map[string]any{"Reason": m.Reason}) + " — " + summary
		}
		events = append(events, ev)
	}
	return events
}

// CourseCalendar gives course e of ix as a calendar file in loc (Europe/Paris).
// Its events' fingerprint is checked against the stored one: when the meetings
// changed since the last file, whatever changed them, SEQUENCE grows and
// LAST-MODIFIED is now.
func (s *Service) CourseCalendar(ctx context.Context, ix *Index, e *Entry, loc *time.Location) (CourseCalendar, error) {
	events := s.courseEvents(ix, e, loc)
	fp := calendar.Fingerprint(events)
	rev, found, err := s.store.CourseCalendar(ctx, e.ID)
	if err != nil {
		return CourseCalendar{}, err
	}
	if !found || rev.Fingerprint != fp && rev.Revision <= ix.Revision {
		err := s.store.InTx(ctx, func(tx *sql.Tx) error {
			rev, err = s.store.ReviseCourseCalendar(ctx, tx, e.ID, fp, ix.Revision, s.now())
			return err
		})
		if err != nil {
			return CourseCalendar{}, err
		}
	}
	if rev.Fingerprint != fp && rev.Revision > ix.Revision {
		// This instance's catalogue is older than the stored calendar (another
		// instance, or the holiday import, saw a later one): reload it once.
		s.checked.Store(0)
		if fresh, err := s.Index(ctx); err == nil && fresh.Revision > ix.Revision {
			if fe, ok := fresh.Course(e.ID); ok {
				return s.CourseCalendar(ctx, fresh, fe, loc)
			}
		}
	}
	for i := range events {
		events[i].Sequence, events[i].Modified = rev.Sequence, rev.Modified
	}
	return CourseCalendar{Name: e.Formation.Title + " — " + e.Code, Events: events, Sequence: rev.Sequence,
		Modified: rev.Modified, ETag: `W/"` + rev.Fingerprint[:min(16, len(rev.Fingerprint))] + "-" + strconv.Itoa(rev.Sequence) + `"`}, nil
}

// ReplaceSchoolHolidays imports the school holidays of a zone (CAT-5) and, in
// the same transaction, revises every course's calendar with its meetings in
// loc under the new holidays: a course whose meetings move gets the next
// SEQUENCE and a LAST-MODIFIED at the import's time; the others keep theirs.
func (s *Service) ReplaceSchoolHolidays(ctx context.Context, zone string, periods []store.SchoolHoliday, loc *time.Location) error {
	return s.store.InTx(ctx, func(tx *sql.Tx) error { return s.ReplaceSchoolHolidaysTx(ctx, tx, zone, periods, loc) })
}

// ReplaceSchoolHolidaysTx is ReplaceSchoolHolidays inside the caller's
// transaction (the back office's import records its audit event in it).
func (s *Service) ReplaceSchoolHolidaysTx(ctx context.Context, tx *sql.Tx, zone string, periods []store.SchoolHoliday, loc *time.Location) error {
	if err := s.store.ReplaceSchoolHolidaysTx(ctx, tx, zone, periods); err != nil {
		return err
	}
	c, err := s.store.LoadCatalogueTx(ctx, tx)
	if err != nil {
		return err
	}
	ix := Build(c, s.words, s.zone)
	now := s.now()
	for _, e := range ix.entries {
		if _, err := s.store.ReviseCourseCalendar(ctx, tx, e.ID, calendar.Fingerprint(s.courseEvents(ix, e, loc)), ix.Revision, now); err != nil {
			return fmt.Errorf("school holidays of %s: %w", zone, err)
		}
	}
	return nil
}
