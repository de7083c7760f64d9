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
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
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
	noGame     bool
	cpuProfile string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "server" {
		os.Exit(serverMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "slowcmp" {
		os.Exit(slowCompareMain(os.Args[2:]))
	}
	os.Exit(run(os.Args[1:]))
}

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

func parseFlags(args []string) (options, error) {
	var o options
	fl := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	gameURLs := fl.String("game", "", "game server base URLs, comma-separated (http://127.0.0.1:PORT); games and players are spread over them (see -spread)")
	spread := fl.String("spread", "players", "with several servers: players (the players of each game alternate between the servers) or games (each game's players on one server, as behind a load balancer hashing ?game=)")
	gamePIDs := fl.String("game-pids", "", "PIDs of the game server processes, comma-separated (CPU and memory from /proc)")
	redisPID := fl.Int("redis-pid", 0, "PID of the redis-server the game servers share (its CPU is reported beside theirs)")
	redisURL := fl.String("redis-url", "", "that Redis, to read INFO commandstats before and after the window (loopback only)")
	hubURL := fl.String("hub", "", "the bare hub's base URL (cmd/hub), driven with the same load after the game")
	hubPID := fl.Int("hub-pid", 0, "PID of the hub")
	fl.IntVar(&o.cfg.games, "games", 4, "games (hub rooms)")
	fl.IntVar(&o.cfg.players, "players", 40, "players per game (a facilitator and a projector are added)")
	fl.IntVar(&o.cfg.companies, "companies", 0, "companies per game (0: one per 16 players)")
	fl.Float64Var(&o.cfg.rate, "rate", 0.5, "mean commands per player per second (Poisson)")
	phases := fl.String("phases", strings.Join(kinds, ","), "phase each game plays, in turn: wall (notes, votes), study (card edits, quiz), sprints (plans), debate (questions, upvotes)")
	fl.DurationVar(&o.cfg.warmup, "warmup", 10*time.Second, "warm-up before the measured window")
	fl.DurationVar(&o.cfg.duration, "duration", 30*time.Second, "measured window")
	fl.DurationVar(&o.cfg.grace, "grace", 10*time.Second, "time allowed after the window for its effects to arrive")
	fl.BoolVar(&o.cfg.idle, "idle", false, "connect everyone, send nothing, and report memory per connection")
	fl.DurationVar(&o.cfg.settle, "settle", 15*time.Second, "idle: time between the last connection and the memory reading")
	fl.DurationVar(&o.cfg.settleLong, "settle-long", 0, "idle: also read memory this long after the last connection (e.g. 130s: after Go's periodic GC)")
	fl.Float64Var(&o.cfg.slow, "slow", 0, "share of players that stop reading when the window opens (e.g. 0.05)")
	fl.BoolVar(&o.slowCmp, "slow-compare", false, "with -slow: first run the same load without slow clients, then compare")
	capacity := fl.String("capacity", "", "capacity stepping: games per step, comma-separated (e.g. 10,20,40,60); stops past -capacity-p99")
	fl.Float64Var(&o.capP99, "capacity-p99", 100, "capacity: p99 limit in milliseconds")
	fl.IntVar(&o.cfg.setupParallel, "setup-parallel", 8, "games set up at once")
	fl.IntVar(&o.maxConns, "max-conns", 12000, "refuse a pass with more connections than this (hard limit 20000)")
	fl.Int64Var(&o.maxCmds, "max-commands", 2_000_000, "stop sending after this many commands in the whole invocation")
	fl.StringVar(&o.out, "out", "", "write the results as JSON to this file")
	fl.StringVar(&o.label, "label", "", "name of the run, in the report")
	fl.BoolVar(&o.cfg.verbose, "v", false, "print progress")
	fl.BoolVar(&o.cfg.deflate, "deflate", true, "clients offer WebSocket compression (permessage-deflate) as browsers do; -deflate=false for plain frames")
	fl.StringVar(&o.cpuProfile, "cpuprofile", "", "write the generator's own CPU profile to this file")
	if err := fl.Parse(args); err != nil {
		return o, err
	}
	if fl.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fl.Arg(0))
	}
	switch *spread {
	case "players":
	case "games":
		o.cfg.byGame = true
	default:
		return o, fmt.Errorf("-spread: %q is neither players nor games", *spread)
	}
	var err error
	if o.game.urls, err = loopbackURLs(*gameURLs); err != nil {
		return o, err
	}
	if o.hub.urls, err = loopbackURLs(*hubURL); err != nil {
		return o, err
	}
	if len(o.game.urls) == 0 && len(o.hub.urls) == 0 {
		return o, fmt.Errorf("give -game and/or -hub")
	}
	if *redisURL != "" {
		u, err := url.Parse(*redisURL)
		if err != nil || (u.Scheme != "redis") || !loopbackHost(u.Hostname()) {
			return o, fmt.Errorf("-redis-url must be redis://<loopback>:port/db, not %q", *redisURL)
		}
	}
	o.game.kind, o.hub.kind = targetGame, targetHub
	if o.game.pids, err = pids(*gamePIDs); err != nil {
		return o, err
	}
	if len(o.game.urls) > 0 && len(o.game.pids) == 0 {
		return o, fmt.Errorf("-game-pids is needed with -game (the report reads their CPU from /proc)")
	}
	if len(o.hub.urls) > 0 {
		if *hubPID <= 0 {
			return o, fmt.Errorf("-hub-pid is needed with -hub")
		}
		o.hub.pids = []int{*hubPID}
	}
	o.game.redisPID, o.game.redisURL = *redisPID, *redisURL
	for _, ph := range strings.Split(*phases, ",") {
		if !slices.Contains(kinds, ph) {
			return o, fmt.Errorf("-phases: unknown phase %q (%s)", ph, strings.Join(kinds, ", "))
		}
		o.cfg.phases = append(o.cfg.phases, ph)
	}
	if *capacity != "" {
		for _, s := range strings.Split(*capacity, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				return o, fmt.Errorf("-capacity: %q is not a number of games", s)
			}
			o.capacity = append(o.capacity, n)
		}
	}
	switch {
	case o.cfg.games <= 0 || o.cfg.players <= 0 || o.cfg.players > 500:
		return o, fmt.Errorf("-games must be positive and -players 1 to 500")
	case o.cfg.rate <= 0 || o.cfg.rate > 10:
		return o, fmt.Errorf("-rate must be in (0, 10] commands per player per second")
	case o.cfg.duration <= 0 || o.cfg.duration > maxDurationHard:
		return o, fmt.Errorf("-duration must be in (0, %s]", maxDurationHard)
	case o.cfg.warmup < 0 || o.cfg.warmup > maxWarmupHard:
		return o, fmt.Errorf("-warmup must be in [0, %s]", maxWarmupHard)
	case o.cfg.grace < 0 || o.cfg.grace > time.Minute:
		return o, fmt.Errorf("-grace must be in [0, 1m]")
	case o.cfg.settle <= 0 || o.cfg.settle > 5*time.Minute || o.cfg.settleLong > 5*time.Minute:
		return o, fmt.Errorf("-settle and -settle-long must be at most 5m")
	case o.cfg.slow < 0 || o.cfg.slow >= 1:
		return o, fmt.Errorf("-slow must be in [0, 1)")
	case o.maxConns <= 0 || o.maxConns > maxConnsHard:
		return o, fmt.Errorf("-max-conns must be in (0, %d]", maxConnsHard)
	case o.maxCmds <= 0:
		return o, fmt.Errorf("-max-commands must be positive")
	case o.cfg.setupParallel <= 0:
		return o, fmt.Errorf("-setup-parallel must be positive")
	}
	most := o.cfg.games
	for _, n := range o.capacity {
		most = max(most, n)
	}
	if conns := most * (o.cfg.players + 2); conns > o.maxConns {
		return o, fmt.Errorf("%d games × (%d players + 2) = %d connections, over -max-conns %d", most, o.cfg.players, conns, o.maxConns)
	}
	return o, nil
}

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

