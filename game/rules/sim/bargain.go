package sim

import (
	"cmp"
	"slices"
	"strings"

	"devopschallenge/game/rules"
)

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
