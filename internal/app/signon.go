package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"cma/internal/accounts"
	"cma/internal/auth"
	"cma/internal/auth/devidp"
	"cma/internal/catalogue"
	"cma/internal/config"
	"cma/internal/demo"
	"cma/internal/domain"
	"cma/internal/store"
)

// callbackPath is where the sign-on sends people back (registered at the provider).
const callbackPath = "/connexion/retour"

// providerLogoutPath is where a sign-on tells the platform that a person
// signed out there: back-channel (POST) and front-channel (GET) logout,
// registered at the provider (web/providerlogout.go).
const providerLogoutPath = "/connexion/deconnexion-fournisseur"

// signOn builds the city's sign-on client from the configuration. In demo mode
// without a configured issuer it starts the development provider inside the
// binary, under /dev-idp, and signs in through it with the real protocol.
// The settings were validated (config.Validate).
func signOn(cfg *config.Config, publicURL string, log *slog.Logger) ([]*auth.Provider, http.Handler, error) {
	var providers []*auth.Provider
	var devIDP http.Handler
	switch {
	case cfg.OIDCIssuer != "":
		algs, err := auth.ParseSigningAlgs(cfg.OIDCSigningAlgs)
		if err != nil {
			return nil, nil, fmt.Errorf("--oidc-signing-algs: %w", err)
		}
		providers = append(providers, auth.NewProvider(auth.ProviderConfig{Name: cfg.OIDCName, Issuer: cfg.OIDCIssuer,
			ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret, RedirectURL: publicURL + callbackPath,
			ForgotPasswordURL: cfg.OIDCForgotURL, SigningAlgs: algs, ClientAuth: cfg.OIDCClientAuth, Log: log,
			SigningAlgsSetting: "--oidc-signing-algs (CMA_OIDC_SIGNING_ALGS)"}))
	case cfg.Demo:
		p, h, err := demoSignOn(cfg, publicURL, log)
		if err != nil {
			return nil, nil, err
		}
		providers, devIDP = append(providers, p), h
	}
	for _, m := range cfg.MoreOIDC {
		algs, err := auth.ParseSigningAlgs(m.SigningAlgs)
		if err != nil {
			return nil, nil, fmt.Errorf("CMA_OIDC_%s_SIGNING_ALGS: %w", m.Key, err)
		}
		providers = append(providers, auth.NewProvider(auth.ProviderConfig{Name: m.Name, Issuer: m.Issuer, ClientID: m.ClientID,
			ClientSecret: m.ClientSecret, RedirectURL: publicURL + callbackPath, ForgotPasswordURL: m.ForgotURL,
			SigningAlgs: algs, ClientAuth: m.ClientAuth, Log: log, SigningAlgsSetting: "CMA_OIDC_" + m.Key + "_SIGNING_ALGS"}))
	}
	return providers, devIDP, nil
}

// devIDPPath is where the development identity provider is served: its issuer
// is the public URL with it.
const devIDPPath = "/dev-idp"

// demoSignOn starts the development identity provider and its client. It is
// set up as LemonLDAP::NG is by default, so that the demo takes the paths a
// city's provider makes it take: ID tokens signed with HS512 and the client
// secret (a secret with + / =), the claims at UserInfo only, a sid, and
// back-channel logout to the platform.
func demoSignOn(cfg *config.Config, publicURL string, log *slog.Logger) (*auth.Provider, http.Handler, error) {
	secret := make([]byte, 48) // 64 characters: what RFC 7518 asks for HS512
	if _, err := rand.Read(secret); err != nil {
		return nil, nil, fmt.Errorf("demo sign-on secret: %w", err)
	}
	client := devidp.Client{ID: "cma-demo", Secret: base64.StdEncoding.EncodeToString(secret),
		RedirectURIs: []string{publicURL + callbackPath}, PostLogoutRedirectURIs: []string{publicURL + "/catalogue"},
		BackchannelLogoutURI: publicURL + providerLogoutPath}
	idp, err := devidp.New(devidp.Config{Issuer: publicURL + devIDPPath, Clients: []devidp.Client{client},
		Personas: devidp.DemoPersonas(), SigningAlg: "HS512", ClaimsAtUserInfoOnly: true}) // tokens on the real clock: the relying party checks them against it
	if err != nil {
		return nil, nil, fmt.Errorf("development identity provider: %w", err)
	}
	name := cfg.OIDCName + " (démo)"
	algs, err := auth.ParseSigningAlgs(cfg.OIDCSigningAlgs)
	if err != nil {
		return nil, nil, fmt.Errorf("--oidc-signing-algs: %w", err)
	}
	p := auth.NewProvider(auth.ProviderConfig{Name: name, Issuer: idp.Issuer(), ClientID: client.ID, ClientSecret: client.Secret,
		RedirectURL: publicURL + callbackPath, ForgotPasswordURL: idp.ForgotPasswordURL(), SigningAlgs: algs,
		ClientAuth: cfg.OIDCClientAuth, Log: log})
	return p, idp.Handler(), nil
}

