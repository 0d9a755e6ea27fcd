package proof

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// buildPDF writes a PDF whose objects are objs (object i+1 is objs[i], object
// 1 the catalog), with a correct cross-reference table; extra is written
// between the header and the first object.
func buildPDF(extra string, objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	b.WriteString(extra)
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
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

// page is a one-page document's objects after the catalog.
func pageObjs(content string) []string {
	return []string{
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
}

func withCatalog(catalog string, more ...string) []byte {
	return buildPDF("", append([]string{catalog}, append(pageObjs("BT /F1 12 Tf 72 712 Td (Attestation) Tj ET"), more...)...)...)
}

const plainCatalog = "<< /Type /Catalog /Pages 2 0 R >>"

// fpdfDocument is a real document made by the PDF library the platform uses.
func fpdfDocument(t testing.TB) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.AddPage()
	doc.SetFont("Helvetica", "", 14)
	doc.Cell(40, 10, "Attestation de paiement RSA")
	var b bytes.Buffer
	if err := doc.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func photo(t testing.TB, w, h int, enc func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegPhoto(t testing.TB) []byte {
	return photo(t, 64, 48, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
}

func pngPhoto(t testing.TB) []byte {
	return photo(t, 64, 48, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
}

// elf is the start of a Linux executable.
var elf = append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), bytes.Repeat([]byte{0x90}, 4096)...)

// hugePNG is a PNG header announcing width × height with no pixel data.
func hugePNG(width, height uint32) []byte {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	_ = enc.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	data := b.Bytes()
	// IHDR's width and height follow the signature (8), length (4) and type (4).
	put := func(at int, v uint32) {
		data[at], data[at+1], data[at+2], data[at+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, width)
	put(20, height)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return data
}

// flateBomb returns a zlib stream (FlateDecode's coding) of n MB of zeros,
// built without compressing n MB: deflate blocks of one megabyte of zeros, with
// the window already full of zeros, are all the same bytes, so one is repeated.
func flateBomb(t testing.TB, megabytes int) []byte {
	t.Helper()
	mb := make([]byte, 1<<20)
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	block := func() []byte {
		start := out.Len()
		w.Write(mb)
		w.Flush()
		return append([]byte(nil), out.Bytes()[start:]...)
	}
	block()
	second, third := block(), block()
	if !bytes.Equal(second, third) {
		t.Fatal("deflate blocks of zeros differ: cannot build the bomb by repetition")
	}
	for i := 3; i < megabytes; i++ {
		out.Write(second)
	}
	w.Close() // the final empty block
	n := uint64(megabytes) << 20
	adler := uint32(n%65521)<<16 | 1 // Adler-32 of n zero bytes
	z := append([]byte{0x78, 0xDA}, out.Bytes()...)
	return append(z, byte(adler>>24), byte(adler>>16), byte(adler>>8), byte(adler))
}

func bombPDF(t testing.TB, megabytes int) []byte {
	z := flateBomb(t, megabytes)
	return buildPDF("", plainCatalog,
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(z), z))
}

// objStmPDF is a PDF 1.5 whose catalog opens object 5, kept compressed in an
// object stream and found through a cross-reference stream: a reader must
// resolve both to see it.
func objStmPDF(hidden string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	offsets := map[int]int{}
	obj := func(nr int, body string) {
		offsets[nr] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", nr, body)
	}
	stream := func(dict string, data []byte) string {
		return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>")
	obj(4, stream("", []byte("BT ET")))
	header := "5 0 "
	obj(6, stream(fmt.Sprintf("/Type /ObjStm /N 1 /First %d", len(header)), []byte(header+hidden)))
	offsets[7] = b.Len()
	var xref bytes.Buffer
	entry := func(kind byte, field2 uint32, field3 uint16) {
		xref.WriteByte(kind)
		binary.Write(&xref, binary.BigEndian, field2)
		binary.Write(&xref, binary.BigEndian, field3)
	}
	entry(0, 0, 65535)
	for nr := 1; nr <= 7; nr++ {
		if nr == 5 {
			entry(2, 6, 0) // in object stream 6, at index 0
			continue
		}
		entry(1, uint32(offsets[nr]), 0)
	}
	fmt.Fprintf(&b, "7 0 obj\n%s\nendobj\n", stream("/Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R", xref.Bytes()))
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", offsets[7])
	return b.Bytes()
}

// TestCheck_CAN9_proof_families checks every family of refusal of a CAN-9
// half-tariff proof, and that real documents pass.
func TestCheck_CAN9_proof_families(t *testing.T) {
	jpg, pngData := jpegPhoto(t), pngPhoto(t)
	cases := []struct {
		name string
		data []byte
		want error // nil: accepted
		ct   string
	}{
		{"fpdf document", fpdfDocument(t), nil, PDF},
		{"hand-written PDF", withCatalog(plainCatalog), nil, PDF},
		{"JPEG photo", jpg, nil, JPEG},
		{"PNG scan", pngData, nil, PNG},

		{"ELF executable", elf, ErrType, ""},
		{"HTML page", []byte("<!DOCTYPE html><html><body>RSA</body></html>"), ErrType, ""},
		{"ZIP archive", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), ErrType, ""},
		{"empty", nil, ErrType, ""},

		{"PDF header then garbage", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("garbage "), 100)...), ErrDamaged, PDF},
		{"PDF cut in half", fpdfDocument(t)[:len(fpdfDocument(t))/2], ErrDamaged, PDF},
		{"JPEG header then ELF", append(jpg[:20:20], elf...), ErrDamaged, JPEG},
		{"JPEG cut", jpg[:len(jpg)/2], ErrDamaged, JPEG},
		{"PNG cut", pngData[:len(pngData)-20], ErrDamaged, PNG},

		{"JPEG photo then ELF", append(append([]byte(nil), jpg...), elf...), ErrActive, JPEG},
		{"JPEG with a script in a comment", append(append([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x1B}, "<script>alert(1)</script>"...), jpg[2:]...), ErrActive, JPEG},
		{"PNG scan then ELF", append(append([]byte(nil), pngData...), elf...), ErrActive, PNG},
		{"PDF/HTML polyglot", buildPDF("%<html><body><script>fetch('/mes-candidatures')</script></body></html>\n",
			append([]string{plainCatalog}, pageObjs("BT ET")...)...), ErrActive, PDF},
		{"PDF with HTML after EOF", append(withCatalog(plainCatalog), "<HTML><SCRIPT>alert(1)</SCRIPT>"...), ErrActive, PDF},
		{"OpenAction JavaScript", withCatalog("<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
			"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"), ErrActive, PDF},
		{"JavaScript name tree", withCatalog("<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 5 0 R >> >>",
			"<< /Names [(a) << /S /JavaScript /JS (1) >>] >>"), ErrActive, PDF},
		{"escaped name /J#53", withCatalog("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (1) >> >>"), ErrActive, PDF},
		{"automatic action /AA", withCatalog("<< /Type /Catalog /Pages 2 0 R /AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >> >>"), ErrActive, PDF},
		{"launch action", withCatalog("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>"), ErrActive, PDF},
		{"embedded file", withCatalog("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>",
			"<< /Names [(x.exe) 6 0 R] >>", "<< /Type /Filespec /F (x.exe) /EF << /F 7 0 R >> >>",
			"<< /Type /EmbeddedFile /Length 4 >>\nstream\nMZ!!\nendstream"), ErrActive, PDF},
		{"object stream, harmless", objStmPDF("<< /S /GoTo /D [3 0 R /Fit] >>"), nil, PDF},
		{"JavaScript in an object stream", objStmPDF("<< /S /JavaScript /JS (app.alert\\(1\\)) >>"), ErrActive, PDF},
		{"file attachment annotation", withCatalog(plainCatalog, "<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] >>"), ErrActive, PDF},

		{"image of 50 megapixels", hugePNG(10_000, 5_000), ErrTooLarge, PNG},
		{"image of 4 billion pixels", hugePNG(65_535, 65_535), ErrTooLarge, PNG},
		{"file over 5 MB", append(fpdfDocument(t), make([]byte, MaxBytes)...), ErrTooLarge, ""},
		{"PDF stream inflating to 100 MB", bombPDF(t, 100), ErrTooLarge, PDF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, err := Check(context.Background(), c.data)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Check = %v, want %v", err, c.want)
			}
			if ct != c.ct {
				t.Errorf("content type %q, want %q", ct, c.ct)
			}
		})
	}
}

