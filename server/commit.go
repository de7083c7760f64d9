package server

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"sync"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/store"
)

// The commit path: how a command becomes an entry of the game's log.
//
// A command is applied to the in-memory state, stored (one round trip per
// batch), and only then acknowledged and shown to anyone. When the store
// does not take a batch, the state forgets it: rebuilt from the store when
// the store answered (another instance appended first), or, when the
// store failed or did not answer in time, marked unsynced — it may hold
// commands the store did not keep, so nothing reads it until it has been
// reloaded (sync, in log.go), and until then every command gets an
// unavailable error. A reload is tried in the background until the store
// answers again; whatever the store kept meanwhile (a batch whose answer
// was lost, other instances' entries) then reaches the clients as updates.

// storeTimeout bounds a commit (its appends and reloads) and each reload
// of an unsynced state: past it the store counts as unavailable. A healthy
// Redis answers within milliseconds, even under load.
const storeTimeout = 3 * time.Second

// pending is a command waiting for the game's goroutine.
type pending struct {
	c    game.Command
	done chan struct{} // closed once v, res and err are set; nil: nobody waits
	v    int64
	res  map[string]any
	err  error
	// dupOf is the command of the same batch this one repeats (same
	// actor and ID): it gets that command's outcome.
	dupOf *pending
	// log, for commands nobody waits for: log a failure.
	log bool
	// player, for a presence.set sent by syncPresence: whose count it sets.
	player string
	// got is what the last attempt did with it.
	got outcome
}

type outcome int

const (
	gotNone    outcome = iota // not looked at (the batch broke off before it)
	gotSeen                   // stored earlier: acked with its version
	gotApplied                // applied, to be stored with the batch
	gotDup                    // repeats a command of the batch
	gotRefused                // refused by the rules
)

// Submit applies a command to a game and stores it, and returns the
// version at which it was applied (earlier, for a resent command) and its
// result. Commands go to the game's goroutine, which applies and stores
// those that arrived meanwhile together: one round trip to the store per
// batch of accepted commands, none for refused ones.
func (m *Manager) Submit(ctx context.Context, lg *liveGame, c game.Command) (int64, map[string]any, error) {
	start := time.Now()
	var (
		v   int64
		res map[string]any
		err error
	)
	if m.owners != nil {
		v, res, err = m.route(ctx, lg, c)
	} else {
		v, res, err = m.submit(lg, c)
	}
	outcome := "ok"
	if err != nil {
		outcome = apperr.ErrorCode(err)
	}
	typ := c.Type
	if !knownCommand(typ) {
		typ = "unknown"
	}
	m.met.Commands.WithLabelValues(typ, outcome).Inc()
	m.met.Latency.Observe(time.Since(start).Seconds())
	return v, res, err
}

// commandTypes is the set of command types, for metric labels.
var commandTypes = sync.OnceValue(game.CommandTypes)

func knownCommand(typ string) bool {
	_, ok := commandTypes()[typ]
	return ok
}

func errUnloaded() error {
	return apperr.Errorf(apperr.EInternal, "The game was unloaded; retry.", "La partie a été déchargée ; réessayez.")
}

func (m *Manager) submit(lg *liveGame, c game.Command) (int64, map[string]any, error) {
	v, res, _, err := m.submitFresh(lg, c)
	return v, res, err
}

// submitFresh is submit, and also reports whether the command was stored
// by this call (not before, nor as the repeat of another in its batch):
// then its entry was published.
func (m *Manager) submitFresh(lg *liveGame, c game.Command) (int64, map[string]any, bool, error) {
	p := &pending{c: c, done: make(chan struct{})}
	lead, ok := lg.enqueue(p)
	if !ok {
		return 0, nil, false, errUnloaded()
	}
	if lead {
		lg.drain(true)
	}
	select {
	case <-p.done:
	case <-lg.done:
		select {
		case <-p.done:
		default:
			return 0, nil, false, errUnloaded()
		}
	}
	return p.v, p.res, p.err == nil && p.got == gotApplied && p.dupOf == nil, p.err
}

