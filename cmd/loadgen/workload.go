//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

const (
	roleFacilitator = string(game.RoleFacilitator)
	roleProjector   = string(game.RoleProjector)
	rolePlayer      = string(game.RolePlayer)
)

// Phase kinds a game of the load can be played in.
const (
	kindWall    = game.KindWall
	kindStudy   = game.KindStudy
	kindSprints = game.KindSprints
	kindDebate  = game.KindDebate
)

// kinds lists the phases a game of the load can be played in.
var kinds = []string{kindWall, kindStudy, kindSprints, kindDebate}

// conn is one WebSocket client of the load: a player, a facilitator or a
// projector.
type conn struct {
	p    *pass
	g    *gameRun
	role string
	url  string // the server it is connected to
	team string // "<company>/<team>" for players
	s    *client.Session
	// slow clients stop reading when the measured window opens: their
	// reader blocks in OnMessage until stall is closed.
	slow    bool
	stalled atomic.Bool
	stall   chan struct{}

	mu      sync.Mutex
	pending map[string]pend

	// A player's own game state, to choose commands that are accepted.
	rng      *rand.Rand
	notes    int
	voted    []string
	cards    []*cardRef
	adds     int
	toAnswer []game.QuizQuestion
	asked    int
	upvoted  []string
	// snapshots counts the snapshots received.
	snapshots atomic.Int64
}

type pend struct {
	sent     int64
	cmd      string
	aud      audience
	measured bool
	card     *cardRef
	ask      bool
}

type teamOptions struct {
	capacity int
	actions  []actionOpt
}

type actionOpt struct {
	id   string
	cost int
}

type question struct {
	id     string
	author *conn
}

type cardRef struct {
	id  string
	rev int
}

// gameRun is one game (or one hub room) of the load.
type gameRun struct {
	idx      int
	home     string // the server the game was created on, where its facilitator is
	kind     string
	id, code string
	facTok   string
	projTok  string
	conns    []*conn
	players  []*conn
	tr       *tracker
	clusters []string
	quiz     []game.QuizQuestion
	// sprints: each team's affordable actions and capacity.
	options map[string]teamOptions
	// debate: the team presenting, and the questions asked so far (by
	// their authors), guarded by qmu.
	presenter string
	qmu       sync.Mutex
	questions []question
	// Non-slow connections expected to receive effects.
	all, fac int
	team     map[string]int
}

func (g *gameRun) expected(a audience) int {
	switch a.scope() {
	case scopeTeam:
		return g.team[a.team] + g.fac
	case scopeCompany:
		n := g.fac
		for k, m := range g.team {
			if strings.HasPrefix(k, a.company+"/") {
				n += m
			}
		}
		return n
	}
	return g.all
}

// count fixes who is expected to receive effects.
func (g *gameRun) count() {
	g.all, g.fac, g.team = 0, 0, map[string]int{}
	for _, c := range g.conns {
		if c.slow {
			continue
		}
		g.all++
		switch c.role {
		case roleFacilitator:
			g.fac++
		case rolePlayer:
			g.team[c.team]++
		}
	}
}

// onMessage watches every message a connection receives.
func (c *conn) onMessage(out *client.Frame) {
	raw := out.Raw
	if c.stalled.Load() {
		<-c.stall
		return
	}
	p := c.p
	t := p.clk.now()
	switch out.Type {
	case protocol.TypeSnapshot:
		// The first snapshot of a connection is its setup; a later one
		// (after a reconnect, or sent instead of updates) brings every
		// effect up to its version.
		if c.snapshots.Add(1) > 1 {
			p.rec.snapshots.Add(1)
			c.g.tr.snapshot(c, out.Version, t)
		}
	case protocol.TypeUpdate:
		p.rec.allUpdates.Add(1)
		if p.w.in(t) {
			p.rec.deliveries.Add(1)
			p.rec.deliveryBytes.Add(int64(len(raw)))
		}
		c.g.tr.received(c, out.Version, t, len(raw))
	case protocol.TypeAck:
		pd, ok := c.take(out.ID)
		if !ok {
			return
		}
		if pd.measured {
			p.rec.acked.Add(1)
		}
		if pd.card != nil && pd.cmd == "card.add" {
			var r game.CardAddResult
			if game.DecodeResult(out.Result, &r) == nil && r.CardID != "" {
				id := r.CardID
				c.mu.Lock()
				pd.card.id, pd.card.rev = id, 1
				c.mu.Unlock()
			}
		}
		if pd.ask {
			var r game.QuestionAskResult
			if game.DecodeResult(out.Result, &r) == nil && r.QuestionID != "" {
				id := r.QuestionID
				c.g.qmu.Lock()
				c.g.questions = append(c.g.questions, question{id: id, author: c})
				c.g.qmu.Unlock()
			}
		}
		c.g.tr.acked(c, out.Version, pd.sent, pd.cmd, pd.aud, pd.measured, t)
	case protocol.TypeError:
		pd, ok := c.take(out.ID)
		if !ok {
			p.rec.otherErrors.Add(1)
			return
		}
		if pd.measured {
			p.rec.refused.Add(1)
		}
		p.rec.refusal(pd.cmd, out.Code)
		if os.Getenv("LOADGEN_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "refused %s %v by %s (%s): %s\n", pd.cmd, pd.card, c.team, out.ID, out.Message)
		}
		if pd.card != nil {
			// Read the card's revision again from what the session holds.
			var d game.CardDoc
			if c.g.conns[0].s.Doc("card/"+pd.card.id, &d) { // the facilitator sees every card
				c.mu.Lock()
				pd.card.rev = d.Rev
				c.mu.Unlock()
			}
		}
	}
}

