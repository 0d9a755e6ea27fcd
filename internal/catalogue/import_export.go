package catalogue

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/store"
)

// ExportAuthor names the catalogue exports' author in the XLSX properties.
const ExportAuthor = "Ville — Service des cours d'adultes"

// Export writes a session's catalogue in the import's format (ROLE-5): as an
// XLSX workbook with its "Cours", "Établissements", "Salles" and "Formations"
// sheets, or as CSV, the "Cours" sheet alone; export, edit, import
// round-trips. Archived courses are left out.
func (a *Admin) Export(ctx context.Context, actor domain.Actor, sessionID int64, csv bool, w io.Writer) error {
	if !domain.Can(actor, domain.ActManageCatalogue, domain.Resource{}) {
		return ErrForbidden
	}
	return a.ExportAsPlatform(ctx, sessionID, csv, w)
}

// ExportAsPlatform is Export for the command line.
func (a *Admin) ExportAsPlatform(ctx context.Context, sessionID int64, csv bool, w io.Writer) error {
	cat, err := a.store.LoadCatalogue(ctx)
	if err != nil {
		return err
	}
	if _, ok := sessionByID(cat, sessionID); !ok {
		return ErrNotFound
	}
	staff, err := a.store.StaffByEmails(ctx, nil)
	if err != nil {
		return err
	}
	tables := CatalogueTables(cat, staff, sessionID, a.now())
	if csv {
		return export.WriteCSV(w, tables[0])
	}
	return export.WriteWorkbook(w, tables...)
}

// CatalogueTables are the sheets of a session's catalogue file: its courses,
// then every establishment, room and formation that is not archived.
func CatalogueTables(cat *store.Catalogue, staff map[string]store.StaffMember, sessionID int64, at time.Time) []export.Table {
	pl := newPlan(cat, staff, domain.Session{ID: sessionID}, &workbook{})
	headers := func(cols []column) []string {
		out := make([]string, len(cols))
		for i, c := range cols {
			out[i] = c.header
		}
		return out
	}
	text := export.Text
	courses := export.Table{Title: SheetCourses, Headers: headers(courseColumns), Author: ExportAuthor, Created: at}
	var list []domain.Course
	for _, c := range cat.Courses {
		if c.SessionID == sessionID && !c.Archived {
			list = append(list, c)
		}
	}
	slices.SortFunc(list, func(x, y domain.Course) int { return strings.Compare(x.Code, y.Code) })
	for _, c := range list {
		cc := pl.codesOf(c)
		price := export.Text("")
		if c.OwnPrice {
			price = export.Money(c.PriceCents)
		}
		courses.Rows = append(courses.Rows, []export.Cell{text(c.Code), text(cc.form), text(levelWords[c.Level]), text(cc.est),
			text(cc.room), text(weekdayWords[c.Weekday]), text(hhmm(c.StartMinute)), text(hhmm(c.EndMinute)),
			export.Int(int64(c.Capacity)), price, text(cc.trainer), text(c.Trainer), text(yesNoWord(c.Remote)), text(c.RemoteReason)})
	}
	ests := export.Table{Title: SheetEstablishments, Headers: headers(establishmentColumns), Author: ExportAuthor, Created: at}
	rooms := export.Table{Title: SheetRooms, Headers: headers(roomColumns), Author: ExportAuthor, Created: at}
	for _, e := range cat.Establishments {
		if e.Archived {
			continue
		}
		ests.Rows = append(ests.Rows, []export.Cell{text(e.Code), text(e.Name), text(e.Address), text(e.PostalCode), text(e.City),
			export.Int(int64(e.District))})
		for _, r := range e.Rooms {
			if !r.Archived {
				rooms.Rows = append(rooms.Rows, []export.Cell{text(e.Code), text(r.Name), export.Int(int64(r.Workstations))})
			}
		}
	}
	forms := export.Table{Title: SheetFormations, Headers: headers(formationColumns), Author: ExportAuthor, Created: at}
	for _, f := range cat.Formations {
		if f.Archived {
			continue
		}
		fp := pl.forms[f.Code]
		forms.Rows = append(forms.Rows, []export.Cell{text(f.Code), text(f.Title), text(subjectWords[f.Subject]), text(levelWords[f.Level]),
			text(kindWords[f.Kind]), text(evaluationWords[f.Evaluation]), text(yesNoWord(f.Diploma)), text(f.DiplomaName),
			export.Money(f.DefaultPriceCents), text(fp.prereqCode), text(f.Prerequisites), text(f.Description), text(f.ExamNote)})
	}
	return []export.Table{courses, ests, rooms, forms}
}

// hhmm writes minutes after midnight as the format's "18:30".
func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
