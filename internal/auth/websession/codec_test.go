package websession

import (
	"bytes"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

func TestCodec_round_trip(t *testing.T) {
	deadline := time.Date(2026, 11, 27, 21, 30, 15, 123456789, time.UTC)
	values := map[string]any{
		KeyAccount: int64(42), KeyEpoch: int64(-3), KeyLastActive: int64(1795000000),
		"return_to": "/panier?ajoute=ANG-1", "oidc_state": "", "compteur": 7, "vu": true, "pas vu": false,
		"accentué": "Éluard — « inscrite »",
	}
	b, err := codec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	gotDeadline, got, err := codec{}.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !gotDeadline.Equal(deadline) {
		t.Errorf("deadline %v, want %v", gotDeadline, deadline)
	}
	if !maps.Equal(got, values) {
		t.Errorf("values %#v, want %#v", got, values)
	}

	// An empty session, with no deadline yet.
	b, err = codec{}.Encode(time.Time{}, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if d, v, err := (codec{}).Decode(b); err != nil || !d.IsZero() || len(v) != 0 {
		t.Errorf("empty session: %v %v %v", d, v, err)
	}
}

// Sessions written by gob before the codec existed stay signed in.
func TestCodec_reads_gob_sessions(t *testing.T) {
	deadline := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	values := map[string]any{KeyAccount: int64(9), "return_to": "/mes-candidatures"}
	b, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	d, got, err := codec{}.Decode(b)
	if err != nil || !d.Equal(deadline) || !maps.Equal(got, values) {
		t.Errorf("gob session read as %v %#v %v", d, got, err)
	}
}

func TestCodec_refuses_other_types_and_broken_data(t *testing.T) {
	if _, err := (codec{}).Encode(time.Now(), map[string]any{"quand": time.Now()}); err == nil ||
		!strings.Contains(err.Error(), `"quand"`) {
		t.Errorf("a time.Time value: err %v, want a refusal naming the key", err)
	}
	b, err := codec{}.Encode(time.Now(), map[string]any{KeyAccount: int64(1234567), "return_to": "/panier"})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(sessionMagic); i < len(b); i++ {
		if _, _, err := (codec{}).Decode(b[:i]); err == nil {
			t.Errorf("cut after %d of %d bytes: decoded", i, len(b))
		}
	}
	if _, _, err := (codec{}).Decode(append(b, 0)); err == nil {
		t.Error("a byte after the last value: decoded")
	}
	broken := append([]byte(sessionMagic), 0, 0, 1, 1, 'k', '?')
	if _, _, err := (codec{}).Decode(broken); err == nil {
		t.Error("a value of an unknown type: decoded")
	}
	huge := append([]byte(sessionMagic), 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f)
	if _, _, err := (codec{}).Decode(huge); err == nil {
		t.Error("four billion values announced in a few bytes: decoded")
	}
}

// BenchmarkCodec_Decode reads a signed-in session, as every request
// of a signed-in person does, with gob as the baseline.
func BenchmarkCodec_Decode(b *testing.B) {
	values := map[string]any{KeyAccount: int64(123456), KeyEpoch: int64(0), KeyLastActive: time.Now().Unix()}
	deadline := time.Now().Add(12 * time.Hour)
	for _, c := range []struct {
		name  string
		codec scs.Codec
	}{{"gob", scs.GobCodec{}}, {"platform", codec{}}} {
		data, err := c.codec.Encode(deadline, values)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.codec.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzCodec_Decode: any bytes from the session table decode to an error or
// to values that encode and decode again to the same.
func FuzzCodec_Decode(f *testing.F) {
	for _, values := range []map[string]any{
		{},
		{KeyAccount: int64(42), KeyEpoch: int64(1), KeyLastActive: int64(1795000000), KeySignedInAt: int64(1794990000)},
		{"return_to": "/panier", "kept_form": "telephone=06+12&ville=Paris", "vu": true, "n": 3},
	} {
		b, err := codec{}.Encode(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), values)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	gob, _ := scs.GobCodec{}.Encode(time.Now(), map[string]any{KeyAccount: int64(9)})
	f.Add(gob)
	f.Fuzz(func(t *testing.T, data []byte) {
		deadline, values, err := codec{}.Decode(data)
		if err != nil || !bytes.HasPrefix(data, []byte(sessionMagic)) {
			return // an error, or gob's business
		}
		again, err := codec{}.Encode(deadline, values)
		if err != nil {
			t.Fatalf("decoded values do not encode: %v", err)
		}
		d2, v2, err := codec{}.Decode(again)
		if err != nil || !d2.Equal(deadline) || !maps.Equal(v2, values) {
			t.Fatalf("round trip: %v %v %v, want %v %v", d2, v2, err, deadline, values)
		}
	})
}
