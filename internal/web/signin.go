package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cma/internal/accounts"
	"cma/internal/auth"
	"cma/internal/auth/websession"
	"cma/internal/domain"
	"cma/internal/web/views"
)

// clientIP is the address sign-in limits are counted on: the client's as
// resolveClient found it (behind the city's load balancer, from its
// X-Forwarded-For), or the connection's.
func clientIP(r *http.Request) string {
	if addr, ok := r.Context().Value(clientKey{}).(string); ok {
		return addr
	}
	return clientAddress(r.RemoteAddr, nil, nil)
}

// limited answers 429 with a French message when the key is over its limit.
func (s *Server) limited(w http.ResponseWriter, r *http.Request, l *auth.Limiter, key string) bool {
	ok, retry := l.Allow(key)
	if ok {
		return false
	}
	s.Log.Warn("security: sign-in rate limited", "event", "rate_limited", "client", clientIP(r))
	s.tooManySignIns(w, r, retry)
	return true
}

func (s *Server) signInView(r *http.Request, ret, errMsg string) *views.SignInView {
	v := &views.SignInView{Return: ret, Error: errMsg}
	for i, p := range s.Providers {
		v.Providers = append(v.Providers, views.ProviderButton{Key: strconv.Itoa(i), Name: p.Name(), ForgotURL: p.ForgotPasswordURL()})
	}
	return v
}

// provider finds a sign-on by its key on the sign-in page (its position).
func (s *Server) provider(key string) (*auth.Provider, string, bool) {
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || i >= len(s.Providers) {
		return nil, "", false
	}
	return s.Providers[i], key, true
}

// signInPage offers the city's sign-on to candidates and a password form to staff.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	ret := safeReturn(r.URL.Query().Get("retour"), "")
	if u := currentUser(r); u != nil {
		http.Redirect(w, r, safeReturn(ret, homeOf(u.Account)), http.StatusSeeOther)
		return
	}
	pg := s.page(r, "signin.title")
	v := s.signInView(r, ret, "")
	if _, kept := s.keptFormOf(r); kept {
		v.Notice = pg.T("kept.signin")
	}
	s.render(w, r, http.StatusOK, views.SignIn(pg, v))
}

// signInWithProvider starts the OpenID Connect flow: state, nonce and PKCE
// verifier go into the session, and the browser goes to the provider. The
// route counts the attempt per client address (signInForm).
func (s *Server) signInWithProvider(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "signin.title")
	ret := safeReturn(r.PostFormValue("retour"), "")
	choice := r.PostFormValue("fournisseur")
	if choice == "" {
		choice = "0" // the main sign-on
	}
	provider, key, ok := s.provider(choice)
	if !ok {
		s.render(w, r, http.StatusServiceUnavailable, views.SignIn(pg, s.signInView(r, ret, pg.T("signin.provider.none"))))
		return
	}
	ar, err := auth.NewAuthRequest()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	target, err := provider.AuthCodeURL(r.Context(), ar)
	if err != nil {
		msgID := "signin.error.down"
		if s.logConfigProblem(provider, err) {
			msgID = "signin.error.issuer"
		} else {
			s.Log.Warn("security: identity provider unreachable", "event", "provider_down", "error", err)
		}
		s.render(w, r, http.StatusServiceUnavailable, views.SignIn(pg, s.signInView(r, ret,
			pg.T(msgID, map[string]any{"Provider": provider.Name()}))))
		return
	}
	ctx := r.Context()
	s.sessions.Put(ctx, keyAuthProvider, key)
	s.sessions.Put(ctx, keyAuthState, ar.State)
	s.sessions.Put(ctx, keyAuthNonce, ar.Nonce)
	s.sessions.Put(ctx, keyAuthVerifier, ar.Verifier)
	s.sessions.Put(ctx, keyReturn, ret)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// providerCallback finishes the flow: the state must be the one this browser
