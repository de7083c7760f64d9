package live

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
)

// Presence: which players are connected to this instance, recorded in the
// game as presence.set commands (one per player whose count changed), and
// the presence left by instances that died.

// syncPresence records this instance's subscriber counts of the players
// whose count changed. Without owners (one instance, or NoForward) the
// game's goroutine commits them itself, as one batch. With owners the game
// may be written elsewhere: the commands are routed like any command, from
// a goroutine of their own so that this one keeps applying entries
// meanwhile; presMu keeps those in order (each holder reads the latest
// counts and sends them before the next). Called by the game's goroutine.
func (g *Game) syncPresence() {
	if g.rt.router == nil {
		g.mu.Lock()
		batch := g.presenceBatch()
		g.mu.Unlock()
		if len(batch) > 0 && g.enqueue(batch...) {
			g.work()
			g.presenceAgain(batch)
		}
		return
	}
	g.rt.spawn(func() {
		g.presMu.Lock()
		defer g.presMu.Unlock()
		g.mu.Lock()
		batch := g.presenceBatch()
		g.mu.Unlock()
		for _, p := range batch {
			ctx, cancel := context.WithTimeout(g.rt.ctx, 10*time.Second)
			_, p.err = g.route(ctx, p.c)
			cancel()
			g.unwaited(p)
		}
		g.presenceAgain(batch)
	})
}

// presenceAgain marks the players whose presence update the store did not
// take, to send it again once the store answers.
func (g *Game) presenceAgain(batch []*pending) {
	g.mu.Lock()
	defer g.mu.Unlock()
	again := false
	for _, p := range batch {
		if apperr.IsCode(p.err, apperr.EUnavailable) {
			g.dirty[p.player] = true
			again = true
		}
	}
	if again && !g.unsynced.Load() {
		g.retryLater() // an unsynced game retries already, and syncs presence once reloaded
	}
}

// presenceBatch returns the presence.set commands for the players whose
// count of local subscribers changed since the last call. Called with
// g.mu held.
func (g *Game) presenceBatch() []*pending {
	if g.unsynced.Load() {
		return nil // once reloaded
	}
	g.applyInbox()
	var ids []string
	for id := range g.dirty {
		p := g.state.Players[id]
		if p != nil && !p.Kicked && p.Conns[g.rt.opt.Instance] != len(g.players[id]) {
			ids = append(ids, id)
		}
	}
	clear(g.dirty)
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	now := time.Now().UnixMilli()
	batch := make([]*pending, 0, len(ids))
	for _, id := range ids {
		raw, _ := json.Marshal(game.PresenceSetArgs{PlayerID: id, Instance: g.rt.opt.Instance, Conns: len(g.players[id])})
		batch = append(batch, &pending{c: game.Command{Type: "presence.set", Actor: game.Actor{Role: game.RoleSystem}, At: now, Args: raw},
			player: id})
	}
	return batch
}

// clearDead records that the players other instances counted are not
// connected there any more, for the instances that stopped beating.
func (g *Game) clearDead(others map[string][]string) {
	r := g.rt
	ids := make([]string, 0, len(others))
	for inst := range others {
		ids = append(ids, inst)
	}
	slices.Sort(ids)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	alive, err := r.st.Alive(ctx, ids)
	cancel()
	if err != nil {
		r.met.StoreErrors.Inc()
		return
	}
	for _, inst := range ids {
		if alive[inst] {
			continue
		}
		for _, pid := range others[inst] {
			err := g.system("presence.set", game.PresenceSetArgs{PlayerID: pid, Instance: inst}, time.Now().UnixMilli())
			if err != nil && !apperr.IsCode(err, apperr.EConflict) && !apperr.IsCode(err, apperr.ENotFound) {
				r.log.Warn("clearing stale presence failed", "game", g.id, "err", err)
			}
		}
	}
}
