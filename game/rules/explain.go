package rules

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Explanations. Every figure that changed since the last sprint lists the
// effects that changed it. Every metric that changed lists its causes,
// found by walking from last sprint's effects to this sprint's one source
// at a time and measuring each step: the deltas add up to the whole change,
// and a source that sped up a stage which is not the bottleneck shows no
// effect on flow, as the theory of constraints says.

// FigureChange is a figure that changed since the last sprint.
type FigureChange struct {
	Figure string  `json:"figure"`
	Name   Text    `json:"name"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Causes []Cause `json:"causes"`
}

// MetricChange is an outcome that changed since the last sprint.
type MetricChange struct {
	Metric string  `json:"metric"`
	Name   Text    `json:"name"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	// TierBefore and TierAfter are set for the four DORA metrics.
	TierBefore Tier `json:"tierBefore,omitempty"`
	TierAfter  Tier `json:"tierAfter,omitempty"`
	// Estimate is true when the company does not measure the metric: the
	// figures are estimates, as its players see them, and no cause tells
	// an amount.
	Estimate bool `json:"estimate,omitempty"`
	// Text is the change in a sentence, with its tiers; Values is its
	// before and after ("40.8 % → 18.5 %", "≈ 40 % → ≈ 20 %" for an
	// estimate).
	Text   Text `json:"text"`
	Values Text `json:"values"`
	// Change is the change in the unit its causes are told in ("−14
	// days"), Brief the same with the unit abridged ("−14 j"); empty for
	// an estimate.
	Change Text `json:"change"`
	Brief  Text `json:"brief"`
	// Causes are every source of the change, largest first; their deltas
	// add up to After − Before. The first Shown are told one by one, the
	// others together in More ("and 4 smaller effects (−0.3 h in all)").
	Causes []Cause `json:"causes"`
	Shown  int     `json:"shown"`
	More   Text    `json:"more"`
}

// explain tells what changed since the last sprint and why: each metric
// with its causes, the flow notices (theory of constraints) and each
// figure with its effects.
func (s *Scenario) explain(c *Company, cr carry, rec *SprintRecord, applied []Applied, out outcome, res *SprintResult) {
	prev := c.Last()
	prevBy := groupBySource(c.Effects)
	nowBy := groupBySource(applied)
	changed := s.changedSources(prevBy, nowBy)
	carried, steps := s.walk(c, cr, rec, changed, nowBy)
	s.metricChanges(c, rec, carried, steps, res)
	s.flowNotices(c, cr, prev, rec, applied, changed, prevBy, nowBy, res)
	s.figureChanges(prev, applied, out, changed, prevBy, nowBy, res)
}

