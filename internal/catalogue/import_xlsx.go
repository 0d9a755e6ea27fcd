package catalogue

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"path"
	"strings"
)

// fastSheets reads the workbook's sheets as rows of raw cell values without
// excelize, whose XML decoding costs more than twice a plain INSERT of the
// rows: a 20,000-course sheet is scanned for its <c> elements by hand. It
// reads the values Excel, LibreOffice and excelize's StreamWriter write —
// numbers, shared strings, inline strings (rich text joined) — and gives up
// (errUnsupported) on anything else, such as a formula, for excelize to read.
func fastSheets(data []byte) (map[string][][]string, []string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, err
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f, ok := files[name]
		if !ok {
			return nil, errUnsupported
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, 8*MaxImportBytes))
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	for name, v := range map[string]any{"xl/workbook.xml": &wb, "xl/_rels/workbook.xml.rels": &rels} {
		b, err := read(name)
		if err != nil {
			return nil, nil, err
		}
		if err := xml.Unmarshal(b, v); err != nil {
			return nil, nil, err
		}
	}
	var shared []string
	if _, ok := files["xl/sharedStrings.xml"]; ok {
		b, err := read("xl/sharedStrings.xml")
		if err != nil {
			return nil, nil, err
		}
		if shared, err = sharedStrings(b); err != nil {
			return nil, nil, err
		}
	}
	target := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = t
	}
	out := map[string][][]string{}
	var order []string
	for _, s := range wb.Sheets {
		switch fold(s.Name) {
		case fold(SheetCourses), fold(SheetEstablishments), fold(SheetRooms), fold(SheetFormations):
		default:
			continue
		}
		b, err := read(target[s.RID])
		if err != nil {
			return nil, nil, err
		}
		rows, err := scanSheet(b, shared)
		if err != nil {
			return nil, nil, err
		}
		out[s.Name] = rows
		order = append(order, s.Name)
	}
	return out, order, nil
}

var errUnsupported = errors.New("xlsx: not read by the fast reader")

// sharedStrings reads the shared string table: each <si> is its <t> texts
// joined (rich text runs included, phonetic runs left out).
func sharedStrings(b []byte) ([]string, error) {
	var out []string
	for {
		i := bytes.Index(b, []byte("<si"))
		if i < 0 {
			return out, nil
		}
		b = b[i+3:]
		if len(b) > 0 && b[0] != '>' && b[0] != ' ' && b[0] != '/' {
			continue
		}
		end := bytes.Index(b, []byte("</si>"))
		selfClosed := bytes.HasPrefix(b, []byte("/>"))
		if selfClosed {
			out = append(out, "")
			continue
		}
		if end < 0 {
			return nil, errUnsupported
		}
		out = append(out, texts(b[:end]))
		b = b[end:]
	}
}

// texts joins the <t> elements' texts of an <si> or <is>, leaving out <rPh>.
func texts(b []byte) string {
	if bytes.Contains(b, []byte("<rPh")) {
		var x struct {
			T string `xml:"t"`
			R []struct {
				T string `xml:"t"`
			} `xml:"r"`
		}
		if xml.Unmarshal(append(append([]byte("<si>"), b...), "</si>"...), &x) == nil {
			s := x.T
			for _, r := range x.R {
				s += r.T
			}
			return s
		}
	}
	var sb strings.Builder
	for {
		i := bytes.Index(b, []byte("<t"))
		if i < 0 {
			return sb.String()
		}
		b = b[i+2:]
		if len(b) == 0 || (b[0] != '>' && b[0] != ' ' && b[0] != '/') {
			continue
		}
		gt := bytes.IndexByte(b, '>')
		if gt < 0 {
			return sb.String()
		}
		if gt > 0 && b[gt-1] == '/' { // <t/>
			b = b[gt+1:]
			continue
		}
		b = b[gt+1:]
		end := bytes.Index(b, []byte("</t>"))
		if end < 0 {
			return sb.String()
		}
		sb.WriteString(unescape(b[:end]))
		b = b[end+4:]
	}
}

func unescape(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	return html.UnescapeString(string(b))
}

