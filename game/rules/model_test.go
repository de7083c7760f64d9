package rules

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// outcomeWith evaluates the E-commerce Platform at its start with extra
// effects on top.
func outcomeWith(s *Scenario, extra ...Applied) Metrics {
	c := NewCompany(s)
	effs := append(append([]Applied{}, c.Effects...), extra...)
	return s.evaluate(effs, carry{Debt: c.Debt}, nil).metrics
}

// DORA's central finding: the same work shipped in more, smaller
// deployments fails less often, hurts less and is restored faster.
func TestSmallerBatchesFailLessAndHurtLess(t *testing.T) {
	s := loadEcommerce(t)
	work := Applied{Source: "action:x", Target: "features", Op: "add", Value: 15}
	monthly := outcomeWith(s, work)
	for _, faster := range []float64{0.5, 0.2} {
		m := outcomeWith(s, work, Applied{Source: "action:y", Target: "stage.release.wait", Op: "mul", Value: faster})
		if !(m.DeploysPerDay > monthly.DeploysPerDay && m.BatchSize < monthly.BatchSize) {
			t.Fatalf("release wait ×%v: %v deploys/day, batch %v", faster, m.DeploysPerDay, m.BatchSize)
		}
		if m.ChangeFailureRate >= monthly.ChangeFailureRate || m.TimeToRestoreHours >= monthly.TimeToRestoreHours || m.DowntimeHours >= monthly.DowntimeHours {
			t.Errorf("release wait ×%v: change failure rate %v → %v, time to restore %v → %v, downtime %v → %v; all should fall",
				faster, monthly.ChangeFailureRate, m.ChangeFailureRate, monthly.TimeToRestoreHours, m.TimeToRestoreHours, monthly.DowntimeHours, m.DowntimeHours)
		}
		monthly = m
	}
	// The same deployments carrying more work fail more.
	more := outcomeWith(s, Applied{Source: "action:x", Target: "features", Op: "add", Value: 30})
	if less := outcomeWith(s, work); more.ChangeFailureRate <= less.ChangeFailureRate || more.BatchSize <= less.BatchSize {
		t.Errorf("twice the work per deployment: failure rate %v vs %v", more.ChangeFailureRate, less.ChangeFailureRate)
	}
}

func TestUpkeepTakesCapacity(t *testing.T) {
	s := loadEcommerce(t)
	c := NewCompany(s)
	c, _ = play(t, s, c, plans{"ops": {"ops_monitoring"}, "dev": {"dev_ci"}})
	if c.Pending != nil {
		c, _, _ = ResolveIncident(s, c, IncidentInput{ResponseSeconds: 10})
	}
	up := UpkeepOf(s, c, "ops")
	if len(up) != 1 || up[0].Capability != "monitoring" || up[0].Points != 1 {
		t.Fatalf("Ops upkeep: %+v", up)
	}
	if got, want := Capacity(s, c, "ops"), s.Capacity-c.Unplanned["ops"]-1; got != want {
		t.Errorf("Ops capacity %d, want %d", got, want)
	}
	if Capacity(s, c, "pm") != s.Capacity {
		t.Errorf("PM keeps no capability running but has %d", Capacity(s, c, "pm"))
	}
}

// Black Friday is in the calendar: the teams learn one sprint ahead.
func TestBlackFridayIsAnnounced(t *testing.T) {
	s := loadEcommerce(t)
	c := NewCompany(s)
	for sprint := 1; sprint <= s.Sprints; sprint++ {
		up := Upcoming(s, c, 0)
		announced := len(up) == 1 && up[0].Incident == "black_friday" && up[0].Sprint == sprint && up[0].Name.FR != ""
		if announced != (sprint == s.Sprints-1) {
			t.Errorf("planning sprint %d: announced %+v", sprint, up)
		}
		next, res := play(t, s, c, nil)
		if (res.Incident != nil && res.Incident.ID == "black_friday") != announced {
			t.Errorf("sprint %d: Black Friday struck %v, was announced %v", sprint, res.Incident != nil, announced)
		}
		c = next
		if c.Pending != nil {
			c, _, _ = ResolveIncident(s, c, IncidentInput{ResponseSeconds: 10})
		}
	}
}

// pendingCVE gives a company the critical CVE to answer.
func pendingCVE(s *Scenario) *Company {
	c := NewCompany(s)
	c.Sprint = 1
	c.History = append(c.History, copyRecord(c.History[0]))
	c.History[1].Sprint = 1
	c.Pending = &PendingIncident{ID: "critical_cve", Sprint: 1, DetectMinutes: 2880, RepairMinutes: 600}
	c.Incidents = []IncidentRecord{{ID: "critical_cve", Kind: "security", Sprint: 1, Responses: map[string]string{}}}
	c.Seen = map[string]int{"critical_cve": 1}
	return c
}

