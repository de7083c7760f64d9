package rules

import (
	"math"
	"strings"
)

// Projection is what a planner can work out from the scenario file: the
// metrics, tiers and company score of one sprint of the company, as if it
// owned more capabilities, with last sprint's rule effects kept as they
// were (rules are not evaluated again) and no incident.
type Projection struct {
	Metrics Metrics
	Tiers   Tiers
	Score   float64
}

// Projector projects a company's next sprint cheaply, for headless
// strategies that weigh a capability against its cost: the figures of the
// capabilities owned, the given actions and last sprint's rules are
// applied once; each projection adds a few capabilities on top.
type Projector struct {
	scn  *Scenario
	en   *env
	figs figures
	cr   carry
	ms   Measured
}

// NewProjector prepares projections of the company's next sprint in which
// the teams do the given actions (its usual feature work, say).
func NewProjector(scn *Scenario, c *Company, actions []string) (*Projector, error) {
	owned := c.ownedSet()
	en := scn.baseEnv(c, owned, c.Sprint+1, false)
	applied, err := scn.capabilityEffects(owned, en)
	if err != nil {
		return nil, err
	}
	for _, id := range actions {
		if a := scn.idx.actions[id]; a != nil {
			if applied, err = appendEffects(applied, scn.idx.src[a], a.Effects, en); err != nil {
				return nil, err
			}
		}
	}
	for _, a := range c.Effects {
		if strings.HasPrefix(a.Source, "rule:") {
			applied = append(applied, a)
		}
	}
	p := &Projector{scn: scn, en: en, cr: carry{Debt: c.Debt, Learning: c.Learning}, ms: MeasuredAt(scn, c, c.Sprint)}
	p.figs = scn.applyEffects(applied, p.cr)
	return p, nil
}

// Add takes a capability in for every later projection.
func (p *Projector) Add(capability string) {
	if cp := p.scn.idx.caps[capability]; cp != nil {
		p.apply(&p.figs, cp)
	}
}

func (p *Projector) apply(f *figures, cp *Capability) {
	for _, pl := range Pillars {
		if v, ok := cp.CALMS[pl]; ok {
			i := pillarFigure(pl)
			f[i] = clampFigure(i, f[i]+v)
		}
	}
	for _, e := range cp.Effects {
		v, err := e.value.float(p.en)
		if err != nil {
			continue
		}
		f[e.fig] = clampFigure(e.fig, applyOp(e.op, f[e.fig], v))
	}
}

// With projects the sprint with more capabilities. A company that does not
// measure its value stream projects from estimates of its stage times, and
// one that does not measure its DORA figures sees estimates of them, as its
// players would: a planner cannot use what it does not measure.
func (p *Projector) With(capabilities ...string) Projection {
	f := p.figs
	for _, id := range capabilities {
		if cp := p.scn.idx.caps[id]; cp != nil {
			p.apply(&f, cp)
		}
	}
	var o outcome
	o.figs = f
	if !p.ms.Stream {
		for i := range 16 {
			o.figs[i] = Estimate(o.figs[i])
		}
	}
	p.scn.metricsOf(&o, p.cr)
	m := o.metrics
	if !p.ms.DORA {
		m.LeadTimeHours, m.DeploysPerDay = Estimate(m.LeadTimeHours), Estimate(m.DeploysPerDay)
		m.ChangeFailureRate, m.TimeToRestoreHours = Estimate(m.ChangeFailureRate), Estimate(m.TimeToRestoreHours)
		m.DowntimeHours = Estimate(m.DowntimeHours)
	}
	pr := Projection{Metrics: m, Tiers: p.scn.TiersOf(m)}
	if ls := &p.scn.idx.linear; ls.ok {
		t := tierEnv{pr.Tiers.LeadTime.Points(), pr.Tiers.DeployFrequency.Points(), pr.Tiers.ChangeFailureRate.Points(), pr.Tiers.TimeToRestore.Points()}
		pr.Score = ls.eval(&m, t)
		return pr
	}
	p.en.setFigures(&f)
	p.en.Metrics = m
	p.en.setTiers(pr.Tiers)
	for _, part := range p.scn.Scoring.Company {
		if v, err := part.Points.float(p.en); err == nil {
			pr.Score += v
		}
	}
	return pr
}

