// Package sim plays games headless: strategies plan every sprint, answer
// incidents and write post-mortems for one company, so that the balance of
// a scenario can be measured over thousands of seeded games.
//
// A strategy sees the company as its players would (rules.Observed): a
// company that does not measure its value stream does not know its
// bottleneck, one without monitoring or a DORA dashboard sees estimates.
package sim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"

	"devopschallenge/game/rules"
)

// Strategy decides for the four teams of one company.
type Strategy interface {
	// Name is the strategy's name on the command line.
	Name() string
	// Plan returns the action ids each team picks for the next sprint.
	Plan(g *Game) map[string][]string
	// Respond returns each team's response to the pending incident and
	// the seconds the teams took to choose.
	Respond(g *Game, alert *rules.IncidentAlert) (map[string]string, float64)
	// WritesPostmortems reports whether the company writes a post-mortem
	// after each incident (the facilitator accepts it).
	WritesPostmortems(g *Game) bool
}

// Game is the state a strategy sees.
type Game struct {
	Scn  *rules.Scenario
	C    *rules.Company
	Seed uint64
	// Sprints is the number of sprints of the game.
	Sprints int
	// Rng is the strategy's own random stream, seeded per game.
	Rng *rand.Rand

	memo   *sync.Map       // shared by the games of one run; see Silos
	forbid map[string]bool // actions a variant forbids; see Without
	// reserve is capacity a variant keeps for its own action; see Plus.
	reserve map[string]int
}

// Observed is the company's last sprint as its players see it.
func (g *Game) Observed() rules.SprintRecord {
	return rules.Observed(g.Scn, g.C, *g.C.Last())
}

// Coming reports whether the incident is announced for the end of the
// sprint being planned.
func (g *Game) Coming(incident string) bool {
	for _, a := range rules.Upcoming(g.Scn, g.C, g.Sprints) {
		if a.Incident == incident {
			return true
		}
	}
	return false
}

// Sprint is what a game keeps of one sprint.
type Sprint struct {
	Metrics rules.Metrics    `json:"metrics"`
	Tiers   rules.Tiers      `json:"tiers"`
	CALMS   rules.CALMS      `json:"calms"`
	Score   rules.ScoreSheet `json:"score"`
}

// Result is the outcome of one game.
type Result struct {
	Strategy   string             `json:"strategy"`
	Seed       uint64             `json:"seed"`
	Score      float64            `json:"score"`
	TeamScores map[string]float64 `json:"teamScores"`
	// Mark is the company mark (0–100) the company earns alone, against
	// the scenario's scale.
	Mark float64 `json:"mark"`
	// Parts are the company score's parts summed over the game.
	Parts map[string]float64 `json:"parts"`
	// Start is the starting point; Sprints has one entry per sprint.
	Start   Sprint   `json:"start"`
	Sprints []Sprint `json:"sprints"`
	// Actions are the actions that took effect over the game, sorted, each
	// once: the company's plan.
	Actions []string `json:"actions"`
	// Owned is the number of capabilities owned at the end.
	Owned     int `json:"owned"`
	Incidents int `json:"incidents"`
	// Company is the final state (kept only when asked for, see Keep).
	Company *rules.Company `json:"-"`
	// Reviews are the explained results of every sprint, incidents
	// included (kept only with Explain).
	Reviews []any `json:"-"`
}

// Options change how games are played.
type Options struct {
	// Explain resolves sprints with their explanations and keeps them in
	// Result.Reviews (slower).
	Explain bool
	// Inspect, if set, is given every sprint's and incident's explained
	// results as they are played (with Explain), instead of keeping them.
	// It may be called from several goroutines at once.
	Inspect func(strategy string, seed uint64, result any)
}

// Strategies returns the built-in strategies, in a fixed order.
func Strategies() []Strategy {
	return []Strategy{Balanced{}, builtin("features-only"), builtin("stability-only"), Silos{}, Random{}}
}

// ByName returns the built-in strategy with the given name.
func ByName(name string) (Strategy, bool) {
	for _, s := range Strategies() {
		if s.Name() == name {
			return s, true
		}
	}
	return nil, false
}

