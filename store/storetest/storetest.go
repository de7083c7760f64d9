// Package storetest is the contract suite of store.Store: every
// implementation (the embedded store, a real Redis) runs the same tests.
//
// The tests wait for conditions with deadlines, never for fixed delays,
// and assert no speed.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/store"
)

// Env is one backend under test, opened afresh for each test (each test
// sees an empty store).
type Env struct {
	// Store is the store under test.
	Store store.Store
	// Peer opens another Store on the same data, as another server
	// instance would; it is closed when the test ends.
	Peer func(t *testing.T) store.Store
	// Elapse lets d pass for the backend's TTLs: it moves a fake clock
	// (FakeClock) or sleeps.
	Elapse func(t *testing.T, d time.Duration)
	// FakeClock tells that Elapse is exact and instantaneous: the TTL tests
	// then use hour-long TTLs and also check what must still be alive.
	// Otherwise they use second-long TTLs and only check expiry.
	FakeClock bool
	// DropConnections, when not nil, makes the server close the clients'
	// connections (pub/sub included), to test reconnection.
	DropConnections func(t *testing.T)
}

// Run runs the contract suite, calling newEnv once per test.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	tests := []struct {
		name string
		f    func(t *testing.T, env Env)
	}{
		{"CreateAndLookup", testCreateAndLookup},
		{"CreateConflicts", testCreateConflicts},
		{"AppendInOrder", testAppendInOrder},
		{"AppendWrongVersion", testAppendWrongVersion},
		{"Replays", testReplays},
		{"MissingGame", testMissingGame},
		{"Snapshots", testSnapshots},
		{"DataRoundTrip", testDataRoundTrip},
		{"PubSubAcrossInstances", testPubSubAcrossInstances},
		{"SubscribeBeforeWatch", testSubscribeBeforeWatch},
		{"ResubscribeNotice", testResubscribeNotice},
		{"ConcurrentAppenders", testConcurrentAppenders},
		{"TTL", testTTL},
		{"TTLShortened", testTTLShortened},
		{"Heartbeat", testHeartbeat},
		{"OwnerLease", testOwnerLease},
		{"InstanceMessages", testInstanceMessages},
		{"PingAndClose", testPingAndClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, newEnv(t)) })
	}
}

// Helpers.

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// wantCode fails unless err is a *apperr.Error with the given code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if !apperr.IsCode(err, code) {
		t.Fatalf("%s: got error %v, want a %q game error", what, err, code)
	}
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eventually polls cond until it holds, failing after 20 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func data(format string, args ...any) []byte { return fmt.Appendf(nil, format, args...) }

// wantEntries fails unless es are the versions from..from+len(datas)-1 with
// the given data.
func wantEntries(t *testing.T, es []store.Entry, from int64, datas ...string) {
	t.Helper()
	if len(es) != len(datas) {
		t.Fatalf("got %d entries %v, want %d", len(es), es, len(datas))
	}
	for i, e := range es {
		if e.Version != from+int64(i) || string(e.Data) != datas[i] {
			t.Fatalf("entry %d = {%d %q}, want {%d %q}", i, e.Version, e.Data, from+int64(i), datas[i])
		}
	}
}

// create makes a game with n entries, "e1"…"en".
func create(t *testing.T, s store.Store, id, code string, n int) {
	t.Helper()
	ctx := ctxFor(t)
	must(t, s.CreateGame(ctx, id, code, []byte("e1"), 0), "CreateGame")
	for v := 2; v <= n; v++ {
		must(t, s.Append(ctx, id, int64(v), data("e%d", v), store.AppendOptions{}), "Append")
	}
}

func names(from, to int) []string {
	var ss []string
	for v := from; v <= to; v++ {
		ss = append(ss, fmt.Sprintf("e%d", v))
	}
	return ss
}

// Tests.

