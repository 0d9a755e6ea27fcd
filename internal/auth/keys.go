package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
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
		if len(k.secret) == 0 {
			return nil, errors.New("token signed with the client secret, but the platform has none")
		}
		jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
		if err != nil {
			return nil, fmt.Errorf("parse JWS: %w", err)
		}
		return jws.Verify(k.secret)
	}
	if k.remote == nil {
		return nil, errors.New("the provider publishes no keys (jwks_uri)")
	}
	return k.remote.VerifySignature(ctx, raw)
}
