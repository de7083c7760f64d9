package playbook

import (
	"fmt"
	"slices"
	"time"

	"devopschallenge/game"
)

// Sprint plays the current sprint: each team sets a plan, before (if not
// nil) is called, the teams say they are ready (the last one resolves the
// sprint), after (if not nil) is called with the game in the sprint's
// review or incident, the teams respond to an incident, the Ops team of
// each company writes the post-mortems due, and the facilitator moves on.
func (g Game) Sprint(before, after func()) {
	n := g.SprintState().Sprint
	if sp := g.SprintState(); sp.Step != game.StepPlanning {
		g.T.Fatalf("sprint %d: expected the planning, got %q", n, sp.Step)
	}
	for _, key := range g.teams() {
		var o game.OptionsDoc
		if !g.T.Doc("options/"+key, &o) || len(o.Options) == 0 {
			g.T.Fatalf("sprint %d: no options for %s", n, key)
		}
		// The second company goes through the catalogue from its end: two
		// strategies, two different games.
		g.T.Do(g.seat(key), "plan.set", game.PlanSetArgs{Actions: Plan(o, key[0] == '2')})
	}
	if before != nil {
		before()
	}
	for _, key := range g.teams() {
		if g.SprintState().Step == game.StepPlanning {
			g.T.Do(g.seat(key), "plan.ready", game.PlanReadyArgs{Ready: true})
		}
	}
	if g.SprintState().Step == game.StepPlanning {
		g.T.Fatalf("sprint %d: every team is ready, the sprint did not resolve", n)
	}
	if after != nil {
		after()
	}
	if g.SprintState().Step == game.StepIncident {
		g.respond()
	}
	if sp := g.SprintState(); sp.Step != game.StepReview {
		g.T.Fatalf("sprint %d: expected the review, got %q", n, sp.Step)
	}
	g.postmortems()
	g.T.Do(Facilitator, "phase.next", nil)
}

// Plan picks the available actions that fit a team's capacity, joint ones
// first (so that partners meet); with reverse it goes through the
// catalogue from its end.
func Plan(o game.OptionsDoc, reverse bool) []string {
	opts := slices.Clone(o.Options)
	if reverse {
		slices.Reverse(opts)
	}
	out := []string{}
	used := 0
	for pass := 0; pass < 2; pass++ {
		for _, op := range opts {
			if !op.Available || (pass == 0) != (op.Partner != "") {
				continue
			}
			if used+op.Action.Cost <= o.Capacity {
				out = append(out, op.Action.ID)
				used += op.Action.Cost
			}
		}
	}
	return out
}

// respond has each team whose incident offers it responses pick the
// first, after 45 s of thought; the facilitator ends an incident some
// team could not answer.
func (g Game) respond() {
	if c, ok := g.T.(Clock); ok {
		c.Advance(45 * time.Second)
	}
	for _, key := range g.teams() {
		p := g.T.Players()[g.seat(key)]
		var inc game.IncidentDoc
		if !g.T.Doc(fmt.Sprintf("incident/%d", p.Company), &inc) || inc.Alert == nil {
			continue
		}
		opts := inc.Alert.Options[p.Team]
		if len(opts) > 0 && inc.Responses[p.Team] == "" && g.SprintState().Step == game.StepIncident {
			g.T.Do(g.seat(key), "incident.respond", game.IncidentRespondArgs{ResponseID: opts[0].ID})
		}
	}
	if g.SprintState().Step == game.StepIncident {
		g.T.Do(Facilitator, "phase.next", nil)
	}
}

// postmortems has each company's Ops team write the post-mortem of every
// resolved incident that has none yet.
func (g Game) postmortems() {
	for _, key := range g.teams() {
		p := g.T.Players()[g.seat(key)]
		if p.Team != game.TeamOps {
			continue
		}
		var co game.CompanyDoc
		g.T.Doc(fmt.Sprintf("company/%d", p.Company), &co)
		for i, ir := range co.Incidents {
			if ir.Resolved && !ir.Postmortem {
				g.T.Do(g.seat(key), "postmortem.submit", game.PostmortemSubmitArgs{Incident: i,
					WhatHappened: "Le paiement a échoué pendant 40 minutes", Why: "Aucune alerte sur le taux d'erreur",
					Change: "Une alerte sur le taux d'erreur du paiement"})
			}
		}
	}
}

// Debate votes the motion before the debate, then for each team's turn
// has another team ask a question that the others upvote, every other
// team rate the presentation, the facilitator take the question and move
// on; it ends in the retrospective.
func (g Game) Debate() {
	g.expect(game.KindDebate)
	var d game.DebateDoc
	if !g.T.Doc("debate", &d) || len(d.Motions) == 0 {
		g.T.Fatalf("the debate has no motion")
	}
	g.T.Do(Facilitator, "motion.set", game.MotionArgs{MotionID: d.Motions[0].ID})
	g.vote("before", func(i int) string { return map[bool]string{true: "for", false: "against"}[i%3 == 0] })
	for turn, slot := range d.Order {
		var now game.DebateDoc
		if g.T.Doc("debate", &now); now.Current != turn {
			g.T.Fatalf("turn %d: the debate is at turn %d", turn, now.Current)
		}
		g.turn(fmt.Sprintf("%d/%s", slot.Company, slot.Team))
	}
	g.expect(game.KindRetro)
}

// turn plays one team's presentation.
func (g Game) turn(presenter string) {
	var q game.QuestionAskResult
	for i, key := range g.teams() {
		if key == presenter {
			continue
		}
		if q.QuestionID == "" {
			g.decode(g.T.Do(g.seat(key), "question.ask", game.QuestionAskArgs{Text: "Comment mesurez-vous le délai de livraison ?"}), &q)
		} else {
			g.T.Do(g.seat(key), "question.upvote", game.QuestionArgs{QuestionID: q.QuestionID})
		}
		g.T.Do(g.seat(key), "rating.submit", game.Rating{Clarity: 3 + i%3, Relevance: 4, Collaboration: 2 + i%4})
	}
	if q.QuestionID != "" {
		g.T.Do(Facilitator, "question.take", game.QuestionArgs{QuestionID: q.QuestionID})
	}
	g.T.Do(Facilitator, "phase.next", nil)
}

// vote opens the motion's vote at a stage, has every player vote as
// choice says and closes it.
func (g Game) vote(stage string, choice func(i int) string) {
	g.T.Do(Facilitator, "motion.open", game.MotionStageArgs{Stage: stage})
	for i := range g.T.Players() {
		g.T.Do(i, "motion.vote", game.VoteArgs{Vote: choice(i)})
	}
	g.T.Do(Facilitator, "motion.close", nil)
}

// Retro votes the motion again after the debate (some players changed
// sides) and gives the PM team of the last company a bonus.
func (g Game) Retro() {
	g.expect(game.KindRetro)
	g.vote("after", func(i int) string { return map[bool]string{true: "against", false: "for"}[i%4 == 3] })
	last := slices.MaxFunc(g.T.Players(), func(a, b Player) int { return a.Company - b.Company }).Company
	g.T.Do(Facilitator, "debate.bonus", game.BonusArgs{Company: last, Team: game.TeamPM, Points: 5})
}

// Finish ends the game from the retrospective.
func (g Game) Finish() {
	g.T.Do(Facilitator, "phase.next", nil)
	var d game.GameDoc
	if !g.T.Doc("game", &d) || d.Status != game.StatusFinished {
		g.T.Fatalf("the game should be over, status %q", d.Status)
	}
}
