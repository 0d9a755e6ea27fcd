package candidature_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cma/internal/candidature"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// fieldKeys lists a validation's form errors as "field=key".
func fieldKeys(err error) []string {
	var fe domain.FieldErrors
	errors.As(err, &fe)
	var out []string
	for _, f := range fe {
		out = append(out, f.Field+"="+f.Key)
	}
	return out
}

// TestParseDay_CAN9_dates_as_people_type_them: the proof's date is read as
// jj/mm/aaaa (and jj/mm/aa), or the ISO date a date picker sends; days that do
// not exist are refused, not rolled over.
func TestParseDay_CAN9_dates_as_people_type_them(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for text, want := range map[string]time.Time{
		"15/11/2026":   day(2026, 11, 15),
		" 15/11/2026 ": day(2026, 11, 15),
		"15/11/26":     day(2026, 11, 15),
		"5/1/2026":     day(2026, 1, 5),
		"15-11-2026":   day(2026, 11, 15),
		"15.11.2026":   day(2026, 11, 15),
		"2026-11-15":   day(2026, 11, 15),
		"29/02/2028":   day(2028, 2, 29),
	} {
		if got, ok := candidature.ParseDay(text); !ok || !got.Equal(want) {
			t.Errorf("ParseDay(%q) = %v, %v; want %v", text, got, ok, want)
		}
	}
	for _, text := range []string{"", "hier", "31/02/2026", "29/02/2027", "15/13/2026", "00/11/2026", "2026/11/15", "15/11/202",
		"15/11", "15/11/2026/1", "115/11/2026", "1e1/11/2026", "-1/11/2026"} {
		if got, ok := candidature.ParseDay(text); ok {
			t.Errorf("ParseDay(%q) = %v, want refused", text, got)
		}
	}
}

// TestValidationForm_CAN9_typed_date_and_every_error_at_once: a date typed as
// 15/10/2026 is understood; a date that is not one says "format", one in the
// future says so, and every field's error comes at once.
func TestValidationForm_CAN9_typed_date_and_every_error_at_once(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	me, actor := e.person(t, "dates", adult())
	if err := e.svc.Add(ctx, actor, me.ID, e.open[0].ID); err != nil {
		t.Fatal(err)
	}
	f := e.form(t, me.ID)
	for typed, want := range map[string][]string{
		"32/10/2026": {"proof_date=basket.error.proof_date_format"},
		"le 1er":     {"proof_date=basket.error.proof_date_format"},
		"28/11/2026": {"proof_date=basket.error.proof_date_future"}, // today is 27/11/2026
		"":           {"proof_date=basket.error.proof_date_missing"},
		"15/07/2026": {"proof_date=basket.error.proof_too_old"},
	} {
		claim := f
		claim.HalfTariff, claim.Proof = true, &candidature.Proof{Data: minimalPDF(), IssueDateText: typed}
		if got := fieldKeys(e.svcValidate(ctx, actor, me.ID, claim)); !slices.Equal(got, want) {
			t.Errorf("CAN-9 date typed %q: %v, want %v", typed, got, want)
		}
	}
	all := f
	all.Objective, all.Motivation, all.AcceptRules = "", strings.Repeat("a", 2001), false
	all.HalfTariff, all.Proof = true, &candidature.Proof{TooLarge: true, IssueDateText: "15/13/2026"}
	want := []string{"objective=basket.error.objective", "motivation=basket.error.motivation_too_long", "rules=basket.error.rules",
		"proof=basket.proof.too_big", "proof_date=basket.error.proof_date_format"}
	if got := fieldKeys(e.svcValidate(ctx, actor, me.ID, all)); !slices.Equal(got, want) {
		t.Errorf("CAN-9 every error at once: %v, want %v", got, want)
	}
	good := f
	good.HalfTariff, good.Proof = true, &candidature.Proof{Data: minimalPDF(), IssueDateText: "15/10/2026"}
	res, err := e.svc.Validate(ctx, actor, me.ID, good)
	if err != nil || len(res.Candidatures) != 1 || !res.Candidatures[0].HalfTariffClaim {
		t.Fatalf("CAN-9 a proof dated 15/10/2026: %+v, %v", res, err)
	}
}

