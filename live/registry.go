package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/store"
)

// The registry: the games this instance holds, loaded at first use and
// unloaded once no local subscriber has used them for a while; game
// creation; the janitor (heartbeat, dead instances' presence, unloading).

// Options tune a Runtime.
type Options struct {
	// Instance identifies this server process in presence records and
	// leases.
	Instance string
	// SnapshotEvery: a snapshot is saved once at least this many entries
	// follow the last one and they weigh at least as many bytes as it
	// (see snapshotDue).
	SnapshotEvery int64
	// IdleTTL is how long a game's keys live after its last entry;
	// FinishedTTL replaces it once the game is over.
	IdleTTL, FinishedTTL time.Duration
	// UnloadAfter: a game without local subscribers for this long is
	// dropped from memory.
	UnloadAfter time.Duration
	// Janitor is the period of heartbeats, stale presence sweeps and
	// unloading.
	Janitor time.Duration
	// NoForward turns off the single writer per game (owners.go): every
	// instance then appends its own clients' commands and the store's
	// version check sorts out collisions. For tests of that path.
	NoForward bool
}

func (o *Options) defaults() {
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

// Runtime holds the games this instance's clients are in.
type Runtime struct {
	eng *game.Engine
	st  store.Store
	opt Options
	log *slog.Logger
	met *Metrics
	// shared: other instances may use the store (not the embedded one).
	shared bool
	// router, when not nil, routes each game's commands to one writer
	// (owners.go); nil for the embedded store and with NoForward.
	router *router

	mu     sync.Mutex
	games  map[string]*Game  // guarded by mu
	codes  map[string]string // join code -> game ID cache, guarded by mu
	closed bool              // guarded by mu
	// ctx ends when Close begins: the work of timers, presence and other
	// instances' commands stops then.
	ctx    context.Context
	cancel context.CancelFunc
	// wg counts the goroutines Close waits for: the janitor, each game's,
	// and those started by spawn.
	wg sync.WaitGroup
}

// New returns a runtime; call Close to stop it. Its metrics are
// registered with reg (when not nil). It fails when it cannot listen to
// the other instances on a shared store.
func New(eng *game.Engine, st store.Store, log *slog.Logger, reg prometheus.Registerer, opt Options) (*Runtime, error) {
	opt.defaults()
	r := &Runtime{eng: eng, st: st, log: log, met: newMetrics(reg), opt: opt,
		games: map[string]*Game{}, codes: map[string]string{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if e, ok := st.(interface{ EmbeddedAddr() string }); !ok || e.EmbeddedAddr() == "" {
		r.shared = true
	}
	st.Watch(r.onPublished)
	if err := r.listen(); err != nil {
		r.cancel()
		return nil, fmt.Errorf("listen to the other instances: %w", err)
	}
	r.wg.Add(1)
	go r.janitor()
	return r, nil
}

// Metrics returns the runtime's metrics.
func (r *Runtime) Metrics() *Metrics { return r.met }

// Open returns a game, loading it from the store if this instance does
// not hold it yet. Its state is the stored one: while the store cannot
// confirm that, Open fails with an unavailable error.
func (r *Runtime) Open(ctx context.Context, id string) (*Game, error) {
	for {
		g, err := r.lookup(ctx, id)
		if err != nil {
			return nil, err
		}
		g.mu.Lock()
		closed := g.closed
		if !closed {
			err = g.sync()
		}
		g.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if !closed {
			return g, nil
		}
		// Unloaded between the lookup and now: load it again.
	}
}

// lookup returns the game held for id, loading it first if needed.
func (r *Runtime) lookup(ctx context.Context, id string) (*Game, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errClosing()
	}
	g, ok := r.games[id]
	if !ok {
		g = newGame(r, id)
		r.games[id] = g
	}
	r.mu.Unlock()
	if !ok {
		r.load(ctx, g)
	}
	select {
	case <-g.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if g.err != nil {
		return nil, g.err
	}
	return g, nil
}

// load reads a new game from the store and starts its goroutine, or
// forgets it when it cannot be read.
func (r *Runtime) load(ctx context.Context, g *Game) {
	defer close(g.ready)
	lctx, cancel := context.WithTimeout(ctx, storeTimeout)
	g.err = g.load(lctx)
	cancel()
	if g.err != nil {
		r.mu.Lock()
		delete(r.games, g.id)
		r.mu.Unlock()
		if !apperr.IsCode(g.err, apperr.ENotFound) {
			r.met.StoreErrors.Inc()
		}
		_ = r.st.Unsubscribe(context.Background(), g.id)
		return
	}
	r.met.Games.Inc()
	r.wg.Add(1)
	go g.run()
}

// LookupCode returns the ID of the game a join code (exactly as stored)
// belongs to.
func (r *Runtime) LookupCode(ctx context.Context, code string) (string, error) {
	r.mu.Lock()
	id, ok := r.codes[code]
	r.mu.Unlock()
	if ok {
		return id, nil
	}
	lctx, cancel := context.WithTimeout(ctx, storeTimeout)
	id, err := r.st.LookupCode(lctx, code)
	cancel()
	if err != nil {
		return "", storeFault(err)
	}
	r.mu.Lock()
	if len(r.codes) > 100_000 {
		clear(r.codes)
	}
	r.codes[code] = id
	r.mu.Unlock()
	return id, nil
}

// Create stores a new game: its game.create command, checked on a blank
// state first, as the first entry of its log. The join code comes from
// newCode, asked again (up to ten times) while the code it gave is taken.
// It returns the code the game got.
func (r *Runtime) Create(ctx context.Context, args game.CreateArgs, newCode func() string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		args.Code = newCode()
		raw, err := json.Marshal(args)
		if err != nil {
			return "", err
		}
		cmd := game.Command{Type: "game.create", Actor: game.Actor{Role: game.RoleSystem}, At: time.Now().UnixMilli(), Args: raw}
		if _, err := r.eng.Apply(&game.State{}, cmd); err != nil {
			return "", err
		}
		data, err := json.Marshal(cmd)
		if err != nil {
			return "", err
		}
		err = storeFault(r.st.CreateGame(ctx, args.ID, args.Code, data, r.opt.IdleTTL))
		if err == nil {
			r.met.command(cmd.Type, nil, time.Time{})
			return args.Code, nil
		}
		if !apperr.IsCode(err, apperr.EConflict) || attempt >= 10 {
			return "", err
		}
	}
}

// Close stops the janitor and every game's goroutine and timer, gives up
// the leases this instance holds, and waits for the commands in flight
// for timers and other instances.
func (r *Runtime) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	games := r.games
	r.games = map[string]*Game{}
	r.mu.Unlock()
	r.cancel()
	// The leases are given up (within a bound), so that the other
	// instances take the games over at once.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for _, g := range games {
		<-g.ready
		if g.err == nil {
			g.close()
			r.release(ctx, g)
		}
	}
	r.wg.Wait()
}

