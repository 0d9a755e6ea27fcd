package devidp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Paths of protocol endpoints the development provider serves itself rather
// than through the op package, relative to the issuer.
const (
	EndSessionPath = "/end_session"
	TokenPath      = "/oauth/token"
)

// backchannelLogoutEvent is the logout token's event (Back-Channel Logout 1.0 §2.4).
const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// endSession is the RP-Initiated Logout 1.0 endpoint. The id_token_hint, when
// given, must be an ID token this provider signed (expired ones are fine);
// client_id, when given too, must be its audience. post_logout_redirect_uri
// must be registered for that client, or the person stays on the provider's
// "signed out" page. The sign-on session the hint names ends, and every
// client that signed in through it and registered a back-channel logout URI
// receives a logout token before the person is sent back.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.renderError(w, r, "La demande de déconnexion est illisible.")
		return
	}
	hint, clientID := r.Form.Get("id_token_hint"), r.Form.Get("client_id")
	redirect, state := r.Form.Get("post_logout_redirect_uri"), r.Form.Get("state")
	var sid string
	if hint != "" {
		claims, err := p.readIDTokenHint(hint)
		if err != nil {
			slog.InfoContext(r.Context(), "devidp: end_session with an invalid id_token_hint", "error", err)
			p.renderError(w, r, "L'indication de jeton d'identité (id_token_hint) est invalide.")
			return
		}
		if clientID != "" && clientID != claims.clientID {
			p.renderError(w, r, "client_id ne correspond pas au destinataire du jeton d'identité.")
			return
		}
		clientID, sid = claims.clientID, claims.sid
	}
	target := p.pathPrefix + LoggedOutPath
	if redirect != "" {
		c, ok := p.storage.clients[clientID]
		if !ok || !slices.Contains(c.postLogoutURIs, redirect) {
			slog.InfoContext(r.Context(), "devidp: end_session to an unregistered address", "client", clientID, "post_logout_redirect_uri", redirect)
			p.renderError(w, r, "Cette adresse de retour après déconnexion n'est pas enregistrée pour ce site.")
			return
		}
		target = redirect
		if state != "" {
			u, err := url.Parse(redirect)
			if err == nil {
				q := u.Query()
				q.Set("state", state)
				u.RawQuery = q.Encode()
				target = u.String()
			}
		}
	}
	if sid != "" {
		if sess := p.storage.endSession(sid); sess != nil {
			p.backchannelLogout(r.Context(), sid, sess)
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
}

type hintClaims struct{ clientID, sid, subject string }

// readIDTokenHint verifies an ID token this provider issued, whatever its expiry.
func (p *Provider) readIDTokenHint(raw string) (hintClaims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return hintClaims{}, errors.New("not a compact JWS")
	}
	unverified, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return hintClaims{}, err
	}
	var c struct {
		Issuer   string          `json:"iss"`
		Subject  string          `json:"sub"`
		Audience json.RawMessage `json:"aud"`
		AZP      string          `json:"azp"`
		SID      string          `json:"sid"`
	}
	if err := json.Unmarshal(unverified, &c); err != nil {
		return hintClaims{}, err
	}
	clientID := c.AZP
	if clientID == "" {
		var one string
		var many []string
		if json.Unmarshal(c.Audience, &one) == nil {
			clientID = one
		} else if json.Unmarshal(c.Audience, &many) == nil && len(many) > 0 {
			clientID = many[0]
		}
	}
	if err := p.verifyOwnToken(raw, clientID); err != nil {
		return hintClaims{}, err
	}
	if c.Issuer != p.issuer {
		return hintClaims{}, fmt.Errorf("issuer %q", c.Issuer)
	}
	return hintClaims{clientID: clientID, sid: c.SID, subject: c.Subject}, nil
}

// verifyOwnToken checks the signature of a token this provider signed for clientID.
func (p *Provider) verifyOwnToken(raw, clientID string) error {
	if !p.hmac {
		jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			return err
		}
		_, err = jws.Verify(&p.storage.key.private.PublicKey)
		return err
	}
	c, ok := p.storage.clients[clientID]
	if !ok {
		return fmt.Errorf("client %q: %w", clientID, errNotFound)
	}
	_, err := verifyHS512(raw, []byte(c.secret))
	return err
}

