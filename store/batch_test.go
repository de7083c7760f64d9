package store_test

import (
	"fmt"
	"testing"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/internal/redistest"
	"devopschallenge/store"
	"devopschallenge/store/storetest"
)

// AppendBatch appends several entries in one round trip, all or none,
// publishes each, is idempotent like Append, and the embedded journal
// keeps every entry of a batch.
func TestAppendBatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  func(t *testing.T) storetest.Env
	}{{"embedded", embeddedEnv}, {"redis", redisEnv}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "redis" {
				redistest.Start(t)
			}
			env := tc.env(t)
			r := env.Store.(*store.Redis)
			ctx := ctxFor(t)
			peer := env.Peer(t)
			got := make(chan store.Entry, 64)
			peer.Watch(func(_ string, e store.Entry) {
				if e.Version > 0 {
					got <- e
				}
			})
			if err := peer.Subscribe(ctx, "g1"); err != nil {
				t.Fatal(err)
			}
			if err := r.CreateGame(ctx, "g1", "BATCH1", []byte("e1"), time.Hour); err != nil {
				t.Fatal(err)
			}
			batch := [][]byte{[]byte("e2"), []byte("e3"), []byte("e4")}
			opts := store.AppendOptions{TTL: time.Hour, Snapshot: []byte("snap3")}
			if err := r.AppendBatch(ctx, "g1", 2, batch, 3, opts); err != nil {
				t.Fatalf("AppendBatch: %v", err)
			}
			// A replay of the same batch (a reply lost, the call retried)
			// succeeds and writes nothing.
			if err := r.AppendBatch(ctx, "g1", 2, batch, 3, opts); err != nil {
				t.Fatalf("replayed AppendBatch: %v", err)
			}
			// Behind or ahead of the stream: a conflict, nothing written.
			for _, first := range []int64{4, 6} {
				err := r.AppendBatch(ctx, "g1", first, [][]byte{[]byte("x"), []byte("y")}, 0, store.AppendOptions{})
				if !apperr.IsCode(err, apperr.EConflict) {
					t.Fatalf("AppendBatch at %d: %v, want a conflict", first, err)
				}
			}
			if err := r.AppendBatch(ctx, "nope", 2, batch, 0, store.AppendOptions{}); !apperr.IsCode(err, apperr.ENotFound) {
				t.Fatalf("AppendBatch to a missing game: %v", err)
			}
			if err := r.Append(ctx, "g1", 5, []byte("e5"), store.AppendOptions{}); err != nil {
				t.Fatalf("Append after a batch: %v", err)
			}
			es, err := r.Entries(ctx, "g1", 1)
			if err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprint(entriesString(es)); s != "[1:e1 2:e2 3:e3 4:e4 5:e5]" {
				t.Fatalf("entries %s", s)
			}
			snapV, snap, after, err := r.Load(ctx, "g1")
			if err != nil {
				t.Fatal(err)
			}
			if snapV != 3 || string(snap) != "snap3" || fmt.Sprint(entriesString(after)) != "[4:e4 5:e5]" {
				t.Fatalf("Load: snapshot %d %q, entries %v", snapV, snap, entriesString(after))
			}
			// Each entry was published once, in order.
			for v := int64(1); v <= 5; v++ {
				select {
				case e := <-got:
					if e.Version != v || string(e.Data) != fmt.Sprintf("e%d", v) {
						t.Fatalf("published %d %q, want %d", e.Version, e.Data, v)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("entry %d was not published", v)
				}
			}
			select {
			case e := <-got:
				t.Fatalf("published again: %d %q", e.Version, e.Data)
			case <-time.After(200 * time.Millisecond):
			}
		})
	}
}

// The embedded journal holds every entry of a batch across a restart.
func TestAppendBatchJournal(t *testing.T) {
	logger, _ := testLogger(t)
	clock := newFakeClock()
	dir := t.TempDir()
	r := openEmbedded(t, dir, clock, logger)
	ctx := ctxFor(t)
	if err := r.CreateGame(ctx, "g1", "BATCH2", []byte("e1"), time.Hour); err != nil {
		t.Fatal(err)
	}
	for first := int64(2); first < 12; first += 3 {
		var batch [][]byte
		for v := first; v < first+3; v++ {
			batch = append(batch, fmt.Appendf(nil, "e%d", v))
		}
		if err := r.AppendBatch(ctx, "g1", first, batch, 0, store.AppendOptions{TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r = openEmbedded(t, dir, clock, logger)
	closeOnCleanup(t, r)
	_, _, es, err := r.Load(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 13 || es[12].Version != 13 || string(es[12].Data) != "e13" {
		t.Fatalf("after a restart: %v", entriesString(es))
	}
}

func entriesString(es []store.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%d:%s", e.Version, e.Data))
	}
	return out
}
