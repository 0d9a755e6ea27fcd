package candidature_test

import (
	"database/sql"
	"net"
	"strconv"
	"testing"
)

type sqlTx = sql.Tx

func splitHostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	return host, n
}
