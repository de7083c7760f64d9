package sim

import (
	"encoding/json"
	"runtime"
	"testing"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

// Games spreads the games over the CPUs; its results must not depend on
// how many there are, nor on the order the games finish.
func TestGamesDoNotDependOnCPUs(t *testing.T) {
	scn, err := rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	strategies := []Strategy{Balanced{}, builtin("features-only"), Random{}}
	parallel, err := Games(scn, strategies, 12, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	serial, err := Games(scn, strategies, 12, 7)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(parallel)
	b, _ := json.Marshal(serial)
	if string(a) != string(b) {
		t.Error("the same games played on one CPU and on several differ")
	}
	for i, row := range parallel {
		for j, r := range row {
			if r.Seed != 7+uint64(i) || r.Strategy != strategies[j].Name() || len(r.Sprints) != scn.Sprints {
				t.Fatalf("game %d of %s: %+v", i, strategies[j].Name(), r)
			}
		}
	}
}
