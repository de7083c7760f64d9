package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// index holds the lookups built once the scenario is valid.
type index struct {
	caps       map[string]*Capability
	capRank    map[string]int
	actions    map[string]*Action
	actRank    map[string]int
	rules      map[string]*Rule
	ruleRank   map[string]int
	incidents  map[string]*Incident
	questions  map[string]*Question
	catalogue  map[string][]*Action
	ids        idSets
	base       figures        // starting figures: stage times and start.figures
	src        map[any]string // "capability:<id>"… for each capability, action, rule
	applied    int            // most effects a sprint can apply
	capApplied int            // of which from capabilities
	prereqs    map[*Action][]string
	mentions   map[string][]string  // incident id → capabilities its model tests
	linear     linearScore          // the company score as a linear form, if it is one
	granting   map[string][]*Action // capability → the actions that grant it
	dependents map[string][]string  // capability → the capabilities that need it, directly or not
}

type validator struct {
	d *decoder
	s *Scenario
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

func (v *validator) errf(ptr any, field, format string, args ...any) {
	if p := v.d.pos[ptr]; p != nil && slices.Contains(p.missing, field) {
		return // reported as a missing (or misspelt) field
	}
	v.d.addf(v.d.line(ptr, field), format, args...)
}

// capacityOK reports whether the team capacity is valid, so that the
// values bounded by it can be checked (else the capacity's mistake would
// be reported again for each of them).
func (v *validator) capacityOK() bool { return v.s.Capacity >= 1 && v.s.Capacity <= 100 }

// checkID checks the syntax of an id and that it is not used twice in the
// same collection (seen maps ids to the line of their first use).
func (v *validator) checkID(ptr any, kind, id string, seen map[string]int) {
	if !v.d.has(ptr, "id") {
		return // reported as a missing field
	}
	line := v.d.line(ptr, "id")
	if !idPattern.MatchString(id) {
		v.d.addf(line, "%s id %q must start with a lowercase letter and use only lowercase letters, digits, _ and -", kind, id)
		return
	}
	if first, dup := seen[id]; dup {
		v.d.addf(line, "%s id %q is already used at line %d", kind, id, first)
		return
	}
	seen[id] = line
}

func (v *validator) run() {
	s := v.s
	s.idx = index{
		caps: map[string]*Capability{}, capRank: map[string]int{},
		actions: map[string]*Action{}, actRank: map[string]int{},
		rules: map[string]*Rule{}, ruleRank: map[string]int{},
		incidents: map[string]*Incident{}, questions: map[string]*Question{},
		catalogue: map[string][]*Action{}, src: map[any]string{}, prereqs: map[*Action][]string{},
	}
	ix := &s.idx
	for _, c := range s.Capabilities {
		ix.src[c] = "capability:" + c.ID
		ix.applied += len(c.CALMS) + len(c.Effects)
	}
	ix.capApplied = ix.applied
	for _, a := range s.Actions {
		ix.src[a] = "action:" + a.ID
		ix.applied += len(a.Effects)
	}
	for _, r := range s.Rules {
		ix.src[r] = "rule:" + r.ID
		ix.applied += len(r.Effects)
	}

	if v.d.has(s, "id") && !idPattern.MatchString(s.ID) {
		v.errf(s, "id", "scenario id %q must start with a lowercase letter and use only lowercase letters, digits, _ and -", s.ID)
	}
	v.checkRange(s, "sprints", float64(s.Sprints), 1, 50)
	v.checkRange(s, "sprintDays", float64(s.SprintDays), 1, 90)
	v.checkRange(s, "capacity", float64(s.Capacity), 1, 100)
	if v.capacityOK() {
		v.checkRange(s, "minCapacity", float64(s.MinCapacity), 0, float64(s.Capacity))
	}
	v.checkRange(s, "responseMinutesPerSecond", s.ResponseMinutesPerSecond, 0, 60)

	// Ids first, so that references can be checked in any order.
	seen := map[string]int{}
	for i, c := range s.Capabilities {
		v.checkID(c, "capability", c.ID, seen)
		if _, dup := ix.caps[c.ID]; !dup {
			ix.caps[c.ID], ix.capRank[c.ID] = c, i
		}
	}
	seen = map[string]int{}
	for i, a := range s.Actions {
		v.checkID(a, "action", a.ID, seen)
		if _, dup := ix.actions[a.ID]; !dup {
			ix.actions[a.ID], ix.actRank[a.ID] = a, i
		}
	}
	seen = map[string]int{}
	for i, r := range s.Rules {
		v.checkID(r, "rule", r.ID, seen)
		if _, dup := ix.rules[r.ID]; !dup {
			ix.rules[r.ID], ix.ruleRank[r.ID] = r, i
		}
	}
	seen = map[string]int{}
	for _, in := range s.Incidents {
		v.checkID(in, "incident", in.ID, seen)
		if _, dup := ix.incidents[in.ID]; !dup {
			ix.incidents[in.ID] = in
		}
	}
	ix.ids = idSets{capabilities: map[string]bool{}, actions: map[string]bool{}, incidents: map[string]bool{}, didUsed: map[string]bool{}}
	for id := range ix.caps {
		ix.ids.capabilities[id] = true
	}
	for id := range ix.actions {
		ix.ids.actions[id] = true
	}
	for id := range ix.incidents {
		ix.ids.incidents[id] = true
	}

	// A section that is missing was reported by the decoder; checking it
	// would only repeat the news.
	for _, sec := range []struct {
		field string
		check func()
	}{
		{"product", v.product}, {"teams", v.teams}, {"stages", v.stages}, {"start", v.start},
		{"capabilities", v.capabilities}, {"actions", v.actions}, {"rules", v.rules},
		{"incidents", v.incidents}, {"postmortem", v.postmortem}, {"quiz", v.quiz},
		{"debates", v.debates}, {"dora", v.dora}, {"value", v.value}, {"changes", v.changes},
		{"measurement", v.measurement}, {"scoring", v.scoring},
	} {
		if v.d.has(s, sec.field) {
			sec.check()
		}
	}
	ix.crossIndex(s)
	// An action matters if it grants, has effects, or some expression
	// tests it with did.<id> (an incident prepared for, say).
	for _, a := range s.Actions {
		if a.Grants == "" && len(a.Effects) == 0 && !ix.ids.didUsed[a.ID] {
			v.errf(a, "", "action %q: does nothing (give it grants or effects, or test it with did.%s in an expression)", a.ID, a.ID)
		}
	}
}

func (v *validator) checkRange(ptr any, field string, x, lo, hi float64) {
	if v.d.has(ptr, field) && (x < lo || x > hi) {
		v.errf(ptr, field, "%s %v is out of range %v..%v", field, x, lo, hi)
	}
}

func (v *validator) items(kind string, list []*Item) map[string]bool {
	seen := map[string]int{}
	ids := map[string]bool{}
	for _, it := range list {
		v.checkID(it, kind, it.ID, seen)
		ids[it.ID] = true
	}
	return ids
}

func (v *validator) product() {
	p := &v.s.Product
	v.items("feature", p.Features)
	v.items("stack", p.Stack)
	v.items("study step", p.StudySteps)
	v.items("challenge", p.Challenges)
}

func (v *validator) teams() {
	challenges := map[string]bool{}
	for _, c := range v.s.Product.Challenges {
		challenges[c.ID] = true
	}
	var steps []string
	for _, st := range v.s.Product.StudySteps {
		steps = append(steps, st.ID)
	}
	for _, team := range Teams {
		b := v.s.Teams.Get(team)
		if b == nil {
			continue // reported as a missing field
		}
		var got []string
		for _, st := range b.Study {
			got = append(got, st.Step)
			if len(st.Notions) == 0 || len(st.Questions) == 0 {
				v.errf(st, "questions", "team %s: study step %q needs at least one notion and one question", team, st.Step)
			}
		}
		if v.d.has(b, "study") && !slices.Equal(got, steps) {
			v.errf(b, "study", "team %s: study must follow the product's study steps (%s), in this order; found %s",
				team, strings.Join(steps, ", "), strings.Join(got, ", "))
		}
		for _, c := range b.Challenges {
			if !challenges[c] {
				v.errf(b, "challenges", "team %s: unknown challenge %q", team, c)
			}
		}
		for _, q := range b.Questions {
			if pillarFigure(q.Pillar) < 0 {
				v.errf(q, "pillar", "team %s: unknown CALMS pillar %q (use %s)", team, q.Pillar, strings.Join(Pillars, ", "))
			}
		}
		v.compile(&b.Score, kindNumber, fmt.Sprintf("team %s: score", team))
	}
}

func (v *validator) stages() {
	s := v.s
	var ids []string
	for _, st := range s.Stages {
		ids = append(ids, st.ID)
	}
	if !slices.Equal(ids, StageIDs) {
		v.errf(s, "stages", "stages must be %s, in this order (found %s)", strings.Join(StageIDs, ", "), strings.Join(ids, ", "))
		return
	}
	for i, st := range s.Stages {
		if st.Process < 0 {
			v.errf(st, "process", "stage %q: process must not be negative", st.ID)
		}
		if st.Wait < 0 {
			v.errf(st, "wait", "stage %q: wait must not be negative", st.ID)
		}
		if st.Process+st.Wait <= 0 {
			v.errf(st, "", "stage %q: process + wait must be more than 0 hours", st.ID)
		}
		s.idx.base[2*i], s.idx.base[2*i+1] = st.Process, st.Wait
	}
}

func (v *validator) start() {
	s := v.s
	st := &s.Start
	for _, c := range st.Capabilities {
		if s.idx.caps[c] == nil {
			v.errf(st, "capabilities", "start: unknown capability %q", c)
		}
	}
	for _, c := range st.Capabilities {
		if cp := s.idx.caps[c]; cp != nil {
			for _, r := range cp.Requires {
				if !slices.Contains(st.Capabilities, r) {
					v.errf(st, "capabilities", "start: capability %q needs %q, which is not owned at the start", c, r)
				}
			}
		}
	}
	names := make([]string, 0, len(st.Figures))
	for k := range st.Figures {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		i, ok := figureIndex[k]
		if !ok || !figureDefs[i].start {
			v.errf(st, "figures", "start: %q is not a starting figure", k)
			continue
		}
		d := figureDefs[i]
		if x := st.Figures[k]; x < d.lo || x > d.hi {
			v.errf(st, "figures", "start: %s %v is out of range %v..%v", k, x, d.lo, d.hi)
		}
		s.idx.base[i] = st.Figures[k]
	}
	for i, d := range figureDefs {
		if _, ok := st.Figures[d.name]; d.start && !ok {
			if d.opt {
				s.idx.base[i] = d.def
			} else if v.d.has(st, "figures") {
				v.errf(st, "figures", "start: missing figure %q", d.name)
			}
		}
	}
	s.idx.base[figProductivity] = max(s.idx.base[figProductivity], figureDefs[figProductivity].lo)
	if st.Inventory < 0 {
		v.errf(st, "inventory", "start: inventory must not be negative")
	}
}

// effects checks and compiles a list of effects; stages, when not nil, are
// the stages the owner says it changes.
func (v *validator) effects(owner string, list []*Effect, stages []string) {
	for _, e := range list {
		var ops []string
		for _, o := range []struct {
			name string
			x    *Expr
		}{{"mul", e.Mul}, {"add", e.Add}, {"set", e.Set}, {"min", e.Min}, {"max", e.Max}} {
			if o.x != nil {
				ops = append(ops, o.name)
				e.op, e.value = o.name, o.x
			}
		}
		if len(ops) != 1 {
			v.errf(e, "target", "%s: an effect needs exactly one of mul, add, set, min, max (found %d)", owner, len(ops))
			continue
		}
		i, ok := figureIndex[e.Target]
		if !ok {
			v.errf(e, "target", "%s: effect on unknown figure %q", owner, e.Target)
			continue
		}
		e.fig = i
		// (A stage misnamed in the owner's list was reported as unknown.)
		if i < 16 && stages != nil && !slices.Contains(stages, StageIDs[i/2]) && allStages(stages) {
			v.errf(e, "target", "%s: changes %s but its stages are [%s]", owner, e.Target, strings.Join(stages, " "))
		}
		v.compile(e.value, kindNumber, fmt.Sprintf("%s: %s %s", owner, e.Target, e.op))
	}
}

func (v *validator) compile(x *Expr, kind exprKind, what string) {
	if x == nil || x.line == 0 {
		return // not written: reported as a missing field
	}
	if msg := x.compile(kind, &v.s.idx.ids); msg != "" {
		v.d.addf(x.line, "%s: %s", what, msg)
	}
}

func (v *validator) calms(ptr any, owner string, m map[string]float64) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if pillarFigure(k) < 0 {
			v.errf(ptr, "calms", "%s: unknown CALMS pillar %q (use %s)", owner, k, strings.Join(Pillars, ", "))
		} else if x := m[k]; x < -5 || x > 5 {
			v.errf(ptr, "calms", "%s: CALMS %s %v is out of range -5..5", owner, k, x)
		}
	}
}

