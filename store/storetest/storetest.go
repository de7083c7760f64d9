// Package storetest is the contract suite of store.Store: every
// implementation (the embedded store, a real Redis) runs the same tests.
//
// The tests wait for conditions with deadlines, never for fixed delays,
// and assert no speed.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/store"
)

// The suite's entry point and the helpers its tests share. The tests are
// grouped by area: a game's log (entries.go), subscriptions (pubsub.go),
// expiry (ttl.go), writer leases and instance messages (owners.go).

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

// ctxFor returns a context that ends with the test, or after a minute.
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
