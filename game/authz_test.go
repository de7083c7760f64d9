package game

import (
	"sort"
	"testing"
)

// The roles of the authorization matrix.
const (
	rFac     = "facilitator"
	rProj    = "projector"
	rOwner   = "player of the right team"
	rTeam    = "player of another team"
	rCompany = "player of another company"
	rKicked  = "kicked player"
)

var matrixRoles = []string{rFac, rProj, rOwner, rTeam, rCompany, rKicked}

// matrixGame is a game with two companies of four full teams, where
// "owner" is in company 1, team dev; "team" in company 1, team ops;
// "company" in company 2, team dev; and "kicked" was in company 1, team dev.
type matrixGame struct {
	*tgame
	actors map[string]Actor
}

func newMatrixGame(t *testing.T) *matrixGame {
	g := newTestGame(t, Settings{Companies: 2}, nil)
	m := &matrixGame{tgame: g, actors: map[string]Actor{rFac: fac, rProj: proj}}
	for c := 1; c <= 2; c++ {
		for _, team := range Teams {
			id := g.join("c"+itoa(c)+team, team)
			if g.s.Players[id].Company != c {
				g.must(fac, "player.move", map[string]any{"playerId": id, "company": c})
			}
			switch {
			case c == 1 && team == TeamDev:
				m.actors[rOwner] = player(id)
			case c == 1 && team == TeamOps:
				m.actors[rTeam] = player(id)
			case c == 2 && team == TeamDev:
				m.actors[rCompany] = player(id)
			}
		}
	}
	k := g.join("kicked", TeamDev)
	if g.s.Players[k].Company != 1 {
		g.must(fac, "player.move", map[string]any{"playerId": k, "company": 1})
	}
	g.must(fac, "player.kick", map[string]string{"playerId": k})
	m.actors[rKicked] = player(k)
	return m
}

// to moves the game to the phase of the given kind.
func (m *matrixGame) to(kind string) {
	if m.s.Status == StatusLobby {
		if kind == KindLobby {
			return
		}
		m.must(fac, "game.start", nil)
	}
	for m.s.CurrentPhase().Kind != kind {
		m.must(fac, "phase.next", nil)
	}
}

// planAll has every team of both companies plan and become ready, which
// resolves the sprint.
func (m *matrixGame) planAll() {
	for c := 1; c <= 2; c++ {
		for _, team := range Teams {
			if m.s.Sprints.Step != StepPlanning {
				return
			}
			a := m.teamPlayer(c, team)
			m.must(a, "plan.set", map[string]any{"actions": pickPlan(m.e, m.s, c, team)})
			m.must(a, "plan.ready", map[string]bool{"ready": true})
		}
	}
}

func (m *matrixGame) teamPlayer(c int, team string) Actor {
	for _, id := range m.s.PlayerOrder {
		if p := m.s.Players[id]; !p.Kicked && p.Company == c && p.Team == team {
			return player(id)
		}
	}
	m.t.Fatalf("nobody in %d/%s", c, team)
	return Actor{}
}

// toIncident plays sprints until company 1 has an incident whose response
// options include one for dev.
func (m *matrixGame) toIncident() string {
	m.to(KindSprints)
	for i := 0; i < 40; i++ {
		m.planAll()
		if m.s.Sprints.Step == StepIncident && m.s.Sprints.company(1).Pending != nil {
			in := m.e.scenario(m.s).Incident(m.s.Sprints.company(1).Pending.ID)
			for _, r := range in.Responses {
				if r.Team == TeamDev {
					return r.ID
				}
			}
		}
		if m.s.Sprints.Step == StepIncident {
			m.must(fac, "phase.next", nil)
		}
		// Add sprints so that the phase goes on until an incident comes.
		m.s.Agenda[m.s.Phase].Sprints = m.s.Sprints.Sprint + 1
		m.must(fac, "phase.next", nil)
	}
	m.t.Fatal("no incident with a dev response in 40 sprints")
	return ""
}

// matrixCase is one row: how to prepare the game and the command to send.
type matrixCase struct {
	cmd   string
	setup func(m *matrixGame) any // returns the args
	want  map[string]string       // role -> expected code, "" for accepted
}

func facOnly(code string) map[string]string {
	return map[string]string{rFac: code, rProj: EForbidden, rOwner: EForbidden, rTeam: EForbidden, rCompany: EForbidden, rKicked: EForbidden}
}

func playersOnly() map[string]string {
	return map[string]string{rFac: EForbidden, rProj: EForbidden, rOwner: "", rTeam: "", rCompany: "", rKicked: EUnauthorized}
}

