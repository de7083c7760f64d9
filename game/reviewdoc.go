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
	Metrics  []metricDoc        `json:"metrics"`
	Rules    []ruleDoc          `json:"rules"`
	Figures  []figureDoc        `json:"figures"`
	Risks    []riskDoc          `json:"risks"`
	Incident *incidentReviewDoc `json:"incident,omitempty"`
}

// metricDoc is a metric's change: its name, values before and after, the
// change ("−22.3 pt"), its tiers, the causes shown and, on demand, the
// smaller effects.
type metricDoc struct {
	Metric     string     `json:"metric"`
	Name       Text       `json:"name"`
	Values     Text       `json:"values"`
	Change     Text       `json:"change"`
	TierBefore rules.Tier `json:"tierBefore,omitempty"`
	TierAfter  rules.Tier `json:"tierAfter,omitempty"`
	Estimate   bool       `json:"estimate,omitempty"`
	Causes     []causeDoc `json:"causes"`
	More       *moreDoc   `json:"more,omitempty"`
}

// causeDoc is one line of a change: its amount ("−14 days", or "↓" for an
// estimate) and who did what, when.
type causeDoc struct {
	Amount Text `json:"amount"`
	Label  Text `json:"label"`
}

// moreDoc tells the smaller effects together, and one by one when opened.
type moreDoc struct {
	Text   Text       `json:"text"`
	Causes []causeDoc `json:"causes"`
}

type ruleDoc struct {
	ID      string `json:"id"`
	Name    Text   `json:"name"`
	State   *Text  `json:"state,omitempty"`
	Explain Text   `json:"explain"`
}

// figureDoc is a figure that moved and the names of what moved it.
type figureDoc struct {
	Name   Text    `json:"name"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	By     []Text  `json:"by"`
}

type riskDoc struct {
	Name   Text    `json:"name"`
	Chance float64 `json:"chance"`
}

// incidentReviewDoc is how the sprint's incident went.
type incidentReviewDoc struct {
	Incident    string      `json:"incident"`
	Name        Text        `json:"name"`
	Kind        string      `json:"kind"`
	Steps       []Text      `json:"steps"`
	ScoreChange float64     `json:"scoreChange"`
	Metrics     []metricDoc `json:"metrics"`
}

func metricDocs(list []rules.MetricChange) []metricDoc {
	out := make([]metricDoc, 0, len(list))
	for _, mc := range list {
		d := metricDoc{Metric: mc.Metric, Name: Text{EN: capitalize(mc.Name.EN), FR: capitalize(mc.Name.FR)}, Values: mc.Values, Change: mc.Brief,
			TierBefore: mc.TierBefore, TierAfter: mc.TierAfter, Estimate: mc.Estimate,
			Causes: make([]causeDoc, 0, mc.Shown)}
		for i, c := range mc.Causes {
			cd := causeDoc{Amount: c.Amount, Label: c.Label}
			if i < mc.Shown {
				d.Causes = append(d.Causes, cd)
				continue
			}
			if mc.More.EN == "" {
				break // effects too small to tell
			}
			if d.More == nil {
				d.More = &moreDoc{Text: mc.More}
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
		Rules: make([]ruleDoc, 0, len(res.Rules)), Figures: make([]figureDoc, 0, len(res.Figures)), Risks: make([]riskDoc, 0, len(res.Risks))}
	for _, n := range res.Notices {
		// The practices acquired are marked "new" on the dashboard, and
		// named in the causes of what they changed.
		if n.Kind != "acquired" {
			d.Notices = append(d.Notices, n)
		}
	}
	for _, r := range res.Rules {
		rd := ruleDoc{ID: r.ID, Name: r.Name, Explain: r.Explain}
		if r.State.EN != "" {
			st := r.State
			rd.State = &st
		}
		d.Rules = append(d.Rules, rd)
	}
	for _, f := range res.Figures {
		fd := figureDoc{Name: f.Name, Before: f.Before, After: f.After, By: make([]Text, 0, len(f.Causes))}
		for _, c := range f.Causes {
			fd.By = append(fd.By, c.Name)
		}
		d.Figures = append(d.Figures, fd)
	}
	for _, r := range res.Risks {
		d.Risks = append(d.Risks, riskDoc{Name: r.Name, Chance: r.Chance})
	}
	if inc != nil {
		id := &incidentReviewDoc{Incident: inc.Incident, Name: inc.Name, Kind: inc.Kind, ScoreChange: inc.ScoreChange,
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
