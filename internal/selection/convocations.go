package selection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
	"cma/internal/store"
)

// The message kinds of the selection's emails in the person's space (CON-2).
const (
	messageKindConvocation = "convocation"
	messageKindWithdrawal  = "withdrawal"
)

// Convokee is a candidature of an evaluated formation as staff see it for
// convocations and results: the candidate's name, the convocation, the result.
type Convokee = store.Convokee

// SendResult says what "Envoyer les convocations" did.
type SendResult struct {
	Convoked int // convocations sent by this call
	Already  int // candidatures convoked before
}

// inScope reports whether the actor may evaluate a candidature of the
// formation in that establishment.
func inScope(actor domain.Actor, formationID, establishmentID int64) bool {
	return domain.Can(actor, domain.ActEvaluate, domain.Resource{FormationID: formationID, EstablishmentID: establishmentID})
}

// whatWords names the evaluation in French with its preposition, as the
// convocation says it: "convoqué(e) au test de niveau", "à l'entretien".
func whatWords(m domain.EvaluationMode) string {
	switch m {
	case domain.EvaluationInterview:
		return "à l'entretien"
	case domain.EvaluationFirstDayTest:
		return "au test du premier jour"
	}
	return "au test de niveau"
}

// SendConvocations convokes every submitted candidature of the formation in
// the session that has no convocation yet (SEL-2): to a sitting with seats
// left, preferably in the establishment of the candidature's course, or for a
// first-day test to the course's first class. In one transaction: the
// convocations, the sittings' convoked_at, a history line per candidature,
// the audit event, and one email per candidate kept and queued (CON-2).
// Sending again convokes only those not yet convoked. Too few seats: a
// FieldErrors naming how many are missing, and nothing is sent.
func (s *Service) SendConvocations(ctx context.Context, actor domain.Actor, sessionID, formationID int64) (SendResult, error) {
	var res SendResult
	if !domain.Can(actor, domain.ActBackOffice, domain.Resource{}) {
		return res, ErrForbidden
	}
	ix, se, f, err := s.formationOf(ctx, sessionID, formationID)
	if err != nil {
		if errors.Is(err, ErrNotFound) && !inScopeAny(actor, formationID) {
			return res, ErrForbidden
		}
		return res, err
	}
	if !inScopeAny(actor, formationID) {
		return res, ErrForbidden
	}
	if !se.CandidatureCloses.Passed(s.now()) {
		return res, domain.FieldErrors{{Field: "convocations", Key: "sitting.error.still_open",
			Args: map[string]any{"Date": se.CandidatureCloses.Day().Format("02/01/2006")}}}
	}
	if s.outbox == nil {
		return res, errors.New("convocations: no outbox to tell the candidates")
	}
	now := s.now()
	err = s.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		res = SendResult{}
		if err := s.store.LockFormationTx(ctx, tx, formationID); err != nil {
			return nil, err
		}
		all, err := s.store.Convokees(ctx, tx, sessionID, formationID, 0, 0)
		if err != nil {
			return nil, err
		}
		var pending []Convokee
		for _, k := range all {
			if !inScope(actor, formationID, k.EstablishmentID) {
				continue
			}
			switch {
			case k.Convocation.CandidatureID != 0:
				res.Already++
			case k.Status == domain.CandidatureSubmitted:
				pending = append(pending, k)
			}
		}
		if len(pending) == 0 {
			return nil, nil // idempotent: nobody left to convoke
		}
		convs, err := s.assign(ctx, tx, ix, f, sessionID, actor, pending)
		if err != nil {
			return nil, err
		}
		p := s.words.Printer(i18n.French)
		msgs := make([]*domain.Message, len(pending))
		for i, k := range pending {
			c := convs[i]
			m := mail.Convocation{FirstName: k.FirstName, LastName: k.LastName, Formation: f.Title, What: whatWords(f.Evaluation),
				When: s.when(p, c.At), Place: c.Place, PDFURL: s.publicURL + ConvocationPath(k.CandidatureID) + ".pdf",
				SpaceURL: s.publicURL + "/mes-candidatures"}
			if c.SittingID != 0 {
				m.Minutes = minutesOf(ctx, s, tx, c.SittingID)
			}
			subject, text, html, err := mail.RenderConvocation(m)
			if err != nil {
				return nil, err
			}
			msgs[i] = &domain.Message{AccountID: k.AccountID, Kind: messageKindConvocation, Subject: subject, Text: text,
				HTML: html, CreatedAt: now}
		}
		if err := s.outbox.Keep(ctx, tx, msgs...); err != nil {
			return nil, err
		}
		sittings := map[int64]bool{}
		for i, k := range pending {
			c := convs[i]
			c.CandidatureID, c.SentAt, c.MessageID = k.CandidatureID, now, msgs[i].ID
			if err := s.store.InsertConvocationTx(ctx, tx, c); err != nil {
				return nil, err
			}
			note := "convoqué(e) " + whatWords(f.Evaluation) + " le " + s.when(p, c.At) + ", " + c.Place
			if err := s.store.InsertCandidatureEvent(ctx, tx, k.CandidatureID, now, k.Status, actor.AccountID, note); err != nil {
				return nil, err
			}
			if c.SittingID != 0 {
				sittings[c.SittingID] = true
			}
		}
		for id := range sittings {
			if err := s.store.MarkSittingConvokedTx(ctx, tx, id, now); err != nil {
				return nil, err
			}
		}
		res.Convoked = len(pending)
		return []domain.AuditEvent{{ActorID: actor.AccountID, Action: domain.AuditConvocationsSent,
			ObjectKind: domain.AuditObjectFormation, ObjectID: formationID,
			Details: "formation : " + f.Title + " ; session : " + se.Name + " ; convocations envoyées : " + strconv.Itoa(len(pending))}}, nil
	})
	if err != nil {
		return SendResult{}, err
	}
	return res, nil
}

