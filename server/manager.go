package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"devopschallenge/game"
	"devopschallenge/protocol"
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
	// store (unsynced; see commit.go).
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
	// the background, every retryWait (see commit.go).
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
			return nil, game.Errorf(game.EInternal, "The server is shutting down.", "Le serveur s'arrête.")
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
				if !game.IsCode(lg.err, game.ENotFound) {
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
		return nil, si, game.Errorf(game.ENotFound, "This game does not exist (or has expired).", "Cette partie n'existe pas (ou a expiré).")
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
		lg.shadow = cloneState(st)
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
	case err == nil || game.IsCode(err, game.EConflict):
	case game.IsCode(err, game.EUnavailable):
		lg.mu.Lock()
		if lg.timer != nil && lg.timerSeq == seq && !lg.closed {
			lg.timer = time.AfterFunc(time.Second, func() { lg.expire(seq, deadline) })
		}
		lg.mu.Unlock()
	default:
		lg.m.log.Warn("deadline command failed", "game", lg.id, "err", err)
	}
}

// fanout sends each local audience the documents a change touched. Called
// with lg.mu held.
func (lg *liveGame) fanout(ch *game.Change, version int64) {
	lg.deliver(lg.prepare(ch, version))
}

// delivery is the messages of one version for the local connections,
// encoded while the state was at that version and sent once the store
// holds it.
type delivery struct {
	sends  []groupSend
	own    map[string]*prepared // by player: the audience's update and their "me"
	reseat []string
}

type groupSend struct {
	g   *group
	msg *prepared // nil: nothing for this audience
}

// prepare encodes the update of a change for each local audience, once
// per audience, and for each player whose "me" changed. An audience gets
// nothing when none of the documents concerns it: each is invisible to
// it and already known to it as absent (a team is not sent a null for
// another team's card at every edit). Called with lg.mu held, the state
// at version.
func (lg *liveGame) prepare(ch *game.Change, version int64) *delivery {
	lg.history = append(lg.history, histEntry{version: version, docs: ch.Docs, private: ch.Private, reseat: ch.Reseat})
	if len(lg.history) > 2*histSize {
		lg.history = slices.Delete(lg.history, 0, len(lg.history)-histSize)
	}
	now := time.Now().UnixMilli()
	d := &delivery{sends: make([]groupSend, 0, len(lg.groups)), reseat: ch.Reseat}
	enc := &docEncoder{m: lg.m}
	var docs map[*group][]encodedDoc
	for _, g := range lg.groups {
		s := groupSend{g: g}
		if len(ch.Docs) > 0 {
			if gd := lg.changedDocs(g, ch.Docs, enc); len(gd) > 0 {
				s.msg = &prepared{data: lg.m.updateMessage(version, now, gd)}
				if len(ch.Private) > 0 {
					if docs == nil {
						docs = map[*group][]encodedDoc{}
					}
					docs[g] = gd
				}
			}
		}
		d.sends = append(d.sends, s)
	}
	for _, id := range ch.Private {
		if slices.Contains(ch.Reseat, id) {
			continue // gets a fresh snapshot
		}
		for c := range lg.players[id] {
			me, _ := lg.m.eng.Doc(lg.state, c.viewer(lg.state), "me")
			raw, err := json.Marshal(me)
			if err != nil {
				lg.m.log.Error("encode document", "key", "me", "err", err)
				raw = jsonNull
			}
			own := append(slices.Clip(docs[lg.groups[c.aud]]), encodedDoc{key: "me", raw: raw})
			if d.own == nil {
				d.own = map[string]*prepared{}
			}
			d.own[id] = &prepared{data: lg.m.updateMessage(version, now, own)}
			break // every connection of a player is in the same audience
		}
	}
	return d
}

// deliver queues prepared messages for the local connections. Called with
// lg.mu held; the connections and audiences are those prepare saw.
func (lg *liveGame) deliver(d *delivery) {
	for _, s := range d.sends {
		for c := range s.g.conns {
			if id := c.actor.PlayerID; id != "" {
				if slices.Contains(d.reseat, id) {
					continue // handled below, with the new identity
				}
				if m := d.own[id]; m != nil {
					c.enqueue(m)
					continue
				}
			}
			if s.msg != nil {
				c.enqueue(s.msg)
			}
		}
	}
	for _, id := range d.reseat {
		for c := range lg.players[id] {
			lg.reseat(c)
		}
	}
}

// hiddenUndo undoes one change to an audience's set of documents known
// as absent.
type hiddenUndo struct {
	g     *group
	key   string
	was   bool            // key was in the set
	reset bool            // the set was replaced; old is the previous one
	old   map[string]bool // idem
}

func (u hiddenUndo) revert() {
	switch {
	case u.reset:
		u.g.hidden = u.old
	case u.was:
		if u.g.hidden == nil {
			u.g.hidden = map[string]bool{}
		}
		u.g.hidden[u.key] = true
	default:
		delete(u.g.hidden, u.key)
	}
}

// logHidden records a change to undo, while a batch may be undone.
func (lg *liveGame) logHidden(u hiddenUndo) {
	if lg.hiddenLog != nil {
		*lg.hiddenLog = append(*lg.hiddenLog, u)
	}
}

// maxHidden bounds an audience's set of documents known to be absent;
// past it the set starts again (costing a few needless nulls).
const maxHidden = 4096

