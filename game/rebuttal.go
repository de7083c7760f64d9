package game

// A rebuttal is the presenting team's answer turn, after its presentation:
// the best-voted open questions to the team, fixed when the turn starts,
// answered one after the other under a timer of their own (the debate
// phase's rebuttal minutes). The facilitator starts it (or "next" does,
// when the team has questions), moves to the next question, extends the
// timer like any other, or skips the turn.

// Statuses of a rebuttal, the presenting team's turn, and what "next"
// does in the debate.
const (
	rebuttalAnswering = "answering"
	rebuttalDone      = "done"
	rebuttalSkipped   = "skipped"

	turnPresenting = "presenting"
	turnRebuttal   = "rebuttal"

	nextRebuttal = "rebuttal"
	nextTeam     = "team"
	nextEnd      = "end"
)

// Limits of a rebuttal.
const (
	// MaxRebuttalQuestions is how many questions a team answers at most.
	MaxRebuttalQuestions = 3
	// DefaultRebuttalMinutes is the time of a rebuttal the facilitator
	// starts in a debate whose agenda gives none.
	DefaultRebuttalMinutes = 2
	maxRebuttalMn          = 30
)

// Rebuttal is a team's answer turn. Questions are the questions it
// answers, best voted first; Current indexes the one being answered
// (len(Questions) once all are).
type Rebuttal struct {
	Status    string   `json:"status"`
	Questions []string `json:"questions"`
	Current   int      `json:"current"`
	StartedAt int64    `json:"startedAt,omitempty"`
}

// RebuttalDoc is the presenting team's rebuttal as everyone sees it.
type RebuttalDoc struct {
	Team      string   `json:"team"`
	Status    string   `json:"status"`
	Questions []string `json:"questions"`
	Current   int      `json:"current"`
	// Answering is the question being answered now, "" when none is.
	Answering string `json:"answering,omitempty"`
}

// validateDebatePhase checks the settings of a debate phase.
func validateDebatePhase(p Phase) error {
	if p.RebuttalMinutes < 0 || p.RebuttalMinutes > maxRebuttalMn {
		return invalid("The rebuttal time of a debate must be between 0 (no rebuttal) and %d minutes.",
			"Le temps de réponse aux questions d'un débat doit être entre 0 (pas de réponses) et %d minutes.", maxRebuttalMn)
	}
	return nil
}

// rebuttalMs is the length of a rebuttal in a debate phase.
func rebuttalMs(ph *Phase) int64 {
	mn := DefaultRebuttalMinutes
	if ph != nil && ph.RebuttalMinutes > 0 {
		mn = ph.RebuttalMinutes
	}
	return int64(mn) * 60_000
}

// nextInDebate says what "phase.next" does now: the presenting team's
// rebuttal when the agenda gives the debate a rebuttal time and the team
// has open questions it has not answered yet, else the next team, or the
// end of the debate; "" outside the debate.
func (s *State) nextInDebate() string {
	ph := s.CurrentPhase()
	if s.Status != StatusRunning || ph == nil || ph.Kind != KindDebate {
		return ""
	}
	d := &s.Debate
	if cur, ok := d.presenter(); ok && ph.RebuttalMinutes > 0 && d.Rebuttals[cur.key()] == nil && len(d.bestQuestions(cur.key(), 1)) > 0 {
		return nextRebuttal
	}
	if d.Current+1 < len(d.Order) {
		return nextTeam
	}
	return nextEnd
}

// turnOf describes the presenting team's turn: where it stands, its
// rebuttal, and what "next" does.
func (s *State) turnOf() (string, *RebuttalDoc, string) {
	d := &s.Debate
	cur, ok := d.presenter()
	if !ok {
		return "", nil, s.nextInDebate()
	}
	r := d.Rebuttals[cur.key()]
	if r == nil {
		return turnPresenting, nil, s.nextInDebate()
	}
	turn := r.Status
	if turn == rebuttalAnswering {
		turn = turnRebuttal
	}
	if len(r.Questions) == 0 {
		return turn, nil, s.nextInDebate()
	}
	doc := &RebuttalDoc{Team: cur.key(), Status: r.Status, Questions: r.Questions, Current: r.Current}
	if r.Status == rebuttalAnswering && r.Current < len(r.Questions) {
		doc.Answering = r.Questions[r.Current]
	}
	return turn, doc, s.nextInDebate()
}

