package game

import (
	"slices"
	"strconv"
	"strings"
)

// Study is the study phase: each team's shared worksheet and the quiz.
type Study struct {
	Cards     map[string]*Card `json:"cards"`
	CardOrder []string         `json:"cardOrder"`
	// Answers holds each player's quiz answers: question ID -> option ID.
	Answers map[string]map[string]string `json:"answers"`
}

// Card is one card of a team's worksheet. Rev grows at every edit, so that
// an edit based on an old version is refused instead of silently
// overwriting someone else's.
type Card struct {
	ID        string `json:"id"`
	Company   int    `json:"company"`
	Team      string `json:"team"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	Rev       int    `json:"rev"`
	Author    string `json:"author"`
	UpdatedAt int64  `json:"updatedAt"`
}

// Kinds of worksheet cards, in display order.
var CardKinds = []string{"finding", "advantage", "challenge", "recommendation"}

// Limits of the study phase.
const (
	MaxCardText     = 500
	MaxCardsPerTeam = 60
)

// worksheetPhases are the phases in which teams may edit their worksheet:
// it is filled during the study, refined during the sprints and presented
// in the debate.
var worksheetPhases = []string{KindStudy, KindSprints, KindDebate}

func (st *Study) init() {
	*st = Study{Cards: map[string]*Card{}, Answers: map[string]map[string]string{}}
}

// cardDoc is what a viewer sees of a card.
type cardDoc struct {
	ID        string `json:"id"`
	Company   int    `json:"company"`
	Team      string `json:"team"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	Rev       int    `json:"rev"`
	Author    string `json:"author"`
	UpdatedAt int64  `json:"updatedAt"`
}

// worksheetPublic reports whether every viewer may see every worksheet:
// from the debate on, when teams present them.
func worksheetPublic(s *State) bool {
	ph := s.CurrentPhase()
	return s.Status == StatusFinished || (ph != nil && (ph.Kind == KindDebate || ph.Kind == KindRetro))
}

// seesTeam reports whether v may see what belongs to one team of one
// company: the team itself and the facilitator.
func (v Viewer) seesTeam(company int, team string) bool {
	return v.Role == RoleFacilitator || (v.Role == RolePlayer && v.Company == company && v.Team == team)
}

func (x *ctx) cardArg(id string, rev int) (*Card, error) {
	c, ok := x.s.Study.Cards[id]
	if !ok || c.Company != x.player.Company || c.Team != x.player.Team {
		return nil, notFound("card", "carte", id)
	}
	if rev != c.Rev {
		return nil, Errorf(EConflict, "%s changed this card meanwhile; your screen now shows their version, edit it again.",
			"%s a modifié cette carte entre-temps ; votre écran affiche sa version, modifiez-la à nouveau.", c.Author)
	}
	return c, nil
}

func checkCardKind(k string) error {
	if !slices.Contains(CardKinds, k) {
		return invalid("Unknown card kind %q: use finding, advantage, challenge or recommendation.",
			"Type de carte %q inconnu : utilisez finding, advantage, challenge ou recommendation.", k)
	}
	return nil
}

// quizOn reports whether the current phase runs the quiz.
func quizOn(s *State) bool {
	ph := s.CurrentPhase()
	return ph != nil && ph.Kind == KindStudy && ph.Quiz
}

// quizDoc is the quiz as players see it: questions and options, not the
// answers.
type quizDoc struct {
	Open      bool           `json:"open"`
	Questions []quizQuestion `json:"questions"`
}

type quizQuestion struct {
	ID       string       `json:"id"`
	Topic    string       `json:"topic"`
	Question Text         `json:"question"`
	Options  []quizOption `json:"options"`
}

type quizOption struct {
	ID   string `json:"id"`
	Text Text   `json:"text"`
}

// quizAnswerDoc is a player's answer with its correction.
type quizAnswerDoc struct {
	Choice      string `json:"choice"`
	Correct     bool   `json:"correct"`
	Answer      string `json:"answer"`
	Explanation Text   `json:"explanation"`
}

// QuizScore is the quiz result of a player or a team.
type QuizScore struct {
	Answered int `json:"answered"`
	Correct  int `json:"correct"`
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
	return sc
}

// teamKey names a team of a company, "1/dev".
func teamKey(company int, team string) string { return strconv.Itoa(company) + "/" + team }

// quizScoresDoc is the public quiz board: per team, and per player for the
// facilitator.
type quizScoresDoc struct {
	Teams   map[string]QuizScore `json:"teams"`
	Players map[string]QuizScore `json:"players,omitempty"`
	Total   int                  `json:"total"`
}

