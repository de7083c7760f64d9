package e2e

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"devopschallenge/game"
	"devopschallenge/server"
)

// workshopSprints is the number of sprints the workshop plays.
const workshopSprints = 3

// TestWorkshop plays a whole workshop through the UI: a facilitator creates
// a game with the default agenda, four players join with the code in their
// own browser contexts, and everyone plays every phase to the
// retrospective and the export. Every view is checked with axe-core and
// photographed at phone and projector sizes.
func TestWorkshop(t *testing.T) {
	start := time.Now()
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer func() { t.Logf("workshop played in %s", time.Since(start).Round(time.Millisecond)) }()
	defer b.checkErrors()
	w := &workshop{t: t, srv: srv, b: b}

	w.createGame()
	w.openProjector()
	w.switchLanguages()
	w.joinPlayers()
	w.manageLobby()

	w.postNotes()
	w.clusterAndHide()
	w.vote()

	w.studyWorksheet()
	w.studyQuiz()

	// Sprints.
	w.host.click("Next: Sprints")
	w.playSprints()

	w.voteBefore()
	w.citeFigure()
	w.askAndRate()
	w.rebuttal()
	w.othersPresent()

	w.retrospective()
	exportChecks(t, w.host, srv, w.gameID)
	w.endGame()
}

// workshop is the game TestWorkshop plays: the server, the browser, the
// people in it (the facilitator's console, the projector, four players on
// their phones) and what the console gave them (the code, the game, the
// projector's link).
type workshop struct {
	t                      *testing.T
	srv                    *testServer
	b                      *browser
	host, screen           *user
	players                []*user
	ada, linus, grace, ken *user
	code, gameID           string
	screenPath             string
}

// createGame: the facilitator opens the landing page and creates a game.
// Checked: the form proposes the server's default agenda (the class then
// shortens the sprints) and the console shows a six-letter code.
func (w *workshop) createGame() {
	t := w.t
	// The landing page.
	host := w.b.newUser("facilitator", desktop)
	w.host = host
	host.open("/")
	host.checkAt("home", phone, desktop)

	// The facilitator creates a game with the default agenda.
	host.click("Create a game")
	host.waitText("Agenda")
	host.fill("title", "Class 3B")
	// The form proposes the server's default agenda (one source: GET
	// /api/vocab); the class plays a shorter one.
	host.waitJS(`!!document.getElementById('new-2-n')`)
	for _, p := range game.DefaultAgenda()[1:] {
		if p.Kind != game.KindSprints {
			continue
		}
		got := eval[[]string](host, `['new-2-min', 'new-2-n', 'new-2-inc'].map(id => document.getElementById(id).value)`)
		want := []string{strconv.Itoa(p.Minutes), strconv.Itoa(p.Sprints), strconv.Itoa(p.IncidentMinutes)}
		if !slices.Equal(got, want) {
			t.Errorf("create form proposes sprints %v (planning, sprints, incident), the server's default is %v", got, want)
		}
	}
	host.fill("new-2-n", strconv.Itoa(workshopSprints))
	host.checkAt("create", desktop)
	host.click("Create the game")
	host.waitJS(`!!document.querySelector('[data-testid=join-code]')`)
	code := eval[string](host, `document.querySelector('[data-testid=join-code]').textContent.trim()`)
	if len(code) != 6 {
		t.Fatalf("join code %q", code)
	}
	gameID := eval[string](host, `new URLSearchParams(location.search).get('g')`)
	t.Logf("game %s, code %s", gameID, code)
	w.code, w.gameID = code, gameID
}

// openProjector: the projector opens from the console's link. Checked: the
// token travels in the fragment, and the address bar no longer shows it once
// the screen is up.
func (w *workshop) openProjector() {
	t, host, code := w.t, w.host, w.code
	// The projector opens from the console link (token in the fragment).
	screenPath := eval[string](host, `document.querySelector('[data-testid=open-projector]').getAttribute('href')`)
	if !strings.HasPrefix(screenPath, "/screen#") || strings.Contains(screenPath, "?") {
		t.Fatalf("projector link %q: the token must travel in the fragment", screenPath)
	}
	screen := w.b.newUser("projector", projector)
	screen.open(screenPath)
	screen.waitText(code)
	if loc := eval[string](screen, `location.href`); strings.Contains(loc, "#") {
		t.Errorf("projector URL still shows the token: %s", loc)
	}
	w.screen, w.screenPath = screen, screenPath
}

// switchLanguages: the facilitator switches the console to French and back.
// Checked: a projector opened in the console's browser keeps the game's
// language of shared screens, and the console gives phones an address they
// can reach (or says none can).
func (w *workshop) switchLanguages() {
	t, host, code, gameID, screenPath := w.t, w.host, w.code, w.gameID, w.screenPath
	// The console is switched to French; a projector opened in the same
	// browser still shows the game's language of shared screens.
	host.click("FR")
	host.waitText("Code de la partie")
	host.open(screenPath)
	host.waitText(code)
	if l := eval[string](host, `document.documentElement.lang`); l != "en" {
		t.Errorf("a projector opened in the console's browser shows %q, the game's language is en", l)
	}
	host.open("/host?g=" + gameID)
	host.waitText("Code de la partie")
	host.click("EN")
	host.waitText("Join code")
	// Opened on this machine's loopback address, the console gives phones
	// the network address instead (or says none can reach it).
	if lan := server.LANAddresses(); len(lan) > 0 {
		host.waitJS(fmt.Sprintf(`document.querySelector('[data-testid=join-url]').textContent.startsWith('http://%s:')`, lan[0]))
	} else {
		host.waitText("Phones cannot open localhost")
	}
}

