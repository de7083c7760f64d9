package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// slowCompareMain implements "loadgen slowcmp WITHOUT.json WITH.json": it
// reads two reports of the same load, the first without slow clients and
// the second with them, each run against freshly started servers, and
// prints how the p99 of the other clients moved, for the game and for the
// hub. (Within one invocation, -slow-compare runs the second pass on the
// servers of the first, which still hold its games.)
func slowCompareMain(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen slowcmp WITHOUT.json WITH.json (reports without, then with, slow clients)")
		return 2
	}
	var reps [2]report
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
	cs, err := slowComparisons(reps[0], reps[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen slowcmp: %v\n", err)
		return 1
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

// passOf returns the report's first pass against the given target.
func passOf(r report, kind string) *passResult {
	for _, p := range r.Passes {
		if p.Target == kind {
			return p
		}
	}
	return nil
}
