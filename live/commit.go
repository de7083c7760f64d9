package live

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/store"
)

// The commit: how a command becomes an entry of the game's log. Submitters
// queue their commands; the game's goroutine takes the whole queue as one
// batch, applies it to the state, stores the accepted commands in one
// round trip, and only then delivers their updates and answers the
// submitters. Updates are prepared as each command is applied (with the
// state at its version) but nothing a subscriber sees or the runtime
// remembers changes before the store holds the batch.
//
// When the store does not take a batch, the state forgets it: rebuilt from
// the store when the store answered (another instance appended first: the
// commands are then tried again), or, when the store failed or did not
// answer in time, marked unsynced (replica.go) — it may hold commands the
// store did not keep, so nothing reads it until it has been reloaded, and
// until then every command gets an unavailable error.

// pending is a command waiting for the game's goroutine.
type pending struct {
	c    game.Command
	done chan struct{} // closed once ack and err are set; nil: nobody waits
	ack  Ack
	err  error
	// got is what the last attempt did with it.
	got outcome
	// tries counts the attempts other instances beat; past deadline it is
	// not tried again.
	tries    int
	deadline time.Time
	// retrying: returned to the queue, not answered yet; rechecked: refused
	// once, then checked again after reading the stream.
	retrying, rechecked bool
	// player, for a presence.set: whose count it sets.
	player string
}

type outcome int

const (
	gotNone    outcome = iota // not looked at (the batch broke off before it)
	gotSeen                   // stored earlier: acked with its version
	gotApplied                // applied, to be stored with the batch
	gotDup                    // repeats a command of the batch
	gotRefused                // refused by the rules
)

// maxAttempts bounds the tries of a command the store keeps refusing
// because other instances append first.
const maxAttempts = 16

// commitHere has the game's goroutine apply and store c, and waits for its
// outcome. fresh reports that the command was stored by this call (not
// before, nor as the repeat of another in its batch): its entry was
// published.
func (g *Game) commitHere(c game.Command) (a Ack, fresh bool, err error) {
	if err := g.sync(); err != nil {
		return Ack{}, false, errNotStored()
	}
	p := &pending{c: c, done: make(chan struct{})}
	if !g.enqueue(p) {
		return Ack{}, false, errUnloaded()
	}
	select {
	case <-p.done:
	case <-g.done:
		select {
		case <-p.done:
		default:
			return Ack{}, false, errUnloaded()
		}
	}
	return p.ack, p.err == nil && p.got == gotApplied, p.err
}

// enqueue queues commands for the game's goroutine; false when the game
// was unloaded.
func (g *Game) enqueue(ps ...*pending) bool {
	select {
	case <-g.done:
		return false
	default:
	}
	g.inMu.Lock()
	g.queue = append(g.queue, ps...)
	g.inMu.Unlock()
	g.signal()
	return true
}