// sign signs payload for clientID with typ: RS256 with the provider's key,
// or HS512 with the client's secret (whatever its length: LemonLDAP::NG does
// not ask for 64 bytes, which go-jose enforces).
func (p *Provider) sign(clientID, typ string, payload []byte) (string, error) {
	if !p.hmac {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256,
			Key: &jose.JSONWebKey{Key: p.storage.key.private, KeyID: p.storage.key.id}}, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
		if err != nil {
			return "", err
		}
		jws, err := signer.Sign(payload)
		if err != nil {
			return "", err
		}
		return jws.CompactSerialize()
	}
	c, ok := p.storage.clients[clientID]
	if !ok {
		return "", fmt.Errorf("client %q: %w", clientID, errNotFound)
	}
	header, err := json.Marshal(map[string]string{"alg": "HS512", "typ": typ})
	if err != nil {
		return "", err
	}
	signingInput := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha512.New, []byte(c.secret))
	mac.Write([]byte(signingInput))
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// verifyHS512 checks a token signed with HS512 and secret and returns its payload.
func verifyHS512(raw string, secret []byte) ([]byte, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha512.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil, errors.New("HS512 signature does not match")
	}
	return base64.RawURLEncoding.DecodeString(parts[1])
}

// backchannelLogout posts a logout token to each client of the ended session
// that registered a back-channel logout URI. Failures are logged: the person
// is signed out at the provider either way.
func (p *Provider) backchannelLogout(ctx context.Context, sid string, sess *signOnSession) {
	for _, clientID := range sess.clients {
		c := p.storage.clients[clientID]
		if c == nil || c.backchannelURI == "" {
			continue
		}
		token, err := p.LogoutToken(clientID, sid, sess.subject)
		if err != nil {
			slog.ErrorContext(ctx, "devidp: sign a logout token", "client", clientID, "error", err)
			continue
		}
		if err := p.postLogoutToken(ctx, c.backchannelURI, token); err != nil {
			slog.WarnContext(ctx, "devidp: back-channel logout failed", "client", clientID, "uri", c.backchannelURI, "error", err)
		}
	}
}

// LogoutToken is a back-channel logout token for clientID naming the sign-on
// session sid of subject (either may be empty, not both), signed as the
// provider's ID tokens are. Tests use it to call a relying party directly.
func (p *Provider) LogoutToken(clientID, sid, subject string) (string, error) {
	id, err := randomID()
	if err != nil {
		return "", err
	}
	now := p.storage.now()
	claims := map[string]any{
		"iss": p.issuer, "aud": clientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": id,
		"events": map[string]any{backchannelLogoutEvent: map[string]any{}},
	}
	if sid != "" {
		claims["sid"] = sid
	}
	if subject != "" {
		claims["sub"] = subject
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	return p.sign(clientID, "logout+jwt", payload)
}

func (p *Provider) postLogoutToken(ctx context.Context, uri, token string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, body)
	}
	return nil
}

// resignIDTokens wraps the token endpoint: the op package signs ID tokens
// with the RSA key; with SigningAlg HS512 the ID token of the answer is
// signed again with HS512 and the client's secret, its at_hash recomputed
// with SHA-512 (OpenID Connect Core 1.0 §3.1.3.6).
func (p *Provider) resignIDTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if rec.status == http.StatusOK {
			out, err := p.resign(body)
			if err != nil {
				slog.ErrorContext(r.Context(), "devidp: re-sign the ID token with HS512", "error", err)
				http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
				return
			}
			body = out
		}
		maps.Copy(w.Header(), rec.header)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	})
}

func (p *Provider) resign(body []byte) ([]byte, error) {
	var answer map[string]any
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, err
	}
	raw, _ := answer["id_token"].(string)
	if raw == "" {
		return body, nil
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, err
	}
	payload, err := jws.Verify(&p.storage.key.private.PublicKey)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	clientID, _ := claims["azp"].(string)
	if clientID == "" {
		if aud, ok := claims["aud"].([]any); ok && len(aud) > 0 {
			clientID, _ = aud[0].(string)
		} else {
			clientID, _ = claims["aud"].(string)
		}
	}
	delete(claims, "at_hash")
	delete(claims, "c_hash")
	if at, _ := answer["access_token"].(string); at != "" {
		claims["at_hash"] = leftHalfSHA512(at)
	}
	payload, err = json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	if answer["id_token"], err = p.sign(clientID, "JWT", payload); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(answer); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// recorder keeps a handler's answer to rewrite it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// leftHalfSHA512 is an at_hash for an HS512 token: the base64url of the left
// half of the SHA-512 of the access token.
func leftHalfSHA512(s string) string {
	sum := sha512.Sum512([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}
