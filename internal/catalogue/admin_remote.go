package catalogue

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/mail"
	"cma/internal/store"
)

// RemoteScope names what a remote-delivery switch applies to (CAT-6): Kind is
// one of the store.RemoteScope* ("course", "formation", "establishment",
// "session", "all") and ID the object's ID (none for "all").
type RemoteScope struct {
	Kind string
	ID   int64
}

// RemoteResult says what a switch did: the courses whose delivery changed (by
// code) and how many people were told. A switch to the state the courses
// already have changes nothing and tells nobody.
type RemoteResult struct {
	Changed []string
	Told    int
}

// maxReasonRunes bounds a switch's reason.
const maxReasonRunes = 500

// The message kind of the remote-delivery email in the person's space.
const messageKindRemote = "remote"

// SwitchRemote switches the courses of scope to remote delivery (remote true)
// or back to in-person classes, with a reason (CAT-6). One course needs
// domain.ActStaffCourse (ROLE-3 for her own establishment's, ROLE-5); a group
// or every course ("health protocol": the catalogue's AllRemote switch) needs
// domain.ActManageCatalogue (ROLE-5). In one transaction: the courses whose
// delivery changes are switched with the reason, one audit event per course
// and one for the switch, and every person holding an active candidature on
// them gets one email listing her courses concerned, kept in her space too
// (CON-2). A missing reason is a domain.FieldErrors on "motif".
func (a *Admin) SwitchRemote(ctx context.Context, actor domain.Actor, scope RemoteScope, remote bool, reason string) (RemoteResult, error) {
	reason = strings.TrimSpace(reason)
	var res RemoteResult
	if err := a.mayRemote(ctx, actor, scope); err != nil {
		return res, err
	}
	switch {
	case reason == "":
		return res, domain.FieldErrors{{Field: "motif", Key: "remote.error.reason"}}
	case utf8.RuneCountInString(reason) > maxReasonRunes:
		return res, domain.FieldErrors{{Field: "motif", Key: "remote.error.reason_long", Args: map[string]any{"Max": maxReasonRunes}}}
	}
	err := a.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		res = RemoteResult{}
		courses, err := a.store.RemoteCoursesTx(ctx, tx, scope.Kind, scope.ID)
		if err != nil {
			return nil, err
		}
		if scope.Kind == store.RemoteScopeCourse && len(courses) == 0 {
			return nil, ErrNotFound
		}
		allRemote, _, err := a.store.AllRemoteTx(ctx, tx)
		if err != nil {
			return nil, err
		}
		// The courses switched: for one course or a group, those whose own
		// flag changes; for every course (the health protocol), those without
		// their own flag, whose delivery the switch changes. People are told
		// when the delivery they see changes: not for a group's switch while
		// the health protocol already makes every course remote.
		var changed []store.RemoteCourse
		var ids []int64
		for _, c := range courses {
			switch {
			case scope.Kind == store.RemoteScopeAll && !c.Remote:
				changed = append(changed, c)
			case scope.Kind != store.RemoteScopeAll && c.Remote != remote:
				changed = append(changed, c)
				ids = append(ids, c.ID)
			}
		}
		tell := changed
		if scope.Kind == store.RemoteScopeAll {
			if allRemote == remote {
				return nil, nil // idempotent: nothing changes, nobody is told
			}
			if err := a.store.SetAllRemoteTx(ctx, tx, remote, reason); err != nil {
				return nil, err
			}
		} else {
			if len(ids) == 0 {
				return nil, nil // idempotent: nothing changes, nobody is told
			}
			if err := a.store.SetCoursesRemoteTx(ctx, tx, ids, remote, reason); err != nil {
				return nil, err
			}
			if allRemote {
				tell = nil
			}
		}
		var events []domain.AuditEvent
		var codes []string
		for _, c := range changed {
			codes = append(codes, c.Code)
			ev := domain.AuditEvent{ActorID: actor.AccountID, Action: domain.AuditRemoteSwitched, Reason: reason,
				ObjectKind: domain.AuditObjectCourse, ObjectID: c.ID,
				Details: Changes(remoteFields(c.Code, !remote), remoteFields(c.Code, remote))}
			if !remote {
				ev = domain.AuditEvent{ActorID: ev.ActorID, Action: domain.AuditRemoteEnded, Reason: reason,
					ObjectKind: ev.ObjectKind, ObjectID: ev.ObjectID, Details: ev.Details}
			}
			events = append(events, ev)
		}
		res.Changed = codes
		group := domain.AuditEvent{ActorID: actor.AccountID, Action: domain.AuditRemoteGroup, Reason: reason,
			Details: "portée : " + scopeWords(scope, courses) + " ; distanciel : " + ouiNon(remote) +
				" ; cours changés : " + strconv.Itoa(len(codes))}
		switch scope.Kind {
		case store.RemoteScopeFormation:
			group.ObjectKind, group.ObjectID = domain.AuditObjectFormation, scope.ID
		case store.RemoteScopeEstablishment:
			group.ObjectKind, group.ObjectID = domain.AuditObjectEstablishment, scope.ID
		case store.RemoteScopeSession:
			group.ObjectKind, group.ObjectID = domain.AuditObjectSession, scope.ID
		}
		if scope.Kind != store.RemoteScopeCourse {
			events = append(events, group)
		}
		told, err := a.tellRemote(ctx, tx, tell, remote, reason)
		res.Told = told
		return events, err
	})
	if err != nil {
		return RemoteResult{}, err
	}
	return res, nil
}