func init() {
	phaseInits = append(phaseInits, func(x *ctx) { x.s.Study.init() })
	pl := []Role{RolePlayer}

	register("card.add", handler{roles: pl, phases: worksheetPhases, apply: func(x *ctx) error {
		var a struct {
			Kind string `json:"kind"`
			Text string `json:"text"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		if err := checkCardKind(a.Kind); err != nil {
			return err
		}
		text := strings.TrimSpace(a.Text)
		if err := checkLongText("card", "carte", text, MaxCardText); err != nil {
			return err
		}
		st := &x.s.Study
		n := 0
		for _, id := range st.CardOrder {
			if c := st.Cards[id]; c.Company == x.player.Company && c.Team == x.player.Team {
				n++
			}
		}
		if n >= MaxCardsPerTeam {
			return Errorf(EConflict, "Your worksheet has %d cards, the most allowed; merge some.",
				"Votre fiche a %d cartes, le maximum ; regroupez-en.", MaxCardsPerTeam)
		}
		id := x.s.idAt("w")
		st.Cards[id] = &Card{ID: id, Company: x.player.Company, Team: x.player.Team, Kind: a.Kind, Text: text, Rev: 1,
			Author: x.player.Nickname, UpdatedAt: x.c.At}
		st.CardOrder = append(st.CardOrder, id)
		x.ch.touch("card/" + id)
		x.ch.result("cardId", id)
		return nil
	}})

	register("card.edit", handler{roles: pl, phases: worksheetPhases, apply: func(x *ctx) error {
		var a struct {
			CardID string `json:"cardId"`
			Rev    int    `json:"rev"`
			Kind   string `json:"kind"`
			Text   string `json:"text"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		c, err := x.cardArg(a.CardID, a.Rev)
		if err != nil {
			return err
		}
		if a.Kind == "" {
			a.Kind = c.Kind
		}
		if err := checkCardKind(a.Kind); err != nil {
			return err
		}
		text := strings.TrimSpace(a.Text)
		if err := checkLongText("card", "carte", text, MaxCardText); err != nil {
			return err
		}
		c.Kind, c.Text, c.Author, c.UpdatedAt = a.Kind, text, x.player.Nickname, x.c.At
		c.Rev++
		x.ch.touch("card/" + c.ID)
		x.ch.result("rev", c.Rev)
		return nil
	}})

	register("card.delete", handler{roles: pl, phases: worksheetPhases, apply: func(x *ctx) error {
		var a struct {
			CardID string `json:"cardId"`
			Rev    int    `json:"rev"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		c, err := x.cardArg(a.CardID, a.Rev)
		if err != nil {
			return err
		}
		st := &x.s.Study
		delete(st.Cards, c.ID)
		st.CardOrder = slices.DeleteFunc(st.CardOrder, func(id string) bool { return id == c.ID })
		x.ch.touch("card/" + c.ID)
		x.dropCitation(c.ID)
		return nil
	}})

	register("quiz.answer", handler{roles: pl, phases: []string{KindStudy}, apply: func(x *ctx) error {
		var a struct {
			QuestionID string `json:"questionId"`
			OptionID   string `json:"optionId"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		if !quizOn(x.s) {
			return Errorf(EConflict, "There is no quiz in this phase.", "Il n'y a pas de quiz dans cette phase.")
		}
		q := x.e.scenario(x.s).Question(a.QuestionID)
		if q == nil {
			return notFound("question", "question", a.QuestionID)
		}
		if !slices.ContainsFunc(q.Options, func(o *optionT) bool { return o.ID == a.OptionID }) {
			return invalid("Question %s has no option %q.", "La question %s n'a pas d'option %q.", q.ID, a.OptionID)
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
	}})

	registerDoc("card", &docKind{
		keys: func(s *State) []string { return prefixed("card/", s.Study.CardOrder) },
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			c, ok := s.Study.Cards[strings.TrimPrefix(key, "card/")]
			if !ok || !(worksheetPublic(s) || v.seesTeam(c.Company, c.Team)) {
				return nil, false
			}
			return cardDoc(*c), true
		},
	})
	registerDoc("product", &docKind{keys: single("product"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		return e.scenario(s).Product, true
	}})
	registerDoc("brief", &docKind{
		keys: func(s *State) []string { return prefixed("brief/", Teams) },
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			team := strings.TrimPrefix(key, "brief/")
			if v.Role == RoleProjector || (v.Role == RolePlayer && v.Team != team) {
				return nil, false
			}
			b := e.scenario(s).Teams.Get(team)
			return b, b != nil
		},
	})
	registerDoc("quiz", &docKind{keys: single("quiz"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		if !slices.ContainsFunc(s.Agenda, func(p Phase) bool { return p.Quiz }) {
			return nil, false
		}
		d := quizDoc{Open: quizOn(s)}
		for _, q := range e.scenario(s).Quiz {
			qq := quizQuestion{ID: q.ID, Topic: q.Topic, Question: q.Question}
			for _, o := range q.Options {
				qq.Options = append(qq.Options, quizOption{ID: o.ID, Text: o.Text})
			}
			d.Questions = append(d.Questions, qq)
		}
		return d, true
	}})
	registerDoc("quizscores", &docKind{keys: single("quizscores"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		if !slices.ContainsFunc(s.Agenda, func(p Phase) bool { return p.Quiz }) {
			return nil, false
		}
		// Computed for every audience at every answer: one pass over the
		// players, no per-player map unless the facilitator's.
		scn := e.scenario(s)
		d := quizScoresDoc{Teams: map[string]QuizScore{}, Total: len(scn.Quiz)}
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
			t.Answered += sc.Answered
			t.Correct += sc.Correct
			teams[k] = t
			if d.Players != nil {
				d.Players[p.ID] = sc
			}
		}
		for k, t := range teams {
			d.Teams[teamKey(k.company, k.name)] = t
		}
		return d, true
	}})
	meExtras["quiz"] = func(e *Engine, s *State, p *Player) any {
		mine := s.Study.Answers[p.ID]
		if len(mine) == 0 {
			return nil
		}
		out := map[string]quizAnswerDoc{}
		for qid, choice := range mine {
			if q := e.scenario(s).Question(qid); q != nil {
				out[qid] = quizAnswerDoc{Choice: choice, Correct: q.Answer == choice, Answer: q.Answer, Explanation: q.Explanation}
			}
		}
		return out
	}
	// A change of team moves the player's quiz points; a change of phase
	// opens or closes the quiz and the worksheets.
	teamChangeHooks = append(teamChangeHooks, func(x *ctx, p *Player) { x.ch.touch("quizscores") })
	phaseChangeHooks = append(phaseChangeHooks, func(x *ctx) {
		x.ch.touch("quiz")
		x.ch.touch(prefixed("card/", x.s.Study.CardOrder)...)
	})
}
