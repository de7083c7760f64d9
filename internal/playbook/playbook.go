// Package playbook is the one scripted whole game that the tests play:
// the commands of the default agenda, from the lobby to the end, sent
// by a facilitator and the players of every team. The domain's tests
// play it on the engine, the server's and the browser tests through the
// Go client: each through a Table, which sends a command and reads the
// facilitator's view.
//
// The script reads what it needs (the quiz, each team's options, the
// incidents, the debate's order) from the facilitator's documents, so
// that it plays any scenario, any number of companies and any seed. Its
// steps are separate so that a test can look at the game between them.
package playbook

import (
	"fmt"
	"slices"
	"time"

	"devopschallenge/game"
)

// Facilitator is the seat of the facilitator; players sit at 0, 1, …,
// in the order Table.Players gives them.
const Facilitator = -1

// Player is where a player sits in the game.
type Player struct {
	Company int
	Team    string
}

// Key is the player's team as documents name it ("1/dev").
func (p Player) Key() string { return fmt.Sprintf("%d/%s", p.Company, p.Team) }

// Table is how a test plays: it sends commands and reads documents.
type Table interface {
	// Players lists the players who joined, in order.
	Players() []Player
	// Do sends a command from a seat and returns its result once the
	// facilitator's view shows it; a refusal fails the test.
	Do(seat int, cmd string, args any) map[string]any
	// Doc reads a document of the facilitator's view into v (false: the
	// facilitator does not see it now).
	Doc(key string, v any) bool
	// Fatalf stops the test.
	Fatalf(format string, args ...any)
}

// Clock is what a Table whose clock the test holds implements: the
// playbook lets time pass where players would think (an incident).
type Clock interface {
	Advance(d time.Duration)
}

// Game plays the playbook on a table.
type Game struct {
	T Table
}

// Play plays the default agenda from the lobby to the retrospective (its
// motion vote and a bonus), leaving the game there.
func (g Game) Play() {
	g.Start()
	g.Wall()
	g.Study()
	g.Sprints(nil)
	g.Debate()
	g.Retro()
}

// Start starts the game: the first phase is the wall.
func (g Game) Start() {
	g.T.Do(Facilitator, "game.start", nil)
	g.expect(game.KindWall)
}

// Wall plays the wall (see WallNotes), then moves on to the study.
func (g Game) Wall() {
	g.WallNotes()
	g.T.Do(Facilitator, "phase.next", nil)
	g.expect(game.KindStudy)
}

// WallNotes posts notes, gathers them into clusters, votes and hides a
// note; the game stays on the wall.
func (g Game) WallNotes() {
	notes := []game.NoteAddArgs{
		{Text: "<script>alert(1)</script> Les mises en production attendent la fenêtre du mois", Target: "ops"},
		{Text: "Les devs ne documentent jamais leurs déploiements", Target: "devs"},
		{Text: "On apprend les pannes par les clients", Target: "ops"},
		{Text: "Les tests manuels prennent une semaine", Target: "devs"},
	}
	players := g.T.Players()
	var ids []string
	for i, n := range notes {
		var r game.NoteAddResult
		g.decode(g.T.Do(i%len(players), "note.add", n), &r)
		ids = append(ids, r.NoteID)
	}
	var k, k2 game.ClusterCreateResult
	g.decode(g.T.Do(Facilitator, "cluster.create", game.ClusterCreateArgs{Name: "Passages de relais"}), &k)
	g.T.Do(Facilitator, "note.move", game.NoteMoveArgs{NoteID: ids[0], ClusterID: k.ClusterID})
	g.T.Do(Facilitator, "note.move", game.NoteMoveArgs{NoteID: ids[1], ClusterID: k.ClusterID})
	g.decode(g.T.Do(Facilitator, "notes.group", game.NotesGroupArgs{NoteIDs: []string{ids[0]}, Name: "Murs",
		Seen: map[string]string{ids[0]: k.ClusterID}}), &k2)
	g.T.Do(Facilitator, "cluster.merge", game.ClusterMergeArgs{ClusterID: k2.ClusterID, IntoID: k.ClusterID})
	for i := range min(4, len(players)) {
		g.T.Do(i, "cluster.vote", game.ClusterVoteArgs{ClusterID: k.ClusterID})
	}
	g.T.Do(Facilitator, "note.hide", game.NoteHideArgs{NoteID: ids[3], Hidden: true})
}

// Study plays the study (see StudyWork), then moves on to the sprints.
func (g Game) Study() {
	g.StudyWork()
	g.T.Do(Facilitator, "phase.next", nil)
	g.expect(game.KindSprints)
}

// StudyWork fills a worksheet card per team (and edits one) and has every
// player answer three questions of the quiz; the game stays on the study.
func (g Game) StudyWork() {
	kinds := []string{"finding", "advantage", "challenge", "recommendation"}
	for i, key := range g.teams() {
		var c game.CardAddResult
		seat := g.seat(key)
		g.decode(g.T.Do(seat, "card.add", game.CardAddArgs{Kind: kinds[i%4], Text: "Déploiements manuels (" + key + ")"}), &c)
		if i == 0 {
			g.T.Do(seat, "card.edit", game.CardEditArgs{CardID: c.CardID, Rev: 1, Text: "Automatiser le pipeline de livraison (" + key + ")"})
		}
	}
	var quiz game.QuizDoc
	if !g.T.Doc("quiz", &quiz) || len(quiz.Questions) == 0 {
		g.T.Fatalf("the study has no quiz")
	}
	for i := range g.T.Players() {
		for j, q := range quiz.Questions[:min(3, len(quiz.Questions))] {
			g.T.Do(i, "quiz.answer", game.QuizAnswerArgs{QuestionID: q.ID, OptionID: q.Options[(i+j)%len(q.Options)].ID})
		}
	}
}

// Sprints plays every sprint; after, if not nil, is called after each
// sprint's resolution (see Sprint).
func (g Game) Sprints(after func()) {
	for g.Phase() == game.KindSprints {
		g.Sprint(nil, after)
	}
	g.expect(game.KindDebate)
}

// Phase is the kind of the current phase ("" before the start and after
// the end).
func (g Game) Phase() string {
	var d game.GameDoc
	if !g.T.Doc("game", &d) || d.Status != game.StatusRunning || d.Phase >= len(d.Agenda) {
		return ""
	}
	return d.Agenda[d.Phase].Kind
}

// SprintState is the facilitator's "sprint" document.
func (g Game) SprintState() game.SprintDoc {
	var sp game.SprintDoc
	g.T.Doc("sprint", &sp)
	return sp
}

// expect fails the test unless the current phase is kind.
func (g Game) expect(kind string) {
	if got := g.Phase(); got != kind {
		g.T.Fatalf("expected the %s phase, the game is in %q", kind, got)
	}
}

// teams lists the team keys ("1/dev") of the players, in the order they
// joined, each once.
func (g Game) teams() []string {
	var out []string
	for _, p := range g.T.Players() {
		if !slices.Contains(out, p.Key()) {
			out = append(out, p.Key())
		}
	}
	return out
}

// seat is the first player of a team.
func (g Game) seat(key string) int {
	return slices.IndexFunc(g.T.Players(), func(p Player) bool { return p.Key() == key })
}

func (g Game) decode(res map[string]any, v any) {
	if err := game.DecodeResult(res, v); err != nil {
		g.T.Fatalf("result %v: %v", res, err)
	}
}
