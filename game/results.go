package game

import (
	"cmp"
	"slices"
	"strconv"

	"devopschallenge/game/rules"
)

// Results are the final standings: the scenario's weighted combination of
// the company mark, each team's own mark (both absolute, against the
// scenario's scales), the debate ratings and the quiz, plus the
// facilitator's bonus points.
type Results struct {
	Ranking rules.Ranking `json:"ranking"`
	// Bonus points per team ("1/dev"), already added to the team's final
	// mark.
	Bonus map[string]int `json:"bonus"`
	// Quiz and Debate per team.
	Quiz   map[string]QuizScore    `json:"quiz"`
	Debate map[string]RatingResult `json:"debate"`
	// Clusters tells which 2024 DORA cluster each company's last sprint
	// resembles, and the share of real teams in it.
	Clusters map[string]ClusterMatch `json:"clusters"`
}

// ClusterMatch is the 2024 Accelerate State of DevOps cluster a company's
// figures resemble most.
type ClusterMatch struct {
	Cluster rules.Tier `json:"cluster"`
	// Share of the surveyed teams in that cluster, in percent.
	Share int `json:"share"`
}

// resemble returns the cluster a sprint's tiers resemble (the tier most of
// the four metrics fall in, the lower one on a tie) and its share of teams.
func resemble(t rules.Tiers) ClusterMatch {
	c := t.Cluster()
	return ClusterMatch{Cluster: c, Share: rules.ClusterShare(c)}
}

// Results computes the final standings of the companies that have players.
func (e *Engine) Results(s *State) Results {
	scn := e.scenario(s).Scenario
	quiz := e.quizScores(s)
	debate := s.Debate.ratingResults()
	r := Results{Bonus: map[string]int{}, Quiz: map[string]QuizScore{}, Debate: map[string]RatingResult{}, Clusters: map[string]ClusterMatch{}}
	var entries []rules.FinalEntry
	for c := 1; c <= s.Settings.Companies; c++ {
		members := 0
		extras := map[string]rules.TeamExtras{}
		for _, t := range Teams {
			key := teamKey(c, t)
			var qs QuizScore
			for _, p := range s.activePlayers() {
				if p.Company == c && p.Team == t {
					members++
					qs.Add(quiz[p.ID])
				}
			}
			var x rules.TeamExtras
			if share, ok := qs.Share(); ok {
				x.Quiz = &share
				r.Quiz[key] = qs
			}
			if d, ok := debate[key]; ok && d.Count > 0 {
				x.Debate = &rules.DebateRatings{Clarity: d.Clarity, Relevance: d.Relevance, Collaboration: d.Collaboration}
				r.Debate[key] = d
			}
			if b := s.Debate.Bonus[key]; b > 0 {
				r.Bonus[key] = b
			}
			extras[t] = x
		}
		if members == 0 {
			continue
		}
		co := s.Sprints.company(c)
		id := strconv.Itoa(c)
		entries = append(entries, rules.FinalEntry{Company: id, State: co, Teams: extras})
		r.Clusters[id] = resemble(co.History[len(co.History)-1].Tiers)
	}
	r.Ranking = rules.FinalRanking(scn, entries)
	if len(r.Bonus) > 0 {
		applyBonus(&r.Ranking, r.Bonus)
	}
	return r
}

// applyBonus adds the facilitator's bonus points to the teams' final marks,
// recomputes the companies' marks (the mean of their teams') and ranks
// again.
func applyBonus(rk *rules.Ranking, bonus map[string]int) {
	sum := map[string]float64{}
	n := map[string]int{}
	for i := range rk.Teams {
		t := &rk.Teams[i]
		c, _ := strconv.Atoi(t.Company)
		t.Final = round2(t.Final + float64(bonus[teamKey(c, t.Team)]))
		sum[t.Company] += t.Final
		n[t.Company]++
	}
	for i := range rk.Companies {
		c := &rk.Companies[i]
		c.Final = round2(sum[c.Company] / float64(n[c.Company]))
	}
	slices.SortStableFunc(rk.Teams, func(a, b rules.TeamRank) int {
		return cmp.Or(cmp.Compare(b.Final, a.Final), cmp.Compare(a.Company, b.Company), cmp.Compare(slices.Index(Teams, a.Team), slices.Index(Teams, b.Team)))
	})
	slices.SortStableFunc(rk.Companies, func(a, b rules.CompanyRank) int {
		return cmp.Or(cmp.Compare(b.Final, a.Final), cmp.Compare(a.Company, b.Company))
	})
	for i := range rk.Teams {
		rk.Teams[i].Rank = i + 1
		if i > 0 && rk.Teams[i].Final == rk.Teams[i-1].Final {
			rk.Teams[i].Rank = rk.Teams[i-1].Rank
		}
	}
	for i := range rk.Companies {
		rk.Companies[i].Rank = i + 1
		if i > 0 && rk.Companies[i].Final == rk.Companies[i-1].Final {
			rk.Companies[i].Rank = rk.Companies[i-1].Rank
		}
	}
}

// resultsPublic reports whether everyone may see the final results: in the
// retrospective and once the game is over. The facilitator always may.
func resultsPublic(s *State) bool {
	ph := s.CurrentPhase()
	return s.Status == StatusFinished || (ph != nil && ph.Kind == KindRetro)
}

func init() {
	registerDoc("results", &docKind{keys: single("results"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		if s.Status == StatusLobby || !(resultsPublic(s) || v.Role == RoleFacilitator) {
			return nil, false
		}
		return e.Results(s), true
	}})
	// The results follow the teams' members and the phase; the commands
	// that change scores, ratings, quiz answers and bonus touch them too.
	teamChangeHooks = append(teamChangeHooks, func(x *ctx, p *Player) { x.ch.touch("results") })
	phaseChangeHooks = append(phaseChangeHooks, func(x *ctx) { x.ch.touch("results") })
}
