package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"devopschallenge/client"
	"devopschallenge/game"
	"devopschallenge/protocol"
)

// reviewPlans are the first sprints of a company on its way to DevOps
// (the golden game devops-path): sprint 2 changes many figures at once,
// ends the one-off actions of sprint 1 and speeds up stages that are not
// the bottleneck, the richest review to read on a phone.
var reviewPlans = []map[string][]string{
	{"dev": {"dev_ci", "feat_story"}, "ops": {"ops_monitoring", "ops_iac"}, "qa": {"qa_load", "qa_exploratory"}, "pm": {"pm_wip", "pm_postmortems", "pm_customer"}},
	{"dev": {"tdd"}, "ops": {"ops_containers"}, "qa": {"tdd", "qa_security"}, "pm": {"small_batches", "pm_vsm"}},
}

// A sprint review read on a phone (360×740), in French and in English: it
// fits two screens before its details, each metric shows at most three
// causes with the rest on demand, the bottleneck's move comes first, and
// French numbers have decimal commas.
func TestSprintReviewOnAPhone(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	g, fac, teams, joins := startReviewGame(t, ctx, srv)
	playReviewPlans(t, ctx, fac, teams)

	last := len(reviewPlans)
	for _, c := range []reviewReader{
		{"fr", "dev", fmt.Sprintf("Revue du sprint %d", last)}, {"en", "ops", fmt.Sprintf("Review of sprint %d", last)}} {
		readReviewOnPhone(t, b, g, joins[c.team], c)
	}
}

// reviewReader is a player who reads the last review on a phone: the
// phone's language, the player's team and the review's title.
type reviewReader struct {
	lang, team, title string
}

// startReviewGame: a facilitator creates a French game of three sprints
// and one player per team joins, all with the Go client (closed when the
// test ends); the facilitator starts the game. Checked: every request is
// accepted.
func startReviewGame(t *testing.T, ctx context.Context, srv *testServer) (protocol.CreateGameResponse, *client.Session, map[string]*client.Session, map[string]protocol.JoinResponse) {
	h := &client.HTTP{BaseURL: srv.url}
	g, err := h.CreateGame(ctx, protocol.CreateGameRequest{Title: "Revue", Lang: "fr",
		Agenda: json.RawMessage(`[{"kind":"lobby"},{"kind":"sprints","minutes":5,"sprints":3,"incidentMinutes":3},{"kind":"retro"}]`)})
	if err != nil {
		t.Fatal(err)
	}
	fac, err := client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: g.FacilitatorToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fac.Close() })
	teams := map[string]*client.Session{}
	joins := map[string]protocol.JoinResponse{}
	for _, tm := range game.Teams {
		j, err := h.Join(ctx, g.Code, tm+"1", tm)
		if err != nil {
			t.Fatal(err)
		}
		s, err := client.Connect(ctx, client.Options{URLs: []string{srv.url}, Token: j.PlayerToken})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		teams[tm], joins[tm] = s, j
	}
	do(t, ctx, fac, "game.start", nil)
	return g, fac, teams, joins
}

// playReviewPlans: every team sets the plan of reviewPlans for each
// sprint (see planWithinCapacity), the facilitator resolves it, lets an
// incident's timer end unanswered and starts the next sprint. Checked:
// every command is accepted and the sprint leaves its planning.
func playReviewPlans(t *testing.T, ctx context.Context, fac *client.Session, teams map[string]*client.Session) {
	for n, plans := range reviewPlans {
		for tm, actions := range plans {
			planWithinCapacity(t, ctx, teams[tm], n, tm, actions)
		}
		do(t, ctx, fac, "phase.next", nil) // resolve the planning
		var sp game.SprintDoc
		if err := fac.Wait(ctx, func(s *client.Session) bool { return s.Doc("sprint", &sp) && sp.Step != "planning" }); err != nil {
			t.Fatal(err)
		}
		if sp.Step == "incident" {
			do(t, ctx, fac, "phase.next", nil) // nobody answers: the timer's end
		}
		if n < len(reviewPlans)-1 {
			do(t, ctx, fac, "phase.next", nil) // next sprint
		}
	}
}

// planWithinCapacity: team tm plans the actions it can afford among the
// ones given, at sprint n+1 (an incident of the game's seed may have taken
// some of its capacity). Checked: the team's options arrive in the
// sprint's planning and the plan is accepted.
func planWithinCapacity(t *testing.T, ctx context.Context, s *client.Session, n int, tm string, actions []string) {
	var o game.OptionsDoc
	key := "options/1/" + tm
	if err := s.Wait(ctx, func(s *client.Session) bool {
		var sp game.SprintDoc
		return s.Doc("sprint", &sp) && sp.Sprint == n+1 && sp.Step == "planning" && s.Doc(key, &o) && len(o.Options) > 0
	}); err != nil {
		t.Fatal(err)
	}
	var picked []string
	used := 0
	for _, id := range actions {
		for _, op := range o.Options {
			if op.Action.ID == id && op.Available && used+op.Action.Cost <= o.Capacity {
				picked = append(picked, id)
				used += op.Action.Cost
			}
		}
	}
	do(t, ctx, s, "plan.set", game.PlanSetArgs{Actions: picked})
}

