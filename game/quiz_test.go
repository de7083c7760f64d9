package game

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// quizOrderOf reads the order a player sees a question's options in.
func quizOrderOf(t *testing.T, g *tgame, id, question string) []string {
	t.Helper()
	d, ok := g.e.Doc(g.s, g.s.ViewerOf(player(id)), "me")
	if !ok {
		t.Fatal("no me document")
	}
	orders, _ := d.(MeDoc).Extra["quizOrder"].(map[string][]string)
	return orders[question]
}

// Each player sees the options of a question in an order of their own,
// the same at every load; the right answer is not always first.
func TestQuizOptionsShuffledPerPlayerAndStable(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	var ids []string
	for _, n := range []string{"ana", "bob", "cleo", "dan", "eva", "finn"} {
		ids = append(ids, g.join(n, ""))
	}
	g.must(fac, "game.start", nil)
	g.must(fac, "phase.next", nil) // study, with the quiz
	quiz := g.e.scenario(g.s).Quiz
	differ, firstRight := 0, 0
	for _, q := range quiz {
		var file []string
		for _, o := range q.Options {
			file = append(file, o.ID)
		}
		var seen [][]string
		for _, id := range ids {
			order := quizOrderOf(t, g, id, q.ID)
			if len(order) != len(file) || !sameSet(order, file) {
				t.Fatalf("%s sees %v for %s, not a shuffle of %v", id, order, q.ID, file)
			}
			if again := quizOrderOf(t, g, id, q.ID); !slices.Equal(order, again) {
				t.Fatalf("%s sees %v then %v", id, order, again)
			}
			if order[0] == q.Answer {
				firstRight++
			}
			seen = append(seen, order)
		}
		if slices.ContainsFunc(seen[1:], func(o []string) bool { return !slices.Equal(o, seen[0]) }) {
			differ++
		}
	}
	if differ < len(quiz)*3/4 {
		t.Errorf("players see the same order for %d questions of %d", len(quiz)-differ, len(quiz))
	}
	if n := len(quiz) * len(ids); firstRight > n/2 {
		t.Errorf("the right answer comes first %d times in %d", firstRight, n)
	}
	// The same game replayed from its log shows the same orders: they come
	// from the game's seed, not from the moment.
	restored, err := Restore(mustMarshal(t, g.s))
	if err != nil {
		t.Fatal(err)
	}
	g2 := &tgame{t: t, e: g.e, s: restored}
	if a, b := quizOrderOf(t, g, ids[0], quiz[0].ID), quizOrderOf(t, g2, ids[0], quiz[0].ID); !slices.Equal(a, b) {
		t.Errorf("after a restore: %v, before: %v", b, a)
	}
	// Another game (another seed) shuffles differently.
	other := newTestGame(t, Settings{}, nil)
	other.s.Seed++
	oid := other.join("ana", "")
	other.must(fac, "game.start", nil)
	other.must(fac, "phase.next", nil)
	same := 0
	for _, q := range quiz {
		if slices.Equal(quizOrderOf(t, g, ids[0], q.ID), quizOrderOf(t, other, oid, q.ID)) {
			same++
		}
	}
	if same == len(quiz) {
		t.Error("two games with different seeds show the same orders")
	}
	// An answered question leaves the order; the quiz closed, none is sent.
	g.must(player(ids[0]), "quiz.answer", map[string]string{"questionId": quiz[0].ID, "optionId": quiz[0].Answer})
	if o := quizOrderOf(t, g, ids[0], quiz[0].ID); o != nil {
		t.Errorf("an answered question still has an order: %v", o)
	}
	g.must(fac, "phase.next", nil)
	if o := quizOrderOf(t, g, ids[1], quiz[1].ID); o != nil {
		t.Errorf("the closed quiz still sends orders: %v", o)
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// A quiz score is the right answers over the questions asked: answering
// only the questions one is sure of does not give 100 %.
func TestQuizScoreIsOverQuestionsAsked(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	sure := g.join("sure", TeamDev)
	all := g.join("all", TeamDev)
	idle := g.join("idle", TeamDev)
	ops := g.join("ops", TeamOps)
	g.must(fac, "game.start", nil)
	g.must(fac, "phase.next", nil)
	quiz := g.e.scenario(g.s).Quiz
	n := len(quiz)
	// "sure" answers one question, right; "all" answers every question,
	// half of them right; "idle" never opens the quiz.
	g.must(player(sure), "quiz.answer", map[string]string{"questionId": quiz[0].ID, "optionId": quiz[0].Answer})
	right := 0
	for i, q := range quiz {
		choice := q.Answer
		if i%2 == 1 {
			for _, o := range q.Options {
				if o.ID != q.Answer {
					choice = o.ID
					break
				}
			}
		} else {
			right++
		}
		g.must(player(all), "quiz.answer", map[string]string{"questionId": q.ID, "optionId": choice})
	}
	g.must(player(ops), "quiz.answer", map[string]string{"questionId": quiz[1].ID, "optionId": quiz[1].Answer})

	scores := g.e.quizScores(g.s)
	if s := scores[sure]; s.Answered != 1 || s.Correct != 1 || s.Asked != n {
		t.Errorf("one right answer of %d questions: %+v", n, s)
	}
	if share, _ := scores[sure].Share(); math.Abs(share-1/float64(n)) > 1e-9 {
		t.Errorf("one right answer of %d questions scores %.3f, want %.3f", n, share, 1/float64(n))
	}
	if s := scores[idle]; s.Asked != 0 {
		t.Errorf("a player who never opened the quiz was asked %d questions", s.Asked)
	}
	// The team: 1 + right answers over two players who took the quiz.
	r := g.e.Results(g.s)
	team := r.Quiz["1/dev"]
	if team.Asked != 2*n || team.Correct != 1+right {
		t.Errorf("Dev's quiz: %+v; want %d right of %d asked", team, 1+right, 2*n)
	}
	want := 100 * float64(1+right) / float64(2*n)
	for _, tr := range r.Ranking.Teams {
		if tr.Team == TeamDev {
			if tr.Parts.Quiz == nil || math.Abs(*tr.Parts.Quiz-want) > 0.01 {
				t.Errorf("Dev's quiz mark %v, want %.2f", tr.Parts.Quiz, want)
			}
		}
	}
	// The board tells it the same way.
	d, _ := g.e.Doc(g.s, g.s.ViewerOf(fac), "quizscores")
	if b := d.(QuizScoresDoc).Teams["1/dev"]; b != team {
		t.Errorf("quiz board %+v, results %+v", b, team)
	}
}

// The quiz covers what the course teaches, in both languages, with at
// least three options a question and the right answer at different places
// in the file.
func TestQuizCoversTheCourse(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	quiz := g.e.scenario(g.s).Quiz
	if len(quiz) < 25 {
		t.Errorf("%d questions; want at least 25", len(quiz))
	}
	at := map[int]int{}
	for _, q := range quiz {
		if len(q.Options) < 3 {
			t.Errorf("%s has %d options", q.ID, len(q.Options))
		}
		for i, o := range q.Options {
			if o.ID == q.Answer {
				at[i]++
			}
			if strings.TrimSpace(o.Text.EN) == "" || strings.TrimSpace(o.Text.FR) == "" {
				t.Errorf("%s option %s is not in both languages", q.ID, o.ID)
			}
		}
		if q.Question.EN == "" || q.Question.FR == "" || q.Explanation.EN == "" || q.Explanation.FR == "" {
			t.Errorf("%s is not in both languages", q.ID)
		}
	}
	for pos, n := range at {
		if n > len(quiz)/2 {
			t.Errorf("the right answer is option %d in %d questions of %d", pos+1, n, len(quiz))
		}
	}
	for _, id := range []string{"containers_vs_vms", "docker_image", "orchestration", "iac", "cloud_iaas", "cloud_paas", "cloud_saas",
		"mttd", "time_to_patch", "lean_overproduction", "lean_waiting", "pdca"} {
		if g.e.scenario(g.s).Question(id) == nil {
			t.Errorf("no question %q", id)
		}
	}
}

func mustMarshal(t *testing.T, s *State) []byte {
	t.Helper()
	b, err := MarshalState(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
