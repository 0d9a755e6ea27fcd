package attendance_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cma/internal/attendance"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/signedtoken"
)

// person is the learner's actor of a candidature.
func (e *env) person(t *testing.T, cand int64) domain.Actor {
	t.Helper()
	var id int64
	if err := e.d.R.QueryRow(`SELECT account_id FROM candidatures WHERE id = $1`, cand).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return domain.Actor{AccountID: id, Kind: domain.AccountCandidate}
}

// saveMinutes saves meeting i as held for minutes, every learner present
// but those given.
func (e *env) saveMinutes(t *testing.T, i, minutes int, key string, marks map[int64]domain.Mark) {
	t.Helper()
	sub := attendance.Submission{Key: key, Minutes: minutes}
	for _, c := range e.learners {
		m, ok := marks[c]
		if !ok {
			m = domain.MarkPresent
		}
		sub.Marks = append(sub.Marks, attendance.Entry{CandidatureID: c, Mark: m})
	}
	if _, err := e.svc.Save(context.Background(), e.trainer, e.course.ID, e.days[i], sub); err != nil {
		t.Fatalf("save meeting %d: %v", i, err)
	}
}

// ATT-2: a learner at 74.9 % has no attestation d'assiduité and one at
// 75.0 % has one. 1,000 minutes held over three meetings of 499, 250 and 251
// minutes (a fourth, cancelled, counts for nobody): learner a, late at the
// first and absent at the second, is present 750 minutes; learner b, absent
// at the third, 749. Nothing is asked before a meeting is held; asked twice,
// the same attestation; after another meeting, a new one; its token
// verifies on the public page, a forged one or another kind's does not; a
// learner cannot get another's.
func TestAttendanceAttestation_ATT2(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		if len(e.days) < 4 {
			t.Fatalf("%d meetings held, want 4", len(e.days))
		}
		a, b, c := e.learners[0], e.learners[1], e.learners[2]
		pa, pb := e.person(t, a), e.person(t, b)

		_, err := e.svc.RequestAttestation(ctx, pa, pa.AccountID, a)
		refusedWith(t, err, "att.attestation.none_held")

		e.saveMinutes(t, 0, 499, "m0", map[int64]domain.Mark{a: domain.MarkLate})
		e.saveMinutes(t, 1, 250, "m1", map[int64]domain.Mark{a: domain.MarkExcused})
		e.saveMinutes(t, 2, 251, "m2", map[int64]domain.Mark{b: domain.MarkAbsent})
		// Meeting 3: a and b absent, then the meeting is cancelled: it counts for nobody.
		e.saveMinutes(t, 3, 120, "m3", map[int64]domain.Mark{a: domain.MarkAbsent, b: domain.MarkAbsent})
		if _, err := e.svc.Save(ctx, e.trainer, e.course.ID, e.days[3], attendance.Submission{Key: "c3", Cancelled: true,
			CancelReason: "salle fermée"}); err != nil {
			t.Fatal(err)
		}
		if la, lb := e.learner(t, a).Attendance, e.learner(t, b).Attendance; la.HeldMinutes != 1000 || la.PresentMinutes != 750 ||
			lb.PresentMinutes != 749 || la.RateBP() != 7500 || lb.RateBP() != 7490 {
			t.Fatalf("a %d/%d (%d bp), b %d/%d (%d bp): want 750 and 749 of 1000", la.PresentMinutes, la.HeldMinutes, la.RateBP(),
				lb.PresentMinutes, lb.HeldMinutes, lb.RateBP())
		}

		// 74.9 %: refused, with the rate.
		_, err = e.svc.RequestAttestation(ctx, pb, pb.AccountID, b)
		refusedWith(t, err, "att.attestation.under")
		var r *attendance.Refusal
		if errors.As(err, &r); r.Args["Rate"] != "74,9\u00a0%" {
			t.Errorf("refusal says %v, want 74,9 %%", r.Args)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_attestations WHERE candidature_id = $1`, b); n != 0 {
			t.Fatalf("%d attestations for 74.9 %%", n)
		}

		// 75.0 %: delivered, with the figures and the period of the meetings held.
		got, err := e.svc.RequestAttestation(ctx, pa, pa.AccountID, a)
		if err != nil {
			t.Fatal(err)
		}
		at, doc := got.Attestation, got.Document
		if !got.Fresh || at.RateBP != 7500 || at.MinutesPresent != 750 || at.MinutesHeld != 1000 ||
			!at.FirstDay.Equal(e.days[0]) || !at.LastDay.Equal(e.days[2]) {
			t.Fatalf("attestation %+v (fresh %v): want 750/1000 from %v to %v", at, got.Fresh, e.days[0], e.days[2])
		}
		if doc.Number != attendance.AttestationNumber(at) || !strings.HasPrefix(doc.Number, "ASS-2026-") || doc.CourseCode != e.course.Code ||
			doc.RateBP != 7500 || !strings.HasPrefix(doc.VerifyURL, "https://cours.exemple/attestation-assiduite/") {
			t.Fatalf("document %+v", doc)
		}
		if _, err := documents.AttendanceAttestationPDF(doc, t0); err != nil {
			t.Fatalf("the document does not lay out: %v", err)
		}

		// Asked again the same day: the same one.
		again, err := e.svc.RequestAttestation(ctx, pa, pa.AccountID, a)
		if err != nil || again.Fresh || again.Attestation.ID != at.ID {
			t.Fatalf("asked again: %+v, %v; want attestation %d", again.Attestation, err, at.ID)
		}
		own, err := e.svc.Own(ctx, pa, pa.AccountID)
		if err != nil || len(own) != 1 || own[0].Attestation.ID != at.ID || !own[0].Current {
			t.Fatalf("mon parcours: %+v, %v", own, err)
		}

		// The verification page: genuine, with what was attested.
		token := strings.TrimPrefix(doc.VerifyURL, "https://cours.exemple/attestation-assiduite/")
		check, err := e.svc.VerifyAttestation(ctx, token)
		if err != nil || !check.Valid || check.Document.Number != doc.Number || check.Document.MinutesPresent != 750 ||
			check.Document.LastName == "" || check.Document.LastName != doc.LastName {
			t.Fatalf("verify: %+v, %v", check, err)
		}
		// A forged token, a token of another kind (a certificate's, a
		// card's made with the same ID), and a signed ID of nothing.
		certKey, err := e.st.SigningKey(ctx, "certificate", t0)
		if err != nil {
			t.Fatal(err)
		}
		cert := signedtoken.Sign(certKey, "cma certificate of competences", at.ID)
		key, err := e.st.SigningKey(ctx, "learner_card", t0)
		if err != nil {
			t.Fatal(err)
		}
		forged := []byte(token)
		forged[5] ^= 1
		nothing := signedtoken.Sign(certKey, "cma certificate of competences", 1) // not the attestation key
		for name, tok := range map[string]string{"forged": string(forged), "certificate": cert, "card": signedtoken.Sign(key,
			"cma learner card", at.ID), "garbage": "x", "other certificate": nothing} {
			if check, err := e.svc.VerifyAttestation(ctx, tok); err != nil || check.Valid {
				t.Errorf("%s token verified: %+v, %v", name, check, err)
			}
		}

		// Another learner cannot get a's: neither ask for it, nor read it.
		if _, err := e.svc.RequestAttestation(ctx, pb, pb.AccountID, a); !errors.Is(err, attendance.ErrNotFound) {
			t.Errorf("b asked for a's attestation: %v", err)
		}
		if _, err := e.svc.RequestAttestation(ctx, pb, pa.AccountID, a); !errors.Is(err, attendance.ErrForbidden) {
			t.Errorf("b asked as a: %v", err)
		}
		if _, err := e.svc.OwnAttestation(ctx, pb, pb.AccountID, at.ID); !errors.Is(err, attendance.ErrNotFound) {
			t.Errorf("b read a's attestation: %v", err)
		}
		if got, err := e.svc.OwnAttestation(ctx, pa, pa.AccountID, at.ID); err != nil || got.Document.Number != doc.Number {
			t.Errorf("a reads their own: %+v, %v", got, err)
		}

		// Staff: the director of the establishment and the central service;
		// not the trainer, not another establishment's director.
		director := e.staff(t, domain.Grant{Role: domain.RoleDirector, EstablishmentID: e.course.EstablishmentID})
		central := e.staff(t, domain.Grant{Role: domain.RoleCentral})
		var otherPlace int64
		if err := e.d.R.QueryRow(`SELECT MIN(id) FROM establishments WHERE id <> $1`, e.course.EstablishmentID).Scan(&otherPlace); err != nil {
			t.Fatal(err)
		}
		elsewhere := e.staff(t, domain.Grant{Role: domain.RoleDirector, EstablishmentID: otherPlace})
		for name, actor := range map[string]domain.Actor{"director": director, "central": central} {
			if got, err := e.svc.StaffAttestation(ctx, actor, e.course.ID, a); err != nil || got.Attestation.ID != at.ID {
				t.Errorf("%s: %+v, %v", name, got.Attestation, err)
			}
		}
		for name, actor := range map[string]domain.Actor{"trainer": e.trainer, "another director": elsewhere} {
			if _, err := e.svc.StaffAttestation(ctx, actor, e.course.ID, a); !errors.Is(err, attendance.ErrForbidden) {
				t.Errorf("%s read the attestation: %v", name, err)
			}
		}
		if _, err := e.svc.StaffAttestation(ctx, central, e.course.ID, c); !errors.Is(err, attendance.ErrNotFound) {
			t.Errorf("a learner who asked for none: %v", err)
		}

		// Meeting 3 held after all (the register corrected), a present: a
		// new attestation, over 1,120 minutes.
		e.saveMinutes(t, 3, 120, "m3 held", nil)
		if own, _ := e.svc.Own(ctx, pa, pa.AccountID); own[0].Current {
			t.Error("after another meeting the last attestation is still current")
		}
		later, err := e.svc.RequestAttestation(ctx, pa, pa.AccountID, a)
		if err != nil || !later.Fresh || later.Attestation.ID == at.ID || later.Attestation.MinutesHeld != 1120 ||
			later.Attestation.MinutesPresent != 870 || later.Attestation.RateBP != 7767 || !later.Attestation.LastDay.Equal(e.days[3]) {
			t.Fatalf("after another meeting: %+v, %v", later.Attestation, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM attendance_attestations WHERE candidature_id = $1`, a); n != 2 {
			t.Fatalf("%d attestations recorded, want 2", n)
		}
		// The first still verifies, with what it attested then.
		if check, err := e.svc.VerifyAttestation(ctx, token); err != nil || !check.Valid || check.Document.MinutesHeld != 1000 {
			t.Fatalf("the first attestation after a second: %+v, %v", check, err)
		}
	})
}
