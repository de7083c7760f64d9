package e2e

import (
	"context"
	"fmt"
	"testing"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/internal/playbook"
	"devopschallenge/protocol"
)

// playedGame is a game driven through the Go client (no browser): a
// facilitator and one player per team of each company, playing the shared
// playbook (internal/playbook).
type playedGame struct {
	t     testing.TB
	ctx   context.Context
	srv   *testServer
	g     protocol.CreateGameResponse
	fac   *client.Session
	table *playbook.Sessions
	pb    playbook.Game
	// players are the players' sessions in the order they joined; teams
	// their teams' keys ("1/dev") in that order, byTeam a session of each.
	players []*client.Session
	teams   []string
	byTeam  map[string]*client.Session
}

// startPlayedGame creates a game with the default agenda and joins one
// player per team of each company (teams assigned by the game).
func startPlayedGame(ctx context.Context, t testing.TB, srv *testServer, req protocol.CreateGameRequest) *playedGame {
	t.Helper()
	req.Assignment = "auto"
	g, fac := srv.hostGame(ctx, t, req)
	pg := &playedGame{t: t, ctx: ctx, srv: srv, g: g, fac: fac, byTeam: map[string]*client.Session{}}
	pg.table = &playbook.Sessions{TB: t, Ctx: ctx, Fac: fac}
	pg.pb = playbook.Game{T: pg.table}
	companies := max(req.Companies, 1)
	h := &client.HTTP{BaseURL: srv.url}
	names := []string{"Léa", "Hugo", "Chloé", "Nathan", "Inès", "Louis", "Manon", "Jules", "Camille", "Théo", "Sarah", "Enzo"}
	for i := 0; i < 4*companies; i++ {
		name := names[i%len(names)]
		if i >= len(names) {
			name = fmt.Sprintf("%s %d", name, i/len(names)+1)
		}
		j, err := h.Join(ctx, g.Code, name, "")
		if err != nil {
			t.Fatal(err)
		}
		s, err := client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: j.PlayerToken, Reconnect: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		pg.table.Seats = append(pg.table.Seats, s)
		pl := playbook.Player{Company: j.Company, Team: j.Team}
		pg.table.Joined = append(pg.table.Joined, pl)
		pg.players = append(pg.players, s)
		if _, ok := pg.byTeam[pl.Key()]; !ok {
			pg.teams = append(pg.teams, pl.Key())
			pg.byTeam[pl.Key()] = s
		}
	}
	return pg
}

// do sends a command from a session and waits until the facilitator's
// view shows it; a refusal fails the test.
func (pg *playedGame) do(s *client.Session, cmd string, args any) client.Ack {
	pg.t.Helper()
	ack, err := s.Do(pg.ctx, cmd, args)
	if err != nil {
		pg.t.Fatalf("%s: %v", cmd, err)
	}
	if err := pg.fac.Wait(pg.ctx, func(f *client.Session) bool { return f.Version() >= ack.Version }); err != nil {
		pg.t.Fatal(err)
	}
	return ack
}

// facDoc reads a document of the facilitator's view.
func (pg *playedGame) facDoc(key string, v any) bool { return pg.fac.Doc(key, v) }

// playSprint plays the current sprint, calling after once it is resolved.
func (pg *playedGame) playSprint(after func()) { pg.playSprintWith(nil, after) }

func (pg *playedGame) sprint() game.SprintDoc { return pg.pb.SprintState() }

func (pg *playedGame) phaseKind() string { return pg.pb.Phase() }

func (pg *playedGame) waitPhase(kind string) {
	pg.t.Helper()
	if err := pg.fac.Wait(pg.ctx, func(*client.Session) bool { return pg.phaseKind() == kind }); err != nil {
		pg.t.Fatalf("waiting for phase %s: %v", kind, err)
	}
}

// playWall starts the game and plays the wall of confusion.
func (pg *playedGame) playWall() {
	pg.pb.Start()
	pg.pb.Wall()
}

// playStudy plays the study, to the sprints.
func (pg *playedGame) playStudy() { pg.pb.Study() }

// playSprintWith plays the current sprint, calling before once the plans
// are set and after once the sprint is resolved (see playbook.Sprint).
func (pg *playedGame) playSprintWith(before, after func()) { pg.pb.Sprint(before, after) }

// playDebate plays the debate and the retrospective's motion vote.
func (pg *playedGame) playDebate() {
	pg.pb.Debate()
	pg.pb.Retro()
}

// playAll plays the default agenda to the retrospective.
func (pg *playedGame) playAll() { pg.pb.Play() }
