package server

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"devopschallenge/apperr"
	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

type sprintDocT struct {
	Sprint    int             `json:"sprint"`
	Of        int             `json:"of"`
	Step      string          `json:"step"`
	Ready     map[string]bool `json:"ready"`
	Responded map[string]bool `json:"responded"`
}

type optionsDocT struct {
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

type incidentDocT struct {
	Alert struct {
		ID      string `json:"id"`
		Options map[string][]struct {
			ID string `json:"id"`
		} `json:"options"`
	} `json:"alert"`
}

// choosePlan picks available actions within capacity, joint ones first.
func choosePlan(o optionsDocT) []string {
	var out []string
	used := 0
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

// A facilitator and eight players in two companies play the default agenda
// through the Go client, from the lobby to the export.
func TestScriptedWholeGame(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend.name, func(t *testing.T) {
			in := startServer(t, backend.open(t))
			g := newGame(t, in, protocol.CreateGameRequest{Title: "Classe <3A>", Companies: 2, Assignment: "auto", Lang: "en"})
			var facLog []string
			var facMu sync.Mutex
			fac, err := client.Connect(ctxT(t), client.Options{URLs: []string{in.url}, Token: g.FacilitatorToken, Reconnect: true,
				OnMessage: func(out *protocol.Out, raw []byte) {
					facMu.Lock()
					defer facMu.Unlock()
					sd, _ := json.Marshal(out.Docs["sprint"])
					facLog = append(facLog, fmt.Sprintf("%s v%d id=%s sprint=%s", out.Type, out.Version, out.ID, sd))
				}})
			if err != nil {
				t.Fatal(err)
			}
			defer fac.Close()
			t.Cleanup(func() {
				if t.Failed() {
					facMu.Lock()
					for _, l := range facLog[max(0, len(facLog)-40):] {
						t.Log(l)
					}
					facMu.Unlock()
				}
			})
			proj := connect(t, g.ProjectorToken, true, in.url)
			type member struct {
				s       *client.Session
				company int
				team    string
			}
			var players []member
			byTeam := map[string]*client.Session{}
			for i := 0; i < 8; i++ {
				s, j := joinAndConnect(t, in, g.Code, fmt.Sprintf("player-%d", i), "")
				players = append(players, member{s, j.Company, j.Team})
				byTeam[fmt.Sprintf("%d/%s", j.Company, j.Team)] = s
			}
			if len(byTeam) != 8 {
				t.Fatalf("auto-assignment should fill the 8 teams: %v", byTeam)
			}
			// do sends a command and waits until the facilitator, who sees
			// every change, has caught up with it: the script reads the
			// facilitator's view to decide what comes next.
			do := func(s *client.Session, cmd string, args any) client.Ack {
				t.Helper()
				ack, err := s.Do(ctxT(t), cmd, args)
				if err != nil {
					t.Fatalf("%s: %v", cmd, err)
				}
				if err := fac.Wait(ctxT(t), func(f *client.Session) bool { return f.Version() >= ack.Version }); err != nil {
					t.Fatal(err)
				}
				return ack
			}
			phaseIs := func(s *client.Session, kind string) {
				t.Helper()
				waitDoc(t, s, "game", func(d gameDocT) bool { return d.Phase < len(d.Agenda) && d.Agenda[d.Phase].Kind == kind })
			}

			// Lobby, then the wall of confusion.
			do(fac, "game.start", nil)
			phaseIs(players[0].s, game.KindWall)
			n := do(players[0].s, "note.add", map[string]string{"text": "<script>alert(1)</script> Ops block releases", "target": "ops"})
			do(players[1].s, "note.add", map[string]string{"text": "Devs never write runbooks", "target": "devs"})
			k := do(fac, "cluster.create", map[string]string{"name": "Hand-offs"})
			do(fac, "note.move", map[string]string{"noteId": n.Result["noteId"].(string), "clusterId": k.Result["clusterId"].(string)})
			for _, p := range players[:4] {
				do(p.s, "cluster.vote", map[string]string{"clusterId": k.Result["clusterId"].(string)})
			}
			waitDoc(t, proj, "cluster/"+k.Result["clusterId"].(string), func(c struct{ Votes int }) bool { return c.Votes == 4 })

			// Study: worksheets and the quiz.
			do(fac, "phase.next", nil)
			phaseIs(players[0].s, game.KindStudy)
			for key, s := range byTeam {
				do(s, "card.add", map[string]string{"kind": "recommendation", "text": "Automate the pipeline (" + key + ")"})
			}
			var quiz quizDocT
			if !players[0].s.Doc("quiz", &quiz) || len(quiz.Questions) < 12 {
				t.Fatalf("the quiz should have at least 12 questions: %+v", quiz)
			}
			for _, p := range players {
				for _, q := range quiz.Questions[:3] {
					do(p.s, "quiz.answer", map[string]string{"questionId": q.ID, "optionId": q.Options[0].ID})
				}
			}

			// Sprints.
			do(fac, "phase.next", nil)
			phaseIs(players[0].s, game.KindSprints)
			sd := waitDoc(t, fac, "sprint", func(d sprintDocT) bool { return d.Sprint == 1 })
			for sprint := 1; sprint <= sd.Of; sprint++ {
				waitDoc(t, fac, "sprint", func(d sprintDocT) bool { return d.Sprint == sprint && d.Step == game.StepPlanning })
				for key, s := range byTeam {
					// The sprint's start brings the catalogue of the sprint in
					// the same update.
					waitDoc(t, s, "sprint", func(d sprintDocT) bool { return d.Sprint == sprint && d.Step == game.StepPlanning })
					opts := waitDoc(t, s, "options/"+key, func(o optionsDocT) bool { return len(o.Options) > 0 })
					do(s, "plan.set", map[string]any{"actions": choosePlan(opts)})
				}
				for _, s := range byTeam {
					var sp sprintDocT
					if fac.Doc("sprint", &sp); sp.Step == game.StepPlanning {
						do(s, "plan.ready", map[string]bool{"ready": true})
					}
				}
				sp := waitDoc(t, fac, "sprint", func(d sprintDocT) bool { return d.Step != game.StepPlanning })
				if sp.Step == game.StepIncident {
					for c := 1; c <= 2; c++ {
						var inc incidentDocT
						if !proj.Doc(fmt.Sprintf("incident/%d", c), &inc) {
							continue
						}
						for team, opts := range inc.Alert.Options {
							if s := byTeam[fmt.Sprintf("%d/%s", c, team)]; s != nil && len(opts) > 0 {
								var cur sprintDocT
								if fac.Doc("sprint", &cur); cur.Step == game.StepIncident {
									do(s, "incident.respond", map[string]string{"responseId": opts[0].ID})
								}
							}
						}
					}
					if sp := waitDoc(t, fac, "sprint", func(sprintDocT) bool { return true }); sp.Step == game.StepIncident {
						do(fac, "phase.next", nil) // a team without options: end the incident
					}
					waitDoc(t, fac, "sprint", func(d sprintDocT) bool { return d.Step == game.StepReview })
				}
				// Everyone can read why each figure moved.
				for c := 1; c <= 2; c++ {
					waitDoc(t, proj, fmt.Sprintf("review/%d/%d", c, sprint), func(r struct {
						Metrics []struct {
							Values struct{ EN, FR string } `json:"values"`
						} `json:"metrics"`
					}) bool {
						return len(r.Metrics) > 0 && r.Metrics[0].Values.EN != "" && r.Metrics[0].Values.FR != ""
					})
				}
				// Post-mortems for resolved incidents.
				for c := 1; c <= 2; c++ {
					var co struct {
						Incidents []struct {
							Resolved   bool `json:"resolved"`
							Postmortem bool `json:"postmortem"`
						} `json:"incidents"`
					}
					fac.Doc(fmt.Sprintf("company/%d", c), &co)
					for i, ir := range co.Incidents {
						if ir.Resolved && !ir.Postmortem {
							do(byTeam[fmt.Sprintf("%d/ops", c)], "postmortem.submit", map[string]any{"incident": i,
								"whatHappened": "Checkout failed", "why": "No alert on payments", "change": "Alert on error rate"})
						}
					}
				}
				do(fac, "phase.next", nil)
			}
			var board struct {
				Companies []struct{ Company, Rank int } `json:"companies"`
			}
			if !proj.Doc("leaderboard", &board) || len(board.Companies) != 2 {
				t.Fatalf("leaderboard on the projector: %+v", board)
			}

			// Debate.
			phaseIs(fac, game.KindDebate)
			var debate struct {
				Order []struct {
					Company int    `json:"company"`
					Team    string `json:"team"`
				} `json:"order"`
				Motions []struct {
					ID string `json:"id"`
				} `json:"motions"`
			}
			fac.Doc("debate", &debate)
			do(fac, "motion.set", map[string]string{"motionId": debate.Motions[0].ID})
			do(fac, "motion.open", map[string]string{"stage": "before"})
			for _, p := range players {
				do(p.s, "motion.vote", map[string]string{"vote": "against"})
			}
			do(fac, "motion.close", nil)
			for turn, slot := range debate.Order {
				waitDoc(t, fac, "debate", func(d struct{ Current int }) bool { return d.Current == turn })
				for _, p := range players {
					if p.company == slot.Company && p.team == slot.Team {
						continue
					}
					do(p.s, "rating.submit", map[string]int{"clarity": 4, "relevance": 4, "collaboration": 3})
				}
				var asker *client.Session
				for _, p := range players {
					if p.company != slot.Company || p.team != slot.Team {
						asker = p.s
						break
					}
				}
				q := do(asker, "question.ask", map[string]string{"text": "How do you measure it?"})
				do(fac, "question.take", map[string]string{"questionId": q.Result["questionId"].(string)})
				do(fac, "phase.next", nil)
			}
			phaseIs(fac, game.KindRetro)
			do(fac, "motion.open", map[string]string{"stage": "after"})
			for _, p := range players[:5] {
				do(p.s, "motion.vote", map[string]string{"vote": "for"})
			}
			do(fac, "motion.close", nil)
			do(fac, "debate.bonus", map[string]any{"company": 2, "team": "pm", "points": 5})

			// Retrospective: everyone sees the results.
			var results struct {
				Ranking struct {
					Companies []struct{ Rank int } `json:"companies"`
					Teams     []struct {
						Parts struct {
							Debate *float64 `json:"debate"`
							Quiz   *float64 `json:"quiz"`
						} `json:"parts"`
					} `json:"teams"`
				} `json:"ranking"`
			}
			waitDoc(t, players[3].s, "results", func(r struct{ Bonus map[string]int }) bool { return r.Bonus["2/pm"] == 5 })
			players[3].s.Doc("results", &results)
			if len(results.Ranking.Companies) != 2 || len(results.Ranking.Teams) != 8 {
				t.Fatalf("results: %+v", results)
			}
			for _, tr := range results.Ranking.Teams {
				if tr.Parts.Debate == nil || tr.Parts.Quiz == nil {
					t.Fatalf("every team was rated and took the quiz: %+v", tr)
				}
			}

			// Updates carry what changed, not the state: compare their mean
			// size with a player's whole view.
			var m dto.Metric
			in.srv.rt.Metrics().UpdateBytes.Write(&m)
			raw, _ := json.Marshal(players[0].s.Docs())
			t.Logf("mean update %.0f bytes over %d updates; a player's whole view is %d bytes",
				m.GetHistogram().GetSampleSum()/float64(m.GetHistogram().GetSampleCount()), m.GetHistogram().GetSampleCount(), len(raw))

			// Exports, during the retrospective and after the end.
			checkExports(t, in, g)
			do(fac, "phase.next", nil)
			waitDoc(t, proj, "game", func(d gameDocT) bool { return d.Status == game.StatusFinished })
			checkExports(t, in, g)
		})
	}
}

