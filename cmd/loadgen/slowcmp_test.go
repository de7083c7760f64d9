package main

import (
	"strings"
	"testing"
)

func passWith(target string, slow int, p99 float64) *passResult {
	return &passResult{Label: target + map[bool]string{true: "-slow", false: ""}[slow > 0], Target: target, Slow: slow, Latency: dist{P99: p99}}
}

// The slow comparison pairs the game's passes and the hub's across two
// reports, and refuses reports that do not hold what it compares.
func TestSlowComparisons(t *testing.T) {
	without := report{Passes: []*passResult{passWith(targetGame, 0, 10), passWith(targetHub, 0, 8)}}
	with := report{Passes: []*passResult{passWith(targetGame, 75, 12), passWith(targetHub, 75, 6)}}
	cs, err := slowComparisons(without, with)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Ratio != 1.2 || cs[0].A != "game-slow" || cs[1].Ratio != 0.75 || cs[1].B != "hub" {
		t.Fatalf("comparisons %+v, want game 1.2 and hub 0.75", cs)
	}
	for _, tc := range []struct {
		name          string
		without, with report
		want          string
	}{
		{"swapped", with, without, "should have none"},
		{"hub missing", without, report{Passes: with.Passes[:1]}, "in one report only"},
		{"empty", report{}, report{}, "no pass"},
		{"no latency", report{Passes: []*passResult{passWith(targetGame, 0, 0)}}, report{Passes: with.Passes[:1]}, "no latency"},
	} {
		if _, err := slowComparisons(tc.without, tc.with); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}
