package game

import (
	"slices"
	"testing"
)

// TestVocab checks that the vocabulary served to clients is the domain's:
// every kind once, the default agenda as games get it, reopen as the
// server enforces it.
func TestVocab(t *testing.T) {
	v := Vocab()
	if !slices.EqualFunc(v.DefaultAgenda, DefaultAgenda(), func(a, b Phase) bool { return a == b }) {
		t.Fatalf("default agenda %v, want %v", v.DefaultAgenda, DefaultAgenda())
	}
	if len(v.Phases) != len(phaseKinds) {
		t.Fatalf("%d phase kinds served, the engine has %d", len(v.Phases), len(phaseKinds))
	}
	for i, p := range v.Phases {
		k := phaseKinds[p.Kind]
		if k == nil || p.Reopen != k.reopen || p.Name.EN != k.en || p.Name.FR != k.fr {
			t.Errorf("phase %d %+v does not match the engine's kind", i, p)
		}
		if p.Defaults.Kind != p.Kind {
			t.Errorf("phase %q: defaults are of kind %q", p.Kind, p.Defaults.Kind)
		}
		if err := validateAgenda([]Phase{p.Defaults}, false); err != nil && p.Kind != KindLobby {
			t.Errorf("phase %q: its defaults are refused: %v", p.Kind, err)
		}
	}
	if v.Phases[0].Kind != KindLobby || !slices.Equal(v.Teams, Teams) || len(v.Commands) != len(handlers) {
		t.Errorf("vocabulary out of step: first kind %q, teams %v, %d commands of %d", v.Phases[0].Kind, v.Teams, len(v.Commands), len(handlers))
	}
}
