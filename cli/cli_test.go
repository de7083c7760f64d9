package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(f func([]string, *bytes.Buffer, *bytes.Buffer) int, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := f(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func scenario(args []string, out, errOut *bytes.Buffer) int { return Scenario(args, out, errOut) }
func simulate(args []string, out, errOut *bytes.Buffer) int { return Simulate(args, out, errOut) }

func TestScenarioValidate(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"valid scenario", []string{"validate", "../scenarios/ecommerce-platform.yaml"}, 0, "OK\n", ""},
		{"broken scenario", []string{"validate", "../game/rules/testdata/broken/cost_out_of_range.yaml"}, 1,
			"../game/rules/testdata/broken/cost_out_of_range.yaml:124: action \"setup_ci\": cost 0 is out of range 1..6 (the team capacity)\n" +
				"../game/rules/testdata/broken/cost_out_of_range.yaml:152: action \"feature\": cost 7 is out of range 1..6 (the team capacity)\n", ""},
		{"missing file", []string{"validate", "nope.yaml"}, 1, "nope.yaml: no such file or directory\n", ""},
		{"no command", nil, 2, "", "usage: scenario validate FILE"},
		{"unknown command", []string{"check", "x.yaml"}, 2, "", `unknown command "check"`},
		{"no file", []string{"validate"}, 2, "", "expected exactly one FILE, got 0 arguments"},
		{"two files", []string{"validate", "a.yaml", "b.yaml"}, 2, "", "expected exactly one FILE, got 2 arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(scenario, tt.args...)
			if code != tt.code || out != tt.stdout || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, stderr containing %q", code, out, errOut, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestSimulateRefusesBadFlags(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"--games", "0"}, "--games must be at least 1"},
		{[]string{"--games", "many"}, `invalid value "many" for flag -games`},
		{[]string{"--strategy", "yolo"}, `unknown strategy "yolo" (use balanced-devops, features-only, stability-only, silos, random, or all)`},
		{[]string{"--json=maybe"}, `invalid boolean value "maybe" for -json`},
		{[]string{"--speed", "1"}, "flag provided but not defined: -speed"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--seed", "-1"}, `invalid value "-1" for flag -seed`},
	}
	for _, tt := range tests {
		code, out, errOut := run(simulate, tt.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errOut, tt.stderr)
		}
	}
	code, _, errOut := run(simulate, "--scenario", "../game/rules/testdata/broken/duplicate_ids.yaml")
	if code != 1 || !strings.Contains(errOut, `duplicate_ids.yaml:164: action id "feature" is already used at line 148`) {
		t.Errorf("broken scenario: exit %d, stderr %q", code, errOut)
	}
}

func TestSimulate(t *testing.T) {
	code, out, errOut := run(simulate, "--strategy", "balanced-devops", "--games", "20", "--seed", "5")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Scenario ecommerce-platform, seeds 5..24, 6 sprints per game.", "20 games per strategy",
		"| strategy | mean score | p10 | median | p90 | balanced-devops beats it | company mark alone | capabilities at the end |",
		"| balanced-devops | ", "Share of games in each 2024 DORA cluster", "balanced-devops, mean per sprint"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, again, _ := run(simulate, "--strategy", "balanced-devops", "--games", "20", "--seed", "5")
	if again != out {
		t.Error("the same simulation printed different outcomes")
	}
}

// simulate --json gives, per strategy, the score's distribution, how often
// balanced-devops beats it, its mark alone, what it owns and its clusters
// sprint by sprint.
func TestSimulateJSON(t *testing.T) {
	code, out, errOut := run(simulate, "--strategy", "stability-only", "--games", "10", "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Scenario   string `json:"scenario"`
		Games      int    `json:"games"`
		Strategies []struct {
			Strategy      string             `json:"strategy"`
			Mean          float64            `json:"mean"`
			P10           float64            `json:"p10"`
			P50           float64            `json:"p50"`
			P90           float64            `json:"p90"`
			BalancedBeats *float64           `json:"balancedBeats"`
			Mark          float64            `json:"mark"`
			Owned         float64            `json:"owned"`
			Parts         map[string]float64 `json:"parts"`
			Clusters      []struct {
				Sprint                   int
				Elite, High, Medium, Low float64
			} `json:"clusters"`
		} `json:"strategies"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if rep.Games != 10 || len(rep.Strategies) != 2 || rep.Strategies[0].Strategy != "balanced-devops" || rep.Strategies[1].Strategy != "stability-only" {
		t.Fatalf("report: %+v", rep)
	}
	st := rep.Strategies[1]
	if st.BalancedBeats == nil || *st.BalancedBeats < 0.9 || len(st.Clusters) != 7 || st.Owned < 1 || st.Parts["value"] != 0 {
		t.Errorf("stability-only: %+v", st)
	}
	for _, c := range st.Clusters {
		if sum := c.Elite + c.High + c.Medium + c.Low; sum < 0.999 || sum > 1.001 {
			t.Errorf("sprint %d: cluster shares add up to %v", c.Sprint, sum)
		}
	}
	if rep.Strategies[0].BalancedBeats != nil {
		t.Error("balanced-devops compared with itself")
	}
}

// A teacher's strategy file plays like a built-in one; a bad one is refused
// with file, line and reason.
func TestSimulateStrategyFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ci-first.yaml")
	os.WriteFile(good, []byte(`name: ci-first
description: CI, then tests, then features.
plans:
  dev: [dev_ci, {action: feat_story, when: "has.ci"}, {tag: feature}]
  qa: [qa_regression]
  ops: [ops_monitoring]
incidents:
  seconds: 20
  postmortems: true
`), 0o644)
	code, out, errOut := run(simulate, "--strategy-file", good, "--games", "10")
	if code != 0 || !strings.Contains(out, "| ci-first | ") || !strings.Contains(out, "| balanced-devops | ") {
		t.Fatalf("exit %d, stderr %q:\n%s", code, errOut, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nplans:\n  dev: [dev_cii]\n  sec: [x]\n"), 0o644)
	code, out, errOut = run(simulate, "--strategy-file", bad, "--games", "10")
	if code != 1 || out != "" || !strings.Contains(errOut, bad+`:3: plans.dev[0]: unknown action "dev_cii" in scenario ecommerce-platform`) ||
		!strings.Contains(errOut, bad+`:4: plans: unknown field "sec"`) {
		t.Errorf("bad strategy: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = run(simulate, "--strategy-file", filepath.Join(dir, "missing.yaml"))
	if code != 1 || !strings.Contains(errOut, "missing.yaml: no such file or directory") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	clash := filepath.Join(dir, "clash.yaml")
	os.WriteFile(clash, []byte("name: random\nplans: {}\n"), 0o644)
	if code, _, errOut = run(simulate, "--strategy-file", clash, "--games", "2"); code != 1 || !strings.Contains(errOut, `the name "random" is a built-in strategy's`) {
		t.Errorf("name clash: exit %d, stderr %q", code, errOut)
	}
}

// The built-in strategies written as data load, as a teacher's would.
func TestBuiltInStrategyFiles(t *testing.T) {
	for _, f := range []string{"../scenarios/strategies/features-only.yaml", "../scenarios/strategies/stability-only.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := run(simulate, "--strategy-file", writeRenamed(t, data), "--games", "3", "--json"); code != 0 || errOut != "" || !strings.Contains(out, "renamed") {
			t.Errorf("%s: exit %d: %s", f, code, errOut)
		}
	}
}

