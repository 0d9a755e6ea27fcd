// Package candidature runs the candidate's basket and candidatures (CAN-1..9):
// adding courses under the rules, the definitive validation that turns a basket
// into candidatures and queues the confirmation email in the same transaction,
// cancellation until the deadline, and assisted registration by staff.
package candidature

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"cma/internal/batch"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/outbox"
	"cma/internal/proof"
	"cma/internal/store"
)

// Errors the web layer words in French.
var (
	ErrForbidden     = errors.New("forbidden")
	ErrUnknownCourse = errors.New("unknown course")
	ErrBasketEmpty   = errors.New("basket empty")
	ErrBasketChanged = errors.New("basket changed since it was shown")
	ErrDeadline      = errors.New("the candidature period is closed")
	ErrNoRules       = errors.New("no internal rules published")
	// ErrHeld refuses the validation of an account held as a probable
	// duplicate until staff decide (ACC-3); its basket is kept.
	ErrHeld = errors.New("account held as a probable duplicate: validation waits for staff's decision")
)

// Refusals is the rules' answer: each refusal names its rule and course.
type Refusals []domain.Refusal

func (r Refusals) Error() string {
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = x.Error()
	}
	return strings.Join(parts, "; ")
}

// Mailer words the emails of candidatures (package mail's RenderConfirmation
// and RenderCancellation).
type Mailer interface {
	Confirmation(ctx context.Context, person domain.Account, lines []*catalogue.Entry, c Confirmation) (subject, text, html string, err error)
	Cancellation(ctx context.Context, person domain.Account, course *catalogue.Entry, c domain.Candidature) (subject, text, html string, err error)
}

// Confirmation is what the confirmation email says beside the courses: who
// filed it for the person (CAN-8), whether the half tariff is requested with a
// proof (CAN-9), and the validation's reference.
type Confirmation struct {
	AssistedBy string
	HalfTariff bool
	Reference  string
}

// Service runs the use cases.
type Service struct {
	store     *store.Store
	catalogue *catalogue.Service
	outbox    *outbox.Outbox
	mailer    Mailer
	now       func() time.Time
	paris     *time.Location

	rules       atomic.Pointer[cachedRules] // the current internal rules, read at most once a second
	validations *batch.Batcher[*validation] // Validate's batches, see runValidations
	proofChecks chan struct{}               // one token per proof checked at once (checkProof)
}

type cachedRules struct {
	rules domain.Rules
	read  time.Time // wall clock of the read (not s.now: tests pin that)
}

// currentRules is the current version of the internal rules. During a
// registration peak every validation needs it; it is read from the database at
// most once a second, and again whenever the version shown to the person is not
// the one remembered (a version published a moment ago).
func (s *Service) currentRules(ctx context.Context, shown string) (domain.Rules, error) {
	if c := s.rules.Load(); c != nil && time.Since(c.read) < time.Second && c.rules.Version == shown {
		return c.rules, nil
	}
	r, err := s.store.CurrentRules(ctx)
	if err != nil {
		return r, err
	}
	s.rules.Store(&cachedRules{rules: r, read: time.Now()})
	return r, nil
}

// New returns the service.
func New(st *store.Store, cat *catalogue.Service, ob *outbox.Outbox, mailer Mailer, now func() time.Time, paris *time.Location) *Service {
	s := &Service{store: st, catalogue: cat, outbox: ob, mailer: mailer, now: now, paris: paris,
		proofChecks: make(chan struct{}, runtime.GOMAXPROCS(0))}
	batches := validationBatchesPerCPU * runtime.GOMAXPROCS(0)
	if st.SerializesWrites() {
		batches = 1
	}
	s.validations = batch.NewBatcher(maxValidationBatch, batches, func(v *validation) int64 { return v.personID }, s.runValidations)
	return s
}

// may checks that actor acts for person: the person themselves (ROLE-1) or
// staff allowed to register on their behalf (CAN-8, ROLE-6).
func may(actor domain.Actor, personID int64) (assisted bool, ok bool) {
	if domain.Can(actor, domain.ActApply, domain.Resource{AccountID: personID}) {
		return false, true
	}
	if domain.Can(actor, domain.ActAssistRegistration, domain.Resource{AccountID: personID}) {
		return true, true
	}
	return false, false
}

