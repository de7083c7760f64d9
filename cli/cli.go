// Package cli implements the command-line tools of DevOps Challenge that
// work on scenarios: checking a scenario file and playing headless games to
// measure its balance. main.go wires them as `scenario` and `simulate`.
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"devopschallenge/game/rules"
	"devopschallenge/game/rules/sim"
	"devopschallenge/scenarios"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the scenario is bad or a game failed
	exitUsage = 2 // bad command line
)

const scenarioUsage = `usage: scenario validate FILE

Checks a scenario file and prints OK, or every problem as path:line: reason.
`

// Scenario runs `scenario validate FILE` and returns the exit code: 0 when
// the file is valid, 1 when it has problems, 2 on a bad command line.
func Scenario(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, scenarioUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] != "validate" {
		fmt.Fprintf(stderr, "scenario: unknown command %q\n%s", args[0], scenarioUsage)
		return exitUsage
	}
	if len(args) != 2 {
		fmt.Fprintf(stderr, "scenario validate: expected exactly one FILE, got %d arguments\n%s", len(args)-1, scenarioUsage)
		return exitUsage
	}
	if _, err := loadFile(args[1]); err != nil {
		fmt.Fprintln(stdout, err)
		return exitError
	}
	fmt.Fprintln(stdout, "OK")
	return exitOK
}

// loadFile loads a scenario from the file system; problems name the file as
// given on the command line.
func loadFile(path string) (*rules.Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &rules.LoadError{Problems: []rules.Problem{{Path: path, Line: 0, Reason: err.Error()}}}
	}
	return rules.Parse(path, data)
}

// files is a repeatable flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// Simulate runs `simulate [--scenario FILE] [--strategy NAME] [--strategy-file
// FILE]... [--games N] [--seed S] [--json]`: it plays N seeded games headless
// with each strategy (every built-in one with --strategy all, the default
// without a strategy file) and prints the distribution of outcomes, as
// tables or as JSON. balanced-devops is always played too, as the
// reference. Without --scenario it plays the embedded E-commerce Platform.
func Simulate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("scenario", "", "scenario `FILE` (default: the embedded ecommerce-platform)")
	strategy := fs.String("strategy", "", "built-in strategy `NAME`: "+strings.Join(sim.Names(), ", ")+", or all (default: all, or none with --strategy-file)")
	var stratFiles files
	fs.Var(&stratFiles, "strategy-file", "a strategy written as data, in `FILE` (may be repeated; see scenarios/README.md)")
	games := fs.Int("games", 1000, "number of games `N`")
	seed := fs.Uint64("seed", 1, "seed `S` of the first game; game i uses S+i")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	ablation := fs.Bool("ablation", false, "measure what each capability, CALMS pillar and batch-growing action is worth to balanced-devops")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: simulate [--scenario FILE] [--strategy NAME] [--strategy-file FILE]... [--games N] [--seed S] [--json] [--ablation]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "simulate: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitUsage
	}
	if *games < 1 {
		fmt.Fprintf(stderr, "simulate: --games must be at least 1, got %d\n", *games)
		return exitUsage
	}
	var strategies []sim.Strategy
	switch {
	case *strategy == "all" || (*strategy == "" && len(stratFiles) == 0):
		strategies = sim.Strategies()
	case *strategy == "":
	default:
		st, ok := sim.ByName(*strategy)
		if !ok {
			fmt.Fprintf(stderr, "simulate: unknown strategy %q (use %s, or all)\n", *strategy, strings.Join(sim.Names(), ", "))
			return exitUsage
		}
		strategies = []sim.Strategy{st}
	}

	var scn *rules.Scenario
	var err error
	if *file == "" {
		scn, err = rules.Load(scenarios.FS, "ecommerce-platform.yaml")
	} else {
		scn, err = loadFile(*file)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	if *ablation {
		mean, vs, err := sim.Ablation(scn, *games, *seed)
		if err != nil {
			fmt.Fprintln(stderr, "simulate:", err)
			return exitError
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			_ = enc.Encode(map[string]any{"scenario": scn.ID, "games": *games, "firstSeed": *seed, "mean": mean, "variants": vs})
			return exitOK
		}
		fmt.Fprintf(stdout, "Scenario %s, seeds %d..%d.\n\n", scn.ID, *seed, *seed+uint64(*games)-1)
		sim.WriteAblation(stdout, scn, mean, vs)
		return exitOK
	}
	for _, f := range stratFiles {
		st, err := loadStrategy(f, scn)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitError
		}
		if slices.ContainsFunc(strategies, func(s sim.Strategy) bool { return s.Name() == st.Name() }) {
			fmt.Fprintf(stderr, "%s: another strategy is already named %q\n", f, st.Name())
			return exitError
		}
		strategies = append(strategies, st)
	}
	// balanced-devops is the reference every strategy is compared with.
	if !slices.ContainsFunc(strategies, func(s sim.Strategy) bool { return s.Name() == (sim.Balanced{}).Name() }) {
		strategies = append([]sim.Strategy{sim.Balanced{}}, strategies...)
	}
	results, err := sim.Games(scn, strategies, *games, *seed)
	if err != nil {
		fmt.Fprintln(stderr, "simulate:", err)
		return exitError
	}
	name := scn.ID
	if *file != "" {
		name = filepath.Base(*file)
	}
	summary := sim.Summarize(strategies, results)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"scenario": name, "games": *games, "firstSeed": *seed, "sprints": scn.Sprints,
			"strategies": summary.Report()})
		return exitOK
	}
	fmt.Fprintf(stdout, "Scenario %s, seeds %d..%d, %d sprints per game.\n\n", name, *seed, *seed+uint64(*games)-1, scn.Sprints)
	summary.WriteTable(stdout)
	summary.WriteClusters(stdout)
	for j, st := range strategies {
		sim.WriteTrajectory(stdout, st.Name(), sim.Trajectory(results, j))
	}
	if len(strategies) > 1 {
		if dom := sim.DominantActions(results); len(dom) > 0 {
			fmt.Fprintf(stdout, "\nActions in every winning plan: %s\n", strings.Join(dom, ", "))
		} else {
			fmt.Fprintf(stdout, "\nNo action appears in every winning plan.\n")
		}
	}
	return exitOK
}

// loadStrategy reads a strategy file; problems name the file as given.
func loadStrategy(path string, scn *rules.Scenario) (sim.Strategy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &rules.LoadError{Problems: []rules.Problem{{Path: path, Line: 0, Reason: err.Error()}}}
	}
	return sim.LoadStrategy(path, data, scn)
}
