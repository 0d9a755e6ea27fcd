package evaluation

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/mail"
	"cma/internal/store"
)

// Certificates of competences (CER-2): every passed result gives one,
// issued by the central service within two months of the course's last
// day. Issuing is idempotent per candidature (a unique key): two runs at
// once, or a run started again after a crash, issue each certificate once
// and tell each learner once.

// CertificatePath is where a learner (or staff) downloads a certificate.
const CertificatePath = "/mon-parcours/certificat/"

// CertificateNumber is a certificate's printed number: the year of the
// course's session and the candidature, "C2026-0001234".
func CertificateNumber(sessionYear int, candidatureID int64) string {
	return fmt.Sprintf("C%04d-%07d", sessionYear, candidatureID)
}

// DashboardLine is one passed result on the central service's dashboard.
type DashboardLine struct {
	store.PendingCertificate
	Course *catalogue.Entry
	Due    time.Time // the last day to deliver it (CER-2)
	Late   bool      // not delivered and past Due, or delivered after it
}

// Dashboard is the central service's view of certificates (CER-2): those
// to deliver, the late ones first, and how many were delivered.
type Dashboard struct {
	ToIssue    []DashboardLine // not delivered yet, late ones first
	Late       int             // of ToIssue, past their last day
	Issued     int
	IssuedLate int       // delivered after their last day
	Running    *Progress // a bulk issuance under way on this instance
}

// Progress is how far a bulk issuance is.
type Progress struct {
	Done, Total int
	Started     time.Time
}

// Dashboard reads the certificates' dashboard (ROLE-5).
func (s *Service) Dashboard(ctx context.Context, actor domain.Actor) (Dashboard, error) {
	if !domain.Can(actor, domain.ActIssueCertificates, domain.Resource{}) {
		return Dashboard{}, ErrForbidden
	}
	lines, err := s.passed(ctx)
	if err != nil {
		return Dashboard{}, err
	}
	var d Dashboard
	var late, onTime []DashboardLine
	for _, l := range lines {
		switch {
		case l.CertificateID != 0:
			d.Issued++
			if l.Late {
				d.IssuedLate++
			}
		case l.Late:
			late = append(late, l)
		default:
			onTime = append(onTime, l)
		}
	}
	d.ToIssue, d.Late = append(late, onTime...), len(late)
	// Whichever instance runs it: the progress is in the database.
	running, ok, err := s.store.RunningIssuance(ctx, s.now().Add(-IssuanceAlive))
	if err != nil {
		return Dashboard{}, err
	}
	if ok {
		d.Running = &Progress{Done: running.Done, Total: running.Total, Started: running.StartedAt}
	}
	return d, nil
}

// passed reads every passed result with its course and deadline.
func (s *Service) passed(ctx context.Context) ([]DashboardLine, error) {
	ix, err := s.catalogue.Index(ctx)
	if ix == nil {
		return nil, err
	}
	rows, err := s.store.PassedResults(ctx)
	if err != nil {
		return nil, err
	}
	today := parisDay(s.now())
	out := make([]DashboardLine, 0, len(rows))
	for _, r := range rows {
		e, ok := ix.Course(r.CourseID)
		if !ok {
			continue
		}
		l := DashboardLine{PendingCertificate: r, Course: e, Due: domain.CertificateDue(r.LastDay)}
		if r.CertificateID != 0 {
			l.Late = parisDay(r.IssuedAt).After(l.Due)
		} else {
			l.Late = today.After(l.Due)
		}
		out = append(out, l)
	}
	return out, nil
}

// IssueBatch is how many certificates one transaction issues.
const IssueBatch = 500

// IssueAll issues every certificate not delivered yet (CER-2), IssueBatch
// at a time, each batch one transaction: the learners told by email and in
// their space, each certificate audited. progress, when not nil, is told
// after each batch. It returns how many this run issued.
func (s *Service) IssueAll(ctx context.Context, actor domain.Actor, progress func(done, total int)) (int, error) {
	if !domain.Can(actor, domain.ActIssueCertificates, domain.Resource{}) {
		return 0, ErrForbidden
	}
	lines, err := s.passed(ctx)
	if err != nil {
		return 0, err
	}
	var todo []DashboardLine
	for _, l := range lines {
		if l.CertificateID == 0 {
			todo = append(todo, l)
		}
	}
	run, err := s.store.StartIssuance(ctx, len(todo), actor.AccountID, s.now())
	if err != nil {
		return 0, err
	}
	issued := 0
	err = s.issueBatches(ctx, actor, run, todo, &issued, progress)
	failure := ""
	if err != nil {
		failure = err.Error()
	}
	// The end is recorded even when the request that started it has gone.
	if ferr := s.store.FinishIssuance(context.WithoutCancel(ctx), run, issued, failure, s.now()); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return issued, err
	}
	s.log.Info("certificates issued", "issued", issued, "to_issue", len(todo))
	return issued, nil
}

// issueBatches issues todo's certificates IssueBatch at a time, telling
// the progress to the database (run) and to progress.
func (s *Service) issueBatches(ctx context.Context, actor domain.Actor, run int64, todo []DashboardLine, issued *int,
	progress func(done, total int)) error {
	for i := 0; i < len(todo); i += IssueBatch {
		batch := todo[i:min(i+IssueBatch, len(todo))]
		n := 0
		err := s.store.InTx(ctx, func(tx *sql.Tx) error {
			n = 0
			for _, l := range batch {
				created, err := s.issue(ctx, tx, actor, l)
				if err != nil {
					return err
				}
				if created {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("issue certificates %d–%d of %d: %w", i+1, i+len(batch), len(todo), err)
		}
		*issued += n
		if err := s.store.IssuanceProgress(ctx, run, i+len(batch), s.now()); err != nil {
			return err
		}
		if progress != nil {
			progress(i+len(batch), len(todo))
		}
	}
	return nil
}

// IssuanceAlive is how long a bulk issuance's progress may go without a
// beat before the dashboard takes it for stopped (its instance died): a
// batch takes about a second.
const IssuanceAlive = 2 * time.Minute

// issue issues one certificate in tx; created is false when it already was.
func (s *Service) issue(ctx context.Context, tx *sql.Tx, actor domain.Actor, l DashboardLine) (bool, error) {
	c, created, err := s.store.IssueCertificate(ctx, tx, store.Certificate{CandidatureID: l.CandidatureID, AccountID: l.AccountID,
		FormationID: l.FormationID, Number: CertificateNumber(l.Course.Session.FirstDay.Year(), l.CandidatureID),
		IssuedAt: s.now(), IssuedBy: actor.AccountID})
	if err != nil || !created {
		return false, err
	}
	if err := s.store.RecordAudit(ctx, tx, domain.AuditEvent{At: s.now(), ActorID: actor.AccountID, Action: domain.AuditCertificateIssued,
		SubjectID: l.AccountID, ObjectKind: domain.AuditObjectCourse, ObjectID: l.CourseID,
		Details: "certificat de compétences n° " + c.Number + " (" + l.Course.Code + ")"}); err != nil {
		return false, err
	}
	return true, s.tell(ctx, tx, l.AccountID, "certificate_issued", func(seat mail.Seat) (string, string, string, error) {
		return mail.RenderCertificateIssued(mail.CertificateIssuedMail{Seat: seat, Number: c.Number,
			Link: s.publicURL + CertificatePath + strconv.FormatInt(c.ID, 10)})
	}, l.Course)
}
