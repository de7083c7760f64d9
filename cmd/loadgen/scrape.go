//go:build linux

package main

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// scrapeMetrics reads the few figures the servers' /metrics expose that
// the report uses, summed over the instances.
func (p *pass) scrapeMetrics() map[string]float64 {
	out := map[string]float64{}
	hc := &http.Client{Timeout: 5 * time.Second}
	for _, u := range p.target.urls {
		resp, err := hc.Get(strings.TrimRight(u, "/") + "/metrics")
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") {
				continue
			}
			name, val, ok := strings.Cut(line, " ")
			if !ok {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil {
				continue
			}
			switch {
			case strings.HasPrefix(name, "devops_challenge_commands_total{") && strings.Contains(name, `outcome="ok"`):
				out["commands_ok"] += f
			case strings.HasPrefix(name, "devops_challenge_commands_total{"):
				out["commands_refused"] += f
			case name == "devops_challenge_slow_clients_dropped_total", name == "hub_slow_clients_dropped_total":
				out["slow_clients_dropped"] += f
			case name == "devops_challenge_redis_errors_total":
				out["redis_errors"] += f
			case name == "devops_challenge_store_conflicts_total":
				out["store_conflicts"] += f
			case name == "devops_challenge_state_rebuilds_total":
				out["state_rebuilds"] += f
			case name == "devops_challenge_appends_total":
				out["appends"] += f
			case name == "devops_challenge_appended_commands_total":
				out["appended_commands"] += f
			case name == "devops_challenge_append_seconds_sum":
				out["append_s"] += f
			case name == "devops_challenge_append_seconds_count":
				out["append_count"] += f
			case name == `devops_challenge_append_seconds_bucket{le="0.02"}`:
				out["append_le_20ms"] += f
			case name == "go_gc_duration_seconds_count":
				out["gc_cycles"] += f
			case name == "go_memstats_alloc_bytes_total":
				out["alloc_bytes"] += f
			case name == "go_goroutines":
				out["goroutines_end"] += f
			case name == "go_memstats_heap_inuse_bytes":
				out["heap_inuse_bytes_end"] += f
			case name == "devops_challenge_connections", name == "hub_connections":
				out["connections_end"] += f
			}
		}
		resp.Body.Close()
	}
	return out
}

// diffMetrics is how the servers' metrics moved between a and b (the
// figures named *_end are b's).
func diffMetrics(a, b map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range b {
		if strings.HasSuffix(k, "_end") {
			out[k] = v
		} else {
			out[k] = v - a[k]
		}
	}
	return out
}

// redisStats returns the calls of every command from INFO commandstats.
func (p *pass) redisStats(ctx context.Context) map[string]int64 {
	if p.target.redisURL == "" {
		return nil
	}
	opt, err := redis.ParseURL(p.target.redisURL)
	if err != nil {
		return nil
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info, err := rdb.Info(cctx, "commandstats").Result()
	if err != nil {
		return nil
	}
	out := map[string]int64{}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, "calls="); ok {
				out[strings.TrimPrefix(name, "cmdstat_")], _ = strconv.ParseInt(v, 10, 64)
			}
		}
	}
	return out
}
