package game

import (
	"bytes"
	"testing"
)

// A clone is what a snapshot and a Restore give, at every step of a whole
// game, and shares nothing mutable with the original: the copy takes
// commands (its derived indexes rebuild as a restored state's do) and
// changes without touching the original.
func TestCloneState(t *testing.T) {
	var g *tgame
	steps := 0
	check := func(step string, _ *Change) {
		t.Helper()
		steps++
		orig := g.s
		want, err := MarshalState(orig)
		if err != nil {
			t.Fatal(err)
		}
		c := CloneState(orig)
		got, err := MarshalState(c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("after %s the clone differs from the original:\n%s\n%s", step, got, want)
		}
		// The copy and a restored state take the same next command alike.
		restored, err := Restore(want)
		if err != nil {
			t.Fatal(err)
		}
		id := orig.PlayerOrder[0]
		next := g.cmd(player(id), "note.add", map[string]string{"text": "only in the copy", "target": "ops"})
		_, errC := g.e.Apply(c, next)
		_, errR := g.e.Apply(restored, next)
		if (errC == nil) != (errR == nil) {
			t.Fatalf("after %s a note on the clone gives %v, on a restored state %v", step, errC, errR)
		}
		afterC, _ := MarshalState(c)
		afterR, _ := MarshalState(restored)
		if !bytes.Equal(afterC, afterR) {
			t.Fatalf("after %s the clone and a restored state took a note differently", step)
		}
		c.Players[id].Nickname = "changed"
		for _, n := range c.Wall.Notes {
			n.Text = "changed"
		}
		if p, ok := c.PlayerByToken(orig.Players[id].TokenHash); !ok || p.ID != id {
			t.Fatalf("after %s the clone cannot find a player by token", step)
		}
		if after, _ := MarshalState(orig); !bytes.Equal(after, want) {
			t.Fatalf("after %s changing the clone changed the original", step)
		}
	}
	g = playWholeGame(t, func(tg *tgame, _ []string) { g = tg }, check)
	if steps < 20 {
		t.Fatalf("checked %d steps of a whole game", steps)
	}
}