func systemOnly() map[string]string {
	return map[string]string{rFac: EForbidden, rProj: EForbidden, rOwner: EForbidden, rTeam: EForbidden, rCompany: EForbidden, rKicked: EForbidden}
}

func with(base map[string]string, over map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

func args(a any) func(m *matrixGame) any { return func(*matrixGame) any { return a } }

func inPhase(kind string, a any) func(m *matrixGame) any {
	return func(m *matrixGame) any { m.to(kind); return a }
}

// ownerCard moves to the study and has the owner add a card.
func (m *matrixGame) ownerCard() string {
	m.to(KindStudy)
	return m.must(m.actors[rOwner], "card.add", map[string]string{"kind": "finding", "text": "x"}).Result["cardId"].(string)
}

// cluster moves to the wall and has the facilitator open a cluster.
func (m *matrixGame) cluster() string {
	m.to(KindWall)
	return m.must(fac, "cluster.create", map[string]string{"name": "k"}).Result["clusterId"].(string)
}

// note moves to the wall and has the owner post a note.
func (m *matrixGame) note() string {
	m.to(KindWall)
	return m.must(m.actors[rOwner], "note.add", map[string]string{"text": "n", "target": "ops"}).Result["noteId"].(string)
}

// question moves to the debate, where company 1's dev presents first, and
// has company 1's QA ask a question.
func (m *matrixGame) question() string {
	m.to(KindDebate)
	return m.must(m.teamPlayer(1, TeamQA), "question.ask", map[string]string{"text": "why?"}).Result["questionId"].(string)
}

// facilitatorCases are the facilitator's commands outside the debate.
func facilitatorCases() []matrixCase {
	return []matrixCase{
		{"game.start", args(nil), facOnly("")},
		{"phase.next", inPhase(KindWall, nil), facOnly("")},
		{"phase.back", inPhase(KindStudy, nil), facOnly("")},
		{"agenda.set", args(map[string]any{"upcoming": []Phase{{Kind: KindRetro}}}), facOnly("")},
		{"timer.pause", inPhase(KindWall, nil), facOnly("")},
		{"timer.resume", func(m *matrixGame) any { m.to(KindWall); m.must(fac, "timer.pause", nil); return nil }, facOnly("")},
		{"timer.extend", inPhase(KindWall, map[string]int{"seconds": 60}), facOnly("")},
		{"timer.end", inPhase(KindWall, nil), facOnly("")},
		{"player.move", func(m *matrixGame) any {
			return map[string]any{"playerId": m.actors[rTeam].PlayerID, "team": TeamQA}
		}, facOnly("")},
		{"player.rename", func(m *matrixGame) any {
			return map[string]any{"playerId": m.actors[rTeam].PlayerID, "nickname": "renamed"}
		}, facOnly("")},
		{"player.kick", func(m *matrixGame) any { return map[string]any{"playerId": m.actors[rTeam].PlayerID} }, facOnly("")},
		{"exports.revoke", args(nil), facOnly("")},
		{"game.close", args(GameCloseArgs{Closed: true}), facOnly("")},
		{"player.readmit", func(m *matrixGame) any { return map[string]any{"playerId": m.actors[rKicked].PlayerID} }, facOnly("")},
		{"note.hide", func(m *matrixGame) any { return map[string]any{"noteId": m.note(), "hidden": true} }, facOnly("")},
		{"note.move", func(m *matrixGame) any {
			n := m.note()
			return map[string]any{"noteId": n, "clusterId": m.cluster()}
		}, facOnly("")},
		{"cluster.create", inPhase(KindWall, map[string]string{"name": "k"}), facOnly("")},
		{"cluster.rename", func(m *matrixGame) any { return map[string]string{"clusterId": m.cluster(), "name": "z"} }, facOnly("")},
		{"cluster.delete", func(m *matrixGame) any { return map[string]string{"clusterId": m.cluster()} }, facOnly("")},
		{"notes.group", func(m *matrixGame) any {
			return map[string]any{"noteIds": []string{m.note()}, "clusterId": m.cluster()}
		}, facOnly("")},
		{"cluster.merge", func(m *matrixGame) any { return map[string]string{"clusterId": m.cluster(), "intoId": m.cluster()} }, facOnly("")},
	}
}

// debateCases are the facilitator's commands of the debate.
func debateCases() []matrixCase {
	return []matrixCase{
		{"debate.order", inPhase(KindDebate, map[string]any{"order": []Slot{{2, TeamPM}, {1, TeamDev}}}), facOnly("")},
		{"question.take", func(m *matrixGame) any { return map[string]string{"questionId": m.question()} }, facOnly("")},
		{"question.dismiss", func(m *matrixGame) any { return map[string]string{"questionId": m.question()} }, facOnly("")},
		{"question.hide", func(m *matrixGame) any { return map[string]any{"questionId": m.question(), "hidden": true} }, facOnly("")},
		{"question.reopen", func(m *matrixGame) any {
			q := m.question()
			m.must(fac, "question.take", map[string]string{"questionId": q})
			return map[string]string{"questionId": q}
		}, facOnly("")},
		{"rebuttal.start", func(m *matrixGame) any { m.question(); return nil }, facOnly("")},
		{"rebuttal.next", func(m *matrixGame) any { m.question(); m.must(fac, "rebuttal.start", nil); return nil }, facOnly("")},
		{"rebuttal.skip", inPhase(KindDebate, nil), facOnly("")},
		{"debate.bonus", inPhase(KindDebate, map[string]any{"company": 1, "team": TeamQA, "points": 3}), facOnly("")},
		{"motion.set", func(m *matrixGame) any {
			m.to(KindDebate)
			return map[string]string{"motionId": m.e.scenario(m.s).Debates[0].ID}
		}, facOnly("")},
		{"motion.open", func(m *matrixGame) any {
			m.to(KindDebate)
			m.must(fac, "motion.set", map[string]string{"motionId": m.e.scenario(m.s).Debates[0].ID})
			return map[string]string{"stage": "before"}
		}, facOnly("")},
		{"motion.close", func(m *matrixGame) any {
			m.to(KindDebate)
			m.must(fac, "motion.set", map[string]string{"motionId": m.e.scenario(m.s).Debates[0].ID})
			m.must(fac, "motion.open", map[string]string{"stage": "before"})
			return nil
		}, facOnly("")},
	}
}

// systemCases are the commands only the server itself sends.
func systemCases() []matrixCase {
	return []matrixCase{
		{"game.create", args(CreateArgs{ID: "x", Code: "ABCDEF", FacilitatorTokenHash: hashOf("1"), ProjectorTokenHash: hashOf("2")}), systemOnly()},
		{"player.join", args(map[string]string{"nickname": "intruder", "tokenHash": hashOf("i")}), systemOnly()},
		{"presence.set", func(m *matrixGame) any {
			return map[string]any{"playerId": m.actors[rOwner].PlayerID, "instance": "i", "conns": 1}
		}, systemOnly()},
		{"deadline", inPhase(KindWall, map[string]int{"seq": 1}), systemOnly()},
	}
}

// wallCases are the players' commands of the lobby and the wall.
func wallCases() []matrixCase {
	return []matrixCase{
		{"player.team", args(map[string]string{"team": TeamPM}), playersOnly()},
		{"note.add", inPhase(KindWall, map[string]string{"text": "hello", "target": "devs"}), playersOnly()},
		{"cluster.vote", func(m *matrixGame) any { return map[string]string{"clusterId": m.cluster()} }, playersOnly()},
		{"cluster.unvote", func(m *matrixGame) any {
			k := m.cluster()
			for _, r := range []string{rOwner, rTeam, rCompany} {
				m.must(m.actors[r], "cluster.vote", map[string]string{"clusterId": k})
			}
			return map[string]string{"clusterId": k}
		}, playersOnly()},
	}
}

// studyCases are the players' commands of the study.
func studyCases() []matrixCase {
	return []matrixCase{
		{"card.add", inPhase(KindStudy, map[string]string{"kind": "advantage", "text": "fast"}), playersOnly()},
		{"card.edit", func(m *matrixGame) any { return map[string]any{"cardId": m.ownerCard(), "rev": 1, "text": "y"} },
			with(playersOnly(), map[string]string{rTeam: ENotFound, rCompany: ENotFound})},
		{"card.delete", func(m *matrixGame) any { return map[string]any{"cardId": m.ownerCard(), "rev": 1} },
			with(playersOnly(), map[string]string{rTeam: ENotFound, rCompany: ENotFound})},
		{"evidence.cite", func(m *matrixGame) any {
			return CiteArgs{CardID: m.ownerCard(), Metric: "leadTimeHours", Sprints: []int{0}}
		}, with(playersOnly(), map[string]string{rTeam: ENotFound, rCompany: ENotFound})},
		{"evidence.remove", func(m *matrixGame) any {
			c := m.ownerCard()
			m.must(m.actors[rOwner], "evidence.cite", CiteArgs{CardID: c, Metric: "value", Sprints: []int{0}})
			return UnciteArgs{CardID: c}
		}, with(playersOnly(), map[string]string{rTeam: ENotFound, rCompany: ENotFound})},
	}
}

// laterCases are the players' commands of the sprints and the debate, and the review of post-mortems.
func laterCases() []matrixCase {
	return []matrixCase{
		{"quiz.answer", func(m *matrixGame) any {
			m.to(KindStudy)
			q := m.e.scenario(m.s).Quiz[0]
			return map[string]string{"questionId": q.ID, "optionId": q.Answer}
		}, playersOnly()},
		{"plan.set", func(m *matrixGame) any { m.to(KindSprints); return map[string]any{"actions": []string{}} }, playersOnly()},
		{"plan.ready", inPhase(KindSprints, map[string]bool{"ready": true}), playersOnly()},
		{"incident.respond", func(m *matrixGame) any { return map[string]string{"responseId": m.toIncident()} },
			// Only company 1's dev can choose a dev response of company 1's
			// incident; company 2 may have no incident at all.
			with(playersOnly(), map[string]string{rTeam: EInvalid, rCompany: "?"})},
		{"postmortem.submit", func(m *matrixGame) any {
			id := m.toIncident()
			m.must(m.actors[rOwner], "incident.respond", map[string]string{"responseId": id})
			if m.s.Sprints.Step == StepIncident {
				m.must(fac, "phase.next", nil)
			}
			return map[string]any{"incident": len(m.s.Sprints.company(1).Incidents) - 1, "whatHappened": "a", "why": "b", "change": "c"}
		}, with(playersOnly(), map[string]string{rCompany: "?"})},
		{"postmortem.review", func(m *matrixGame) any {
			id := m.toIncident()
			m.must(m.actors[rOwner], "incident.respond", map[string]string{"responseId": id})
			if m.s.Sprints.Step == StepIncident {
				m.must(fac, "phase.next", nil)
			}
			i := len(m.s.Sprints.company(1).Incidents) - 1
			m.must(m.actors[rOwner], "postmortem.submit", map[string]any{"incident": i, "whatHappened": "a", "why": "b", "change": "c"})
			return map[string]any{"company": 1, "incident": i, "accept": true}
		}, facOnly("")},
		{"question.ask", inPhase(KindDebate, map[string]string{"text": "and?"}),
			with(playersOnly(), map[string]string{rOwner: EForbidden})},
		{"question.upvote", func(m *matrixGame) any { return map[string]string{"questionId": m.question()} }, playersOnly()},
		{"question.unvote", func(m *matrixGame) any {
			q := m.question()
			for _, r := range []string{rOwner, rTeam, rCompany} {
				m.must(m.actors[r], "question.upvote", map[string]string{"questionId": q})
			}
			return map[string]string{"questionId": q}
		}, playersOnly()},
		{"rating.submit", inPhase(KindDebate, map[string]int{"clarity": 3, "relevance": 4, "collaboration": 5}),
			with(playersOnly(), map[string]string{rOwner: EForbidden})},
		{"motion.vote", func(m *matrixGame) any {
			m.to(KindDebate)
			m.must(fac, "motion.set", map[string]string{"motionId": m.e.scenario(m.s).Debates[0].ID})
			m.must(fac, "motion.open", map[string]string{"stage": "before"})
			return map[string]string{"vote": "for"}
		}, playersOnly()},
	}
}

func TestAuthorizationMatrix(t *testing.T) {
	var cases []matrixCase
	for _, group := range [][]matrixCase{facilitatorCases(), debateCases(), systemCases(), wallCases(), studyCases(), laterCases()} {
		cases = append(cases, group...)
	}

	// Every registered command is in the matrix.
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.cmd] = true
	}
	var missing []string
	for typ := range CommandTypes() {
		if !covered[typ] {
			missing = append(missing, typ)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("commands missing from the authorization matrix: %v", missing)
	}

	base := newMatrixGame(t)
	snap, err := MarshalState(base.s)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.cmd, func(t *testing.T) {
			for _, role := range matrixRoles {
				want, ok := c.want[role]
				if !ok {
					t.Fatalf("no expectation for %s", role)
				}
				st, err := Restore(snap)
				if err != nil {
					t.Fatal(err)
				}
				m := &matrixGame{tgame: &tgame{t: t, e: base.e, s: st, now: base.now, seq: base.seq}, actors: base.actors}
				a := c.setup(m)
				_, err = m.try(m.actors[role], c.cmd, a)
				got := ErrorCode(err)
				if want == "?" {
					continue // depends on the draw of the other company
				}
				if got != want {
					t.Errorf("%s by %s: got %q (%v), want %q", c.cmd, role, got, err, want)
				}
			}
		})
	}
}