func writeRenamed(t *testing.T, data []byte) string {
	t.Helper()
	s := string(data)
	i := strings.Index(s, "name: ")
	j := i + strings.Index(s[i:], "\n")
	p := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(p, []byte(s[:i]+"name: renamed"+s[j:]), 0o644)
	return p
}

func TestSimulateAblation(t *testing.T) {
	code, out, errOut := run(simulate, "--ablation", "--games", "4", "--scenario", "../game/rules/testdata/minimal.yaml")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Without one capability", "| ci | automation |", "Without a CALMS pillar's practices", "With no feature work at all"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// The strategies read only scenario data, so any valid scenario can be
// simulated.
func TestSimulateAnotherScenario(t *testing.T) {
	code, out, errOut := run(simulate, "--scenario", "../game/rules/testdata/minimal.yaml", "--games", "10")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range []string{"balanced-devops", "features-only", "stability-only", "silos", "random", "minimal.yaml"} {
		if !strings.Contains(out, name) {
			t.Errorf("output lacks %s", name)
		}
	}
}

// One mistake in a scenario file is reported once: not again as a
// missing field, nor by every check that depends on the faulty value.
func TestScenarioValidateSaysEachMistakeOnce(t *testing.T) {
	src, err := os.ReadFile("../scenarios/ecommerce-platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, from, to, want string
	}{
		{"a misspelt field", "    cost: 4\n", "    costt: 4\n", `unknown field "costt": did you mean "cost"?`},
		{"a capacity out of range", "\ncapacity: 7\n", "\ncapacity: 0\n", "capacity 0 is out of range 1..100"},
		{"a misnamed stage", "    stages: [code, build]\n", "    stages: [code, biuld]\n", `unknown stage "biuld"`},
		{"a field in upper case", "\nsprints: 6\n", "\nSprints: 6\n", `unknown field "Sprints": did you mean "sprints"?`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(string(src), c.from) {
				t.Fatalf("the scenario no longer has %q", c.from)
			}
			file := filepath.Join(t.TempDir(), "mistake.yaml")
			os.WriteFile(file, []byte(strings.Replace(string(src), c.from, c.to, 1)), 0o644)
			code, out, _ := run(scenario, "validate", file)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("exit %d; want one line with %q, got:\n%s", code, c.want, out)
			}
		})
	}
}
