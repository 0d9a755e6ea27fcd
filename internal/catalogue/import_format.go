package catalogue

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"cma/internal/domain"
)

// The spreadsheet format of a session's catalogue (docs/catalogue-import.md):
// an XLSX workbook whose sheet "Cours" holds one course per row, optionally
// with the sheets "Établissements", "Salles" and "Formations"; or a CSV file
// that is the "Cours" sheet alone (';', UTF-8 with BOM, Windows-1252 from
// Excel converted). Headers are French, matched without case nor accents.

// MaxImportBytes is the largest file an import reads: 50 MB.
const MaxImportBytes = 50 << 20

// The sheet names of the workbook.
const (
	SheetCourses        = "Cours"
	SheetEstablishments = "Établissements"
	SheetRooms          = "Salles"
	SheetFormations     = "Formations"
)

// column is one column of a sheet: its header as exported, whether the sheet
// needs it, and other headers a city's spreadsheet may use for it.
type column struct {
	header   string
	required bool
	aliases  []string
}

// The columns of the sheets, in the export's order.
var (
	courseColumns = []column{
		{header: "code", required: true},
		{header: "code formation", required: true, aliases: []string{"formation"}},
		{header: "niveau"},
		{header: "code établissement", required: true, aliases: []string{"établissement"}},
		{header: "salle", required: true},
		{header: "jour", required: true},
		{header: "début", required: true, aliases: []string{"heure de début"}},
		{header: "fin", required: true, aliases: []string{"heure de fin"}},
		{header: "capacité", required: true},
		{header: "tarif (€)", aliases: []string{"tarif", "tarif en euros"}},
		{header: "formateur (courriel)", aliases: []string{"formateur", "courriel du formateur"}},
		{header: "formateur (nom)", aliases: []string{"nom du formateur"}},
		{header: "distanciel"},
		{header: "motif du distanciel"},
	}
	establishmentColumns = []column{
		{header: "code", required: true},
		{header: "nom", required: true},
		{header: "adresse", required: true},
		{header: "code postal", required: true},
		{header: "ville", required: true},
		{header: "arrondissement", required: true},
	}
	roomColumns = []column{
		{header: "code établissement", required: true, aliases: []string{"établissement"}},
		{header: "salle", required: true, aliases: []string{"nom"}},
		{header: "postes", required: true, aliases: []string{"postes de travail"}},
	}
	formationColumns = []column{
		{header: "code", required: true},
		{header: "intitulé", required: true},
		{header: "domaine", required: true},
		{header: "niveau", required: true},
		{header: "type", required: true},
		{header: "évaluation", required: true},
		{header: "diplôme", required: true},
		{header: "nom du diplôme"},
		{header: "tarif par défaut (€)", required: true, aliases: []string{"tarif par défaut"}},
		{header: "formation prérequise"},
		{header: "prérequis"},
		{header: "description"},
		{header: "note d'examen"},
	}
)

// sheet is one sheet as read: its rows of cells, each row with its number in
// the file (1 is the header), and where each known column is.
type sheet struct {
	name   string
	rows   []sheetRow
	colsAt map[string]int // column header → index in the row
}

type sheetRow struct {
	n     int
	cells []string
}

