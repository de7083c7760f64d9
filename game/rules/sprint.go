package rules

import (
	"math"
	"slices"
	"strings"
)

// SprintInput is everything ResolveSprint needs besides the scenario and the
// company.
type SprintInput struct {
	// Sprint is the sprint to resolve: the company's Sprint + 1.
	Sprint int `json:"sprint"`
	// Seed is the game's seed. The engine derives one random stream per
	// sprint from it, so companies with the same seed face the same luck.
	Seed uint64 `json:"seed"`
	// Plans are the action ids each team picked ("dev", "ops", "qa", "pm").
	Plans map[string][]string `json:"plans"`
	// Sprints is the number of sprints of this game, when the facilitator
	// changed the scenario's default (0 keeps the default). Expressions see
	// it as sprints, so that an incident "in the sprint before the last"
	// still comes at the right time.
	Sprints int `json:"sprints,omitempty"`
	// Silo is true while the facilitator hides each team's choices from the
	// others; it weighs on the Sharing pillar.
	Silo bool `json:"silo"`
	// Quick skips the explanations and notices (for headless
	// simulations).
	Quick bool `json:"quick"`
}

// SprintResult is the outcome of a sprint with everything players need to
// understand it.
type SprintResult struct {
	Sprint int          `json:"sprint"`
	Record SprintRecord `json:"record"`
	// Notices are plain-words events: a joint action one team missed, a
	// capability acquired, the bottleneck moving or not, capacity lost.
	Notices []Notice `json:"notices"`
	// Rules are the rules that fired, with their explanation.
	Rules []FiredRule `json:"rules"`
	// Figures are the figures that changed since the last sprint, each
	// with the effects that caused the change.
	Figures []FigureChange `json:"figures"`
	// Metrics are the outcomes that changed since the last sprint, each with
	// its causes.
	Metrics []MetricChange `json:"metrics"`
	// Risks are the chances each incident had to strike this sprint.
	Risks []Risk `json:"risks"`
	// Incident is the incident that struck, waiting for responses, or nil.
	Incident *IncidentAlert `json:"incident,omitempty"`
}

// Notice is an event of the sprint told in plain words.
type Notice struct {
	Kind string `json:"kind"`
	Text Text   `json:"text"`
}

// FiredRule is a rule whose condition held during the sprint.
type FiredRule struct {
	ID      string `json:"id"`
	Name    Text   `json:"name"`
	Explain Text   `json:"explain"`
	// State says with its numbers what the condition saw ("technical debt
	// 31, above the threshold of 20"), when the rule has a state.
	State Text `json:"state"`
}

// Risk is the chance an incident had to strike at the end of a sprint.
type Risk struct {
	Incident string  `json:"incident"`
	Name     Text    `json:"name"`
	Chance   float64 `json:"chance"`
}

// carry is what a sprint starts from besides the effects in force.
type carry struct {
	Debt, Learning, Inventory float64
}

// ResolveSprint plays one sprint for one company: it applies the teams'
// plans (a joint action happens only if both of its teams picked it), works
// out the value stream, the DORA metrics and tiers, CALMS and the scores,
// may draw an incident that then waits for ResolveIncident, and explains
// every change. It returns a new company and leaves c untouched.
func ResolveSprint(scn *Scenario, c *Company, in SprintInput) (*Company, *SprintResult, error) {
	if err := checkSprintInput(scn, c, in); err != nil {
		return nil, nil, err
	}
	p := scn.takeEffect(c, in)
	next := scn.advance(c, in, p)
	en, applied, err := scn.planEffects(c, in, p, next)
	if err != nil {
		return nil, nil, err
	}
	cr := carry{Debt: c.Debt, Learning: c.Learning, Inventory: c.Inventory}
	fired, states, applied, err := scn.fireRules(in, p, en, applied, cr)
	if err != nil {
		return nil, nil, err
	}
	out, err := scn.settleSprint(next, p, en, applied, cr)
	if err != nil {
		return nil, nil, err
	}
	risks, pending, err := scn.strike(next, p, en, in)
	if err != nil {
		return nil, nil, err
	}
	lost := scn.loseCapacity(next, p.rec.Metrics.DowntimeHours*out.figs[figFirefighting])
	next.History = append(next.History, p.rec)
	next.addScore(p.rec.Score, 1)

	res := scn.sprintResult(next, in, p, fired, states, risks, pending, lost)
	if !in.Quick {
		scn.explain(c, cr, &p.rec, applied, out, res)
	}
	if res.Notices == nil {
		res.Notices = []Notice{}
	}
	return next, res, nil
}