// startRebuttal opens the presenting team's answer turn.
func (x *ctx) startRebuttal(cur Slot) {
	d := &x.s.Debate
	if d.Rebuttals == nil {
		d.Rebuttals = map[string]*Rebuttal{}
	}
	d.Rebuttals[cur.key()] = &Rebuttal{Status: rebuttalAnswering, Questions: d.bestQuestions(cur.key(), MaxRebuttalQuestions), StartedAt: x.c.At}
	x.startClock(rebuttalMs(x.s.CurrentPhase()))
	x.ch.touch("debate")
}

// closeRebuttal ends the answer turn under way, if any, when the debate
// phase is left; the debate's "next" changes then in any case.
func (x *ctx) closeRebuttal() {
	d := &x.s.Debate
	if cur, ok := d.presenter(); ok {
		if r := d.Rebuttals[cur.key()]; r != nil && r.Status == rebuttalAnswering {
			r.Status = rebuttalDone
		}
	}
	x.ch.touch("debate")
}

// answering returns the presenting team and its rebuttal under way.
func (x *ctx) answering() (Slot, *Rebuttal, error) {
	cur, err := x.presenting()
	if err != nil {
		return Slot{}, nil, err
	}
	r := x.s.Debate.Rebuttals[cur.key()]
	if r == nil || r.Status != rebuttalAnswering {
		return cur, r, Errorf(EConflict, "The presenting team is not answering its questions now.",
			"L'équipe qui présente n'est pas en train de répondre aux questions.")
	}
	return cur, r, nil
}

// startRebuttalCmd starts the presenting team's rebuttal now.
func startRebuttalCmd(x *ctx) error {
	if err := decodeArgs(x.c, &struct{}{}); err != nil {
		return err
	}
	d := &x.s.Debate
	cur, err := x.presenting()
	if err != nil {
		return err
	}
	name := TeamName(cur.Team)
	switch r := d.Rebuttals[cur.key()]; {
	case r != nil && r.Status == rebuttalAnswering:
		return Errorf(EConflict, "%[1]s is already answering its questions.", "L'équipe %[2]s répond déjà à ses questions.", name.EN, name.FR)
	case r != nil && (r.Status == rebuttalDone || len(r.Questions) > 0):
		return Errorf(EConflict, "%[1]s has had its rebuttal; give the floor to the next team.",
			"L'équipe %[2]s a déjà répondu aux questions ; donnez la parole à l'équipe suivante.", name.EN, name.FR)
	}
	if len(d.bestQuestions(cur.key(), 1)) == 0 {
		return Errorf(EConflict, "Nobody has a question waiting for %[1]s: there is nothing to answer.",
			"Aucune question n'attend l'équipe %[2]s : il n'y a rien à répondre.", name.EN, name.FR)
	}
	x.startRebuttal(cur)
	return nil
}

// nextQuestion marks the question being answered as answered and moves to
// the next one still open; after the last, the rebuttal is over and its
// timer stops.
func nextQuestion(x *ctx) error {
	if err := decodeArgs(x.c, &struct{}{}); err != nil {
		return err
	}
	_, r, err := x.answering()
	if err != nil {
		return err
	}
	d := &x.s.Debate
	if r.Current < len(r.Questions) {
		if q := d.Questions[r.Questions[r.Current]]; q != nil && q.Status == questionOpen {
			q.Status = questionTaken
			x.ch.touch("question/" + q.ID)
		}
	}
	r.Current++
	for r.Current < len(r.Questions) {
		if q := d.Questions[r.Questions[r.Current]]; q != nil && q.Status == questionOpen && !q.Hidden {
			break
		}
		r.Current++
	}
	if r.Current >= len(r.Questions) {
		r.Status = rebuttalDone
		x.stopClock()
	}
	x.ch.touch("debate")
	return nil
}

// skipRebuttal skips the presenting team's rebuttal before it starts, or
// ends it early (the questions not reached stay open).
func skipRebuttal(x *ctx) error {
	if err := decodeArgs(x.c, &struct{}{}); err != nil {
		return err
	}
	d := &x.s.Debate
	cur, err := x.presenting()
	if err != nil {
		return err
	}
	switch r := d.Rebuttals[cur.key()]; {
	case r == nil:
		if d.Rebuttals == nil {
			d.Rebuttals = map[string]*Rebuttal{}
		}
		d.Rebuttals[cur.key()] = &Rebuttal{Status: rebuttalSkipped, Questions: []string{}}
	case r.Status == rebuttalAnswering:
		r.Status = rebuttalDone
		x.stopClock()
	default:
		return Errorf(EConflict, "This team's rebuttal is already over.", "Les réponses de cette équipe sont déjà terminées.")
	}
	x.ch.touch("debate")
	return nil
}
