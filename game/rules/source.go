package rules

import "strings"

// teamName returns the display name of a team.
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

// sourceRank orders effect sources canonically: capabilities, then
// actions, then rules, each in scenario order, then anything else.
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
