package game

import (
	"slices"
	"strconv"
	"strings"

	"devopschallenge/game/rules"
)

// The documents of the sprints: what each audience sees of the sprint, the
// plans, the catalogues, the companies, incidents, reviews and leaderboard.

// PlanDoc is a team's plan as its company sees it.
type PlanDoc struct {
	Company  int      `json:"company"`
	Team     string   `json:"team"`
	Actions  []string `json:"actions"`
	Ready    bool     `json:"ready"`
	Capacity int      `json:"capacity"`
	Used     int      `json:"used"`
}

// OptionsDoc is a team's catalogue for its company, with what its capacity
// is made of: the scenario's capacity, minus the points firefighting takes
// this sprint and the upkeep of the capabilities the team keeps running.
type OptionsDoc struct {
	Capacity  int                  `json:"capacity"`
	Base      int                  `json:"base"`
	Unplanned int                  `json:"unplanned"`
	Upkeep    []rules.Upkeep       `json:"upkeep"`
	Options   []rules.ActionOption `json:"options"`
}

// CompanyDoc is what everyone sees of a company's simulation. Its players
// and the projector see the history as the company measures it (stage
// times and DORA figures as estimates without the capabilities that
// measure them); the facilitator sees the exact figures.
type CompanyDoc struct {
	Company      int                    `json:"company"`
	Sprint       int                    `json:"sprint"`
	Score        float64                `json:"score"`
	TeamScores   map[string]float64     `json:"teamScores"`
	Capabilities []rules.Owned          `json:"capabilities"`
	Debt         float64                `json:"debt"`
	Learning     float64                `json:"learning"`
	History      []SprintSummary        `json:"history"`
	Incidents    []rules.IncidentRecord `json:"incidents"`
	// Upcoming are the incidents announced for the end of the next sprint
	// (a sales peak in the calendar).
	Upcoming []rules.Announcement `json:"upcoming"`
	// Exact is true when the figures are exact (the facilitator's view).
	Exact bool `json:"exact"`
}

// SprintSummary is one sprint of a company's history, without the
// bookkeeping the engine keeps for itself.
type SprintSummary struct {
	Sprint   int                 `json:"sprint"`
	Plans    map[string][]string `json:"plans"`
	Done     []string            `json:"done"`
	Wasted   []string            `json:"wasted"`
	Acquired []string            `json:"acquired"`
	Stream   []rules.StageTime   `json:"stream"`
	Metrics  rules.Metrics       `json:"metrics"`
	Tiers    rules.Tiers         `json:"tiers"`
	CALMS    rules.CALMS         `json:"calms"`
	Score    rules.ScoreSheet    `json:"score"`
	Incident string              `json:"incident"`
	// Measured says which figures the company measured in that sprint;
	// the others are estimates (and the bottleneck unknown) for its
	// players.
	Measured *rules.Measured `json:"measured,omitempty"`
}

func summarise(r rules.SprintRecord) SprintSummary {
	return SprintSummary{Sprint: r.Sprint, Plans: r.Plans, Done: r.Done, Wasted: r.Wasted, Acquired: r.Acquired,
		Stream: r.Stream, Metrics: r.Metrics, Tiers: r.Tiers, CALMS: r.CALMS, Score: r.Score, Incident: r.Incident}
}

// IncidentDoc is a company's running incident with the responses chosen.
type IncidentDoc struct {
	Alert     *rules.IncidentAlert `json:"alert"`
	Responses map[string]string    `json:"responses"`
	StartedAt int64                `json:"startedAt"`
}

// SprintDoc is the public state of the sprints.
type SprintDoc struct {
	Sprint    int             `json:"sprint"`
	Of        int             `json:"of"`
	Step      string          `json:"step"`
	Silo      bool            `json:"silo"`
	Ready     map[string]bool `json:"ready"`
	Responded map[string]bool `json:"responded"`
}

// LeaderboardDoc ranks companies by score and teams by their own score,
// live during the game.
type LeaderboardDoc struct {
	Companies []BoardRow `json:"companies"`
	Teams     []BoardRow `json:"teams"`
}

// BoardRow is a company or a team on the leaderboard; equal scores share
// a rank.
type BoardRow struct {
	Company int     `json:"company"`
	Team    string  `json:"team,omitempty"`
	Score   float64 `json:"score"`
	Rank    int     `json:"rank"`
}

func rank(rows []BoardRow) []BoardRow {
	slices.SortStableFunc(rows, func(a, b BoardRow) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 && rows[i].Score == rows[i-1].Score {
			rows[i].Rank = rows[i-1].Rank
		}
	}
	return rows
}

