package websession

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// codec writes a session's values in a small binary form. scs's default,
// gob, describes its types again in every session it writes or reads: at a
// registration opening, decoding them was a tenth of the platform's own CPU.
// The platform keeps only strings, integers and booleans in sessions; any
// other type is refused when the session is saved, so that nobody is surprised
// by a value coming back as something else.
//
// Layout: the magic prefix, the deadline (Unix seconds and nanoseconds, as
// varints), the number of values, then each value as its key, a type byte and
// its content; strings and keys are a length (uvarint) and the bytes. Sessions
// written by gob before this codec existed are still read (the prefix starts
// with a zero byte, which no gob stream does).
type codec struct{}

const sessionMagic = "\x00cma1"

// The type bytes of the values.
const (
	sessionString = 's'
	sessionInt64  = 'i'
	sessionInt    = 'n'
	sessionBool   = 'b'
)

var _ scs.Codec = codec{}

// Encode writes the deadline and values.
func (codec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	b := make([]byte, 0, 64+32*len(values))
	b = append(b, sessionMagic...)
	b = binary.AppendVarint(b, deadline.Unix())
	b = binary.AppendVarint(b, int64(deadline.Nanosecond()))
	b = binary.AppendUvarint(b, uint64(len(values)))
	for k, v := range values {
		b = appendSessionString(b, k)
		switch v := v.(type) {
		case string:
			b = appendSessionString(append(b, sessionString), v)
		case int64:
			b = binary.AppendVarint(append(b, sessionInt64), v)
		case int:
			b = binary.AppendVarint(append(b, sessionInt), int64(v))
		case bool:
			c := byte(0)
			if v {
				c = 1
			}
			b = append(b, sessionBool, c)
		default:
			return nil, fmt.Errorf("session value %q: type %T cannot be kept in a session (string, int, int64 or bool)", k, v)
		}
	}
	return b, nil
}

// Decode reads what Encode wrote, or a session written with gob.
func (codec) Decode(data []byte) (time.Time, map[string]any, error) {
	if !bytes.HasPrefix(data, []byte(sessionMagic)) {
		return scs.GobCodec{}.Decode(data)
	}
	r := sessionReader{rest: data[len(sessionMagic):]}
	sec, nsec := r.varint(), r.varint()
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.rest)) { // each value takes at least a byte
		r.err = errors.New("more values than bytes")
	}
	values := make(map[string]any, min(n, 64))
	for i := uint64(0); i < n && r.err == nil; i++ {
		k := r.string()
		switch r.byte() {
		case sessionString:
			values[k] = r.string()
		case sessionInt64:
			values[k] = r.varint()
		case sessionInt:
			values[k] = int(r.varint())
		case sessionBool:
			values[k] = r.byte() == 1
		default:
			if r.err == nil {
				r.err = fmt.Errorf("value %q of an unknown type", k)
			}
		}
	}
	if r.err == nil && len(r.rest) > 0 {
		r.err = fmt.Errorf("%d bytes after the last value", len(r.rest))
	}
	if r.err != nil {
		return time.Time{}, nil, fmt.Errorf("decode session: %w", r.err)
	}
	return time.Unix(sec, nsec), values, nil
}

func appendSessionString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// sessionReader reads a session's bytes; the first error stops every read.
type sessionReader struct {
	rest []byte
	err  error
}

var errSessionTruncated = errors.New("truncated")

func (r *sessionReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.rest)
	if n <= 0 {
		r.err = errSessionTruncated
		return 0
	}
	r.rest = r.rest[n:]
	return v
}

func (r *sessionReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.rest)
	if n <= 0 {
		r.err = errSessionTruncated
		return 0
	}
	r.rest = r.rest[n:]
	return v
}

func (r *sessionReader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.rest) == 0 {
		r.err = errSessionTruncated
		return 0
	}
	c := r.rest[0]
	r.rest = r.rest[1:]
	return c
}

func (r *sessionReader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.rest)) {
		r.err = errSessionTruncated
		return ""
	}
	s := string(r.rest[:n])
	r.rest = r.rest[n:]
	return s
}