func minutesOf(ctx context.Context, s *Service, tx *sql.Tx, sittingID int64) int {
	st, err := s.store.Sitting(ctx, tx, sittingID)
	if err != nil {
		return 0
	}
	return st.Minutes
}

// inScopeAny reports whether the actor evaluates the formation anywhere: the
// coordinator's formation, the central service, a director (her
// establishment's candidatures).
func inScopeAny(actor domain.Actor, formationID int64) bool {
	if inScope(actor, formationID, 0) {
		return true
	}
	for _, g := range actor.Grants {
		if g.EstablishmentID != 0 && inScope(actor, formationID, g.EstablishmentID) {
			return true
		}
	}
	return false
}

// assign gives each pending candidature its convocation (date and place),
// without its IDs: a sitting with seats left, in the course's establishment
// first; the first class for a first-day test.
func (s *Service) assign(ctx context.Context, tx *sql.Tx, ix *catalogue.Index, f *domain.Formation, sessionID int64,
	actor domain.Actor, pending []Convokee) ([]domain.Convocation, error) {
	out := make([]domain.Convocation, len(pending))
	if f.Evaluation == domain.EvaluationFirstDayTest {
		for i, k := range pending {
			e, ok := ix.Course(k.CourseID)
			if !ok {
				return nil, ErrNotFound
			}
			out[i] = domain.Convocation{CourseID: k.CourseID, Place: placeOf(e.Establishment, roomName(e))}
			for _, m := range ix.Meetings(e, s.paris) {
				if !m.Skipped {
					out[i].At = m.Start
					break
				}
			}
			if out[i].At.IsZero() {
				return nil, domain.FieldErrors{{Field: "convocations", Key: "convocation.error.no_first_class",
					Args: map[string]any{"Code": e.Code}}}
			}
		}
		return out, nil
	}
	sittings, err := s.store.Sittings(ctx, tx, sessionID, f.ID)
	if err != nil {
		return nil, err
	}
	use, err := s.store.SittingUse(ctx, tx, sessionID)
	if err != nil {
		return nil, err
	}
	var open []domain.Sitting
	left := map[int64]int{}
	for _, st := range sittings {
		if inScope(actor, f.ID, st.EstablishmentID) {
			open = append(open, st)
			left[st.ID] = st.Seats - use[st.ID]
		}
	}
	if len(open) == 0 {
		return nil, domain.FieldErrors{{Field: "convocations", Key: "convocation.error.no_sitting"}}
	}
	total := 0
	for _, n := range left {
		total += max(n, 0)
	}
	if missing := len(pending) - total; missing > 0 {
		return nil, domain.FieldErrors{{Field: "convocations", Key: "convocation.error.seats_short",
			Args: map[string]any{"Missing": missing, "Pending": len(pending)}}}
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].StartsAt.Before(open[j].StartsAt) })
	take := func(i int, pick func(domain.Sitting) bool) bool {
		for _, st := range open {
			if left[st.ID] > 0 && pick(st) {
				left[st.ID]--
				place := ""
				if e, ok := ix.Establishment(st.EstablishmentID); ok {
					place = placeOf(e, st.Room)
				}
				out[i] = domain.Convocation{SittingID: st.ID, CourseID: pending[i].CourseID, At: st.StartsAt, Place: place}
				return true
			}
		}
		return false
	}
	var rest []int
	for i, k := range pending {
		if !take(i, func(st domain.Sitting) bool { return st.EstablishmentID == k.EstablishmentID }) {
			rest = append(rest, i)
		}
	}
	for _, i := range rest {
		take(i, func(domain.Sitting) bool { return true })
	}
	return out, nil
}

func roomName(e *catalogue.Entry) string {
	if e.Room != nil {
		return e.Room.Name
	}
	return ""
}

