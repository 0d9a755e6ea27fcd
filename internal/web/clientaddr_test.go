package web

import (
	"net/netip"
	"testing"
)

// TestClientAddress: X-Forwarded-For is believed only from a trusted proxy,
// read from the right, skipping trusted hops; what a client forges stays on
// the left and is never reached.
func TestClientAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:cafe::/48")}
	for _, tc := range []struct {
		name      string
		peer      string
		forwarded []string
		want      string
	}{
		{"no proxy", "203.0.113.7:51234", nil, "203.0.113.7"},
		{"untrusted peer forging the header", "203.0.113.7:51234", []string{"198.51.100.1"}, "203.0.113.7"},
		{"trusted peer gives the client", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"forged entries left of the proxy's", "10.1.2.3:443", []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, "198.51.100.1"},
		{"two proxies", "10.1.2.3:443", []string{"198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"several header lines", "10.1.2.3:443", []string{"6.6.6.6", "198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"hop with a port", "10.1.2.3:443", []string{"198.51.100.1:5678"}, "198.51.100.1"},
		{"IPv6 client through an IPv6 proxy", "[2001:db8:cafe::1]:443", []string{"[2001:db8:1::7]:80"}, "2001:db8:1::7"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"trusted peer without the header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"garbage from the proxy stops at the proxy", "10.1.2.3:443", []string{"198.51.100.1, nonsense"}, "10.1.2.3"},
		{"every hop trusted: the leftmost", "10.1.2.3:443", []string{"10.4.4.4, 10.5.5.5"}, "10.4.4.4"},
		{"no port on the peer", "203.0.113.7", nil, "203.0.113.7"},
	} {
		if got := clientAddress(tc.peer, tc.forwarded, trusted); got != tc.want {
			t.Errorf("%s: clientAddress(%q, %q) = %q, want %q", tc.name, tc.peer, tc.forwarded, got, tc.want)
		}
	}
	if got := clientAddress("10.1.2.3:443", []string{"198.51.100.1"}, nil); got != "10.1.2.3" {
		t.Errorf("no trusted proxies configured: %q, want the peer", got)
	}
}
