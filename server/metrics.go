package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// timeBuckets are the bounds, in seconds, of the histograms of times
// (commands, appends).
var timeBuckets = []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5}

// Metrics are the Prometheus metrics of one server. Each server has its own
// registry, so that tests can run several servers in one process.
type Metrics struct {
	Registry    *prometheus.Registry
	Connections prometheus.Gauge
	Games       prometheus.Gauge
	Commands    *prometheus.CounterVec
	Latency     prometheus.Histogram
	RedisErrors prometheus.Counter
	Dropped     prometheus.Counter
	UpdateBytes prometheus.Histogram
}

// NewMetrics registers the server's metrics in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "devops_challenge_connections", Help: "Open WebSocket connections."}),
		Games: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "devops_challenge_games_loaded", Help: "Games held in memory by this instance."}),
		Commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devops_challenge_commands_total", Help: "Commands received, by type and outcome (ok or an error code)."},
			[]string{"type", "outcome"}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "devops_challenge_command_seconds", Help: "Time from receiving a command to its acknowledgement.",
			Buckets: timeBuckets}),
		RedisErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "devops_challenge_redis_errors_total", Help: "Failed calls to Redis."}),
		Dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "devops_challenge_slow_clients_dropped_total", Help: "Connections closed because they did not read fast enough."}),
		UpdateBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "devops_challenge_update_bytes", Help: "Size of encoded updates, once per audience.",
			Buckets: prometheus.ExponentialBuckets(64, 2, 12)}),
	}
	m.Registry.MustRegister(m.Connections, m.Games, m.Commands, m.Latency, m.RedisErrors, m.Dropped, m.UpdateBytes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