// joinPlayers: four players join on their phones, one by the QR link and
// three by typing the code. Checked: the join page names the game, each
// player picks a team and is welcomed by name.
func (w *workshop) joinPlayers() {
	code := w.code
	// Four players join: one by the QR link (code prefilled), the others
	// by typing the code; each picks a team.
	names := []string{"Ada", "Linus", "Grace", "Ken"}
	teams := game.Teams
	players := make([]*user, len(names))
	for i, name := range names {
		p := w.b.newUser(name, phone)
		players[i] = p
		if i == 0 {
			p.open("/join?code=" + code)
		} else {
			p.open("/")
			p.fill("code", strings.ToLower(code))
			p.click("Join")
			p.waitJS(`location.pathname === '/join'`)
		}
		// The page looked the code up: it names the game.
		p.waitJS(`document.querySelector('[data-testid=game-title]')?.textContent === 'Class 3B'`)
		p.fill("nickname", name)
		p.choose("team", teams[i])
		if i == 0 {
			p.checkAt("join", phone)
		}
		p.click("Join the game")
		p.waitText("Welcome, " + name)
	}
	w.players = players
	w.ada, w.linus, w.grace, w.ken = players[0], players[1], players[2], players[3]
	w.ada.checkAt("lobby-player", phone)
}

// manageLobby: a fifth player joins and the facilitator removes her, renames
// Ken and shortens the wall in the agenda; Grace changes team and back.
// Checked: the removed phone says so, the new name, team and agenda show,
// console and projector list the four players.
func (w *workshop) manageLobby() {
	host, screen, grace, ken, code := w.host, w.screen, w.grace, w.ken, w.code
	// Lobby management: a fifth player joins and is removed; Ken is
	// renamed; a player moves to another team and back.
	eve := w.b.newUser("Eve", phone)
	eve.open("/join?code=" + code)
	eve.fill("nickname", "Eve")
	eve.click("Join the game")
	eve.waitText("Welcome, Eve")
	host.waitText("5 joined, 5 online")
	host.clickIn("tr", "Eve", "Remove")
	eve.waitText("You are no longer in this game")
	eve.stop()
	host.waitText("4 joined")
	host.clickIn("tr", "Ken", "Rename")
	host.fill("rename", "Ken T.")
	host.click("Save")
	ken.waitText("Ken T. · Project management")
	grace.choose("myteam", "ops")
	host.waitJS(`[...document.querySelectorAll('tr')].some(r => r.textContent.includes('Grace') && r.querySelector('[data-team]').dataset.team === '1/ops')`)
	grace.waitText("You are in team Ops")
	grace.choose("myteam", "qa")
	grace.waitText("You are in team QA")
	// The facilitator shortens the wall in the agenda.
	host.click("Agenda")
	host.fill("up-0-min", "8")
	host.click("Save the agenda")
	host.waitText("Agenda saved.")
	host.waitText("Wall of confusion 8 min")
	host.click("Players")
	host.waitText("4 joined, 4 online")
	host.checkAt("lobby-host", desktop)
	screen.waitText("Ken T.")
	screen.checkAt("lobby-screen", projector)
}

// studyWorksheet: the facilitator opens the study; Ada drafts a card on the
// team worksheet and reloads, every player adds a card. Checked: every phone
// shows its mission, the draft survives the reload, every card is
// acknowledged.
func (w *workshop) studyWorksheet() {
	t, host, players, ada := w.t, w.host, w.players, w.ada
	// Study.
	host.click("Next: Study")
	for _, p := range players {
		p.waitText("Mission:")
	}
	ada.checkAt("study-brief", phone)
	// The team worksheet; Ada writes a draft, reloads, and finds it again.
	ada.click("Worksheet")
	ada.fill("newcard", "Deployments are manual and monthly")
	ada.reload()
	ada.click("Worksheet")
	if v := eval[string](ada, `document.querySelector('[name=newcard]').value`); v != "Deployments are manual and monthly" {
		t.Errorf("the draft did not survive the reload: %q", v)
	}
	ada.click("Add the card")
	ada.waitText("Card added.")
	for _, p := range players[1:] {
		p.click("Worksheet")
		p.choose("newkind", "recommendation")
		p.fill("newcard", "Automate the "+p.name+" checks")
		p.click("Add the card")
		p.waitText("Card added.")
	}
	ada.checkAt("study-worksheet", phone)
}

// studyQuiz: Ada and Linus answer every question of the quiz. Checked: each
// answer is marked right or wrong and the phone counts them all; the study
// on every screen.
func (w *workshop) studyQuiz() {
	host, screen, ada, linus := w.host, w.screen, w.ada, w.linus
	// The quiz: answer every question.
	for _, p := range []*user{ada, linus} {
		p.click("Quiz")
		n := eval[int](p, `document.querySelectorAll('.question').length`)
		for i := 0; i < n; i++ {
			p.js(`(() => { const f = [...document.querySelectorAll('.question form')][0]; f.querySelector('input[type=radio]').click(); })()`)
			p.clickIn(".question", "", "Answer")
			p.waitJS(fmt.Sprintf(`document.querySelectorAll('.question.right, .question.wrong').length === %d`, i+1))
		}
		p.waitText(fmt.Sprintf("%d/%d answered", n, n))
	}
	ada.checkAt("study-quiz", phone)
	host.checkAt("study-host", desktop)
	screen.checkAt("study-screen", projector)
}
