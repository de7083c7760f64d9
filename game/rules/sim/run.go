package sim

import (
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"devopschallenge/game/rules"
)

// Games plays n games (seeds seed, seed+1, …) with each strategy, spread
// over the available CPUs. results[i][j] is game i played by strategies[j];
// the results do not depend on the number of CPUs.
func Games(scn *rules.Scenario, strategies []Strategy, n int, seed uint64) ([][]*Result, error) {
	return GamesWith(scn, strategies, n, seed, Options{})
}

// GamesWith is Games with options.
func GamesWith(scn *rules.Scenario, strategies []Strategy, n int, seed uint64, opt Options) ([][]*Result, error) {
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
					r, err := play(scn, st, seed+uint64(i), memo, opt)
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
	// Mark is the mean company mark each strategy earns alone (0–100).
	Mark []float64
	// Owned is the mean number of capabilities owned at the end.
	Owned []float64
	// Parts are the mean score parts over the game.
	Parts []map[string]float64
	// Final holds, per strategy, the mean metrics of the last sprint.
	Final []rules.Metrics
	// FinalTiers[i][m][t] counts games of strategy i ending in tier t
	// (0 low … 3 elite) on metric m (lead time, deploys, CFR, MTTR).
	FinalTiers [][4][4]int
	// Clusters[i][s][t] is the share of games of strategy i whose sprint s
	// (0 is the start) resembles the 2024 DORA cluster t (0 low … 3 elite).
	Clusters [][][4]float64
}

