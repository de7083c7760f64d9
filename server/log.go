package server

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/store"
)

// Following the log: a game's state is the fold of its stored entries,
// loaded at first use, then kept up to date with the entries every
// instance publishes (read from the stream when some went missing), and
// rebuilt from the store when it may have drifted from it.

// load subscribes to the game's channel, then folds its snapshot and
// entries, so that no entry published meanwhile is missed.
func (lg *liveGame) load(ctx context.Context) error {
	if err := lg.m.st.Subscribe(ctx, lg.id); err != nil {
		return storeFault(err)
	}
	st, si, err := lg.m.fold(ctx, lg.id, 0, nil)
	if err != nil {
		return err
	}
	lg.state, lg.snap = st, si
	lg.stored.Store(st.Version)
	lg.armTimer()
	return nil
}

// loaded is what the store holds of a game: its snapshot and the entries
// after it.
type loaded struct {
	snapV   int64
	snap    []byte
	entries []store.Entry
}

// loadStored reads a game from the store.
func (m *Manager) loadStored(ctx context.Context, id string) (*loaded, error) {
	snapV, snap, entries, err := m.st.Load(ctx, id)
	if err != nil {
		return nil, storeFault(err)
	}
	return &loaded{snapV, snap, entries}, nil
}

// fold rebuilds a game's state from the store. Entries up to version
// silentUpTo are folded quietly; each later one is passed to after.
func (m *Manager) fold(ctx context.Context, id string, silentUpTo int64, after func(*game.State, *game.Change)) (*game.State, snapInfo, error) {
	l, err := m.loadStored(ctx, id)
	if err != nil {
		return nil, snapInfo{}, err
	}
	return m.foldLoaded(id, l, silentUpTo, after)
}

// foldLoaded is fold on what was read from the store.
func (m *Manager) foldLoaded(id string, l *loaded, silentUpTo int64, after func(*game.State, *game.Change)) (*game.State, snapInfo, error) {
	snapV, snap, entries := l.snapV, l.snap, l.entries
	var err error
	st := &game.State{}
	si := snapInfo{}
	if snap != nil {
		if st, err = game.Restore(snap); err != nil {
			return nil, si, err
		}
		if st.Version != snapV {
			return nil, si, fmt.Errorf("snapshot of game %s says version %d, stored as %d", id, st.Version, snapV)
		}
		si.v, si.size = snapV, len(snap)
	}
	for _, e := range entries {
		ch, err := m.applyEntry(st, e)
		if err != nil {
			return nil, si, err
		}
		si.since += len(e.Data)
		if e.Version > silentUpTo && after != nil {
			after(st, ch)
		}
	}
	if st.ID == "" {
		return nil, si, apperr.GameNotFound()
	}
	return st, si, nil
}

// applyEntry applies a stored entry; it must succeed, since it succeeded
// when it was appended.
func (m *Manager) applyEntry(st *game.State, e store.Entry) (*game.Change, error) {
	c, err := decodeEntry(e)
	if err != nil {
		return nil, err
	}
	return m.applyCommand(st, e.Version, c)
}

func decodeEntry(e store.Entry) (game.Command, error) {
	var c game.Command
	if err := json.Unmarshal(e.Data, &c); err != nil {
		return c, fmt.Errorf("decode entry %d: %w", e.Version, err)
	}
	return c, nil
}

// applyCommand applies the stored command of version v.
func (m *Manager) applyCommand(st *game.State, v int64, c game.Command) (*game.Change, error) {
	if v != st.Version+1 {
		return nil, fmt.Errorf("entry %d does not follow version %d", v, st.Version)
	}
	ch, err := m.eng.Apply(st, c)
	if err != nil {
		return nil, fmt.Errorf("entry %d (%s) no longer applies: %w", v, c.Type, err)
	}
	return ch, nil
}

// shadowApply applies a stored command to the shadow state, if the game
// keeps one; should it fail (it cannot: the state took it), the shadow is
// dropped. Called with lg.mu held.
func (lg *liveGame) shadowApply(c game.Command) {
	if lg.shadow == nil {
		return
	}
	if _, err := lg.m.applyCommand(lg.shadow, lg.shadow.Version+1, c); err != nil {
		lg.m.log.Warn("shadow state diverged; dropped", "game", lg.id, "err", err)
		lg.shadow = nil
	}
}

