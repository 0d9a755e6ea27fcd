package payfip

import (
	"net/http"
	"strings"
)

// maxNotificationBody bounds what NotificationIDOp reads of a notification: it
// holds one short field.
const maxNotificationBody = 4 << 10

// NotificationIDOp returns the idOp PayFiP's notification to urlnotif carries,
// or "" when there is none. PayFiP posts it form-encoded as idop; the query
// string and the spellings idOp and IdOp are read too, as integrations met all
// of them. The notification says nothing of the result: ask Detail.
func NotificationIDOp(r *http.Request) string {
	if r.Body != nil && r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(nil, r.Body, maxNotificationBody)
	}
	if err := r.ParseForm(); err != nil && r.Form == nil {
		return ""
	}
	for _, name := range []string{"idop", "idOp", "IdOp"} {
		if v := strings.TrimSpace(r.Form.Get(name)); v != "" {
			return v
		}
	}
	return ""
}
