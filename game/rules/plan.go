package rules

import (
	"slices"
	"strings"
)

// Catalogue returns the actions a team may pick, in scenario order: its own
// actions and the joint actions it shares with another team.
func (s *Scenario) Catalogue(team string) []*Action { return s.idx.catalogue[team] }

// Action returns the action with the given id, or nil.
func (s *Scenario) Action(id string) *Action { return s.idx.actions[id] }

// Capability returns the capability with the given id, or nil.
func (s *Scenario) Capability(id string) *Capability { return s.idx.caps[id] }

// Incident returns the incident with the given id, or nil.
func (s *Scenario) Incident(id string) *Incident { return s.idx.incidents[id] }

// Capacity returns the capacity a team may spend in the company's next
// sprint: the scenario's capacity minus what firefighting took and minus
// the upkeep of the capabilities the team keeps running.
func Capacity(scn *Scenario, c *Company, team string) int {
	return max(scn.Capacity-c.Unplanned[team]-upkeep(scn, c, team), 0)
}

// Prerequisites returns every capability the action needs: its own
// requirements and those of the capability it grants.
func (s *Scenario) Prerequisites(a *Action) []string {
	if p, ok := s.idx.prereqs[a]; ok {
		return slices.Clone(p)
	}
	return s.prerequisites(a)
}

func (s *Scenario) prerequisites(a *Action) []string {
	out := slices.Clone(a.Requires)
	if g := s.idx.caps[a.Grants]; g != nil {
		for _, r := range g.Requires {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// MissingPrerequisites returns the capabilities the action needs that the
// company does not own yet (empty when the action can be picked).
func MissingPrerequisites(scn *Scenario, c *Company, a *Action) []string {
	var out []string
	reqs, ok := scn.idx.prereqs[a]
	if !ok {
		reqs = scn.prerequisites(a)
	}
	for _, r := range reqs {
		if !c.Owns(r) {
			out = append(out, r)
		}
	}
	return out
}

// ActionOption is an action of a team's catalogue as the planning screen
// shows it for one company.
type ActionOption struct {
	Action *Action `json:"action"`
	// Partner is the other team of a joint action, or "".
	Partner string `json:"partner,omitempty"`
	// Missing are the capabilities still needed before it can be picked.
	Missing []string `json:"missing"`
	// Owned is true when the capability it grants is already owned.
	Owned bool `json:"owned"`
	// Available is true when the action can be picked now (capacity
	// aside).
	Available bool `json:"available"`
	// Reason says why it cannot be picked, or is nil.
	Reason *Error `json:"reason,omitempty"`
}

// Options returns a team's catalogue for a company, each action with
// whether it can be picked now and why not.
func Options(scn *Scenario, c *Company, team string) []ActionOption {
	var out []ActionOption
	for _, a := range scn.Catalogue(team) {
		o := ActionOption{Action: a, Partner: a.Partner(team), Missing: MissingPrerequisites(scn, c, a)}
		if o.Missing == nil {
			o.Missing = []string{}
		}
		o.Owned = a.Grants != "" && c.Owns(a.Grants)
		o.Reason = unavailable(scn, c, a, o.Missing)
		o.Available = o.Reason == nil
		out = append(out, o)
	}
	return out
}

func unavailable(scn *Scenario, c *Company, a *Action, missing []string) *Error {
	if a.Grants != "" && c.Owns(a.Grants) {
		return errorf(CodeAlreadyOwned, "“%s”: the company already has %s.", "« %s » : la pratique « %s » est déjà en place dans l'entreprise.",
			a.Name, scn.idx.caps[a.Grants].Name)
	}
	if len(missing) > 0 {
		var en, fr []string
		for _, m := range missing {
			en = append(en, scn.idx.caps[m].Name.EN)
			fr = append(fr, scn.idx.caps[m].Name.FR)
		}
		return &Error{Code: CodeMissingPrereq,
			EN: "“" + a.Name.EN + "” needs " + strings.Join(en, ", ") + " first: acquire it in an earlier sprint.",
			FR: French("« " + a.Name.FR + " » nécessite d'abord " + prereqFR(fr) + " : à mettre en place lors d'un sprint précédent."),
		}
	}
	return nil
}

// prereqFR names missing practices: « la pratique « X » » or « les
// pratiques « X » et « Y » ».
func prereqFR(names []string) string {
	if len(names) == 1 {
		return "la pratique « " + names[0] + " »"
	}
	return "les pratiques « " + strings.Join(names[:len(names)-1], " », « ") + " » et « " + names[len(names)-1] + " »"
}

// ValidatePlan checks the actions a team picked for the company's next
// sprint: every action exists and belongs to the team's catalogue, none is
// picked twice, prerequisites are owned, nothing re-buys an owned capability
// and the total cost fits the team's capacity. A joint action may be picked
// by one team alone; it then simply does not happen. The error is an *Error
// with an English and a French sentence.
func ValidatePlan(scn *Scenario, c *Company, team string, actionIDs []string) error {
	if !slices.Contains(Teams, team) {
		return errorf(CodeUnknownTeam, "Unknown team %q: use dev, ops, qa or pm.", "Équipe inconnue « %s » : choisissez dev, ops, qa ou pm.", team)
	}
	total := 0
	seen := map[string]bool{}
	for _, id := range actionIDs {
		a := scn.idx.actions[id]
		if a == nil {
			return errorf(CodeUnknownAction, "Unknown action %q.", "Action inconnue « %s ».", id)
		}
		if !slices.Contains(a.Teams, team) {
			return errorf(CodeNotYourAction, "“%s” is not in the %s catalogue.", "« %s » n'est pas dans le catalogue de l'équipe %s.", a.Name, teamName(scn, team))
		}
		if seen[id] {
			return errorf(CodeDuplicateAction, "“%s” is picked twice: pick each action once per sprint.", "« %s » est choisie deux fois : chaque action se choisit une fois par sprint.", a.Name)
		}
		seen[id] = true
		if err := unavailable(scn, c, a, MissingPrerequisites(scn, c, a)); err != nil {
			return err
		}
		total += a.Cost
	}
	if capa := Capacity(scn, c, team); total > capa {
		return errorf(CodeOverCapacity, "This plan costs %d points but %s has only %d this sprint: drop an action.",
			"Ce plan coûte %d points mais l'équipe %s n'en a que %d ce sprint : retirez une action.", total, teamName(scn, team), capa)
	}
	return nil
}

// Granting returns the actions that grant a capability, in scenario order.
func (s *Scenario) Granting(capability string) []*Action { return s.idx.granting[capability] }

// Dependents returns the capabilities that need a capability, directly or
// not, in scenario order.
func (s *Scenario) Dependents(capability string) []string { return s.idx.dependents[capability] }
