package e2e

import (
	"os"
	"testing"
)

// The interop journeys (TestInterop*) run the real program against the
// city's real peers that interop/run installs and starts on loopback:
// LemonLDAP::NG as the OpenID Connect provider, Postfix as the SMTP relay.
// Each peer's journeys skip unless interop/run has set CMA_INTEROP=1 and the
// peer's CMA_INTEROP_* settings.

// needPeer skips the test unless interop/run started the peer whose settings
// are the named environment variables, and returns their values.
func needPeer(t *testing.T, peer string, vars ...string) map[string]string {
	t.Helper()
	if os.Getenv("CMA_INTEROP") != "1" {
		t.Skipf("interop: %s journeys run under interop/run (it installs and starts the peers; .ci/run calls it) — skipping", peer)
	}
	values := map[string]string{}
	for _, v := range vars {
		values[v] = os.Getenv(v)
		if values[v] == "" {
			t.Skipf("interop: %s was not started by interop/run (%s unset; see its output) — skipping", peer, v)
		}
	}
	return values
}