// cell is a row's value in the column named by its export header, trimmed;
// "" when the column is absent or the row is short.
func (s *sheet) cell(r sheetRow, header string) string {
	i, ok := s.colsAt[header]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

func (s *sheet) has(header string) bool { _, ok := s.colsAt[header]; return ok }

// workbook is a parsed import file.
type workbook struct {
	courses, establishments, rooms, formations *sheet
}

// ErrUnreadable is a file that is neither an XLSX workbook nor a CSV file in
// UTF-8 or Windows-1252; ErrTooLarge one over MaxImportBytes.
var (
	ErrUnreadable = errors.New("catalogue import: unreadable file")
	ErrTooLarge   = errors.New("catalogue import: file over 50 MB")
)

// readImportFile reads at most MaxImportBytes of r (ErrTooLarge past it).
func readImportFile(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("catalogue import: read file: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, ErrTooLarge
	}
	return data, nil
}

// parseWorkbook reads an XLSX workbook (by its ZIP signature, whatever the
// name) or a CSV file. Header problems (a missing column, no "Cours" sheet)
// are returned as problems; a file that cannot be read at all as
// ErrUnreadable with a message key in the problems.
func parseWorkbook(data []byte) (*workbook, []Problem, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return parseXLSX(data)
	}
	text, key := decodeCSV(data)
	if key != "" {
		return nil, []Problem{{Sheet: SheetCourses, Key: key}}, ErrUnreadable
	}
	rows, err := readCSV(text)
	if err != nil {
		return nil, []Problem{{Sheet: SheetCourses, Key: "import.error.csv", Args: map[string]any{"Error": err.Error()}}}, ErrUnreadable
	}
	wb := &workbook{}
	var problems []Problem
	wb.courses, problems = newSheet(SheetCourses, rows, courseColumns, true)
	return wb, problems, nil
}

// decodeCSV turns the file into UTF-8 text without its BOM: UTF-8 as is,
// invalid UTF-8 read as Windows-1252 (Excel's "CSV" on a French Windows).
// UTF-16 and binary files are refused with a message key.
func decodeCSV(data []byte) (string, string) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "", "import.error.utf16"
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var text string
	if utf8.Valid(data) {
		text = string(data)
	} else {
		decoded, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", "import.error.encoding"
		}
		text = string(decoded)
	}
	for _, r := range text {
		if r == 0 || r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') {
			return "", "import.error.encoding"
		}
	}
	return text, ""
}

// readCSV reads ';'-separated records, or ','-separated ones when the header
// line has no ';' but a comma.
func readCSV(text string) ([][]string, error) {
	first, _, _ := strings.Cut(text, "\n")
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = ';'
	if !strings.Contains(first, ";") && strings.Contains(first, ",") {
		cr.Comma = ','
	}
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return cr.ReadAll()
}

// parseXLSX reads the workbook's sheets; formula cells give their values
// (the cached value Excel saved, or computed when there is none).
func parseXLSX(data []byte) (*workbook, []Problem, error) {
	if sheets, order, err := fastSheets(data); err == nil {
		return sheetsWorkbook(sheets, order)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, []Problem{{Sheet: SheetCourses, Key: "import.error.xlsx"}}, ErrUnreadable
	}
	defer f.Close()
	wb := &workbook{}
	var problems []Problem
	found := false
	formulas := hasFormulas(data)
	for _, name := range f.GetSheetList() {
		var target **sheet
		var cols []column
		var canonical string
		switch fold(name) {
		case fold(SheetCourses):
			target, cols, canonical, found = &wb.courses, courseColumns, SheetCourses, true
		case fold(SheetEstablishments):
			target, cols, canonical = &wb.establishments, establishmentColumns, SheetEstablishments
		case fold(SheetRooms):
			target, cols, canonical = &wb.rooms, roomColumns, SheetRooms
		case fold(SheetFormations):
			target, cols, canonical = &wb.formations, formationColumns, SheetFormations
		default:
			continue
		}
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, []Problem{{Sheet: name, Key: "import.error.xlsx"}}, ErrUnreadable
		}
		for ri, row := range rows {
			for ci, v := range row {
				if v != "" || !formulas {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				if formula, _ := f.GetCellFormula(name, ref); formula != "" {
					if value, err := f.CalcCellValue(name, ref, excelize.Options{RawCellValue: true}); err == nil {
						row[ci] = value
					}
				}
			}
		}
		var ps []Problem
		*target, ps = newSheet(canonical, rows, cols, target == &wb.courses)
		problems = append(problems, ps...)
	}
	if !found {
		problems = append(problems, Problem{Sheet: SheetCourses, Key: "import.error.no_courses_sheet"})
	}
	return wb, problems, nil
}

