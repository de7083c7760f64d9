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

// playWholeGame plays the shared playbook (internal/playbook) with two
// companies and eight players; setup runs once everyone has joined, and
// check after every command from then on.
func playWholeGame(t *testing.T, setup func(g *tgame, ids []string), check func(step string, ch *Change)) *tgame {
	g := newTestGame(t, Settings{Companies: 2, Assignment: "auto"}, nil)
	var ids []string
	for i := 0; i < 8; i++ {
		ids = append(ids, g.join(fmt.Sprintf("player%d", i), ""))
	}
	setup(g, ids)
	PlayWholeGame(&TestTable{g: g, ids: ids, check: check})
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
