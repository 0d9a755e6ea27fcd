// Package auth signs people in: OpenID Connect relying party, staff passwords
// and second factor, rate limits.
//
// The development identity provider that stands for the city's single sign-on
// in demo mode and in tests lives in the sub-package devidp.
package auth
