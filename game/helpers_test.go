package game

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

var (
	fac  = Actor{Role: RoleFacilitator}
	proj = Actor{Role: RoleProjector}
	sys  = Actor{Role: RoleSystem}
)

func player(id string) Actor { return Actor{Role: RolePlayer, PlayerID: id} }

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// tgame is a game under test: an engine, a state and a clock.
type tgame struct {
	t   testing.TB
	e   *Engine
	s   *State
	now int64
	seq int
}

var (
	engineOnce sync.Once
	engine     *Engine
	engineErr  error
)

// testEngine returns an engine with the embedded scenarios.
func testEngine(t testing.TB) *Engine {
	t.Helper()
	engineOnce.Do(func() {
		var scns map[string]*rules.Scenario
		if scns, engineErr = rules.LoadAll(scenarios.FS); engineErr == nil {
			engine, engineErr = NewEngine(scns, "ecommerce-platform")
		}
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// newTestGame creates a game with the given settings (and default agenda
// unless agenda is given).
func newTestGame(t testing.TB, st Settings, agenda []Phase) *tgame {
	t.Helper()
	g := &tgame{t: t, e: testEngine(t), s: &State{}, now: 1_700_000_000_000}
	g.must(sys, "game.create", CreateArgs{ID: "g1", Code: "ABCDEF", Seed: 42, FacilitatorTokenHash: hashOf("fac"),
		ProjectorTokenHash: hashOf("proj"), Settings: st, Agenda: agenda})
	return g
}

func (g *tgame) cmd(a Actor, typ string, args any) Command {
	raw, err := json.Marshal(args)
	if err != nil {
		g.t.Fatal(err)
	}
	g.seq++
	g.now += 1000
	id := ""
	if a.Role != RoleSystem {
		id = fmt.Sprintf("c%d", g.seq)
	}
	return Command{ID: id, Type: typ, Actor: a, At: g.now, Args: raw}
}

// try applies a command and, when it is refused, checks that the state did
// not change at all.
func (g *tgame) try(a Actor, typ string, args any) (*Change, error) {
	g.t.Helper()
	before, _ := json.Marshal(g.s)
	ch, err := g.e.Apply(g.s, g.cmd(a, typ, args))
	if err != nil {
		after, _ := json.Marshal(g.s)
		if !bytes.Equal(before, after) {
			g.t.Fatalf("%s refused (%v) but changed the state", typ, err)
		}
		if _, ok := err.(*Error); !ok {
			g.t.Fatalf("%s refused with a non-domain error %T: %v", typ, err, err)
		}
	}
	return ch, err
}

// must applies a command that has to succeed.
func (g *tgame) must(a Actor, typ string, args any) *Change {
	g.t.Helper()
	ch, err := g.try(a, typ, args)
	if err != nil {
		g.t.Fatalf("%s: %v", typ, err)
	}
	return ch
}

// fails applies a command that has to be refused with the given code.
func (g *tgame) fails(code string, a Actor, typ string, args any) *Error {
	g.t.Helper()
	_, err := g.try(a, typ, args)
	if err == nil {
		g.t.Fatalf("%s was accepted; want %s", typ, code)
	}
	e := err.(*Error)
	if e.Code != code {
		g.t.Fatalf("%s: got %s (%s), want %s", typ, e.Code, e.Message, code)
	}
	if e.Message == "" || e.MessageFR == "" {
		g.t.Fatalf("%s: error without a message in both languages: %+v", typ, e)
	}
	return e
}

// join adds a player and returns its ID.
func (g *tgame) join(nick, team string) string {
	g.t.Helper()
	ch := g.must(sys, "player.join", map[string]string{"nickname": nick, "team": team, "tokenHash": hashOf("tok-" + nick)})
	return ch.Result["playerId"].(string)
}
