package rules

import (
	"regexp"
	"slices"
)

// validator checks a decoded scenario, reporting each mistake through
// its decoder, and builds the scenario's index.
type validator struct {
	d *decoder
	s *Scenario
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// errf reports a mistake in field of the object at ptr, unless the field
// is missing (the decoder reported it).
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

// run checks the whole scenario and builds its index: the settings, the
// ids (first, so that references can be checked in any order), each
// section present, then the actions that do nothing.
func (v *validator) run() {
	v.indexSources()
	v.settings()
	v.indexIDs()
	v.sections()
	v.s.idx.crossIndex(v.s)
	v.useless()
}

// indexSources starts the index: each capability, action and rule's name
// as an effect source, and the most effects a sprint can apply.
func (v *validator) indexSources() {
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
}

// settings checks the scenario's id and its numbers: sprints, days,
// capacity and response time.
func (v *validator) settings() {
	s := v.s
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
}

// indexIDs checks the ids of capabilities, actions, rules and incidents
// and indexes each by id (the first one, when an id is used twice).
func (v *validator) indexIDs() {
	s := v.s
	ix := &s.idx
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
}

// sections checks each section the file has. A section that is missing was
// reported by the decoder; checking it would only repeat the news.
func (v *validator) sections() {
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
		if v.d.has(v.s, sec.field) {
			sec.check()
		}
	}
}

// useless reports the actions that do nothing. An action matters if it
// grants, has effects, or some expression tests it with did.<id> (an
// incident prepared for, say).
func (v *validator) useless() {
	for _, a := range v.s.Actions {
		if a.Grants == "" && len(a.Effects) == 0 && !v.s.idx.ids.didUsed[a.ID] {
			v.errf(a, "", "action %q: does nothing (give it grants or effects, or test it with did.%s in an expression)", a.ID, a.ID)
		}
	}
}

// checkRange reports a number field outside lo..hi.
func (v *validator) checkRange(ptr any, field string, x, lo, hi float64) {
	if v.d.has(ptr, field) && (x < lo || x > hi) {
		v.errf(ptr, field, "%s %v is out of range %v..%v", field, x, lo, hi)
	}
}

// items checks a list of items' ids and returns them.
func (v *validator) items(kind string, list []*Item) map[string]bool {
	seen := map[string]int{}
	ids := map[string]bool{}
	for _, it := range list {
		v.checkID(it, kind, it.ID, seen)
		ids[it.ID] = true
	}
	return ids
}
