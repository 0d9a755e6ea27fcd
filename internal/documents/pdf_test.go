package documents

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// A minimal reader of the PDFs fpdf writes, enough to check what a brochure draws:
// objects are "N 0 obj", streams have a direct /Length and maybe /FlateDecode,
// text is drawn as "(…)Tj" with UTF-16BE strings for the UTF-8 (Go) fonts.

type pdfFile struct {
	raw     []byte
	objects map[int]pdfObject
	pages   []pdfPage // in document order
}

type pdfObject struct {
	dict   string // the bytes before "stream", or the whole object
	stream []byte // decompressed
}

type pdfPage struct {
	dict    string
	strings []string // every string drawn with Tj, in drawing order
}

// text is everything the page draws, one string a line.
func (p pdfPage) text() string { return strings.Join(p.strings, "\n") }

var (
	objRe      = regexp.MustCompile(`(?m)^(\d+) 0 obj\n`)
	lengthRe   = regexp.MustCompile(`/Length (\d+)`)
	contentsRe = regexp.MustCompile(`/Contents (\d+) 0 R`)
)

func parsePDF(t testing.TB, data []byte) *pdfFile {
	t.Helper()
	f := &pdfFile{raw: data, objects: map[int]pdfObject{}}
	locs := objRe.FindAllSubmatchIndex(data, -1)
	for _, loc := range locs {
		num, _ := strconv.Atoi(string(data[loc[2]:loc[3]]))
		body := data[loc[1]:]
		var obj pdfObject
		si := bytes.Index(body, []byte("stream\n"))
		ei := bytes.Index(body, []byte("endobj"))
		if ei < 0 {
			t.Fatalf("object %d has no endobj", num)
		}
		if si >= 0 && si < ei {
			obj.dict = string(body[:si])
			m := lengthRe.FindStringSubmatch(obj.dict)
			if m == nil {
				t.Fatalf("stream of object %d has no direct /Length", num)
			}
			n, _ := strconv.Atoi(m[1])
			start := si + len("stream\n")
			if start+n > len(body) {
				t.Fatalf("stream of object %d overruns the file", num)
			}
			obj.stream = body[start : start+n]
			if strings.Contains(obj.dict, "/FlateDecode") {
				zr, err := zlib.NewReader(bytes.NewReader(obj.stream))
				if err != nil {
					t.Fatalf("object %d: %v", num, err)
				}
				obj.stream, err = io.ReadAll(zr)
				if err != nil {
					t.Fatalf("object %d: inflating: %v", num, err)
				}
			}
		} else {
			obj.dict = string(body[:ei])
		}
		f.objects[num] = obj
	}
	for _, loc := range locs {
		num, _ := strconv.Atoi(string(data[loc[2]:loc[3]]))
		obj := f.objects[num]
		if !strings.HasPrefix(obj.dict, "<</Type /Page\n") {
			continue
		}
		m := contentsRe.FindStringSubmatch(obj.dict)
		if m == nil {
			t.Fatalf("page object %d has no /Contents", num)
		}
		cn, _ := strconv.Atoi(m[1])
		content, ok := f.objects[cn]
		if !ok {
			t.Fatalf("page object %d: contents %d missing", num, cn)
		}
		f.pages = append(f.pages, pdfPage{dict: obj.dict, strings: drawnStrings(t, content.stream)})
	}
	return f
}

// drawnStrings returns the strings of the "(…)Tj" operators of a content stream,
// decoded from UTF-16BE.
func drawnStrings(t testing.TB, content []byte) []string {
	t.Helper()
	var out []string
	for i := 0; i < len(content); i++ {
		if content[i] != '(' {
			continue
		}
		s, end := readLiteral(content, i)
		if end < 0 {
			t.Fatalf("unterminated string at offset %d", i)
		}
		i = end
		rest := bytes.TrimLeft(content[end+1:], " ")
		if !bytes.HasPrefix(rest, []byte("Tj")) {
			continue
		}
		out = append(out, decodeUTF16BE(s))
	}
	return out
}

// readLiteral reads the PDF literal string starting at data[start] == '(' and
// returns its bytes and the index of the closing parenthesis (-1 if none).
func readLiteral(data []byte, start int) ([]byte, int) {
	var b []byte
	depth := 0
	for i := start + 1; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\\':
			i++
			if i >= len(data) {
				return nil, -1
			}
			switch data[i] {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			default:
				b = append(b, data[i])
			}
		case '(':
			depth++
			b = append(b, c)
		case ')':
			if depth == 0 {
				return b, i
			}
			depth--
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return nil, -1
}

func decodeUTF16BE(b []byte) string {
	b = bytes.TrimPrefix(b, []byte{0xfe, 0xff})
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// info returns the decoded entry key (e.g. "/Title") of the document information
// dictionary, the one holding /Producer.
func (f *pdfFile) info(t testing.TB, key string) string {
	t.Helper()
	for _, o := range f.objects {
		if !strings.Contains(o.dict, "/Producer ") {
			continue
		}
		i := strings.Index(o.dict, key+" (")
		if i < 0 {
			return ""
		}
		s, end := readLiteral([]byte(o.dict), i+len(key)+1)
		if end < 0 {
			t.Fatalf("bad %s in the info dictionary", key)
		}
		if bytes.HasPrefix(s, []byte{0xfe, 0xff}) {
			return decodeUTF16BE(s)
		}
		return string(s)
	}
	t.Fatal("no document information dictionary")
	return ""
}

// allText is every drawn string of the document, one a line, pages in order.
func (f *pdfFile) allText() string {
	var b strings.Builder
	for _, p := range f.pages {
		b.WriteString(p.text())
		b.WriteByte('\n')
	}
	return b.String()
}

// count counts the drawn strings equal to s.
func (f *pdfFile) count(s string) int {
	n := 0
	for _, p := range f.pages {
		for _, d := range p.strings {
			if d == s {
				n++
			}
		}
	}
	return n
}

// pageOf returns the 0-based page index of the first drawn string equal to s, or -1.
func (f *pdfFile) pageOf(s string) int {
	for i, p := range f.pages {
		for _, d := range p.strings {
			if d == s {
				return i
			}
		}
	}
	return -1
}
