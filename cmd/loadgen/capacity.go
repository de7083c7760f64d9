//go:build linux

package main

import (
	"context"
	"fmt"
	"time"
)

// capacityOut is the result of capacity stepping.
type capacityOut struct {
	P99LimitMs  float64 `json:"p99LimitMs"`
	GamePlayers int     `json:"gamePlayersHeld"`
	HubPlayers  int     `json:"hubPlayersHeld"`
	Ratio       float64 `json:"ratio"`
	GameSteps   []step  `json:"gameSteps"`
	HubSteps    []step  `json:"hubSteps"`
}

// step is one step of capacity stepping.
type step struct {
	Games   int     `json:"games"`
	Players int     `json:"players"`
	P99     float64 `json:"p99Ms"`
	Lost    int     `json:"lost"`
	Held    bool    `json:"held"`
}

// capacityRun raises the number of games step by step, for the game and
// then for the hub, until p99 passes the limit (or effects are lost).
func capacityRun(ctx context.Context, o options, budget func() bool, rep *report) error {
	c := &capacityOut{P99LimitMs: o.capP99}
	rep.Capacity = c
	var mix *hubMix
	for _, t := range []target{o.game, o.hub} {
		if len(t.urls) == 0 {
			continue
		}
		if t.kind == targetHub && mix == nil {
			mix = defaultMix()
		}
		for _, n := range o.capacity {
			cfg := o.cfg
			cfg.games = n
			label := fmt.Sprintf("%s-%d", t.kind, n)
			fmt.Printf("== capacity %s: %d games × %d players, %s\n", t.kind, n, cfg.players, describe(cfg))
			p := newPass(cfg, t, label, mix)
			p.budget = budget
			r, err := p.run(ctx)
			if err != nil {
				return err
			}
			rep.Passes = append(rep.Passes, r)
			printPass(r)
			if t.kind == targetGame && mix == nil && len(r.Mix) > 0 {
				mix = mixFrom(r.Mix)
			}
			lost := r.NeverArrived + int(r.Unanswered)
			s := step{Games: n, Players: n * cfg.players, P99: r.Latency.P99, Lost: lost,
				Held: r.Latency.N > 0 && r.Latency.P99 <= o.capP99 && lost == 0}
			if t.kind == targetGame {
				c.GameSteps = append(c.GameSteps, s)
				if s.Held {
					c.GamePlayers = max(c.GamePlayers, s.Players)
				}
			} else {
				c.HubSteps = append(c.HubSteps, s)
				if s.Held {
					c.HubPlayers = max(c.HubPlayers, s.Players)
				}
			}
			sleep(ctx, 5*time.Second)
			if !s.Held {
				break
			}
		}
	}
	if c.HubPlayers > 0 {
		c.Ratio = round3(float64(c.GamePlayers) / float64(c.HubPlayers))
	}
	fmt.Printf("\n== capacity at p99 ≤ %.0f ms: game %d players, hub %d players, ratio %.3f\n", o.capP99, c.GamePlayers, c.HubPlayers, c.Ratio)
	return nil
}
