package rules

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

type plans = map[string][]string

// play resolves one sprint and fails the test on error.
func play(t *testing.T, s *Scenario, c *Company, p plans) (*Company, *SprintResult) {
	t.Helper()
	next, res, err := ResolveSprint(s, c, SprintInput{Sprint: c.Sprint + 1, Seed: 7, Plans: p})
	if err != nil {
		t.Fatalf("sprint %d: %v", c.Sprint+1, err)
	}
	return next, res
}

func hasNotice(res *SprintResult, kind string) *Notice {
	for i := range res.Notices {
		if res.Notices[i].Kind == kind {
			return &res.Notices[i]
		}
	}
	return nil
}

func stageTime(r SprintRecord, stage string) float64 {
	for _, st := range r.Stream {
		if st.Stage == stage {
			return st.Time
		}
	}
	return -1
}

func TestStartingPoint(t *testing.T) {
	s := loadMinimal(t)
	c := NewCompany(s)
	m := c.History[0].Metrics
	// release: 10 h + 230 h is the slowest stage; 3 changes in progress.
	if m.Bottleneck != "release" || m.DeploysPerDay != 0.1 || m.LeadTimeHours != 720 {
		t.Errorf("start: bottleneck %s, %v deploys/day, lead time %v h; want release, 0.1, 720", m.Bottleneck, m.DeploysPerDay, m.LeadTimeHours)
	}
	if c.Sprint != 0 || len(c.History) != 1 || c.Capabilities == nil {
		t.Errorf("start: %+v", c)
	}
}

// Theory of constraints: speeding up a stage that is not the bottleneck
// changes neither deployments nor lead time nor value; speeding up the
// bottleneck does.
func TestOnlyTheBottleneckSetsTheFlow(t *testing.T) {
	s := loadMinimal(t)
	c := NewCompany(s)
	_, none := play(t, s, c, nil)
	_, ci := play(t, s, c, plans{"dev": {"setup_ci", "feature"}})
	_, feat := play(t, s, c, plans{"dev": {"feature"}})

	if stageTime(ci.Record, "build") >= stageTime(none.Record, "build") {
		t.Fatalf("CI did not speed up Build: %v vs %v", stageTime(ci.Record, "build"), stageTime(none.Record, "build"))
	}
	a, b := ci.Record.Metrics, feat.Record.Metrics
	if a.DeploysPerDay != b.DeploysPerDay || a.LeadTimeHours != b.LeadTimeHours || a.Value != b.Value {
		t.Errorf("a faster Build changed the flow: deploys %v vs %v, lead time %v vs %v, value %v vs %v",
			a.DeploysPerDay, b.DeploysPerDay, a.LeadTimeHours, b.LeadTimeHours, a.Value, b.Value)
	}
	n := hasNotice(ci, "not_the_bottleneck")
	if n == nil || n.Text.EN != "CI sped up Build, but Release is still the bottleneck (10 days a batch): this alone moves neither deployments nor lead time." ||
		strings.ReplaceAll(n.Text.FR, "\u00a0", " ") != "Grâce à « IC », l'étape « Construire » va plus vite, mais le goulot reste l'étape « Livrer » (10 jours par lot) : à elle seule, cette accélération ne change ni la fréquence de déploiement ni le délai de mise en production." {
		t.Errorf("no plain-words notice that Release is still the bottleneck: %+v", ci.Notices)
	}

	_, rel := play(t, s, c, plans{"ops": {"risky_release"}})
	if rel.Record.Metrics.DeploysPerDay <= none.Record.Metrics.DeploysPerDay ||
		rel.Record.Metrics.LeadTimeHours >= none.Record.Metrics.LeadTimeHours {
		t.Errorf("speeding up the bottleneck did not speed up the flow: %+v", rel.Record.Metrics)
	}
}

