package rules

import "math"

// IncidentRisk is what an incident may cost a company in its next sprint,
// before any response: its chance, and the downtime or exposure it would
// bring (detection plus repair, times its impact and weight).
type IncidentRisk struct {
	Incident        string  `json:"incident"`
	Chance          float64 `json:"chance"`
	DowntimeMinutes float64 `json:"downtimeMinutes"`
	ExposureMinutes float64 `json:"exposureMinutes"`
	Load            int     `json:"load"`
}

// RiskModel works out what incidents may cost a company in its coming
// sprints, before any response, as it stands or with one more capability:
// for headless strategies that weigh what a capability would spare them.
// Conditions on a sprint's metrics see last sprint's.
type RiskModel struct {
	scn *Scenario
	c   *Company
	en  *env
}

// NewRiskModel prepares risk estimates for the company in a game of
// sprints sprints (0: the scenario's default).
func NewRiskModel(scn *Scenario, c *Company, sprints int) *RiskModel {
	en := scn.baseEnv(c, c.ownedSet(), c.Sprint+1, false)
	if sprints > 0 {
		en.Sprints = sprints
	}
	last := c.Last()
	en.Metrics = last.Metrics
	en.setTiers(last.Tiers)
	f := scn.idx.base
	for i := 16; i < numFigures; i++ {
		if v, ok := last.Figures[figureDefs[i].name]; ok {
			f[i] = v
		}
	}
	for i, st := range last.Stream {
		f[2*i], f[2*i+1] = st.Process, st.Wait
	}
	en.setFigures(&f)
	return &RiskModel{scn: scn, c: c, en: en}
}

// Risk is the incident's risk in the given sprint, with the extra
// capability owned too ("" for none).
func (m *RiskModel) Risk(incident, extra string, sprint int) (IncidentRisk, error) {
	in := m.scn.idx.incidents[incident]
	if in == nil {
		return IncidentRisk{}, errorf(CodeNoIncident, "Unknown incident %q.", "Incident inconnu %q.", incident)
	}
	en := m.en
	en.Sprint = sprint
	if extra != "" && !en.Has[extra] {
		en.Has[extra] = true
		defer delete(en.Has, extra)
	}
	r := IncidentRisk{Incident: in.ID, Load: in.Load}
	ok, err := in.When.bool(en)
	if err != nil || !ok {
		return r, err
	}
	p, err := in.Chance.float(en)
	if err != nil {
		return r, err
	}
	r.Chance = math.Min(1, math.Max(0, p)*m.scn.repeatChance(m.c, in.ID))
	vals := [3]float64{}
	for i, e := range []*Expr{&in.Impact, &in.Detect, &in.Repair} {
		if vals[i], err = e.float(en); err != nil {
			return r, err
		}
	}
	impact := math.Min(1, math.Max(0, vals[0]))
	restore := math.Max(1, vals[1]) + math.Max(1, vals[2])
	if in.Kind == "security" {
		r.ExposureMinutes = restore
	} else {
		r.DowntimeMinutes = restore * impact * math.Max(1, in.Weight)
	}
	return r, nil
}

// Mentions lists, for each incident, the capabilities its model tests
// (has.<id> in its condition, chance, impact, detection or repair).
func (s *Scenario) Mentions() map[string][]string {
	return s.idx.mentions
}

// Calendar returns, for each incident the scenario announces (a sales peak
// in the calendar), the first sprint from the company's next one whose
// condition holds, seen from the company as it is now; 0 when none does.
func Calendar(scn *Scenario, c *Company, sprints int) map[string]int {
	if sprints <= 0 {
		sprints = scn.Sprints
	}
	out := map[string]int{}
	var en *env
	for _, in := range scn.Incidents {
		if !in.Announce {
			continue
		}
		if en == nil {
			en = scn.baseEnv(c, c.ownedSet(), 0, false)
			en.Sprints = sprints
			en.Metrics = c.Last().Metrics
			en.setTiers(c.Last().Tiers)
		}
		out[in.ID] = 0
		for s := c.Sprint + 1; s <= sprints; s++ {
			en.Sprint = s
			if ok, err := in.When.bool(en); err == nil && ok {
				out[in.ID] = s
				break
			}
		}
	}
	return out
}