// mayRemote checks the permission of a switch (ROLE-3, ROLE-5).
func (a *Admin) mayRemote(ctx context.Context, actor domain.Actor, scope RemoteScope) error {
	switch scope.Kind {
	case store.RemoteScopeCourse:
		ix, err := a.catalogue.Index(ctx)
		if err != nil {
			return err
		}
		e, ok := ix.Course(scope.ID)
		if !ok {
			if domain.Can(actor, domain.ActStaffCourse, domain.Resource{}) {
				return ErrNotFound
			}
			return ErrForbidden
		}
		if !domain.Can(actor, domain.ActStaffCourse, domain.Resource{EstablishmentID: e.EstablishmentID,
			FormationID: e.FormationID, CourseID: e.ID}) {
			return ErrForbidden
		}
	case store.RemoteScopeFormation, store.RemoteScopeEstablishment, store.RemoteScopeSession, store.RemoteScopeAll:
		if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
			return ErrForbidden
		}
		if scope.Kind != store.RemoteScopeAll && scope.ID <= 0 {
			return ErrNotFound
		}
	default:
		return ErrNotFound
	}
	return nil
}

func remoteFields(code string, remote bool) Fields {
	return Fields{{"cours", code}, {"distanciel", ouiNon(remote)}}
}

// scopeWords names the scope in French for the audit trail.
func scopeWords(scope RemoteScope, courses []store.RemoteCourse) string {
	name := func(pick func(store.RemoteCourse) string) string {
		if len(courses) > 0 {
			return " « " + pick(courses[0]) + " »"
		}
		return " n° " + strconv.FormatInt(scope.ID, 10)
	}
	switch scope.Kind {
	case store.RemoteScopeCourse:
		return "cours" + name(func(c store.RemoteCourse) string { return c.Code })
	case store.RemoteScopeFormation:
		return "formation" + name(func(c store.RemoteCourse) string { return c.Formation })
	case store.RemoteScopeEstablishment:
		return "établissement" + name(func(c store.RemoteCourse) string { return c.Establishment })
	case store.RemoteScopeSession:
		return "session" + name(func(c store.RemoteCourse) string { return c.Session })
	}
	return "tous les cours (protocole sanitaire)"
}

// tellRemote keeps and queues one email per person holding an active
// candidature on the changed courses, listing hers (CAT-6, CON-2).
func (a *Admin) tellRemote(ctx context.Context, tx *sql.Tx, changed []store.RemoteCourse, remote bool, reason string) (int, error) {
	if len(changed) == 0 {
		return 0, nil
	}
	byID := make(map[int64]store.RemoteCourse, len(changed))
	ids := make([]int64, len(changed))
	for i, c := range changed {
		byID[c.ID], ids[i] = c, c.ID
	}
	people, err := a.store.ActivePeopleOfCoursesTx(ctx, tx, ids)
	if err != nil {
		return 0, err
	}
	if len(people) == 0 {
		return 0, nil
	}
	if a.outbox == nil {
		return 0, errors.New("remote delivery: no outbox to tell the candidates")
	}
	p := a.words.Printer(i18n.French)
	msgs := make([]*domain.Message, 0, len(people))
	for _, person := range people {
		m := mail.Remote{FirstName: person.Account.FirstName, Remote: remote, Reason: reason, SpaceURL: a.publicURL + "/mes-candidatures"}
		for _, id := range person.CourseIDs {
			c := byID[id]
			m.Courses = append(m.Courses, mail.RemoteLine{Formation: c.Formation, Code: c.Code, Establishment: c.Establishment,
				Session: c.Session, Schedule: p.T("weekday."+strconv.Itoa(int(c.Weekday))) + " " +
					domain.FormatClock(c.StartMinute) + "–" + domain.FormatClock(c.EndMinute)})
		}
		subject, text, html, err := mail.RenderRemote(m)
		if err != nil {
			return 0, err
		}
		msgs = append(msgs, &domain.Message{AccountID: person.Account.ID, Kind: messageKindRemote, Subject: subject,
			Text: text, HTML: html, CreatedAt: a.now()})
	}
	if err := a.outbox.Keep(ctx, tx, msgs...); err != nil {
		return 0, err
	}
	return len(msgs), nil
}
