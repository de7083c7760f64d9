package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/store"
)

// Manager holds the games this instance's clients are in. For each it keeps
// the state folded from the event log, the local connections grouped by
// audience, and a goroutine that applies the entries other instances append.
type Manager struct {
	eng *game.Engine
	st  store.Store
	// shared: other instances may use the store (not the embedded one).
	shared bool
	// conflicts counts batches the store refused because another instance
	// appended first; rebuilds, states reloaded from the store; batches
	// and batched, the appends and the commands they stored.
	conflicts, rebuilds, batches, batched prometheus.Counter
	// snapshots and snapshotBytes count the snapshots saved and their size.
	snapshots, snapshotBytes prometheus.Counter
	// forwarded counts commands sent to another instance (the game's
	// owner); claims, the lease lookups in the store.
	forwarded, claims prometheus.Counter
	// appendTime times each append (one round trip to the store).
	appendTime prometheus.Histogram
	// storeWait counts the games whose state waits to be reloaded from the
	// store (unsynced; see commit.go and log.go).
	storeWait prometheus.Gauge
	log       *slog.Logger
	met       *Metrics
	opt       ManagerOptions

	// owners, when not nil, routes each game's commands to one writer
	// (see owner.go); nil for the embedded store and with NoForward.
	owners  store.Owners
	reqSeq  atomic.Uint64
	waitMu  sync.Mutex
	waiting map[uint64]chan *fwdMsg // answers awaited, by request; guarded by waitMu
	// awaited: the same answers by command, for the commands whose entry
	// answers them (see forward); guarded by waitMu. nAwaited is its
	// length, read without the lock to skip it when empty.
	awaited  map[awaitKey]chan *fwdMsg
	nAwaited atomic.Int64

	mu     sync.Mutex
	games  map[string]*liveGame // guarded by mu
	codes  map[string]string    // join code -> game ID cache, guarded by mu
	closed bool                 // guarded by mu
	stop   chan struct{}
	wg     sync.WaitGroup
}

// ManagerOptions tune a Manager.
type ManagerOptions struct {
	// Instance identifies this server process in presence records.
	Instance string
	// SnapshotEvery: a snapshot is saved once at least this many entries
	// follow the last one and they weigh at least as many bytes as it
	// (see snapshotDue).
	SnapshotEvery int64
	// IdleTTL is how long a game's keys live after its last entry;
	// FinishedTTL replaces it once the game is over.
	IdleTTL, FinishedTTL time.Duration
	// UnloadAfter: a game without local connections for this long is
	// dropped from memory.
	UnloadAfter time.Duration
	// Janitor is the period of heartbeats, stale presence sweeps and
	// unloading.
	Janitor time.Duration
	// NoForward turns off the single writer per game (owner.go): every
	// instance then appends its own clients' commands and the store's
	// version check sorts out collisions. For tests of that path.
	NoForward bool
}

func (o *ManagerOptions) defaults() {
	if o.SnapshotEvery <= 0 {
		o.SnapshotEvery = 100
	}
	if o.IdleTTL <= 0 {
		o.IdleTTL = 30 * 24 * time.Hour
	}
	if o.FinishedTTL <= 0 {
		o.FinishedTTL = 7 * 24 * time.Hour
	}
	if o.UnloadAfter <= 0 {
		o.UnloadAfter = 10 * time.Minute
	}
	if o.Janitor <= 0 {
		o.Janitor = 10 * time.Second
	}
}

// histSize is how many recent versions a game remembers, at least, for
// resuming clients with an update rather than a snapshot. The history
// grows to twice that and then drops its older half at once: dropping
// one entry per version moved the whole slice at every command.
const histSize = 512

// inboxSize bounds the entries waiting for a game's goroutine.
const inboxSize = 4096

