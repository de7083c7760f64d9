package game

import "devopschallenge/game/rules"

// Text is a text in English and French.
type Text = rules.Text

type optionT = rules.Option

// scenario returns the scenario a game plays. Games are only created with a
// scenario the engine knows, so it is never nil for a created game.
func (e *Engine) scenario(s *State) *scenarioT {
	return &scenarioT{e.scenarios[s.Settings.Scenario]}
}

// scenarioT adds lookups to a rules.Scenario.
type scenarioT struct{ *rules.Scenario }

// Motion returns the debate motion with this ID, or nil.
func (s scenarioT) Motion(id string) *rules.Motion {
	for _, m := range s.Debates {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// CatalogueDoc names what the scenario's figures and histories refer to by
// id, so that every screen can show actions, capabilities, stages and
// incidents by name. It is the same for everyone and never changes.
type CatalogueDoc struct {
	Actions      []CatalogueAction `json:"actions"`
	Capabilities []CatalogueItem   `json:"capabilities"`
	Stages       []CatalogueItem   `json:"stages"`
	Incidents    []CatalogueItem   `json:"incidents"`
}

// CatalogueAction is an action of the scenario: who may plan it, what it
// costs and the capability it grants, if any.
type CatalogueAction struct {
	ID          string   `json:"id"`
	Teams       []string `json:"teams"`
	Name        Text     `json:"name"`
	Description Text     `json:"description"`
	Cost        int      `json:"cost"`
	Grants      string   `json:"grants,omitempty"`
}

// CatalogueItem is a capability, a stage or an incident of the scenario.
type CatalogueItem struct {
	ID          string `json:"id"`
	Name        Text   `json:"name"`
	Description Text   `json:"description"`
}

func init() {
	registerDoc("catalogue", &docKind{keys: single("catalogue"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		scn := e.scenario(s)
		d := CatalogueDoc{Actions: []CatalogueAction{}, Capabilities: []CatalogueItem{}, Stages: []CatalogueItem{}, Incidents: []CatalogueItem{}}
		for _, a := range scn.Actions {
			d.Actions = append(d.Actions, CatalogueAction{ID: a.ID, Teams: a.Teams, Name: a.Name, Description: a.Description, Cost: a.Cost, Grants: a.Grants})
		}
		for _, c := range scn.Capabilities {
			d.Capabilities = append(d.Capabilities, CatalogueItem{ID: c.ID, Name: c.Name, Description: c.Description})
		}
		for _, st := range scn.Stages {
			d.Stages = append(d.Stages, CatalogueItem{ID: st.ID, Name: st.Name, Description: st.Description})
		}
		for _, in := range scn.Incidents {
			d.Incidents = append(d.Incidents, CatalogueItem{ID: in.ID, Name: in.Name, Description: in.Description})
		}
		return d, true
	}})
}
