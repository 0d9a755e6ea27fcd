package selection

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"cma/internal/domain"
)

// MaxResultsImportBytes bounds a results file.
const MaxResultsImportBytes = 2 << 20

// ImportLine is a line of a results file that changes a result.
type ImportLine struct {
	Line          int
	CandidatureID int64
	Name          string
	Before, After string // in French
}

// ImportProblem is what is wrong with a line (0: the file itself).
type ImportProblem struct {
	Line int
	Key  string
	Args map[string]any
}

// ImportReport is a dry run's or an import's account, line by line.
type ImportReport struct {
	Lines    []ImportLine
	Problems []ImportProblem
	Applied  bool
	Summary  ResultSummary
}

// The columns of a results file, by their folded header.
var importColumns = map[string]string{
	"candidature": "number", "numero": "number", "n°": "number", "numero de candidature": "number", "number": "number",
	"email": "email", "courriel": "email", "e-mail": "email", "adresse electronique": "email",
	"resultat": "result", "result": "result",
	"note": "score", "score": "score",
	"niveau": "level", "level": "level", "niveau place": "level",
}

// resultWordsIn maps a file's result word to a kind.
var resultWordsIn = map[string]domain.ResultKind{
	"note": domain.ResultScore, "score": domain.ResultScore,
	"reussi": domain.ResultPass, "admis": domain.ResultPass, "pass": domain.ResultPass, "passed": domain.ResultPass,
	"non reussi": domain.ResultFail, "echec": domain.ResultFail, "fail": domain.ResultFail, "failed": domain.ResultFail,
	"absent": domain.ResultAbsent, "abs": domain.ResultAbsent, "absente": domain.ResultAbsent,
}

func fold(s string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "É", "e", "à", "a", "ç", "c", "ô", "o", "î", "i", "_", " ")
	return strings.Join(strings.Fields(strings.ToLower(r.Replace(strings.TrimSpace(s)))), " ")
}

// readRows reads a CSV (comma or semicolon, UTF-8 with or without BOM) or the
// first sheet of an XLSX.
func readRows(name string, data []byte) ([][]string, error) {
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, nil
		}
		return f.GetRows(sheets[0])
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, rec)
	}
}

// ImportResults reads a file of results for a formation of the session
// (columns: candidature number or email, result, score, level) and checks
// every line against the candidates convoked in the actor's scope, with the
// rules of EnterResults. A dry run (apply false) lists what would change and
// every problem by line; apply imports it in one transaction, only when no
// line has a problem.
func (s *Service) ImportResults(ctx context.Context, actor domain.Actor, sessionID, formationID int64, name string, data []byte, apply bool) (ImportReport, error) {
	var rep ImportReport
	if !inScopeAny(actor, formationID) {
		return rep, ErrForbidden
	}
	_, se, f, err := s.formationOf(ctx, sessionID, formationID)
	if err != nil {
		return rep, err
	}
	if len(data) > MaxResultsImportBytes {
		rep.Problems = append(rep.Problems, ImportProblem{Key: "results.import.too_large"})
		return rep, nil
	}
	rows, err := readRows(name, data)
	if err != nil || len(rows) == 0 {
		rep.Problems = append(rep.Problems, ImportProblem{Key: "results.import.unreadable"})
		return rep, nil
	}
	cols := map[string]int{}
	for i, h := range rows[0] {
		if c, ok := importColumns[fold(h)]; ok {
			if _, dup := cols[c]; !dup {
				cols[c] = i
			}
		}
	}
	_, hasNumber := cols["number"]
	_, hasEmail := cols["email"]
	_, hasResult := cols["result"]
	_, hasScore := cols["score"]
	if !hasNumber && !hasEmail || !hasResult && !hasScore {
		rep.Problems = append(rep.Problems, ImportProblem{Line: 1, Key: "results.import.columns"})
		return rep, nil
	}
	cell := func(row []string, c string) string {
		if i, ok := cols[c]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	all, err := s.store.Convokees(ctx, nil, sessionID, formationID, 0, 0)
	if err != nil {
		return rep, err
	}
	byID := map[int64]Convokee{}
	byEmail := map[string]Convokee{}
	for _, k := range all {
		if k.Convocation.CandidatureID != 0 && inScope(actor, formationID, k.EstablishmentID) {
			byID[k.CandidatureID] = k
			byEmail[strings.ToLower(k.Email)] = k
		}
	}
	seen := map[int64]int{}
	var plan []plannedResult
	for i, row := range rows[1:] {
		line := i + 2
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		var k Convokee
		var ok bool
		if n := cell(row, "number"); n != "" {
			id, err := strconv.ParseInt(strings.TrimPrefix(n, "n°"), 10, 64)
			k, ok = byID[id]
			if err != nil || !ok {
				rep.Problems = append(rep.Problems, ImportProblem{Line: line, Key: "results.import.unknown", Args: map[string]any{"Who": n}})
				continue
			}
		} else if e := cell(row, "email"); e != "" {
			if k, ok = byEmail[strings.ToLower(e)]; !ok {
				rep.Problems = append(rep.Problems, ImportProblem{Line: line, Key: "results.import.unknown", Args: map[string]any{"Who": e}})
				continue
			}
		} else {
			rep.Problems = append(rep.Problems, ImportProblem{Line: line, Key: "results.import.who"})
			continue
		}
		if first, dup := seen[k.CandidatureID]; dup {
			rep.Problems = append(rep.Problems, ImportProblem{Line: line, Key: "results.import.twice", Args: map[string]any{"Line": first}})
			continue
		}
		seen[k.CandidatureID] = line
		word := fold(cell(row, "result"))
		kind, known := resultWordsIn[word]
		if word != "" && !known {
			kind = domain.ResultKind(word) // refused by the check below
		}
		e := ResultEntry{CandidatureID: k.CandidatureID, Result: string(kind), Score: cell(row, "score"), Level: cell(row, "level")}
		if e.Result == "" && e.Score == "" {
			rep.Problems = append(rep.Problems, ImportProblem{Line: line, Key: "selection.result.kind_invalid"})
			continue
		}
		p, ok, fe := parseEntry(e, byID)
		for _, f := range fe {
			rep.Problems = append(rep.Problems, ImportProblem{Line: line, Key: f.Key, Args: f.Args})
		}
		if ok {
			plan = append(plan, p)
			rep.Lines = append(rep.Lines, ImportLine{Line: line, CandidatureID: k.CandidatureID,
				Name: strings.TrimSpace(strings.ToUpper(k.LastName) + " " + k.FirstName), Before: resultWords(k.Result), After: resultWords(p.r)})
		}
	}
	if !apply || len(rep.Problems) > 0 || len(plan) == 0 {
		return rep, nil
	}
	sh := ResultSheet{SessionID: sessionID, Formation: *f}
	err = s.change(ctx, func(tx *sql.Tx) ([]domain.AuditEvent, error) {
		sum, events, err := s.applyResults(ctx, tx, actor, sh, plan)
		rep.Summary = sum
		events = append(events, domain.AuditEvent{ActorID: actor.AccountID, Action: domain.AuditResultsImported,
			ObjectKind: domain.AuditObjectFormation, ObjectID: formationID,
			Details: "formation : " + f.Title + " ; session : " + se.Name + " ; fichier : " + name + " ; résultats : " + strconv.Itoa(len(plan))})
		return events, err
	})
	if err != nil {
		return ImportReport{}, err
	}
	rep.Applied = true
	return rep, nil
}
