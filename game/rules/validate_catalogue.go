package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Checks of what the teams can acquire and do: capabilities, actions,
// rules and their effects.

// effects checks and compiles a list of effects; stages, when not nil, are
// the stages the owner says it changes.
func (v *validator) effects(owner string, list []*Effect, stages []string) {
	for _, e := range list {
		var ops []string
		for _, o := range []struct {
			name string
			x    *Expr
		}{{"mul", e.Mul}, {"add", e.Add}, {"set", e.Set}, {"min", e.Min}, {"max", e.Max}} {
			if o.x != nil {
				ops = append(ops, o.name)
				e.op, e.value = o.name, o.x
			}
		}
		if len(ops) != 1 {
			v.errf(e, "target", "%s: an effect needs exactly one of mul, add, set, min, max (found %d)", owner, len(ops))
			continue
		}
		i, ok := figureIndex[e.Target]
		if !ok {
			v.errf(e, "target", "%s: effect on unknown figure %q", owner, e.Target)
			continue
		}
		e.fig = i
		// (A stage misnamed in the owner's list was reported as unknown.)
		if i < 16 && stages != nil && !slices.Contains(stages, StageIDs[i/2]) && allStages(stages) {
			v.errf(e, "target", "%s: changes %s but its stages are [%s]", owner, e.Target, strings.Join(stages, " "))
		}
		v.compile(e.value, kindNumber, fmt.Sprintf("%s: %s %s", owner, e.Target, e.op))
	}
}

// compile compiles an expression written in the file, reporting its
// mistake as what: reason.
func (v *validator) compile(x *Expr, kind exprKind, what string) {
	if x == nil || x.line == 0 {
		return // not written: reported as a missing field
	}
	if msg := x.compile(kind, &v.s.idx.ids); msg != "" {
		v.d.addf(x.line, "%s: %s", what, msg)
	}
}

// calms checks a map of CALMS points: known pillars, each within -5..5.
func (v *validator) calms(ptr any, owner string, m map[string]float64) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if pillarFigure(k) < 0 {
			v.errf(ptr, "calms", "%s: unknown CALMS pillar %q (use %s)", owner, k, strings.Join(Pillars, ", "))
		} else if x := m[k]; x < -5 || x > 5 {
			v.errf(ptr, "calms", "%s: CALMS %s %v is out of range -5..5", owner, k, x)
		}
	}
}

// capabilities checks each capability's stages, CALMS points,
// prerequisites, effects and upkeep, then the prerequisite cycles.
func (v *validator) capabilities() {
	ix := &v.s.idx
	for _, c := range v.s.Capabilities {
		owner := fmt.Sprintf("capability %q", c.ID)
		if len(c.Stages) == 0 {
			v.errf(c, "stages", "%s: stages must name at least one value-stream stage", owner)
		}
		for _, st := range c.Stages {
			if !slices.Contains(StageIDs, st) {
				v.errf(c, "stages", "%s: unknown stage %q", owner, st)
			}
		}
		if len(c.CALMS) == 0 {
			v.errf(c, "calms", "%s: calms must name at least one CALMS pillar", owner)
		}
		v.calms(c, owner, c.CALMS)
		for _, r := range c.Requires {
			if ix.caps[r] == nil {
				v.errf(c, "requires", "%s requires unknown capability %q", owner, r)
			}
		}
		v.effects(owner, c.Effects, c.Stages)
		teams := make([]string, 0, len(c.Upkeep))
		for t := range c.Upkeep {
			teams = append(teams, t)
		}
		slices.Sort(teams)
		for _, t := range teams {
			if !slices.Contains(Teams, t) {
				v.errf(c, "upkeep", "%s: upkeep for unknown team %q (use %s)", owner, t, strings.Join(Teams, ", "))
			} else if u := c.Upkeep[t]; u < 0 || (u > v.s.Capacity && v.capacityOK()) {
				v.errf(c, "upkeep", "%s: upkeep %d for %s is out of range 0..%d (the team capacity)", owner, u, t, v.s.Capacity)
			}
		}
	}
	v.cycles()
}

