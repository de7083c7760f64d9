package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"devopschallenge/apperr"
	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/internal/playbook"
	"devopschallenge/protocol"
)

// A facilitator and eight players in two companies play the shared
// playbook (internal/playbook) through the Go client, from the lobby to
// the export, with what each audience sees checked between its steps.
func TestScriptedWholeGame(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend.name, func(t *testing.T) {
			in := startServer(t, backend.open(t))
			g := newGame(t, in, protocol.CreateGameRequest{Title: "Classe <3A>", Companies: 2, Assignment: "auto", Lang: "en"})
			fac := loggedFacilitator(t, in, g)
			defer fac.Close()
			proj := connect(t, g.ProjectorToken, true, in.url)
			table := seatEight(t, in, g, fac)
			pb := playbook.Game{T: table}
			players := table.Seats
			scriptedWallAndStudy(t, pb, players[0], proj)

			// Sprints: everyone can read why each figure moved.
			pb.Sprints(func() {
				sprint := pb.SprintState().Sprint
				for c := 1; c <= 2; c++ {
					waitDoc(t, proj, fmt.Sprintf("review/%d/%d", c, sprint), func(r game.ReviewDoc) bool {
						return len(r.Metrics) > 0 && r.Metrics[0].Values.EN != "" && r.Metrics[0].Values.FR != ""
					})
				}
			})
			var board game.LeaderboardDoc
			if !proj.Doc("leaderboard", &board) || len(board.Companies) != 2 {
				t.Fatalf("leaderboard on the projector: %+v", board)
			}

			// Debate, then the retrospective: everyone sees the results.
			pb.Debate()
			pb.Retro()
			checkResults(t, players[3])
			logUpdateSize(t, in, players[0])

			// Exports, during the retrospective and after the end.
			checkExports(t, in, g)
			pb.Finish()
			waitDoc(t, proj, "game", func(d game.GameDoc) bool { return d.Status == game.StatusFinished })
			checkExports(t, in, g)
		})
	}
}

// loggedFacilitator connects the facilitator, keeping a line per message
// received: the last 40 are logged if the test fails.
func loggedFacilitator(t *testing.T, in *instance, g protocol.CreateGameResponse) *client.Session {
	t.Helper()
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
	t.Cleanup(func() {
		if t.Failed() {
			facMu.Lock()
			for _, l := range facLog[max(0, len(facLog)-40):] {
				t.Log(l)
			}
			facMu.Unlock()
		}
	})
	return fac
}

// seatEight joins eight players, whom the automatic assignment spreads
// over the eight teams of two companies.
func seatEight(t *testing.T, in *instance, g protocol.CreateGameResponse, fac *client.Session) *playbook.Sessions {
	t.Helper()
	table := &playbook.Sessions{TB: t, Ctx: context.Background(), Timeout: 20 * time.Second, Fac: fac}
	teams := map[string]bool{}
	for i := 0; i < 8; i++ {
		s, j := joinAndConnect(t, in, g.Code, fmt.Sprintf("player-%d", i), "")
		table.Seats = append(table.Seats, s)
		table.Joined = append(table.Joined, playbook.Player{Company: j.Company, Team: j.Team})
		teams[table.Joined[i].Key()] = true
	}
	if len(teams) != 8 {
		t.Fatalf("auto-assignment should fill the 8 teams: %v", teams)
	}
	return table
}

// scriptedWallAndStudy plays the lobby, the wall of confusion (the
// projector sees the votes) and the study (worksheets and the quiz).
func scriptedWallAndStudy(t *testing.T, pb playbook.Game, player, proj *client.Session) {
	t.Helper()
	pb.Start()
	waitDoc(t, player, "game", func(d game.GameDoc) bool { return d.Phase < len(d.Agenda) && d.Agenda[d.Phase].Kind == game.KindWall })
	pb.Wall()
	if err := proj.Wait(ctxT(t), func(s *client.Session) bool {
		for key := range s.Docs() {
			var c game.ClusterDoc
			if strings.HasPrefix(key, "cluster/") && s.Doc(key, &c) && c.Votes == 4 {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("the projector should show a cluster with 4 votes: %v", err)
	}
	quiz := waitDoc(t, player, "quiz", func(q game.QuizDoc) bool { return len(q.Questions) > 0 })
	if len(quiz.Questions) < 12 {
		t.Fatalf("the quiz should have at least 12 questions: %+v", quiz)
	}
	pb.Study()
}

// logUpdateSize logs the mean size of updates beside a player's whole
// view: updates carry what changed, not the state.
func logUpdateSize(t *testing.T, in *instance, player *client.Session) {
	var m dto.Metric
	in.srv.rt.Metrics().UpdateBytes.Write(&m)
	raw, _ := json.Marshal(player.Docs())
	t.Logf("mean update %.0f bytes over %d updates; a player's whole view is %d bytes",
		m.GetHistogram().GetSampleSum()/float64(m.GetHistogram().GetSampleCount()), m.GetHistogram().GetSampleCount(), len(raw))
}

// checkResults checks what a player sees in the retrospective: both
// companies and every team ranked, each rated in the debate and scored
// in the quiz, with the bonus the playbook gave.
func checkResults(t *testing.T, s *client.Session) {
	t.Helper()
	results := waitDoc(t, s, "results", func(r game.Results) bool { return r.Bonus["2/pm"] == 5 })
	if len(results.Ranking.Companies) != 2 || len(results.Ranking.Teams) != 8 {
		t.Fatalf("results: %+v", results)
	}
	for _, tr := range results.Ranking.Teams {
		if tr.Parts.Debate == nil || tr.Parts.Quiz == nil {
			t.Fatalf("every team was rated and took the quiz: %+v", tr)
		}
	}
}

func checkExports(t *testing.T, in *instance, g protocol.CreateGameResponse) {
	t.Helper()
	var links protocol.ExportLinks
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
