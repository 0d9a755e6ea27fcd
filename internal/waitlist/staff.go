package waitlist

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/store"
)

// What staff see and do on a course's waiting list (ROLE-3, ROLE-4, ROLE-5):
// every offer made from it with its answer, and a change of order, which
// needs a reason and is audited — the list's order is otherwise the
// selection's and nobody passes the queue.

// OfferLine is an offer with the person it went to.
type OfferLine = store.OfferLine

// CourseOffers lists every offer of a course's seats, in the order sent.
func (s *Service) CourseOffers(ctx context.Context, actor domain.Actor, courseID int64) ([]OfferLine, error) {
	if _, err := s.staffCourse(ctx, actor, domain.ActViewCourse, courseID); err != nil {
		return nil, err
	}
	return s.store.CourseOfferLines(ctx, courseID)
}

// MayReorder reports whether actor may change the order of the course's list.
func (s *Service) MayReorder(ctx context.Context, actor domain.Actor, courseID int64) bool {
	_, err := s.staffCourse(ctx, actor, domain.ActManageWaitingList, courseID)
	return err == nil
}

func (s *Service) staffCourse(ctx context.Context, actor domain.Actor, act domain.Action, courseID int64) (*catalogue.Entry, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	e, ok := ix.Course(courseID)
	if !ok {
		return nil, fmt.Errorf("course %d: %w", courseID, ErrNotFound)
	}
	if !domain.Can(actor, act, domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}) {
		return nil, ErrForbidden
	}
	return e, nil
}

// MaxReasonLength bounds the reason of a change of order.
const MaxReasonLength = 500

// Move puts a candidature at rank (1 = first) on the course's list, the
// others keeping their order, in one transaction under the course's lock,
// with the reason in the audit trail and a line in the candidature's
// history. A pending offer is not taken back: the seat it holds stays
// offered.
func (s *Service) Move(ctx context.Context, actor domain.Actor, courseID, candidatureID int64, rank int, reason string) error {
	e, err := s.staffCourse(ctx, actor, domain.ActManageWaitingList, courseID)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return refuse("waitlist.move.reason")
	}
	if len([]rune(reason)) > MaxReasonLength {
		return refuse("waitlist.move.reason_long", "Max", MaxReasonLength)
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.store.LockCourse(ctx, tx, courseID); err != nil {
			return err
		}
		line, err := s.store.WaitingLine(ctx, tx, courseID)
		if err != nil {
			return err
		}
		from := slices.IndexFunc(line, func(w store.WaitingEntry) bool { return w.CandidatureID == candidatureID })
		if from < 0 {
			return refuse("waitlist.move.not_in_line")
		}
		if rank < 1 || rank > len(line) {
			return refuse("waitlist.move.rank", "Max", len(line))
		}
		if rank == from+1 {
			return nil
		}
		moved := line[from]
		line = slices.Delete(line, from, from+1)
		line = slices.Insert(line, rank-1, moved)
		order := make([]int64, len(line))
		for i, w := range line {
			order[i] = w.CandidatureID
		}
		if err := s.store.RenumberLine(ctx, tx, courseID, order); err != nil {
			return err
		}
		now := s.now()
		note := fmt.Sprintf("rang changé sur la liste d'attente du cours %s : %d → %d (%s)", e.Code, from+1, rank, reason)
		status := domain.CandidatureWaiting
		if moved.AcceptedCourseID != 0 {
			status = domain.CandidatureAccepted
		}
		if err := s.store.InsertCandidatureEvent(ctx, tx, candidatureID, now, status, actor.AccountID, note); err != nil {
			return err
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: now, ActorID: actor.AccountID, Action: domain.AuditWaitingListMoved,
			SubjectID: moved.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: courseID, Reason: reason,
			Details: fmt.Sprintf("cours : %s ; candidature : %d ; rang : %d → %d", e.Code, candidatureID, from+1, rank)})
	})
}

// OfferDays is how many calendar days after the day it is sent an offer of
// the session stays open (the central service's setting, ROLE-5).
func (s *Service) OfferDays(ctx context.Context, actor domain.Actor, sessionID int64) (int, error) {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return 0, ErrForbidden
	}
	return s.store.SessionOfferDays(ctx, nil, sessionID)
}

// SetOfferDays changes the session's setting, audited; the offers already
// sent keep the deadline they were given.
func (s *Service) SetOfferDays(ctx context.Context, actor domain.Actor, sessionID int64, days int) error {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return ErrForbidden
	}
	if days < 1 || days > domain.MaxOfferDays {
		return refuse("waitlist.offer_days.range", "Max", domain.MaxOfferDays)
	}
	return s.store.InTx(ctx, func(tx *sql.Tx) error {
		before, err := s.store.SessionOfferDays(ctx, tx, sessionID)
		if err != nil || before == days {
			return err
		}
		if err := s.store.SetSessionOfferDays(ctx, tx, sessionID, days); err != nil {
			return err
		}
		return s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditSessionChanged,
			ObjectKind: domain.AuditObjectSession, ObjectID: sessionID,
			Details: fmt.Sprintf("délai de réponse aux places proposées : %d → %d jours", before, days)})
	})
}