// sheetsWorkbook makes the workbook of the sheets the fast reader read.
func sheetsWorkbook(sheets map[string][][]string, order []string) (*workbook, []Problem, error) {
	wb := &workbook{}
	var problems []Problem
	found := false
	for _, name := range order {
		var ps []Problem
		switch fold(name) {
		case fold(SheetCourses):
			found = true
			wb.courses, ps = newSheet(SheetCourses, sheets[name], courseColumns, true)
		case fold(SheetEstablishments):
			wb.establishments, ps = newSheet(SheetEstablishments, sheets[name], establishmentColumns, false)
		case fold(SheetRooms):
			wb.rooms, ps = newSheet(SheetRooms, sheets[name], roomColumns, false)
		case fold(SheetFormations):
			wb.formations, ps = newSheet(SheetFormations, sheets[name], formationColumns, false)
		}
		problems = append(problems, ps...)
	}
	if !found {
		problems = append(problems, Problem{Sheet: SheetCourses, Key: "import.error.no_courses_sheet"})
	}
	return wb, problems, nil
}

// newSheet finds the columns in the header row and keeps the non-empty rows.
func newSheet(name string, rows [][]string, cols []column, needed bool) (*sheet, []Problem) {
	s := &sheet{name: name, colsAt: map[string]int{}}
	var problems []Problem
	if len(rows) == 0 {
		if needed {
			problems = append(problems, Problem{Sheet: name, Row: 1, Key: "import.error.empty"})
		}
		return s, problems
	}
	byFold := map[string]string{}
	for _, c := range cols {
		byFold[fold(c.header)] = c.header
		for _, a := range c.aliases {
			byFold[fold(a)] = c.header
		}
	}
	for i, h := range rows[0] {
		if header, ok := byFold[fold(h)]; ok {
			if _, dup := s.colsAt[header]; !dup {
				s.colsAt[header] = i
			}
		}
	}
	for _, c := range cols {
		if c.required && !s.has(c.header) {
			problems = append(problems, Problem{Sheet: name, Row: 1, Column: c.header, Key: "import.error.missing_column"})
		}
	}
	for i, r := range rows[1:] {
		empty := true
		for _, v := range r {
			if strings.TrimSpace(v) != "" {
				empty = false
				break
			}
		}
		if !empty {
			s.rows = append(s.rows, sheetRow{n: i + 2, cells: r})
		}
	}
	return s, problems
}

// fold lowercases, drops accents and keeps letters and digits only:
// "Code Établissement" and "code etablissement" are the same header.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if r < unicode.MaxASCII || !unicode.Is(unicode.Mn, r) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// unneutralise drops the apostrophe an export puts before a text that a
// spreadsheet would take for a formula ("'=A1" is the text "=A1").
func unneutralise(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		return s[1:]
	}
	return s
}

// The French words of the format, by the value they stand for.
var (
	levelWords = map[domain.Level]string{domain.LevelAll: "tous niveaux", domain.LevelBeginner: "débutant",
		domain.LevelElementary: "élémentaire", domain.LevelIntermediate: "intermédiaire", domain.LevelAdvanced: "avancé"}
	weekdayWords = map[time.Weekday]string{time.Monday: "lundi", time.Tuesday: "mardi", time.Wednesday: "mercredi",
		time.Thursday: "jeudi", time.Friday: "vendredi", time.Saturday: "samedi", time.Sunday: "dimanche"}
	subjectWords = map[domain.Subject]string{domain.SubjectLanguages: "langues", domain.SubjectFLE: "français langue étrangère",
		domain.SubjectComputing: "informatique", domain.SubjectOffice: "bureautique", domain.SubjectArts: "arts",
		domain.SubjectSciences: "sciences", domain.SubjectDiploma: "diplômes"}
	kindWords = map[domain.FormationKind]string{domain.KindGeneral: "général", domain.KindComputer: "informatique",
		domain.KindTechnical: "technique"}
	evaluationWords = map[domain.EvaluationMode]string{domain.EvaluationNone: "aucune",
		domain.EvaluationFirstDayTest: "test le premier jour", domain.EvaluationAnticipatedTest: "test anticipé",
		domain.EvaluationInterview: "entretien"}
)