func holding(e *catalogue.Entry) domain.Holding {
	return domain.Holding{CourseID: e.ID, FormationID: e.FormationID, CourseCode: e.Code, FormationTitle: e.Formation.Title,
		Weekday: e.Weekday, StartMinute: e.StartMinute, EndMinute: e.EndMinute}
}

// held turns course IDs (active candidatures, then basket items) into
// holdings, the basket's marked as such so that refusals can tell them apart.
func held(ix *catalogue.Index, active []int64, basket ...[]int64) []domain.Holding {
	var out []domain.Holding
	for i, list := range append([][]int64{active}, basket...) {
		for _, id := range list {
			if e, ok := ix.Course(id); ok {
				h := holding(e)
				h.InBasket = i > 0
				out = append(out, h)
			}
		}
	}
	return out
}

// checkCourse applies every rule to one course against what is held and
// what the person's past evaluations say.
func (s *Service) checkCourse(ix *catalogue.Index, person domain.Account, rec domain.Record, e *catalogue.Entry, held []domain.Holding) Refusals {
	var r Refusals
	if !e.Session.CandidatureOpen(s.now()) {
		r = append(r, domain.Refusal{Rule: "PER-1", Course: e.Code})
	}
	r = append(r, domain.CheckCandidate(person, e.Code, e.FirstClass)...) // 18 on the first class, not the session's first day
	r = append(r, domain.CheckAddition(held, holding(e))...)
	prerequisite := ""
	if p, ok := ix.Formation(e.Formation.PrerequisiteFormationID); ok {
		prerequisite = p.Title
	}
	r = append(r, domain.CheckRecord(rec, *e.Formation, prerequisite, e.Code)...) // CER-2, SEL-7
	return r
}

// Add puts a course in the person's basket if every rule allows it (CAN-1,
// CAN-2, CAN-3, ACC-1, ACC-2, PER-1); otherwise nothing changes and the
// refusals say why.
func (s *Service) Add(ctx context.Context, actor domain.Actor, personID, courseID int64) error {
	if _, ok := may(actor, personID); !ok {
		return ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return ErrUnknownCourse
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		person, err := s.store.LockAndReadPerson(ctx, tx, personID)
		if err != nil {
			return err
		}
		basket, active, err := s.store.Holdings(ctx, tx, personID)
		if err != nil {
			return err
		}
		rec, err := s.store.PersonRecord(ctx, tx, personID)
		if err != nil {
			return err
		}
		if r := s.checkCourse(ix, person, rec, e, held(ix, active, basket)); len(r) > 0 {
			return r
		}
		if err := s.store.AddBasketItem(ctx, tx, personID, courseID, s.now()); err != nil {
			return err
		}
		_, err = s.store.RotateBasketToken(ctx, tx, personID, s.now())
		return err
	})
}

// Remove takes a course out of the basket.
func (s *Service) Remove(ctx context.Context, actor domain.Actor, personID, courseID int64) error {
	if _, ok := may(actor, personID); !ok {
		return ErrForbidden
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.store.LockPerson(ctx, tx, personID); err != nil {
			return err
		}
		if err := s.store.RemoveBasketItem(ctx, tx, personID, courseID); err != nil {
			return err
		}
		_, err := s.store.RotateBasketToken(ctx, tx, personID, s.now())
		return err
	})
}

// Basket is the basket as shown: its token, courses and the internal rules
// to accept, and whether its person may validate it now (Held: a probable
// duplicate waiting for staff, ACC-3). Token is "" until the basket is first
// changed.
type Basket struct {
	Token string
	Items []*catalogue.Entry
	Rules domain.Rules
	Held  bool
	// Draft is the form sent for this basket and kept for its recap, nil
	// when none: the person back from the recap finds their answers.
	Draft *Recap
}