// was given, the code is exchanged with the PKCE verifier, the ID token checked
// (signature, issuer, audience, expiry, nonce), then the account found or
// created (ACC-3). Each attempt's values are used once.
func (s *Server) providerCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar := auth.AuthRequest{State: s.sessions.PopString(ctx, keyAuthState), Nonce: s.sessions.PopString(ctx, keyAuthNonce),
		Verifier: s.sessions.PopString(ctx, keyAuthVerifier)}
	ret := s.sessions.PopString(ctx, keyReturn)
	provider, providerKey, known := s.provider(s.sessions.PopString(ctx, keyAuthProvider))
	q := r.URL.Query()
	fail := func(status int, event, msgID string) {
		s.Log.Warn("security: sign-in refused", "event", event)
		pg := s.page(r, "signin.title")
		name := ""
		if provider != nil {
			name = provider.Name()
		}
		s.render(w, r, status, views.SignIn(pg, s.signInView(r, ret, pg.T(msgID, map[string]any{"Provider": name}))))
	}
	switch {
	case !known && ar.State == "":
		fail(http.StatusBadRequest, "bad_state", "signin.error.state")
		return
	case !known:
		fail(http.StatusServiceUnavailable, "no_provider", "signin.provider.none")
		return
	case ar.State == "" || !auth.StateMatches(q.Get("state"), ar.State):
		fail(http.StatusBadRequest, "bad_state", "signin.error.state")
		return
	case q.Get("error") != "":
		code := q.Get("error")
		s.Log.Warn("security: the identity provider answered an error", "event", "provider_error", "issuer", provider.Issuer(),
			"error", auth.Sanitize(code, 64), "error_description", auth.Sanitize(q.Get("error_description"), 300))
		fail(http.StatusBadRequest, "provider_error", callbackErrorMessage(code))
		return
	case q.Get("code") == "":
		fail(http.StatusBadRequest, "no_code", "signin.error.state")
		return
	}
	id, err := provider.Exchange(ctx, q.Get("code"), ar)
	config := err != nil && s.logConfigProblem(provider, err)
	if err != nil && !config {
		s.Log.Warn("security: code exchange failed", "event", "exchange_failed", "error", err)
	}
	switch {
	case errors.Is(err, auth.ErrIssuerMismatch):
		fail(http.StatusServiceUnavailable, "issuer_mismatch", "signin.error.issuer")
		return
	case config:
		fail(http.StatusServiceUnavailable, "signon_config", "signin.error.config")
		return
	case errors.Is(err, auth.ErrProviderFailed):
		fail(http.StatusBadGateway, "provider_failed", "signin.error.failed")
		return
	case errors.Is(err, auth.ErrProviderDown):
		fail(http.StatusServiceUnavailable, "provider_down", "signin.error.down")
		return
	case errors.Is(err, auth.ErrBadCode):
		fail(http.StatusBadRequest, "bad_code", "signin.error.code")
		return
	case errors.Is(err, auth.ErrNoEmail):
		fail(http.StatusBadRequest, "no_email", "signin.error.email")
		return
	case err != nil: // bad token, bad nonce, anything else
		fail(http.StatusBadRequest, "bad_token", "signin.error.token")
		return
	}
	acc, err := s.Accounts.SignIn(ctx, accounts.Identity{Issuer: id.Issuer, Subject: id.Subject, Email: id.Email,
		EmailVerified: id.EmailVerified, FirstName: id.GivenName, LastName: id.FamilyName, BirthDate: id.Birthdate})
	if errors.Is(err, accounts.ErrDisabled) {
		fail(http.StatusForbidden, "disabled", "signin.error.disabled")
		return
	}
	if errors.Is(err, accounts.ErrStaffSignInHeld) || errors.Is(err, accounts.ErrStaffSignInRefused) {
		s.staffSignInHeld(w, r, err, provider.Name(), id.Email) // no account made (signon.go)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.completeSignIn(w, r, acc, "oidc", safeReturn(ret, homeOf(acc)), websession.SignOnSession{Provider: providerKey,
		SignOn: domain.SignOn{Issuer: id.Issuer, Subject: id.Subject, SID: id.Session.SID}, IDToken: id.Session.IDToken})
}

