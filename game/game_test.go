package game

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"devopschallenge/game/rules"
)

// pickPlan chooses, for a team of a company, the available actions that fit
// its capacity, preferring joint ones (so that partners meet) and then the
// cheapest.
func pickPlan(e *Engine, s *State, company int, team string) []string {
	scn := e.scenario(s).Scenario
	co := s.Sprints.company(company)
	capacity := rules.Capacity(scn, co, team)
	var out []string
	used := 0
	for pass := 0; pass < 2; pass++ {
		for _, o := range rules.Options(scn, co, team) {
			if !o.Available || (pass == 0) != (o.Partner != "") {
				continue
			}
			if used+o.Action.Cost <= capacity {
				out = append(out, o.Action.ID)
				used += o.Action.Cost
			}
		}
	}
	return out
}

// playWholeGame plays the default agenda with two companies and eight
// players; setup runs once everyone has joined, and check after every
// command from then on.
func playWholeGame(t *testing.T, setup func(g *tgame, ids []string), check func(step string, ch *Change)) *tgame {
	g := newTestGame(t, Settings{Companies: 2, Assignment: "auto"}, nil)
	var ids []string
	for i := 0; i < 8; i++ {
		ids = append(ids, g.join(fmt.Sprintf("player%d", i), ""))
	}
	setup(g, ids)
	do := func(a Actor, typ string, args any) *Change {
		t.Helper()
		ch := g.must(a, typ, args)
		check(typ, ch)
		return ch
	}
	byTeam := map[string]string{} // "1/dev" -> a player of that team
	for _, id := range ids {
		p := g.s.Players[id]
		byTeam[teamKey(p.Company, p.Team)] = id
	}
	do(fac, "game.start", nil)

	// Wall of confusion.
	n1 := do(player(ids[0]), "note.add", map[string]string{"text": "Ops always say no", "target": "ops"}).Result["noteId"].(string)
	n2 := do(player(ids[1]), "note.add", map[string]string{"text": "Devs throw code over the wall", "target": "devs"}).Result["noteId"].(string)
	k := do(fac, "cluster.create", map[string]string{"name": "Blame"}).Result["clusterId"].(string)
	do(fac, "note.move", map[string]string{"noteId": n1, "clusterId": k})
	do(fac, "note.move", map[string]string{"noteId": n2, "clusterId": k})
	k2 := do(fac, "notes.group", map[string]any{"noteIds": []string{n1}, "name": "Walls", "seen": map[string]string{n1: k}}).Result["clusterId"].(string)
	do(fac, "cluster.merge", map[string]string{"clusterId": k2, "intoId": k})
	do(player(ids[2]), "cluster.vote", map[string]string{"clusterId": k})
	do(fac, "note.hide", map[string]any{"noteId": n2, "hidden": true})
	do(fac, "phase.next", nil)

	// Study: worksheets and the quiz.
	if g.s.CurrentPhase().Kind != KindStudy {
		t.Fatalf("expected study, got %s", g.s.CurrentPhase().Kind)
	}
	w := do(player(ids[0]), "card.add", map[string]string{"kind": "finding", "text": "Deploys are manual"}).Result["cardId"].(string)
	do(player(ids[0]), "card.edit", map[string]any{"cardId": w, "rev": 1, "text": "Deploys are manual and monthly"})
	g.fails(EConflict, player(ids[0]), "card.edit", map[string]any{"cardId": w, "rev": 1, "text": "stale"})
	q := g.e.scenario(g.s).Quiz[0]
	do(player(ids[3]), "quiz.answer", map[string]string{"questionId": q.ID, "optionId": q.Answer})
	do(fac, "phase.next", nil)

	// Sprints.
	if g.s.CurrentPhase().Kind != KindSprints {
		t.Fatalf("expected sprints, got %s", g.s.CurrentPhase().Kind)
	}
	incidents := 0
	for sprint := 1; sprint <= g.s.CurrentPhase().Sprints; sprint++ {
		for c := 1; c <= 2; c++ {
			for _, team := range Teams {
				pid := byTeam[teamKey(c, team)]
				do(player(pid), "plan.set", map[string]any{"actions": pickPlan(g.e, g.s, c, team)})
			}
		}
		for c := 1; c <= 2; c++ {
			for _, team := range Teams {
				if g.s.Sprints.Step == StepPlanning {
					do(player(byTeam[teamKey(c, team)]), "plan.ready", map[string]bool{"ready": true})
				}
			}
		}
		if g.s.Sprints.Step == StepIncident {
			incidents++
			g.now += 45_000 // the teams think for 45 s
			for c := 1; c <= 2; c++ {
				co := g.s.Sprints.company(c)
				if co.Pending == nil {
					continue
				}
				in := g.e.scenario(g.s).Incident(co.Pending.ID)
				for _, r := range in.Responses {
					key := teamKey(c, r.Team)
					if g.s.Sprints.Step == StepIncident && g.s.Sprints.Responses[key] == "" {
						do(player(byTeam[key]), "incident.respond", map[string]string{"responseId": r.ID})
					}
				}
			}
		}
		if g.s.Sprints.Step != StepReview {
			t.Fatalf("sprint %d: expected the review, got %s", sprint, g.s.Sprints.Step)
		}
		for c := 1; c <= 2; c++ {
			co := g.s.Sprints.company(c)
			for i, ir := range co.Incidents {
				if ir.Resolved && !ir.Postmortem {
					do(player(byTeam[teamKey(c, TeamOps)]), "postmortem.submit", map[string]any{"incident": i,
						"whatHappened": "It broke", "why": "No alert", "change": "Add monitoring"})
				}
			}
		}
		do(fac, "phase.next", nil)
	}
	t.Logf("%d sprints with an incident", incidents)

	// Debate.
	if g.s.CurrentPhase().Kind != KindDebate {
		t.Fatalf("expected the debate, got %s", g.s.CurrentPhase().Kind)
	}
	do(fac, "motion.set", map[string]string{"motionId": g.e.scenario(g.s).Debates[0].ID})
	do(fac, "motion.open", map[string]string{"stage": "before"})
	for _, id := range ids {
		do(player(id), "motion.vote", map[string]string{"vote": "against"})
	}
	do(fac, "motion.close", nil)
	for range g.s.Debate.Order {
		cur, _ := g.s.Debate.presenter()
		var asker string
		for _, id := range ids {
			if p := g.s.Players[id]; (Slot{p.Company, p.Team}) != cur {
				asker = id
				break
			}
		}
		qid := do(player(asker), "question.ask", map[string]string{"text": "Why?"}).Result["questionId"].(string)
		for _, id := range ids {
			if p := g.s.Players[id]; (Slot{p.Company, p.Team}) != cur && id != asker {
				do(player(id), "question.upvote", map[string]string{"questionId": qid})
				do(player(id), "rating.submit", map[string]int{"clarity": 4, "relevance": 3, "collaboration": 5})
			}
		}
		do(fac, "question.take", map[string]string{"questionId": qid})
		do(fac, "phase.next", nil)
	}
	do(fac, "debate.bonus", map[string]any{"company": 1, "team": "qa", "points": 5})
	if g.s.CurrentPhase().Kind != KindRetro {
		// The last "next" of the debate moved on to the retrospective.
		t.Fatalf("expected the retrospective, got %s", g.s.CurrentPhase().Kind)
	}
	do(fac, "phase.next", nil)
	if g.s.Status != StatusFinished {
		t.Fatalf("the game should be over, status %s", g.s.Status)
	}
	return g
}

