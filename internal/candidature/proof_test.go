package candidature_test

import (
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"strings"
	"testing"

	"cma/internal/candidature"
	"cma/internal/db"
	"cma/internal/db/dbtest"
	"cma/internal/domain"
)

// onePagePDF is a small well-formed PDF: a catalog, one page, its content and a
// correct cross-reference table. before goes between the header and the
// objects, contentFilter and content make the page's stream.
func onePagePDF(before, contentFilter string, content []byte) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	b.WriteString(before)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d %s >>\nstream\n%s\nendstream", len(content), contentFilter, content),
	}
	var offsets []int
	for i, o := range objs {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func minimalPDF() []byte {
	return onePagePDF("", "", []byte("BT /F1 12 Tf 72 712 Td (Attestation CAF) Tj ET"))
}

// bombPDF is a PDF of under 5 MB whose page stream inflates to 4.9 GB of
// zeros. One deflate block of a megabyte of zeros, once the window is full of
// zeros, is always the same bytes: it is repeated instead of compressing 4.9 GB.
func bombPDF(t *testing.T) []byte {
	t.Helper()
	const megabytes = 4900 * 1000 / 1024
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	mb := make([]byte, 1<<20)
	block := func() []byte {
		start := out.Len()
		w.Write(mb)
		w.Flush()
		return append([]byte(nil), out.Bytes()[start:]...)
	}
	block()
	same := block()
	if !bytes.Equal(same, block()) {
		t.Fatal("deflate blocks of zeros differ")
	}
	for i := 3; i < megabytes; i++ {
		out.Write(same)
	}
	w.Close()
	n := uint64(megabytes) << 20
	adler := uint32(n%65521)<<16 | 1
	z := append(append([]byte{0x78, 0xDA}, out.Bytes()...), byte(adler>>24), byte(adler>>16), byte(adler>>8), byte(adler))
	return onePagePDF("", "/Filter /FlateDecode", z)
}

func smallJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 32, 32)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestValidationForm_CAN9_proof_checked_through: a half-tariff proof is read
// all the way through, not by its first bytes: a PDF/HTML polyglot, a JPEG
// header followed by an executable, a PDF with JavaScript and a 4.8 MB PDF
// inflating to 4.9 GB are refused on the proof field with the message of
// their family, and nothing is written; a real PDF and a photo pass.
func TestValidationForm_CAN9_proof_checked_through(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		me, actor := e.person(t, "proof", adult())
		if err := e.svc.Add(ctx, actor, me.ID, e.open[0].ID); err != nil {
			t.Fatal(err)
		}
		elf := append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0x90}, 2048)...)
		jpg := smallJPEG(t)
		bomb := bombPDF(t)
		if len(bomb) > candidature.MaxProofBytes {
			t.Fatalf("the bomb is %d bytes, over the limit", len(bomb))
		}
		for _, c := range []struct {
			name, want string
			data       []byte
		}{
			{"PDF/HTML polyglot", "basket.error.proof_active", onePagePDF("%<html><body><script>document.location='//x'</script></body></html>\n", "", []byte("BT ET"))},
			{"JPEG header then ELF", "basket.error.proof_damaged", append(jpg[:20:20], elf...)},
			{"JPEG photo then ELF", "basket.error.proof_active", append(append([]byte(nil), jpg...), elf...)},
			{"PDF opening JavaScript", "basket.error.proof_active", bytes.Replace(minimalPDF(), []byte("/Pages 2 0 R >>"),
				[]byte("/Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>"), 1)},
			{"PDF of 4.8 MB inflating to 4.9 GB", "basket.error.proof_too_large_open", bomb},
			{"ELF renamed .pdf", "basket.error.proof_type", elf},
		} {
			f := e.form(t, me.ID)
			f.HalfTariff, f.Proof = true, &candidature.Proof{Data: c.data, IssueDate: today.AddDate(0, -1, 0)}
			_, err := e.svc.Validate(ctx, actor, me.ID, f)
			ferrs, ok := err.(domain.FieldErrors)
			if !ok || len(ferrs) != 1 || ferrs[0].Field != "proof" || ferrs[0].Key != c.want {
				t.Errorf("%s: %v, want a refusal of the proof with key %q", c.name, err, c.want)
			}
		}
		if n := countProofs(t, d); n != 0 {
			t.Fatalf("%d proofs kept after refusals", n)
		}
		for name, data := range map[string][]byte{"PDF": minimalPDF(), "JPEG": jpg} {
			p, a := e.person(t, "ok-"+strings.ToLower(name), adult())
			if err := e.svc.Add(ctx, a, p.ID, e.open[0].ID); err != nil {
				t.Fatal(err)
			}
			f := e.form(t, p.ID)
			f.HalfTariff, f.Proof = true, &candidature.Proof{Data: data, IssueDate: today.AddDate(0, -1, 0)}
			if _, err := e.svc.Validate(ctx, a, p.ID, f); err != nil {
				t.Errorf("a %s proof: %v", name, err)
			}
		}
	})
}

func countProofs(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM proofs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestValidationForm_CAN9_proof_quota: an account keeps at most
// MaxProofsKept proofs and MaxProofBytesKept bytes of them; the validation
// past either is refused on the proof field and writes nothing.
func TestValidationForm_CAN9_proof_quota(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		keep := func(accountID int64, n, size int) {
			t.Helper()
			if err := e.store.InTx(ctx, func(tx *sqlTx) error {
				for i := 0; i < n; i++ {
					p := &domain.Proof{AccountID: accountID, ContentType: "application/pdf", Data: make([]byte, size),
						SHA256: "x", IssueDate: today.AddDate(0, -1, 0), UploadedAt: today.AddDate(0, 0, -i-1)}
					if err := e.store.InsertProof(ctx, tx, p); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		validate := func(who domain.Account, actor domain.Actor) error {
			t.Helper()
			if err := e.svc.Add(ctx, actor, who.ID, e.open[0].ID); err != nil {
				t.Fatal(err)
			}
			f := e.form(t, who.ID)
			f.HalfTariff, f.Proof = true, &candidature.Proof{Data: minimalPDF(), IssueDate: today.AddDate(0, -1, 0)}
			_, err := e.svc.Validate(ctx, actor, who.ID, f)
			return err
		}
		refusedOnQuota := func(err error) bool {
			ferrs, ok := err.(domain.FieldErrors)
			return ok && len(ferrs) == 1 && ferrs[0].Field == "proof" && ferrs[0].Key == "basket.error.proof_quota"
		}

		many, manyActor := e.person(t, "many", adult())
		keep(many.ID, candidature.MaxProofsKept, 1000)
		before := countProofs(t, d)
		if err := validate(many, manyActor); !refusedOnQuota(err) {
			t.Errorf("an eleventh proof: %v, want the quota's refusal", err)
		}
		heavy, heavyActor := e.person(t, "heavy", adult())
		keep(heavy.ID, 5, 5<<20) // 25 MB
		if err := validate(heavy, heavyActor); !refusedOnQuota(err) {
			t.Errorf("a proof past 25 MB: %v, want the quota's refusal", err)
		}
		if got := countProofs(t, d); got != before+5 {
			t.Errorf("%d proofs, want %d: a refused validation kept its proof", got, before+5)
		}
		under, underActor := e.person(t, "under", adult())
		keep(under.ID, candidature.MaxProofsKept-1, 1000)
		if err := validate(under, underActor); err != nil {
			t.Errorf("a tenth proof: %v", err)
		}
	})
}
