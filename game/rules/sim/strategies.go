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

// FeaturesOnly ships as many features as it can and takes every shortcut
// that speeds releases up, whatever the risk.
type FeaturesOnly struct{}

// Name implements Strategy.
func (FeaturesOnly) Name() string { return "features-only" }

// Plan implements Strategy.
func (FeaturesOnly) Plan(g *Game) map[string][]string {
	return byTags(g, "feature", "speed")
}

// Respond implements Strategy.
func (FeaturesOnly) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	return bestResponses(g, a), 30 + 30*g.Rng.Float64()
}

// WritesPostmortems implements Strategy.
func (FeaturesOnly) WritesPostmortems(*Game) bool { return false }

// StabilityOnly protects production: freezes, approval gates, manual test
// campaigns, monitoring, bug fixing; it ships almost nothing new.
type StabilityOnly struct{}

// Name implements Strategy.
func (StabilityOnly) Name() string { return "stability-only" }

// Plan implements Strategy.
func (StabilityOnly) Plan(g *Game) map[string][]string {
	return byTags(g, "stability")
}

// Respond implements Strategy.
func (StabilityOnly) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	return bestResponses(g, a), 30 + 30*g.Rng.Float64()
}

// WritesPostmortems implements Strategy.
func (StabilityOnly) WritesPostmortems(*Game) bool { return false }

// byTags fills each team's capacity with its single-team actions carrying
// one of the tags, the costliest first.
func byTags(g *Game, tags ...string) map[string][]string {
	p := newPlanner(g)
	for _, t := range rules.Teams {
		cands := []*rules.Action{}
		for _, a := range g.Scn.Catalogue(t) {
			if a.Joint() {
				continue
			}
			for _, tag := range tags {
				if a.HasTag(tag) {
					cands = append(cands, a)
					break
				}
			}
		}
		slices.SortStableFunc(cands, func(a, b *rules.Action) int { return b.Cost - a.Cost })
		for _, a := range cands {
			if p.available(a) && !p.grantsPicked(a) {
				p.take(a)
			}
		}
	}
	return p.plans
}

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

// Balanced plays DevOps: the four teams plan together, attack the current
// bottleneck of the value stream (and the prerequisites of what would fix
// it), shore up stability where the DORA tiers are weak, keep shipping
// features with the capacity left, respond fast to incidents and write
// blameless post-mortems. A little randomness varies its path from game to
// game.
type Balanced struct{}

// Name implements Strategy.
func (Balanced) Name() string { return "balanced-devops" }

// Plan implements Strategy.
func (Balanced) Plan(g *Game) map[string][]string {
	scn, c := g.Scn, g.C
	p := newPlanner(g)
	last := c.Last()
	desire := desires(scn, c, last)
	skip, features := focus(g)

	// Dev keeps some capacity for features once the first sprint is done.
	reserve := 0
	if c.Sprint >= 1 {
		reserve = min(4, 1+c.Sprint/2)
	}
	p.left["dev"] -= reserve

	type cand struct {
		a     *rules.Action
		score float64
	}
	var cands []cand
	for _, a := range scn.Actions {
		if !a.HasTag("devops") || a.Grants == "" || skip[a.ID] || !p.available(a) {
			continue
		}
		d := desire[a.Grants]
		if d <= 0 {
			continue
		}
		cost := float64(a.Cost * len(a.Teams))
		cands = append(cands, cand{a, d/cost + 0.5*g.Rng.Float64()})
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return cmp.Compare(y.score, x.score) })
	for _, cd := range cands {
		if p.available(cd.a) && !p.grantsPicked(cd.a) {
			p.take(cd.a)
		}
	}
	p.left["dev"] += reserve

	// One-off actions that keep quality up.
	for _, a := range scn.Actions {
		if a.Grants != "" || a.Joint() || !a.HasTag("devops") || a.HasTag("feature") || skip[a.ID] || harmful(a) || !p.available(a) {
			continue
		}
		if reducesDebt(a) && last.Metrics.Debt < 35 {
			continue
		}
		if !reducesDebt(a) && last.Tiers.ChangeFailureRate.Points() >= 2 {
			continue
		}
		p.take(a)
	}

	// Features with what is left, picked at random among those that fit.
	for {
		var fits []*rules.Action
		for _, t := range rules.Teams {
			for _, a := range scn.Catalogue(t) {
				if features[a.ID] && !a.Joint() && p.available(a) {
					fits = append(fits, a)
				}
			}
		}
		if len(fits) == 0 {
			break
		}
		p.take(fits[g.Rng.IntN(len(fits))])
	}
	return p.plans
}