func TestWholeGameUpdatesMatchSnapshots(t *testing.T) {
	var g *tgame
	var trackers []*viewTracker
	setup := func(gg *tgame, ids []string) {
		g = gg
		for _, a := range []Actor{fac, proj, player(ids[0]), player(ids[1]), player(ids[5])} {
			trackers = append(trackers, track(t, g.e, g.s, a))
		}
	}
	check := func(step string, ch *Change) {
		for _, vt := range trackers {
			vt.apply(t, g.e, g.s, ch)
			vt.check(t, g.e, g.s, step)
		}
	}
	g = playWholeGame(t, setup, check)
	// The report has every company ranked and the finished game's results.
	r := g.e.Results(g.s)
	if len(r.Ranking.Companies) != 2 || len(r.Ranking.Teams) != 8 {
		t.Fatalf("ranking: %+v", r.Ranking)
	}
}

func TestWholeGameIsDeterministic(t *testing.T) {
	play := func() []byte {
		g := playWholeGame(t, func(*tgame, []string) {}, func(string, *Change) {})
		b, err := json.Marshal(g.s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := play(), play()
	if string(a) != string(b) {
		t.Fatal("two plays of the same commands gave different states")
	}
	if !strings.Contains(string(a), `"status":"finished"`) {
		t.Fatal("the game did not finish")
	}
}

func TestSiloModeHidesPlansInTheFirstSprintOnly(t *testing.T) {
	m := newMatrixGame(t)
	m.to(KindSprints)
	dev, ops, other := m.actors[rOwner], m.actors[rTeam], m.actors[rCompany]
	m.must(dev, "plan.set", map[string]any{"actions": pickPlan(m.e, m.s, 1, TeamDev)})
	sees := func(a Actor, key string) bool {
		_, ok := m.e.Doc(m.s, m.s.ViewerOf(a), key)
		return ok
	}
	if !m.s.silo() || sees(ops, "plan/1/dev") || !sees(dev, "plan/1/dev") || !sees(fac, "plan/1/dev") {
		t.Fatal("in silo mode only the team and the facilitator see a plan")
	}
	m.must(fac, "phase.next", nil) // resolve sprint 1
	if m.s.Sprints.Step == StepIncident {
		m.must(fac, "phase.next", nil)
	}
	m.must(fac, "phase.next", nil) // sprint 2 planning
	if m.s.silo() || !sees(ops, "plan/1/dev") || sees(other, "plan/1/dev") || sees(proj, "plan/1/dev") {
		t.Fatal("from sprint 2, plans are shared inside the company, never with other companies")
	}
}

func TestConcurrentWorksheetEditsLoseNothing(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	a := g.join("ana", TeamDev)
	b := g.join("bob", TeamDev)
	g.must(fac, "game.start", nil)
	g.must(fac, "phase.next", nil) // study
	c1 := g.must(player(a), "card.add", map[string]string{"kind": "finding", "text": "one"}).Result["cardId"].(string)
	c2 := g.must(player(b), "card.add", map[string]string{"kind": "challenge", "text": "two"}).Result["cardId"].(string)
	// Both edit different cards at the same moment: both edits stay.
	g.must(player(a), "card.edit", map[string]any{"cardId": c1, "rev": 1, "text": "one, edited by ana"})
	g.must(player(b), "card.edit", map[string]any{"cardId": c2, "rev": 1, "text": "two, edited by bob"})
	// Both edit the same card from revision 2: the second is refused with
	// the name of who changed it, and the first edit is kept.
	g.must(player(a), "card.edit", map[string]any{"cardId": c1, "rev": 2, "text": "ana again"})
	e := g.fails(EConflict, player(b), "card.edit", map[string]any{"cardId": c1, "rev": 2, "text": "bob's version"})
	if !strings.Contains(e.Message, "ana changed this card") {
		t.Fatalf("the refusal should say who changed the card: %q", e.Message)
	}
	if g.s.Study.Cards[c1].Text != "ana again" || g.s.Study.Cards[c2].Text != "two, edited by bob" {
		t.Fatalf("cards: %q, %q", g.s.Study.Cards[c1].Text, g.s.Study.Cards[c2].Text)
	}
}
