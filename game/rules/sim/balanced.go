package sim

import (
	"cmp"
	"slices"
	"strings"

	"devopschallenge/game/rules"
)

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

// featureOrder lists the preferred feature actions, those that build the
// most feature points per point of capacity first (ties in an order drawn
// for the sprint).
func featureOrder(g *Game, features map[string]bool) []*rules.Action {
	var feats []*rules.Action
	for _, a := range g.Scn.Actions {
		if features[a.ID] && !a.Joint() {
			feats = append(feats, a)
		}
	}
	yield := func(a *rules.Action) float64 {
		for _, e := range a.Effects {
			if v, ok := e.Value().Constant(); ok && e.Target == "features" && e.Op() == "add" {
				return v / float64(a.Cost)
			}
		}
		return 0
	}
	slices.SortStableFunc(feats, func(x, y *rules.Action) int {
		return cmp.Or(cmp.Compare(yield(y), yield(x)), cmp.Compare(noise(g, "feature", x.ID), noise(g, "feature", y.ID)))
	})
	return feats
}

// opensFeatures reports whether owning the chain would make a preferred
// feature action available that is not now.
func opensFeatures(g *Game, features map[string]bool, chain []string) bool {
	for id := range features {
		a := g.Scn.Action(id)
		missing := rules.MissingPrerequisites(g.Scn, g.C, a)
		if len(missing) == 0 {
			continue
		}
		all := true
		for _, r := range missing {
			all = all && slices.Contains(chain, r)
		}
		if all {
			return true
		}
	}
	return false
}

// usualFeatures is the feature work the teams would do in a sprint if they
// owned the extra capabilities too, and the capacity it takes per team.
func usualFeatures(g *Game, features map[string]bool, extra []string) ([]string, map[string]int) {
	need := map[string]int{}
	var out []string
	for _, a := range featureOrder(g, features) {
		ok := true
		for _, r := range rules.MissingPrerequisites(g.Scn, g.C, a) {
			ok = ok && slices.Contains(extra, r)
		}
		if t := a.Teams[0]; ok && need[t]+a.Cost <= rules.Capacity(g.Scn, g.C, t) {
			need[t] += a.Cost
			out = append(out, a.ID)
		}
	}
	return out, need
}

// bargain is a capability to acquire now, with the chain of capabilities
// that makes it worth it (itself and those that need it first).
type bargain struct {
	action    *rules.Action
	chain     []string
	perSprint float64 // risk spared per sprint by the chain, and what it adds with the rest of the catalogue
	inForce   int     // sprints the whole chain would count
	laterCost float64 // the rest of the chain and the upkeep
	ratio     float64
}

// gain projects what the chain adds to the company score over the sprints
// it would be in force.
func (b *bargain) gain(proj *rules.Projector, base float64, picked map[string]bool) float64 {
	var chain []string
	for _, id := range b.chain {
		if !picked[id] {
			chain = append(chain, id)
		}
	}
	return (proj.With(chain...).Score - base + b.perSprint) * float64(b.inForce)
}

// cheapest is the cheapest action that grants the capability and its
// weighed cost, now (available this sprint, at this sprint's prices) or
// later (at the usual prices). The company plans with the catalogue it
// believes in: a variant's prohibition only refuses the action when it is
// picked (planner.available), so that forbidding a capability changes
// nothing until it would be picked.
func (b *balancedPlan) cheapest(capability string, now bool) (*rules.Action, float64) {
	var best *rules.Action
	bestCost := 0.0
	for _, a := range b.g.Scn.Granting(capability) {
		if !a.HasTag("devops") || b.skip[a.ID] || (now && !b.p.available(a)) {
			continue
		}
		cost := 0.0
		for _, t := range a.Teams {
			if now {
				cost += b.weight(t, a.Cost)
			} else {
				cost += pointValue[t] * float64(a.Cost)
			}
		}
		if best == nil || cost < bestCost {
			best, bestCost = a, cost
		}
	}
	return best, bestCost
}

