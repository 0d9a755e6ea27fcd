package allocation

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
)

// The digest lets anyone check that a re-run used the same input: SHA-256 over
// a canonical encoding — a version tag, the seed, then the formations sorted
// by ID, the courses sorted by ID and the candidatures sorted by (candidate,
// formation), every field in a fixed width, big-endian, strings prefixed by
// their length. The order the records were given in does not change it (the
// engine sorts them first); any change of a value does.
//
// Formations that the input did not list but its courses name are encoded
// with rate 0 and no name, exactly as the engine treats them.

const digestVersion = "cma-allocation-input-v1"

func digest(e *engine) string {
	h := sha256.New()
	w := bufio.NewWriterSize(h, 1<<16)
	var buf [64]byte
	put := func(b []byte) { _, _ = w.Write(b) }
	u64 := func(v uint64) { binary.BigEndian.PutUint64(buf[:8], v); put(buf[:8]) }
	str := func(s string) { u64(uint64(len(s))); _, _ = io.WriteString(w, s) }

	str(digestVersion)
	u64(e.seed)
	u64(uint64(len(e.formations)))
	for _, f := range e.formations {
		u64(uint64(f.ID))
		u64(uint64(f.MinSocialPercent))
		str(f.Name)
	}
	u64(uint64(len(e.courses)))
	for i := range e.courses {
		c := &e.courses[i]
		b := buf[:0]
		b = binary.BigEndian.AppendUint64(b, uint64(c.ID))
		b = binary.BigEndian.AppendUint64(b, uint64(c.Formation))
		b = binary.BigEndian.AppendUint16(b, uint16(c.Level))
		b = append(b, byte(c.Weekday))
		b = binary.BigEndian.AppendUint16(b, uint16(c.StartMinute))
		b = binary.BigEndian.AppendUint16(b, uint16(c.EndMinute))
		b = binary.BigEndian.AppendUint32(b, uint32(c.Capacity))
		put(b)
	}
	u64(uint64(len(e.cands)))
	for i := range e.cands {
		c := &e.cands[i]
		b := buf[:0]
		b = binary.BigEndian.AppendUint64(b, uint64(c.Candidate))
		b = binary.BigEndian.AppendUint64(b, uint64(c.Formation))
		b = binary.BigEndian.AppendUint64(b, uint64(c.Course))
		b = append(b, flags(c.AcceptsRedirect, c.MissingPrerequisites, c.Withdrawn, c.RepeatExhausted, c.NotPassed))
		b = binary.BigEndian.AppendUint16(b, uint16(c.Rank))
		b = binary.BigEndian.AppendUint16(b, uint16(c.PlacedLevel))
		b = binary.BigEndian.AppendUint16(b, uint16(c.Evaluation))
		b = append(b, byte(c.Social), byte(c.Record), byte(c.Motivation))
		put(b)
	}
	_ = w.Flush()
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func flags(bits ...bool) byte {
	var b byte
	for k, v := range bits {
		if v {
			b |= 1 << k
		}
	}
	return b
}
