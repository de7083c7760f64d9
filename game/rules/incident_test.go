package rules

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// outage plays the minimal scenario's risky release, which always causes an
// outage; extra is added to Ops' plan.
func outage(t *testing.T, s *Scenario, c *Company, extra ...string) (*Company, *SprintResult) {
	t.Helper()
	next, res := play(t, s, c, plans{"ops": append([]string{"risky_release"}, extra...)})
	if next.Pending == nil || res.Incident == nil || res.Incident.ID != "outage" {
		t.Fatalf("no outage: %+v", res.Incident)
	}
	return next, res
}

func resolve(t *testing.T, s *Scenario, c *Company, in IncidentInput) (*Company, *IncidentResult) {
	t.Helper()
	next, res, err := ResolveIncident(s, c, in)
	if err != nil {
		t.Fatal(err)
	}
	return next, res
}

func TestIncidentAlertListsEachTeamsOptions(t *testing.T) {
	s := loadMinimal(t)
	_, res := outage(t, s, NewCompany(s))
	a := res.Incident
	if len(a.Options["ops"]) != 2 || len(a.Options["pm"]) != 2 || a.Detected.EN == "" || a.Detected.FR == "" {
		t.Errorf("alert: %+v", a)
	}
	for _, o := range a.Options["dev"] {
		if o.ID == "hotfix" && (o.Available || len(o.Missing) != 1 || o.Missing[0] != "delivery") {
			t.Errorf("the hotfix needs continuous delivery, which the company lacks: %+v", o)
		}
	}
}

// Monitoring cuts the time an incident goes unnoticed, and so its downtime.
func TestMonitoringShortensDetection(t *testing.T) {
	s := loadMinimal(t)
	blind, _ := outage(t, s, NewCompany(s))
	watched, _ := outage(t, s, NewCompany(s), "add_monitoring")
	if blind.Pending.DetectMinutes != 600 || watched.Pending.DetectMinutes != 60 {
		t.Fatalf("detection: %v min without monitoring, %v with; want 600 and 60", blind.Pending.DetectMinutes, watched.Pending.DetectMinutes)
	}
	in := IncidentInput{Responses: map[string]string{"ops": "rollback"}, ResponseSeconds: 30, Seed: 1}
	_, rb := resolve(t, s, blind, in)
	_, rw := resolve(t, s, watched, in)
	if rw.DowntimeMinutes >= rb.DowntimeMinutes || math.Abs(rb.RestoreMinutes-rw.RestoreMinutes-540) > 1e-6 {
		t.Errorf("restore %v min with monitoring, %v without", rw.RestoreMinutes, rb.RestoreMinutes)
	}
}

// The real time players take to respond counts, minute for second in this
// scenario.
func TestResponseTimeCounts(t *testing.T) {
	s := loadMinimal(t)
	c, _ := outage(t, s, NewCompany(s))
	fast, rf := resolve(t, s, c, IncidentInput{Responses: map[string]string{"ops": "rollback"}, ResponseSeconds: 10, Seed: 3})
	slow, rs := resolve(t, s, c, IncidentInput{Responses: map[string]string{"ops": "rollback"}, ResponseSeconds: 70, Seed: 3})
	if math.Abs(rs.RestoreMinutes-rf.RestoreMinutes-60) > 1e-6 || rf.ResponseMinutes != 10 {
		t.Errorf("restore %v min after 10 s, %v min after 70 s", rf.RestoreMinutes, rs.RestoreMinutes)
	}
	if slow.Last().Metrics.Availability >= fast.Last().Metrics.Availability || slow.Score >= fast.Score {
		t.Errorf("responding slower did not cost availability and score")
	}
}