func init() {
	registerDoc("sprint", &docKind{keys: single("sprint"), view: viewSprint})
	registerDoc("plan", &docKind{
		keys: func(s *State) []string {
			var out []string
			for c := 1; c <= s.Settings.Companies; c++ {
				for _, t := range Teams {
					out = append(out, "plan/"+teamKey(c, t))
				}
			}
			return out
		},
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			c, t, ok := parseTeamKey(strings.TrimPrefix(key, "plan/"))
			if !ok || c < 1 || c > s.Settings.Companies || s.Sprints.Step != StepPlanning || !s.seesPlan(v, c, t) {
				return nil, false
			}
			scn := e.scenario(s).Scenario
			d := PlanDoc{Company: c, Team: t, Actions: s.Sprints.Plans[teamKey(c, t)], Ready: s.Sprints.Ready[teamKey(c, t)],
				Capacity: rules.Capacity(scn, s.Sprints.company(c), t)}
			if d.Actions == nil {
				d.Actions = []string{}
			}
			for _, id := range d.Actions {
				if a := scn.Action(id); a != nil {
					d.Used += a.Cost
				}
			}
			return d, true
		},
	})
	registerDoc("options", &docKind{
		keys: func(s *State) []string {
			var out []string
			for c := 1; c <= s.Settings.Companies; c++ {
				for _, t := range Teams {
					out = append(out, "options/"+teamKey(c, t))
				}
			}
			return out
		},
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			c, t, ok := parseTeamKey(strings.TrimPrefix(key, "options/"))
			if !ok || c < 1 || c > s.Settings.Companies || s.Sprints.Sprint == 0 || !v.seesTeam(c, t) {
				return nil, false
			}
			scn := e.scenario(s).Scenario
			co := s.Sprints.company(c)
			return OptionsDoc{Capacity: rules.Capacity(scn, co, t), Base: scn.Capacity, Unplanned: co.Unplanned[t],
				Upkeep: rules.UpkeepOf(scn, co, t), Options: rules.Options(scn, co, t)}, true
		},
	})
	companyKeys := func(prefix string) func(s *State) []string {
		return func(s *State) []string {
			out := make([]string, 0, s.Settings.Companies)
			for c := 1; c <= s.Settings.Companies; c++ {
				out = append(out, prefix+strconv.Itoa(c))
			}
			return out
		}
	}
	registerDoc("company", &docKind{keys: companyKeys("company/"), view: viewCompany})
	registerDoc("incident", &docKind{keys: companyKeys("incident/"), view: viewIncident})
	registerDoc("leaderboard", &docKind{keys: single("leaderboard"), view: viewLeaderboard})
}

func viewSprint(e *Engine, s *State, v Viewer, key string) (any, bool) {
	sp := &s.Sprints
	if sp.Sprint == 0 {
		return nil, false
	}
	d := SprintDoc{Sprint: sp.Sprint, Step: sp.Step, Silo: s.silo(), Ready: map[string]bool{}, Responded: map[string]bool{}}
	for _, ph := range s.Agenda {
		if ph.Kind == KindSprints {
			d.Of = ph.Sprints
		}
	}
	for k, r := range sp.Ready {
		if r {
			d.Ready[k] = true
		}
	}
	for k := range sp.Responses {
		d.Responded[k] = true
	}
	return d, true
}

func viewCompany(e *Engine, s *State, v Viewer, key string) (any, bool) {
	c, ok := companyOfKey(s, key, "company/")
	if !ok {
		return nil, false
	}
	co := s.Sprints.company(c)
	scn := e.scenario(s).Scenario
	exact := v.Role == RoleFacilitator
	d := CompanyDoc{Company: c, Sprint: co.Sprint, Score: co.Score, TeamScores: co.TeamScores, Capabilities: co.Capabilities,
		Debt: co.Debt, Learning: co.Learning, Incidents: co.Incidents, Exact: exact, Upcoming: []rules.Announcement{}}
	if d.Incidents == nil {
		d.Incidents = []rules.IncidentRecord{}
	}
	if co.Pending == nil && sprintsPhase(s) != nil && co.Sprint < sprintsPhase(s).Sprints {
		d.Upcoming = rules.Upcoming(scn, co, sprintsPhase(s).Sprints)
	}
	for _, r := range co.History {
		ms := rules.MeasuredAt(scn, co, r.Sprint)
		if !exact {
			r = rules.Observed(scn, co, r)
		}
		sum := summarise(r)
		sum.Measured = &ms
		d.History = append(d.History, sum)
	}
	return d, true
}

func viewIncident(e *Engine, s *State, v Viewer, key string) (any, bool) {
	c, ok := companyOfKey(s, key, "incident/")
	if !ok || s.Sprints.Step != StepIncident || !v.seesCompany(c) {
		return nil, false
	}
	alert := rules.PendingAlert(e.scenario(s).Scenario, s.Sprints.company(c))
	if alert == nil {
		return nil, false
	}
	d := IncidentDoc{Alert: alert, Responses: map[string]string{}, StartedAt: s.Sprints.IncidentAt}
	for _, t := range Teams {
		if r := s.Sprints.Responses[teamKey(c, t)]; r != "" {
			d.Responses[t] = r
		}
	}
	return d, true
}

func viewLeaderboard(e *Engine, s *State, v Viewer, key string) (any, bool) {
	if s.Sprints.Sprint == 0 {
		return nil, false
	}
	d := LeaderboardDoc{}
	for i, co := range s.Sprints.Companies {
		d.Companies = append(d.Companies, BoardRow{Company: i + 1, Score: co.Score})
		for _, t := range Teams {
			d.Teams = append(d.Teams, BoardRow{Company: i + 1, Team: t, Score: co.TeamScores[t]})
		}
	}
	d.Companies, d.Teams = rank(d.Companies), rank(d.Teams)
	return d, true
}

// companyOfKey reads the company of a document key ("company/2").
func companyOfKey(s *State, key, prefix string) (int, bool) {
	c, err := strconv.Atoi(strings.TrimPrefix(key, prefix))
	return c, err == nil && c >= 1 && c <= s.Settings.Companies
}
