package game

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"devopschallenge/game/rules"
)

// Sprints is the simulation: sprint after sprint, each team of each
// company plans its actions, the rules engine resolves the sprint, an
// incident may strike and the teams respond under a timer, then everyone
// reviews what changed and why.
type Sprints struct {
	// Companies holds each company's simulation state (index company-1).
	Companies []*rules.Company `json:"companies"`
	// Sprint is the sprint being played, from 1 (0 before the first).
	Sprint int `json:"sprint"`
	// Step is "planning", "incident" or "review".
	Step string `json:"step"`
	// Plans are the actions each team picked for this sprint, by team key
	// ("1/dev"); Ready marks the teams that say they are done.
	Plans map[string][]string `json:"plans"`
	Ready map[string]bool     `json:"ready"`
	// Responses are the incident responses chosen, by team key, and
	// IncidentAt when the incident step began (Unix ms).
	Responses  map[string]string `json:"responses"`
	IncidentAt int64             `json:"incidentAt"`
	// Reviews keeps each sprint's explained results per company:
	// Reviews[company-1][sprint-1].
	Reviews [][]*Review `json:"reviews"`
	// Postmortems written, by "company/incident index".
	Postmortems map[string]*Postmortem `json:"postmortems"`
}

// Review is what players read after a sprint: every change of every figure
// with the rule that caused it, and how the incident went.
type Review struct {
	Sprint   int                   `json:"sprint"`
	Result   *rules.SprintResult   `json:"result"`
	Incident *rules.IncidentResult `json:"incident,omitempty"`
}

// Steps of a sprint.
const (
	StepPlanning = "planning"
	StepIncident = "incident"
	StepReview   = "review"
)

func (sp *Sprints) init(e *Engine, s *State) {
	*sp = Sprints{Plans: map[string][]string{}, Ready: map[string]bool{}, Responses: map[string]string{},
		Postmortems: map[string]*Postmortem{}}
	scn := e.scenario(s).Scenario
	for c := 0; c < s.Settings.Companies; c++ {
		sp.Companies = append(sp.Companies, rules.NewCompany(scn))
		sp.Reviews = append(sp.Reviews, []*Review{})
	}
}

// company returns the simulation state of a company (1-based).
func (sp *Sprints) company(c int) *rules.Company { return sp.Companies[c-1] }

// sprintsPhase returns the agenda's sprints phase, or nil.
func sprintsPhase(s *State) *Phase {
	for i := range s.Agenda {
		if s.Agenda[i].Kind == KindSprints {
			return &s.Agenda[i]
		}
	}
	return nil
}

// silo reports whether teams' plans are hidden from each other now.
func (s *State) silo() bool {
	ph := s.CurrentPhase()
	return ph != nil && ph.Kind == KindSprints && ph.Silo && s.Sprints.Sprint == 1
}

// activeTeams lists the teams that have at least one player, company by
// company: those whose readiness and responses count.
func (s *State) activeTeams() []Slot {
	return s.defaultOrder()
}

// inStep checks that the sprints phase is at the given step.
func (x *ctx) inStep(step string) error {
	if x.s.Sprints.Step != step {
		return Errorf(EConflict, "This is not possible now: the sprint is at its %s step.",
			"Impossible maintenant : le sprint est à l'étape %s.", x.s.Sprints.Step)
	}
	return nil
}

// fromRules turns an error of the rules engine into a domain error.
func fromRules(err error) error {
	var re *rules.Error
	if errors.As(err, &re) {
		return &Error{Code: EInvalid, Message: re.EN, MessageFR: re.FR}
	}
	return err
}

// startSprint opens the planning of sprint n.
func (x *ctx) startSprint(n int) {
	sp := &x.s.Sprints
	sp.Sprint, sp.Step = n, StepPlanning
	clear(sp.Plans)
	clear(sp.Ready)
	clear(sp.Responses)
	sp.IncidentAt = 0
	x.startClock(int64(x.s.CurrentPhase().Minutes) * 60_000)
	x.touchSprint(true)
}

