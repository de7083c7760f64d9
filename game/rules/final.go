package rules

import (
	"cmp"
	"math"
	"slices"
)

// DebateRatings are the average ratings (1 to 5) a team's presentation
// received on the three criteria.
type DebateRatings struct {
	Clarity       float64 `json:"clarity"`
	Relevance     float64 `json:"relevance"`
	Collaboration float64 `json:"collaboration"`
}

// TeamExtras are a team's results outside the simulation.
type TeamExtras struct {
	// Debate is nil when the team was not rated.
	Debate *DebateRatings `json:"debate,omitempty"`
	// Quiz is the share of right answers (0 to 1), nil when the team took
	// no quiz.
	Quiz *float64 `json:"quiz,omitempty"`
}

// FinalEntry is one company at the end of the game.
type FinalEntry struct {
	// Company identifies the company (the server's id or name).
	Company string                `json:"company"`
	State   *Company              `json:"state"`
	Teams   map[string]TeamExtras `json:"teams"`
}

// Ranking is the final ranking of companies and of teams.
type Ranking struct {
	Companies []CompanyRank `json:"companies"`
	Teams     []TeamRank    `json:"teams"`
}

// CompanyRank is a company's place: its final mark is the average of its
// teams' final marks. Mark is its company mark (0–100, against the
// scenario's scale), Score its company score and Parts the score's parts
// (value, DORA tiers, downtime…) summed over the sprints.
type CompanyRank struct {
	Company string             `json:"company"`
	Rank    int                `json:"rank"`
	Final   float64            `json:"final"`
	Mark    float64            `json:"mark"`
	Score   float64            `json:"score"`
	Sprints int                `json:"sprints"`
	Parts   map[string]float64 `json:"parts"`
}

// TeamRank is a team's place and the four parts of its final mark, each on
// a 0–100 scale: the company mark and the team mark (the company score and
// the team score per sprint against the scenario's scales, so that a
// company's mark does not depend on who else plays), the debate average
// mapped from 1–5, and the quiz share. Parts the team has no result for
// are left out and the weights of the others are scaled up.
type TeamRank struct {
	Company string  `json:"company"`
	Team    string  `json:"team"`
	Rank    int     `json:"rank"`
	Final   float64 `json:"final"`
	Parts   Marks   `json:"parts"`
}

// Marks are the four parts of a final mark; Debate and Quiz are nil when
// missing.
type Marks struct {
	Company float64  `json:"company"`
	Team    float64  `json:"team"`
	Debate  *float64 `json:"debate,omitempty"`
	Quiz    *float64 `json:"quiz,omitempty"`
}

// FinalRanking combines each company's mark, each team's own mark, the
// debate ratings and the quiz results with the scenario's final weights
// into a ranking of companies and of teams. Marks are absolute: a company
// alone in its game is ranked by its own sprints. Equal marks share a rank.
func FinalRanking(scn *Scenario, entries []FinalEntry) Ranking {
	w := scn.Scoring.Final
	var r Ranking
	for _, e := range entries {
		n := e.State.Sprint
		company := scn.Scoring.Marks.Company.Mark(e.State.Score, n)
		sum := 0.0
		for _, t := range Teams {
			x := e.Teams[t]
			mk := Marks{Company: company, Team: scn.Scoring.Marks.Get(t).Mark(e.State.TeamScores[t], n)}
			total, weights := w.Company*mk.Company+w.Team*mk.Team, w.Company+w.Team
			if x.Debate != nil {
				avg := (x.Debate.Clarity + x.Debate.Relevance + x.Debate.Collaboration) / 3
				d := round4(100 * math.Min(1, math.Max(0, (avg-1)/4)))
				mk.Debate = &d
				total, weights = total+w.Debate*d, weights+w.Debate
			}
			if x.Quiz != nil {
				q := round4(100 * math.Min(1, math.Max(0, *x.Quiz)))
				mk.Quiz = &q
				total, weights = total+w.Quiz*q, weights+w.Quiz
			}
			final := 0.0
			if weights > 0 {
				final = round4(total / weights)
			}
			sum += final
			r.Teams = append(r.Teams, TeamRank{Company: e.Company, Team: t, Final: final, Parts: mk})
		}
		r.Companies = append(r.Companies, CompanyRank{Company: e.Company, Final: round4(sum / float64(len(Teams))),
			Mark: company, Score: e.State.Score, Sprints: n, Parts: e.State.ScoreParts()})
	}
	slices.SortStableFunc(r.Companies, func(a, b CompanyRank) int {
		return cmp.Or(cmp.Compare(b.Final, a.Final), cmp.Compare(a.Company, b.Company))
	})
	for i := range r.Companies {
		r.Companies[i].Rank = i + 1
		if i > 0 && r.Companies[i].Final == r.Companies[i-1].Final {
			r.Companies[i].Rank = r.Companies[i-1].Rank
		}
	}
	slices.SortStableFunc(r.Teams, func(a, b TeamRank) int {
		return cmp.Or(cmp.Compare(b.Final, a.Final), cmp.Compare(a.Company, b.Company),
			cmp.Compare(slices.Index(Teams, a.Team), slices.Index(Teams, b.Team)))
	})
	for i := range r.Teams {
		r.Teams[i].Rank = i + 1
		if i > 0 && r.Teams[i].Final == r.Teams[i-1].Final {
			r.Teams[i].Rank = r.Teams[i-1].Rank
		}
	}
	if r.Companies == nil {
		r.Companies = []CompanyRank{}
	}
	if r.Teams == nil {
		r.Teams = []TeamRank{}
	}
	return r
}

// ScoreParts sums each part of the company score over the sprints played.
func (c *Company) ScoreParts() map[string]float64 {
	out := map[string]float64{}
	for _, h := range c.History {
		for k, v := range h.Score.Parts {
			out[k] = round4(out[k] + v)
		}
	}
	return out
}

// CompanyMark is the company mark (0–100) of a company's score so far.
func CompanyMark(scn *Scenario, c *Company) float64 {
	return scn.Scoring.Marks.Company.Mark(c.Score, c.Sprint)
}

// Question returns the quiz question with the given id, or nil.
func (s *Scenario) Question(id string) *Question { return s.idx.questions[id] }

// Motion returns the debate motion with the given id, or nil.
func (s *Scenario) Motion(id string) *Motion {
	for _, m := range s.Debates {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Correct reports whether option is the right answer.
func (q *Question) Correct(option string) bool { return option == q.Answer }
