package game

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestJoinBalancesTeamsAndCompanies(t *testing.T) {
	g := newTestGame(t, Settings{Companies: 2, Assignment: "auto"}, nil)
	count := map[[2]any]int{}
	for i := 0; i < 16; i++ {
		id := g.join("p"+string(rune('a'+i)), "")
		p := g.s.Players[id]
		count[[2]any{p.Company, p.Team}]++
	}
	if len(count) != 8 {
		t.Fatalf("16 players over 2 companies should fill all 8 teams, got %v", count)
	}
	for k, n := range count {
		if n != 2 {
			t.Errorf("team %v has %d players, want 2", k, n)
		}
	}
}

func TestJoinWithChoiceRespectsCap(t *testing.T) {
	g := newTestGame(t, Settings{Companies: 2, TeamCap: 1}, nil)
	a := g.join("ana", TeamOps)
	b := g.join("bob", TeamOps)
	if g.s.Players[a].Company == g.s.Players[b].Company {
		t.Fatalf("two Ops with a cap of 1 should be in different companies")
	}
	e := g.fails(EConflict, sys, "player.join", map[string]string{"nickname": "cid", "team": TeamOps, "tokenHash": hashOf("c")})
	if !strings.Contains(e.Message, "full") {
		t.Errorf("message should say the team is full: %q", e.Message)
	}
	// Without a choice, a newcomer still gets in.
	g.join("cid", "")
}

func TestJoinRefusesBadInput(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	g.join("ana", "")
	h := hashOf("x")
	cases := []struct {
		name string
		args any
		code string
		want string
	}{
		{"empty nickname", map[string]string{"nickname": "  ", "tokenHash": h}, EInvalid, "must not be empty"},
		{"long nickname", map[string]string{"nickname": strings.Repeat("é", 25), "tokenHash": h}, EInvalid, "too long"},
		{"control character", map[string]string{"nickname": "a\x07b", "tokenHash": h}, EInvalid, "control character"},
		{"bidi override", map[string]string{"nickname": "a\u202eb", "tokenHash": h}, EInvalid, "control character"},
		{"taken nickname", map[string]string{"nickname": "ANA", "tokenHash": h}, EConflict, "already taken"},
		{"unknown team", map[string]string{"nickname": "bob", "team": "sec", "tokenHash": h}, EInvalid, "Unknown team"},
		{"no token", map[string]string{"nickname": "bob"}, EInvalid, "token hash"},
		{"unknown field", map[string]any{"nickname": "bob", "tokenHash": h, "admin": true}, EInvalid, "Unknown field"},
		{"wrong type", map[string]any{"nickname": 12, "tokenHash": h}, EInvalid, "wrong type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := g.fails(c.code, sys, "player.join", c.args)
			if !strings.Contains(e.Message, c.want) {
				t.Errorf("message %q does not contain %q", e.Message, c.want)
			}
		})
	}
}

func TestRolesAndModeration(t *testing.T) {
	g := newTestGame(t, Settings{Companies: 2}, nil)
	ana := g.join("ana", TeamDev)
	bob := g.join("bob", TeamDev)

	// A player cannot act as the facilitator, the projector cannot act.
	g.fails(EForbidden, player(ana), "player.kick", map[string]string{"playerId": bob})
	g.fails(EForbidden, proj, "game.start", nil)
	g.fails(EForbidden, player(ana), "player.join", map[string]string{"nickname": "x", "tokenHash": hashOf("y")})
	g.fails(EForbidden, fac, "presence.set", map[string]any{"playerId": ana, "instance": "i", "conns": 1})

	// Move, rename, kick.
	ch := g.must(fac, "player.move", map[string]any{"playerId": bob, "team": TeamOps, "company": 2})
	if p := g.s.Players[bob]; p.Team != TeamOps || p.Company != 2 {
		t.Fatalf("move: got %s/%d", p.Team, p.Company)
	}
	if len(ch.Reseat) != 1 || ch.Reseat[0] != bob {
		t.Errorf("a moved player's connections must be reseated: %v", ch.Reseat)
	}
	g.fails(EInvalid, fac, "player.move", map[string]any{"playerId": bob, "company": 3})
	g.fails(EConflict, fac, "player.rename", map[string]any{"playerId": bob, "nickname": "Ana"})
	g.must(fac, "player.rename", map[string]any{"playerId": bob, "nickname": "Bobby"})
	g.must(fac, "player.kick", map[string]any{"playerId": bob})
	g.fails(EUnauthorized, player(bob), "player.team", map[string]string{"team": TeamQA})
	g.fails(ENotFound, fac, "player.kick", map[string]any{"playerId": bob})
	if p, ok := g.s.PlayerByToken(hashOf("tok-bob")); !ok || !p.Kicked {
		t.Fatalf("the kicked player's token must still resolve, marked kicked")
	}
	// A removed player stays out (see removed_test.go).
	g.fails(EForbidden, sys, "player.join", map[string]string{"nickname": "bobby", "tokenHash": hashOf("tok-bobby-2")})
}

