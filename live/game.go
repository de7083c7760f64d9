package live

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"devopschallenge/game"
	"devopschallenge/store"
)

// Game is one game held in memory: its state folded from the event log,
// its local subscribers grouped by audience, and the goroutine that
// changes the state (see the package comment).
type Game struct {
	id    string
	rt    *Runtime
	ready chan struct{} // closed once loaded; then err is set
	err   error
	done  chan struct{} // closed when the game is unloaded

	// What other goroutines hand the game's goroutine, guarded by inMu:
	// the entries published by any instance (at most inboxSize; past that
	// the goroutine reads the stream instead), the commands submitted, and
	// the requests to catch up with the store. Slices, not channels: a
	// channel would hold its whole capacity for the game's life.
	inMu     sync.Mutex
	inbox    []store.Entry
	queue    []*pending
	catchUps []*catchUp
	wake     chan struct{} // (cap 1) inbox, queue or catchUps have something
	kick     chan struct{} // (cap 1) read the stream if resync is set; sync presence
	resync   atomic.Bool   // the stream must be read (inbox overflow, lost pub/sub, failed catch-up)
	// stored is the version the store holds and the state has applied, for
	// onPublished to drop the entries already applied without waking
	// anybody.
	stored atomic.Int64
	// unsynced: the state may hold commands the store did not keep (their
	// append failed): nothing may read it until it has been reloaded from
	// the store (see replica.go). Written by the game's goroutine with mu
	// held; read without the lock too, so that commands are refused at once.
	unsynced atomic.Bool
	retryAt  atomic.Int64 // when the next reload is due (Unix ns)

	// ownMu guards owner and ownerUntil: the game's writer as this
	// instance last heard, trusted until ownerUntil (owners.go).
	ownMu      sync.Mutex
	owner      string
	ownerUntil time.Time
	// presMu orders the presence updates sent to the game's owner.
	presMu sync.Mutex

	// mu guards everything below, and the state: the game's goroutine
	// holds it while it changes them, including during the store's round
	// trip for a batch of commands, so that nobody sees a state the store
	// does not hold.
	mu    sync.Mutex
	state *game.State
	// shadow is a second copy of the state at the stored version, kept for
	// games that several instances write to (contended): when the store
	// refuses a batch because another instance appended first, the state
	// that took the batch is dropped for it instead of reloaded from the
	// store. Every stored entry is applied to both.
	shadow    *game.State
	contended bool
	subs      map[Subscriber]*member
	groups    map[string]*group           // local subscribers by audience
	players   map[string]map[*member]bool // local subscribers by player ID
	history   []histEntry                 // the last histSize to 2×histSize versions, oldest first
	timer     *time.Timer                 // the pending deadline, if any
	timerSeq  int64                       // the clock sequence the timer is for
	dirty     map[string]bool             // players whose local presence count changed
	lastUsed  time.Time                   // when the last local subscriber left, or another instance sent a command
	snap      snapInfo                    // the newest snapshot known here
	closed    bool                        // unloaded: subscribers must open the game again
	retry     *time.Timer                 // the next reload or catch-up, while the store fails
	retryWait time.Duration
}

// inboxSize bounds the entries waiting for a game's goroutine.
const inboxSize = 4096

func newGame(r *Runtime, id string) *Game {
	return &Game{id: id, rt: r, ready: make(chan struct{}), done: make(chan struct{}),
		wake: make(chan struct{}, 1), kick: make(chan struct{}, 1),
		subs: map[Subscriber]*member{}, groups: map[string]*group{}, players: map[string]map[*member]bool{},
		dirty: map[string]bool{}, lastUsed: time.Now()}
}

// ID returns the game's ID.
func (g *Game) ID() string { return g.id }

// Ack is what a command's sender is told once the command is stored: its
// version (the one it got the first time, for a command sent again with
// the same ID) and its result.
type Ack struct {
	Version int64
	Result  map[string]any
}

// Submit applies a command and stores it, here or through the game's
// owner (owners.go), and returns its Ack once the store holds it and its
// updates went to the local subscribers. A command the rules refuse gets
// their error and changes nothing; one the store did not confirm gets an
// unavailable error (resending it with the same ID is safe).
func (g *Game) Submit(ctx context.Context, c game.Command) (Ack, error) {
	start := time.Now()
	a, err := g.route(ctx, c)
	g.rt.met.command(c.Type, err, start)
	return a, err
}

// Read calls f with the game's state, the stored one, under the game's
// lock: f must neither keep nor change the state, and must be quick. While
// the state may hold commands the store did not keep, Read fails with an
// unavailable error instead.
func (g *Game) Read(f func(*game.State)) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.sync(); err != nil {
		return err
	}
	f(g.state)
	return nil
}

// ReadLatest is Read once the game holds what the store holds: on a
// shared store the game's goroutine first reads the stream (one round
// trip) for what other instances stored a moment ago. For answers that a
// few milliseconds' lag would make wrong (a revocation stored elsewhere).
func (g *Game) ReadLatest(ctx context.Context, f func(*game.State)) error {
	if g.rt.shared {
		if err := g.catchUpTo(ctx, 0); err != nil {
			return err
		}
	}
	return g.Read(f)
}

