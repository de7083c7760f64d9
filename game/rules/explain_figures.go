package rules

import "strings"

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

// opText tells an effect's operation and value: "×0.5", "+2", "set to
// 3"…
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

// joinOps tells a list of effects' operations, separated by commas.
func joinOps(list []Applied) Text {
	var en, fr []string
	for _, a := range list {
		t := opText(a.Op, a.Value)
		en, fr = append(en, t.EN), append(fr, t.FR)
	}
	return Text{strings.Join(en, ", "), strings.Join(fr, ", ")}
}

// figureCause tells how a source's effects on a figure changed since the
// last sprint.
func figureCause(name Text, prev, now []Applied) Text {
	switch {
	case len(prev) == 0:
		return textf("%s: %s", "%s : %s", name, joinOps(now))
	case len(now) == 0:
		return textf("%s no longer applies (was %s)", "%s ne s'applique plus (c'était %s)", name, joinOps(prev))
	}
	return textf("%s: %s (was %s)", "%s : %s (c'était %s)", name, joinOps(now), joinOps(prev))
}
