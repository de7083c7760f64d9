package game

import "testing"

func TestAgendaStartNextBackFinish(t *testing.T) {
	g := newTestGame(t, Settings{}, []Phase{{Kind: KindLobby}, {Kind: KindWall, Minutes: 10}, {Kind: KindStudy, Minutes: 20}, {Kind: KindRetro}})
	g.fails(EConflict, fac, "phase.next", nil)
	g.must(fac, "game.start", nil)
	if g.s.CurrentPhase().Kind != KindWall || g.s.Clock.DeadlineMs != g.now+10*60_000 {
		t.Fatalf("after start: phase %s, deadline %d (now %d)", g.s.CurrentPhase().Kind, g.s.Clock.DeadlineMs, g.now)
	}
	g.fails(EConflict, fac, "game.start", nil)
	g.fails(EConflict, fac, "phase.back", nil) // nothing before the wall but the lobby
	g.must(fac, "phase.next", nil)
	g.must(fac, "phase.back", nil)
	if g.s.CurrentPhase().Kind != KindWall {
		t.Fatalf("back should return to the wall, got %s", g.s.CurrentPhase().Kind)
	}
	g.must(fac, "phase.next", nil)
	g.must(fac, "phase.next", nil)
	ch := g.must(fac, "phase.next", nil)
	if g.s.Status != StatusFinished || !ch.Finished {
		t.Fatalf("next after the last phase should finish the game: %s", g.s.Status)
	}
	g.fails(EConflict, fac, "phase.next", nil)
}

func TestTimerPauseResumeExtendAndDeadline(t *testing.T) {
	g := newTestGame(t, Settings{}, []Phase{{Kind: KindLobby}, {Kind: KindWall, Minutes: 1}, {Kind: KindRetro}})
	g.must(fac, "game.start", nil)
	start := g.now
	g.must(fac, "timer.pause", nil) // one second later
	if !g.s.Clock.Paused || g.s.Clock.RemainingMs != 59_000 {
		t.Fatalf("paused clock: %+v", g.s.Clock)
	}
	g.fails(EConflict, fac, "timer.pause", nil)
	g.must(fac, "timer.extend", map[string]int{"seconds": 30})
	g.must(fac, "timer.resume", nil)
	if want := g.now + 89_000; g.s.Clock.DeadlineMs != want {
		t.Fatalf("resumed deadline %d, want %d (start %d)", g.s.Clock.DeadlineMs, want, start)
	}
	g.fails(EInvalid, fac, "timer.extend", map[string]int{"seconds": 0})

	// A deadline is honoured once, only for the current timer and only when
	// it has passed.
	seq := g.s.Clock.Seq
	g.fails(EConflict, sys, "deadline", map[string]int64{"seq": seq}) // too early
	g.now = g.s.Clock.DeadlineMs
	g.must(sys, "deadline", map[string]int64{"seq": seq})
	if g.s.Clock.Active() {
		t.Fatalf("the clock should have stopped: %+v", g.s.Clock)
	}
	g.fails(EConflict, sys, "deadline", map[string]int64{"seq": seq})
	g.fails(EForbidden, fac, "deadline", map[string]int64{"seq": seq})
}

func TestAgendaValidation(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	bad := [][]Phase{
		{{Kind: "party"}},
		{{Kind: KindLobby}},
		{{Kind: KindWall, Minutes: -1}},
		{{Kind: KindSprints, Sprints: 0}},
		{{Kind: KindSprints, Sprints: 13}},
		{{Kind: KindWall, Sprints: 2}},
		{{Kind: KindDebate, Quiz: true}},
	}
	for _, a := range bad {
		g.fails(EInvalid, fac, "agenda.set", map[string]any{"upcoming": a})
	}
	g.must(fac, "agenda.set", map[string]any{"upcoming": []Phase{{Kind: KindDebate, Minutes: 5}, {Kind: KindRetro}}})
	if len(g.s.Agenda) != 3 || g.s.Agenda[1].Kind != KindDebate {
		t.Fatalf("agenda not replaced: %+v", g.s.Agenda)
	}
}