// seedDemoStaff creates the staff accounts of the development provider's staff
// personas, with grants on real demo establishments, formations and courses.
// They sign in through the provider; the account is matched by email at their
// first sign-in (held for the central service when the persona's email is not
// verified). Existing accounts are left alone.
func seedDemoStaff(ctx context.Context, svc *accounts.Service, st *store.Store, ix *catalogue.Index) error {
	if ix.Len() == 0 {
		return nil
	}
	var est domain.Establishment
	for _, e := range ix.Establishments {
		if est.ID == 0 || strings.Contains(e.Name, "Voltaire") {
			est = e
		}
		if strings.Contains(e.Name, "Voltaire") {
			break
		}
	}
	var first *catalogue.Entry
	for _, e := range ix.All() {
		if e.EstablishmentID == est.ID {
			first = e
			break
		}
	}
	if first == nil {
		first = ix.All()[0]
	}
	// The coordinator coordinates a formation of the establishment with an
	// anticipated test in the 2nd semester, the session the demo's personas
	// close, test and run from the back office (SEL-2, ROLE-4).
	coordinated := first
	for _, e := range ix.All() {
		if e.EstablishmentID == est.ID && e.Session.Code == demo.SessionSemester2Code &&
			e.Formation.Evaluation == domain.EvaluationAnticipatedTest {
			coordinated = e
			break
		}
	}
	for _, p := range devidp.DemoPersonas() {
		role, ok := strings.CutPrefix(p.Subject, "demo-staff-")
		if !ok {
			continue
		}
		role, _, _ = strings.Cut(role, "-") // demo-staff-<role>-<variant>
		g := domain.Grant{Role: domain.Role(role)}
		switch g.Role {
		case domain.RoleDirector:
			g.EstablishmentID = est.ID
		case domain.RoleCoordinator:
			g.FormationID = coordinated.FormationID
		case domain.RoleTrainer:
			g.CourseID = coordinated.ID // a course the coordinator coordinates
		}
		if !g.Role.Valid() {
			return fmt.Errorf("persona %s: unknown role %q", p.Subject, role)
		}
		if _, err := st.StaffByEmail(ctx, nil, p.Email); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		first, last := p.GivenName, p.FamilyName
		if !p.EmailVerified {
			// Created as `cma user add` does without names: the names come
			// from the provider's claims once the central service links the
			// sign-in (ACC-3).
			first, last = "", ""
		}
		if _, _, err := svc.AddStaff(ctx, accounts.NewStaff{Email: p.Email, FirstName: first, LastName: last,
			Grants: []domain.Grant{g}}); err != nil {
			return err
		}
	}
	return nil
}

// cleanSessions deletes expired sessions every ten minutes until ctx ends.
func cleanSessions(ctx context.Context, st *store.Store, log *slog.Logger, now func() time.Time) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := st.Sessions().DeleteExpiredSessions(ctx, now()); err != nil {
				log.Warn("clean sessions", "error", err)
			} else if n > 0 {
				log.Info("expired sessions deleted", "count", n)
			}
		}
	}
}
