//go:build !race

// The balance and teaching targets of the E-commerce Platform, checked over
// 1,000 seeded games (issue 19). They are pure, deterministic computation:
// a race-enabled build runs them in a plain build instead (see
// targets_race_test.go), as the race detector would only make them slower.
// When a target fails, change the scenario or the model, never the test.

package sim

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"testing"
	"time"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

const targetGames = 1000

// elitePractices are the practices of DORA's elite profile: no explanation
// may ever show one of them making change failure rate, downtime or time to
// restore worse.
var elitePractices = []string{"ci", "trunk_based", "automated_tests", "continuous_delivery", "continuous_deployment",
	"small_batches", "monitoring", "feature_toggles", "blue_green"}

var (
	targetsOnce  sync.Once
	scenario     *rules.Scenario
	tournament   [][]*Result
	violations   []string // explanations that teach a wrong lesson
	targetsErr   error
	ablationOnce sync.Once
	ablMean      float64
	ablation     []Variant
	ablationErr  error
)

// played plays the E-commerce Platform 1,000 times with every built-in
// strategy (explanations included, and checked as they come) and the
// ablation of balanced-devops, once for all the tests of this file.
func played(t *testing.T) [][]*Result {
	t.Helper()
	targetsOnce.Do(func() {
		if scenario, targetsErr = rules.Load(scenarios.FS, "ecommerce-platform.yaml"); targetsErr != nil {
			return
		}
		// Many short-lived allocations: collect less often.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		t0 := time.Now()
		var mu sync.Mutex
		inspect := func(strategy string, seed uint64, r any) {
			if v := wrongLessons(r); len(v) > 0 {
				mu.Lock()
				for _, s := range v {
					violations = append(violations, fmt.Sprintf("%s, seed %d: %s", strategy, seed, s))
				}
				mu.Unlock()
			}
		}
		if tournament, targetsErr = GamesWith(scenario, Strategies(), targetGames, 1, Options{Explain: true, Inspect: inspect}); targetsErr != nil {
			return
		}
		t.Logf("%d games × %d strategies in %v", targetGames, len(Strategies()), time.Since(t0))
	})
	if targetsErr != nil {
		t.Fatal(targetsErr)
	}
	return tournament
}

// ablate plays the ablation of balanced-devops over the same 1,000 seeds.
func ablate(t *testing.T) {
	t.Helper()
	played(t)
	ablationOnce.Do(func() {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		t0 := time.Now()
		ablMean, ablation, ablationErr = Ablation(scenario, targetGames, 1)
		t.Logf("ablation (%d variants × %d games) in %v", len(ablation), targetGames, time.Since(t0))
	})
	if ablationErr != nil {
		t.Fatal(ablationErr)
	}
}

// wrongLessons lists what an explained result teaches wrong: an elite
// practice worsening change failure rate, downtime, availability or time
// to restore, or an incident lowering time to restore.
func wrongLessons(r any) []string {
	var changes []rules.MetricChange
	switch x := r.(type) {
	case *rules.SprintResult:
		changes = x.Metrics
	case *rules.IncidentResult:
		changes = x.Metrics
	}
	var out []string
	for _, mc := range changes {
		for _, c := range mc.Causes {
			worse := c.Delta > 0
			if mc.Metric == "availability" {
				worse = c.Delta < 0
			}
			switch {
			case mc.Metric == "timeToRestoreHours" && len(c.Source) > 9 && c.Source[:9] == "incident:" && c.Delta < 0:
				out = append(out, fmt.Sprintf("%s lowered time to restore: %s", c.Source, c.Text.EN))
			case slices.Contains([]string{"changeFailureRate", "downtimeHours", "availability", "timeToRestoreHours"}, mc.Metric) && worse &&
				slices.ContainsFunc(elitePractices, func(p string) bool { return c.Source == "capability:"+p }):
				out = append(out, c.Text.EN)
			}
		}
	}
	return out
}

func index(name string) int { return slices.Index(Names(), name) }