// run applies what other instances append, and syncs presence.
func (lg *liveGame) run() {
	defer lg.m.wg.Done()
	for {
		select {
		case <-lg.wake:
			lg.mu.Lock()
			lg.applyInbox()
			lg.mu.Unlock()
			if lg.handoff.Swap(false) {
				lg.drain(false)
			}
		case <-lg.kick:
			if lg.resync.Swap(false) {
				lg.refresh()
			}
			lg.syncPresence()
		case <-lg.done:
			return
		}
	}
}

// applyInbox applies the entries published since the last call. Called
// with lg.mu held (so entries are taken and applied in order).
func (lg *liveGame) applyInbox() {
	if lg.unsynced {
		return // kept for after the reload
	}
	lg.inMu.Lock()
	entries := lg.inbox
	lg.inbox = nil
	lg.inMu.Unlock()
	for _, e := range entries {
		lg.onEntry(e)
	}
}

// onEntry applies an entry published by any instance (this one included:
// entries at or below the current version are already applied). Called
// with lg.mu held.
func (lg *liveGame) onEntry(e store.Entry) {
	switch {
	case e.Version <= lg.state.Version:
	case e.Version == lg.state.Version+1:
		c, err := decodeEntry(e)
		var ch *game.Change
		if err == nil {
			ch, err = lg.m.applyCommand(lg.state, e.Version, c)
		}
		if err != nil {
			lg.m.log.Error("game diverged from its log; reloading", "game", lg.id, "err", err)
			lg.rebuild(context.Background(), 0)
			return
		}
		lg.snap.since += len(e.Data) // (the writer's snapshots are not published)
		lg.shadowApply(c)
		lg.applied(ch)
		lg.m.settle(lg.id, c, e.Version, ch.Result)
	default:
		lg.catchUp(context.Background())
	}
}

