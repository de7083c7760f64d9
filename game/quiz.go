package game

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// The quiz of the study phase. Each player sees every question's options
// in an order of their own (drawn from the game's seed, the player and the
// question, so the same at every load), and a score counts every question
// asked: leaving out the questions one is unsure of does not raise it.

// quizOn reports whether the current phase runs the quiz.
func quizOn(s *State) bool {
	ph := s.CurrentPhase()
	return ph != nil && ph.Kind == KindStudy && ph.Quiz
}

// quizInAgenda reports whether the game has a quiz.
func quizInAgenda(s *State) bool {
	return slices.ContainsFunc(s.Agenda, func(p Phase) bool { return p.Quiz })
}

// QuizDoc is the quiz as players see it: questions and options, not the
// answers.
type QuizDoc struct {
	Open      bool           `json:"open"`
	Questions []QuizQuestion `json:"questions"`
}

// QuizQuestion is one question of the quiz, its options in the order the
// viewer sees them.
type QuizQuestion struct {
	ID       string       `json:"id"`
	Topic    string       `json:"topic"`
	Question Text         `json:"question"`
	Options  []QuizOption `json:"options"`
}

// QuizOption is one option of a quiz question.
type QuizOption struct {
	ID   string `json:"id"`
	Text Text   `json:"text"`
}

// QuizAnswerDoc is a player's answer with its correction.
type QuizAnswerDoc struct {
	Choice      string `json:"choice"`
	Correct     bool   `json:"correct"`
	Answer      string `json:"answer"`
	Explanation Text   `json:"explanation"`
}

// QuizScore is the quiz result of a player or a team. Asked counts every
// question of the quiz for each player who took it (answered at least one
// question); a player who never opened it is not counted.
type QuizScore struct {
	Answered int `json:"answered"`
	Correct  int `json:"correct"`
	Asked    int `json:"asked"`
}

// Share is the quiz mark: correct answers ÷ questions asked; false when
// nobody took the quiz.
func (q QuizScore) Share() (float64, bool) {
	if q.Asked == 0 {
		return 0, false
	}
	return float64(q.Correct) / float64(q.Asked), true
}

// Add adds another player's score to a team's.
func (q *QuizScore) Add(o QuizScore) {
	q.Answered += o.Answered
	q.Correct += o.Correct
	q.Asked += o.Asked
}

// quizScores computes each player's score.
func (e *Engine) quizScores(s *State) map[string]QuizScore {
	scn := e.scenario(s)
	out := make(map[string]QuizScore, len(s.PlayerOrder))
	for _, pid := range s.PlayerOrder {
		out[pid] = quizScore(scn, s.Study.Answers[pid])
	}
	return out
}

// quizScore is the score of one player's answers.
func quizScore(scn *scenarioT, answers map[string]string) QuizScore {
	var sc QuizScore
	for qid, choice := range answers {
		sc.Answered++
		if q := scn.Question(qid); q != nil && q.Answer == choice {
			sc.Correct++
		}
	}
	if sc.Answered > 0 {
		sc.Asked = max(len(scn.Quiz), sc.Answered)
	}
	return sc
}