func (c *conn) take(id string) (pend, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pd, ok := c.pending[id]
	if ok {
		delete(c.pending, id)
	}
	return pd, ok
}

// command is one command a player sends.
type command struct {
	cmd  string
	args any
	aud  audience
	card *cardRef
	ask  bool // question.ask: its ID goes to the game's list
}

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

var questionTexts = []string{
	"How long does a rollback of the checkout take today?",
	"Who is paged when the payment gateway times out at night?",
	"Why automate the tests before containerising the services?",
	"What would you measure first to find the bottleneck?",
	"How do feature flags change the change failure rate?",
	"Which CALMS pillar is the weakest in your plan, and why?",
}

// companyOf returns the company of a "<company>/<team>" name.
func companyOf(team string) string {
	c, _, _ := strings.Cut(team, "/")
	return c
}

var cardTexts = []string{
	"The checkout service is deployed by hand from a wiki page; every step is a chance to forget something.",
	"Automated tests cover the catalogue but not payments, where most incidents start.",
	"Feature flags would let us ship the new search without a big-bang release.",
	"Recommendation: one pipeline from commit to production, with the same artefact in every environment.",
	"Monitoring shows CPU and memory, not what customers feel: add latency and error-rate dashboards per service.",
	"Challenge: the database schema is shared by five teams, so every migration needs a meeting.",
}

// nextCommand chooses a player's next command in a game so that it is
// accepted: notes up to the per-player limit, votes alternating with
// unvotes within the three allowed, each quiz question answered once,
// edits of the player's own cards with the revision their last edit made.
// Called with c.mu held.
func (c *conn) nextCommand() command {
	r := c.rng
	all := audience{}
	switch c.g.kind {
	case kindWall:
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
	case kindSprints:
		// Another plan for the team: a random affordable set of the
		// actions it may pick now. Everyone in the company sees it.
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
	case kindDebate:
		// Questions to the presenting team (up to the limit per turn),
		// upvotes of the others' questions, and second thoughts.
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
	default: // study
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
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// hubCommand draws a hub message from the command mix the game produced:
// same share of each command, same audience, same message sizes.
func (c *conn) hubCommand() command {
	m := c.p.hubMix
	x := c.rng.Float64() * m.total
	e := m.entries[len(m.entries)-1]
	for _, en := range m.entries {
		if x < en.weight {
			e = en
			break
		}
		x -= en.weight
	}
	aud := audience{}
	switch e.scope {
	case scopeTeam:
		aud = audience{team: c.team}
	case scopeCompany:
		aud = audience{company: companyOf(c.team)}
	}
	to := aud.scope()
	pad := max(0, e.cmdBytes-len(`{"type":"cmd","id":"c0000","cmd":"","args":{"text":"","_to":"company","_size":0000}}`)-len(e.cmd))
	return command{cmd: e.cmd, args: map[string]any{"text": strings.Repeat("x", pad), "_to": to, "_size": e.updBytes}, aud: aud}
}

// hubMix is the command mix the hub replays.
type hubMix struct {
	total   float64
	entries []mixEntry
}

type mixEntry struct {
	cmd      string
	weight   float64
	scope    string
	cmdBytes int
	updBytes int
}

// send sends one command now.
func (c *conn) send(cmd command, measured bool) {
	p := c.p
	id := c.s.NewID() // unique for the token, setup commands included
	c.mu.Lock()
	t := p.clk.now()
	c.pending[id] = pend{sent: t, cmd: cmd.cmd, aud: cmd.aud, measured: measured, card: cmd.card, ask: cmd.ask}
	c.mu.Unlock()
	if measured {
		p.rec.sent.Add(1)
		if p.target.kind == targetGame {
			b, _ := json.Marshal(cmd.args)
			ms := p.rec.mixOf(cmd.cmd, cmd.aud.scope())
			ms.n.Add(1)
			ms.cmdBytes.Add(int64(len(b) + len(id) + len(cmd.cmd) + len(`{"type":"cmd","id":"","cmd":"","args":}`)))
		}
	}
	if err := c.s.Send(id, cmd.cmd, cmd.args); err != nil {
		p.rec.sendErrors.Add(1)
	}
}

// run sends commands with exponential gaps (a Poisson process of mean
// rate p.cfg.rate) until ctx ends. The schedule is open: a command goes
// out at its time whether or not earlier ones were answered.
func (c *conn) run(ctx context.Context, start time.Time) {
	mean := float64(time.Second) / c.p.cfg.rate
	next := start.Add(time.Duration(c.rng.ExpFloat64() * mean))
	t := time.NewTimer(time.Until(next))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !c.p.budget() || c.stalled.Load() {
			return // a slow client stops sending as well as reading
		}
		now := c.p.clk.now()
		measured := c.p.w.in(now)
		var cmd command
		if c.p.target.kind == targetHub {
			cmd = c.hubCommand()
		} else {
			c.mu.Lock()
			cmd = c.nextCommand()
			c.mu.Unlock()
		}
		if cmd.cmd != "" {
			c.send(cmd, measured)
		}
		next = next.Add(time.Duration(c.rng.ExpFloat64() * mean))
		t.Reset(time.Until(next))
	}
}

// sourceIP returns the n-th loopback address of 127.1.0.0/16 used as the
// source of a game's HTTP calls, so that each simulated classroom has its
// own address, as behind a school's router (the server limits joins per
// address).
func sourceIP(n int64) net.IP {
	n %= 250 * 250
	return net.IPv4(127, 1, byte(n/250), byte(n%250+1))
}

func httpFrom(ip net.IP) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: 2 * time.Second}}
}
