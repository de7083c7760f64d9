package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"devopschallenge/client"
	"devopschallenge/protocol"
)

// TestJoinPage checks what the join page learns from the code before
// anyone joins (GET /api/codes/{code}): the game's title; no team choice
// when the game assigns teams, and joining works without one; full teams
// offered but disabled, with the reason in words; clear messages for an
// unknown code and a finished game.
func TestJoinPage(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h := &client.HTTP{BaseURL: srv.url}

	joinAutoGame(t, ctx, b, h)
	cappedCode := joinFullTeams(t, ctx, b, h)
	u := joinUnknownCode(b)
	joinFinishedGame(t, ctx, srv, h, u)
	joinWithoutLookup(t, b, cappedCode)
}

// joinAutoGame: Mia, whose last join drafted a team, joins a game that
// assigns teams. Checked: the page names the game, says teams are
// assigned and offers no team; she joins without one.
func joinAutoGame(t *testing.T, ctx context.Context, b *browser, h *client.HTTP) {
	// A game that assigns teams: the page says so and offers no choice,
	// even to a browser whose last join drafted a team.
	auto, err := h.CreateGame(ctx, protocol.CreateGameRequest{Title: "Auto teams", Assignment: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	p := b.newUser("Mia", phone)
	p.open("/")
	p.js(`localStorage.setItem('dc:draft:join:team', JSON.stringify('qa'))`)
	p.open("/join?code=" + auto.Code)
	p.waitJS(`document.querySelector('[data-testid=game-title]')?.textContent === 'Auto teams'`)
	p.waitText("teams are assigned automatically")
	if n := eval[int](p, `document.querySelectorAll('input[name=team]').length`); n != 0 {
		t.Errorf("the join page of an auto game offers %d team buttons", n)
	}
	p.check("join-auto")
	p.fill("nickname", "Mia")
	p.click("Join the game")
	p.waitText("Welcome, Mia")
	p.waitText("Teams are assigned by the game")
}

// joinFullTeams: Noa types the code of a game of one company whose only
// Dev seat is taken (lower case, with a dash) and joins Ops. Checked: the
// code is looked up once complete, Dev is offered but disabled with the
// reason in words, Ops is free. Returns the game's code.
func joinFullTeams(t *testing.T, ctx context.Context, b *browser, h *client.HTTP) string {
	// Full teams: one Dev per company and one company, Dev is taken.
	capped, err := h.CreateGame(ctx, protocol.CreateGameRequest{Title: "Small teams", TeamCap: 1, Companies: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Join(ctx, capped.Code, "first", "dev"); err != nil {
		t.Fatal(err)
	}
	q := b.newUser("Noa", phone)
	q.open("/")
	// The code typed by hand (lower case, with a dash) is looked up once
	// complete.
	q.open("/join")
	q.fill("code", capped.Code[:3]+"-"+capped.Code[3:])
	q.waitJS(`document.querySelector('[data-testid=game-title]')?.textContent === 'Small teams'`)
	q.waitJS(`document.querySelector('input[name=team][value=dev]').disabled && !document.querySelector('input[name=team][value=ops]').disabled`)
	q.waitText("Dev (full)")
	q.check("join-full")
	q.choose("team", "ops")
	q.fill("nickname", "Noa")
	q.click("Join the game")
	q.waitText("You are in team Ops")
	return capped.Code
}

// joinUnknownCode: Sam opens the join page of a code no game has.
// Checked: the page shows the server's message. Returns Sam.
func joinUnknownCode(b *browser) *user {
	// An unknown code: the server's message, and no join attempt.
	u := b.newUser("Sam", phone)
	u.open("/join?code=ZZZZZZ")
	u.waitText("No game has the code ZZZZZZ")
	u.check("join-unknown")
	return u
}

// joinFinishedGame: Sam opens the join page of a game that is over.
// Checked: the page says so and no longer asks for a nickname.
func joinFinishedGame(t *testing.T, ctx context.Context, srv *testServer, h *client.HTTP, u *user) {
	// A finished game: said so, and the form is gone.
	done, err := h.CreateGame(ctx, protocol.CreateGameRequest{Title: "Last week",
		Agenda: json.RawMessage(`[{"kind":"lobby"},{"kind":"retro"}]`)})
	if err != nil {
		t.Fatal(err)
	}
	fac, err := client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: done.FacilitatorToken})
	if err != nil {
		t.Fatal(err)
	}
	defer fac.Close()
	do(t, ctx, fac, "game.start", nil)
	do(t, ctx, fac, "phase.next", nil)
	u.open("/join?code=" + done.Code)
	u.waitText("The game “Last week” is over")
	if eval[bool](u, `!!document.querySelector('[name=nickname]')`) {
		t.Error("the join page of a finished game still asks for a nickname")
	}
	u.check("join-finished")
}

// joinWithoutLookup: Lou opens the join page of the capped game while the
// code lookup fails. Checked: the page names no game, and the form still
// joins her to QA.
func joinWithoutLookup(t *testing.T, b *browser, cappedCode string) {
	// Without the lookup (the request fails), the form still joins.
	r := b.newUser("Lou", phone)
	r.onNewDocument(`window.fetch = ((f) => (url, opts) => String(url).startsWith('/api/codes/') ? Promise.reject(new TypeError('offline')) : f(url, opts))(window.fetch)`)
	r.open("/join?code=" + cappedCode)
	if eval[bool](r, `!!document.querySelector('[data-testid=game-title]')`) {
		t.Error("the code lookup was not made to fail")
	}
	r.fill("nickname", "Lou")
	r.choose("team", "qa")
	r.click("Join the game")
	r.waitText("Welcome, Lou")
}
