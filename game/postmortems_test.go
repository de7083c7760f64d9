package game

import (
	"encoding/json"
	"testing"

	"devopschallenge/game/rules"
)

// blackFridayGame plays a one-company game of two sprints up to the review
// of sprint 1, whose Black Friday (the sprint before the last) struck.
func blackFridayGame(t *testing.T) (*tgame, map[string]string) {
	g := newTestGame(t, Settings{Companies: 1, Assignment: "choice"}, []Phase{{Kind: KindLobby},
		{Kind: KindSprints, Minutes: 5, Sprints: 2, IncidentMinutes: 2}, {Kind: KindRetro}})
	ids := map[string]string{}
	for _, team := range Teams {
		ids[team] = g.join("p-"+team, team)
	}
	g.must(fac, "game.start", nil)
	if g.s.Sprints.Step != StepPlanning {
		t.Fatalf("step %s", g.s.Sprints.Step)
	}
	return g, ids
}

func docJSON[T any](t *testing.T, g *tgame, a Actor, key string) T {
	t.Helper()
	d, ok := g.e.Doc(g.s, g.s.ViewerOf(a), key)
	if !ok {
		t.Fatalf("%s cannot see %s", a.Role, key)
	}
	raw, _ := json.Marshal(d)
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBlackFridayIsAnnouncedToTheTeams(t *testing.T) {
	g, ids := blackFridayGame(t)
	co := docJSON[CompanyDoc](t, g, player(ids["ops"]), "company/1")
	if len(co.Upcoming) != 1 || co.Upcoming[0].Incident != "black_friday" || co.Upcoming[0].Sprint != 1 {
		t.Fatalf("planning sprint 1 of 2: upcoming %+v", co.Upcoming)
	}
	for _, team := range Teams {
		g.must(player(ids[team]), "plan.ready", map[string]bool{"ready": true})
	}
	if g.s.Sprints.Step != StepIncident || g.s.Sprints.company(1).Pending.ID != "black_friday" {
		t.Fatalf("Black Friday did not strike: %s", g.s.Sprints.Step)
	}
}

// Without monitoring or a DORA dashboard, the company's own players and the
// projector see estimates; without value stream mapping, no bottleneck.
// The facilitator sees the exact figures.
func TestFiguresAreEstimatesWithoutMeasurement(t *testing.T) {
	g, ids := blackFridayGame(t)
	exact := docJSON[CompanyDoc](t, g, fac, "company/1")
	seen := docJSON[CompanyDoc](t, g, player(ids["dev"]), "company/1")
	screen := docJSON[CompanyDoc](t, g, proj, "company/1")
	e, s := exact.History[0], seen.History[0]
	if !exact.Exact || seen.Exact || e.Metrics.LeadTimeHours == s.Metrics.LeadTimeHours || s.Metrics.LeadTimeHours != rules.Estimate(e.Metrics.LeadTimeHours) {
		t.Errorf("lead time: facilitator %v, player %v", e.Metrics.LeadTimeHours, s.Metrics.LeadTimeHours)
	}
	if s.Metrics.Bottleneck != "" || e.Metrics.Bottleneck == "" || s.Measured == nil || s.Measured.Stream || s.Measured.DORA {
		t.Errorf("bottleneck: facilitator %q, player %q, measured %+v", e.Metrics.Bottleneck, s.Metrics.Bottleneck, s.Measured)
	}
	if screen.History[0].Metrics != s.Metrics {
		t.Errorf("the projector sees more than the players: %+v", screen.History[0].Metrics)
	}
}

func TestPostmortemNeedsTheFacilitator(t *testing.T) {
	g, ids := blackFridayGame(t)
	for _, team := range Teams {
		g.must(player(ids[team]), "plan.ready", map[string]bool{"ready": true})
	}
	g.must(fac, "phase.next", nil) // close the incident response
	if g.s.Sprints.Step != StepReview {
		t.Fatalf("step %s", g.s.Sprints.Step)
	}
	ops := player(ids["ops"])
	before := g.s.Sprints.company(1).Learning
	g.must(ops, "postmortem.submit", map[string]any{"incident": 0, "whatHappened": "The shop fell over", "why": "No load test", "change": "Load test before peaks"})
	pm := docJSON[Postmortem](t, g, player(ids["dev"]), "postmortem/1/0")
	if pm.Status != PostmortemSubmitted || g.s.Sprints.company(1).Learning != before || g.s.Sprints.company(1).Incidents[0].Postmortem {
		t.Fatalf("a submitted post-mortem earned its bonus before review: %+v", pm)
	}
	g.fails(EForbidden, ops, "postmortem.review", map[string]any{"company": 1, "incident": 0, "accept": true})
	g.fails(EInvalid, fac, "postmortem.review", map[string]any{"company": 1, "incident": 0, "accept": false})
	g.fails(ENotFound, fac, "postmortem.review", map[string]any{"company": 1, "incident": 3, "accept": true})
	g.must(fac, "postmortem.review", map[string]any{"company": 1, "incident": 0, "accept": false, "comment": "Why was there no load test?"})
	pm = docJSON[Postmortem](t, g, ops, "postmortem/1/0")
	if pm.Status != PostmortemReturned || pm.Comment != "Why was there no load test?" || g.s.Sprints.company(1).Learning != before {
		t.Fatalf("sent back: %+v", pm)
	}
	g.fails(EConflict, fac, "postmortem.review", map[string]any{"company": 1, "incident": 0, "accept": true})
	g.must(ops, "postmortem.submit", map[string]any{"incident": 0, "whatHappened": "The shop fell over", "why": "Nobody owned capacity planning", "change": "Load test before peaks"})
	g.must(fac, "postmortem.review", map[string]any{"company": 1, "incident": 0, "accept": true})
	pm = docJSON[Postmortem](t, g, proj, "postmortem/1/0")
	co := g.s.Sprints.company(1)
	if pm.Status != PostmortemAccepted || pm.Learning <= 0 || co.Learning != before+pm.Learning || !co.Incidents[0].Postmortem || pm.Text.FR == "" {
		t.Fatalf("accepted: %+v, learning %v → %v", pm, before, co.Learning)
	}
	g.fails(EConflict, ops, "postmortem.submit", map[string]any{"incident": 0, "whatHappened": "a", "why": "b", "change": "c"})
	g.fails(EConflict, fac, "postmortem.review", map[string]any{"company": 1, "incident": 0, "accept": true})
}
