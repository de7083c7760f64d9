package rules

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"devopschallenge/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// script is a complete game written by hand: each sprint's plans, and the
// answer to the incident that strikes at its end, if any.
type script struct {
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Sprints  []struct {
		Silo            bool                `json:"silo"`
		Plans           map[string][]string `json:"plans"`
		Responses       map[string]string   `json:"responses"`
		ResponseSeconds float64             `json:"responseSeconds"`
		Postmortem      bool                `json:"postmortem"`
	} `json:"sprints"`
}

// replay plays a script and returns everything the engine said, in order,
// and the final company.
func replay(t *testing.T, sc script) []byte {
	t.Helper()
	out, c := playScript(t, sc)
	data, err := json.MarshalIndent(map[string]any{"results": out, "company": c}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// playScript plays a script and returns everything the engine said, in
// order, and the final company.
func playScript(t *testing.T, sc script) ([]any, *Company) {
	t.Helper()
	var s *Scenario
	var err error
	if strings.HasSuffix(sc.Scenario, ".yaml") {
		s, err = Load(os.DirFS("."), sc.Scenario)
	} else {
		s, err = Load(scenarios.FS, sc.Scenario+".yaml")
	}
	if err != nil {
		t.Fatal(err)
	}
	c := NewCompany(s)
	var out []any
	for i, sp := range sc.Sprints {
		next, res, err := ResolveSprint(s, c, SprintInput{Sprint: i + 1, Seed: sc.Seed, Plans: sp.Plans, Silo: sp.Silo})
		if err != nil {
			t.Fatalf("sprint %d: %v", i+1, err)
		}
		c = next
		out = append(out, res)
		if c.Pending == nil {
			continue
		}
		next, ir, err := ResolveIncident(s, c, IncidentInput{Responses: sp.Responses, ResponseSeconds: sp.ResponseSeconds, Seed: sc.Seed})
		if err != nil {
			t.Fatalf("sprint %d incident: %v", i+1, err)
		}
		c = next
		out = append(out, ir)
		if sp.Postmortem {
			next, pr, err := ApplyPostmortem(s, c, Postmortem{Incident: len(c.Incidents) - 1,
				WhatHappened: "what happened", Why: "why", Change: "what we change"})
			if err != nil {
				t.Fatalf("sprint %d post-mortem: %v", i+1, err)
			}
			c = next
			out = append(out, pr)
		}
	}
	return out, c
}

// readScripts reads the game scripts of testdata/games.
func readScripts(t *testing.T) map[string]script {
	t.Helper()
	files, _ := filepath.Glob("testdata/games/*.json")
	if len(files) < 3 {
		t.Fatalf("found %d game scripts", len(files))
	}
	out := map[string]script{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sc script
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = sc
	}
	return out
}

// Complete seeded games, explanations included, must not change by
// accident. Run `go test ./game/rules -run Golden -update` after a deliberate
// change of the engine or the scenario, and read the diff.
func TestGoldenGames(t *testing.T) {
	for name, sc := range readScripts(t) {
		t.Run(name, func(t *testing.T) {
			got := replay(t, sc)
			if again := replay(t, sc); !bytes.Equal(got, again) {
				t.Fatal("the same game played twice gave different results")
			}
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the game played now; run with -update if the change is deliberate", golden)
			}
		})
	}
}

// A company stored as JSON and read back plays on exactly as the one kept
// in memory: the game server folds it from its event log.
func TestCompanySurvivesJSON(t *testing.T) {
	s := loadEcommerce(t)
	c := NewCompany(s)
	p := []plans{
		{"dev": {"dev_ci"}, "ops": {"ops_monitoring"}, "qa": {"qa_load"}, "pm": {"pm_wip"}},
		{"qa": {"qa_regression"}, "ops": {"ops_logging"}, "dev": {"feat_story"}},
		{"dev": {"cd_pipeline"}, "ops": {"cd_pipeline"}},
	}
	for i, pl := range p {
		var stored Company
		data, _ := json.Marshal(c)
		if err := json.Unmarshal(data, &stored); err != nil {
			t.Fatal(err)
		}
		in := SprintInput{Sprint: i + 1, Seed: 99, Plans: pl}
		a, ra, err1 := ResolveSprint(s, c, in)
		b, rb, err2 := ResolveSprint(s, &stored, in)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		ja, _ := json.Marshal([]any{a, ra})
		jb, _ := json.Marshal([]any{b, rb})
		if !bytes.Equal(ja, jb) {
			t.Fatalf("sprint %d: the company read back from JSON plays differently", i+1)
		}
		c = a
		if c.Pending != nil {
			c, _, _ = ResolveIncident(s, c, IncidentInput{ResponseSeconds: 30, Seed: 99})
		}
	}
}