// liveGame is one game held in memory.
type liveGame struct {
	id    string
	m     *Manager
	ready chan struct{} // closed once loaded; then err is set
	err   error

	// inbox holds the entries published by any instance, waiting for the
	// game's goroutine, at most inboxSize (past that the goroutine reads
	// the stream instead). A slice, not a channel: a channel would hold
	// its whole capacity for the game's life.
	inMu  sync.Mutex
	inbox []store.Entry
	wake  chan struct{} // (cap 1) the inbox or the queue has entries
	// stored is the version the store holds and the state has applied, for
	// onPublished to drop the entries this instance stored itself (or
	// applied already) without waking anybody.
	stored atomic.Int64
	// resync asks the goroutine to read the stream (the inbox overflowed,
	// the pub/sub connection was lost, a catch-up failed).
	resync atomic.Bool
	// queue holds the commands submitted and not yet applied (guarded by
	// inMu). The submitter that finds nobody committing becomes the
	// committer: it applies and stores the queue as one batch; commands
	// that arrived meanwhile are handed to the game's goroutine, which
	// commits them the same way until the queue is empty.
	queue      []*pending
	committing bool        // a committer owns the queue (guarded by inMu)
	handoff    atomic.Bool // the game's goroutine is the committer now

	// ownMu guards owner and ownerUntil: the game's writer as this
	// instance last heard, trusted until ownerUntil (owner.go).
	ownMu      sync.Mutex
	owner      string
	ownerUntil time.Time
	// presMu orders the presence updates sent through Submit.
	presMu sync.Mutex
	kick   chan struct{} // (cap 1) asks the goroutine to check the stream or sync presence
	done   chan struct{} // closed when the game is unloaded

	// mu guards everything below. The game's goroutine holds it while it
	// applies a batch of commands and appends them (one round trip), so the
	// game's commands are applied in version order on every instance and
	// nobody sees a state the store does not hold.
	mu    sync.Mutex
	state *game.State
	// shadow is a second copy of the state at the stored version, kept for
	// games that several instances write to (contended): when the store
	// refuses a batch because another instance appended first, the state
	// that took the batch is dropped for it instead of reloaded from the
	// store. Every stored entry is applied to both.
	shadow    *game.State
	contended bool
	// hiddenLog, while a batch is prepared, records the changes to the
	// audiences' hidden sets (see hiddenUndo).
	hiddenLog *[]hiddenUndo
	groups    map[string]*group         // local connections by audience
	players   map[string]map[*conn]bool // local connections by player ID
	history   []histEntry               // the last histSize to 2×histSize versions, oldest first
	timer     *time.Timer               // the pending deadline, if any
	timerSeq  int64                     // the clock sequence the timer is for
	dirty     map[string]bool           // players whose local presence count changed
	lastUsed  time.Time                 // when the last local connection left
	snap      snapInfo                  // the newest snapshot known here
	closed    bool                      // unloaded; connections must get the game again
	// unsynced: the state may hold commands the store did not keep (their
	// append failed): nothing may read it until it has been reloaded from
	// the store (sync, reload). Meanwhile retry schedules that reload in
	// the background, every retryWait (see commit.go and log.go).
	unsynced  bool
	retry     *time.Timer
	retryWait time.Duration
	retryAt   time.Time // when the next attempt is due
}

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

type group struct {
	viewer game.Viewer
	conns  map[*conn]bool
	// hidden holds documents every connection of the group knows to be
	// absent (not visible to the audience): told so by a null, or never
	// shown one since. A change to such a document that leaves it
	// invisible is not sent to the group. Cleared when the group's
	// connections get fresh snapshots.
	hidden map[string]bool
}

type histEntry struct {
	version int64
	docs    []string
	private []string
	reseat  []string
}

