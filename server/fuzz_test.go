package server

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"devopschallenge/apperr"
	"devopschallenge/game"
)

// FuzzCommandMessage feeds arbitrary client messages through the decoder
// and the rules, as a player and as the facilitator: nothing panics, a
// refused message gets a readable error, and a refused command leaves the
// game exactly as it was.
func FuzzCommandMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"cmd","id":"1","cmd":"note.add","args":{"text":"hi","target":"ops"}}`,
		`{"type":"cmd","id":"2","cmd":"card.add","args":{"kind":"finding","text":"x"}}`,
		`{"type":"cmd","id":"3","cmd":"player.move","args":{"playerId":"p2","team":"qa","company":1}}`,
		`{"type":"cmd","id":"4","cmd":"timer.extend","args":{"seconds":-5}}`,
		`{"type":"cmd","id":"5","cmd":"cluster.vote","args":{"clusterId":"k9"}}`,
		`{"type":"cmd","id":"6","cmd":"agenda.set","args":{"upcoming":[{"kind":"debate","minutes":1e9}]}}`,
		`{"type":"hello","token":"x"}`, `null`, `[]`, `{"type":"cmd","id":"","cmd":""}`, "\xff\xfe",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	eng := testEngine(f)
	base := &game.State{}
	create, _ := json.Marshal(game.CreateArgs{ID: "g", Code: "ABCDEF", Seed: 1,
		FacilitatorTokenHash: hashSecret("f"), ProjectorTokenHash: hashSecret("p"),
		Agenda: []game.Phase{{Kind: game.KindLobby}, {Kind: game.KindWall, Minutes: 5}, {Kind: game.KindStudy, Minutes: 5, Quiz: true}}})
	must := func(c game.Command) {
		if _, err := eng.Apply(base, c); err != nil {
			f.Fatal(err)
		}
	}
	must(game.Command{Type: "game.create", Actor: game.Actor{Role: game.RoleSystem}, At: 1, Args: create})
	must(game.Command{Type: "player.join", Actor: game.Actor{Role: game.RoleSystem}, At: 2,
		Args: json.RawMessage(`{"nickname":"ana","tokenHash":"` + hashSecret("a") + `"}`)})
	must(game.Command{ID: "s", Type: "game.start", Actor: game.Actor{Role: game.RoleFacilitator}, At: 3})
	snap, _ := game.MarshalState(base)

	f.Fuzz(func(t *testing.T, data []byte, asFacilitator bool) {
		in, err := decodeCommand(data)
		if err != nil {
			e, ok := err.(*apperr.Error)
			if !ok || e.Code != apperr.EInvalid || e.Message == "" || e.MessageFR == "" {
				t.Fatalf("decoder error %#v", err)
			}
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted a message that is not valid UTF-8: %q", data)
		}
		st, err := game.Restore(snap)
		if err != nil {
			t.Fatal(err)
		}
		actor := game.Actor{Role: game.RolePlayer, PlayerID: "p2"}
		if asFacilitator {
			actor = game.Actor{Role: game.RoleFacilitator}
		}
		_, err = eng.Apply(st, game.Command{ID: in.ID, Type: in.Cmd, Actor: actor, At: 10, Args: in.Args})
		if err != nil {
			e, ok := err.(*apperr.Error)
			if !ok || e.Message == "" || e.MessageFR == "" {
				t.Fatalf("command error %#v", err)
			}
			after, _ := game.MarshalState(st)
			if !bytes.Equal(after, snap) {
				t.Fatalf("refused command %s (%v) changed the state", in.Cmd, err)
			}
		}
	})
}
