package e2e

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// With BENCH_PROFILE=1 the benchmark records a JavaScript CPU profile of
// each page during the load and logs where the main thread's time went:
// the functions with the most time of their own (a forced layout counts
// for the script that forced it) and the most time in all (callees
// included). It tells which code the long tasks run.

func startProfile(tb testing.TB, u *user) {
	tb.Helper()
	u.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 500}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
		return err
	}))
}

func stopProfile(tb testing.TB, u *user, what string) {
	tb.Helper()
	var prof *profiler.Profile
	u.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		prof = res.Profile
		return err
	}))
	if prof == nil || len(prof.Samples) == 0 {
		tb.Logf("%s profile in %s: no samples", u.name, what)
		return
	}
	self, total := profileTimes(prof)
	tb.Logf("%s profile in %s (%.1f s sampled):\n  own time: %s\n  total time: %s", u.name, what, (prof.EndTime-prof.StartTime)/1e6,
		topTimes(self, 14), topTimes(total, 14))
}

// profileTimes sums the sampled milliseconds per function (name, file and
// line): of its own, and with its callees (a recursive function once).
func profileTimes(p *profiler.Profile) (self, total map[string]float64) {
	nodes := map[int64]*profiler.ProfileNode{}
	parent := map[int64]int64{}
	for _, n := range p.Nodes {
		nodes[n.ID] = n
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	label := func(n *profiler.ProfileNode) string {
		f := n.CallFrame
		name := cmp.Or(f.FunctionName, "(anonymous)")
		if f.URL == "" {
			return name
		}
		file := f.URL[strings.LastIndex(f.URL, "/")+1:]
		return fmt.Sprintf("%s %s:%d", name, file, f.LineNumber+1)
	}
	self, total = map[string]float64{}, map[string]float64{}
	for i, id := range p.Samples {
		ms := float64(p.TimeDeltas[min(i+1, len(p.TimeDeltas)-1)]) / 1000
		n := nodes[id]
		if n == nil {
			continue
		}
		self[label(n)] += ms
		seen := map[string]bool{}
		for cur, ok := id, true; ok; cur, ok = parent[cur] {
			l := label(nodes[cur])
			if !seen[l] {
				seen[l] = true
				total[l] += ms
			}
		}
	}
	for _, k := range []string{"(root)", "(idle)", "(program)"} {
		delete(total, k)
	}
	delete(self, "(idle)")
	return self, total
}

func topTimes(m map[string]float64, n int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(m[b], m[a]) })
	var parts []string
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, fmt.Sprintf("%s %.0f ms", k, m[k]))
	}
	return strings.Join(parts, "; ")
}
