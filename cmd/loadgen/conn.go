//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// conn is one WebSocket client of the load: a player, a facilitator or a
// projector.
type conn struct {
	p    *pass
	g    *gameRun
	role string
	url  string // the server it is connected to
	team string // "<company>/<team>" for players
	s    *client.Session
	// slow clients stop reading when the measured window opens: their
	// reader blocks in OnMessage until stall is closed.
	slow    bool
	stalled atomic.Bool
	stall   chan struct{}

	mu      sync.Mutex
	pending map[string]pend

	// A player's own game state, to choose commands that are accepted.
	rng      *rand.Rand
	notes    int
	voted    []string
	cards    []*cardRef
	adds     int
	toAnswer []game.QuizQuestion
	asked    int
	upvoted  []string
	// snapshots counts the snapshots received.
	snapshots atomic.Int64
}

// pend is a command sent and not answered yet.
type pend struct {
	sent     int64
	cmd      string
	aud      audience
	measured bool
	card     *cardRef
	ask      bool
}

// onMessage watches every message a connection receives.
func (c *conn) onMessage(out *client.Frame) {
	raw := out.Raw
	if c.stalled.Load() {
		<-c.stall
		return
	}
	p := c.p
	t := p.clk.now()
	switch out.Type {
	case protocol.TypeSnapshot:
		// The first snapshot of a connection is its setup; a later one
		// (after a reconnect, or sent instead of updates) brings every
		// effect up to its version.
		if c.snapshots.Add(1) > 1 {
			p.rec.snapshots.Add(1)
			c.g.tr.snapshot(c, out.Version, t)
		}
	case protocol.TypeUpdate:
		p.rec.allUpdates.Add(1)
		if p.w.in(t) {
			p.rec.deliveries.Add(1)
			p.rec.deliveryBytes.Add(int64(len(raw)))
		}
		c.g.tr.received(c, out.Version, t, len(raw))
	case protocol.TypeAck:
		c.onAck(out, t)
	case protocol.TypeError:
		c.onRefusal(out)
	}
}

// onAck counts an acknowledged command, keeps the ID of the card or the
// question it created, and tells the tracker the version it made.
func (c *conn) onAck(out *client.Frame, t int64) {
	p := c.p
	pd, ok := c.take(out.ID)
	if !ok {
		return
	}
	if pd.measured {
		p.rec.acked.Add(1)
	}
	if pd.card != nil && pd.cmd == "card.add" {
		var r game.CardAddResult
		if game.DecodeResult(out.Result, &r) == nil && r.CardID != "" {
			id := r.CardID
			c.mu.Lock()
			pd.card.id, pd.card.rev = id, 1
			c.mu.Unlock()
		}
	}
	if pd.ask {
		var r game.QuestionAskResult
		if game.DecodeResult(out.Result, &r) == nil && r.QuestionID != "" {
			id := r.QuestionID
			c.g.qmu.Lock()
			c.g.questions = append(c.g.questions, question{id: id, author: c})
			c.g.qmu.Unlock()
		}
	}
	c.g.tr.acked(c, out.Version, pd.sent, pd.cmd, pd.aud, pd.measured, t)
}

// onRefusal counts a refused command by its code and, for a card edit,
// reads the card's revision again.
func (c *conn) onRefusal(out *client.Frame) {
	p := c.p
	pd, ok := c.take(out.ID)
	if !ok {
		p.rec.otherErrors.Add(1)
		return
	}
	if pd.measured {
		p.rec.refused.Add(1)
	}
	p.rec.refusal(pd.cmd, out.Code)
	if os.Getenv("LOADGEN_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "refused %s %v by %s (%s): %s\n", pd.cmd, pd.card, c.team, out.ID, out.Message)
	}
	if pd.card != nil {
		// Read the card's revision again from what the session holds.
		var d game.CardDoc
		if c.g.conns[0].s.Doc("card/"+pd.card.id, &d) { // the facilitator sees every card
			c.mu.Lock()
			pd.card.rev = d.Rev
			c.mu.Unlock()
		}
	}
}

// take removes and returns the command sent with this ID.
func (c *conn) take(id string) (pend, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pd, ok := c.pending[id]
	if ok {
		delete(c.pending, id)
	}
	return pd, ok
}

// send sends one command now.
func (c *conn) send(cmd command, measured bool) {
	p := c.p
	id := c.s.NewID() // unique for the token, setup commands included
	c.mu.Lock()
	t := p.clk.now()
	c.pending[id] = pend{sent: t, cmd: cmd.cmd, aud: cmd.aud, measured: measured, card: cmd.card, ask: cmd.ask}
	c.mu.Unlock()
	if measured {
		p.rec.sent.Add(1)
		if p.target.kind == targetGame {
			b, _ := json.Marshal(cmd.args)
			ms := p.rec.mixOf(cmd.cmd, cmd.aud.scope())
			ms.n.Add(1)
			ms.cmdBytes.Add(int64(len(b) + len(id) + len(cmd.cmd) + len(`{"type":"cmd","id":"","cmd":"","args":}`)))
		}
	}
	if err := c.s.Send(id, cmd.cmd, cmd.args); err != nil {
		p.rec.sendErrors.Add(1)
	}
}

// run sends commands with exponential gaps (a Poisson process of mean
// rate p.cfg.rate) until ctx ends. The schedule is open: a command goes
// out at its time whether or not earlier ones were answered.
func (c *conn) run(ctx context.Context, start time.Time) {
	mean := float64(time.Second) / c.p.cfg.rate
	next := start.Add(time.Duration(c.rng.ExpFloat64() * mean))
	t := time.NewTimer(time.Until(next))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !c.p.budget() || c.stalled.Load() {
			return // a slow client stops sending as well as reading
		}
		now := c.p.clk.now()
		measured := c.p.w.in(now)
		var cmd command
		if c.p.target.kind == targetHub {
			cmd = c.hubCommand()
		} else {
			c.mu.Lock()
			cmd = c.nextCommand()
			c.mu.Unlock()
		}
		if cmd.cmd != "" {
			c.send(cmd, measured)
		}
		next = next.Add(time.Duration(c.rng.ExpFloat64() * mean))
		t.Reset(time.Until(next))
	}
}
