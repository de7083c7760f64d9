package live

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/game/rules"
	"devopschallenge/protocol"
	"devopschallenge/scenarios"
	"devopschallenge/store"
)

// The runtime through its API, on the embedded store: commands, readers,
// subscribers, a store that fails, unloading.

var (
	engOnce sync.Once
	eng     *game.Engine
	engErr  error
)

func testEngine(t *testing.T) *game.Engine {
	t.Helper()
	engOnce.Do(func() {
		var scns map[string]*rules.Scenario
		if scns, engErr = rules.LoadAll(scenarios.FS); engErr == nil {
			eng, engErr = game.NewEngine(scns, "ecommerce-platform")
		}
	})
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

// flaky is the embedded store, failing its appends and loads on demand.
type flaky struct {
	*store.Redis
	down atomic.Bool
}

var errDown = errors.New("store down (test)")

func (f *flaky) Append(ctx context.Context, id string, v int64, data []byte, o store.AppendOptions) error {
	if f.down.Load() {
		return errDown
	}
	return f.Redis.Append(ctx, id, v, data, o)
}

func (f *flaky) AppendBatch(ctx context.Context, id string, first int64, data [][]byte, snapV int64, o store.AppendOptions) error {
	if f.down.Load() {
		return errDown
	}
	return f.Redis.AppendBatch(ctx, id, first, data, snapV, o)
}

func (f *flaky) Load(ctx context.Context, id string) (int64, []byte, []store.Entry, error) {
	if f.down.Load() {
		return 0, nil, nil, errDown
	}
	return f.Redis.Load(ctx, id)
}

// rig is a runtime on an embedded store, with one game created.
type rig struct {
	t  *testing.T
	st *flaky
	rt *Runtime
	id string
}

func newRig(t *testing.T, opt Options) *rig {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	emb, err := store.OpenEmbedded(context.Background(), t.TempDir(), "127.0.0.1:0", "t:", log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emb.Close() })
	st := &flaky{Redis: emb}
	opt.Instance = "t"
	rt, err := New(testEngine(t), st, log, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	r := &rig{t: t, st: st, rt: rt, id: "g1"}
	hash := strings.Repeat("0f", 32)
	args := game.CreateArgs{ID: r.id, Seed: 1, FacilitatorTokenHash: hash, ProjectorTokenHash: hash,
		Settings: game.Settings{Title: "t"}}
	if _, err := rt.Create(context.Background(), args, func() string { return "ABCDEF" }); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) open() *Game {
	r.t.Helper()
	g, err := r.rt.Open(context.Background(), r.id)
	if err != nil {
		r.t.Fatal(err)
	}
	return g
}

var fac = game.Actor{Role: game.RoleFacilitator}

func (r *rig) submit(g *Game, a game.Actor, id, typ string, args any) (Ack, error) {
	raw, _ := json.Marshal(args)
	return g.Submit(context.Background(), game.Command{ID: id, Type: typ, Actor: a, At: time.Now().UnixMilli(), Args: raw})
}

func (r *rig) version(g *Game) int64 {
	r.t.Helper()
	var v int64
	if err := g.Read(func(s *game.State) { v = s.Version }); err != nil {
		r.t.Fatal(err)
	}
	return v
}

// sink is a subscriber that keeps what it is sent.
type sink struct {
	mu      sync.Mutex
	got     []protocol.Out
	revoked bool
}

func (s *sink) Send(m *Message) {
	var out protocol.Out
	if err := json.Unmarshal(m.Data, &out); err != nil {
		panic(err)
	}
	s.mu.Lock()
	s.got = append(s.got, out)
	s.mu.Unlock()
}

func (s *sink) Revoke() {
	s.mu.Lock()
	s.revoked = true
	s.mu.Unlock()
}

func (s *sink) messages() []protocol.Out {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]protocol.Out(nil), s.got...)
}

func as(a game.Actor) func(*game.State) (game.Actor, error) {
	return func(*game.State) (game.Actor, error) { return a, nil }
}

