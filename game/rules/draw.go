package rules

import (
	"math"
	"math/rand/v2"
)

// drawIncident decides whether an incident strikes at the end of the sprint.
// Each incident whose condition holds has a chance; one number drawn from
// the sprint's random stream picks at most one incident, the first listed
// winning when the chances add up to more than 1.
func (s *Scenario) drawIncident(c *Company, en *env, seed uint64, sprint int) ([]Risk, *PendingIncident, error) {
	u := draw(seed, sprint, 1)
	risks := []Risk{}
	var chosen *Incident
	acc := 0.0
	for _, in := range s.Incidents {
		ok, err := in.When.bool(en)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		p, err := in.Chance.float(en)
		if err != nil {
			return nil, nil, err
		}
		p = round4(math.Min(1, math.Max(0, p)*s.repeatChance(c, in.ID)))
		if p <= 0 {
			continue
		}
		risks = append(risks, Risk{Incident: in.ID, Name: in.Name, Chance: p})
		if chosen == nil && u < acc+p {
			chosen = in
		}
		acc += p
	}
	if chosen == nil {
		return risks, nil, nil
	}
	impact, err := chosen.Impact.float(en)
	if err != nil {
		return nil, nil, err
	}
	detect, err := chosen.Detect.float(en)
	if err != nil {
		return nil, nil, err
	}
	repair, err := chosen.Repair.float(en)
	if err != nil {
		return nil, nil, err
	}
	return risks, &PendingIncident{
		ID: chosen.ID, Sprint: sprint,
		Impact:        round4(math.Min(1, math.Max(0, impact))),
		DetectMinutes: round4(math.Max(1, detect)),
		RepairMinutes: round4(math.Max(1, repair)),
	}, nil
}

// repeatChance is what the company's past does to an incident's chance:
// each accepted post-mortem of it multiplies it by RepeatFactor, each time
// it struck without one by UnlearnedFactor.
func (s *Scenario) repeatChance(c *Company, incident string) float64 {
	learned := c.Learned[incident]
	f := math.Pow(s.Postmortem.RepeatFactor, float64(learned))
	if u := s.Postmortem.UnlearnedFactor; u > 1 {
		unresolved := 0
		if c.Pending != nil && c.Pending.ID == incident {
			unresolved = 1
		}
		f *= math.Pow(u, float64(max(0, c.Seen[incident]-learned-unresolved)))
	}
	return f
}

// draw returns a number in [0, 1) from the game's seed, the sprint and a
// purpose, the same on every platform.
func draw(seed uint64, sprint int, purpose uint64) float64 {
	pcg := rand.NewPCG(seed, uint64(sprint)<<8|purpose)
	return float64(pcg.Uint64()>>11) / (1 << 53)
}
