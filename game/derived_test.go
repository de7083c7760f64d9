package game

import (
	"encoding/json"
	"fmt"
	"testing"
)

// The counts a state keeps for speed (each player's notes, the questions
// each player upvotes) are derived, not saved: a state restored from a
// snapshot, which has none, must show every player the same "me" as the
// state that took the commands, and keep counting right from there.
func TestDerivedIndexesMatchARestoredState(t *testing.T) {
	var g *tgame
	var ids []string
	compare := func(step string) {
		t.Helper()
		b, err := MarshalState(g.s)
		if err != nil {
			t.Fatal(err)
		}
		restored, err := Restore(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			v := g.s.ViewerOf(player(id))
			live, _ := g.e.Doc(g.s, v, "me")
			again, _ := g.e.Doc(restored, restored.ViewerOf(player(id)), "me")
			if a, b := string(enc(t, live)), string(enc(t, again)); a != b {
				t.Fatalf("after %s, %s's me differs:\nlive     %s\nrestored %s", step, id, a, b)
			}
		}
	}
	setup := func(gg *tgame, pids []string) { g, ids = gg, pids }
	check := func(step string, _ *Change) {
		if g != nil {
			compare(step)
		}
	}
	g = playWholeGame(t, setup, check)

	// Restored mid-wall, the note limit still counts the notes already there.
	g = newTestGame(t, Settings{Companies: 1, Assignment: "auto"}, nil)
	a := g.join("ana", "")
	ids = []string{a}
	g.must(fac, "game.start", nil)
	for i := 0; i < MaxNotesPerPlayer-1; i++ {
		g.must(player(a), "note.add", map[string]string{"text": fmt.Sprint("note ", i), "target": "ops"})
	}
	b, err := json.Marshal(g.s)
	if err != nil {
		t.Fatal(err)
	}
	if g.s, err = Restore(b); err != nil {
		t.Fatal(err)
	}
	g.must(player(a), "note.add", map[string]string{"text": "the last one", "target": "ops"})
	compare("the last note")
	g.fails(EConflict, player(a), "note.add", map[string]string{"text": "one too many", "target": "ops"})
}
