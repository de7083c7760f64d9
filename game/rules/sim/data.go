package sim

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

// Data is a strategy written as data (a rules.StrategySpec): each team
// takes, in order, the actions it prefers that are available and fit its
// capacity. A joint action is taken when both of its teams list it (with a
// condition that holds) and both have the capacity left, as two teams
// planning together would.
type Data struct {
	Spec *rules.StrategySpec
}

// Name implements Strategy.
func (d Data) Name() string { return d.Spec.Name }

// Plan implements Strategy.
func (d Data) Plan(g *Game) map[string][]string {
	p := newPlanner(g)
	wants := func(team string, a *rules.Action) bool {
		for _, it := range d.Spec.Plans.Get(team) {
			if it.Action == a.ID && d.holds(g, it) {
				return true
			}
		}
		return false
	}
	for _, team := range rules.Teams {
		for _, it := range d.Spec.Plans.Get(team) {
			if !d.holds(g, it) {
				continue
			}
			if it.Tag != "" {
				var cands []*rules.Action
				for _, a := range g.Scn.Catalogue(team) {
					if !a.Joint() && a.HasTag(it.Tag) {
						cands = append(cands, a)
					}
				}
				slices.SortStableFunc(cands, func(a, b *rules.Action) int { return b.Cost - a.Cost })
				for _, a := range cands {
					if p.canFor(team, a) && !p.grantsPicked(a) {
						p.takeFor(team, a)
					}
				}
				continue
			}
			a := g.Scn.Action(it.Action)
			switch {
			case p.grantsPicked(a) || slices.Contains(p.plans[team], a.ID):
			case !a.Joint():
				if p.canFor(team, a) {
					p.takeFor(team, a)
				}
			case wants(a.Partner(team), a) && p.available(a):
				p.take(a)
			}
		}
	}
	return p.plans
}

func (d Data) holds(g *Game, it *rules.StrategyItem) bool {
	if it.When == nil {
		return true
	}
	ok, err := g.Scn.Holds(it.When, g.C, g.Sprints)
	return err == nil && ok
}

// Respond implements Strategy.
func (d Data) Respond(g *Game, alert *rules.IncidentAlert) (map[string]string, float64) {
	out := map[string]string{}
	in := d.Spec.Incidents
	for _, t := range rules.Teams {
		chosen := ""
		for _, id := range in.Responses[t] {
			if slices.ContainsFunc(alert.Options[t], func(o rules.ResponseOption) bool { return o.ID == id && o.Available }) {
				chosen = id
				break
			}
		}
		if chosen == "" && in.Otherwise != "none" {
			chosen = bestResponse(g, alert, t)
		}
		if chosen != "" {
			out[t] = chosen
		}
	}
	seconds := in.Seconds
	if seconds == 0 {
		seconds = 30
	}
	return out, seconds
}

// WritesPostmortems implements Strategy.
func (d Data) WritesPostmortems(*Game) bool { return d.Spec.Incidents.Postmortems }

// builtin returns a strategy of scenarios/strategies, written as data.
// Those files use tags, not action ids, so they play any scenario; the
// scenario they are checked against is the E-commerce Platform.
func builtin(name string) Strategy {
	return builtins()[name]
}

var (
	builtinOnce  sync.Once
	builtinCache map[string]Strategy
)

func builtins() map[string]Strategy {
	builtinOnce.Do(loadBuiltins)
	return builtinCache
}

func loadBuiltins() {
	scn, err := rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		panic("sim: the embedded scenario does not load: " + err.Error())
	}
	out := map[string]Strategy{}
	files, _ := fs.Glob(scenarios.Strategies, "strategies/*.yaml")
	for _, f := range files {
		data, _ := fs.ReadFile(scenarios.Strategies, f)
		spec, err := rules.ParseStrategy(path.Join("scenarios", f), data, scn)
		if err != nil {
			panic("sim: a built-in strategy does not load: " + err.Error())
		}
		out[spec.Name] = Data{Spec: spec}
	}
	builtinCache = out
}

// LoadStrategy reads a strategy file for the scenario; problems name the
// file as given.
func LoadStrategy(name string, data []byte, scn *rules.Scenario) (Strategy, error) {
	spec, err := rules.ParseStrategy(name, data, scn)
	if err != nil {
		return nil, err
	}
	if _, clash := ByName(spec.Name); clash {
		return nil, fmt.Errorf("%s: the name %q is a built-in strategy's: choose another (built-in: %s)", name, spec.Name, strings.Join(Names(), ", "))
	}
	return Data{Spec: spec}, nil
}
