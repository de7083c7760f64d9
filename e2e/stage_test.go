package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"devopschallenge/game"
	"devopschallenge/protocol"
)

// TestProjectorFits plays a whole game with one company and with eight
// (and an incident with two) while the projector (1920×1080) follows it, and fails when the
// projector scrolls at any step: lobby, wall, study, sprint planning,
// incident, review, debate, rebuttal, retrospective (the final podium with
// each mark's parts). A projector cannot be scrolled from the back of the
// room: what falls below 1080 px is lost to the class.
func TestProjectorFits(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.url)
	defer b.checkErrors()
	// No subtests: the browser's users fail the test that started it.
	for _, companies := range []int{1, 2, 8} {
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
		projectorIncident(ctx, t, srv, b, companies)
		if companies != 2 { // two companies: the incident, the fullest step
			projectorGame(ctx, t, srv, b, companies)
		}
		cancel()
	}
}

// fits measures the projector's page at the current step and fails the
// test when the page scrolls, anything visible lies beyond the screen (cut
// off) or a table is wider than its column (over its neighbour), naming
// what sticks out. The view may be scaled down to fit
// (screen.js): the log gives its natural height and the scale.
func fits(t testing.TB, screen *user, step string) {
	t.Helper()
	type fit struct {
		H, W, Need int
		Scale      float64
		Out        []string
	}
	// Measured once the view's height has held for two frames: what the
	// last change drew is laid out, and scaled (the ResizeObserver runs
	// after the layout of the frame where the view changed; charts and
	// modules that arrive later change it again).
	f := eval[fit](screen, `new Promise((ok) => { let last = -1, same = 0, frames = 0; const settle = () => {
		const v = document.querySelector('.screen-fit'), h = v ? v.offsetHeight : 0;
		same = h === last ? same + 1 : 0; last = h; frames++;
		if (same < 2 && frames < 120) { requestAnimationFrame(settle); return; }
		requestAnimationFrame(() => requestAnimationFrame(() => {
		const d = document.documentElement, vh = innerHeight, vw = innerWidth;
		const hidden = (e) => !e.getClientRects().length || e.closest('.sr-only, .chart-data, .calms-table');
		const out = [...document.querySelectorAll('.screen *')].filter((e) => {
			if (hidden(e)) return false;
			const r = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect();
			return (r.bottom > vh + 1 && p.bottom <= vh + 1) || (r.right > vw + 1 && p.right <= vw + 1) || ((r.bottom > vh + 1 || r.right > vw + 1) && e.children.length === 0);
		}).concat([...document.querySelectorAll('.screen table')].filter((e) => !hidden(e) && e.getBoundingClientRect().width > e.parentElement.getBoundingClientRect().width + 1))
			.slice(0, 4).map((e) => e.tagName.toLowerCase() + '.' + String(e.className).replace(/\s+/g, '.') + ' bottom ' + Math.round(e.getBoundingClientRect().bottom) +
			' «' + e.textContent.replace(/\s+/g, ' ').slice(0, 50) + '»');
		const fit = document.querySelector('.screen-fit'), main = document.querySelector('.screen-main');
		const need = fit ? Math.round(main.getBoundingClientRect().top + fit.offsetHeight + 10) : d.scrollHeight;
		ok({ H: d.scrollHeight, W: d.scrollWidth, Need: need, Scale: fit ? Number(fit.dataset.scale || 1) : 1, Out: out });
	})); }; settle(); })`)
	t.Logf("projector at %s: page %d×%d px, view %d px tall unscaled, scale %.2f", step, f.W, f.H, f.Need, f.Scale)
	name := fmt.Sprintf("fit-%s-%s", screen.name, step)
	screen.shot(name)
	if int64(f.H) > projector.h || int64(f.W) > projector.w || len(f.Out) > 0 {
		t.Errorf("the projector does not fit the screen at %s: the page is %d×%d px on a %d×%d screen; sticking out: %v (screenshot %s.png)",
			step, f.W, f.H, projector.w, projector.h, f.Out, name)
	}
}

// openProjector opens the game's projector at 1920×1080, in English.
func openProjector(t *testing.T, b *browser, g protocol.CreateGameResponse, name string) *user {
	t.Helper()
	screen := b.newUser(name, projector)
	screen.open(fmt.Sprintf("/screen#g=%s&t=%s", g.GameID, g.ProjectorToken))
	return screen
}

func stageIs(screen *user, text string) {
	screen.waitJS(fmt.Sprintf(`(() => { const s = document.querySelector('[data-testid=stage]'); return !!s && s.innerText.includes(%q); })()`, text))
}

// projectorGame plays the default agenda and measures the projector at
// each step.
func projectorGame(ctx context.Context, t *testing.T, srv *testServer, b *browser, companies int) {
	pg := startPlayedGame(ctx, t, srv, protocol.CreateGameRequest{Title: "Projector check", Companies: companies, Lang: "en"})
	screen := openProjector(t, b, pg.g, fmt.Sprintf("projector-%d", companies))
	screen.waitText(fmt.Sprintf("%d players", 4*companies))
	fits(t, screen, "lobby")

	pg.pb.Start()
	pg.pb.WallNotes()
	screen.waitText("Passages de relais")
	fits(t, screen, "wall")

	pg.do(pg.fac, "phase.next", nil)
	pg.waitPhase(game.KindStudy)
	pg.pb.StudyWork()
	stageIs(screen, "Study")
	fits(t, screen, "study")

	pg.do(pg.fac, "phase.next", nil)
	pg.waitPhase(game.KindSprints)
	// Every sprint: the projector fills up as the game goes on
	// (capabilities, figures over more sprints).
	for pg.phaseKind() == game.KindSprints {
		n := pg.sprint().Sprint
		pg.playSprintWith(func() {
			// Every team's plan is set: the projector shows them all.
			stageIs(screen, fmt.Sprintf("Sprint %d of", n))
			stageIs(screen, "Planning")
			fits(t, screen, fmt.Sprintf("planning-%d", n))
		}, func() {
			if pg.sprint().Step == game.StepReview {
				stageIs(screen, "Review")
				fits(t, screen, fmt.Sprintf("review-%d", n))
			}
		})
	}

	projectorDebate(t, pg, screen)
}