func (v *validator) capabilities() {
	ix := &v.s.idx
	for _, c := range v.s.Capabilities {
		owner := fmt.Sprintf("capability %q", c.ID)
		if len(c.Stages) == 0 {
			v.errf(c, "stages", "%s: stages must name at least one value-stream stage", owner)
		}
		for _, st := range c.Stages {
			if !slices.Contains(StageIDs, st) {
				v.errf(c, "stages", "%s: unknown stage %q", owner, st)
			}
		}
		if len(c.CALMS) == 0 {
			v.errf(c, "calms", "%s: calms must name at least one CALMS pillar", owner)
		}
		v.calms(c, owner, c.CALMS)
		for _, r := range c.Requires {
			if ix.caps[r] == nil {
				v.errf(c, "requires", "%s requires unknown capability %q", owner, r)
			}
		}
		v.effects(owner, c.Effects, c.Stages)
		teams := make([]string, 0, len(c.Upkeep))
		for t := range c.Upkeep {
			teams = append(teams, t)
		}
		slices.Sort(teams)
		for _, t := range teams {
			if !slices.Contains(Teams, t) {
				v.errf(c, "upkeep", "%s: upkeep for unknown team %q (use %s)", owner, t, strings.Join(Teams, ", "))
			} else if u := c.Upkeep[t]; u < 0 || (u > v.s.Capacity && v.capacityOK()) {
				v.errf(c, "upkeep", "%s: upkeep %d for %s is out of range 0..%d (the team capacity)", owner, u, t, v.s.Capacity)
			}
		}
	}
	v.cycles()
}