// catchUp applies the stream's entries after the current version. Called
// with lg.mu held.
func (lg *liveGame) catchUp(ctx context.Context) {
	if lg.unsynced {
		return // the game's goroutine reloads it
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	entries, err := lg.m.st.Entries(ctx, lg.id, lg.state.Version+1)
	lg.caughtUp(entries, err)
}

// caughtUp applies the entries read by a catch-up, or schedules another
// one if the read failed. Called with lg.mu held.
func (lg *liveGame) caughtUp(entries []store.Entry, err error) {
	if err != nil {
		lg.m.met.RedisErrors.Inc()
		lg.m.log.Warn("catch up failed", "game", lg.id, "err", err)
		lg.resync.Store(true)
		lg.retryLater()
		return
	}
	lg.retryWait = 0
	for _, e := range entries {
		lg.onEntry(e)
	}
}

// refresh reads the store on behalf of the game's goroutine: it reloads
// an unsynced state, or catches up with the stream. The store is read
// without holding the game's lock, so that nobody waits for a store that
// does not answer.
func (lg *liveGame) refresh() {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	lg.mu.Lock()
	unsynced, from := lg.unsynced, lg.state.Version+1
	lg.mu.Unlock()
	if unsynced {
		lg.reload(ctx)
		return
	}
	entries, err := lg.m.st.Entries(ctx, lg.id, from)
	lg.mu.Lock()
	defer lg.mu.Unlock()
	if !lg.unsynced {
		lg.caughtUp(entries, err)
	}
}

// rebuild reloads the state from the store after the in-memory state
// took a command the store did not keep. Versions up to good were right;
// later entries are fanned out. Called with lg.mu held.
func (lg *liveGame) rebuild(ctx context.Context, good int64) error {
	l, err := lg.m.loadStored(ctx, lg.id)
	if err != nil {
		lg.m.rebuilds.Inc()
		lg.m.met.RedisErrors.Inc()
		lg.m.log.Warn("reload failed", "game", lg.id, "err", err)
		return err
	}
	return lg.rebuildFrom(l, good)
}

// rebuildFrom is rebuild on what was read from the store. Called with
// lg.mu held.
func (lg *liveGame) rebuildFrom(l *loaded, good int64) error {
	lg.m.rebuilds.Inc()
	old, histLen := lg.state, len(lg.history)
	var deliveries []*delivery
	// Each later entry's update is prepared as it is folded, with the
	// state at its version.
	st, si, err := lg.m.foldLoaded(lg.id, l, good, func(st *game.State, ch *game.Change) {
		if good > 0 {
			lg.state = st
			deliveries = append(deliveries, lg.prepare(ch, st.Version))
		}
	})
	if err != nil {
		lg.state, lg.history = old, lg.history[:histLen]
		for _, g := range lg.groups {
			g.hidden = nil
		}
		lg.m.log.Error("reload failed", "game", lg.id, "err", err)
		return err
	}
	lg.state, lg.snap = st, si
	lg.stored.Store(st.Version)
	lg.shadow = nil
	if lg.contended {
		lg.shadow = game.CloneState(st)
	}
	if good == 0 || len(deliveries) != int(st.Version-good) {
		// A snapshot newer than what we had: resend everything.
		lg.history = nil
		lg.resnapshot()
	} else {
		for _, d := range deliveries {
			lg.deliver(d)
		}
	}
	lg.armTimer()
	return nil
}

// applied runs after the state took a stored entry: tell the clients, arm
// the timer. Called with lg.mu held.
func (lg *liveGame) applied(ch *game.Change) {
	lg.stored.Store(lg.state.Version)
	lg.fanout(ch, lg.state.Version)
	lg.armTimer()
}

// invalidate marks the state as possibly holding commands the store did
// not keep, and schedules its reload. Called with lg.mu held.
func (lg *liveGame) invalidate() {
	if !lg.unsynced {
		lg.m.storeWait.Inc()
	}
	lg.unsynced = true
	lg.shadow = nil
	lg.retryLater()
}

// sync reports whether the state is the stored one: an unsynced state
// fails with an unavailable error at once, so that nobody waits for a
// store that does not answer; the game's goroutine reloads it (see
// reload), and is asked to try now if its next attempt is due. Called
// with lg.mu held.
func (lg *liveGame) sync() error {
	if !lg.unsynced {
		return nil
	}
	if !time.Now().Before(lg.retryAt) {
		lg.poke(true)
	}
	return errUnavailable()
}

// reload reloads an unsynced state from the store (read without holding
// the game's lock), and sends the clients what the store holds beyond the
// last version known stored here. While the store cannot be read it
// schedules another attempt. Called by the game's goroutine.
func (lg *liveGame) reload(ctx context.Context) {
	l, err := lg.m.loadStored(ctx, lg.id)
	lg.mu.Lock()
	defer lg.mu.Unlock()
	if !lg.unsynced || lg.closed {
		return
	}
	if err == nil {
		err = lg.rebuildFrom(l, lg.stored.Load())
	} else {
		lg.m.rebuilds.Inc()
		lg.m.met.RedisErrors.Inc()
	}
	if err != nil {
		lg.m.log.Warn("reload failed; the game waits for the store", "game", lg.id, "err", err)
		lg.retryLater()
		return
	}
	lg.unsynced = false
	lg.m.storeWait.Dec()
	lg.retryWait = 0
	lg.m.log.Info("game reloaded from the store", "game", lg.id, "version", lg.state.Version)
	lg.applyInbox() // entries published since the read
	lg.poke(false)  // presence counts that changed meanwhile
}

// retryLater asks the game's goroutine to read the store again after a
// while (growing up to 2 s while it fails): to reload an unsynced state,
// or to catch up. Called with lg.mu held.
func (lg *liveGame) retryLater() {
	if lg.closed {
		return
	}
	lg.retryWait = min(max(2*lg.retryWait, 100*time.Millisecond), 2*time.Second)
	lg.retryAt = time.Now().Add(lg.retryWait)
	if lg.retry == nil {
		lg.retry = time.AfterFunc(lg.retryWait, func() { lg.poke(true) })
	} else {
		lg.retry.Reset(lg.retryWait)
	}
}

// lockSynced locks the game to read its state, once sure it is the stored
// one (see sync). On error the game is left unlocked.
func (lg *liveGame) lockSynced() error {
	lg.mu.Lock()
	if err := lg.sync(); err != nil {
		lg.mu.Unlock()
		return err
	}
	return nil
}
