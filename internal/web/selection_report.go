package web

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"cma/internal/domain"
	"cma/internal/export"
	"cma/internal/i18n"
	"cma/internal/selection"
	"cma/internal/web/views"
)

// The selection's explanations and fairness report (SEL-1, SEL-3, SEL-5,
// CAN-3, ROLE-5): the staff's explanation of a candidature's outcome, with
// the engine's detail, for a published or a dry run; the fairness report of
// a run as a page with server-drawn SVG charts, and as CSV and XLSX.

func reportPath(runID int64) string {
	return "/back-office/selection/runs/" + itoa64(runID) + "/rapport"
}

// explanationPath is the staff's explanation of a candidature; runID 0: the
// published run that decided it, else the newest run holding it.
func explanationPath(candidatureID, runID int64) string {
	p := "/back-office/selection/candidatures/" + itoa64(candidatureID) + "/explication"
	if runID != 0 {
		p += "?run=" + itoa64(runID)
	}
	return p
}

// selectionError answers the selection service's errors.
func (s *Server) selectionError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, selection.ErrNotFound), errors.Is(err, selection.ErrNotDecided):
		s.notFound(w, r)
	case errors.Is(err, selection.ErrForbidden):
		s.forbidden(w, r, false)
	default:
		s.serviceError(w, r, err)
	}
}

// wordLines words explanation lines in the reader's language.
func wordLines(p *i18n.Printer, lines []selection.Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p.WordKeyed(l)
	}
	return out
}

// candidateWhy is the candidate's "Pourquoi ?" of a decided candidature
// (ROLE-1, once the run is published); nil when there is nothing to say.
func (s *Server) candidateWhy(r *http.Request, p *i18n.Printer, actor domain.Actor, c domain.Candidature) []string {
	if s.Selection == nil {
		return nil
	}
	switch c.Status {
	case domain.CandidatureSubmitted, domain.CandidatureCancelled:
		return nil
	}
	x, err := s.Selection.Explain(r.Context(), actor, c.ID)
	if err != nil {
		if !errors.Is(err, selection.ErrNotDecided) {
			s.Log.Warn("explanation of a candidature", "candidature", c.ID, "err", err)
		}
		return nil
	}
	return wordLines(p, x.Lines)
}

// explanationPage is the staff's explanation of a candidature (ActViewCourse
// on its course, checked by the service): ?run= names a dry run.
func (s *Server) explanationPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	var runID int64
	if q := r.URL.Query().Get("run"); q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n <= 0 {
			s.notFound(w, r)
			return
		}
		runID = n
	}
	pg := s.page(r, "selrep.explain.plain")
	p := pg.P
	v := &views.ExplanationView{Title: p.T("selrep.explain.title", map[string]any{"ID": id})}
	pg.Title = v.Title
	x, err := s.Selection.ExplainInRun(r.Context(), currentUser(r).Actor, id, runID)
	switch {
	case errors.Is(err, selection.ErrNotDecided):
		v.Empty = p.T("selection.explain.not_decided")
	case err != nil:
		s.selectionError(w, r, err)
		return
	default:
		v.Lines, v.Engine = wordLines(p, x.Lines), wordLines(p, x.Engine)
		if x.RunStatus != domain.RunPublished {
			v.Dry = p.T("selrep.explain.dry")
		}
	}
	s.render(w, r, http.StatusOK, views.SelectionExplanation(pg, v))
}

// runReport reads the report of the run named by the path.
func (s *Server) runReport(w http.ResponseWriter, r *http.Request) (selection.Report, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return selection.Report{}, false
	}
	rep, err := s.Selection.Report(r.Context(), currentUser(r).Actor, id)
	if err != nil {
		s.selectionError(w, r, err)
		return rep, false
	}
	return rep, true
}

// percent words a ratio as a percentage with one decimal: "12,5 %".
func percent(p *i18n.Printer, x float64) string {
	s := strconv.FormatFloat(100*x, 'f', 1, 64)
	if p.Lang == i18n.French {
		s = strings.Replace(s, ".", ",", 1)
	}
	return p.T("selrep.percent", map[string]any{"N": s})
}

func rateText(p *i18n.Printer, pct int) string {
	if pct == 0 {
		return p.T("selrep.none")
	}
	return p.T("selrep.percent", map[string]any{"N": pct})
}

