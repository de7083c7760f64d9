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

type metricUnit int

const (
	unitValue   metricUnit = iota // a plain number
	unitHours                     // a time, told in minutes, hours or days
	unitDeploys                   // deployments a day, a week or a month
	unitPoints                    // a rate, told in percentage points
	unitChange                    // change points
)

type metricDef struct {
	id          string
	label       Text
	get         func(*Metrics) float64
	lowerBetter bool
	unit        metricUnit
	tier        func(Tiers) Tier
}

var metricDefs = []metricDef{
	{"leadTimeHours", Text{"lead time for changes", "délai de mise en production (lead time)"}, func(m *Metrics) float64 { return m.LeadTimeHours }, true, unitHours, func(t Tiers) Tier { return t.LeadTime }},
	{"deploysPerDay", Text{"deployment frequency", "fréquence de déploiement"}, func(m *Metrics) float64 { return m.DeploysPerDay }, false, unitDeploys, func(t Tiers) Tier { return t.DeployFrequency }},
	{"changeFailureRate", Text{"change failure rate", "taux d'échec des changements"}, func(m *Metrics) float64 { return m.ChangeFailureRate }, true, unitPoints, func(t Tiers) Tier { return t.ChangeFailureRate }},
	{"timeToRestoreHours", Text{"time to restore service", "temps de restauration du service"}, func(m *Metrics) float64 { return m.TimeToRestoreHours }, true, unitHours, func(t Tiers) Tier { return t.TimeToRestore }},
	{"availability", Text{"availability", "disponibilité"}, func(m *Metrics) float64 { return m.Availability }, false, unitPoints, nil},
	{"downtimeHours", Text{"downtime", "temps de panne"}, func(m *Metrics) float64 { return m.DowntimeHours }, true, unitHours, nil},
	{"batchSize", Text{"size of a deployment", "taille d'un déploiement"}, func(m *Metrics) float64 { return m.BatchSize }, true, unitChange, nil},
	{"incidentHours", Text{"incident restore time", "temps de restauration après incident"}, func(m *Metrics) float64 { return m.IncidentHours }, true, unitHours, nil},
	{"exposureHours", Text{"exposure to a vulnerability", "exposition à une vulnérabilité"}, func(m *Metrics) float64 { return m.ExposureHours }, true, unitHours, nil},
	{"value", Text{"business value delivered", "valeur métier livrée"}, func(m *Metrics) float64 { return m.Value }, false, unitValue, nil},
}

func metricDefOf(id string) metricDef {
	for _, d := range metricDefs {
		if d.id == id {
			return d
		}
	}
	return metricDef{id: id, label: Text{id, id}, get: func(*Metrics) float64 { return 0 }}
}

// incidentMetric reports whether a metric counts an incident (so that
// last sprint's incident, now over, is what changed it).
func incidentMetric(id string) bool {
	switch id {
	case "downtimeHours", "availability", "incidentHours", "exposureHours":
		return true
	}
	return false
}

