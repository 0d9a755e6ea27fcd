package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddress is the address a request comes from. The connection's peer is
// the client unless it is one of the trusted proxies (the city's load
// balancers): then X-Forwarded-For is read from the right, the end each proxy
// appends to, skipping trusted addresses, and the first untrusted one is the
// client. Whatever a client writes into the header itself stays on the left
// of what the proxies appended, so it is never reached. A hop that does not
// parse stops the walk at the last proxy seen; a chain of proxies only gives
// the leftmost.
func clientAddress(remoteAddr string, forwarded []string, trusted []netip.Prefix) string {
	peer := remoteAddr
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		peer = host
	}
	last, err := netip.ParseAddr(peer)
	if err != nil || !isTrusted(last, trusted) {
		return peer
	}
	for i := len(forwarded) - 1; i >= 0; i-- {
		hops := strings.Split(forwarded[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop, ok := parseHop(hops[j])
			if !ok {
				return last.String()
			}
			if !isTrusted(hop, trusted) {
				return hop.String()
			}
			last = hop
		}
	}
	return last.String()
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a port
// as some proxies write it ("203.0.113.7:51234", "[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type clientKey struct{}

// resolveClient finds the request's client address once (clientAddress) for
// the rate limits and the security log.
func (s *Server) resolveClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddress(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.TrustedProxies)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, addr)))
	})
}