// callbackErrorMessage is what a person is told when the provider sends them
// back with an error (OpenID Connect Core 1.0 §3.1.2.6).
func callbackErrorMessage(code string) string {
	switch code {
	case "access_denied":
		return "signin.error.cancelled"
	case "login_required", "consent_required", "interaction_required", "account_selection_required":
		return "signin.error.again"
	default:
		return "signin.error.refused"
	}
}

// logConfigProblem logs, at error level, a sign-in failure that is the
// platform's or the provider's configuration and not the person's: a token
// signed with an algorithm the setting does not allow, an issuer that is not
// the one the provider publishes, a client registration the token endpoint
// refuses. It reports whether err was one.
func (s *Server) logConfigProblem(p *auth.Provider, err error) bool {
	var alg *auth.AlgorithmError
	var iss *auth.IssuerMismatchError
	switch {
	case errors.As(err, &alg):
		s.Log.Error("sign-on: token signed with an algorithm that is not allowed", "event", "signon_config", "issuer", p.Issuer(),
			"algorithm", alg.Alg, "allowed", strings.Join(alg.Allowed, ","), "setting", alg.Setting, "error", err)
	case errors.As(err, &iss):
		s.Log.Error("sign-on: issuer mismatch at discovery", "event", "signon_config", "configured_issuer", iss.Configured,
			"published_issuer", iss.Published, "error", err)
	case errors.Is(err, auth.ErrClientRefused):
		s.Log.Error("sign-on: the token endpoint refused the platform's client registration (client ID, secret or client auth setting)",
			"event", "signon_config", "issuer", p.Issuer(), "error", err)
	default:
		return false
	}
	return true
}

func (s *Server) staffSignInPage(w http.ResponseWriter, r *http.Request) {
	pg := s.page(r, "signin.staff.title")
	s.render(w, r, http.StatusOK, views.StaffSignIn(pg, &views.StaffSignInView{Return: safeReturn(r.URL.Query().Get("retour"), ""),
		ErrFor: map[string]string{}}))
}

