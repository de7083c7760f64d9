package server

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
)

// Presence and upkeep: which players are connected to this instance,
// recorded as presence.set commands; this instance's heartbeat, the
// presence left by instances that died, and unloading idle games.

// syncPresence records this instance's connection counts of the players
// whose count changed: in one batch here, or through the game's owner
// when the store is shared. Called by the game's goroutine.
func (lg *liveGame) syncPresence() {
	if lg.m.owners != nil {
		// The game may have its owner elsewhere: the commands go through
		// Submit, from a goroutine of their own so that this one keeps
		// applying entries meanwhile. presMu keeps them in order: each
		// holder reads the latest counts and sends them before the next.
		go func() {
			lg.presMu.Lock()
			defer lg.presMu.Unlock()
			lg.mu.Lock()
			batch := lg.presenceBatch()
			lg.mu.Unlock()
			for _, p := range batch {
				ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
				_, _, p.err = lg.m.Submit(ctx, lg, p.c)
				cancel()
				if p.err != nil && !apperr.IsCode(p.err, apperr.EConflict) && !apperr.IsCode(p.err, apperr.ENotFound) &&
					!apperr.IsCode(p.err, apperr.EUnavailable) && !lg.isClosed() {
					lg.m.log.Warn("presence update failed", "game", lg.id, "err", p.err)
				}
			}
			lg.mu.Lock()
			lg.presenceAgain(batch)
			lg.mu.Unlock()
		}()
		return
	}
	lg.mu.Lock()
	defer lg.mu.Unlock()
	if batch := lg.presenceBatch(); len(batch) > 0 {
		lg.commit(batch)
		lg.presenceAgain(batch)
	}
}

// presenceAgain marks the players whose presence update the store did not
// take, to send it again once the store answers. Called with lg.mu held.
func (lg *liveGame) presenceAgain(batch []*pending) {
	again := false
	for _, p := range batch {
		if apperr.IsCode(p.err, apperr.EUnavailable) {
			lg.dirty[p.player] = true
			again = true
		}
	}
	if again && !lg.unsynced {
		lg.retryLater() // an unsynced game retries already, and syncs presence once reloaded
	}
}

// presenceBatch returns the presence.set commands for the players whose
// count of local connections changed since the last call. Called with
// lg.mu held.
func (lg *liveGame) presenceBatch() []*pending {
	lg.applyInbox()
	if lg.unsynced {
		return nil // once reloaded
	}
	var ids []string
	for id := range lg.dirty {
		p := lg.state.Players[id]
		if p != nil && !p.Kicked && p.Conns[lg.m.opt.Instance] != len(lg.players[id]) {
			ids = append(ids, id)
		}
	}
	clear(lg.dirty)
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	now := time.Now().UnixMilli()
	batch := make([]*pending, 0, len(ids))
	for _, id := range ids {
		raw, _ := json.Marshal(map[string]any{"playerId": id, "instance": lg.m.opt.Instance, "conns": len(lg.players[id])})
		batch = append(batch, &pending{c: game.Command{Type: "presence.set", Actor: game.Actor{Role: game.RoleSystem}, At: now, Args: raw},
			log: true, player: id})
	}
	return batch
}

// isClosed reports whether the game was unloaded.
func (lg *liveGame) isClosed() bool {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	return lg.closed
}

// janitor beats this instance's heart, clears the presence of dead
// instances, and unloads idle games.
func (m *Manager) janitor() {
	defer m.wg.Done()
	t := time.NewTicker(m.opt.Janitor)
	defer t.Stop()
	m.beat()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.beat()
			m.sweep()
		}
	}
}

func (m *Manager) beat() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.st.Heartbeat(ctx, m.opt.Instance, 3*m.opt.Janitor); err != nil {
		m.met.RedisErrors.Inc()
		m.log.Warn("heartbeat failed", "err", err)
	}
}

// sweep clears presence left by instances that stopped without saying so,
// and unloads games nobody here has used for a while.
func (m *Manager) sweep() {
	m.mu.Lock()
	games := make([]*liveGame, 0, len(m.games))
	for _, lg := range m.games {
		games = append(games, lg)
	}
	m.mu.Unlock()
	for _, lg := range games {
		select {
		case <-lg.ready:
		default:
			continue
		}
		if lg.err != nil {
			continue
		}
		lg.mu.Lock()
		others := map[string][]string{}
		for _, id := range lg.state.PlayerOrder {
			for inst := range lg.state.Players[id].Conns {
				if inst != m.opt.Instance {
					others[inst] = append(others[inst], id)
				}
			}
		}
		idle := len(lg.groups) == 0 && time.Since(lg.lastUsed) > m.opt.UnloadAfter
		lg.mu.Unlock()
		if len(others) > 0 {
			m.clearDead(lg, others)
		}
		if idle {
			m.unload(lg)
		}
	}
}

func (m *Manager) clearDead(lg *liveGame, others map[string][]string) {
	ids := make([]string, 0, len(others))
	for inst := range others {
		ids = append(ids, inst)
	}
	slices.Sort(ids)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	alive, err := m.st.Alive(ctx, ids)
	cancel()
	if err != nil {
		m.met.RedisErrors.Inc()
		return
	}
	for _, inst := range ids {
		if alive[inst] {
			continue
		}
		for _, pid := range others[inst] {
			err := m.system(lg, "presence.set", map[string]any{"playerId": pid, "instance": inst, "conns": 0}, time.Now().UnixMilli())
			if err != nil && !apperr.IsCode(err, apperr.EConflict) && !apperr.IsCode(err, apperr.ENotFound) {
				m.log.Warn("clearing stale presence failed", "game", lg.id, "err", err)
			}
		}
	}
}

// stopTimers stops the game's deadline timer and its reload retries, as
// it is unloaded. Called with lg.mu held.
func (lg *liveGame) stopTimers() {
	if lg.timer != nil {
		lg.timer.Stop()
	}
	if lg.retry != nil {
		lg.retry.Stop()
	}
	if lg.unsynced {
		lg.m.storeWait.Dec()
	}
}

// unload drops an idle game from memory.
func (m *Manager) unload(lg *liveGame) {
	m.mu.Lock()
	lg.mu.Lock()
	if len(lg.groups) > 0 || lg.closed {
		lg.mu.Unlock()
		m.mu.Unlock()
		return
	}
	lg.closed = true
	lg.stopTimers()
	delete(m.games, lg.id)
	lg.mu.Unlock()
	m.mu.Unlock()
	close(lg.done)
	m.met.Games.Dec()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m.release(ctx, lg)
	_ = m.st.Unsubscribe(ctx, lg.id)
}
