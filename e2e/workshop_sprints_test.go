package e2e

import "fmt"

// playSprints plays every sprint of the agenda through the UI: each team
// picks actions within its capacity and says it is ready, responds to an
// incident when one strikes, reads the review and writes a post-mortem. One
// player reloads in the middle of a sprint and carries on.
func (w *workshop) playSprints() {
	t, host, players := w.t, w.host, w.players
	const sprints = workshopSprints
	incidents := 0
	for n := 1; n <= sprints; n++ {
		w.planSprint(n)
		if eval[bool](host, `document.body.innerText.includes('Close the incident response')`) || eval[bool](players[0], `document.body.innerText.includes('· Incident')`) {
			incidents++
			w.respondToIncident(incidents == 1)
		}
		w.readReview(n)
		w.writePostMortems()
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

// planSprint: the players plan sprint n (see pickActions) and say their
// plans are ready. Checked: every phone shows the step, the projector the
// step and its timer large; at the first sprint its charts span the agenda
// and the console names the actions picked; every phone then leaves the
// planning.
func (w *workshop) planSprint(n int) {
	host, screen, players := w.host, w.screen, w.players
	const sprints = workshopSprints
	for _, p := range players {
		p.waitText(fmt.Sprintf("Sprint %d of %d · Planning", n, sprints))
	}
	for i, p := range players {
		w.pickActions(p, n, i)
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
}

// pickActions: player i picks one or two affordable actions, the first
// available ones. Checked: each pick is acknowledged by the server before
// the next; at sprint 2 Ken reloads mid-planning and finds his seat and his
// team's plan again.
func (w *workshop) pickActions(p *user, n, i int) {
	const sprints = workshopSprints
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

// respondToIncident: an incident struck and every player picks a response.
// Checked: Dev's phone shows the response to choose, scrolled to the
// incident banner, the projector the teams' response chips, each response is
// acknowledged; the first incident of the game on every screen.
func (w *workshop) respondToIncident(first bool) {
	host, screen, players := w.host, w.screen, w.players
	players[0].waitText("Response of the Dev team")
	// The phone scrolled to the incident banner; the projector
	// shows which teams have responded.
	players[0].waitJS(`(() => { const r = document.querySelector('.incident-banner').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight / 2; })()`)
	screen.waitJS(`document.querySelectorAll('.response-chips .ready-chip').length === 4`)
	if first {
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

// readReview: the players read the review of sprint n. Checked: every phone
// shows it, with what changed and why; at the first review the projector
// names the capabilities in place from the catalogue.
func (w *workshop) readReview(n int) {
	screen, players := w.screen, w.players
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
}

// writePostMortems: Grace (QA) writes a post-mortem for every incident so
// far, until no form is left. Checked: the form has its three fields, each
// post-mortem is published and its form goes once the update carrying it
// arrives.
func (w *workshop) writePostMortems() {
	t, players := w.t, w.players
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