// changedDocs returns what audience g must be told of the documents keys
// (sorted), encoded: each one it sees, and null for each it does not see
// unless it already knows it as absent. Called with lg.mu held.
func (lg *liveGame) changedDocs(g *group, keys []string, enc *docEncoder) []encodedDoc {
	var out []encodedDoc
	for _, k := range keys {
		raw := jsonNull
		if d, ok := lg.m.eng.Doc(lg.state, g.viewer, k); ok {
			if g.hidden[k] {
				lg.logHidden(hiddenUndo{g: g, key: k, was: true})
				delete(g.hidden, k)
			}
			raw = enc.encode(k, d)
		} else {
			if g.hidden[k] {
				continue
			}
			if g.hidden == nil || len(g.hidden) >= maxHidden {
				lg.logHidden(hiddenUndo{g: g, reset: true, old: g.hidden})
				g.hidden = map[string]bool{}
			}
			lg.logHidden(hiddenUndo{g: g, key: k})
			g.hidden[k] = true
		}
		if out == nil {
			out = make([]encodedDoc, 0, len(keys))
		}
		out = append(out, encodedDoc{key: k, raw: raw})
	}
	return out
}

// docs computes the documents of keys as viewer v sees them; null for
// those v may not see.
func (lg *liveGame) docs(v game.Viewer, keys []string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if d, ok := lg.m.eng.Doc(lg.state, v, k); ok {
			out[k] = d
		} else {
			out[k] = nil
		}
	}
	return out
}

// reseat moves a connection whose player changed team or company to its
// new audience with a fresh snapshot, or closes it if the player was
// kicked. Called with lg.mu held.
func (lg *liveGame) reseat(c *conn) {
	p := lg.state.Players[c.actor.PlayerID]
	if p == nil || p.Kicked {
		c.kill(protocol.CloseRevoked, "removed by the facilitator")
		return
	}
	lg.leaveGroup(c)
	lg.joinGroup(c)
	c.enqueue(lg.snapshotFor(c))
}

// resnapshot sends every local connection a fresh snapshot. Called with
// lg.mu held.
func (lg *liveGame) resnapshot() {
	for _, g := range lg.groups {
		g.hidden = nil
		for c := range g.conns {
			c.enqueue(lg.snapshotFor(c))
		}
	}
}

func (lg *liveGame) snapshotFor(c *conn) *prepared {
	v := c.viewer(lg.state)
	return lg.m.single(protocol.Out{Type: protocol.TypeSnapshot, Version: lg.state.Version, Now: time.Now().UnixMilli(),
		You: you(v), Docs: lg.m.eng.Snapshot(lg.state, v)})
}

func you(v game.Viewer) *protocol.You {
	return &protocol.You{Role: string(v.Role), PlayerID: v.PlayerID, Company: v.Company, Team: v.Team}
}

// resume returns what a (re)connecting client that has seen version from
// needs: an update with the documents changed since, or a snapshot.
// Called with lg.mu held.
func (lg *liveGame) resume(c *conn, from int64) *prepared {
	cur := lg.state.Version
	if from <= 0 || from > cur || len(lg.history) == 0 || lg.history[0].version > from+1 {
		return lg.snapshotFor(c)
	}
	keys := []string{}
	for _, h := range lg.history {
		if h.version <= from {
			continue
		}
		if slices.Contains(h.reseat, c.actor.PlayerID) {
			return lg.snapshotFor(c)
		}
		keys = append(keys, h.docs...)
		if slices.Contains(h.private, c.actor.PlayerID) {
			keys = append(keys, "me")
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	return lg.m.single(protocol.Out{Type: protocol.TypeUpdate, Version: cur, Now: time.Now().UnixMilli(),
		Docs: lg.docs(c.viewer(lg.state), keys)})
}

// joinGroup adds a connection to its audience. Called with lg.mu held.
func (lg *liveGame) joinGroup(c *conn) {
	v := c.viewer(lg.state)
	aud := v.Audience()
	g := lg.groups[aud]
	if g == nil {
		shared := v
		shared.PlayerID = ""
		g = &group{viewer: shared, conns: map[*conn]bool{}}
		lg.groups[aud] = g
	}
	g.conns[c] = true
	c.aud = aud
}

// leaveGroup removes a connection from its audience. Called with lg.mu
// held.
func (lg *liveGame) leaveGroup(c *conn) {
	if g := lg.groups[c.aud]; g != nil {
		delete(g.conns, c)
		if len(g.conns) == 0 {
			delete(lg.groups, c.aud)
		}
	}
}

// attach registers a connection with the game and returns what it needs
// to catch up. Called with lg.mu held.
func (lg *liveGame) attach(c *conn, from int64) *prepared {
	lg.joinGroup(c)
	if id := c.actor.PlayerID; id != "" {
		if lg.players[id] == nil {
			lg.players[id] = map[*conn]bool{}
		}
		lg.players[id][c] = true
		lg.dirty[id] = true
	}
	return lg.resume(c, from)
}

// detach unregisters a connection. Called with lg.mu held.
func (lg *liveGame) detach(c *conn) {
	lg.leaveGroup(c)
	if id := c.actor.PlayerID; id != "" {
		delete(lg.players[id], c)
		if len(lg.players[id]) == 0 {
			delete(lg.players, id)
		}
		lg.dirty[id] = true
	}
	if len(lg.groups) == 0 {
		lg.lastUsed = time.Now()
	}
}

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
				if p.err != nil && !game.IsCode(p.err, game.EConflict) && !game.IsCode(p.err, game.ENotFound) &&
					!game.IsCode(p.err, game.EUnavailable) && !lg.isClosed() {
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
		if game.IsCode(p.err, game.EUnavailable) {
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
			if err != nil && !game.IsCode(err, game.EConflict) && !game.IsCode(err, game.ENotFound) {
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
