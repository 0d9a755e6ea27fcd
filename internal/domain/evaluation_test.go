package domain

import (
	"testing"
	"time"
)

func TestCheckRecord_CER2_next_level_needs_the_certificate(t *testing.T) {
	next := Formation{ID: 20, Title: "Anglais – intermédiaire", PrerequisiteFormationID: 10}
	if r := CheckRecord(Record{}, next, "Anglais – élémentaire", "ANG-2"); len(r) != 1 || r[0].Rule != "CER-2" || r[0].Other != "Anglais – élémentaire" {
		t.Fatalf("without the certificate: %+v", r)
	}
	rec := Record{Certified: map[int64]bool{10: true}}
	if r := CheckRecord(rec, next, "Anglais – élémentaire", "ANG-2"); len(r) != 0 {
		t.Fatalf("with the certificate: %+v", r)
	}
	if r := CheckRecord(Record{Certified: map[int64]bool{20: true}}, next, "", "ANG-2"); len(r) != 1 {
		t.Fatalf("a certificate of another formation counts: %+v", r)
	}
	if r := CheckRecord(Record{}, Formation{ID: 10}, "", "ANG-1"); len(r) != 0 {
		t.Fatalf("a first level asks for nothing: %+v", r)
	}
}

func TestCheckRecord_SEL7_one_repeat_only(t *testing.T) {
	f := Formation{ID: 10, Title: "Anglais – élémentaire"}
	for failures, refused := range map[int]bool{0: false, 1: false, 2: true, 3: true} {
		r := CheckRecord(Record{Failures: map[int64]int{10: failures}}, f, "", "ANG-1")
		if got := len(r) == 1 && r[0].Rule == "SEL-7"; got != refused {
			t.Errorf("%d failed evaluations: refusals %+v, want refused=%v", failures, r, refused)
		}
	}
	if r := CheckRecord(Record{Failures: map[int64]int{11: 5}}, f, "", "ANG-1"); len(r) != 0 {
		t.Errorf("failures in another formation count: %+v", r)
	}
	if !ResultAbsentFromEvaluation.Failed() || !ResultFailed.Failed() || ResultPassed.Failed() {
		t.Error("absent from the evaluation (CER-1, presence mandatory) must count as failed, passed must not")
	}
}

func TestCertificateDue_CER2_two_months(t *testing.T) {
	last := time.Date(2027, time.June, 30, 0, 0, 0, 0, time.UTC)
	if got := CertificateDue(last); !got.Equal(time.Date(2027, time.August, 30, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("due %v", got)
	}
}
