package storetest

import (
	"testing"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/store"
)

// The contract on subscriptions: entries published to the instances that
// subscribed, once and in order, the resync notice after a lost
// connection, and no handler call after Close.

type received struct {
	game string
	e    store.Entry
}

// watch installs a handler on s that forwards what it receives.
func watch(s store.Store) chan received {
	ch := make(chan received, 1000)
	s.Watch(func(gameID string, e store.Entry) { ch <- received{gameID, e} })
	return ch
}

// next returns the next received entry, failing after 20 seconds.
func next(t *testing.T, ch chan received) received {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("timed out waiting for a published entry")
		return received{}
	}
}

func wantReceived(t *testing.T, ch chan received, gameID string, version int64, d string) {
	t.Helper()
	r := next(t, ch)
	if r.game != gameID || r.e.Version != version || string(r.e.Data) != d {
		t.Fatalf("received (%s, {%d %q}), want (%s, {%d %q})", r.game, r.e.Version, r.e.Data, gameID, version, d)
	}
}

func testPubSubAcrossInstances(t *testing.T, env Env) {
	a, ctx := env.Store, ctxFor(t)
	b := env.Peer(t)
	got := watch(b)
	create(t, a, "g1", "C1", 1)
	create(t, a, "g2", "C2", 1)

	must(t, b.Subscribe(ctx, "g1"), "Subscribe")
	must(t, b.Subscribe(ctx, "g1"), "second Subscribe")
	must(t, a.Append(ctx, "g1", 2, []byte("x2"), store.AppendOptions{Snapshot: []byte("snap")}), "Append")
	wantReceived(t, got, "g1", 2, "x2")

	// Delivered once although subscribed twice: Redis delivers in publish
	// order, so g2's entry right after proves there was no second g1 copy.
	must(t, a.Append(ctx, "g1", 3, []byte("x3"), store.AppendOptions{}), "Append")
	must(t, b.Subscribe(ctx, "g2"), "Subscribe g2")
	must(t, a.Append(ctx, "g2", 2, []byte("y2"), store.AppendOptions{}), "Append g2")
	wantReceived(t, got, "g1", 3, "x3")
	wantReceived(t, got, "g2", 2, "y2")

	// After Unsubscribe, g1's entries no longer arrive (same ordering proof).
	must(t, b.Unsubscribe(ctx, "g1"), "Unsubscribe")
	must(t, b.Unsubscribe(ctx, "g1"), "second Unsubscribe")
	must(t, a.Append(ctx, "g1", 4, []byte("x4"), store.AppendOptions{}), "Append")
	must(t, a.Append(ctx, "g2", 3, []byte("y3"), store.AppendOptions{}), "Append g2")
	wantReceived(t, got, "g2", 3, "y3")

	// Subscribing again works, and entries of a refused append are not
	// published.
	must(t, b.Subscribe(ctx, "g1"), "Subscribe again")
	wantCode(t, a.Append(ctx, "g1", 4, []byte("dup"), store.AppendOptions{}), apperr.EConflict, "Append of a taken version")
	must(t, a.Append(ctx, "g1", 5, []byte("x5"), store.AppendOptions{}), "Append")
	wantReceived(t, got, "g1", 5, "x5")

	// A game created after Subscribe publishes its first entry too.
	must(t, b.Subscribe(ctx, "g3"), "Subscribe to a game to come")
	must(t, a.CreateGame(ctx, "g3", "C3", []byte("z1"), 0), "CreateGame")
	wantReceived(t, got, "g3", 1, "z1")
}

func testSubscribeBeforeWatch(t *testing.T, env Env) {
	p, ctx := env.Peer(t), ctxFor(t)
	if err := p.Subscribe(ctx, "g1"); err == nil {
		t.Fatal("Subscribe before Watch succeeded, want an error")
	}
}

func testResubscribeNotice(t *testing.T, env Env) {
	if env.DropConnections == nil {
		t.Skip("the backend cannot drop connections")
	}
	a, ctx := env.Store, ctxFor(t)
	b := env.Peer(t)
	got := watch(b)
	create(t, a, "g1", "C1", 1)
	create(t, a, "g2", "C2", 1)
	must(t, b.Subscribe(ctx, "g1"), "Subscribe")
	must(t, b.Subscribe(ctx, "g2"), "Subscribe")
	must(t, a.Append(ctx, "g1", 2, []byte("x2"), store.AppendOptions{}), "Append")
	wantReceived(t, got, "g1", 2, "x2")

	env.DropConnections(t)
	notified := map[string]bool{}
	for len(notified) < 2 {
		r := next(t, got)
		if r.e.Version != 0 || r.e.Data != nil {
			t.Fatalf("after a reconnect received (%s, %+v), want a Version 0 notice", r.game, r.e)
		}
		notified[r.game] = true
	}

	// The subscription works again. The writer's own connections were
	// dropped too: retry until the append is in.
	eventually(t, "an append after the reconnect", func() bool {
		err := a.Append(ctx, "g1", 3, []byte("x3"), store.AppendOptions{})
		return err == nil || apperr.IsCode(err, apperr.EConflict)
	})
	for {
		r := next(t, got)
		if r.e.Version == 0 {
			continue // a second reconnect notice is allowed
		}
		if r.game != "g1" || r.e.Version != 3 || string(r.e.Data) != "x3" {
			t.Fatalf("received (%s, %+v), want (g1, {3 x3})", r.game, r.e)
		}
		break
	}
}

func testPingAndClose(t *testing.T, env Env) {
	ctx := ctxFor(t)
	must(t, env.Store.Ping(ctx), "Ping")
	p := env.Peer(t)
	create(t, env.Store, "g1", "C1", 1)
	got := watch(p)
	must(t, p.Subscribe(ctx, "g1"), "Subscribe")
	must(t, p.Ping(ctx), "Ping of the peer")
	must(t, p.Close(), "Close")
	must(t, p.Close(), "second Close")
	if err := p.Ping(ctx); err == nil {
		t.Fatal("Ping after Close succeeded")
	}
	// The handler is not called after Close.
	must(t, env.Store.Append(ctx, "g1", 2, []byte("x"), store.AppendOptions{}), "Append")
	must(t, env.Store.Ping(ctx), "Ping")
	select {
	case r := <-got:
		t.Fatalf("handler called after Close with (%s, %+v)", r.game, r.e)
	default:
	}
}
