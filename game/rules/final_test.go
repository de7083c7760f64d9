package rules

import (
	"math"
	"testing"
)

func company(score float64, teams [4]float64) *Company {
	c := &Company{Sprint: 4, Score: score, TeamScores: map[string]float64{}}
	for i, t := range Teams {
		c.TeamScores[t] = teams[i]
	}
	return c
}

func ptr(v float64) *float64 { return &v }

// Marks are absolute: each company is marked against the scenario's
// scales, per sprint played, whoever else plays.
func TestFinalRanking(t *testing.T) {
	s := loadMinimal(t) // weights: company 0.5, team 0.2, debate 0.2, quiz 0.1
	// Scales per sprint: company 0..20, dev 0..10, ops 90..100, qa 50..100, pm 0..4.
	top := DebateRatings{5, 5, 5}
	mid := DebateRatings{3, 3, 3}
	entries := []FinalEntry{
		{Company: "blue", State: company(60, [4]float64{20, 396, 360, 8}), Teams: map[string]TeamExtras{
			"dev": {Debate: &top, Quiz: ptr(1)}, "ops": {Debate: &mid, Quiz: ptr(0.5)}, "qa": {}, "pm": {Quiz: ptr(0)},
		}},
		{Company: "red", State: company(100, [4]float64{40, 400, 200, 16}), Teams: map[string]TeamExtras{
			"dev": {Debate: &mid, Quiz: ptr(1)}, "ops": {Debate: &top, Quiz: ptr(1)}, "qa": {}, "pm": {Quiz: ptr(1)},
		}},
	}
	r := FinalRanking(s, entries)
	if len(r.Companies) != 2 || len(r.Teams) != 8 {
		t.Fatalf("ranking: %+v", r)
	}
	find := func(co, team string) TeamRank {
		for _, tr := range r.Teams {
			if tr.Company == co && tr.Team == team {
				return tr
			}
		}
		t.Fatalf("no %s/%s", co, team)
		return TeamRank{}
	}
	// blue: 60 over 4 sprints is 15 a sprint: 75 % of the way to 20.
	// blue dev: 20/4 = 5 a sprint → 50; debate 5 → 100, quiz 100.
	bd := find("blue", "dev")
	want := 0.5*75 + 0.2*50 + 0.2*100 + 0.1*100
	if math.Abs(bd.Final-want) > 1e-3 || bd.Parts.Company != 75 || bd.Parts.Team != 50 || *bd.Parts.Debate != 100 {
		t.Errorf("blue dev: %+v, want final %v", bd, want)
	}
	// blue qa: 360/4 = 90 → 80; neither debate nor quiz: only company and team weigh.
	bq := find("blue", "qa")
	want = (0.5*75 + 0.2*80) / 0.7
	if math.Abs(bq.Final-want) > 1e-3 || bq.Parts.Debate != nil || bq.Parts.Quiz != nil {
		t.Errorf("blue qa: %+v, want final %v", bq, want)
	}
	// red: 25 a sprint is over the scale: 100. red ops: 100 a sprint → 100.
	ro := find("red", "ops")
	want = 0.5*100 + 0.2*100 + 0.2*100 + 0.1*100
	if math.Abs(ro.Final-want) > 1e-3 {
		t.Errorf("red ops: %+v, want %v", ro, want)
	}
	for i := 1; i < len(r.Teams); i++ {
		if r.Teams[i].Final > r.Teams[i-1].Final || r.Teams[i].Rank < r.Teams[i-1].Rank {
			t.Errorf("teams out of order at %d: %+v", i, r.Teams)
		}
	}
	if r.Companies[0].Company != "red" || r.Companies[0].Rank != 1 || r.Companies[1].Rank != 2 || r.Companies[1].Mark != 75 {
		t.Errorf("companies: %+v", r.Companies)
	}

	// Alone in its game, a company is marked by its own sprints: a weak
	// one does not get 100 for being the best in the room.
	alone := FinalRanking(s, []FinalEntry{{Company: "solo", State: company(20, [4]float64{8, 370, 260, 2})}})
	if c := alone.Companies[0]; c.Mark != 25 || c.Final >= 50 {
		t.Errorf("a weak company alone: %+v", c)
	}
	if tr := alone.Teams; tr[0].Parts.Company != 25 {
		t.Errorf("its teams' company mark: %+v", tr)
	}

	// Equal marks share a rank.
	same := FinalRanking(s, []FinalEntry{
		{Company: "a", State: company(10, [4]float64{1, 1, 1, 1})},
		{Company: "b", State: company(10, [4]float64{1, 1, 1, 1})},
	})
	if same.Companies[0].Rank != 1 || same.Companies[1].Rank != 1 {
		t.Errorf("tied companies: %+v", same.Companies)
	}
}

// The quiz's questions are complete (the game scores them, see
// game.QuizScore).
func TestQuizQuestions(t *testing.T) {
	s := loadEcommerce(t)
	for _, q := range s.Quiz {
		if q.Explanation.EN == "" || q.Explanation.FR == "" || s.Question(q.ID) != q || !q.Correct(q.Answer) {
			t.Errorf("question %s is incomplete", q.ID)
		}
	}
}