func courseRateMet(p *i18n.Printer, rate int, c selection.CourseReport) string {
	switch {
	case rate == 0:
		return p.T("selrep.none")
	case c.RateMet:
		return p.T("selrep.yes")
	case c.NoSocialLeft:
		return p.T("selrep.no_social_left")
	}
	return p.T("selrep.no")
}

func formationRateMet(p *i18n.Printer, f selection.FormationReport) string {
	switch {
	case f.MinSocialPercent == 0:
		return p.T("selrep.none")
	case f.CoursesBelowRate == 0:
		return p.T("selrep.yes")
	}
	return p.T("selrep.below", map[string]any{"N": f.CoursesBelowRate})
}

// criteria are the report's social criteria rows: label, applicants, accepted.
func criteria(p *i18n.Printer, f selection.FormationReport) [][3]string {
	row := func(label string, a, b int) [3]string { return [3]string{label, strconv.Itoa(a), strconv.Itoa(b)} }
	return [][3]string{
		row(p.T("allocation.social.rsa"), f.Applicants.RSA, f.Accepted.RSA),
		row(p.T("allocation.social.job_seeker"), f.Applicants.JobSeeker, f.Accepted.JobSeeker),
		row(p.T("allocation.social.subsidised"), f.Applicants.Subsidised, f.Accepted.Subsidised),
		row(p.T("selrep.crit.none"), f.Applicants.None, f.Accepted.None),
	}
}

// socialChart draws applicants and accepted by social criterion as an
// accessible SVG bar chart: role="img" with a <title> and a <desc>; the data
// table beside it holds the same figures.
func socialChart(p *i18n.Printer, id, title string, rows [][3]string) string {
	const width, height, top, bottom, left = 520, 240, 24, 44, 8
	maxV := 1
	for _, r := range rows {
		for _, c := range r[1:] {
			if n, _ := strconv.Atoi(c); n > maxV {
				maxV = n
			}
		}
	}
	var b strings.Builder
	esc := func(s string) string {
		var e bytes.Buffer
		xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %d %d" width="100%%" style="max-width:%dpx">`,
		id, id, width, height, width)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(p.T("selrep.chart.desc")))
	group := (width - left) / len(rows)
	bar := group / 3
	plot := height - top - bottom
	colours := [2]string{"#4a6fa5", "#d9822b"}
	for i, r := range rows {
		x0 := left + i*group
		for k, c := range r[1:] {
			n, _ := strconv.Atoi(c)
			h := n * plot / maxV
			x := x0 + bar/2 + k*bar
			y := top + plot - h
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, x, y, bar-4, h, colours[k])
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="middle">%d</text>`, x+(bar-4)/2, y-4, n)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="middle">%s</text>`, x0+group/2, height-bottom+16, esc(r[0]))
	}
	legend := [2]string{p.T("selrep.chart.applicants"), p.T("selrep.chart.accepted")}
	for k, l := range legend {
		x := left + k*160
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" font-size="12">%s</text>`,
			x, height-16, colours[k], x+16, height-6, esc(l))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// divergenceChart draws each formation's divergence as horizontal bars, an
