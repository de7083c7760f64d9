package game

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// rebuttalGame is a game at the start of a debate whose teams get two
// minutes to answer their questions, one player per team; it returns the
// game and the players by team.
func rebuttalGame(t *testing.T) (*tgame, map[string]string) {
	t.Helper()
	g := newTestGame(t, Settings{}, []Phase{{Kind: KindLobby}, {Kind: KindDebate, Minutes: 5, RebuttalMinutes: 2}, {Kind: KindRetro}})
	ids := map[string]string{}
	for _, team := range Teams {
		ids[team] = g.join("p-"+team, team)
	}
	g.must(fac, "game.start", nil)
	return g, ids
}

// debateView is the debate document as a viewer sees it.
func debateView(t *testing.T, g *tgame, a Actor) DebateDoc {
	t.Helper()
	doc, ok := g.e.Doc(g.s, g.s.ViewerOf(a), "debate")
	if !ok {
		t.Fatal("no debate document")
	}
	var d DebateDoc
	b, _ := json.Marshal(doc)
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// ask has a player ask a question and returns its ID.
func ask(g *tgame, pid, text string) string {
	g.t.Helper()
	return g.must(player(pid), "question.ask", map[string]string{"text": text}).Result["questionId"].(string)
}

// askFour asks Dev four questions: q1 upvoted twice, q2 never, q3 once,
// q4 once (after q3).
func askFour(g *tgame, ids map[string]string) []string {
	g.t.Helper()
	q1 := ask(g, ids[TeamOps], "How do you roll back?")
	q2 := ask(g, ids[TeamQA], "Who writes the tests?")
	q3 := ask(g, ids[TeamPM], "What does it cost?")
	q4 := ask(g, ids[TeamOps], "Who is on call?")
	for _, v := range []struct{ who, q string }{{TeamQA, q1}, {TeamPM, q1}, {TeamOps, q3}, {TeamQA, q4}} {
		g.must(player(ids[v.who]), "question.upvote", map[string]string{"questionId": v.q})
	}
	return []string{q1, q2, q3, q4}
}

func TestRebuttalAnswersTheBestVotedQuestionsAfterThePresentation(t *testing.T) {
	g, ids := rebuttalGame(t)
	qs := askFour(g, ids)
	d := debateView(t, g, proj)
	if d.Turn != turnPresenting || d.Next != nextRebuttal || d.Rebuttal != nil {
		t.Fatalf("while Dev presents: turn %q, next %q, rebuttal %+v", d.Turn, d.Next, d.Rebuttal)
	}
	// "Next" after the presentation opens Dev's rebuttal, under its own
	// two-minute timer.
	g.must(fac, "phase.next", nil)
	d = debateView(t, g, proj)
	want := []string{qs[0], qs[2], qs[3]}
	if d.Turn != turnRebuttal || d.Rebuttal == nil || !slices.Equal(d.Rebuttal.Questions, want) || d.Rebuttal.Answering != qs[0] {
		t.Fatalf("rebuttal: turn %q, %+v; want questions %v, answering %s", d.Turn, d.Rebuttal, want, qs[0])
	}
	if cur, _ := floor(t, g); cur != "1/dev" || d.Next != nextTeam {
		t.Fatalf("during the rebuttal the floor is %s (next %q); Dev still has it", cur, d.Next)
	}
	if got := g.s.Clock.DeadlineMs - g.now; got != 2*60_000 {
		t.Errorf("the rebuttal's timer is %d ms, want 2 minutes", got)
	}
	// Dev's phone sees the same questions to answer.
	if dp := debateView(t, g, player(ids[TeamDev])); !slices.Equal(dp.Rebuttal.Questions, want) {
		t.Errorf("Dev's phone sees %v", dp.Rebuttal.Questions)
	}
	// The facilitator moves on question by question; a question dismissed
	// meanwhile is passed over; after the last the timer stops.
	g.must(fac, "rebuttal.next", nil)
	if d = debateView(t, g, proj); d.Rebuttal.Answering != qs[2] || g.s.Debate.Questions[qs[0]].Status != questionTaken {
		t.Fatalf("after the first answer: answering %s, first question %s", d.Rebuttal.Answering, g.s.Debate.Questions[qs[0]].Status)
	}
	g.must(fac, "question.dismiss", map[string]string{"questionId": qs[3]})
	g.must(fac, "rebuttal.next", nil)
	d = debateView(t, g, proj)
	if d.Turn != rebuttalDone || d.Rebuttal.Answering != "" || g.s.Clock.Active() {
		t.Fatalf("after the last answer: turn %q, answering %q, clock %+v", d.Turn, d.Rebuttal.Answering, g.s.Clock)
	}
	if st := g.s.Debate.Questions[qs[1]].Status; st != questionOpen {
		t.Errorf("the question nobody upvoted was not answered but is %s", st)
	}
	g.fails(EConflict, fac, "rebuttal.next", nil)
	e := g.fails(EConflict, fac, "rebuttal.start", nil)
	if !strings.Contains(e.Message, "next team") {
		t.Errorf("a second rebuttal is refused with %q", e.Message)
	}
	// Next gives the floor to Ops with its speaking time.
	g.must(fac, "phase.next", nil)
	if cur, _ := floor(t, g); cur != "1/ops" || g.s.Clock.DeadlineMs-g.now != 5*60_000 {
		t.Fatalf("after Dev's rebuttal: floor %s, clock %+v", cur, g.s.Clock)
	}
	if d = debateView(t, g, proj); d.Turn != turnPresenting || d.Next != nextTeam {
		t.Errorf("Ops has no question: turn %q, next %q (no rebuttal to offer)", d.Turn, d.Next)
	}
}

func TestRebuttalCanBeStartedExtendedAndSkipped(t *testing.T) {
	g, ids := rebuttalGame(t)
	g.fails(EConflict, fac, "rebuttal.next", nil)
	e := g.fails(EConflict, fac, "rebuttal.start", nil)
	if !strings.Contains(e.Message, "nothing to answer") || !strings.Contains(e.MessageFR, "rien à répondre") {
		t.Errorf("a rebuttal without questions is refused with %q / %q", e.Message, e.MessageFR)
	}
	g.fails(EInvalid, fac, "rebuttal.start", map[string]int{"minutes": 10})
	qs := askFour(g, ids)
	// Skipped before it starts: "next" goes to the next team; the
	// facilitator may change their mind and start it after all.
	g.must(fac, "rebuttal.skip", nil)
	if d := debateView(t, g, fac); d.Turn != rebuttalSkipped || d.Next != nextTeam {
		t.Fatalf("after a skip: turn %q, next %q", d.Turn, d.Next)
	}
	g.fails(EConflict, fac, "rebuttal.skip", nil)
	g.must(fac, "rebuttal.start", nil)
	// Extended like any timer, then cut short: the questions not reached
	// stay open and the timer stops.
	deadline := g.s.Clock.DeadlineMs
	g.must(fac, "timer.extend", map[string]int{"seconds": 60})
	if g.s.Clock.DeadlineMs != deadline+60_000 {
		t.Errorf("extending the rebuttal moved its deadline by %d ms", g.s.Clock.DeadlineMs-deadline)
	}
	g.must(fac, "rebuttal.next", nil)
	g.must(fac, "rebuttal.skip", nil)
	if g.s.Clock.Active() || g.s.Debate.Questions[qs[2]].Status != questionOpen || g.s.Debate.Questions[qs[0]].Status != questionTaken {
		t.Fatalf("cut short: clock %+v, statuses %s %s", g.s.Clock, g.s.Debate.Questions[qs[0]].Status, g.s.Debate.Questions[qs[2]].Status)
	}
	g.fails(EConflict, fac, "rebuttal.skip", nil)
	g.fails(EConflict, fac, "rebuttal.start", nil)
	// Players and the projector cannot run it; outside the debate it is
	// refused.
	g.fails(EForbidden, player(ids[TeamDev]), "rebuttal.start", nil)
	g.fails(EForbidden, proj, "rebuttal.skip", nil)
	for g.s.CurrentPhase().Kind == KindDebate {
		g.must(fac, "phase.next", nil)
	}
	g.fails(EConflict, fac, "rebuttal.start", nil)
}

func TestRebuttalTimeUpKeepsTheTurnAndLeavingClosesIt(t *testing.T) {
	g, ids := rebuttalGame(t)
	askFour(g, ids)
	g.must(fac, "phase.next", nil)
	// Time is up: the timer stops, the team is still answering (the
	// facilitator decides when to move on).
	g.now = g.s.Clock.DeadlineMs
	g.must(sys, "deadline", map[string]int64{"seq": g.s.Clock.Seq})
	if d := debateView(t, g, proj); d.Turn != turnRebuttal || g.s.Clock.Active() {
		t.Fatalf("after the deadline: turn %q, clock %+v", d.Turn, g.s.Clock)
	}
	// Going back to the debate from the retrospective finds the turn
	// closed, not answering with no timer.
	g.must(fac, "debate.order", map[string]any{"order": []Slot{{1, TeamDev}}})
	g.must(fac, "phase.next", nil)
	if g.s.CurrentPhase().Kind != KindRetro {
		t.Fatalf("phase %s", g.s.CurrentPhase().Kind)
	}
	g.must(fac, "phase.back", nil)
	if d := debateView(t, g, proj); d.Turn != rebuttalDone || d.Next != nextEnd || g.s.Clock.DeadlineMs-g.now != 5*60_000 {
		t.Fatalf("back in the debate: turn %q, next %q, clock %+v", d.Turn, d.Next, g.s.Clock)
	}
}

func TestReorderingDuringARebuttalKeepsEveryTurn(t *testing.T) {
	g, ids := rebuttalGame(t)
	askFour(g, ids)
	g.must(fac, "phase.next", nil) // Dev's rebuttal
	// While Dev answers, the facilitator moves PM up, above Dev.
	g.must(fac, "debate.order", map[string]any{"order": []Slot{{1, TeamPM}, {1, TeamDev}, {1, TeamOps}, {1, TeamQA}}})
	cur, done := floor(t, g)
	if d := debateView(t, g, proj); cur != "1/dev" || d.Turn != turnRebuttal || slices.Contains(done, "1/pm") {
		t.Fatalf("after the reorder: floor %s, turn %q, presented %v", cur, d.Turn, done)
	}
	var got []string
	for g.s.CurrentPhase().Kind == KindDebate {
		g.must(fac, "phase.next", nil)
		if g.s.CurrentPhase().Kind == KindDebate {
			cur, _ := floor(t, g)
			got = append(got, cur)
		}
	}
	if want := []string{"1/pm", "1/ops", "1/qa"}; !slices.Equal(got, want) {
		t.Errorf("after Dev's rebuttal the floor went to %v; want %v", got, want)
	}
	if _, done := floor(t, g); len(done) != 4 {
		t.Errorf("every team presented once; the document says %v", done)
	}
}

func TestRebuttalMinutesBelongToADebate(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	g.fails(EInvalid, fac, "agenda.set", map[string]any{"upcoming": []Phase{{Kind: KindWall, Minutes: 5, RebuttalMinutes: 2}}})
	e := g.fails(EInvalid, fac, "agenda.set", map[string]any{"upcoming": []Phase{{Kind: KindDebate, Minutes: 5, RebuttalMinutes: 31}}})
	if !strings.Contains(e.Message, "rebuttal") {
		t.Errorf("refused with %q", e.Message)
	}
	g.must(fac, "agenda.set", map[string]any{"upcoming": []Phase{{Kind: KindDebate, Minutes: 5, RebuttalMinutes: 3}}})
	// Without rebuttal minutes, "next" goes straight to the next team and
	// a rebuttal the facilitator starts lasts the default time.
	d, ids := debateGame(t)
	askFour(d, ids)
	if v := debateView(t, d, fac); v.Next != nextTeam {
		t.Fatalf("a debate without rebuttal minutes: next %q", v.Next)
	}
	d.must(fac, "rebuttal.start", nil)
	if got := d.s.Clock.DeadlineMs - d.now; got != DefaultRebuttalMinutes*60_000 {
		t.Errorf("a rebuttal started by hand lasts %d ms", got)
	}
}

func TestRebuttalUpdatesMatchSnapshots(t *testing.T) {
	g, ids := rebuttalGame(t)
	actors := []Actor{fac, proj}
	for _, team := range Teams {
		actors = append(actors, player(ids[team]))
	}
	checkUpdatesMatchSnapshots(t, g, actors, []scriptStep{
		{player(ids[TeamOps]), "question.ask", map[string]string{"text": "How do you roll back?"}},
		{player(ids[TeamQA]), "question.ask", map[string]string{"text": "Who tests?"}},
		{fac, "rebuttal.skip", nil},
		{fac, "rebuttal.start", nil},
		{fac, "debate.order", map[string]any{"order": []Slot{{1, TeamQA}, {1, TeamDev}, {1, TeamOps}, {1, TeamPM}}}},
		{fac, "timer.extend", map[string]int{"seconds": 30}},
		{fac, "rebuttal.next", nil},
		{fac, "rebuttal.next", nil},
		{fac, "phase.next", nil},
		{player(ids[TeamDev]), "question.ask", map[string]string{"text": "Why QA last?"}},
		{fac, "phase.next", nil},
		{fac, "rebuttal.next", nil},
		{fac, "phase.next", nil},
		{fac, "phase.next", nil},
		{fac, "phase.next", nil},
		{fac, "phase.back", nil},
	})
	if g.s.CurrentPhase().Kind != KindDebate {
		t.Fatalf("the script should end back in the debate, not in %s", g.s.CurrentPhase().Kind)
	}
}

// What "next" does follows the presenting team's open questions: every
// viewer's debate document stays true as questions come and go.
func TestNextFollowsTheOpenQuestions(t *testing.T) {
	g, ids := rebuttalGame(t)
	actors := []Actor{fac, proj, player(ids[TeamDev]), player(ids[TeamOps])}
	q := func(n int) string { return "q" + itoa(int(g.s.Version)+n) }
	q1, q2, q3 := q(1), q(2), q(3)
	checkUpdatesMatchSnapshots(t, g, actors, []scriptStep{
		{player(ids[TeamOps]), "question.ask", map[string]string{"text": "one"}},
		{player(ids[TeamQA]), "question.ask", map[string]string{"text": "two"}},
		{player(ids[TeamPM]), "question.ask", map[string]string{"text": "three"}},
		{fac, "question.dismiss", map[string]string{"questionId": q1}},
		{fac, "question.take", map[string]string{"questionId": q2}},
		{fac, "question.hide", map[string]any{"questionId": q3, "hidden": true}},
		{fac, "question.hide", map[string]any{"questionId": q3, "hidden": false}},
		{fac, "question.take", map[string]string{"questionId": q3}},
		{fac, "question.reopen", map[string]string{"questionId": q1}},
		{fac, "phase.next", nil},
	})
	if d := debateView(t, g, proj); d.Turn != turnRebuttal || d.Rebuttal.Answering != q1 {
		t.Errorf("the reopened question is the one to answer: %+v", d.Rebuttal)
	}
}