// TestRecap_CAN4_CAN9_prepare_recap_then_validate_once: the form is checked
// and kept for the recap, which shows it; nothing is validated or sent until
// the recap's button, which validates once however often it is pressed, and
// whose email shows the half tariff requested and the validation's reference.
func TestRecap_CAN4_CAN9_prepare_recap_then_validate_once(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "recap", adult())
		for _, c := range e.open[:3] {
			if err := e.svc.Add(ctx, actor, me.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Recap(ctx, actor, me.ID); !errors.Is(err, candidature.ErrNoDraft) {
			t.Fatalf("a recap before the form: %v, want ErrNoDraft", err)
		}
		f := e.form(t, me.ID)
		bad := f
		bad.HalfTariff, bad.Proof = true, &candidature.Proof{Data: minimalPDF(), IssueDateText: "31/02/2026"}
		if got := fieldKeys(e.svc.Prepare(ctx, actor, me.ID, bad)); !slices.Equal(got, []string{"proof_date=basket.error.proof_date_format"}) {
			t.Fatalf("CAN-9 a wrong date at the form: %v", got)
		}
		if _, err := e.svc.Recap(ctx, actor, me.ID); !errors.Is(err, candidature.ErrNoDraft) {
			t.Fatalf("a refused form left a draft: %v", err)
		}
		stale := f
		stale.Token = "ancien"
		if err := e.svc.Prepare(ctx, actor, me.ID, stale); !errors.Is(err, candidature.ErrBasketChanged) {
			t.Fatalf("a form of an older basket: %v, want ErrBasketChanged", err)
		}

		f.HalfTariff, f.Proof = true, &candidature.Proof{Data: minimalPDF(), IssueDateText: "15/10/2026"}
		f.Motivation, f.Social = "Parler avec ma famille.", domain.SocialSituation{RSA: true}
		if err := e.svc.Prepare(ctx, actor, me.ID, f); err != nil {
			t.Fatal(err)
		}
		rc, err := e.svc.Recap(ctx, actor, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rc.Items) != 3 || !rc.HalfTariff || rc.RulesVersion != "2026-1" || rc.Token != f.Token || !rc.Social.RSA ||
			rc.Motivation != f.Motivation || !rc.ProofIssued.Equal(time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("CAN-4 recap: %+v", rc)
		}
		if !regexp.MustCompile(`^CMA-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$`).MatchString(rc.Reference) || rc.Reference != candidature.Reference(f.Token) {
			t.Errorf("CAN-4 reference %q", rc.Reference)
		}
		sp, _ := e.svc.Space(ctx, actor, me.ID)
		if len(sp.Candidatures) != 0 || len(sp.Messages) != 0 || countJobs(t, d) != 0 {
			t.Fatalf("CAN-4 the form alone validated: %d candidatures, %d messages", len(sp.Candidatures), len(sp.Messages))
		}

		if _, err := e.svc.ValidateDraft(ctx, actor, me.ID, "autre"); !errors.Is(err, candidature.ErrNoDraft) {
			t.Fatalf("the recap's button with another token: %v, want ErrNoDraft", err)
		}
		res, err := e.svc.ValidateDraft(ctx, actor, me.ID, rc.Token)
		if err != nil || len(res.Candidatures) != 3 || res.AlreadyDone {
			t.Fatalf("CAN-4 validate the recap: %+v, %v", res, err)
		}
		for _, c := range res.Candidatures {
			if !c.HalfTariffClaim || c.ProofID == 0 || !c.Social.RSA || c.Motivation != f.Motivation || c.RulesVersion != "2026-1" {
				t.Errorf("CAN-9 candidature from the recap: %+v", c)
			}
		}
		again, err := e.svc.ValidateDraft(ctx, actor, me.ID, rc.Token)
		if err != nil || !again.AlreadyDone {
			t.Fatalf("CAN-4 the button pressed twice: %+v, %v", again, err)
		}
		if _, err := e.svc.Recap(ctx, actor, me.ID); !errors.Is(err, candidature.ErrNoDraft) {
			t.Errorf("the draft outlived its validation: %v", err)
		}
		sp, _ = e.svc.Space(ctx, actor, me.ID)
		if len(sp.Messages) != 1 || countJobs(t, d) != 1 {
			t.Fatalf("CAN-4 CON-2 one email: %d messages, %d queued", len(sp.Messages), countJobs(t, d))
		}
		for _, c := range sp.Candidatures {
			if candidature.Reference(c.ValidationKey) != rc.Reference {
				t.Errorf("CAN-4 the space's reference %q, want %q", candidature.Reference(c.ValidationKey), rc.Reference)
			}
		}
		m := sp.Messages[0]
		for _, body := range []string{m.Text, m.HTML} {
			for _, want := range []string{"demi-tarif demandé sous réserve de vérification du justificatif", rc.Reference,
				e.open[0].Formation.Title, "3975"} {
				if !strings.Contains(body, want) {
					t.Errorf("CAN-9 the confirmation email lacks %q:\n%.2000s", want, body)
				}
			}
			if strings.Contains(body, "formulaire de contact") {
				t.Errorf("the email promises a contact form that does not exist")
			}
		}
	})
}