// placeOf is where a convocation sends the candidate, in French.
func placeOf(e *domain.Establishment, room string) string {
	if e == nil {
		return room
	}
	parts := []string{e.Name}
	if addr := strings.TrimSpace(e.Address + ", " + strings.TrimSpace(e.PostalCode+" "+e.City)); addr != "," {
		parts = append(parts, strings.Trim(addr, ", "))
	}
	if room = strings.TrimSpace(room); room != "" {
		parts = append(parts, "salle "+room)
	}
	return strings.Join(parts, ", ")
}

// when is an instant in French, Paris time: "mardi 5 janvier 2027 à 18 h 30".
func (s *Service) when(p *i18n.Printer, t time.Time) string {
	t = t.In(s.paris)
	return p.T("weekday."+strconv.Itoa(int(t.Weekday()))) + " " + documents.FrenchDate(t) + " à " +
		strconv.Itoa(t.Hour()) + " h " + fmt.Sprintf("%02d", t.Minute())
}

// ConvocationPath is the candidate's convocation page (its PDF adds ".pdf").
func ConvocationPath(candidatureID int64) string {
	return "/mes-candidatures/" + strconv.FormatInt(candidatureID, 10) + "/convocation"
}

// CandidateConvocation is a convocation as its candidate sees it (SEL-2).
type CandidateConvocation struct {
	CandidatureID       int64
	FirstName, LastName string
	Formation, What     string
	When, Place         string
	Minutes             int
	CourseCode          string
	At                  time.Time
	Path                string // the HTML page; the PDF adds ".pdf"
}

// MyConvocations lists the convocations of the actor's own candidatures, by
// candidature (ROLE-1).
func (s *Service) MyConvocations(ctx context.Context, actor domain.Actor) (map[int64]CandidateConvocation, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: actor.AccountID}) {
		return nil, ErrForbidden
	}
	convs, err := s.store.ConvocationsOfAccount(ctx, actor.AccountID)
	if err != nil || len(convs) == 0 {
		return nil, err
	}
	ix, err := s.catalogue.Index(ctx)
	if err != nil {
		return nil, err
	}
	p := s.words.Printer(i18n.French)
	out := make(map[int64]CandidateConvocation, len(convs))
	for id, c := range convs {
		out[id] = s.candidateView(ctx, ix, p, c)
	}
	return out, nil
}

func (s *Service) candidateView(ctx context.Context, ix *catalogue.Index, p *i18n.Printer, c domain.Convocation) CandidateConvocation {
	v := CandidateConvocation{CandidatureID: c.CandidatureID, When: s.when(p, c.At), Place: c.Place, At: c.At,
		Path: ConvocationPath(c.CandidatureID)}
	if e, ok := ix.Course(c.CourseID); ok {
		v.CourseCode = e.Code
		if e.Formation != nil {
			v.Formation, v.What = e.Formation.Title, whatWords(e.Formation.Evaluation)
		}
	}
	if c.SittingID != 0 {
		if st, err := s.store.Sitting(ctx, nil, c.SittingID); err == nil {
			v.Minutes = st.Minutes
		}
	}
	return v
}

// MyConvocation reads the convocation of one of the actor's own candidatures
// (ROLE-1 own only): ErrNotFound for someone else's or when none was sent.
func (s *Service) MyConvocation(ctx context.Context, actor domain.Actor, candidatureID int64) (CandidateConvocation, error) {
	if !domain.Can(actor, domain.ActViewOwnAccount, domain.Resource{AccountID: actor.AccountID}) {
		return CandidateConvocation{}, ErrForbidden
	}
	convs, err := s.store.ConvocationsOfAccount(ctx, actor.AccountID)
	if err != nil {
		return CandidateConvocation{}, err
	}
	c, ok := convs[candidatureID]
	if !ok {
		return CandidateConvocation{}, ErrNotFound
	}
	acc, err := s.store.Account(ctx, actor.AccountID)
	if err != nil {
		return CandidateConvocation{}, err
	}
	ix, err := s.catalogue.Index(ctx)
	if err != nil {
		return CandidateConvocation{}, err
	}
	v := s.candidateView(ctx, ix, s.words.Printer(i18n.French), c)
	v.FirstName, v.LastName = acc.FirstName, acc.LastName
	return v, nil
}

// ConvocationPDF is the printable nominative convocation (SEL-2).
func (s *Service) ConvocationPDF(ctx context.Context, actor domain.Actor, candidatureID int64) ([]byte, error) {
	v, err := s.MyConvocation(ctx, actor, candidatureID)
	if err != nil {
		return nil, err
	}
	return documents.ConvocationPDF(documents.Convocation{Number: candidatureID, FirstName: v.FirstName, LastName: v.LastName,
		Formation: v.Formation, What: v.What, When: v.When, Place: v.Place, Minutes: v.Minutes, CourseCode: v.CourseCode}, s.now())
}
