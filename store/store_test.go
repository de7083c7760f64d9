package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"devopschallenge/internal/redistest"
	"devopschallenge/store"
	"devopschallenge/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

// logBuffer collects a test's logs, shown only when the test fails.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testLogger returns a logger whose output is printed if the test fails.
func testLogger(t testing.TB) (*slog.Logger, *logBuffer) {
	lb := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("store logs:\n%s", lb.String())
		}
	})
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func closeOnCleanup(t testing.TB, s store.Store) {
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// openEmbedded opens an embedded store on dir with a fake clock.
func openEmbedded(t testing.TB, dir string, clock *fakeClock, logger *slog.Logger) *store.Redis {
	t.Helper()
	r, err := store.OpenEmbeddedAt(ctxFor(t), dir, "", "dc:", logger, clock.Now)
	if err != nil {
		t.Fatalf("OpenEmbeddedAt: %v", err)
	}
	return r
}

func embeddedEnv(t *testing.T) storetest.Env {
	logger, _ := testLogger(t)
	clock := newFakeClock()
	r := openEmbedded(t, t.TempDir(), clock, logger)
	closeOnCleanup(t, r)
	return storetest.Env{
		Store: r,
		Peer: func(t *testing.T) store.Store {
			p := store.New(redis.NewClient(&redis.Options{Addr: r.EmbeddedAddr()}), "dc:", logger)
			closeOnCleanup(t, p)
			return p
		},
		Elapse: func(t *testing.T, d time.Duration) {
			clock.Advance(d)
			r.Tick()
		},
		FakeClock: true,
		DropConnections: func(t *testing.T) {
			if err := r.RestartEmbedded(); err != nil {
				t.Fatalf("restart the embedded server: %v", err)
			}
		},
	}
}

func redisEnv(t *testing.T) storetest.Env {
	url, prefix := redistest.Start(t), redistest.Prefix(t)
	logger, _ := testLogger(t)
	open := func(t *testing.T) store.Store {
		r, err := store.Open(ctxFor(t), url, prefix, logger)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		closeOnCleanup(t, r)
		return r
	}
	return storetest.Env{
		Store:     open(t),
		Peer:      open,
		Elapse:    func(t *testing.T, d time.Duration) { time.Sleep(d) },
		FakeClock: false,
		DropConnections: func(t *testing.T) {
			opt, err := redis.ParseURL(url)
			if err != nil {
				t.Fatal(err)
			}
			c := redis.NewClient(opt)
			defer c.Close()
			ctx := ctxFor(t)
			for _, typ := range []string{"pubsub", "normal"} {
				if err := c.ClientKillByFilter(ctx, "TYPE", typ, "SKIPME", "yes").Err(); err != nil {
					t.Fatalf("CLIENT KILL TYPE %s: %v", typ, err)
				}
			}
		},
	}
}

func TestContractEmbedded(t *testing.T) { storetest.Run(t, embeddedEnv) }

func TestContractRedis(t *testing.T) {
	redistest.Start(t) // skip (or fail) once, not in every subtest
	storetest.Run(t, redisEnv)
}

func TestOpenErrors(t *testing.T) {
	ctx := ctxFor(t)
	if _, err := store.Open(ctx, "not a url", "", nil); err == nil {
		t.Error("Open of a malformed URL succeeded")
	}
	// Port 1 on loopback: nothing listens there.
	if _, err := store.Open(ctx, "redis://127.0.0.1:1", "", nil); err == nil {
		t.Error("Open of an unreachable Redis succeeded")
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:6379", "nonsense"} {
		if r, err := store.OpenEmbedded(ctx, t.TempDir(), addr, "", nil); err == nil {
			r.Close()
			t.Errorf("OpenEmbedded on %q succeeded, want a loopback-only error", addr)
		}
	}
	if _, err := store.OpenEmbedded(ctx, "", "", "", nil); err == nil {
		t.Error("OpenEmbedded without a data directory succeeded")
	}
}
