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
	// figures are estimates, as its players see them.
	Estimate bool    `json:"estimate,omitempty"`
	Text     Text    `json:"text"`
	Causes   []Cause `json:"causes"`
}

// Cause is one source's share of a change.
type Cause struct {
	// Source is "capability:<id>", "action:<id>", "rule:<id>",
	// "incident:<id>" or "previous" (what last sprint left behind).
	Source string `json:"source"`
	Name   Text   `json:"name"`
	// Delta is the change this source made to the metric (metrics and
	// counters only).
	Delta float64 `json:"delta,omitempty"`
	Text  Text    `json:"text"`
}

type metricDef struct {
	id          string
	label       Text
	get         func(*Metrics) float64
	lowerBetter bool
	points      bool // a rate: changes are told in percentage points
	tier        func(Tiers) Tier
}

var metricDefs = []metricDef{
	{"leadTimeHours", Text{"lead time for changes", "délai de mise en production (lead time)"}, func(m *Metrics) float64 { return m.LeadTimeHours }, true, false, func(t Tiers) Tier { return t.LeadTime }},
	{"deploysPerDay", Text{"deployment frequency", "fréquence de déploiement"}, func(m *Metrics) float64 { return m.DeploysPerDay }, false, false, func(t Tiers) Tier { return t.DeployFrequency }},
	{"changeFailureRate", Text{"change failure rate", "taux d'échec des changements"}, func(m *Metrics) float64 { return m.ChangeFailureRate }, true, true, func(t Tiers) Tier { return t.ChangeFailureRate }},
	{"timeToRestoreHours", Text{"time to restore service", "temps de restauration du service"}, func(m *Metrics) float64 { return m.TimeToRestoreHours }, true, false, func(t Tiers) Tier { return t.TimeToRestore }},
	{"availability", Text{"availability", "disponibilité"}, func(m *Metrics) float64 { return m.Availability }, false, true, nil},
	{"downtimeHours", Text{"downtime", "temps de panne"}, func(m *Metrics) float64 { return m.DowntimeHours }, true, false, nil},
	{"batchSize", Text{"size of a deployment", "taille d'un déploiement"}, func(m *Metrics) float64 { return m.BatchSize }, true, false, nil},
	{"incidentHours", Text{"incident restore time", "temps de rétablissement après incident"}, func(m *Metrics) float64 { return m.IncidentHours }, true, false, nil},
	{"exposureHours", Text{"exposure to a vulnerability", "exposition à une vulnérabilité"}, func(m *Metrics) float64 { return m.ExposureHours }, true, false, nil},
	{"value", Text{"business value delivered", "valeur métier livrée"}, func(m *Metrics) float64 { return m.Value }, false, false, nil},
}

var previousName = Text{"Carried over from last sprint (its incident, work waiting, debt)", "Hérité du sprint précédent (son incident, le travail en attente, la dette)"}

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

	// Walk from last sprint to this one, one source at a time.
	type step struct {
		src           string
		name          Text
		before, after Metrics
	}
	cur := slices.Clone(c.Effects)
	m := roundMetrics(s.evaluate(cur, cr, nil).metrics)
	steps := []step{{src: "previous", name: previousName, before: prev.Metrics, after: m}}
	for _, src := range changed {
		cur = s.replaceSource(cur, src, nowBy[src])
		next := roundMetrics(s.evaluate(cur, cr, nil).metrics)
		name := s.causeName(src, rec.Sprint)
		if _, now := nowBy[src]; !now {
			name = textf("%s (last sprint, now over)", "%s (sprint précédent, terminé)", s.sourceName(src))
		}
		steps = append(steps, step{src: src, name: name, before: m, after: next})
		m = next
	}

	prevTiers := prev.Tiers
	for _, d := range metricDefs {
		before, after := d.get(&prev.Metrics), d.get(&rec.Metrics)
		if !changedEnough(before, after) {
			continue
		}
		mc := MetricChange{Metric: d.id, Name: d.label, Before: before, After: after, Causes: []Cause{}}
		if d.tier != nil {
			mc.TierBefore, mc.TierAfter = d.tier(prevTiers), d.tier(rec.Tiers)
		}
		mc.Text = summary(d, before, after, mc.TierBefore, mc.TierAfter)
		for _, st := range steps {
			b, a := d.get(&st.before), d.get(&st.after)
			if !changedEnough(b, a) {
				continue
			}
			mc.Causes = append(mc.Causes, Cause{Source: st.src, Name: st.name, Delta: round4(a - b), Text: causeText(d, st.name, b, a)})
		}
		res.Metrics = append(res.Metrics, mc)
	}

	// Theory of constraints, told in plain words.
	if prev.Metrics.Bottleneck != rec.Metrics.Bottleneck {
		res.Notices = append(res.Notices, Notice{Kind: "bottleneck_moved", Text: textf(
			"The bottleneck moved from %s to %s: improving %s is what speeds up the flow now.",
			"Le goulot d'étranglement est passé de l'étape « %s » à l'étape « %s » : c'est désormais en améliorant « %s » que le flux accélère.",
			s.stageName(prev.Metrics.Bottleneck), s.stageName(rec.Metrics.Bottleneck), s.stageName(rec.Metrics.Bottleneck))})
	}
	// A source new this sprint that sped up stages but not the flow: with
	// or without it (everything else as it is now), deployments and lead
	// time are the same.
	final := s.evaluate(applied, cr, nil).metrics
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
		res.Notices = append(res.Notices, Notice{Kind: "not_the_bottleneck", Text: textf(
			"%s sped up %s, but %s is the bottleneck: deployments and lead time did not change.",
			"%s a accéléré %s, mais le goulot d'étranglement est l'étape « %s » : ni les déploiements ni le lead time n'ont bougé.",
			s.sourceName(src), s.stageList(faster), s.stageName(final.Bottleneck))})
	}

	// Figures.
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

