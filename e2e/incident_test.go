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
	d := &drill{t: t, ctx: ctx, srv: srv, b: b}

	d.playUntilIncident()
	defer d.fac.Close()
	d.playerSeesIncident()
	d.projectorShowsIncident()
	d.consoleShowsIncident()
	d.teamsRespond()
	d.writePostMortem()
}

// drill is the game TestIncident plays: a facilitator and bots driven by
// the Go client, one Dev of company 1 in the browser (the seat its join
// gave), the projector and the facilitator's console.
type drill struct {
	t   *testing.T
	ctx context.Context
	srv *testServer
	b   *browser

	g                         protocol.CreateGameResponse
	fac                       *client.Session
	bots                      []*client.Session
	browserToken, browserGame string

	p, screen, host *user
}

// playUntilIncident: the facilitator's client creates games of two
// companies, sprints only, many of them, and no actions (a neglected
// platform meets an incident within a few sprints); a game without one
// after 12 sprints is replaced by a new one (a new seed). Checked: an
// incident strikes company 1 in one of 10 games.
func (d *drill) playUntilIncident() {
	t := d.t
	found := false
	for attempt := 0; attempt < 10 && !found; attempt++ {
		d.newDrillGame()
		found = d.sprintUntilIncident()
		if !found {
			d.fac.Close()
			for _, s := range d.bots {
				s.Close()
			}
		}
	}
	if !found {
		t.Fatal("no incident struck company 1 in 10 games of 12 sprints")
	}
}

// newDrillGame: a game of two companies and 12 sprints is created, in
// French, and its seats are filled: the facilitator and 7 bots connect
// with the Go client, the first Dev's token is kept for the browser.
// Checked: every request is accepted.
func (d *drill) newDrillGame() {
	t, ctx, h := d.t, d.ctx, &client.HTTP{BaseURL: d.srv.url}
	srv := d.srv
	var err error
	d.g, err = h.CreateGame(ctx, protocol.CreateGameRequest{Title: "Incident drill", Companies: 2, Lang: "fr",
		Agenda: json.RawMessage(`[{"kind":"lobby"},{"kind":"sprints","minutes":5,"sprints":12,"incidentMinutes":3},{"kind":"retro"}]`)})
	if err != nil {
		t.Fatal(err)
	}
	g := d.g
	d.fac, err = client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: g.FacilitatorToken})
	if err != nil {
		t.Fatal(err)
	}
	d.bots = nil
	for i := range 2 * len(game.Teams) {
		tm := game.Teams[i%len(game.Teams)]
		j, err := h.Join(ctx, g.Code, fmt.Sprintf("%s%d", tm, i), tm)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// The first Dev plays in the browser; keep the token.
			d.browserToken, d.browserGame = j.PlayerToken, j.GameID
			continue
		}
		s, err := client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: j.PlayerToken})
		if err != nil {
			t.Fatal(err)
		}
		d.bots = append(d.bots, s)
	}
}

// sprintUntilIncident: the facilitator starts the game and resolves
// sprint after sprint, closing company 2's incidents, until one strikes
// company 1 (true) or the 12 sprints are over (false). Checked: every
// command is accepted.
func (d *drill) sprintUntilIncident() bool {
	t, ctx, fac := d.t, d.ctx, d.fac
	do(t, ctx, fac, "game.start", nil)
	for n := 1; n <= 12; n++ {
		do(t, ctx, fac, "phase.next", nil) // resolve the planning
		var sp game.SprintDoc
		if err := fac.Wait(ctx, func(s *client.Session) bool { return s.Doc("sprint", &sp) && sp.Step != game.StepPlanning }); err != nil {
			t.Fatalf("sprint %d was not resolved: %v", n, err)
		}
		if sp.Step == game.StepIncident && hasDoc(fac, "incident/1") {
			return true
		}
		if sp.Step == game.StepIncident {
			do(t, ctx, fac, "phase.next", nil) // close the other company's incident
		}
		do(t, ctx, fac, "phase.next", nil) // next sprint
	}
	return false
}

// playerSeesIncident: the browser player takes the seat the join gave.
// Checked: the phone shows the Dev team's response to choose and the
// response time; the view passes the checks.
func (d *drill) playerSeesIncident() {
	g, browserGame, browserToken := d.g, d.browserGame, d.browserToken
	p := d.b.newUser("Dev", phone)
	d.p = p
	p.open("/")
	p.js(fmt.Sprintf(`localStorage.setItem('dc:seat:player:%s', JSON.stringify({token: %q, gameId: %q, role: 'player', code: %q, nickname: 'dev0'}))`,
		browserGame, browserToken, browserGame, g.Code))
	p.open("/play?g=" + browserGame)
	p.waitText("Response of the Dev team")
	p.waitText("Response time")
	p.check("incident-player")
}

// projectorShowsIncident: the projector opens. Checked: the shared screen
// speaks the game's language (French here), scenario texts included, and
// names stages and capabilities from the catalogue.
func (d *drill) projectorShowsIncident() {
	g := d.g
	screen := d.b.newUser("projector", projector)
	d.screen = screen
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
}

// consoleShowsIncident: the facilitator's console opens. Checked: it
// offers to close the incident response and lists the teams' responses.
func (d *drill) consoleShowsIncident() {
	g := d.g
	host := d.b.newUser("facilitator", desktop)
	d.host = host
	host.open(fmt.Sprintf("/host?g=%s#t=%s", g.GameID, g.FacilitatorToken))
	host.waitText("Close the incident response")
	host.waitText("Responses of the teams")
	host.check("incident-host")
}

// teamsRespond: the player responds in the browser, the other teams of
// company 1 through the client; company 2's incident (if any) is closed by
// the facilitator. Checked: the response is acknowledged and ticked on the
// console, every bot of company 1 sees the incident, and the phone then
// shows the review with the incident and its lesson.
func (d *drill) teamsRespond() {
	t, ctx, p, host, fac := d.t, d.ctx, d.p, d.host, d.fac
	// The player responds; the other teams of company 1 respond through
	// the client; company 2's incident (if any) is closed by the timer's
	// end.
	p.js(`document.querySelector('input[type=radio][name=response]').click()`)
	p.waitText("Response chosen.")
	host.waitJS(`document.querySelector('.incident-banner') && document.body.innerText.includes('✓')`)
	var inc game.IncidentDoc
	for _, s := range d.bots {
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
}

// writePostMortem: the player writes the post-mortem in the browser, then
// the facilitator looks at company 2. Checked: the form has three fields,
// the post-mortem is published and signed; the console's dashboard shows
// company 2.
func (d *drill) writePostMortem() {
	t, p, screen, host := d.t, d.p, d.screen, d.host
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
