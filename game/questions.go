package game

import (
	"slices"
	"strings"
)

// The debate's question queue: players ask the presenting team questions
// and upvote others'; the facilitator takes, dismisses, reopens or hides
// them. The best-voted open ones are what the team answers in its
// rebuttal (rebuttal.go).

// DebateQuestion is a question for a presenting team.
type DebateQuestion struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	To      string   `json:"to"` // the presenting team, "1/dev"
	Author  string   `json:"author"`
	Status  string   `json:"status"` // open, taken, dismissed
	Hidden  bool     `json:"hidden,omitempty"`
	Upvotes []string `json:"upvotes"`
	At      int64    `json:"at"`
}

// Limits and statuses of the question queue.
const (
	MaxQuestionText     = 200
	MaxQuestionsPerTurn = 10
	questionOpen        = "open"
	questionTaken       = "taken"
	questionDismissed   = "dismissed"
)

// QuestionDoc is what a viewer sees of a question.
type QuestionDoc struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	To      string `json:"to"`
	Status  string `json:"status"`
	Hidden  bool   `json:"hidden,omitempty"`
	Upvotes int    `json:"upvotes"`
	At      int64  `json:"at"`
	// Author's nickname, for the facilitator only (to give them the floor).
	Author string `json:"author,omitempty"`
}

// upvotesBy returns the questions each player upvotes, building the index
// if needed. Only command handlers call it (it may write the state).
func (d *Debate) upvotesBy() map[string]map[string]bool {
	if d.upvoted == nil {
		d.upvoted = map[string]map[string]bool{}
		for id, q := range d.Questions {
			for _, pid := range q.Upvotes {
				if d.upvoted[pid] == nil {
					d.upvoted[pid] = map[string]bool{}
				}
				d.upvoted[pid][id] = true
			}
		}
	}
	return d.upvoted
}

// upvotedBy lists the questions a player upvotes, in the questions' order,
// without writing the state.
func (d *Debate) upvotedBy(pid string) []string {
	out := []string{}
	if d.upvoted != nil {
		mine := d.upvoted[pid]
		if len(mine) == 0 {
			return out
		}
		for _, id := range d.QuestionOrder {
			if mine[id] {
				out = append(out, id)
			}
		}
		return out
	}
	for _, id := range d.QuestionOrder {
		if slices.Contains(d.Questions[id].Upvotes, pid) {
			out = append(out, id)
		}
	}
	return out
}

// bestQuestions lists at most n open, visible questions to a team, the
// most upvoted first (the oldest first on a tie).
func (d *Debate) bestQuestions(to string, n int) []string {
	var out []*DebateQuestion
	for _, id := range d.QuestionOrder {
		if q := d.Questions[id]; q.To == to && q.Status == questionOpen && !q.Hidden {
			out = append(out, q)
		}
	}
	slices.SortStableFunc(out, func(a, b *DebateQuestion) int { return len(b.Upvotes) - len(a.Upvotes) })
	ids := make([]string, 0, min(n, len(out)))
	for _, q := range out[:min(n, len(out))] {
		ids = append(ids, q.ID)
	}
	return ids
}

func (x *ctx) questionArg(id string) (*DebateQuestion, error) {
	q, ok := x.s.Debate.Questions[id]
	if !ok || (q.Hidden && x.c.Actor.Role != RoleFacilitator) {
		return nil, notFound("question", "Aucune question", id)
	}
	return q, nil
}

// touchQuestion reports a question as changed, and the debate document
// too when the change may have moved the presenting team between having
// no open question and having some: that decides what "next" does (a
// rebuttal or the next team). With two open questions or more left, no
// change of one question can have done it.
func (x *ctx) touchQuestion(q *DebateQuestion) {
	x.ch.touch("question/" + q.ID)
	d := &x.s.Debate
	if cur, ok := d.presenter(); ok && cur.key() == q.To && len(d.bestQuestions(q.To, 2)) <= 1 {
		x.ch.touch("debate")
	}
}

// QuestionArgs names a question.
type QuestionArgs struct {
	QuestionID string `json:"questionId"`
}

// QuestionAskArgs are the arguments of question.ask.
type QuestionAskArgs struct {
	Text string `json:"text"`
}