// cycles reports every prerequisite cycle among capabilities once.
func (v *validator) cycles() {
	ix := &v.s.idx
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(id string)
	visit = func(id string) {
		color[id] = grey
		stack = append(stack, id)
		c := ix.caps[id]
		for _, r := range c.Requires {
			if ix.caps[r] == nil {
				continue
			}
			switch color[r] {
			case grey:
				i := slices.Index(stack, r)
				cycle := append(slices.Clone(stack[i:]), r)
				v.errf(ix.caps[r], "requires", "prerequisite cycle: %s", strings.Join(cycle, " → "))
			case white:
				visit(r)
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
	}
	for _, c := range v.s.Capabilities {
		if color[c.ID] == white && ix.caps[c.ID] == c {
			visit(c.ID)
		}
	}
}

func (v *validator) actions() {
	s := v.s
	ix := &s.idx
	for _, a := range s.Actions {
		owner := fmt.Sprintf("action %q", a.ID)
		if len(a.Teams) < 1 || len(a.Teams) > 2 || (len(a.Teams) == 2 && a.Teams[0] == a.Teams[1]) {
			v.errf(a, "teams", "%s: teams must be one team, or two different teams for a joint action", owner)
		}
		for _, t := range a.Teams {
			if !slices.Contains(Teams, t) {
				v.errf(a, "teams", "%s: unknown team %q (use %s)", owner, t, strings.Join(Teams, ", "))
			}
		}
		if a.Cost < 1 || (a.Cost > s.Capacity && v.capacityOK()) {
			v.errf(a, "cost", "%s: cost %d is out of range 1..%d (the team capacity)", owner, a.Cost, s.Capacity)
		}
		for _, r := range a.Requires {
			if ix.caps[r] == nil {
				v.errf(a, "requires", "%s requires unknown capability %q", owner, r)
			}
		}
		if a.Grants != "" {
			if ix.caps[a.Grants] == nil {
				v.errf(a, "grants", "%s grants unknown capability %q", owner, a.Grants)
			} else if slices.Contains(a.Requires, a.Grants) {
				v.errf(a, "requires", "%s requires the capability it grants (%q)", owner, a.Grants)
			}
		}
		for _, t := range a.Tags {
			if !slices.Contains([]string{"feature", "speed", "stability", "devops"}, t) {
				v.errf(a, "tags", "%s: unknown tag %q (use feature, speed, stability, devops)", owner, t)
			}
		}
		v.effects(owner, a.Effects, nil)
		ix.prereqs[a] = s.prerequisites(a)
		for _, t := range a.Teams {
			if slices.Contains(Teams, t) {
				ix.catalogue[t] = append(ix.catalogue[t], a)
			}
		}
	}
}

func (v *validator) rules() {
	for _, r := range v.s.Rules {
		owner := fmt.Sprintf("rule %q", r.ID)
		v.compile(&r.When, kindBool, owner+": when")
		if len(r.Effects) == 0 {
			v.errf(r, "effects", "%s: needs at least one effect", owner)
		}
		v.effects(owner, r.Effects, nil)
		if r.State != nil {
			var t textTemplate
			var msg string
			if t.en, msg = parseTemplate(r.State.EN, &v.s.idx.ids); msg != "" {
				v.errf(r, "state", "%s: state (en): %s", owner, msg)
			} else if t.fr, msg = parseTemplate(r.State.FR, &v.s.idx.ids); msg != "" {
				v.errf(r, "state", "%s: state (fr): %s", owner, msg)
			} else {
				r.state = &t
			}
		}
	}
}

// allStages reports whether every id names a stage of the value stream.
func allStages(ids []string) bool {
	for _, id := range ids {
		if !slices.Contains(StageIDs, id) {
			return false
		}
	}
	return true
}
