//go:build linux

package main

import (
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// report is the JSON the generator writes.
type report struct {
	Label       string        `json:"label,omitempty"`
	Date        string        `json:"date"`
	Machine     machineInfo   `json:"machine"`
	Args        []string      `json:"args"`
	Passes      []*passResult `json:"passes"`
	Comparisons []comparison  `json:"comparisons,omitempty"`
	Capacity    *capacityOut  `json:"capacity,omitempty"`
}

// machineInfo describes the machine a run was made on.
type machineInfo struct {
	CPU     string `json:"cpu"`
	Cores   int    `json:"cores"`
	MemMB   int64  `json:"memMB"`
	Kernel  string `json:"kernel"`
	Go      string `json:"go"`
	GenPID  int    `json:"generatorPid"`
	GenCPUs string `json:"generatorAffinity"`
}

// machine describes the machine the run was made on, for the report.
func machine() machineInfo {
	m := machineInfo{Cores: runtime.NumCPU(), Go: runtime.Version(), GenPID: os.Getpid()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(string(b))
		if len(f) > 1 {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			m.MemMB = kb / 1024
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
				m.GenCPUs = strings.TrimSpace(v)
			}
		}
	}
	return m
}

// printPass prints a pass's figures, in the format docs/PERFORMANCE.md and
// scripts/load.sh read.
func printPass(r *passResult) {
	fmt.Printf("  connections %d (%d slow), load avg %.2f → %.2f, setup %.1f s\n", r.Conns, r.Slow, r.LoadStart[0], r.LoadEnd[0], r.SetupS)
	if r.Idle {
		printIdle(r)
		return
	}
	printLatency(r)
	printTraffic(r)
	printCosts(r)
}

// printIdle prints what idle connections cost in memory.
func printIdle(r *passResult) {
	for _, s := range r.Servers {
		fmt.Printf("  pid %d: RSS %d → %d KB\n", s.PID, s.RSSStartKB, s.RSSEndKB)
	}
	fmt.Printf("  memory per connection: %.1f KB (RSS %d → %d KB), disconnects %d\n", r.KBPerConn, r.IdleRSSBeforeKB, r.IdleRSSAfterKB, r.Disconnects)
	if r.KBPerConnLater > 0 {
		fmt.Printf("  memory per connection later: %.1f KB (RSS %d KB)\n", r.KBPerConnLater, r.IdleRSSLaterKB)
	}
}

// printLatency prints the time from send to the last receiver: overall,
// by command, by server and over the window.
func printLatency(r *passResult) {
	l := r.Latency
	fmt.Printf("  latency send → last receiver (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (n=%d)\n", l.P50, l.P90, l.P99, l.Max, l.N)
	for _, cmd := range slices.Sorted(maps.Keys(r.LatencyByCmd)) { // a stable order, to compare runs
		d := r.LatencyByCmd[cmd]
		fmt.Printf("      %-15s p50 %7.2f  p99 %7.2f  n=%d\n", cmd, d.P50, d.P99, d.N)
	}
	if bs := r.LatencyByServer; len(bs) > 0 {
		f := func(k string) string {
			d, ok := bs[k]
			if !ok {
				return "-"
			}
			return fmt.Sprintf("%.1f/%.1f", d.P50, d.P99)
		}
		fmt.Printf("  by server, to the last receiver on the sender's server / on another (ms, p50/p99): sent on the game's home server %s / %s; sent on another %s / %s\n",
			f("home/same"), f("home/other"), f("away/same"), f("away/other"))
	}
	if len(r.Timeline) > 0 {
		fmt.Printf("  p99/max by 5 s of the window (ms):")
		for _, x := range r.Timeline {
			fmt.Printf(" %.0f/%.0f", x[0], x[1])
		}
		fmt.Println()
	}
}

// printTraffic prints what happened to the commands and how many updates
// were delivered.
func printTraffic(r *passResult) {
	fmt.Printf("  commands: sent %d, acked %d, refused %d %v, unanswered %d; effects never arrived %d; disconnects %d; send errors %d; fresh snapshots %d\n",
		r.Sent, r.Acked, r.Refused, r.RefusedBy, r.Unanswered, r.NeverArrived, r.Disconnects, r.SendErrors, r.Snapshots)
	fmt.Printf("  deliveries %d (%.0f/s, mean %.0f B; %d outside the command's audience), effects %.0f/s over %.1f s\n",
		r.Deliveries, r.DeliveriesPerS, r.MeanUpdateB, r.OffAudience, r.EffectsPerS, r.WindowS)
}

// printCosts prints what the load cost the servers, redis-server and the
// generator, and the servers' own counters.
func printCosts(r *passResult) {
	for _, s := range r.Servers {
		fmt.Printf("  pid %d (%s): CPU user %.2f s + sys %.2f s, RSS %d → %d KB (max %d)\n", s.PID, s.Role, s.UserS, s.SysS, s.RSSStartKB, s.RSSEndKB, s.RSSMaxKB)
	}
	if r.Redis != nil {
		fmt.Printf("  redis-server pid %d: CPU user %.2f s + sys %.2f s, RSS %d KB\n", r.Redis.PID, r.Redis.UserS, r.Redis.SysS, r.Redis.RSSEndKB)
	}
	fmt.Printf("  server CPU per delivery: %.2f µs", r.CPUPerDelivery)
	if r.CPUPerDelivWR > 0 {
		fmt.Printf(" (%.2f µs with redis-server)", r.CPUPerDelivWR)
	}
	fmt.Printf("; generator CPU user %.2f s + sys %.2f s\n", r.GenUserS, r.GenSysS)
	if len(r.ServerMetrics) > 0 {
		fmt.Printf("  server metrics: %v\n", r.ServerMetrics)
	}
	if r.RedisCalls != nil {
		fmt.Printf("  redis calls in the window: %v; EVALSHA per stored command %.3f\n", r.RedisCalls, r.RedisPerAck)
	}
}
