package game

import (
	"fmt"
	"testing"
)

// A resent command is answered as the first time: its version and its
// result (the note it created), also from a state restored from a
// snapshot, and only while the command is remembered.
func TestResentCommandKeepsItsResult(t *testing.T) {
	g := newTestGame(t, Settings{}, []Phase{{Kind: KindLobby}, {Kind: KindWall, Minutes: 10}, {Kind: KindRetro}})
	ana := player(g.join("ana", "ops"))
	g.must(fac, "game.start", nil)
	c := g.cmd(ana, "note.add", map[string]string{"text": "hello", "target": "ops"})
	c.ID = "same-id-1"
	ch, err := g.e.Apply(g.s, c)
	if err != nil {
		t.Fatal(err)
	}
	want := ch.Result["noteId"]
	check := func(s *State, how string) {
		t.Helper()
		v, res, ok := s.SeenResult(ana, "same-id-1")
		if !ok || v != g.s.Version || res["noteId"] != want {
			t.Fatalf("%s: SeenResult = %d, %v, %v; want %d, noteId %v", how, v, res, ok, g.s.Version, want)
		}
	}
	check(g.s, "in memory")
	snap, err := MarshalState(g.s)
	if err != nil {
		t.Fatal(err)
	}
	restored, err := Restore(snap)
	if err != nil {
		t.Fatal(err)
	}
	check(restored, "restored from a snapshot")

	// A command without a result is remembered without one.
	g.must(fac, "timer.pause", nil)
	if _, res, ok := g.s.SeenResult(fac, fmt.Sprintf("c%d", g.seq)); !ok || res != nil {
		t.Fatalf("timer.pause: seen %v with result %v; want seen without a result", ok, res)
	}
	// Past recentSize later commands, both are forgotten together.
	for i := 0; i < recentSize; i++ {
		g.must(fac, "timer.extend", map[string]int{"seconds": 1})
	}
	if _, _, ok := g.s.SeenResult(ana, "same-id-1"); ok {
		t.Fatal("a command older than the last recentSize ones is still remembered")
	}
	if n := len(g.s.Recent.Res); n != 0 {
		t.Fatalf("%d results kept for forgotten commands", n)
	}
}
