package sim

import "devopschallenge/game/rules"

// Balanced plays DevOps: the four teams plan together, attack the
// bottleneck of the value stream they measure (and the prerequisites of
// what would fix it), shore up stability where the DORA tiers are weak,
// acquire a capability only when it is worth its cost and its upkeep over
// the sprints left, prepare for an announced peak, keep shipping features
// with the capacity left, respond fast to incidents and write blameless
// post-mortems. A little randomness varies its path from game to game.
type Balanced struct{}

// Name implements Strategy.
func (Balanced) Name() string { return "balanced-devops" }

// Plan implements Strategy.
func (Balanced) Plan(g *Game) map[string][]string { return planBalanced(g, true) }

// Respond implements Strategy.
func (Balanced) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	return bestResponses(g, a), 15 + 25*noise(g, "respond", "")
}

// WritesPostmortems implements Strategy.
func (Balanced) WritesPostmortems(*Game) bool { return true }

// pointValue is what a point of a team's capacity is worth, in company
// score: Dev's would ship features, PM's make them worth more, Ops' and
// QA's buy the other capabilities (Ops' are the scarcest).
var pointValue = map[string]float64{"dev": 12, "ops": 5, "qa": 3, "pm": 6}

// balancedPlan is one sprint's planning of balanced play.
type balancedPlan struct {
	g            *Game
	p            *planner
	left         int // sprints left, this one included
	skip         map[string]bool
	features     map[string]bool
	withFeatures bool
	usual        []string       // the sprint's usual feature work
	need         map[string]int // the capacity it takes, per team
	proj         *rules.Projector
	risk         riskValue
}

// planBalanced plans a sprint of balanced play: preparation for an
// announced peak, capabilities worth their cost, quality one-offs, then
// (withFeatures) features with the capacity left.
func planBalanced(g *Game, withFeatures bool) map[string][]string {
	b := &balancedPlan{g: g, p: newPlanner(g), left: g.Sprints - g.C.Sprint, withFeatures: withFeatures, need: map[string]int{}}
	b.skip, b.features = focus(g)
	b.prepare()
	if withFeatures {
		b.usual, b.need = usualFeatures(g, b.features, nil)
	}
	proj, err := rules.NewProjector(g.Scn, g.C, b.usual)
	if err != nil {
		return b.p.plans
	}
	b.proj, b.risk = proj, riskValues(g, b.left)
	b.capabilities()
	b.oneOffs()
	if withFeatures {
		// Features with what is left, those that build the most per point first.
		for _, a := range featureOrder(g, b.features) {
			if b.p.available(a) {
				b.p.take(a)
			}
		}
	}
	return b.p.plans
}

// prepare takes, when an incident is announced, the actions that exist
// only to be tested by one (no capability, no effect): preparing for the
// peak.
func (b *balancedPlan) prepare() {
	if !anyComing(b.g) {
		return
	}
	for _, a := range b.g.Scn.Actions {
		if a.Grants == "" && len(a.Effects) == 0 && !b.skip[a.ID] && b.p.available(a) {
			b.p.take(a)
		}
	}
}

// weight is what points of a team's capacity cost now: Dev's and PM's
// points beyond what their features need are cheap, the others cost the
// features they would not ship.
func (b *balancedPlan) weight(team string, points int) float64 {
	cheap := min(points, max(b.p.left[team]-b.need[team], 0))
	return float64(cheap)*2 + float64(points-cheap)*pointValue[team]
}

// capabilities acquires capabilities, one at a time: each one is worth
// what the company expects it to add to its score over the sprints it
// would be in force (projected with the rules engine, with the usual
// feature work, plus the incidents it would spare), against what it
// costs, upkeep included. A capability that needs others first is weighed
// with them. The one that adds most, net of its cost, is taken first,
// and the others are weighed again with it.
func (b *balancedPlan) capabilities() {
	picked := map[string]bool{}
	cands := b.bargains()
	base := b.proj.With().Score
	for {
		var best *bargain
		bestNet := 0.0
		for _, cd := range cands {
			a := cd.action
			if picked[a.Grants] || !b.p.available(a) || b.p.grantsPicked(a) {
				continue
			}
			cost := cd.laterCost
			for _, t := range a.Teams {
				cost += b.weight(t, a.Cost)
			}
			gain := cd.gain(b.proj, base, picked) * (0.9 + 0.2*noise(b.g, "pick", a.ID))
			if gain > 1.2*cost && (best == nil || gain-cost > bestNet) {
				best, bestNet = cd, gain-cost
			}
		}
		if best == nil {
			return
		}
		b.p.take(best.action)
		picked[best.action.Grants] = true
		b.proj.Add(best.action.Grants)
		base = b.proj.With().Score
	}
}

// oneOffs takes the one-off actions that keep quality up: paying down
// debt when it drags, fixing bugs while the failure rate is not high.
func (b *balancedPlan) oneOffs() {
	g, p := b.g, b.p
	obs := g.Observed()
	for _, a := range g.Scn.Actions {
		if a.Grants != "" || a.Joint() || !a.HasTag("devops") || a.HasTag("feature") || b.skip[a.ID] || harmful(a) || !p.available(a) {
			continue
		}
		if reducesDebt(a) && g.C.Debt < 35 {
			continue
		}
		if !reducesDebt(a) && obs.Tiers.ChangeFailureRate.Points() >= 2 {
			continue
		}
		p.take(a)
	}
}

// anyComing reports whether an incident is announced for the sprints
// left.
func anyComing(g *Game) bool { return len(rules.Upcoming(g.Scn, g.C, g.Sprints)) > 0 }

// reducesDebt reports whether an action pays down technical debt.
func reducesDebt(a *rules.Action) bool {
	for _, e := range a.Effects {
		if v, ok := e.Value().Constant(); ok && e.Target == "debt" && e.Op() == "add" && v < 0 {
			return true
		}
	}
	return false
}

// harmful is true for an action with a side effect a DevOps company
// avoids: more failures, more work in progress, a wider blast radius or a
// lot of new debt.
func harmful(a *rules.Action) bool {
	for _, e := range a.Effects {
		v, ok := e.Value().Constant()
		if !ok {
			continue
		}
		worse := (e.Op() == "add" && v > 0) || (e.Op() == "mul" && v > 1)
		switch e.Target {
		case "failureRate", "wip", "blastRadius":
			if worse {
				return true
			}
		case "debt":
			if e.Op() == "add" && v >= 3 {
				return true
			}
		}
	}
	return false
}