// Summarize computes a Summary from Games' results.
func Summarize(strategies []Strategy, results [][]*Result) Summary {
	k := len(strategies)
	s := Summary{Games: len(results), Beats: make([][]float64, k), Wins: make([]float64, k),
		Quantiles: make([][5]float64, k), Mean: make([]float64, k), Mark: make([]float64, k), Owned: make([]float64, k),
		Parts: make([]map[string]float64, k), Final: make([]rules.Metrics, k), FinalTiers: make([][4][4]int, k), Clusters: make([][][4]float64, k)}
	for _, st := range strategies {
		s.Strategies = append(s.Strategies, st.Name())
	}
	n := float64(len(results))
	for i := range k {
		s.Beats[i] = make([]float64, k)
		s.Parts[i] = map[string]float64{}
		var scores []float64
		for _, row := range results {
			r := row[i]
			scores = append(scores, r.Score)
			s.Mean[i] += r.Score / n
			s.Mark[i] += r.Mark / n
			s.Owned[i] += float64(r.Owned) / n
			for p, v := range r.Parts {
				s.Parts[i][p] += v / n
			}
			for j := range k {
				if r.Score > row[j].Score {
					s.Beats[i][j] += 1 / n
				}
			}
			if s.Clusters[i] == nil {
				s.Clusters[i] = make([][4]float64, len(r.Sprints)+1)
			}
			for sp, x := range append([]Sprint{r.Start}, r.Sprints...) {
				s.Clusters[i][sp][x.Tiers.Cluster().Points()] += 1 / n
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
		s.Wins[Winner(row)] += 1 / n
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

// WriteTable prints the strategies table, the head-to-head table and the
// last sprint's figures.
func (s Summary) WriteTable(w io.Writer) {
	b := slices.Index(s.Strategies, Balanced{}.Name())
	fmt.Fprintf(w, "%d games per strategy\n\n", s.Games)
	fmt.Fprintf(w, "| strategy | mean score | p10 | median | p90 | balanced-devops beats it | company mark alone | capabilities at the end |\n|---|---|---|---|---|---|---|---|\n")
	for i, name := range s.Strategies {
		q := s.Quantiles[i]
		beats := "—"
		if b >= 0 && b != i {
			beats = fmt.Sprintf("%.1f %%", 100*s.Beats[b][i])
		}
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.1f | %.1f | %s | %.1f | %.1f |\n", name, s.Mean[i], q[1], q[2], q[3], beats, s.Mark[i], s.Owned[i])
	}
	parts := map[string]bool{}
	for _, m := range s.Parts {
		for p := range m {
			parts[p] = true
		}
	}
	names := slices.Sorted(maps.Keys(parts))
	fmt.Fprintf(w, "\nMean score by part:\n\n| strategy | %s |\n|---%s|\n", strings.Join(names, " | "), strings.Repeat("|---", len(names)))
	for i, name := range s.Strategies {
		cells := make([]string, len(names))
		for j, p := range names {
			cells[j] = fmt.Sprintf("%.1f", s.Parts[i][p])
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	if len(s.Strategies) > 1 {
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

// WriteClusters prints, sprint by sprint, the share of games of each
// strategy whose figures resemble each 2024 DORA cluster.
func (s Summary) WriteClusters(w io.Writer) {
	fmt.Fprintf(w, "\nShare of games in each 2024 DORA cluster (elite / high / medium / low), sprint by sprint:\n\n")
	if len(s.Clusters) == 0 {
		return
	}
	fmt.Fprintf(w, "| sprint | %s |\n|---%s|\n", strings.Join(s.Strategies, " | "), strings.Repeat("|---", len(s.Strategies)))
	for sp := range s.Clusters[0] {
		cells := make([]string, len(s.Strategies))
		for i := range s.Strategies {
			c := s.Clusters[i][sp]
			cells[i] = fmt.Sprintf("%.0f / %.0f / %.0f / %.0f", 100*c[3], 100*c[2], 100*c[1], 100*c[0])
		}
		label := strconv.Itoa(sp)
		if sp == 0 {
			label = "start"
		}
		fmt.Fprintf(w, "| %s | %s |\n", label, strings.Join(cells, " | "))
	}
}

// StrategyReport is one strategy's line of the JSON report.
type StrategyReport struct {
	Strategy string  `json:"strategy"`
	Mean     float64 `json:"mean"`
	P10      float64 `json:"p10"`
	P50      float64 `json:"p50"`
	P90      float64 `json:"p90"`
	// BalancedBeats is the share of games balanced-devops scores more
	// (absent for balanced-devops itself).
	BalancedBeats *float64 `json:"balancedBeats,omitempty"`
	// Mark is the mean company mark the strategy earns playing alone.
	Mark float64 `json:"mark"`
	// Owned is the mean number of capabilities owned at the end.
	Owned float64 `json:"owned"`
	// Parts are the mean company score parts.
	Parts map[string]float64 `json:"parts"`
	// Clusters are, per sprint (0 is the start), the share of games whose
	// figures resemble each 2024 DORA cluster.
	Clusters []ClusterShares `json:"clusters"`
}

// ClusterShares are the shares of games in each cluster in one sprint.
type ClusterShares struct {
	Sprint int     `json:"sprint"`
	Elite  float64 `json:"elite"`
	High   float64 `json:"high"`
	Medium float64 `json:"medium"`
	Low    float64 `json:"low"`
}

// Report turns the summary into one StrategyReport per strategy.
func (s Summary) Report() []StrategyReport {
	b := slices.Index(s.Strategies, Balanced{}.Name())
	r4 := func(x float64) float64 { return math.Round(x*1e4) / 1e4 }
	var out []StrategyReport
	for i, name := range s.Strategies {
		q := s.Quantiles[i]
		sr := StrategyReport{Strategy: name, Mean: r4(s.Mean[i]), P10: q[1], P50: q[2], P90: q[3], Mark: r4(s.Mark[i]), Owned: r4(s.Owned[i]), Parts: map[string]float64{}}
		if b >= 0 && b != i {
			v := r4(s.Beats[b][i])
			sr.BalancedBeats = &v
		}
		for p, v := range s.Parts[i] {
			sr.Parts[p] = r4(v)
		}
		for sp, c := range s.Clusters[i] {
			sr.Clusters = append(sr.Clusters, ClusterShares{Sprint: sp, Elite: r4(c[3]), High: r4(c[2]), Medium: r4(c[1]), Low: r4(c[0])})
		}
		out = append(out, sr)
	}
	return out
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