func testCreateAndLookup(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	must(t, s.CreateGame(ctx, "g1", "ABCD", []byte(`{"first":true}`), 0), "CreateGame")
	id, err := s.LookupCode(ctx, "ABCD")
	must(t, err, "LookupCode")
	if id != "g1" {
		t.Fatalf("LookupCode = %q, want g1", id)
	}
	_, err = s.LookupCode(ctx, "abcd")
	wantCode(t, err, apperr.ENotFound, "LookupCode with another case")
	sv, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 0 || snap != nil {
		t.Fatalf("Load snapshot = (%d, %q), want (0, nil)", sv, snap)
	}
	wantEntries(t, es, 1, `{"first":true}`)
	for _, from := range []int64{-1, 0, 1} {
		es, err = s.Entries(ctx, "g1", from)
		must(t, err, "Entries")
		wantEntries(t, es, 1, `{"first":true}`)
	}
}

func testCreateConflicts(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	create(t, s, "g1", "ABCD", 1)

	wantCode(t, s.CreateGame(ctx, "g2", "ABCD", []byte("other"), time.Hour), apperr.EConflict, "CreateGame with a taken code")
	_, _, _, err := s.Load(ctx, "g2")
	wantCode(t, err, apperr.ENotFound, "Load of the refused game")
	es, err := s.Entries(ctx, "g2", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1)

	wantCode(t, s.CreateGame(ctx, "g1", "WXYZ", []byte("again"), 0), apperr.EConflict, "CreateGame of an existing game")
	_, err = s.LookupCode(ctx, "WXYZ")
	wantCode(t, err, apperr.ENotFound, "LookupCode of the code of a refused game")
	id, err := s.LookupCode(ctx, "ABCD")
	must(t, err, "LookupCode")
	if id != "g1" {
		t.Fatalf("LookupCode = %q, want g1", id)
	}
	_, _, es, err = s.Load(ctx, "g1")
	must(t, err, "Load")
	wantEntries(t, es, 1, "e1")
}

func testAppendInOrder(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	create(t, s, "g1", "C1", 20)
	es, err := s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, names(1, 20)...)
	es, err = s.Entries(ctx, "g1", 7)
	must(t, err, "Entries from 7")
	wantEntries(t, es, 7, names(7, 20)...)
	es, err = s.Entries(ctx, "g1", 20)
	must(t, err, "Entries from 20")
	wantEntries(t, es, 20, "e20")
	es, err = s.Entries(ctx, "g1", 21)
	must(t, err, "Entries from 21")
	wantEntries(t, es, 21)
	sv, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 0 || snap != nil {
		t.Fatalf("Load snapshot = (%d, %q), want none", sv, snap)
	}
	wantEntries(t, es, 1, names(1, 20)...)
}

func testAppendWrongVersion(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	create(t, s, "g1", "C1", 1)
	for _, v := range []int64{-1, 0, 1, 3, 10} {
		err := s.Append(ctx, "g1", v, []byte("bad"), store.AppendOptions{Snapshot: []byte("bad"), TTL: time.Hour})
		wantCode(t, err, apperr.EConflict, fmt.Sprintf("Append of version %d to a game at version 1", v))
	}
	must(t, s.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{Snapshot: []byte("s2")}), "Append v2")
	err := s.Append(ctx, "g1", 2, []byte("bad"), store.AppendOptions{Snapshot: []byte("bad")})
	wantCode(t, err, apperr.EConflict, "second Append of version 2")
	sv, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 2 || string(snap) != "s2" {
		t.Fatalf("Load snapshot = (%d, %q), want (2, s2)", sv, snap)
	}
	wantEntries(t, es, 3)
	es, err = s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, "e1", "e2")
}

