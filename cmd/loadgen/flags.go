//go:build linux

package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// rawFlags holds the flags that are checked and converted before they
// become options.
type rawFlags struct {
	gameURLs, spread, gamePIDs, redisURL, hubURL, phases, capacity *string
	redisPID, hubPID                                               *int
}

// parseFlags reads the command line and checks it before anything
// connects: loopback targets with their PIDs, known phases, every figure
// within its bounds, and no more connections than -max-conns.
func parseFlags(args []string) (options, error) {
	var o options
	fl := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	raw := defineFlags(fl, &o)
	if err := fl.Parse(args); err != nil {
		return o, err
	}
	if fl.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fl.Arg(0))
	}
	if err := o.setTargets(raw); err != nil {
		return o, err
	}
	if err := o.setPhases(*raw.phases, *raw.capacity); err != nil {
		return o, err
	}
	if err := o.checkBounds(); err != nil {
		return o, err
	}
	if err := o.checkConns(); err != nil {
		return o, err
	}
	return o, nil
}

// defineFlags declares every flag of the generator: those that need no
// conversion straight into o, the others into the returned rawFlags.
func defineFlags(fl *flag.FlagSet, o *options) rawFlags {
	var raw rawFlags
	raw.gameURLs = fl.String("game", "", "game server base URLs, comma-separated (http://127.0.0.1:PORT); games and players are spread over them (see -spread)")
	raw.spread = fl.String("spread", "players", "with several servers: players (the players of each game alternate between the servers) or games (each game's players on one server, as behind a load balancer hashing ?game=)")
	raw.gamePIDs = fl.String("game-pids", "", "PIDs of the game server processes, comma-separated (CPU and memory from /proc)")
	raw.redisPID = fl.Int("redis-pid", 0, "PID of the redis-server the game servers share (its CPU is reported beside theirs)")
	raw.redisURL = fl.String("redis-url", "", "that Redis, to read INFO commandstats before and after the window (loopback only)")
	raw.hubURL = fl.String("hub", "", "the bare hub's base URL (cmd/hub), driven with the same load after the game")
	raw.hubPID = fl.Int("hub-pid", 0, "PID of the hub")
	fl.IntVar(&o.cfg.games, "games", 4, "games (hub rooms)")
	fl.IntVar(&o.cfg.players, "players", 40, "players per game (a facilitator and a projector are added)")
	fl.IntVar(&o.cfg.companies, "companies", 0, "companies per game (0: one per 16 players)")
	fl.Float64Var(&o.cfg.rate, "rate", 0.5, "mean commands per player per second (Poisson)")
	raw.phases = fl.String("phases", strings.Join(kinds, ","), "phase each game plays, in turn: wall (notes, votes), study (card edits, quiz), sprints (plans), debate (questions, upvotes)")
	fl.DurationVar(&o.cfg.warmup, "warmup", 10*time.Second, "warm-up before the measured window")
	fl.DurationVar(&o.cfg.duration, "duration", 30*time.Second, "measured window")
	fl.DurationVar(&o.cfg.grace, "grace", 10*time.Second, "time allowed after the window for its effects to arrive")
	fl.BoolVar(&o.cfg.idle, "idle", false, "connect everyone, send nothing, and report memory per connection")
	fl.DurationVar(&o.cfg.settle, "settle", 15*time.Second, "idle: time between the last connection and the memory reading")
	fl.DurationVar(&o.cfg.settleLong, "settle-long", 0, "idle: also read memory this long after the last connection (e.g. 130s: after Go's periodic GC)")
	fl.Float64Var(&o.cfg.slow, "slow", 0, "share of players that stop reading when the window opens (e.g. 0.05)")
	fl.BoolVar(&o.slowCmp, "slow-compare", false, "with -slow: first run the same load without slow clients, then compare")
	raw.capacity = fl.String("capacity", "", "capacity stepping: games per step, comma-separated (e.g. 10,20,40,60); stops past -capacity-p99")
	fl.Float64Var(&o.capP99, "capacity-p99", 100, "capacity: p99 limit in milliseconds")
	fl.IntVar(&o.cfg.setupParallel, "setup-parallel", 8, "games set up at once")
	fl.IntVar(&o.maxConns, "max-conns", 12000, "refuse a pass with more connections than this (hard limit 20000)")
	fl.Int64Var(&o.maxCmds, "max-commands", 2_000_000, "stop sending after this many commands in the whole invocation")
	fl.StringVar(&o.out, "out", "", "write the results as JSON to this file")
	fl.StringVar(&o.label, "label", "", "name of the run, in the report")
	fl.BoolVar(&o.cfg.verbose, "v", false, "print progress")
	fl.BoolVar(&o.cfg.deflate, "deflate", true, "clients offer WebSocket compression (permessage-deflate) as browsers do; -deflate=false for plain frames")
	fl.StringVar(&o.cpuProfile, "cpuprofile", "", "write the generator's own CPU profile to this file")
	return raw
}