// ownAll plays the sprints that give the minimal scenario's company CI and
// automated tests.
func ownCIAndTests(t *testing.T, s *Scenario) *Company {
	c := NewCompany(s)
	c, _ = play(t, s, c, plans{"dev": {"setup_ci"}})
	c, _ = play(t, s, c, plans{"qa": {"write_tests"}})
	return c
}

func TestJointActionNeedsBothTeams(t *testing.T) {
	s := loadMinimal(t)
	c := ownCIAndTests(t, s)

	alone, res := play(t, s, c, plans{"dev": {"pipeline"}})
	if alone.Owns("delivery") || !slices.Equal(res.Record.Wasted, []string{"pipeline"}) || len(res.Record.Done) != 0 {
		t.Errorf("a joint action picked by Dev alone took effect: done %v, wasted %v", res.Record.Done, res.Record.Wasted)
	}
	if n := hasNotice(res, "joint_missing"); n == nil || !strings.Contains(n.Text.EN, "without Ops") {
		t.Errorf("no notice that Ops did not pick it: %+v", res.Notices)
	}

	both, res := play(t, s, c, plans{"dev": {"pipeline"}, "ops": {"pipeline"}})
	if !both.Owns("delivery") || !slices.Equal(res.Record.Acquired, []string{"delivery"}) {
		t.Errorf("both teams picked the joint action but it did not happen: %+v", res.Record)
	}
	if res.Record.Metrics.DeploysPerDay <= alone.Last().Metrics.DeploysPerDay {
		t.Errorf("continuous delivery did not raise deployments")
	}
	if both.Collaboration != 1 {
		t.Errorf("collaboration = %d, want 1", both.Collaboration)
	}
}

func TestValidatePlan(t *testing.T) {
	s := loadMinimal(t)
	start := NewCompany(s)
	withCI, _ := play(t, s, start, plans{"dev": {"setup_ci"}})
	tired := start.clone()
	tired.Unplanned["dev"] = 2
	tests := []struct {
		name    string
		c       *Company
		team    string
		actions []string
		code    string
		en      string
	}{
		{"ok", start, "dev", []string{"setup_ci", "feature"}, "", ""},
		{"empty plan", start, "qa", nil, "", ""},
		{"joint action by one team", ownCIAndTests(t, s), "dev", []string{"pipeline"}, "", ""},
		{"unknown team", start, "sec", nil, CodeUnknownTeam, `Unknown team "sec"`},
		{"unknown action", start, "dev", []string{"nope"}, CodeUnknownAction, `Unknown action "nope"`},
		{"other team's action", start, "dev", []string{"write_tests"}, CodeNotYourAction, "“Automate tests” is not in the Dev catalogue."},
		{"picked twice", start, "dev", []string{"feature", "feature"}, CodeDuplicateAction, "picked twice"},
		{"missing prerequisite", start, "qa", []string{"write_tests"}, CodeMissingPrereq, "“Automate tests” needs CI first"},
		{"already owned", withCI, "dev", []string{"setup_ci"}, CodeAlreadyOwned, "already has CI"},
		{"over capacity", tired, "dev", []string{"setup_ci", "feature"}, CodeOverCapacity, "costs 5 points but Dev has only 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePlan(s, tt.c, tt.team, tt.actions)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if e.Code != tt.code || !strings.Contains(e.EN, tt.en) || e.FR == "" || e.FR == e.EN {
				t.Errorf("got %+v, want code %s and English containing %q, with a French sentence", e, tt.code, tt.en)
			}
		})
	}
}