// causeName names a source in an explanation: an action with the teams
// that did it, a capability acquired this sprint with the sprint.
func (s *Scenario) causeName(src string, sprint int) Text {
	name := s.sourceName(src)
	kind, id, _ := strings.Cut(src, ":")
	if a := s.idx.actions[id]; kind == "action" && a != nil {
		var en, fr []string
		for _, t := range a.Teams {
			n := teamName(s, t)
			en, fr = append(en, n.EN), append(fr, n.FR)
		}
		return textf("%s (%s, sprint %d)", "%s (%s, sprint %d)", name, Text{strings.Join(en, " and "), strings.Join(fr, " et ")}, sprint)
	}
	return name
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

// stageList names stages in a sentence: "the Build and Code stages", « les
// étapes « Construire » et « Coder » ».
func (s *Scenario) stageList(ids []string) Text {
	var en, fr []string
	for _, id := range ids {
		n := s.stageName(id)
		en, fr = append(en, n.EN), append(fr, "« "+n.FR+" »")
	}
	and := func(list []string, word string) string {
		if len(list) == 1 {
			return list[0]
		}
		return strings.Join(list[:len(list)-1], ", ") + " " + word + " " + list[len(list)-1]
	}
	if len(ids) == 1 {
		return Text{"the " + en[0] + " stage", "l'étape " + fr[0]}
	}
	return Text{"the " + and(en, "and") + " stages", "les étapes " + and(fr, "et")}
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

// num formats a number for a sentence: few decimals, a decimal comma in
// French.
func num(v float64, lang string) string {
	a := math.Abs(v)
	var s string
	switch {
	case a >= 100 || a == math.Trunc(a):
		s = fmt.Sprintf("%.0f", v)
	case a >= 10:
		s = fmt.Sprintf("%.1f", v)
	case a >= 0.01:
		s = strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
	default:
		s = strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
	}
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// duration formats hours in the unit that reads best.
func duration(h float64, lang string) string {
	switch {
	case h < 1:
		return num(math.Round(h*60), lang) + " min"
	case h < 48:
		return num(h, lang) + " h"
	case lang == "fr":
		return num(h/24, lang) + " jours"
	}
	return num(h/24, lang) + " days"
}

// show formats a metric value.
func show(id string, v float64, lang string) string {
	switch id {
	case "leadTimeHours", "timeToRestoreHours", "downtimeHours", "incidentHours", "exposureHours":
		return duration(v, lang)
	case "batchSize":
		if lang == "fr" {
			return num(v, lang) + " points de changement"
		}
		return num(v, lang) + " change points"
	case "deploysPerDay":
		if v >= 1 || v == 0 {
			if lang == "fr" {
				return num(v, lang) + " par jour"
			}
			return num(v, lang) + " per day"
		}
		if lang == "fr" {
			return "1 tous les " + num(1/v, lang) + " jours"
		}
		return "1 every " + num(1/v, lang) + " days"
	case "changeFailureRate":
		return num(v*100, lang) + " %"
	case "availability":
		t := fmt.Sprintf("%.2f", v*100)
		if lang == "fr" {
			t = strings.Replace(t, ".", ",", 1)
		}
		return t + " %"
	}
	return num(v, lang)
}

func summary(d metricDef, before, after float64, tb, ta Tier) Text {
	t := Text{
		EN: fmt.Sprintf("%s: %s → %s", capitalize(d.label.EN), show(d.id, before, "en"), show(d.id, after, "en")),
		FR: fmt.Sprintf("%s : %s → %s", capitalize(d.label.FR), show(d.id, before, "fr"), show(d.id, after, "fr")),
	}
	if tb != "" && tb != ta {
		t.EN += fmt.Sprintf(" (%s → %s)", tb.Label().EN, ta.Label().EN)
		t.FR += fmt.Sprintf(" (%s → %s)", tb.Label().FR, ta.Label().FR)
	}
	t.EN += "."
	t.FR += "."
	return t
}

func causeText(d metricDef, name Text, before, after float64) Text {
	down := after < before
	var amount Text
	absolute := d.id == "downtimeHours" || d.id == "incidentHours" || d.id == "exposureHours" ||
		(before != 0 && math.Abs(after-before) > 10*math.Abs(before))
	if d.points {
		p := math.Abs(after-before) * 100
		amount = Text{num(p, "en") + " points", num(p, "fr") + " points"}
	} else if before != 0 && !absolute {
		p := math.Abs(after-before) / math.Abs(before) * 100
		amount = Text{num(p, "en") + " %", num(p, "fr") + " %"}
	} else {
		amount = Text{show(d.id, math.Abs(after-before), "en"), show(d.id, math.Abs(after-before), "fr")}
	}
	if down {
		return textf("%s cut %s by %s.", "%s : %s en baisse de %s.", name, d.label, amount)
	}
	return textf("%s raised %s by %s.", "%s : %s en hausse de %s.", name, d.label, amount)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}
