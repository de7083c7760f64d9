package storetest

import (
	"testing"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/store"
)

// The contract on expiry: games and their codes expire after their TTL
// (refreshed by appends, shortened by a shorter one), and so do instance
// heartbeats.

func testTTL(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	ttl := time.Hour
	if !env.FakeClock {
		ttl = 2 * time.Second
	}
	must(t, s.CreateGame(ctx, "g1", "C1", []byte("e1"), ttl), "CreateGame")
	must(t, s.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{Snapshot: []byte("s2"), TTL: ttl}), "Append")
	create(t, s, "forever", "C2", 2) // no TTL

	gone := func(what string, f func() error) {
		t.Helper()
		eventually(t, what, func() bool { return apperr.IsCode(f(), apperr.ENotFound) })
	}
	loadErr := func() error { _, _, _, err := s.Load(ctx, "g1"); return err }
	codeErr := func() error { _, err := s.LookupCode(ctx, "C1"); return err }

	if env.FakeClock {
		// Every append pushes the expiry back, for the code too.
		env.Elapse(t, ttl*6/10)
		must(t, s.Append(ctx, "g1", 3, []byte("e3"), store.AppendOptions{TTL: ttl}), "Append")
		env.Elapse(t, ttl*6/10)
		must(t, loadErr(), "Load of a game whose TTL was refreshed")
		must(t, codeErr(), "LookupCode of a game whose TTL was refreshed")
		// The code outlives the game (1.5×TTL) so that a live game never
		// loses it.
		env.Elapse(t, ttl/2)
		gone("the game to expire", loadErr)
		must(t, codeErr(), "LookupCode just after the game expired")
		env.Elapse(t, ttl/2)
		gone("the code to expire", codeErr)
	} else {
		env.Elapse(t, ttl)
		gone("the game to expire", loadErr)
		gone("the code to expire", codeErr)
	}
	es, err := s.Entries(ctx, "g1", 1)
	must(t, err, "Entries of an expired game")
	wantEntries(t, es, 1)
	wantCode(t, s.Append(ctx, "g1", 4, []byte("e4"), store.AppendOptions{}), apperr.ENotFound, "Append to an expired game")

	_, _, es, err = s.Load(ctx, "forever")
	must(t, err, "Load of a game without TTL")
	wantEntries(t, es, 1, "e1", "e2")

	// The ID and the code can be used again.
	must(t, s.CreateGame(ctx, "g1", "C1", []byte("new"), 0), "CreateGame after expiry")
	_, _, es, err = s.Load(ctx, "g1")
	must(t, err, "Load")
	wantEntries(t, es, 1, "new")
}

// An append with a shorter TTL than the keys have left (a game that just
// finished) shortens it, snapshot included; appends with the same TTL
// soon after one another leave it (give or take 1 %).
func testTTLShortened(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	long, short := 10*time.Hour, time.Hour
	if !env.FakeClock {
		short = 2 * time.Second
	}
	must(t, s.CreateGame(ctx, "g1", "C1", []byte("e1"), long), "CreateGame")
	must(t, s.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{TTL: long}), "Append")
	must(t, s.Append(ctx, "g1", 3, []byte("e3"), store.AppendOptions{Snapshot: []byte("s3"), TTL: short}), "Append that shortens")
	must(t, s.Append(ctx, "g1", 4, []byte("e4"), store.AppendOptions{TTL: short}), "Append")
	if env.FakeClock {
		env.Elapse(t, short*98/100)
		v, snap, es, err := s.Load(ctx, "g1")
		must(t, err, "Load just before the shorter TTL ends")
		if v != 3 || string(snap) != "s3" {
			t.Fatalf("Load gives snapshot %q at %d, want s3 at 3", snap, v)
		}
		wantEntries(t, es, 4, "e4")
		env.Elapse(t, short*3/100)
	} else {
		env.Elapse(t, short)
	}
	eventually(t, "the game to expire after the shorter TTL", func() bool {
		_, _, _, err := s.Load(ctx, "g1")
		return apperr.IsCode(err, apperr.ENotFound)
	})
	// Nothing of it is left: a new game with the same ID starts afresh
	// (no stale snapshot).
	must(t, s.CreateGame(ctx, "g1", "C9", []byte("new"), 0), "CreateGame after expiry")
	v, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if v != 0 || snap != nil {
		t.Fatalf("the new game loads with snapshot %q at %d, want none", snap, v)
	}
	wantEntries(t, es, 1, "new")
}

func testHeartbeat(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	ttl := time.Hour
	if !env.FakeClock {
		ttl = time.Second
	}
	alive, err := s.Alive(ctx, nil)
	must(t, err, "Alive of none")
	if alive == nil || len(alive) != 0 {
		t.Fatalf("Alive(nil) = %v, want an empty map", alive)
	}
	must(t, s.Heartbeat(ctx, "i1", ttl), "Heartbeat")
	must(t, s.Heartbeat(ctx, "i3", 100*ttl), "Heartbeat")
	alive, err = s.Alive(ctx, []string{"i1", "i2", "i3"})
	must(t, err, "Alive")
	if len(alive) != 3 || !alive["i1"] || alive["i2"] || !alive["i3"] {
		t.Fatalf("Alive = %v, want i1 and i3 alive, i2 not", alive)
	}
	if err := s.Heartbeat(ctx, "i1", 0); err == nil {
		t.Fatal("Heartbeat with a zero TTL succeeded")
	}
	env.Elapse(t, ttl)
	eventually(t, "i1's heartbeat to expire", func() bool {
		alive, err := s.Alive(ctx, []string{"i1", "i3"})
		return err == nil && !alive["i1"] && alive["i3"]
	})
}