// staffSignIn checks a staff password; the central service then gives its
// second factor. The route counts the attempt per client address before the
// body is read (signInForm); here it is counted per email.
func (s *Server) staffSignIn(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	if s.limited(w, r, s.signInByEmail, "email:"+email) {
		return
	}
	pg := s.page(r, "signin.staff.title")
	ret := safeReturn(r.PostFormValue("retour"), "")
	v := &views.StaffSignInView{Email: email, Return: ret, ErrFor: map[string]string{}}
	refuse := func(status int, event, field, msgID string) {
		s.Log.Warn("security: staff sign-in refused", "event", event)
		msg := pg.T(msgID)
		v.Errors = append(v.Errors, views.FieldMessage{Field: field, Message: msg})
		v.ErrFor[field] = msg
		s.render(w, r, status, views.StaffSignIn(pg, v))
	}
	if email == "" || r.PostFormValue("motdepasse") == "" {
		refuse(http.StatusBadRequest, "empty_form", "email", "signin.error.empty")
		return
	}
	acc, needsCode, err := s.Accounts.PasswordSignIn(r.Context(), email, r.PostFormValue("motdepasse"))
	switch {
	case errors.Is(err, accounts.ErrBadCredentials):
		refuse(http.StatusUnauthorized, "bad_password", "email", "signin.error.password")
		return
	case errors.Is(err, accounts.ErrDisabled):
		refuse(http.StatusForbidden, "disabled", "email", "signin.error.disabled")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if needsCode {
		if err := s.sessions.RenewToken(r.Context()); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.sessions.Put(r.Context(), keyPending2FA, acc.ID)
		s.sessions.Put(r.Context(), keyReturn, ret)
		http.Redirect(w, r, "/connexion/personnel/code", http.StatusSeeOther)
		return
	}
	s.completeSignIn(w, r, acc, "password", safeReturn(ret, "/back-office"))
}

func (s *Server) secondFactorPage(w http.ResponseWriter, r *http.Request) {
	if s.sessions.GetInt64(r.Context(), keyPending2FA) == 0 {
		http.Redirect(w, r, "/connexion/personnel", http.StatusSeeOther)
		return
	}
	pg := s.page(r, "signin.code.title")
	s.render(w, r, http.StatusOK, views.SecondFactor(pg, &views.SecondFactorView{ErrFor: map[string]string{}}))
}

// secondFactor checks the TOTP code of a password sign-in (ROLE-5).
func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request) {
	id := s.sessions.GetInt64(r.Context(), keyPending2FA)
	if id == 0 {
		http.Redirect(w, r, "/connexion/personnel", http.StatusSeeOther)
		return
	}
	if s.limited(w, r, s.signInByEmail, "code:"+itoa64(id)) {
		return
	}
	acc, err := s.Accounts.VerifySecondFactor(r.Context(), id, r.PostFormValue("code"))
	if errors.Is(err, accounts.ErrSecondFactor) {
		s.Log.Warn("security: second factor refused", "event", "bad_code", "account", id)
		pg := s.page(r, "signin.code.title")
		msg := pg.T("signin.error.code2")
		s.render(w, r, http.StatusUnauthorized, views.SecondFactor(pg, &views.SecondFactorView{
			Errors: []views.FieldMessage{{Field: "code", Message: msg}}, ErrFor: map[string]string{"code": msg}}))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.completeSignIn(w, r, acc, "password+totp", safeReturn(s.sessions.PopString(r.Context(), keyReturn), "/back-office"))
}

// completeSignIn opens the authenticated session, bound to the sign-on
// session it comes from if any, and goes on to target.
func (s *Server) completeSignIn(w http.ResponseWriter, r *http.Request, acc domain.Account, method, target string, signOn ...websession.SignOnSession) {
	if err := s.signInAs(r.Context(), acc); err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, so := range signOn {
		s.sessions.BindSignOn(r.Context(), so)
	}
	s.Log.Info("security: signed in", "event", "signin", "account", acc.ID, "method", method, "client", clientIP(r))
	http.Redirect(w, r, s.afterSignIn(r, acc.ID, target), http.StatusSeeOther)
}

// signOut ends this session, then the sign-on session it came from: the
// browser goes to the provider's end_session_endpoint (OpenID Connect
// RP-Initiated Logout 1.0) with the ID token as hint, and comes back to the
// catalogue. Without one, it goes to the catalogue straight away.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if u := currentUser(r); u != nil {
		s.Log.Info("security: signed out", "event", "signout", "account", u.Account.ID)
	}
	so, bound := s.sessions.SignOn(ctx)
	if err := s.sessions.Destroy(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if p, _, ok := s.provider(so.Provider); bound && ok && p.Issuer() == so.Issuer {
		state, err := auth.NewAuthRequest()
		if err == nil {
			if target, ok := p.EndSessionURL(ctx, so.IDToken, s.PublicURL+"/catalogue", state.State); ok {
				http.Redirect(w, r, target, http.StatusSeeOther)
				return
			}
		}
	}
	http.Redirect(w, r, "/catalogue", http.StatusSeeOther)
}

// signOutEverywhere ends every session of the account, on every device.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if err := s.Accounts.SignOutEverywhere(r.Context(), u.Account.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.Log.Info("security: signed out everywhere", "event", "signout_everywhere", "account", u.Account.ID)
	r = r.WithContext(withoutUser(r.Context()))
	pg := s.page(r, "signin.title")
	s.render(w, r, http.StatusOK, views.Message(pg, pg.T("signout.everywhere.done")))
}
