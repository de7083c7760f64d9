package rules

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// How a change is told to players: each cause names who did what and
// when, and its share of the change in the metric's own unit (hours or
// days, deployments a day, points of failure rate), rounded so that the
// shares shown and the smaller effects add up to the change shown.

// Cause is one source's share of a change.
type Cause struct {
	// Source is "capability:<id>", "action:<id>", "rule:<id>",
	// "incident:<id>" (an incident, or last sprint's once it is over) or
	// "waiting" (feature work left waiting by earlier sprints).
	Source string `json:"source"`
	Name   Text   `json:"name"`
	// Teams and Sprint say who did it and when: the teams of an action, or
	// of the action that acquired a capability, and the sprint. Sprint is
	// 0 for a capability owned from the start.
	Teams  []string `json:"teams,omitempty"`
	Sprint int      `json:"sprint,omitempty"`
	// Ended is true when the source was in force last sprint and is not
	// any more: a one-off action of last sprint, a rule that stopped
	// applying, last sprint's incident.
	Ended bool `json:"ended,omitempty"`
	// Delta is the change this source made to the metric (0 for an
	// estimate). The deltas of a change's causes add up to the change.
	Delta float64 `json:"delta,omitempty"`
	// Label names the cause: "Continuous delivery (Dev and Ops, sprint
	// 3)", a rule with its numbers.
	Label Text `json:"label"`
	// Amount is the delta in the metric's unit, rounded ("−14 days"); for
	// an estimate, only its direction ("↓").
	Amount Text `json:"amount"`
	// Text is the whole line: amount and label.
	Text Text `json:"text"`
}

// Causes shown per change before "and N smaller effects".
const shownCauses = 3

// scale is the unit a metric change is told in.
type scale struct {
	factor  float64 // display units per unit of the metric
	dec     int     // decimals
	unit    func(v float64, lang string) string
	short   func(v float64, lang string) string // the unit abridged, for the causes' amounts
	percent bool                                // values are percentages, changes points
}

// scaleFor chooses the unit and the precision of a change from before to
// after whose largest amount (the change or one of its causes) is span,
// so that every amount of the change is told the same way.
func (d metricDef) scaleFor(before, after, span float64) scale {
	top := math.Max(math.Abs(before), math.Abs(after))
	sc := scale{factor: 1, unit: func(v float64, lang string) string { return num(v, lang) }}
	sc.short = func(v float64, lang string) string { return sc.unit(v, lang) }
	maxDec := 1
	abridged := func(en, fr string) func(v float64, lang string) string {
		return func(v float64, lang string) string {
			if lang == "fr" {
				return fixed(v, sc.dec, lang) + fr
			}
			return fixed(v, sc.dec, lang) + en
		}
	}
	switch d.unit {
	case unitHours:
		switch {
		case top < 1:
			sc.factor, maxDec = 60, 0
			sc.unit = func(v float64, lang string) string { return fixed(v, 0, lang) + sp(lang) + "min" }
		case top <= 96:
			sc.unit = func(v float64, lang string) string { return fixed(v, sc.dec, lang) + sp(lang) + "h" }
		default:
			sc.factor = 1.0 / 24
			sc.unit = func(v float64, lang string) string {
				if lang == "fr" {
					return fixed(v, sc.dec, lang) + sp(lang) + plural(v, "jour", "jours", lang)
				}
				return fixed(v, sc.dec, lang) + plural(v, " day", " days", lang)
			}
			sc.short = func(v float64, lang string) string {
				if lang == "fr" {
					return fixed(v, sc.dec, lang) + sp(lang) + "j"
				}
				return sc.unit(v, lang)
			}
		}
	case unitDeploys:
		maxDec = 2
		en, fr := "a day", "par jour"
		switch {
		case top >= 1:
		case top >= 1.0/7:
			sc.factor, en, fr = 7, "a week", "par semaine"
		default:
			sc.factor, en, fr = 30, "a month", "par mois"
		}
		sc.unit = func(v float64, lang string) string {
			if lang == "fr" {
				return fixed(v, sc.dec, lang) + " " + fr
			}
			return fixed(v, sc.dec, lang) + " " + en
		}
		sc.short = abridged("/"+strings.TrimPrefix(en, "a "), "/"+strings.TrimPrefix(fr, "par "))
	case unitPoints:
		sc.factor, sc.percent = 100, true
		sc.unit = func(v float64, lang string) string {
			return fixed(v, sc.dec, lang) + plural(v, " point", " points", lang)
		}
		sc.short = abridged(" pt", " pt")
	case unitChange:
		sc.unit = func(v float64, lang string) string {
			if lang == "fr" {
				return fixed(v, sc.dec, lang) + plural(v, " point de changement", " points de changement", lang)
			}
			return fixed(v, sc.dec, lang) + plural(v, " change point", " change points", lang)
		}
		sc.short = abridged("", "")
	default:
		maxDec = 2
		sc.unit = func(v float64, lang string) string { return fixed(v, sc.dec, lang) }
	}
	if m := math.Abs(span) * sc.factor; m > 0 {
		sc.dec = min(maxDec, max(0, 2-int(math.Floor(math.Log10(m)))))
	}
	return sc
}

