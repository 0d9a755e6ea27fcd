package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrBadLogoutToken: a back-channel logout token fails verification.
var ErrBadLogoutToken = errors.New("invalid logout token")

// backchannelLogoutEvent is the member of a logout token's "events" claim
// (OpenID Connect Back-Channel Logout 1.0 §2.4).
const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// logoutTokenLeeway is how far a logout token's iat may be in the future,
// or its exp in the past: clocks of two servers differ a little.
const logoutTokenLeeway = 2 * time.Minute

// logoutTokenMaxAge is how old a logout token may be (its iat).
const logoutTokenMaxAge = 10 * time.Minute

// Logout names the sign-on session(s) a provider ended: by sid when it gives
// one, else every session of the subject.
type Logout struct {
	Issuer, SID, Subject string
}

// TokenIssuer reads the "iss" claim of a JWT without verifying anything, to
// find which provider to verify it with.
func TokenIssuer(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Issuer string `json:"iss"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.Issuer
}

// VerifyLogoutToken checks a back-channel logout token (OpenID Connect
// Back-Channel Logout 1.0 §2.6): signed with the keys and algorithms of the
// ID tokens, issued by this provider for this client, recently (iat), not
// expired (exp, when present), with the back-channel logout event, a sid or
// a sub, and no nonce (an ID token is not a logout token).
func (p *Provider) VerifyLogoutToken(ctx context.Context, raw string) (Logout, error) {
	d, err := p.discover(ctx)
	if err != nil {
		return Logout{}, fmt.Errorf("logout token: %w", err)
	}
	if _, err := d.keys.check(raw); err != nil {
		return Logout{}, fmt.Errorf("logout token: %w", err)
	}
	payload, err := d.keys.VerifySignature(ctx, raw)
	if err != nil {
		return Logout{}, fmt.Errorf("%w: signature: %w", ErrBadLogoutToken, err)
	}
	var c struct {
		Issuer   string                     `json:"iss"`
		Subject  string                     `json:"sub"`
		Audience audience                   `json:"aud"`
		IssuedAt *json.Number               `json:"iat"`
		Expiry   *json.Number               `json:"exp"`
		SID      string                     `json:"sid"`
		JTI      string                     `json:"jti"`
		Events   map[string]json.RawMessage `json:"events"`
		Nonce    *json.RawMessage           `json:"nonce"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return Logout{}, fmt.Errorf("%w: claims: %w", ErrBadLogoutToken, err)
	}
	now := p.now()
	event, hasEvent := c.Events[backchannelLogoutEvent]
	switch {
	case c.Issuer != p.cfg.Issuer:
		return Logout{}, fmt.Errorf("%w: issued by %q, not %q", ErrBadLogoutToken, Sanitize(c.Issuer, 200), p.cfg.Issuer)
	case !slices.Contains(c.Audience, p.cfg.ClientID):
		return Logout{}, fmt.Errorf("%w: not for client %q", ErrBadLogoutToken, p.cfg.ClientID)
	case c.IssuedAt == nil:
		return Logout{}, fmt.Errorf("%w: no iat", ErrBadLogoutToken)
	case !hasEvent || !strings.HasPrefix(strings.TrimSpace(string(event)), "{"):
		return Logout{}, fmt.Errorf("%w: no back-channel logout event", ErrBadLogoutToken)
	case c.Nonce != nil:
		return Logout{}, fmt.Errorf("%w: a nonce: this is an ID token, not a logout token", ErrBadLogoutToken)
	case c.SID == "" && c.Subject == "":
		return Logout{}, fmt.Errorf("%w: neither sid nor sub", ErrBadLogoutToken)
	}
	iat, err := numericDate(*c.IssuedAt)
	if err != nil {
		return Logout{}, fmt.Errorf("%w: iat: %w", ErrBadLogoutToken, err)
	}
	if iat.After(now.Add(logoutTokenLeeway)) || iat.Before(now.Add(-logoutTokenMaxAge)) {
		return Logout{}, fmt.Errorf("%w: issued at %s, too far from now (%s)", ErrBadLogoutToken, iat.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if c.Expiry != nil {
		exp, err := numericDate(*c.Expiry)
		if err != nil {
			return Logout{}, fmt.Errorf("%w: exp: %w", ErrBadLogoutToken, err)
		}
		if exp.Before(now.Add(-logoutTokenLeeway)) {
			return Logout{}, fmt.Errorf("%w: expired at %s", ErrBadLogoutToken, exp.UTC().Format(time.RFC3339))
		}
	}
	if c.JTI != "" && !p.firstUse(c.JTI, iat, now) {
		return Logout{}, fmt.Errorf("%w: jti %q already used (a replayed token)", ErrBadLogoutToken, Sanitize(c.JTI, 80))
	}
	return Logout{Issuer: c.Issuer, SID: c.SID, Subject: c.Subject}, nil
}

// firstUse records a logout token's jti and says whether it was new. A jti
// is kept until its token is too old to be accepted anyway (logoutTokenMaxAge
// after its iat), so that the memory holds ten minutes of logouts at most.
func (p *Provider) firstUse(jti string, iat, now time.Time) bool {
	p.logoutMu.Lock()
	defer p.logoutMu.Unlock()
	if p.logoutJTIs == nil {
		p.logoutJTIs = make(map[string]time.Time)
	}
	for id, until := range p.logoutJTIs {
		if now.After(until) {
			delete(p.logoutJTIs, id)
		}
	}
	if _, seen := p.logoutJTIs[jti]; seen {
		return false
	}
	p.logoutJTIs[jti] = iat.Add(logoutTokenMaxAge + logoutTokenLeeway)
	return true
}

// numericDate reads a JWT NumericDate (seconds since 1970, maybe fractional).
func numericDate(n json.Number) (time.Time, error) {
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(f), 0), nil
}
