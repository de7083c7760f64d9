package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"devopschallenge/game/rules"
)

// The strategies read only the scenario's data (tags, effects,
// prerequisites), so they play any scenario, not just the E-commerce
// Platform.

// Random picks random actions for each team, answers incidents at random
// and writes a post-mortem one time in two.
type Random struct{}

// Name implements Strategy.
func (Random) Name() string { return "random" }

// Plan implements Strategy.
func (Random) Plan(g *Game) map[string][]string {
	p := newPlanner(g)
	for _, t := range rules.Teams {
		cat := slices.Clone(g.Scn.Catalogue(t))
		g.Rng.Shuffle(len(cat), func(i, j int) { cat[i], cat[j] = cat[j], cat[i] })
		for _, a := range cat {
			if p.canFor(t, a) && g.Rng.IntN(2) == 0 {
				p.takeFor(t, a)
			}
		}
	}
	return p.plans
}

// Respond implements Strategy.
func (Random) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	out := map[string]string{}
	for _, t := range rules.Teams {
		if opts := a.Options[t]; len(opts) > 0 {
			out[t] = opts[g.Rng.IntN(len(opts))].ID
		}
	}
	return out, 20 + 70*g.Rng.Float64()
}

// WritesPostmortems implements Strategy.
func (Random) WritesPostmortems(g *Game) bool { return g.Rng.IntN(2) == 0 }

// Silos lets each team maximise its own team score, as if it planned alone
// behind the wall of confusion: it tries each of its actions on a copy of
// the company and keeps those that raise its own score most per point of
// capacity. A joint action never pays off for a team alone, so none
// happens.
type Silos struct{}

// Name implements Strategy.
func (Silos) Name() string { return "silos" }

// Plan implements Strategy. Its choices depend only on the company's state,
// so games of one run that reach the same state share them.
func (s Silos) Plan(g *Game) map[string][]string {
	if g.memo == nil {
		return s.plan(g)
	}
	key := stateKey(g.C)
	if v, ok := g.memo.Load(key); ok {
		return clonePlans(v.(map[string][]string))
	}
	plans := s.plan(g)
	g.memo.Store(key, clonePlans(plans))
	return plans
}

func clonePlans(p map[string][]string) map[string][]string {
	out := make(map[string][]string, len(p))
	for t, ids := range p {
		out[t] = slices.Clone(ids)
	}
	return out
}

// stateKey describes everything of a company that a sprint's scores
// depend on (the seed only decides incidents, drawn after scoring).
func stateKey(c *rules.Company) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%v|%v|%v|%v|%d|%d|%+v|", c.Sprint, c.Capabilities, c.Debt, c.Learning, c.Inventory,
		c.Collaboration, c.Postmortems, c.Last().Metrics)
	for _, t := range rules.Teams {
		fmt.Fprintf(&b, "%d,", c.Unplanned[t])
	}
	ids := make([]string, 0, len(c.Seen))
	for id := range c.Seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "%s=%d,", id, c.Seen[id])
	}
	return b.String()
}

func (Silos) plan(g *Game) map[string][]string {
	p := newPlanner(g)
	next := g.C.Sprint + 1
	try := func(plans map[string][]string) *rules.SprintRecord {
		_, r, err := rules.ResolveSprint(g.Scn, g.C, rules.SprintInput{Sprint: next, Seed: g.Seed, Plans: plans, Quick: true})
		if err != nil {
			return nil
		}
		return &r.Record
	}
	base := try(nil)
	if base == nil {
		return p.plans
	}
	for _, t := range rules.Teams {
		type cand struct {
			a    *rules.Action
			gain float64
		}
		var cands []cand
		for _, a := range g.Scn.Catalogue(t) {
			if a.Joint() || !p.canFor(t, a) {
				continue
			}
			r := try(map[string][]string{t: {a.ID}})
			if r == nil {
				continue
			}
			if gain := r.Score.Teams[t] - base.Score.Teams[t]; gain > 1e-9 {
				cands = append(cands, cand{a, gain / float64(a.Cost)})
			}
		}
		slices.SortStableFunc(cands, func(x, y cand) int { return cmp.Compare(y.gain, x.gain) })
		for _, c := range cands {
			if p.canFor(t, c.a) && !p.grantsPicked(c.a) {
				p.takeFor(t, c.a)
			}
		}
	}
	return p.plans
}