// A vulnerability is an exposure until patched, not an outage; taking the
// shop offline closes the exposure at the price of downtime.
func TestCVEIsExposure(t *testing.T) {
	s := loadEcommerce(t)
	c := pendingCVE(s)
	open, r := resolve(t, s, c, IncidentInput{Responses: map[string]string{"dev": "manual_patch"}, ResponseSeconds: 30, Seed: 1})
	m := open.Last().Metrics
	if r.Kind != "security" || r.DowntimeMinutes != 0 || r.ExposureMinutes != r.RestoreMinutes || m.ExposureHours != round4(r.ExposureMinutes/60) ||
		m.DowntimeMinutes != c.Last().Metrics.DowntimeMinutes || m.IncidentHours != 0 {
		t.Errorf("CVE: %+v; sprint %+v", r, m)
	}
	closed, rc := resolve(t, s, c, IncidentInput{Responses: map[string]string{"dev": "manual_patch", "ops": "ops_take_down"}, ResponseSeconds: 30, Seed: 1})
	if rc.ExposureMinutes >= r.ExposureMinutes || rc.DowntimeMinutes != rc.RepairMinutes || closed.Last().Metrics.DowntimeMinutes <= m.DowntimeMinutes {
		t.Errorf("offline: exposure %v (was %v), downtime %v, repair %v", rc.ExposureMinutes, r.ExposureMinutes, rc.DowntimeMinutes, rc.RepairMinutes)
	}
	if open.Score >= c.Score {
		t.Errorf("an exposure cost nothing: %v → %v", c.Score, open.Score)
	}
}

// Each response tells what it saved or cost; blame is remembered and slows
// the next decisions.
func TestResponseEffectsAndBlame(t *testing.T) {
	s := loadMinimal(t)
	c, _ := outage(t, s, NewCompany(s))
	next, r := resolve(t, s, c, IncidentInput{Responses: map[string]string{"ops": "rollback", "qa": "check", "pm": "blame", "dev": "hotfix"}, ResponseSeconds: 20, Seed: 4})
	by := map[string]ResponseEffect{}
	for _, e := range r.Responses {
		by[e.Team] = e
	}
	if e := by["ops"]; !e.Helped || e.RestoreMinutes >= 0 || e.DowntimeMinutes >= 0 || !strings.Contains(e.Text.EN, "saved") || !strings.Contains(e.Text.FR, "en moins") {
		t.Errorf("rollback: %+v", e)
	}
	if e := by["pm"]; e.RestoreMinutes <= 0 || !strings.Contains(e.Text.EN, "cost") {
		t.Errorf("blame: %+v", e)
	}
	if e := by["dev"]; e.Helped || e.Text.EN == "" {
		t.Errorf("a response the company cannot use: %+v", e)
	}
	if next.Blames != 1 {
		t.Errorf("blames = %d", next.Blames)
	}
}

