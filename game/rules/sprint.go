package rules

import (
	"math"
	"math/rand/v2"
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

// newEnv prepares the environment of expressions for a sprint of c, whose
// capabilities are owned; sprints is the length of the game (0: the
// scenario's default).
func (s *Scenario) newEnv(c *Company, owned map[string]bool, sprint, sprints int, silo bool) *env {
	en := s.baseEnv(c, owned, sprint, silo)
	if sprints > 0 {
		en.Sprints = sprints
	}
	en.Coming = comingSet(s.announced(c, sprint, sprints))
	return en
}

// baseEnv is newEnv without the announcements.
func (s *Scenario) baseEnv(c *Company, owned map[string]bool, sprint int, silo bool) *env {
	en := &env{
		Sprint: sprint, Sprints: s.Sprints, Silo: silo,
		Has: owned, Did: map[string]bool{}, Seen: c.Seen, Coming: map[string]bool{},
		Postmortems: c.Postmortems, Collaboration: c.Collaboration,
		Unlearned: c.unlearned(), Blames: c.Blames,
	}
	if len(c.History) > 0 {
		en.Prev = c.Last().Metrics
	}
	f := s.idx.base
	f[figDebt], f[figLearning] = c.Debt, c.Learning
	en.setFigures(&f)
	return en
}

// capabilityEffects lists the effects of the owned capabilities, in
// scenario order: their CALMS points, then their effects.
func (s *Scenario) capabilityEffects(owned map[string]bool, en *env) ([]Applied, error) {
	n := 0
	for _, cp := range s.Capabilities {
		if owned[cp.ID] {
			n += len(cp.CALMS) + len(cp.Effects)
		}
	}
	out := make([]Applied, 0, n+s.idx.applied-s.idx.capApplied)
	for _, cp := range s.Capabilities {
		if !owned[cp.ID] {
			continue
		}
		src := s.idx.src[cp]
		for _, p := range Pillars {
			if v, ok := cp.CALMS[p]; ok {
				out = append(out, Applied{Source: src, Target: figureDefs[pillarFigure(p)].name, Op: "add", Value: v, fig: pillarFigure(p) + 1})
			}
		}
		var err error
		if out, err = appendEffects(out, src, cp.Effects, en); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func appendEffects(out []Applied, src string, effs []*Effect, en *env) ([]Applied, error) {
	for _, e := range effs {
		v, err := e.value.float(en)
		if err != nil {
			return nil, err
		}
		out = append(out, Applied{Source: src, Target: e.Target, Op: e.op, Value: round4(v), fig: e.fig + 1})
	}
	return out, nil
}

// ResolveSprint plays one sprint for one company: it applies the teams'
// plans (a joint action happens only if both of its teams picked it), works
// out the value stream, the DORA metrics and tiers, CALMS and the scores,
// may draw an incident that then waits for ResolveIncident, and explains
// every change. It returns a new company and leaves c untouched.
func ResolveSprint(scn *Scenario, c *Company, in SprintInput) (*Company, *SprintResult, error) {
	if c.Scenario != scn.ID {
		return nil, nil, errorf(CodeWrongScenario, "This company plays scenario %q, not %q.", "Cette entreprise joue le scénario « %s », pas « %s ».", c.Scenario, scn.ID)
	}
	if c.Pending != nil {
		return nil, nil, errorf(CodeIncidentPending, "An incident is still running: resolve it before the next sprint.", "Un incident est encore en cours : résolvez-le avant le sprint suivant.")
	}
	if in.Sprint != c.Sprint+1 {
		return nil, nil, errorf(CodeWrongSprint, "Sprint %d cannot be played now: the next sprint is %d.", "Le sprint %d ne peut pas être joué maintenant : le prochain sprint est le %d.", in.Sprint, c.Sprint+1)
	}
	teams := make([]string, 0, len(in.Plans))
	for t := range in.Plans {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	for _, t := range teams {
		if err := ValidatePlan(scn, c, t, in.Plans[t]); err != nil {
			return nil, nil, err
		}
	}

	// Which actions take effect.
	pickedBy := map[string][]string{}
	for _, t := range Teams {
		for _, id := range in.Plans[t] {
			pickedBy[id] = append(pickedBy[id], t)
		}
	}
	rec := SprintRecord{Sprint: in.Sprint, Plans: map[string][]string{}, Done: []string{}, Wasted: []string{}, Acquired: []string{}, Fired: []string{}}
	for _, t := range Teams {
		rec.Plans[t] = slices.Clone(in.Plans[t])
		if rec.Plans[t] == nil {
			rec.Plans[t] = []string{}
		}
	}
	var notices []Notice
	var missing []Text // joint actions one team picked alone
	owned := c.ownedSet()
	joint := 0
	for _, a := range scn.Actions {
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
				teamName(scn, by[0]), a.Name, teamName(scn, a.Partner(by[0]))))
			continue
		}
		rec.Done = append(rec.Done, a.ID)
		if a.Joint() {
			joint++
		}
		if a.Grants != "" && !owned[a.Grants] {
			owned[a.Grants] = true
			rec.Acquired = append(rec.Acquired, a.Grants)
		}
	}

	if len(missing) > 0 {
		var en, fr []string
		for _, m := range missing {
			en, fr = append(en, m.EN), append(fr, m.FR)
		}
		notices = append(notices, Notice{Kind: "joint_missing", Text: textf(
			"A joint action needs both teams: %s. Nothing happened and the points were spent.",
			"Une action commune nécessite les deux équipes : %s. Rien n'a été fait et les points sont perdus.",
			Text{strings.Join(en, "; "), strings.Join(fr, " ; ")})})
	}
	next := c.clone()
	next.Sprint = in.Sprint
	var acquired []Text
	for _, cp := range scn.Capabilities {
		if slices.Contains(rec.Acquired, cp.ID) {
			next.Capabilities = append(next.Capabilities, Owned{ID: cp.ID, Sprint: in.Sprint})
			acquired = append(acquired, cp.Name)
		}
	}
	if len(acquired) > 0 && !in.Quick {
		t := textf("New practice: %s.", "Nouvelle pratique : %s.", acquired[0])
		if len(acquired) > 1 {
			t = textf("New practices: %s.", "Nouvelles pratiques : %s.", joinTexts(acquired))
		}
		notices = append(notices, Notice{Kind: "acquired", Text: t})
	}
	slices.SortStableFunc(next.Capabilities, func(a, b Owned) int { return scn.idx.capRank[a.ID] - scn.idx.capRank[b.ID] })
	for _, id := range rec.Done {
		next.Done[id]++
	}
	next.Collaboration += joint

	// Effects of capabilities and actions, then a first look at the sprint.
	en := scn.newEnv(c, owned, in.Sprint, in.Sprints, in.Silo)
	for _, id := range rec.Done {
		en.Did[id] = true
	}
	en.Joint, en.Collaboration = joint, next.Collaboration
	applied, err := scn.capabilityEffects(owned, en)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range rec.Done {
		a := scn.idx.actions[id]
		if applied, err = appendEffects(applied, scn.idx.src[a], a.Effects, en); err != nil {
			return nil, nil, err
		}
	}
	cr := carry{Debt: c.Debt, Learning: c.Learning, Inventory: c.Inventory}
	preview := scn.evaluate(applied, cr, nil)

	// Rules see the state after capabilities and actions; their conditions
	// are all evaluated before any of their effects applies.
	en.setFigures(&preview.figs)
	en.Metrics = roundMetrics(preview.metrics)
	en.setTiers(scn.TiersOf(en.Metrics))
	var fired []*Rule
	var states []Text
	for _, r := range scn.Rules {
		ok, err := r.When.bool(en)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		fired = append(fired, r)
		var st Text
		if r.state != nil && !in.Quick {
			if st, err = r.state.fill(en); err != nil {
				return nil, nil, err
			}
		}
		states = append(states, st)
	}
	for _, r := range fired {
		rec.Fired = append(rec.Fired, r.ID)
		if applied, err = appendEffects(applied, scn.idx.src[r], r.Effects, en); err != nil {
			return nil, nil, err
		}
	}
	out := scn.evaluate(applied, cr, nil)
	out.fill(scn, &rec)
	next.Effects = applied

	next.Debt = round4(out.figs[figDebt])
	next.Learning = round4(out.figs[figLearning])
	next.Inventory = rec.Metrics.Waiting

	// Scores.
	en.setFigures(&out.figs)
	en.Metrics = rec.Metrics
	en.setTiers(rec.Tiers)
	if rec.Score, err = scn.score(en); err != nil {
		return nil, nil, err
	}

	// Incident.
	risks, pending, err := scn.drawIncident(next, en, in.Seed, in.Sprint)
	if err != nil {
		return nil, nil, err
	}
	if pending != nil {
		rec.Incident = pending.ID
		next.Pending = pending
		next.Seen[pending.ID]++
		kind := scn.idx.incidents[pending.ID].Kind
		if kind == "" {
			kind = "outage"
		}
		next.Incidents = append(next.Incidents, IncidentRecord{
			ID: pending.ID, Kind: kind, Sprint: in.Sprint, Responses: map[string]string{},
			DetectMinutes: pending.DetectMinutes, Impact: pending.Impact,
		})
	}

	// Firefighting eats the next sprint's capacity.
	lost := scn.firefighting(rec.Metrics.DowntimeHours*out.figs[figFirefighting], 0)
	for _, t := range Teams {
		next.Unplanned[t] = 0
	}
	next.Unplanned["dev"], next.Unplanned["ops"] = lost, lost

	next.History = append(next.History, rec)
	next.addScore(rec.Score, 1)

	res := &SprintResult{Sprint: in.Sprint, Record: rec, Notices: notices, Rules: []FiredRule{}, Risks: risks,
		Figures: []FigureChange{}, Metrics: []MetricChange{}}
	for i, r := range fired {
		res.Rules = append(res.Rules, FiredRule{ID: r.ID, Name: r.Name, Explain: r.Explain, State: states[i]})
	}
	if pending != nil {
		res.Incident = scn.alert(next, pending)
	}
	if lost > 0 && !in.Quick {
		res.Notices = append(res.Notices, Notice{Kind: "capacity_lost", Text: textf(
			"Firefighting: %s of downtime will cost Dev and Ops %s next sprint.",
			"Mode pompier : après %s de panne, les Dev et les Ops perdront %s au prochain sprint.",
			Text{duration(rec.Metrics.DowntimeHours, "en"), duration(rec.Metrics.DowntimeHours, "fr")}, points(lost))})
	}
	if !in.Quick {
		scn.explain(c, cr, &rec, applied, out, res)
	}
	if res.Notices == nil {
		res.Notices = []Notice{}
	}
	return next, res, nil
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

func (c *Company) addScore(sh ScoreSheet, sign float64) {
	c.Score = round4(c.Score + sign*sh.Company)
	for _, t := range Teams {
		c.TeamScores[t] = round4(c.TeamScores[t] + sign*sh.Teams[t])
	}
}

// score evaluates the company score parts and the team scores.
func (s *Scenario) score(en *env) (ScoreSheet, error) {
	sh := ScoreSheet{Parts: map[string]float64{}, Teams: map[string]float64{}}
	total := 0.0
	for _, p := range s.Scoring.Company {
		v, err := p.Points.float(en)
		if err != nil {
			return sh, err
		}
		sh.Parts[p.ID] = round4(v)
		total += round4(v)
	}
	sh.Company = round4(total)
	for _, t := range Teams {
		v, err := s.Teams.Get(t).Score.float(en)
		if err != nil {
			return sh, err
		}
		sh.Teams[t] = round4(v)
	}
	return sh, nil
}

// rescore recomputes the score of the last record after an incident or a
// post-mortem changed its metrics.
func (s *Scenario) rescore(c *Company) error {
	rec := c.Last()
	en := s.baseEnv(c, c.ownedSet(), rec.Sprint, false)
	for _, id := range rec.Done {
		en.Did[id] = true
		if a := s.idx.actions[id]; a != nil && a.Joint() {
			en.Joint++
		}
	}
	if len(c.History) > 1 {
		en.Prev = c.History[len(c.History)-2].Metrics
	}
	f := s.idx.base
	for i := 16; i < numFigures; i++ {
		f[i] = rec.Figures[figureDefs[i].name]
	}
	for i, st := range rec.Stream {
		f[2*i], f[2*i+1] = st.Process, st.Wait
	}
	en.setFigures(&f)
	en.CALMS = rec.CALMS
	en.Metrics = rec.Metrics
	en.setTiers(rec.Tiers)
	sh, err := s.score(en)
	if err != nil {
		return err
	}
	c.addScore(rec.Score, -1)
	rec.Score = sh
	c.addScore(sh, 1)
	return nil
}

// drawIncident decides whether an incident strikes at the end of the sprint.
// Each incident whose condition holds has a chance; one number drawn from
// the sprint's random stream picks at most one incident, the first listed
// winning when the chances add up to more than 1.
func (s *Scenario) drawIncident(c *Company, en *env, seed uint64, sprint int) ([]Risk, *PendingIncident, error) {
	u := draw(seed, sprint, 1)
	risks := []Risk{}
	var chosen *Incident
	acc := 0.0
	for _, in := range s.Incidents {
		ok, err := in.When.bool(en)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		p, err := in.Chance.float(en)
		if err != nil {
			return nil, nil, err
		}
		p = round4(math.Min(1, math.Max(0, p)*s.repeatChance(c, in.ID)))
		if p <= 0 {
			continue
		}
		risks = append(risks, Risk{Incident: in.ID, Name: in.Name, Chance: p})
		if chosen == nil && u < acc+p {
			chosen = in
		}
		acc += p
	}
	if chosen == nil {
		return risks, nil, nil
	}
	impact, err := chosen.Impact.float(en)
	if err != nil {
		return nil, nil, err
	}
	detect, err := chosen.Detect.float(en)
	if err != nil {
		return nil, nil, err
	}
	repair, err := chosen.Repair.float(en)
	if err != nil {
		return nil, nil, err
	}
	return risks, &PendingIncident{
		ID: chosen.ID, Sprint: sprint,
		Impact:        round4(math.Min(1, math.Max(0, impact))),
		DetectMinutes: round4(math.Max(1, detect)),
		RepairMinutes: round4(math.Max(1, repair)),
	}, nil
}

// repeatChance is what the company's past does to an incident's chance:
// each accepted post-mortem of it multiplies it by RepeatFactor, each time
// it struck without one by UnlearnedFactor.
func (s *Scenario) repeatChance(c *Company, incident string) float64 {
	learned := c.Learned[incident]
	f := math.Pow(s.Postmortem.RepeatFactor, float64(learned))
	if u := s.Postmortem.UnlearnedFactor; u > 1 {
		unresolved := 0
		if c.Pending != nil && c.Pending.ID == incident {
			unresolved = 1
		}
		f *= math.Pow(u, float64(max(0, c.Seen[incident]-learned-unresolved)))
	}
	return f
}

// draw returns a number in [0, 1) from the game's seed, the sprint and a
// purpose, the same on every platform.
func draw(seed uint64, sprint int, purpose uint64) float64 {
	pcg := rand.NewPCG(seed, uint64(sprint)<<8|purpose)
	return float64(pcg.Uint64()>>11) / (1 << 53)
}

func teamName(s *Scenario, team string) Text {
	if b := s.Teams.Get(team); b != nil {
		return b.Name
	}
	return Text{team, team}
}

// sourceName returns the display name of an effect source.
func (s *Scenario) sourceName(src string) Text {
	kind, id, _ := strings.Cut(src, ":")
	switch kind {
	case "capability":
		if c := s.idx.caps[id]; c != nil {
			return c.Name
		}
	case "action":
		if a := s.idx.actions[id]; a != nil {
			return a.Name
		}
	case "rule":
		if r := s.idx.rules[id]; r != nil {
			return r.Name
		}
	case "incident":
		if in := s.idx.incidents[id]; in != nil {
			return in.Name
		}
	}
	return Text{src, src}
}

func (s *Scenario) sourceRank(src string) int {
	kind, id, _ := strings.Cut(src, ":")
	switch kind {
	case "capability":
		return s.idx.capRank[id]
	case "action":
		return 10000 + s.idx.actRank[id]
	case "rule":
		return 20000 + s.idx.ruleRank[id]
	}
	return 30000
}
