package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

// slowCompareMain implements "loadgen slowcmp WITHOUT.json WITH.json
// [WITHOUT.json WITH.json]...": it reads pairs of reports of the same load,
// the first of each pair without slow clients and the second with them,
// each run against freshly started servers, and prints how the p99 of the
// other clients moved, for the game and for the hub: pair by pair, and,
// with several pairs, over all the latencies of each kind pooled, the
// figure to judge by (one pair's p99s differ by ±10 % on their own here).
// Within one invocation, -slow-compare runs the second pass on the servers
// of the first, which still hold its games.
func slowCompareMain(args []string) int {
	if len(args) == 0 || len(args)%2 != 0 {
		fmt.Fprintln(os.Stderr, "usage: loadgen slowcmp WITHOUT.json WITH.json [WITHOUT.json WITH.json]... (pairs of reports: without, then with, slow clients)")
		return 2
	}
	reps := make([]report, len(args))
	for i, name := range args {
		b, err := os.ReadFile(name)
		if err == nil {
			err = json.Unmarshal(b, &reps[i])
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen slowcmp: %s: %v\n", name, err)
			return 1
		}
	}
	var cs []comparison
	for i := 0; i < len(reps); i += 2 {
		pc, err := slowComparisons(reps[i], reps[i+1])
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen slowcmp: %s and %s: %v\n", args[i], args[i+1], err)
			return 1
		}
		cs = append(cs, pc...)
	}
	if len(reps) > 2 {
		pc, err := pooledSlowComparisons(reps)
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen slowcmp: %v\n", err)
			return 1
		}
		cs = append(cs, pc...)
	}
	printComparisons(cs)
	return 0
}

// slowComparisons pairs the passes of two reports by target (game, hub).
func slowComparisons(without, with report) ([]comparison, error) {
	var out []comparison
	for _, kind := range []string{targetGame, targetHub} {
		a, b := passOf(without, kind), passOf(with, kind)
		if a == nil && b == nil {
			continue
		}
		switch {
		case a == nil || b == nil:
			return nil, fmt.Errorf("the %s pass is in one report only", kind)
		case a.Slow != 0:
			return nil, fmt.Errorf("the first report's %s pass has %d slow clients; it should have none", kind, a.Slow)
		case b.Slow == 0:
			return nil, fmt.Errorf("the second report's %s pass has no slow clients", kind)
		case a.Latency.P99 <= 0:
			return nil, fmt.Errorf("the first report's %s pass measured no latency", kind)
		}
		out = append(out, comparison{What: "p99 with slow clients / without", A: b.Label, B: a.Label, Ratio: round3(b.Latency.P99 / a.Latency.P99)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no pass to compare")
	}
	return out, nil
}

// pooledSlowComparisons compares, per target, the p99 of all the latencies
// of the passes without slow clients with that of all the passes with
// them (reports alternate: without, with, without, with…; each pair
// already checked by slowComparisons), and gives the median of the
// pairs' ratios beside it.
func pooledSlowComparisons(reps []report) ([]comparison, error) {
	var out []comparison
	for _, kind := range []string{targetGame, targetHub} {
		var pooled [2]histogram
		var ratios []float64
		n := 0
		for i := 0; i+1 < len(reps); i += 2 {
			a, b := passOf(reps[i], kind), passOf(reps[i+1], kind)
			if a == nil || b == nil {
				continue
			}
			if len(a.LatencyHist) == 0 || len(b.LatencyHist) == 0 {
				return nil, fmt.Errorf("the %s passes %q and %q carry no latency histogram (reports written by an older loadgen); they cannot be pooled", kind, a.Label, b.Label)
			}
			for j, p := range []*passResult{a, b} {
				if pooled[j] == nil {
					pooled[j] = histogram{}
				}
				pooled[j].add(p.LatencyHist)
			}
			ratios = append(ratios, b.Latency.P99/a.Latency.P99)
			n++
		}
		if n == 0 {
			continue
		}
		without, with := pooled[0].quantile(.99), pooled[1].quantile(.99)
		label := fmt.Sprintf("%s, %d passes", kind, n)
		out = append(out,
			comparison{What: "pooled p99 with slow clients / without", A: fmt.Sprintf("%s with: %.2f ms", label, with), B: fmt.Sprintf("without: %.2f ms", without), Ratio: round3(with / without)},
			comparison{What: "median of the pairs' p99 ratios", A: label, B: fmt.Sprint(len(ratios), " pairs"), Ratio: round3(median(ratios))})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no pass to compare")
	}
	return out, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// passOf returns the report's first pass against the given target.
func passOf(r report, kind string) *passResult {
	for _, p := range r.Passes {
		if p.Target == kind {
			return p
		}
	}
	return nil
}
