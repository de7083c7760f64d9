package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"devopschallenge/game"
	"devopschallenge/protocol"
)

// cloneState gives what a snapshot and a Restore give, and a copy that
// shares nothing mutable with the original.
func TestCloneState(t *testing.T) {
	in := startServer(t, embeddedStore(t, ""))
	g := newGame(t, in, protocol.CreateGameRequest{Companies: 2, Assignment: "auto",
		Agenda: json.RawMessage(`[{"kind":"lobby"},{"kind":"wall","minutes":10},{"kind":"study","minutes":10,"quiz":true},{"kind":"retro"}]`)})
	fac := connect(t, g.FacilitatorToken, false, in.url)
	var players []string
	for i := 0; i < 6; i++ {
		s, j := joinAndConnect(t, in, g.Code, fmt.Sprintf("p%d", i), "")
		players = append(players, j.PlayerID)
		defer s.Close()
		if i == 0 {
			if _, err := fac.Do(ctxT(t), "game.start", nil); err != nil {
				t.Fatal(err)
			}
			k, err := fac.Do(ctxT(t), "cluster.create", map[string]string{"name": "k"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Do(ctxT(t), "cluster.vote", map[string]string{"clusterId": k.Result["clusterId"].(string)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Do(ctxT(t), "note.add", map[string]string{"text": fmt.Sprintf("note %d", i), "target": "ops"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fac.Do(ctxT(t), "phase.next", nil); err != nil {
		t.Fatal(err)
	}
	in.srv.mgr.mu.Lock()
	lg := in.srv.mgr.games[g.GameID]
	in.srv.mgr.mu.Unlock()
	lg.mu.Lock()
	defer lg.mu.Unlock()
	orig := lg.state
	want, err := game.MarshalState(orig)
	if err != nil {
		t.Fatal(err)
	}
	c := cloneState(orig)
	got, err := game.MarshalState(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("clone differs:\n%s\n%s", got, want)
	}
	// The copy takes commands without touching the original.
	if _, err := in.srv.cfg.Engine.Apply(c, game.Command{Type: "card.add", Actor: game.Actor{Role: game.RolePlayer, PlayerID: players[1]},
		At: time.Now().UnixMilli(), Args: json.RawMessage(`{"kind":"finding","text":"only in the copy"}`)}); err != nil {
		t.Fatal(err)
	}
	c.Players[players[0]].Nickname = "changed"
	c.Wall.Notes[c.Wall.NoteOrder[0]].Text = "changed"
	after, _ := game.MarshalState(orig)
	if !bytes.Equal(after, want) {
		t.Fatal("changing the copy changed the original")
	}
	if p, ok := c.PlayerByToken(orig.Players[players[2]].TokenHash); !ok || p.ID != players[2] {
		t.Fatal("the copy cannot find a player by token")
	}
}
