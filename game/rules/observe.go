package rules

import (
	"math"
	"strings"
)

// Measured says what a company can measure of itself in a sprint: the
// stage times of its value stream (value stream mapping) and its DORA
// figures (monitoring or a DORA dashboard). What it cannot measure, its
// players see as unknown or as estimates.
type Measured struct {
	Stream bool `json:"stream"`
	DORA   bool `json:"dora"`
}

// MeasuredAt returns what the company could measure in the given sprint,
// with the capabilities it owned then (0 for the starting point).
func MeasuredAt(scn *Scenario, c *Company, sprint int) Measured {
	has := func(ids []string) bool {
		if len(ids) == 0 {
			return true
		}
		for _, o := range c.Capabilities {
			if o.Sprint <= sprint {
				for _, id := range ids {
					if o.ID == id {
						return true
					}
				}
			}
		}
		return false
	}
	return Measured{Stream: has(scn.Measurement.Stream), DORA: has(scn.Measurement.DORA)}
}

// Observed returns a sprint record as the company's own players see it.
// Without a measured value stream, the stage times are estimates (one
// significant figure) and the bottleneck is unknown (""). Without measured DORA figures, lead time, deployment
// frequency, change failure rate, time to restore, downtime and
// availability are estimates (one significant figure) and their tiers are
// those of the estimates. The record given is not changed.
func Observed(scn *Scenario, c *Company, rec SprintRecord) SprintRecord {
	ms := MeasuredAt(scn, c, rec.Sprint)
	if !ms.Stream {
		stream := make([]StageTime, len(rec.Stream))
		for i, st := range rec.Stream {
			stream[i] = StageTime{Stage: st.Stage, Process: Estimate(st.Process), Wait: Estimate(st.Wait), Time: Estimate(st.Time)}
		}
		rec.Stream = stream
		rec.Metrics.Bottleneck = ""
		rec.Metrics.FlowEfficiency = 0
	}
	if !ms.DORA {
		m := &rec.Metrics
		m.LeadTimeHours = Estimate(m.LeadTimeHours)
		m.DeploysPerDay = Estimate(m.DeploysPerDay)
		m.DeploysPerSprint = Estimate(m.DeploysPerSprint)
		m.ChangeFailureRate = Estimate(m.ChangeFailureRate)
		m.FailedDeployments = Estimate(m.FailedDeployments)
		m.TimeToRestoreHours = Estimate(m.TimeToRestoreHours)
		m.TimeToDetectMinutes = Estimate(m.TimeToDetectMinutes)
		m.DowntimeHours = Estimate(m.DowntimeHours)
		m.DowntimeMinutes = round4(m.DowntimeHours * 60)
		m.Availability = round4(1 - Estimate(1-m.Availability))
		rec.Tiers = scn.TiersOf(*m)
	}
	return rec
}

// Estimate rounds a figure to one significant figure, as a team that does
// not measure it would guess it: 3392 → 3000, 0.028 → 0.03, 0.35 → 0.4.
func Estimate(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(math.Abs(v))))
	return round4(math.Round(v/p) * p)
}

// doraMetric reports whether a metric is one a company measures with its
// DORA figures (the four metrics, downtime and availability).
func doraMetric(id string) bool {
	switch id {
	case "leadTimeHours", "deploysPerDay", "changeFailureRate", "timeToRestoreHours", "downtimeHours", "availability":
		return true
	}
	return false
}

// observeChanges turns exact metric changes into what a company that does
// not measure its DORA figures sees: estimates, and causes without
// amounts (only the direction of each: "↓ Continuous delivery (Dev and
// Ops, sprint 3)").
func (s *Scenario) observeChanges(list []MetricChange) []MetricChange {
	out := make([]MetricChange, 0, len(list))
	for _, mc := range list {
		if !doraMetric(mc.Metric) {
			out = append(out, mc)
			continue
		}
		d := metricDefOf(mc.Metric)
		b, a := Estimate(mc.Before), Estimate(mc.After)
		if mc.Metric == "availability" {
			b, a = round4(1-Estimate(1-mc.Before)), round4(1-Estimate(1-mc.After))
		}
		mc.Before, mc.After, mc.Estimate = b, a, true
		if d.tier != nil {
			mc.TierBefore, mc.TierAfter = s.tierOf(mc.Metric, b), s.tierOf(mc.Metric, a)
		}
		mc.Change, mc.Brief = Text{}, Text{}
		mc.Text = summary(d, b, a, mc.Change, mc.TierBefore, mc.TierAfter)
		mc.Text.EN, mc.Text.FR = "Estimated — "+mc.Text.EN, "Estimation — "+mc.Text.FR
		mc.Values = values(d, b, a, "≈ ")
		causes := make([]Cause, len(mc.Causes))
		for i, c := range mc.Causes {
			arrow := "↑"
			if c.Delta < 0 {
				arrow = "↓"
			}
			c.Delta = 0
			c.Amount = Text{arrow, arrow}
			c.Text = textf("%s %s", "%s %s", c.Amount, c.Label)
			causes[i] = c
		}
		mc.Causes = causes
		if n := len(mc.Causes) - mc.Shown; n > 0 {
			mc.More = textf("and %d smaller effects", "et %d effets plus petits", n)
			if n == 1 {
				mc.More = Text{"and 1 smaller effect", "et 1 effet plus petit"}
			}
		}
		out = append(out, mc)
	}
	return out
}

// tierOf is the tier of one DORA metric's value.
func (s *Scenario) tierOf(metric string, v float64) Tier {
	switch metric {
	case "leadTimeHours":
		return lowerTier(v, s.DORA.LeadTimeHours)
	case "deploysPerDay":
		return higherTier(v, s.DORA.DeploysPerDay)
	case "changeFailureRate":
		return lowerTier(v, s.DORA.ChangeFailureRate)
	case "timeToRestoreHours":
		return lowerTier(v, s.DORA.TimeToRestoreHours)
	}
	return ""
}

// ObservedResult returns a sprint's explained results as the company's
// own players see them: without value stream mapping, nothing that tells
// the stage times or the bottleneck; without monitoring or a DORA
// dashboard, DORA figures as estimates. The result given is not changed.
func ObservedResult(scn *Scenario, c *Company, res *SprintResult) *SprintResult {
	ms := MeasuredAt(scn, c, res.Sprint)
	if ms.Stream && ms.DORA {
		return res
	}
	out := *res
	if !ms.Stream {
		out.Notices = nil
		for _, n := range res.Notices {
			if n.Kind != "bottleneck_moved" && n.Kind != "not_the_bottleneck" {
				out.Notices = append(out.Notices, n)
			}
		}
		out.Figures = nil
		for _, f := range res.Figures {
			if !strings.HasPrefix(f.Figure, "stage.") {
				out.Figures = append(out.Figures, f)
			}
		}
		if out.Notices == nil {
			out.Notices = []Notice{}
		}
		if out.Figures == nil {
			out.Figures = []FigureChange{}
		}
	}
	if !ms.DORA {
		out.Metrics = scn.observeChanges(res.Metrics)
	}
	return &out
}

// ObservedIncident returns an incident's results as the company's players
// see them (DORA figures as estimates without measurement).
func ObservedIncident(scn *Scenario, c *Company, sprint int, res *IncidentResult) *IncidentResult {
	if MeasuredAt(scn, c, sprint).DORA {
		return res
	}
	out := *res
	out.Metrics = scn.observeChanges(res.Metrics)
	return &out
}