func TestResolveSprintRefusals(t *testing.T) {
	s := loadMinimal(t)
	c := NewCompany(s)
	tests := []struct {
		name string
		c    *Company
		in   SprintInput
		code string
	}{
		{"skipping a sprint", c, SprintInput{Sprint: 2}, CodeWrongSprint},
		{"replaying a sprint", c, SprintInput{Sprint: 0}, CodeWrongSprint},
		{"bad plan", c, SprintInput{Sprint: 1, Plans: plans{"qa": {"write_tests"}}}, CodeMissingPrereq},
		{"unknown team", c, SprintInput{Sprint: 1, Plans: plans{"sales": {}}}, CodeUnknownTeam},
	}
	pending, _ := play(t, s, c, plans{"ops": {"risky_release"}})
	tests = append(tests, struct {
		name string
		c    *Company
		in   SprintInput
		code string
	}{"incident pending", pending, SprintInput{Sprint: 2}, CodeIncidentPending})
	other := *c
	other.Scenario = "other"
	tests = append(tests, struct {
		name string
		c    *Company
		in   SprintInput
		code string
	}{"other scenario", &other, SprintInput{Sprint: 1}, CodeWrongScenario})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ResolveSprint(s, tt.c, tt.in)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Errorf("got %v, want code %s", err, tt.code)
			}
		})
	}
}

// The engine never changes the company it is given.
func TestResolveSprintLeavesItsInputAlone(t *testing.T) {
	s := loadMinimal(t)
	c := ownCIAndTests(t, s)
	before, _ := json.Marshal(c)
	next, _ := play(t, s, c, plans{"dev": {"pipeline", "feature"}, "ops": {"pipeline", "risky_release"}})
	if _, _, err := ResolveIncident(s, next, IncidentInput{Responses: map[string]string{"ops": "rollback"}, ResponseSeconds: 5}); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(c)
	if string(before) != string(after) {
		t.Error("ResolveSprint or ResolveIncident changed the company it was given")
	}
}

// Failed changes cost the next sprint capacity: firefighting.
func TestFirefightingEatsCapacity(t *testing.T) {
	s := loadEcommerce(t)
	c, res := play(t, s, NewCompany(s), nil)
	if c.Unplanned["dev"] == 0 || Capacity(s, c, "dev") >= s.Capacity || Capacity(s, c, "qa") != s.Capacity {
		t.Errorf("after %.1f h of downtime: unplanned %v", res.Record.Metrics.DowntimeHours, c.Unplanned)
	}
	if hasNotice(res, "capacity_lost") == nil {
		t.Error("no notice about the capacity lost")
	}
}

func TestSiloModeWeighsOnSharing(t *testing.T) {
	s := loadEcommerce(t)
	c := NewCompany(s)
	_, open, _ := ResolveSprint(s, c, SprintInput{Sprint: 1, Seed: 1})
	_, silo, _ := ResolveSprint(s, c, SprintInput{Sprint: 1, Seed: 1, Silo: true})
	if silo.Record.CALMS.Sharing >= open.Record.CALMS.Sharing {
		t.Errorf("sharing in silo mode %v, with open plans %v", silo.Record.CALMS.Sharing, open.Record.CALMS.Sharing)
	}
	if !slices.ContainsFunc(silo.Rules, func(r FiredRule) bool { return r.ID == "silo_mode" && r.Explain.FR != "" }) {
		t.Errorf("the silo rule did not fire with its explanation: %+v", silo.Rules)
	}
}