// ShowBasket reads the basket for the validation page. It only reads: a
// page shown, or shown again after an error, opens no write transaction (on
// SQLite, no wait for the single writer during a registration peak).
func (s *Service) ShowBasket(ctx context.Context, actor domain.Actor, personID int64) (Basket, error) {
	if _, ok := may(actor, personID); !ok {
		return Basket{}, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Basket{}, err
	}
	person, err := s.store.Account(ctx, personID)
	if err != nil {
		return Basket{}, err
	}
	token, ids, err := s.store.ReadBasket(ctx, personID)
	if err != nil {
		return Basket{}, err
	}
	b := Basket{Token: token, Held: !person.MayValidate()}
	for _, id := range ids {
		if e, ok := ix.Course(id); ok {
			b.Items = append(b.Items, e)
		}
	}
	if b.Rules, err = s.store.CurrentRules(ctx); err != nil {
		return b, err
	}
	if token != "" {
		d, err := s.store.ReadDraft(ctx, personID)
		switch {
		case err == nil && d.Token == token:
			b.Draft = &Recap{Token: d.Token, Objective: d.Objective, Motivation: d.Motivation, Social: d.Social,
				RulesVersion: d.RulesVersion, HalfTariff: d.HalfTariff, ProofIssued: d.ProofIssued, Redirects: map[int64]bool{}}
			for _, id := range d.RedirectCourses {
				b.Draft.Redirects[id] = true
			}
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return b, err
		}
	}
	return b, nil
}

// Proof is an uploaded half-tariff proof (CAN-9). Its issue date is either
// IssueDate, or IssueDateText as the person typed it (jj/mm/aaaa or
// aaaa-mm-jj), read by the service. TooLarge says the file was over
// MaxProofBytes and not read whole (Data is then empty).
type Proof struct {
	Data          []byte
	IssueDate     time.Time
	IssueDateText string
	TooLarge      bool
}

// MaxProofBytes caps a proof's size.
const MaxProofBytes = proof.MaxBytes

// Form is the validation form (CAN-4, CAN-6, CAN-7, CAN-9).
type Form struct {
	Token        string // the basket token shown with the form: idempotency key
	Objective    domain.Objective
	Motivation   string
	Social       domain.SocialSituation
	AcceptRules  bool
	RulesVersion string // the version shown and accepted
	HalfTariff   bool
	Proof        *Proof
	// RedirectCourses are the basket's courses for which the candidate
	// accepts, if the course is full, an equivalent one of the same formation
	// and level on another day or in another place (SEL-5). None (the
	// default): no candidature accepts a redirect. An ID not in the basket
	// refuses the form (field "redirect"), and nothing is written.
	RedirectCourses []int64
}

// Result is what a validation created. AlreadyDone is set when the same form
// was already validated (double click, retry, second tab): nothing new is made.
type Result struct {
	Candidatures []domain.Candidature
	AlreadyDone  bool
}

// checkForm returns the form's errors as domain.FieldErrors on the logical
// fields "objective", "motivation", "rules", "proof" and "proof_date", and the
// proof's content type.
//
// Every field is checked, so that all errors are shown at once. checkedType is
// the content type of a proof already checked (a draft's), "" to check it.
func (s *Service) checkForm(ctx context.Context, f *Form, current domain.Rules, checkedType string) (domain.FieldErrors, string) {
	var errs domain.FieldErrors
	bad := func(field, key string) { errs = append(errs, domain.FieldError{Field: field, Key: key}) }
	if !objectiveValid(f.Objective) {
		bad("objective", "basket.error.objective")
	}
	f.Motivation = strings.TrimSpace(f.Motivation)
	if len([]rune(f.Motivation)) > 2000 {
		bad("motivation", "basket.error.motivation_too_long")
	}
	if !f.AcceptRules {
		bad("rules", "basket.error.rules")
	} else if current.Version == "" || f.RulesVersion != current.Version {
		bad("rules", "basket.error.rules_changed")
	}
	contentType := ""
	if f.HalfTariff {
		if f.Proof == nil {
			f.Proof = &Proof{}
		}
		switch {
		case f.Proof.TooLarge || len(f.Proof.Data) > MaxProofBytes:
			bad("proof", "basket.proof.too_big")
		case len(f.Proof.Data) == 0:
			bad("proof", "basket.error.proof_missing")
		case checkedType != "":
			contentType = checkedType
		default:
			var refused string
			if contentType, refused = s.checkProof(ctx, f.Proof.Data); refused != "" {
				bad("proof", refused)
			}
		}
		if key := s.checkProofDate(f.Proof); key != "" {
			bad("proof_date", key)
		}
	}
	return errs, contentType
}

