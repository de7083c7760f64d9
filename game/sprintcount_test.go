package game

import "testing"

// The create form proposes the default agenda (GET /api/vocab): its number
// of sprints is the one the default scenario is written and balanced for
// (scenarios/README.md), so that a game created with the defaults plays
// the sprints its calibration was checked on.
func TestDefaultAgendaPlaysTheScenarioSprints(t *testing.T) {
	e := testEngine(t)
	want := e.scenarios[e.defaultScenario].Sprints
	check := func(where string, agenda []Phase) {
		n := 0
		for _, p := range agenda {
			if p.Kind == KindSprints {
				n++
				if p.Sprints != want {
					t.Errorf("%s plays %d sprints; the scenario %s says %d", where, p.Sprints, e.defaultScenario, want)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s has %d sprints phases", where, n)
		}
	}
	check("DefaultAgenda", DefaultAgenda())
	check("the vocabulary's default agenda", Vocab().DefaultAgenda)
	for _, k := range Vocab().Phases {
		if k.Kind == KindSprints && k.Defaults.Sprints != want {
			t.Errorf("a new sprints phase starts with %d sprints; the scenario says %d", k.Defaults.Sprints, want)
		}
	}
}