// Every metric change is split into causes that add up to the whole change,
// each told in both languages.
func TestExplanationsAddUp(t *testing.T) {
	s := loadEcommerce(t)
	c := NewCompany(s)
	c, _ = play(t, s, c, plans{"dev": {"dev_ci"}, "qa": {"qa_load"}, "ops": {"ops_monitoring"}, "pm": {"pm_wip"}})
	if c.Pending != nil {
		c, _, _ = ResolveIncident(s, c, IncidentInput{ResponseSeconds: 30})
	}
	c, _ = play(t, s, c, plans{"qa": {"qa_regression"}, "ops": {"ops_freeze"}})
	if c.Pending != nil {
		c, _, _ = ResolveIncident(s, c, IncidentInput{ResponseSeconds: 30})
	}
	_, res := play(t, s, c, plans{"dev": {"cd_pipeline"}, "ops": {"cd_pipeline"}})
	if len(res.Metrics) < 4 {
		t.Fatalf("only %d metrics changed", len(res.Metrics))
	}
	var lead *MetricChange
	for i := range res.Metrics {
		mc := &res.Metrics[i]
		sum := 0.0
		for _, cause := range mc.Causes {
			sum += cause.Delta
			if cause.Text.EN == "" || cause.Text.FR == "" || cause.Name.EN == "" {
				t.Errorf("%s: cause without text: %+v", mc.Metric, cause)
			}
		}
		if math.Abs(sum-(mc.After-mc.Before)) > 1e-3*math.Max(1, math.Abs(mc.After)) {
			t.Errorf("%s: causes add up to %v, the change is %v", mc.Metric, sum, mc.After-mc.Before)
		}
		if mc.Metric == "leadTimeHours" {
			lead = mc
		}
	}
	if lead == nil || lead.TierBefore != Low {
		t.Fatalf("lead time change: %+v", lead)
	}
	found := false
	for _, cause := range lead.Causes {
		if cause.Source == "capability:continuous_delivery" && cause.Text.EN == "−68.5 days · Continuous delivery (Dev and Ops, sprint 3)" &&
			strings.ReplaceAll(cause.Text.FR, "\u00a0", " ") == "−68,5 j · Livraison continue (Dev et Ops, sprint 3)" {
			found = true
		}
	}
	if !found {
		t.Errorf("continuous delivery is not credited with the lead time drop: %+v", lead.Causes)
	}
	// One-off actions of last sprint stop applying, and say so.
	if !slices.ContainsFunc(res.Figures, func(f FigureChange) bool {
		return f.Figure == "stage.release.wait" && slices.ContainsFunc(f.Causes, func(c Cause) bool {
			return c.Source == "action:ops_freeze" && strings.Contains(c.Text.EN, "no longer applies")
		})
	}) {
		t.Errorf("the end of the change freeze is not explained: %+v", res.Figures)
	}
}

func TestTiers(t *testing.T) {
	s := loadEcommerce(t)
	tests := []struct {
		m    Metrics
		want Tiers
	}{
		{Metrics{LeadTimeHours: 23.9, DeploysPerDay: 2, ChangeFailureRate: 0.149, TimeToRestoreHours: 0.99}, Tiers{Elite, Elite, Elite, Elite}},
		{Metrics{LeadTimeHours: 24, DeploysPerDay: 1.99, ChangeFailureRate: 0.15, TimeToRestoreHours: 1}, Tiers{High, High, High, High}},
		{Metrics{LeadTimeHours: 168, DeploysPerDay: 0.1, ChangeFailureRate: 0.2, TimeToRestoreHours: 24}, Tiers{Medium, Medium, Medium, Medium}},
		{Metrics{LeadTimeHours: 720, DeploysPerDay: 0.03, ChangeFailureRate: 0.3, TimeToRestoreHours: 168}, Tiers{Low, Low, Low, Low}},
	}
	for _, tt := range tests {
		if got := s.TiersOf(tt.m); got != tt.want {
			t.Errorf("TiersOf(%+v) = %+v, want %+v", tt.m, got, tt.want)
		}
	}
}

// A game with fewer sprints than the scenario's default still has its
// Black Friday in the sprint before the last.
func TestGameLengthMovesBlackFriday(t *testing.T) {
	s := loadEcommerce(t)
	c := NewCompany(s)
	for sprint := 1; sprint <= 4; sprint++ {
		next, res, err := ResolveSprint(s, c, SprintInput{Sprint: sprint, Seed: 3, Sprints: 5})
		if err != nil {
			t.Fatal(err)
		}
		bf := res.Incident != nil && res.Incident.ID == "black_friday"
		if bf != (sprint == 4) {
			t.Errorf("sprint %d of 5: Black Friday %v", sprint, bf)
		}
		c = next
		if c.Pending != nil {
			c, _, _ = ResolveIncident(s, c, IncidentInput{ResponseSeconds: 10, Seed: 3})
		}
	}
}