func (s *Scenario) explain(c *Company, cr carry, rec *SprintRecord, applied []Applied, out outcome, res *SprintResult) {
	prev := c.Last()
	prevBy := groupBySource(c.Effects)
	nowBy := groupBySource(applied)
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
	states := map[string]Text{}
	for _, r := range res.Rules {
		states[r.ID] = r.State
	}

	// Walk from last sprint to this one, one source at a time, measuring
	// each step: the deltas add up to the whole change. The first step
	// replays last sprint's effects from where it left the company: what
	// it changes is last sprint's incident, now over, and the feature
	// work it left waiting.
	type step struct {
		cause         Cause
		before, after Metrics
	}
	cur := slices.Clone(c.Effects)
	m := roundMetrics(s.evaluate(cur, cr, nil).metrics)
	carried := m
	var steps []step
	for _, src := range changed {
		cur = s.replaceSource(cur, src, nowBy[src])
		next := roundMetrics(s.evaluate(cur, cr, nil).metrics)
		_, now := nowBy[src]
		cs := Cause{Source: src, Name: s.sourceName(src), Ended: !now}
		cs.Teams, cs.Sprint = s.origin(c, rec, src, !now)
		steps = append(steps, step{cause: cs, before: m, after: next})
		m = next
	}

	prevTiers := prev.Tiers
	for _, d := range metricDefs {
		before, after := d.get(&prev.Metrics), d.get(&rec.Metrics)
		if !changedEnough(before, after) || d.id == "incidentHours" || d.id == "exposureHours" {
			// An incident's own time is told with the incident; a sprint
			// only ends last sprint's (its downtime tells that).
			continue
		}
		mc := MetricChange{Metric: d.id, Name: d.label, Before: before, After: after, Causes: []Cause{}}
		if d.tier != nil {
			mc.TierBefore, mc.TierAfter = d.tier(prevTiers), d.tier(rec.Tiers)
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
	s.flowNotices(c, cr, prev, rec, applied, changed, prevBy, nowBy, res)
	s.figureChanges(prev, applied, out, changed, prevBy, nowBy, res)
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

// flowNotices tell the theory of constraints in plain words: where the
// bottleneck went, and what sped up stages that are not the bottleneck.
// They come first in the notices.
func (s *Scenario) flowNotices(c *Company, cr carry, prev, rec *SprintRecord, applied []Applied, changed []string, prevBy, nowBy map[string][]Applied, res *SprintResult) {
	var flow []Notice
	if prev.Metrics.Bottleneck != rec.Metrics.Bottleneck {
		flow = append(flow, Notice{Kind: "bottleneck_moved", Text: textf(
			"The bottleneck moved from %s (%s a batch) to %s (%s): improving %s is what speeds up the flow now.",
			"Le goulot d'étranglement est passé de l'étape « %s » (%s par lot) à l'étape « %s » (%s) : c'est désormais en améliorant « %s » que le flux accélère.",
			s.stageName(prev.Metrics.Bottleneck), hours(stageHours(prev, prev.Metrics.Bottleneck)),
			s.stageName(rec.Metrics.Bottleneck), hours(stageHours(rec, rec.Metrics.Bottleneck)), s.stageName(rec.Metrics.Bottleneck))})
	}
	// The sources new this sprint that sped up stages but not the flow:
	// with or without each (everything else as it is now), deployments and
	// lead time are the same.
	final := s.evaluate(applied, cr, nil).metrics
	var names []Text
	var stages []string
	for _, src := range changed {
		if _, existed := prevBy[src]; existed {
			continue
		}
		var faster []string
		for _, a := range nowBy[src] {
			if fi, ok := figureIndex[a.Target]; ok && fi < 16 && speedsUp(a) {
				if id := StageIDs[fi/2]; !slices.Contains(faster, id) {
					faster = append(faster, id)
				}
			}
		}
		if len(faster) == 0 {
			continue
		}
		without := s.evaluate(s.replaceSource(applied, src, nil), cr, nil).metrics
		if changedEnough(without.DeploysPerDay, final.DeploysPerDay) || changedEnough(without.LeadTimeHours, final.LeadTimeHours) {
			continue
		}
		names = append(names, s.sourceName(src))
		for _, id := range faster {
			if !slices.Contains(stages, id) {
				stages = append(stages, id)
			}
		}
	}
	if len(names) > 0 {
		slices.SortFunc(stages, func(a, b string) int { return slices.Index(StageIDs, a) - slices.Index(StageIDs, b) })
		quoted := make([]Text, len(names))
		for i, n := range names {
			quoted[i] = Text{n.EN, "« " + n.FR + " »"}
		}
		faster := Text{"sped up", "va plus vite"}
		if len(stages) > 1 {
			faster.FR = "vont plus vite"
		}
		flow = append(flow, Notice{Kind: "not_the_bottleneck", Text: textf(
			"%s %s %s, but %s is still the bottleneck (%s a batch): this alone moves neither deployments nor lead time.",
			"Grâce à %[1]s, %[3]s %[2]s, mais le goulot reste l'étape « %[4]s » (%[5]s par lot) : à elle seule, cette accélération ne change ni la fréquence de déploiement ni le délai de mise en production.",
			joinTexts(quoted), faster, s.stageNames(stages), s.stageName(final.Bottleneck), hours(stageHours(rec, final.Bottleneck)))})
	}
	res.Notices = append(flow, res.Notices...)
}

// stageHours is a stage's hours in a sprint.
func stageHours(rec *SprintRecord, id string) float64 {
	for _, st := range rec.Stream {
		if st.Stage == id {
			return st.Time
		}
	}
	return 0
}

// joinTexts joins names in a sentence: "A, B and C", « A, B et C ».
func joinTexts(list []Text) Text {
	var en, fr []string
	for _, t := range list {
		en, fr = append(en, t.EN), append(fr, t.FR)
	}
	and := func(l []string, word string) string {
		if len(l) == 1 {
			return l[0]
		}
		return strings.Join(l[:len(l)-1], ", ") + " " + word + " " + l[len(l)-1]
	}
	return Text{and(en, "and"), and(fr, "et")}
}

// figureChanges lists every figure that changed, with the effects that
// changed it.
func (s *Scenario) figureChanges(prev *SprintRecord, applied []Applied, out outcome, changed []string, prevBy, nowBy map[string][]Applied, res *SprintResult) {
	for i := 0; i < numFigures; i++ {
		var before float64
		if i < 16 {
			if i%2 == 0 {
				before = prev.Stream[i/2].Process
			} else {
				before = prev.Stream[i/2].Wait
			}
		} else {
			before = prev.Figures[figureDefs[i].name]
		}
		after := round4(out.figs[i])
		if before == after {
			continue
		}
		name := figureDefs[i].name
		fc := FigureChange{Figure: name, Name: s.figureLabel(i), Before: before, After: after, Causes: []Cause{}}
		if figureDefs[i].counter {
			for _, a := range applied {
				if a.Target == name {
					fc.Causes = append(fc.Causes, Cause{Source: a.Source, Name: s.sourceName(a.Source), Delta: a.Value,
						Text: textf("%s: %s", "%s : %s", s.sourceName(a.Source), opText(a.Op, a.Value))})
				}
			}
		} else {
			for _, src := range changed {
				p, n := onTarget(prevBy[src], name), onTarget(nowBy[src], name)
				if sameEffects(p, n) {
					continue
				}
				fc.Causes = append(fc.Causes, Cause{Source: src, Name: s.sourceName(src), Text: figureCause(s.sourceName(src), p, n)})
			}
		}
		res.Figures = append(res.Figures, fc)
	}
}

func speedsUp(a Applied) bool {
	switch a.Op {
	case "mul":
		return a.Value < 1
	case "add":
		return a.Value < 0
	case "set", "min":
		return true
	}
	return false
}

// stageNames names stages in a short sentence: "Test, Deploy and
// Operate", « les étapes « Tester », « Déployer » et « Exploiter » ».
func (s *Scenario) stageNames(ids []string) Text {
	var names []Text
	for _, id := range ids {
		n := s.stageName(id)
		names = append(names, Text{n.EN, "« " + n.FR + " »"})
	}
	t := joinTexts(names)
	if len(ids) == 1 {
		t.FR = "l'étape " + t.FR
	} else {
		t.FR = "les étapes " + t.FR
	}
	return t
}

func (s *Scenario) stageName(id string) Text {
	for _, st := range s.Stages {
		if st.ID == id {
			return st.Name
		}
	}
	return Text{id, id}
}

func changedEnough(a, b float64) bool {
	return math.Abs(a-b) > 1e-4*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func groupBySource(list []Applied) map[string][]Applied {
	m := map[string][]Applied{}
	for _, a := range list {
		m[a.Source] = append(m[a.Source], a)
	}
	return m
}

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

func opText(op string, v float64) Text {
	n := Text{num(v, "en"), num(v, "fr")}
	switch op {
	case "mul":
		return textf("×%s", "×%s", n)
	case "add":
		if v >= 0 {
			return textf("+%s", "+%s", n)
		}
		return textf("−%s", "−%s", Text{num(-v, "en"), num(-v, "fr")})
	case "set":
		return textf("set to %s", "fixé à %s", n)
	case "min":
		return textf("at most %s", "au plus %s", n)
	case "max":
		return textf("at least %s", "au moins %s", n)
	}
	return n
}

func joinOps(list []Applied) Text {
	var en, fr []string
	for _, a := range list {
		t := opText(a.Op, a.Value)
		en, fr = append(en, t.EN), append(fr, t.FR)
	}
	return Text{strings.Join(en, ", "), strings.Join(fr, ", ")}
}

func figureCause(name Text, prev, now []Applied) Text {
	switch {
	case len(prev) == 0:
		return textf("%s: %s", "%s : %s", name, joinOps(now))
	case len(now) == 0:
		return textf("%s no longer applies (was %s)", "%s ne s'applique plus (c'était %s)", name, joinOps(prev))
	}
	return textf("%s: %s (was %s)", "%s : %s (c'était %s)", name, joinOps(now), joinOps(prev))
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

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}
