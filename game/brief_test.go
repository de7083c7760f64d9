package game

import (
	"slices"
	"testing"

	"devopschallenge/game/rules"
)

// Each team reads a brief that walks it through the six study steps of the
// course (needs, architecture, deployment and configuration, test
// automation, monitoring, continuous improvement): what to look at, a case
// from the E-commerce Platform, the course notions and the questions for
// the worksheet, in both languages. The PM team is project management.
func TestEveryTeamBriefHasTheSixStudySteps(t *testing.T) {
	g := newTestGame(t, Settings{}, nil)
	ids := map[string]string{}
	for _, team := range Teams {
		ids[team] = g.join("p-"+team, team)
	}
	if _, ok := g.e.Doc(g.s, g.s.ViewerOf(player(ids[TeamDev])), "brief/dev"); ok {
		t.Error("the brief is sent before the study")
	}
	g.must(fac, "game.start", nil)
	g.must(fac, "phase.next", nil) // the study
	product := g.e.scenario(g.s).Product
	var steps []string
	for _, st := range product.StudySteps {
		steps = append(steps, st.ID)
		if st.Name.EN == "" || st.Name.FR == "" {
			t.Errorf("study step %s has no name in both languages", st.ID)
		}
	}
	if want := []string{"needs", "architecture", "deployment", "testing", "monitoring", "improvement"}; !slices.Equal(steps, want) {
		t.Fatalf("the product's study steps are %v, want %v", steps, want)
	}
	both := func(team, what string, x rules.Text) {
		if x.EN == "" || x.FR == "" {
			t.Errorf("team %s: %s is not in both languages: %+v", team, what, x)
		}
	}
	for _, team := range Teams {
		d, ok := g.e.Doc(g.s, g.s.ViewerOf(player(ids[team])), "brief/"+team)
		if !ok {
			t.Fatalf("team %s sees no brief", team)
		}
		b := d.(*rules.TeamBrief)
		var got []string
		for _, st := range b.Study {
			got = append(got, st.Step)
			both(team, st.Step+" look", st.Look)
			both(team, st.Step+" case", st.Case)
			if len(st.Notions) == 0 || len(st.Questions) == 0 {
				t.Errorf("team %s, step %s: %d notions, %d questions", team, st.Step, len(st.Notions), len(st.Questions))
			}
			for _, n := range st.Notions {
				both(team, st.Step+" notion", n)
			}
			for _, q := range st.Questions {
				both(team, st.Step+" question", q)
			}
		}
		if !slices.Equal(got, steps) {
			t.Errorf("team %s studies %v, want the six steps %v", team, got, steps)
		}
		both(team, "mission", b.Mission)
		if _, ok := g.e.Doc(g.s, g.s.ViewerOf(player(ids[team])), "brief/dev"); ok != (team == TeamDev) {
			t.Errorf("team %s sees Dev's brief: %v", team, ok)
		}
	}
	pm := g.e.scenario(g.s).Teams.Get(TeamPM)
	if pm.Name.EN != "Project management" || pm.Name.FR != "Gestion de projet" {
		t.Errorf("the PM team is called %+v; the course's team is project management", pm.Name)
	}
}
