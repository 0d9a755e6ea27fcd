package web

import (
	"strconv"

	"cma/internal/catalogue"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// Words shared by the search results, the course page and the brochure.

func weekdayName(p *i18n.Printer, e *catalogue.Entry) string {
	return p.T("weekday." + strconv.Itoa(int(e.Weekday)))
}

func hours(e *catalogue.Entry) string {
	return domain.FormatClock(e.StartMinute) + "–" + domain.FormatClock(e.EndMinute)
}

func schedule(p *i18n.Printer, e *catalogue.Entry) string {
	return weekdayName(p, e) + " " + hours(e)
}

func placeName(pg *views.Page, e *catalogue.Entry) string {
	return e.Establishment.Name + ", " + pg.District(e.Establishment.District)
}

func priceText(p *i18n.Printer, e *catalogue.Entry) string {
	return p.T("course.price.value", map[string]any{"Full": views.Money(e.PriceCents), "Reduced": views.Money(e.ReducedCents)})
}

// placesText says how many places are left in words, so that "full" is never
// shown by colour alone.
func placesText(p *i18n.Printer, e *catalogue.Entry) string {
	switch n := e.PlacesLeft(); n {
	case 0:
		return p.T("course.places.full", map[string]any{"Capacity": e.Capacity})
	case 1:
		return p.T("course.places.one", map[string]any{"Capacity": e.Capacity})
	default:
		return p.T("course.places.left", map[string]any{"N": n, "Capacity": e.Capacity})
	}
}

func diplomaBadge(p *i18n.Printer, f *domain.Formation) string {
	if !f.Diploma {
		return ""
	}
	return p.T("course.diploma.badge", map[string]any{"Name": f.DiplomaName})
}

func courseURL(e *catalogue.Entry) string {
	return "/catalogue/cours/" + strconv.FormatInt(e.ID, 10)
}