// checkSprintInput refuses a sprint the company cannot play now, or a plan
// a team cannot pick.
func checkSprintInput(scn *Scenario, c *Company, in SprintInput) error {
	if c.Scenario != scn.ID {
		return errorf(CodeWrongScenario, "This company plays scenario %q, not %q.", "Cette entreprise joue le scénario « %s », pas « %s ».", c.Scenario, scn.ID)
	}
	if c.Pending != nil {
		return errorf(CodeIncidentPending, "An incident is still running: resolve it before the next sprint.", "Un incident est encore en cours : résolvez-le avant le sprint suivant.")
	}
	if in.Sprint != c.Sprint+1 {
		return errorf(CodeWrongSprint, "Sprint %d cannot be played now: the next sprint is %d.", "Le sprint %d ne peut pas être joué maintenant : le prochain sprint est le %d.", in.Sprint, c.Sprint+1)
	}
	teams := make([]string, 0, len(in.Plans))
	for t := range in.Plans {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	for _, t := range teams {
		if err := ValidatePlan(scn, c, t, in.Plans[t]); err != nil {
			return err
		}
	}
	return nil
}

// sprintPlay is a sprint being resolved: its record so far, the notices
// told so far, the capabilities owned once the actions are done, and the
// number of joint actions done.
type sprintPlay struct {
	rec     SprintRecord
	notices []Notice
	owned   map[string]bool
	joint   int
}

// takeEffect works out which picked actions take effect: a joint action
// picked by one team only is wasted (and told), every other one is done and
// grants its capability.
func (s *Scenario) takeEffect(c *Company, in SprintInput) *sprintPlay {
	pickedBy := map[string][]string{}
	for _, t := range Teams {
		for _, id := range in.Plans[t] {
			pickedBy[id] = append(pickedBy[id], t)
		}
	}
	p := &sprintPlay{owned: c.ownedSet()}
	rec := &p.rec
	*rec = SprintRecord{Sprint: in.Sprint, Plans: map[string][]string{}, Done: []string{}, Wasted: []string{}, Acquired: []string{}, Fired: []string{}}
	for _, t := range Teams {
		rec.Plans[t] = slices.Clone(in.Plans[t])
		if rec.Plans[t] == nil {
			rec.Plans[t] = []string{}
		}
	}
	var missing []Text // joint actions one team picked alone
	for _, a := range s.Actions {
		by := pickedBy[a.ID]
		switch {
		case len(by) == 0:
			continue
		case a.Joint() && len(by) < 2:
			rec.Wasted = append(rec.Wasted, a.ID)
			if in.Quick {
				continue
			}
			missing = append(missing, textf("%s picked “%s” without %s", "l'équipe %s a choisi « %s » sans l'équipe %s",
				teamName(s, by[0]), a.Name, teamName(s, a.Partner(by[0]))))
			continue
		}
		rec.Done = append(rec.Done, a.ID)
		if a.Joint() {
			p.joint++
		}
		if a.Grants != "" && !p.owned[a.Grants] {
			p.owned[a.Grants] = true
			rec.Acquired = append(rec.Acquired, a.Grants)
		}
	}
	if len(missing) > 0 {
		var en, fr []string
		for _, m := range missing {
			en, fr = append(en, m.EN), append(fr, m.FR)
		}
		p.notices = append(p.notices, Notice{Kind: "joint_missing", Text: textf(
			"A joint action needs both teams: %s. Nothing happened and the points were spent.",
			"Une action commune nécessite les deux équipes : %s. Rien n'a été fait et les points sont perdus.",
			Text{strings.Join(en, "; "), strings.Join(fr, " ; ")})})
	}
	return p
}

// advance returns the company after the sprint's actions: its new
// capabilities (told in a notice), the count of each action done and its
// collaboration.
func (s *Scenario) advance(c *Company, in SprintInput, p *sprintPlay) *Company {
	next := c.clone()
	next.Sprint = in.Sprint
	var acquired []Text
	for _, cp := range s.Capabilities {
		if slices.Contains(p.rec.Acquired, cp.ID) {
			next.Capabilities = append(next.Capabilities, Owned{ID: cp.ID, Sprint: in.Sprint})
			acquired = append(acquired, cp.Name)
		}
	}
	if len(acquired) > 0 && !in.Quick {
		t := textf("New practice: %s.", "Nouvelle pratique : %s.", acquired[0])
		if len(acquired) > 1 {
			t = textf("New practices: %s.", "Nouvelles pratiques : %s.", joinTexts(acquired))
		}
		p.notices = append(p.notices, Notice{Kind: "acquired", Text: t})
	}
	slices.SortStableFunc(next.Capabilities, func(a, b Owned) int { return s.idx.capRank[a.ID] - s.idx.capRank[b.ID] })
	for _, id := range p.rec.Done {
		next.Done[id]++
	}
	next.Collaboration += p.joint
	return next
}

// planEffects prepares the sprint's environment and lists the effects of
// the owned capabilities and of the actions done.
func (s *Scenario) planEffects(c *Company, in SprintInput, p *sprintPlay, next *Company) (*env, []Applied, error) {
	en := s.newEnv(c, p.owned, in.Sprint, in.Sprints, in.Silo)
	for _, id := range p.rec.Done {
		en.Did[id] = true
	}
	en.Joint, en.Collaboration = p.joint, next.Collaboration
	applied, err := s.capabilityEffects(p.owned, en)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range p.rec.Done {
		a := s.idx.actions[id]
		if applied, err = appendEffects(applied, s.idx.src[a], a.Effects, en); err != nil {
			return nil, nil, err
		}
	}
	return en, applied, nil
}

// fireRules finds the rules that fire and appends their effects. Rules see
// the state after capabilities and actions; their conditions are all
// evaluated before any of their effects applies. It returns each fired
// rule with its state in words (empty in quick mode).
func (s *Scenario) fireRules(in SprintInput, p *sprintPlay, en *env, applied []Applied, cr carry) ([]*Rule, []Text, []Applied, error) {
	preview := s.evaluate(applied, cr, nil)
	en.setFigures(&preview.figs)
	en.Metrics = roundMetrics(preview.metrics)
	en.setTiers(s.TiersOf(en.Metrics))
	var fired []*Rule
	var states []Text
	for _, r := range s.Rules {
		ok, err := r.When.bool(en)
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			continue
		}
		fired = append(fired, r)
		var st Text
		if r.state != nil && !in.Quick {
			if st, err = r.state.fill(en); err != nil {
				return nil, nil, nil, err
			}
		}
		states = append(states, st)
	}
	for _, r := range fired {
		p.rec.Fired = append(p.rec.Fired, r.ID)
		var err error
		if applied, err = appendEffects(applied, s.idx.src[r], r.Effects, en); err != nil {
			return nil, nil, nil, err
		}
	}
	return fired, states, applied, nil
}