// spawn runs f on a goroutine of its own, which Close waits for unless it
// started after Close began (f then finds r.ctx done).
func (r *Runtime) spawn(f func()) {
	r.mu.Lock()
	closed := r.closed
	if !closed {
		r.wg.Add(1)
	}
	r.mu.Unlock()
	go func() {
		if !closed {
			defer r.wg.Done()
		}
		f()
	}()
}

// janitor beats this instance's heart, clears the presence of dead
// instances, and unloads idle games.
func (r *Runtime) janitor() {
	defer r.wg.Done()
	t := time.NewTicker(r.opt.Janitor)
	defer t.Stop()
	r.beat()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
			r.beat()
			r.sweep()
		}
	}
}

func (r *Runtime) beat() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.st.Heartbeat(ctx, r.opt.Instance, 3*r.opt.Janitor); err != nil {
		r.met.StoreErrors.Inc()
		r.log.Warn("heartbeat failed", "err", err)
	}
}

// sweep clears presence left by instances that stopped without saying so,
// and unloads games nobody here has used for a while.
func (r *Runtime) sweep() {
	r.mu.Lock()
	games := make([]*Game, 0, len(r.games))
	for _, g := range r.games {
		games = append(games, g)
	}
	r.mu.Unlock()
	for _, g := range games {
		select {
		case <-g.ready:
		default:
			continue
		}
		if g.err != nil {
			continue
		}
		others, idle := g.upkeep()
		if len(others) > 0 {
			g.clearDead(others)
		}
		if idle {
			r.unload(g)
		}
	}
}

// unload drops an idle game from memory.
func (r *Runtime) unload(g *Game) {
	r.mu.Lock()
	if r.games[g.id] != g || !g.closeIfIdle() {
		r.mu.Unlock()
		return
	}
	delete(r.games, g.id)
	r.mu.Unlock()
	r.met.Games.Dec()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.release(ctx, g)
	_ = r.st.Unsubscribe(ctx, g.id)
}
