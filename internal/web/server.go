// Package web serves the platform over HTTP. It owns the routes (routes.go),
// each with its access rule checked by domain.Can (access.go, walked by the
// permission-matrix test); sessions and signing in, through the city's
// sign-on or a staff password with a second factor (session.go, signin.go);
// the candidate's pages: profile, basket and validation, candidatures and kept
// emails; the back office: home, people search and files, identity
// corrections, probable duplicates, audit trail, assisted registration, the
// staff pages of establishments, formations and courses, and the candidature
// lists with their CSV and XLSX exports; the public catalogue, course pages
// and brochure; the JSON API under /api/v1; health and metrics.
//
// Handlers are short: a form type reads the request (forms.go), a capability
// service (accounts, candidature, catalogue) does the work and checks the
// permission again, a templ view in web/views shows the answer, and
// responses.go writes every error response. The package does not import the
// store: the session manager's store is the one thing passed in (Deps.Sessions).
package web

import (
	"cma/internal/attendance"
	"cma/internal/evaluation"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"cma/internal/accounts"
	"cma/internal/auth"
	"cma/internal/auth/websession"
	"cma/internal/candidature"
	"cma/internal/catalogue"
	"cma/internal/i18n"
	"cma/internal/outbox"
	"cma/internal/payment"
	"cma/internal/selection"
	"cma/internal/waitlist"
)

//go:embed static
var static embed.FS

// Pinger checks that the database answers (for /readyz).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps is what the web layer needs; app wires it.
type Deps struct {
	Catalogue *catalogue.Service
	// CatalogueAdmin is the set-up of a school year (ROLE-5) and the
	// directors' staffing of their courses (ROLE-3).
	CatalogueAdmin *catalogue.Admin
	// Selection runs the selection of a session: sittings, results, runs,
	// publishing, explanations (SEL-1..3, SEL-5, PER-1).
	Selection *selection.Service
	// Waitlist moves the waiting lists after a published selection: offers
	// of freed seats, their answers, places given up (SEL-4, SEL-5).
	Waitlist *waitlist.Service
	// Payment confirms enrolments and takes the fees: online through PayFiP,
	// at the desk (PAY-1..6, CAN-9).
	Payment *payment.Service
	// Attendance keeps the registers of class meetings and the learners'
	// attendance (ATT-1..3).
	Attendance *attendance.Service
	// Evaluation runs the end-of-course evaluations and the certificates
	// of competences (CER-1, CER-2).
	Evaluation *evaluation.Service
	// ChequePayee is who cheques are payable to, on the desk's form (PAY-2).
	ChequePayee string
	// PayFiPSimulator is PayFiP's development simulator, demo mode only.
	PayFiPSimulator http.Handler
	Accounts        *accounts.Service
	Candidatures    *candidature.Service
	Mail            *outbox.Desk     // the central service's outbox page (CON-2)
	Providers       []*auth.Provider // the sign-ons people may use ("Mon Paris", FranceConnect…), first is the main one
	DevIDP          http.Handler     // the development identity provider, demo mode only
	MailSink        http.Handler     // the development mail sink's pages, demo mode only
	Words           *i18n.Catalog
	DB              Pinger
	Log             *slog.Logger
	Paris           *time.Location
	Now             func() time.Time
	// DemoClock: Now is the demo clock (serve --demo --demo-now), shifted from
	// the real time; every page says so in a banner, so nobody mistakes it.
	DemoClock bool
	Version   string
	Secure    bool // served over TLS: send HSTS and Secure cookies
	// PublicURL is the address people reach the platform at, without a
	// trailing slash: the sign-out comes back to PublicURL + "/catalogue".
	PublicURL string

	Sessions        websession.Store    // where web sessions are kept
	SessionTimeouts websession.Timeouts // idle and absolute lifetimes; zero fields take the defaults
	// TrustedProxies are the load balancers whose X-Forwarded-For is believed
	// (clientaddr.go); none: the connection's address is the client's.
	TrustedProxies []netip.Prefix
	Timeouts       Timeouts
	// Metrics are more collectors served at /metrics (the email worker's).
	Metrics []prometheus.Collector
}

