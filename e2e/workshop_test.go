package e2e

import (
	"fmt"
	"io"
	"net/http"
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

	// The landing page.
	host := b.newUser("facilitator", desktop)
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

	// The projector opens from the console link (token in the fragment).
	screenPath := eval[string](host, `document.querySelector('[data-testid=open-projector]').getAttribute('href')`)
	if !strings.HasPrefix(screenPath, "/screen#") || strings.Contains(screenPath, "?") {
		t.Fatalf("projector link %q: the token must travel in the fragment", screenPath)
	}
	screen := b.newUser("projector", projector)
	screen.open(screenPath)
	screen.waitText(code)
	if loc := eval[string](screen, `location.href`); strings.Contains(loc, "#") {
		t.Errorf("projector URL still shows the token: %s", loc)
	}

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

	// Four players join: one by the QR link (code prefilled), the others
	// by typing the code; each picks a team.
	names := []string{"Ada", "Linus", "Grace", "Ken"}
	teams := game.Teams
	players := make([]*user, len(names))
	for i, name := range names {
		p := b.newUser(name, phone)
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
	ada, linus, grace, ken := players[0], players[1], players[2], players[3]
	ada.checkAt("lobby-player", phone)

	// Lobby management: a fifth player joins and is removed; Ken is
	// renamed; a player moves to another team and back.
	eve := b.newUser("Eve", phone)
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

	// Start: the wall of confusion.
	host.click("Start the game")
	for _, p := range players {
		p.waitText("Post anonymous sticky notes")
	}
	notes := map[*user][]string{
		ada:   {"Ops take weeks to give us a server", "We never see production logs"},
		linus: {"Devs throw code over the wall on Friday evening"},
		grace: {"Tests arrive after the release date"},
		ken:   {"Nobody knows who owns the outage"},
	}
	for p, list := range notes {
		for i, text := range list {
			target := "devs"
			if p == ada || i == 1 {
				target = "ops"
			}
			p.choose("target", target)
			p.fill("note", text)
			p.click("Post the note")
			p.waitText("Note posted.")
		}
	}
	screen.waitText("Nobody knows who owns the outage")
	// The facilitator clusters and names.
	host.waitText("5 notes")
	host.fill("cluster", "Hand-offs")
	host.click("Create")
	host.waitJS(`document.querySelectorAll('.clusters-host .cluster').length === 1`)
	host.fill("cluster", "Ownership")
	host.click("Create")
	host.waitJS(`document.querySelectorAll('.clusters-host .cluster').length === 2`)
	clusterIDs := eval[[]string](host, `[...document.querySelectorAll('[data-cluster]')].map(e => e.dataset.cluster)`)
	if len(clusterIDs) != 2 {
		t.Fatalf("clusters %v", clusterIDs)
	}
	wallClustering(t, host, clusterIDs)
	// A note is hidden by moderation.
	host.clickIn(".note", "Tests arrive after", "Hide")
	host.waitJS(`[...document.querySelectorAll('.note-hidden')].some(n => n.textContent.includes('Tests arrive after'))`)
	grace.waitJS(`!document.body.innerText.includes('Tests arrive after')`)
	// Players vote.
	for _, p := range players {
		p.clickIn(".cluster", "Hand-offs", "Vote")
		p.waitText("You have 2 votes left")
	}
	ada.clickIn(".cluster", "Ownership", "Vote")
	ada.waitText("You have 1 vote left")
	// The button just tapped stays readable (selected, under the pointer),
	// and so does a disabled primary button (the empty note form's).
	for _, sel := range []string{`.cluster .btn-on`, `form button.btn-primary[disabled]`} {
		if ratio := eval[float64](ada, fmt.Sprintf(contrastOf, sel)); ratio < 4.5 {
			t.Errorf("%s: contrast %.2f, below 4.5", sel, ratio)
		}
	}
	screen.waitText("4 votes")
	ada.checkAt("wall-player", phone)
	host.checkAt("wall-host", desktop)
	screen.checkAt("wall-screen", projector)

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

	// Sprints.
	host.click("Next: Sprints")
	playSprints(t, host, screen, players)

	// Debate.
	for _, p := range players {
		p.waitText("Now presenting:")
	}
	// The console's debate tab may draw a moment after the phones: wait
	// for the motions before picking one.
	host.waitJS(`(document.getElementById('motion-sel')?.options.length || 0) > 1`)
	host.selectValue("motion-sel", eval[string](host, `document.getElementById('motion-sel').options[1].value`))
	host.click("Open the vote before")
	for i, p := range players {
		vote := "For"
		if i%2 == 1 {
			vote = "Against"
		}
		p.clickIn(".motion", "", vote)
		p.waitText("Vote recorded.")
	}
	host.click("Close the vote")
	// Dev presents; the others ask, upvote and rate.
	ada.waitText("Your team is presenting")
	// Ada backs her card with a figure of the company's game: lead time
	// at the start and after the last sprint. She picks the figure and the
	// sprints; the values come from the server.
	ada.js(`[...document.querySelectorAll('details')].find(d => d.querySelector('summary').textContent === 'Worksheet').open = true`)
	ada.clickIn(".wcard", "Deployments are manual", "Cite a figure of our game")
	ada.waitJS(`!!document.querySelector('[name=cite-metric]')`)
	ada.js(`(() => { const e = document.querySelector('[name=cite-metric]'); e.value = 'leadTimeHours'; e.dispatchEvent(new Event('change', {bubbles: true})); })()`)
	if got := eval[[]string](ada, `['cite-first', 'cite-second'].map(n => document.querySelector('[name=' + n + ']').value)`); !slices.Equal(got, []string{"0", strconv.Itoa(workshopSprints)}) {
		t.Errorf("the citation form proposes sprints %v; want the start and the last sprint", got)
	}
	ada.click("Attach the figure")
	ada.waitText("Figure attached")
	// The projector shows it beside the card, with the company's own
	// figures (the same the dashboard shows).
	screen.waitJS(`[...document.querySelectorAll('.screen-debate .wcard')].some(c => c.textContent.includes('Deployments are manual') && !!c.querySelector('[data-testid=citation]') && c.textContent.includes('Lead time for changes'))`)
	screen.waitJS(fmt.Sprintf(`(() => {
		const s = window.dcSession, ev = Object.entries(s.docs).find(([k]) => k.startsWith('evidence/'));
		const co = s.docs['company/1'];
		return !!ev && !!co && ev[1].values.length === 2 && ev[1].values[0].value === co.history[0].metrics.leadTimeHours && ev[1].values[1].value === co.history[%d].metrics.leadTimeHours;
	})()`, workshopSprints))
	linus.fill("question", "How will you deploy without downtime?")
	linus.click("Ask")
	linus.waitText("Question sent.")
	grace.waitText("How will you deploy without downtime?")
	grace.clickIn(".qitem", "without downtime", "Upvote")
	ken.clickIn(".qitem", "without downtime", "Upvote")
	screen.waitText("2 upvotes")
	// Dev's phone shows the questions it will answer after presenting.
	ada.waitJS(`!!document.querySelector('.rebuttal-mine') && document.querySelector('.rebuttal-mine').textContent.includes('without downtime')`)
	for _, p := range []*user{linus, grace, ken} {
		for _, c := range []string{"clarity", "relevance", "collaboration"} {
			p.choose("rate-"+c, "4")
		}
		p.click("Send my rating")
		p.waitText("Rating saved.")
	}
	ada.checkAt("debate-presenter", phone)
	grace.checkAt("debate-player", phone)
	screen.checkAt("debate-screen", projector)
	// After the presentation, "next" opens Dev's rebuttal: the projector
	// shows the question being answered under its own timer; Dev's phones
	// show what to answer.
	host.click("Dev answers its questions")
	screen.waitJS(`!!document.querySelector('[data-testid=rebuttal-now]') && document.querySelector('[data-testid=rebuttal-now]').textContent.includes('How will you deploy without downtime?')`)
	screen.waitJS(`document.querySelector('.screen-top [data-testid=timer]').textContent.includes('Time to answer')`)
	ada.waitText("Your rebuttal")
	ada.waitJS(`document.querySelector('.rebuttal-mine [data-testid=rebuttal-now]').textContent.includes('without downtime')`)
	grace.waitText("Dev is answering:")
	host.clickIn(".rebuttal-control", "", "+1 min")
	screen.checkAt("debate-rebuttal-screen", projector)
	ada.checkAt("debate-rebuttal-presenter", phone)
	host.checkAt("debate-rebuttal-host", desktop)
	host.click("Answered: end of the rebuttal")
	screen.waitText("Rebuttal over: 1 question answered.")
	host.fill("bonus-1-dev", "3")
	host.clickIn(".bonus-table tr", "Dev", "Set")
	host.waitText("Bonus saved.")
	host.checkAt("debate-host", desktop)
	// Every other team presents in turn.
	for _, next := range []string{"Ops", "QA", "Project management"} {
		host.click("Give the floor to " + next)
		ada.waitText("Now presenting: " + next)
	}
	host.click("Open the vote after")
	for _, p := range players {
		p.clickIn(".motion", "", "For")
		p.waitText("Vote recorded.")
	}
	host.click("Close the vote")
	host.waitText("Shift of opinion")

	// Retrospective and export.
	host.click("Next: Retrospective")
	for _, p := range players {
		p.waitText("Retrospective")
	}
	// The decisions log names every action that took effect.
	ada.waitJS(namedInDecisions)
	// Each player's own team stands out in the ranking.
	ada.waitJS(`[...document.querySelectorAll('tr.mine')].some(r => r.textContent.includes('Dev') && r.textContent.includes('your team'))`)
	// The motion's result: before and after, the shift, the verdict and
	// who changed sides.
	ada.waitText("The motion")
	for _, want := range []string{"Shift of opinion: +50 points for", "After the debate, the motion is carried (100% for).",
		"Of the 4 people who voted twice, 2 went from against to for."} {
		ada.waitJS(fmt.Sprintf(`document.querySelector('.motion-result').innerText.replace(/\s+/g, ' ').includes(%q)`, want))
	}
	screen.waitJS(`!!document.querySelector('.screen-retro .motion-result') && !!document.querySelector('.podium')`)
	ada.checkAt("retro-player", phone)
	screen.checkAt("retro-screen", projector)
	host.click("Results")
	host.checkAt("retro-host", desktop)
	exportChecks(t, host, srv, gameID)
	host.click("End the game")
	// Phones say the game is over, with the team's place.
	for _, p := range players {
		p.waitText("Game over")
	}
	ada.waitJS(`document.querySelector('[data-testid=game-over]').innerText.includes(' out of 4, with a final mark of ')`)
	ada.checkAt("game-over", phone)
}

// playSprints plays every sprint of the agenda through the UI: each team
// picks actions within its capacity and says it is ready, responds to an
// incident when one strikes, reads the review and writes a post-mortem.
// One player reloads in the middle of a sprint and carries on.
func playSprints(t *testing.T, host, screen *user, players []*user) {
	t.Helper()
	const sprints = workshopSprints
	incidents := 0
	for n := 1; n <= sprints; n++ {
		for _, p := range players {
			p.waitText(fmt.Sprintf("Sprint %d of %d · Planning", n, sprints))
		}
		for i, p := range players {
			// Pick affordable actions, the first available ones.
			picks := 1 + (n+i)%2
			for k := 0; k < picks; k++ {
				before := eval[int](p, `document.querySelectorAll('input[name=action]:checked').length`)
				ok := eval[bool](p, `(() => { const e = [...document.querySelectorAll('input[name=action]')].find(e => !e.checked && !e.disabled); if (!e) return false; e.click(); return true; })()`)
				if !ok {
					break
				}
				p.waitJS(fmt.Sprintf(`document.querySelectorAll('input[name=action]:checked').length === %d && !window.dcSession.unsent()`, before+1))
			}
			if n == 1 && i == 0 {
				p.waitText("Silo mode")
				p.checkAt("sprint-planning", phone)
			}
			if n == 2 && i == 3 {
				// Ken reloads mid-sprint: his seat and his team's plan are
				// still there.
				picked := eval[int](p, `document.querySelectorAll('input[name=action]:checked').length`)
				p.reload()
				p.waitText(fmt.Sprintf("Sprint %d of %d · Planning", n, sprints))
				p.waitJS(fmt.Sprintf(`document.querySelectorAll('input[name=action]:checked').length === %d`, picked))
			}
		}
		// The projector leads the room: the step and its timer, large.
		screen.waitJS(fmt.Sprintf(`document.querySelector('[data-testid=stage]').textContent.includes('Sprint %d of %d · Planning') && !!document.querySelector('.screen-top [data-testid=timer]')`, n, sprints))
		if n == 1 {
			// Before the first sprint the charts span the agenda's sprints.
			screen.waitJS(fmt.Sprintf(`[...document.querySelectorAll('.screen .chart-canvas')].length === 4 && [...document.querySelectorAll('.screen .chart-canvas')].every(c => c.dataset.xmax === '%d' && !!c.querySelector('canvas'))`, sprints))
			host.click("Sprints")
			host.waitText("Plans of the teams")
			// Plans show actions by their names in the catalogue.
			host.waitJS(namedInPlans)
			host.checkAt("sprint-planning-host", desktop)
			screen.checkAt("sprint-planning-screen", projector)
		}
		for _, p := range players {
			p.click("Our plan is ready")
		}
		// Every team is ready: the sprint is resolved.
		for _, p := range players {
			p.waitJS(fmt.Sprintf(`document.body.innerText.includes('Sprint %d of %d · Incident') || document.body.innerText.includes('Review of sprint %d')`, n, sprints, n))
		}
		if eval[bool](host, `document.body.innerText.includes('Close the incident response')`) || eval[bool](players[0], `document.body.innerText.includes('· Incident')`) {
			incidents++
			players[0].waitText("Response of the Dev team")
			// The phone scrolled to the incident banner; the projector
			// shows which teams have responded.
			players[0].waitJS(`(() => { const r = document.querySelector('.incident-banner').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight / 2; })()`)
			screen.waitJS(`document.querySelectorAll('.response-chips .ready-chip').length === 4`)
			if incidents == 1 {
				players[0].checkAt("sprint-incident", phone)
				screen.waitText("Incident:")
				screen.checkAt("sprint-incident-screen", projector)
				host.checkAt("sprint-incident-host", desktop)
			}
			for _, p := range players {
				p.js(`document.querySelector('input[type=radio][name=response]').click()`)
				p.waitText("Response chosen.")
			}
		}
		for _, p := range players {
			p.waitText(fmt.Sprintf("Review of sprint %d", n))
		}
		players[1].waitText("What changed, and why")
		if n == 1 {
			// The projector names the capabilities in place from the
			// catalogue ("Version control", not "version control").
			screen.waitText("Capabilities in place")
			screen.waitJS(`document.querySelector('.caps-board').innerText.includes('Version control')`)
			players[1].checkAt("sprint-review", phone)
			screen.checkAt("sprint-review-screen", projector)
		}
		// A post-mortem for every incident so far (Grace, QA).
		grace := players[2]
		for {
			// One evaluation reads whether a form is there and its fields:
			// the page may re-render between two.
			names := eval[[]string](grace, `(() => { const f = document.querySelector('form.postmortem'); return f ? [...f.querySelectorAll('textarea')].map(e => e.name) : []; })()`)
			if len(names) == 0 {
				break
			}
			if len(names) != 3 {
				t.Fatalf("post-mortem fields: %v", names)
			}
			grace.fill(names[0], "The disk filled up overnight")
			grace.fill(names[1], "Nobody watched the disk usage")
			grace.fill(names[2], "Alert on disk usage and rotate logs")
			grace.click("Publish the post-mortem")
			grace.waitText("Post-mortem published.")
			// The form goes once the update carrying the card arrives,
			// which may be a moment after the acknowledgement.
			grace.waitJS(fmt.Sprintf(`!document.querySelector('textarea[name=%s]')`, names[0]))
		}
		if n < sprints {
			host.click(fmt.Sprintf("Start sprint %d", n+1))
		}
	}
	if incidents == 0 {
		t.Log("no incident struck in this game (random seed): the incident screens were not exercised")
	}
	host.checkAt("sprint-review-host", desktop)
	host.click("Next: Debate")
}

// exportChecks fetches the report from the links the console shows (they
// work without a token for a day) and opens the printable page.
func exportChecks(t *testing.T, host *user, srv *testServer, gameID string) {
	t.Helper()
	host.waitJS(`!!document.querySelector('a[data-export=html]')`)
	links := eval[map[string]string](host, `Object.fromEntries([...document.querySelectorAll('a[data-export]')].map(a => [a.dataset.export, a.getAttribute('href')]))`)
	want := map[string]string{"html": "text/html", "json": "application/json", "csv": "application/zip"}
	for kind, ct := range want {
		href := links[kind]
		if href == "" {
			t.Errorf("no %s export link in %v", kind, links)
			continue
		}
		if strings.Contains(href, "token") || strings.Contains(href, "Bearer") {
			t.Errorf("export link %s carries a token", href)
		}
		res, err := http.Get(srv.url + href)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), ct) || len(body) < 100 {
			t.Errorf("export %s: status %d, type %q, %d bytes", kind, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		if kind != "csv" && !strings.Contains(string(body), "Class 3B") {
			t.Errorf("export %s does not name the game", kind)
		}
	}
	host.navigate(links["html"])
	host.waitText("Class 3B")
	host.shot("report-desktop")
	host.open("/host?g=" + gameID)
	host.waitText("Retrospective")
}

// namedInPlans holds when the facilitator's table of plans shows each
// action picked by its name in the catalogue, and no id.
const namedInPlans = `(() => {
	const s = window.dcSession, cat = s.docs.catalogue;
	const table = [...document.querySelectorAll('table')].find(t => t.caption && t.caption.textContent.includes('Plans of the teams'));
	if (!cat || !table) return false;
	const ids = Object.entries(s.docs).filter(([k]) => k.startsWith('plan/')).flatMap(([, p]) => p.actions);
	if (!ids.length) return false;
	const text = table.innerText;
	return ids.every(id => text.includes(cat.actions.find(a => a.id === id).name.en) && !(id.includes('_') && text.includes(id)));
})()`

// namedInDecisions holds when the decisions log shows the actions done in
// each sprint by their names in the catalogue.
const namedInDecisions = `(() => {
	const s = window.dcSession, cat = s.docs.catalogue, co = s.docs['company/' + s.docs.me.company];
	const table = document.querySelector('table.decisions');
	if (!cat || !co || !table) return false;
	const ids = co.history.flatMap(h => h.done || []);
	if (!ids.length) return false;
	const text = table.innerText;
	return ids.every(id => text.includes(cat.actions.find(a => a.id === id).name.en) && !(id.includes('_') && text.includes(id)));
})()`

// wallClustering groups the wall's notes the ways a facilitator does:
// two notes ticked and moved with the one picker, one dragged onto a
// cluster, and a move that lost a race against another facilitator
// (refused with a sentence, nothing moved, the selection kept).
func wallClustering(t *testing.T, host *user, clusterIDs []string) {
	t.Helper()
	tick := func(text string) {
		host.js(fmt.Sprintf(`[...document.querySelectorAll('.note')].find(n => n.textContent.includes(%q)).querySelector('input[type=checkbox]').click()`, text))
	}
	inCluster := func(text, cluster string) string {
		return fmt.Sprintf(`(() => { const c = document.querySelector('[data-cluster=%q]'); return !!c && c.textContent.includes(%q); })()`, cluster, text)
	}
	tick("Ops take weeks")
	tick("over the wall")
	host.waitText("2 notes selected")
	host.selectValue("group-target", clusterIDs[0])
	host.click("Move 2 notes")
	host.waitText("2 notes moved.")
	host.waitJS(inCluster("Ops take weeks", clusterIDs[0]) + " && " + inCluster("over the wall", clusterIDs[0]))
	// Drag and drop: a note dropped on the second cluster.
	host.js(fmt.Sprintf(`(() => {
		const note = [...document.querySelectorAll('.note')].find(n => n.textContent.includes('owns the outage'));
		const zone = document.querySelector('[data-cluster=%q]');
		const dt = new DataTransfer();
		note.dispatchEvent(new DragEvent('dragstart', {dataTransfer: dt, bubbles: true}));
		zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
		zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
	})()`, clusterIDs[1]))
	host.waitJS(inCluster("owns the outage", clusterIDs[1]))
	// A race: the facilitator ticks a note, another facilitator (here the
	// same session, as a second tab would) moves it first; the move is
	// refused with a sentence and the note stays where the other put it.
	tick("production logs")
	host.waitText("1 note selected")
	host.js(fmt.Sprintf(`(() => { const n = Object.values(window.dcSession.docs).find(d => d && d.text && d.text.includes('production logs')); window.dcSession.send('note.move', {noteId: n.id, clusterId: %q}); })()`, clusterIDs[1]))
	host.waitJS(inCluster("production logs", clusterIDs[1]))
	host.selectValue("group-target", clusterIDs[0])
	host.click("Move 1 note")
	host.waitText("changed cluster meanwhile")
	host.waitText("1 note selected")
	if eval[bool](host, inCluster("production logs", clusterIDs[0])) {
		t.Error("a move that lost the race moved the note anyway")
	}
	host.click("Clear the selection")
}

// contrastOf measures the contrast ratio between the text and the
// background of the element matching a selector (WCAG formula).
const contrastOf = `(() => {
	const el = document.querySelector(%q);
	if (!el) return 0;
	const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
	let bg = [0, 0, 0, 0];
	for (let e = el; e && bg[3] === 0; e = e.parentElement) {
		const c = rgb(getComputedStyle(e).backgroundColor);
		bg = c.length === 3 ? [...c, 1] : c;
	}
	if (bg[3] === 0) bg = [255, 255, 255, 1];
	const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
		.reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
	const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg);
	return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})()`
