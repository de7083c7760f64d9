//go:build linux

package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// The two kinds of target.
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

// newPass prepares a pass of the load against t.
func newPass(cfg config, t target, label string, mix *hubMix) *pass {
	p := &pass{cfg: cfg, target: t, label: label, hubMix: mix}
	p.clk = clock{t0: time.Now()}
	p.rec = newRecorder(&p.w, p.clk)
	return p
}

// run does the whole pass: set up, warm up, measure, drain, tear down.
func (p *pass) run(ctx context.Context) (*passResult, error) {
	res := p.newResult()
	before, err := p.sample()
	if err != nil {
		return nil, err
	}
	defer p.teardown()
	if err := p.setupAll(ctx, res); err != nil {
		return nil, err
	}
	if p.cfg.idle {
		return p.measureIdle(ctx, res, before)
	}
	m, err := p.measure(ctx)
	if err != nil {
		return nil, err
	}
	res.WindowS = round3(float64(m.end-m.start) / 1e9)
	p.drain(res)
	res.LoadEnd = loadAvg()
	p.recordCommands(res)
	p.recordLatencies(res)
	p.recordDeliveries(res)
	p.recordCPU(res, m)
	p.recordServerFigures(res, m)
	res.Disconnects = p.countDisconnects()
	res.Snapshots = p.rec.snapshots.Load()
	return res, nil
}

// newResult starts a pass's result with what the pass is.
func (p *pass) newResult() *passResult {
	res := &passResult{Label: p.label, Target: p.target.kind, URLs: p.target.urls, Games: p.cfg.games, Players: p.cfg.players,
		Companies: companiesFor(p.cfg.players, p.cfg.companies), Phases: p.cfg.phases, ByGame: p.cfg.byGame, Rate: p.cfg.rate, Idle: p.cfg.idle,
		LoadStart: loadAvg()}
	if p.target.kind == targetHub {
		res.Phases = []string{"hub"}
	}
	return res
}

// setupAll sets up every game (within 10 minutes) and notes how long it
// took, how many connections it made and how many of them are slow.
func (p *pass) setupAll(ctx context.Context, res *passResult) error {
	t0 := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	err := p.setup(sctx)
	cancel()
	if err != nil {
		return fmt.Errorf("%s: setup: %w", p.label, err)
	}
	res.SetupS = round3(time.Since(t0).Seconds())
	res.Slow = p.countSlow()
	res.Conns = p.conns()
	if p.cfg.verbose {
		fmt.Printf("  %s: %d connections set up in %.1f s\n", p.label, res.Conns, res.SetupS)
	}
	return nil
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

// conns counts the pass's connections.
func (p *pass) conns() int {
	n := 0
	for _, g := range p.games {
		n += len(g.conns)
	}
	return n
}

// sample reads the target servers' CPU and memory from /proc.
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

// sleep waits d, or less if ctx ends first; it says whether it waited d.
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