// settleSprint evaluates all the sprint's effects into the record, carries
// debt, learning and waiting work to the next sprint, and scores the
// sprint.
func (s *Scenario) settleSprint(next *Company, p *sprintPlay, en *env, applied []Applied, cr carry) (outcome, error) {
	rec := &p.rec
	out := s.evaluate(applied, cr, nil)
	out.fill(s, rec)
	next.Effects = applied

	next.Debt = round4(out.figs[figDebt])
	next.Learning = round4(out.figs[figLearning])
	next.Inventory = rec.Metrics.Waiting

	en.setFigures(&out.figs)
	en.Metrics = rec.Metrics
	en.setTiers(rec.Tiers)
	var err error
	rec.Score, err = s.score(en)
	return out, err
}

// strike draws the incident of the sprint's end, if any: the company then
// waits for its responses.
func (s *Scenario) strike(next *Company, p *sprintPlay, en *env, in SprintInput) ([]Risk, *PendingIncident, error) {
	risks, pending, err := s.drawIncident(next, en, in.Seed, in.Sprint)
	if err != nil {
		return nil, nil, err
	}
	if pending != nil {
		p.rec.Incident = pending.ID
		next.Pending = pending
		next.Seen[pending.ID]++
		next.Incidents = append(next.Incidents, IncidentRecord{
			ID: pending.ID, Kind: incidentKind(s.idx.incidents[pending.ID]), Sprint: in.Sprint, Responses: map[string]string{},
			DetectMinutes: pending.DetectMinutes, Impact: pending.Impact,
		})
	}
	return risks, pending, nil
}

// loseCapacity sets the capacity firefighting eats from the next sprint
// (hours of firefighting, converted by firefighting) and returns it.
func (s *Scenario) loseCapacity(next *Company, hours float64) int {
	lost := s.firefighting(hours, 0)
	for _, t := range Teams {
		next.Unplanned[t] = 0
	}
	next.Unplanned["dev"], next.Unplanned["ops"] = lost, lost
	return lost
}

// sprintResult tells the sprint to its players: record, notices, the rules
// that fired, the risks, the incident that struck and the capacity lost.
func (s *Scenario) sprintResult(next *Company, in SprintInput, p *sprintPlay, fired []*Rule, states []Text, risks []Risk, pending *PendingIncident, lost int) *SprintResult {
	rec := &p.rec
	res := &SprintResult{Sprint: in.Sprint, Record: *rec, Notices: p.notices, Rules: []FiredRule{}, Risks: risks,
		Figures: []FigureChange{}, Metrics: []MetricChange{}}
	for i, r := range fired {
		res.Rules = append(res.Rules, FiredRule{ID: r.ID, Name: r.Name, Explain: r.Explain, State: states[i]})
	}
	if pending != nil {
		res.Incident = s.alert(next, pending)
	}
	if lost > 0 && !in.Quick {
		res.Notices = append(res.Notices, Notice{Kind: "capacity_lost", Text: textf(
			"Firefighting: %s of downtime will cost Dev and Ops %s next sprint.",
			"Mode pompier : après %s de panne, les Dev et les Ops perdront %s au prochain sprint.",
			Text{duration(rec.Metrics.DowntimeHours, "en"), duration(rec.Metrics.DowntimeHours, "fr")}, points(lost))})
	}
	return res
}

// points says "1 capacity point" or "n capacity points".
func points(n int) Text {
	if n == 1 {
		return Text{"1 capacity point", "1 point de capacité"}
	}
	return textf("%d capacity points", "%d points de capacité", n)
}

// firefighting converts hours of firefighting into capacity points, capped
// so that every team keeps its minimum capacity.
func (s *Scenario) firefighting(points float64, already int) int {
	lost := already + int(math.Round(points))
	return min(max(lost, 0), s.Capacity-s.MinCapacity)
}