// TestRecap_CAN9_full_tariff_email_says_no_half: without a claim, the email
// shows the full tariff and no half tariff.
func TestRecap_CAN9_full_tariff_email_says_no_half(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	me, actor := e.person(t, "plein", adult())
	if err := e.svc.Add(ctx, actor, me.ID, e.open[0].ID); err != nil {
		t.Fatal(err)
	}
	f := e.form(t, me.ID)
	if err := e.svc.Prepare(ctx, actor, me.ID, f); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ValidateDraft(ctx, actor, me.ID, f.Token); err != nil {
		t.Fatal(err)
	}
	sp, _ := e.svc.Space(ctx, actor, me.ID)
	if len(sp.Messages) != 1 || strings.Contains(sp.Messages[0].Text, "demi-tarif demandé") {
		t.Fatalf("CAN-9 an email without a claim: %+v", sp.Messages)
	}
}

// TestCancel_CAN5_CON2_sends_its_email_once: a cancellation keeps and queues
// an email naming the course in its transaction (a copy in the space); a
// second cancellation sends nothing; one refused after the deadline neither.
func TestCancel_CAN5_CON2_sends_its_email_once(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "annule", adult())
		for _, c := range e.open[:2] {
			if err := e.svc.Add(ctx, actor, me.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		res, err := e.svc.Validate(ctx, actor, me.ID, e.form(t, me.ID))
		if err != nil {
			t.Fatal(err)
		}
		first := res.Candidatures[0]
		if err := e.svc.Cancel(ctx, actor, me.ID, first.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Cancel(ctx, actor, me.ID, first.ID); err != nil {
			t.Fatal(err)
		}
		sp, _ := e.svc.Space(ctx, actor, me.ID)
		var cancels []domain.Message
		for _, m := range sp.Messages {
			if m.Kind == "cancellation" {
				cancels = append(cancels, m)
			}
		}
		title := ""
		for _, c := range e.open[:2] {
			if c.ID == first.CourseID {
				title = c.Formation.Title
			}
		}
		if len(cancels) != 1 || countJobs(t, d) != 2 {
			t.Fatalf("CAN-5 CON-2 cancelled twice: %d cancellation emails, %d queued in all", len(cancels), countJobs(t, d))
		}
		m := cancels[0]
		for _, body := range []string{m.Subject, m.Text, m.HTML} {
			if !strings.Contains(body, title) {
				t.Errorf("CAN-5 the cancellation email does not name %q: %.600s", title, body)
			}
		}
		for _, body := range []string{m.Text, m.HTML} {
			if !strings.Contains(body, candidature.Reference(first.ValidationKey)) || !strings.Contains(body, "3975") {
				t.Errorf("CAN-5 the cancellation email lacks the reference or the phone line: %.900s", body)
			}
		}
		*e.clock = e.open[1].Session.CandidatureCloses.End()
		if err := e.svc.Cancel(ctx, actor, me.ID, res.Candidatures[1].ID); !errors.Is(err, candidature.ErrDeadline) {
			t.Fatalf("CAN-5 after the deadline: %v", err)
		}
		if countJobs(t, d) != 2 {
			t.Errorf("CAN-5 a refused cancellation queued an email")
		}
	})
}

// TestEraseOldDrafts_CAN9: a draft never validated, with its proof, goes
// after a day; a newer one stays.
func TestEraseOldDrafts_CAN9(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	me, actor := e.person(t, "oubli", adult())
	if err := e.svc.Add(ctx, actor, me.ID, e.open[0].ID); err != nil {
		t.Fatal(err)
	}
	f := e.form(t, me.ID)
	f.HalfTariff, f.Proof = true, &candidature.Proof{Data: minimalPDF(), IssueDateText: "15/10/2026"}
	if err := e.svc.Prepare(ctx, actor, me.ID, f); err != nil {
		t.Fatal(err)
	}
	if n, err := candidature.EraseOldDrafts(ctx, e.store, today.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("a draft of an hour erased: %d, %v", n, err)
	}
	if n, err := candidature.EraseOldDrafts(ctx, e.store, today.Add(candidature.DraftHours*time.Hour+time.Minute)); err != nil || n != 1 {
		t.Fatalf("a draft of a day kept: %d, %v", n, err)
	}
	if _, err := e.svc.Recap(ctx, actor, me.ID); !errors.Is(err, candidature.ErrNoDraft) {
		t.Errorf("the recap of an erased draft: %v", err)
	}
}

