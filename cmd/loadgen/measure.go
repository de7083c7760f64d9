//go:build linux

package main

import (
	"context"
	"math"
	"sync"
	"time"
)

// windowReading is what a pass reads at both ends of its measured window:
// the window's bounds on the pass's clock, the servers' and
// redis-server's /proc figures, the generator's own CPU, the servers'
// metrics and Redis's command counts.
type windowReading struct {
	start, end         int64
	procs0, procs1     []procSample
	maxRSS             []int64
	redis0, redis1     procSample
	genUser0, genSys0  float64
	genUser1, genSys1  float64
	metrics0, metrics1 map[string]float64
	calls0, calls1     map[string]int64
}

// measure runs every player's sender through the warm-up and the measured
// window, and returns what was read at both ends of the window.
func (p *pass) measure(ctx context.Context) (*windowReading, error) {
	sendCtx, stopSending := context.WithCancel(ctx)
	defer stopSending()
	senders := p.startSenders(sendCtx)
	if !sleep(ctx, p.cfg.warmup) {
		return nil, ctx.Err()
	}
	m, err := p.openWindow(ctx)
	if err != nil {
		return nil, err
	}
	stopWatching := p.watchRSS(m.maxRSS)
	ok := sleep(ctx, p.cfg.duration)
	err = p.closeWindow(ctx, m)
	stopWatching()
	stopSending()
	senders.Wait()
	if !ok {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// startSenders starts every player's sender, each on its own Poisson
// schedule from now.
func (p *pass) startSenders(ctx context.Context) *sync.WaitGroup {
	var senders sync.WaitGroup
	start := time.Now()
	for _, g := range p.games {
		for _, c := range g.players {
			senders.Add(1)
			go func() {
				defer senders.Done()
				c.run(ctx, start)
			}()
		}
	}
	return &senders
}

// openWindow reads the figures at the start of the window, makes the slow
// readers stop reading, and opens the window: what is sent from now on
// is measured.
func (p *pass) openWindow(ctx context.Context) (*windowReading, error) {
	m := &windowReading{}
	m.metrics0 = p.scrapeMetrics()
	m.calls0 = p.redisStats(ctx)
	if p.target.redisPID > 0 {
		m.redis0, _ = readProc(p.target.redisPID)
	}
	var err error
	if m.procs0, err = p.sample(); err != nil {
		return nil, err
	}
	m.genUser0, m.genSys0 = selfCPU()
	for _, g := range p.games {
		for _, c := range g.players {
			if c.slow {
				c.stalled.Store(true)
			}
		}
	}
	p.w.end.Store(math.MaxInt64)
	m.start = p.clk.now()
	p.w.start.Store(m.start)
	m.maxRSS = make([]int64, len(m.procs0))
	return m, nil
}

// watchRSS samples the servers' memory every second, keeping each one's
// highest in maxRSS, until the function it returns is called.
func (p *pass) watchRSS(maxRSS []int64) (stop func()) {
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
	return func() {
		close(stopSampler)
		<-samplerDone
	}
}

// closeWindow closes the window and reads the figures at its end. It reads
// every one of them even when the servers' /proc cannot be read, then
// returns that error.
func (p *pass) closeWindow(ctx context.Context, m *windowReading) error {
	m.end = p.clk.now()
	p.w.end.Store(m.end)
	var err error
	m.procs1, err = p.sample()
	m.genUser1, m.genSys1 = selfCPU()
	if p.target.redisPID > 0 {
		m.redis1, _ = readProc(p.target.redisPID)
	}
	m.calls1 = p.redisStats(ctx)
	m.metrics1 = p.scrapeMetrics()
	return err
}

// drain waits, up to the grace, for the effects of the measured commands,
// then counts what never came: effects that never reached everyone, and
// commands never answered.
func (p *pass) drain(res *passResult) {
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
}
