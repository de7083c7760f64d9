package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/internal/redistest"
	"devopschallenge/store"
)

// TestRedisRestartLosesNothing kills redis-server (SIGKILL) while writers
// append, restarts it from its append-only file, and checks that every
// acknowledged append is there, that the streams have no gap, and that the
// subscribers were told to resync.
func TestRedisRestartLosesNothing(t *testing.T) {
	srv := redistest.StartDedicated(t)
	logger, _ := testLogger(t)
	ctx := ctxFor(t)
	open := func() *store.Redis {
		r, err := store.Open(ctx, srv.URL(), "dc:", logger)
		mustT(t, err, "Open")
		closeOnCleanup(t, r)
		return r
	}
	w, watcher := open(), open()
	notices := make(chan string, 100)
	watcher.Watch(func(id string, e store.Entry) {
		if e.Version == 0 {
			notices <- id
		}
	})

	const games = 4
	for g := 0; g < games; g++ {
		id := fmt.Sprintf("g%d", g)
		mustT(t, w.CreateGame(ctx, id, "C"+id, []byte(id+"-1"), time.Hour), "CreateGame")
		mustT(t, watcher.Subscribe(ctx, id), "Subscribe")
	}

	ws := startWriters(ctx, w, games)
	ws.waitTotal(t, 200)
	before := make([]int64, games)
	for g := range before {
		before[g] = ws.acked[g].Load()
	}
	srv.Restart(t)
	ws.waitTotal(t, ws.total.Load()+200)
	ws.stopAndCheck(t)

	for g := 0; g < games; g++ {
		checkStream(ctx, t, w, fmt.Sprintf("g%d", g), ws.acked[g].Load(), before[g])
	}
	waitNotices(t, notices, games)
}

// writers append to games g0, g1… concurrently, each to its own game,
// retrying through a Redis outage, until stopped.
type writers struct {
	acked    []atomic.Int64 // last acknowledged version per game
	total    atomic.Int64
	progress chan struct{} // signalled (without blocking) at every acknowledged append
	stop     chan struct{}
	wg       sync.WaitGroup
	failures chan error
}

func startWriters(ctx context.Context, w *store.Redis, games int) *writers {
	ws := &writers{acked: make([]atomic.Int64, games), progress: make(chan struct{}, 1), stop: make(chan struct{}), failures: make(chan error, games)}
	for g := 0; g < games; g++ {
		ws.wg.Add(1)
		go func() {
			defer ws.wg.Done()
			ws.run(ctx, w, g)
		}()
	}
	return ws
}

// run appends entries 2, 3… to game g until stopped.
func (ws *writers) run(ctx context.Context, w *store.Redis, g int) {
	id := fmt.Sprintf("g%d", g)
	for v := int64(2); ; {
		select {
		case <-ws.stop:
			return
		default:
		}
		data := fmt.Appendf(nil, "%s-%d", id, v)
		err := w.Append(ctx, id, v, data, store.AppendOptions{TTL: time.Hour})
		switch {
		case err == nil:
			ws.acked[g].Store(v)
			ws.total.Add(1)
			select {
			case ws.progress <- struct{}{}:
			default:
			}
			v++
		case apperr.IsCode(err, apperr.EConflict):
			// An append whose reply was lost may have been applied:
			// the stream tells.
			es, err := w.Entries(ctx, id, v)
			switch {
			case err != nil: // Redis is down: try again
			case len(es) > 0 && string(es[0].Data) == string(data):
				v++
			default: // someone else's entry, or the stream went back
				ws.failures <- fmt.Errorf("%s: conflict at version %d, which holds %v", id, v, es)
				return
			}
		default:
			// Redis is down: try again.
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// waitTotal waits until n appends in all were acknowledged.
func (ws *writers) waitTotal(t *testing.T, n int64) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for ws.total.Load() < n {
		select {
		case <-ws.progress:
		case <-timeout:
			t.Fatalf("only %d appends acknowledged, waiting for %d", ws.total.Load(), n)
		}
	}
}

// stopAndCheck stops the writers and fails the test if one saw a conflict
// it could not explain.
func (ws *writers) stopAndCheck(t *testing.T) {
	t.Helper()
	close(ws.stop)
	ws.wg.Wait()
	close(ws.failures)
	for err := range ws.failures {
		t.Fatal(err)
	}
}

// checkStream checks that game id holds every acknowledged entry (acked
// is the last), "<id>-1", "<id>-2"… without a gap, at least one appended
// after the restart (before is the last acknowledged before it), and
// that its join code still leads to it.
func checkStream(ctx context.Context, t *testing.T, w *store.Redis, id string, acked, before int64) {
	t.Helper()
	es, err := w.Entries(ctx, id, 1)
	mustT(t, err, "Entries")
	if int64(len(es)) < acked {
		t.Fatalf("%s: %d entries, but %d were acknowledged", id, len(es), acked)
	}
	if int64(len(es)) <= before {
		t.Fatalf("%s: no append after the restart", id)
	}
	for i, e := range es {
		if want := fmt.Sprintf("%s-%d", id, i+1); e.Version != int64(i+1) || string(e.Data) != want {
			t.Fatalf("%s entry %d = {%d %q}, want {%d %q}", id, i, e.Version, e.Data, i+1, want)
		}
	}
	wantCodeOf(t, w, "C"+id, id)
}

// waitNotices waits for a resync notice for each of the games g0, g1….
func waitNotices(t *testing.T, notices <-chan string, games int) {
	t.Helper()
	seen := map[string]bool{}
	timeout := time.After(20 * time.Second)
	for len(seen) < games {
		select {
		case id := <-notices:
			seen[id] = true
		case <-timeout:
			t.Fatalf("resync notices received for %v only", seen)
		}
	}
}

// TestRedisSubscribeWhileDown checks that Subscribe waits for Redis to be
// back (or for its context), then works.
func TestRedisSubscribeWhileDown(t *testing.T) {
	srv := redistest.StartDedicated(t)
	logger, _ := testLogger(t)
	ctx := ctxFor(t)
	r, err := store.Open(ctx, srv.URL(), "dc:", logger)
	mustT(t, err, "Open")
	closeOnCleanup(t, r)
	got := make(chan store.Entry, 10)
	r.Watch(func(_ string, e store.Entry) { got <- e })
	mustT(t, r.CreateGame(ctx, "g1", "C1", []byte("e1"), 0), "CreateGame")

	srv.Stop()
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err = r.Subscribe(short, "g1")
	cancel()
	if err == nil {
		t.Fatal("Subscribe with Redis down succeeded")
	}
	srv.Restart(t)
	mustT(t, r.Subscribe(ctx, "g1"), "Subscribe once Redis is back")
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := r.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{})
		if err == nil || apperr.IsCode(err, apperr.EConflict) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Append after the restart: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		select {
		case e := <-got:
			if e.Version == 0 {
				continue
			}
			if e.Version != 2 || string(e.Data) != "e2" {
				t.Fatalf("received %+v, want {2 e2}", e)
			}
			return
		case <-time.After(20 * time.Second):
			t.Fatal("entry 2 not received")
		}
	}
}
