package game

import (
	"strconv"
	"strings"

	"devopschallenge/game/rules"
)

// The review of a sprint as a phone shows it: per metric its change, the
// causes told one by one (at most three) and the smaller effects; the
// notices, the bottleneck's first; the rules in play with their numbers;
// the incident; and, compactly, every figure that moved and the risks, for
// whoever opens the details. The engine's whole explanation stays in the
// state (and the report); the phone gets what it shows.

// ReviewDoc is one sprint's review of one company.
type ReviewDoc struct {
	Sprint   int                `json:"sprint"`
	Notices  []rules.Notice     `json:"notices"`
	Metrics  []MetricDoc        `json:"metrics"`
	Rules    []RuleDoc          `json:"rules"`
	Figures  []FigureDoc        `json:"figures"`
	Risks    []RiskDoc          `json:"risks"`
	Incident *IncidentReviewDoc `json:"incident,omitempty"`
}

// MetricDoc is a metric's change: its name, values before and after, the
// change ("−22.3 pt"), its tiers, the causes shown and, on demand, the
// smaller effects.
type MetricDoc struct {
	Metric     string     `json:"metric"`
	Name       Text       `json:"name"`
	Values     Text       `json:"values"`
	Change     Text       `json:"change"`
	TierBefore rules.Tier `json:"tierBefore,omitempty"`
	TierAfter  rules.Tier `json:"tierAfter,omitempty"`
	Estimate   bool       `json:"estimate,omitempty"`
	Causes     []CauseDoc `json:"causes"`
	More       *MoreDoc   `json:"more,omitempty"`
}

// CauseDoc is one line of a change: its amount ("−14 days", or "↓" for an
// estimate) and who did what, when.
type CauseDoc struct {
	Amount Text `json:"amount"`
	Label  Text `json:"label"`
}

// MoreDoc tells the smaller effects together, and one by one when opened.
type MoreDoc struct {
	Text   Text       `json:"text"`
	Causes []CauseDoc `json:"causes"`
}

// RuleDoc is a rule in play this sprint: its name, what its condition saw
// with its numbers (when the rule has a state) and what it did.
type RuleDoc struct {
	ID      string `json:"id"`
	Name    Text   `json:"name"`
	State   *Text  `json:"state,omitempty"`
	Explain Text   `json:"explain"`
}

// FigureDoc is a figure that moved and the names of what moved it.
type FigureDoc struct {
	Name   Text    `json:"name"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	By     []Text  `json:"by"`
}

// RiskDoc is a risk of incident and its chance this sprint (0 to 1).
type RiskDoc struct {
	Name   Text    `json:"name"`
	Chance float64 `json:"chance"`
}

// IncidentReviewDoc is how the sprint's incident went.
type IncidentReviewDoc struct {
	Incident    string      `json:"incident"`
	Name        Text        `json:"name"`
	Kind        string      `json:"kind"`
	Steps       []Text      `json:"steps"`
	ScoreChange float64     `json:"scoreChange"`
	Metrics     []MetricDoc `json:"metrics"`
}

func metricDocs(list []rules.MetricChange) []MetricDoc {
	out := make([]MetricDoc, 0, len(list))
	for _, mc := range list {
		d := MetricDoc{Metric: mc.Metric, Name: Text{EN: capitalize(mc.Name.EN), FR: capitalize(mc.Name.FR)}, Values: mc.Values, Change: mc.Brief,
			TierBefore: mc.TierBefore, TierAfter: mc.TierAfter, Estimate: mc.Estimate,
			Causes: make([]CauseDoc, 0, mc.Shown)}
		for i, c := range mc.Causes {
			cd := CauseDoc{Amount: c.Amount, Label: c.Label}
			if i < mc.Shown {
				d.Causes = append(d.Causes, cd)
				continue
			}
			if mc.More.EN == "" {
				break // effects too small to tell
			}
			if d.More == nil {
				d.More = &MoreDoc{Text: mc.More}
			}
			d.More.Causes = append(d.More.Causes, cd)
		}
		out = append(out, d)
	}
	return out
}

// shapeReview makes the review document of a sprint's explained results.
func shapeReview(rv *Review, res *rules.SprintResult, inc *rules.IncidentResult) *ReviewDoc {
	d := &ReviewDoc{Sprint: rv.Sprint, Notices: []rules.Notice{}, Metrics: metricDocs(res.Metrics),
		Rules: make([]RuleDoc, 0, len(res.Rules)), Figures: make([]FigureDoc, 0, len(res.Figures)), Risks: make([]RiskDoc, 0, len(res.Risks))}
	for _, n := range res.Notices {
		// The practices acquired are marked "new" on the dashboard, and
		// named in the causes of what they changed.
		if n.Kind != "acquired" {
			d.Notices = append(d.Notices, n)
		}
	}
	for _, r := range res.Rules {
		rd := RuleDoc{ID: r.ID, Name: r.Name, Explain: r.Explain}
		if r.State.EN != "" {
			st := r.State
			rd.State = &st
		}
		d.Rules = append(d.Rules, rd)
	}
	for _, f := range res.Figures {
		fd := FigureDoc{Name: f.Name, Before: f.Before, After: f.After, By: make([]Text, 0, len(f.Causes))}
		for _, c := range f.Causes {
			fd.By = append(fd.By, c.Name)
		}
		d.Figures = append(d.Figures, fd)
	}
	for _, r := range res.Risks {
		d.Risks = append(d.Risks, RiskDoc{Name: r.Name, Chance: r.Chance})
	}
	if inc != nil {
		id := &IncidentReviewDoc{Incident: inc.Incident, Name: inc.Name, Kind: inc.Kind, ScoreChange: inc.ScoreChange,
			Steps: make([]Text, 0, len(inc.Steps)), Metrics: metricDocs(inc.Metrics)}
		for _, st := range inc.Steps {
			id.Steps = append(id.Steps, st.Text)
		}
		d.Incident = id
	}
	return d
}

func init() {
	registerDoc("review", &docKind{
		keys: func(s *State) []string {
			var out []string
			for i, rs := range s.Sprints.Reviews {
				for _, r := range rs {
					out = append(out, "review/"+strconv.Itoa(i+1)+"/"+strconv.Itoa(r.Sprint))
				}
			}
			return out
		},
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			c, n, ok := strings.Cut(strings.TrimPrefix(key, "review/"), "/")
			ci, err1 := strconv.Atoi(c)
			ni, err2 := strconv.Atoi(n)
			if !ok || err1 != nil || err2 != nil || ci < 1 || ci > len(s.Sprints.Reviews) || ni < 1 || ni > len(s.Sprints.Reviews[ci-1]) {
				return nil, false
			}
			// A player reads the reviews of their own company.
			if !v.seesCompany(ci) {
				return nil, false
			}
			rv := s.Sprints.Reviews[ci-1][ni-1]
			if v.Role == RoleFacilitator {
				return shapeReview(rv, rv.Result, rv.Incident), true
			}
			// What the company does not measure, its players and the
			// projector do not get.
			scn := e.scenario(s).Scenario
			co := s.Sprints.company(ci)
			var inc *rules.IncidentResult
			if rv.Incident != nil {
				inc = rules.ObservedIncident(scn, co, rv.Sprint, rv.Incident)
			}
			return shapeReview(rv, rules.ObservedResult(scn, co, rv.Result), inc), true
		},
	})
}

// capitalize puts the first letter in upper case.
func capitalize(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}
