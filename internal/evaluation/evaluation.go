// Package evaluation owns what ends a course (CER-1, CER-2, CER-4, SEL-7):
// the end-of-course evaluation, on a date fixed in the catalogue with its
// convocations; the results entered by the coordinator or the director; the
// certificates of competences the central service issues in bulk within
// two months of the course's end; the record those leave for the next
// candidatures (the next level asks for the certificate, one repeat only);
// and exemptions from a diploma's general exams.
//
// Reading order: evaluation.go (the service, the date and its
// convocations), results.go (entering results), certificates.go (issuing
// and showing certificates), learner.go (what a learner sees).
package evaluation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
	"cma/internal/outbox"
	"cma/internal/store"
)

// Errors the web layer answers with a status.
var (
	ErrForbidden = errors.New("evaluation: forbidden")
	ErrNotFound  = domain.ErrNotFound
)

// Refusal is a step refused for a reason the person can read: a message key
// of the locales and its arguments (i18n.Keyed).
type Refusal struct {
	Key  string
	Args map[string]any
}

func (r *Refusal) Error() string               { return "evaluation: " + r.Key }
func (r *Refusal) MessageKey() string          { return r.Key }
func (r *Refusal) MessageArgs() map[string]any { return r.Args }

func refuse(key string, kv ...any) *Refusal {
	r := &Refusal{Key: key}
	if len(kv) > 0 {
		r.Args = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Args[kv[i].(string)] = kv[i+1]
		}
	}
	return r
}

// MaxReasonLength bounds a reason or a grade typed by staff.
const MaxReasonLength = 500

// Deps is what the service needs.
type Deps struct {
	Store     *store.Store
	Catalogue *catalogue.Service
	Outbox    *outbox.Outbox
	Words     *i18n.Catalog
	Now       func() time.Time
	PublicURL string // for the emails' links
	Log       *slog.Logger
}

// Service runs evaluations and certificates.
type Service struct {
	store     *store.Store
	catalogue *catalogue.Service
	outbox    *outbox.Outbox
	words     *i18n.Catalog
	now       func() time.Time
	publicURL string
	log       *slog.Logger
}

// New makes the service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{store: d.Store, catalogue: d.Catalogue, outbox: d.Outbox, words: d.Words, now: d.Now,
		publicURL: d.PublicURL, log: d.Log}
}

// SetDate fixes the date of a course's end-of-course evaluation and convokes
// its learners through the outbox, in one transaction (CER-1). The date is
// set in the catalogue by the central service (ROLE-5); it must be one of
// the course's class meetings, today or later, and once set it never
// changes: setting it again to the same day does nothing, to another day is
// refused.
func (s *Service) SetDate(ctx context.Context, actor domain.Actor, courseID int64, day time.Time) error {
	e, err := s.course(ctx, actor, domain.ActManageCatalogue, courseID)
	if err != nil {
		return err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return err
	}
	if day.IsZero() {
		return refuse("evaluation.date.missing")
	}
	if day.Before(parisDay(s.now())) {
		return refuse("evaluation.date.past")
	}
	meeting := false
	for _, m := range ix.Meetings(e, domain.Paris()) {
		if m.Date.Equal(day) && !m.Skipped {
			meeting = true
		}
	}
	if !meeting {
		return refuse("evaluation.date.not_a_meeting", "Day", s.longDate(day))
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		set, ok, err := s.store.EvaluationDate(ctx, tx, e.ID) // locks the course
		if err != nil {
			return err
		}
		if ok {
			if set.Equal(day) {
				return nil
			}
			return refuse("evaluation.date.fixed", "Day", s.longDate(set))
		}
		if err := s.store.SetEvaluationDate(ctx, tx, e.ID, day); err != nil {
			return err
		}
		learners, err := s.store.RegisterLearners(ctx, e.ID)
		if err != nil {
			return err
		}
		convoked := 0
		for _, l := range learners {
			if !l.InCourse {
				continue
			}
			if fresh, err := s.convoke(ctx, tx, l.CandidatureID, l.AccountID, e, day); err != nil {
				return err
			} else if fresh {
				convoked++
			}
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditEvaluationScheduled,
			ObjectKind: domain.AuditObjectCourse, ObjectID: e.ID,
			Details: "évaluation de fin de cours " + e.Code + " le " + day.Format("02/01/2006") + " ; " + strconv.Itoa(convoked) + " convocation(s)"})
	})
}

