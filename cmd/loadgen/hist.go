package main

import (
	"cmp"
	"math"
	"slices"
)

// Latency histograms let passes run apart be pooled: the slow comparison
// merges several passes of each kind (without, with slow readers) and
// takes the p99 of all their latencies, which two single passes on this
// noisy machine cannot settle.
//
// Bins grow by histGrowth from histBase: bin i holds the latencies in
// (histBase·histGrowth^(i-1), histBase·histGrowth^i] ms, bin 0 everything
// up to histBase. A quantile read from them is off by less than 1 %.
const (
	histBase   = 0.01 // ms
	histGrowth = 1.01
)

// histogram is a sparse latency histogram: bin index → count.
type histogram map[int]int64

// histBin is one non-empty bin as written in a report: {index, count}.
type histBin [2]int64

func histIndex(ms float64) int {
	if ms <= histBase {
		return 0
	}
	return int(math.Ceil(math.Log(ms/histBase) / math.Log(histGrowth)))
}

// histUpper is the upper bound of bin i, in ms.
func histUpper(i int) float64 { return histBase * math.Pow(histGrowth, float64(i)) }

func histOf(xs []float64) []histBin {
	h := histogram{}
	for _, x := range xs {
		h[histIndex(x)]++
	}
	return h.bins()
}

func (h histogram) bins() []histBin {
	out := make([]histBin, 0, len(h))
	for i, n := range h {
		out = append(out, histBin{int64(i), n})
	}
	slices.SortFunc(out, func(a, b histBin) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// add merges bins into h.
func (h histogram) add(bins []histBin) {
	for _, b := range bins {
		h[int(b[0])] += b[1]
	}
}

// count is the number of latencies in h.
func (h histogram) count() int64 {
	var n int64
	for _, c := range h {
		n += c
	}
	return n
}

// quantile returns the upper bound of the bin holding the q-quantile
// (the same rank summarise uses), or 0 for an empty histogram.
func (h histogram) quantile(q float64) float64 {
	n := h.count()
	if n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(n))), 1)
	var seen int64
	for _, b := range h.bins() {
		seen += b[1]
		if seen >= rank {
			return round3(histUpper(int(b[0])))
		}
	}
	return 0
}
