package rules

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// StrategySpec is a headless strategy written as data, so that a teacher
// can test a scenario without Go: for each team, an ordered list of the
// actions it prefers; how the teams answer incidents and whether they write
// post-mortems. scenarios/README.md documents the format.
type StrategySpec struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description,omitempty"`
	Plans       StrategyPlans     `yaml:"plans"`
	Incidents   StrategyIncidents `yaml:"incidents,omitempty"`
}

// StrategyPlans are the preferences of each team, best first.
type StrategyPlans struct {
	Dev []*StrategyItem `yaml:"dev,omitempty"`
	Ops []*StrategyItem `yaml:"ops,omitempty"`
	QA  []*StrategyItem `yaml:"qa,omitempty"`
	PM  []*StrategyItem `yaml:"pm,omitempty"`
}

// Get returns a team's preferences.
func (p *StrategyPlans) Get(team string) []*StrategyItem {
	switch team {
	case "dev":
		return p.Dev
	case "ops":
		return p.Ops
	case "qa":
		return p.QA
	case "pm":
		return p.PM
	}
	return nil
}

// StrategyItem is one preference: an action (written as its id alone, or
// as action: id), or every single-team action of the team's catalogue with
// a tag (tag: feature), the costliest first; When, if given, is a condition
// that must hold at planning time.
type StrategyItem struct {
	Action string `yaml:"action,omitempty"`
	Tag    string `yaml:"tag,omitempty"`
	When   *Expr  `yaml:"when,omitempty"`
}

// StrategyIncidents says how the teams handle incidents: the real seconds
// they take to answer, each team's responses in order of preference (the
// first one the incident offers and the company can use is chosen), what a
// team does when none of its list applies ("best", the default: the
// response that cuts the repair most; "none": no answer), and whether the
// company writes post-mortems (the facilitator accepts them).
type StrategyIncidents struct {
	Seconds     float64             `yaml:"seconds,omitempty"`
	Responses   map[string][]string `yaml:"responses,omitempty"`
	Otherwise   string              `yaml:"otherwise,omitempty"`
	Postmortems bool                `yaml:"postmortems,omitempty"`
}

var strategyItemType = reflect.TypeOf(StrategyItem{})

// ParseStrategy decodes and checks a strategy file against the scenario it
// will play; p names the file in messages. A bad file gives a *LoadError
// listing every problem as file, line and reason.
func ParseStrategy(p string, data []byte, scn *Scenario) (*StrategySpec, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &LoadError{Problems: []Problem{yamlProblem(p, err)}}
	}
	d := &decoder{pos: map[any]*objPos{}}
	sp := &StrategySpec{}
	if len(root.Content) == 0 {
		d.addf(1, "the file is empty")
	} else {
		d.decode(&root, reflect.ValueOf(sp).Elem(), "")
		if root.Content[0].Kind == yaml.MappingNode {
			checkStrategy(d, sp, scn)
		}
	}
	if len(d.problems) > 0 {
		ps := d.problems
		for i := range ps {
			ps[i].Path = p
		}
		slices.SortStableFunc(ps, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), strings.Compare(a.Reason, b.Reason))
		})
		return nil, &LoadError{Problems: slices.Compact(ps)}
	}
	return sp, nil
}

func checkStrategy(d *decoder, sp *StrategySpec, scn *Scenario) {
	if d.has(sp, "name") && !idPattern.MatchString(sp.Name) {
		d.addf(d.line(sp, "name"), "strategy name %q must start with a lowercase letter and use only lowercase letters, digits, _ and -", sp.Name)
	}
	for _, team := range Teams {
		for i, it := range sp.Plans.Get(team) {
			where := fmt.Sprintf("plans.%s[%d]", team, i)
			line := d.line(it, "")
			switch {
			case (it.Action == "") == (it.Tag == ""):
				d.addf(line, "%s: give either an action or a tag", where)
			case it.Action != "":
				a := scn.idx.actions[it.Action]
				if a == nil {
					d.addf(line, "%s: unknown action %q in scenario %s", where, it.Action, scn.ID)
				} else if !slices.Contains(a.Teams, team) {
					d.addf(line, "%s: action %q is not in the %s catalogue (it belongs to %s)", where, it.Action, team, strings.Join(a.Teams, " and "))
				}
			default:
				if !slices.Contains([]string{"feature", "speed", "stability", "devops"}, it.Tag) {
					d.addf(line, "%s: unknown tag %q (use feature, speed, stability, devops)", where, it.Tag)
				}
			}
			if it.When != nil {
				if msg := it.When.compile(kindBool, &scn.idx.ids); msg != "" {
					d.addf(it.When.line, "%s: when: %s", where, msg)
				}
			}
		}
	}
	in := &sp.Incidents
	if in.Seconds < 0 || in.Seconds > 3600 {
		d.addf(d.line(in, "seconds"), "incidents.seconds %v is out of range 0..3600", in.Seconds)
	}
	if in.Otherwise != "" && in.Otherwise != "best" && in.Otherwise != "none" {
		d.addf(d.line(in, "otherwise"), "incidents.otherwise: unknown value %q (use best or none)", in.Otherwise)
	}
	teams := make([]string, 0, len(in.Responses))
	for t := range in.Responses {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	for _, t := range teams {
		if !slices.Contains(Teams, t) {
			d.addf(d.line(in, "responses"), "incidents.responses: unknown team %q (use %s)", t, strings.Join(Teams, ", "))
			continue
		}
		for _, id := range in.Responses[t] {
			known := false
			for _, inc := range scn.Incidents {
				known = known || findResponse(inc, t, id) != nil
			}
			if !known {
				d.addf(d.line(in, "responses"), "incidents.responses.%s: no incident of scenario %s has a response %q for %s", t, scn.ID, id, t)
			}
		}
	}
}

// Holds evaluates a strategy condition for the company's next sprint, as
// its players see the company (Observed): metrics and tiers are those of
// the last sprint, sprint is the sprint being planned, coming the incidents
// announced for its end; sprints is the length of the game (0: the
// scenario's default).
func (s *Scenario) Holds(cond *Expr, c *Company, sprints int) (bool, error) {
	en := s.newEnv(c, c.ownedSet(), c.Sprint+1, sprints, false)
	rec := Observed(s, c, *c.Last())
	en.Metrics = rec.Metrics
	en.setTiers(rec.Tiers)
	return cond.bool(en)
}