// convoke sends, in tx, a learner's convocation to their course's
// evaluation, once: fresh is false when they had it.
func (s *Service) convoke(ctx context.Context, tx *sql.Tx, candidatureID, accountID int64, e *catalogue.Entry, day time.Time) (bool, error) {
	fresh, err := s.store.RecordEvaluationConvocation(ctx, tx, candidatureID, e.ID, s.now())
	if err != nil || !fresh {
		return false, err
	}
	return true, s.tell(ctx, tx, accountID, "evaluation_convocation", func(seat mail.Seat) (string, string, string, error) {
		return mail.RenderEvaluationConvocation(mail.EvaluationConvocationMail{Seat: seat, Day: s.longDate(day)})
	}, e)
}

// ConvokeEvery is how often the learners who joined a course after its
// evaluation's date was set are looked for.
const ConvokeEvery = time.Hour

// ConvokeLate convokes to their course's evaluation the learners who joined
// it after its date was set — an offer accepted from the waiting list, a day
// change — each once, in a transaction of their own (CER-1). It is the
// evaluation timer's work, safe to run twice or late.
func (s *Service) ConvokeLate(ctx context.Context) (convoked int, err error) {
	late, err := s.store.UnconvokedLearners(ctx, parisDay(s.now()))
	if err != nil || len(late) == 0 {
		return 0, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return 0, err
	}
	for _, u := range late {
		e, ok := ix.Course(u.CourseID)
		if !ok {
			continue
		}
		var fresh bool
		err := s.store.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			fresh, err = s.convoke(ctx, tx, u.CandidatureID, u.AccountID, e, u.Day)
			return err
		})
		if err != nil {
			return convoked, fmt.Errorf("convoke candidature %d to the evaluation of course %d: %w", u.CandidatureID, u.CourseID, err)
		}
		if fresh {
			convoked++
		}
	}
	if convoked > 0 && s.log != nil {
		s.log.Info("learners convoked to their course's evaluation after joining", "convoked", convoked)
	}
	return convoked, nil
}

// course reads course courseID and checks the actor may act on it.
func (s *Service) course(ctx context.Context, actor domain.Actor, act domain.Action, courseID int64) (*catalogue.Entry, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return nil, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	if !domain.Can(actor, act, courseResource(e)) {
		return nil, ErrForbidden
	}
	return e, nil
}

func courseResource(e *catalogue.Entry) domain.Resource {
	return domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}
}

// parisDay is the civil date of t in Europe/Paris, at 00:00 UTC.
func parisDay(t time.Time) time.Time {
	y, m, d := t.In(domain.Paris()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Service) weekday(d time.Weekday) string {
	if s.words != nil {
		return s.words.Printer(i18n.French).T("weekday." + strconv.Itoa(int(d)))
	}
	return d.String()
}

// longDate is a civil date as the emails write it: "lundi 12/10/2026".
func (s *Service) longDate(d time.Time) string {
	return s.weekday(d.Weekday()) + " " + d.Format("02/01/2006")
}

var errNoOutbox = errors.New("evaluation: no outbox to tell the learner")

// tell writes an email in the person's space and queues it, in tx (CON-2).
func (s *Service) tell(ctx context.Context, tx *sql.Tx, accountID int64, kind string,
	render func(mail.Seat) (subject, text, html string, err error), e *catalogue.Entry) error {
	if s.outbox == nil {
		return errNoOutbox
	}
	person, err := s.store.AccountTx(ctx, tx, accountID)
	if err != nil {
		return err
	}
	subject, text, html, err := render(e.Seat(person.FirstName, s.publicURL+"/mon-parcours", s.weekday))
	if err != nil {
		return err
	}
	return s.outbox.Keep(ctx, tx, &domain.Message{AccountID: accountID, Kind: kind, Subject: subject, Text: text, HTML: html,
		CreatedAt: s.now()})
}

// clean trims a staff member's text and checks its length.
func clean(text string) (string, error) {
	text = strings.TrimSpace(text)
	if len([]rune(text)) > MaxReasonLength {
		return "", refuse("evaluation.text_long", "Max", MaxReasonLength)
	}
	return text, nil
}
