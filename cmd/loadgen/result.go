//go:build linux

package main

import "sync/atomic"

// passResult is what a pass reports (printed and written as JSON).
type passResult struct {
	Label     string     `json:"label"`
	Target    string     `json:"target"`
	URLs      []string   `json:"urls"`
	Games     int        `json:"games"`
	Players   int        `json:"playersPerGame"`
	Conns     int        `json:"connections"`
	Companies int        `json:"companies"`
	Phases    []string   `json:"phases"`
	ByGame    bool       `json:"playersByGame,omitempty"`
	Rate      float64    `json:"ratePerPlayer"`
	Slow      int        `json:"slowClients"`
	Idle      bool       `json:"idle"`
	WindowS   float64    `json:"windowS"`
	SetupS    float64    `json:"setupS"`
	LoadStart [3]float64 `json:"loadAvgStart"`
	LoadEnd   [3]float64 `json:"loadAvgEnd"`

	Sent          int64            `json:"commandsSent"`
	Acked         int64            `json:"commandsAcked"`
	Refused       int64            `json:"commandsRefused"`
	RefusedBy     map[string]int64 `json:"refusedBy,omitempty"`
	Unanswered    int64            `json:"commandsUnanswered"`
	NeverArrived  int              `json:"effectsNeverArrived"`
	SendErrors    int64            `json:"sendErrors"`
	OtherErrors   int64            `json:"otherErrors"`
	Disconnects   int64            `json:"disconnects"`
	Snapshots     int64            `json:"snapshotsAfterSetup"`
	DuplicateAcks int64            `json:"duplicateAcks"`
	OffAudience   int64            `json:"updatesOutsideAudience"`
	Latency       dist             `json:"latencyMs"`
	// LatencyHist holds the same latencies binned (see hist.go), so
	// that passes can be pooled.
	LatencyHist  []histBin       `json:"latencyHistMs,omitempty"`
	LatencyByCmd map[string]dist `json:"latencyByCmdMs"`
	// LatencyByServer, with several servers and each game's players on
	// all of them: the latency to the last receiver on the sender's
	// server and on the other servers, for commands sent on the game's
	// home server (where it was created: normally its writer) and on
	// another one. Keys are home/same, home/other, away/same, away/other.
	LatencyByServer map[string]dist `json:"latencyByServerMs,omitempty"`
	// Timeline: p99 and max (ms) of the commands sent in each 5 s of
	// the window, in order.
	Timeline       [][2]float64      `json:"latencyTimelineMs"`
	Deliveries     int64             `json:"deliveries"`
	DeliveriesPerS float64           `json:"deliveriesPerS"`
	EffectsPerS    float64           `json:"effectsPerS"`
	MeanUpdateB    float64           `json:"meanUpdateBytes"`
	Mix            map[string]mixOut `json:"mix,omitempty"`

	Servers        []procDelta `json:"servers"`
	ServerCPUS     float64     `json:"serverCpuS"`
	CPUPerDelivery float64     `json:"serverCpuUsPerDelivery"`
	Redis          *procDelta  `json:"redisServer,omitempty"`
	CPUPerDelivWR  float64     `json:"serverAndRedisCpuUsPerDelivery,omitempty"`
	GenUserS       float64     `json:"generatorUserS"`
	GenSysS        float64     `json:"generatorSysS"`

	IdleRSSBeforeKB int64   `json:"idleRssBeforeKB,omitempty"`
	IdleRSSAfterKB  int64   `json:"idleRssAfterKB,omitempty"`
	KBPerConn       float64 `json:"kbPerConnection,omitempty"`
	IdleRSSLaterKB  int64   `json:"idleRssLaterKB,omitempty"`
	KBPerConnLater  float64 `json:"kbPerConnectionLater,omitempty"`

	ServerMetrics map[string]float64 `json:"serverMetricsDelta,omitempty"`
	RedisCalls    map[string]int64   `json:"redisCommandCallsDelta,omitempty"`
	RedisPerAck   float64            `json:"redisEvalshaPerStoredCommand,omitempty"`
}