type comparison struct {
	What  string  `json:"what"`
	A     string  `json:"a"`
	B     string  `json:"b"`
	Ratio float64 `json:"ratio"`
}

type machineInfo struct {
	CPU     string `json:"cpu"`
	Cores   int    `json:"cores"`
	MemMB   int64  `json:"memMB"`
	Kernel  string `json:"kernel"`
	Go      string `json:"go"`
	GenPID  int    `json:"generatorPid"`
	GenCPUs string `json:"generatorAffinity"`
}

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

// compareRun runs the game, then the hub, with the same load (and, with
// -slow-compare, each without and then with slow clients).
func compareRun(ctx context.Context, o options, budget func() bool, rep *report) error {
	var mix *hubMix
	var gameRes, hubRes []*passResult
	one := func(t target, label string, cfg config) (*passResult, error) {
		p := newPass(cfg, t, label, mix)
		p.budget = budget
		fmt.Printf("== %s: %s, %d games × %d players, %s\n", label, t.kind, cfg.games, cfg.players, describe(cfg))
		r, err := p.run(ctx)
		if err != nil {
			return nil, err
		}
		rep.Passes = append(rep.Passes, r)
		if t.kind == targetGame && mix == nil && len(r.Mix) > 0 {
			mix = mixFrom(r.Mix)
		}
		printPass(r)
		// Let the servers see the disconnections before the next pass.
		sleep(ctx, 3*time.Second)
		return r, nil
	}
	variants := []config{o.cfg}
	if o.slowCmp && o.cfg.slow > 0 {
		base := o.cfg
		base.slow = 0
		variants = []config{base, o.cfg}
	}
	for _, kind := range []string{targetGame, targetHub} {
		t := o.game
		if kind == targetHub {
			t = o.hub
		}
		if len(t.urls) == 0 {
			continue
		}
		if kind == targetHub && mix == nil && !o.cfg.idle {
			mix = defaultMix()
		}
		for _, cfg := range variants {
			label := kind
			if cfg.slow > 0 {
				label += "-slow"
			}
			if o.label != "" {
				label = o.label + "/" + label
			}
			r, err := one(t, label, cfg)
			if err != nil {
				return err
			}
			if kind == targetGame {
				gameRes = append(gameRes, r)
			} else {
				hubRes = append(hubRes, r)
			}
		}
	}
	rep.Comparisons = compare(gameRes, hubRes, o.cfg.idle)
	printComparisons(rep.Comparisons)
	return nil
}

