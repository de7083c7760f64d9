package server

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"devopschallenge/apperr"
	"devopschallenge/game"
	"devopschallenge/internal/redistest"
	"devopschallenge/protocol"
	"devopschallenge/store"
)

// rig is a real redis-server shared by a test's instances, with a store
// on it to look at the leases.
type rig struct {
	url, prefix string
	st          *store.Redis
}

func newRig(t *testing.T) *rig {
	url, prefix := redistest.Start(t), redistest.Prefix(t)
	return &rig{url: url, prefix: prefix, st: redisStore(t, url, prefix)}
}

// store opens another store on the rig's Redis.
func (r *rig) store(t *testing.T) *store.Redis { return redisStore(t, r.url, r.prefix) }

// instance starts a server with the given instance name.
func (r *rig) instance(t *testing.T, name string) *instance {
	return startServer(t, r.store(t), func(c *Config) { c.Instance = name })
}

// owner returns who holds a game's lease, as the store says ("" for
// nobody). It claims the lease for a made-up instance, which gets it only
// when nobody holds it, and then gives it back.
func owner(t *testing.T, st *store.Redis, gameID string) string {
	t.Helper()
	o, _, err := st.Claim(ctxT(t), gameID, "?", 10*time.Second, "")
	if err != nil {
		t.Fatal(err)
	}
	if o == "?" {
		if err := st.Release(ctxT(t), gameID, "?"); err != nil {
			t.Fatal(err)
		}
		return ""
	}
	return o
}

// A player on the instance that does not own the game acts: the command
// goes to the owner, and the player has the update when the ack comes, as
// with a command stored by its own instance.
func TestForwardedCommandUpdateBeforeAck(t *testing.T) {
	r := newRig(t)
	st, a, b := r.st, r.instance(t, "A"), r.instance(t, "B")
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, false, a.url)
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	if got := owner(t, st, g.GameID); got != "A" {
		t.Fatalf("the game's owner is %q, want A (it stored the first command)", got)
	}
	bob, _ := joinAndConnect(t, b, g.Code, "bob", "")
	for i := 0; i < 5; i++ {
		ack, err := bob.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "from B", Target: "ops"})
		if err != nil {
			t.Fatal(err)
		}
		key := "note/" + result[game.NoteAddResult](t, ack.Result).NoteID
		var note game.NoteDoc
		if !bob.Doc(key, &note) || note.Text != "from B" {
			t.Fatalf("the ack of %s came before its update (session at version %d, ack %d)", key, bob.Version(), ack.Version)
		}
	}
	if n := testutil.ToFloat64(b.srv.rt.Metrics().Forwarded); n < 6 {
		t.Fatalf("B forwarded %v commands, want the join and the 5 notes", n)
	}
	if n := testutil.ToFloat64(a.srv.rt.Metrics().Conflicts) + testutil.ToFloat64(b.srv.rt.Metrics().Conflicts); n != 0 {
		t.Fatalf("%v store conflicts", n)
	}
}

// An owner that died without releasing its lease (nobody listens on its
// channel) is replaced by the first instance that has a command to store.
func TestDeadOwnerReplaced(t *testing.T) {
	r := newRig(t)
	st, a := r.st, r.instance(t, "A")
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: wallAgenda})
	if _, _, err := st.Claim(ctxT(t), g.GameID, "ghost", time.Hour, ""); err != nil {
		t.Fatal(err)
	}
	ana, _ := joinAndConnect(t, a, g.Code, "ana", "")
	fac := connect(t, g.FacilitatorToken, false, a.url)
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "hello", Target: "ops"}); err != nil {
		t.Fatal(err)
	}
	if got := owner(t, st, g.GameID); got != "A" {
		t.Fatalf("the game's owner is %q, want A (ghost is gone)", got)
	}
}

