package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// userInfo calls the provider's UserInfo endpoint with the access token
// (OpenID Connect Core 1.0 §5.3) and returns its claims. The answer is JSON,
// or a signed JWT (application/jwt) verified with the keys and algorithms of
// the ID token. Its "sub" must be the ID token's (§5.3.2): otherwise the
// answer is someone else's and the sign-in is refused (ErrBadToken).
func (p *Provider) userInfo(ctx context.Context, d *discovered, accessToken, subject string) (idClaims, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.userInfoEndpoint, nil)
	if err != nil {
		return idClaims{}, fmt.Errorf("userinfo: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json, application/jwt")
	resp, err := p.httpClient.Do(req)
	if err != nil {
		return idClaims{}, fmt.Errorf("userinfo: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return idClaims{}, fmt.Errorf("userinfo: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return idClaims{}, fmt.Errorf("userinfo: %s: %s", resp.Status, Sanitize(string(body), 200))
	}
	payload := body
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/jwt" {
		payload, err = p.verifyUserInfoJWT(ctx, d, strings.TrimSpace(string(body)))
		if err != nil {
			return idClaims{}, err
		}
	}
	var claims idClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return idClaims{}, fmt.Errorf("userinfo: read claims: %w", err)
	}
	if claims.Subject != subject {
		return idClaims{}, fmt.Errorf("%w: the UserInfo answer is for subject %q, the ID token for %q", ErrBadToken,
			Sanitize(claims.Subject, 80), subject)
	}
	return claims, nil
}

// verifyUserInfoJWT checks a signed UserInfo answer like an ID token: an
// allowed algorithm, the provider's keys or the client secret, and iss and
// aud when present (§5.3.2: they SHOULD be).
func (p *Provider) verifyUserInfoJWT(ctx context.Context, d *discovered, raw string) ([]byte, error) {
	keys := d.userInfoKeys
	if keys == nil {
		return nil, fmt.Errorf("%w: signed UserInfo answer, and no keys to verify it", ErrBadToken)
	}
	if _, err := keys.check(raw); err != nil {
		return nil, err
	}
	payload, err := keys.VerifySignature(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: UserInfo signature: %w", ErrBadToken, err)
	}
	var c struct {
		Issuer   string   `json:"iss"`
		Audience audience `json:"aud"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("%w: UserInfo claims: %w", ErrBadToken, err)
	}
	if c.Issuer != "" && c.Issuer != p.cfg.Issuer {
		return nil, fmt.Errorf("%w: UserInfo answer issued by %q", ErrBadToken, Sanitize(c.Issuer, 200))
	}
	if len(c.Audience) > 0 && !slices.Contains(c.Audience, p.cfg.ClientID) {
		return nil, fmt.Errorf("%w: UserInfo answer for another client", ErrBadToken)
	}
	return payload, nil
}

// audience is the "aud" claim: one string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// Sanitize shortens a value received from outside (a callback's
// error_description, a UserInfo subject) to at most n characters and replaces
// control characters, for log lines.
func Sanitize(s string, n int) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == n {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			r = '?'
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}
