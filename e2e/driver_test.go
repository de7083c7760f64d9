package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// playedGame is a game driven through the Go client (no browser): a
// facilitator and one player per team of each company.
type playedGame struct {
	t       testing.TB
	ctx     context.Context
	srv     *testServer
	g       protocol.CreateGameResponse
	fac     *client.Session
	players []*client.Session
	byTeam  map[string]*client.Session // "1/dev"
	// teams lists the team keys in the order the players joined, and
	// joins what each join answered.
	teams []string
	joins []protocol.JoinResponse
}

// startPlayedGame creates a game with the default agenda and joins one
// player per team of each company (teams assigned by the game).
func startPlayedGame(ctx context.Context, t testing.TB, srv *testServer, req protocol.CreateGameRequest) *playedGame {
	t.Helper()
	req.Assignment = "auto"
	g, fac := srv.hostGame(ctx, t, req)
	pg := &playedGame{t: t, ctx: ctx, srv: srv, g: g, fac: fac, byTeam: map[string]*client.Session{}}
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
		key := fmt.Sprintf("%d/%s", j.Company, j.Team)
		pg.players = append(pg.players, s)
		pg.byTeam[key] = s
		pg.teams = append(pg.teams, key)
		pg.joins = append(pg.joins, j)
	}
	return pg
}

// do sends a command and waits until the facilitator, who sees every
// change, has caught up with it.
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

// waitFac waits until the facilitator's view satisfies cond.
func (pg *playedGame) waitFac(what string, cond func(*client.Session) bool) {
	pg.t.Helper()
	if err := pg.fac.Wait(pg.ctx, cond); err != nil {
		pg.t.Fatalf("waiting for %s: %v", what, err)
	}
}

type sprintState struct {
	Sprint int    `json:"sprint"`
	Of     int    `json:"of"`
	Step   string `json:"step"`
}

func (pg *playedGame) sprint() sprintState {
	var sp sprintState
	pg.facDoc("sprint", &sp)
	return sp
}

func (pg *playedGame) phaseKind() string {
	var d struct {
		Status string `json:"status"`
		Phase  int    `json:"phase"`
		Agenda []struct {
			Kind string `json:"kind"`
		} `json:"agenda"`
	}
	if !pg.facDoc("game", &d) || d.Status != game.StatusRunning || d.Phase >= len(d.Agenda) {
		return ""
	}
	return d.Agenda[d.Phase].Kind
}

func (pg *playedGame) waitPhase(kind string) {
	pg.t.Helper()
	pg.waitFac("phase "+kind, func(*client.Session) bool { return pg.phaseKind() == kind })
}

// playWall posts notes, groups them and votes.
func (pg *playedGame) playWall() {
	pg.do(pg.fac, "game.start", nil)
	pg.waitPhase(game.KindWall)
	notes := []struct{ text, target string }{
		{"Les mises en production attendent la fenêtre du mois", "ops"},
		{"Les devs ne documentent jamais leurs déploiements", "devs"},
		{"On apprend les pannes par les clients", "ops"},
		{"Les tests manuels prennent une semaine", "devs"},
	}
	var ids []string
	for i, n := range notes {
		a := pg.do(pg.players[i%len(pg.players)], "note.add", map[string]string{"text": n.text, "target": n.target})
		ids = append(ids, a.Result["noteId"].(string))
	}
	k := pg.do(pg.fac, "cluster.create", map[string]string{"name": "Passages de relais"})
	kid := k.Result["clusterId"].(string)
	pg.do(pg.fac, "note.move", map[string]string{"noteId": ids[0], "clusterId": kid})
	pg.do(pg.fac, "note.move", map[string]string{"noteId": ids[1], "clusterId": kid})
	for _, p := range pg.players[:3] {
		pg.do(p, "cluster.vote", map[string]string{"clusterId": kid})
	}
}

// playStudy fills a card per team and answers part of the quiz.
func (pg *playedGame) playStudy() {
	pg.do(pg.fac, "phase.next", nil)
	pg.waitPhase(game.KindStudy)
	kinds := []string{"finding", "advantage", "challenge", "recommendation"}
	for i, key := range pg.teams {
		pg.do(pg.byTeam[key], "card.add", map[string]string{"kind": kinds[i%4], "text": "Automatiser le pipeline de livraison (" + key + ")"})
	}
	var quiz struct {
		Questions []struct {
			ID      string `json:"id"`
			Options []struct {
				ID string `json:"id"`
			} `json:"options"`
		} `json:"questions"`
	}
	if pg.players[0].Doc("quiz", &quiz) {
		for i, p := range pg.players {
			for j, q := range quiz.Questions[:min(3, len(quiz.Questions))] {
				pg.do(p, "quiz.answer", map[string]string{"questionId": q.ID, "optionId": q.Options[(i+j)%len(q.Options)].ID})
			}
		}
	}
}

type optionsState struct {
	Capacity int `json:"capacity"`
	Options  []struct {
		Action struct {
			ID   string `json:"id"`
			Cost int    `json:"cost"`
		} `json:"action"`
		Partner   string `json:"partner"`
		Available bool   `json:"available"`
	} `json:"options"`
}

