package rules

import "strings"

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

// crossIndex builds the lookups that cross the scenario's lists: the
// actions granting each capability, the capabilities needing each one,
// the capabilities each incident's model tests.
func (ix *index) crossIndex(s *Scenario) {
	ix.granting, ix.dependents = map[string][]*Action{}, map[string][]string{}
	for _, a := range s.Actions {
		if a.Grants != "" {
			ix.granting[a.Grants] = append(ix.granting[a.Grants], a)
		}
	}
	var needs func(id, other string, depth int) bool
	needs = func(id, other string, depth int) bool {
		c := ix.caps[id]
		if c == nil || depth > len(s.Capabilities) {
			return false
		}
		for _, r := range c.Requires {
			if r == other || needs(r, other, depth+1) {
				return true
			}
		}
		return false
	}
	for _, c := range s.Capabilities {
		for _, d := range s.Capabilities {
			if needs(d.ID, c.ID, 0) {
				ix.dependents[c.ID] = append(ix.dependents[c.ID], d.ID)
			}
		}
	}
	ix.mentions = map[string][]string{}
	for _, in := range s.Incidents {
		for _, cp := range s.Capabilities {
			for _, e := range []Expr{in.When, in.Chance, in.Impact, in.Detect, in.Repair} {
				if testsCapability(e.Src, cp.ID) {
					ix.mentions[in.ID] = append(ix.mentions[in.ID], cp.ID)
					break
				}
			}
		}
	}
}

// testsCapability reports whether an expression's source tests the
// capability with has.<id>.
func testsCapability(src, capability string) bool {
	needle := "has." + capability
	for {
		i := strings.Index(src, needle)
		if i < 0 {
			return false
		}
		end := i + len(needle)
		if end == len(src) || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789_-", rune(src[end])) {
			return true
		}
		src = src[end:]
	}
}