func checkExports(t *testing.T, in *instance, g protocol.CreateGameResponse) {
	t.Helper()
	var links ExportLinks
	// Only the facilitator may export.
	if _, _, err := in.http.GetRaw(ctxT(t), "/api/games/"+g.GameID+"/report.json", g.ProjectorToken); !apperr.IsCode(err, apperr.EForbidden) {
		t.Fatalf("projector exporting: %v", err)
	}
	body, ctype, err := in.http.GetRaw(ctxT(t), "/api/games/"+g.GameID+"/report.json", g.FacilitatorToken)
	if err != nil {
		t.Fatal(err)
	}
	var rep game.Report
	if err := json.Unmarshal(body, &rep); err != nil || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("report.json (%s): %v", ctype, err)
	}
	if len(rep.Companies) != 2 || len(rep.Teams) != 8 || len(rep.Players) != 8 || len(rep.Companies[0].Sprints) < 5 {
		t.Fatalf("report: %d companies, %d teams, %d players, %d sprint records", len(rep.Companies), len(rep.Teams), len(rep.Players), len(rep.Companies[0].Sprints))
	}
	// A ticket gives links that work without the token.
	if err := in.http.Post(ctxT(t), "/api/games/"+g.GameID+"/exports", g.FacilitatorToken, nil, &links); err != nil {
		t.Fatal(err)
	}
	zipped, _, err := in.http.GetRaw(ctxT(t), links.Links["csv.zip"], "")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	for _, name := range []string{"players.csv", "teams.csv", "companies.csv", "sprints.csv", "incidents.csv", "worksheets.csv", "wall.csv"} {
		if files[name] == "" {
			t.Fatalf("the CSV export lacks %s", name)
		}
	}
	if got := strings.Count(files["players.csv"], "\n"); got != 9 {
		t.Fatalf("players.csv has %d lines, want a header and 8 players", got)
	}
	page, ctype, err := in.http.GetRaw(ctxT(t), links.Links["html"]+"?lang=fr", "")
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	if !strings.HasPrefix(ctype, "text/html") || !strings.Contains(html, "Classement final") || !strings.Contains(html, "Classe &lt;3A&gt;") {
		t.Fatalf("report.html (%s) is not the French report with the escaped title", ctype)
	}
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Fatal("user text must be escaped in the HTML report")
	}
	// A forged ticket is refused.
	forged := strings.Replace(links.Links["json"], "/api/exports/", "/api/exports/x", 1)
	if _, _, err := in.http.GetRaw(ctxT(t), forged, ""); !apperr.IsCode(err, apperr.EUnauthorized) {
		t.Fatalf("forged ticket: %v", err)
	}
}
