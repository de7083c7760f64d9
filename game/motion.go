package game

// The motion: a statement from the scenario that everyone votes on before
// the debate and again after it, so that the room sees whether the
// arguments moved opinions.

// Stages of the motion vote and the two votes.
const (
	motionBefore         = "before"
	motionAfter          = "after"
	motionClosed         = "closed"
	voteFor, voteAgainst = "for", "against"
)

// Verdicts of the motion, by the vote after the debate.
const (
	MotionCarried  = "carried"
	MotionRejected = "rejected"
	MotionTied     = "tied"
)

// VoteTally counts the votes of one stage of the motion.
type VoteTally struct {
	For     int `json:"for"`
	Against int `json:"against"`
}

func (t VoteTally) total() int { return t.For + t.Against }

// MotionResult is the outcome of the motion: the two votes, the shift of
// the share "for" between them (percentage points), the people who voted
// both times and changed sides, and the verdict of the vote after the
// debate.
type MotionResult struct {
	Before VoteTally `json:"before"`
	After  VoteTally `json:"after"`
	// ForBefore and ForAfter are the shares "for" in percent, when that
	// vote had voters.
	ForBefore *float64 `json:"forBefore,omitempty"`
	ForAfter  *float64 `json:"forAfter,omitempty"`
	Shift     *float64 `json:"shift,omitempty"`
	// BothVotes counts the people who voted before and after; ToFor and
	// ToAgainst those of them who changed sides, by their second vote.
	BothVotes int `json:"bothVotes"`
	ToFor     int `json:"toFor"`
	ToAgainst int `json:"toAgainst"`
	// Verdict is carried, rejected or tied once someone voted after the
	// debate, "" before.
	Verdict string `json:"verdict,omitempty"`
}

// tallies counts the motion votes of each stage, and the shift of the
// share "for" between the two, in percentage points.
func (d *Debate) tallies() (map[string]VoteTally, *float64) {
	r := d.motionResult()
	return map[string]VoteTally{motionBefore: r.Before, motionAfter: r.After}, r.Shift
}

// motionResult works out the outcome of the votes cast so far.
func (d *Debate) motionResult() MotionResult {
	var r MotionResult
	count := func(stage string) VoteTally {
		var v VoteTally
		for _, vote := range d.Votes[stage] {
			if vote == voteFor {
				v.For++
			} else {
				v.Against++
			}
		}
		return v
	}
	share := func(v VoteTally) *float64 {
		if v.total() == 0 {
			return nil
		}
		s := round2(100 * float64(v.For) / float64(v.total()))
		return &s
	}
	r.Before, r.After = count(motionBefore), count(motionAfter)
	r.ForBefore, r.ForAfter = share(r.Before), share(r.After)
	if r.ForBefore != nil && r.ForAfter != nil {
		shift := round2(100*float64(r.After.For)/float64(r.After.total()) - 100*float64(r.Before.For)/float64(r.Before.total()))
		r.Shift = &shift
	}
	for pid, first := range d.Votes[motionBefore] {
		second, ok := d.Votes[motionAfter][pid]
		if !ok {
			continue
		}
		r.BothVotes++
		switch {
		case first == second:
		case second == voteFor:
			r.ToFor++
		default:
			r.ToAgainst++
		}
	}
	switch {
	case r.After.total() == 0:
	case r.After.For > r.After.Against:
		r.Verdict = MotionCarried
	case r.After.For < r.After.Against:
		r.Verdict = MotionRejected
	default:
		r.Verdict = MotionTied
	}
	return r
}

// MotionArgs names one of the scenario's motions.
type MotionArgs struct {
	MotionID string `json:"motionId"`
}

// MotionStageArgs names the vote to open: "before" or "after".
type MotionStageArgs struct {
	Stage string `json:"stage"`
}

// VoteArgs is a player's vote on the motion: "for" or "against".
type VoteArgs struct {
	Vote string `json:"vote"`
}

func setMotion(x *ctx) error {
	var a MotionArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	if x.e.scenario(x.s).Motion(a.MotionID) == nil {
		return notFound("motion", "Aucune motion", a.MotionID)
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
}

func openMotion(x *ctx) error {
	var a MotionStageArgs
	if err := decodeArgs(x.c, &a); err != nil {
		return err
	}
	d := &x.s.Debate
	if a.Stage != motionBefore && a.Stage != motionAfter {
		return invalid(`Open the "before" or the "after" vote.`, `Ouvrez le vote "before" (avant) ou "after" (après).`)
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
}

func closeMotion(x *ctx) error {
	d := &x.s.Debate
	if d.Stage != motionBefore && d.Stage != motionAfter {
		return Errorf(EConflict, "No vote is open.", "Aucun vote n'est ouvert.")
	}
	d.Stage = motionClosed
	x.ch.touch("debate")
	return nil
}

func voteMotion(x *ctx) error {
	var a VoteArgs
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
}
