//go:build linux

package main

import (
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// clock is the pass's monotonic clock, in nanoseconds since its start.
type clock struct{ t0 time.Time }

func (c clock) now() int64 { return int64(time.Since(c.t0)) }

// window says which commands and deliveries count: those sent (received)
// between start and end, in clock nanoseconds. Both are 0 until the
// measured window opens; end is math.MaxInt64 while it is open.
type window struct {
	start, end atomic.Int64
}

func (w *window) in(t int64) bool {
	s := w.start.Load()
	return s > 0 && t >= s && t < w.end.Load()
}

// receipt is one connection receiving the update of a version.
type receipt struct {
	c *conn
	t int64
	n int // bytes
}

// effect is what the tracker knows of one version of one game: who
// received its update and, once the sender's ack named the version, which
// command it was.
type effect struct {
	receipts []receipt
	created  int64
	// Set by the ack.
	acked    bool
	sent     int64
	cmd      string
	aud      audience
	sender   *conn
	measured bool
	done     bool
}

// audience is who should see a command's effect: everyone in the game,
// one company's players and the facilitator, or one team and the
// facilitator.
type audience struct {
	team    string // "<company>/<team>", or "" for a wider audience
	company string // "<company>", or "" for everyone
}

// Scopes of an audience, as the hub's "_to" names them.
const (
	scopeAll     = "all"
	scopeCompany = "company"
	scopeTeam    = "team"
)

func (a audience) scope() string {
	switch {
	case a.team != "":
		return scopeTeam
	case a.company != "":
		return scopeCompany
	}
	return scopeAll
}

func (a audience) includes(c *conn) bool {
	switch {
	case c.role == roleFacilitator:
		return true
	case a.team != "":
		return c.team == a.team
	case a.company != "":
		return strings.HasPrefix(c.team, a.company+"/")
	}
	return true
}

// tracker matches updates to commands for one game.
type tracker struct {
	mu      sync.Mutex
	effects map[int64]*effect
	rec     *recorder
	g       *gameRun
	// snaps: the last snapshot each connection got after its first one
	// (a server may send a fresh snapshot instead of updates).
	snaps map[*conn]snapAt
}

type snapAt struct{ v, t int64 }

func newTracker(g *gameRun, rec *recorder) *tracker {
	return &tracker{effects: map[int64]*effect{}, rec: rec, g: g}
}

func (tr *tracker) get(v int64, now int64) *effect {
	e := tr.effects[v]
	if e == nil {
		e = &effect{created: now}
		tr.effects[v] = e
		for c, s := range tr.snaps {
			if s.v >= v {
				e.receipts = append(e.receipts, receipt{c, s.t, 0})
			}
		}
	}
	return e
}

// snapshot records that connection c got a fresh snapshot at version v
// at t: it holds every effect up to v, whether or not their updates
// came.
func (tr *tracker) snapshot(c *conn, v int64, t int64) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.snaps == nil {
		tr.snaps = map[*conn]snapAt{}
	}
	tr.snaps[c] = snapAt{v, t}
	for ev, e := range tr.effects {
		if ev > v || e.done || slices.ContainsFunc(e.receipts, func(r receipt) bool { return r.c == c }) {
			continue
		}
		e.receipts = append(e.receipts, receipt{c, t, 0})
		if e.acked {
			tr.check(ev, e)
		}
	}
}

// received records that connection c got the update of version v at t.
func (tr *tracker) received(c *conn, v int64, t int64, n int) {
	tr.mu.Lock()
	e := tr.get(v, t)
	if !e.done {
		e.receipts = append(e.receipts, receipt{c, t, n})
		if e.acked {
			tr.check(v, e)
		}
	} else if e.measured && !e.aud.includes(c) {
		tr.rec.offAudience.Add(1)
	}
	tr.mu.Unlock()
}

// acked records that the command sent by c at sent, of type cmd, was
// stored at version v.
func (tr *tracker) acked(c *conn, v int64, sent int64, cmd string, aud audience, measured bool, now int64) {
	tr.mu.Lock()
	e := tr.get(v, now)
	if e.acked {
		// Two acks for one version: a resent command acked with the
		// version at which it was first applied. Count it once.
		tr.mu.Unlock()
		tr.rec.duplicateAcks.Add(1)
		return
	}
	e.acked, e.sent, e.cmd, e.aud, e.sender, e.measured = true, sent, cmd, aud, c, measured
	tr.check(v, e)
	tr.mu.Unlock()
}

