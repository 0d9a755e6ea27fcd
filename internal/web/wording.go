package web

import (
	"strconv"
	"strings"

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
	return p.T("course.price.value", map[string]any{"Full": views.Money(e.PriceCents), "Reduced": views.Money(e.ReducedCents),
		"Period": p.T("course.price.period." + string(e.Session.Kind))}) // the price is per session: a semester's is not annual
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

// The input id of each logical field a use case names in its errors, one map
// per form: the services know no HTML name, the forms know no service.
var (
	profileInputs    = map[string]string{"phone": "telephone", "address": "adresse", "postal_code": "code_postal", "country": "pays", "birth_date": "naissance"}
	correctionInputs = map[string]string{"first_name": "prenom", "last_name": "nom", "birth_date": "naissance", "reason": "raison"}
	assistedInputs   = map[string]string{"first_name": "prenom", "last_name": "nom", "email": "email", "birth_date": "naissance", "phone": "telephone"}
	// The logical fields of the staff forms in the order they are shown, for
	// mergeFieldErrors.
	correctionOrder = []string{"first_name", "last_name", "birth_date", "reason"}
	assistedOrder   = []string{"first_name", "last_name", "email", "birth_date", "phone"}
	basketInputs    = map[string]string{"objective": "objectif", "motivation": "motivation", "rules": "reglement", "proof": "justificatif", "proof_date": "date_justificatif", "redirect": "reorientation"}
)

// fieldMessages words a use case's field errors in the page's language, each
// bound to the id of its input on the form (inputs maps logical field to id;
// a field the form does not list keeps its name, so its message still shows in
// the error summary). byID is the message shown next to each input.
func fieldMessages(p *i18n.Printer, errs domain.FieldErrors, inputs map[string]string) (list []views.FieldMessage, byID map[string]string) {
	byID = make(map[string]string, len(errs))
	for _, fe := range errs {
		id, ok := inputs[fe.Field]
		if !ok {
			id = fe.Field
		}
		msg := p.Word(fe.Key, fe.Args)
		list = append(list, views.FieldMessage{Field: id, Message: msg})
		if _, first := byID[id]; !first {
			byID[id] = msg
		}
	}
	return list, byID
}

// personName writes a person as the staff's lists do: "Camille MARTIN".
func personName(first, last string) string {
	return strings.TrimSpace(first + " " + strings.ToUpper(last))
}
