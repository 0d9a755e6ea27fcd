package web

import (
	"bytes"
	"cmp"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// establishmentParam is the establishment a candidature list is asked for, from
// the `etablissement` query parameter: the central service sees any (or all,
// without one); a director only their own (ROLE-3, ROLE-5), and without one
// their list opens on it. A value that is not a number asks for no
// establishment, which only the central service may; the handler then
// refuses the value itself.
func establishmentParam(s *Server, r *http.Request) (domain.Resource, bool) {
	raw := r.URL.Query().Get("etablissement")
	if strings.TrimSpace(raw) == "" {
		if u := currentUser(r); u != nil {
			return domain.Resource{EstablishmentID: listScope(u.Actor)}, true
		}
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 0 {
		id = 0
	}
	return domain.Resource{EstablishmentID: id}, true
}

// listScope is the establishment a candidature list opens on when none is
// asked for: none (the whole city) for whoever may see it, else the first
// establishment the actor directs (ROLE-3), else none (refused).
func listScope(actor domain.Actor) int64 {
	if domain.Can(actor, domain.ActViewEstablishment, domain.Resource{}) {
		return 0
	}
	for _, g := range actor.Grants {
		if g.Role == domain.RoleDirector && g.EstablishmentID != 0 {
			return g.EstablishmentID
		}
	}
	return 0
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// candidatureCourses are the catalogue's courses the filter covers, by code.
func candidatureCourses(ix *catalogue.Index, f candidature.ListFilter) []*catalogue.Entry {
	entries := filterEntries(ix, func(e *catalogue.Entry) bool {
		return (f.SessionID == 0 || e.SessionID == f.SessionID) && (f.FormationID == 0 || e.FormationID == f.FormationID) &&
			(f.EstablishmentID == 0 || e.EstablishmentID == f.EstablishmentID) && (f.CourseID == 0 || e.ID == f.CourseID)
	})
	slices.SortFunc(entries, func(a, b *catalogue.Entry) int {
		return cmp.Or(strings.Compare(a.Code, b.Code), cmp.Compare(a.ID, b.ID))
	})
	return entries
}

// candidaturesForm fills the filter form's choices, keeping what was chosen.
// The establishments offered are those the viewer may see; "all" only for
// the central service.
func candidaturesForm(pg *views.Page, ix *catalogue.Index, actor domain.Actor, q url.Values, cq candidatureFilterForm) *views.BOCandidaturesView {
	p := pg.P
	v := &views.BOCandidaturesView{ErrFor: map[string]string{}}
	sel := func(name string, id int64) bool { return q.Get(name) == strconv.FormatInt(id, 10) }
	v.Sessions = []views.Option{{Value: "", Label: p.T("bo.cand.all.sessions")}}
	for _, se := range ix.Sessions {
		v.Sessions = append(v.Sessions, views.Option{Value: itoa64(se.ID), Label: se.Name, Selected: sel("session", se.ID)})
	}
	// The formations offered are those of the courses the viewer may see
	// (a director's establishment's), every one for the central service.
	all := domain.Can(actor, domain.ActViewEstablishment, domain.Resource{})
	inScope := map[int64]bool{}
	for _, e := range ix.All() {
		if !all && domain.Can(actor, domain.ActViewEstablishment, domain.Resource{EstablishmentID: e.EstablishmentID}) {
			inScope[e.FormationID] = true
		}
	}
	formations := slices.DeleteFunc(slices.Clone(ix.Formations), func(f domain.Formation) bool { return !all && !inScope[f.ID] })
	slices.SortStableFunc(formations, func(a, b domain.Formation) int {
		return strings.Compare(domain.SearchKey(a.Title), domain.SearchKey(b.Title))
	})
	v.Formations = []views.Option{{Value: "", Label: p.T("bo.cand.all.formations")}}
	for _, f := range formations {
		v.Formations = append(v.Formations, views.Option{Value: itoa64(f.ID), Label: f.Title + " (" + f.Code + ")", Selected: sel("formation", f.ID)})
	}
	if domain.Can(actor, domain.ActViewEstablishment, domain.Resource{}) {
		v.Establishments = []views.Option{{Value: "", Label: p.T("bo.cand.all.establishments")}}
	}
	for _, e := range ix.Establishments {
		if domain.Can(actor, domain.ActViewEstablishment, domain.Resource{EstablishmentID: e.ID}) {
			v.Establishments = append(v.Establishments, views.Option{Value: itoa64(e.ID), Label: e.Name + " (" + pg.District(e.District) + ")",
				Selected: cq.filter.EstablishmentID == e.ID})
		}
	}
	v.Statuses = []views.Option{{Value: "", Label: p.T("bo.cand.all.statuses")}}
	for _, st := range domain.CandidatureStatuses {
		v.Statuses = append(v.Statuses, views.Option{Value: string(st), Label: statusWord(p, st), Selected: cq.filter.Status == st})
	}
	if cq.course != nil {
		v.CourseID = itoa64(cq.course.ID)
		v.CourseLabel = cq.course.Code + " — " + cq.course.Formation.Title
		every := cq
		every.filter.CourseID = 0
		v.AllCourses = withQuery("/back-office/candidatures", every.values())
	}
	return v
}

func statusWord(p *i18n.Printer, st domain.CandidatureStatus) string {
	if key := "bo.cand.status." + string(st); p.Has(key) {
		return p.T(key)
	}
	return string(st)
}

func yesNo(p *i18n.Printer, b bool) string {
	if b {
		return p.T("search.yes")
	}
	return p.T("search.no")
}

// The sort keys of the two tables of the candidature list, as the query
// names them, and the store's order for the candidatures'.
var (
	candidatureSorts = map[string]candidature.Sort{"cours": candidature.SortByCourse, "nom": candidature.SortByName,
		"courriel": candidature.SortByEmail, "formation": candidature.SortByFormation, "statut": candidature.SortByStatus}
	courseSorts = []string{"code", "formation", "etablissement", "deposees", "places"}
)

const candidaturesPath = "/back-office/candidatures"

// boCandidaturesPage is the back-office candidature list: per course, the
// candidatures against capacity, then the candidatures themselves, ordered by
// course and name, never by arrival (ROLE-3, ROLE-5, PER-2); each table a
// page of 50 rows at a time, sortable by its columns. Listing is not reading
// a person's file: names link to the file only for those who may read it,
// and the file read is audited there.
func (s *Server) boCandidaturesPage(w http.ResponseWriter, r *http.Request) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	u := currentUser(r)
	pg := s.page(r, "bo.cand.title")
	q := r.URL.Query()
	list, okList := readTable(q, "liste-titre", "page", "tri", "ordre", slices.Sorted(maps.Keys(candidatureSorts))...)
	courses, okCourses := readTable(q, "cours-titre", "page_cours", "tri_cours", "ordre_cours", courseSorts...)
	if !okList || !okCourses {
		s.requestError(w, r, http.StatusBadRequest, "filter.error.page")
		return
	}
	cq, errs := candidatureFilterFormFromRequest(r, pg.P, ix)
	if cq.filter.EstablishmentID == 0 {
		cq.filter.EstablishmentID = listScope(u.Actor)
	}
	v := candidaturesForm(pg, ix, u.Actor, q, cq)
	if len(errs) > 0 {
		s.candidaturesBadRequest(w, r, pg, v, errs)
		return
	}
	counts, err := s.Candidatures.Counts(r.Context(), u.Actor, cq.filter.SessionID, cq.filter.EstablishmentID)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	s.candidatureCourseTable(pg, ix, v, cq, counts, courses)

	f := cq.filter
	f.Sort, f.Desc = candidatureSorts[list.Sort], list.Desc
	f.Limit, f.Offset = staffPageSize, list.offset()
	rows, total, err := s.Candidatures.ListPage(r.Context(), u.Actor, f)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	if list.Page > pageCount(total) { // past the last page: the last one
		list.clamp(total)
		f.Offset = list.offset()
		if rows, total, err = s.Candidatures.ListPage(r.Context(), u.Actor, f); err != nil {
			s.serviceError(w, r, err)
			return
		}
	}
	v.Total = total
	v.ListPager = list.pager(pg, candidaturesPath, total, pg.T("bo.cand.pages.list"))
	for _, h := range []struct{ label, key string }{{"bo.people.name", "nom"}, {"profile.email", "courriel"},
		{"course.code", "cours"}, {"bo.course.title", "formation"}, {"bo.cand.status", "statut"}} {
		v.ListHeads = append(v.ListHeads, list.head(candidaturesPath, pg.T(h.label), h.key, "cours"))
	}
	for _, c := range rows {
		row := views.BOCandidatureRow{Name: personName(c.FirstName, c.LastName), Email: c.Email,
			Code: c.CourseCode, Status: statusWord(pg.P, c.Status), Tariff: yesNo(pg.P, c.HalfTariffClaim), Assisted: yesNo(pg.P, c.Assisted)}
		if e, ok := ix.Course(c.CourseID); ok {
			row.Formation = e.Formation.Title
			row.CourseURL = "/back-office/cours/" + itoa64(e.ID)
		}
		if domain.Can(u.Actor, domain.ActReadPersonFile, domain.Resource{AccountID: c.AccountID}) {
			row.URL = "/back-office/personnes/" + itoa64(c.AccountID)
		}
		v.Rows = append(v.Rows, row)
	}
	vals := cq.values()
	v.CSVURL = withQuery("/back-office/candidatures.csv", vals)
	v.XLSXURL = withQuery("/back-office/candidatures.xlsx", vals)
	s.render(w, r, http.StatusOK, views.BOCandidatures(pg, v))
}

// candidatureCourseTable fills the list's table of courses, one page of it
// in the table's order. The courses come from the catalogue, in memory; the
// counts from the database.
func (s *Server) candidatureCourseTable(pg *views.Page, ix *catalogue.Index, v *views.BOCandidaturesView, cq candidatureFilterForm,
	counts map[int64]candidature.CourseCount, t tableState) {
	entries := candidatureCourses(ix, cq.filter)
	by := func(a, b *catalogue.Entry) int {
		switch t.Sort {
		case "formation":
			return strings.Compare(domain.SearchKey(a.Formation.Title), domain.SearchKey(b.Formation.Title))
		case "etablissement":
			return strings.Compare(domain.SearchKey(a.Establishment.Name), domain.SearchKey(b.Establishment.Name))
		case "deposees":
			return cmp.Compare(counts[a.ID].Submitted, counts[b.ID].Submitted)
		case "places":
			return cmp.Compare(a.PlacesLeft(), b.PlacesLeft())
		}
		return strings.Compare(a.Code, b.Code)
	}
	slices.SortStableFunc(entries, func(a, b *catalogue.Entry) int {
		if t.Desc {
			return by(b, a)
		}
		return by(a, b)
	})
	v.CourseTotal = len(entries)
	t.clamp(len(entries))
	v.CoursePager = t.pager(pg, candidaturesPath, len(entries), pg.T("bo.cand.pages.courses"))
	for _, h := range []struct{ label, key string }{{"course.code", "code"}, {"bo.course.title", "formation"},
		{"course.establishment", "etablissement"}} {
		v.CourseHeads = append(v.CourseHeads, t.head(candidaturesPath, pg.T(h.label), h.key, "code"))
	}
	v.SubmittedHead = t.head(candidaturesPath, pg.T("bo.cand.submitted"), "deposees", "code")
	v.PlacesHead = t.head(candidaturesPath, pg.T("bo.cand.ratio.head"), "places", "code")
	for _, e := range entries[t.offset():min(len(entries), t.offset()+staffPageSize)] {
		c := counts[e.ID]
		only := cq
		only.filter.CourseID = e.ID
		v.Courses = append(v.Courses, views.BOCandidatureCourseRow{FilterURL: withQuery(candidaturesPath, only.values()) + "#liste-titre",
			CourseURL: "/back-office/cours/" + itoa64(e.ID),
			Code:      e.Code, Title: e.Formation.Title, Place: e.Establishment.Name, Schedule: schedule(pg.P, e),
			Capacity: e.Capacity, Enrolled: e.Enrolled, Submitted: c.Submitted, Cancelled: c.Cancelled,
			Ratio: pg.T("bo.cand.ratio", map[string]any{"Count": c.Submitted, "Places": e.PlacesLeft()})})
	}
}

func (s *Server) candidaturesBadRequest(w http.ResponseWriter, r *http.Request, pg *views.Page, v *views.BOCandidaturesView, errs []views.FieldMessage) {
	v.Errors = errs
	for _, e := range errs {
		v.ErrFor[e.Field] = e.Message
	}
	s.render(w, r, http.StatusBadRequest, views.BOCandidatures(pg, v))
}

func (s *Server) candidaturesCSV(w http.ResponseWriter, r *http.Request) {
	s.candidaturesExport(w, r, "csv", "text/csv; charset=utf-8", export.WriteCSV)
}

func (s *Server) candidaturesXLSX(w http.ResponseWriter, r *http.Request) {
	s.candidaturesExport(w, r, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.WriteXLSX)
}

// candidaturesExport writes the same list as the page, every row, with French
// headers; like the page it has no submission date (PER-2).
func (s *Server) candidaturesExport(w http.ResponseWriter, r *http.Request, ext, contentType string, write func(io.Writer, export.Table) error) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	actor := currentUser(r).Actor
	pg := s.page(r, "bo.cand.title")
	q := r.URL.Query()
	cq, errs := candidatureFilterFormFromRequest(r, pg.P, ix)
	if cq.filter.EstablishmentID == 0 {
		cq.filter.EstablishmentID = listScope(actor)
	}
	if len(errs) > 0 {
		s.candidaturesBadRequest(w, r, pg, candidaturesForm(pg, ix, actor, q, cq), errs)
		return
	}
	rows, err := s.Candidatures.List(r.Context(), actor, cq.filter)
	if err != nil {
		s.serviceError(w, r, err)
		return
	}
	fr := s.Words.Printer(i18n.French)
	table := candidatureTable(fr, ix, rows)
	table.Author, table.Created = fr.T("site.owner"), s.Now() // the XLSX document properties
	var buf bytes.Buffer
	if err := write(&buf, table); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+export.Filename("candidatures", s.Now().In(s.Paris), ext)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

// candidatureTable is the export's table, worded with p (French).
func candidatureTable(p *i18n.Printer, ix *catalogue.Index, rows []domain.CandidatureListRow) export.Table {
	t := export.Table{Title: p.T("bo.cand.title"), Headers: []string{
		p.T("bo.cand.x.session"), p.T("bo.cand.x.course"), p.T("bo.cand.x.formation"), p.T("bo.cand.x.establishment"),
		p.T("bo.cand.x.schedule"), p.T("bo.cand.x.last"), p.T("bo.cand.x.first"), p.T("bo.cand.x.email"),
		p.T("bo.cand.x.status"), p.T("bo.cand.x.objective"), p.T("bo.cand.x.assisted"), p.T("bo.cand.x.tariff")}}
	for _, c := range rows {
		var session, formation, place, when string
		if e, ok := ix.Course(c.CourseID); ok {
			session, formation, place, when = e.Session.Name, e.Formation.Title, e.Establishment.Name, schedule(p, e)
		}
		t.Rows = append(t.Rows, []export.Cell{export.Text(session), export.Text(c.CourseCode), export.Text(formation),
			export.Text(place), export.Text(when), export.Text(c.LastName), export.Text(c.FirstName), export.Text(c.Email),
			export.Text(statusWord(p, c.Status)), export.Text(p.T("objective." + string(c.Objective))),
			export.Text(yesNo(p, c.Assisted)), export.Text(yesNo(p, c.HalfTariffClaim))})
	}
	return t
}