// check completes an effect once every connection of its audience that is
// expected to read has received it. Called with tr.mu held.
func (tr *tracker) check(v int64, e *effect) {
	want := tr.g.expected(e.aud)
	got, bytes, off := 0, 0, 0
	var last, lastSame, lastOther int64
	for _, r := range e.receipts {
		switch {
		case !e.aud.includes(r.c):
			off++
		case !r.c.slow:
			got++
			bytes += r.n
			last = max(last, r.t)
			if r.c.url == e.sender.url {
				lastSame = max(lastSame, r.t)
			} else {
				lastOther = max(lastOther, r.t)
			}
		}
	}
	if got < want {
		return
	}
	e.done = true
	if e.measured {
		tr.rec.offAudience.Add(int64(off))
		tr.rec.latency(e.cmd, e.sent, time.Duration(last-e.sent))
		if lastOther > 0 {
			// Receivers on several servers: record each side.
			from := "away/"
			if e.sender.url == tr.g.home {
				from = "home/"
			}
			if lastSame > 0 {
				tr.rec.byServerLatency(from+"same", time.Duration(lastSame-e.sent))
			}
			tr.rec.byServerLatency(from+"other", time.Duration(lastOther-e.sent))
		}
		if ms := tr.rec.mixOf(e.cmd, e.aud.scope()); got > 0 {
			ms.updBytes.Add(int64(bytes))
			ms.updates.Add(int64(got))
		}
	}
	e.receipts = nil
}

// sweep forgets finished effects and updates no command of ours caused
// (presence changes, the facilitator's setup) once they are old, and
// returns the number of measured effects still incomplete.
func (tr *tracker) sweep(olderThan int64, final bool) (incomplete int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for v, e := range tr.effects {
		switch {
		case e.done && e.created < olderThan:
			delete(tr.effects, v)
		case !e.acked && e.created < olderThan:
			delete(tr.effects, v)
		case e.acked && !e.done && e.measured && final:
			incomplete++
		}
	}
	return incomplete
}

// recorder collects the figures of one pass.
type recorder struct {
	w   *window
	clk clock

	mu        sync.Mutex
	latencies []float64   // ms
	slices    [][]float64 // ms, by sliceLen of the window (by send time)
	byCmd     map[string][]float64
	// byServer: see passResult.LatencyByServer.
	byServer map[string][]float64

	sent, acked, refused, unanswered atomic.Int64
	sendErrors, otherErrors          atomic.Int64
	deliveries, deliveryBytes        atomic.Int64
	allUpdates                       atomic.Int64
	duplicateAcks                    atomic.Int64
	// offAudience counts updates of measured commands received by
	// connections outside the command's audience (a document they cannot
	// see, sent as null).
	offAudience atomic.Int64
	// snapshots counts the snapshots connections got after their first.
	snapshots atomic.Int64
	refusedBy sync.Map // "cmd code" -> *atomic.Int64
	// Command mix of the measured window, for the hub: per command, the
	// count, the bytes of the command messages, the update bytes
	// received and the number of updates.
	mix sync.Map // cmd -> *mixStat
}

type mixStat struct {
	scope                          string
	n, cmdBytes, updBytes, updates atomic.Int64
}

func newRecorder(w *window, clk clock) *recorder {
	return &recorder{w: w, clk: clk, byCmd: map[string][]float64{}}
}

func (r *recorder) latency(cmd string, sent int64, d time.Duration) {
	ms := float64(d) / 1e6
	r.mu.Lock()
	r.latencies = append(r.latencies, ms)
	r.byCmd[cmd] = append(r.byCmd[cmd], ms)
	if i := int((sent - r.w.start.Load()) / int64(sliceLen)); i >= 0 {
		for len(r.slices) <= i {
			r.slices = append(r.slices, nil)
		}
		r.slices[i] = append(r.slices[i], ms)
	}
	r.mu.Unlock()
}

func (r *recorder) byServerLatency(key string, d time.Duration) {
	r.mu.Lock()
	if r.byServer == nil {
		r.byServer = map[string][]float64{}
	}
	r.byServer[key] = append(r.byServer[key], float64(d)/1e6)
	r.mu.Unlock()
}

// sliceLen is the span of the window's slices in the latency timeline.
const sliceLen = 5 * time.Second

func (r *recorder) refusal(cmd, code string) {
	v, _ := r.refusedBy.LoadOrStore(cmd+" "+code, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (r *recorder) mixOf(cmd string, scope string) *mixStat {
	v, ok := r.mix.Load(cmd)
	if !ok {
		v, _ = r.mix.LoadOrStore(cmd, &mixStat{scope: scope})
	}
	return v.(*mixStat)
}

// dist summarises latencies in milliseconds.
type dist struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

func summarise(xs []float64) dist {
	if len(xs) == 0 {
		return dist{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return round3(s[max(0, min(i, len(s)-1))])
	}
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return dist{N: len(s), P50: q(.50), P90: q(.90), P99: q(.99), Max: round3(s[len(s)-1]), Mean: round3(sum / float64(len(s)))}
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
