package main

import (
	"slices"
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

// A p99 read from the histogram is within 1 % of the exact one, and
// histograms of several passes pool into the p99 of all their latencies.
func TestHistogramQuantile(t *testing.T) {
	var a, b []float64
	for i := 1; i <= 1000; i++ {
		a = append(a, float64(i)*0.05) // 0.05 … 50 ms
		b = append(b, float64(i)*0.1)  // 0.1 … 100 ms
	}
	h := histogram{}
	h.add(histOf(a))
	if got, want := h.quantile(.99), summarise(a).P99; got < want || got > want*1.01 {
		t.Errorf("p99 from the histogram %v, exact %v", got, want)
	}
	h.add(histOf(b))
	all := append(slices.Clone(a), b...)
	if got, want := h.quantile(.99), summarise(all).P99; got < want || got > want*1.01 {
		t.Errorf("pooled p99 %v, exact %v", got, want)
	}
	if h.count() != 2000 || (histogram{}).quantile(.99) != 0 {
		t.Errorf("count %d, empty quantile %v", h.count(), (histogram{}).quantile(.99))
	}
}

func passHist(target string, slow int, xs []float64) *passResult {
	p := passWith(target, slow, summarise(xs).P99)
	p.LatencyHist = histOf(xs)
	return p
}

// Several pairs are judged by the p99 of their latencies pooled, and by
// the median of their ratios; reports without histograms are refused.
func TestPooledSlowComparisons(t *testing.T) {
	flat := func(top float64) []float64 {
		var xs []float64
		for i := 1; i <= 100; i++ {
			xs = append(xs, top*float64(i)/100)
		}
		return xs
	}
	// Pair 1: 10 → 11 ms; pair 2: 20 → 18 ms. Pooled: 20 → 18 ms.
	reps := []report{
		{Passes: []*passResult{passHist(targetGame, 0, flat(10))}},
		{Passes: []*passResult{passHist(targetGame, 5, flat(11))}},
		{Passes: []*passResult{passHist(targetGame, 0, flat(20))}},
		{Passes: []*passResult{passHist(targetGame, 5, flat(18))}},
	}
	cs, err := pooledSlowComparisons(reps)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("comparisons %+v, want pooled and median for the game", cs)
	}
	if r := cs[0].Ratio; r < 0.89 || r > 0.91 {
		t.Errorf("pooled ratio %v, want 18/20 = 0.9", r)
	}
	if r := cs[1].Ratio; r != 1 {
		t.Errorf("median of 1.1 and 0.9: %v, want 1", r)
	}
	reps[3].Passes[0].LatencyHist = nil
	if _, err := pooledSlowComparisons(reps); err == nil || !strings.Contains(err.Error(), "no latency histogram") {
		t.Errorf("a pass without histogram: error %v", err)
	}
}
