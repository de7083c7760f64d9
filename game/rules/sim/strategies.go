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