// touchSprint reports the sprint documents as changed; all also touches
// every company's results and catalogues.
func (x *ctx) touchSprint(all bool) {
	x.ch.touch("sprint", "game")
	for c := 1; c <= x.s.Settings.Companies; c++ {
		for _, t := range Teams {
			x.ch.touch("plan/" + teamKey(c, t))
			if all {
				x.ch.touch("options/" + teamKey(c, t))
			}
		}
		if all {
			x.ch.touch("company/"+strconv.Itoa(c), "incident/"+strconv.Itoa(c), "leaderboard", "results")
		}
	}
}

// resolveSprint runs the rules engine for every company, then opens the
// incident step if an incident struck somewhere, or the review.
func (x *ctx) resolveSprint() error {
	sp := &x.s.Sprints
	scn := x.e.scenario(x.s).Scenario
	next := make([]*rules.Company, len(sp.Companies))
	results := make([]*rules.SprintResult, len(sp.Companies))
	for i, c := range sp.Companies {
		plans := map[string][]string{}
		for _, t := range Teams {
			if p := sp.Plans[teamKey(i+1, t)]; len(p) > 0 {
				plans[t] = slices.Clone(p)
			}
		}
		nc, res, err := rules.ResolveSprint(scn, c, rules.SprintInput{Sprint: sp.Sprint, Sprints: x.s.CurrentPhase().Sprints,
			Seed: x.s.Seed, Plans: plans, Silo: x.s.silo()})
		if err != nil {
			return fromRules(err)
		}
		next[i], results[i] = nc, res
	}
	incident := false
	for i := range next {
		sp.Companies[i] = next[i]
		r := *results[i]
		r.Record = rules.SprintRecord{} // kept once, in the company's history
		sp.Reviews[i] = append(sp.Reviews[i], &Review{Sprint: sp.Sprint, Result: &r})
		x.ch.touch("review/" + strconv.Itoa(i+1) + "/" + strconv.Itoa(sp.Sprint))
		incident = incident || next[i].Pending != nil
	}
	if incident {
		sp.Step = StepIncident
		sp.IncidentAt = x.c.At
		clear(sp.Responses)
		x.startClock(int64(x.s.CurrentPhase().IncidentMinutes) * 60_000)
	} else {
		sp.Step = StepReview
		x.stopClock()
	}
	x.touchSprint(true)
	return nil
}

// resolveIncidents resolves every pending incident with the responses the
// teams chose and the real time they took.
func (x *ctx) resolveIncidents() error {
	sp := &x.s.Sprints
	scn := x.e.scenario(x.s).Scenario
	seconds := float64(x.c.At-sp.IncidentAt) / 1000
	next := slices.Clone(sp.Companies)
	results := make([]*rules.IncidentResult, len(sp.Companies))
	for i, c := range sp.Companies {
		if c.Pending == nil {
			continue
		}
		resp := map[string]string{}
		for _, t := range Teams {
			if r := sp.Responses[teamKey(i+1, t)]; r != "" {
				resp[t] = r
			}
		}
		nc, res, err := rules.ResolveIncident(scn, c, rules.IncidentInput{Responses: resp, ResponseSeconds: seconds, Seed: x.s.Seed})
		if err != nil {
			return fromRules(err)
		}
		next[i], results[i] = nc, res
	}
	for i := range next {
		sp.Companies[i] = next[i]
		if results[i] != nil {
			r := *results[i]
			r.Record = rules.SprintRecord{}
			rv := sp.Reviews[i]
			rv[len(rv)-1].Incident = &r
			x.ch.touch("review/" + strconv.Itoa(i+1) + "/" + strconv.Itoa(sp.Sprint))
		}
	}
	sp.Step = StepReview
	x.stopClock()
	x.touchSprint(true)
	return nil
}

// allReady reports whether every team with players is ready.
func (s *State) allReady() bool {
	teams := s.activeTeams()
	for _, t := range teams {
		if !s.Sprints.Ready[t.key()] {
			return false
		}
	}
	return len(teams) > 0
}

