package web

import (
	"net/http"
	"strconv"
	"strings"

	"cma/internal/domain"
)

// access says who may reach a route. Every route is registered with one, and
// the permission matrix test walks them all: a route cannot forget its check.
type access struct {
	public   bool          // anyone, signed in or not
	signedIn bool          // any signed-in account, acting on its own data (ROLE-1)
	action   domain.Action // otherwise: domain.Can(actor, action, resource)
	resource func(s *Server, r *http.Request) (domain.Resource, bool)
	// token: the staff API, authenticated by a personal access token only
	// (api_staff.go); a web session does not open it.
	token bool
}

var (
	public   = access{public: true}
	signedIn = access{signedIn: true}
)

// can is an access checked with domain.Can; resource nil means no particular
// resource (a list, a search).
func can(act domain.Action, resource func(s *Server, r *http.Request) (domain.Resource, bool)) access {
	return access{action: act, resource: resource}
}

// apiCan is can for the staff API: the request carries a personal access
// token whose scope allows its method, and the token's owner may act.
func apiCan(act domain.Action, resource func(s *Server, r *http.Request) (domain.Resource, bool)) access {
	return access{action: act, resource: resource, token: true}
}

// RouteInfo describes a registered route, for the permission matrix test.
type RouteInfo struct {
	Pattern  string
	Public   bool
	SignedIn bool
	Token    bool // a personal access token is required (the staff API)
	Action   domain.Action
}

// Routes lists every route with its access rule.
func (s *Server) Routes() []RouteInfo { return s.routes }

// handle registers a route with its access rule, instrumentation, the check
// itself and its input. The check comes first, so that a request refused
// has none of its body read.
func (s *Server) handle(mux *http.ServeMux, pattern string, a access, in input, h http.HandlerFunc) {
	s.routes = append(s.routes, RouteInfo{Pattern: pattern, Public: a.public, SignedIn: a.signedIn, Token: a.token, Action: a.action})
	guarded := s.readInput(in, h)
	if a.token {
		guarded = s.tokenGuard(pattern, a, guarded)
	} else if !a.public {
		guarded = s.guard(pattern, a, guarded)
	}
	mux.Handle(pattern, s.instrument(pattern, guarded))
}

func (s *Server) guard(pattern string, a access, h http.Handler) http.Handler {
	api := strings.Contains(pattern, "/api/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r)
		if u == nil {
			s.needSignIn(w, r, api)
			return
		}
		if r.Method == http.MethodPost {
			s.keptFormSent(r)
		}
		if a.signedIn {
			h.ServeHTTP(w, r)
			return
		}
		res := domain.Resource{}
		if a.resource != nil {
			var found bool
			if res, found = a.resource(s, r); !found {
				if api {
					s.apiNotFound(w, r)
				} else {
					s.notFound(w, r)
				}
				return
			}
		}
		if !domain.Can(u.Actor, a.action, res) {
			s.Log.Warn("security: access refused", "event", "forbidden", "account", u.Account.ID, "route", pattern)
			s.forbidden(w, r, api)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// pathID reads a positive numeric path segment.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// Resource resolvers: they read the ID in the path and find what the
// permission depends on (a course's establishment and formation).

func personResource(s *Server, r *http.Request) (domain.Resource, bool) {
	id, ok := pathID(r, "id")
	return domain.Resource{AccountID: id}, ok
}

func establishmentResource(s *Server, r *http.Request) (domain.Resource, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		return domain.Resource{}, false
	}
	ix, err := s.Catalogue.Index(r.Context())
	if ix == nil {
		s.Log.Error("catalogue unavailable", "error", err)
		return domain.Resource{}, false
	}
	if _, ok := ix.Establishment(id); !ok {
		return domain.Resource{}, false
	}
	return domain.Resource{EstablishmentID: id}, true
}

func formationResource(s *Server, r *http.Request) (domain.Resource, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		return domain.Resource{}, false
	}
	ix, _ := s.Catalogue.Index(r.Context())
	if ix == nil {
		return domain.Resource{}, false
	}
	if _, ok := ix.Formation(id); !ok {
		return domain.Resource{}, false
	}
	return domain.Resource{FormationID: id}, true
}

func courseResource(s *Server, r *http.Request) (domain.Resource, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		return domain.Resource{}, false
	}
	ix, _ := s.Catalogue.Index(r.Context())
	if ix == nil {
		return domain.Resource{}, false
	}
	e, found := ix.Course(id)
	if !found {
		return domain.Resource{}, false
	}
	return domain.Resource{CourseID: e.ID, EstablishmentID: e.EstablishmentID, FormationID: e.FormationID}, true
}
