package sim

import (
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"testing"
	"time"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

const balanceGames = 1000

var (
	tournamentOnce sync.Once
	tournament     [][]*Result
	tournamentErr  error
)

// played plays the E-commerce Platform 1,000 times with every strategy,
// once for all the tests of this file.
func played(t *testing.T) [][]*Result {
	t.Helper()
	tournamentOnce.Do(func() {
		scn, err := rules.Load(scenarios.FS, "ecommerce-platform.yaml")
		if err != nil {
			tournamentErr = err
			return
		}
		// Many short-lived allocations: collect less often.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		t0 := time.Now()
		tournament, tournamentErr = Games(scn, Strategies(), balanceGames, 1)
		t.Logf("%d games × %d strategies in %v", balanceGames, len(Strategies()), time.Since(t0))
	})
	if tournamentErr != nil {
		t.Fatal(tournamentErr)
	}
	return tournament
}

func index(name string) int {
	return slices.Index(Names(), name)
}

// Balance is a test: balanced DevOps must beat every other strategy in at
// least 80 % of the games, and no action may be in every winning plan.
// When this fails, tune the scenario, not the test.
func TestBalance(t *testing.T) {
	res := played(t)
	s := Summarize(Strategies(), res)
	if testing.Verbose() {
		s.WriteTable(os.Stdout)
	}
	b := index("balanced-devops")
	for j, name := range s.Strategies {
		if j != b && s.Beats[b][j] < 0.8 {
			t.Errorf("balanced-devops beats %s in %.1f %% of games, want at least 80 %%", name, 100*s.Beats[b][j])
		}
	}
	if dom := DominantActions(res); len(dom) > 0 {
		t.Errorf("actions in every winning plan: %v", dom)
	}
}

// share returns the share of games of strategy j for which ok holds.
func share(res [][]*Result, j int, ok func(*Result) bool) float64 {
	n := 0
	for _, row := range res {
		if ok(row[j]) {
			n++
		}
	}
	return float64(n) / float64(len(res))
}

func countTiers(tiers rules.Tiers, atLeast rules.Tier) int {
	n := 0
	for _, t := range tiers.All() {
		if t.Points() >= atLeast.Points() {
			n++
		}
	}
	return n
}

// Calibration against reference/dora.md: where the platform starts, where
// balanced play gets and how features-only and stability-only stall.
func TestCalibration(t *testing.T) {
	res := played(t)
	bal, feat, stab := index("balanced-devops"), index("features-only"), index("stability-only")
	last := len(res[0][bal].Sprints) - 1
	if testing.Verbose() {
		for _, j := range []int{bal, feat, stab} {
			WriteTrajectory(os.Stdout, Names()[j], Trajectory(res, j))
		}
	}

	t.Run("the platform starts low on every metric", func(t *testing.T) {
		if got := share(res, bal, func(r *Result) bool {
			return r.Start.Tiers == rules.Tiers{LeadTime: rules.Low, DeployFrequency: rules.Low, ChangeFailureRate: rules.Low, TimeToRestore: rules.Low}
		}); got != 1 {
			t.Errorf("starting tiers: %+v", res[0][bal].Start.Tiers)
		}
	})

	t.Run("balanced play reaches high within four sprints", func(t *testing.T) {
		before := share(res, bal, func(r *Result) bool { return countTiers(r.Sprints[1].Tiers, rules.High) >= 3 })
		by4 := share(res, bal, func(r *Result) bool { return countTiers(r.Sprints[3].Tiers, rules.High) >= 3 })
		if before > 0.1 || by4 < 0.9 {
			t.Errorf("high or better on 3 of 4 metrics: %.0f %% of games after sprint 2, %.0f %% after sprint 4; want ≤ 10 %% and ≥ 90 %%", 100*before, 100*by4)
		}
	})

	t.Run("balanced play can reach elite by the last sprint", func(t *testing.T) {
		most := share(res, bal, func(r *Result) bool { return countTiers(r.Sprints[last].Tiers, rules.Elite) >= 2 })
		all := share(res, bal, func(r *Result) bool { return countTiers(r.Sprints[last].Tiers, rules.Elite) == 4 })
		if most < 0.6 || all < 0.2 {
			t.Errorf("last sprint: elite on 2+ metrics in %.0f %% of games, on all 4 in %.0f %%; want ≥ 60 %% and ≥ 20 %%", 100*most, 100*all)
		}
	})

	t.Run("features only: throughput and value first, then failures", func(t *testing.T) {
		tr := Trajectory(res, feat)
		start, first, end := tr[0].Metrics, tr[1].Metrics, tr[last+1].Metrics
		if first.DeploysPerDay < 2*start.DeploysPerDay || first.Value <= 0 || first.Value <= Trajectory(res, bal)[1].Metrics.Value {
			t.Errorf("sprint 1: %.3f deploys/day (start %.3f), value %.1f; deployments and value should rise first", first.DeploysPerDay, start.DeploysPerDay, first.Value)
		}
		if end.ChangeFailureRate <= first.ChangeFailureRate || first.ChangeFailureRate <= start.ChangeFailureRate {
			t.Errorf("change failure rate %.2f → %.2f → %.2f should keep rising", start.ChangeFailureRate, first.ChangeFailureRate, end.ChangeFailureRate)
		}
		if end.DowntimeHours < 3*start.DowntimeHours {
			t.Errorf("downtime %.1f h at the end vs %.1f h at the start", end.DowntimeHours, start.DowntimeHours)
		}
		stalled := share(res, feat, func(r *Result) bool {
			tr := r.Sprints[last].Tiers
			return tr.ChangeFailureRate.Points() <= 1 && tr.TimeToRestore.Points() <= 1
		})
		if stalled < 0.95 {
			t.Errorf("stability in medium/low at the end in %.0f %% of games", 100*stalled)
		}
	})

	t.Run("stability only: few failures, slow and little value", func(t *testing.T) {
		stable := share(res, stab, func(r *Result) bool { return r.Sprints[last].Tiers.ChangeFailureRate.Points() >= 2 })
		slow := share(res, stab, func(r *Result) bool {
			for _, sp := range r.Sprints {
				if sp.Tiers.LeadTime.Points() >= 2 || sp.Tiers.DeployFrequency.Points() >= 2 {
					return false
				}
			}
			return true
		})
		value := func(j int) float64 {
			v := 0.0
			for _, row := range res {
				for _, sp := range row[j].Sprints {
					v += sp.Metrics.Value
				}
			}
			return v
		}
		if stable < 0.95 || slow < 1 || value(stab) > 0.2*value(bal) {
			t.Errorf("change failure rate high or elite in %.0f %% of games, lead time and deployments never high in %.0f %%, value %.0f vs balanced %.0f",
				100*stable, 100*slow, value(stab), value(bal))
		}
	})
}
