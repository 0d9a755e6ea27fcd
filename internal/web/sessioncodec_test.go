package web

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

func TestSessionCodec_round_trip(t *testing.T) {
	deadline := time.Date(2026, 11, 27, 21, 30, 15, 123456789, time.UTC)
	values := map[string]any{
		keyAccount: int64(42), keyEpoch: int64(-3), keyLastActive: int64(1795000000),
		keyReturn: "/panier?ajoute=ANG-1", keyAuthState: "", "compteur": 7, "vu": true, "pas vu": false,
		"accentué": "Éluard — « inscrite »",
	}
	b, err := sessionCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	gotDeadline, got, err := sessionCodec{}.Decode(b)
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
	b, err = sessionCodec{}.Encode(time.Time{}, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if d, v, err := (sessionCodec{}).Decode(b); err != nil || !d.IsZero() || len(v) != 0 {
		t.Errorf("empty session: %v %v %v", d, v, err)
	}
}

// Sessions written by gob before the codec existed stay signed in.
func TestSessionCodec_reads_gob_sessions(t *testing.T) {
	deadline := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	values := map[string]any{keyAccount: int64(9), keyReturn: "/mes-candidatures"}
	b, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	d, got, err := sessionCodec{}.Decode(b)
	if err != nil || !d.Equal(deadline) || !maps.Equal(got, values) {
		t.Errorf("gob session read as %v %#v %v", d, got, err)
	}
}

func TestSessionCodec_refuses_other_types_and_broken_data(t *testing.T) {
	if _, err := (sessionCodec{}).Encode(time.Now(), map[string]any{"quand": time.Now()}); err == nil ||
		!strings.Contains(err.Error(), `"quand"`) {
		t.Errorf("a time.Time value: err %v, want a refusal naming the key", err)
	}
	b, err := sessionCodec{}.Encode(time.Now(), map[string]any{keyAccount: int64(1234567), keyReturn: "/panier"})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(sessionMagic); i < len(b); i++ {
		if _, _, err := (sessionCodec{}).Decode(b[:i]); err == nil {
			t.Errorf("cut after %d of %d bytes: decoded", i, len(b))
		}
	}
	if _, _, err := (sessionCodec{}).Decode(append(b, 0)); err == nil {
		t.Error("a byte after the last value: decoded")
	}
	broken := append([]byte(sessionMagic), 0, 0, 1, 1, 'k', '?')
	if _, _, err := (sessionCodec{}).Decode(broken); err == nil {
		t.Error("a value of an unknown type: decoded")
	}
	huge := append([]byte(sessionMagic), 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f)
	if _, _, err := (sessionCodec{}).Decode(huge); err == nil {
		t.Error("four billion values announced in a few bytes: decoded")
	}
}

// BenchmarkSessionCodec_Decode reads a signed-in session, as every request
// of a signed-in person does, with gob as the baseline.
func BenchmarkSessionCodec_Decode(b *testing.B) {
	values := map[string]any{keyAccount: int64(123456), keyEpoch: int64(0), keyLastActive: time.Now().Unix()}
	deadline := time.Now().Add(12 * time.Hour)
	for _, c := range []struct {
		name  string
		codec scs.Codec
	}{{"gob", scs.GobCodec{}}, {"platform", sessionCodec{}}} {
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
