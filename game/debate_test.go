package game

import (
	"encoding/json"
	"slices"
	"testing"
)

// debateGame is a game at the start of its debate with one player in each
// team of one company; it returns the game and the players by team.
func debateGame(t *testing.T) (*tgame, map[string]string) {
	t.Helper()
	g := newTestGame(t, Settings{}, []Phase{{Kind: KindLobby}, {Kind: KindDebate, Minutes: 5}, {Kind: KindRetro}})
	ids := map[string]string{}
	for _, team := range Teams {
		ids[team] = g.join("p-"+team, team)
	}
	g.must(fac, "game.start", nil)
	return g, ids
}

// floor returns who has the floor and who the debate document says has
// presented, as the console and the projector see them.
func floor(t *testing.T, g *tgame) (string, []string) {
	t.Helper()
	doc, ok := g.e.Doc(g.s, Viewer{Role: RoleFacilitator}, "debate")
	if !ok {
		t.Fatal("no debate document")
	}
	var d DebateDoc
	b, _ := json.Marshal(doc)
	json.Unmarshal(b, &d)
	if d.Current < 0 || d.Current >= len(d.Order) {
		return "", d.Presented
	}
	return d.Order[d.Current].key(), d.Presented
}

func TestMovingATeamUpDuringAPresentationKeepsItsTurn(t *testing.T) {
	g, _ := debateGame(t)
	if cur, done := floor(t, g); cur != "1/dev" || !slices.Equal(done, []string{"1/dev"}) {
		t.Fatalf("at the start: floor %s, presented %v", cur, done)
	}
	// While Dev presents, the facilitator moves Ops up, above Dev.
	g.must(fac, "debate.order", map[string]any{"order": []Slot{{1, TeamOps}, {1, TeamDev}, {1, TeamQA}, {1, TeamPM}}})
	cur, done := floor(t, g)
	if cur != "1/dev" {
		t.Errorf("the floor moved to %s; Dev is still presenting", cur)
	}
	if slices.Contains(done, "1/ops") {
		t.Errorf("Ops is marked as having presented though it never spoke: %v", done)
	}
	// Next goes to Ops, then QA, then PM, then the retrospective.
	var got []string
	for g.s.CurrentPhase().Kind == KindDebate {
		g.must(fac, "phase.next", nil)
		if g.s.CurrentPhase().Kind == KindDebate {
			cur, _ := floor(t, g)
			got = append(got, cur)
		}
	}
	if want := []string{"1/ops", "1/qa", "1/pm"}; !slices.Equal(got, want) {
		t.Errorf("after Dev the floor went to %v; want %v", got, want)
	}
	if _, done := floor(t, g); !slices.Equal(done, []string{"1/dev", "1/ops", "1/qa", "1/pm"}) {
		t.Errorf("every team presented once; the document says %v", done)
	}
}

func TestReorderingTheDebate(t *testing.T) {
	g, _ := debateGame(t)
	g.must(fac, "phase.next", nil) // Ops presents; Dev has presented
	// Moving the team that presented to the end does not give it a second
	// turn, and dropping a team that has not presented skips it.
	g.must(fac, "debate.order", map[string]any{"order": []Slot{{1, TeamOps}, {1, TeamPM}, {1, TeamDev}}})
	if cur, done := floor(t, g); cur != "1/ops" || !slices.Equal(done, []string{"1/dev", "1/ops"}) {
		t.Fatalf("after the reorder: floor %s, presented %v", cur, done)
	}
	if want := []Slot{{1, TeamDev}, {1, TeamOps}, {1, TeamPM}}; !slices.Equal(g.s.Debate.Order, want) {
		t.Errorf("order %v, want %v", g.s.Debate.Order, want)
	}
	g.must(fac, "phase.next", nil)
	if cur, _ := floor(t, g); cur != "1/pm" {
		t.Errorf("next gave the floor to %s, want 1/pm", cur)
	}
	g.must(fac, "phase.next", nil)
	if g.s.CurrentPhase().Kind != KindRetro {
		t.Errorf("after the last team the debate should end; phase %s", g.s.CurrentPhase().Kind)
	}
}

func TestDebateOrderBeforeTheDebateIsTakenAsGiven(t *testing.T) {
	g := newTestGame(t, Settings{}, []Phase{{Kind: KindLobby}, {Kind: KindWall, Minutes: 5}, {Kind: KindDebate, Minutes: 5}})
	for _, team := range Teams {
		g.join("p-"+team, team)
	}
	g.must(fac, "game.start", nil)
	want := []Slot{{1, TeamPM}, {1, TeamQA}, {1, TeamOps}, {1, TeamDev}}
	g.must(fac, "debate.order", map[string]any{"order": want})
	g.must(fac, "phase.next", nil)
	if cur, done := floor(t, g); cur != "1/pm" || !slices.Equal(done, []string{"1/pm"}) {
		t.Errorf("the debate opened with %s (presented %v); want PM first", cur, done)
	}
	g.fails(EInvalid, fac, "debate.order", map[string]any{"order": []Slot{{1, TeamPM}, {1, TeamPM}}})
}
