package candidature

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// maxValidationBatch bounds the validations sharing one transaction, so that one
// commit's latency stays short under any queue.
const maxValidationBatch = 64

// validationBatchesPerCPU is how many batches of validations run at once on
// PostgreSQL, per CPU; SQLite has one writer, so one batch at a time there.
// Measured with the validation benchmark (bench/README.md).
const validationBatchesPerCPU = 1

// validation is one Validate call, waiting for its batch and then holding its
// outcome.
type validation struct {
	ctx         context.Context
	actor       domain.Actor
	assisted    bool
	personID    int64
	form        Form
	rules       domain.Rules
	contentType string // the proof's sniffed type
	fromDraft   bool   // validates the person's draft (its recap's button): the draft goes
	ix          *catalogue.Index
	early       *wordedEmail

	res Result
	err error
}

// Validate is the definitive validation (CAN-4): in one transaction, under the
// person's lock, every rule is checked again against what the person holds now,
// the basket becomes candidatures, the basket token is consumed as the
// idempotency key, and the confirmation email is kept and queued. The same form
// sent twice validates once.
//
// At a registration opening thousands of people validate at once: the
// validations waiting at the same moment share one transaction and a fixed number
// of statements (see runValidations); each is still accepted or refused on its
// own, and a refused one writes nothing.
func (s *Service) Validate(ctx context.Context, actor domain.Actor, personID int64, f Form) (Result, error) {
	return s.validate(ctx, actor, personID, f, "", false)
}

// validate is Validate; checkedType is the content type of a draft's proof,
// already checked, "" to check the form's proof; fromDraft says the form is the
// person's draft, deleted by the validation.
func (s *Service) validate(ctx context.Context, actor domain.Actor, personID int64, f Form, checkedType string, fromDraft bool) (Result, error) {
	assisted, ok := may(actor, personID)
	if !ok {
		return Result{}, ErrForbidden
	}
	current, err := s.currentRules(ctx, f.RulesVersion)
	if err != nil {
		return Result{}, err
	}
	if current.Version == "" {
		return Result{}, ErrNoRules
	}
	ferrs, contentType := s.checkForm(ctx, &f, current, checkedType)
	if len(ferrs) > 0 {
		return Result{}, ferrs
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Result{}, err
	}
	v := &validation{ctx: ctx, actor: actor, assisted: assisted, personID: personID, form: f, rules: current,
		contentType: contentType, fromDraft: fromDraft, ix: ix}
	if s.store.SerializesWrites() {
		v.early = s.wordEarly(ctx, actor, assisted, personID, ix, v.facts(""))
	}
	s.validations.Do(v)
	return v.res, v.err
}

// runValidations runs a batch of validations in one transaction. If the database
// refuses the batch (a constraint, a conflict), each validation runs again alone,
// so that the failure is only its own.
func (s *Service) runValidations(batch []*validation) {
	var live []*validation
	for _, v := range batch {
		if err := v.ctx.Err(); err != nil {
			v.err = err // the caller is gone: nothing is written for it
			continue
		}
		live = append(live, v)
	}
	if len(live) == 0 {
		return
	}
	// Statements are not cancelled with the leader's request: they serve others.
	ctx := context.WithoutCancel(live[0].ctx)
	err := s.store.InTx(ctx, func(tx *sql.Tx) error { return s.validateTogether(ctx, tx, live) })
	if err == nil {
		return
	}
	if len(live) == 1 {
		live[0].res, live[0].err = Result{}, err
		return
	}
	for _, v := range live {
		alone := []*validation{v}
		if err := s.store.InTx(ctx, func(tx *sql.Tx) error { return s.validateTogether(ctx, tx, alone) }); err != nil {
			v.res, v.err = Result{}, err
		}
	}
}

