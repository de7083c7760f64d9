//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

const (
	targetGame = "game"
	targetHub  = "hub"
)

// target is what a pass loads: the game server (one or more instances) or
// the bare hub.
type target struct {
	kind     string
	urls     []string
	pids     []int
	redisPID int    // game only: the redis-server, reported beside the servers
	redisURL string // game only: to read INFO commandstats
}

// config is what every pass of one invocation shares.
type config struct {
	games, players, companies int
	rate                      float64
	phases                    []string
	warmup, duration, grace   time.Duration
	settle, settleLong        time.Duration
	idle                      bool
	slow                      float64
	setupParallel             int
	// byGame keeps each game's players on one server, as a load balancer
	// hashing the ?game= hint does; otherwise they alternate.
	byGame      bool
	maxCommands int64
	seed        uint64
	verbose     bool
	// deflate makes the clients offer permessage-deflate, as browsers do.
	deflate bool
}

// pass is one bounded run against one target.
type pass struct {
	cfg    config
	target target
	label  string
	clk    clock
	w      window
	rec    *recorder
	games  []*gameRun
	hubMix *hubMix
	budget func() bool

	disconnects atomic.Int64
}

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

type mixOut struct {
	Share       float64 `json:"share"`
	Audience    string  `json:"audience"`
	CmdBytes    int     `json:"cmdBytes"`
	UpdateBytes int     `json:"updateBytes"`
}

func newPass(cfg config, t target, label string, mix *hubMix) *pass {
	p := &pass{cfg: cfg, target: t, label: label, hubMix: mix}
	p.clk = clock{t0: time.Now()}
	p.rec = newRecorder(&p.w, p.clk)
	return p
}

// ipSeq numbers the loopback source addresses of games across passes.
var ipSeq atomic.Int64

// roomSeq names hub rooms uniquely across passes.
var roomSeq atomic.Int64

func (p *pass) newConn(g *gameRun, role, team string, i int) *conn {
	c := &conn{p: p, g: g, role: role, team: team, pending: map[string]pend{}, stall: make(chan struct{}),
		rng: rand.New(rand.NewPCG(p.cfg.seed, uint64(g.idx)<<20|uint64(i)))}
	if role == rolePlayer && p.cfg.slow > 0 {
		c.slow = rand.New(rand.NewPCG(p.cfg.seed^0x5eed, uint64(g.idx)<<20|uint64(i))).Float64() < p.cfg.slow
	}
	return c
}

func (p *pass) connect(ctx context.Context, c *conn, url, token string) error {
	// Only the facilitator keeps the documents (the quiz, the cards'
	// revisions): decoding them in every client would make the
	// generator's share of the machine larger than it needs to be.
	// A slow client has a small receive buffer, as a phone on a poor
	// network: once it stops reading, the server's buffers fill in
	// seconds rather than minutes.
	recv := 0
	if c.slow {
		recv = 4096
	}
	c.url = url
	s, err := client.Connect(ctx, client.Options{URLs: []string{url}, Token: token, Reconnect: true, OnFrame: c.onMessage,
		IgnoreDocs: c.role != roleFacilitator, RecvBuffer: recv, GameID: c.g.id, Compression: p.cfg.deflate})
	if err != nil {
		return err
	}
	c.s = s
	return nil
}

// playerURL is the server the i-th player of game g connects to: with
// several servers, the players of a game alternate between them, or all
// go to the game's server (byGame).
func (p *pass) playerURL(g *gameRun, i int) string {
	urls := p.target.urls
	if p.cfg.byGame {
		return urls[g.idx%len(urls)]
	}
	return urls[(g.idx+i+1)%len(urls)]
}

// companies is the number of companies of a game of n players: 1 up to
// 20 players, then one per 16.
func companiesFor(n, flag int) int {
	if flag > 0 {
		return flag
	}
	return max(1, int(math.Round(float64(n)/16)))
}