// Names returns the names of the built-in strategies.
func Names() []string {
	var out []string
	for _, s := range Strategies() {
		out = append(out, s.Name())
	}
	return out
}

func streamOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Play plays one full game of the scenario with the strategy and seed.
func Play(scn *rules.Scenario, st Strategy, seed uint64) (*Result, error) {
	return play(scn, st, seed, nil, Options{})
}

func play(scn *rules.Scenario, st Strategy, seed uint64, memo *sync.Map, opt Options) (*Result, error) {
	g := &Game{Scn: scn, C: rules.NewCompany(scn), Seed: seed, Sprints: scn.Sprints, Rng: newRng(seed, st.Name()), memo: memo}
	res := &Result{Strategy: st.Name(), Seed: seed}
	first := g.C.History[0]
	res.Start = Sprint{first.Metrics, first.Tiers, first.CALMS, first.Score}
	done := map[string]bool{}
	for sprint := 1; sprint <= g.Sprints; sprint++ {
		plans := st.Plan(g)
		c, sr, err := rules.ResolveSprint(scn, g.C, rules.SprintInput{Sprint: sprint, Sprints: g.Sprints, Seed: seed, Plans: plans, Quick: !opt.Explain})
		if err != nil {
			return nil, fmt.Errorf("%s, seed %d, sprint %d: %w", st.Name(), seed, sprint, err)
		}
		g.C = c
		switch {
		case opt.Inspect != nil:
			opt.Inspect(st.Name(), seed, sr)
		case opt.Explain:
			res.Reviews = append(res.Reviews, sr)
		}
		for _, id := range sr.Record.Done {
			done[id] = true
		}
		if sr.Incident != nil {
			res.Incidents++
			responses, seconds := st.Respond(g, sr.Incident)
			c, ir, err := rules.ResolveIncident(scn, g.C, rules.IncidentInput{Responses: responses, ResponseSeconds: seconds, Seed: seed, Quick: !opt.Explain})
			if err != nil {
				return nil, fmt.Errorf("%s, seed %d, sprint %d, incident: %w", st.Name(), seed, sprint, err)
			}
			g.C = c
			switch {
			case opt.Inspect != nil:
				opt.Inspect(st.Name(), seed, ir)
			case opt.Explain:
				res.Reviews = append(res.Reviews, ir)
			}
			if st.WritesPostmortems(g) {
				c, _, err := rules.ApplyPostmortem(scn, g.C, rules.Postmortem{Incident: len(g.C.Incidents) - 1,
					WhatHappened: "what happened", Why: "why", Change: "what we change"})
				if err != nil {
					return nil, fmt.Errorf("%s, seed %d, sprint %d, post-mortem: %w", st.Name(), seed, sprint, err)
				}
				g.C = c
			}
		}
		last := g.C.Last()
		res.Sprints = append(res.Sprints, Sprint{last.Metrics, last.Tiers, last.CALMS, last.Score})
	}
	res.Score = g.C.Score
	res.TeamScores = g.C.TeamScores
	res.Mark = rules.CompanyMark(scn, g.C)
	res.Parts = g.C.ScoreParts()
	res.Owned = len(g.C.Capabilities)
	if opt.Explain && opt.Inspect == nil {
		res.Company = g.C
	}
	for id := range done {
		res.Actions = append(res.Actions, id)
	}
	sort.Strings(res.Actions)
	return res, nil
}

// bestResponses picks, for every team, the available response that cuts
// the repair time most.
func bestResponses(g *Game, alert *rules.IncidentAlert) map[string]string {
	out := map[string]string{}
	for _, t := range rules.Teams {
		if id := bestResponse(g, alert, t); id != "" {
			out[t] = id
		}
	}
	return out
}