// NewManager returns a manager; call Close to stop it. It fails when it
// cannot listen to the other instances on a shared store.
func NewManager(eng *game.Engine, st store.Store, met *Metrics, log *slog.Logger, opt ManagerOptions) (*Manager, error) {
	opt.defaults()
	m := &Manager{eng: eng, st: st, log: log, met: met, opt: opt, waiting: map[uint64]chan *fwdMsg{},
		awaited: map[awaitKey]chan *fwdMsg{},
		games:   map[string]*liveGame{}, codes: map[string]string{}, stop: make(chan struct{})}
	if e, ok := st.(interface{ EmbeddedAddr() string }); !ok || e.EmbeddedAddr() == "" {
		m.shared = true
	}
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		if met.Registry != nil {
			met.Registry.MustRegister(c)
		}
		return c
	}
	m.conflicts = counter("devops_challenge_store_conflicts_total", "Batches of commands the store refused because another instance appended first.")
	m.rebuilds = counter("devops_challenge_state_rebuilds_total", "Game states reloaded from the store.")
	m.batches = counter("devops_challenge_appends_total", "Appends to the store (each one round trip, for one or more commands).")
	m.batched = counter("devops_challenge_appended_commands_total", "Commands stored by those appends.")
	m.snapshots = counter("devops_challenge_snapshots_total", "Snapshots of a game's state saved with an append.")
	m.snapshotBytes = counter("devops_challenge_snapshot_bytes_total", "Bytes of those snapshots.")
	m.forwarded = counter("devops_challenge_forwarded_commands_total", "Commands sent to the instance that owns their game.")
	m.appendTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "devops_challenge_append_seconds", Help: "Time of each append to the store (one round trip, for one or more commands).",
		Buckets: timeBuckets})
	if met.Registry != nil {
		met.Registry.MustRegister(m.appendTime)
	}
	m.claims = counter("devops_challenge_lease_claims_total", "Lookups (and claims) of a game's owner in the store.")
	m.storeWait = prometheus.NewGauge(prometheus.GaugeOpts{Name: "devops_challenge_games_waiting_for_store",
		Help: "Games whose last commands the store did not confirm: their commands are refused (unavailable) until they are read from the store again."})
	if met.Registry != nil {
		met.Registry.MustRegister(m.storeWait)
	}
	st.Watch(m.onPublished)
	if err := m.listen(); err != nil {
		return nil, fmt.Errorf("listen to the other instances: %w", err)
	}
	m.wg.Add(1)
	go m.janitor()
	return m, nil
}

// onPublished receives every entry published for a subscribed game.
func (m *Manager) onPublished(gameID string, e store.Entry) {
	m.mu.Lock()
	lg := m.games[gameID]
	m.mu.Unlock()
	if lg == nil {
		return
	}
	// While the game is loading, entries wait in the inbox; those the load
	// already folded are skipped by version.
	if e.Version == 0 {
		lg.poke(true)
		return
	}
	if e.Version <= lg.stored.Load() {
		return // applied already (this instance's own entries come back)
	}
	lg.inMu.Lock()
	if len(lg.inbox) >= inboxSize {
		lg.inMu.Unlock()
		lg.poke(true)
		return
	}
	lg.inbox = append(lg.inbox, e)
	lg.inMu.Unlock()
	select {
	case lg.wake <- struct{}{}:
	default:
	}
}

// poke wakes the game's goroutine; resync asks it to read the stream.
func (lg *liveGame) poke(resync bool) {
	if resync {
		lg.resync.Store(true)
	}
	select {
	case lg.kick <- struct{}{}:
	default:
	}
}