// recordCommands notes what happened to the commands: sent, acked,
// refused (by code), failed.
func (p *pass) recordCommands(res *passResult) {
	r := p.rec
	res.Sent, res.Acked, res.Refused = r.sent.Load(), r.acked.Load(), r.refused.Load()
	res.SendErrors, res.OtherErrors, res.DuplicateAcks = r.sendErrors.Load(), r.otherErrors.Load(), r.duplicateAcks.Load()
	res.OffAudience = r.offAudience.Load()
	r.refusedBy.Range(func(k, v any) bool {
		if res.RefusedBy == nil {
			res.RefusedBy = map[string]int64{}
		}
		res.RefusedBy[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
}

// recordLatencies summarises the latencies: overall, binned, by command,
// by server and by 5 s of the window.
func (p *pass) recordLatencies(res *passResult) {
	r := p.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	res.Latency = summarise(r.latencies)
	res.LatencyHist = histOf(r.latencies)
	res.LatencyByCmd = map[string]dist{}
	for k, v := range r.byCmd {
		res.LatencyByCmd[k] = summarise(v)
	}
	for k, v := range r.byServer {
		if res.LatencyByServer == nil {
			res.LatencyByServer = map[string]dist{}
		}
		res.LatencyByServer[k] = summarise(v)
	}
	for _, xs := range r.slices {
		d := summarise(xs)
		res.Timeline = append(res.Timeline, [2]float64{d.P99, d.Max})
	}
}

// recordDeliveries notes the updates delivered in the window, the effects
// per second and the command mix.
func (p *pass) recordDeliveries(res *passResult) {
	r := p.rec
	res.Deliveries = r.deliveries.Load()
	res.DeliveriesPerS = round3(float64(res.Deliveries) / res.WindowS)
	res.EffectsPerS = round3(float64(res.Latency.N) / res.WindowS)
	if res.Deliveries > 0 {
		res.MeanUpdateB = round3(float64(r.deliveryBytes.Load()) / float64(res.Deliveries))
	}
	res.Mix = p.mixOut()
}

// recordCPU notes the CPU and memory of the servers, of redis-server and
// of the generator over the window, and the servers' CPU per delivery.
func (p *pass) recordCPU(res *passResult, m *windowReading) {
	for i := range m.procs1 {
		d := delta(p.target.kind, m.procs0[i], m.procs1[i], m.maxRSS[i])
		res.Servers = append(res.Servers, d)
		res.ServerCPUS += d.UserS + d.SysS
	}
	res.ServerCPUS = round3(res.ServerCPUS)
	if res.Deliveries > 0 {
		res.CPUPerDelivery = round3(res.ServerCPUS * 1e6 / float64(res.Deliveries))
	}
	if p.target.redisPID > 0 {
		d := delta("redis-server", m.redis0, m.redis1, 0)
		res.Redis = &d
		if res.Deliveries > 0 {
			res.CPUPerDelivWR = round3((res.ServerCPUS + d.UserS + d.SysS) * 1e6 / float64(res.Deliveries))
		}
	}
	res.GenUserS, res.GenSysS = round3(m.genUser1-m.genUser0), round3(m.genSys1-m.genSys0)
}

// recordServerFigures notes how the servers' metrics and Redis's command
// counts moved in the window, and the round trips per stored command.
func (p *pass) recordServerFigures(res *passResult, m *windowReading) {
	res.ServerMetrics = diffMetrics(m.metrics0, m.metrics1)
	if sm := res.ServerMetrics; sm["append_count"] > 0 {
		// The time of a round trip to Redis, as the servers saw it.
		sm["append_mean_ms"] = round3(1000 * sm["append_s"] / sm["append_count"])
		sm["append_over_20ms_share"] = round3(1 - sm["append_le_20ms"]/sm["append_count"])
	}
	if m.calls0 != nil && m.calls1 != nil {
		res.RedisCalls = map[string]int64{}
		for k, v := range m.calls1 {
			if d := v - m.calls0[k]; d != 0 {
				res.RedisCalls[k] = d
			}
		}
		if n := res.ServerMetrics["appended_commands"]; n > 0 {
			res.RedisPerAck = round3(float64(res.RedisCalls["evalsha"]+res.RedisCalls["eval"]) / n)
		}
	}
}
