package live

import (
	"context"
	"encoding/json"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
)

// Timers: a game's deadline (the end of the current phase's clock), sent
// as a deadline command when it expires, and the retries of a store that
// failed (reload or catch-up). Both run their work on goroutines of their
// own; the timers themselves are set with g.mu held.

// armTimer makes sure a deadline command is sent when the current clock
// expires.
func (g *Game) armTimer() {
	c := g.state.Clock
	running := c.DeadlineMs > 0 && !c.Paused && g.state.Status == game.StatusRunning
	if g.timer != nil && running && g.timerSeq == c.Seq {
		return
	}
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
	if !running || g.closed {
		return
	}
	seq, deadline := c.Seq, c.DeadlineMs
	g.timerSeq = seq
	g.timer = time.AfterFunc(time.Until(time.UnixMilli(deadline)), func() { g.rt.spawn(func() { g.expire(seq, deadline) }) })
}

// expire sends the deadline command of timer seq. When the store does not
// take it, it tries again a second later, for as long as that timer is
// the game's current one.
func (g *Game) expire(seq, deadline int64) {
	at := max(time.Now().UnixMilli(), deadline)
	err := g.system("deadline", map[string]int64{"seq": seq}, at)
	switch {
	case err == nil || apperr.IsCode(err, apperr.EConflict):
	case apperr.IsCode(err, apperr.EUnavailable):
		g.mu.Lock()
		if g.timer != nil && g.timerSeq == seq && !g.closed {
			g.timer = time.AfterFunc(time.Second, func() { g.rt.spawn(func() { g.expire(seq, deadline) }) })
		}
		g.mu.Unlock()
	default:
		g.rt.log.Warn("deadline command failed", "game", g.id, "err", err)
	}
}

// system submits a command from the server itself.
func (g *Game) system(typ string, args any, at int64) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(g.rt.ctx, 10*time.Second)
	defer cancel()
	_, err = g.Submit(ctx, game.Command{Type: typ, Actor: game.Actor{Role: game.RoleSystem}, At: at, Args: raw})
	return err
}

// retryLater asks the game's goroutine to read the store again after a
// while (growing up to 2 s while it fails): to reload an unsynced state,
// or to catch up.
func (g *Game) retryLater() {
	if g.closed {
		return
	}
	g.retryWait = min(max(2*g.retryWait, 100*time.Millisecond), 2*time.Second)
	g.retryAt.Store(time.Now().Add(g.retryWait).UnixNano())
	if g.retry == nil {
		g.retry = time.AfterFunc(g.retryWait, func() { g.poke(true) })
	} else {
		g.retry.Reset(g.retryWait)
	}
}

// stopTimers stops the game's deadline timer and its store retries, as
// it is unloaded.
func (g *Game) stopTimers() {
	if g.timer != nil {
		g.timer.Stop()
	}
	if g.retry != nil {
		g.retry.Stop()
	}
	if g.unsynced.Load() {
		g.rt.met.StoreWait.Dec()
	}
}
