package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
	"cma/internal/store"
)

// TestSessionStore: web sessions live in the database on both engines, expire,
// and are deleted at sign-out.
func TestSessionStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ss := store.New(d).Sessions()
		if err := ss.CommitCtx(ctx, "tok-1", []byte("data-1"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := ss.CommitCtx(ctx, "tok-1", []byte("data-2"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err) // an update of the same token
		}
		data, found, err := ss.FindCtx(ctx, "tok-1")
		if err != nil || !found || string(data) != "data-2" {
			t.Fatalf("find = %q %v %v", data, found, err)
		}
		if err := ss.CommitCtx(ctx, "tok-old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := ss.FindCtx(ctx, "tok-old"); found {
			t.Fatal("an expired session was found")
		}
		n, err := ss.DeleteExpiredSessions(ctx, time.Now())
		if err != nil || n != 1 {
			t.Fatalf("deleted %d expired sessions, %v", n, err)
		}
		if err := ss.DeleteCtx(ctx, "tok-1"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := ss.FindCtx(ctx, "tok-1"); found {
			t.Fatal("a deleted session was found")
		}
	})
}

// TestSessionStore_signed_in_session_with_its_account: a session saved with
// its account is found with the account's row (and a staff member's grants)
// in one query; a session saved without one is found only by FindCtx.
func TestSessionStore_signed_in_session_with_its_account(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := store.New(d)
		ss := s.Sessions()
		now := time.Now().UTC().Truncate(time.Second)
		person := domain.Account{Kind: domain.AccountCandidate, Status: domain.StatusActive, Email: "lea@exemple.fr",
			FirstName: "Léa", LastName: "Dubois", CreatedAt: now, SessionEpoch: 2}
		agent := domain.Account{Kind: domain.AccountStaff, Status: domain.StatusActive, Email: "agent@ville.fr",
			FirstName: "Aline", LastName: "Agent", CreatedAt: now}
		grant := domain.Grant{Role: domain.RoleCentral}
		err := s.InTx(ctx, func(tx *sql.Tx) error {
			if err := s.InsertAccount(ctx, tx, &person); err != nil {
				return err
			}
			if err := s.InsertAccount(ctx, tx, &agent); err != nil {
				return err
			}
			return s.InsertGrant(ctx, tx, agent.ID, grant)
		})
		if err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Hour)
		for token, account := range map[string]int64{"tok-person": person.ID, "tok-agent": agent.ID, "tok-anonymous": 0} {
			if err := ss.CommitSignedInCtx(ctx, token, []byte("data "+token), later, account, domain.SignOn{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := ss.CommitSignedInCtx(ctx, "tok-expired", []byte("x"), time.Now().Add(-time.Minute), person.ID, domain.SignOn{}); err != nil {
			t.Fatal(err)
		}

		data, acc, found, err := ss.FindSignedInCtx(ctx, "tok-person")
		if err != nil || !found || string(data) != "data tok-person" {
			t.Fatalf("person's session: %q %v %v", data, found, err)
		}
		if acc.ID != person.ID || acc.Email != person.Email || acc.FirstName != "Léa" || acc.SessionEpoch != 2 ||
			acc.Kind != domain.AccountCandidate || !acc.CreatedAt.Equal(now) {
			t.Errorf("person's account read with the session: %+v", acc)
		}
		_, acc, found, err = ss.FindSignedInCtx(ctx, "tok-agent")
		if err != nil || !found || acc.ID != agent.ID || len(acc.Grants) != 1 || acc.Grants[0] != grant {
			t.Errorf("agent's session: %+v %v %v", acc, found, err)
		}
		for _, token := range []string{"tok-anonymous", "tok-expired", "tok-none"} {
			if _, _, found, err := ss.FindSignedInCtx(ctx, token); found || err != nil {
				t.Errorf("%s: found %v, %v by FindSignedInCtx", token, found, err)
			}
		}
		if data, found, err := ss.FindCtx(ctx, "tok-anonymous"); !found || err != nil || string(data) != "data tok-anonymous" {
			t.Errorf("anonymous session: %q %v %v", data, found, err)
		}
		// Signing out of the account (the session kept, its account gone).
		if err := ss.CommitCtx(ctx, "tok-person", []byte("signed out"), later); err != nil {
			t.Fatal(err)
		}
		if _, _, found, _ := ss.FindSignedInCtx(ctx, "tok-person"); found {
			t.Error("a session saved without its account is still found with it")
		}
	})
}