// validateTogether validates vs, people all distinct, in tx: it locks and reads
// them all, decides each one, then writes the accepted ones together and queues
// their emails. A validation refused by the rules gets its error and writes
// nothing; an error returned fails the whole transaction.
func (s *Service) validateTogether(ctx context.Context, tx *sql.Tx, vs []*validation) error {
	people := make([]int64, len(vs))
	keys := make([]string, len(vs))
	for i, v := range vs {
		people[i], keys[i] = v.personID, v.form.Token
	}
	reads, usedBy, err := s.store.ReadForValidation(ctx, tx, people, keys)
	if err != nil {
		return err
	}
	var writes []*store.NewValidation
	var accepted []*validation
	for _, v := range vs {
		v.res, v.err = Result{}, nil
		w, err := s.decide(ctx, tx, v, reads[v.personID], usedBy[v.form.Token])
		if err != nil {
			v.err = err
			continue
		}
		if w != nil {
			writes = append(writes, w)
			accepted = append(accepted, v)
		}
	}
	if len(writes) == 0 {
		return nil
	}
	if err := s.store.WriteValidations(ctx, tx, writes); err != nil {
		return err
	}
	messages := make([]int64, len(writes))
	for i, w := range writes {
		messages[i] = w.Message.ID
	}
	var drafts []int64
	for _, v := range accepted {
		if v.fromDraft {
			drafts = append(drafts, v.personID)
		}
	}
	if err := s.store.DeleteDrafts(ctx, tx, drafts...); err != nil {
		return err
	}
	if err := s.outbox.Queue(ctx, tx, messages...); err != nil {
		return fmt.Errorf("confirmation emails: %w", err)
	}
	for i, v := range accepted {
		for _, c := range writes[i].Candidatures {
			v.res.Candidatures = append(v.res.Candidatures, *c)
		}
	}
	return nil
}

// decide checks one validation against what its person holds (r, read under
// the lock) and returns what to write: nil with no error when the same form was
// already validated, an error when it is refused.
func (s *Service) decide(ctx context.Context, tx *sql.Tx, v *validation, r *store.ValidationRead, keyUsedBy int64) (*store.NewValidation, error) {
	if r == nil {
		return nil, fmt.Errorf("person %d: %w", v.personID, store.ErrNotFound)
	}
	f := v.form
	if keyUsedBy != 0 {
		if keyUsedBy != v.personID {
			return nil, ErrBasketChanged
		}
		v.res.AlreadyDone = true
		return nil, nil
	}
	if !r.Person.MayValidate() { // read under the person's lock: a decision of staff is seen at once
		return nil, ErrHeld
	}
	if f.Token == "" || f.Token != r.Token {
		return nil, ErrBasketChanged
	}
	if len(r.Basket) == 0 {
		return nil, ErrBasketEmpty
	}
	holdings := held(v.ix, r.Active)
	var refusals Refusals
	var entries []*catalogue.Entry
	for _, id := range r.Basket {
		e, ok := v.ix.Course(id)
		if !ok {
			return nil, ErrUnknownCourse
		}
		if r := s.checkCourse(v.ix, r.Person, r.Record, e, holdings); len(r) > 0 {
			refusals = append(refusals, r...)
			continue
		}
		holdings = append(holdings, holding(e))
		entries = append(entries, e)
	}
	if len(refusals) > 0 {
		return nil, refusals
	}
	redirects, err := redirectSet(f.RedirectCourses, r.Basket)
	if err != nil {
		return nil, err
	}

	assistedBy := ""
	if v.assisted {
		staff, err := s.store.AccountTx(ctx, tx, v.actor.AccountID)
		if err != nil {
			return nil, err
		}
		assistedBy = staff.FullName()
	}
	subject, text, html, err := s.confirmation(ctx, v.early, r.Person, entries, v.facts(assistedBy))
	if err != nil {
		return nil, fmt.Errorf("render confirmation email: %w", err)
	}
	messageID, err := s.outbox.NewMessageID()
	if err != nil {
		return nil, err
	}
	now := s.now()
	w := &store.NewValidation{Key: f.Token, AccountID: v.personID, Actor: v.actor.AccountID, At: now,
		Message: &domain.Message{AccountID: v.personID, Kind: "confirmation", Subject: subject, Text: text, HTML: html,
			MessageID: messageID, CreatedAt: now}}

	var proofID int64
	if f.HalfTariff { // last: nothing of it is written when the validation is refused
		sum := sha256.Sum256(f.Proof.Data)
		p := &domain.Proof{AccountID: v.personID, ContentType: v.contentType, Data: f.Proof.Data, SHA256: hex.EncodeToString(sum[:]),
			IssueDate: f.Proof.IssueDate, UploadedAt: now}
		if err := s.keepProof(ctx, tx, p); err != nil {
			return nil, err
		}
		proofID = p.ID
	}
	for _, e := range entries {
		c := &domain.Candidature{AccountID: v.personID, CourseID: e.ID, FormationID: e.FormationID, SessionID: e.SessionID,
			Status: domain.CandidatureSubmitted, Objective: f.Objective, Motivation: f.Motivation, Social: f.Social,
			RulesVersion: v.rules.Version, HalfTariffClaim: f.HalfTariff, ProofID: proofID, CreatedAt: now, ValidationKey: f.Token,
			AcceptsRedirect: redirects[e.ID]}
		if v.assisted {
			c.AssistedBy = v.actor.AccountID
		}
		w.Candidatures = append(w.Candidatures, c)
	}
	return w, nil
}

