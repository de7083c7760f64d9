package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the transport's Prometheus metrics, in a registry of their
// own (so that tests can run several servers in one process) where the
// runtime registers its metrics too.
type Metrics struct {
	Registry    *prometheus.Registry
	Connections prometheus.Gauge
	Dropped     prometheus.Counter
}

// NewMetrics registers the server's metrics in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "devops_challenge_connections", Help: "Open WebSocket connections."}),
		Dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "devops_challenge_slow_clients_dropped_total", Help: "Connections closed because they did not read fast enough."}),
	}
	m.Registry.MustRegister(m.Connections, m.Dropped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