// projectorDebate votes the motion, has the first team questioned (so
// that its rebuttal opens), measures the debate and the rebuttal, then
// goes through the other turns to the retrospective and its podium.
func projectorDebate(t *testing.T, pg *playedGame, screen *user) {
	pg.waitPhase(game.KindDebate)
	var debate game.DebateDoc
	pg.facDoc("debate", &debate)
	pg.do(pg.fac, "motion.set", map[string]string{"motionId": debate.Motions[0].ID})
	pg.do(pg.fac, "motion.open", map[string]string{"stage": "before"})
	for i, p := range pg.players {
		pg.do(p, "motion.vote", map[string]string{"vote": []string{"for", "against"}[i%2]})
	}
	pg.do(pg.fac, "motion.close", nil)
	presenter := fmt.Sprintf("%d/%s", debate.Order[0].Company, debate.Order[0].Team)
	asked := 0
	for i, key := range pg.teams {
		if key == presenter {
			continue
		}
		pg.do(pg.byTeam[key], "rating.submit", map[string]int{"clarity": 3 + i%3, "relevance": 4, "collaboration": 2 + i%4})
		if asked < 3 {
			pg.do(pg.byTeam[key], "question.ask", map[string]string{"text": fmt.Sprintf("How do you measure the lead time of a change, question %d?", asked+1)})
			asked++
		}
	}
	screen.waitText("question 3")
	fits(t, screen, "debate")
	pg.do(pg.fac, "phase.next", nil) // the rebuttal
	screen.waitJS(`!!document.querySelector('.rebuttal-now')`)
	fits(t, screen, "rebuttal")
	for pg.phaseKind() == game.KindDebate {
		pg.do(pg.fac, "phase.next", nil)
	}
	pg.waitPhase(game.KindRetro)
	pg.do(pg.fac, "motion.open", map[string]string{"stage": "after"})
	for i, p := range pg.players {
		pg.do(p, "motion.vote", map[string]string{"vote": []string{"for", "for", "against"}[i%3]})
	}
	pg.do(pg.fac, "motion.close", nil)
	screen.waitJS(`!!document.querySelector('.podium')`)
	fits(t, screen, "retro")
	// The podium names each part of its teams' final marks.
	// The podium rises (animations): a picture once it has.
	screen.waitJS(`document.getAnimations().every((a) => a.playState !== 'running')`)
	screen.shot(fmt.Sprintf("fit-%s-podium", screen.name))
	if !eval[bool](screen, `[...document.querySelectorAll('.podium-parts')].length >= 2 && document.querySelector('.podium-parts').innerText.includes('Objective')`) {
		t.Errorf("the projector's podium does not show the parts of each final mark")
	}
}

// projectorIncident plays sprints, the teams planning as in a real game
// (their capabilities fill the projector), until an incident strikes, and
// measures the projector during the incident, before and after the teams
// respond; a game without one after 12 sprints is replaced by a new one
// (a new seed).
func projectorIncident(ctx context.Context, t *testing.T, srv *testServer, b *browser, companies int) {
	agenda := json.RawMessage(`[{"kind":"lobby"},{"kind":"sprints","minutes":5,"sprints":12,"incidentMinutes":3},{"kind":"retro"}]`)
	for attempt := 0; attempt < 10; attempt++ {
		pg := startPlayedGame(ctx, t, srv, protocol.CreateGameRequest{Title: "Incident drill", Companies: companies, Lang: "en", Agenda: agenda})
		pg.do(pg.fac, "game.start", nil)
		found := false
		for !found && pg.phaseKind() == game.KindSprints {
			pg.playSprint(func() {
				if pg.sprint().Step != game.StepIncident {
					return
				}
				found = true
				screen := openProjector(t, b, pg.g, fmt.Sprintf("projector-incident-%d-%d", companies, attempt))
				screen.waitJS(`!!document.querySelector('.incident-banner')`)
				stageIs(screen, "Incident")
				fits(t, screen, "incident")
				// The teams' response chips fill in as they answer (all
				// but the PMs; playSprint then has every team answer
				// with its first response, so the last one here).
				for _, key := range pg.teams {
					var inc game.IncidentDoc
					if key[2:] != game.TeamPM && pg.sprint().Step == game.StepIncident && pg.facDoc("incident/"+key[:1], &inc) && inc.Alert != nil && len(inc.Alert.Options[key[2:]]) > 1 {
						opts := inc.Alert.Options[key[2:]]
						pg.do(pg.byTeam[key], "incident.respond", map[string]string{"responseId": opts[len(opts)-1].ID})
					}
				}
				if pg.sprint().Step == game.StepIncident {
					fits(t, screen, "incident-responses")
				}
			})
		}
		if found {
			return
		}
	}
	t.Error("no incident struck in 10 games of 12 sprints")
}