// setTargets fills the game and hub targets: how players are spread, the
// servers' loopback URLs, their PIDs and the shared Redis.
func (o *options) setTargets(raw rawFlags) error {
	switch *raw.spread {
	case "players":
	case "games":
		o.cfg.byGame = true
	default:
		return fmt.Errorf("-spread: %q is neither players nor games", *raw.spread)
	}
	var err error
	if o.game.urls, err = loopbackURLs(*raw.gameURLs); err != nil {
		return err
	}
	if o.hub.urls, err = loopbackURLs(*raw.hubURL); err != nil {
		return err
	}
	if len(o.game.urls) == 0 && len(o.hub.urls) == 0 {
		return fmt.Errorf("give -game and/or -hub")
	}
	if *raw.redisURL != "" {
		u, err := url.Parse(*raw.redisURL)
		if err != nil || (u.Scheme != "redis") || !loopbackHost(u.Hostname()) {
			return fmt.Errorf("-redis-url must be redis://<loopback>:port/db, not %q", *raw.redisURL)
		}
	}
	o.game.kind, o.hub.kind = targetGame, targetHub
	if o.game.pids, err = pids(*raw.gamePIDs); err != nil {
		return err
	}
	if len(o.game.urls) > 0 && len(o.game.pids) == 0 {
		return fmt.Errorf("-game-pids is needed with -game (the report reads their CPU from /proc)")
	}
	if len(o.hub.urls) > 0 {
		if *raw.hubPID <= 0 {
			return fmt.Errorf("-hub-pid is needed with -hub")
		}
		o.hub.pids = []int{*raw.hubPID}
	}
	o.game.redisPID, o.game.redisURL = *raw.redisPID, *raw.redisURL
	return nil
}

// setPhases reads the phases the games play (the game's own kinds) and
// the capacity steps, in games.
func (o *options) setPhases(phases, capacity string) error {
	for _, ph := range strings.Split(phases, ",") {
		if !slices.Contains(kinds, ph) {
			return fmt.Errorf("-phases: unknown phase %q (%s)", ph, strings.Join(kinds, ", "))
		}
		o.cfg.phases = append(o.cfg.phases, ph)
	}
	if capacity != "" {
		for _, s := range strings.Split(capacity, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				return fmt.Errorf("-capacity: %q is not a number of games", s)
			}
			o.capacity = append(o.capacity, n)
		}
	}
	return nil
}

// checkBounds refuses any figure outside its bounds, hard limits included.
func (o *options) checkBounds() error {
	switch {
	case o.cfg.games <= 0 || o.cfg.players <= 0 || o.cfg.players > 500:
		return fmt.Errorf("-games must be positive and -players 1 to 500")
	case o.cfg.rate <= 0 || o.cfg.rate > 10:
		return fmt.Errorf("-rate must be in (0, 10] commands per player per second")
	case o.cfg.duration <= 0 || o.cfg.duration > maxDurationHard:
		return fmt.Errorf("-duration must be in (0, %s]", maxDurationHard)
	case o.cfg.warmup < 0 || o.cfg.warmup > maxWarmupHard:
		return fmt.Errorf("-warmup must be in [0, %s]", maxWarmupHard)
	case o.cfg.grace < 0 || o.cfg.grace > time.Minute:
		return fmt.Errorf("-grace must be in [0, 1m]")
	case o.cfg.settle <= 0 || o.cfg.settle > 5*time.Minute || o.cfg.settleLong > 5*time.Minute:
		return fmt.Errorf("-settle and -settle-long must be at most 5m")
	case o.cfg.slow < 0 || o.cfg.slow >= 1:
		return fmt.Errorf("-slow must be in [0, 1)")
	case o.maxConns <= 0 || o.maxConns > maxConnsHard:
		return fmt.Errorf("-max-conns must be in (0, %d]", maxConnsHard)
	case o.maxCmds <= 0:
		return fmt.Errorf("-max-commands must be positive")
	case o.cfg.setupParallel <= 0:
		return fmt.Errorf("-setup-parallel must be positive")
	}
	return nil
}

// checkConns refuses a pass, capacity steps included, with more
// connections than -max-conns.
func (o *options) checkConns() error {
	most := o.cfg.games
	for _, n := range o.capacity {
		most = max(most, n)
	}
	if conns := most * (o.cfg.players + 2); conns > o.maxConns {
		return fmt.Errorf("%d games × (%d players + 2) = %d connections, over -max-conns %d", most, o.cfg.players, conns, o.maxConns)
	}
	return nil
}

// loopbackHost says whether h names this machine.
func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// loopbackURLs parses a comma-separated list of http URLs and refuses any
// whose host is not a loopback address: the generator never loads a
// machine other than this one.
func loopbackURLs(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for _, raw := range strings.Split(s, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return nil, fmt.Errorf("%q: give http://127.0.0.1:PORT", raw)
		}
		if !loopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("%q is not a loopback address: the load generator only loads this machine", raw)
		}
		out = append(out, strings.TrimRight(raw, "/"))
	}
	return out, nil
}

// pids parses a comma-separated list of PIDs of running processes.
func pids(s string) ([]int, error) {
	var out []int
	if s == "" {
		return nil, nil
	}
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a PID", f)
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d/stat", n)); err != nil {
			return nil, fmt.Errorf("no process %d", n)
		}
		out = append(out, n)
	}
	return out, nil
}