// TestReference_CAN4_stable_and_readable: the reference is the same for the
// same validation, differs between validations, and has no misread letters.
func TestReference_CAN4_stable_and_readable(t *testing.T) {
	a, b := candidature.Reference("0123456789abcdef0123456789abcdef"), candidature.Reference("0123456789abcdef0123456789abcdee")
	if a != candidature.Reference("0123456789abcdef0123456789abcdef") || a == b || candidature.Reference("") != "" {
		t.Fatalf("references %q %q", a, b)
	}
	if strings.ContainsAny(a[4:], "ILOU") || len(a) != len("CMA-XXXXX-XXXXX") {
		t.Errorf("reference %q", a)
	}
}

// TestRedirect_SEL5_answer_per_course_kept_to_the_candidature: the answer to
// a redirect is given per course of the basket, kept in the draft, shown on
// the recap and written on each candidature; a course not in the basket
// refuses the form and writes nothing; no answer is "does not accept".
func TestRedirect_SEL5_answer_per_course_kept_to_the_candidature(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "alice", adult())
		yes, no := e.open[0], e.open[1]
		for _, c := range []int64{yes.ID, no.ID} {
			if err := e.svc.Add(ctx, actor, me.ID, c); err != nil {
				t.Fatal(err)
			}
		}
		f := e.form(t, me.ID)
		f.RedirectCourses = []int64{yes.ID, e.open[2].ID} // e.open[2] is not in the basket
		if got := fieldKeys(e.svc.Prepare(ctx, actor, me.ID, f)); !slices.Equal(got, []string{"redirect=basket.error.redirect"}) {
			t.Fatalf("prepare with a course not in the basket: %v", got)
		}
		if _, err := e.svc.Recap(ctx, actor, me.ID); !errors.Is(err, candidature.ErrNoDraft) {
			t.Fatalf("a refused form kept a draft: %v", err)
		}
		if _, err := e.svc.Validate(ctx, actor, me.ID, f); !slices.Equal(fieldKeys(err), []string{"redirect=basket.error.redirect"}) {
			t.Fatalf("validate with a course not in the basket: %v", err)
		}
		if cs, err := e.store.Candidatures(ctx, nil, me.ID); err != nil || len(cs) != 0 {
			t.Fatalf("a refused validation wrote %d candidatures (%v)", len(cs), err)
		}

		f.RedirectCourses = []int64{yes.ID}
		if err := e.svc.Prepare(ctx, actor, me.ID, f); err != nil {
			t.Fatal(err)
		}
		rc, err := e.svc.Recap(ctx, actor, me.ID)
		if err != nil || !rc.Redirects[yes.ID] || rc.Redirects[no.ID] {
			t.Fatalf("recap redirects %v (%v), want only %d", rc.Redirects, err, yes.ID)
		}
		if _, err := e.svc.ValidateDraft(ctx, actor, me.ID, rc.Token); err != nil {
			t.Fatal(err)
		}
		cs, err := e.store.Candidatures(ctx, nil, me.ID)
		if err != nil || len(cs) != 2 {
			t.Fatalf("%d candidatures (%v)", len(cs), err)
		}
		for _, c := range cs {
			if c.AcceptsRedirect != (c.CourseID == yes.ID) {
				t.Errorf("candidature for course %d accepts a redirect: %v", c.CourseID, c.AcceptsRedirect)
			}
		}

		// Without an answer (other callers of Validate): no redirect.
		other, oactor := e.person(t, "bob", adult())
		if err := e.svc.Add(ctx, oactor, other.ID, e.open[3].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Validate(ctx, oactor, other.ID, e.form(t, other.ID)); err != nil {
			t.Fatal(err)
		}
		if cs, err := e.store.Candidatures(ctx, nil, other.ID); err != nil || len(cs) != 1 || cs[0].AcceptsRedirect {
			t.Fatalf("no answer: %+v (%v), want one candidature not accepting a redirect", cs, err)
		}
	})
}
