package domain

// SignOn names the single sign-on session a web session comes from: the
// identity provider's issuer, the subject it vouched for, and its session
// id ("sid" claim of OpenID Connect, empty when the provider sends none).
// The zero value: a session not signed in through a sign-on.
type SignOn struct {
	Issuer, Subject, SID string
}