// accessible SVG like socialChart; the data table beside it holds the figures.
func divergenceChart(p *i18n.Printer, id, title string, labels []string, values []float64) string {
	const width, row, labelW, top = 520, 22, 200, 8
	height := top*2 + row*max(len(labels), 1)
	var b strings.Builder
	esc := func(s string) string {
		var e bytes.Buffer
		xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %d %d" width="100%%" style="max-width:%dpx">`,
		id, id, width, height, width)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(p.T("selrep.chart.desc")))
	for i, l := range labels {
		y := top + i*row
		if len([]rune(l)) > 28 {
			l = string([]rune(l)[:27]) + "…"
		}
		w := int(values[i] * float64(width-labelW-60))
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12">%s</text>`, y+14, esc(l))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#4a6fa5"/>`, labelW, y+3, w, row-6)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`, labelW+w+4, y+14, esc(percent(p, values[i])))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// reportPage is the fairness report of a run (ROLE-5).
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.runReport(w, r)
	if !ok {
		return
	}
	pg := s.page(r, "selrep.status")
	p := pg.P
	v := &views.ReportView{Title: p.T("selrep.title", map[string]any{"Run": rep.Run.ID}),
		CSV: reportPath(rep.Run.ID) + ".csv", XLSX: reportPath(rep.Run.ID) + ".xlsx", DivergenceHelp: p.T("selrep.divergence.help")}
	pg.Title = v.Title
	v.Facts = []views.Fact{{Label: p.T("selrep.status"), Value: p.T("selection.explain.run_status." + string(rep.Run.Status))},
		{Label: p.T("selrep.seed"), Value: strconv.FormatUint(rep.Run.Seed, 10)},
		{Label: p.T("selrep.digest"), Value: rep.Run.Digest}}
	section := func(id, title string, f selection.FormationReport, courses bool) views.ReportSection {
		crit := criteria(p, f)
		data := views.ReportTable{ID: id + "-data", Caption: p.T("selrep.chart.title", map[string]any{"Formation": title}),
			Headers: []string{p.T("selrep.col.criterion"), p.T("selrep.col.applicants"), p.T("selrep.col.accepted")}}
		for _, c := range crit {
			data.Rows = append(data.Rows, c[:])
		}
		sec := views.ReportSection{ID: id, Title: title, Data: data,
			Chart: socialChart(p, id+"-chart", data.Caption, crit),
			Facts: []views.Fact{
				{Label: p.T("selrep.col.applicants"), Value: strconv.Itoa(f.Applicants.Total)},
				{Label: p.T("selrep.col.accepted"), Value: strconv.Itoa(f.Accepted.Total)},
				{Label: p.T("selrep.col.waiting"), Value: strconv.Itoa(f.Waiting)},
				{Label: p.T("selrep.col.stopped"), Value: strconv.Itoa(f.Stopped)},
				{Label: p.T("selrep.col.rate"), Value: rateText(p, f.MinSocialPercent)},
				{Label: p.T("selrep.col.rate_met"), Value: formationRateMet(p, f)},
				{Label: p.T("selrep.col.redirects"), Value: strconv.Itoa(f.Redirects)},
				{Label: p.T("selrep.col.placements"), Value: strconv.Itoa(f.Placements)},
				{Label: p.T("selrep.col.clashes"), Value: strconv.Itoa(f.ClashRemovals)},
				{Label: p.T("selrep.col.divergence"), Value: percent(p, f.Divergence())},
			}}
		if courses {
			t := views.ReportTable{ID: id + "-cours", Caption: p.T("selrep.courses"),
				Headers: []string{p.T("selrep.col.course"), p.T("selrep.col.capacity"), p.T("selrep.col.accepted"),
					p.T("selrep.col.accepted_social"), p.T("selrep.col.waiting"), p.T("selrep.col.rate_met"),
					p.T("selrep.col.cutoff"), p.T("selrep.col.divergence")}}
			for _, c := range f.Courses {
				t.Rows = append(t.Rows, []string{p.WordKeyed(c.Name), strconv.Itoa(c.Capacity), strconv.Itoa(c.Accepted),
					strconv.Itoa(c.AcceptedSocial), strconv.Itoa(c.Waiting), courseRateMet(p, f.MinSocialPercent, c),
					cutoffText(p, c), percent(p, c.Divergence())})
			}
			sec.Courses = &t
		}
		return sec
	}
	v.Sections = append(v.Sections, section("total", p.T("selrep.total"), rep.Total, false))
	if len(rep.Formations) > 0 {
		title := p.T("selrep.divergence.chart")
		data := views.ReportTable{ID: "divergence-data", Caption: title,
			Headers: []string{p.T("selrep.col.formation"), p.T("selrep.col.divergence")}}
		var labels []string
		var values []float64
		for _, f := range rep.Formations {
			labels, values = append(labels, f.Title), append(values, f.Divergence())
			data.Rows = append(data.Rows, []string{f.Title, percent(p, f.Divergence())})
		}
		v.Sections = append(v.Sections, views.ReportSection{ID: "divergence", Title: title, Data: data,
			Chart: divergenceChart(p, "divergence-chart", title, labels, values)})
	}
	for _, f := range rep.Formations {
		v.Sections = append(v.Sections, section("formation-"+itoa64(f.FormationID), f.Title, f, true))
	}
	s.render(w, r, http.StatusOK, views.SelectionReport(pg, v))
}

func cutoffText(p *i18n.Printer, c selection.CourseReport) string {
	if c.Cutoff == nil {
		return p.T("selrep.none")
	}
	return p.WordKeyed(*c.Cutoff)
}