// plural picks the singular or the plural of a unit: French takes the
// singular under 2 (« 1,5 point »), English only for exactly 1.
func plural(v float64, one, many, lang string) string {
	a := math.Abs(v)
	if (lang == "fr" && a < 2) || (lang != "fr" && a == 1) {
		return one
	}
	return many
}

// fixed formats a number with dec decimals (trailing zeros kept, so that
// the amounts of a change line up), a decimal comma in French.
func fixed(v float64, dec int, lang string) string {
	s := fmt.Sprintf("%.*f", dec, math.Abs(v))
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// round rounds a value in display units to the scale's precision.
func (sc scale) round(v float64) float64 {
	p := math.Pow(10, float64(sc.dec))
	r := math.Round(v*p) / p
	if r == 0 {
		return 0
	}
	return r
}

// amount tells a signed amount in display units: "−14 days", "+0.21 a
// month", "≈ 0" when it rounds to nothing.
func (sc scale) amount(v float64) Text { return sc.signed(v, sc.unit) }

// brief tells a cause's amount, its unit abridged: "−14 d", "−14 j",
// "+0.21/month", "−11.8 pt".
func (sc scale) brief(v float64) Text { return sc.signed(v, sc.short) }

func (sc scale) signed(v float64, unit func(float64, string) string) Text {
	v = sc.round(v)
	if v == 0 {
		return Text{"≈ 0", "≈ 0"}
	}
	sign := "+"
	if v < 0 {
		sign = "−"
	}
	return Text{sign + unit(v, "en"), sign + unit(v, "fr")}
}

// tell sorts the causes of a change, largest first, and words the change
// and their amounts: the first causes whose amount shows (at most
// shownCauses) are shown, the others told together in More, so that what
// is shown adds up to the change shown.
func (d metricDef) tell(mc *MetricChange) scale {
	span := math.Abs(mc.After - mc.Before)
	for _, c := range mc.Causes {
		span = math.Max(span, math.Abs(c.Delta))
	}
	sc := d.scaleFor(mc.Before, mc.After, span)
	slices.SortStableFunc(mc.Causes, func(a, b Cause) int { return cmp.Compare(math.Abs(b.Delta), math.Abs(a.Delta)) })
	total := sc.round((mc.After - mc.Before) * sc.factor)
	mc.Change, mc.Brief = sc.amount(total), sc.brief(total)
	// A cause under a sixth of the largest one is a smaller effect, even
	// among the three largest.
	floor := 0.0
	if len(mc.Causes) > 0 {
		floor = math.Abs(mc.Causes[0].Delta) / 6
	}
	shown, sum := 0, 0.0
	for i := range mc.Causes {
		c := &mc.Causes[i]
		r := sc.round(c.Delta * sc.factor)
		if i == shown && shown < shownCauses && r != 0 && math.Abs(c.Delta) >= floor {
			shown++
			sum += r
		}
		c.Amount = sc.brief(r)
	}
	rest := sc.round(total - sum)
	// The smaller effects are told when one of them shows at the change's
	// precision; effects that all round to nothing are left out, and what
	// they add up to, with the rounding, is told in the largest cause.
	worth := false
	for _, c := range mc.Causes[shown:] {
		worth = worth || sc.round(c.Delta*sc.factor) != 0
	}
	if !worth && shown > 0 && rest != 0 {
		c := &mc.Causes[0]
		c.Amount = sc.brief(sc.round(c.Delta*sc.factor) + rest)
		rest = 0
	}
	for i := range mc.Causes {
		c := &mc.Causes[i]
		c.Text = textf("%s · %s", "%s · %s", c.Amount, c.Label)
	}
	mc.Shown = shown
	mc.More = Text{}
	if worth {
		mc.More = smaller(len(mc.Causes)-shown, sc, rest)
	}
	return sc
}

// span tells a change's before and after in the scale's unit: "70.7 →
// 56.7 days", "0.85 → 1.06 a month", "40.8 % → 18.5 %".
func (sc scale) span(before, after float64) Text {
	out := Text{}
	for _, lang := range []string{"en", "fr"} {
		b, a := sc.round(before*sc.factor), sc.round(after*sc.factor)
		var t string
		bs := fixed(b, sc.dec, lang)
		if b == 0 {
			bs = "0"
		}
		switch {
		case sc.percent:
			t = bs + sp(lang) + "% → " + fixed(a, sc.dec, lang) + sp(lang) + "%"
		case a == 0:
			t = sc.unit(b, lang) + " → 0"
		default:
			t = bs + " → " + sc.unit(a, lang)
		}
		if lang == "fr" {
			out.FR = t
		} else {
			out.EN = t
		}
	}
	return out
}

// smaller says "and 4 smaller effects (−0.3 h in all)".
func smaller(n int, sc scale, rest float64) Text {
	en, fr := "effects", "effets plus petits"
	if n == 1 {
		en, fr = "effect", "effet plus petit"
	}
	if rest == 0 {
		return textf("and %d smaller %s (about 0 in all)", "et %d %s (environ 0 au total)", n, Text{en, fr})
	}
	return textf("and %d smaller %s (%s in all)", "et %d %s (%s au total)", n, Text{en, fr}, sc.brief(rest))
}

// origin says who did a source and when: the teams of an action done in
// the sprint given (last sprint's when it ended), or of the action that
// acquired a capability, and that sprint.
func (s *Scenario) origin(c *Company, rec *SprintRecord, src string, ended bool) ([]string, int) {
	kind, id, _ := strings.Cut(src, ":")
	switch kind {
	case "action":
		if a := s.idx.actions[id]; a != nil {
			if ended {
				return a.Teams, rec.Sprint - 1
			}
			return a.Teams, rec.Sprint
		}
	case "capability":
		if slices.Contains(rec.Acquired, id) {
			return s.granters(id, rec.Done), rec.Sprint
		}
		for _, o := range c.Capabilities {
			if o.ID == id && o.Sprint > 0 && o.Sprint < len(c.History) {
				return s.granters(id, c.History[o.Sprint].Done), o.Sprint
			}
		}
	case "incident":
		return nil, rec.Sprint - 1
	}
	return nil, 0
}

// granters are the teams of the action among done that granted the
// capability.
func (s *Scenario) granters(capability string, done []string) []string {
	for _, id := range done {
		if a := s.idx.actions[id]; a != nil && a.Grants == capability {
			return a.Teams
		}
	}
	return nil
}

// teamList names teams in a sentence: "Dev and Ops", « Dev et Ops ».
func (s *Scenario) teamList(teams []string) Text {
	var en, fr []string
	for _, t := range teams {
		n := teamName(s, t)
		en, fr = append(en, n.EN), append(fr, n.FR)
	}
	return Text{strings.Join(en, " and "), strings.Join(fr, " et ")}
}

// label names a cause in a review line.
func (s *Scenario) label(c Cause, states map[string]Text) Text {
	kind, id, _ := strings.Cut(c.Source, ":")
	switch kind {
	case "action", "capability":
		who := textf("sprint %d", "sprint %d", c.Sprint)
		switch {
		case len(c.Teams) > 0:
			who = textf("%s, sprint %d", "%s, sprint %d", s.teamList(c.Teams), c.Sprint)
		case c.Sprint == 0 && kind == "capability":
			who = Text{"from the start", "dès le départ"}
		}
		if c.Ended {
			return textf("%s (%s): effect over", "%s (%s) : effet terminé", c.Name, who)
		}
		return textf("%s (%s)", "%s (%s)", c.Name, who)
	case "rule":
		if c.Ended {
			return textf("%s: no longer applies", "%s : ne s'applique plus", c.Name)
		}
		if st, ok := states[id]; ok && st.EN != "" {
			return Text{capitalize(st.EN), capitalize(st.FR)}
		}
		return c.Name
	case "incident":
		if c.Ended {
			return textf("%s (sprint %d): over", "%s (sprint %d) : incident clos", c.Name, c.Sprint)
		}
		return textf("%s (sprint %d)", "%s (sprint %d)", c.Name, c.Sprint)
	}
	return c.Name
}
