package sim

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"devopschallenge/game/rules"
)

// Games plays n games (seeds seed, seed+1, …) with each strategy, spread
// over the available CPUs. results[i][j] is game i played by strategies[j];
// the results do not depend on the number of CPUs.
func Games(scn *rules.Scenario, strategies []Strategy, n int, seed uint64) ([][]*Result, error) {
	results := make([][]*Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	memo := &sync.Map{}
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				row := make([]*Result, len(strategies))
				for j, st := range strategies {
					r, err := play(scn, st, seed+uint64(i), memo)
					if err != nil {
						errs[i] = err
						break
					}
					row[j] = r
				}
				results[i] = row
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// Summary describes the outcomes of a set of games.
type Summary struct {
	Games      int
	Strategies []string
	// Beats[i][j] is the share of games strategy i scored more than j.
	Beats [][]float64
	// Wins[i] is the share of games strategy i scored best.
	Wins []float64
	// Score quantiles per strategy: min, p10, median, p90, max, and mean.
	Quantiles [][5]float64
	Mean      []float64
	// Final holds, per strategy, the mean metrics of the last sprint.
	Final []rules.Metrics
	// FinalTiers[i][m][t] counts games of strategy i ending in tier t
	// (0 low … 3 elite) on metric m (lead time, deploys, CFR, MTTR).
	FinalTiers [][4][4]int
}

// Summarize computes a Summary from Games' results.
func Summarize(strategies []Strategy, results [][]*Result) Summary {
	k := len(strategies)
	s := Summary{Games: len(results), Beats: make([][]float64, k), Wins: make([]float64, k),
		Quantiles: make([][5]float64, k), Mean: make([]float64, k), Final: make([]rules.Metrics, k),
		FinalTiers: make([][4][4]int, k)}
	for _, st := range strategies {
		s.Strategies = append(s.Strategies, st.Name())
	}
	n := float64(len(results))
	for i := range k {
		s.Beats[i] = make([]float64, k)
		var scores []float64
		for _, row := range results {
			r := row[i]
			scores = append(scores, r.Score)
			s.Mean[i] += r.Score / n
			for j := range k {
				if r.Score > row[j].Score {
					s.Beats[i][j] += 1 / n
				}
			}
			last := r.Sprints[len(r.Sprints)-1]
			m := &s.Final[i]
			m.LeadTimeHours += last.Metrics.LeadTimeHours / n
			m.DeploysPerDay += last.Metrics.DeploysPerDay / n
			m.ChangeFailureRate += last.Metrics.ChangeFailureRate / n
			m.TimeToRestoreHours += last.Metrics.TimeToRestoreHours / n
			m.Availability += last.Metrics.Availability / n
			m.Value += last.Metrics.Value / n
			for mi, t := range last.Tiers.All() {
				s.FinalTiers[i][mi][t.Points()]++
			}
		}
		sort.Float64s(scores)
		q := func(p float64) float64 { return scores[int(math.Round(p*float64(len(scores)-1)))] }
		s.Quantiles[i] = [5]float64{q(0), q(0.1), q(0.5), q(0.9), q(1)}
	}
	for _, row := range results {
		best := 0
		for j := range row {
			if row[j].Score > row[best].Score {
				best = j
			}
		}
		s.Wins[best] += 1 / n
	}
	return s
}

// Winner returns the index of the strategy with the best score in a game.
func Winner(row []*Result) int {
	best := 0
	for j := range row {
		if row[j].Score > row[best].Score {
			best = j
		}
	}
	return best
}

// DominantActions returns the actions that appear in the plan of the winner
// of every game (none, in a balanced scenario).
func DominantActions(results [][]*Result) []string {
	var common []string
	for i, row := range results {
		plan := row[Winner(row)].Actions
		if i == 0 {
			common = slices.Clone(plan)
			continue
		}
		common = slices.DeleteFunc(common, func(a string) bool { return !slices.Contains(plan, a) })
	}
	return common
}

// WriteTable prints the head-to-head table and the score distribution.
func (s Summary) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "%d games per strategy\n\n", s.Games)
	fmt.Fprintf(w, "| strategy | wins | mean score | min | p10 | median | p90 | max |\n|---|---|---|---|---|---|---|---|\n")
	for i, name := range s.Strategies {
		q := s.Quantiles[i]
		fmt.Fprintf(w, "| %s | %.1f %% | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", name, 100*s.Wins[i], s.Mean[i], q[0], q[1], q[2], q[3], q[4])
	}
	fmt.Fprintf(w, "\nShare of games the row strategy scores more than the column strategy:\n\n| | %s |\n|---%s|\n", strings.Join(s.Strategies, " | "), strings.Repeat("|---", len(s.Strategies)))
	for i, name := range s.Strategies {
		cells := make([]string, len(s.Strategies))
		for j := range s.Strategies {
			if i == j {
				cells[j] = "—"
			} else {
				cells[j] = fmt.Sprintf("%.1f %%", 100*s.Beats[i][j])
			}
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	fmt.Fprintf(w, "\nLast sprint, mean figures and tiers (elite/high/medium/low games) per DORA metric:\n\n")
	fmt.Fprintf(w, "| strategy | lead time | deploys/day | change failure | time to restore | availability | value |\n|---|---|---|---|---|---|---|\n")
	tiers := func(i, m int) string {
		t := s.FinalTiers[i][m]
		return fmt.Sprintf("%d/%d/%d/%d", t[3], t[2], t[1], t[0])
	}
	for i, name := range s.Strategies {
		m := s.Final[i]
		fmt.Fprintf(w, "| %s | %.0f h (%s) | %.2f (%s) | %.0f %% (%s) | %.1f h (%s) | %.2f %% | %.1f |\n", name,
			m.LeadTimeHours, tiers(i, 0), m.DeploysPerDay, tiers(i, 1), 100*m.ChangeFailureRate, tiers(i, 2),
			m.TimeToRestoreHours, tiers(i, 3), 100*m.Availability, m.Value)
	}
}

// Step is the average of one sprint over many games of one strategy.
type Step struct {
	Sprint int
	// Mean metrics over the games.
	Metrics rules.Metrics
	// AtLeast[m][t] is the share of games whose tier on metric m (lead
	// time, deploys, CFR, MTTR) is t or better (0 low … 3 elite).
	AtLeast [4][4]float64
}

// Trajectory averages each sprint (0 is the start) of strategy j's games.
func Trajectory(results [][]*Result, j int) []Step {
	if len(results) == 0 {
		return nil
	}
	n := float64(len(results))
	steps := make([]Step, len(results[0][j].Sprints)+1)
	for _, row := range results {
		r := row[j]
		all := append([]Sprint{r.Start}, r.Sprints...)
		for i, sp := range all {
			st := &steps[i]
			st.Sprint = i
			m := &st.Metrics
			m.LeadTimeHours += sp.Metrics.LeadTimeHours / n
			m.DeploysPerDay += sp.Metrics.DeploysPerDay / n
			m.ChangeFailureRate += sp.Metrics.ChangeFailureRate / n
			m.TimeToRestoreHours += sp.Metrics.TimeToRestoreHours / n
			m.DowntimeHours += sp.Metrics.DowntimeHours / n
			m.Availability += sp.Metrics.Availability / n
			m.Value += sp.Metrics.Value / n
			m.FeaturesBuilt += sp.Metrics.FeaturesBuilt / n
			for mi, t := range sp.Tiers.All() {
				for k := 0; k <= t.Points(); k++ {
					st.AtLeast[mi][k] += 1 / n
				}
			}
		}
	}
	return steps
}

// WriteTrajectory prints a strategy's average sprint by sprint, with the
// share of games at high or better on each DORA metric.
func WriteTrajectory(w io.Writer, name string, steps []Step) {
	fmt.Fprintf(w, "\n%s, mean per sprint (share of games at high or better):\n\n", name)
	fmt.Fprintf(w, "| sprint | lead time | deploys/day | change failure | time to restore | downtime | value |\n|---|---|---|---|---|---|---|\n")
	for _, s := range steps {
		m := s.Metrics
		fmt.Fprintf(w, "| %d | %.0f h (%.0f %%) | %.3f (%.0f %%) | %.0f %% (%.0f %%) | %.1f h (%.0f %%) | %.1f h | %.1f |\n", s.Sprint,
			m.LeadTimeHours, 100*s.AtLeast[0][2], m.DeploysPerDay, 100*s.AtLeast[1][2], 100*m.ChangeFailureRate, 100*s.AtLeast[2][2],
			m.TimeToRestoreHours, 100*s.AtLeast[3][2], m.DowntimeHours, m.Value)
	}
}
