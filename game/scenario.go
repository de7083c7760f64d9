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