// What a company does not measure, its players see as estimates.
func TestObservedShowsEstimatesWithoutMeasurement(t *testing.T) {
	s := loadEcommerce(t)
	c := NewCompany(s)
	blind := Observed(s, c, *c.Last())
	exact := c.Last()
	if blind.Metrics.Bottleneck != "" || blind.Stream[4].Time != Estimate(exact.Stream[4].Time) {
		t.Errorf("without value stream mapping: bottleneck %q, release %v (exact %v)", blind.Metrics.Bottleneck, blind.Stream[4].Time, exact.Stream[4].Time)
	}
	if blind.Metrics.LeadTimeHours != 3000 || blind.Metrics.ChangeFailureRate != Estimate(exact.Metrics.ChangeFailureRate) {
		t.Errorf("without monitoring: lead time %v, change failure rate %v", blind.Metrics.LeadTimeHours, blind.Metrics.ChangeFailureRate)
	}
	seen, _ := play(t, s, c, plans{"pm": {"pm_vsm"}, "ops": {"ops_monitoring"}})
	if o := Observed(s, seen, *seen.Last()); o.Metrics.Bottleneck == "" || o.Metrics != seen.Last().Metrics {
		t.Errorf("measured: %+v vs %+v", o.Metrics, seen.Last().Metrics)
	}
	for _, tt := range []struct{ in, want float64 }{{3392, 3000}, {0.0283, 0.03}, {0.352, 0.4}, {176.2, 200}, {0, 0}, {0.96, 1}} {
		if got := Estimate(tt.in); got != tt.want {
			t.Errorf("Estimate(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// Skipped post-mortems let an incident come back more often; accepted
// ones make it rarer.
func TestPostmortemsChangeRepeats(t *testing.T) {
	s := loadEcommerce(t)
	c := NewCompany(s)
	c.Seen = map[string]int{"payment_outage": 1}
	if f := s.repeatChance(c, "payment_outage"); f != 2 {
		t.Errorf("unlearned: ×%v, want ×2", f)
	}
	c.Learned = map[string]int{"payment_outage": 1}
	if f := s.repeatChance(c, "payment_outage"); f != 0.5 {
		t.Errorf("learned: ×%v, want ×0.5", f)
	}
}

func TestTiersCluster(t *testing.T) {
	for _, tt := range []struct {
		t    Tiers
		want Tier
	}{
		{Tiers{Elite, Elite, High, Low}, Elite},
		{Tiers{Elite, High, High, Low}, High},
		{Tiers{Elite, High, Medium, Low}, Low},
		{Tiers{Medium, Medium, Low, Low}, Low},
		{Tiers{Medium, Medium, Medium, Elite}, Medium},
	} {
		if got := tt.t.Cluster(); got != tt.want {
			t.Errorf("%+v: cluster %s, want %s", tt.t, got, tt.want)
		}
	}
}

func TestStrategyFiles(t *testing.T) {
	s := loadEcommerce(t)
	good := []byte(`name: mine
plans:
  dev: [dev_ci, {action: feat_story, when: "has.ci"}, {tag: feature}]
  ops: [cd_pipeline]
  qa: []
incidents:
  seconds: 20
  responses:
    ops: [scale_out, rollback_nothing_else]
  postmortems: true
`)
	if _, err := ParseStrategy("mine.yaml", good, s); err == nil || !strings.Contains(err.Error(), `mine.yaml:9: incidents.responses.ops: no incident of scenario ecommerce-platform has a response "rollback_nothing_else" for ops`) {
		t.Errorf("unknown response: %v", err)
	}
	good = []byte(strings.Replace(string(good), ", rollback_nothing_else", "", 1))
	sp, err := ParseStrategy("mine.yaml", good, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Plans.Dev) != 3 || sp.Plans.Dev[0].Action != "dev_ci" || sp.Plans.Dev[1].When == nil || sp.Plans.Dev[2].Tag != "feature" {
		t.Errorf("decoded: %+v", sp.Plans.Dev)
	}
	bad := []byte(`name: Mine
plans:
  dev: [dev_cii, ops_kubernetes, {tag: shiny}, {action: dev_ci, when: "has.nothing"}, {action: dev_ci, tag: feature}]
  sec: [x]
incidents:
  seconds: many
  otherwise: pray
`)
	_, err = ParseStrategy("bad.yaml", bad, s)
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("bad strategy: %v", err)
	}
	for _, want := range []string{
		`bad.yaml:1: strategy name "Mine" must start with a lowercase letter`,
		`bad.yaml:3: plans.dev[0]: unknown action "dev_cii" in scenario ecommerce-platform`,
		`bad.yaml:3: plans.dev[1]: action "ops_kubernetes" is not in the dev catalogue (it belongs to ops)`,
		`bad.yaml:3: plans.dev[2]: unknown tag "shiny"`,
		`bad.yaml:3: plans.dev[3]: when: unknown capability "nothing" in has.nothing`,
		`bad.yaml:3: plans.dev[4]: give either an action or a tag`,
		`bad.yaml:4: plans: unknown field "sec"`,
		`bad.yaml:6: incidents.seconds: expected a number, found "many"`,
		`bad.yaml:7: incidents.otherwise: unknown value "pray" (use best or none)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if _, err := ParseStrategy("x.yaml", []byte("name: [unclosed"), s); err == nil || !strings.HasPrefix(err.Error(), "x.yaml:1: YAML syntax") {
		t.Errorf("syntax error: %v", err)
	}
}

// The projector sees the flow of a capability the way the engine does.
func TestProjectorAgreesWithTheEngine(t *testing.T) {
	s := loadEcommerce(t)
	c, _ := play(t, s, NewCompany(s), plans{"pm": {"pm_vsm"}, "ops": {"ops_monitoring"}})
	if c.Pending != nil {
		c, _, _ = ResolveIncident(s, c, IncidentInput{ResponseSeconds: 10})
	}
	p, err := NewProjector(s, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, res := play(t, s, c, plans{"pm": {"pm_wip"}})
	got := p.With("wip_limits").Metrics
	want := res.Record.Metrics
	if math.Abs(got.LeadTimeHours-want.LeadTimeHours) > 1e-3 || math.Abs(got.DeploysPerDay-want.DeploysPerDay) > 1e-3 {
		t.Errorf("projected %v h, %v/day; played %v h, %v/day", got.LeadTimeHours, got.DeploysPerDay, want.LeadTimeHours, want.DeploysPerDay)
	}
}

// The projector's fast score reads every number of Metrics.
func TestMetricValuesListsEveryFigure(t *testing.T) {
	n := 0
	rt := reflect.TypeOf(Metrics{})
	for i := range rt.NumField() {
		if rt.Field(i).Type.Kind() == reflect.Float64 {
			n++
		}
	}
	if n != metricFields {
		t.Errorf("Metrics has %d numbers, metricValues lists %d", n, metricFields)
	}
	if s := loadEcommerce(t); !s.idx.linear.ok || s.idx.linear.metrics[16] != 6 {
		t.Errorf("the E-commerce score is linear in value (×6): %+v", s.idx.linear)
	}
}
