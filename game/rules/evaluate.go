package rules

import (
	"math"
	"slices"
)

// The arithmetic of a sprint: effects applied to the starting figures, then
// the value stream, the size of each change, stability and value.

type outcome struct {
	figs    figures
	stream  [8]StageTime
	metrics Metrics
	calms   CALMS
}

// evaluate applies the effects to the starting figures and works out the
// value stream and the metrics of a sprint. It is pure arithmetic, cheap
// enough to run several times per sprint to explain changes.
func (s *Scenario) evaluate(effs []Applied, c carry, trace func(a *Applied, fig int, before, after float64)) outcome {
	var o outcome
	o.figs = s.applyEffectsTraced(effs, c, trace)
	s.metricsOf(&o, c)
	return o
}

// applyEffects applies the effects to the starting figures.
func (s *Scenario) applyEffects(effs []Applied, c carry) figures {
	return s.applyEffectsTraced(effs, c, nil)
}

func (s *Scenario) applyEffectsTraced(effs []Applied, c carry, trace func(a *Applied, fig int, before, after float64)) figures {
	f := s.idx.base
	f[figDebt], f[figLearning], f[figFeatures] = c.Debt, c.Learning, 0
	for i := range effs {
		a := &effs[i]
		fi := a.fig - 1
		if fi < 0 {
			var ok bool
			if fi, ok = figureIndex[a.Target]; !ok {
				continue
			}
		}
		before := f[fi]
		d := &figureDefs[fi]
		f[fi] = math.Min(d.hi, math.Max(d.lo, applyOp(a.Op, before, a.Value)))
		if trace != nil {
			trace(a, fi, before, f[fi])
		}
	}
	f.clamp()
	return f
}

// metricsOf works out the value stream and the metrics from o.figs.
func (s *Scenario) metricsOf(o *outcome, c carry) {
	f := &o.figs
	m := &o.metrics
	sprintHours := float64(s.SprintDays) * 24
	var slowest, sumLead, sumLeadProcess float64
	for i, id := range StageIDs {
		p, w := f[2*i], f[2*i+1]
		t := math.Max(p+w, 0.05)
		o.stream[i] = StageTime{Stage: id, Process: p, Wait: w, Time: t}
		if t > slowest {
			slowest, m.Bottleneck = t, id
		}
		if slices.Contains(leadStages, id) {
			sumLead += t
			sumLeadProcess += p
		}
	}
	m.WIP = f[figWIP]
	m.DeploysPerDay = 24 / slowest
	m.DeploysPerSprint = sprintHours / slowest
	m.LeadTimeHours = math.Max(f[figWIP]*slowest, sumLead)
	m.FlowEfficiency = sumLeadProcess / sumLead
	m.FeaturesBuilt = f[figFeatures] * f[figProductivity]

	// The size of the change: each deployment carries the work done since
	// the previous one, in changes as big as changeSize makes them (small
	// batches split the work into smaller independent changes). A bigger batch fails more often, hits more
	// customers and takes longer to diagnose; so more deployments of
	// smaller changes lower the failure rate, downtime and time to restore
	// together.
	m.BatchSize = (m.FeaturesBuilt + s.Changes.BaseWork) / m.DeploysPerSprint * f[figChangeSize]
	size := 1.0
	if ch := &s.Changes; ch.Reference > 0 {
		size = m.BatchSize / ch.Reference
	}
	m.ChangeFailureRate = math.Min(0.95, f[figFailureRate]*math.Pow(size, s.Changes.FailureExponent))
	blast := math.Min(1, f[figBlastRadius]*size)
	m.FailedDeployments = m.DeploysPerSprint * m.ChangeFailureRate
	fix := math.Min(f[figRollback], f[figHotfixShare]*sumLeadProcess*60+f[figEmergencyWait])
	restore := f[figDetect] + f[figDiagnose]*size + fix
	m.TimeToDetectMinutes = f[figDetect]
	m.TimeToRestoreHours = restore / 60
	sprintMinutes := sprintHours * 60
	m.DowntimeMinutes = math.Min(m.FailedDeployments*restore*blast, sprintMinutes)
	m.DowntimeHours = m.DowntimeMinutes / 60
	m.Availability = 1 - m.DowntimeMinutes/sprintMinutes
	pool := c.Inventory + m.FeaturesBuilt
	m.FeaturesShipped = pool * math.Min(1, m.DeploysPerSprint)
	m.Waiting = pool - m.FeaturesShipped
	m.Value = m.FeaturesShipped * f[figValuePerPoint] / (1 + m.LeadTimeHours/24/s.Value.CostOfDelayDays)
	m.Learning = f[figLearning] - c.Learning
	m.Debt = f[figDebt]
	o.calms = CALMS{f[figCulture], f[figAutomation], f[figLean], f[figMeasurement], f[figSharing]}
}

// fill writes the outcome into a record, rounded.
func (o *outcome) fill(s *Scenario, r *SprintRecord) {
	r.Stream = make([]StageTime, len(o.stream))
	for i, st := range o.stream {
		r.Stream[i] = StageTime{Stage: st.Stage, Process: round4(st.Process), Wait: round4(st.Wait), Time: round4(st.Time)}
	}
	r.Figures = make(map[string]float64, numFigures-16)
	for i := 16; i < numFigures; i++ {
		r.Figures[figureDefs[i].name] = round4(o.figs[i])
	}
	r.Metrics = roundMetrics(o.metrics)
	r.Tiers = s.TiersOf(r.Metrics)
	c := o.calms
	r.CALMS = CALMS{round4(c.Culture), round4(c.Automation), round4(c.Lean), round4(c.Measurement), round4(c.Sharing)}
}

func roundMetrics(m Metrics) Metrics {
	return Metrics{
		LeadTimeHours: round4(m.LeadTimeHours), DeploysPerDay: round4(m.DeploysPerDay),
		DeploysPerSprint: round4(m.DeploysPerSprint), ChangeFailureRate: round4(m.ChangeFailureRate),
		FailedDeployments: round4(m.FailedDeployments), TimeToDetectMinutes: round4(m.TimeToDetectMinutes),
		TimeToRestoreHours: round4(m.TimeToRestoreHours), DowntimeMinutes: round4(m.DowntimeMinutes),
		DowntimeHours: round4(m.DowntimeHours), Availability: round4(m.Availability),
		BatchSize: round4(m.BatchSize), IncidentHours: round4(m.IncidentHours), ExposureHours: round4(m.ExposureHours),
		FeaturesBuilt: round4(m.FeaturesBuilt), FeaturesShipped: round4(m.FeaturesShipped),
		Waiting: round4(m.Waiting), Value: round4(m.Value), FlowEfficiency: round4(m.FlowEfficiency),
		WIP: round4(m.WIP), Learning: round4(m.Learning), Debt: round4(m.Debt), Bottleneck: m.Bottleneck,
	}
}