// enqueue queues a command and reports whether the caller must commit the
// queue (nobody else does); ok is false when the game was unloaded.
func (lg *liveGame) enqueue(p *pending) (lead, ok bool) {
	select {
	case <-lg.done:
		return false, false
	default:
	}
	lg.inMu.Lock()
	lg.queue = append(lg.queue, p)
	lead = !lg.committing
	lg.committing = true
	lg.inMu.Unlock()
	return lead, true
}

// drain commits the queued commands, batch after batch, until the queue is
// empty. A submitter (leader) commits one batch, which holds its own
// command, and hands what arrived meanwhile to the game's goroutine so as
// to answer its client at once.
func (lg *liveGame) drain(leader bool) {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	for {
		// What other instances stored first: commands checked against a
		// state that lacks it would be refused by the store (a conflict,
		// which costs a rebuild).
		lg.applyInbox()
		lg.inMu.Lock()
		batch := lg.queue
		lg.queue = nil
		if len(batch) == 0 {
			lg.committing = false
			lg.inMu.Unlock()
			return
		}
		lg.inMu.Unlock()
		lg.commit(batch)
		if leader {
			lg.inMu.Lock()
			if len(lg.queue) == 0 {
				lg.committing = false
				lg.inMu.Unlock()
				return
			}
			lg.inMu.Unlock()
			lg.handoff.Store(true)
			select {
			case lg.wake <- struct{}{}:
			default:
			}
			return
		}
	}
}

// finish reports a command's outcome.
func (p *pending) finish() {
	if p.dupOf != nil {
		p.v, p.res, p.err = p.dupOf.v, p.dupOf.res, p.dupOf.err
	}
	if p.done != nil {
		close(p.done)
	}
}

