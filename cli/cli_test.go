package cli

import (
	"bytes"
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
	for _, want := range []string{"Scenario ecommerce-platform, seeds 5..24, 8 sprints per game.", "20 games per strategy",
		"| balanced-devops | 100.0 % |", "balanced-devops, mean per sprint"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, again, _ := run(simulate, "--strategy", "balanced-devops", "--games", "20", "--seed", "5")
	if again != out {
		t.Error("the same simulation printed different outcomes")
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
		{"a capacity out of range", "\ncapacity: 8\n", "\ncapacity: 0\n", "capacity 0 is out of range 1..100"},
		{"a misnamed stage", "    stages: [code, build]\n", "    stages: [code, biuld]\n", `unknown stage "biuld"`},
		{"a field in upper case", "\nsprints: 8\n", "\nSprints: 8\n", `unknown field "Sprints": did you mean "sprints"?`},
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
