package rules

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"devopschallenge/scenarios"
)

func loadMinimal(t testing.TB) *Scenario {
	t.Helper()
	s, err := Load(os.DirFS("testdata"), "minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadEcommerce(t testing.TB) *Scenario {
	t.Helper()
	s, err := Load(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Each broken fixture must be refused with exactly these messages, in this
// order: a teacher reads them to fix the file.
func TestLoadRefusesBrokenFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown_prerequisite.yaml", []string{
			`broken/unknown_prerequisite.yaml:109: capability "delivery" requires unknown capability "test"`,
		}},
		{"prerequisite_cycle.yaml", []string{
			`broken/prerequisite_cycle.yaml:93: prerequisite cycle: ci → delivery → tests → ci`,
		}},
		{"bad_expressions.yaml", []string{
			`broken/bad_expressions.yaml:32: team dev: score: metrics has no field featuresBuild (column 9)`,
			`broken/bad_expressions.yaml:175: rule "debt_hurts": when: unexpected token EOF (column 6)`,
			`broken/bad_expressions.yaml:179: rule "debt_hurts": state (en): {debts}: unknown name debts (column 1)`,
			`broken/bad_expressions.yaml:184: incident "outage": when: unknown action "risky_relase" in did.risky_relase; unknown capability "cd" in has.cd`,
			`broken/bad_expressions.yaml:229: score part "value": points: expected float64, but got bool`,
		}},
		{"missing_translation.yaml", []string{
			`broken/missing_translation.yaml:5: summary: missing English text (en)`,
			`broken/missing_translation.yaml:122: actions[0].name: missing French translation (fr)`,
			`broken/missing_translation.yaml:178: rules[0].explain: expected a text as {en: ..., fr: ...}, found "Debt makes changes risky."`,
		}},
		{"duplicate_ids.yaml", []string{
			`broken/duplicate_ids.yaml:164: action id "feature" is already used at line 148`,
			`broken/duplicate_ids.yaml:209: option id "a" is already used at line 208`,
		}},
		{"cost_out_of_range.yaml", []string{
			`broken/cost_out_of_range.yaml:124: action "setup_ci": cost 0 is out of range 1..6 (the team capacity)`,
			`broken/cost_out_of_range.yaml:152: action "feature": cost 7 is out of range 1..6 (the team capacity)`,
		}},
		{"unknown_references.yaml", []string{
			`broken/unknown_references.yaml:103: capability "tests": effect on unknown figure "stage.tests.wait"`,
			`broken/unknown_references.yaml:107: capability "delivery": unknown stage "releases"`,
			`broken/unknown_references.yaml:116: capability "monitoring": unknown CALMS pillar "measure" (use culture, automation, lean, measurement, sharing)`,
			`broken/unknown_references.yaml:135: action "pipeline": unknown team "sec" (use dev, ops, qa, pm)`,
			`broken/unknown_references.yaml:147: actions[3]: unknown field "requries": did you mean "requires"?`,
		}},
		{"yaml_syntax.yaml", []string{
			`broken/yaml_syntax.yaml:3: YAML syntax: did not find expected ',' or '}'`,
		}},
	}
	files, _ := os.ReadDir("testdata/broken")
	if len(files) != len(tests) {
		t.Errorf("testdata/broken holds %d files but the table lists %d", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := Load(os.DirFS("testdata"), "broken/"+tt.file)
			if s != nil || err == nil {
				t.Fatal("the broken scenario was accepted")
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error is %T, want *LoadError", err)
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tt.want) {
				t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLoadEdgeCases(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty file", "", "x.yaml:1: the file is empty"},
		{"not a mapping", "- a\n- b\n", "x.yaml:1: expected a mapping, found a list"},
		{"missing file", "", ""},
	}
	for _, tt := range tests[:2] {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := Load(fstest.MapFS{}, "nope.yaml")
		var le *LoadError
		if !errors.As(err, &le) || le.Problems[0].Path != "nope.yaml" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("missing fields are named once", func(t *testing.T) {
		_, err := Parse("x.yaml", []byte("id: x\n"))
		if err == nil || !strings.Contains(err.Error(), `x.yaml:1: missing field "title"`) ||
			strings.Count(err.Error(), `missing field "title"`) != 1 {
			t.Errorf("got %v", err)
		}
	})
}

func TestLoadAll(t *testing.T) {
	all, err := LoadAll(scenarios.FS)
	if err != nil {
		t.Fatal(err)
	}
	if all["ecommerce-platform"] == nil {
		t.Fatalf("ecommerce-platform missing from %v", all)
	}
	minimal, _ := os.ReadFile("testdata/minimal.yaml")
	_, err = LoadAll(fstest.MapFS{"a.yaml": {Data: minimal}, "b.yaml": {Data: minimal}})
	if err == nil || !strings.Contains(err.Error(), `b.yaml:1: scenario id "minimal" is already used by a.yaml`) {
		t.Errorf("duplicate scenario ids: got %v", err)
	}
}

// The E-commerce Platform holds what the issue asks for.
func TestEcommerceContent(t *testing.T) {
	s := loadEcommerce(t)
	for _, team := range Teams {
		if n := len(s.Catalogue(team)); n < 8 {
			t.Errorf("team %s has %d actions, want at least 8", team, n)
		}
		b := s.Teams.Get(team)
		if len(b.Study) == 0 || len(b.Challenges) == 0 || len(b.Questions) == 0 {
			t.Errorf("team %s brief is incomplete", team)
		}
	}
	pairs := map[string]bool{}
	joint := 0
	for _, a := range s.Actions {
		if a.Joint() {
			joint++
			p := slices.Clone(a.Teams)
			slices.Sort(p)
			pairs[strings.Join(p, "+")] = true
		}
	}
	if joint < 4 || len(pairs) < 4 {
		t.Errorf("%d joint actions over %d pairs of teams, want at least 4 over 4", joint, len(pairs))
	}
	for _, id := range []string{"version_control", "ci", "automated_tests", "containers", "orchestration", "iac",
		"monitoring", "logging", "feature_toggles", "continuous_delivery", "continuous_deployment",
		"security_scanning", "postmortems", "wip_limits", "vsm", "chatops"} {
		if s.Capability(id) == nil {
			t.Errorf("capability %s is missing", id)
		}
	}
	for _, id := range []string{"black_friday", "payment_outage", "critical_cve", "failed_migration", "config_drift", "log_disk_full"} {
		if s.Incident(id) == nil {
			t.Errorf("incident %s is missing", id)
		}
	}
	for _, id := range []string{"auth", "search", "cart", "payments", "orders"} {
		if !slices.ContainsFunc(s.Product.Features, func(it *Item) bool { return it.ID == id }) {
			t.Errorf("feature %s is missing", id)
		}
	}
	if len(s.Product.StudySteps) != 6 {
		t.Errorf("%d study steps, want 6", len(s.Product.StudySteps))
	}
	if len(s.Quiz) < 12 || len(s.Debates) < 4 {
		t.Errorf("%d quiz questions and %d motions, want at least 12 and 4", len(s.Quiz), len(s.Debates))
	}
	// Elite targets of the course (seed 001).
	d := s.DORA
	if d.LeadTimeHours.Elite != 24 || d.DeploysPerDay.Elite < 2 || d.ChangeFailureRate.Elite != 0.15 || d.TimeToRestoreHours.Elite != 1 {
		t.Errorf("elite thresholds %+v do not match the course", d)
	}
}

// The scenario goes to browsers as JSON: texts in both languages and
// expressions as their source.
func TestScenarioJSON(t *testing.T) {
	s := loadEcommerce(t)
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Title   Text `json:"title"`
		Actions []struct {
			ID      string `json:"id"`
			Effects []struct {
				Target string `json:"target"`
				Mul    string `json:"mul"`
			} `json:"effects"`
		} `json:"actions"`
		Rules []struct {
			When string `json:"when"`
		} `json:"rules"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Title != s.Title || back.Rules[0].When != s.Rules[0].When.Src || len(back.Actions) != len(s.Actions) {
		t.Errorf("scenario JSON lost data: %+v", back.Title)
	}
}

// A team's study must walk the product's study steps, each once and in
// their order, each with notions and questions.
func TestStudyStepsFollowTheProduct(t *testing.T) {
	src, err := fs.ReadFile(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Ops studies monitoring before testing, and QA forgets the notions of
	// its first step.
	text := string(src)
	ops := strings.Index(text, "\n  ops:\n")
	a := strings.Index(text[ops:], "      - step: testing\n") + ops
	b := strings.Index(text[ops:], "      - step: monitoring\n") + ops
	c := strings.Index(text[ops:], "      - step: improvement\n") + ops
	text = text[:a] + text[b:c] + text[a:b] + text[c:]
	qa := strings.Index(text, "\n  qa:\n")
	n := strings.Index(text[qa:], "        notions:\n") + qa
	q := strings.Index(text[n:], "        questions:\n") + n
	text = text[:n] + "        notions: []\n" + text[q:]
	_, err = Parse("x.yaml", []byte(text))
	for _, want := range []string{
		"team ops: study must follow the product's study steps (needs, architecture, deployment, testing, monitoring, improvement), in this order; found needs, architecture, deployment, monitoring, testing, improvement",
		`team qa: study step "needs" needs at least one notion and one question`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v; want %q", err, want)
		}
	}
}
