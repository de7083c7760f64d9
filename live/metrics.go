package live

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"devopschallenge/apperr"
	"devopschallenge/game"
)

// TimeBuckets are the bounds, in seconds, of the histograms of times
// (commands, appends).
var TimeBuckets = []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5}

// Metrics are the runtime's Prometheus metrics. The transport counts into
// Commands the commands it refuses itself (rate limits) and into
// StoreErrors its own calls to the store (readiness probes).
type Metrics struct {
	Games       prometheus.Gauge
	Commands    *prometheus.CounterVec
	Latency     prometheus.Histogram
	StoreErrors prometheus.Counter
	UpdateBytes prometheus.Histogram
	// Conflicts counts batches the store refused because another instance
	// appended first; Rebuilds, states reloaded from the store; Appends
	// and Appended, the appends and the commands they stored.
	Conflicts, Rebuilds, Appends, Appended prometheus.Counter
	// Snapshots and SnapshotBytes count the snapshots saved and their size.
	Snapshots, SnapshotBytes prometheus.Counter
	// Forwarded counts commands sent to another instance (the game's
	// owner); Claims, the lease lookups in the store.
	Forwarded, Claims prometheus.Counter
	// AppendTime times each append (one round trip to the store).
	AppendTime prometheus.Histogram
	// StoreWait counts the games whose state waits to be reloaded from the
	// store (unsynced; see replica.go).
	StoreWait prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	m := &Metrics{
		Games: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "devops_challenge_games_loaded", Help: "Games held in memory by this instance."}),
		Commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devops_challenge_commands_total", Help: "Commands received, by type and outcome (ok or an error code)."},
			[]string{"type", "outcome"}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "devops_challenge_command_seconds", Help: "Time from receiving a command to its acknowledgement.",
			Buckets: TimeBuckets}),
		StoreErrors: counter("devops_challenge_redis_errors_total", "Failed calls to Redis."),
		UpdateBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "devops_challenge_update_bytes", Help: "Size of encoded updates, once per audience.",
			Buckets: prometheus.ExponentialBuckets(64, 2, 12)}),
		Conflicts:     counter("devops_challenge_store_conflicts_total", "Batches of commands the store refused because another instance appended first."),
		Rebuilds:      counter("devops_challenge_state_rebuilds_total", "Game states reloaded from the store."),
		Appends:       counter("devops_challenge_appends_total", "Appends to the store (each one round trip, for one or more commands)."),
		Appended:      counter("devops_challenge_appended_commands_total", "Commands stored by those appends."),
		Snapshots:     counter("devops_challenge_snapshots_total", "Snapshots of a game's state saved with an append."),
		SnapshotBytes: counter("devops_challenge_snapshot_bytes_total", "Bytes of those snapshots."),
		Forwarded:     counter("devops_challenge_forwarded_commands_total", "Commands sent to the instance that owns their game."),
		Claims:        counter("devops_challenge_lease_claims_total", "Lookups (and claims) of a game's owner in the store."),
		AppendTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "devops_challenge_append_seconds", Help: "Time of each append to the store (one round trip, for one or more commands).",
			Buckets: TimeBuckets}),
		StoreWait: prometheus.NewGauge(prometheus.GaugeOpts{Name: "devops_challenge_games_waiting_for_store",
			Help: "Games whose last commands the store did not confirm: their commands are refused (unavailable) until they are read from the store again."}),
	}
	if reg != nil {
		reg.MustRegister(m.Games, m.Commands, m.Latency, m.StoreErrors, m.UpdateBytes, m.Conflicts, m.Rebuilds, m.Appends,
			m.Appended, m.Snapshots, m.SnapshotBytes, m.Forwarded, m.Claims, m.AppendTime, m.StoreWait)
	}
	return m
}

// command counts a command's outcome, and its time when it was waited for
// (start not zero).
func (m *Metrics) command(typ string, err error, start time.Time) {
	outcome := "ok"
	if err != nil {
		outcome = apperr.ErrorCode(err)
	}
	if !knownCommand(typ) {
		typ = "unknown"
	}
	m.Commands.WithLabelValues(typ, outcome).Inc()
	if !start.IsZero() {
		m.Latency.Observe(time.Since(start).Seconds())
	}
}

// commandTypes is the set of command types, for metric labels.
var commandTypes = sync.OnceValue(game.CommandTypes)

func knownCommand(typ string) bool {
	_, ok := commandTypes()[typ]
	return ok
}