// An owner that hears commands but never answers (stalled) loses the game
// once its lease runs out; the command waiting meanwhile is stored then.
func TestStalledOwnerReplaced(t *testing.T) {
	r := newRig(t)
	st, a := r.st, r.instance(t, "A")
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, false, a.url)
	mute := r.store(t)
	mute.Watch(func(string, store.Entry) {})
	heard := make(chan struct{}, 10)
	if err := mute.Listen(context.Background(), "mute", func([]byte) { heard <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	// The lease runs out while A waits for its first answer (an instance
	// waits 3 s for an owner's answer before asking the store again).
	if _, _, err := st.Claim(ctxT(t), g.GameID, "mute", 1500*time.Millisecond, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	if len(heard) == 0 {
		t.Fatal("the stalled owner was never sent the command")
	}
	if got := owner(t, st, g.GameID); got != "A" {
		t.Fatalf("the game's owner is %q, want A", got)
	}
	waitDoc(t, fac, "game", func(d game.GameDoc) bool { return d.Status == "running" })
}

// An owner that shuts down gives its games up: the other instance stores
// the next commands itself.
func TestOwnerShutdownHandsOver(t *testing.T) {
	r := newRig(t)
	st, a, b := r.st, r.instance(t, "A"), r.instance(t, "B")
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, false, a.url)
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	bob, _ := joinAndConnect(t, b, g.Code, "bob", "")
	if _, err := bob.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "1", Target: "ops"}); err != nil {
		t.Fatal(err)
	}
	if got := owner(t, st, g.GameID); got != "A" {
		t.Fatalf("the game's owner is %q, want A", got)
	}
	a.stop(t)
	if got := owner(t, st, g.GameID); got != "" {
		t.Fatalf("after A stopped, the game's owner is %q, want nobody", got)
	}
	if _, err := bob.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "2", Target: "ops"}); err != nil {
		t.Fatal(err)
	}
	if got := owner(t, st, g.GameID); got != "B" {
		t.Fatalf("the game's owner is %q, want B", got)
	}
}

// The owner does not answer the commands it accepted from an instance that
// takes their entries as the answer: a command forwarded costs one message
// between instances, not two. Refused commands are still answered, with
// the refusal.
func TestForwardedCommandsAnsweredByTheirEntries(t *testing.T) {
	r := newRig(t)
	a, b := r.instance(t, "A"), r.instance(t, "B")
	g := newGame(t, a, protocol.CreateGameRequest{Agenda: wallAgenda})
	fac := connect(t, g.FacilitatorToken, false, a.url)
	if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
		t.Fatal(err)
	}
	bob, jb := joinAndConnect(t, b, g.Code, "bob", "")
	// Bob's presence (sent to A without an ID, so answered) is stored
	// before the count starts.
	waitDoc(t, fac, "player/"+jb.PlayerID, func(p game.PlayerDoc) bool { return p.Connected })
	// Another listener on B's channel sees what is sent to B.
	spy := r.store(t)
	spy.Watch(func(string, store.Entry) {})
	answers := make(chan string, 100)
	if err := spy.Listen(context.Background(), "B", func(m []byte) { answers <- string(m) }); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	versions := map[int64]bool{}
	for i := 0; i < 5; i++ {
		ack, err := bob.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "from B", Target: "ops"})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := ack.Result["noteId"].(string)
		var note game.NoteDoc
		if id == "" || seen[id] || !bob.Doc("note/"+id, &note) || note.Text != "from B" {
			t.Fatalf("ack %d: result %v, want a new note's ID with the note already there", i, ack.Result)
		}
		seen[id] = true
		versions[ack.Version] = true
	}
	_, err := bob.Do(ctxT(t), "note.add", game.NoteAddArgs{Text: "", Target: "ops"})
	if code := apperr.ErrorCode(err); code != apperr.EInvalid {
		t.Fatalf("an empty note: error %v, want invalid", err)
	}
	if n := testutil.ToFloat64(b.srv.rt.Metrics().Forwarded); n < 7 {
		t.Fatalf("B forwarded %v commands, want the join, 5 notes and the refused one", n)
	}
	// Pub/sub delivers in order: the notes' answers, had there been any,
	// came before the refusal's.
	// (The answers between instances: {"k":"ack","v":…,"err":…}.)
	type answer struct {
		V   int64         `json:"v"`
		Err *apperr.Error `json:"err"`
	}
	var got []answer
	for len(got) == 0 || got[len(got)-1].Err == nil {
		select {
		case m := <-answers:
			var msg answer
			if err := json.Unmarshal([]byte(m), &msg); err != nil {
				t.Fatal(err)
			}
			got = append(got, msg)
		case <-ctxT(t).Done():
			t.Fatalf("the refusal was never sent to B; got %+v", got)
		}
	}
	for _, msg := range got {
		if versions[msg.V] {
			t.Errorf("A answered the note stored at version %d: %+v", msg.V, msg)
		}
	}
}
