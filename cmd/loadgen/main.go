//go:build linux

// Command loadgen is the load generator of DevOps Challenge: N games × P
// players over real WebSockets (through the Go client package), plus a
// facilitator and a projector per game, each player sending realistic
// game commands with Poisson gaps; and the same load against the bare
// broadcast hub of cmd/hub, in the same invocation, for comparison.
//
// It measures, over a window after a warm-up, the time from a command's
// send to its effect (the update with the command's version) reaching
// the last connection that should see it; deliveries per second; errors,
// disconnects and effects that never arrived; the servers' CPU and memory
// from /proc; Redis round trips from INFO commandstats. It only talks to
// loopback addresses, and every run is bounded in time and in commands.
//
//	loadgen -game http://127.0.0.1:8080 -game-pids 1234 -hub http://127.0.0.1:9100 -hub-pid 1240 \
//	        -games 50 -players 30 -rate 0.5 -warmup 10s -duration 30s -out s1.json
//
// scripts/load.sh starts the servers and runs the ready-made scenarios;
// docs/PERFORMANCE.md explains the figures.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"time"
)

// Hard bounds, whatever the flags say.
const (
	maxConnsHard    = 20000
	maxDurationHard = 10 * time.Minute
	maxWarmupHard   = 2 * time.Minute
)

// options is the generator's command line, once checked.
type options struct {
	cfg        config
	game, hub  target
	out        string
	label      string
	slowCmp    bool
	capacity   []int
	capP99     float64
	maxConns   int
	maxCmds    int64
	cpuProfile string
}

// main runs the generator, or its `server` and `slowcmp` subcommands.
func main() {
	if len(os.Args) > 1 && os.Args[1] == "server" {
		os.Exit(serverMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "slowcmp" {
		os.Exit(slowCompareMain(os.Args[2:]))
	}
	os.Exit(run(os.Args[1:]))
}

// run runs the generator with args and returns the exit code: 2 for a
// bad command line, 1 when a pass or the report failed.
func run(args []string) int {
	o, err := parseFlags(args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		return 2
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The whole invocation is bounded too.
	limit := time.Duration(len(o.capacity)+1) * 2 * (o.cfg.warmup + o.cfg.duration + o.cfg.grace + 5*time.Minute)
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	var spent atomic.Int64
	o.cfg.seed = uint64(time.Now().UnixNano())
	budget := func() bool { return spent.Add(1) <= o.maxCmds }

	rep := report{Date: time.Now().Format(time.RFC3339), Machine: machine(), Args: args, Label: o.label}
	var err2 error
	switch {
	case len(o.capacity) > 0:
		err2 = capacityRun(ctx, o, budget, &rep)
	default:
		err2 = compareRun(ctx, o, budget, &rep)
	}
	if o.out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
			return 1
		}
		fmt.Printf("\nwrote %s\n", o.out)
	}
	if err2 != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err2)
		return 1
	}
	return 0
}