// Subscriber is a connection to a game: the runtime hands it the
// messages for its audience, in version order. Both methods are called
// with the game locked: they must not block.
type Subscriber interface {
	// Send queues a message for the client.
	Send(*Message)
	// Revoke ends the subscription of a player the facilitator removed.
	Revoke()
}

// Attach subscribes sub to the game as the actor that who finds in the
// state (from a token), and sends it what it missed since version from:
// an update, or a snapshot. Updates follow as the game changes, until
// Detach. who runs under the game's lock, like Read's f. On a shared
// store, when who fails or from is ahead of the state, the stream is read
// first: another instance may hold the entry that made the token, or that
// the client saw.
func (g *Game) Attach(ctx context.Context, sub Subscriber, from int64, who func(*game.State) (game.Actor, error)) (game.Actor, error) {
	actor, behind, err := g.attach(sub, from, who, !g.rt.shared)
	if behind {
		if err := g.catchUpTo(ctx, 0); err != nil {
			return game.Actor{}, err
		}
		actor, _, err = g.attach(sub, from, who, true)
	}
	if err == nil {
		g.poke(false) // presence
	}
	return actor, err
}

// attach is Attach with the game locked; unless final it reports behind
// instead of failing or attaching a client ahead of the state.
func (g *Game) attach(sub Subscriber, from int64, who func(*game.State) (game.Actor, error), final bool) (game.Actor, bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return game.Actor{}, false, errUnloaded()
	}
	if err := g.sync(); err != nil {
		return game.Actor{}, false, err
	}
	actor, err := who(g.state)
	if !final && (err != nil || from > g.state.Version) {
		return actor, true, err
	}
	if err != nil {
		return actor, false, err
	}
	g.subscribe(sub, actor, from)
	return actor, false, nil
}

// Detach ends sub's subscription.
func (g *Game) Detach(sub Subscriber) {
	g.mu.Lock()
	g.unsubscribe(sub)
	g.mu.Unlock()
	g.poke(false) // presence
}

// run is the game's goroutine: it applies the entries every instance
// publishes, commits the commands submitted here, answers catch-up
// requests, reads the store when asked to, and records presence.
func (g *Game) run() {
	defer g.rt.wg.Done()
	for {
		select {
		case <-g.wake:
			g.work()
		case <-g.kick:
			if g.resync.Swap(false) {
				g.refresh()
			}
			g.syncPresence()
		case <-g.done:
			return
		}
	}
}

// work applies the inbox, then commits the queue batch after batch (the
// commands that arrive during a round trip to the store make the next
// batch), and answers the catch-up requests, until nothing is left.
// Called by the game's goroutine.
func (g *Game) work() {
	for {
		g.mu.Lock()
		g.applyInbox()
		g.inMu.Lock()
		batch, catchUps := g.queue, g.catchUps
		g.queue, g.catchUps = nil, nil
		g.inMu.Unlock()
		if len(batch) == 0 && len(catchUps) == 0 {
			g.mu.Unlock()
			return
		}
		var again []*pending
		var pause time.Duration
		if len(batch) > 0 {
			again, pause = g.commit(batch)
		}
		g.answer(catchUps)
		g.mu.Unlock()
		if len(again) > 0 {
			// Instances writing over each other: step back a little, at
			// random, so that one of them gets through; the state is the
			// store's meanwhile, others may read it.
			time.Sleep(pause)
			g.inMu.Lock()
			g.queue = append(again, g.queue...)
			g.inMu.Unlock()
		}
	}
}

// signal wakes the game's goroutine for its inbox, queue or catch-ups.
func (g *Game) signal() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// poke wakes the game's goroutine to sync presence; resync also asks it
// to read the stream.
func (g *Game) poke(resync bool) {
	if resync {
		g.resync.Store(true)
	}
	select {
	case g.kick <- struct{}{}:
	default:
	}
}

// close marks the game unloaded and stops its goroutine and timers.
func (g *Game) close() {
	g.mu.Lock()
	g.closed = true
	g.stopTimers()
	g.mu.Unlock()
	close(g.done)
}

// closeIfIdle closes the game unless a local subscriber uses it or did
// lately; it reports whether it did.
func (g *Game) closeIfIdle() bool {
	g.mu.Lock()
	if len(g.subs) > 0 || g.closed || time.Since(g.lastUsed) <= g.rt.opt.UnloadAfter {
		g.mu.Unlock()
		return false
	}
	g.closed = true
	g.stopTimers()
	g.mu.Unlock()
	close(g.done)
	return true
}

// touch records that another instance used the game, to keep it loaded.
func (g *Game) touch() {
	g.mu.Lock()
	g.lastUsed = time.Now()
	g.mu.Unlock()
}

// upkeep returns, for the janitor, the players other instances count as
// connected (by instance), and whether the game is idle here.
func (g *Game) upkeep() (others map[string][]string, idle bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	others = map[string][]string{}
	for _, id := range g.state.PlayerOrder {
		for inst := range g.state.Players[id].Conns {
			if inst != g.rt.opt.Instance {
				others[inst] = append(others[inst], id)
			}
		}
	}
	return others, len(g.subs) == 0 && time.Since(g.lastUsed) > g.rt.opt.UnloadAfter
}