// checkProofDate reads the proof's issue date, as typed when it was typed, and
// returns the key of what is wrong with it, or "": missing, not a date, in the
// future, more than 3 months before today (CAN-9).
func (s *Service) checkProofDate(p *Proof) string {
	if p.IssueDate.IsZero() {
		text := strings.TrimSpace(p.IssueDateText)
		if text == "" {
			return "basket.error.proof_date_missing"
		}
		d, ok := ParseDay(text)
		if !ok {
			return "basket.error.proof_date_format"
		}
		p.IssueDate = d
	}
	today := civilDay(s.now(), s.paris)
	switch {
	case p.IssueDate.After(today):
		return "basket.error.proof_date_future"
	case !domain.ProofValid(p.IssueDate, today):
		return "basket.error.proof_too_old"
	}
	return ""
}

// ParseDay reads a civil day as people type it: jj/mm/aaaa (also with "-" or
// "." between the numbers, and aa for a year of this century) or the ISO
// aaaa-mm-jj a date picker sends. It refuses days that do not exist.
func ParseDay(text string) (time.Time, bool) {
	text = strings.TrimSpace(text)
	if d, err := time.Parse(time.DateOnly, text); err == nil {
		return d, true
	}
	m := typedDay.FindStringSubmatch(text)
	if m == nil {
		return time.Time{}, false
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	year, _ := strconv.Atoi(m[3])
	if len(m[3]) == 2 {
		year += 2000
	}
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if d.Day() != day || int(d.Month()) != month || d.Year() != year {
		return time.Time{}, false // 31/02 would roll over to March
	}
	return d, true
}

func objectiveValid(o domain.Objective) bool {
	for _, x := range domain.Objectives {
		if x == o {
			return true
		}
	}
	return false
}

// typedDay is jj/mm/aaaa or jj/mm/aa, with "/", "-", "." or a space between.
var typedDay = regexp.MustCompile(`^([0-9]{1,2})[/.\- ]([0-9]{1,2})[/.\- ]([0-9]{4}|[0-9]{2})$`)

func civilDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Cancel cancels a validated candidature until the end of the closing day of
// its session's candidature period, Paris time, and not after (CAN-5), and
// sends the email that says so, in the same transaction (CON-2). Cancelling
// twice is not an error, and sends one email.
func (s *Service) Cancel(ctx context.Context, actor domain.Actor, personID, candidatureID int64) error {
	if _, ok := may(actor, personID); !ok {
		return ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.store.LockPerson(ctx, tx, personID); err != nil {
			return err
		}
		c, err := s.store.Candidature(ctx, tx, candidatureID)
		if err != nil {
			return err
		}
		if c.AccountID != personID {
			// A candidate changing the ID in the URL learns nothing: someone
			// else's candidature answers exactly as a missing one.
			return fmt.Errorf("candidature %d of person %d: %w", candidatureID, personID, ErrNotFound)
		}
		if !c.Active() {
			return nil
		}
		e, ok := ix.Course(c.CourseID)
		if !ok {
			return ErrUnknownCourse
		}
		if !e.Session.MayCancel(s.now()) {
			return ErrDeadline
		}
		done, err := s.store.CancelCandidature(ctx, tx, candidatureID, s.now(), actor.AccountID)
		if err != nil || !done {
			return err
		}
		// CAN-5, CON-2: the email exists exactly when the cancellation does,
		// and its copy is in the person's space.
		person, err := s.store.AccountTx(ctx, tx, personID)
		if err != nil {
			return err
		}
		subject, text, html, err := s.mailer.Cancellation(ctx, person, e, c)
		if err != nil {
			return fmt.Errorf("render cancellation email: %w", err)
		}
		return s.outbox.Keep(ctx, tx, &domain.Message{AccountID: personID, Kind: "cancellation", Subject: subject,
			Text: text, HTML: html, CreatedAt: s.now()})
	})
}
