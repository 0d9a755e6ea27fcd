package web

import (
	"bytes"
	"net/http"
	"strings"

	"cma/internal/catalogue"
	"cma/internal/documents"
	"cma/internal/domain"
	"cma/internal/i18n"
	"cma/internal/web/views"
)

// brochureData groups the catalogue by subject, then formation, in the reader's
// language: the same content feeds the PDF and its HTML version (CAT-2).
func (s *Server) brochureData(pg *views.Page, ix *catalogue.Index) *documents.BrochureData {
	p := pg.P
	var names []string
	for _, se := range ix.Sessions {
		names = append(names, se.Name+" : "+p.T("course.candidature")+" "+
			p.T("course.period", map[string]any{"From": pg.ShortDate(se.CandidatureOpens.In(s.Paris)), "To": pg.Deadline(se.CandidatureCloses)}))
	}
	b := &documents.BrochureData{Title: p.T("brochure.pdf.title"), Subtitle: strings.Join(names, " · "), GeneratedAt: s.Now().In(s.Paris)}
	sections := map[domain.Subject]*documents.BrochureSection{}
	formations := map[int64]*documents.BrochureFormation{}
	var order []int64
	for _, e := range ix.All() {
		f := e.Formation
		bf, ok := formations[f.ID]
		if !ok {
			bf = &documents.BrochureFormation{Title: f.Title, Level: p.T("level." + string(f.Level)),
				Evaluation: p.T("evaluation." + string(f.Evaluation)), Prerequisites: f.Prerequisites,
				Description: f.Description}
			if f.Diploma {
				bf.Diploma = f.DiplomaName
			}
			formations[f.ID] = bf
			order = append(order, f.ID)
		}
		bf.Courses = append(bf.Courses, documents.BrochureCourse{
			Code: e.Code, Establishment: e.Establishment.Name, District: pg.District(e.Establishment.District),
			Address: e.Establishment.Address, Weekday: weekdayName(p, e), Hours: hours(e), Session: e.Session.Name,
			Trainer: e.Trainer, Price: views.Money(e.PriceCents), ReducedPrice: views.Money(e.ReducedCents),
			Remote: e.RemoteNow, PlacesLeft: e.PlacesLeft(),
		})
	}
	for _, id := range order {
		f, _ := ix.Formation(id)
		sub := f.Subject
		sec, ok := sections[sub]
		if !ok {
			sec = &documents.BrochureSection{Subject: p.T("subject." + string(sub))}
			sections[sub] = sec
		}
		sec.Formations = append(sec.Formations, *formations[id])
	}
	for _, sub := range domain.Subjects {
		if sec, ok := sections[sub]; ok {
			b.Sections = append(b.Sections, *sec)
		}
	}
	return b
}

func (s *Server) brochurePage(w http.ResponseWriter, r *http.Request) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	pg := s.page(r, "brochure.title")
	s.render(w, r, http.StatusOK, views.Brochure(pg, s.brochureData(pg, ix)))
}

// brochurePDF serves the printable brochure. It is built once per catalogue
// revision and language, then served from memory.
func (s *Server) brochurePDF(w http.ResponseWriter, r *http.Request) {
	ix := s.index(w, r)
	if ix == nil {
		return
	}
	pg := s.page(r, "brochure.title")
	key := brochureKey{revision: ix.Revision, lang: pg.P.Lang}
	s.brochureMu.Lock()
	defer s.brochureMu.Unlock()
	pdf, ok := s.brochure[key]
	if !ok {
		var buf bytes.Buffer
		if err := documents.WriteBrochurePDF(&buf, *s.brochureData(pg, ix)); err != nil {
			s.serverError(w, r, err)
			return
		}
		pdf = buf.Bytes()
		for k := range s.brochure {
			if k.revision != key.revision {
				delete(s.brochure, k) // keep only the current revision
			}
		}
		s.brochure[key] = pdf
	}
	name := "brochure-cours-adultes.pdf"
	if pg.P.Lang == i18n.English {
		name = "adult-courses-brochure.pdf"
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Write(pdf)
}