func bestResponse(g *Game, alert *rules.IncidentAlert, team string) string {
	inc := g.Scn.Incident(alert.ID)
	best, bestCost := "", 0.0
	for _, o := range alert.Options[team] {
		if !o.Available {
			continue
		}
		r := findResponse(inc, team, o.ID)
		cost := r.Factor*1000 + r.Minutes - 10*calmsSum(r.CALMS)
		if r.Blame {
			cost += 500
		}
		if r.Offline {
			cost += 2000
		}
		if best == "" || cost < bestCost {
			best, bestCost = o.ID, cost
		}
	}
	return best
}

func findResponse(in *rules.Incident, team, id string) *rules.Response {
	for _, r := range in.Responses {
		if r.Team == team && r.ID == id {
			return r
		}
	}
	return nil
}

func calmsSum(m map[string]float64) float64 {
	s := 0.0
	for _, p := range rules.Pillars {
		s += m[p]
	}
	return s
}

// planner fills the teams' plans within their capacity.
type planner struct {
	g     *Game
	left  map[string]int
	plans map[string][]string
	// forbidden are actions the strategy may not take (see Without).
	forbidden map[string]bool
}

func newPlanner(g *Game) *planner {
	p := &planner{g: g, left: map[string]int{}, plans: map[string][]string{}, forbidden: forbiddenOf(g)}
	for _, t := range rules.Teams {
		p.left[t] = rules.Capacity(g.Scn, g.C, t) - g.reserve[t]
		p.plans[t] = []string{}
	}
	return p
}

// available reports whether the action can be picked now by its teams.
func (p *planner) available(a *rules.Action) bool {
	if p.forbidden[a.ID] || (a.Grants != "" && p.g.C.Owns(a.Grants)) {
		return false
	}
	if len(rules.MissingPrerequisites(p.g.Scn, p.g.C, a)) > 0 {
		return false
	}
	for _, t := range a.Teams {
		if p.left[t] < a.Cost || slices.Contains(p.plans[t], a.ID) {
			return false
		}
	}
	return true
}

// grantsPicked reports whether another picked action already grants the
// same capability.
func (p *planner) grantsPicked(a *rules.Action) bool {
	if a.Grants == "" {
		return false
	}
	for _, t := range rules.Teams {
		for _, id := range p.plans[t] {
			if b := p.g.Scn.Action(id); b.Grants == a.Grants {
				return true
			}
		}
	}
	return false
}

// take adds the action to the plans of all its teams.
func (p *planner) take(a *rules.Action) {
	for _, t := range a.Teams {
		p.plans[t] = append(p.plans[t], a.ID)
		p.left[t] -= a.Cost
	}
}

// takeFor adds the action to one team's plan only.
func (p *planner) takeFor(team string, a *rules.Action) {
	p.plans[team] = append(p.plans[team], a.ID)
	p.left[team] -= a.Cost
}

func (p *planner) canFor(team string, a *rules.Action) bool {
	if p.forbidden[a.ID] || (a.Grants != "" && p.g.C.Owns(a.Grants)) {
		return false
	}
	return p.left[team] >= a.Cost && !slices.Contains(p.plans[team], a.ID) &&
		len(rules.MissingPrerequisites(p.g.Scn, p.g.C, a)) == 0
}

func forbiddenOf(g *Game) map[string]bool {
	if g.forbid == nil {
		return map[string]bool{}
	}
	return g.forbid
}

// noise is a number in [0, 1) drawn from the game's seed, the sprint being
// played and a name: the same whatever else the strategy drew, so that
// forbidding one action does not reshuffle every other choice.
func noise(g *Game, purpose, id string) float64 {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write([]byte(id))
	pcg := rand.NewPCG(g.Seed, h.Sum64()^uint64(g.C.Sprint+1)<<56)
	return float64(pcg.Uint64()>>11) / (1 << 53)
}

func newRng(seed uint64, name string) *rand.Rand {
	return rand.New(rand.NewPCG(seed, streamOf(name)))
}

// PlayDebug plays one game keeping the final company (for tools).
func PlayDebug(scn *rules.Scenario, st Strategy, seed uint64) (*Result, error) {
	return play(scn, st, seed, nil, Options{Explain: true})
}
