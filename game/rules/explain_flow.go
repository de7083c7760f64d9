package rules

import "slices"

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

// speedsUp reports whether an effect on a stage time makes it faster.
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

// stageName returns the display name of a stage.
func (s *Scenario) stageName(id string) Text {
	for _, st := range s.Stages {
		if st.ID == id {
			return st.Name
		}
	}
	return Text{id, id}
}
