package outbox

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what the email worker does, for /metrics (CON-2): emails
// sent, and failures by kind, "refused" (the relay refused the message for
// good: it waits for the central service) or "retryable" (retried by the job
// queue; a relay refusing the platform itself is one).
type Metrics struct {
	Sent     prometheus.Counter
	Failures *prometheus.CounterVec
}

// Failure kinds of Metrics.Failures.
const (
	FailureRefused   = "refused"
	FailureRetryable = "retryable"
)

// NewMetrics returns the counters, each failure kind at zero so that a
// dashboard sees the series before the first failure.
func NewMetrics() *Metrics {
	m := &Metrics{
		Sent: prometheus.NewCounter(prometheus.CounterOpts{Name: "cma_emails_sent_total",
			Help: "Emails the relay accepted."}),
		Failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cma_email_failures_total",
			Help: "Failed attempts to send an email: refused (for good, waiting for the central service) or retryable."}, []string{"kind"}),
	}
	m.Failures.WithLabelValues(FailureRefused)
	m.Failures.WithLabelValues(FailureRetryable)
	return m
}

// Collectors are the counters to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Sent, m.Failures}
}
