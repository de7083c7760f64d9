package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"
)

// What the event benchmark measures in each page: when each note first
// shows, the page's long tasks and long animation frames, and the time its
// main thread spent running tasks.

type benchResult struct {
	Seen                   int
	P50, P99, Max, Longest float64
	Over200, Over50        int
	Frames                 []string
}

// benchProbe runs in each page before its scripts: it records when each
// benchmark note first appears in the DOM, and every long task.
const benchProbe = `(() => {
	const b = window.__bench = { seen: {}, lags: [], tasks: [] };
	const re = /⟦(\d+)@(\d+)⟧/g;
	const scan = (text) => {
		if (!text || text.indexOf('⟦') < 0) return;
		const now = performance.timeOrigin + performance.now();
		for (const m of text.matchAll(re)) {
			if (b.seen[m[1]] === undefined) { b.seen[m[1]] = now; b.lags.push(now - Number(m[2])); }
		}
	};
	new PerformanceObserver((l) => { for (const e of l.getEntries()) b.tasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
	// Long animation frames say where a long task's time went: scripts
	// (which one), layouts they forced, or the frame's own style and layout.
	b.frames = [];
	try {
		new PerformanceObserver((l) => {
			for (const e of l.getEntries()) {
				if (e.duration < 150) continue;
				const scripts = [...(e.scripts || [])].sort((x, y) => y.duration - x.duration);
				const top = scripts[0];
				b.frames.push({ d: Math.round(e.duration), script: Math.round(scripts.reduce((a, s) => a + s.duration, 0)),
					forced: Math.round(scripts.reduce((a, s) => a + (s.forcedStyleAndLayoutDuration || 0), 0)),
					render: Math.round(e.renderStart ? e.startTime + e.duration - e.renderStart : 0),
					top: top ? (top.sourceFunctionName || top.invoker || '?') + ' ' + String(top.sourceURL || '').split('/').pop() + ' ' + Math.round(top.duration) + ' ms' : '' });
			}
		}).observe({ type: 'long-animation-frame', buffered: true });
	} catch (e) { /* no long-animation-frame entries in this browser */ }
	const start = () => new MutationObserver((muts) => {
		for (const m of muts) for (const n of m.addedNodes) scan(n.textContent);
	}).observe(document.documentElement, { childList: true, subtree: true });
	if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})()`

const benchReport = `(() => {
	const b = window.__bench, l = [...b.lags].sort((x, y) => x - y);
	const q = (p) => l.length ? l[Math.min(l.length - 1, Math.floor(p * l.length))] : 0;
	return { Seen: l.length, P50: q(0.5), P99: q(0.99), Max: l.length ? l[l.length - 1] : 0,
		Longest: Math.max(0, ...b.tasks), Over200: b.tasks.filter((d) => d > 200).length, Over50: b.tasks.length,
		Frames: [...b.frames].sort((x, y) => y.d - x.d).slice(0, 4).map((f) => f.d + ' ms (scripts ' + f.script + ', forced layout ' + f.forced + ', rendering ' + f.render + '; ' + f.top + ')') };
})()`

// resetTasks checks that the page's long-task probe sees a task (it runs
// one of 120 ms and waits for its entry), then clears what the probe
// gathered: a probe that saw nothing would report a page without long
// tasks.
func resetTasks(tb testing.TB, u *user) {
	tb.Helper()
	seen := eval[float64](u, `new Promise((ok) => {
		const b = window.__bench, n = b.tasks.length;
		// A task of the page's own (DevTools' evaluation is not one).
		setTimeout(() => { const t0 = performance.now(); while (performance.now() - t0 < 120) { /* a long task on purpose */ } });
		const wait = (tries) => {
			if (b.tasks.length > n || tries === 0) { ok(Math.max(0, ...b.tasks.slice(n))); return; }
			setTimeout(() => wait(tries - 1), 50);
		};
		wait(100);
	})`)
	if seen < 100 {
		tb.Fatalf("%s: the long-task probe did not see a task of 120 ms (longest seen %.0f ms): its figures would mean nothing", u.name, seen)
	}
	u.js(`window.__bench.tasks = []; window.__bench.frames = []`)
}

// taskSeconds reads DevTools' TaskDuration: the seconds the page's main
// thread has spent running tasks.
func taskSeconds(tb testing.TB, u *user) float64 {
	tb.Helper()
	var v float64
	u.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, performance.Enable, performance.EnableParams{}); err != nil {
			return err
		}
		res, err := cdp.Call(ctx, t, performance.GetMetrics, cdp.Empty{})
		if err != nil {
			return err
		}
		for _, m := range res.Metrics {
			if m.Name == "TaskDuration" {
				v = m.Value
			}
		}
		return nil
	}))
	return v
}

// window is a stretch of load over which the pages are measured: their
// long tasks counted from its start (the probe checked first), a CPU
// profile of each with BENCH_PROFILE=1, and their busy share.
type window struct {
	b         *testing.B
	pages     []*user
	profiling bool
	before    map[*user]float64
	start     time.Time
}

func openWindow(b *testing.B, pages ...*user) *window {
	b.Helper()
	w := &window{b: b, pages: pages, profiling: os.Getenv("BENCH_PROFILE") == "1", before: map[*user]float64{}}
	for _, u := range pages {
		resetTasks(b, u)
		if w.profiling {
			startProfile(b, u)
		}
	}
	for _, u := range pages {
		w.before[u] = taskSeconds(b, u)
	}
	w.start = time.Now()
	return w
}

// close ends the window: the seconds it lasted and each page's busy share
// of them (0 to 1).
func (w *window) close(name string) (elapsed float64, busy map[*user]float64) {
	w.b.Helper()
	elapsed = time.Since(w.start).Seconds()
	if w.profiling {
		for _, u := range w.pages {
			stopProfile(w.b, u, name)
		}
	}
	busy = map[*user]float64{}
	for _, u := range w.pages {
		busy[u] = (taskSeconds(w.b, u) - w.before[u]) / elapsed
	}
	return elapsed, busy
}

// logFrames logs a page's longest animation frames, if any was long.
func logFrames(b *testing.B, u *user, what string, r benchResult) {
	b.Helper()
	if len(r.Frames) > 0 {
		b.Logf("%s%s: longest frames: %s", u.name, what, strings.Join(r.Frames, "; "))
	}
}