// changedSources lists the sources whose effects changed since the last
// sprint (new, ended or different), in canonical order.
func (s *Scenario) changedSources(prevBy, nowBy map[string][]Applied) []string {
	var changed []string
	for src := range prevBy {
		if !sameEffects(prevBy[src], nowBy[src]) {
			changed = append(changed, src)
		}
	}
	for src := range nowBy {
		if _, ok := prevBy[src]; !ok {
			changed = append(changed, src)
		}
	}
	slices.SortFunc(changed, func(a, b string) int {
		if d := s.sourceRank(a) - s.sourceRank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return changed
}

// explainStep is one step of the walk from last sprint's effects to this
// sprint's: the source changed, and the metrics before and after.
type explainStep struct {
	cause         Cause
	before, after Metrics
}

// walk goes from last sprint to this one, one source at a time, measuring
// each step: the deltas add up to the whole change. The first step
// replays last sprint's effects from where it left the company (carried):
// what it changes is last sprint's incident, now over, and the feature
// work it left waiting.
func (s *Scenario) walk(c *Company, cr carry, rec *SprintRecord, changed []string, nowBy map[string][]Applied) (Metrics, []explainStep) {
	cur := slices.Clone(c.Effects)
	m := roundMetrics(s.evaluate(cur, cr, nil).metrics)
	carried := m
	var steps []explainStep
	for _, src := range changed {
		cur = s.replaceSource(cur, src, nowBy[src])
		next := roundMetrics(s.evaluate(cur, cr, nil).metrics)
		_, now := nowBy[src]
		cs := Cause{Source: src, Name: s.sourceName(src), Ended: !now}
		cs.Teams, cs.Sprint = s.origin(c, rec, src, !now)
		steps = append(steps, explainStep{cause: cs, before: m, after: next})
		m = next
	}
	return carried, steps
}

// metricChanges tells each metric that changed enough to show, with the
// causes the walk measured.
func (s *Scenario) metricChanges(c *Company, rec *SprintRecord, carried Metrics, steps []explainStep, res *SprintResult) {
	prev := c.Last()
	states := map[string]Text{}
	for _, r := range res.Rules {
		states[r.ID] = r.State
	}
	for _, d := range metricDefs {
		before, after := d.get(&prev.Metrics), d.get(&rec.Metrics)
		if !changedEnough(before, after) || d.id == "incidentHours" || d.id == "exposureHours" {
			// An incident's own time is told with the incident; a sprint
			// only ends last sprint's (its downtime tells that).
			continue
		}
		mc := MetricChange{Metric: d.id, Name: d.label, Before: before, After: after, Causes: []Cause{}}
		if d.tier != nil {
			mc.TierBefore, mc.TierAfter = d.tier(prev.Tiers), d.tier(rec.Tiers)
		}
		if cs, ok := s.carriedCause(c, rec, d, prev, d.get(&carried)-before); ok {
			mc.Causes = append(mc.Causes, cs)
		}
		for _, st := range steps {
			b, a := d.get(&st.before), d.get(&st.after)
			if !changedEnough(b, a) {
				continue
			}
			cs := st.cause
			cs.Delta = a - b
			mc.Causes = append(mc.Causes, cs)
		}
		s.settle(&mc, d, states)
		if mc.Shown == 0 {
			continue // a change too small to show: noise
		}
		res.Metrics = append(res.Metrics, mc)
	}
}

// carriedCause names what the replay of last sprint changed in a metric:
// its incident, now over, or the feature points it left waiting.
func (s *Scenario) carriedCause(c *Company, rec *SprintRecord, d metricDef, prev *SprintRecord, delta float64) (Cause, bool) {
	if !changedEnough(0, delta) {
		return Cause{}, false
	}
	switch {
	case incidentMetric(d.id) && prev.Incident != "":
		src := "incident:" + prev.Incident
		return Cause{Source: src, Name: s.sourceName(src), Sprint: prev.Sprint, Ended: true, Delta: delta}, true
	case d.id == "value":
		waiting := prev.Metrics.Waiting
		var before float64
		if len(c.History) > 1 {
			before = c.History[len(c.History)-2].Metrics.Waiting
		}
		return Cause{Source: "waiting", Delta: delta, Name: Text{"Feature points waiting to ship", "Points de fonctionnalités en attente de livraison"},
			Label: textf("Work left waiting by earlier sprints (%s points, was %s)", "Travail en attente des sprints précédents (%s points, contre %s)",
				Text{num(waiting, "en"), num(waiting, "fr")}, Text{num(before, "en"), num(before, "fr")})}, true
	}
	return Cause{}, false
}

// settle makes a change's causes add up exactly to it (rounding is told
// in the largest), labels them and words the change.
func (s *Scenario) settle(mc *MetricChange, d metricDef, states map[string]Text) {
	sum := 0.0
	for _, cs := range mc.Causes {
		sum += cs.Delta
	}
	if len(mc.Causes) > 0 {
		big := 0
		for i, cs := range mc.Causes {
			if math.Abs(cs.Delta) > math.Abs(mc.Causes[big].Delta) {
				big = i
			}
		}
		mc.Causes[big].Delta += (mc.After - mc.Before) - sum
		for i := range mc.Causes {
			mc.Causes[i].Delta = round4(mc.Causes[i].Delta)
		}
		// round4 may leave a last ten-thousandth: the largest takes it.
		sum = 0
		for _, cs := range mc.Causes {
			sum += cs.Delta
		}
		mc.Causes[big].Delta = round4(mc.Causes[big].Delta + round4((mc.After-mc.Before)-sum))
	}
	for i := range mc.Causes {
		if mc.Causes[i].Label.EN == "" {
			mc.Causes[i].Label = s.label(mc.Causes[i], states)
		}
	}
	sc := d.tell(mc)
	mc.Text = summary(d, mc.Before, mc.After, mc.Change, mc.TierBefore, mc.TierAfter)
	mc.Values = sc.span(mc.Before, mc.After)
}

// values tells an estimated change's before and after: "≈ 40 % → ≈ 20 %".
func values(d metricDef, before, after float64, about string) Text {
	return Text{about + show(d.id, before, "en") + " → " + about + show(d.id, after, "en"),
		about + show(d.id, before, "fr") + " → " + about + show(d.id, after, "fr")}
}

// summary tells a change in a sentence: "Change failure rate: 40.8 % →
// 18.5 %, −22.3 points (low → high)."
func summary(d metricDef, before, after float64, change Text, tb, ta Tier) Text {
	t := Text{
		EN: fmt.Sprintf("%s: %s → %s", capitalize(d.label.EN), show(d.id, before, "en"), show(d.id, after, "en")),
		FR: fmt.Sprintf("%s\u00a0: %s → %s", capitalize(d.label.FR), show(d.id, before, "fr"), show(d.id, after, "fr")),
	}
	if change.EN != "" {
		t.EN += ", " + change.EN
		t.FR += ", " + change.FR
	}
	if tb != "" && tb != ta {
		t.EN += fmt.Sprintf(" (%s → %s)", tb.Label().EN, ta.Label().EN)
		t.FR += fmt.Sprintf(" (%s → %s)", tb.Label().FR, ta.Label().FR)
	}
	t.EN += "."
	t.FR += "."
	return t
}

// changedEnough reports whether two values differ by more than rounding
// (a ten-thousandth, relative to the larger when above 1).
func changedEnough(a, b float64) bool {
	return math.Abs(a-b) > 1e-4*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// groupBySource groups applied effects by their source, keeping order.
func groupBySource(list []Applied) map[string][]Applied {
	m := map[string][]Applied{}
	for _, a := range list {
		m[a.Source] = append(m[a.Source], a)
	}
	return m
}

// onTarget keeps the effects on one figure.
func onTarget(list []Applied, target string) []Applied {
	var out []Applied
	for _, a := range list {
		if a.Target == target {
			out = append(out, a)
		}
	}
	return out
}

// replaceSource swaps the entries of src in list for repl, keeping the
// canonical order of sources.
func (s *Scenario) replaceSource(list []Applied, src string, repl []Applied) []Applied {
	out := make([]Applied, 0, len(list)+len(repl))
	rank := s.sourceRank(src)
	inserted := false
	last, lastRank := "", 0
	for _, a := range list {
		if a.Source == src {
			continue
		}
		if a.Source != last {
			last, lastRank = a.Source, s.sourceRank(a.Source)
		}
		if !inserted && lastRank > rank {
			out = append(out, repl...)
			inserted = true
		}
		out = append(out, a)
	}
	if !inserted {
		out = append(out, repl...)
	}
	return out
}
