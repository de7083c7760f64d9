package game

import (
	"slices"
	"strings"
)

// Debate is the debate rounds: teams present in turn, the others ask and
// upvote questions and rate the presentation; a motion is voted before and
// after.
type Debate struct {
	// Order lists the presenting teams; Current indexes it (-1: not yet).
	Order   []Slot `json:"order"`
	Current int    `json:"current"`
	// Questions asked, in order.
	Questions     map[string]*DebateQuestion `json:"questions"`
	QuestionOrder []string                   `json:"questionOrder"`
	// Ratings per presenting team ("1/dev"), per rating player.
	Ratings map[string]map[string]Rating `json:"ratings"`
	// Bonus points the facilitator gave, per team.
	Bonus map[string]int `json:"bonus"`
	// Motion is the ID of the scenario's motion being debated; Stage is
	// "", "before", "after" (a vote is open) or "closed".
	Motion string `json:"motion"`
	Stage  string `json:"stage"`
	// Votes per stage ("before", "after"), per player: "for" or "against".
	Votes map[string]map[string]string `json:"votes"`

	// upvoted holds, per player, the questions they upvote, derived from
	// the questions' Upvotes: built by the first vote after a load and
	// kept by the next ones, so that a player's "me" does not scan every
	// question's voters. Not saved, not copied; views read it only when it
	// is there.
	upvoted map[string]map[string]bool
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

// Slot is a presenting team.
type Slot struct {
	Company int    `json:"company"`
	Team    string `json:"team"`
}

func (s Slot) key() string { return teamKey(s.Company, s.Team) }

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

// Rating is a peer rating of a presentation, 1 to 5 on each criterion.
type Rating struct {
	Clarity       int `json:"clarity"`
	Relevance     int `json:"relevance"`
	Collaboration int `json:"collaboration"`
}

// Limits of the debate.
const (
	MaxQuestionText      = 200
	MaxQuestionsPerTurn  = 10
	MaxBonus             = 10
	questionOpen         = "open"
	questionTaken        = "taken"
	questionDismissed    = "dismissed"
	motionBefore         = "before"
	motionAfter          = "after"
	motionClosed         = "closed"
	voteFor, voteAgainst = "for", "against"
)

func (d *Debate) init() {
	*d = Debate{Current: -1, Questions: map[string]*DebateQuestion{}, Ratings: map[string]map[string]Rating{},
		Bonus: map[string]int{}, Votes: map[string]map[string]string{}}
}

// presenter returns the team presenting now.
func (d *Debate) presenter() (Slot, bool) {
	if d.Current < 0 || d.Current >= len(d.Order) {
		return Slot{}, false
	}
	return d.Order[d.Current], true
}

// reorder returns the order of presentation once the facilitator asked for
// want. Once the debate has started, the order is also its history: the
// teams that have presented and the one presenting keep their places at
// its head (the floor stays where it is, and nobody is marked as having
// presented without speaking); want arranges the teams still to come, and
// a team it leaves out no longer presents.
func (d *Debate) reorder(want []Slot) []Slot {
	if _, ok := d.presenter(); !ok {
		return want
	}
	out := slices.Clone(d.Order[:d.Current+1])
	for _, sl := range want {
		if !slices.Contains(out, sl) {
			out = append(out, sl)
		}
	}
	return out
}

// defaultOrder lists every team that has players, company by company.
func (s *State) defaultOrder() []Slot {
	var out []Slot
	for c := 1; c <= s.Settings.Companies; c++ {
		for _, t := range Teams {
			if s.teamSize(c, t) > 0 {
				out = append(out, Slot{c, t})
			}
		}
	}
	return out
}

// debateDoc is the public state of the debate.
type debateDoc struct {
	Order     []Slot                  `json:"order"`
	Current   int                     `json:"current"`
	Motion    any                     `json:"motion,omitempty"`
	Stage     string                  `json:"stage"`
	Tally     map[string]voteTally    `json:"tally"`
	Shift     *float64                `json:"shift,omitempty"`
	Ratings   map[string]RatingResult `json:"ratings"`
	Bonus     map[string]int          `json:"bonus"`
	Motions   any                     `json:"motions,omitempty"`
	Presented []string                `json:"presented"`
}

type voteTally struct {
	For     int `json:"for"`
	Against int `json:"against"`
}

// RatingResult is the average peer rating of a team.
type RatingResult struct {
	Count         int     `json:"count"`
	Clarity       float64 `json:"clarity"`
	Relevance     float64 `json:"relevance"`
	Collaboration float64 `json:"collaboration"`
	// Mean is the mean of the three criteria.
	Mean float64 `json:"mean"`
}

// ratingResults averages the ratings of every team.
func (d *Debate) ratingResults() map[string]RatingResult {
	out := map[string]RatingResult{}
	for key, byPlayer := range d.Ratings {
		var r RatingResult
		for _, x := range byPlayer {
			r.Count++
			r.Clarity += float64(x.Clarity)
			r.Relevance += float64(x.Relevance)
			r.Collaboration += float64(x.Collaboration)
		}
		if r.Count > 0 {
			n := float64(r.Count)
			r.Clarity, r.Relevance, r.Collaboration = round2(r.Clarity/n), round2(r.Relevance/n), round2(r.Collaboration/n)
			r.Mean = round2((r.Clarity + r.Relevance + r.Collaboration) / 3)
		}
		out[key] = r
	}
	return out
}

func round2(f float64) float64 {
	if f < 0 {
		return -round2(-f)
	}
	return float64(int64(f*100+0.5)) / 100
}

// tallies counts the motion votes of each stage, and the shift of the
// share "for" between the two, in percentage points.
func (d *Debate) tallies() (map[string]voteTally, *float64) {
	t := map[string]voteTally{}
	for _, stage := range []string{motionBefore, motionAfter} {
		var v voteTally
		for _, vote := range d.Votes[stage] {
			if vote == voteFor {
				v.For++
			} else {
				v.Against++
			}
		}
		t[stage] = v
	}
	b, a := t[motionBefore], t[motionAfter]
	if b.For+b.Against == 0 || a.For+a.Against == 0 {
		return t, nil
	}
	shift := round2(100*float64(a.For)/float64(a.For+a.Against) - 100*float64(b.For)/float64(b.For+b.Against))
	return t, &shift
}

// questionDoc is what a viewer sees of a question.
type questionDoc struct {
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

// debateMe is a player's private view of the debate.
type debateMe struct {
	Ratings map[string]Rating `json:"ratings"`
	Votes   map[string]string `json:"votes"`
	Upvoted []string          `json:"upvoted"`
}

func (x *ctx) questionArg(id string) (*DebateQuestion, error) {
	q, ok := x.s.Debate.Questions[id]
	if !ok || (q.Hidden && x.c.Actor.Role != RoleFacilitator) {
		return nil, notFound("question", "question", id)
	}
	return q, nil
}

func (x *ctx) slotArg(company int, team string) (Slot, error) {
	if company < 1 || company > x.s.Settings.Companies {
		return Slot{}, invalid("Company %d does not exist (this game has %d).", "L'entreprise %d n'existe pas (cette partie en a %d).", company, x.s.Settings.Companies)
	}
	if !ValidTeam(team) {
		return Slot{}, invalid("Unknown team %q: choose dev, ops, qa or pm.", "Équipe %q inconnue : choisissez dev, ops, qa ou pm.", team)
	}
	return Slot{company, team}, nil
}

func (x *ctx) startTurn() {
	ph := x.s.CurrentPhase()
	x.startClock(int64(ph.Minutes) * 60_000)
	x.ch.touch("debate")
}

func init() {
	phaseInits = append(phaseInits, func(x *ctx) { x.s.Debate.init() })
	k := phaseKinds[KindDebate]
	k.enter = func(x *ctx) {
		d := &x.s.Debate
		if len(d.Order) == 0 {
			d.Order = x.s.defaultOrder()
		}
		if d.Current < 0 && len(d.Order) > 0 {
			d.Current = 0
		}
		x.startTurn()
	}
	// Inside the debate, "next" gives the floor to the next team; after the
	// last one the agenda moves on.
	k.next = func(x *ctx) (bool, error) {
		d := &x.s.Debate
		if d.Current+1 >= len(d.Order) {
			return false, nil
		}
		d.Current++
		x.startTurn()
		return true, nil
	}
	fac := []Role{RoleFacilitator}
	pl := []Role{RolePlayer}
	inDebate := []string{KindDebate}

	register("debate.order", handler{roles: fac, apply: func(x *ctx) error {
		var a struct {
			Order []Slot `json:"order"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		if len(a.Order) == 0 || len(a.Order) > MaxCompanies*len(Teams) {
			return invalid("Give the order of the presenting teams (1 to %d).", "Donnez l'ordre de passage des équipes (1 à %d).", MaxCompanies*len(Teams))
		}
		seen := map[string]bool{}
		for _, sl := range a.Order {
			if _, err := x.slotArg(sl.Company, sl.Team); err != nil {
				return err
			}
			if seen[sl.key()] {
				return invalid("Team %s appears twice in the order.", "L'équipe %s apparaît deux fois dans l'ordre.", sl.key())
			}
			seen[sl.key()] = true
		}
		d := &x.s.Debate
		d.Order = d.reorder(a.Order)
		x.ch.touch("debate")
		return nil
	}})

	register("question.ask", handler{roles: pl, phases: inDebate, apply: func(x *ctx) error {
		var a struct {
			Text string `json:"text"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		d := &x.s.Debate
		cur, ok := d.presenter()
		if !ok {
			return Errorf(EConflict, "No team is presenting.", "Aucune équipe ne présente.")
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
		d.Questions[id] = &DebateQuestion{ID: id, Text: text, To: cur.key(), Author: x.player.ID, Status: questionOpen,
			Upvotes: []string{}, At: x.c.At}
		d.QuestionOrder = append(d.QuestionOrder, id)
		x.ch.touch("question/" + id)
		x.ch.result("questionId", id)
		return nil
	}})

	vote := func(up bool) func(x *ctx) error {
		return func(x *ctx) error {
			var a struct {
				QuestionID string `json:"questionId"`
			}
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
	register("question.upvote", handler{roles: pl, phases: inDebate, apply: vote(true)})
	register("question.unvote", handler{roles: pl, phases: inDebate, apply: vote(false)})

	status := func(to string) func(x *ctx) error {
		return func(x *ctx) error {
			var a struct {
				QuestionID string `json:"questionId"`
			}
			if err := decodeArgs(x.c, &a); err != nil {
				return err
			}
			q, err := x.questionArg(a.QuestionID)
			if err != nil {
				return err
			}
			if q.Status == to {
				return Errorf(EConflict, "The question is already %s.", "La question est déjà %s.", to)
			}
			q.Status = to
			x.ch.touch("question/" + q.ID)
			return nil
		}
	}
	register("question.take", handler{roles: fac, apply: status(questionTaken)})
	register("question.dismiss", handler{roles: fac, apply: status(questionDismissed)})
	register("question.reopen", handler{roles: fac, apply: status(questionOpen)})
	register("question.hide", handler{roles: fac, apply: func(x *ctx) error {
		var a struct {
			QuestionID string `json:"questionId"`
			Hidden     bool   `json:"hidden"`
		}
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
		x.ch.touch("question/" + q.ID)
		return nil
	}})

	register("rating.submit", handler{roles: pl, phases: inDebate, apply: func(x *ctx) error {
		var a Rating
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		d := &x.s.Debate
		cur, ok := d.presenter()
		if !ok {
			return Errorf(EConflict, "No team is presenting.", "Aucune équipe ne présente.")
		}
		if cur == (Slot{x.player.Company, x.player.Team}) {
			return Errorf(EForbidden, "You cannot rate your own team.", "Vous ne pouvez pas noter votre propre équipe.")
		}
		for _, v := range []int{a.Clarity, a.Relevance, a.Collaboration} {
			if v < 1 || v > 5 {
				return invalid("Rate each criterion from 1 to 5.", "Notez chaque critère de 1 à 5.")
			}
		}
		if d.Ratings[cur.key()] == nil {
			d.Ratings[cur.key()] = map[string]Rating{}
		}
		d.Ratings[cur.key()][x.player.ID] = a
		x.ch.touch("debate", "results")
		x.ch.private(x.player.ID)
		return nil
	}})

	register("debate.bonus", handler{roles: fac, apply: func(x *ctx) error {
		var a struct {
			Company int    `json:"company"`
			Team    string `json:"team"`
			Points  int    `json:"points"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		sl, err := x.slotArg(a.Company, a.Team)
		if err != nil {
			return err
		}
		if a.Points < 0 || a.Points > MaxBonus {
			return invalid("A bonus is 0 to %d points.", "Un bonus vaut de 0 à %d points.", MaxBonus)
		}
		if a.Points == 0 {
			delete(x.s.Debate.Bonus, sl.key())
		} else {
			x.s.Debate.Bonus[sl.key()] = a.Points
		}
		x.ch.touch("debate", "results")
		return nil
	}})

	register("motion.set", handler{roles: fac, apply: func(x *ctx) error {
		var a struct {
			MotionID string `json:"motionId"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		if x.e.scenario(x.s).Motion(a.MotionID) == nil {
			return notFound("motion", "motion", a.MotionID)
		}
		d := &x.s.Debate
		if d.Stage == motionBefore || d.Stage == motionAfter {
			return Errorf(EConflict, "Close the vote before changing the motion.", "Clôturez le vote avant de changer de motion.")
		}
		if len(d.Votes[motionBefore])+len(d.Votes[motionAfter]) > 0 && d.Motion != a.MotionID {
			return Errorf(EConflict, "Votes were cast on the current motion; it can no longer change.",
				"Des votes ont eu lieu sur la motion actuelle ; elle ne peut plus changer.")
		}
		d.Motion = a.MotionID
		x.ch.touch("debate")
		return nil
	}})

	register("motion.open", handler{roles: fac, apply: func(x *ctx) error {
		var a struct {
			Stage string `json:"stage"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		d := &x.s.Debate
		if a.Stage != motionBefore && a.Stage != motionAfter {
			return invalid(`Open the "before" or the "after" vote.`, `Ouvrez le vote "before" ou "after".`)
		}
		if d.Motion == "" {
			return Errorf(EConflict, "Choose a motion first.", "Choisissez d'abord une motion.")
		}
		if d.Stage == a.Stage {
			return Errorf(EConflict, "That vote is already open.", "Ce vote est déjà ouvert.")
		}
		d.Stage = a.Stage
		x.ch.touch("debate")
		return nil
	}})

	register("motion.close", handler{roles: fac, apply: func(x *ctx) error {
		d := &x.s.Debate
		if d.Stage != motionBefore && d.Stage != motionAfter {
			return Errorf(EConflict, "No vote is open.", "Aucun vote n'est ouvert.")
		}
		d.Stage = motionClosed
		x.ch.touch("debate")
		return nil
	}})

	register("motion.vote", handler{roles: pl, apply: func(x *ctx) error {
		var a struct {
			Vote string `json:"vote"`
		}
		if err := decodeArgs(x.c, &a); err != nil {
			return err
		}
		d := &x.s.Debate
		if d.Stage != motionBefore && d.Stage != motionAfter {
			return Errorf(EConflict, "No vote is open on the motion.", "Aucun vote n'est ouvert sur la motion.")
		}
		if a.Vote != voteFor && a.Vote != voteAgainst {
			return invalid(`Vote "for" or "against".`, `Votez "for" (pour) ou "against" (contre).`)
		}
		if d.Votes[d.Stage] == nil {
			d.Votes[d.Stage] = map[string]string{}
		}
		if d.Votes[d.Stage][x.player.ID] == a.Vote {
			return Errorf(EConflict, "You already voted that way.", "Vous avez déjà voté ainsi.")
		}
		d.Votes[d.Stage][x.player.ID] = a.Vote
		x.ch.touch("debate")
		x.ch.private(x.player.ID)
		return nil
	}})

	registerDoc("debate", &docKind{keys: single("debate"), view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
		d := &s.Debate
		doc := debateDoc{Order: d.Order, Current: d.Current, Stage: d.Stage, Ratings: d.ratingResults(), Bonus: d.Bonus}
		if doc.Order == nil {
			doc.Order = []Slot{}
		}
		doc.Tally, doc.Shift = d.tallies()
		if m := e.scenario(s).Motion(d.Motion); m != nil {
			doc.Motion = m
		}
		if v.Role == RoleFacilitator {
			doc.Motions = e.scenario(s).Debates
		}
		for i := 0; i <= d.Current && i < len(d.Order); i++ {
			doc.Presented = append(doc.Presented, d.Order[i].key())
		}
		return doc, true
	}})
	registerDoc("question", &docKind{
		keys: func(s *State) []string { return prefixed("question/", s.Debate.QuestionOrder) },
		view: func(e *Engine, s *State, v Viewer, key string) (any, bool) {
			q, ok := s.Debate.Questions[strings.TrimPrefix(key, "question/")]
			if !ok || (q.Hidden && v.Role != RoleFacilitator) {
				return nil, false
			}
			doc := questionDoc{ID: q.ID, Text: q.Text, To: q.To, Status: q.Status, Hidden: q.Hidden, Upvotes: len(q.Upvotes), At: q.At}
			if v.Role == RoleFacilitator {
				if p := s.Players[q.Author]; p != nil {
					doc.Author = p.Nickname
				}
			}
			return doc, true
		},
	})
	meExtras["debate"] = func(e *Engine, s *State, p *Player) any {
		d := &s.Debate
		me := debateMe{Ratings: map[string]Rating{}, Votes: map[string]string{}, Upvoted: []string{}}
		for key, byPlayer := range d.Ratings {
			if r, ok := byPlayer[p.ID]; ok {
				me.Ratings[key] = r
			}
		}
		for stage, byPlayer := range d.Votes {
			if v, ok := byPlayer[p.ID]; ok {
				me.Votes[stage] = v
			}
		}
		me.Upvoted = d.upvotedBy(p.ID)
		if len(me.Ratings)+len(me.Votes)+len(me.Upvoted) == 0 {
			return nil
		}
		return me
	}
	// Renaming a player changes the author shown to the facilitator.
	nicknameHooks = append(nicknameHooks, func(x *ctx, p *Player) {
		for _, id := range x.s.Debate.QuestionOrder {
			if x.s.Debate.Questions[id].Author == p.ID {
				x.ch.touch("question/" + id)
			}
		}
	})
}