func clampFigure(i int, v float64) float64 {
	d := &figureDefs[i]
	return min(d.hi, max(d.lo, v))
}

// linearScore is the company score as a linear function of a sprint's
// metrics and tier points, when every part of the scenario's score is one
// (as in the E-commerce Platform): projections then skip the expression
// engine. ok is false when a part is not linear in them.
type linearScore struct {
	ok      bool
	c0      float64
	metrics [metricFields]float64
	tiers   [4]float64
}

const metricFields = 21 // the float fields of Metrics

// metricValues lists the float fields of Metrics in declaration order.
func metricValues(m *Metrics) [metricFields]*float64 {
	return [metricFields]*float64{&m.LeadTimeHours, &m.DeploysPerDay, &m.DeploysPerSprint, &m.ChangeFailureRate,
		&m.FailedDeployments, &m.TimeToDetectMinutes, &m.TimeToRestoreHours, &m.BatchSize, &m.IncidentHours,
		&m.ExposureHours, &m.DowntimeMinutes, &m.DowntimeHours, &m.Availability, &m.FeaturesBuilt, &m.FeaturesShipped,
		&m.Waiting, &m.Value, &m.FlowEfficiency, &m.WIP, &m.Learning, &m.Debt}
}

func (ls *linearScore) eval(m *Metrics, t tierEnv) float64 {
	v := ls.c0
	for i, p := range metricValues(m) {
		v += ls.metrics[i] * *p
	}
	return v + ls.tiers[0]*float64(t.LeadTime) + ls.tiers[1]*float64(t.DeployFrequency) +
		ls.tiers[2]*float64(t.ChangeFailureRate) + ls.tiers[3]*float64(t.TimeToRestore)
}

// linearize probes the score parts to find their linear form.
func (s *Scenario) linearize() linearScore {
	var ls linearScore
	total := func(en *env) (float64, bool) {
		v := 0.0
		for _, p := range s.Scoring.Company {
			x, err := p.Points.float(en)
			if err != nil {
				return 0, false
			}
			v += x
		}
		return v, true
	}
	probe := func(setup func(en *env)) (float64, bool) {
		en := &env{Has: map[string]bool{}, Did: map[string]bool{}, Seen: map[string]int{}, Coming: map[string]bool{}}
		setup(en)
		return total(en)
	}
	c0, ok := probe(func(*env) {})
	if !ok {
		return ls
	}
	ls.c0 = c0
	for i := range metricFields {
		v, ok := probe(func(en *env) { *metricValues(&en.Metrics)[i] = 1 })
		if !ok {
			return ls
		}
		ls.metrics[i] = v - c0
	}
	for i := range 4 {
		v, ok := probe(func(en *env) {
			t := [4]*int{&en.Tier.LeadTime, &en.Tier.DeployFrequency, &en.Tier.ChangeFailureRate, &en.Tier.TimeToRestore}
			*t[i] = 1
		})
		if !ok {
			return ls
		}
		ls.tiers[i] = v - c0
	}
	// Check at a point where everything (figures included) is set.
	check := func(en *env) {
		for i, p := range metricValues(&en.Metrics) {
			*p = float64(i%7) + 0.37*float64(i)
		}
		en.Tier = tierEnv{3, 2, 1, 2}
		f := s.idx.base
		for i := range f {
			f[i] = 1.5 + float64(i%5)
		}
		en.setFigures(&f)
		en.Sprint, en.Sprints, en.Postmortems, en.Collaboration = 3, 8, 2, 5
	}
	want, ok := probe(check)
	en := &env{}
	check(en)
	if !ok || math.Abs(ls.eval(&en.Metrics, en.Tier)-want) > 1e-6*math.Max(1, math.Abs(want)) {
		return ls
	}
	ls.ok = true
	return ls
}