// reportTable is the report as one export table: a row per formation, then
// its courses, then the run's total.
func reportTable(p *i18n.Printer, rep selection.Report) export.Table {
	t := export.Table{Title: p.T("selrep.sheet"), Headers: []string{
		p.T("selrep.col.line"), p.T("selrep.col.formation"), p.T("selrep.col.course"),
		p.T("selrep.col.applicants"), p.T("selrep.col.applicants") + " — " + p.T("allocation.social.rsa"),
		p.T("selrep.col.applicants") + " — " + p.T("allocation.social.job_seeker"),
		p.T("selrep.col.applicants") + " — " + p.T("allocation.social.subsidised"),
		p.T("selrep.col.applicants") + " — " + p.T("selrep.crit.none"),
		p.T("selrep.col.accepted"), p.T("selrep.col.accepted") + " — " + p.T("allocation.social.rsa"),
		p.T("selrep.col.accepted") + " — " + p.T("allocation.social.job_seeker"),
		p.T("selrep.col.accepted") + " — " + p.T("allocation.social.subsidised"),
		p.T("selrep.col.accepted") + " — " + p.T("selrep.crit.none"),
		p.T("selrep.col.waiting"), p.T("selrep.col.stopped"), p.T("selrep.col.capacity"), p.T("selrep.col.rate"),
		p.T("selrep.col.rate_met"), p.T("selrep.col.redirects"), p.T("selrep.col.placements"), p.T("selrep.col.clashes"),
		p.T("selrep.col.divergence"), p.T("selrep.col.cutoff"), p.T("selrep.seed"), p.T("selrep.digest")}}
	n := func(i int) export.Cell { return export.Int(int64(i)) }
	blank := export.Text("")
	seed, digest := export.Text(strconv.FormatUint(rep.Run.Seed, 10)), export.Text(rep.Run.Digest)
	formation := func(kind, title string, f selection.FormationReport) []export.Cell {
		return []export.Cell{export.Text(kind), export.Text(title), blank,
			n(f.Applicants.Total), n(f.Applicants.RSA), n(f.Applicants.JobSeeker), n(f.Applicants.Subsidised), n(f.Applicants.None),
			n(f.Accepted.Total), n(f.Accepted.RSA), n(f.Accepted.JobSeeker), n(f.Accepted.Subsidised), n(f.Accepted.None),
			n(f.Waiting), n(f.Stopped), blank, export.Text(rateText(p, f.MinSocialPercent)), export.Text(formationRateMet(p, f)),
			n(f.Redirects), n(f.Placements), n(f.ClashRemovals), export.Text(percent(p, f.Divergence())), blank, seed, digest}
	}
	for _, f := range rep.Formations {
		t.Rows = append(t.Rows, formation(p.T("selrep.line.formation"), f.Title, f))
		for _, c := range f.Courses {
			t.Rows = append(t.Rows, []export.Cell{export.Text(p.T("selrep.line.course")), export.Text(f.Title),
				export.Text(p.WordKeyed(c.Name)), blank, blank, blank, blank, blank,
				n(c.Accepted), blank, blank, blank, n(c.Accepted - c.AcceptedSocial), n(c.Waiting), blank, n(c.Capacity),
				export.Text(rateText(p, f.MinSocialPercent)), export.Text(courseRateMet(p, f.MinSocialPercent, c)),
				blank, blank, blank, export.Text(percent(p, c.Divergence())), export.Text(cutoffText(p, c)), seed, digest})
		}
	}
	t.Rows = append(t.Rows, formation(p.T("selrep.line.total"), p.T("selrep.total"), rep.Total))
	return t
}

func (s *Server) reportCSV(w http.ResponseWriter, r *http.Request) {
	s.reportExport(w, r, "csv", "text/csv; charset=utf-8", export.WriteCSV)
}

func (s *Server) reportXLSX(w http.ResponseWriter, r *http.Request) {
	s.reportExport(w, r, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.WriteXLSX)
}

// reportExport writes the report in French, whatever the reader's language,
// like the other staff exports.
func (s *Server) reportExport(w http.ResponseWriter, r *http.Request, ext, contentType string, write func(io.Writer, export.Table) error) {
	rep, ok := s.runReport(w, r)
	if !ok {
		return
	}
	fr := s.Words.Printer(i18n.French)
	t := reportTable(fr, rep)
	t.Author, t.Created = fr.T("site.owner"), s.Now()
	var buf bytes.Buffer
	if err := write(&buf, t); err != nil {
		s.serverError(w, r, err)
		return
	}
	name := export.Filename("rapport-selection-"+itoa64(rep.Run.ID), s.Now().In(s.Paris), ext)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
