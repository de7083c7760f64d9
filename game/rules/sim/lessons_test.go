//go:build !race

// Lessons an SRE would check (issue 19 review): habits that only look safe
// must not pay. Pure computation over seeded games, run in a plain build
// (see targets_race_test.go).

package sim

import (
	"os"
	"path/filepath"
	"testing"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

const lessonGames = 300

// loadTestStrategies reads strategy files of testdata for scn.
func loadTestStrategies(t *testing.T, scn *rules.Scenario, names ...string) []Strategy {
	t.Helper()
	var out []Strategy
	for _, n := range names {
		p := filepath.Join("testdata", n+".yaml")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		st, err := LoadStrategy(p, data, scn)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

// External change approval and change freezes do not make a change safer
// (DORA): done every sprint, they score below doing nothing at all.
func TestApprovalsAndFreezesDoNotPay(t *testing.T) {
	scn, err := rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sts := loadTestStrategies(t, scn, "do-nothing", "approvals", "freeze")
	res, err := Games(scn, sts, lessonGames, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(sts, res)
	for j := 1; j < len(sts); j++ {
		if s.Mean[j] >= s.Mean[0] || s.Beats[j][0] > 0.5 {
			t.Errorf("%s every sprint scores %.1f (beats doing nothing in %.0f %% of games); doing nothing scores %.1f",
				s.Strategies[j], s.Mean[j], 100*s.Beats[j][0], s.Mean[0])
		}
	}
}
