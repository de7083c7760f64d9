//go:build !race

// Lessons an SRE would check (issue 19 review): habits that only look safe
// must not pay. Pure computation over seeded games, run in a plain build
// (see targets_race_test.go).

package sim

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"devopschallenge/game/rules"
	"devopschallenge/scenarios"
)

const lessonGames = 300

// loadTestStrategies reads strategy files of testdata for scn.
func loadTestStrategies(t *testing.T, scn *rules.Scenario, names ...string) []Strategy {
	t.Helper()
	var out []Strategy
	for _, n := range names {
		p := filepath.Join("testdata", n+".yaml")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		st, err := LoadStrategy(p, data, scn)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

// External change approval and change freezes do not make a change safer
// (DORA): done every sprint, they score below doing nothing at all.
func TestApprovalsAndFreezesDoNotPay(t *testing.T) {
	scn, err := rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sts := loadTestStrategies(t, scn, "do-nothing", "approvals", "freeze")
	res, err := Games(scn, sts, lessonGames, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(sts, res)
	for j := 1; j < len(sts); j++ {
		if s.Mean[j] >= s.Mean[0] || s.Beats[j][0] > 0.5 {
			t.Errorf("%s every sprint scores %.1f (beats doing nothing in %.0f %% of games); doing nothing scores %.1f",
				s.Strategies[j], s.Mean[j], 100*s.Beats[j][0], s.Mean[0])
		}
	}
}

// moreIncidents returns the E-commerce Platform with every incident's
// chance multiplied by k (at most 1).
func moreIncidents(t *testing.T, k float64) *rules.Scenario {
	t.Helper()
	data, err := fs.ReadFile(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	in, n := false, 0
	for i, l := range lines {
		switch {
		case l == "incidents:":
			in = true
		case in && len(l) > 0 && l[0] != ' ' && l[0] != '#':
			in = false
		case in && strings.HasPrefix(l, "    chance: "):
			v := strings.Trim(strings.TrimPrefix(l, "    chance: "), `"`)
			lines[i] = fmt.Sprintf(`    chance: "min(1, %g * (%s))"`, k, v)
			n++
		}
	}
	if n < 3 {
		t.Fatalf("only %d incident chances found", n)
	}
	scn, err := rules.Load(fstest.MapFS{"more.yaml": {Data: []byte(strings.Join(lines, "\n"))}}, "more.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return scn
}

// A post-mortem earns at most what its incident cost: with incidents six
// times as likely, no strategy that writes post-mortems scores more.
func TestMoreIncidentsNeverPay(t *testing.T) {
	scn, err := rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more := moreIncidents(t, 6)
	sts := []Strategy{Balanced{}, NoFeatures{}}
	base, err := Games(scn, sts, lessonGames, 1)
	if err != nil {
		t.Fatal(err)
	}
	worse, err := Games(more, sts, lessonGames, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, b := Summarize(sts, base), Summarize(sts, worse)
	for j, st := range sts {
		incidents := func(res [][]*Result) (n int) {
			for _, row := range res {
				n += row[j].Incidents
			}
			return n
		}
		if incidents(worse) <= incidents(base) {
			t.Fatalf("%s: %d incidents with chances ×6, %d without", st.Name(), incidents(worse), incidents(base))
		}
		if b.Mean[j] > a.Mean[j] {
			t.Errorf("%s scores %.1f with incidents six times as likely (learning %.1f), %.1f without (learning %.1f)",
				st.Name(), b.Mean[j], b.Parts[j]["learning"], a.Mean[j], a.Parts[j]["learning"])
		}
	}
}
