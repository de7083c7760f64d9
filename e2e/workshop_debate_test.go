package e2e

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// voteBefore: the facilitator picks a motion and opens the vote before the
// debate; the players vote for or against; the facilitator closes the vote.
// Checked: every phone shows who presents, each vote is recorded.
func (w *workshop) voteBefore() {
	host, players := w.host, w.players
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
}

// citeFigure: Dev presents and Ada backs her card with a figure of the
// company's game. Checked: the form proposes the start and the last sprint,
// and the projector shows the figure beside the card with the company's own
// values.
func (w *workshop) citeFigure() {
	t, screen, ada := w.t, w.screen, w.ada
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
}

// askAndRate: the other teams ask Dev a question, upvote it and rate the
// presentation. Checked: the question reaches the phones, the projector
// counts the upvotes, Dev's phone lists what it will answer, each rating is
// saved; the debate on every screen.
func (w *workshop) askAndRate() {
	screen, ada, linus, grace, ken := w.screen, w.ada, w.linus, w.grace, w.ken
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
}

// rebuttal: the facilitator opens Dev's rebuttal, adds a minute, ends it and
// gives Dev a bonus. Checked: the projector shows the question being
// answered under its own timer, Dev's phones what to answer, the projector
// then counts the answered questions, the bonus is saved.
func (w *workshop) rebuttal() {
	host, screen, ada, grace := w.host, w.screen, w.ada, w.grace
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
}

// othersPresent: Ops, QA and PM present in turn, then the players vote on
// the motion again. Checked: the phones follow who has the floor, each vote
// is recorded, the console shows the shift of opinion.
func (w *workshop) othersPresent() {
	host, players, ada := w.host, w.players, w.ada
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
}

// retrospective: the facilitator opens the retrospective. Checked: the
// phones show the decisions log with the actions by name, their own team
// highlighted in the ranking and the motion's result; the projector the
// motion and the podium.
func (w *workshop) retrospective() {
	host, screen, players, ada := w.host, w.screen, w.players, w.ada
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
}

// endGame: the facilitator ends the game. Checked: every phone says the game
// is over, with the team's place and final mark.
func (w *workshop) endGame() {
	host, players, ada := w.host, w.players, w.ada
	host.click("End the game")
	// Phones say the game is over, with the team's place.
	for _, p := range players {
		p.waitText("Game over")
	}
	ada.waitJS(`document.querySelector('[data-testid=game-over]').innerText.includes(' out of 4, with a final mark of ')`)
	ada.checkAt("game-over", phone)
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
