//go:build linux

package main

import (
	"fmt"
	"strings"

	"devopschallenge/game"
)

// command is one command a player sends.
type command struct {
	cmd  string
	args any
	aud  audience
	card *cardRef
	ask  bool // question.ask: its ID goes to the game's list
}

// nextCommand chooses a player's next command in a game so that it is
// accepted: notes up to the per-player limit, votes alternating with
// unvotes within the three allowed, each quiz question answered once,
// edits of the player's own cards with the revision their last edit made.
// Called with c.mu held.
func (c *conn) nextCommand() command {
	switch c.g.kind {
	case kindWall:
		return c.wallCommand()
	case kindSprints:
		return c.sprintsCommand()
	case kindDebate:
		return c.debateCommand()
	default: // study
		return c.studyCommand()
	}
}

// wallCommand adds a note (up to 30), or votes for a cluster (up to
// three), or takes a vote back.
func (c *conn) wallCommand() command {
	r := c.rng
	all := audience{}
	if c.notes < 30 && (r.Float64() < 0.35 || len(c.g.clusters) == 0) {
		c.notes++
		target := "devs"
		if r.IntN(2) == 0 {
			target = "ops"
		}
		return command{cmd: "note.add", args: game.NoteAddArgs{Text: noteTexts[r.IntN(len(noteTexts))], Target: target}, aud: all}
	}
	if len(c.voted) < 3 && (len(c.voted) == 0 || r.IntN(2) == 0) {
		var free []string
		for _, k := range c.g.clusters {
			if !contains(c.voted, k) {
				free = append(free, k)
			}
		}
		k := free[r.IntN(len(free))]
		c.voted = append(c.voted, k)
		return command{cmd: "cluster.vote", args: game.ClusterVoteArgs{ClusterID: k}, aud: all}
	}
	i := r.IntN(len(c.voted))
	k := c.voted[i]
	c.voted = append(c.voted[:i], c.voted[i+1:]...)
	return command{cmd: "cluster.unvote", args: game.ClusterUnvoteArgs{ClusterID: k}, aud: all}
}

// sprintsCommand sets another plan for the team: a random affordable set
// of the actions it may pick now. Everyone in the company sees it.
func (c *conn) sprintsCommand() command {
	r := c.rng
	opts := c.g.options[c.team]
	var pick []string
	left := opts.capacity
	for _, i := range r.Perm(len(opts.actions)) {
		if a := opts.actions[i]; a.cost <= left && r.IntN(2) == 0 {
			pick = append(pick, a.id)
			left -= a.cost
		}
	}
	if pick == nil {
		pick = []string{}
	}
	return command{cmd: "plan.set", args: game.PlanSetArgs{Actions: pick}, aud: audience{company: companyOf(c.team)}}
}

// debateCommand asks the presenting team a question (up to the limit per
// turn), upvotes the others' questions, or has second thoughts.
func (c *conn) debateCommand() command {
	r := c.rng
	all := audience{}
	if c.team != c.g.presenter && c.asked < 10 && r.Float64() < 0.3 {
		c.asked++
		return command{cmd: "question.ask", args: game.QuestionAskArgs{Text: questionTexts[r.IntN(len(questionTexts))]}, aud: all, ask: true}
	}
	c.g.qmu.Lock()
	var free []string
	for _, q := range c.g.questions {
		if q.author != c && !contains(c.upvoted, q.id) {
			free = append(free, q.id)
		}
	}
	c.g.qmu.Unlock()
	if len(free) > 0 && (len(c.upvoted) == 0 || r.IntN(3) > 0) {
		k := free[r.IntN(len(free))]
		c.upvoted = append(c.upvoted, k)
		return command{cmd: "question.upvote", args: game.QuestionArgs{QuestionID: k}, aud: all}
	}
	if len(c.upvoted) > 0 {
		i := r.IntN(len(c.upvoted))
		k := c.upvoted[i]
		c.upvoted = append(c.upvoted[:i], c.upvoted[i+1:]...)
		return command{cmd: "question.unvote", args: game.QuestionArgs{QuestionID: k}, aud: all}
	}
	if c.team != c.g.presenter && c.asked < 10 {
		c.asked++
		return command{cmd: "question.ask", args: game.QuestionAskArgs{Text: questionTexts[r.IntN(len(questionTexts))]}, aud: all, ask: true}
	}
	// Nothing this player may do yet (a presenter before the first
	// question): skip this turn rather than send a command the
	// game would refuse.
	return command{}
}