func TestTargets(t *testing.T) {
	res := played(t)
	ablate(t)
	s := Summarize(Strategies(), res)
	if testing.Verbose() {
		s.WriteTable(os.Stdout)
		s.WriteClusters(os.Stdout)
		WriteAblation(os.Stdout, scenario, ablMean, ablation)
	}
	b := index("balanced-devops")

	t.Run("balanced-devops beats every other built-in strategy in 90 % of games", func(t *testing.T) {
		for j, name := range s.Strategies {
			if j != b && s.Beats[b][j] < 0.9 {
				t.Errorf("balanced-devops beats %s in %.1f %% of games", name, 100*s.Beats[b][j])
			}
		}
		if dom := DominantActions(res); len(dom) > 0 {
			t.Errorf("actions in every winning plan: %v", dom)
		}
	})

	t.Run("value is the main part of the score", func(t *testing.T) {
		v := variant(t, "features", "none")
		if v.Mean > 0.6*ablMean {
			t.Errorf("balanced play without features scores %.1f, %.0f %% of balanced (%.1f); want at most 60 %%", v.Mean, 100*v.Mean/ablMean, ablMean)
		}
		if s.Parts[b]["value"] < 0.5*s.Mean[b] {
			t.Errorf("value is %.1f of balanced play's %.1f", s.Parts[b]["value"], s.Mean[b])
		}
	})

	t.Run("marks are absolute: a company alone is marked by its own sprints", func(t *testing.T) {
		bal, stab, feat := s.Mark[b], s.Mark[index("stability-only")], s.Mark[index("features-only")]
		if bal < 1.5*stab || bal < 2*feat || bal == 0 {
			t.Errorf("company mark alone: balanced %.1f, stability-only %.1f, features-only %.1f; want ≥ 1.5× and ≥ 2×", bal, stab, feat)
		}
	})

	t.Run("every capability earns its place", func(t *testing.T) {
		for _, v := range ablation {
			if v.Kind != "capability" {
				continue
			}
			// A capability balanced play acquires must pay off; one it never
			// acquires must not matter (beyond the re-planning of a
			// company that knows it cannot get it: at most 0.01 %).
			if (v.Used > 0 && v.Change >= 0) || (v.Used == 0 && math.Abs(v.Change) > 1e-4) {
				t.Errorf("without %s (acquired in %.0f %% of games) balanced play scores %+.2f %%", v.Of, 100*v.Used, 100*v.Change)
			}
		}
	})

	t.Run("every CALMS pillar changes outcomes", func(t *testing.T) {
		for _, v := range ablation {
			if v.Kind == "pillar" && v.Change > -0.05 {
				t.Errorf("without the %s practices (%v) balanced play scores %+.1f %%; want at least −5 %%", v.Of, v.Practices, 100*v.Change)
			}
		}
	})

	t.Run("more work in progress or bigger batches cost", func(t *testing.T) {
		n := 0
		for _, v := range ablation {
			if v.Kind == "action" {
				n++
				if v.Change >= 0 {
					t.Errorf("adding %s every sprint changes balanced play by %+.1f %%", v.Of, 100*v.Change)
				}
			}
		}
		if !slices.ContainsFunc(ablation, func(v Variant) bool { return v.Of == "pm_more_scope" }) || n < 3 {
			t.Errorf("only %d actions grow work in progress or batches", n)
		}
	})

	t.Run("balanced play cannot own everything", func(t *testing.T) {
		if max := 0.75 * float64(len(scenario.Capabilities)); s.Owned[b] > max {
			t.Errorf("balanced play owns %.1f of %d capabilities at the end; want at most %.1f", s.Owned[b], len(scenario.Capabilities), max)
		}
	})

	t.Run("explanations never teach a wrong lesson", func(t *testing.T) {
		if len(violations) > 0 {
			n := min(len(violations), 10)
			t.Errorf("%d wrong explanations, first %d:\n%v", len(violations), n, violations[:n])
		}
	})
}

func variant(t *testing.T, kind, of string) Variant {
	t.Helper()
	for _, v := range ablation {
		if v.Kind == kind && v.Of == of {
			return v
		}
	}
	t.Fatalf("no %s variant %q", kind, of)
	return Variant{}
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
