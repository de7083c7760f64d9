package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// embedded is the in-process miniredis server of the zero-config mode and
// the journal that makes it durable.
//
// miniredis only lowers TTLs when told to, so a goroutine fast-forwards its
// clock by the wall time elapsed, every tick, and then deletes the journals
// of the games that expired.
type embedded struct {
	r    *Redis
	m    *miniredis.Miniredis
	dir  string   // <dataDir>/games
	lock *os.File // <dataDir>/store.lock, held while open

	mu       sync.Mutex
	journals map[string]*journal // by game ID
	closed   bool

	tickMu   sync.Mutex
	lastTick time.Time

	stopc    chan struct{}
	stopOnce sync.Once
	done     sync.WaitGroup
}

// tickInterval is how often the embedded server's TTLs are advanced; TTLs
// are thus exact to about a second.
const tickInterval = time.Second

// OpenEmbedded starts the embedded Redis-compatible server (miniredis) on
// addr ("" means "127.0.0.1:0", a free port; only loopback addresses are
// accepted), connects to it over TCP like to a real Redis, restores the
// games journaled under dataDir and returns the store.
//
// Each game has an append-only journal, <dataDir>/games/<gameID>.log,
// written and fsynced by CreateGame and Append after Redis accepted the
// entry and before they return, so an acknowledged entry survives a
// restart. Journals of expired games are deleted, at open and while
// running. Snapshots are not journaled: after a restart a game loads from
// version 1. One process at a time may use dataDir (it is locked).
//
// Should a journal write fail (disk full…), Append returns an error although
// Redis holds the entry (and published it); the game's journal is then
// rewritten whole from Redis at the next append.
func OpenEmbedded(ctx context.Context, dataDir, addr, prefix string, logger *slog.Logger) (*Redis, error) {
	return openEmbedded(ctx, dataDir, addr, prefix, logger, time.Now, tickInterval)
}

// openEmbedded is OpenEmbedded with a clock and a tick interval (0: no
// background ticks; tests call tick themselves).
func openEmbedded(ctx context.Context, dataDir, addr, prefix string, logger *slog.Logger,
	now func() time.Time, tick time.Duration) (*Redis, error) {
	if dataDir == "" {
		return nil, errors.New("store: the embedded store needs a data directory")
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	dir := filepath.Join(dataDir, "games")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create the data directory: %w", err)
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		return nil, err
	}
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(addr); err != nil {
		unlockDir(lock)
		return nil, fmt.Errorf("store: start the embedded Redis on %s: %w", addr, err)
	}
	client := redis.NewClient(&redis.Options{Addr: m.Addr(), ContextTimeoutEnabled: true})
	r := New(client, prefix, logger)
	r.now = now
	e := &embedded{
		r:        r,
		m:        m,
		dir:      dir,
		lock:     lock,
		journals: make(map[string]*journal),
		lastTick: now(),
		stopc:    make(chan struct{}),
	}
	r.emb = e
	if err := e.restore(ctx); err != nil {
		_ = r.Close()
		return nil, err
	}
	if tick > 0 {
		e.done.Add(1)
		go e.tickLoop(tick)
	}
	r.log.Info("store: embedded Redis started", "addr", m.Addr(), "games", len(e.journals), "dir", dir)
	return r, nil
}

// checkLoopback accepts host:port addresses whose host is a loopback IP or
// "localhost": the embedded server has no password.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("store: invalid embedded Redis address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("store: the embedded Redis may only listen on a loopback address, not %q", addr)
}

func (e *embedded) tickLoop(every time.Duration) {
	defer e.done.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-e.stopc:
			return
		case <-t.C:
			e.tick()
		}
	}
}

// tick advances the embedded server's TTLs to the store's clock, then
// deletes the journals of the games that expired.
func (e *embedded) tick() {
	now := e.r.now()
	e.tickMu.Lock()
	if d := now.Sub(e.lastTick); d > 0 {
		e.m.FastForward(d)
		e.lastTick = now
	}
	e.tickMu.Unlock()

	e.mu.Lock()
	js := make([]*journal, 0, len(e.journals))
	for _, j := range e.journals {
		js = append(js, j)
	}
	e.mu.Unlock()
	for _, j := range js {
		j.mu.Lock()
		// The key check guards against a deadline slightly off Redis's TTL.
		if !j.gone && j.deadline > 0 && j.deadline <= now.UnixMilli() && !e.m.Exists(e.r.logKey(j.id)) {
			e.r.log.Info("store: game expired; deleting its journal", "game", j.id)
			e.removeLocked(j)
		}
		j.mu.Unlock()
	}
}

// stop stops the tick goroutine.
func (e *embedded) stop() {
	e.stopOnce.Do(func() { close(e.stopc) })
	e.done.Wait()
}

// close closes the journals, stops the server and unlocks the data
// directory.
func (e *embedded) close() {
	e.mu.Lock()
	e.closed = true
	js := e.journals
	e.journals = map[string]*journal{}
	e.mu.Unlock()
	for _, j := range js {
		j.mu.Lock()
		if j.f != nil {
			_ = j.f.Close()
			j.f = nil
		}
		j.gone = true
		j.mu.Unlock()
	}
	e.m.Close()
	unlockDir(e.lock)
}