// TestCheck_CAN9_flate_bomb_bounded refuses a 4.8 MB PDF whose stream inflates
// to 4.9 GB, within a bounded time and memory: the inflation stops at the budget.
func TestCheck_CAN9_flate_bomb_bounded(t *testing.T) {
	data := bombPDF(t, 4900*1000/1024) // 4.9 GB of zeros
	if len(data) > MaxBytes {
		t.Fatalf("the bomb is %d bytes, over the upload limit", len(data))
	}
	t.Logf("bomb of %.2f MB", float64(len(data))/1e6)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Check(context.Background(), data)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Check = %v, want ErrTooLarge", err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("refused in %v, %d MB allocated", elapsed, allocated>>20)
	if elapsed > checkTimeout {
		t.Errorf("took %v", elapsed)
	}
	if !raceEnabled && allocated > 8*MaxDecodedBytes {
		t.Errorf("allocated %d MB", allocated>>20)
	}
}

// FuzzCheckProof feeds arbitrary files to Check: it must answer (a type or a
// refusal of a known family) without panicking or running away.
func FuzzCheckProof(f *testing.F) {
	f.Add(withCatalog(plainCatalog))
	f.Add(fpdfDocument(f))
	f.Add(jpegPhoto(f))
	f.Add(pngPhoto(f))
	f.Add(bombPDF(f, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A check that runs away crashes the worker, which keeps the input.
		watchdog := time.AfterFunc(2*checkTimeout, func() { panic(fmt.Sprintf("Check still running after %v", 2*checkTimeout)) })
		ct, err := Check(context.Background(), data)
		watchdog.Stop()
		if err == nil {
			if ct == "" {
				t.Fatal("accepted without a type")
			}
			return
		}
		for _, family := range []error{ErrType, ErrDamaged, ErrActive, ErrTooLarge} {
			if errors.Is(err, family) {
				return
			}
		}
		t.Fatalf("error of no family: %v", err)
	})
}