// commit applies a batch and stores the accepted commands in one round
// trip, then delivers their updates and answers the commands, except
// those it returns to be tried again after pause (other instances
// appended first). Called by the game's goroutine with g.mu held, which
// it keeps during the round trip.
func (g *Game) commit(batch []*pending) (again []*pending, pause time.Duration) {
	if g.closed {
		for _, p := range batch {
			p.err = errUnloaded()
			g.finish(p)
		}
		return nil, 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	now := time.Now()
	for _, p := range batch {
		if p.deadline.IsZero() {
			p.deadline = now.Add(storeTimeout)
		}
	}
	if again, pause = g.attempt(ctx, batch); len(again) == 0 {
		again = g.recheck(ctx, batch)
	}
	for _, p := range batch {
		if !p.retrying {
			g.finish(p)
		}
	}
	return again, pause
}

// finish answers a command: its submitter, or, for a command nobody waits
// for, the metrics and the log. Called with g.mu held.
func (g *Game) finish(p *pending) {
	if p.got == gotDup && p.err == nil {
		v, res, _ := g.state.SeenResult(p.c.Actor, p.c.ID) // what the command it repeats got
		p.ack = Ack{v, res}
	}
	if p.done != nil {
		close(p.done)
		return
	}
	g.unwaited(p)
}

// unwaited counts the outcome of a command nobody waits for, and logs a
// failure worth a look.
func (g *Game) unwaited(p *pending) {
	g.rt.met.command(p.c.Type, p.err, time.Time{})
	select {
	case <-g.done:
		return // unloaded meanwhile
	default:
	}
	if code := apperr.ErrorCode(p.err); code != "" && code != apperr.EConflict && code != apperr.ENotFound && code != apperr.EUnavailable {
		g.rt.log.Warn("server command failed", "game", g.id, "cmd", p.c.Type, "err", p.err)
	}
}

// recheck: on a shared store a command refused here may have been refused
// by a state that lags behind the stream (the game was started on another
// instance a moment ago). It reads the stream (one round trip, for
// refusals only) and, if it moved on, returns the refused commands to be
// checked again.
func (g *Game) recheck(ctx context.Context, batch []*pending) []*pending {
	if !g.rt.shared || g.unsynced.Load() {
		return nil
	}
	var refused []*pending
	for _, p := range batch {
		if p.got == gotRefused && !p.rechecked {
			refused = append(refused, p)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	v := g.state.Version
	g.catchUp(ctx)
	if g.state.Version == v {
		return nil
	}
	for _, p := range refused {
		p.rechecked, p.retrying = true, true
	}
	return refused
}

// batch is one try at storing commands: those the state took and what was
// prepared for them, to deliver once stored.
type batch struct {
	before     int64 // the state's version before the batch
	first      int   // index of the first applied command among those tried
	applied    []*pending
	data       [][]byte // their entries
	deliveries []*delivery
	absent     absence // what the deliveries change in the audiences' sets of absent documents
	snapshot   []byte  // the state at snapV, when a snapshot is due
	snapV      int64
	snap       snapInfo // g.snap once stored
	broken     error    // a command or the state could not be encoded
}

// attempt applies commands and stores the accepted ones in one round trip,
// then delivers their updates; on failure see failed.
func (g *Game) attempt(ctx context.Context, todo []*pending) ([]*pending, time.Duration) {
	if err := g.sync(); err != nil {
		for _, p := range todo {
			p.ack, p.err, p.retrying = Ack{}, errNotStored(), false
		}
		return nil, 0
	}
	b := g.applyBatch(todo)
	if len(b.applied) == 0 {
		return nil, 0
	}
	err := b.broken
	if err == nil {
		err = g.store(ctx, b)
	}
	if err == nil {
		g.keep(b)
		return nil, 0
	}
	return g.failed(ctx, b, todo, err)
}

// applyBatch applies the commands to the state and prepares their entries
// and updates.
func (g *Game) applyBatch(todo []*pending) *batch {
	b := &batch{before: g.state.Version, first: len(todo), snap: g.snap}
	for _, p := range todo {
		p.got = gotNone
	}
	for i, p := range todo {
		p.ack, p.err, p.retrying = Ack{}, nil, false
		if v, ok := g.state.Seen(p.c.Actor, p.c.ID); ok {
			if v > b.before {
				p.got = gotDup
				continue
			}
			// Applied and stored earlier: acked again, as the first time.
			v, res, _ := g.state.SeenResult(p.c.Actor, p.c.ID)
			p.ack, p.got = Ack{v, res}, gotSeen
			continue
		}
		ch, err := g.rt.eng.Apply(g.state, p.c)
		if err != nil {
			p.err, p.got = err, gotRefused
			continue
		}
		p.ack, p.got = Ack{g.state.Version, ch.Result}, gotApplied
		if len(b.applied) == 0 {
			b.first = i
		}
		b.applied = append(b.applied, p)
		if b.broken = b.encode(g, p.c); b.broken != nil {
			break
		}
		b.deliveries = append(b.deliveries, g.prepare(ch, g.state.Version, &b.absent))
	}
	return b
}

// encode adds the entry of an applied command, and a snapshot of the state
// when one is due.
func (b *batch) encode(g *Game, c game.Command) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	b.data = append(b.data, data)
	b.snap.since += len(data)
	if snapshotDue(b.snap, g.state.Version, g.rt.opt.SnapshotEvery) {
		if b.snapshot, err = game.MarshalState(g.state); err != nil {
			return err
		}
		b.snapV = g.state.Version
		b.snap = snapInfo{v: b.snapV, size: len(b.snapshot)}
	}
	return nil
}

// store appends a batch's entries in one round trip.
func (g *Game) store(ctx context.Context, b *batch) error {
	r := g.rt
	opts := store.AppendOptions{TTL: r.opt.IdleTTL, Snapshot: b.snapshot}
	if g.state.Status == game.StatusFinished {
		opts.TTL = r.opt.FinishedTTL
	}
	if r.router != nil {
		opts.Owner, opts.OwnerTTL = r.opt.Instance, leaseTTL
	}
	start := time.Now()
	err := r.append(ctx, g.id, b.before+1, b.data, b.snapV, opts)
	r.met.AppendTime.Observe(time.Since(start).Seconds())
	r.met.Appends.Inc()
	if err == nil && r.router != nil {
		g.renewed(start)
	}
	return storeFault(err)
}

// keep records a stored batch and delivers its updates.
func (g *Game) keep(b *batch) {
	m := g.rt.met
	g.stored.Store(g.state.Version)
	g.snap = b.snap
	if b.snapshot != nil {
		m.Snapshots.Inc()
		m.SnapshotBytes.Add(float64(len(b.snapshot)))
	}
	m.Appended.Add(float64(len(b.applied)))
	for _, p := range b.applied {
		g.shadowApply(p.c)
	}
	if g.shadow != nil && g.shadow.Version != g.state.Version {
		g.shadow = nil
	}
	b.absent.apply()
	for _, d := range b.deliveries {
		g.deliver(d)
	}
	g.armTimer()
}

// failed handles a batch the store did not take: the state forgets it
// (see unwind), and each command is answered or returned to be tried
// again (after a conflict).
func (g *Game) failed(ctx context.Context, b *batch, todo []*pending, err error) ([]*pending, time.Duration) {
	conflict := apperr.IsCode(err, apperr.EConflict)
	if conflict {
		g.rt.met.Conflicts.Inc()
		if g.rt.shared {
			g.contended = true // keep a shadow from now on
		}
	} else if b.broken == nil {
		g.rt.met.StoreErrors.Inc()
		g.rt.log.Warn("append failed; the game waits for the store", "game", g.id, "err", err)
	}
	err = g.unwind(ctx, b, err, conflict)
	again := conflict && !g.unsynced.Load() && b.broken == nil && ctx.Err() == nil
	if conflict && !g.unsynced.Load() {
		// For a command not tried again (out of time or tries against
		// other writers): not stored, and nothing the sender can fix;
		// worth resending.
		err = errNotStored()
	}
	now := time.Now()
	var retry []*pending
	tries := 0
	for i, p := range todo {
		retryable := again && p.tries < maxAttempts && now.Before(p.deadline)
		switch p.got {
		case gotSeen:
			continue
		case gotNone:
			p.err = err
			continue
		case gotRefused:
			// Refused against a state that held commands now undone:
			// check it again with the others, or report the failure.
			if retryable {
				retry = append(retry, p)
			} else if i > b.first {
				p.err = err
			}
			continue
		}
		p.ack = Ack{}
		if !g.unsynced.Load() {
			if v, res, ok := g.state.SeenResult(p.c.Actor, p.c.ID); ok {
				p.ack = Ack{v, res} // the store kept it (its reply was lost)
				continue
			}
		}
		if !retryable {
			p.err = err
			continue
		}
		retry = append(retry, p)
	}
	for _, p := range retry {
		p.err, p.retrying = nil, true
		tries = max(tries, p.tries)
		p.tries++
	}
	if tries == 0 {
		return retry, 0
	}
	return retry, time.Duration(rand.Int64N(int64(time.Millisecond) << min(tries, 4)))
}

// unwind drops a batch the store did not take from the state, and returns
// the error to answer with. When the store failed or did not answer in
// time (or the batch could not be encoded) it may hold the batch or not,
// and reading it now would most likely fail too: the state is marked
// unsynced, and until the game's goroutine has read it again, commands
// and readers are answered at once rather than each waiting for the
// store. After a conflict the state becomes the stored one again: the
// shadow, caught up with what the other instance appended, or a reload.
func (g *Game) unwind(ctx context.Context, b *batch, err error, conflict bool) error {
	if apperr.IsCode(err, apperr.EUnavailable) {
		err = errNotStored() // (the cause is logged)
	}
	switch {
	case !conflict:
		g.invalidate()
	case g.shadow != nil && g.shadow.Version == b.before:
		g.state, g.shadow = g.shadow, nil
		g.catchUp(ctx)
		g.shadow = game.CloneState(g.state)
		g.armTimer()
	default:
		if rerr := g.rebuild(ctx, b.before); rerr != nil {
			err = rerr
			if apperr.IsCode(rerr, apperr.EUnavailable) {
				err = errNotStored()
			}
			g.invalidate()
		}
	}
	return err
}

// batchAppender is a store that appends several entries in one round
// trip (store.Redis does).
type batchAppender interface {
	AppendBatch(ctx context.Context, gameID string, first int64, data [][]byte, snapV int64, opts store.AppendOptions) error
}

// append stores entries first, first+1, … in one round trip.
func (r *Runtime) append(ctx context.Context, id string, first int64, data [][]byte, snapV int64, opts store.AppendOptions) error {
	if ba, ok := r.st.(batchAppender); ok {
		return ba.AppendBatch(ctx, id, first, data, snapV, opts)
	}
	for i, d := range data {
		o := opts
		if first+int64(i) != snapV {
			o.Snapshot = nil
		}
		if err := r.st.Append(ctx, id, first+int64(i), d, o); err != nil {
			return err
		}
	}
	return nil
}