// defaultMix is used when the hub runs without a game pass before it.
func defaultMix() *hubMix {
	return &hubMix{total: 1, entries: []mixEntry{{cmd: "msg", weight: 1, cmdBytes: 150, updBytes: 300}}}
}

func describe(cfg config) string {
	if cfg.idle {
		return "idle"
	}
	s := fmt.Sprintf("%.2g cmd/player/s, phases %s, warm-up %s, window %s", cfg.rate, strings.Join(cfg.phases, "+"), cfg.warmup, cfg.duration)
	if cfg.slow > 0 {
		s += fmt.Sprintf(", %.0f%% slow readers", cfg.slow*100)
	}
	if cfg.byGame {
		s += ", each game's players on one server"
	}
	return s
}

func compare(game, hub []*passResult, idle bool) []comparison {
	var out []comparison
	ratio := func(what string, a, b *passResult, x, y float64) {
		if y > 0 {
			out = append(out, comparison{What: what, A: a.Label, B: b.Label, Ratio: round3(x / y)})
		}
	}
	for i := range min(len(game), len(hub)) {
		g, h := game[i], hub[i]
		if idle {
			ratio("memory per connection, game / hub", g, h, g.KBPerConn, h.KBPerConn)
			ratio("memory per connection later, game / hub", g, h, g.KBPerConnLater, h.KBPerConnLater)
			continue
		}
		ratio("p99 latency, game / hub", g, h, g.Latency.P99, h.Latency.P99)
		ratio("p50 latency, game / hub", g, h, g.Latency.P50, h.Latency.P50)
		ratio("server CPU per delivery, game / hub", g, h, g.CPUPerDelivery, h.CPUPerDelivery)
		if g.CPUPerDelivWR > 0 {
			ratio("server+redis CPU per delivery, game / hub", g, h, g.CPUPerDelivWR, h.CPUPerDelivery)
		}
	}
	for _, rs := range [][]*passResult{game, hub} {
		if len(rs) == 2 && rs[1].Slow > 0 {
			ratio("p99 with slow clients / without", rs[1], rs[0], rs[1].Latency.P99, rs[0].Latency.P99)
		}
	}
	return out
}

func printComparisons(cs []comparison) {
	if len(cs) == 0 {
		return
	}
	fmt.Println("\n== ratios")
	for _, c := range cs {
		fmt.Printf("  %-45s %8.3f   (%s vs %s)\n", c.What, c.Ratio, c.A, c.B)
	}
}

