package sim

import "devopschallenge/game/rules"

// Score weights the strategy uses to price an incident: an hour of
// downtime, an hour of exposure, a point of capacity lost by Dev and Ops.
const (
	downtimeCost = 2
	exposureCost = 2
	loadCost     = 17
)

// riskValue is what incidents are expected to cost the company per sprint,
// and what each capability would spare of it.
type riskValue struct {
	spared map[string]float64 // per sprint, one-off incidents spread
	load   float64            // expected aftermath, priced
}

// riskValues prices the incidents that may strike the company (next
// sprint, or at their sprint in the calendar) and what each capability
// it lacks would spare of them.
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