// Respond implements Strategy.
func (Silos) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	return bestResponses(g, a), 30 + 30*g.Rng.Float64()
}

// WritesPostmortems implements Strategy.
func (Silos) WritesPostmortems(*Game) bool { return false }

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

func planBalanced(g *Game, withFeatures bool) map[string][]string {
	scn, c := g.Scn, g.C
	p := newPlanner(g)
	obs := g.Observed()
	left := g.Sprints - c.Sprint
	skip, features := focus(g)

	// Prepare for an announced peak: the actions that exist only to be
	// tested by an incident (no capability, no effect).
	if anyComing(g) {
		for _, a := range scn.Actions {
			if a.Grants == "" && len(a.Effects) == 0 && !skip[a.ID] && p.available(a) {
				p.take(a)
			}
		}
	}

	// Capabilities: each one is worth what the company expects it to add
	// to its score over the sprints it would be in force (projected with
	// the rules engine, with the usual feature work, plus the incidents it
	// would spare), against what it costs, upkeep included. A capability
	// that needs others first is weighed with them. What a point of
	// capacity costs depends on what the team would do with it: Dev's and
	// PM's points beyond what their features need are cheap, the others
	// cost the features they would not ship.
	var usual []string
	need := map[string]int{}
	if withFeatures {
		usual, need = usualFeatures(g, features, nil)
	}
	weight := func(team string, points int) float64 {
		cheap := min(points, max(p.left[team]-need[team], 0))
		return float64(cheap)*2 + float64(points-cheap)*pointValue[team]
	}
	proj, err := rules.NewProjector(scn, c, usual)
	if err != nil {
		return p.plans
	}
	risk := riskValues(g, left)
	picked := map[string]bool{}
	cands := bargains(g, p, proj, risk, skip, weight, picked, left, features, withFeatures, usual)
	base := proj.With().Score
	for {
		// The candidate that adds most, net of its cost, weighed again
		// with what was picked before it.
		var best *bargain
		bestNet := 0.0
		for _, cd := range cands {
			a := cd.action
			if picked[a.Grants] || !p.available(a) || p.grantsPicked(a) {
				continue
			}
			cost := cd.laterCost
			for _, t := range a.Teams {
				cost += weight(t, a.Cost)
			}
			gain := cd.gain(proj, base, picked) * (0.9 + 0.2*noise(g, "pick", a.ID))
			if gain > 1.2*cost && (best == nil || gain-cost > bestNet) {
				best, bestNet = cd, gain-cost
			}
		}
		if best == nil {
			break
		}
		p.take(best.action)
		picked[best.action.Grants] = true
		proj.Add(best.action.Grants)
		base = proj.With().Score
	}

	// One-off actions that keep quality up.
	for _, a := range scn.Actions {
		if a.Grants != "" || a.Joint() || !a.HasTag("devops") || a.HasTag("feature") || skip[a.ID] || harmful(a) || !p.available(a) {
			continue
		}
		if reducesDebt(a) && c.Debt < 35 {
			continue
		}
		if !reducesDebt(a) && obs.Tiers.ChangeFailureRate.Points() >= 2 {
			continue
		}
		p.take(a)
	}
	if !withFeatures {
		return p.plans
	}

	// Features with what is left, those that build the most per point first.
	for _, a := range featureOrder(g, features) {
		if p.available(a) {
			p.take(a)
		}
	}
	return p.plans
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

// bargains lists, best first, the capabilities the company can acquire
// this sprint, each weighed with the best chain it starts.
func bargains(g *Game, p *planner, proj *rules.Projector, risk riskValue, skip map[string]bool, weight func(string, int) float64, picked map[string]bool, left int, features map[string]bool, withFeatures bool, usual []string) []*bargain {
	scn, c := g.Scn, g.C
	// cheapest is the cheapest action that grants the capability; believed
	// ignores what a variant forbids (an experiment, not the company's
	// belief about its catalogue), so that forbidding one capability
	// changes nothing until it would be picked.
	cheapestOf := func(capability string, now, believed bool) (*rules.Action, float64) {
		var best *rules.Action
		bestCost := 0.0
		for _, a := range scn.Granting(capability) {
			if !a.HasTag("devops") || skip[a.ID] || (p.forbidden[a.ID] && !believed) || (now && !p.available(a)) {
				continue
			}
			cost := 0.0
			for _, t := range a.Teams {
				if now {
					cost += weight(t, a.Cost)
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
	// The company plans with the catalogue it believes in; a variant's
	// prohibition only refuses the action when it is picked (planner.available).
	cheapest := func(capability string, now bool) (*rules.Action, float64) { return cheapestOf(capability, now, true) }
	base := proj.With().Score
	// The theory of constraints makes capabilities complements: speeding up
	// one stage is worth little until the next slowest one is fast too. So
	// each capability is also weighed by what the company would lose
	// without it if it acquired everything else it can reach.
	var reach []string
	for _, cp := range scn.Capabilities {
		if c.Owns(cp.ID) {
			continue
		}
		ok := true
		for _, id := range missingChain(scn, c, cp.ID) {
			if a, _ := cheapestOf(id, false, true); a == nil {
				ok = false
			}
		}
		if ok {
			reach = append(reach, cp.ID)
		}
	}
	all := proj.With(reach...).Score
	best := map[string]*bargain{}
	for _, cp := range scn.Capabilities {
		if c.Owns(cp.ID) {
			continue
		}
		chain := missingChain(scn, c, cp.ID)
		inForce := left - (len(chain) - 1)
		if inForce <= 0 {
			continue
		}
		single := proj.With(chain...).Score - base
		perSprint := 0.0
		if slices.Contains(reach, cp.ID) {
			var others []string
			for _, id := range reach {
				if id != cp.ID && !slices.Contains(scn.Dependents(cp.ID), id) {
					others = append(others, id)
				}
			}
			perSprint = max(0, 0.5*(all-proj.With(others...).Score)-single)
		}
		gain := single * float64(inForce)
		// A chain that opens new feature work changes the usual sprint.
		if withFeatures && opensFeatures(g, features, chain) {
			if more, _ := usualFeatures(g, features, chain); len(more) > 0 && !slices.Equal(more, usual) {
				if other, err := rules.NewProjector(scn, c, more); err == nil {
					gain = (other.With(chain...).Score - base) * float64(inForce)
				}
			}
		}
		later, upkeep := 0.0, 0.0
		var first []*rules.Action
		ok := true
		for _, id := range chain {
			perSprint += risk.spared[id]
			for t, u := range scn.Capability(id).Upkeep {
				upkeep += float64(u*inForce) * max(2, pointValue[t])
			}
			if a, cost := cheapest(id, true); a != nil && len(rules.MissingPrerequisites(scn, c, a)) == 0 {
				first = append(first, a)
				continue
			} else if a, cost = cheapest(id, false); a != nil {
				later += cost
				continue
			}
			ok = false
		}
		if !ok || len(first) == 0 {
			continue
		}
		gain += perSprint * float64(inForce)
		for _, a := range first {
			_, now := cheapest(a.Grants, true)
			rest := later + upkeep
			for _, b := range first {
				if b != a {
					_, x := cheapest(b.Grants, true)
					rest += x
				}
			}
			ratio := gain / (now + rest)
			if cur := best[a.ID]; cur == nil || ratio > cur.ratio {
				best[a.ID] = &bargain{action: a, chain: chain, perSprint: perSprint, inForce: inForce, laterCost: rest, ratio: ratio}
			}
		}
	}
	out := make([]*bargain, 0, len(best))
	for _, b := range best {
		out = append(out, b)
	}
	slices.SortFunc(out, func(x, y *bargain) int {
		return cmp.Or(cmp.Compare(y.ratio, x.ratio), strings.Compare(x.action.ID, y.action.ID))
	})
	return out
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
