package sim

import (
	"slices"
	"strings"

	"devopschallenge/game/rules"
)

// Variants of a strategy measure what each practice is worth: the same
// strategy with a capability forbidden, with a CALMS pillar's practices
// forbidden, with an action added to every sprint, or without features.

// Without is a strategy that never acquires some capabilities (nor what
// needs them) and, if NoPostmortems, writes no post-mortem.
type Without struct {
	Base          Strategy
	Label         string
	Capabilities  []string
	NoPostmortems bool
	// Silo plans each team without seeing the others' plans: a joint
	// action reaches its second team's plan only one time in two, and is
	// wasted otherwise.
	Silo bool
}

// Name implements Strategy.
func (w Without) Name() string { return w.Base.Name() + " without " + w.Label }

// Plan implements Strategy.
func (w Without) Plan(g *Game) map[string][]string {
	if g.forbid == nil {
		g.forbid = map[string]bool{}
		for _, a := range g.Scn.Actions {
			if slices.Contains(w.Capabilities, a.Grants) {
				g.forbid[a.ID] = true
			}
		}
	}
	plans := w.Base.Plan(g)
	if w.Silo {
		for _, a := range g.Scn.Actions {
			if a.Joint() && slices.Contains(plans[a.Teams[1]], a.ID) && noise(g, "silo", a.ID) < 0.5 {
				plans[a.Teams[1]] = slices.DeleteFunc(plans[a.Teams[1]], func(id string) bool { return id == a.ID })
			}
		}
	}
	return plans
}

// Respond implements Strategy.
func (w Without) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	return w.Base.Respond(g, a)
}

// WritesPostmortems implements Strategy.
func (w Without) WritesPostmortems(g *Game) bool {
	return !w.NoPostmortems && w.Base.WritesPostmortems(g)
}

// WithoutCapability forbids one capability.
func WithoutCapability(base Strategy, capability string) Strategy {
	return Without{Base: base, Label: capability, Capabilities: []string{capability}}
}

// WithoutPillar forbids every capability whose strongest CALMS pillar is
// the one given; for culture, the company also writes no post-mortem, and
// for sharing the teams plan in silos.
func WithoutPillar(scn *rules.Scenario, base Strategy, pillar string) Strategy {
	return Without{Base: base, Label: pillar, Capabilities: PillarPractices(scn, pillar),
		NoPostmortems: pillar == "culture", Silo: pillar == "sharing"}
}

// PillarPractices lists the capabilities a company can acquire whose
// strongest CALMS pillar is the one given.
func PillarPractices(scn *rules.Scenario, pillar string) []string {
	var out []string
	for _, cp := range scn.Capabilities {
		if cp.Pillar() == pillar && !slices.Contains(scn.Start.Capabilities, cp.ID) {
			out = append(out, cp.ID)
		}
	}
	return out
}

// Plus is a strategy that also takes an action every sprint, before
// anything else (when its prerequisites are owned).
type Plus struct {
	Base   Strategy
	Action string
}

// Name implements Strategy.
func (p Plus) Name() string { return p.Base.Name() + " plus " + p.Action }

// Plan implements Strategy.
func (p Plus) Plan(g *Game) map[string][]string {
	a := g.Scn.Action(p.Action)
	if a == nil || len(rules.MissingPrerequisites(g.Scn, g.C, a)) > 0 || (a.Grants != "" && g.C.Owns(a.Grants)) {
		return p.Base.Plan(g)
	}
	for _, t := range a.Teams {
		if rules.Capacity(g.Scn, g.C, t) < a.Cost {
			return p.Base.Plan(g)
		}
	}
	g.reserve = map[string]int{}
	for _, t := range a.Teams {
		g.reserve[t] = a.Cost
	}
	plans := p.Base.Plan(g)
	g.reserve = nil
	for _, t := range a.Teams {
		if !slices.Contains(plans[t], a.ID) {
			plans[t] = append(plans[t], a.ID)
		}
	}
	return plans
}

// Respond implements Strategy.
func (p Plus) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	return p.Base.Respond(g, a)
}

// WritesPostmortems implements Strategy.
func (p Plus) WritesPostmortems(g *Game) bool { return p.Base.WritesPostmortems(g) }

// NoFeatures is balanced play that never works on a feature: it builds the
// whole pipeline and ships nothing new.
type NoFeatures struct{}

// Name implements Strategy.
func (NoFeatures) Name() string { return "balanced-devops without features" }

// Plan implements Strategy.
func (NoFeatures) Plan(g *Game) map[string][]string { return planBalanced(g, false) }

// Respond implements Strategy.
func (NoFeatures) Respond(g *Game, a *rules.IncidentAlert) (map[string]string, float64) {
	return Balanced{}.Respond(g, a)
}

// WritesPostmortems implements Strategy.
func (NoFeatures) WritesPostmortems(*Game) bool { return true }

// GrowsBatches lists the actions that add work in progress or make each
// deployment carry more: an effect that raises wip or slows a stage of the
// value stream (fewer, bigger deployments), or a rule that widens the
// blast radius when the action is done (a big-bang release).
func GrowsBatches(scn *rules.Scenario) []string {
	raises := func(e *rules.Effect) bool {
		v, ok := e.Value().Constant()
		return ok && ((e.Op() == "add" && v > 0) || (e.Op() == "mul" && v > 1))
	}
	var out []string
	for _, a := range scn.Actions {
		grows := false
		for _, e := range a.Effects {
			grows = grows || (raises(e) && (e.Target == "wip" || e.Target == "changeSize" || strings.HasPrefix(e.Target, "stage.")))
		}
		for _, r := range scn.Rules {
			if strings.Contains(r.When.Src, "did."+a.ID) {
				for _, e := range r.Effects {
					grows = grows || (raises(e) && e.Target == "blastRadius")
				}
			}
		}
		if grows {
			out = append(out, a.ID)
		}
	}
	return out
}
