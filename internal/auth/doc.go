// Package auth signs people in: OpenID Connect relying party, staff passwords
// and second factor, rate limits.
//
// The development identity provider that stands for the city's single sign-on
// in demo mode and in tests lives in the sub-package devidp; who stays signed
// in between requests (the session cookie, its codec and timeouts) in the
// sub-package websession.
package auth
