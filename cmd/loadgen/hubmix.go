//go:build linux

package main

import (
	"sort"
	"strings"
)

// hubMix is the command mix the hub replays.
type hubMix struct {
	total   float64
	entries []mixEntry
}

// mixEntry is one command of the mix: its weight, audience and sizes.
type mixEntry struct {
	cmd      string
	weight   float64
	scope    string
	cmdBytes int
	updBytes int
}

// defaultMix is used when the hub runs without a game pass before it.
func defaultMix() *hubMix {
	return &hubMix{total: 1, entries: []mixEntry{{cmd: "msg", weight: 1, cmdBytes: 150, updBytes: 300}}}
}

// mixOut is one command's share of the game's mix, its audience and the
// mean size of the command and of its update.
type mixOut struct {
	Share       float64 `json:"share"`
	Audience    string  `json:"audience"`
	CmdBytes    int     `json:"cmdBytes"`
	UpdateBytes int     `json:"updateBytes"`
}

// mixOut is the command mix the game pass measured.
func (p *pass) mixOut() map[string]mixOut {
	out := map[string]mixOut{}
	var total int64
	p.rec.mix.Range(func(_, v any) bool { total += v.(*mixStat).n.Load(); return true })
	p.rec.mix.Range(func(k, v any) bool {
		m := v.(*mixStat)
		n := m.n.Load()
		if n == 0 || total == 0 {
			return true
		}
		o := mixOut{Share: round3(float64(n) / float64(total)), Audience: m.scope, CmdBytes: int(m.cmdBytes.Load() / n)}
		if u := m.updates.Load(); u > 0 {
			o.UpdateBytes = int(m.updBytes.Load() / u)
		}
		out[k.(string)] = o
		return true
	})
	return out
}

// mixFrom turns the game's measured mix into the hub's.
func mixFrom(ms map[string]mixOut) *hubMix {
	keys := make([]string, 0, len(ms))
	for k := range ms {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := &hubMix{}
	for _, k := range keys {
		o := ms[k]
		if o.UpdateBytes == 0 {
			continue
		}
		m.entries = append(m.entries, mixEntry{cmd: k, weight: o.Share, scope: o.Audience, cmdBytes: o.CmdBytes, updBytes: o.UpdateBytes})
		m.total += o.Share
	}
	return m
}

// hubCommand draws a hub message from the command mix the game produced:
// same share of each command, same audience, same message sizes.
func (c *conn) hubCommand() command {
	m := c.p.hubMix
	x := c.rng.Float64() * m.total
	e := m.entries[len(m.entries)-1]
	for _, en := range m.entries {
		if x < en.weight {
			e = en
			break
		}
		x -= en.weight
	}
	aud := audience{}
	switch e.scope {
	case scopeTeam:
		aud = audience{team: c.team}
	case scopeCompany:
		aud = audience{company: companyOf(c.team)}
	}
	to := aud.scope()
	pad := max(0, e.cmdBytes-len(`{"type":"cmd","id":"c0000","cmd":"","args":{"text":"","_to":"company","_size":0000}}`)-len(e.cmd))
	return command{cmd: e.cmd, args: map[string]any{"text": strings.Repeat("x", pad), "_to": to, "_size": e.updBytes}, aud: aud}
}