// reach lists the capabilities the company lacks and could acquire.
func (b *balancedPlan) reach() []string {
	var out []string
	for _, cp := range b.g.Scn.Capabilities {
		if b.g.C.Owns(cp.ID) {
			continue
		}
		ok := true
		for _, id := range missingChain(b.g.Scn, b.g.C, cp.ID) {
			if a, _ := b.cheapest(id, false); a == nil {
				ok = false
			}
		}
		if ok {
			out = append(out, cp.ID)
		}
	}
	return out
}

// bargains lists, best first, the capabilities the company can acquire
// this sprint, each weighed with the best chain it starts.
//
// The theory of constraints makes capabilities complements: speeding up
// one stage is worth little until the next slowest one is fast too. So a
// capability is also weighed by what the company would lose without it
// if it acquired everything else it can reach (half of it, as a bonus).
func (b *balancedPlan) bargains() []*bargain {
	scn, c := b.g.Scn, b.g.C
	base := b.proj.With().Score
	reach := b.reach()
	all := b.proj.With(reach...).Score
	best := map[string]*bargain{}
	for _, cp := range scn.Capabilities {
		if c.Owns(cp.ID) {
			continue
		}
		chain := missingChain(scn, c, cp.ID)
		inForce := b.left - (len(chain) - 1)
		if inForce <= 0 {
			continue
		}
		plain := b.proj.With(chain...).Score - base
		single := b.chainGain(chain, plain+base) - base
		perSprint := 0.0
		if slices.Contains(reach, cp.ID) {
			var others []string
			for _, id := range reach {
				if id != cp.ID && !slices.Contains(scn.Dependents(cp.ID), id) {
					others = append(others, id)
				}
			}
			perSprint = max(0, 0.5*(all-b.proj.With(others...).Score)-plain)
		}
		b.offer(best, chain, single, perSprint, inForce)
	}
	out := make([]*bargain, 0, len(best))
	for _, x := range best {
		out = append(out, x)
	}
	slices.SortFunc(out, func(x, y *bargain) int {
		return cmp.Or(cmp.Compare(y.ratio, x.ratio), strings.Compare(x.action.ID, y.action.ID))
	})
	return out
}

// chainGain projects the company score with the chain (plain, without
// new feature work), and with the new
// feature work it opens (a capability that unlocks a better feature
// action changes the usual sprint).
func (b *balancedPlan) chainGain(chain []string, plain float64) float64 {
	g := b.g
	if b.withFeatures && opensFeatures(g, b.features, chain) {
		if more, _ := usualFeatures(g, b.features, chain); len(more) > 0 && !slices.Equal(more, b.usual) {
			if other, err := rules.NewProjector(g.Scn, g.C, more); err == nil {
				return other.With(chain...).Score
			}
		}
	}
	return plain
}

// offer records, for each action that starts the chain now, the chain's
// worth per point of cost if it is the best one so far.
func (b *balancedPlan) offer(best map[string]*bargain, chain []string, single, perSprint float64, inForce int) {
	scn, c := b.g.Scn, b.g.C
	later, upkeep := 0.0, 0.0
	var first []*rules.Action
	for _, id := range chain {
		perSprint += b.risk.spared[id]
		for t, u := range scn.Capability(id).Upkeep {
			upkeep += float64(u*inForce) * max(2, pointValue[t])
		}
		if a, _ := b.cheapest(id, true); a != nil && len(rules.MissingPrerequisites(scn, c, a)) == 0 {
			first = append(first, a)
		} else if a, cost := b.cheapest(id, false); a != nil {
			later += cost
		} else {
			return
		}
	}
	gain := (single + perSprint) * float64(inForce)
	for _, a := range first {
		_, now := b.cheapest(a.Grants, true)
		rest := later + upkeep
		for _, o := range first {
			if o != a {
				_, x := b.cheapest(o.Grants, true)
				rest += x
			}
		}
		ratio := gain / (now + rest)
		if cur := best[a.ID]; cur == nil || ratio > cur.ratio {
			best[a.ID] = &bargain{action: a, chain: chain, perSprint: perSprint, inForce: inForce, laterCost: rest, ratio: ratio}
		}
	}
}

