package rules_test

import (
	"testing"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

// midGame returns a company after three sprints of sensible play.
func midGame(b *testing.B) (*rules.Scenario, *rules.Company) {
	scn, err := rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		b.Fatal(err)
	}
	c := rules.NewCompany(scn)
	plans := []map[string][]string{
		{"dev": {"dev_ci", "feat_story"}, "ops": {"ops_monitoring"}, "qa": {"qa_load"}, "pm": {"pm_wip", "pm_postmortems"}},
		{"dev": {"tdd"}, "ops": {"ops_containers"}, "qa": {"tdd", "qa_security"}, "pm": {"pm_vsm"}},
		{"dev": {"cd_pipeline"}, "ops": {"cd_pipeline"}, "qa": {"pairing"}, "pm": {"small_batches"}},
	}
	for i, p := range plans {
		next, _, err := rules.ResolveSprint(scn, c, rules.SprintInput{Sprint: i + 1, Seed: 42, Plans: fit(scn, c, p)})
		if err != nil {
			b.Fatal(err)
		}
		c = next
		if c.Pending != nil {
			c, _, err = rules.ResolveIncident(scn, c, rules.IncidentInput{Responses: map[string]string{}, ResponseSeconds: 30, Seed: 42})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	return scn, c
}

// fit keeps, for each team, the actions of its plan that it can still
// afford and pick (firefighting and upkeep take capacity).
func fit(scn *rules.Scenario, c *rules.Company, plans map[string][]string) map[string][]string {
	out := map[string][]string{}
	for t, ids := range plans {
		for _, id := range ids {
			if rules.ValidatePlan(scn, c, t, append(append([]string{}, out[t]...), id)) == nil {
				out[t] = append(out[t], id)
			}
		}
	}
	return out
}

// BenchmarkResolveSprint resolves one sprint for one company, explanations
// included: the figure to keep under 1 ms.
func BenchmarkResolveSprint(b *testing.B) {
	scn, c := midGame(b)
	in := rules.SprintInput{Sprint: c.Sprint + 1, Seed: 42, Plans: fit(scn, c, map[string][]string{
		"dev": {"dev_trunk", "feat_story"}, "ops": {"ops_kubernetes", "ops_dod"}, "qa": {"qa_exploratory"}, "pm": {"ops_dod"}})}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := rules.ResolveSprint(scn, c, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolveSprintQuick is the same without explanations, as the
// headless simulator runs it.
func BenchmarkResolveSprintQuick(b *testing.B) {
	scn, c := midGame(b)
	in := rules.SprintInput{Sprint: c.Sprint + 1, Seed: 42, Quick: true, Plans: fit(scn, c, map[string][]string{
		"dev": {"dev_trunk", "feat_story"}, "ops": {"ops_kubernetes", "ops_dod"}, "qa": {"qa_exploratory"}, "pm": {"ops_dod"}})}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := rules.ResolveSprint(scn, c, in); err != nil {
			b.Fatal(err)
		}
	}
}
