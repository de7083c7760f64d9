//go:build linux

package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// compareRun runs the game, then the hub, with the same load (and, with
// -slow-compare, each without and then with slow clients).
func compareRun(ctx context.Context, o options, budget func() bool, rep *report) error {
	var mix *hubMix
	var gameRes, hubRes []*passResult
	one := func(t target, label string, cfg config) (*passResult, error) {
		p := newPass(cfg, t, label, mix)
		p.budget = budget
		fmt.Printf("== %s: %s, %d games × %d players, %s\n", label, t.kind, cfg.games, cfg.players, describe(cfg))
		r, err := p.run(ctx)
		if err != nil {
			return nil, err
		}
		rep.Passes = append(rep.Passes, r)
		if t.kind == targetGame && mix == nil && len(r.Mix) > 0 {
			mix = mixFrom(r.Mix)
		}
		printPass(r)
		// Let the servers see the disconnections before the next pass.
		sleep(ctx, 3*time.Second)
		return r, nil
	}
	variants := []config{o.cfg}
	if o.slowCmp && o.cfg.slow > 0 {
		base := o.cfg
		base.slow = 0
		variants = []config{base, o.cfg}
	}
	for _, kind := range []string{targetGame, targetHub} {
		t := o.game
		if kind == targetHub {
			t = o.hub
		}
		if len(t.urls) == 0 {
			continue
		}
		if kind == targetHub && mix == nil && !o.cfg.idle {
			mix = defaultMix()
		}
		for _, cfg := range variants {
			label := kind
			if cfg.slow > 0 {
				label += "-slow"
			}
			if o.label != "" {
				label = o.label + "/" + label
			}
			r, err := one(t, label, cfg)
			if err != nil {
				return err
			}
			if kind == targetGame {
				gameRes = append(gameRes, r)
			} else {
				hubRes = append(hubRes, r)
			}
		}
	}
	rep.Comparisons = compare(gameRes, hubRes, o.cfg.idle)
	printComparisons(rep.Comparisons)
	return nil
}

// describe says in a few words what load a pass applies.
func describe(cfg config) string {
	if cfg.idle {
		return "idle"
	}
	s := fmt.Sprintf("%.2g cmd/player/s, phases %s, warm-up %s, window %s", cfg.rate, strings.Join(cfg.phases, "+"), cfg.warmup, cfg.duration)
	if cfg.slow > 0 {
		s += fmt.Sprintf(", %.0f%% slow readers", cfg.slow*100)
	}
	if cfg.byGame {
		s += ", each game's players on one server"
	}
	return s
}

// comparison is a ratio of a figure of pass A to the same figure of pass B.
type comparison struct {
	What  string  `json:"what"`
	A     string  `json:"a"`
	B     string  `json:"b"`
	Ratio float64 `json:"ratio"`
}

// compare puts each game pass beside the hub pass made with the same
// load (and each pass with slow clients beside the one without).
func compare(game, hub []*passResult, idle bool) []comparison {
	var out []comparison
	ratio := func(what string, a, b *passResult, x, y float64) {
		if y > 0 {
			out = append(out, comparison{What: what, A: a.Label, B: b.Label, Ratio: round3(x / y)})
		}
	}
	for i := range min(len(game), len(hub)) {
		g, h := game[i], hub[i]
		if idle {
			ratio("memory per connection, game / hub", g, h, g.KBPerConn, h.KBPerConn)
			ratio("memory per connection later, game / hub", g, h, g.KBPerConnLater, h.KBPerConnLater)
			continue
		}
		ratio("p99 latency, game / hub", g, h, g.Latency.P99, h.Latency.P99)
		ratio("p50 latency, game / hub", g, h, g.Latency.P50, h.Latency.P50)
		ratio("server CPU per delivery, game / hub", g, h, g.CPUPerDelivery, h.CPUPerDelivery)
		if g.CPUPerDelivWR > 0 {
			ratio("server+redis CPU per delivery, game / hub", g, h, g.CPUPerDelivWR, h.CPUPerDelivery)
		}
	}
	for _, rs := range [][]*passResult{game, hub} {
		if len(rs) == 2 && rs[1].Slow > 0 {
			ratio("p99 with slow clients / without", rs[1], rs[0], rs[1].Latency.P99, rs[0].Latency.P99)
		}
	}
	return out
}

// printComparisons prints the ratios of the game to the hub.
func printComparisons(cs []comparison) {
	if len(cs) == 0 {
		return
	}
	fmt.Println("\n== ratios")
	for _, c := range cs {
		fmt.Printf("  %-45s %8.3f   (%s vs %s)\n", c.What, c.Ratio, c.A, c.B)
	}
}