// studyCommand answers a quiz question not answered yet, adds a card (up
// to three more), or edits one of the player's own cards.
func (c *conn) studyCommand() command {
	r := c.rng
	all := audience{}
	if len(c.toAnswer) > 0 && r.Float64() < 0.2 {
		i := r.IntN(len(c.toAnswer))
		q := c.toAnswer[i]
		c.toAnswer = append(c.toAnswer[:i], c.toAnswer[i+1:]...)
		return command{cmd: "quiz.answer", args: game.QuizAnswerArgs{QuestionID: q.ID, OptionID: q.Options[r.IntN(len(q.Options))].ID}, aud: all}
	}
	team := audience{team: c.team}
	var mine []*cardRef
	for _, cr := range c.cards {
		if cr.id != "" {
			mine = append(mine, cr)
		}
	}
	if len(mine) == 0 || (c.adds < 3 && r.Float64() < 0.06) {
		c.adds++
		cr := &cardRef{}
		c.cards = append(c.cards, cr)
		return command{cmd: "card.add", args: game.CardAddArgs{Kind: "finding", Text: cardTexts[r.IntN(len(cardTexts))]}, aud: team, card: cr}
	}
	cr := mine[r.IntN(len(mine))]
	rev := cr.rev
	cr.rev++ // the edit, once applied, makes the next revision
	text := fmt.Sprintf("%s (v%d)", cardTexts[r.IntN(len(cardTexts))], rev+1)
	return command{cmd: "card.edit", args: game.CardEditArgs{CardID: cr.id, Rev: rev, Text: text}, aud: team, card: cr}
}

// noteTexts are the sticky notes players put on the wall.
var noteTexts = []string{
	"Deploys wait for the monthly release window",
	"Ops never tell us why a release was rolled back",
	"Devs throw code over the wall on Friday evening",
	"Nobody owns the flaky integration tests",
	"Tickets to get a test environment take two weeks",
	"Alerts page the on-call for things devs changed",
	"The runbook for the payment service is from 2019",
	"We learn about incidents from customers on Twitter",
	"Config lives in a spreadsheet that only Ops can edit",
	"Hotfixes skip the pipeline and break the next release",
}

// questionTexts are the questions players ask the presenting team.
var questionTexts = []string{
	"How long does a rollback of the checkout take today?",
	"Who is paged when the payment gateway times out at night?",
	"Why automate the tests before containerising the services?",
	"What would you measure first to find the bottleneck?",
	"How do feature flags change the change failure rate?",
	"Which CALMS pillar is the weakest in your plan, and why?",
}

// cardTexts are what players write on their study cards.
var cardTexts = []string{
	"The checkout service is deployed by hand from a wiki page; every step is a chance to forget something.",
	"Automated tests cover the catalogue but not payments, where most incidents start.",
	"Feature flags would let us ship the new search without a big-bang release.",
	"Recommendation: one pipeline from commit to production, with the same artefact in every environment.",
	"Monitoring shows CPU and memory, not what customers feel: add latency and error-rate dashboards per service.",
	"Challenge: the database schema is shared by five teams, so every migration needs a meeting.",
}

// companyOf returns the company of a "<company>/<team>" name.
func companyOf(team string) string {
	c, _, _ := strings.Cut(team, "/")
	return c
}

// contains says whether x is in xs.
func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