// readReviewOnPhone: the player opens their seat on a phone in their
// language and reads the last review, opening the smaller effects.
// Checked: see checkReviewMeasure; the review's text and screens are
// saved for a reader.
func readReviewOnPhone(t *testing.T, b *browser, g protocol.CreateGameResponse, j protocol.JoinResponse, c reviewReader) {
	last := len(reviewPlans)
	p := b.newUser("review-"+c.lang, phone)
	p.open("/")
	p.js(fmt.Sprintf(`localStorage.setItem('dc:lang', %q); localStorage.setItem('dc:seat:player:%s', JSON.stringify({token: %q, gameId: %q, role: 'player', code: %q, nickname: %q}))`,
		`"`+c.lang+`"`, j.GameID, j.PlayerToken, j.GameID, g.Code, c.team+"1"))
	p.open("/play?g=" + j.GameID)
	p.waitJS(`!!document.querySelector('.review')`)
	p.waitText(c.title)
	m := eval[reviewMeasure](p, reviewMeasureJS)
	t.Logf("%s review of sprint %d on a phone: %d px before its details (%d px in all), %d metrics, at most %d causes shown for one metric, %d hidden",
		c.lang, last, m.Before, m.Height, m.Metrics, m.MaxShown, m.Hidden)
	if dir := b.shots; dir != "" {
		os.WriteFile(filepath.Join(dir, "review-"+c.lang+".txt"), []byte(m.Text), 0o644)
	}
	t.Logf("%s review text:\n%s", c.lang, m.Text)
	checkReviewMeasure(t, c.lang, m)
	if m.Hidden > 0 {
		// The smaller effects open on demand.
		p.js(`document.querySelector('.review .more-causes summary').click()`)
		p.waitJS(`document.querySelector('.review .more-causes').open`)
	}
	p.shot("review-" + c.lang + "-phone")
	// The review as the phone shows it, screen by screen from its title.
	for i := 0; i < 3; i++ {
		p.js(fmt.Sprintf(`(() => { const r = document.querySelector('.review'); const h = r.previousElementSibling || r;
			const head = document.querySelector('.sticky-head'); window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - (head ? head.offsetHeight : 0) + %d * (window.innerHeight - (head ? head.offsetHeight : 0))); })()`, i))
		p.screen(fmt.Sprintf("review-%s-screen%d", c.lang, i+1))
	}
}

// checkReviewMeasure checks the review as measured on the phone: at most
// two screens before its details, the bottleneck's move first, at most
// three causes shown for a metric, and no decimal point in French.
func checkReviewMeasure(t *testing.T, lang string, m reviewMeasure) {
	if int64(m.Before) > 2*phone.h {
		t.Errorf("%s: the review is %d px tall before its details, over two phone screens (%d px)", lang, m.Before, 2*phone.h)
	}
	if !m.FlowFirst {
		t.Errorf("%s: the bottleneck's move is not said first", lang)
	}
	if m.Metrics == 0 || m.MaxShown > 3 {
		t.Errorf("%s: %d metrics, up to %d causes shown for one; want at most 3", lang, m.Metrics, m.MaxShown)
	}
	if lang == "fr" {
		// A French review writes decimal commas.
		if l := regexp.MustCompile(`\d\.\d`).FindString(m.Text); l != "" {
			t.Errorf("fr: a decimal point in %q", l)
		}
	}
}

type reviewMeasure struct {
	Before, Height, Metrics, MaxShown, Hidden int
	FlowFirst                                 bool
	Text                                      string
}

// reviewMeasureJS measures the review of the page: from its title to its
// first collapsed part, in all, the metrics it explains and the causes
// shown for each.
const reviewMeasureJS = `(() => {
	const r = document.querySelector('.review');
	const title = r.previousElementSibling && r.previousElementSibling.tagName === 'H3' ? r.previousElementSibling : r;
	const top = title.getBoundingClientRect().top;
	const first = r.querySelector(':scope > details, :scope details.review-details');
	const end = first ? first.getBoundingClientRect().top : r.getBoundingClientRect().bottom;
	let maxShown = 0, hidden = 0;
	const metrics = r.querySelectorAll('.change');
	for (const m of metrics) {
		const shown = [...m.querySelectorAll('.causes > li')].filter((li) => !li.closest('details:not([open])')).length;
		maxShown = Math.max(maxShown, shown);
		hidden += m.querySelectorAll('.more-causes li').length;
	}
	return {Before: Math.round(end - top), Height: Math.round(r.getBoundingClientRect().bottom - top), Metrics: metrics.length,
		MaxShown: maxShown, Hidden: hidden, FlowFirst: !r.querySelector('.flow') || r.firstElementChild.classList.contains('flow'),
		Text: title.innerText + '\n' + r.innerText};
})()`
