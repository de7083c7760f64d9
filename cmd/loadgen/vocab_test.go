//go:build linux

package main

import (
	"math/rand/v2"
	"slices"
	"testing"

	"devopschallenge/game"
)

// Every command the generator sends in each kind of game is one the game
// knows and lets a player send: the names cannot drift from the domain's
// (the arguments are the game's own types).
func TestCommandsAreTheGames(t *testing.T) {
	known := game.CommandTypes()
	for _, kind := range kinds {
		if !slices.ContainsFunc(game.Vocab().Phases, func(p game.PhaseKindInfo) bool { return p.Kind == kind }) {
			t.Errorf("the generator plays a phase %q the game does not have", kind)
		}
		g := &gameRun{kind: kind, clusters: []string{"k1", "k2", "k3", "k4"}, presenter: "1/ops",
			options: map[string]teamOptions{"1/dev": {capacity: 5, actions: []actionOpt{{"ci", 2}, {"iac", 3}}}},
			quiz:    []game.QuizQuestion{{ID: "q1", Options: []game.QuizOption{{ID: "a"}, {ID: "b"}}}}}
		g.questions = []question{{id: "q1"}}
		c := &conn{g: g, team: "1/dev", rng: rand.New(rand.NewPCG(1, 2)), toAnswer: slices.Clone(g.quiz)}
		sent := map[string]bool{}
		for range 300 {
			cmd := c.nextCommand()
			if cmd.card != nil && cmd.card.id == "" {
				cmd.card.id, cmd.card.rev = "c1", 1 // as its ack would
			}
			if cmd.cmd == "" {
				continue
			}
			sent[cmd.cmd] = true
			if !slices.Contains(known[cmd.cmd], game.RolePlayer) {
				t.Errorf("%s game: the generator sends %q, which a player may not send", kind, cmd.cmd)
			}
		}
		if len(sent) < 2 && kind != kindSprints { // the sprints: plans only
			t.Errorf("%s game: only %v sent", kind, sent)
		}
	}
}