// cycles reports every prerequisite cycle among capabilities once.
func (v *validator) cycles() {
	ix := &v.s.idx
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(id string)
	visit = func(id string) {
		color[id] = grey
		stack = append(stack, id)
		c := ix.caps[id]
		for _, r := range c.Requires {
			if ix.caps[r] == nil {
				continue
			}
			switch color[r] {
			case grey:
				i := slices.Index(stack, r)
				cycle := append(slices.Clone(stack[i:]), r)
				v.errf(ix.caps[r], "requires", "prerequisite cycle: %s", strings.Join(cycle, " → "))
			case white:
				visit(r)
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
	}
	for _, c := range v.s.Capabilities {
		if color[c.ID] == white && ix.caps[c.ID] == c {
			visit(c.ID)
		}
	}
}

// actions checks each action's teams, cost, prerequisites, grant, tags and
// effects, and builds each team's catalogue.
func (v *validator) actions() {
	s := v.s
	ix := &s.idx
	for _, a := range s.Actions {
		owner := fmt.Sprintf("action %q", a.ID)
		if len(a.Teams) < 1 || len(a.Teams) > 2 || (len(a.Teams) == 2 && a.Teams[0] == a.Teams[1]) {
			v.errf(a, "teams", "%s: teams must be one team, or two different teams for a joint action", owner)
		}
		for _, t := range a.Teams {
			if !slices.Contains(Teams, t) {
				v.errf(a, "teams", "%s: unknown team %q (use %s)", owner, t, strings.Join(Teams, ", "))
			}
		}
		if a.Cost < 1 || (a.Cost > s.Capacity && v.capacityOK()) {
			v.errf(a, "cost", "%s: cost %d is out of range 1..%d (the team capacity)", owner, a.Cost, s.Capacity)
		}
		for _, r := range a.Requires {
			if ix.caps[r] == nil {
				v.errf(a, "requires", "%s requires unknown capability %q", owner, r)
			}
		}
		if a.Grants != "" {
			if ix.caps[a.Grants] == nil {
				v.errf(a, "grants", "%s grants unknown capability %q", owner, a.Grants)
			} else if slices.Contains(a.Requires, a.Grants) {
				v.errf(a, "requires", "%s requires the capability it grants (%q)", owner, a.Grants)
			}
		}
		for _, t := range a.Tags {
			if !slices.Contains([]string{"feature", "speed", "stability", "devops"}, t) {
				v.errf(a, "tags", "%s: unknown tag %q (use feature, speed, stability, devops)", owner, t)
			}
		}
		v.effects(owner, a.Effects, nil)
		ix.prereqs[a] = s.prerequisites(a)
		for _, t := range a.Teams {
			if slices.Contains(Teams, t) {
				ix.catalogue[t] = append(ix.catalogue[t], a)
			}
		}
	}
}

// rules checks each rule's condition, effects and state template.
func (v *validator) rules() {
	for _, r := range v.s.Rules {
		owner := fmt.Sprintf("rule %q", r.ID)
		v.compile(&r.When, kindBool, owner+": when")
		if len(r.Effects) == 0 {
			v.errf(r, "effects", "%s: needs at least one effect", owner)
		}
		v.effects(owner, r.Effects, nil)
		if r.State != nil {
			var t textTemplate
			var msg string
			if t.en, msg = parseTemplate(r.State.EN, &v.s.idx.ids); msg != "" {
				v.errf(r, "state", "%s: state (en): %s", owner, msg)
			} else if t.fr, msg = parseTemplate(r.State.FR, &v.s.idx.ids); msg != "" {
				v.errf(r, "state", "%s: state (fr): %s", owner, msg)
			} else {
				r.state = &t
			}
		}
	}
}

// allStages reports whether every id names a stage of the value stream.
func allStages(ids []string) bool {
	for _, id := range ids {
		if !slices.Contains(StageIDs, id) {
			return false
		}
	}
	return true
}