// get returns the live game, loading it from the store if needed.
func (m *Manager) get(ctx context.Context, id string) (*liveGame, error) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, apperr.Errorf(apperr.EInternal, "The server is shutting down.", "Le serveur s'arrête.")
		}
		lg, ok := m.games[id]
		if !ok {
			lg = &liveGame{id: id, m: m, ready: make(chan struct{}), wake: make(chan struct{}, 1),
				kick: make(chan struct{}, 1), done: make(chan struct{}), groups: map[string]*group{},
				players: map[string]map[*conn]bool{}, dirty: map[string]bool{}, lastUsed: time.Now()}
			m.games[id] = lg
			m.mu.Unlock()
			lctx, cancel := context.WithTimeout(ctx, storeTimeout)
			lg.err = lg.load(lctx)
			cancel()
			if lg.err != nil {
				m.mu.Lock()
				delete(m.games, id)
				m.mu.Unlock()
				if !apperr.IsCode(lg.err, apperr.ENotFound) {
					m.met.RedisErrors.Inc()
				}
				_ = m.st.Unsubscribe(context.Background(), id)
			} else {
				m.met.Games.Inc()
				m.wg.Add(1)
				go lg.run()
			}
			close(lg.ready)
		} else {
			m.mu.Unlock()
		}
		select {
		case <-lg.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if lg.err != nil {
			return nil, lg.err
		}
		lg.mu.Lock()
		closed := lg.closed
		var err error
		if !closed {
			err = lg.sync()
		}
		lg.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if !closed {
			return lg, nil
		}
		// Unloaded between the lookup and now: load it again.
	}
}

// system submits a command from the server itself.
func (m *Manager) system(lg *liveGame, typ string, args any, at int64) error {
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err = m.Submit(ctx, lg, game.Command{Type: typ, Actor: game.Actor{Role: game.RoleSystem}, At: at, Args: raw})
	return err
}

// armTimer makes sure a deadline command is sent when the current clock
// expires. Called with lg.mu held.
func (lg *liveGame) armTimer() {
	c := lg.state.Clock
	running := c.DeadlineMs > 0 && !c.Paused && lg.state.Status == game.StatusRunning
	if lg.timer != nil && running && lg.timerSeq == c.Seq {
		return
	}
	if lg.timer != nil {
		lg.timer.Stop()
		lg.timer = nil
	}
	if !running || lg.closed {
		return
	}
	seq, deadline := c.Seq, c.DeadlineMs
	lg.timerSeq = seq
	lg.timer = time.AfterFunc(time.Until(time.UnixMilli(deadline)), func() { lg.expire(seq, deadline) })
}

// expire sends the deadline command of timer seq. When the store does not
// take it, it tries again a second later, for as long as that timer is
// the game's current one.
func (lg *liveGame) expire(seq, deadline int64) {
	at := max(time.Now().UnixMilli(), deadline)
	err := lg.m.system(lg, "deadline", map[string]int64{"seq": seq}, at)
	switch {
	case err == nil || apperr.IsCode(err, apperr.EConflict):
	case apperr.IsCode(err, apperr.EUnavailable):
		lg.mu.Lock()
		if lg.timer != nil && lg.timerSeq == seq && !lg.closed {
			lg.timer = time.AfterFunc(time.Second, func() { lg.expire(seq, deadline) })
		}
		lg.mu.Unlock()
	default:
		lg.m.log.Warn("deadline command failed", "game", lg.id, "err", err)
	}
}

// lookupCode returns the game ID of a join code.
func (m *Manager) lookupCode(ctx context.Context, code string) (string, error) {
	m.mu.Lock()
	id, ok := m.codes[code]
	m.mu.Unlock()
	if ok {
		return id, nil
	}
	lctx, cancel := context.WithTimeout(ctx, storeTimeout)
	id, err := m.st.LookupCode(lctx, code)
	cancel()
	if err != nil {
		return "", storeFault(err)
	}
	m.mu.Lock()
	if len(m.codes) > 100_000 {
		clear(m.codes)
	}
	m.codes[code] = id
	m.mu.Unlock()
	return id, nil
}

// Close stops the janitor and every game's goroutine and timer.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	games := m.games
	m.games = map[string]*liveGame{}
	m.mu.Unlock()
	close(m.stop)
	// The leases this instance holds are given up (within a bound), so
	// that the other instances take its games over at once.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for _, lg := range games {
		<-lg.ready
		if lg.err != nil {
			continue
		}
		lg.mu.Lock()
		lg.closed = true
		lg.stopTimers()
		lg.mu.Unlock()
		close(lg.done)
		m.release(ctx, lg)
	}
	m.wg.Wait()
}
