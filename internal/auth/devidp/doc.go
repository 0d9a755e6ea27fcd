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
// client_secret_post, RS256-signed ID tokens, userinfo, and RP-initiated
// logout (end_session).
package devidp
