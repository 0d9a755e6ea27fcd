package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns the whole site. Cross-origin protection is outermost so that no
// state-changing request from another site reaches a handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.instrument(pattern, h)) }

	page("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/catalogue", http.StatusSeeOther)
	})
	page("GET /catalogue", s.searchPage)
	page("GET /catalogue/cours/{id}", s.coursePage)
	page("GET /catalogue/cours/{id}/seances.ics", s.courseICS)
	page("GET /catalogue/brochure", s.brochurePage)
	page("GET /catalogue/brochure.pdf", s.brochurePDF)
	page("POST /langue", s.switchLanguage)
	page("GET "+s.cssURL, s.serveCSS)

	page("GET /api/v1/openapi.yaml", s.openAPI)
	page("GET /api/v1/sessions", s.apiSessions)
	page("GET /api/v1/formations", s.apiFormations)
	page("GET /api/v1/courses", s.apiCourses)
	page("GET /api/v1/courses/{id}", s.apiCourse)
	page("/api/", s.apiNotFound)

	page("GET /healthz", s.healthz)
	page("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	page("/", s.notFound)

	var h http.Handler = mux
	h = s.recoverPanics(h)
	h = s.securityHeaders(h)
	h = http.NewCrossOriginProtection().Handler(h)
	return h
}