func TestResponsesChangeTheRepair(t *testing.T) {
	s := loadMinimal(t)
	c, _ := outage(t, s, NewCompany(s))
	base := IncidentInput{ResponseSeconds: 0, Seed: 9}
	_, none := resolve(t, s, c, base)
	good := base
	good.Responses = map[string]string{"ops": "rollback", "dev": "hotfix", "qa": "check", "pm": "blame"}
	after, r := resolve(t, s, c, good)
	// rollback ×0.5, hotfix impossible without delivery, check +10 min, blame ×1.2.
	ratio := (r.RepairMinutes) / (none.RepairMinutes)
	want := (100*0.5*1.2 + 10) / 100
	if math.Abs(ratio-want) > 1e-3 {
		t.Errorf("repair %v min vs %v min with no response: ratio %v, want %v", r.RepairMinutes, none.RepairMinutes, ratio, want)
	}
	var impossible, blamed bool
	for _, st := range r.Steps {
		impossible = impossible || (st.Kind == "response_impossible" && strings.Contains(st.Text.EN, "lacks Continuous delivery"))
	}
	blamed = after.Last().CALMS.Culture < c.Last().CALMS.Culture
	if !impossible || !blamed {
		t.Errorf("steps %+v; culture %v → %v", r.Steps, c.Last().CALMS.Culture, after.Last().CALMS.Culture)
	}
	if hasStep(none.Steps, "no_response") != 4 {
		t.Errorf("teams that did not answer are not reported: %+v", none.Steps)
	}
}

func hasStep(steps []Notice, kind string) int {
	n := 0
	for _, s := range steps {
		if s.Kind == kind {
			n++
		}
	}
	return n
}

// The incident's downtime, time to restore, tiers and scores land in the
// sprint it struck, and the company score stays the sum of its sprints.
func TestIncidentUpdatesTheSprint(t *testing.T) {
	s := loadMinimal(t)
	c, sr := outage(t, s, NewCompany(s))
	next, r := resolve(t, s, c, IncidentInput{Responses: map[string]string{"ops": "wait"}, ResponseSeconds: 60, Seed: 5})
	rec := next.Last()
	m := rec.Metrics
	if m.DowntimeMinutes <= sr.Record.Metrics.DowntimeMinutes || m.IncidentHours != round4(r.RestoreMinutes/60) {
		t.Errorf("the sprint did not take the incident in: %+v", m)
	}
	// The time to restore after failed deployments is told apart: an
	// incident never changes it (and so never lowers it).
	if m.TimeToRestoreHours != sr.Record.Metrics.TimeToRestoreHours {
		t.Errorf("the incident changed the time to restore after failed deployments: %v → %v", sr.Record.Metrics.TimeToRestoreHours, m.TimeToRestoreHours)
	}
	if math.Abs(m.DowntimeMinutes-sr.Record.Metrics.DowntimeMinutes-r.DowntimeMinutes) > 1e-3 || r.DowntimeMinutes != round4(r.RestoreMinutes*0.5) {
		t.Errorf("downtime %v → %v, incident %v (restore %v × impact 0.5)", sr.Record.Metrics.DowntimeMinutes, m.DowntimeMinutes, r.DowntimeMinutes, r.RestoreMinutes)
	}
	sum := 0.0
	for _, h := range next.History {
		sum += h.Score.Company
	}
	if math.Abs(sum-next.Score) > 1e-3 || next.Score >= c.Score {
		t.Errorf("company score %v, sum of sprints %v, before the incident %v", next.Score, sum, c.Score)
	}
	if next.Pending != nil || !next.Incidents[0].Resolved || next.Unplanned["ops"] < c.Unplanned["ops"]+1 && next.Unplanned["ops"] < s.Capacity-s.MinCapacity {
		t.Errorf("after the incident: pending %v, record %+v, unplanned %v", next.Pending, next.Incidents[0], next.Unplanned)
	}
	if len(r.Metrics) == 0 || r.Metrics[0].Causes[0].Source != "incident:outage" {
		t.Errorf("metric changes are not credited to the incident: %+v", r.Metrics)
	}
}

func TestResolveIncidentRefusals(t *testing.T) {
	s := loadMinimal(t)
	calm := NewCompany(s)
	hit, _ := outage(t, s, NewCompany(s))
	tests := []struct {
		name string
		c    *Company
		in   IncidentInput
		code string
	}{
		{"no incident", calm, IncidentInput{}, CodeNoIncident},
		{"unknown response", hit, IncidentInput{Responses: map[string]string{"ops": "pray"}}, CodeUnknownResponse},
		{"another team's response", hit, IncidentInput{Responses: map[string]string{"dev": "rollback"}}, CodeUnknownResponse},
		{"unknown team", hit, IncidentInput{Responses: map[string]string{"sec": "rollback"}}, CodeUnknownTeam},
		{"negative time", hit, IncidentInput{ResponseSeconds: -1}, CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ResolveIncident(s, tt.c, tt.in)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.FR == "" {
				t.Errorf("got %v, want code %s", err, tt.code)
			}
		})
	}
}