func printPass(r *passResult) {
	fmt.Printf("  connections %d (%d slow), load avg %.2f → %.2f, setup %.1f s\n", r.Conns, r.Slow, r.LoadStart[0], r.LoadEnd[0], r.SetupS)
	if r.Idle {
		for _, s := range r.Servers {
			fmt.Printf("  pid %d: RSS %d → %d KB\n", s.PID, s.RSSStartKB, s.RSSEndKB)
		}
		fmt.Printf("  memory per connection: %.1f KB (RSS %d → %d KB), disconnects %d\n", r.KBPerConn, r.IdleRSSBeforeKB, r.IdleRSSAfterKB, r.Disconnects)
		if r.KBPerConnLater > 0 {
			fmt.Printf("  memory per connection later: %.1f KB (RSS %d KB)\n", r.KBPerConnLater, r.IdleRSSLaterKB)
		}
		return
	}
	l := r.Latency
	fmt.Printf("  latency send → last receiver (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (n=%d)\n", l.P50, l.P90, l.P99, l.Max, l.N)
	for cmd, d := range r.LatencyByCmd {
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
	fmt.Printf("  commands: sent %d, acked %d, refused %d %v, unanswered %d; effects never arrived %d; disconnects %d; send errors %d; fresh snapshots %d\n",
		r.Sent, r.Acked, r.Refused, r.RefusedBy, r.Unanswered, r.NeverArrived, r.Disconnects, r.SendErrors, r.Snapshots)
	fmt.Printf("  deliveries %d (%.0f/s, mean %.0f B; %d outside the command's audience), effects %.0f/s over %.1f s\n",
		r.Deliveries, r.DeliveriesPerS, r.MeanUpdateB, r.OffAudience, r.EffectsPerS, r.WindowS)
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

// capacityOut is the result of capacity stepping.
type capacityOut struct {
	P99LimitMs  float64 `json:"p99LimitMs"`
	GamePlayers int     `json:"gamePlayersHeld"`
	HubPlayers  int     `json:"hubPlayersHeld"`
	Ratio       float64 `json:"ratio"`
	GameSteps   []step  `json:"gameSteps"`
	HubSteps    []step  `json:"hubSteps"`
}

type step struct {
	Games   int     `json:"games"`
	Players int     `json:"players"`
	P99     float64 `json:"p99Ms"`
	Lost    int     `json:"lost"`
	Held    bool    `json:"held"`
}

// capacityRun raises the number of games step by step, for the game and
// then for the hub, until p99 passes the limit (or effects are lost).
func capacityRun(ctx context.Context, o options, budget func() bool, rep *report) error {
	c := &capacityOut{P99LimitMs: o.capP99}
	rep.Capacity = c
	var mix *hubMix
	for _, t := range []target{o.game, o.hub} {
		if len(t.urls) == 0 {
			continue
		}
		if t.kind == targetHub && mix == nil {
			mix = defaultMix()
		}
		for _, n := range o.capacity {
			cfg := o.cfg
			cfg.games = n
			label := fmt.Sprintf("%s-%d", t.kind, n)
			fmt.Printf("== capacity %s: %d games × %d players, %s\n", t.kind, n, cfg.players, describe(cfg))
			p := newPass(cfg, t, label, mix)
			p.budget = budget
			r, err := p.run(ctx)
			if err != nil {
				return err
			}
			rep.Passes = append(rep.Passes, r)
			printPass(r)
			if t.kind == targetGame && mix == nil && len(r.Mix) > 0 {
				mix = mixFrom(r.Mix)
			}
			lost := r.NeverArrived + int(r.Unanswered)
			s := step{Games: n, Players: n * cfg.players, P99: r.Latency.P99, Lost: lost,
				Held: r.Latency.N > 0 && r.Latency.P99 <= o.capP99 && lost == 0}
			if t.kind == targetGame {
				c.GameSteps = append(c.GameSteps, s)
				if s.Held {
					c.GamePlayers = max(c.GamePlayers, s.Players)
				}
			} else {
				c.HubSteps = append(c.HubSteps, s)
				if s.Held {
					c.HubPlayers = max(c.HubPlayers, s.Players)
				}
			}
			sleep(ctx, 5*time.Second)
			if !s.Held {
				break
			}
		}
	}
	if c.HubPlayers > 0 {
		c.Ratio = round3(float64(c.GamePlayers) / float64(c.HubPlayers))
	}
	fmt.Printf("\n== capacity at p99 ≤ %.0f ms: game %d players, hub %d players, ratio %.3f\n", o.capP99, c.GamePlayers, c.HubPlayers, c.Ratio)
	return nil
}