// Respond implements Strategy.
func (Balanced) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	return bestResponses(g, a), 15 + 25*g.Rng.Float64()
}

// WritesPostmortems implements Strategy.
func (Balanced) WritesPostmortems(*Game) bool { return true }

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
// spots) and the feature actions it prefers, so that paths to success
// differ from game to game.
func focus(g *Game) (skip, features map[string]bool) {
	rng := newRng(g.Seed, "balanced-focus")
	skip, features = map[string]bool{}, map[string]bool{}
	var builders []string
	for _, a := range g.Scn.Actions {
		if rng.IntN(16) == 0 {
			skip[a.ID] = true
		}
		if a.HasTag("feature") && !a.HasTag("speed") && !harmful(a) && rng.IntN(3) > 0 {
			features[a.ID] = true
			if buildsFeatures(a) {
				builders = append(builders, a.ID)
			}
		}
	}
	if len(builders) == 0 {
		var all []string
		for _, a := range g.Scn.Actions {
			if a.HasTag("feature") && !harmful(a) && buildsFeatures(a) {
				all = append(all, a.ID)
			}
		}
		if len(all) > 0 {
			features[all[rng.IntN(len(all))]] = true
		}
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

// speeds reports whether an effect makes its figure smaller.
func speeds(e *rules.Effect) bool {
	v, ok := e.Value().Constant()
	if !ok {
		return false
	}
	switch e.Op() {
	case "mul":
		return v < 1
	case "add":
		return v < 0
	case "min", "set":
		return true
	}
	return false
}

// desires scores how much the company wants each capability it lacks:
// stages that hold back the flow, weak DORA tiers and weak CALMS pillars
// make the capabilities that fix them desirable, and a desired capability
// makes its missing prerequisites desirable too.
func desires(scn *rules.Scenario, c *rules.Company, last *rules.SprintRecord) map[string]float64 {
	slowest := 0.0
	times := map[string]float64{}
	for _, st := range last.Stream {
		times[st.Stage] = st.Time
		slowest = max(slowest, st.Time)
	}
	cfrNeed := []float64{3, 2.5, 1, 0.3}[last.Tiers.ChangeFailureRate.Points()]
	mttrNeed := []float64{2.5, 2, 1, 0.3}[last.Tiers.TimeToRestore.Points()]
	d := map[string]float64{}
	for _, cp := range scn.Capabilities {
		if c.Owns(cp.ID) {
			continue
		}
		v := 0.0
		for _, e := range cp.Effects {
			if !speeds(e) {
				continue
			}
			switch {
			case strings.HasPrefix(e.Target, "stage."):
				stage := strings.Split(e.Target, ".")[1]
				if share := times[stage] / slowest; share > 0.4 {
					v += 4 * share * share
				}
			case e.Target == "failureRate":
				v += cfrNeed
			case e.Target == "detectMinutes" || e.Target == "diagnoseMinutes" || e.Target == "rollbackMinutes":
				v += mttrNeed
			case e.Target == "blastRadius" || e.Target == "wip":
				v += 0.8
			}
		}
		for _, p := range rules.Pillars {
			if x, ok := cp.CALMS[p]; ok && last.CALMS.Get(p) < 2.5 {
				v += 0.4 * x
			}
		}
		d[cp.ID] = v
	}
	// Prerequisites inherit part of the desire of what they unlock.
	for range 3 {
		for _, cp := range scn.Capabilities {
			if c.Owns(cp.ID) {
				continue
			}
			for _, r := range cp.Requires {
				if !c.Owns(r) {
					d[r] = max(d[r], 0.8*d[cp.ID])
				}
			}
		}
	}
	return d
}