// allResponded reports whether every team with players, in a company with
// an incident, has chosen a response.
func (s *State) allResponded() bool {
	n := 0
	for _, t := range s.activeTeams() {
		if s.Sprints.company(t.Company).Pending == nil {
			continue
		}
		n++
		if s.Sprints.Responses[t.key()] == "" {
			return false
		}
	}
	return n > 0
}

// planDoc is a team's plan as its company sees it.
type planDoc struct {
	Company  int      `json:"company"`
	Team     string   `json:"team"`
	Actions  []string `json:"actions"`
	Ready    bool     `json:"ready"`
	Capacity int      `json:"capacity"`
	Used     int      `json:"used"`
}

// optionsDoc is a team's catalogue for its company, with what its capacity
// is made of: the scenario's capacity, minus the points firefighting takes
// this sprint and the upkeep of the capabilities the team keeps running.
type optionsDoc struct {
	Capacity  int                  `json:"capacity"`
	Base      int                  `json:"base"`
	Unplanned int                  `json:"unplanned"`
	Upkeep    []rules.Upkeep       `json:"upkeep"`
	Options   []rules.ActionOption `json:"options"`
}

// companyDoc is what everyone sees of a company's simulation. Its players
// and the projector see the history as the company measures it (stage
// times and DORA figures as estimates without the capabilities that
// measure them); the facilitator sees the exact figures.
type companyDoc struct {
	Company      int                    `json:"company"`
	Sprint       int                    `json:"sprint"`
	Score        float64                `json:"score"`
	TeamScores   map[string]float64     `json:"teamScores"`
	Capabilities []rules.Owned          `json:"capabilities"`
	Debt         float64                `json:"debt"`
	Learning     float64                `json:"learning"`
	History      []sprintSummary        `json:"history"`
	Incidents    []rules.IncidentRecord `json:"incidents"`
	// Upcoming are the incidents announced for the end of the next sprint
	// (a sales peak in the calendar).
	Upcoming []rules.Announcement `json:"upcoming"`
	// Exact is true when the figures are exact (the facilitator's view).
	Exact bool `json:"exact"`
}

