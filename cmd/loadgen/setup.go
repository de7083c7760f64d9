//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// ipSeq numbers the loopback source addresses of games across passes.
var ipSeq atomic.Int64

// roomSeq names hub rooms uniquely across passes.
var roomSeq atomic.Int64

// setup creates every game, several at a time.
func (p *pass) setup(ctx context.Context) error {
	for i := 0; i < p.cfg.games; i++ {
		g := &gameRun{idx: i, kind: p.cfg.phases[i%len(p.cfg.phases)]}
		g.tr = newTracker(g, p.rec)
		p.games = append(p.games, g)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, p.cfg.setupParallel)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	var done atomic.Int64
	for _, g := range p.games {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := p.setupGame(ctx, g); err != nil {
				once.Do(func() { first = fmt.Errorf("game %d: %w", g.idx, err); cancel() })
			}
			if n := done.Add(1); p.cfg.verbose && n%25 == 0 {
				fmt.Printf("  %s: %d/%d games set up\n", p.label, n, len(p.games))
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// setupGame creates a game, joins its players, connects everyone and
// brings it to its phase (in the hub: connects a room's clients).
func (p *pass) setupGame(ctx context.Context, g *gameRun) error {
	urls := p.target.urls
	url := urls[g.idx%len(urls)]
	g.home = url
	if p.target.kind == targetHub {
		return p.setupRoom(ctx, g, url)
	}
	js, err := p.createAndJoin(ctx, g, url)
	if err != nil {
		return err
	}
	fac, err := p.connectGame(ctx, g, url, js)
	if err != nil {
		return err
	}
	if _, err := fac.s.Do(ctx, "game.start", nil); err != nil {
		return fmt.Errorf("game.start: %w", err)
	}
	return p.preparePhase(ctx, g, fac)
}

// setupRoom connects a hub room's facilitator, projector and players, the
// players in teams balanced as the game's automatic assignment does.
func (p *pass) setupRoom(ctx context.Context, g *gameRun, url string) error {
	n := p.cfg.players
	room := fmt.Sprintf("r%d", roomSeq.Add(1))
	comp := companiesFor(n, p.cfg.companies)
	fac := p.newConn(g, roleFacilitator, "", 0)
	proj := p.newConn(g, roleProjector, "", 1)
	if err := p.connect(ctx, fac, url, "hub."+room+".fac"); err != nil {
		return err
	}
	if err := p.connect(ctx, proj, url, "hub."+room+".proj"); err != nil {
		return err
	}
	g.conns = append(g.conns, fac, proj)
	for i := 0; i < n; i++ {
		// The same balance as the game's automatic assignment.
		team := fmt.Sprintf("%d/%s", i%comp+1, game.Teams[(i/comp)%len(game.Teams)])
		c := p.newConn(g, rolePlayer, team, i+2)
		if err := p.connect(ctx, c, p.playerURL(g, i), "hub."+room+"."+team); err != nil {
			return err
		}
		g.conns = append(g.conns, c)
		g.players = append(g.players, c)
	}
	return nil
}

// joined is a player who joined a game: their token and their team.
type joined struct {
	token, team string
}

// createAndJoin creates the game through the HTTP API and joins its
// players, as a classroom does.
func (p *pass) createAndJoin(ctx context.Context, g *gameRun, url string) ([]joined, error) {
	n := p.cfg.players
	// One loopback source address per 30 HTTP calls: a classroom behind
	// its router stays within the server's join limit (bursts of 40).
	var hc *http.Client
	calls := 0
	api := func() *client.HTTP {
		if calls%30 == 0 {
			hc = httpFrom(sourceIP(ipSeq.Add(1)))
		}
		calls++
		return &client.HTTP{BaseURL: url, Client: hc}
	}
	agenda, err := agendaFor(g.kind)
	if err != nil {
		return nil, err
	}
	cg, err := api().CreateGame(ctx, protocol.CreateGameRequest{Title: fmt.Sprintf("Load %d", g.idx), Companies: companiesFor(n, p.cfg.companies),
		Assignment: "auto", Lang: "en", Agenda: agenda})
	if err != nil {
		return nil, fmt.Errorf("create game: %w", err)
	}
	g.id, g.code, g.facTok, g.projTok = cg.GameID, cg.Code, cg.FacilitatorToken, cg.ProjectorToken
	var js []joined
	for i := 0; i < n; i++ {
		j, err := api().Join(ctx, g.code, fmt.Sprintf("player%02d", i), "")
		if err != nil {
			return nil, fmt.Errorf("join: %w", err)
		}
		js = append(js, joined{j.PlayerToken, fmt.Sprintf("%d/%s", j.Company, j.Team)})
	}
	hc.CloseIdleConnections()
	return js, nil
}

// agendaFor is the agenda of a game of the load: one phase of the kind
// under load, long enough for the run; in the sprints, planning lasts the
// whole run and plans are shared in the company (no silo mode).
func agendaFor(kind string) ([]byte, error) {
	phase := game.Phase{Kind: kind, Minutes: 30}
	switch kind {
	case kindStudy:
		phase.Quiz = true
	case kindSprints:
		phase.Sprints, phase.IncidentMinutes = 1, 2
	}
	return json.Marshal([]game.Phase{{Kind: game.KindLobby}, phase, {Kind: game.KindRetro}})
}

// connectGame connects the game's facilitator and projector, then every
// player at once; it returns the facilitator.
func (p *pass) connectGame(ctx context.Context, g *gameRun, url string, js []joined) (*conn, error) {
	fac := p.newConn(g, roleFacilitator, "", 0)
	proj := p.newConn(g, roleProjector, "", 1)
	if err := p.connect(ctx, fac, url, g.facTok); err != nil {
		return nil, fmt.Errorf("facilitator: %w", err)
	}
	if err := p.connect(ctx, proj, url, g.projTok); err != nil {
		return nil, fmt.Errorf("projector: %w", err)
	}
	g.conns = append(g.conns, fac, proj)
	for i, j := range js {
		c := p.newConn(g, rolePlayer, j.team, i+2)
		g.conns = append(g.conns, c)
		g.players = append(g.players, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(js))
	for i, c := range g.players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.connect(ctx, c, p.playerURL(g, i), js[i].token); err != nil {
				errs <- fmt.Errorf("player: %w", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return fac, nil
}

// preparePhase gets what the players' commands need from the phase just
// started: the wall's clusters, each team's options in the sprints, the
// team presenting in the debate, the quiz and a card each in the study.
func (p *pass) preparePhase(ctx context.Context, g *gameRun, fac *conn) error {
	switch g.kind {
	case kindWall:
		return prepareWall(ctx, g, fac)
	case kindSprints:
		return prepareSprints(ctx, g, fac)
	case kindDebate:
		return prepareDebate(ctx, g, fac)
	case kindStudy:
		return prepareStudy(ctx, g, fac)
	}
	return nil
}

// prepareWall has the facilitator create the clusters players vote for.
func prepareWall(ctx context.Context, g *gameRun, fac *conn) error {
	for _, name := range []string{"Release process", "Hand-offs", "Environments", "Monitoring", "Blame", "Tooling"} {
		a, err := fac.s.Do(ctx, "cluster.create", game.ClusterCreateArgs{Name: name})
		var k game.ClusterCreateResult
		if err == nil {
			err = game.DecodeResult(a.Result, &k)
		}
		if err != nil {
			return fmt.Errorf("cluster.create: %w", err)
		}
		g.clusters = append(g.clusters, k.ClusterID)
	}
	return nil
}

// prepareSprints reads each team's options, as the facilitator sees
// them: the actions available now, with their costs.
func prepareSprints(ctx context.Context, g *gameRun, fac *conn) error {
	g.options = map[string]teamOptions{}
	for _, c := range g.players {
		if _, ok := g.options[c.team]; ok {
			continue
		}
		var d game.OptionsDoc
		key := "options/" + c.team
		if err := fac.s.Wait(ctx, func(s *client.Session) bool { return s.Doc(key, &d) && d.Capacity > 0 }); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		to := teamOptions{capacity: d.Capacity}
		for _, o := range d.Options {
			if o.Available && !o.Owned {
				to.actions = append(to.actions, actionOpt{id: o.Action.ID, cost: o.Action.Cost})
			}
		}
		g.options[c.team] = to
	}
	return nil
}

// prepareDebate reads which team presents first.
func prepareDebate(ctx context.Context, g *gameRun, fac *conn) error {
	var d game.DebateDoc
	if err := fac.s.Wait(ctx, func(s *client.Session) bool { return s.Doc("debate", &d) && d.Current >= 0 && d.Current < len(d.Order) }); err != nil {
		return fmt.Errorf("debate: %w", err)
	}
	g.presenter = fmt.Sprintf("%d/%s", d.Order[d.Current].Company, d.Order[d.Current].Team)
	return nil
}

// prepareStudy reads the quiz each player will answer, and has each
// player start the worksheet with a card of their own.
func prepareStudy(ctx context.Context, g *gameRun, fac *conn) error {
	var q game.QuizDoc
	if err := fac.s.Wait(ctx, func(s *client.Session) bool { return s.Doc("quiz", &q) && len(q.Questions) > 0 }); err != nil {
		return fmt.Errorf("quiz: %w", err)
	}
	g.quiz = q.Questions
	var wg sync.WaitGroup
	errs := make(chan error, len(g.players))
	for _, c := range g.players {
		c.toAnswer = append([]game.QuizQuestion(nil), g.quiz...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := c.s.Do(ctx, "card.add", game.CardAddArgs{Kind: "finding", Text: cardTexts[c.rng.IntN(len(cardTexts))]})
			var r game.CardAddResult
			if err == nil {
				err = game.DecodeResult(a.Result, &r)
			}
			if err != nil {
				errs <- fmt.Errorf("card.add: %w", err)
				return
			}
			c.cards = append(c.cards, &cardRef{id: r.CardID, rev: 1})
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return nil
}

// newConn makes the i-th connection of game g, with its own seeded
// randomness; a player is slow with probability -slow.
func (p *pass) newConn(g *gameRun, role, team string, i int) *conn {
	c := &conn{p: p, g: g, role: role, team: team, pending: map[string]pend{}, stall: make(chan struct{}),
		rng: rand.New(rand.NewPCG(p.cfg.seed, uint64(g.idx)<<20|uint64(i)))}
	if role == rolePlayer && p.cfg.slow > 0 {
		c.slow = rand.New(rand.NewPCG(p.cfg.seed^0x5eed, uint64(g.idx)<<20|uint64(i))).Float64() < p.cfg.slow
	}
	return c
}

// connect connects c to the server at url with its token.
func (p *pass) connect(ctx context.Context, c *conn, url, token string) error {
	// Only the facilitator keeps the documents (the quiz, the cards'
	// revisions): decoding them in every client would make the
	// generator's share of the machine larger than it needs to be.
	// A slow client has a small receive buffer, as a phone on a poor
	// network: once it stops reading, the server's buffers fill in
	// seconds rather than minutes.
	recv := 0
	if c.slow {
		recv = 4096
	}
	c.url = url
	s, err := client.Connect(ctx, client.Options{URLs: []string{url}, Token: token, Reconnect: true, OnFrame: c.onMessage,
		IgnoreDocs: c.role != roleFacilitator, RecvBuffer: recv, GameID: c.g.id, Compression: p.cfg.deflate})
	if err != nil {
		return err
	}
	c.s = s
	return nil
}

// playerURL is the server the i-th player of game g connects to: with
// several servers, the players of a game alternate between them, or all
// go to the game's server (byGame).
func (p *pass) playerURL(g *gameRun, i int) string {
	urls := p.target.urls
	if p.cfg.byGame {
		return urls[g.idx%len(urls)]
	}
	return urls[(g.idx+i+1)%len(urls)]
}

// companies is the number of companies of a game of n players: 1 up to
// 20 players, then one per 16.
func companiesFor(n, flag int) int {
	if flag > 0 {
		return flag
	}
	return max(1, int(math.Round(float64(n)/16)))
}

// sourceIP returns the n-th loopback address of 127.1.0.0/16 used as the
// source of a game's HTTP calls, so that each simulated classroom has its
// own address, as behind a school's router (the server limits joins per
// address).
func sourceIP(n int64) net.IP {
	n %= 250 * 250
	return net.IPv4(127, 1, byte(n/250), byte(n%250+1))
}

// httpFrom is an HTTP client whose calls come from ip.
func httpFrom(ip net.IP) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: 2 * time.Second}}
}