// testReplays checks the idempotency that makes go-redis's retries safe: a
// call repeated with the same data succeeds without writing twice.
func testReplays(t *testing.T, env Env) {
	a, ctx := env.Store, ctxFor(t)
	b := env.Peer(t)
	got := watch(b)
	must(t, b.Subscribe(ctx, "g1"), "Subscribe")

	must(t, a.CreateGame(ctx, "g1", "C1", []byte("e1"), time.Hour), "CreateGame")
	must(t, a.CreateGame(ctx, "g1", "C1", []byte("e1"), time.Hour), "replayed CreateGame")
	wantCode(t, a.CreateGame(ctx, "g1", "C1", []byte("other"), 0), apperr.EConflict, "CreateGame with another first entry")
	wantCode(t, a.CreateGame(ctx, "g1", "C2", []byte("e1"), 0), apperr.EConflict, "CreateGame with another code")
	wantReceived(t, got, "g1", 1, "e1")

	must(t, a.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{Snapshot: []byte("s2")}), "Append")
	must(t, a.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{Snapshot: []byte("other"), TTL: time.Hour}), "replayed Append")
	must(t, b.Append(ctx, "g1", 2, []byte("e2"), store.AppendOptions{}), "replayed Append from another instance")
	wantCode(t, a.Append(ctx, "g1", 2, []byte("e2 "), store.AppendOptions{}), apperr.EConflict, "Append of other data")
	must(t, a.Append(ctx, "g1", 3, []byte("e3"), store.AppendOptions{}), "Append")
	// Published once: entry 3 comes right after entry 2.
	wantReceived(t, got, "g1", 2, "e2")
	wantReceived(t, got, "g1", 3, "e3")

	sv, snap, es, err := a.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 2 || string(snap) != "s2" {
		t.Fatalf("Load snapshot = (%d, %q), want (2, s2): a replay must not write", sv, snap)
	}
	wantEntries(t, es, 3, "e3")
	es, err = a.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, "e1", "e2", "e3")
}

func testMissingGame(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	for _, id := range []string{"nope", "", "a/b", "x}y", "{x}", ".hidden", string(bytes.Repeat([]byte("a"), 129))} {
		for _, v := range []int64{1, 2} {
			wantCode(t, s.Append(ctx, id, v, []byte("x"), store.AppendOptions{TTL: time.Hour}), apperr.ENotFound,
				fmt.Sprintf("Append to missing game %q", id))
		}
		_, _, _, err := s.Load(ctx, id)
		wantCode(t, err, apperr.ENotFound, fmt.Sprintf("Load of missing game %q", id))
		es, err := s.Entries(ctx, id, 1)
		must(t, err, "Entries of a missing game")
		wantEntries(t, es, 1)
	}
	_, err := s.LookupCode(ctx, "NOPE")
	wantCode(t, err, apperr.ENotFound, "LookupCode of an unknown code")
	_, err = s.LookupCode(ctx, "")
	wantCode(t, err, apperr.ENotFound, "LookupCode of an empty code")
	if err := s.CreateGame(ctx, "bad/id", "C", []byte("x"), 0); err == nil || apperr.ErrorCode(err) != apperr.EInternal {
		t.Fatalf("CreateGame with an invalid ID: got %v, want an internal error", err)
	}
}

func testSnapshots(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	create(t, s, "g1", "C1", 2)
	must(t, s.Append(ctx, "g1", 3, []byte("e3"), store.AppendOptions{Snapshot: []byte("s3")}), "Append v3")
	must(t, s.Append(ctx, "g1", 4, []byte("e4"), store.AppendOptions{}), "Append v4")
	must(t, s.Append(ctx, "g1", 5, []byte("e5"), store.AppendOptions{}), "Append v5")
	sv, snap, es, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 3 || string(snap) != "s3" {
		t.Fatalf("Load snapshot = (%d, %q), want (3, s3)", sv, snap)
	}
	wantEntries(t, es, 4, "e4", "e5")

	big := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
	must(t, s.Append(ctx, "g1", 6, []byte("e6"), store.AppendOptions{Snapshot: big}), "Append v6")
	sv, snap, es, err = s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != 6 || !bytes.Equal(snap, big) {
		t.Fatalf("Load snapshot = (%d, %d bytes), want (6, %d bytes)", sv, len(snap), len(big))
	}
	wantEntries(t, es, 7)
	es, err = s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, names(1, 6)...)
}

