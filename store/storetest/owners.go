package storetest

import (
	"testing"
	"time"

	"devopschallenge/store"
)

// The contract on store.Owners: one writer's lease per game (claimed,
// renewed by appends, taken over, released, expiring), and messages to an
// instance, ordered after the entries published before them.

// owners returns the store's Owners side; every implementation has one.
func owners(t *testing.T, s store.Store) store.Owners {
	t.Helper()
	o, ok := s.(store.Owners)
	if !ok {
		t.Fatalf("%T does not implement store.Owners", s)
	}
	return o
}

func wantOwner(t *testing.T, o store.Owners, gameID, claimer, takeFrom, want string, ttl time.Duration) time.Duration {
	t.Helper()
	got, left, err := o.Claim(ctxFor(t), gameID, claimer, ttl, takeFrom)
	must(t, err, "Claim")
	if got != want {
		t.Fatalf("Claim(%s by %s, take from %q) says owner %s, want %s", gameID, claimer, takeFrom, got, want)
	}
	if left <= 0 || left > ttl && got == claimer {
		t.Fatalf("Claim(%s by %s) leaves %v of a %v lease", gameID, claimer, left, ttl)
	}
	return left
}

func testOwnerLease(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	o := owners(t, s)
	ttl := time.Hour
	if !env.FakeClock {
		ttl = 2 * time.Second
	}
	create(t, s, "g1", "C1", 1)
	wantOwner(t, o, "g1", "a", "", "a", ttl)
	wantOwner(t, o, "g1", "b", "", "a", ttl)        // taken
	wantOwner(t, o, "g1", "b", "someone", "a", ttl) // not taken from a
	wantOwner(t, o, "other", "b", "", "b", ttl)     // one lease per game
	wantOwner(t, o, "g1", "a", "", "a", ttl)        // renewed by its holder
	wantOwner(t, o, "g1", "b", "a", "b", ttl)       // a is gone: b takes it
	must(t, o.Release(ctx, "g1", "a"), "Release by a non-holder")
	wantOwner(t, o, "g1", "c", "", "b", ttl)
	must(t, o.Release(ctx, "g1", "b"), "Release")
	wantOwner(t, o, "g1", "c", "", "c", ttl)
	if _, _, err := o.Claim(ctx, "g1", "", ttl, ""); err == nil {
		t.Fatal("Claim without an instance succeeded")
	}
	if _, _, err := o.Claim(ctx, "g1", "c", 0, ""); err == nil {
		t.Fatal("Claim with a zero TTL succeeded")
	}

	// Appends by the holder renew its lease; appends naming another
	// instance leave it alone.
	short := ttl / 4
	wantOwner(t, o, "g1", "c", "", "c", short)
	must(t, s.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{Owner: "c", OwnerTTL: ttl}), "Append by the holder")
	must(t, s.Append(ctx, "g1", 3, []byte("e3"), store.AppendOptions{Owner: "d", OwnerTTL: ttl}), "Append naming another")
	if left := wantOwner(t, o, "g1", "d", "", "c", ttl); left <= short {
		t.Fatalf("the holder's append left %v on its lease, want more than the %v it had", left, short)
	}
	if err := s.Append(ctx, "g1", 4, []byte("e4"), store.AppendOptions{Owner: "c"}); err == nil {
		t.Fatal("Append with an owner and no lease TTL succeeded")
	}

	// A lease nobody renews expires, and the next claimer gets it.
	env.Elapse(t, ttl+time.Second)
	eventually(t, "c's lease to expire", func() bool {
		got, _, err := o.Claim(ctx, "g1", "d", ttl, "")
		return err == nil && got == "d"
	})
	// An append by nobody's lease takes it again.
	must(t, o.Release(ctx, "g1", "d"), "Release")
	must(t, s.Append(ctx, "g1", 4, []byte("e4"), store.AppendOptions{Owner: "e", OwnerTTL: ttl}), "Append")
	wantOwner(t, o, "g1", "f", "", "e", ttl)
}

func testInstanceMessages(t *testing.T, env Env) {
	a, ctx := env.Store, ctxFor(t)
	b := env.Peer(t)
	type got struct {
		entry store.Entry
		msg   string
	}
	ch := make(chan got, 100)
	b.Watch(func(gameID string, e store.Entry) { ch <- got{entry: e} })
	must(t, owners(t, b).Listen(ctx, "B", func(msg []byte) { ch <- got{msg: string(msg)} }), "Listen")
	if err := owners(t, b).Listen(ctx, "B", func([]byte) {}); err == nil {
		t.Fatal("a second Listen succeeded")
	}
	create(t, a, "g1", "C1", 1)
	must(t, b.Subscribe(ctx, "g1"), "Subscribe")
	recv := func() got {
		t.Helper()
		select {
		case g := <-ch:
			return g
		case <-time.After(20 * time.Second):
			t.Fatal("timed out waiting for a message")
			return got{}
		}
	}

	// An entry appended before a message arrives before it.
	must(t, a.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{}), "Append")
	ok, err := owners(t, a).Send(ctx, "B", []byte("after e2"))
	must(t, err, "Send")
	if !ok {
		t.Fatal("Send to a listening instance says nobody listened")
	}
	if g := recv(); g.entry.Version != 2 {
		t.Fatalf("first received %+v, want entry 2", g)
	}
	if g := recv(); g.msg != "after e2" {
		t.Fatalf("then received %+v, want the message", g)
	}
	// Nobody listens for C.
	ok, err = owners(t, a).Send(ctx, "C", []byte("lost"))
	must(t, err, "Send to nobody")
	if ok {
		t.Fatal("Send to an instance nobody listens for says it was received")
	}
	select {
	case g := <-ch:
		t.Fatalf("B received %+v, meant for C", g)
	default:
	}
}
