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
		fr := map[string]string{StepPlanning: "planification", StepIncident: "incident", StepReview: "revue"}[x.s.Sprints.Step]
		return Errorf(EConflict, "This is not possible now: the sprint is at its %[1]s step.",
			"Impossible pour l'instant : le sprint en est à l'étape « %[2]s ».", x.s.Sprints.Step, fr)
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

// PlanSetArgs are the arguments of plan.set.
type PlanSetArgs struct {
	Actions []string `json:"actions"`
}

func setPlan(x *ctx) error {
	var a PlanSetArgs
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
}

// PlanReadyArgs are the arguments of plan.ready.
type PlanReadyArgs struct {
	Ready bool `json:"ready"`
}

func setPlanReady(x *ctx) error {
	var a PlanReadyArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if err := x.inStep(StepPlanning); err != nil {
		return err
	}
	sp := &x.s.Sprints
	key := teamKey(x.player.Company, x.player.Team)
	if sp.Ready[key] == a.Ready {
		if a.Ready {
			return Errorf(EConflict, "Your team is already marked ready.", "Votre équipe est déjà indiquée comme prête.")
		}
		return Errorf(EConflict, "Your team is already marked not ready.", "Votre équipe est déjà indiquée comme pas encore prête.")
	}
	sp.Ready[key] = a.Ready
	x.ch.touch("plan/"+key, "sprint")
	// When every team is ready, nobody needs to wait for the timer.
	if x.s.allReady() {
		return x.resolveSprint()
	}
	return nil
}

// IncidentRespondArgs are the arguments of incident.respond.
type IncidentRespondArgs struct {
	ResponseID string `json:"responseId"`
}

func respondToIncident(x *ctx) error {
	var a IncidentRespondArgs
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
			"« %s » n'est pas une réponse que votre équipe peut choisir pour cet incident.", a.ResponseID)
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
}
