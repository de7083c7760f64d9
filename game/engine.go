package game

import (
	"encoding/json"
	"fmt"
	"sort"

	"devopschallenge/game/rules"
)

// Engine applies commands and computes views. It holds the scenarios games
// can play; it has no other state and is safe for concurrent use.
type Engine struct {
	scenarios       map[string]*rules.Scenario
	defaultScenario string
}

// NewEngine returns an engine for the given scenarios (loaded and checked
// by rules.LoadAll); defaultID names the one used when a game does not say.
func NewEngine(scenarios map[string]*rules.Scenario, defaultID string) (*Engine, error) {
	if _, ok := scenarios[defaultID]; !ok {
		return nil, fmt.Errorf("game: default scenario %q is not loaded", defaultID)
	}
	return &Engine{scenarios: scenarios, defaultScenario: defaultID}, nil
}

func (e *Engine) hasScenario(id string) bool { return e.scenarios[id] != nil }

// ScenarioIDs lists the scenarios this engine can play, sorted.
func (e *Engine) ScenarioIDs() []string {
	out := make([]string, 0, len(e.scenarios))
	for id := range e.scenarios {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Restore decodes a snapshot made with MarshalState.
func Restore(snapshot []byte) (*State, error) {
	s := &State{}
	if err := json.Unmarshal(snapshot, s); err != nil {
		return nil, fmt.Errorf("game: decode snapshot: %w", err)
	}
	if s.Players == nil {
		s.Players = map[string]*Player{}
	}
	return s, nil
}

// MarshalState encodes a state for a snapshot.
func MarshalState(s *State) ([]byte, error) { return json.Marshal(s) }

// ScenarioInfo is what the create-game form shows of a scenario.
type ScenarioInfo struct {
	ID      string `json:"id"`
	Title   Text   `json:"title"`
	Summary Text   `json:"summary"`
	Sprints int    `json:"sprints"`
	Default bool   `json:"default"`
}

// ScenarioList describes the scenarios this engine can play.
func (e *Engine) ScenarioList() []ScenarioInfo {
	var out []ScenarioInfo
	for _, id := range e.ScenarioIDs() {
		s := e.scenarios[id]
		out = append(out, ScenarioInfo{ID: id, Title: s.Title, Summary: s.Summary, Sprints: s.Sprints, Default: id == e.defaultScenario})
	}
	return out
}