// sprintSummary is one sprint of a company's history, without the
// bookkeeping the engine keeps for itself.
type sprintSummary struct {
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

func summarise(r rules.SprintRecord) sprintSummary {
	return sprintSummary{Sprint: r.Sprint, Plans: r.Plans, Done: r.Done, Wasted: r.Wasted, Acquired: r.Acquired,
		Stream: r.Stream, Metrics: r.Metrics, Tiers: r.Tiers, CALMS: r.CALMS, Score: r.Score, Incident: r.Incident}
}

// incidentDoc is a company's running incident with the responses chosen.
type incidentDoc struct {
	Alert     *rules.IncidentAlert `json:"alert"`
	Responses map[string]string    `json:"responses"`
	StartedAt int64                `json:"startedAt"`
}

// sprintDoc is the public state of the sprints.
type sprintDoc struct {
	Sprint    int             `json:"sprint"`
	Of        int             `json:"of"`
	Step      string          `json:"step"`
	Silo      bool            `json:"silo"`
	Ready     map[string]bool `json:"ready"`
	Responded map[string]bool `json:"responded"`
}

// leaderboardDoc ranks companies by score and teams by their own score,
// live during the game.
type leaderboardDoc struct {
	Companies []boardRow `json:"companies"`
	Teams     []boardRow `json:"teams"`
}

type boardRow struct {
	Company int     `json:"company"`
	Team    string  `json:"team,omitempty"`
	Score   float64 `json:"score"`
	Rank    int     `json:"rank"`
}

func rank(rows []boardRow) []boardRow {
	slices.SortStableFunc(rows, func(a, b boardRow) int {
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

// parseTeamKey splits "1/dev" (or "plan/1/dev" after its prefix).
func parseTeamKey(k string) (int, string, bool) {
	c, t, ok := strings.Cut(k, "/")
	n, err := strconv.Atoi(c)
	return n, t, ok && err == nil && ValidTeam(t)
}

// seesPlan reports whether v may see the plan of a team: the team, the
// facilitator, and the other teams of its company unless in silo mode.
func (s *State) seesPlan(v Viewer, company int, team string) bool {
	switch {
	case v.seesTeam(company, team):
		return true
	case v.Role == RolePlayer && v.Company == company:
		return !s.silo()
	}
	return false
}

// seesCompany reports whether v follows a company's incident live: its
// players, the facilitator and the projector.
func (v Viewer) seesCompany(company int) bool {
	return v.Role != RolePlayer || v.Company == company
}

func init() {
	phaseInits = append(phaseInits, func(x *ctx) { x.s.Sprints.init(x.e, x.s) })
	k := phaseKinds[KindSprints]
	k.enter = func(x *ctx) {
		if x.s.Sprints.Sprint == 0 {
			x.startSprint(1)
		}
	}
	k.deadline = func(x *ctx) {
		// A timer can only end planning or an incident; errors cannot
		// happen with validated plans, and would leave the step open for
		// the facilitator.
		switch x.s.Sprints.Step {
		case StepPlanning:
			_ = x.resolveSprint()
		case StepIncident:
			_ = x.resolveIncidents()
		}
	}
	k.next = func(x *ctx) (bool, error) {
		sp := &x.s.Sprints
		switch sp.Step {
		case StepPlanning:
			return true, x.resolveSprint()
		case StepIncident:
			return true, x.resolveIncidents()
		}
		if sp.Sprint < x.s.CurrentPhase().Sprints {
			x.startSprint(sp.Sprint + 1)
			return true, nil
		}
		return false, nil
	}
	subStep[KindSprints] = func(s *State) any {
		return map[string]any{"sprint": s.Sprints.Sprint, "step": s.Sprints.Step}
	}
	pl := []Role{RolePlayer}
	inSprints := []string{KindSprints}

	register("plan.set", handler{roles: pl, phases: inSprints, apply: func(x *ctx) error {
		var a struct {
			Actions []string `json:"actions"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		if err := x.inStep(StepPlanning); err != nil {
			return err
		}
		if a.Actions == nil {
			a.Actions = []string{}
		}
		p := x.player
		scn := x.e.scenario(x.s).Scenario
		if err := rules.ValidatePlan(scn, x.s.Sprints.company(p.Company), p.Team, a.Actions); err != nil {
			return fromRules(err)
		}
		key := teamKey(p.Company, p.Team)
		x.s.Sprints.Plans[key] = slices.Clone(a.Actions)
		x.ch.touch("plan/" + key)
		return nil
	}})

	register("plan.ready", handler{roles: pl, phases: inSprints, apply: func(x *ctx) error {
		var a struct {
			Ready bool `json:"ready"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		if err := x.inStep(StepPlanning); err != nil {
			return err
		}
		sp := &x.s.Sprints
		key := teamKey(x.player.Company, x.player.Team)
		if sp.Ready[key] == a.Ready {
			return Errorf(EConflict, "Your team is already marked so.", "Votre équipe est déjà indiquée ainsi.")
		}
		sp.Ready[key] = a.Ready
		x.ch.touch("plan/"+key, "sprint")
		// When every team is ready, nobody needs to wait for the timer.
		if x.s.allReady() {
			return x.resolveSprint()
		}
		return nil
	}})

	register("incident.respond", handler{roles: pl, phases: inSprints, apply: func(x *ctx) error {
		var a struct {
			ResponseID string `json:"responseId"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		if err := x.inStep(StepIncident); err != nil {
			return err
		}
		p := x.player
		c := x.s.Sprints.company(p.Company)
		if c.Pending == nil {
			return Errorf(EConflict, "Your company has no incident to respond to.", "Votre entreprise n'a pas d'incident en cours.")
		}
		in := x.e.scenario(x.s).Incident(c.Pending.ID)
		if !slices.ContainsFunc(in.Responses, func(r *rules.Response) bool { return r.ID == a.ResponseID && r.Team == p.Team }) {
			return invalid("%q is not a response your team can choose for this incident.",
				"%q n'est pas une réponse que votre équipe peut choisir pour cet incident.", a.ResponseID)
		}
		key := teamKey(p.Company, p.Team)
		if x.s.Sprints.Responses[key] == a.ResponseID {
			return Errorf(EConflict, "Your team already chose this response.", "Votre équipe a déjà choisi cette réponse.")
		}
		x.s.Sprints.Responses[key] = a.ResponseID
		x.ch.touch("incident/"+strconv.Itoa(p.Company), "sprint")
		if x.s.allResponded() {
			return x.resolveIncidents()
		}
		return nil
	}})

	registerDoc("sprint", &docKind{keys: single("sprint"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		sp := &s.Sprints
		if sp.Sprint == 0 {
			return nil, false
		}
		d := sprintDoc{Sprint: sp.Sprint, Step: sp.Step, Silo: s.silo(), Ready: map[string]bool{}, Responded: map[string]bool{}}
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
	}})
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
			d := planDoc{Company: c, Team: t, Actions: s.Sprints.Plans[teamKey(c, t)], Ready: s.Sprints.Ready[teamKey(c, t)],
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
			return optionsDoc{Capacity: rules.Capacity(scn, co, t), Base: scn.Capacity, Unplanned: co.Unplanned[t],
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
	companyArg := func(s *State, key, prefix string) (int, bool) {
		c, err := strconv.Atoi(strings.TrimPrefix(key, prefix))
		return c, err == nil && c >= 1 && c <= s.Settings.Companies
	}
	registerDoc("company", &docKind{keys: companyKeys("company/"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		c, ok := companyArg(s, key, "company/")
		if !ok {
			return nil, false
		}
		co := s.Sprints.company(c)
		scn := e.scenario(s).Scenario
		exact := v.Role == RoleFacilitator
		d := companyDoc{Company: c, Sprint: co.Sprint, Score: co.Score, TeamScores: co.TeamScores, Capabilities: co.Capabilities,
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
	}})
	registerDoc("incident", &docKind{keys: companyKeys("incident/"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		c, ok := companyArg(s, key, "incident/")
		if !ok || s.Sprints.Step != StepIncident || !v.seesCompany(c) {
			return nil, false
		}
		alert := rules.PendingAlert(e.scenario(s).Scenario, s.Sprints.company(c))
		if alert == nil {
			return nil, false
		}
		d := incidentDoc{Alert: alert, Responses: map[string]string{}, StartedAt: s.Sprints.IncidentAt}
		for _, t := range Teams {
			if r := s.Sprints.Responses[teamKey(c, t)]; r != "" {
				d.Responses[t] = r
			}
		}
		return d, true
	}})
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
			rv := s.Sprints.Reviews[ci-1][ni-1]
			if v.Role == RoleFacilitator {
				return rv, true
			}
			// What the company does not measure, its players and the
			// projector do not get.
			scn := e.scenario(s).Scenario
			co := s.Sprints.company(ci)
			out := &Review{Sprint: rv.Sprint, Result: rules.ObservedResult(scn, co, rv.Result)}
			if rv.Incident != nil {
				out.Incident = rules.ObservedIncident(scn, co, rv.Sprint, rv.Incident)
			}
			return out, true
		},
	})
	registerDoc("leaderboard", &docKind{keys: single("leaderboard"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		if s.Sprints.Sprint == 0 {
			return nil, false
		}
		d := leaderboardDoc{}
		for i, co := range s.Sprints.Companies {
			d.Companies = append(d.Companies, boardRow{Company: i + 1, Score: co.Score})
			for _, t := range Teams {
				d.Teams = append(d.Teams, boardRow{Company: i + 1, Team: t, Score: co.TeamScores[t]})
			}
		}
		d.Companies, d.Teams = rank(d.Companies), rank(d.Teams)
		return d, true
	}})
	// A player who joins, moves or leaves changes which teams must be
	// ready or respond.
	teamChangeHooks = append(teamChangeHooks, func(x *ctx, p *Player) {
		if x.s.Sprints.Sprint > 0 {
			x.ch.touch("sprint")
		}
	})
	phaseChangeHooks = append(phaseChangeHooks, func(x *ctx) {
		if x.s.Sprints.Sprint > 0 {
			x.touchSprint(false)
		}
	})
}