// TestSessionStore_ACC5_sign_on_sessions_end_by_sid_or_subject: a logout at
// the provider ends the web sessions bound to its sign-on session (by issuer
// and sid) or, when it names no sid, all those of the subject; never those
// of another issuer, subject or sid.
func TestSessionStore_ACC5_sign_on_sessions_end_by_sid_or_subject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ss := store.New(d).Sessions()
		later := time.Now().Add(time.Hour)
		const iss, other = "https://mon.paris.fr", "https://franceconnect.gouv.fr"
		sessions := map[string]domain.SignOn{
			"a1": {Issuer: iss, Subject: "s1", SID: "sid-1"}, "a2": {Issuer: iss, Subject: "s1", SID: "sid-1"},
			"b": {Issuer: iss, Subject: "s1", SID: "sid-2"}, "c": {Issuer: iss, Subject: "s2", SID: "sid-3"},
			"d": {Issuer: other, Subject: "s1", SID: "sid-1"}, "e": {}, "f": {Issuer: iss, Subject: "s1"},
		}
		for token, so := range sessions {
			if err := ss.CommitSignedInCtx(ctx, token, []byte(token), later, 0, so); err != nil {
				t.Fatal(err)
			}
		}
		left := func() (tokens []string) {
			for token := range sessions {
				if _, found, _ := ss.FindCtx(ctx, token); found {
					tokens = append(tokens, token)
				}
			}
			slices.Sort(tokens)
			return tokens
		}
		if n, err := ss.DeleteSignOnSessionsCtx(ctx, domain.SignOn{Issuer: iss, SID: "sid-1"}); err != nil || n != 2 {
			t.Errorf("by sid: %d, %v; want 2", n, err)
		}
		if got := left(); !slices.Equal(got, []string{"b", "c", "d", "e", "f"}) {
			t.Errorf("after the sid: %v left", got)
		}
		if n, err := ss.DeleteSignOnSessionsCtx(ctx, domain.SignOn{Issuer: iss, Subject: "s1"}); err != nil || n != 2 {
			t.Errorf("by subject: %d, %v; want 2", n, err)
		}
		if got := left(); !slices.Equal(got, []string{"c", "d", "e"}) {
			t.Errorf("after the subject: %v left", got)
		}
		if _, err := ss.DeleteSignOnSessionsCtx(ctx, domain.SignOn{Issuer: iss}); err == nil {
			t.Error("neither sid nor subject: accepted")
		}
	})
}

// TestSessionStore_ACC5_sessions_without_sid_end_by_subject: a provider that
// gives no sid (LemonLDAP::NG 2.16) names its session by the subject at
// logout; only the sessions of that subject opened without a sid end.
func TestSessionStore_ACC5_sessions_without_sid_end_by_subject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ss := store.New(d).Sessions()
		later := time.Now().Add(time.Hour)
		const iss = "http://127.0.0.1:8191"
		sessions := map[string]domain.SignOn{
			"dwho-1": {Issuer: iss, Subject: "dwho"}, "dwho-2": {Issuer: iss, Subject: "dwho"},
			"dwho-sid": {Issuer: iss, Subject: "dwho", SID: "s-9"}, "rtyler": {Issuer: iss, Subject: "rtyler"},
			"elsewhere": {Issuer: "https://autre.exemple", Subject: "dwho"},
		}
		for token, so := range sessions {
			if err := ss.CommitSignedInCtx(ctx, token, []byte(token), later, 0, so); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := ss.DeleteSignOnSessionsWithoutSIDCtx(ctx, iss, "dwho"); err != nil || n != 2 {
			t.Errorf("dwho's sessions without sid: %d ended, %v; want 2", n, err)
		}
		for token := range sessions {
			_, found, _ := ss.FindCtx(ctx, token)
			if want := token != "dwho-1" && token != "dwho-2"; found != want {
				t.Errorf("session %s: found %v, want %v", token, found, want)
			}
		}
		if _, err := ss.DeleteSignOnSessionsWithoutSIDCtx(ctx, iss, ""); err == nil {
			t.Error("no subject: accepted")
		}
	})
}
