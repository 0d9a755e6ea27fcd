package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// AcceptedSigningAlgs are the signature algorithms the platform accepts on
// an ID token, a signed UserInfo answer and a logout token, when the provider
// uses them: the RSA, ECDSA and RSA-PSS families with the provider's
// published keys, and HMAC with the client secret (OpenID Connect Core 1.0
// §10.1). Never "none".
var AcceptedSigningAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	"HS256", "HS384", "HS512",
}

// SigningAlgsAuto is the default of the signing algorithms setting: those
// the provider advertises (id_token_signing_alg_values_supported) among
// AcceptedSigningAlgs; RS256 when it advertises none (OpenID Connect
// Discovery 1.0 §3).
const SigningAlgsAuto = "auto"

// ParseSigningAlgs reads the signing algorithms setting: "auto" (or empty)
// gives nil, meaning SigningAlgsAuto; otherwise a comma-separated list of
// AcceptedSigningAlgs, in any case.
func ParseSigningAlgs(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, SigningAlgsAuto) {
		return nil, nil
	}
	var algs []string
	for part := range strings.SplitSeq(s, ",") {
		alg := strings.ToUpper(strings.TrimSpace(part))
		switch {
		case alg == "":
			continue
		case alg == "NONE":
			return nil, errors.New(`"none" is never accepted: an unsigned token proves nothing`)
		case !slices.Contains(AcceptedSigningAlgs, alg):
			return nil, fmt.Errorf("%q is not a signature algorithm the platform accepts (%s)", part, strings.Join(AcceptedSigningAlgs, ", "))
		}
		if !slices.Contains(algs, alg) {
			algs = append(algs, alg)
		}
	}
	if len(algs) == 0 {
		return nil, errors.New("expected auto or a comma-separated list such as RS256,HS512")
	}
	return algs, nil
}

// allowedAlgs is the list of algorithms a provider's tokens may use:
// configured (explicit), or what it advertises among the accepted ones.
func allowedAlgs(configured, advertised []string) []string {
	if len(configured) > 0 {
		return slices.Clone(configured)
	}
	if len(advertised) == 0 {
		return []string{oidc.RS256}
	}
	var algs []string
	for _, a := range advertised {
		if slices.Contains(AcceptedSigningAlgs, a) && !slices.Contains(algs, a) {
			algs = append(algs, a)
		}
	}
	return algs
}

func isHMAC(alg string) bool { return strings.HasPrefix(alg, "HS") }

// AlgorithmError is a token signed with an algorithm the platform's setting
// does not allow. It is a configuration problem, not the person's: the log
// line names the algorithm, the allowed list and the setting that fixes it.
type AlgorithmError struct {
	Alg     string   // the token's "alg" header
	Allowed []string // what the setting allows for this provider
	Setting string   // the setting to change, e.g. "--oidc-signing-algs (CMA_OIDC_SIGNING_ALGS)"
}

// ErrAlgorithm is what every AlgorithmError is (errors.Is).
var ErrAlgorithm = errors.New("token signed with an algorithm that is not allowed")

func (e *AlgorithmError) Error() string {
	return fmt.Sprintf("token signed with %q, not among the allowed algorithms [%s]: add it to %s, or set it to auto to take what the provider advertises",
		e.Alg, strings.Join(e.Allowed, ","), e.Setting)
}

func (e *AlgorithmError) Is(target error) bool { return target == ErrAlgorithm }

// tokenAlg reads the "alg" of a compact JWS's header without verifying it.
func tokenAlg(raw string) (string, error) {
	header, _, ok := strings.Cut(raw, ".")
	if !ok {
		return "", errors.New("not a compact JWS")
	}
	b, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return "", fmt.Errorf("JWS header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return "", fmt.Errorf("JWS header: %w", err)
	}
	return h.Alg, nil
}

// keySet verifies the signatures of one provider's tokens: HS* with the
// client secret as the key (OpenID Connect Core 1.0 §10.1), everything else
// with the provider's published keys (its jwks_uri). go-oidc's RemoteKeySet
// only knows public keys.
type keySet struct {
	secret  []byte
	allowed []string
	setting string
	remote  oidc.KeySet // nil when the provider publishes no jwks_uri
}

// withAlgs is k allowing, when the provider advertises algorithms for
// another kind of token (userinfo_signing_alg_values_supported), those as
// well as fallback; the same keys.
func (k *keySet) withAlgs(extra, fallback []string) *keySet {
	c := *k
	c.allowed = slices.Clone(fallback)
	for _, a := range extra {
		if !slices.Contains(c.allowed, a) {
			c.allowed = append(c.allowed, a)
		}
	}
	return &c
}

// check refuses a token whose algorithm is not allowed, before any key is
// looked for.
func (k *keySet) check(raw string) (string, error) {
	alg, err := tokenAlg(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if !slices.Contains(k.allowed, alg) {
		return "", &AlgorithmError{Alg: alg, Allowed: slices.Clone(k.allowed), Setting: k.setting}
	}
	return alg, nil
}

// VerifySignature implements oidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	alg, err := k.check(raw)
	if err != nil {
		return nil, err
	}
	if isHMAC(alg) {
		return verifyHMAC(raw, alg, k.secret)
	}
	if k.remote == nil {
		return nil, errors.New("the provider publishes no keys (jwks_uri)")
	}
	return k.remote.VerifySignature(ctx, raw)
}

// verifyHMAC checks a compact JWS signed with HMAC and the client secret and
// returns its payload. go-jose refuses secrets shorter than the hash (RFC 7518
// §3.2: 64 bytes for HS512), which providers do not enforce on the secrets
// they hand out: the platform verifies with whatever secret it was given,
// and fetchDiscovery warns when it is short.
func verifyHMAC(raw, alg string, secret []byte) ([]byte, error) {
	if len(secret) == 0 {
		return nil, errors.New("token signed with the client secret, but the platform has none")
	}
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		return nil, fmt.Errorf("%q is not an HMAC algorithm", alg)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("JWS signature: %w", err)
	}
	mac := hmac.New(h, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil, errors.New("HMAC signature does not match the client secret")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("JWS payload: %w", err)
	}
	return payload, nil
}

// shortSecretFor says whether secret is shorter than RFC 7518 §3.2 asks for
// the HMAC algorithms among algs, and the size asked.
func shortSecretFor(secret []byte, algs []string) (int, bool) {
	need := 0
	for _, a := range algs {
		switch a {
		case "HS256":
			need = max(need, 32)
		case "HS384":
			need = max(need, 48)
		case "HS512":
			need = max(need, 64)
		}
	}
	return need, need > 0 && len(secret) < need
}
