package game

import (
	"encoding/json"
	"reflect"
	"testing"
)

// viewTracker plays a client: it starts from a snapshot and applies the
// documents each change touched, as the server sends them.
type viewTracker struct {
	v    Viewer
	docs map[string]json.RawMessage
}

func enc(t testing.TB, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func track(t testing.TB, e *Engine, s *State, a Actor) *viewTracker {
	vt := &viewTracker{v: s.ViewerOf(a), docs: map[string]json.RawMessage{}}
	for k, d := range e.Snapshot(s, vt.v) {
		vt.docs[k] = enc(t, d)
	}
	return vt
}

func (vt *viewTracker) apply(t testing.TB, e *Engine, s *State, ch *Change) {
	keys := ch.Docs
	if vt.v.Role == RolePlayer {
		for _, id := range ch.Private {
			if id == vt.v.PlayerID {
				keys = append(keys, "me")
			}
		}
	}
	for _, k := range keys {
		if d, ok := e.Doc(s, vt.v, k); ok {
			vt.docs[k] = enc(t, d)
		} else {
			delete(vt.docs, k)
		}
	}
}

func (vt *viewTracker) check(t testing.TB, e *Engine, s *State, step string) {
	t.Helper()
	want := map[string]json.RawMessage{}
	for k, d := range e.Snapshot(s, vt.v) {
		want[k] = enc(t, d)
	}
	if len(want) != len(vt.docs) {
		t.Fatalf("after %s, viewer %+v holds %d documents, snapshot has %d", step, vt.v, len(vt.docs), len(want))
	}
	for k, w := range want {
		if string(vt.docs[k]) != string(w) {
			t.Fatalf("after %s, viewer %+v: document %s is\n%s\nbut the snapshot says\n%s", step, vt.v, k, vt.docs[k], w)
		}
	}
}

// scriptStep is one command of a scripted game.
type scriptStep struct {
	a    Actor
	typ  string
	args any
}

// checkUpdatesMatchSnapshots runs a script and checks, after every step,
// that each viewer's documents kept up to date with the touched keys are
// exactly what a fresh snapshot would give. Reseated viewers start over
// from a snapshot, as the server does.
func checkUpdatesMatchSnapshots(t *testing.T, g *tgame, actors []Actor, steps []scriptStep) {
	t.Helper()
	trackers := map[Actor]*viewTracker{}
	for _, a := range actors {
		trackers[a] = track(t, g.e, g.s, a)
	}
	for i, st := range steps {
		ch := g.must(st.a, st.typ, st.args)
		for a, vt := range trackers {
			reseat := false
			for _, id := range ch.Reseat {
				reseat = reseat || id == a.PlayerID
			}
			if reseat {
				if p := g.s.Players[a.PlayerID]; p.Kicked {
					delete(trackers, a)
					continue
				}
				trackers[a] = track(t, g.e, g.s, a)
				continue
			}
			vt.apply(t, g.e, g.s, ch)
			vt.check(t, g.e, g.s, st.typ+" (step "+itoa(i)+")")
		}
	}
}

func itoa(i int) string { return string(enc(nil, i)) }

func TestLobbyUpdatesMatchSnapshots(t *testing.T) {
	g := newTestGame(t, Settings{Companies: 2}, nil)
	ana := g.join("ana", TeamDev)
	bob := g.join("bob", TeamOps)
	checkUpdatesMatchSnapshots(t, g, []Actor{fac, proj, player(ana), player(bob)}, []scriptStep{
		{sys, "player.join", map[string]string{"nickname": "cid", "tokenHash": hashOf("cid")}},
		{sys, "presence.set", map[string]any{"playerId": ana, "instance": "i1", "conns": 1}},
		{fac, "player.rename", map[string]any{"playerId": ana, "nickname": "Anna"}},
		{player(bob), "player.team", map[string]string{"team": TeamQA}},
		{fac, "player.move", map[string]any{"playerId": ana, "company": 2}},
		{fac, "player.kick", map[string]any{"playerId": bob}},
		{fac, "game.start", nil},
		{fac, "timer.pause", nil},
	})
}

func TestAudienceInvariant(t *testing.T) {
	// Two players of the same team see the same documents but "me".
	g := newTestGame(t, Settings{}, nil)
	a := g.join("ana", TeamDev)
	b := g.join("bob", TeamDev)
	sa := g.e.Snapshot(g.s, g.s.ViewerOf(player(a)))
	sb := g.e.Snapshot(g.s, g.s.ViewerOf(player(b)))
	delete(sa, "me")
	delete(sb, "me")
	if !reflect.DeepEqual(enc(t, sa), enc(t, sb)) {
		t.Fatal("players of one audience see different documents")
	}
}