// missingChain is the capability and every prerequisite it still needs,
// prerequisites first.
func missingChain(scn *rules.Scenario, c *rules.Company, id string) []string {
	var out []string
	var visit func(string)
	visit = func(id string) {
		if c.Owns(id) || slices.Contains(out, id) {
			return
		}
		for _, r := range scn.Capability(id).Requires {
			visit(r)
		}
		out = append(out, id)
	}
	visit(id)
	return out
}

func anyComing(g *Game) bool { return len(rules.Upcoming(g.Scn, g.C, g.Sprints)) > 0 }

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

// focus draws, once per game, the actions the company will not consider
// (each with a chance of one in sixteen: every company has its blind
// spots) and the feature actions it prefers: all the small ones that build
// features but one, and each other feature action with a chance of two in
// three. So paths to success differ from game to game, and no action is in
// every plan.
func focus(g *Game) (skip, features map[string]bool) {
	rng := newRng(g.Seed, "balanced-focus")
	skip, features = map[string]bool{}, map[string]bool{}
	var builders []string
	for _, a := range g.Scn.Actions {
		if rng.IntN(16) == 0 {
			skip[a.ID] = true
		}
		if !a.HasTag("feature") || a.HasTag("speed") || harmful(a) {
			continue
		}
		if buildsFeatures(a) && len(a.Requires) == 0 {
			builders = append(builders, a.ID)
			features[a.ID] = true
		} else if rng.IntN(3) > 0 {
			features[a.ID] = true
		}
	}
	if len(builders) > 1 {
		delete(features, builders[rng.IntN(len(builders))])
	}
	return skip, features
}

func buildsFeatures(a *rules.Action) bool {
	for _, e := range a.Effects {
		if v, ok := e.Value().Constant(); ok && e.Target == "features" && e.Op() == "add" && v > 0 {
			return true
		}
	}
	return false
}

// Score weights the strategy uses to price an incident: an hour of
// downtime, an hour of exposure, a point of capacity lost by Dev and Ops.
const (
	downtimeCost = 2
	exposureCost = 1
	loadCost     = 17
)

// riskValue is what incidents are expected to cost the company per sprint,
// and what each capability would spare of it.
type riskValue struct {
	spared map[string]float64 // per sprint, one-off incidents spread
	load   float64            // expected aftermath, priced
}

func riskValues(g *Game, left int) riskValue {
	scn, c := g.Scn, g.C
	rv := riskValue{spared: map[string]float64{}}
	model := rules.NewRiskModel(scn, c, g.Sprints)
	cost := func(r rules.IncidentRisk) float64 {
		return r.Chance * (r.DowntimeMinutes/60*downtimeCost + r.ExposureMinutes/60*exposureCost)
	}
	// Incidents that may strike next sprint, and those in the calendar,
	// at their own sprint (spread over the sprints left).
	calendar := rules.Calendar(scn, c, g.Sprints)
	for _, in := range scn.Incidents {
		sprint, spread := c.Sprint+1, 1.0
		if in.Announce {
			if calendar[in.ID] == 0 {
				continue
			}
			sprint, spread = calendar[in.ID], 1/float64(max(left, 1))
		}
		base, err := model.Risk(in.ID, "", sprint)
		if err != nil {
			continue
		}
		rv.load += base.Chance * float64(base.Load) * loadCost * spread
		for _, id := range scn.Mentions()[in.ID] {
			if c.Owns(id) {
				continue
			}
			if with, err := model.Risk(in.ID, id, sprint); err == nil {
				rv.spared[id] += max(0, cost(base)-cost(with)) * spread
			}
		}
	}
	return rv
}