// wordOf reads a French word (or the value itself, "fle" for the FLE subject)
// back into its value.
func wordOf[T comparable](words map[T]string, s string, extra map[string]T) (T, bool) {
	v, ok := reverseWords(words, extra)[fold(s)]
	return v, ok
}

// reversed caches each word list by folded word.
var reversed sync.Map // map[uintptr]any

func reverseWords[T comparable](words map[T]string, extra map[string]T) map[string]T {
	key := reflect.ValueOf(words).Pointer()
	if m, ok := reversed.Load(key); ok {
		return m.(map[string]T)
	}
	m := map[string]T{}
	for v, w := range words {
		m[fold(w)] = v
		m[fold(fmt.Sprint(v))] = v
	}
	for w, v := range extra {
		m[w] = v
	}
	reversed.Store(key, m)
	return m
}

var extraSubjects = map[string]domain.Subject{"fle": domain.SubjectFLE, "diplome": domain.SubjectDiploma, "langue": domain.SubjectLanguages}
var extraKinds = map[string]domain.FormationKind{"general": domain.KindGeneral, "technique": domain.KindTechnical}

// readYesNo reads "oui"/"non" (and 1/0, vrai/faux, yes/no); "" is no.
func readYesNo(s string) (bool, bool) {
	switch fold(s) {
	case "oui", "o", "1", "vrai", "yes", "true", "x":
		return true, true
	case "non", "n", "0", "faux", "no", "false", "":
		return false, true
	}
	return false, false
}

func yesNoWord(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// parseClock reads "18:30", "18h30", "18h", "18.30" or an Excel time (a
// fraction of a day, 0.770833…) as minutes after midnight.
func parseClock(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1 && strings.Contains(s, ".") {
		return int(math.Round(f * 24 * 60)), true // an Excel time: a fraction of a day
	}
	for _, sep := range []string{":", "h", "."} {
		hs, ms, ok := strings.Cut(s, sep)
		if !ok {
			continue
		}
		h, err1 := strconv.Atoi(hs)
		m := 0
		var err2 error
		if ms != "" {
			ms, _, _ = strings.Cut(ms, ":") // 18:30:00
			m, err2 = strconv.Atoi(ms)
		}
		if err1 != nil || err2 != nil || h < 0 || h > 24 || m < 0 || m > 59 || h == 24 && m > 0 {
			return 0, false
		}
		return h*60 + m, true
	}
	if h, err := strconv.Atoi(s); err == nil && h >= 0 && h <= 24 {
		return h * 60, true
	}
	return 0, false
}

// parseEuros reads "350", "350,50", "350.5", "1 250,00 €" as cents.
// euroNoise is what a spreadsheet writes around an amount: the currency and
// spaces (built once: a replacer costs more to build than to run).
var euroNoise = strings.NewReplacer("€", "", " ", "", "\u00a0", "", "\u202f", "", "EUR", "", "eur", "")

func parseEuros(s string) (int64, bool) {
	s = euroNoise.Replace(s)
	s = strings.ReplaceAll(s, ",", ".")
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e7 || math.IsNaN(f) {
		return 0, false
	}
	return int64(math.Round(f * 100)), true
}

// parseInt reads a whole number, "25" or "25.0" from a numeric cell.
func parseInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e9 {
		return int(f), true
	}
	return 0, false
}

// euros writes cents as the format's "350,50" (CSV) — the XLSX writes numbers.
func euros(cents int64) string { return fmt.Sprintf("%d,%02d", cents/100, cents%100) }

// hasFormulas reports whether any worksheet of the workbook holds a formula
// (an <f> element): reading formulas loads a whole sheet in memory, which a
// file without any need not pay for.
func hasFormulas(data []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return true
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") || !strings.HasSuffix(zf.Name, ".xml") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return true
		}
		sheet, err := io.ReadAll(io.LimitReader(rc, MaxImportBytes*4))
		rc.Close()
		if err != nil || bytes.Contains(sheet, []byte("<f>")) || bytes.Contains(sheet, []byte("<f ")) || bytes.Contains(sheet, []byte("<f/>")) {
			return true
		}
	}
	return false
}