// plan picks available actions within capacity, joint ones first; with
// reverse it goes through the catalogue from its end (another company's
// strategy).
func plan(o optionsState, reverse bool) []string {
	out := []string{}
	used := 0
	if reverse {
		slices.Reverse(o.Options)
	}
	for pass := 0; pass < 2; pass++ {
		for _, op := range o.Options {
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

// playSprint plans, readies and goes through the incident and review of
// the current sprint; after is called once the sprint is resolved, with
// the game in its review (or incident) step, before moving on.
func (pg *playedGame) playSprint(after func()) { pg.playSprintWith(nil, after) }

// playSprintWith is playSprint, calling before once the plans are set,
// before the teams say they are ready (the last one resolves the sprint).
func (pg *playedGame) playSprintWith(before, after func()) {
	pg.t.Helper()
	n := pg.sprint().Sprint
	pg.waitFac("planning", func(*client.Session) bool { sp := pg.sprint(); return sp.Sprint == n && sp.Step == game.StepPlanning })
	for _, key := range pg.teams {
		s := pg.byTeam[key]
		var o optionsState
		if err := s.Wait(pg.ctx, func(s *client.Session) bool { return s.Doc("options/"+key, &o) && len(o.Options) > 0 }); err != nil {
			pg.t.Fatal(err)
		}
		pg.do(s, "plan.set", map[string]any{"actions": plan(o, key[0] == '2')})
	}
	if before != nil {
		before()
	}
	for _, key := range pg.teams {
		if pg.sprint().Step == game.StepPlanning {
			pg.do(pg.byTeam[key], "plan.ready", map[string]bool{"ready": true})
		}
	}
	pg.waitFac("resolution", func(*client.Session) bool { return pg.sprint().Step != game.StepPlanning })
	if after != nil {
		after()
	}
	if pg.sprint().Step == game.StepIncident {
		for _, key := range pg.teams {
			var inc struct {
				Alert struct {
					Options map[string][]struct {
						ID string `json:"id"`
					} `json:"options"`
				} `json:"alert"`
			}
			company, team := key[:1], key[2:]
			if pg.facDoc("incident/"+company, &inc) && len(inc.Alert.Options[team]) > 0 && pg.sprint().Step == game.StepIncident {
				pg.do(pg.byTeam[key], "incident.respond", map[string]string{"responseId": inc.Alert.Options[team][0].ID})
			}
		}
		if pg.sprint().Step == game.StepIncident {
			pg.do(pg.fac, "phase.next", nil)
		}
		pg.waitFac("review", func(*client.Session) bool { return pg.sprint().Step == game.StepReview })
	}
	for _, key := range pg.teams {
		if key[2:] != game.TeamOps {
			continue
		}
		var co struct {
			Incidents []struct {
				Resolved   bool `json:"resolved"`
				Postmortem bool `json:"postmortem"`
			} `json:"incidents"`
		}
		pg.facDoc("company/"+key[:1], &co)
		for i, ir := range co.Incidents {
			if ir.Resolved && !ir.Postmortem {
				pg.do(pg.byTeam[key], "postmortem.submit", map[string]any{"incident": i,
					"whatHappened": "Le paiement a échoué pendant 40 minutes", "why": "Aucune alerte sur le taux d'erreur",
					"change": "Une alerte sur le taux d'erreur du paiement"})
			}
		}
	}
	pg.do(pg.fac, "phase.next", nil)
}

// playDebate votes the motion before, rates and questions every team,
// and votes again after.
func (pg *playedGame) playDebate() {
	pg.waitPhase(game.KindDebate)
	var debate struct {
		Order []struct {
			Company int    `json:"company"`
			Team    string `json:"team"`
		} `json:"order"`
		Motions []struct {
			ID string `json:"id"`
		} `json:"motions"`
	}
	pg.facDoc("debate", &debate)
	pg.do(pg.fac, "motion.set", map[string]string{"motionId": debate.Motions[0].ID})
	pg.do(pg.fac, "motion.open", map[string]string{"stage": "before"})
	for i, p := range pg.players {
		vote := "against"
		if i%3 == 0 {
			vote = "for"
		}
		pg.do(p, "motion.vote", map[string]string{"vote": vote})
	}
	pg.do(pg.fac, "motion.close", nil)
	for turn, slot := range debate.Order {
		pg.waitFac("turn", func(f *client.Session) bool {
			var d struct{ Current int }
			return f.Doc("debate", &d) && d.Current == turn
		})
		presenter := fmt.Sprintf("%d/%s", slot.Company, slot.Team)
		asked := false
		for i, key := range pg.teams {
			if key == presenter {
				continue
			}
			pg.do(pg.byTeam[key], "rating.submit", map[string]int{"clarity": 3 + i%3, "relevance": 4, "collaboration": 2 + i%4})
			if !asked {
				q := pg.do(pg.byTeam[key], "question.ask", map[string]string{"text": "Comment mesurez-vous le délai de livraison ?"})
				pg.do(pg.fac, "question.take", map[string]string{"questionId": q.Result["questionId"].(string)})
				asked = true
			}
		}
		pg.do(pg.fac, "phase.next", nil)
	}
	pg.waitPhase(game.KindRetro)
	pg.do(pg.fac, "motion.open", map[string]string{"stage": "after"})
	for i, p := range pg.players {
		vote := "for"
		if i%4 == 3 {
			vote = "against"
		}
		pg.do(p, "motion.vote", map[string]string{"vote": vote})
	}
	pg.do(pg.fac, "motion.close", nil)
}

// playAll plays the default agenda to the retrospective.
func (pg *playedGame) playAll() {
	pg.playWall()
	pg.playStudy()
	pg.do(pg.fac, "phase.next", nil)
	pg.waitPhase(game.KindSprints)
	for {
		pg.playSprint(nil)
		if pg.phaseKind() != game.KindSprints {
			break
		}
	}
	pg.playDebate()
}
