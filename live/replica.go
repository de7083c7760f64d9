package live

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/store"
)

// The replica: a game's state is the fold of its stored entries, loaded at
// first use, then kept up to date with the entries every instance
// publishes (read from the stream when some went missing), and rebuilt
// from the store when it may have drifted from it. Everything here that
// changes the state runs on the game's goroutine, with g.mu held, except
// load (before the goroutine starts).

// snapInfo is what an instance knows of a game's newest snapshot: its
// version and size, and the bytes of the stored entries after it (what a
// load reads besides the snapshot).
type snapInfo struct {
	v     int64
	size  int
	since int
}

// snapshotDue reports whether the entry of version v, following entries
// that weigh since bytes after the snapshot described by s, should carry
// a new snapshot: at least every entries after it, and at least as many
// bytes of entries as the snapshot itself. Writing a snapshot thus costs
// at most as many bytes as the entries do, however large the game grows,
// and a load reads at most about twice the snapshot's size.
func snapshotDue(s snapInfo, v, every int64) bool {
	return v-s.v >= every && s.since >= s.size
}

// load subscribes to the game's channel, then folds its snapshot and
// entries, so that no entry published meanwhile is missed.
func (g *Game) load(ctx context.Context) error {
	if err := g.rt.st.Subscribe(ctx, g.id); err != nil {
		return storeFault(err)
	}
	l, err := g.rt.loadStored(ctx, g.id)
	if err != nil {
		return err
	}
	st, si, err := g.rt.fold(g.id, l, 0, nil)
	if err != nil {
		return err
	}
	g.state, g.snap = st, si
	g.stored.Store(st.Version)
	g.armTimer()
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
func (r *Runtime) loadStored(ctx context.Context, id string) (*loaded, error) {
	snapV, snap, entries, err := r.st.Load(ctx, id)
	if err != nil {
		return nil, storeFault(err)
	}
	return &loaded{snapV, snap, entries}, nil
}

// fold rebuilds a game's state from what was read from the store. Entries
// up to version silentUpTo are folded quietly; each later one is passed to
// after.
func (r *Runtime) fold(id string, l *loaded, silentUpTo int64, after func(*game.State, *game.Change)) (*game.State, snapInfo, error) {
	var err error
	st := &game.State{}
	si := snapInfo{}
	if l.snap != nil {
		if st, err = game.Restore(l.snap); err != nil {
			return nil, si, err
		}
		if st.Version != l.snapV {
			return nil, si, fmt.Errorf("snapshot of game %s says version %d, stored as %d", id, st.Version, l.snapV)
		}
		si.v, si.size = l.snapV, len(l.snap)
	}
	for _, e := range l.entries {
		c, err := decodeEntry(e)
		if err != nil {
			return nil, si, err
		}
		ch, err := r.applyStored(st, e.Version, c)
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

func decodeEntry(e store.Entry) (game.Command, error) {
	var c game.Command
	if err := json.Unmarshal(e.Data, &c); err != nil {
		return c, fmt.Errorf("decode entry %d: %w", e.Version, err)
	}
	return c, nil
}

// applyStored applies the stored command of version v; it must succeed,
// since it succeeded when it was appended.
func (r *Runtime) applyStored(st *game.State, v int64, c game.Command) (*game.Change, error) {
	if v != st.Version+1 {
		return nil, fmt.Errorf("entry %d does not follow version %d", v, st.Version)
	}
	ch, err := r.eng.Apply(st, c)
	if err != nil {
		return nil, fmt.Errorf("entry %d (%s) no longer applies: %w", v, c.Type, err)
	}
	return ch, nil
}

// shadowApply applies a stored command to the shadow state, if the game
// keeps one; should it fail (it cannot: the state took it), the shadow is
// dropped.
func (g *Game) shadowApply(c game.Command) {
	if g.shadow == nil {
		return
	}
	if _, err := g.rt.applyStored(g.shadow, g.shadow.Version+1, c); err != nil {
		g.rt.log.Warn("shadow state diverged; dropped", "game", g.id, "err", err)
		g.shadow = nil
	}
}

// onPublished receives every entry published for a subscribed game, on
// the store's pub/sub goroutine, and hands it to the game's goroutine.
func (r *Runtime) onPublished(gameID string, e store.Entry) {
	r.mu.Lock()
	g := r.games[gameID]
	r.mu.Unlock()
	if g == nil {
		return
	}
	// While the game is loading, entries wait in the inbox; those the load
	// already folded are skipped by version.
	if e.Version == 0 {
		g.poke(true) // the pub/sub connection was lost: read the stream
		return
	}
	if e.Version <= g.stored.Load() {
		return // applied already (this instance's own entries come back)
	}
	g.inMu.Lock()
	if len(g.inbox) >= inboxSize {
		g.inMu.Unlock()
		g.poke(true)
		return
	}
	g.inbox = append(g.inbox, e)
	g.inMu.Unlock()
	g.signal()
}

// applyInbox applies the entries published since the last call.
func (g *Game) applyInbox() {
	if g.unsynced.Load() {
		return // kept for after the reload
	}
	g.inMu.Lock()
	entries := g.inbox
	g.inbox = nil
	g.inMu.Unlock()
	for _, e := range entries {
		g.onEntry(e)
	}
}

// onEntry applies an entry published by any instance (this one included:
// entries at or below the current version are already applied).
func (g *Game) onEntry(e store.Entry) {
	switch {
	case e.Version <= g.state.Version:
	case e.Version == g.state.Version+1:
		c, err := decodeEntry(e)
		var ch *game.Change
		if err == nil {
			ch, err = g.rt.applyStored(g.state, e.Version, c)
		}
		if err != nil {
			g.rt.log.Error("game diverged from its log; reloading", "game", g.id, "err", err)
			g.rebuild(context.Background(), 0)
			return
		}
		g.snap.since += len(e.Data) // (the writer's snapshots are not published)
		g.shadowApply(c)
		g.stored.Store(g.state.Version)
		g.fanout(ch, g.state.Version)
		g.armTimer()
		g.rt.settle(g.id, c, e.Version, ch.Result)
	default:
		g.catchUp(context.Background())
	}
}

// catchUp applies the stream's entries after the current version.
func (g *Game) catchUp(ctx context.Context) {
	if g.unsynced.Load() {
		return // reloaded instead
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	entries, err := g.rt.st.Entries(ctx, g.id, g.state.Version+1)
	g.caughtUp(entries, err)
}

// caughtUp applies the entries read by a catch-up, or schedules another
// one if the read failed.
func (g *Game) caughtUp(entries []store.Entry, err error) {
	if err != nil {
		g.rt.met.StoreErrors.Inc()
		g.rt.log.Warn("catch up failed", "game", g.id, "err", err)
		g.resync.Store(true)
		g.retryLater()
		return
	}
	g.retryWait = 0
	for _, e := range entries {
		g.onEntry(e)
	}
}

// catchUp is a request, from another goroutine, that the state hold what
// the store holds: at least version v, or (v = 0) whatever the stream
// holds now.
type catchUp struct {
	v    int64
	done chan struct{}
}

// catchUpTo asks the game's goroutine to catch up with the store (see
// catchUp) and waits for it.
func (g *Game) catchUpTo(ctx context.Context, v int64) error {
	req := &catchUp{v: v, done: make(chan struct{})}
	g.inMu.Lock()
	g.catchUps = append(g.catchUps, req)
	g.inMu.Unlock()
	g.signal()
	select {
	case <-req.done:
		return nil
	case <-g.done:
		return errUnloaded()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// answer serves catch-up requests, with one read of the stream for all.
func (g *Game) answer(reqs []*catchUp) {
	if len(reqs) == 0 {
		return
	}
	read := false
	for _, r := range reqs {
		read = read || r.v == 0 || r.v > g.state.Version
	}
	if read {
		g.catchUp(context.Background())
	}
	for _, r := range reqs {
		close(r.done)
	}
}

// refresh reads the store for the game's goroutine: it reloads an
// unsynced state, or catches up with the stream. The store is read
// without holding the game's lock, so that nobody waits for a store that
// does not answer.
func (g *Game) refresh() {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if g.unsynced.Load() {
		g.reload(ctx)
		return
	}
	g.mu.Lock()
	from := g.state.Version + 1
	g.mu.Unlock()
	entries, err := g.rt.st.Entries(ctx, g.id, from)
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.unsynced.Load() {
		g.caughtUp(entries, err)
	}
}

// rebuild reloads the state from the store after the in-memory state
// took a command the store did not keep. Versions up to good were right;
// later entries are fanned out.
func (g *Game) rebuild(ctx context.Context, good int64) error {
	l, err := g.rt.loadStored(ctx, g.id)
	if err != nil {
		g.rt.met.Rebuilds.Inc()
		g.rt.met.StoreErrors.Inc()
		g.rt.log.Warn("reload failed", "game", g.id, "err", err)
		return err
	}
	return g.rebuildFrom(l, good)
}

// rebuildFrom is rebuild on what was read from the store.
func (g *Game) rebuildFrom(l *loaded, good int64) error {
	g.rt.met.Rebuilds.Inc()
	old := g.state
	var deliveries []*delivery
	var absent absence
	// Each later entry's update is prepared as it is folded, with the
	// state at its version.
	st, si, err := g.rt.fold(g.id, l, good, func(st *game.State, ch *game.Change) {
		if good > 0 {
			g.state = st
			deliveries = append(deliveries, g.prepare(ch, st.Version, &absent))
		}
	})
	if err != nil {
		g.state = old
		g.rt.log.Error("reload failed", "game", g.id, "err", err)
		return err
	}
	g.state, g.snap = st, si
	g.stored.Store(st.Version)
	g.shadow = nil
	if g.contended {
		g.shadow = game.CloneState(st)
	}
	if good == 0 || len(deliveries) != int(st.Version-good) {
		// A snapshot newer than what we had: resend everything.
		g.history = nil
		g.resnapshot()
	} else {
		absent.apply()
		for _, d := range deliveries {
			g.deliver(d)
		}
	}
	g.armTimer()
	return nil
}

// invalidate marks the state as possibly holding commands the store did
// not keep, and schedules its reload.
func (g *Game) invalidate() {
	if !g.unsynced.Load() {
		g.rt.met.StoreWait.Inc()
	}
	g.unsynced.Store(true)
	g.shadow = nil
	g.retryLater()
}

// sync reports whether the state is the stored one: an unsynced state
// fails with an unavailable error at once, so that nobody waits for a
// store that does not answer; the game's goroutine reloads it (see
// reload), and is asked to try now if its next attempt is due. Safe
// without g.mu (for a quick refusal); with it, the answer holds until it
// is released.
func (g *Game) sync() error {
	if !g.unsynced.Load() {
		return nil
	}
	if time.Now().UnixNano() >= g.retryAt.Load() {
		g.poke(true)
	}
	return errUnavailable()
}

// reload reloads an unsynced state from the store (read without holding
// the game's lock), and sends the subscribers what the store holds beyond
// the last version known stored here. While the store cannot be read it
// schedules another attempt.
func (g *Game) reload(ctx context.Context) {
	l, err := g.rt.loadStored(ctx, g.id)
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.unsynced.Load() || g.closed {
		return
	}
	if err == nil {
		err = g.rebuildFrom(l, g.stored.Load())
	} else {
		g.rt.met.Rebuilds.Inc()
		g.rt.met.StoreErrors.Inc()
	}
	if err != nil {
		g.rt.log.Warn("reload failed; the game waits for the store", "game", g.id, "err", err)
		g.retryLater()
		return
	}
	g.unsynced.Store(false)
	g.rt.met.StoreWait.Dec()
	g.retryWait = 0
	g.rt.log.Info("game reloaded from the store", "game", g.id, "version", g.state.Version)
	g.applyInbox() // entries published since the read
	g.poke(false)  // presence counts that changed meanwhile
}
