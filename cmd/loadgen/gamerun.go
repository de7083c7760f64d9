//go:build linux

package main

import (
	"strings"
	"sync"

	"devopschallenge/game"
)

// gameRun is one game (or one hub room) of the load.
type gameRun struct {
	idx      int
	home     string // the server the game was created on, where its facilitator is
	kind     string
	id, code string
	facTok   string
	projTok  string
	conns    []*conn
	players  []*conn
	tr       *tracker
	clusters []string
	quiz     []game.QuizQuestion
	// sprints: each team's affordable actions and capacity.
	options map[string]teamOptions
	// debate: the team presenting, and the questions asked so far (by
	// their authors), guarded by qmu.
	presenter string
	qmu       sync.Mutex
	questions []question
	// Non-slow connections expected to receive effects.
	all, fac int
	team     map[string]int
}

// expected is how many connections must receive an effect meant for a.
func (g *gameRun) expected(a audience) int {
	switch a.scope() {
	case scopeTeam:
		return g.team[a.team] + g.fac
	case scopeCompany:
		n := g.fac
		for k, m := range g.team {
			if strings.HasPrefix(k, a.company+"/") {
				n += m
			}
		}
		return n
	}
	return g.all
}

// count fixes who is expected to receive effects.
func (g *gameRun) count() {
	g.all, g.fac, g.team = 0, 0, map[string]int{}
	for _, c := range g.conns {
		if c.slow {
			continue
		}
		g.all++
		switch c.role {
		case roleFacilitator:
			g.fac++
		case rolePlayer:
			g.team[c.team]++
		}
	}
}

// teamOptions is what a team may plan in the sprints: its capacity and
// the actions available to it.
type teamOptions struct {
	capacity int
	actions  []actionOpt
}

// actionOpt is an action a team may pick, and its cost.
type actionOpt struct {
	id   string
	cost int
}

// question is a question asked in the debate, and who asked it.
type question struct {
	id     string
	author *conn
}

// cardRef is one of a player's cards: its ID once acknowledged, and the
// revision its next edit applies to.
type cardRef struct {
	id  string
	rev int
}
