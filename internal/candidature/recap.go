package candidature

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// The definitive validation has two steps (CAN-4): the form is checked and
// kept as the person's draft (Prepare), a recap page shows it with the courses
// and their prices (Recap), and its one button validates exactly that
// (ValidateDraft). The proof is checked once, at Prepare, and kept in the
// draft; the draft goes with the validation, or after DraftHours.

// ErrNoDraft is a recap asked for, or validated, without a draft of the basket
// as it is now: the form was never sent, or the basket changed since.
var ErrNoDraft = errors.New("no validation draft for this basket")

// DraftHours is how long an unvalidated draft (and the proof in it) is kept.
const DraftHours = 24

// Prepare checks the validation form against every rule, as Validate would,
// and keeps it as the person's draft for the recap. Nothing is validated.
func (s *Service) Prepare(ctx context.Context, actor domain.Actor, personID int64, f Form) error {
	if _, ok := may(actor, personID); !ok {
		return ErrForbidden
	}
	current, err := s.currentRules(ctx, f.RulesVersion)
	if err != nil {
		return err
	}
	if current.Version == "" {
		return ErrNoRules
	}
	ferrs, contentType := s.checkForm(ctx, &f, current, "")
	if len(ferrs) > 0 {
		return ferrs
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		person, err := s.store.LockAndReadPerson(ctx, tx, personID)
		if err != nil {
			return err
		}
		if !person.MayValidate() {
			return ErrHeld
		}
		token, _, err := s.store.ReadBasket(ctx, personID)
		if err != nil {
			return err
		}
		if f.Token == "" || f.Token != token {
			return ErrBasketChanged
		}
		basket, active, err := s.store.Holdings(ctx, tx, personID)
		if err != nil {
			return err
		}
		if len(basket) == 0 {
			return ErrBasketEmpty
		}
		holdings := held(ix, active)
		rec, err := s.store.PersonRecord(ctx, tx, personID)
		if err != nil {
			return err
		}
		var refusals Refusals
		for _, id := range basket {
			e, ok := ix.Course(id)
			if !ok {
				return ErrUnknownCourse
			}
			if r := s.checkCourse(ix, person, rec, e, holdings); len(r) > 0 {
				refusals = append(refusals, r...)
				continue
			}
			holdings = append(holdings, holding(e))
		}
		if len(refusals) > 0 {
			return refusals
		}
		redirects, err := redirectSet(f.RedirectCourses, basket)
		if err != nil {
			return err
		}
		d := &store.Draft{AccountID: personID, Token: f.Token, Objective: f.Objective, Motivation: f.Motivation,
			Social: f.Social, RulesVersion: f.RulesVersion, HalfTariff: f.HalfTariff, CreatedAt: s.now()}
		for _, id := range basket {
			if redirects[id] {
				d.RedirectCourses = append(d.RedirectCourses, id)
			}
		}
		if f.HalfTariff {
			d.ProofType, d.ProofData, d.ProofIssued = contentType, f.Proof.Data, f.Proof.IssueDate
		}
		return s.store.PutDraft(ctx, tx, d)
	})
}

// Recap is the recap page before the definitive validation: the courses, the
// answers of the form, and whether the validation may go on.
type Recap struct {
	Token        string
	Items        []*catalogue.Entry
	Objective    domain.Objective
	Motivation   string
	Social       domain.SocialSituation
	RulesVersion string
	HalfTariff   bool
	ProofIssued  time.Time
	Reference    string // the validation's reference, once validated
	// Redirects are the courses (of Items) for which a redirect is accepted (SEL-5).
	Redirects map[int64]bool
}

// Recap reads the person's draft and basket. ErrNoDraft when there is no draft
// of the basket as it is now.
func (s *Service) Recap(ctx context.Context, actor domain.Actor, personID int64) (Recap, error) {
	if _, ok := may(actor, personID); !ok {
		return Recap{}, ErrForbidden
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return Recap{}, err
	}
	d, err := s.store.ReadDraft(ctx, personID)
	if errors.Is(err, store.ErrNotFound) {
		return Recap{}, ErrNoDraft
	}
	if err != nil {
		return Recap{}, err
	}
	token, ids, err := s.store.ReadBasket(ctx, personID)
	if err != nil {
		return Recap{}, err
	}
	if token != d.Token || len(ids) == 0 {
		return Recap{}, ErrNoDraft
	}
	r := Recap{Token: d.Token, Objective: d.Objective, Motivation: d.Motivation, Social: d.Social, RulesVersion: d.RulesVersion,
		HalfTariff: d.HalfTariff, ProofIssued: d.ProofIssued, Reference: Reference(d.Token), Redirects: map[int64]bool{}}
	for _, id := range d.RedirectCourses {
		r.Redirects[id] = true
	}
	for _, id := range ids {
		if e, ok := ix.Course(id); ok {
			r.Items = append(r.Items, e)
		}
	}
	return r, nil
}

// ValidateDraft is the recap's button: the definitive validation (CAN-4) of
// the person's draft, whose basket token is token. Every rule is checked again
// in the validation's transaction. The button pressed twice validates once:
// the second finds the validation done.
func (s *Service) ValidateDraft(ctx context.Context, actor domain.Actor, personID int64, token string) (Result, error) {
	if _, ok := may(actor, personID); !ok {
		return Result{}, ErrForbidden
	}
	d, err := s.store.ReadDraft(ctx, personID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Token != token) {
		if token != "" {
			owner, err := s.store.ValidationOwner(ctx, token)
			if err != nil {
				return Result{}, err
			}
			if owner == personID {
				return Result{AlreadyDone: true}, nil
			}
		}
		return Result{}, ErrNoDraft
	}
	if err != nil {
		return Result{}, err
	}
	f := Form{Token: d.Token, Objective: d.Objective, Motivation: d.Motivation, Social: d.Social, AcceptRules: true,
		RulesVersion: d.RulesVersion, HalfTariff: d.HalfTariff, RedirectCourses: d.RedirectCourses}
	checked := ""
	if d.HalfTariff {
		f.Proof = &Proof{Data: d.ProofData, IssueDate: d.ProofIssued}
		checked = d.ProofType
	}
	return s.validate(ctx, actor, personID, f, checked, true)
}

// EraseOldDrafts deletes the drafts never validated, after DraftHours (their
// proofs with them). The proofs' periodic job calls it.
func EraseOldDrafts(ctx context.Context, st *store.Store, now time.Time) (int, error) {
	var n int
	err := st.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = st.DeleteDraftsBefore(ctx, tx, now.Add(-DraftHours*time.Hour))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("erase old validation drafts: %w", err)
	}
	return n, nil
}

// referenceAlphabet is Crockford's base 32: no I, L, O or U, which are misread.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Reference is the human-readable reference number of a validation, derived
// from its key (the basket token it consumed): stable, the same in the email,
// the space and the back office, such as "CMA-7K2QD-9XRWB". "" for no key.
func Reference(key string) string {
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("cma validation " + key))
	var b strings.Builder
	b.WriteString("CMA-")
	// 50 bits: ten characters of 5 bits each.
	var acc uint64
	for _, x := range sum[:8] {
		acc = acc<<8 | uint64(x)
	}
	for i := 0; i < 10; i++ {
		if i == 5 {
			b.WriteByte('-')
		}
		b.WriteByte(referenceAlphabet[(acc>>(59-5*i))&31])
	}
	return b.String()
}
