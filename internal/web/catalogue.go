package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// searchPage is the public catalogue search (CAT-1): no sign-in, GET only, every
// filter in the URL so that a search can be bookmarked and shared.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	pg := s.page(r, "search.title")
	f, ferrs := catalogue.ParseFilter(r.URL.Query())
	ferrs = append(ferrs, checkReferences(ix, f)...)
	now := s.Now()
	// Only the courses one can apply to, unless the visitor said otherwise
	// (the form always says: a hidden "non" before the box, see search.templ).
	f = ix.OpenByDefault(f, now)
	v := s.searchView(pg, ix, f)
	v.FiltersOpen = len(ferrs) > 0
	status := http.StatusOK
	if len(ferrs) > 0 {
		status = http.StatusBadRequest
		for _, fe := range ferrs {
			msg := pg.P.Word(fe.Key, fe.Args)
			if fe.Key == catalogue.ErrorUnknown || fe.Field == "page" || fe.Field == "par_page" {
				v.AddSummaryError("q", msg) // no field of its own on the form
			} else {
				v.AddError(fe.Field, msg)
			}
		}
		s.render(w, r, status, views.Search(pg, v))
		return
	}
	res, err := ix.Search(f, now)
	var outOfRange catalogue.ErrPageOutOfRange
	if errors.As(err, &outOfRange) {
		status = http.StatusNotFound
		v.AddSummaryError("results-title", pg.T("filter.error.page_range", map[string]any{"Pages": outOfRange.Pages}))
	}
	v.Result = res
	v.Searched = true
	back := url.QueryEscape(pageURL(f, res.Page))
	for _, e := range res.Items {
		state, open := candidatureState(pg, e.Session, now, s.Paris)
		v.Items = append(v.Items, views.ResultItem{
			URL: courseURL(e) + "?retour=" + back, Title: e.Formation.Title, Level: pg.T("level." + string(e.Level)),
			Schedule: schedule(pg.P, e), Place: placeName(pg, e), Session: e.Session.Name,
			Price: priceText(pg.P, e), Places: placesText(pg.P, e), Full: e.PlacesLeft() == 0,
			Diploma: diplomaBadge(pg.P, e.Formation), Remote: e.RemoteNow, RemoteReason: e.RemoteWhy,
			Candidature: state, CandidatureOpen: open,
		})
	}
	if res.Page > 1 && res.Page <= res.Pages {
		v.PrevURL = pageURL(f, res.Page-1)
	}
	if res.Page < res.Pages {
		v.NextURL = pageURL(f, res.Page+1)
	}
	s.render(w, r, status, views.Search(pg, v))
}

// checkReferences refuses an establishment or session that does not exist.
func checkReferences(ix *catalogue.Index, f catalogue.Filter) domain.FieldErrors {
	var errs domain.FieldErrors
	if _, ok := ix.Establishment(f.EstablishmentID); f.EstablishmentID > 0 && !ok {
		errs = append(errs, domain.FieldError{Field: "etablissement", Key: "filter.error.establishment"})
	}
	if _, ok := ix.Session(f.SessionID); f.SessionID > 0 && !ok {
		errs = append(errs, domain.FieldError{Field: "session", Key: "filter.error.session"})
	}
	return errs
}

func pageURL(f catalogue.Filter, page int) string {
	v := f.Values()
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/catalogue"
	}
	return "/catalogue?" + v.Encode()
}