// loadMinimalLearning is the minimal scenario with a score part for
// learning, so that a post-mortem earns points.
func loadMinimalLearning(t *testing.T) *Scenario {
	t.Helper()
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	part := "    - id: learning\n      name: {en: \"Learning\", fr: \"Apprentissage\"}\n      points: \"0.1 * metrics.learning\"\n  marks:"
	src := strings.Replace(string(data), "\n  marks:", "\n"+part, 1)
	s, err := Load(fstest.MapFS{"minimal.yaml": {Data: []byte(src)}}, "minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPostmortem(t *testing.T) {
	s := loadMinimalLearning(t)
	c, _ := outage(t, s, NewCompany(s), "add_monitoring")
	pm := Postmortem{Incident: 0, WhatHappened: "The Friday release broke checkout.", Why: "No checks.", Change: "Release with the pipeline."}
	if _, _, err := ApplyPostmortem(s, c, pm); err == nil {
		t.Error("a post-mortem was accepted before the incident was resolved")
	}
	c, _ = resolve(t, s, c, IncidentInput{Responses: map[string]string{"ops": "rollback"}, ResponseSeconds: 20})
	empty := pm
	empty.Why = "  "
	if _, _, err := ApplyPostmortem(s, c, empty); err == nil || err.(*Error).Code != CodeBadPostmortem {
		t.Errorf("a post-mortem without its why was accepted: %v", err)
	}
	next, res, err := ApplyPostmortem(s, c, pm)
	if err != nil {
		t.Fatal(err)
	}
	// 2 points, plus 1 because the company owns the practice (monitoring here).
	if res.Learning != 3 || next.Learning != c.Learning+3 || next.Last().Metrics.Learning != c.Last().Metrics.Learning+3 {
		t.Errorf("learning %v; company %v → %v", res.Learning, c.Learning, next.Learning)
	}
	cost, err := s.incidentCost(c, c.Incidents[0])
	if err != nil || cost <= 0 || next.Score-c.Score > cost {
		t.Errorf("the post-mortem earned %v points for an incident that cost %v (%v)", next.Score-c.Score, cost, err)
	}
	// A post-mortem never earns more than its incident cost: of an
	// incident that kept the shop down one minute, it earns almost nothing.
	cheap := c.clone()
	cheap.Incidents[0].DowntimeMinutes, cheap.Incidents[0].ExposureMinutes = 1, 0
	if cost, _ := s.incidentCost(cheap, cheap.Incidents[0]); cost <= 0 || cost >= 1 {
		t.Errorf("one minute of downtime costs %v points", cost)
	} else if after, r, err := ApplyPostmortem(s, cheap, pm); err != nil || after.Score-cheap.Score > cost+1e-4 || r.Learning >= 1 || r.Text.EN == res.Text.EN {
		t.Errorf("post-mortem of a one-minute incident: %v points for a cost of %v, learning %v, %q (%v)", after.Score-cheap.Score, cost, r.Learning, r.Text.EN, err)
	}
	if next.Postmortems != 1 || next.Learned["outage"] != 1 || !next.Incidents[0].Postmortem || res.Text.FR == "" {
		t.Errorf("post-mortem not recorded: %+v", next)
	}
	if _, _, err := ApplyPostmortem(s, next, pm); err == nil {
		t.Error("a second post-mortem of the same incident was accepted")
	}
	if _, _, err := ApplyPostmortem(s, next, Postmortem{Incident: 5, WhatHappened: "a", Why: "b", Change: "c"}); err == nil {
		t.Error("a post-mortem of an unknown incident was accepted")
	}
	// The same incident is now half as likely.
	_, again := play(t, s, next, plans{"ops": {"risky_release"}})
	if len(again.Risks) != 1 || again.Risks[0].Chance != 0.5 {
		t.Errorf("risks after the post-mortem: %+v", again.Risks)
	}
}