// setupGame creates a game, joins its players, connects everyone and
// brings it to its phase.
func (p *pass) setupGame(ctx context.Context, g *gameRun) error {
	n := p.cfg.players
	urls := p.target.urls
	url := urls[g.idx%len(urls)]
	g.home = url
	if p.target.kind == targetHub {
		room := fmt.Sprintf("r%d", roomSeq.Add(1))
		comp := companiesFor(n, p.cfg.companies)
		fac := p.newConn(g, roleFacilitator, "", 0)
		proj := p.newConn(g, roleProjector, "", 1)
		if err := p.connect(ctx, fac, url, "hub."+room+".fac"); err != nil {
			return err
		}
		if err := p.connect(ctx, proj, url, "hub."+room+".proj"); err != nil {
			return err
		}
		g.conns = append(g.conns, fac, proj)
		for i := 0; i < n; i++ {
			// The same balance as the game's automatic assignment.
			team := fmt.Sprintf("%d/%s", i%comp+1, game.Teams[(i/comp)%len(game.Teams)])
			c := p.newConn(g, rolePlayer, team, i+2)
			if err := p.connect(ctx, c, p.playerURL(g, i), "hub."+room+"."+team); err != nil {
				return err
			}
			g.conns = append(g.conns, c)
			g.players = append(g.players, c)
		}
		return nil
	}

	// One loopback source address per 30 HTTP calls: a classroom behind
	// its router stays within the server's join limit (bursts of 40).
	var hc *http.Client
	calls := 0
	api := func() *client.HTTP {
		if calls%30 == 0 {
			hc = httpFrom(sourceIP(ipSeq.Add(1)))
		}
		calls++
		return &client.HTTP{BaseURL: url, Client: hc}
	}
	// One phase of the kind under load, long enough for the run; in the
	// sprints, planning lasts the whole run and plans are shared in the
	// company (no silo mode).
	phase := game.Phase{Kind: g.kind, Minutes: 30}
	switch g.kind {
	case kindStudy:
		phase.Quiz = true
	case kindSprints:
		phase.Sprints, phase.IncidentMinutes = 1, 2
	}
	agenda, err := json.Marshal([]game.Phase{{Kind: game.KindLobby}, phase, {Kind: game.KindRetro}})
	if err != nil {
		return err
	}
	cg, err := api().CreateGame(ctx, protocol.CreateGameRequest{Title: fmt.Sprintf("Load %d", g.idx), Companies: companiesFor(n, p.cfg.companies),
		Assignment: "auto", Lang: "en", Agenda: agenda})
	if err != nil {
		return fmt.Errorf("create game: %w", err)
	}
	g.id, g.code, g.facTok, g.projTok = cg.GameID, cg.Code, cg.FacilitatorToken, cg.ProjectorToken
	type joined struct {
		token, team string
	}
	var js []joined
	for i := 0; i < n; i++ {
		j, err := api().Join(ctx, g.code, fmt.Sprintf("player%02d", i), "")
		if err != nil {
			return fmt.Errorf("join: %w", err)
		}
		js = append(js, joined{j.PlayerToken, fmt.Sprintf("%d/%s", j.Company, j.Team)})
	}
	hc.CloseIdleConnections()
	fac := p.newConn(g, roleFacilitator, "", 0)
	proj := p.newConn(g, roleProjector, "", 1)
	if err := p.connect(ctx, fac, url, g.facTok); err != nil {
		return fmt.Errorf("facilitator: %w", err)
	}
	if err := p.connect(ctx, proj, url, g.projTok); err != nil {
		return fmt.Errorf("projector: %w", err)
	}
	g.conns = append(g.conns, fac, proj)
	for i, j := range js {
		c := p.newConn(g, rolePlayer, j.team, i+2)
		g.conns = append(g.conns, c)
		g.players = append(g.players, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range g.players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.connect(ctx, c, p.playerURL(g, i), js[i].token); err != nil {
				errs <- fmt.Errorf("player: %w", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if _, err := fac.s.Do(ctx, "game.start", nil); err != nil {
		return fmt.Errorf("game.start: %w", err)
	}
	switch g.kind {
	case kindWall:
		for _, name := range []string{"Release process", "Hand-offs", "Environments", "Monitoring", "Blame", "Tooling"} {
			a, err := fac.s.Do(ctx, "cluster.create", game.ClusterCreateArgs{Name: name})
			var k game.ClusterCreateResult
			if err == nil {
				err = game.DecodeResult(a.Result, &k)
			}
			if err != nil {
				return fmt.Errorf("cluster.create: %w", err)
			}
			g.clusters = append(g.clusters, k.ClusterID)
		}
	case kindSprints:
		// Each team's options, as the facilitator sees them: the actions
		// available now, with their costs.
		g.options = map[string]teamOptions{}
		for _, c := range g.players {
			if _, ok := g.options[c.team]; ok {
				continue
			}
			var d game.OptionsDoc
			key := "options/" + c.team
			if err := fac.s.Wait(ctx, func(s *client.Session) bool { return s.Doc(key, &d) && d.Capacity > 0 }); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			to := teamOptions{capacity: d.Capacity}
			for _, o := range d.Options {
				if o.Available && !o.Owned {
					to.actions = append(to.actions, actionOpt{id: o.Action.ID, cost: o.Action.Cost})
				}
			}
			g.options[c.team] = to
		}
	case kindDebate:
		var d game.DebateDoc
		if err := fac.s.Wait(ctx, func(s *client.Session) bool { return s.Doc("debate", &d) && d.Current >= 0 && d.Current < len(d.Order) }); err != nil {
			return fmt.Errorf("debate: %w", err)
		}
		g.presenter = fmt.Sprintf("%d/%s", d.Order[d.Current].Company, d.Order[d.Current].Team)
	case kindStudy:
		var q game.QuizDoc
		if err := fac.s.Wait(ctx, func(s *client.Session) bool { return s.Doc("quiz", &q) && len(q.Questions) > 0 }); err != nil {
			return fmt.Errorf("quiz: %w", err)
		}
		g.quiz = q.Questions
		// Each player starts the worksheet with a card of their own.
		errs := make(chan error, n)
		for _, c := range g.players {
			c.toAnswer = append([]game.QuizQuestion(nil), g.quiz...)
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := c.s.Do(ctx, "card.add", game.CardAddArgs{Kind: "finding", Text: cardTexts[c.rng.IntN(len(cardTexts))]})
				var r game.CardAddResult
				if err == nil {
					err = game.DecodeResult(a.Result, &r)
				}
				if err != nil {
					errs <- fmt.Errorf("card.add: %w", err)
					return
				}
				c.cards = append(c.cards, &cardRef{id: r.CardID, rev: 1})
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// setup creates every game, several at a time.
func (p *pass) setup(ctx context.Context) error {
	for i := 0; i < p.cfg.games; i++ {
		g := &gameRun{idx: i, kind: p.cfg.phases[i%len(p.cfg.phases)]}
		g.tr = newTracker(g, p.rec)
		p.games = append(p.games, g)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, p.cfg.setupParallel)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	var done atomic.Int64
	for _, g := range p.games {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := p.setupGame(ctx, g); err != nil {
				once.Do(func() { first = fmt.Errorf("game %d: %w", g.idx, err); cancel() })
			}
			if n := done.Add(1); p.cfg.verbose && n%25 == 0 {
				fmt.Printf("  %s: %d/%d games set up\n", p.label, n, len(p.games))
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// countSlow counts the slow readers (chosen when their connection was
// made) and fixes who is expected to receive effects.
func (p *pass) countSlow() int {
	n := 0
	for _, g := range p.games {
		for _, c := range g.players {
			if c.slow {
				n++
			}
		}
		g.count()
	}
	return n
}

func sumRSS(s []procSample) int64 {
	var n int64
	for _, x := range s {
		n += x.RSSKB
	}
	return n
}

func (p *pass) conns() int {
	n := 0
	for _, g := range p.games {
		n += len(g.conns)
	}
	return n
}

func (p *pass) sample() ([]procSample, error) {
	var out []procSample
	for _, pid := range p.target.pids {
		s, err := readProc(pid)
		if err != nil {
			return nil, fmt.Errorf("server pid %d: %w", pid, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// run does the whole pass: set up, warm up, measure, drain, tear down.
func (p *pass) run(ctx context.Context) (*passResult, error) {
	res := &passResult{Label: p.label, Target: p.target.kind, URLs: p.target.urls, Games: p.cfg.games, Players: p.cfg.players,
		Companies: companiesFor(p.cfg.players, p.cfg.companies), Phases: p.cfg.phases, ByGame: p.cfg.byGame, Rate: p.cfg.rate, Idle: p.cfg.idle,
		LoadStart: loadAvg()}
	if p.target.kind == targetHub {
		res.Phases = []string{"hub"}
	}
	before, err := p.sample()
	if err != nil {
		return nil, err
	}
	defer p.teardown()
	t0 := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	err = p.setup(sctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("%s: setup: %w", p.label, err)
	}
	res.SetupS = round3(time.Since(t0).Seconds())
	res.Slow = p.countSlow()
	res.Conns = p.conns()
	if p.cfg.verbose {
		fmt.Printf("  %s: %d connections set up in %.1f s\n", p.label, res.Conns, res.SetupS)
	}

	if p.cfg.idle {
		if !sleep(ctx, p.cfg.settle) {
			return nil, ctx.Err()
		}
		after, err := p.sample()
		if err != nil {
			return nil, err
		}
		if p.cfg.settleLong > p.cfg.settle {
			// Later, once Go's periodic GC (every 2 minutes) and the
			// scavenger have run: the steady idle footprint.
			if !sleep(ctx, p.cfg.settleLong-p.cfg.settle) {
				return nil, ctx.Err()
			}
			later, err := p.sample()
			if err != nil {
				return nil, err
			}
			for i := range later {
				res.IdleRSSLaterKB += later[i].RSSKB - before[i].RSSKB
			}
			res.KBPerConnLater = round3(float64(res.IdleRSSLaterKB) / float64(res.Conns))
			res.IdleRSSLaterKB += sumRSS(before)
		}
		for i := range after {
			res.Servers = append(res.Servers, delta(p.target.kind, before[i], after[i], 0))
			res.IdleRSSBeforeKB += before[i].RSSKB
			res.IdleRSSAfterKB += after[i].RSSKB
		}
		res.KBPerConn = round3(float64(res.IdleRSSAfterKB-res.IdleRSSBeforeKB) / float64(res.Conns))
		res.Disconnects = p.countDisconnects()
		res.LoadEnd = loadAvg()
		return res, nil
	}

	// Senders.
	sendCtx, stopSending := context.WithCancel(ctx)
	defer stopSending()
	var senders sync.WaitGroup
	start := time.Now()
	for _, g := range p.games {
		for _, c := range g.players {
			senders.Add(1)
			go func() {
				defer senders.Done()
				c.run(sendCtx, start)
			}()
		}
	}
	if !sleep(ctx, p.cfg.warmup) {
		return nil, ctx.Err()
	}

	// The measured window.
	met0 := p.scrapeMetrics()
	red0 := p.redisStats(ctx)
	var redis0 procSample
	if p.target.redisPID > 0 {
		redis0, _ = readProc(p.target.redisPID)
	}
	s0, err := p.sample()
	if err != nil {
		return nil, err
	}
	gu0, gs0 := selfCPU()
	for _, g := range p.games {
		for _, c := range g.players {
			if c.slow {
				c.stalled.Store(true)
			}
		}
	}
	p.w.end.Store(math.MaxInt64)
	wStart := p.clk.now()
	p.w.start.Store(wStart)
	maxRSS := make([]int64, len(s0))
	stopSampler := make(chan struct{})
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopSampler:
				return
			case <-t.C:
				if s, err := p.sample(); err == nil {
					for i := range s {
						maxRSS[i] = max(maxRSS[i], s[i].RSSKB)
					}
				}
			}
		}
	}()
	ok := sleep(ctx, p.cfg.duration)
	wEnd := p.clk.now()
	p.w.end.Store(wEnd)
	s1, err := p.sample()
	gu1, gs1 := selfCPU()
	var redis1 procSample
	if p.target.redisPID > 0 {
		redis1, _ = readProc(p.target.redisPID)
	}
	red1 := p.redisStats(ctx)
	met1 := p.scrapeMetrics()
	close(stopSampler)
	<-samplerDone
	stopSending()
	senders.Wait()
	if !ok {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	res.WindowS = round3(float64(wEnd-wStart) / 1e9)

	// Drain: wait for the effects of measured commands, up to the grace.
	deadline := time.Now().Add(p.cfg.grace)
	for time.Now().Before(deadline) {
		if p.outstanding() == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, g := range p.games {
		res.NeverArrived += g.tr.sweep(math.MaxInt64, true)
		for _, c := range g.conns {
			c.mu.Lock()
			for _, pd := range c.pending {
				if pd.measured {
					res.Unanswered++
				}
			}
			c.mu.Unlock()
		}
	}
	res.LoadEnd = loadAvg()

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
	r.mu.Lock()
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
	r.mu.Unlock()
	res.Deliveries = r.deliveries.Load()
	res.DeliveriesPerS = round3(float64(res.Deliveries) / res.WindowS)
	res.EffectsPerS = round3(float64(res.Latency.N) / res.WindowS)
	if res.Deliveries > 0 {
		res.MeanUpdateB = round3(float64(r.deliveryBytes.Load()) / float64(res.Deliveries))
	}
	res.Mix = p.mixOut()
	for i := range s1 {
		d := delta(p.target.kind, s0[i], s1[i], maxRSS[i])
		res.Servers = append(res.Servers, d)
		res.ServerCPUS += d.UserS + d.SysS
	}
	res.ServerCPUS = round3(res.ServerCPUS)
	if res.Deliveries > 0 {
		res.CPUPerDelivery = round3(res.ServerCPUS * 1e6 / float64(res.Deliveries))
	}
	if p.target.redisPID > 0 {
		d := delta("redis-server", redis0, redis1, 0)
		res.Redis = &d
		if res.Deliveries > 0 {
			res.CPUPerDelivWR = round3((res.ServerCPUS + d.UserS + d.SysS) * 1e6 / float64(res.Deliveries))
		}
	}
	res.GenUserS, res.GenSysS = round3(gu1-gu0), round3(gs1-gs0)
	res.ServerMetrics = diffMetrics(met0, met1)
	if sm := res.ServerMetrics; sm["append_count"] > 0 {
		// The time of a round trip to Redis, as the servers saw it.
		sm["append_mean_ms"] = round3(1000 * sm["append_s"] / sm["append_count"])
		sm["append_over_20ms_share"] = round3(1 - sm["append_le_20ms"]/sm["append_count"])
	}
	if red0 != nil && red1 != nil {
		res.RedisCalls = map[string]int64{}
		for k, v := range red1 {
			if d := v - red0[k]; d != 0 {
				res.RedisCalls[k] = d
			}
		}
		if n := res.ServerMetrics["appended_commands"]; n > 0 {
			res.RedisPerAck = round3(float64(res.RedisCalls["evalsha"]+res.RedisCalls["eval"]) / n)
		}
	}
	res.Disconnects = p.countDisconnects()
	res.Snapshots = p.rec.snapshots.Load()
	return res, nil
}

// outstanding counts measured commands still waiting for their ack or
// their effect.
func (p *pass) outstanding() int {
	n := 0
	for _, g := range p.games {
		g.tr.mu.Lock()
		for _, e := range g.tr.effects {
			if e.acked && e.measured && !e.done {
				n++
			}
		}
		g.tr.mu.Unlock()
		for _, c := range g.conns {
			if c.slow {
				continue
			}
			c.mu.Lock()
			for _, pd := range c.pending {
				if pd.measured {
					n++
				}
			}
			c.mu.Unlock()
		}
	}
	return n
}

// countDisconnects counts the connections that were lost and made again
// (slow clients, which stop reading on purpose, aside).
func (p *pass) countDisconnects() int64 {
	var n int64
	for _, g := range p.games {
		for _, c := range g.conns {
			if c.s == nil || c.slow {
				continue
			}
			n += int64(c.s.Connections() - 1)
			if !c.s.Online() {
				n++
			}
		}
	}
	return n
}

func (p *pass) mixOut() map[string]mixOut {
	out := map[string]mixOut{}
	var total int64
	p.rec.mix.Range(func(_, v any) bool { total += v.(*mixStat).n.Load(); return true })
	p.rec.mix.Range(func(k, v any) bool {
		m := v.(*mixStat)
		n := m.n.Load()
		if n == 0 || total == 0 {
			return true
		}
		o := mixOut{Share: round3(float64(n) / float64(total)), Audience: m.scope, CmdBytes: int(m.cmdBytes.Load() / n)}
		if u := m.updates.Load(); u > 0 {
			o.UpdateBytes = int(m.updBytes.Load() / u)
		}
		out[k.(string)] = o
		return true
	})
	return out
}

// mixFrom turns the game's measured mix into the hub's.
func mixFrom(ms map[string]mixOut) *hubMix {
	keys := make([]string, 0, len(ms))
	for k := range ms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := &hubMix{}
	for _, k := range keys {
		o := ms[k]
		if o.UpdateBytes == 0 {
			continue
		}
		m.entries = append(m.entries, mixEntry{cmd: k, weight: o.Share, scope: o.Audience, cmdBytes: o.CmdBytes, updBytes: o.UpdateBytes})
		m.total += o.Share
	}
	return m
}

// teardown closes every connection, slow ones included.
func (p *pass) teardown() {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for _, g := range p.games {
		for _, c := range g.conns {
			if c.s == nil {
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c.s.Close()
				if c.stalled.Load() {
					close(c.stall)
				}
			}()
		}
	}
	wg.Wait()
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

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