// quizOrder is the order a player sees a question's options in: shuffled
// from the game's seed, the player and the question, so that neighbours'
// screens differ and a reload shows the same.
func quizOrder(seed uint64, player, question string, options []string) []string {
	h := fnv.New64a()
	h.Write([]byte(player))
	h.Write([]byte{0})
	h.Write([]byte(question))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	out := slices.Clone(options)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// QuizScoresDoc is the public quiz board: per team, and per player for the
// facilitator.
type QuizScoresDoc struct {
	Teams   map[string]QuizScore `json:"teams"`
	Players map[string]QuizScore `json:"players,omitempty"`
	Total   int                  `json:"total"`
}

func init() {
	registerDoc("quiz", &docKind{keys: single("quiz"), view: viewQuiz})
	registerDoc("quizscores", &docKind{keys: single("quizscores"), view: viewQuizScores})
	meExtras["quiz"] = func(e *Engine, s *State, p *Player) any {
		mine := s.Study.Answers[p.ID]
		if len(mine) == 0 || !quizOn(s) {
			return nil
		}
		out := map[string]QuizAnswerDoc{}
		for qid, choice := range mine {
			if q := e.scenario(s).Question(qid); q != nil {
				out[qid] = QuizAnswerDoc{Choice: choice, Correct: q.Answer == choice, Answer: q.Answer, Explanation: q.Explanation}
			}
		}
		return out
	}
	// While the quiz is open, each player's order of the options of the
	// questions not answered yet.
	meExtras["quizOrder"] = func(e *Engine, s *State, p *Player) any {
		if !quizOn(s) {
			return nil
		}
		mine := s.Study.Answers[p.ID]
		out := map[string][]string{}
		for _, q := range e.scenario(s).Quiz {
			if _, done := mine[q.ID]; done {
				continue
			}
			ids := make([]string, len(q.Options))
			for i, o := range q.Options {
				ids[i] = o.ID
			}
			out[q.ID] = quizOrder(s.Seed, p.ID, q.ID, ids)
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	// A change of team moves the player's quiz points; a change of phase
	// opens or closes the quiz (and with it each player's order of the
	// options).
	teamChangeHooks = append(teamChangeHooks, func(x *ctx, p *Player) { x.ch.touch("quizscores") })
	phaseChangeHooks = append(phaseChangeHooks, func(x *ctx) {
		x.ch.touch("quiz")
		if quizInAgenda(x.s) {
			for _, p := range x.s.activePlayers() {
				x.ch.private(p.ID)
			}
		}
	})
}

// QuizAnswerArgs are the arguments of quiz.answer.
type QuizAnswerArgs struct {
	QuestionID string `json:"questionId"`
	OptionID   string `json:"optionId"`
}

func answerQuiz(x *ctx) error {
	var a QuizAnswerArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if !quizOn(x.s) {
		return Errorf(EConflict, "There is no quiz in this phase.", "Il n'y a pas de quiz dans cette phase.")
	}
	q := x.e.scenario(x.s).Question(a.QuestionID)
	if q == nil {
		return notFound("question", "Aucune question", a.QuestionID)
	}
	if !slices.ContainsFunc(q.Options, func(o *optionT) bool { return o.ID == a.OptionID }) {
		return invalid("Question %s has no option %q.", "La question %s n'a pas d'option « %s ».", q.ID, a.OptionID)
	}
	mine := x.s.Study.Answers[x.player.ID]
	if _, done := mine[q.ID]; done {
		return Errorf(EConflict, "You already answered this question.", "Vous avez déjà répondu à cette question.")
	}
	if mine == nil {
		mine = map[string]string{}
		x.s.Study.Answers[x.player.ID] = mine
	}
	mine[q.ID] = a.OptionID
	x.ch.private(x.player.ID)
	x.ch.touch("quizscores", "results")
	x.ch.result("correct", q.Answer == a.OptionID)
	return nil
}

// The questions and each player's answers are sent while the quiz is
// open (the scores, in quizscores, stay).
func viewQuiz(e *Engine, s *State, v Viewer, key string) (any, bool) {
	if !quizOn(s) {
		return nil, false
	}
	d := QuizDoc{Open: quizOn(s)}
	for _, q := range e.scenario(s).Quiz {
		qq := QuizQuestion{ID: q.ID, Topic: q.Topic, Question: q.Question}
		for _, o := range q.Options {
			qq.Options = append(qq.Options, QuizOption{ID: o.ID, Text: o.Text})
		}
		d.Questions = append(d.Questions, qq)
	}
	return d, true
}

func viewQuizScores(e *Engine, s *State, v Viewer, key string) (any, bool) {
	if !quizInAgenda(s) {
		return nil, false
	}
	// Computed for every audience at every answer: one pass over the
	// players, no per-player map unless the facilitator's.
	scn := e.scenario(s)
	d := QuizScoresDoc{Teams: map[string]QuizScore{}, Total: len(scn.Quiz)}
	if v.Role == RoleFacilitator {
		d.Players = map[string]QuizScore{}
	}
	type team struct {
		company int
		name    string
	}
	teams := map[team]QuizScore{}
	for _, p := range s.activePlayers() {
		sc := quizScore(scn, s.Study.Answers[p.ID])
		k := team{p.Company, p.Team}
		t := teams[k]
		t.Add(sc)
		teams[k] = t
		if d.Players != nil {
			d.Players[p.ID] = sc
		}
	}
	for k, t := range teams {
		d.Teams[teamKey(k.company, k.name)] = t
	}
	return d, true
}
