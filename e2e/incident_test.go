package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// TestIncident plays sprints with two companies until an incident strikes
// (incidents are random per game, so the facilitator's side is driven by
// the Go client to get there quickly), then a player responds in the
// browser under the timer, reads how the incident went and writes the
// post-mortem; the projector shows the incident banner and the
// facilitator follows both companies.
func TestIncident(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := &client.HTTP{BaseURL: srv.url}

	// Sprints only, many of them, and no actions: a neglected platform
	// meets an incident within a few sprints. A game without one after 12
	// sprints is replaced by a new one (a new seed).
	var g protocol.CreateGameResponse
	var fac *client.Session
	var bots []*client.Session
	var browserToken, browserGame string
	found := false
	for attempt := 0; attempt < 10 && !found; attempt++ {
		var err error
		g, err = h.CreateGame(ctx, protocol.CreateGameRequest{Title: "Incident drill", Companies: 2, Lang: "fr",
			Agenda: json.RawMessage(`[{"kind":"lobby"},{"kind":"sprints","minutes":5,"sprints":12,"incidentMinutes":3},{"kind":"retro"}]`)})
		if err != nil {
			t.Fatal(err)
		}
		fac, err = client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: g.FacilitatorToken})
		if err != nil {
			t.Fatal(err)
		}
		bots = nil
		for i := range 2 * len(game.Teams) {
			tm := game.Teams[i%len(game.Teams)]
			j, err := h.Join(ctx, g.Code, fmt.Sprintf("%s%d", tm, i), tm)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				// The first Dev plays in the browser; keep the token.
				browserToken, browserGame = j.PlayerToken, j.GameID
				continue
			}
			s, err := client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: j.PlayerToken})
			if err != nil {
				t.Fatal(err)
			}
			bots = append(bots, s)
		}
		do(t, ctx, fac, "game.start", nil)
		for n := 1; n <= 12; n++ {
			do(t, ctx, fac, "phase.next", nil) // resolve the planning
			var sp game.SprintDoc
			fac.Wait(ctx, func(s *client.Session) bool { return s.Doc("sprint", &sp) && sp.Step != "planning" })
			if sp.Step == "incident" && hasDoc(fac, "incident/1") {
				found = true
				break
			}
			if sp.Step == "incident" {
				do(t, ctx, fac, "phase.next", nil) // close the other company's incident
			}
			do(t, ctx, fac, "phase.next", nil) // next sprint
		}
		if !found {
			fac.Close()
			for _, s := range bots {
				s.Close()
			}
		}
	}
	if !found {
		t.Fatal("no incident struck company 1 in 10 games of 12 sprints")
	}
	defer fac.Close()

	// The browser player takes the seat the join gave.
	p := b.newUser("Dev", phone)
	p.open("/")
	p.js(fmt.Sprintf(`localStorage.setItem('dc:seat:player:%s', JSON.stringify({token: %q, gameId: %q, role: 'player', code: %q, nickname: 'dev0'}))`,
		browserGame, browserToken, browserGame, g.Code))
	p.open("/play?g=" + browserGame)
	p.waitText("Response of the Dev team")
	p.waitText("Response time")
	p.check("incident-player")

	screen := b.newUser("projector", projector)
	screen.open(fmt.Sprintf("/screen#g=%s&t=%s", g.GameID, g.ProjectorToken))
	// The shared screen speaks the game's language (French here), scenario
	// texts included.
	screen.waitText("Incident :")
	screen.waitText("Temps de réponse")
	// Stages and capabilities are named by the catalogue, in French:
	// "Livrer" is the scenario's name of the release stage (the UI's own
	// dictionary says "Publier").
	screen.waitJS(`document.querySelector('.stream-list').innerText.includes('Livrer')`)
	screen.waitJS(`document.querySelector('.caps-board').innerText.includes('Gestion de versions')`)
	screen.check("incident-screen")

	host := b.newUser("facilitator", desktop)
	host.open(fmt.Sprintf("/host?g=%s#t=%s", g.GameID, g.FacilitatorToken))
	host.waitText("Close the incident response")
	host.waitText("Responses of the teams")
	host.check("incident-host")

	// The player responds; the other teams of company 1 respond through
	// the client; company 2's incident (if any) is closed by the timer's
	// end.
	p.js(`document.querySelector('input[type=radio][name=response]').click()`)
	p.waitText("Response chosen.")
	host.waitJS(`document.querySelector('.incident-banner') && document.body.innerText.includes('✓')`)
	var inc game.IncidentDoc
	for _, s := range bots {
		if s.You().Company != 1 {
			continue
		}
		if !s.Doc("incident/1", &inc) {
			t.Fatal("a player of company 1 does not see the incident")
		}
		team := s.You().Team
		do(t, ctx, s, "incident.respond", game.IncidentRespondArgs{ResponseID: inc.Alert.Options[team][0].ID})
	}
	if hasDoc(fac, "incident/2") {
		host.click("Close the incident response")
	}
	p.waitText("Review of sprint")
	p.waitText("Incident:")
	p.waitText("Blameless post-mortems")
	p.check("incident-review")

	// The post-mortem, written in the browser.
	names := eval[[]string](p, `[...document.querySelectorAll('form.postmortem textarea')].map(e => e.name)`)
	if len(names) != 3 {
		t.Fatalf("post-mortem form fields %v", names)
	}
	p.fill(names[0], "Checkout failed for an hour")
	p.fill(names[1], "No alert on payment errors")
	p.fill(names[2], "Alert on the payment error rate")
	p.click("Publish the post-mortem")
	p.waitText("Post-mortem published.")
	p.waitText("Written by dev0")
	screen.checkAt("incident-review-screen", projector)
	host.click("Sprints")
	host.selectValue("dash-company", "2")
	host.waitText("Company 2")
	host.check("incident-host-company2")
}

func do(t *testing.T, ctx context.Context, s *client.Session, cmd string, args any) {
	t.Helper()
	if _, err := s.Do(ctx, cmd, args); err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
}

func hasDoc(s *client.Session, key string) bool {
	var v any
	return s.Doc(key, &v)
}