// waitFor polls cond (the runtime's goroutines work on their own) until it
// holds, failing after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A subscriber gets a snapshot, then each change before its sender's ack;
// a command sent again gets the same ack and changes nothing.
func TestSubmitFansOutBeforeAck(t *testing.T) {
	r := newRig(t, Options{})
	g := r.open()
	s := &sink{}
	if _, err := g.Attach(context.Background(), s, 0, as(fac)); err != nil {
		t.Fatal(err)
	}
	if got := s.messages(); len(got) != 1 || got[0].Type != protocol.TypeSnapshot || got[0].Version != 1 {
		t.Fatalf("attached: got %+v, want a snapshot at version 1", got)
	}
	ack, err := r.submit(g, fac, "c1", "game.start", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := s.messages()
	if last := got[len(got)-1]; ack.Version != 2 || last.Type != protocol.TypeUpdate || last.Version != 2 {
		t.Fatalf("ack %+v; the subscriber holds %+v, want the update at version 2 before the ack", ack, got)
	}
	again, err := r.submit(g, fac, "c1", "game.start", nil)
	if err != nil || again.Version != ack.Version || r.version(g) != 2 {
		t.Fatalf("sent again: %+v, %v, version %d; want the first ack and no change", again, err, r.version(g))
	}
	// A refused command changes nothing and sends nothing.
	n := len(s.messages())
	if _, err := r.submit(g, fac, "c2", "game.start", nil); !apperr.IsCode(err, apperr.EConflict) && !apperr.IsCode(err, apperr.EInvalid) {
		t.Fatalf("starting twice: %v, want a refusal", err)
	}
	if len(s.messages()) != n || r.version(g) != 2 {
		t.Fatal("a refused command was fanned out")
	}
	g.Detach(s)
	if _, err := r.submit(g, fac, "c3", "timer.pause", nil); err != nil {
		t.Fatal(err)
	}
	if len(s.messages()) != n {
		t.Fatal("a detached subscriber was sent an update")
	}
}

// A client that comes back gets what it missed as one update; a client
// ahead of the state (or new) gets a snapshot.
func TestAttachResumes(t *testing.T) {
	r := newRig(t, Options{})
	g := r.open()
	if _, err := r.submit(g, fac, "c1", "game.start", nil); err != nil {
		t.Fatal(err)
	}
	for i, from := range []int64{1, 99} {
		s := &sink{}
		if _, err := g.Attach(context.Background(), s, from, as(fac)); err != nil {
			t.Fatal(err)
		}
		want := []string{protocol.TypeUpdate, protocol.TypeSnapshot}[i]
		if got := s.messages(); len(got) != 1 || got[0].Type != want || got[0].Version != 2 {
			t.Errorf("attached from version %d: got %+v, want a %s at version 2", from, got, want)
		}
		g.Detach(s)
	}
	// The identification runs against the state, and can refuse.
	_, err := g.Attach(context.Background(), &sink{}, 0, func(*game.State) (game.Actor, error) {
		return game.Actor{}, apperr.Errorf(apperr.EUnauthorized, "no", "non")
	})
	if !apperr.IsCode(err, apperr.EUnauthorized) {
		t.Fatalf("a refused identification: %v", err)
	}
}

// While the store fails, a command is refused as unavailable, nobody sees
// it, and readers are refused too; once the store answers again, the game
// reloads by itself and goes on from the stored version.
func TestStoreFailureShowsNothing(t *testing.T) {
	r := newRig(t, Options{})
	g := r.open()
	s := &sink{}
	if _, err := g.Attach(context.Background(), s, 0, as(fac)); err != nil {
		t.Fatal(err)
	}
	n := len(s.messages())
	r.st.down.Store(true)
	if _, err := r.submit(g, fac, "c1", "game.start", nil); !apperr.IsCode(err, apperr.EUnavailable) {
		t.Fatalf("a command while the store fails: %v, want unavailable", err)
	}
	if err := g.Read(func(*game.State) {}); !apperr.IsCode(err, apperr.EUnavailable) {
		t.Fatalf("a read while the state may hold what the store did not keep: %v, want unavailable", err)
	}
	if _, err := r.submit(g, fac, "c2", "game.start", nil); !apperr.IsCode(err, apperr.EUnavailable) {
		t.Fatalf("the next command: %v, want unavailable at once", err)
	}
	if len(s.messages()) != n {
		t.Fatalf("a subscriber was sent %+v for commands the store did not keep", s.messages()[n:])
	}
	r.st.down.Store(false)
	waitFor(t, "the game to reload", func() bool { return g.Read(func(*game.State) {}) == nil })
	if v := r.version(g); v != 1 {
		t.Fatalf("reloaded at version %d, want the stored 1", v)
	}
	ack, err := r.submit(g, fac, "c1", "game.start", nil)
	if err != nil || ack.Version != 2 {
		t.Fatalf("the command sent again: %+v, %v", ack, err)
	}
	if got := s.messages(); len(got) != n+1 || got[n].Version != 2 {
		t.Fatalf("after the store came back the subscriber got %+v", got[n:])
	}
}

// A game nobody uses is unloaded, and loaded again from the store when
// opened.
func TestIdleGameUnloaded(t *testing.T) {
	r := newRig(t, Options{UnloadAfter: time.Millisecond})
	g := r.open()
	s := &sink{}
	if _, err := g.Attach(context.Background(), s, 0, as(fac)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.submit(g, fac, "c1", "game.start", nil); err != nil {
		t.Fatal(err)
	}
	held := func() bool {
		r.rt.mu.Lock()
		defer r.rt.mu.Unlock()
		return r.rt.games[r.id] != nil
	}
	// The janitor's rounds, run here.
	since := time.Now()
	waitFor(t, "the unload delay to pass", func() bool { return time.Since(since) > 2*time.Millisecond })
	r.rt.sweep()
	if !held() {
		t.Fatal("a game with a subscriber was unloaded")
	}
	g.Detach(s)
	waitFor(t, "the idle game to be unloaded", func() bool { r.rt.sweep(); return !held() })
	if _, err := g.Attach(context.Background(), &sink{}, 0, as(fac)); err == nil {
		t.Fatal("attached to an unloaded game")
	}
	if v := r.version(r.open()); v != 2 {
		t.Fatalf("loaded again at version %d, want 2", v)
	}
}