func TestPresenceCountsConnectionsPerInstance(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	ana := g.join("ana", "")
	set := func(inst string, n int) *Change {
		return g.must(sys, "presence.set", map[string]any{"playerId": ana, "instance": inst, "conns": n})
	}
	if ch := set("A", 1); len(ch.Docs) != 1 {
		t.Fatalf("going online must touch the player's document: %v", ch.Docs)
	}
	if ch := set("B", 2); len(ch.Docs) != 0 {
		t.Fatalf("a second connection changes nothing visible: %v", ch.Docs)
	}
	set("A", 0)
	if !g.s.Players[ana].Connected() {
		t.Fatal("still connected through B")
	}
	set("B", 0)
	if g.s.Players[ana].Connected() {
		t.Fatal("no connection left")
	}
	g.fails(EConflict, sys, "presence.set", map[string]any{"playerId": ana, "instance": "B", "conns": 0})
}

func TestResentCommandIsRemembered(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	c := g.cmd(fac, "timer.extend", map[string]int{"seconds": 10})
	c.ID = "same"
	if _, err := g.e.Apply(g.s, g.cmd(fac, "game.start", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := g.e.Apply(g.s, c); err != nil {
		t.Fatal(err)
	}
	v, ok := g.s.Seen(fac, "same")
	if !ok || v != g.s.Version {
		t.Fatalf("Seen = %d, %v; want %d", v, ok, g.s.Version)
	}
	if _, ok := g.s.Seen(player("p2"), "same"); ok {
		t.Fatal("command IDs are per actor")
	}
}

func TestFoldIsDeterministic(t *testing.T) {
	// The same commands give byte-identical states.
	build := func() []byte {
		g := newTestGame(t, Settings{Companies: 3, Assignment: "auto"}, nil)
		for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
			g.join(n, "")
		}
		g.must(fac, "game.start", nil)
		b, _ := json.Marshal(g.s)
		return b
	}
	if a, b := build(), build(); string(a) != string(b) {
		t.Fatal("two folds of the same commands differ")
	}
}

func TestUnknownCommandAndBadArgs(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	g.fails(EInvalid, fac, "game.explode", nil)
	g.fails(EInvalid, fac, "timer.extend", "not an object")
	g.fails(EConflict, fac, "timer.pause", nil) // not started
	g.fails(EConflict, sys, "game.create", CreateArgs{ID: "g2", Code: "X", FacilitatorTokenHash: hashOf("a"), ProjectorTokenHash: hashOf("b")})
}

func TestCreateValidatesSettings(t *testing.T) {
	e := testEngine(t)
	bad := []Settings{
		{Companies: MaxCompanies + 1},
		{Companies: -1},
		{Assignment: "random"},
		{Lang: "de"},
		{Scenario: "nope"},
		{Title: strings.Repeat("x", MaxTitle+1)},
		{TeamCap: -2},
	}
	for _, st := range bad {
		raw, _ := json.Marshal(CreateArgs{ID: "g", Code: "ABCDEF", FacilitatorTokenHash: hashOf("a"), ProjectorTokenHash: hashOf("b"), Settings: st})
		s := &State{}
		if _, err := e.Apply(s, Command{Type: "game.create", Actor: sys, At: 1, Args: raw}); !IsCode(err, EInvalid) {
			t.Errorf("settings %+v: got %v, want invalid", st, err)
		}
		if s.ID != "" {
			t.Errorf("settings %+v: refused creation changed the state", st)
		}
	}
}
