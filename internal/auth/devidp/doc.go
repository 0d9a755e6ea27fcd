// Package devidp is a development OpenID Provider: a real OpenID Connect
// provider (built on zitadel/oidc's op package) with a login page where one
// picks a demonstration persona instead of typing a password.
//
// It stands for the city's single sign-on ("Mon Paris") in demo mode, where it
// is mounted inside the cma binary, and in tests. It is never used in
// production: keys, codes and tokens live in memory and vanish at restart.
//
// Supported: authorization code flow with PKCE (S256 only), scopes openid,
// email and profile, client authentication client_secret_basic and
// client_secret_post, ID tokens signed with RS256 or (Config.SigningAlg)
// HS512 and the client's secret, with a "sid" claim, the claims in the ID
// token or (Config.ClaimsAtUserInfoOnly) at userinfo only, RP-initiated
// logout (end_session, checking id_token_hint and post_logout_redirect_uri)
// and back-channel logout to the clients that register a
// BackchannelLogoutURI. The last options make it behave as LemonLDAP::NG
// does by default, so that the demo and the tests take the paths a city's
// provider makes the platform take.
package devidp