func testDataRoundTrip(t *testing.T, env Env) {
	s, ctx := env.Store, ctxFor(t)
	var all []byte
	for b := 0; b < 256; b++ {
		if b != '\n' {
			all = append(all, byte(b))
		}
	}
	datas := []string{"", " ", "  two  spaces ", string(all), "é✓ 😀", `{"a":"b c","n":[1,2]}`, "\r\x00\xff"}
	must(t, s.CreateGame(ctx, "g1", "code with spaces ✓", []byte(datas[0]), 0), "CreateGame")
	for i, d := range datas[1:] {
		must(t, s.Append(ctx, "g1", int64(i+2), []byte(d), store.AppendOptions{Snapshot: []byte(d)}), "Append")
	}
	es, err := s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, datas...)
	sv, snap, _, err := s.Load(ctx, "g1")
	must(t, err, "Load")
	if sv != int64(len(datas)) || string(snap) != datas[len(datas)-1] {
		t.Fatalf("Load snapshot = (%d, %q)", sv, snap)
	}
	id, err := s.LookupCode(ctx, "code with spaces ✓")
	must(t, err, "LookupCode")
	if id != "g1" {
		t.Fatalf("LookupCode = %q", id)
	}

	// A newline is refused, as an internal error, and nothing is written.
	err = s.Append(ctx, "g1", int64(len(datas)+1), []byte("a\nb"), store.AppendOptions{})
	if err == nil || apperr.ErrorCode(err) != apperr.EInternal {
		t.Fatalf("Append of data with a newline: got %v, want an internal error", err)
	}
	err = s.CreateGame(ctx, "g2", "C2", []byte("a\nb"), 0)
	if err == nil || apperr.ErrorCode(err) != apperr.EInternal {
		t.Fatalf("CreateGame with a newline: got %v, want an internal error", err)
	}
	es, err = s.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	wantEntries(t, es, 1, datas...)
	_, _, _, err = s.Load(ctx, "g2")
	wantCode(t, err, apperr.ENotFound, "Load of a refused game")
	_, err = s.LookupCode(ctx, "C2")
	wantCode(t, err, apperr.ENotFound, "LookupCode of a refused game's code")
}

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

func testConcurrentAppenders(t *testing.T, env Env) {
	a, ctx := env.Store, ctxFor(t)
	b := env.Peer(t)
	create(t, a, "g1", "C1", 1)
	const writers = 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload := fmt.Appendf(nil, "writer %d", w)
			v := int64(2)
			for {
				err := s.Append(ctx, "g1", v, payload, store.AppendOptions{TTL: time.Hour})
				if err == nil {
					return
				}
				if !apperr.IsCode(err, apperr.EConflict) {
					errs <- err
					return
				}
				// Catch up from the stream and try at the next version.
				es, err := s.Entries(ctx, "g1", v)
				if err != nil {
					errs <- err
					return
				}
				v += int64(len(es))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("appender: %v", err)
	}
	es, err := a.Entries(ctx, "g1", 1)
	must(t, err, "Entries")
	if len(es) != writers+1 {
		t.Fatalf("got %d entries, want %d", len(es), writers+1)
	}
	seen := map[string]bool{}
	for i, e := range es {
		if e.Version != int64(i+1) {
			t.Fatalf("entry %d has version %d", i, e.Version)
		}
		if i > 0 {
			if seen[string(e.Data)] {
				t.Fatalf("payload %q stored twice", e.Data)
			}
			seen[string(e.Data)] = true
		}
	}
	for w := 0; w < writers; w++ {
		if !seen[fmt.Sprintf("writer %d", w)] {
			t.Fatalf("payload of writer %d missing", w)
		}
	}
}

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

// owners returns the store's Owners side; every implementation has one.
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