// commit applies a batch of commands to the state and stores the accepted
// ones in one round trip, then sends their updates, in order; see
// commitOnce. Called by the game's goroutine with lg.mu held; it keeps it
// during the round trip.
func (lg *liveGame) commit(batch []*pending) {
	m := lg.m
	defer func() {
		for _, p := range batch {
			p.finish()
			if p.log { // nobody waits for it: count it and log a failure here
				outcome := "ok"
				if p.err != nil {
					outcome = apperr.ErrorCode(p.err)
				}
				m.met.Commands.WithLabelValues(p.c.Type, outcome).Inc()
				if p.err != nil && outcome != apperr.EConflict && outcome != apperr.ENotFound && outcome != apperr.EUnavailable {
					m.log.Warn("server command failed", "game", lg.id, "cmd", p.c.Type, "err", p.err)
				}
			}
		}
	}()
	if lg.closed {
		for _, p := range batch {
			p.err = errUnloaded()
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	lg.commitOnce(ctx, batch)
	if !m.shared || lg.unsynced {
		return
	}
	// Several instances may share the store: a command refused here may
	// have been refused by a state that lags behind the stream (the game
	// was started on another instance a moment ago). Read the stream
	// (one round trip, for refusals only) and, if it moved on, check the
	// refused commands again.
	var refused []*pending
	for _, p := range batch {
		if p.got == gotRefused {
			refused = append(refused, p)
		}
	}
	if len(refused) == 0 {
		return
	}
	v := lg.state.Version
	lg.catchUp(ctx)
	if lg.state.Version > v {
		lg.commitOnce(ctx, refused)
	}
}

// attempt is one try at storing a batch: the commands the state took and
// what was prepared for them, to send once stored or to undo.
type attempt struct {
	before     int64 // the state's version before the batch
	histLen    int   // the history's length before the batch
	first      int   // index of the first applied command in the batch
	applied    []*pending
	data       [][]byte // their entries
	deliveries []*delivery
	snapshot   []byte // the state at snapV, when a snapshot is due
	snapV      int64
	snap       snapInfo     // lg.snap once stored
	undo       []hiddenUndo // what prepare changed in the audiences' hidden sets
	broken     error        // a command or the state could not be encoded
}

// commitOnce applies commands and stores the accepted ones in one round
// trip, then sends their updates. When another instance appended first,
// the state is rebuilt from the store and the commands tried again. When
// the store fails, the commands get an unavailable error, except those
// the store is known to hold. Called with lg.mu held.
func (lg *liveGame) commitOnce(ctx context.Context, batch []*pending) {
	todo := batch
	for try := 0; len(todo) > 0; try++ {
		if err := lg.sync(); err != nil {
			for _, p := range todo {
				p.v, p.res, p.dupOf, p.err = 0, nil, nil, errNotStored()
			}
			return
		}
		a := lg.applyBatch(todo)
		if len(a.applied) == 0 {
			return
		}
		err := a.broken
		if err == nil {
			err = lg.store(ctx, a)
		}
		if err == nil {
			lg.keep(a)
			return
		}
		todo = lg.failed(ctx, a, todo, err, try)
	}
}

// applyBatch applies the commands to the state and prepares their entries
// and updates. Called with lg.mu held.
func (lg *liveGame) applyBatch(todo []*pending) *attempt {
	m := lg.m
	a := &attempt{before: lg.state.Version, histLen: len(lg.history), first: len(todo), snap: lg.snap}
	lg.hiddenLog = &a.undo
	defer func() { lg.hiddenLog = nil }()
	for _, p := range todo {
		p.got = gotNone
	}
	for i, p := range todo {
		p.v, p.res, p.err, p.dupOf = 0, nil, nil, nil
		if v, ok := lg.state.Seen(p.c.Actor, p.c.ID); ok {
			if v <= a.before {
				// Applied and stored earlier: acked again, as the first time.
				p.v, p.res, _ = lg.state.SeenResult(p.c.Actor, p.c.ID)
				p.got = gotSeen
				continue
			}
			for _, q := range a.applied {
				if q.v == v {
					p.dupOf = q
				}
			}
			p.got = gotDup
			continue
		}
		ch, err := m.eng.Apply(lg.state, p.c)
		if err != nil {
			p.err, p.got = err, gotRefused
			continue
		}
		p.v, p.res, p.got = lg.state.Version, ch.Result, gotApplied
		if len(a.applied) == 0 {
			a.first = i
		}
		a.applied = append(a.applied, p)
		b, err := json.Marshal(p.c)
		if err != nil {
			a.broken = err
			break
		}
		a.data = append(a.data, b)
		a.snap.since += len(b)
		if snapshotDue(a.snap, lg.state.Version, m.opt.SnapshotEvery) {
			if a.snapshot, err = game.MarshalState(lg.state); err != nil {
				a.broken = err
				break
			}
			a.snapV = lg.state.Version
			a.snap = snapInfo{v: a.snapV, size: len(a.snapshot)}
		}
		a.deliveries = append(a.deliveries, lg.prepare(ch, lg.state.Version))
	}
	return a
}

// store appends a batch's entries in one round trip.
func (lg *liveGame) store(ctx context.Context, a *attempt) error {
	m := lg.m
	opts := store.AppendOptions{TTL: m.opt.IdleTTL, Snapshot: a.snapshot}
	if lg.state.Status == game.StatusFinished {
		opts.TTL = m.opt.FinishedTTL
	}
	if m.owners != nil {
		opts.Owner, opts.OwnerTTL = m.opt.Instance, leaseTTL
	}
	start := time.Now()
	err := m.append(ctx, lg.id, a.before+1, a.data, a.snapV, opts)
	m.appendTime.Observe(time.Since(start).Seconds())
	m.batches.Inc()
	if err == nil && m.owners != nil {
		lg.renewed(start)
	}
	return storeFault(err)
}

// keep records a stored batch and sends its updates. Called with lg.mu
// held.
func (lg *liveGame) keep(a *attempt) {
	m := lg.m
	lg.stored.Store(lg.state.Version)
	lg.snap = a.snap
	if a.snapshot != nil {
		m.snapshots.Inc()
		m.snapshotBytes.Add(float64(len(a.snapshot)))
	}
	m.batched.Add(float64(len(a.applied)))
	for _, p := range a.applied {
		lg.shadowApply(p.c)
	}
	if lg.shadow != nil && lg.shadow.Version != lg.state.Version {
		lg.shadow = nil
	}
	for _, d := range a.deliveries {
		lg.deliver(d)
	}
	lg.armTimer()
}

// failed handles a batch the store did not take: the state forgets it,
// and each command is answered or returned to be tried again (after a
// conflict). Called with lg.mu held.
func (lg *liveGame) failed(ctx context.Context, a *attempt, todo []*pending, err error, try int) []*pending {
	m := lg.m
	lg.history = lg.history[:a.histLen]
	for i := len(a.undo) - 1; i >= 0; i-- {
		a.undo[i].revert()
	}
	conflict := apperr.IsCode(err, apperr.EConflict)
	if conflict {
		m.conflicts.Inc()
		if !lg.contended && m.shared {
			lg.contended = true // keep a shadow from now on
		}
	} else if a.broken == nil {
		m.met.RedisErrors.Inc()
		m.log.Warn("append failed; the game waits for the store", "game", lg.id, "err", err)
	}
	if apperr.IsCode(err, apperr.EUnavailable) {
		err = errNotStored() // (the cause is logged above)
	}
	switch {
	case !conflict:
		// The store failed or did not answer in time (or the batch could
		// not be encoded): it may hold the batch or not, and reading it
		// now would most likely fail too. Until the game's goroutine has
		// read it again, commands and readers are answered at once
		// rather than each waiting for the store.
		lg.invalidate()
	case lg.shadow != nil && lg.shadow.Version == a.before:
		// Drop the batch with the state that took it: the shadow is the
		// stored state. Catch up from the stream (what the other instance
		// appended), then try the commands again on a copy.
		lg.state, lg.shadow = lg.shadow, nil
		lg.catchUp(ctx)
		lg.shadow = game.CloneState(lg.state)
		lg.armTimer()
	default:
		// The store answered: reload the state from it.
		if rerr := lg.rebuild(ctx, a.before); rerr != nil {
			err = rerr
			if apperr.IsCode(rerr, apperr.EUnavailable) {
				err = errNotStored()
			}
			lg.invalidate()
		}
	}
	again := conflict && !lg.unsynced && a.broken == nil && try < maxAttempts && ctx.Err() == nil
	if conflict && !again && !lg.unsynced {
		// Out of time or tries against other writers: not stored, and
		// nothing the sender can fix; worth resending.
		err = errNotStored()
	}
	if again && try > 0 {
		// Instances writing over each other again and again: step
		// back a little, at random, so that one of them gets through.
		// The state is the store's now; others may read it meanwhile.
		lg.mu.Unlock()
		time.Sleep(time.Duration(rand.Int64N(int64(time.Millisecond) << min(try, 4))))
		lg.mu.Lock()
		lg.applyInbox()
	}
	var retry []*pending
	for i, p := range todo {
		switch p.got {
		case gotSeen:
			continue
		case gotNone:
			p.err = err
			continue
		case gotRefused:
			// Refused against a state that held commands now undone:
			// check it again with the others, or report the failure.
			if again {
				retry = append(retry, p)
			} else if i > a.first {
				p.err = err
			}
			continue
		}
		p.v, p.res, p.dupOf = 0, nil, nil
		if !lg.unsynced {
			if v, res, ok := lg.state.SeenResult(p.c.Actor, p.c.ID); ok {
				p.v, p.res = v, res // the store kept it (its reply was lost)
				continue
			}
		}
		if !again {
			p.err = err
			continue
		}
		retry = append(retry, p)
	}
	return retry
}

// maxAttempts bounds the tries of a batch the store keeps refusing
// because other instances append first.
const maxAttempts = 16

// batchAppender is a store that appends several entries in one round
// trip (store.Redis does).
type batchAppender interface {
	AppendBatch(ctx context.Context, gameID string, first int64, data [][]byte, snapV int64, opts store.AppendOptions) error
}

// append stores entries first, first+1, … in one round trip.
func (m *Manager) append(ctx context.Context, id string, first int64, data [][]byte, snapV int64, opts store.AppendOptions) error {
	if ba, ok := m.st.(batchAppender); ok {
		return ba.AppendBatch(ctx, id, first, data, snapV, opts)
	}
	for i, d := range data {
		o := opts
		if first+int64(i) != snapV {
			o.Snapshot = nil
		}
		if err := m.st.Append(ctx, id, first+int64(i), d, o); err != nil {
			return err
		}
	}
	return nil
}