// wordedEmail is a confirmation email worded before the validation's transaction,
// with what it was worded from.
type wordedEmail struct {
	person              domain.Account
	courses             []int64
	facts               Confirmation
	subject, text, html string
}

// facts is what the confirmation email says of the validation beside its
// courses.
func (v *validation) facts(assistedBy string) Confirmation {
	return Confirmation{AssistedBy: assistedBy, HalfTariff: v.form.HalfTariff, Reference: Reference(v.form.Token)}
}

// wordEarly words the confirmation email from the person and the basket as they
// are read now, outside the transaction. Where writes are serialized (SQLite's
// one writer), every batch waits for the one before, so the wording (a tenth of a
// validation's work) is better done before the wait; on PostgreSQL batches run
// side by side, and the two reads it needs would cost more than they save.
// The transaction uses it only if it validates exactly these courses for exactly
// this person (fits); anything unexpected here just leaves the wording to the
// transaction, so errors are not reported.
func (s *Service) wordEarly(ctx context.Context, actor domain.Actor, assisted bool, personID int64, ix *catalogue.Index, facts Confirmation) *wordedEmail {
	person, err := s.store.Account(ctx, personID)
	if err != nil {
		return nil
	}
	ids, err := s.store.BasketCourses(ctx, nil, personID)
	if err != nil || len(ids) == 0 {
		return nil
	}
	entries := make([]*catalogue.Entry, 0, len(ids))
	for _, id := range ids {
		e, ok := ix.Course(id)
		if !ok {
			return nil
		}
		entries = append(entries, e)
	}
	w := &wordedEmail{person: person, courses: ids, facts: facts}
	if assisted {
		staff, err := s.store.Account(ctx, actor.AccountID)
		if err != nil {
			return nil
		}
		w.facts.AssistedBy = staff.FullName()
	}
	if w.subject, w.text, w.html, err = s.mailer.Confirmation(ctx, person, entries, w.facts); err != nil {
		return nil
	}
	return w
}

// confirmation is the email worded early if it fits this validation, or worded now.
func (s *Service) confirmation(ctx context.Context, early *wordedEmail, person domain.Account, entries []*catalogue.Entry, facts Confirmation) (string, string, string, error) {
	if early.fits(person, entries, facts) {
		return early.subject, early.text, early.html, nil
	}
	return s.mailer.Confirmation(ctx, person, entries, facts)
}

// fits says whether w was worded for this validation.
func (w *wordedEmail) fits(person domain.Account, entries []*catalogue.Entry, facts Confirmation) bool {
	if w == nil || w.facts != facts || len(w.courses) != len(entries) || !reflect.DeepEqual(w.person, person) {
		return false
	}
	for i, e := range entries {
		if w.courses[i] != e.ID {
			return false
		}
	}
	return true
}

// redirectSet checks the courses answered "accepts a redirect" (SEL-5)
// against the basket: each must be one of its courses, or the form is refused
// on its field "redirect" (a tampered form, or a basket changed in another
// tab).
func redirectSet(ids, basket []int64) (map[int64]bool, error) {
	set := map[int64]bool{}
	for _, id := range ids {
		if !slices.Contains(basket, id) {
			return nil, domain.FieldErrors{{Field: "redirect", Key: "basket.error.redirect"}}
		}
		set[id] = true
	}
	return set, nil
}