// scanSheet reads a worksheet's rows of cell values, by the cells' references.
func scanSheet(b []byte, shared []string) ([][]string, error) {
	if bytes.Contains(b, []byte("<f>")) || bytes.Contains(b, []byte("<f ")) || bytes.Contains(b, []byte("<f/>")) {
		return nil, errUnsupported
	}
	i := bytes.Index(b, []byte("<sheetData"))
	if i < 0 {
		return nil, errUnsupported
	}
	b = b[i:]
	var rows [][]string
	var row []string
	rowNum := 0
	for {
		lt := bytes.IndexByte(b, '<')
		if lt < 0 {
			break
		}
		b = b[lt:]
		switch {
		case bytes.HasPrefix(b, []byte("<row")) && (b[4] == ' ' || b[4] == '>'):
			gt := bytes.IndexByte(b, '>')
			if gt < 0 {
				return nil, errUnsupported
			}
			head := b[:gt]
			n := rowNum + 1
			if r := attr(head, "r"); r != "" {
				n = atoiOr(r, n)
			}
			if n <= rowNum || n > 1<<20 {
				return nil, errUnsupported
			}
			for rowNum < n-1 {
				rows = append(rows, nil)
				rowNum++
			}
			rowNum = n
			row = nil
			if head[len(head)-1] == '/' {
				rows = append(rows, nil)
			}
			b = b[gt+1:]
		case bytes.HasPrefix(b, []byte("</row>")):
			rows = append(rows, row)
			b = b[6:]
		case bytes.HasPrefix(b, []byte("<c")) && (b[2] == ' ' || b[2] == '>' || b[2] == '/'):
			gt := bytes.IndexByte(b, '>')
			if gt < 0 {
				return nil, errUnsupported
			}
			head := b[:gt]
			col := len(row)
			if r := attr(head, "r"); r != "" {
				c, ok := columnOf(r)
				if !ok || c < len(row) {
					return nil, errUnsupported
				}
				col = c
			}
			value := ""
			if head[len(head)-1] == '/' {
				b = b[gt+1:]
			} else {
				end := bytes.Index(b, []byte("</c>"))
				if end < 0 {
					return nil, errUnsupported
				}
				body := b[gt+1 : end]
				b = b[end+4:]
				switch t := attr(head, "t"); t {
				case "s":
					k := atoiOr(string(inner(body, "v")), -1)
					if k < 0 || k >= len(shared) {
						return nil, errUnsupported
					}
					value = shared[k]
				case "inlineStr":
					value = texts(body)
				case "", "n", "str", "b", "e":
					value = unescape(inner(body, "v"))
				default:
					return nil, errUnsupported
				}
			}
			for len(row) < col {
				row = append(row, "")
			}
			row = append(row, value)
		case bytes.HasPrefix(b, []byte("</sheetData>")):
			return trimRows(rows), nil
		default:
			b = b[1:]
		}
	}
	return trimRows(rows), nil
}

// trimRows drops trailing empty cells, as excelize's GetRows does.
func trimRows(rows [][]string) [][]string {
	for i, r := range rows {
		n := len(r)
		for n > 0 && r[n-1] == "" {
			n--
		}
		rows[i] = r[:n]
	}
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows
}

// inner is the text of the first <name> element of b.
func inner(b []byte, name string) []byte {
	open := []byte("<" + name + ">")
	i := bytes.Index(b, open)
	if i < 0 {
		return nil
	}
	b = b[i+len(open):]
	j := bytes.Index(b, []byte("</"+name+">"))
	if j < 0 {
		return nil
	}
	return b[:j]
}

// attr is an attribute's value in an element's head (`<c r="B2" t="s"`).
func attr(head []byte, name string) string {
	for _, q := range []string{`"`, `'`} {
		key := []byte(" " + name + "=" + q)
		if i := bytes.Index(head, key); i >= 0 {
			rest := head[i+len(key):]
			if j := bytes.IndexByte(rest, q[0]); j >= 0 {
				return string(rest[:j])
			}
		}
	}
	return ""
}

// columnOf is the zero-based column of a cell reference ("B2" → 1).
func columnOf(ref string) (int, bool) {
	col := 0
	n := 0
	for n < len(ref) && ref[n] >= 'A' && ref[n] <= 'Z' {
		col = col*26 + int(ref[n]-'A'+1)
		n++
		if col > 16384 {
			return 0, false
		}
	}
	return col - 1, n > 0
}

func atoiOr(s string, or int) int {
	n := 0
	if s == "" || len(s) > 9 {
		return or
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return or
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}