// searchView fills the form's choices, keeping what the visitor chose.
func (s *Server) searchView(pg *views.Page, ix *catalogue.Index, f catalogue.Filter) *views.SearchView {
	p := pg.P
	any := views.Option{Value: "", Label: p.T("search.any")}
	v := &views.SearchView{Query: f.Query, PlacesLeft: f.PlacesLeft, OpenOnly: f.OpenOnly != nil && *f.OpenOnly, ErrFor: map[string]string{}}
	v.FiltersSummary = filtersSummary(p, f)
	v.Subjects = []views.Option{any}
	for _, sub := range domain.Subjects {
		v.Subjects = append(v.Subjects, views.Option{Value: string(sub), Label: p.T("subject." + string(sub)), Selected: f.Subject == sub})
	}
	v.Levels = []views.Option{any}
	for _, l := range domain.Levels {
		v.Levels = append(v.Levels, views.Option{Value: string(l), Label: p.T("level." + string(l)), Selected: f.Level == l})
	}
	v.Districts = []views.Option{any}
	for d := 1; d <= 20; d++ {
		v.Districts = append(v.Districts, views.Option{Value: strconv.Itoa(d), Label: pg.District(d), Selected: f.District == d})
	}
	v.Establishments = []views.Option{any}
	for _, e := range ix.Establishments {
		v.Establishments = append(v.Establishments, views.Option{Value: strconv.FormatInt(e.ID, 10),
			Label: e.Name + " (" + strconv.Itoa(e.District) + ")", Selected: f.EstablishmentID == e.ID})
	}
	v.Weekdays = []views.Option{any}
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		v.Weekdays = append(v.Weekdays, views.Option{Value: strconv.Itoa(d), Label: capitalize(p.T("weekday." + strconv.Itoa(d))),
			Selected: f.Weekday != nil && int(*f.Weekday) == d})
	}
	v.Times = []views.Option{any}
	for _, t := range []domain.TimeOfDay{domain.Morning, domain.Afternoon, domain.Evening} {
		v.Times = append(v.Times, views.Option{Value: string(t), Label: p.T("time." + string(t)), Selected: f.TimeOfDay == t})
	}
	if f.MaxPriceCents > 0 {
		v.MaxPrice = strconv.FormatInt(f.MaxPriceCents/100, 10)
	}
	v.Diploma = yesNoOptions(p, any, f.Diploma)
	v.Remote = yesNoOptions(p, any, f.Remote)
	v.Sessions = []views.Option{any}
	for _, se := range ix.Sessions {
		v.Sessions = append(v.Sessions, views.Option{Value: strconv.FormatInt(se.ID, 10), Label: se.Name, Selected: f.SessionID == se.ID})
	}
	return v
}

// filtersSummary is the disclosure's summary: "Filtres (2 actifs)".
func filtersSummary(p *i18n.Printer, f catalogue.Filter) string {
	switch n := activeFilters(f); n {
	case 0:
		return p.T("search.filters")
	case 1:
		return p.T("search.filters.one")
	default:
		return p.T("search.filters.many", map[string]any{"N": n})
	}
}

// activeFilters counts the criteria behind the search page's disclosure that
// narrow the results (every one but the keywords, which stay in sight).
func activeFilters(f catalogue.Filter) int {
	n := 0
	for _, on := range []bool{f.Subject != "", f.Level != "", f.District != 0, f.EstablishmentID != 0, f.Weekday != nil,
		f.TimeOfDay != "", f.MaxPriceCents != 0, f.Diploma != nil, f.Remote != nil, f.SessionID != 0, f.PlacesLeft,
		f.OpenOnly != nil && *f.OpenOnly} {
		if on {
			n++
		}
	}
	return n
}

// candidatureState words where the session's candidature period stands at
// now, by the basket's rule (domain.Session.CandidatureOpen): open until its
// closing day, open from an announced instant, or closed (CAT-1, PER-1).
func candidatureState(pg *views.Page, se *domain.Session, now time.Time, paris *time.Location) (string, bool) {
	switch se.CandidatureStateAt(now) {
	case domain.CandidatureIsOpen:
		return pg.T("candidature.state.open", map[string]any{"Day": pg.ShortDate(se.CandidatureCloses.Day())}), true
	case domain.CandidatureNotYetOpen:
		return pg.T("candidature.state.soon", map[string]any{"From": pg.DateTime(se.CandidatureOpens, paris)}), false
	}
	return pg.T("candidature.state.closed"), false
}

// searchBack is the search a course page was reached from (its "retour"
// parameter), rebuilt from a valid catalogue search so that the link can only
// lead back to the catalogue; "/catalogue" otherwise.
func searchBack(raw string) string {
	u, err := url.Parse(safeReturn(raw, "/catalogue"))
	if err != nil || u.Path != "/catalogue" {
		return "/catalogue"
	}
	f, errs := catalogue.ParseFilter(u.Query())
	if len(errs) > 0 {
		return "/catalogue"
	}
	return pageURL(f, f.Page)
}

func yesNoOptions(p *i18n.Printer, any views.Option, b *bool) []views.Option {
	return []views.Option{any,
		{Value: "oui", Label: p.T("search.yes"), Selected: b != nil && *b},
		{Value: "non", Label: p.T("search.no"), Selected: b != nil && !*b}}
}

func capitalize(s string) string {
	for i, r := range s {
		if i == 0 && r >= 'a' && r <= 'z' {
			return string(r-'a'+'A') + s[1:]
		}
		break
	}
	return s
}