func askQuestion(x *ctx) error {
	var a QuestionAskArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	d := &x.s.Debate
	cur, err := x.presenting()
	if err != nil {
		return err
	}
	if cur == (Slot{x.player.Company, x.player.Team}) {
		return Errorf(EForbidden, "Your team is presenting: answer the questions rather than ask them.",
			"Votre équipe présente : répondez aux questions plutôt que d'en poser.")
	}
	text := strings.TrimSpace(a.Text)
	if err := checkLongText("question", "question", text, MaxQuestionText); err != nil {
		return err
	}
	n := 0
	for _, id := range d.QuestionOrder {
		if q := d.Questions[id]; q.Author == x.player.ID && q.To == cur.key() {
			n++
		}
	}
	if n >= MaxQuestionsPerTurn {
		return Errorf(EConflict, "You asked %d questions to this team; upvote others'.",
			"Vous avez posé %d questions à cette équipe ; votez pour celles des autres.", MaxQuestionsPerTurn)
	}
	id := x.s.idAt("q")
	q := &DebateQuestion{ID: id, Text: text, To: cur.key(), Author: x.player.ID, Status: questionOpen, Upvotes: []string{}, At: x.c.At}
	d.Questions[id] = q
	d.QuestionOrder = append(d.QuestionOrder, id)
	x.touchQuestion(q)
	x.ch.result("questionId", id)
	return nil
}

// voteQuestion upvotes a question, or takes the upvote back.
func voteQuestion(up bool) func(x *ctx) error {
	return func(x *ctx) error {
		var a QuestionArgs
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		q, err := x.questionArg(a.QuestionID)
		if err != nil {
			return err
		}
		if q.Status != questionOpen {
			return Errorf(EConflict, "This question is no longer in the queue.", "Cette question n'est plus dans la file.")
		}
		i := slices.Index(q.Upvotes, x.player.ID)
		switch {
		case up && q.Author == x.player.ID:
			return Errorf(EConflict, "You cannot upvote your own question.", "Vous ne pouvez pas voter pour votre propre question.")
		case up && i >= 0:
			return Errorf(EConflict, "You already upvoted this question.", "Vous avez déjà voté pour cette question.")
		case !up && i < 0:
			return Errorf(EConflict, "You have not upvoted this question.", "Vous n'avez pas voté pour cette question.")
		}
		d := &x.s.Debate
		mine := d.upvotesBy()[x.player.ID]
		if up {
			q.Upvotes = append(q.Upvotes, x.player.ID)
			if mine == nil {
				mine = map[string]bool{}
				d.upvoted[x.player.ID] = mine
			}
			mine[q.ID] = true
		} else {
			q.Upvotes = slices.Delete(q.Upvotes, i, i+1)
			delete(mine, q.ID)
		}
		x.ch.touch("question/" + q.ID)
		x.ch.private(x.player.ID)
		return nil
	}
}

// setQuestionStatus takes, dismisses or reopens a question.
func setQuestionStatus(to string) func(x *ctx) error {
	return func(x *ctx) error {
		var a QuestionArgs
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		q, err := x.questionArg(a.QuestionID)
		if err != nil {
			return err
		}
		if q.Status == to {
			fr := map[string]string{"open": "en attente", "taken": "traitée", "dismissed": "écartée"}[to]
			return Errorf(EConflict, "The question is already %[1]s.", "La question est déjà %[2]s.", to, fr)
		}
		q.Status = to
		x.touchQuestion(q)
		return nil
	}
}

// QuestionHideArgs are the arguments of question.hide.
type QuestionHideArgs struct {
	QuestionID string `json:"questionId"`
	Hidden     bool   `json:"hidden"`
}

func hideQuestion(x *ctx) error {
	var a QuestionHideArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	q, err := x.questionArg(a.QuestionID)
	if err != nil {
		return err
	}
	if q.Hidden == a.Hidden {
		return Errorf(EConflict, "The question is already like that.", "La question est déjà dans cet état.")
	}
	q.Hidden = a.Hidden
	x.touchQuestion(q)
	return nil
}

func init() {
	registerDoc("question", &docKind{
		keys: func(s *State) []string { return prefixed("question/", s.Debate.QuestionOrder) },
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			q, ok := s.Debate.Questions[strings.TrimPrefix(key, "question/")]
			if !ok || (q.Hidden && v.Role != RoleFacilitator) {
				return nil, false
			}
			doc := QuestionDoc{ID: q.ID, Text: q.Text, To: q.To, Status: q.Status, Hidden: q.Hidden, Upvotes: len(q.Upvotes), At: q.At}
			if v.Role == RoleFacilitator {
				if p := s.Players[q.Author]; p != nil {
					doc.Author = p.Nickname
				}
			}
			return doc, true
		},
	})
	// Renaming a player changes the author shown to the facilitator.
	nicknameHooks = append(nicknameHooks, func(x *ctx, p *Player) {
		for _, id := range x.s.Debate.QuestionOrder {
			if x.s.Debate.Questions[id].Author == p.ID {
				x.ch.touch("question/" + id)
			}
		}
	})
}
