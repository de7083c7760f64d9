package game

import (
	"slices"

	"devopschallenge/game/rules"
)

// Debate is the debate rounds: teams present in turn, the others ask and
// upvote questions and rate the presentation; after each presentation the
// team answers the best-voted questions in a rebuttal (rebuttal.go); cards
// of the worksheets may cite figures of the team's run (evidence.go); a
// motion is voted before and after (motion.go).
type Debate struct {
	// Order lists the presenting teams; Current indexes it (-1: not yet).
	Order   []Slot `json:"order"`
	Current int    `json:"current"`
	// Questions asked, in order (questions.go).
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
	// Rebuttals per presenting team ("1/dev"): its answer turn, once it
	// started or was skipped.
	Rebuttals map[string]*Rebuttal `json:"rebuttals,omitempty"`
	// Citations per worksheet card: the figure of the team's run it cites.
	Citations map[string]*Citation `json:"citations,omitempty"`

	// upvoted holds, per player, the questions they upvote, derived from
	// the questions' Upvotes: built by the first vote after a load and
	// kept by the next ones, so that a player's "me" does not scan every
	// question's voters. Not saved, not copied; views read it only when it
	// is there.
	upvoted map[string]map[string]bool
}

// Slot is a presenting team.
type Slot struct {
	Company int    `json:"company"`
	Team    string `json:"team"`
}

func (s Slot) key() string { return teamKey(s.Company, s.Team) }

// Rating is a peer rating of a presentation, 1 to 5 on each criterion.
type Rating struct {
	Clarity       int `json:"clarity"`
	Relevance     int `json:"relevance"`
	Collaboration int `json:"collaboration"`
}

// MaxBonus is the most bonus points the facilitator gives a team.
const MaxBonus = 10

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

// DebateDoc is the public state of the debate.
type DebateDoc struct {
	Order     []Slot                  `json:"order"`
	Current   int                     `json:"current"`
	Motion    *rules.Motion           `json:"motion,omitempty"`
	Stage     string                  `json:"stage"`
	Tally     map[string]VoteTally    `json:"tally"`
	Shift     *float64                `json:"shift,omitempty"`
	Result    MotionResult            `json:"result"`
	Ratings   map[string]RatingResult `json:"ratings"`
	Bonus     map[string]int          `json:"bonus"`
	Motions   []*rules.Motion         `json:"motions,omitempty"`
	Presented []string                `json:"presented"`
	// Turn is where the presenting team's turn stands: presenting,
	// rebuttal, done (its rebuttal is over) or skipped; "" when nobody
	// presents. Rebuttal is that team's answer turn, once started.
	Turn     string       `json:"turn"`
	Rebuttal *RebuttalDoc `json:"rebuttal,omitempty"`
	// Next says what "phase.next" does now, during the debate: "rebuttal"
	// (the team answers its questions), "team" (the next team presents)
	// or "end" (the agenda moves on).
	Next string `json:"next,omitempty"`
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

// DebateMe is a player's private view of the debate, in their "me"
// document (extra.debate).
type DebateMe struct {
	Ratings map[string]Rating `json:"ratings"`
	Votes   map[string]string `json:"votes"`
	Upvoted []string          `json:"upvoted"`
}

func (x *ctx) slotArg(company int, team string) (Slot, error) {
	if company < 1 || company > x.s.Settings.Companies {
		return Slot{}, invalid("Company %d does not exist (this game has %d).", "L'entreprise %d n'existe pas (cette partie en a %d).", company, x.s.Settings.Companies)
	}
	if !ValidTeam(team) {
		return Slot{}, invalid("Unknown team %q: choose dev, ops, qa or pm.", "Équipe « %s » inconnue : choisissez dev, ops, qa ou pm.", team)
	}
	return Slot{company, team}, nil
}

// startTurn arms the clock of the presenting team's turn: its rebuttal's
// when it is answering, its speaking time otherwise.
func (x *ctx) startTurn() {
	if cur, ok := x.s.Debate.presenter(); ok {
		if r := x.s.Debate.Rebuttals[cur.key()]; r != nil && r.Status == rebuttalAnswering {
			x.startClock(rebuttalMs(x.s.CurrentPhase()))
			x.ch.touch("debate")
			return
		}
	}
	x.startClock(int64(x.s.CurrentPhase().Minutes) * 60_000)
	x.ch.touch("debate")
}

// OrderArgs is the order of presentation the facilitator asks for.
type OrderArgs struct {
	Order []Slot `json:"order"`
}

func setOrder(x *ctx) error {
	var a OrderArgs
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
}

// presenting is the team presenting now, or the refusal of a command that
// needs one.
func (x *ctx) presenting() (Slot, error) {
	cur, ok := x.s.Debate.presenter()
	if !ok {
		return Slot{}, Errorf(EConflict, "No team is presenting.", "Aucune équipe ne présente.")
	}
	return cur, nil
}

func submitRating(x *ctx) error {
	var a Rating
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	d := &x.s.Debate
	cur, err := x.presenting()
	if err != nil {
		return err
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
}

// BonusArgs are the bonus points the facilitator gives a team (0 takes
// the bonus back).
type BonusArgs struct {
	Company int    `json:"company"`
	Team    string `json:"team"`
	Points  int    `json:"points"`
}

func setBonus(x *ctx) error {
	var a BonusArgs
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
}

// viewDebate is the debate document.
func viewDebate(e *Engine, s *State, v Viewer, key string) (any, bool) {
	d := &s.Debate
	doc := DebateDoc{Order: d.Order, Current: d.Current, Stage: d.Stage, Ratings: d.ratingResults(), Bonus: d.Bonus, Result: d.motionResult()}
	if doc.Order == nil {
		doc.Order = []Slot{}
	}
	doc.Tally = map[string]VoteTally{motionBefore: doc.Result.Before, motionAfter: doc.Result.After}
	doc.Shift = doc.Result.Shift
	if m := e.scenario(s).Motion(d.Motion); m != nil {
		doc.Motion = m
	}
	if v.Role == RoleFacilitator {
		doc.Motions = e.scenario(s).Debates
	}
	for i := 0; i <= d.Current && i < len(d.Order); i++ {
		doc.Presented = append(doc.Presented, d.Order[i].key())
	}
	doc.Turn, doc.Rebuttal, doc.Next = s.turnOf()
	return doc, true
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
	// Inside the debate, "next" walks the turns: the presenting team
	// answers its questions (when it has some and the agenda gives the
	// debate a rebuttal time), then the next team has the floor; after the
	// last one the agenda moves on.
	k.next = func(x *ctx) (bool, error) {
		d := &x.s.Debate
		if x.s.nextInDebate() == nextRebuttal {
			cur, _ := d.presenter()
			x.startRebuttal(cur)
			return true, nil
		}
		if d.Current+1 >= len(d.Order) {
			return false, nil
		}
		d.Current++
		x.startTurn()
		return true, nil
	}
	k.leave = func(x *ctx) { x.closeRebuttal() }
	k.validate = validateDebatePhase
	registerDoc("debate", &docKind{keys: single("debate"), view: viewDebate})
	meExtras["debate"] = func(e *Engine, s *State, p *Player) any {
		d := &s.Debate
		me := DebateMe{Ratings: map[string]Rating{}, Votes: map[string]string{}, Upvoted: []string{}}
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
}
