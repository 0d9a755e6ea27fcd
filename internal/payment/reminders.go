package payment

import (
	"context"
	"database/sql"
	"time"

	"cma/internal/documents"
	"cma/internal/mail"
)

// RemindEvery is how often the reminders' timer looks for fees to remind.
const RemindEvery = 15 * time.Minute

// Remind tells, once, each learner whose fee is still due that its last day
// to pay is today or tomorrow (PAY-1), by email and in their space. A fee
// whose proof is not checked yet is not reminded: nobody can pay it. It
// returns how many it reminded. Two instances running it at once remind
// each fee once: the mark and the email share a transaction.
func (s *Service) Remind(ctx context.Context) (int, error) {
	now := s.now()
	today := parisDay(now)
	candidates, err := s.store.EnrolmentsEndingBy(ctx, today.AddDate(0, 0, 1), 500)
	if err != nil {
		return 0, err
	}
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return 0, err
	}
	sent := 0
	for _, en := range candidates {
		last := en.LastDay()
		if en.Fee.Pending || last.Before(today) || last.After(today.AddDate(0, 0, 1)) {
			continue
		}
		e, err := courseOf(ix, en)
		if err != nil {
			continue // a course gone from the catalogue: nothing to say
		}
		err = s.store.InTx(ctx, func(tx *sql.Tx) error {
			ok, err := s.store.MarkEnrolmentReminded(ctx, tx, en.ID, now)
			if err != nil || !ok {
				return err
			}
			st, err := s.seat(ctx, tx, en.AccountID, e)
			if err != nil {
				return err
			}
			subject, text, html, err := mail.RenderPaymentReminder(mail.EnrolmentMail{Seat: st,
				Amount: documents.FrenchMoney(en.Fee.DueCents), HalfTariff: en.Fee.HalfTariff, Until: s.longDate(last)})
			if err != nil {
				return err
			}
			sent++
			return s.keep(ctx, tx, en.AccountID, "payment_reminder", subject, text, html)
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