// Timeouts bound how long a request may hold a connection. A zero field takes
// its value in defaultTimeouts.
type Timeouts struct {
	ReadHeader time.Duration // the request line and headers: a slow client cannot hold connections (slowloris)
	Read       time.Duration // a whole request, body included, on routes that take no file
	Upload     time.Duration // a whole request on routes that take a file (the proof of the validation form)
	Write      time.Duration // the answer, counted from the end of the headers (of the body, on upload routes)
	Idle       time.Duration // a kept-alive connection between requests
}

// defaultTimeouts are the platform's. Upload lets a 5 MB proof come at
// 150 kbit/s (a weak mobile connection); the other routes read a few
// kilobytes and keep a short timeout.
var defaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Upload: 5 * time.Minute,
	Write: 60 * time.Second, Idle: 120 * time.Second}

func (t Timeouts) withDefaults() Timeouts {
	or := func(d, def time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return def
	}
	return Timeouts{ReadHeader: or(t.ReadHeader, defaultTimeouts.ReadHeader), Read: or(t.Read, defaultTimeouts.Read),
		Upload: or(t.Upload, defaultTimeouts.Upload), Write: or(t.Write, defaultTimeouts.Write), Idle: or(t.Idle, defaultTimeouts.Idle)}
}

// Server holds the handlers' dependencies.
type Server struct {
	Deps
	css      []byte
	cssURL   string
	registry *prometheus.Registry
	metrics  *metrics
	sessions *websession.Manager
	csp      string
	routes   []RouteInfo
	// Sign-in attempts: per client address, and per email for staff passwords.
	signInByIP    *auth.Limiter
	signInByEmail *auth.Limiter

	faviconICO []byte // /favicon.ico, drawn at start (info.go)

	brochureMu sync.Mutex
	brochure   map[brochureKey][]byte
}

type brochureKey struct {
	revision int64
	lang     i18n.Lang
}

// New builds the server. It fails only if the embedded assets are missing.
func New(d Deps) (*Server, error) {
	css, err := static.ReadFile("static/app.css")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	d.Timeouts = d.Timeouts.withDefaults()
	s := &Server{Deps: d, css: css, cssURL: "/static/app." + hex.EncodeToString(sum[:6]) + ".css",
		registry: prometheus.NewRegistry(), brochure: map[brochureKey][]byte{}, faviconICO: faviconICO()}
	s.metrics = newMetrics(s.registry)
	s.registry.MustRegister(d.Metrics...)
	var origins []string
	for _, p := range d.Providers {
		if u, err := url.Parse(p.Issuer()); err == nil && u.Host != "" {
			origins = append(origins, u.Scheme+"://"+u.Host)
		}
	}
	s.csp = contentSecurityPolicy(origins)
	s.sessions = websession.New(d.Sessions, d.Secure, d.SessionTimeouts)
	s.sessions.ErrorFunc = s.serverError                // a session that cannot be read or saved: logged, French error page
	s.signInByIP = auth.NewLimiter(1, 20, d.Now)        // 20 at once, then one a second
	s.signInByEmail = auth.NewLimiter(1.0/30, 5, d.Now) // 5 at once, then one every 30 s
	return s, nil
}

// MetricsHandler serves the Prometheus metrics. It is not on the public
// router: app serves it on its own address (--metrics-addr, loopback by default).
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

// HTTPServer is the site with its timeouts, ready to serve.
func (s *Server) HTTPServer() *http.Server {
	t := s.Timeouts
	return &http.Server{Handler: s.Handler(), ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read,
		WriteTimeout: t.Write, IdleTimeout: t.Idle, ErrorLog: slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn)}
}

func (s *Server) serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(s.css)
}
