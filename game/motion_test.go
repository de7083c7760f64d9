package game

import "testing"

func TestMotionResultSaysWhoChangedSidesAndTheVerdict(t *testing.T) {
	g, ids := debateGame(t)
	extra := g.join("p-dev2", TeamDev)
	g.must(fac, "motion.set", map[string]string{"motionId": g.e.scenario(g.s).Debates[0].ID})
	if r := debateView(t, g, proj).Result; r.Verdict != "" || r.Shift != nil || r.ForBefore != nil {
		t.Fatalf("before any vote: %+v", r)
	}
	vote := func(stage string, votes map[string]string) {
		g.must(fac, "motion.open", map[string]string{"stage": stage})
		for pid, v := range votes {
			g.must(player(pid), "motion.vote", map[string]string{"vote": v})
		}
		g.must(fac, "motion.close", nil)
	}
	// Before: 1 for, 3 against. After: Ops and QA changed to "for", Dev
	// changed to "against", PM kept "against", and a late comer voted for.
	vote(motionBefore, map[string]string{ids[TeamDev]: voteFor, ids[TeamOps]: voteAgainst, ids[TeamQA]: voteAgainst, ids[TeamPM]: voteAgainst})
	if r := debateView(t, g, proj).Result; r.Verdict != "" || *r.ForBefore != 25 {
		t.Fatalf("after the first vote only: %+v", r)
	}
	vote(motionAfter, map[string]string{ids[TeamDev]: voteAgainst, ids[TeamOps]: voteFor, ids[TeamQA]: voteFor, ids[TeamPM]: voteAgainst, extra: voteFor})
	r := debateView(t, g, proj).Result
	if r.Before != (VoteTally{1, 3}) || r.After != (VoteTally{3, 2}) || *r.ForBefore != 25 || *r.ForAfter != 60 || *r.Shift != 35 {
		t.Errorf("tallies and shares: %+v", r)
	}
	if r.BothVotes != 4 || r.ToFor != 2 || r.ToAgainst != 1 || r.Verdict != MotionCarried {
		t.Errorf("changes of side and verdict: both %d, to for %d, to against %d, verdict %q", r.BothVotes, r.ToFor, r.ToAgainst, r.Verdict)
	}
	// The report carries the same result.
	if rep := g.e.Report(g.s); rep.Debate.Result.Verdict != MotionCarried || rep.Debate.Result.ToFor != 2 || *rep.Debate.Shift != 35 {
		t.Errorf("report: %+v", rep.Debate.Result)
	}
	// The late comer changes their mind: 2 for, 3 against, rejected.
	g.must(fac, "motion.open", map[string]string{"stage": motionAfter})
	g.must(player(extra), "motion.vote", map[string]string{"vote": voteAgainst})
	if r := debateView(t, g, proj).Result; r.After != (VoteTally{2, 3}) || r.Verdict != MotionRejected {
		t.Errorf("after: %+v, verdict %q", r.After, r.Verdict)
	}
}

func TestMotionTie(t *testing.T) {
	g, ids := debateGame(t)
	g.must(fac, "motion.set", map[string]string{"motionId": g.e.scenario(g.s).Debates[0].ID})
	g.must(fac, "motion.open", map[string]string{"stage": motionAfter})
	g.must(player(ids[TeamDev]), "motion.vote", map[string]string{"vote": voteFor})
	g.must(player(ids[TeamOps]), "motion.vote", map[string]string{"vote": voteAgainst})
	if r := debateView(t, g, proj).Result; r.Verdict != MotionTied || r.Shift != nil || r.BothVotes != 0 {
		t.Errorf("one for, one against, no vote before: %+v", r)
	}
}
